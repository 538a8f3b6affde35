/**
 * A learner, as the hub and their Jupyter server see one: log in through the hub's REST API (PAM checks the
 * password), start the server, open a notebook session, and run cells over the kernel's WebSocket channels
 * with the same Jupyter messages a browser sends. Used by the load test and the workshop tests.
 */
import { randomUUID } from "crypto";
import { show } from "../util/validate";
import { openWebSocket, type SimpleWebSocket } from "./ws";

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A learner's connection to the hub and, once started, to their own server. */
export class HubLearner {
  readonly hubUrl: string;
  readonly name: string;
  private tokenValue = "";

  /**
   * @param hubUrl the hub's public URL, e.g. `http://127.0.0.1:8000/`
   * @param name the learner's account
   * @throws {TypeError} for a non-http URL or an empty name
   */
  constructor(hubUrl: string, name: string) {
    if (typeof hubUrl !== "string" || !/^https?:\/\/.+\/$/.test(hubUrl)) throw new TypeError(`hubUrl must be an http(s) URL ending in /, got ${show(hubUrl)}`);
    if (typeof name !== "string" || name === "") throw new TypeError(`name must be a non-empty account name, got ${show(name)}`);
    this.hubUrl = hubUrl;
    this.name = name;
  }

  /** The API token from {@link login} ("" before). */
  get token(): string {
    return this.tokenValue;
  }

  /** `<hub>/user/<name>/`, the learner's server. */
  get serverUrl(): string {
    return `${this.hubUrl}user/${encodeURIComponent(this.name)}/`;
  }

  /**
   * Fetch with this learner's token.
   * @param url absolute URL
   * @param init fetch options
   * @returns the response
   * @example await learner.request(learner.serverUrl + "api/contents");
   */
  request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.tokenValue) headers.set("Authorization", `token ${this.tokenValue}`);
    return fetch(url, { ...init, headers, redirect: "manual", signal: init.signal ?? AbortSignal.timeout(60_000) });
  }

  /**
   * Log in: ask the hub for an API token with the learner's password (the hub checks it through PAM).
   * @param password the learner's password
   * @returns the token
   * @throws {Error} when the hub refuses (wrong password, not on the roster)
   * @example await learner.login("s3cret-from-credentials");
   */
  async login(password: string): Promise<string> {
    const res = await fetch(`${this.hubUrl}hub/api/users/${encodeURIComponent(this.name)}/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ auth: { username: this.name, password }, note: "ep-lab client", expires_in: 8 * 3600 }),
      signal: AbortSignal.timeout(60_000),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`login of ${this.name} refused: HTTP ${res.status}`);
    this.tokenValue = ((await res.json()) as { token: string }).token;
    return this.tokenValue;
  }

  /**
   * Start the learner's server (if needed) and wait until the hub says it is ready.
   * @param timeoutMs how long to wait, milliseconds (default 180000)
   * @throws {Error} when the hub refuses or the server is not ready in time
   * @example await learner.startServer();
   */
  async startServer(timeoutMs = 180_000): Promise<void> {
    const res = await this.request(`${this.hubUrl}hub/api/users/${encodeURIComponent(this.name)}/server`, { method: "POST" });
    if (![201, 202, 400].includes(res.status)) throw new Error(`starting ${this.name}'s server: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const u = (await (await this.request(`${this.hubUrl}hub/api/users/${encodeURIComponent(this.name)}`)).json()) as { servers?: Record<string, { ready?: boolean }> };
      if (u.servers?.[""]?.ready) return;
      if (Date.now() > deadline) throw new Error(`${this.name}'s server was not ready within ${timeoutMs} ms`);
      await sleep(500);
    }
  }

  /**
   * Stop the learner's server and wait until it is gone.
   * @throws {Error} when the hub refuses
   * @example await learner.stopServer();
   */
  async stopServer(timeoutMs = 60_000): Promise<void> {
    const res = await this.request(`${this.hubUrl}hub/api/users/${encodeURIComponent(this.name)}/server`, { method: "DELETE" });
    if (![202, 204, 400].includes(res.status)) throw new Error(`stopping ${this.name}'s server: HTTP ${res.status}`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const u = (await (await this.request(`${this.hubUrl}hub/api/users/${encodeURIComponent(this.name)}`)).json()) as { servers?: Record<string, unknown> };
      if (!u.servers || !u.servers[""]) return;
      await sleep(500);
    }
    throw new Error(`${this.name}'s server did not stop within ${timeoutMs} ms`);
  }

  /**
   * The code cells of a notebook in the learner's workspace (their own copy, through the contents API).
   * @param notebookPath path relative to the workspace, e.g. "lab3.1-expert-parallelism-foundations.ipynb"
   * @returns the source of each code cell, in order
   * @throws {Error} when the server does not return the notebook
   * @example (await learner.codeCells("lab3.1-expert-parallelism-foundations.ipynb")).length; // 55
   */
  async codeCells(notebookPath: string): Promise<string[]> {
    const res = await this.request(`${this.serverUrl}api/contents/${notebookPath.split("/").map(encodeURIComponent).join("/")}?content=1`);
    if (!res.ok) throw new Error(`reading ${notebookPath} from ${this.name}'s server: HTTP ${res.status}`);
    const nb = (await res.json()) as { content: { cells: { cell_type: string; source: string | string[] }[] } };
    return nb.content.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
  }

  /**
   * Open a notebook session (as the browser does when a notebook is opened), which starts its kernel in the
   * notebook's folder, and connect to the kernel's channels.
   * @param notebookPath path relative to the workspace
   * @param kernelName kernelspec name (default "tslab")
   * @returns the connected kernel
   * @throws {Error} when the session or WebSocket cannot be opened
   * @example const kernel = await learner.openNotebook("lab3.1-expert-parallelism-foundations.ipynb");
   */
  async openNotebook(notebookPath: string, kernelName = "tslab"): Promise<KernelConnection> {
    const res = await this.request(`${this.serverUrl}api/sessions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ path: notebookPath, name: notebookPath.split("/").pop(), type: "notebook", kernel: { name: kernelName } }),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`opening ${notebookPath} on ${this.name}'s server: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    const session = (await res.json()) as { id: string; kernel: { id: string } };
    const wsUrl = `${this.serverUrl.replace(/^http/, "ws")}api/kernels/${session.kernel.id}/channels?session_id=${randomUUID()}`;
    // The server answers the upgrade once the kernel is up (tslab loads TypeScript first: slow on a busy machine).
    const ws = await openWebSocket(wsUrl, { Authorization: `token ${this.tokenValue}` }, 240_000);
    const kernel = new KernelConnection(ws, session.id, session.kernel.id, this.name);
    await kernel.ready();
    return kernel;
  }
}

