/**
 * The workshop's lifecycle: `init` (accounts, credentials, kernelspec, state), `start` (Debian's JupyterHub
 * in the background), `stop` (the hub, the proxy, every learner server and kernel, checked by PID), and
 * `remove` (the accounts and the state folder, after the class).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ensureLibraryBuilt } from "../jupyter/build";
import { projectRoot } from "../jupyter/kernelspec";
import { show } from "../util/validate";
import { createAccount, generatePassword, isRoot, lookupAccount, planAccounts, removeAccount, setPassword } from "./accounts";
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MEMORY_LIMIT_BYTES, hubConfig, readState, validateState, workshopPaths,
  type HubNetwork, type WorkshopPaths, type WorkshopState,
} from "./config";
import { writeWorkshopKernelspec } from "./kernel-adapter";
import { descendants, killPid, pidAlive, processesOfUids, processTable } from "./procs";
import { readRoster } from "./roster";

/** Debian's JupyterHub and its proxy. */
export const JUPYTERHUB_BIN = "/usr/bin/jupyterhub";
export const PROXY_BIN = "/usr/bin/configurable-http-proxy";

/** Why a multi-learner hub needs root, for error messages. */
export const ROOT_REQUIRED =
  "a multi-learner workshop needs root: JupyterHub must create one Linux account per learner, check passwords through PAM, " +
  "and start each learner's server as that learner (setuid) so learners cannot read each other's files. Run it with sudo. " +
  "For a single learner on your own account, use `npm start` instead.";

/**
 * Whether Debian's JupyterHub and configurable-http-proxy are installed. Never throws.
 * @returns a reason when something is missing, else undefined
 * @example hubMissing(); // undefined on a machine with `apt-get install jupyterhub`
 */
export function hubMissing(): string | undefined {
  for (const bin of [JUPYTERHUB_BIN, PROXY_BIN]) if (!fs.existsSync(bin)) return `${bin} is missing (Debian: apt-get install jupyterhub)`;
  return undefined;
}

/** Options of {@link initWorkshop}. */
export interface InitOptions {
  /** Roster file: one learner account name per line. */
  roster: string;
  /** The instructor's account (the hub's only admin; created like the learners). Default "instructor". */
  instructor?: string;
  /** State folder (absolute). Default `<kit>/.workshop`. */
  stateDir?: string;
  /** Idle time before a learner's server is stopped, seconds (integer ≥ 60). Default 3600. */
  idleTimeoutSeconds?: number;
  /** How often the culler looks, seconds. Default min(60, idleTimeoutSeconds). */
  cullEverySeconds?: number;
  /** RLIMIT_DATA of each kernel, bytes. Default 2 GiB. */
  memoryLimitBytes?: number;
}

/** What {@link initWorkshop} did. */
export interface InitResult {
  paths: WorkshopPaths;
  state: WorkshopState;
  created: string[];
  reused: string[];
}

const INIT_KEYS = ["roster", "instructor", "stateDir", "idleTimeoutSeconds", "cullEverySeconds", "memoryLimitBytes"];

function rejectUnknownKeys(name: string, options: object, known: readonly string[]): void {
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new RangeError(`${name} has an unknown key ${JSON.stringify(k)}; known: ${known.join(", ")}`);
}

/**
 * Read credentials written by an earlier `init` (`name password` lines). Never throws for a missing file.
 * @param file the credentials file
 * @returns passwords by account name
 * @example readCredentials(workshopPaths().credentialsFile).get("alice");
 */
