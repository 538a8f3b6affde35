/**
 * Starting and stopping the learner's Jupyter server with the project-local tslab kernel.
 *
 * Used by `npm start` (src/cli/start.ts) and by the browser test (test/jupyter/), so the test
 * exercises exactly what learners run. The server always binds 127.0.0.1 and always requires a
 * token; Jupyter's own state (config, data, runtime files, notebook signatures) goes under the
 * project's `.jupyter-local/`, so nothing is written to the user's home.
 *
 * The token never appears on a command line (other local users can read those in `ps`): it travels in the
 * server's environment (`JUPYTER_TOKEN`), and the runtime folder, which holds `nbserver-<pid>.json` (the token
 * again) and the kernels' connection files (their keys), is private: folder 0700, files 0600.
 * The server and every kernel it starts die with the process that started them, whatever ends it (see
 * src/runner/lifetime.ts); files a killed server left behind are cleared on the next start.
 */
import { spawn, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { findJupyter, JUPYTER_MISSING_MESSAGE, type JupyterInstall } from "./discover";
import { projectRoot, writeKernelspec } from "./kernelspec";
import { killSnapshot, processTree, releaseProcessTree, watchProcessTree, type TreeEntry } from "../runner/lifetime";
import { installFrontendAssets } from "../notebook/assets";
import { seedWorkspace, WORKSPACE_DIR } from "./workspace";

/** Options of `startJupyter`. */
export interface StartJupyterOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /** Access token (URL-safe, ≥ 16 characters). Default: 48 random hex characters. */
  token?: string;
  /** Let Jupyter open the user's browser. Default false. */
  openBrowser?: boolean;
  /** Directory Jupyter serves (absolute). Default: the learner workspace `<project>/workspace`, seeded first. */
  notebookDir?: string;
  /** Directory for the kernelspec and Jupyter's own state (absolute). Default `<project>/.jupyter-local`. */
  stateDir?: string;
  /** Which Jupyter to run. Default: `findJupyter()` (JupyterLab if present, else Notebook). */
  install?: JupyterInstall;
  /** How long to wait for the server to answer, in milliseconds. Default 60000. */
  readyTimeoutMs?: number;
  /** "pipe" keeps the server's log in memory (see `log()`); "inherit" prints it. Default "pipe". */
  output?: "pipe" | "inherit";
}