/** The outcome of one cell. */
export interface CellRun {
  status: "ok" | "error" | "timeout" | "disconnected";
  /** From sending the request to the first output message (stream, display_data, execute_result, error), ms. */
  firstOutputMs?: number;
  /** From sending the request to the reply and idle status, ms. */
  durationMs: number;
  /** Text of stream outputs and text/plain of results (joined), for checks. */
  text: string;
  /** `ename: evalue` for errors (plus the kernel's stderr text, where tslab puts the message). */
  error?: string;
}

interface JupyterMessage {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
  channel?: string;
}

/** A kernel's shell and iopub channels over one WebSocket (the notebook server's `/channels`). */
export class KernelConnection {
  readonly sessionId: string;
  readonly kernelId: string;
  private readonly ws: SimpleWebSocket;
  private readonly clientSession = randomUUID();
  private readonly username: string;
  private handlers = new Map<string, (m: JupyterMessage) => void>();
  private closedReason: string | undefined;

  constructor(ws: SimpleWebSocket, sessionId: string, kernelId: string, username: string) {
    this.ws = ws;
    this.sessionId = sessionId;
    this.kernelId = kernelId;
    this.username = username;
    ws.onMessage((data) => {
      if (typeof data !== "string") return;
      let m: JupyterMessage;
      try {
        m = JSON.parse(data) as JupyterMessage;
      } catch {
        return;
      }
      const h = m.parent_header?.msg_id ? this.handlers.get(m.parent_header.msg_id) : undefined;
      if (h) h(m);
    });
    ws.onClose((reason) => {
      this.closedReason = reason;
      for (const h of this.handlers.values()) h({ header: { msg_id: "", msg_type: "__closed__" }, parent_header: {}, content: { reason } });
    });
  }

