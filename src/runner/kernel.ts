/**
 * A tslab kernel process driven over the Jupyter wire protocol (zeromq 6, async API).
 *
 * The runner starts `tslab kernel --config-path <connection.json>` in its own process group (so a timeout or a
 * cleanup can kill the kernel and anything it spawned), connects shell/control (DEALER), iopub (SUB) and heartbeat
 * (REQ) sockets to loopback ports it picked, and signs every message with the connection key (HMAC-SHA256).
 */
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { kernelNodeArgs, tslabBin } from "../jupyter";
import { decodeMessage, encodeMessage, JupyterMessage, newHeader } from "./protocol";
import { show } from "../util/validate";
import { killProcessTree, killSnapshot, processTree, releaseProcessTree, watchProcessTree } from "./lifetime";

/** How a kernel process ended. */
export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link Kernel.start}. */
export interface KernelStartOptions {
  /** Working directory of the kernel (tslab's compile root): the notebook's folder. Required. */
  cwd: string;
  /** Milliseconds to wait for the kernel to answer kernel_info on shell and iopub. Default 60000. */
  startTimeoutMs?: number;
  /** Path of tslab's `bin/tslab` script. Default: the project's (`jupyter.tslabBin()`). */
  tslabBin?: string;
  /** Node options before the tslab script. Default: the kernelspec's (`jupyter.kernelNodeArgs()`: the iopub-flush preload, so the
   *  headless run starts the same kernel as `ep-lab kernel install`'s kernelspec). */
  nodeArgs?: string[];
  /** Extra environment variables for the kernel process. Default none. */
  env?: Record<string, string>;
}

/** Result of one execute_request. */
export interface ExecuteOutcome {
  /** "ok"/"error"/"abort" from the kernel's execute_reply; "timeout" or "died" when the runner gave up. */
  status: "ok" | "error" | "abort" | "timeout" | "died";
  /** The execution count from execute_reply, or null when none arrived. */
  executionCount: number | null;
  /** Wall time in milliseconds from sending the request to reply+idle (or to giving up). */
  durationMs: number;
  /** The kernel's exit when status is "died" (or when it died right after answering). */
  exit?: KernelExit;
  /** True when the kernel had already exited before the request was sent (e.g. a delayed crash of an earlier cell). */
  beforeStart?: boolean;
  /** True when the kernel replied but its `status: idle` (which follows the cell's last output) did not come within
   *  `idleGraceMs` of the last message: the runner stopped waiting, and output may be missing at the end. */
  outputIncomplete?: boolean;
}

/** Options of {@link Kernel.execute}. */
export interface ExecuteOptions {
  /** Milliseconds before the runner gives up on the cell and kills the kernel (tslab cannot be interrupted). Default 120000. */
  timeoutMs?: number;
  /** Called with each iopub message whose parent is this request (stream, display_data, execute_result, error, ...). */
  onIopub?: (msg: JupyterMessage) => void;
  /** Milliseconds to keep waiting, after the execute_reply, for the kernel's `status: idle` while no further message
   *  arrives (each iopub message restarts the wait; the cell's `timeoutMs` still bounds it). Positive integer.
   *  Default {@link DEFAULT_IDLE_GRACE_MS}. */
  idleGraceMs?: number;
}

/** Default {@link ExecuteOptions.idleGraceMs}: 3000 ms of silence after the reply. */
export const DEFAULT_IDLE_GRACE_MS = 3000;

/** Connection file contents (the Jupyter "connection file" format). */
export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

/** Longest delay a Node timer supports (2^31 − 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Preload that ends a kernel whose runner died without cleaning up (see parent-watchdog.js). */
const WATCHDOG = path.join(__dirname, "parent-watchdog.js");
/** Preload that makes tslab's iopub socket keep every message (see iopub-flush.js). */
const IOPUB_FLUSH = path.join(__dirname, "iopub-flush.js");

// Kernels alive in this process: killed on exit so no kernel outlives its runner.
const LIVE = new Set<Kernel>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const k of LIVE) k.kill();
  });
}