export function readCredentials(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const m = /^([a-z_][a-z0-9_-]*)\s+(\S+)\s*$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * Configure a workshop: check the roster, create one account per learner (and the instructor) with a
 * generated password, write the credentials (mode 0600, root only), the kernelspec and the state.
 * Everything is checked before anything changes: a bad roster or a name that is an existing non-workshop
 * account leaves the machine as it was. Re-running keeps existing workshop accounts and their passwords.
 * @param options see {@link InitOptions}
 * @returns what was created and reused, and the paths
 * @throws {RangeError} for a bad roster (duplicates, invalid names, empty), bad options or unusable accounts;
 *   {Error} when not root (see {@link ROOT_REQUIRED}) or the hub of this state folder is running
 * @example initWorkshop({ roster: "learners.txt", instructor: "teacher" }).created; // ["alice", "bob", "teacher"]
 */
export function initWorkshop(options: InitOptions): InitResult {
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
  rejectUnknownKeys("options", options, INIT_KEYS);
  const learners = readRoster(options.roster);
  const instructor = options.instructor ?? "instructor";
  const idle = options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
  const state: WorkshopState = validateState({
    version: 1,
    kit: projectRoot(),
    learners,
    instructor,
    idleTimeoutSeconds: idle,
    cullEverySeconds: options.cullEverySeconds ?? Math.min(60, Number.isInteger(idle) ? idle : 60),
    memoryLimitBytes: options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
    createdAt: new Date().toISOString(),
  });
  const paths = workshopPaths(options.stateDir);
  if (!isRoot()) throw new Error(ROOT_REQUIRED);
  if (hubRunning(paths)) throw new Error(`the workshop hub in ${paths.root} is running; stop it first (ep-lab workshop stop)`);
  const plan = planAccounts([...learners, instructor]);

  fs.mkdirSync(paths.privateDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(paths.privateDir, 0o700);
  fs.mkdirSync(paths.publicDir, { recursive: true, mode: 0o755 });
  fs.chmodSync(paths.publicDir, 0o755);
  fs.chmodSync(paths.root, 0o755);
  const known = readCredentials(paths.credentialsFile);
  const passwords = new Map<string, string>();
  for (const name of plan.reuse) {
    const pw = known.get(name) ?? generatePassword();
    if (!known.has(name)) setPassword(name, pw);
    passwords.set(name, pw);
  }
  for (const name of plan.create) {
    const pw = generatePassword();
    createAccount(name, pw);
    passwords.set(name, pw);
  }
  const lines = ["# ep-lab workshop credentials: account password (hand each learner their own line; keep this file private)"];
  for (const name of [instructor, ...learners]) lines.push(`${name} ${passwords.get(name)}`);
  fs.writeFileSync(paths.credentialsFile, lines.join("\n") + "\n", { mode: 0o600 });
  fs.chmodSync(paths.credentialsFile, 0o600);
  writeWorkshopKernelspec(paths.publicDir, state.memoryLimitBytes, state.kit);
  // Learners' notebooks import the library's build (dist/): make sure it exists and is current.
  ensureLibraryBuilt(state.kit, { log: () => undefined });
  fs.writeFileSync(paths.stateFile, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  return { paths, state, created: plan.create, reused: plan.reuse };
}

/** Options of {@link startHub}. */
export interface StartOptions {
  stateDir?: string;
  /** Public address (default 127.0.0.1; 0.0.0.0 or a classroom address to open it to the network). */
  ip?: string;
  /** Public port (default 8000). */
  port?: number;
  /** TLS certificate and key files (PEM) for the hub to serve HTTPS itself. */
  sslCert?: string;
  sslKey?: string;
  /** How long to wait for the hub to answer, milliseconds (default 90000). */
  readyTimeoutMs?: number;
}

/** A started hub. */
export interface StartedHub {
  /** The public URL, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  pid: number;
  paths: WorkshopPaths;
  state: WorkshopState;
}

/** Record of the processes `start` launched (private/started.json). */
interface StartedRecord {
  hubPid: number;
  url: string;
  startedAt: string;
}

function startedFile(paths: WorkshopPaths): string {
  return path.join(paths.privateDir, "started.json");
}

function readStarted(paths: WorkshopPaths): StartedRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(startedFile(paths), "utf8")) as StartedRecord;
  } catch {
    return undefined;
  }
}

/**
 * Whether the hub of this state folder runs (by the PID `start` recorded). Never throws.
 * @param paths the state folder
 * @returns true while it runs
 * @example hubRunning(workshopPaths());
 */
export function hubRunning(paths: WorkshopPaths): boolean {
  const rec = readStarted(paths);
  return !!rec && Number.isInteger(rec.hubPid) && rec.hubPid > 0 && pidAlive(rec.hubPid);
}

/**
 * The URL of the running hub of this state folder, or undefined. Never throws.
 * @param paths the state folder
 * @returns e.g. "http://127.0.0.1:8000/"
 * @example hubUrl(workshopPaths());
 */
export function hubUrl(paths: WorkshopPaths): string | undefined {
  return hubRunning(paths) ? readStarted(paths)?.url : undefined;
}

function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const p = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, ip, () => srv.close(() => resolve(true)));
  });
}

/**
 * Start the workshop's JupyterHub in the background (its own session; log in `private/hub.log`) and wait
 * until it answers. Writes `jupyterhub_config.py` for these addresses first.
 * @param options see {@link StartOptions}
 * @returns the URL and PID
 * @throws {Error} when not root, JupyterHub is missing, no workshop is configured, the hub already runs,
 *   the port is taken, or the hub exits or does not answer in time (with the log's last lines);
 *   {RangeError} for a bad port, address or timeout
 * @example const hub = await startHub({ port: 8000 }); console.log(hub.url);
 */
