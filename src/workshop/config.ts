/**
 * A workshop's state folder and the JupyterHub configuration written into it.
 *
 * Layout of the state folder (default `<kit>/.workshop/`):
 * - `private/` (0700, root only): `workshop.json` (roster and settings), `credentials.txt` (0600: one
 *   `name password` line per account, for the instructor to hand out), the generated
 *   `jupyterhub_config.py`, the hub's database, cookie secret, PID files and log;
 * - `public/` (0755): `share/jupyter/kernels/tslab/kernel.json`, the kernelspec every learner's server
 *   finds through `JUPYTER_PATH`.
 *
 * Choices (see the instructor guide): JupyterHub's `PAMAuthenticator` (learners log in with the Linux
 * account and password `workshop init` created; nothing to install, works offline), restricted to the
 * roster by `allowed_users`; the instructor is the only admin; `LocalProcessSpawner` starts each
 * learner's server as that learner's own account; an idle culler runs as a hub-managed service.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../jupyter/kernelspec";
import { show } from "../util/validate";
import { accountNameProblem } from "./roster";
import { assertMemoryLimit } from "./kernel-adapter";

/** Default memory limit of each learner kernel (bytes; RLIMIT_DATA, see kernel-adapter.ts). */
export const DEFAULT_MEMORY_LIMIT_BYTES = 2 * 1024 ** 3;
/** Default idle time after which a learner's server is stopped (seconds). */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 3600;
/** Name of the hub-managed idle-culler service. */
export const CULLER_SERVICE = "ep-lab-idle-culler";

/** What `workshop init` records (private/workshop.json). */
export interface WorkshopState {
  version: 1;
  /** The kit's folder (absolute): node_modules, src, notebooks. */
  kit: string;
  learners: string[];
  /** The hub's only admin. */
  instructor: string;
  /** Stop a learner's server after this many seconds without activity (≥ 60). */
  idleTimeoutSeconds: number;
  /** How often the culler looks (seconds, ≥ 5 and ≤ idleTimeoutSeconds). */
  cullEverySeconds: number;
  /** RLIMIT_DATA of each kernel process (bytes). */
  memoryLimitBytes: number;
  createdAt: string;
}

/** The paths of a state folder. */
export interface WorkshopPaths {
  root: string;
  privateDir: string;
  publicDir: string;
  stateFile: string;
  credentialsFile: string;
  configFile: string;
  hubPidFile: string;
  proxyPidFile: string;
  logFile: string;
  /** `JUPYTER_PATH` entry holding kernels/tslab. */
  jupyterPath: string;
}

/**
 * The paths inside a state folder (pure).
 * @param root the state folder (absolute); default `<kit>/.workshop`
 * @returns every path the workshop uses
 * @throws {TypeError} for a relative or empty path
 * @example workshopPaths("/srv/class").credentialsFile; // "/srv/class/private/credentials.txt"
 */
export function workshopPaths(root: string = path.join(projectRoot(), ".workshop")): WorkshopPaths {
  if (typeof root !== "string" || !path.isAbsolute(root)) throw new TypeError(`state folder must be an absolute path, got ${show(root)}`);
  const privateDir = path.join(root, "private");
  const publicDir = path.join(root, "public");
  return {
    root,
    privateDir,
    publicDir,
    stateFile: path.join(privateDir, "workshop.json"),
    credentialsFile: path.join(privateDir, "credentials.txt"),
    configFile: path.join(privateDir, "jupyterhub_config.py"),
    hubPidFile: path.join(privateDir, "jupyterhub.pid"),
    proxyPidFile: path.join(privateDir, "proxy.pid"),
    logFile: path.join(privateDir, "hub.log"),
    jupyterPath: path.join(publicDir, "share", "jupyter"),
  };
}

/**
 * Check a state object (as read from disk or built by `init`).
 * @param state candidate state
 * @returns the same object, typed
 * @throws {TypeError|RangeError} naming the first bad field
 * @example validateState(JSON.parse(fs.readFileSync(paths.stateFile, "utf8")));
 */