/**
 * SIGKILL every kernel this process started and that is still alive (synchronous; for signal handlers).
 * Never throws (a kernel already gone is skipped).
 * @returns nothing; the kernels' `exited` promises resolve once the processes are reaped
 * @example process.on("SIGINT", () => { killAllKernels(); process.exit(130); });
 */
export function killAllKernels(): void {
  for (const k of LIVE) k.kill();
}

/**
 * Number of kernels this process started that have not exited yet. Never throws.
 * @returns the count (0 when every kernel has been shut down)
 * @example await kernel.shutdown(); liveKernelCount() // 0
 */
export function liveKernelCount(): number {
  return LIVE.size;
}

/**
 * Pick free loopback TCP ports (held open together so they are distinct, then released).
 * @param count how many ports (integer ≥ 1)
 * @returns the port numbers (1–65535, distinct)
 * @throws {TypeError} when `count` is not a number; {RangeError} for a non-positive or non-integer count
 * @example const [shellPort, iopubPort] = await freePorts(2);
 */
export async function freePorts(count: number): Promise<number[]> {
  if (typeof count !== "number") throw new TypeError(`count must be a number, got ${show(count)}`);
  if (!Number.isInteger(count) || count <= 0) throw new RangeError(`count must be a positive integer, got ${count}`);
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Race `p` against a timer that is cleared afterwards (so no stray timer keeps the process alive). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | "wait"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<"wait">((r) => (timer = setTimeout(() => r("wait"), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A running tslab kernel. Create with {@link Kernel.start}; always end with {@link Kernel.shutdown} or {@link Kernel.kill}. */
export class Kernel {
  /** Process id of the kernel (also its process group id). */
  readonly pid: number;
  /** Resolves when the kernel process has exited (never rejects). */
  readonly exited: Promise<KernelExit>;
  private exitInfo: KernelExit | null = null;
  private readonly session = randomBytes(16).toString("hex");
  private readonly iopubHandlers = new Map<string, (m: JupyterMessage) => void>();
  private readonly replyHandlers = new Map<string, (m: JupyterMessage) => void>();
  private logTail = "";
  private closed = false;
  private shellQueue: Promise<unknown> = Promise.resolve();
  /** The kernel's process tree as last seen (refreshed before each cell ends and before shutdown). */
  private lastTree: import("./lifetime").TreeEntry[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly conn: ConnectionInfo,
    private readonly connDir: string,
    private readonly zmq: typeof import("zeromq"),
    private readonly shell: import("zeromq").Dealer,
    private readonly control: import("zeromq").Dealer,
    private readonly iopub: import("zeromq").Subscriber,
  ) {
    this.pid = child.pid as number;
    // The watchdog process kills the kernel's tree if this process dies without cleaning up (even by SIGKILL).
    watchProcessTree(this.pid);
    this.lastTree = processTree(this.pid);
    this.exited = new Promise<KernelExit>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        LIVE.delete(this);
        // Whatever the kernel left behind (a detached child) goes now, then the watchdog can forget the tree.
        killSnapshot(this.lastTree);
        releaseProcessTree(this.pid);
        resolve(this.exitInfo);
      });
    });
    const keep = (buf: Buffer) => {
      this.logTail = (this.logTail + buf.toString("utf8")).slice(-16384);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.receiveLoop(shell, this.replyHandlers);
    this.receiveLoop(control, this.replyHandlers);
    this.receiveLoop(iopub, this.iopubHandlers);
  }

  /**
   * Start a tslab kernel and wait until it answers kernel_info on shell and publishes on iopub.
   * @param options see {@link KernelStartOptions}
   * @returns the ready kernel
   * @throws {Error} when the kernel exits or does not answer within `startTimeoutMs` (the kernel is killed first)
   * @throws {TypeError} when `options` is not an object, `cwd` is not an existing directory, `tslabBin` is not a
   *   non-empty string, `nodeArgs` not an array of strings or `env` not an object of strings
   * @throws {RangeError} when `startTimeoutMs` is not a positive integer number of milliseconds
   * @example
   * const kernel = await Kernel.start({ cwd: "notebooks", startTimeoutMs: 60_000 });
   * try { await kernel.execute("console.log(1 + 1)"); } finally { await kernel.shutdown(); }
   */
  static async start(options: KernelStartOptions): Promise<Kernel> {
    if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object with a cwd, got ${show(options)}`);
    const { cwd } = options;
    if (typeof cwd !== "string" || !fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
      throw new TypeError(`cwd must be an existing directory, got ${JSON.stringify(cwd)}`);
    }
    const startTimeoutMs = options.startTimeoutMs ?? 60_000;
    if (typeof startTimeoutMs !== "number") throw new TypeError(`startTimeoutMs must be a number of milliseconds, got ${show(startTimeoutMs)}`);
    if (!(startTimeoutMs > 0)) throw new RangeError(`startTimeoutMs must be positive, got ${startTimeoutMs}`);
    if (!Number.isSafeInteger(startTimeoutMs)) throw new RangeError(`startTimeoutMs must be an integer number of milliseconds, got ${startTimeoutMs}`);
    if (options.tslabBin !== undefined && (typeof options.tslabBin !== "string" || options.tslabBin === "")) {
      throw new TypeError(`tslabBin must be a non-empty path string, got ${show(options.tslabBin)}`);
    }
    if (options.nodeArgs !== undefined && (!Array.isArray(options.nodeArgs) || options.nodeArgs.some((a) => typeof a !== "string"))) {
      throw new TypeError(`nodeArgs must be an array of strings, got ${JSON.stringify(options.nodeArgs)}`);
    }
    if (options.env !== undefined && (typeof options.env !== "object" || options.env === null || Object.values(options.env).some((v) => typeof v !== "string"))) {
      throw new TypeError(`env must be an object of string values, got ${show(options.env)}`);
    }
    const zmq: typeof import("zeromq") = require("zeromq");
    const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = await freePorts(5);
    const conn: ConnectionInfo = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: shellPort,
      iopub_port: iopubPort,
      stdin_port: stdinPort,
      control_port: controlPort,
      hb_port: hbPort,
      key: randomBytes(32).toString("hex"),
      signature_scheme: "hmac-sha256",
      kernel_name: "tslab",
    };
    const connDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-kernel-"));
    const connFile = path.join(connDir, "connection.json");
    fs.writeFileSync(connFile, JSON.stringify(conn), { mode: 0o600 });
    const nodeArgs = options.nodeArgs ?? kernelNodeArgs();
    // The kernelspec's node args already preload iopub-flush.js (from src/); the runner adds its own copy only when
    // they do not, e.g. for the live-source kernel of the bench.
    const flush = nodeArgs.some((a) => path.basename(a) === "iopub-flush.js") ? [] : ["--require", IOPUB_FLUSH];
    const child = spawn(process.execPath, ["--require", WATCHDOG, ...flush, ...nodeArgs, options.tslabBin ?? tslabBin(), "kernel", "--config-path", connFile], {
      cwd,
      detached: true, // own process group: kill(-pid) reaches the kernel and its children
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...(options.env ?? {}), EP_LAB_RUNNER_PID: String(process.pid) },
    });
    if (child.pid === undefined) {
      fs.rmSync(connDir, { recursive: true, force: true });
      throw new Error("could not spawn the tslab kernel process");
    }
    const addr = (port: number) => `tcp://${conn.ip}:${port}`;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    // No receive limit: a subscriber at its high-water mark drops messages, and a cell's output must arrive whole.
    const iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    iopub.subscribe();
    shell.connect(addr(conn.shell_port));
    control.connect(addr(conn.control_port));
    iopub.connect(addr(conn.iopub_port));
    const kernel = new Kernel(child, conn, connDir, zmq, shell, control, iopub);
    LIVE.add(kernel);
    installExitHook();
    try {
      await kernel.waitReady(startTimeoutMs);
    } catch (e) {
      await kernel.shutdown(0);
      throw e;
    }
    return kernel;
  }

  /**
   * Whether the kernel process is still running. Never throws.
   * @returns false once the process has exited (died, killed or shut down)
   * @example if (!kernel.isAlive()) console.log(kernel.exitStatus());
   */
  isAlive(): boolean {
    return this.exitInfo === null;
  }

  /**
   * The exit of the kernel, or null while it runs. Never throws.
   * @returns `{ code, signal }` once the process has exited, else null
   * @example kernel.kill(); await kernel.exited; kernel.exitStatus() // { code: null, signal: "SIGKILL" }
   */
  exitStatus(): KernelExit | null {
    return this.exitInfo;
  }

  /**
   * The last ~16 KiB (16384 characters) the kernel process wrote to its own stdout/stderr (outside cell execution).
   * Never throws.
   * @returns the log tail, "" when the kernel wrote nothing
   * @example console.error(kernel.log());
   */
  log(): string {
    return this.logTail;
  }

  /**
   * The connection info (loopback TCP ports and the HMAC key) the kernel was started with. Never throws.
   * @returns the connection file's contents (read-only)
   * @example kernel.connection().shell_port // e.g. 40517
   */
  connection(): Readonly<ConnectionInfo> {
    return this.conn;
  }

  /**
   * Ping the heartbeat socket.
   * @param timeoutMs how long to wait for the echo, in milliseconds (positive integer). Default 2000.
   * @returns true when the kernel echoed within the timeout (false for a dead or shut-down kernel)
   * @throws {TypeError|RangeError} when `timeoutMs` is not a positive integer number of milliseconds
   * @example await kernel.heartbeat(500) // true while the kernel runs
   */
  async heartbeat(timeoutMs = 2000): Promise<boolean> {
    if (typeof timeoutMs !== "number") throw new TypeError(`timeoutMs must be a number of milliseconds, got ${show(timeoutMs)}`);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive integer number of milliseconds, got ${timeoutMs}`);
    const hb = new this.zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    try {
      hb.connect(`tcp://${this.conn.ip}:${this.conn.hb_port}`);
      const ping = Buffer.from(randomBytes(8).toString("hex"));
      await hb.send(ping);
      const [echo] = await hb.receive();
      return echo.equals(ping);
    } catch {
      return false;
    } finally {
      hb.close();
    }
  }

  /**
   * Execute code and stream its iopub messages to `onIopub` until the kernel has replied AND gone idle.
   * A timeout kills the kernel (tslab cannot interrupt a busy loop); a dying kernel ends the wait with "died".
   * @param code the cell source
   * @param options see {@link ExecuteOptions} (`timeoutMs`: positive integer milliseconds, default 120000)
   * @returns the outcome
   * @throws {Error} when the kernel was shut down (closed); a kernel that merely died gives status "died"
   * @throws {TypeError} when `code` is not a string, `options` not an object or `onIopub` not a function;
   *   {RangeError} when `timeoutMs` is not a positive integer number of milliseconds
   * @example const { status } = await kernel.execute("const x: number = 1; x", { timeoutMs: 30_000 }); // "ok"
   */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteOutcome> {
    if (typeof code !== "string") throw new TypeError(`code must be a string, got ${show(code)}`);
    if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
    const timeoutMs = options.timeoutMs ?? 120_000;
    if (typeof timeoutMs !== "number") throw new TypeError(`timeoutMs must be a number of milliseconds, got ${show(timeoutMs)}`);
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`timeoutMs must be a positive finite number, got ${timeoutMs}`);
    if (!Number.isSafeInteger(timeoutMs)) throw new RangeError(`timeoutMs must be an integer number of milliseconds, got ${timeoutMs}`);
    if (timeoutMs > MAX_TIMER_MS) throw new RangeError(`timeoutMs must be at most ${MAX_TIMER_MS} ms (about 24.8 days; Node timers cannot wait longer), got ${timeoutMs}`);
    if (options.onIopub !== undefined && typeof options.onIopub !== "function") {
      throw new TypeError(`onIopub must be a function, got ${show(options.onIopub)}`);
    }
    const idleGraceMs = options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS;
    if (typeof idleGraceMs !== "number") throw new TypeError(`idleGraceMs must be a number of milliseconds, got ${show(idleGraceMs)}`);
    if (!Number.isSafeInteger(idleGraceMs) || idleGraceMs <= 0 || idleGraceMs > MAX_TIMER_MS) {
      throw new RangeError(`idleGraceMs must be an integer number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${show(idleGraceMs)}`);
    }
    if (this.closed) throw new Error("kernel is closed");
    const started = Date.now();
    if (!this.isAlive()) return { status: "died", executionCount: null, durationMs: 0, exit: this.exitInfo ?? undefined, beforeStart: true };
    const header = newHeader("execute_request", this.session);
    let reply: JupyterMessage | null = null;
    let idle = false;
    let lastActivity = Date.now();
    let wake: () => void = () => {};
    const progressed = new Promise<void>((r) => (wake = r));
    let waiter = progressed;
    const rearm = () => {
      waiter = new Promise<void>((r) => (wake = r));
    };
    this.replyHandlers.set(header.msg_id, (m) => {
      if (m.header.msg_type === "execute_reply") {
        reply = m;
        lastActivity = Date.now();
        wake();
      }
    });
    this.iopubHandlers.set(header.msg_id, (m) => {
      lastActivity = Date.now();
      wake();
      if (m.header.msg_type === "status") {
        if ((m.content as { execution_state?: string }).execution_state === "idle") {
          idle = true;
          wake();
        }
        return;
      }
      if (m.header.msg_type === "execute_input") return;
      options.onIopub?.(m);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    const died = this.exited.then(() => "died" as const);
    try {
      const sent = this.sendShell(
        encodeMessage(this.conn.key, header, {
          code,
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true,
        }),
      ).then(() => "progress" as const);
      let first = true;
      let incomplete = false;
      for (;;) {
        if (reply && idle) break;
        // After the reply, the idle status is the kernel's last word; if it does not come while nothing else
        // arrives either, stop after the grace period instead of waiting for the cell timeout.
        let graceTimer: NodeJS.Timeout | undefined;
        const grace =
          reply && !first
            ? new Promise<"grace">((res) => (graceTimer = setTimeout(() => res("grace"), Math.max(0, lastActivity + idleGraceMs - Date.now()))))
            : null;
        // The send itself can block (no peer) if the kernel dies right now: race it like the reply.
        const r = await Promise.race([first ? sent : waiter.then(() => "progress" as const), timedOut, died, ...(grace ? [grace] : [])]);
        clearTimeout(graceTimer);
        first = false;
        if (r === "grace") {
          if (Date.now() - lastActivity < idleGraceMs) continue; // a message arrived meanwhile: wait again
          incomplete = true;
          break;
        }
        if (r === "timeout") {
          this.kill();
          await this.exited;
          return { status: "timeout", executionCount: null, durationMs: Date.now() - started, exit: this.exitInfo ?? undefined };
        }
        if (r === "died") {
          if (reply && idle) break;
          await delay(250); // let iopub messages already in flight arrive
          return {
            status: "died",
            executionCount: reply ? ((reply as JupyterMessage).content.execution_count as number) ?? null : null,
            durationMs: Date.now() - started,
            exit: this.exitInfo ?? undefined,
          };
        }
        rearm();
      }
      const content = (reply as unknown as JupyterMessage).content as { status?: string; execution_count?: number };
      const status = content.status === "ok" || content.status === "error" || content.status === "abort" ? content.status : "error";
      return {
        status,
        executionCount: typeof content.execution_count === "number" ? content.execution_count : null,
        durationMs: Date.now() - started,
        ...(incomplete ? { outputIncomplete: true } : {}),
      };
    } finally {
      clearTimeout(timer);
      if (this.isAlive()) this.lastTree = processTree(this.pid);
      this.replyHandlers.delete(header.msg_id);
      // Keep routing late iopub output of this request until the next one starts.
      const late = options.onIopub;
      this.iopubHandlers.delete(header.msg_id);
      if (late && this.isAlive()) {
        this.iopubHandlers.set(header.msg_id, (m) => {
          if (m.header.msg_type !== "status" && m.header.msg_type !== "execute_input") late(m);
        });
        for (const id of [...this.iopubHandlers.keys()]) if (id !== header.msg_id) this.iopubHandlers.delete(id);
      }
    }
  }

  /**
   * Stop the kernel: a shutdown_request on control, up to `graceMs` for it to exit, then SIGKILL to its process
   * group; closes the sockets and removes the connection file. Safe to call more than once.
   * @param graceMs milliseconds to wait for a polite exit (integer ≥ 0; 0 kills at once). Default 1000.
   * @returns the kernel's exit
   * @throws {TypeError|RangeError} when `graceMs` is not an integer ≥ 0 (nothing is stopped then)
   * @example await kernel.shutdown(0) // { code: null, signal: "SIGKILL" }
   */
  async shutdown(graceMs = 1000): Promise<KernelExit> {
    if (typeof graceMs !== "number") throw new TypeError(`graceMs must be a number of milliseconds, got ${show(graceMs)}`);
    if (!Number.isSafeInteger(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be an integer number of milliseconds ≥ 0, got ${graceMs}`);
    if (this.isAlive()) this.lastTree = processTree(this.pid); // before a polite exit re-parents its children
    if (this.isAlive() && graceMs > 0 && !this.closed) {
      const header = newHeader("shutdown_request", this.session);
      const sent = this.control.send(encodeMessage(this.conn.key, header, { restart: false })).catch(() => undefined);
      await within(Promise.all([sent, this.exited]), graceMs);
    }
    this.kill();
    const exit = await this.exited;
    this.close();
    return exit;
  }

  /**
   * SIGKILL the kernel's process group (synchronous; idempotent; never throws). Sockets stay open until {@link shutdown}.
   * @returns nothing; `exited` resolves once the process is reaped
   * @example kernel.kill(); await kernel.exited; // { code: null, signal: "SIGKILL" }
   */
  kill(): void {
    if (this.isAlive()) killProcessTree(this.pid); // the kernel, its group, every descendant and their groups
    for (const target of [-this.pid, this.pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // ESRCH: already gone.
      }
    }
    killSnapshot(this.lastTree);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.shell, this.control, this.iopub]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    fs.rmSync(this.connDir, { recursive: true, force: true });
  }

  private sendShell(frames: Buffer[]): Promise<void> {
    const next = this.shellQueue.then(() => this.shell.send(frames));
    this.shellQueue = next.catch(() => undefined);
    return next;
  }

  private receiveLoop(sock: import("zeromq").Dealer | import("zeromq").Subscriber, handlers: Map<string, (m: JupyterMessage) => void>): void {
    (async () => {
      try {
        for await (const frames of sock) {
          let msg: JupyterMessage;
          try {
            msg = decodeMessage(this.conn.key, frames);
          } catch {
            continue; // unsigned or malformed: ignore, as Jupyter clients do
          }
          const parent = msg.parent_header?.msg_id;
          if (parent) handlers.get(parent)?.(msg);
        }
      } catch {
        // socket closed
      }
    })();
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const gone = this.exited.then(() => "died" as const);
    // kernel_info until both the shell reply and an iopub status for it arrived (iopub is a slow joiner).
    while (Date.now() < deadline) {
      const header = newHeader("kernel_info_request", this.session);
      let gotReply = false;
      let gotIopub = false;
      let wake: () => void = () => {};
      let progress = new Promise<void>((r) => (wake = r));
      this.replyHandlers.set(header.msg_id, (m) => {
        if (m.header.msg_type === "kernel_info_reply") {
          gotReply = true;
          wake();
        }
      });
      this.iopubHandlers.set(header.msg_id, () => {
        gotIopub = true;
        wake();
      });
      try {
        void this.sendShell(encodeMessage(this.conn.key, header, {})).catch(() => undefined);
        // The first reply can take seconds (tslab loads TypeScript); once it is in, give iopub 500 ms, else ask again.
        while (!(gotReply && gotIopub)) {
          const left = (gotReply ? Math.min(deadline, Date.now() + 500) : deadline) - Date.now();
          if (left <= 0) break;
          const r = await within(Promise.race([progress.then(() => "progress" as const), gone]), left);
          if (r === "died") {
            await delay(100); // let the last stderr chunks arrive
            throw new Error(`tslab kernel exited during start-up (code ${this.exitInfo?.code}, signal ${this.exitInfo?.signal}):\n${this.logTail}`);
          }
          if (r === "wait") break;
          progress = new Promise<void>((res) => (wake = res));
        }
        if (gotReply && gotIopub) return;
      } finally {
        this.replyHandlers.delete(header.msg_id);
        this.iopubHandlers.delete(header.msg_id);
      }
    }
    throw new Error(`tslab kernel did not become ready within ${timeoutMs} ms:\n${this.logTail}`);
  }
}