  /**
   * Run code as a notebook cell and wait for its reply.
   * @param code the cell's source
   * @param timeoutMs give up after this long, milliseconds (default 300000)
   * @returns status, timings and text output
   * @example const r = await kernel.execute("1 + 1"); r.text; // "2"
   */
  execute(code: string, timeoutMs = 300_000): Promise<CellRun> {
    const msgId = randomUUID();
    const t0 = performance.now();
    return new Promise((resolve) => {
      let firstOutputMs: number | undefined;
      let replied = false;
      let idle = false;
      let status: CellRun["status"] = "ok";
      let error: string | undefined;
      const text: string[] = [];
      const stderr: string[] = [];
      const done = (s?: CellRun["status"]) => {
        clearTimeout(timer);
        // tslab reports a thrown error's message on stderr and leaves the error's evalue empty.
        if (error !== undefined && stderr.length > 0 && !error.includes(stderr.join("").trim())) error = `${error} ${stderr.join("").trim()}`;
        this.handlers.delete(msgId);
        resolve({ status: s ?? status, firstOutputMs, durationMs: performance.now() - t0, text: text.join(""), error });
      };
      const timer = setTimeout(() => done("timeout"), timeoutMs);
      this.handlers.set(msgId, (m) => {
        const t = m.header.msg_type;
        if (t === "__closed__") return done("disconnected");
        if (["stream", "display_data", "execute_result", "error"].includes(t) && firstOutputMs === undefined) firstOutputMs = performance.now() - t0;
        if (t === "stream") {
          text.push(String(m.content.text ?? ""));
          if (m.content.name === "stderr") stderr.push(String(m.content.text ?? ""));
        }
        if (t === "execute_result" || t === "display_data") {
          const d = m.content.data as Record<string, unknown> | undefined;
          if (d && typeof d["text/plain"] === "string") text.push(d["text/plain"] as string);
        }
        if (t === "error") {
          status = "error";
          const tb = Array.isArray(m.content.traceback) ? (m.content.traceback as unknown[]).map(String).join("\n") : "";
          error = `${String(m.content.ename)}: ${String(m.content.evalue)}${tb ? `\n${tb.slice(0, 2000)}` : ""}`;
        }
        if (t === "execute_reply") {
          replied = true;
          if (m.content.status !== "ok") {
            status = "error";
            error = error ?? `${String(m.content.ename ?? m.content.status)}: ${String(m.content.evalue ?? "")}`;
          }
        }
        if (t === "status" && m.content.execution_state === "idle") idle = true;
        if (replied && idle) done();
      });
      if (this.closedReason) return done("disconnected");
      this.ws.send(
        JSON.stringify({
          header: { msg_id: msgId, username: this.username, session: this.clientSession, msg_type: "execute_request", version: "5.3", date: new Date().toISOString() },
          parent_header: {},
          metadata: {},
          content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
          channel: "shell",
          buffers: [],
        }),
      );
    });
  }

  /**
   * Wait until the kernel answers on both channels: send `kernel_info_request` every `intervalMs` until one of them
   * gets its reply (shell) and its `status` message (iopub). A notebook server may open the WebSocket before its
   * iopub subscription to a slowly starting kernel is connected, and messages published before that are lost
   * (ZeroMQ's late-joining subscriber): a cell sent then could lose its `idle` status and never end.
   * @param timeoutMs give up after this long, milliseconds (default 240000)
   * @param intervalMs time between requests, milliseconds (default 1000)
   * @returns the time until the kernel answered, ms
   * @throws {Error} when the kernel does not answer in time or the connection closes
   * @example await kernel.ready(); // then kernel.execute(...)
   */
  ready(timeoutMs = 240_000, intervalMs = 1000): Promise<number> {
    const t0 = performance.now();
    const ids: string[] = [];
    return new Promise((resolve, reject) => {
      const seen = new Map<string, { reply: boolean; status: boolean }>();
      // finish ends every way out at once (interval, deadline, handlers), so nothing can run after it.
      const finish = (err?: Error) => {
        clearInterval(timer);
        clearTimeout(deadline);
        for (const id of ids) this.handlers.delete(id);
        if (err) reject(err);
        else resolve(performance.now() - t0);
      };
      const deadline = setTimeout(() => finish(new Error(`${this.username}'s kernel did not answer kernel_info_request on shell and iopub within ${timeoutMs} ms`)), timeoutMs);
      const send = () => {
        if (this.closedReason) return finish(new Error(`${this.username}'s kernel connection closed: ${this.closedReason}`));
        const msgId = randomUUID();
        ids.push(msgId);
        seen.set(msgId, { reply: false, status: false });
        this.handlers.set(msgId, (m) => {
          const t = m.header.msg_type;
          if (t === "__closed__") return finish(new Error(`${this.username}'s kernel connection closed: ${String(m.content.reason)}`));
          const st = seen.get(msgId)!;
          if (t === "kernel_info_reply") st.reply = true;
          if (t === "status") st.status = true;
          if (st.reply && st.status) finish();
        });
        this.ws.send(
          JSON.stringify({
            header: { msg_id: msgId, username: this.username, session: this.clientSession, msg_type: "kernel_info_request", version: "5.3", date: new Date().toISOString() },
            parent_header: {},
            metadata: {},
            content: {},
            channel: "shell",
            buffers: [],
          }),
        );
      };
      const timer = setInterval(send, intervalMs); // before the first send, which may finish at once (a closed connection)
      send();
    });
  }

  /** Close the WebSocket (the kernel keeps running until its session is deleted or the server stops). */
  close(): void {
    this.ws.close();
  }
}