export function validateState(state: unknown): WorkshopState {
  if (typeof state !== "object" || state === null) throw new TypeError(`workshop state must be an object, got ${show(state)}`);
  const s = state as Record<string, unknown>;
  const known = ["version", "kit", "learners", "instructor", "idleTimeoutSeconds", "cullEverySeconds", "memoryLimitBytes", "createdAt"];
  for (const k of Object.keys(s)) if (!known.includes(k)) throw new RangeError(`workshop state has an unknown key ${JSON.stringify(k)}; known: ${known.join(", ")}`);
  if (s.version !== 1) throw new RangeError(`workshop state version must be 1, got ${show(s.version)}`);
  if (typeof s.kit !== "string" || !path.isAbsolute(s.kit)) throw new TypeError(`kit must be an absolute path, got ${show(s.kit)}`);
  if (!Array.isArray(s.learners) || s.learners.length === 0) throw new RangeError(`learners must be a non-empty array, got ${show(s.learners)}`);
  for (const n of s.learners) {
    const bad = accountNameProblem(n);
    if (bad) throw new RangeError(`learner ${show(n)} ${bad}`);
  }
  if (new Set(s.learners).size !== s.learners.length) throw new RangeError("learners must not repeat a name");
  const badInstructor = accountNameProblem(s.instructor);
  if (badInstructor) throw new RangeError(`instructor ${show(s.instructor)} ${badInstructor}`);
  if ((s.learners as string[]).includes(s.instructor as string)) throw new RangeError(`instructor ${show(s.instructor)} must not also be a learner`);
  if (!Number.isInteger(s.idleTimeoutSeconds) || (s.idleTimeoutSeconds as number) < 60 || (s.idleTimeoutSeconds as number) > 7 * 86400) {
    throw new RangeError(`idleTimeoutSeconds must be an integer in [60, 604800] seconds, got ${show(s.idleTimeoutSeconds)}`);
  }
  if (!Number.isInteger(s.cullEverySeconds) || (s.cullEverySeconds as number) < 5 || (s.cullEverySeconds as number) > (s.idleTimeoutSeconds as number)) {
    throw new RangeError(`cullEverySeconds must be an integer in [5, idleTimeoutSeconds] seconds, got ${show(s.cullEverySeconds)}`);
  }
  assertMemoryLimit(s.memoryLimitBytes);
  if (typeof s.createdAt !== "string") throw new TypeError(`createdAt must be an ISO time string, got ${show(s.createdAt)}`);
  return s as unknown as WorkshopState;
}

/**
 * Read a workshop's state file.
 * @param paths the state folder's paths
 * @returns the state
 * @throws {Error} when there is none ("run ep-lab workshop init first"); {TypeError|RangeError} when it is malformed
 * @example readState(workshopPaths()).learners; // ["alice", "bob"]
 */
export function readState(paths: WorkshopPaths): WorkshopState {
  let text: string;
  try {
    text = fs.readFileSync(paths.stateFile, "utf8");
  } catch {
    throw new Error(`no workshop configured in ${paths.root} (no ${paths.stateFile}); run \`ep-lab workshop init --roster FILE\` first`);
  }
  return validateState(JSON.parse(text));
}

/** Network settings decided at `workshop start`. */
export interface HubNetwork {
  /** Address learners connect to (default 127.0.0.1). */
  ip: string;
  /** Public port of the hub's proxy. */
  port: number;
  /** Port of the hub's internal API (127.0.0.1). */
  hubPort: number;
  /** Port of the proxy's REST API (127.0.0.1). */
  proxyApiPort: number;
  /** TLS certificate and key (PEM files) served by the hub itself; both or neither. */
  sslCert?: string;
  sslKey?: string;
}

/** A Python string or list literal (JSON strings are valid Python string literals). */
function py(value: string | readonly string[]): string {
  return JSON.stringify(value);
}

/**
 * The `jupyterhub_config.py` for a workshop (pure).
 * @param state the workshop (see {@link WorkshopState})
 * @param paths its state folder
 * @param net addresses and ports
 * @param nodePath the node binary that runs the culler and seeds workspaces (default: this one)
 * @returns Python source
 * @throws {RangeError|TypeError} for a bad state, port or address; {RangeError} when only one of sslCert/sslKey is given
 * @example hubConfig(state, workshopPaths("/srv/class"), { ip: "127.0.0.1", port: 8000, hubPort: 8081, proxyApiPort: 8001 });
 */