export async function startHub(options: StartOptions = {}): Promise<StartedHub> {
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
  rejectUnknownKeys("options", options, ["stateDir", "ip", "port", "sslCert", "sslKey", "readyTimeoutMs"]);
  const ip = options.ip ?? "127.0.0.1";
  const port = options.port ?? 8000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port must be an integer in [1, 65535], got ${show(port)}`);
  if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs < 1000) throw new RangeError(`readyTimeoutMs must be an integer ≥ 1000 milliseconds, got ${show(readyTimeoutMs)}`);
  if (net.isIP(ip) === 0) throw new RangeError(`ip must be an IPv4 or IPv6 address, got ${show(ip)}`);
  for (const k of ["sslCert", "sslKey"] as const) {
    const f = options[k];
    if (f !== undefined && (typeof f !== "string" || !path.isAbsolute(f) || !fs.existsSync(f))) throw new RangeError(`${k} must be an existing file given by absolute path, got ${show(f)}`);
  }
  if (!isRoot()) throw new Error(ROOT_REQUIRED);
  const missing = hubMissing();
  if (missing) throw new Error(missing);
  const paths = workshopPaths(options.stateDir);
  const state = readState(paths);
  if (hubRunning(paths)) throw new Error(`the workshop hub already runs (${readStarted(paths)?.url}); stop it first with ep-lab workshop stop`);
  if (!(await portFree(ip, port))) throw new Error(`port ${port} on ${ip} is taken; choose another with --port`);
  let hubPort = await freeLocalPort();
  let proxyApiPort = await freeLocalPort();
  while (proxyApiPort === hubPort || hubPort === port || proxyApiPort === port) {
    hubPort = await freeLocalPort();
    proxyApiPort = await freeLocalPort();
  }
  const netCfg: HubNetwork = { ip, port, hubPort, proxyApiPort, sslCert: options.sslCert, sslKey: options.sslKey };
  writeWorkshopKernelspec(paths.publicDir, state.memoryLimitBytes, state.kit);
  ensureLibraryBuilt(state.kit, { log: () => undefined });
  fs.writeFileSync(paths.configFile, hubConfig(state, paths, netCfg), { mode: 0o600 });
  const log = fs.openSync(paths.logFile, "a", 0o600);
  const child = spawn(JUPYTERHUB_BIN, ["-f", paths.configFile], {
    cwd: paths.privateDir,
    detached: true,
    stdio: ["ignore", log, log],
    env: hubEnv(process.env),
  });
  fs.closeSync(log);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error(`${JUPYTERHUB_BIN} could not be started`);
  const scheme = options.sslCert ? "https" : "http";
  const host = ip === "0.0.0.0" || ip === "::" ? "127.0.0.1" : ip.includes(":") ? `[${ip}]` : ip;
  const url = `${scheme}://${host}:${port}/`;
  const rec: StartedRecord = { hubPid: pid, url, startedAt: new Date().toISOString() };
  fs.writeFileSync(startedFile(paths), JSON.stringify(rec) + "\n", { mode: 0o600 });
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!pidAlive(pid)) throw new Error(`JupyterHub exited during start; last lines of ${paths.logFile}:\n${tail(paths.logFile, 25)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${hubPort}/hub/api/`, { signal: AbortSignal.timeout(3000) });
      if (res.ok) {
        const pub = await fetch(`${scheme === "http" ? url : `http://127.0.0.1:${hubPort}/`}hub/api/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
        if (scheme === "https" || (pub && pub.ok)) break;
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stopHub({ stateDir: paths.root });
      throw new Error(`JupyterHub did not answer within ${readyTimeoutMs} ms; last lines of ${paths.logFile}:\n${tail(paths.logFile, 25)}`);
    }
    await sleep(500);
  }
  return { url, pid, paths, state };
}

/**
 * The environment for JupyterHub (pure): a system PATH, and Debian's Node module folders on NODE_PATH so
 * Debian's configurable-http-proxy finds its modules under any Node build (NodeSource's node does not search
 * /usr/share/nodejs on its own).
 * @param base the environment to extend (not modified)
 * @returns a new environment
 * @throws {TypeError} when base is not an object
 * @example hubEnv(process.env).NODE_PATH; // "/usr/share/nodejs:/usr/lib/nodejs"
 */