/** A running Jupyter server started by `startJupyter`. */
export interface RunningJupyter {
  /** Landing page with the token, e.g. `http://127.0.0.1:8888/tree?token=…`. */
  url: string;
  /** `http://127.0.0.1:<port>/` (no token). */
  baseUrl: string;
  port: number;
  token: string;
  install: JupyterInstall;
  /** The server process (leader of its own process group). */
  process: ChildProcess;
  /**
   * URL that opens a notebook, with the token.
   * @param relPath path relative to the served directory, e.g. "00-setup-check.ipynb"
   * @returns the URL (path segments percent-encoded)
   * @throws {RangeError} for an empty, absolute or `..`-escaping `relPath`
   * @example jup.notebookUrl("00-setup-check.ipynb") // "http://127.0.0.1:8888/notebooks/00-setup-check.ipynb?token=…"
   */
  notebookUrl(relPath: string): string;
  /** The server's log so far (empty with `output: "inherit"`). */
  log(): string;
  /** Shut the kernels down, stop the server, and kill its process group if it lingers. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The environment for the Jupyter server: the kernelspec directory first on `JUPYTER_PATH`, and
 * Jupyter's config, data, runtime and IPython directories under `stateDir` (pure).
 * @param baseEnv environment to extend (not modified)
 * @param stateDir absolute directory holding `kernels/tslab/`
 * @param token the server's access token, passed as `JUPYTER_TOKEN` (Jupyter reads it from there; a token on the
 *   command line would be visible to every local user). Default: none set.
 * @returns a new environment object
 * @throws {TypeError} when `baseEnv` is not an object or `stateDir` is not an absolute path; {RangeError} for a
 *   token that is not ≥ 16 URL-safe characters
 * @example
 * jupyterEnv(process.env, "/p/.jupyter-local").JUPYTER_PATH; // "/p/.jupyter-local" (+ ":" + an existing JUPYTER_PATH)
 */
export function jupyterEnv(baseEnv: NodeJS.ProcessEnv, stateDir: string, token?: string): NodeJS.ProcessEnv {
  if (typeof baseEnv !== "object" || baseEnv === null || Array.isArray(baseEnv)) {
    throw new TypeError(`baseEnv must be an environment object (e.g. process.env), got ${JSON.stringify(baseEnv)}`);
  }
  assertAbsolute("stateDir", stateDir);
  if (token !== undefined) assertToken(token);
  const existing = baseEnv.JUPYTER_PATH;
  return {
    ...baseEnv,
    ...(token !== undefined ? { JUPYTER_TOKEN: token } : {}),
    JUPYTER_PATH: existing ? `${stateDir}${path.delimiter}${existing}` : stateDir,
    JUPYTER_CONFIG_DIR: path.join(stateDir, "config"),
    JUPYTER_DATA_DIR: path.join(stateDir, "data"),
    JUPYTER_RUNTIME_DIR: path.join(stateDir, "runtime"),
    IPYTHONDIR: path.join(stateDir, "ipython"),
  };
}

/**
 * Command-line arguments for the Jupyter server (pure): localhost only, a fixed port (no silent retry on another
 * port), the served directory, and `--no-browser` unless asked. No token: it goes in the environment
 * (`jupyterEnv(…, token)`), never on the command line.
 * @param install which Jupyter (decides NotebookApp vs ServerApp option names)
 * @param options.port TCP port (1–65535)
 * @param options.notebookDir absolute directory to serve
 * @param options.openBrowser let Jupyter open a browser (default false)
 * @param options.allowRoot add `--allow-root` (default: when running as root)
 * @returns argv after the executable
 * @throws {RangeError} for a bad port; {TypeError} for a relative directory, a missing `options` object, a bad
 *   `install`, a non-boolean `openBrowser`/`allowRoot`, or an unknown option key (e.g. the former `token`)
 * @example
 * jupyterArgs(nb6, { port: 8888, notebookDir: "/p/notebooks" });
 * // ["--no-browser", "--NotebookApp.ip=127.0.0.1", "--NotebookApp.port=8888", …]
 */
export function jupyterArgs(
  install: JupyterInstall,
  options: { port: number; notebookDir: string; openBrowser?: boolean; allowRoot?: boolean },
): string[] {
  if (!install || (install.serverApp !== "NotebookApp" && install.serverApp !== "ServerApp")) {
    throw new TypeError(`install.serverApp must be "NotebookApp" or "ServerApp", got ${JSON.stringify(install && install.serverApp)}`);
  }
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object with port and notebookDir, got ${JSON.stringify(options)}`);
  for (const k of Object.keys(options)) {
    if (!["port", "notebookDir", "openBrowser", "allowRoot"].includes(k)) {
      throw new TypeError(
        k === "token"
          ? `options.token is not accepted: the token goes in the environment (jupyterEnv(env, stateDir, token)), not on the command line`
          : `unknown option ${JSON.stringify(k)}; known: port, notebookDir, openBrowser, allowRoot`,
      );
    }
  }
  assertOptionalBoolean("openBrowser", options.openBrowser);
  assertOptionalBoolean("allowRoot", options.allowRoot);
  assertPort(options.port, false);
  assertAbsolute("notebookDir", options.notebookDir);
  const app = install.serverApp;
  const allowRoot = options.allowRoot ?? (typeof process.getuid === "function" && process.getuid() === 0);
  const args: string[] = [];
  if (!options.openBrowser) args.push("--no-browser");
  args.push(
    `--${app}.ip=127.0.0.1`,
    `--${app}.port=${options.port}`,
    `--${app}.port_retries=0`,
    app === "NotebookApp" ? `--NotebookApp.notebook_dir=${options.notebookDir}` : `--ServerApp.root_dir=${options.notebookDir}`,
  );
  if (allowRoot) args.push("--allow-root");
  return args;
}

/**
 * A new random token: 48 hex characters (192 bits). Never throws.
 * @returns the token
 * @example newToken() // "3f9c…" (48 characters of [0-9a-f])
 */
export function newToken(): string {
  return randomBytes(24).toString("hex");
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it).
 * @returns the port number (1–65535)
 * @throws {Error} (the promise rejects) when no socket can be bound on 127.0.0.1
 * @example const port = await freePort(); // e.g. 41873
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("could not get a free port"))));
    });
  });
}

/**
 * Whether a TCP port on 127.0.0.1 can be bound right now.
 * @param port 1–65535
 * @returns true when nothing listens there
 * @throws {RangeError} for a bad port
 * @example
 * const port = (await isPortFree(8888)) ? 8888 : await freePort();
 */
export function isPortFree(port: number): Promise<boolean> {
  assertPort(port, false);
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * Start Jupyter (JupyterLab if present, else Notebook) on the learner workspace (default `<project>/workspace`,
 * seeded with fresh copies of the labs by `seedWorkspace`; never the committed `notebooks/`) with the project-local tslab
 * kernel, bound to 127.0.0.1 with a token, and wait until it answers.
 * @param options see `StartJupyterOptions`
 * @returns the running server (`url` carries the token; call `stop()` when done)
 * @throws {RangeError} for a bad port/token/timeout (`readyTimeoutMs`: positive integer milliseconds), a missing
 *   `notebookDir` or a bad `output`; {TypeError} for a non-object `options`, relative directories, a non-boolean
 *   `openBrowser` or an `install` without an absolute `executable`; {JupyterMissingError} (message
 *   `JUPYTER_MISSING_MESSAGE`) when no Jupyter is found; {Error} with the server's log when it exits or does not
 *   answer in time
 * @example
 * const jup = await startJupyter({ openBrowser: false });
 * console.log(jup.notebookUrl("00-setup-check.ipynb"));
 * await jup.stop();
 */
export async function startJupyter(options: StartJupyterOptions = {}): Promise<RunningJupyter> {
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${JSON.stringify(options)}`);
  const root = projectRoot();
  const port = options.port ?? 0;
  assertPort(port, true);
  const token = options.token ?? newToken();
  assertToken(token);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  if (!Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0) throw new RangeError(`readyTimeoutMs must be a positive number, got ${readyTimeoutMs}`);
  if (!Number.isSafeInteger(readyTimeoutMs)) throw new RangeError(`readyTimeoutMs must be an integer number of milliseconds, got ${readyTimeoutMs}`);
  assertOptionalBoolean("openBrowser", options.openBrowser);
  // Learners' autosaves go to the workspace, never into the committed notebooks/.
  const notebookDir = options.notebookDir ?? seedWorkspace(path.join(root, WORKSPACE_DIR), { root }).dir;
  assertAbsolute("notebookDir", notebookDir);
  if (!fs.existsSync(notebookDir)) throw new RangeError(`notebookDir does not exist: ${notebookDir}`);
  const stateDir = options.stateDir ?? path.join(root, ".jupyter-local");
  assertAbsolute("stateDir", stateDir);
  const output = options.output ?? "pipe";
  if (output !== "pipe" && output !== "inherit") throw new RangeError(`output must be "pipe" or "inherit", got ${JSON.stringify(output)}`);