export function hubConfig(state: WorkshopState, paths: WorkshopPaths, net: HubNetwork, nodePath: string = process.execPath): string {
  validateState(state);
  if (typeof net !== "object" || net === null) throw new TypeError(`net must be an object, got ${show(net)}`);
  for (const k of ["port", "hubPort", "proxyApiPort"] as const) {
    const v = net[k];
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new RangeError(`${k} must be an integer port in [1, 65535], got ${show(v)}`);
  }
  if (new Set([net.port, net.hubPort, net.proxyApiPort]).size !== 3) throw new RangeError(`port, hubPort and proxyApiPort must differ, got ${net.port}, ${net.hubPort}, ${net.proxyApiPort}`);
  if (typeof net.ip !== "string" || !/^[0-9a-fA-F.:]+$/.test(net.ip)) throw new RangeError(`ip must be an IPv4 or IPv6 address, got ${show(net.ip)}`);
  if ((net.sslCert === undefined) !== (net.sslKey === undefined)) throw new RangeError("sslCert and sslKey go together: give both or neither");
  const users = [...state.learners, state.instructor];
  const culler = [nodePath, path.join(state.kit, "bin", "ep-lab.js"), "workshop", "cull", "--idle-timeout", String(state.idleTimeoutSeconds), "--every", String(state.cullEverySeconds)];
  const lines = [
    "# Generated by `ep-lab workshop start` (src/workshop/config.ts); rewritten at every start.",
    "c = get_config()  # noqa: F821",
    "",
    "# Network: the proxy is public on ip:port; the hub API and the proxy API stay on localhost.",
    `c.JupyterHub.ip = ${py(net.ip)}`,
    `c.JupyterHub.port = ${net.port}`,
    `c.JupyterHub.hub_ip = "127.0.0.1"`,
    `c.JupyterHub.hub_port = ${net.hubPort}`,
    `c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${net.proxyApiPort}"`,
    `c.ConfigurableHTTPProxy.pid_file = ${py(paths.proxyPidFile)}`,
    ...(net.sslCert ? [`c.JupyterHub.ssl_cert = ${py(net.sslCert)}`, `c.JupyterHub.ssl_key = ${py(net.sslKey as string)}`] : []),
    "",
    "# State, private to root.",
    `c.JupyterHub.db_url = ${py("sqlite:///" + path.join(paths.privateDir, "jupyterhub.sqlite"))}`,
    `c.JupyterHub.cookie_secret_file = ${py(path.join(paths.privateDir, "jupyterhub_cookie_secret"))}`,
    `c.JupyterHub.pid_file = ${py(paths.hubPidFile)}`,
    "c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner server",
    "c.JupyterHub.cleanup_proxy = True",
    "",
    "# Who may log in: the roster and the instructor, with their Linux passwords (PAM).",
    `c.JupyterHub.authenticator_class = "pam"`,
    "c.PAMAuthenticator.open_sessions = False",
    `c.Authenticator.allowed_users = set(${py(users)})`,
    `c.Authenticator.admin_users = set(${py([state.instructor])})`,
    "",
    "# Each learner's server runs as that learner (setuid), seeded with private copies of the labs.",
    `c.JupyterHub.spawner_class = "localprocess"`,
    `c.Spawner.cmd = ["/bin/sh", ${py(path.join(state.kit, "src", "workshop", "kit", "learner-start.sh"))}]`,
    `c.Spawner.default_url = "/tree"`,
    `c.Spawner.environment = {"EP_LAB_KIT": ${py(state.kit)}, "JUPYTER_PATH": ${py(paths.jupyterPath)}, "EP_LAB_NODE": ${py(nodePath)}, "EP_LAB_SINGLEUSER": "/usr/bin/jupyterhub-singleuser"}`,
    "c.Spawner.start_timeout = 180",
    "c.Spawner.http_timeout = 180",
    "",
    "# Idle culling: a hub-managed service stops servers idle longer than the timeout.",
    `c.JupyterHub.services = [{"name": ${py(CULLER_SERVICE)}, "command": ${py(culler)}}]`,
    `c.JupyterHub.load_roles = [{"name": ${py(CULLER_SERVICE)}, "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"], "services": [${py(CULLER_SERVICE)}]}]`,
    "",
  ];
  return lines.join("\n");
}