export function hubEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (typeof base !== "object" || base === null) throw new TypeError(`base must be an environment object, got ${show(base)}`);
  const debian = ["/usr/share/nodejs", "/usr/lib/nodejs"];
  return {
    ...base,
    PATH: `/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    NODE_PATH: [...debian, ...(base.NODE_PATH ? base.NODE_PATH.split(path.delimiter) : [])].join(path.delimiter),
  };
}

function tail(file: string, n: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One process that belongs to a workshop. */
export interface WorkshopProcess {
  pid: number;
  /** "hub", "hub child" (proxy, culler, learner server …) or "account <name>" (anything running as a workshop account). */
  role: string;
  command: string;
}

/**
 * Every process of this workshop: the hub, its descendants (proxy, culler, learner servers, kernels) and any
 * process running as one of the workshop's accounts. Never throws for a workshop that does not run.
 * @param paths the state folder
 * @returns the processes (empty when nothing runs)
 * @example workshopProcesses(workshopPaths()).length; // 0 after `workshop stop`
 */
export function workshopProcesses(paths: WorkshopPaths): WorkshopProcess[] {
  const table = processTable();
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const out = new Map<number, WorkshopProcess>();
  const rec = readStarted(paths);
  if (rec && byPid.has(rec.hubPid)) {
    out.set(rec.hubPid, { pid: rec.hubPid, role: "hub", command: byPid.get(rec.hubPid)!.command });
    for (const d of descendants(rec.hubPid, table)) out.set(d, { pid: d, role: "hub child", command: byPid.get(d)?.command ?? "" });
  }
  for (const pidFile of [paths.proxyPidFile]) {
    const p = Number(readText(pidFile));
    if (Number.isInteger(p) && p > 0 && byPid.has(p) && byPid.get(p)!.command.includes("configurable-http-proxy")) {
      out.set(p, { pid: p, role: "proxy", command: byPid.get(p)!.command });
    }
  }
  let state: WorkshopState | undefined;
  try {
    state = readState(paths);
  } catch {
    state = undefined;
  }
  if (state) {
    for (const name of [...state.learners, state.instructor]) {
      const acct = lookupAccount(name);
      if (!acct) continue;
      for (const p of processesOfUids([acct.uid])) out.set(p, { pid: p, role: `account ${name}`, command: byPid.get(p)?.command ?? "" });
    }
  }
  return [...out.values()].sort((a, b) => a.pid - b.pid);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

/** What {@link stopHub} ended. */
export interface StopResult {
  /** PIDs that were running when stop began. */
  ended: WorkshopProcess[];
  /** PIDs still running at the end (empty on success). */
  remaining: WorkshopProcess[];
}

/**
 * Stop the workshop: SIGTERM to the hub (which stops every learner server and the proxy), then, after a
 * grace period, SIGTERM and SIGKILL (by PID) to anything of the workshop still running (see
 * {@link workshopProcesses}). Idempotent.
 * @param options.stateDir the state folder (default `<kit>/.workshop`)
 * @param options.graceMs how long the hub gets to stop on its own, milliseconds (default 30000)
 * @returns the processes ended and any that remain
 * @throws {Error} when not root and workshop processes run as other accounts
 * @example const { remaining } = await stopHub(); // remaining.length === 0
 */
export async function stopHub(options: { stateDir?: string; graceMs?: number } = {}): Promise<StopResult> {
  rejectUnknownKeys("options", options, ["stateDir", "graceMs"]);
  const graceMs = options.graceMs ?? 30_000;
  if (!Number.isInteger(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be a non-negative integer of milliseconds, got ${show(graceMs)}`);
  const paths = workshopPaths(options.stateDir);
  const before = workshopProcesses(paths);
  const rec = readStarted(paths);
  if (rec && pidAlive(rec.hubPid)) {
    killPid(rec.hubPid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (pidAlive(rec.hubPid) && Date.now() < deadline) await sleep(250);
  }
  // Whatever is left of the snapshot, and anything new running as a workshop account.
  const leftover = () => {
    const now = new Map(workshopProcesses(paths).map((p) => [p.pid, p]));
    for (const p of before) if (pidAlive(p.pid)) now.set(p.pid, p);
    return [...now.values()];
  };
  for (const sig of ["SIGTERM", "SIGKILL"] as const) {
    const left = leftover();
    if (left.length === 0) break;
    for (const p of left) killPid(p.pid, sig);
    const deadline = Date.now() + 5000;
    while (leftover().length > 0 && Date.now() < deadline) await sleep(200);
  }
  const remaining = leftover();
  if (remaining.length === 0) fs.rmSync(startedFile(paths), { force: true });
  return { ended: before, remaining };
}

/**
 * After the class: stop the workshop, remove every account it created (with their home folders) and its state
 * folder. Accounts not created by this kit are never touched.
 * @param options.stateDir the state folder (default `<kit>/.workshop`)
 * @returns the accounts removed
 * @throws {Error} when not root
 * @example removeWorkshop({ stateDir: "/srv/class" }); // ["alice", "bob", "instructor"]
 */
export async function removeWorkshop(options: { stateDir?: string } = {}): Promise<string[]> {
  rejectUnknownKeys("options", options, ["stateDir"]);
  if (!isRoot()) throw new Error(ROOT_REQUIRED);
  const paths = workshopPaths(options.stateDir);
  const state = readState(paths);
  await stopHub({ stateDir: paths.root, graceMs: 15_000 });
  const removed: string[] = [];
  for (const name of [...state.learners, state.instructor]) if (removeAccount(name)) removed.push(name);
  fs.rmSync(paths.root, { recursive: true, force: true });
  return removed;
}