  if (options.install !== undefined) {
    const i = options.install as Partial<JupyterInstall> | null;
    if (typeof i !== "object" || i === null || (i.kind !== "lab" && i.kind !== "notebook") || (i.serverApp !== "NotebookApp" && i.serverApp !== "ServerApp")) {
      throw new TypeError(`install must be a JupyterInstall (kind "lab"|"notebook", serverApp "NotebookApp"|"ServerApp"; see findJupyter), got ${JSON.stringify(i)}`);
    }
    assertAbsolute("install.executable", i.executable);
  }
  const install = options.install ?? findJupyter();
  if (!install) throw new JupyterMissingError();

  writeKernelspec(stateDir, root);
  const env = jupyterEnv(process.env, stateDir, token);
  installFrontendAssets(stateDir, env.JUPYTER_CONFIG_DIR as string); // offline plotly.js for figures, Notebook CSS
  for (const k of ["JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"] as const) {
    // Private: the runtime folder holds the token and the kernels' keys; config and data may hold secrets too.
    fs.mkdirSync(env[k] as string, { recursive: true, mode: 0o700 });
    fs.chmodSync(env[k] as string, 0o700);
  }
  const runtimeDir = env.JUPYTER_RUNTIME_DIR as string;
  clearStaleRuntime(runtimeDir);
  const actualPort = port === 0 ? await freePort() : port;
  const args = jupyterArgs(install, { port: actualPort, notebookDir, openBrowser: options.openBrowser });
  const child = spawn(install.executable, args, {
    cwd: notebookDir,
    env,
    detached: true, // own process group: Ctrl-C in the terminal reaches us, and stop() can kill the group
    stdio: ["ignore", output, output],
  });
  // Jupyter and its kernels die with this process, even if it is SIGKILLed (a separate watchdog process).
  if (child.pid !== undefined) watchProcessTree(child.pid);
  const serverPid = child.pid;
  let logText = "";
  const append = (b: Buffer) => {
    logText += b.toString("utf8");
    if (logText.length > 200_000) logText = logText.slice(-100_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let lastTree: TreeEntry[] = [];
  const exitPromise = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      if (serverPid !== undefined) {
        killSnapshot(lastTree); // kernels that outlived the server (they run in their own sessions)
        releaseProcessTree(serverPid);
      }
      resolve();
    });
    child.on("error", (err) => {
      append(Buffer.from(String(err)));
      exited = exited ?? { code: -1, signal: null };
      resolve();
    });
  });

  const baseUrl = `http://127.0.0.1:${actualPort}/`;
  const landing = install.kind === "lab" ? "lab" : "tree";
  const auth = { Authorization: `token ${token}` };
  let stopping: Promise<void> | null = null;

  const stop = (): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (exited) return;
      if (serverPid !== undefined) lastTree = processTree(serverPid); // the server and its kernels, right now
      // Shut kernels down through the API first: Jupyter starts them in their own sessions, so
      // killing the server's process group alone would not reach them.
      try {
        const res = await fetchWithTimeout(`${baseUrl}api/kernels`, { headers: auth }, 5000);
        if (res.ok) {
          const kernels = (await res.json()) as { id: string }[];
          await Promise.all(
            kernels.map((k) => fetchWithTimeout(`${baseUrl}api/kernels/${encodeURIComponent(k.id)}`, { method: "DELETE", headers: auth }, 10_000).catch(() => undefined)),
          );
        }
      } catch {
        // server not answering; fall through to signals
      }
      killGroup(child, "SIGTERM");
      if (await within(exitPromise, 10_000)) return;
      killGroup(child, "SIGKILL");
      await within(exitPromise, 5000);
    })();
    return stopping;
  };

  // Wait until the REST API answers with our token.
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`Jupyter (${install.executable}) exited before it was ready (${describeExit(exited)}).\n${tail(logText)}`);
    }
    try {
      const res = await fetchWithTimeout(`${baseUrl}api/status`, { headers: auth }, 2000);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Jupyter did not answer on ${baseUrl} within ${readyTimeoutMs} ms.\n${tail(logText)}`);
    }
    await sleep(250);
  }
  privatizeRuntime(runtimeDir);

  return {
    url: `${baseUrl}${landing}?token=${token}`,
    baseUrl,
    port: actualPort,
    token,
    install,
    process: child,
    notebookUrl(relPath: string): string {
      if (typeof relPath !== "string" || relPath.length === 0 || path.isAbsolute(relPath) || relPath.split("/").includes("..")) {
        throw new RangeError(`relPath must be a relative path inside the served directory, got ${JSON.stringify(relPath)}`);
      }
      const enc = relPath.split("/").map(encodeURIComponent).join("/");
      const prefix = install.kind === "lab" ? "lab/tree/" : "notebooks/";
      return `${baseUrl}${prefix}${enc}?token=${token}`;
    },
    log: () => logText,
    stop,
  };
}

/** Runtime files of a server or kernel: `nbserver-<pid>.json`, `jpserver-<pid>-open.html`, `kernel-<id>.json`. */
const RUNTIME_FILE = /^(?:(?:nb|jp)server-(\d+)(?:\.json|-open\.html)|kernel-[\w-]+\.json)$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether any live process has `file` on its command line (a kernel started with `-f <connection file>`). */
function fileInUse(file: string): boolean {
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return true; // cannot tell: keep it
  }
  for (const pid of pids) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(file)) return true;
    } catch {
      // gone or not ours
    }
  }
  return false;
}

/**
 * Remove the runtime files a server or kernel that no longer runs left behind (a server killed with SIGKILL
 * cannot remove its `nbserver-<pid>.json`, which carries the token). Files of live processes stay.
 * @param runtimeDir the server's `JUPYTER_RUNTIME_DIR` (absolute); nothing happens when it does not exist
 * @returns the names of the removed files
 * @throws {TypeError} when `runtimeDir` is not an absolute path
 * @example clearStaleRuntime("/p/.jupyter-local/runtime") // ["nbserver-4242.json", "nbserver-4242-open.html"]
 */
export function clearStaleRuntime(runtimeDir: string): string[] {
  assertAbsolute("runtimeDir", runtimeDir);
  let names: string[];
  try {
    names = fs.readdirSync(runtimeDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = RUNTIME_FILE.exec(name);
    if (!m) continue;
    const full = path.join(runtimeDir, name);
    const stale = m[1] !== undefined ? !processAlive(Number(m[1])) : !fileInUse(full);
    if (!stale) continue;
    try {
      fs.rmSync(full, { force: true });
      removed.push(name);
    } catch {
      // not ours to remove
    }
  }
  return removed;
}

/** Make the runtime folder 0700 and every file in it 0600 (Jupyter writes some with the umask's 0644). */
function privatizeRuntime(runtimeDir: string): void {
  try {
    fs.chmodSync(runtimeDir, 0o700);
    for (const name of fs.readdirSync(runtimeDir)) {
      const full = path.join(runtimeDir, name);
      if (fs.lstatSync(full).isFile()) fs.chmodSync(full, 0o600);
    }
  } catch {
    // a file removed meanwhile
  }
}

/** Thrown by `startJupyter` when no Jupyter is installed; its message says how to get one. */
export class JupyterMissingError extends Error {
  constructor() {
    super(JUPYTER_MISSING_MESSAGE);
    this.name = "JupyterMissingError";
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

async function fetchWithTimeout(url: string, init: RequestInit, ms: number): Promise<Response> {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), ms);
  try {
    return await fetch(url, { ...init, signal: ctl.signal });
  } finally {
    clearTimeout(t);
  }
}

function within(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describeExit(e: { code: number | null; signal: NodeJS.Signals | null }): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

function tail(text: string, lines = 30): string {
  const t = text.trim();
  if (!t) return "(no output captured)";
  return t.split("\n").slice(-lines).join("\n");
}

function assertPort(port: unknown, allowZero: boolean): asserts port is number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new RangeError(`port must be an integer in ${allowZero ? 0 : 1}..65535, got ${String(port)}`);
  }
}

function assertOptionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") throw new TypeError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

function assertToken(token: unknown): asserts token is string {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{16,}$/.test(token)) {
    throw new RangeError(`token must be ≥ 16 URL-safe characters [A-Za-z0-9_-] (a token-less server is not allowed), got ${JSON.stringify(token)}`);
  }
}

function assertAbsolute(name: string, p: unknown): asserts p is string {
  if (typeof p !== "string" || p.length === 0) throw new TypeError(`${name} must be a non-empty path string, got ${JSON.stringify(p)}`);
  if (!path.isAbsolute(p)) throw new TypeError(`${name} must be an absolute path, got ${JSON.stringify(p)}`);
}
