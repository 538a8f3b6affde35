/**
 * Execute a notebook through a real tslab kernel and write the executed `.ipynb` and a self-contained `.html`.
 * The source notebook is only read, never written.
 */
import * as fs from "fs";
import * as path from "path";
import { notebookToHtml, siblingLinks, writeSharedPlotly } from "./html";
import { Cell, CodeCell, joinText, normalizeBundle, Notebook, Output, readNotebook, serializeNotebook } from "./ipynb";
import { DEFAULT_IDLE_GRACE_MS, Kernel, KernelExit, MAX_TIMER_MS } from "./kernel";
import { JupyterMessage } from "./protocol";
import { stripAnsi } from "./text";
import { show } from "../util/validate";

/** A timeout option in milliseconds: a positive safe integer. @throws {TypeError|RangeError} naming it and the value */
function assertTimeoutMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of milliseconds, got ${show(value)}`);
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds (an integer), got ${show(value)}`);
  if (value > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} ms (2^31 − 1, about 24.8 days), got ${show(value)}`);
}

/** Outcome of one code cell. */
export type CellStatus = "ok" | "error" | "timeout" | "died" | "skipped";

/** Per-cell report (code cells only). */
export interface CellReport {
  /** 0-based position of the cell in the notebook (all cell types counted). */
  index: number;
  /** 1-based position among the code cells. */
  codeNumber: number;
  status: CellStatus;
  /** Wall time in milliseconds (0 for skipped cells). */
  durationMs: number;
  /** The kernel's execution count, or null when the cell did not run to a reply. */
  executionCount: number | null;
  /** The first non-empty line of the cell's source (for messages). */
  firstLine: string;
  /** True when the cell finished but the kernel's end-of-output signal never came: output may be cut short. */
  outputIncomplete?: boolean;
}

/** Why a notebook run failed. */
export interface RunFailure {
  /** "error": the cell failed (type error or exception); "timeout": it exceeded the per-cell timeout and the kernel
   *  was killed; "died": the kernel process exited while the cell ran; "start": the kernel never became ready;
   *  "interrupted": the run was aborted (RunOptions.signal, e.g. Ctrl-C) and the kernel stopped. */
  reason: "error" | "timeout" | "died" | "start" | "interrupted";
  /** 0-based notebook position of the failing cell (-1 for "start"). */
  cellIndex: number;
  /** One line naming the cell and the problem, e.g. `cell 4 ("const x: number = 's'") failed: ...`. */
  message: string;
  /** The compiler diagnostic, stack trace, or kernel log (ANSI stripped). */
  detail: string;
}

/** Result of {@link runNotebook}. */
export interface NotebookRunResult {
  /** The source notebook path as given. */
  path: string;
  /** The notebook's base name without `.ipynb`. */
  name: string;
  ok: boolean;
  cells: CellReport[];
  failure?: RunFailure;
  /** The executed notebook (outputs so far on failure). */
  notebook: Notebook;
  /** Written files (absent when `outDir` is null). */
  ipynbPath?: string;
  htmlPath?: string;
  /** Process id of the kernel that ran the notebook (gone when this resolves). */
  kernelPid?: number;
  kernelExit?: KernelExit;
  durationMs: number;
}

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Per-cell timeout in milliseconds; on expiry the kernel is killed and the run fails. Default 120000. */
  timeoutMs?: number;
  /** Milliseconds to wait for the kernel to start. Default 60000. */
  startTimeoutMs?: number;
  /** Folder for `<name>.ipynb` and `<name>.html`; null writes nothing. Default `build/labs` under the current directory. */
  outDir?: string | null;
  /** Called after each code cell finishes (or is skipped). */
  onCell?: (report: CellReport) => void;
  /** Aborting it (e.g. on Ctrl-C) kills the kernel at once; the run then ends as failed with reason
   *  "interrupted" and still writes the outputs executed so far. The abort reason (a string such as "SIGINT")
   *  appears in the message. */
  signal?: AbortSignal;
}

/** Default per-cell timeout (milliseconds). */
export const DEFAULT_CELL_TIMEOUT_MS = 120_000;
/** How long a kernel that ran every cell gets to exit after `shutdown_request` before it is killed, ms. */
const SHUTDOWN_GRACE_MS = 250;

function firstLineOf(source: string): string {
  const line = source.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.trim().length > 80 ? line.trim().slice(0, 77) + "..." : line.trim();
}

/**
 * Human name of a cell for messages: `cell 4 ("first line")` (1-based position in the notebook).
 * @param index 0-based position of the cell in the notebook (integer ≥ 0)
 * @param source the cell's source text
 * @returns the name, with the first non-empty source line (cut to 80 characters)
 * @throws {RangeError} for a negative or non-integer `index`; {TypeError} when `index` is not a number or `source` not a string
 * @example describeCell(3, "\nconst x = 1;") // 'cell 4 ("const x = 1;")'
 */
export function describeCell(index: number, source: string): string {
  if (typeof index !== "number") throw new TypeError(`index must be a number, got ${show(index)}`);
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be an integer ≥ 0, got ${show(index)}`);
  if (typeof source !== "string") throw new TypeError(`source must be a string, got ${show(source)}`);
  return `cell ${index + 1} (${JSON.stringify(firstLineOf(source))})`;
}

/** Mutable output collector for one cell, implementing stream merging, clear_output and display updates. */
class OutputCollector {
  readonly outputs: Output[] = [];
  private clearPending = false;
  constructor(
    private readonly displays: Map<string, Array<{ outputs: Output[]; output: Output }>>,
    private readonly stderr: string[],
  ) {}

  private push(o: Output): void {
    if (this.clearPending) {
      this.outputs.length = 0;
      this.clearPending = false;
    }
    this.outputs.push(o);
  }

  handle(m: JupyterMessage): void {
    const c = m.content as any;
    switch (m.header.msg_type) {
      case "stream": {
        const name = c.name === "stderr" ? "stderr" : "stdout";
        const text = String(c.text ?? "");
        if (name === "stderr") this.stderr.push(text);
        const last = this.outputs[this.outputs.length - 1];
        if (!this.clearPending && last && last.output_type === "stream" && last.name === name) last.text = joinText(last.text) + text;
        else this.push({ output_type: "stream", name, text });
        break;
      }
      case "display_data":
      case "execute_result": {
        const o: Output =
          m.header.msg_type === "display_data"
            ? { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} }
            : { output_type: "execute_result", execution_count: c.execution_count ?? null, data: c.data ?? {}, metadata: c.metadata ?? {} };
        this.push(o);
        const id = c.transient?.display_id;
        if (typeof id === "string") {
          const list = this.displays.get(id) ?? [];
          list.push({ outputs: this.outputs, output: o });
          this.displays.set(id, list);
        }
        break;
      }
      case "update_display_data": {
        const id = c.transient?.display_id;
        for (const entry of (typeof id === "string" && this.displays.get(id)) || []) {
          const o = entry.output as { data: unknown; metadata: unknown };
          o.data = c.data ?? {};
          o.metadata = c.metadata ?? {};
        }
        break;
      }
      case "error":
        this.push({ output_type: "error", ename: String(c.ename ?? "Error"), evalue: String(c.evalue ?? ""), traceback: (c.traceback ?? []).map(String) });
        break;
      case "clear_output":
        if (c.wait) this.clearPending = true;
        else this.outputs.length = 0;
        break;
      default:
        break;
    }
  }
}

function finalizeOutputs(outputs: Output[]): Output[] {
  return outputs.map((o) => {
    if (o.output_type === "stream") return { output_type: "stream", name: o.name, text: joinText(o.text).split(/(?<=\n)/) };
    if (o.output_type === "display_data") return { output_type: "display_data", data: normalizeBundle(o.data), metadata: o.metadata };
    if (o.output_type === "execute_result") {
      return { output_type: "execute_result", execution_count: o.execution_count, data: normalizeBundle(o.data), metadata: o.metadata };
    }
    return o;
  });
}

/**
 * Execute a notebook through a fresh tslab kernel started in the notebook's folder, stopping at the first failing
 * cell (tslab aborts queued cells after an error anyway), and write `<outDir>/<name>.ipynb` and `.html`.
 * The kernel (its whole process group) is gone when the promise resolves, whatever happened.
 * @param notebookPath path of the source `.ipynb` (only read)
 * @param options see {@link RunOptions}
 * @returns the run result; `ok` false with a `failure` naming the cell on error, timeout or kernel death
 * @throws {TypeError} for a missing or malformed notebook file, a non-object `options`, a non-string `outDir`, a
 *   non-function `onCell`; {RangeError} for a timeout (`timeoutMs`, `startTimeoutMs`) that is not a positive integer
 *   number of milliseconds, an empty `outDir`, or an `outDir` that would overwrite the source
 * @example const r = await runNotebook("notebooks/00-setup-check.ipynb", { timeoutMs: 60_000 }); r.ok
 */
export async function runNotebook(notebookPath: string, options: RunOptions = {}): Promise<NotebookRunResult> {
  if (typeof notebookPath !== "string" || !notebookPath.endsWith(".ipynb")) {
    throw new TypeError(`notebookPath must be a path ending in .ipynb, got ${JSON.stringify(notebookPath)}`);
  }
  if (!fs.existsSync(notebookPath)) throw new TypeError(`notebookPath does not exist: ${notebookPath}`);
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CELL_TIMEOUT_MS;
  assertTimeoutMs("timeoutMs", timeoutMs);
  // Checked here: Kernel.start's own check would only turn a bad value into a failed run.
  if (options.startTimeoutMs !== undefined) assertTimeoutMs("startTimeoutMs", options.startTimeoutMs);
  if (options.onCell !== undefined && typeof options.onCell !== "function") {
    throw new TypeError(`onCell must be a function, got ${show(options.onCell)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${show(options.signal)}`);
  }
  const signal = options.signal;
  if (options.outDir !== undefined && options.outDir !== null) {
    if (typeof options.outDir !== "string") throw new TypeError(`outDir must be a path string or null, got ${show(options.outDir)}`);
    if (options.outDir === "") throw new RangeError(`outDir must not be empty (use null to write nothing), got ""`);
  }
  const outDir = options.outDir === undefined ? path.resolve("build", "labs") : options.outDir;
  const name = path.basename(notebookPath, ".ipynb");
  if (outDir !== null && path.resolve(outDir, `${name}.ipynb`) === path.resolve(notebookPath)) {
    throw new RangeError(`outDir ${outDir} would overwrite the source notebook ${notebookPath}`);
  }
  const started = Date.now();
  const source = readNotebook(notebookPath);
  // Deep copy: the source object (and file) stays untouched.
  const nb: Notebook = JSON.parse(JSON.stringify(source));
  const cwd = path.dirname(path.resolve(notebookPath));
  const cells: CellReport[] = [];
  let failure: RunFailure | undefined;
  let kernel: Kernel | undefined;
  let kernelExit: KernelExit | undefined;
  const displays = new Map<string, Array<{ outputs: Output[]; output: Output }>>();

  for (const cell of nb.cells) {
    cell.metadata = cell.metadata ?? {};
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  if (nb.nbformat_minor >= 5) nb.cells.forEach((c: Cell, i) => (c.id = c.id ?? `cell-${i}`));

  const onAbort = () => kernel?.kill();
  signal?.addEventListener("abort", onAbort);
  const interruptedBy = () => (typeof signal?.reason === "string" ? signal.reason : "an interrupt");
  try {
    try {
      if (signal?.aborted) throw new Error(`interrupted (${interruptedBy()}) before the kernel started`);
      kernel = await Kernel.start({ cwd, startTimeoutMs: options.startTimeoutMs });
      if (signal?.aborted) kernel.kill();
    } catch (e) {
      failure = signal?.aborted
        ? { reason: "interrupted", cellIndex: -1, message: `${notebookPath}: interrupted (${interruptedBy()}) before any cell ran`, detail: "" }
        : { reason: "start", cellIndex: -1, message: `the tslab kernel did not start for ${notebookPath}`, detail: stripAnsi(String((e as Error).message)) };
    }
    let codeNumber = 0;
    for (let i = 0; i < nb.cells.length; i++) {
      const cell = nb.cells[i];
      if (cell.cell_type !== "code") continue;
      codeNumber++;
      const code = joinText(cell.source);
      const report: CellReport = { index: i, codeNumber, status: "skipped", durationMs: 0, executionCount: null, firstLine: firstLineOf(code) };
      if (failure || !kernel) {
        cell.metadata.ep_lab = { status: "skipped" };
        cells.push(report);
        options.onCell?.(report);
        continue;
      }
      if (code.trim() === "") {
        report.status = "ok";
        cell.metadata.ep_lab = { status: "ok", duration_ms: 0 };
        cells.push(report);
        options.onCell?.(report);
        continue;
      }
      const stderr: string[] = [];
      const collector = new OutputCollector(displays, stderr);
      const codeCell = cell as CodeCell;
      codeCell.outputs = collector.outputs;
      const outcome = await kernel.execute(code, { timeoutMs, onIopub: (m) => collector.handle(m) });
      report.durationMs = outcome.durationMs;
      report.executionCount = outcome.executionCount;
      codeCell.execution_count = outcome.executionCount;
      const what = describeCell(i, code);
      if (outcome.outputIncomplete) {
        report.outputIncomplete = true;
        collector.handle(
          streamMessage(
            "stderr",
            `\n[ep-lab] This cell finished, but the kernel did not confirm the end of its output within ${DEFAULT_IDLE_GRACE_MS} ms; output may be incomplete.\n`,
          ),
        );
      }
      if (outcome.status === "ok") {
        report.status = "ok";
      } else if (outcome.status === "timeout") {
        report.status = "timeout";
        const msg = `${what} did not finish within ${timeoutMs} ms; the kernel was killed (tslab cannot interrupt a running cell)`;
        collector.handle(errorMessage("CellTimeoutError", `cell did not finish within ${timeoutMs} ms; kernel killed`));
        failure = { reason: "timeout", cellIndex: i, message: msg, detail: stripAnsi(stderr.join("")) };
      } else if (signal?.aborted) {
        report.status = "died";
        collector.handle(errorMessage("InterruptedError", `the run was interrupted (${interruptedBy()}) while this cell ran; the kernel was stopped`));
        failure = { reason: "interrupted", cellIndex: i, message: `${what}: interrupted (${interruptedBy()}); the kernel was stopped`, detail: stripAnsi(stderr.join("")) };
      } else if (outcome.status === "died") {
        report.status = "died";
        const ex = outcome.exit ?? kernel.exitStatus();
        const how = ex ? (ex.signal ? `signal ${ex.signal}` : `exit code ${ex.code}`) : "unknown status";
        collector.handle(errorMessage("KernelDiedError", `the kernel process exited (${how}) while running this cell`));
        failure = {
          reason: "died",
          cellIndex: i,
          message: outcome.beforeStart
            ? `${what}: the kernel process had already exited (${how}) before this cell ran (a delayed exit or crash from an earlier cell)`
            : `${what}: the kernel process exited (${how}) while running this cell`,
          detail: stripAnsi([stderr.join(""), kernel.log()].filter((s) => s.trim() !== "").join("\n")),
        };
      } else {
        report.status = "error";
        const tracebacks = collector.outputs
          .filter((o): o is Extract<Output, { output_type: "error" }> => o.output_type === "error")
          .map((o) => (o.traceback.length ? o.traceback.join("\n") : `${o.ename}: ${o.evalue}`));
        const detail = withSourceContext(
          trimKernelFrames(stripAnsi([...tracebacks, stderr.join("")].filter((s) => s.trim() !== "").join("\n")).trim()),
          code,
        );
        const kind = outcome.status === "abort" ? "was aborted by the kernel" : "failed";
        const headline = summaryLine(detail);
        failure = { reason: "error", cellIndex: i, message: `${what} ${kind}${headline ? ": " + headline : ""}`, detail };
      }
      codeCell.outputs = collector.outputs;
      cell.metadata.ep_lab = { status: report.status, duration_ms: report.durationMs, ...(report.outputIncomplete ? { output_incomplete: true } : {}) };
      cells.push(report);
      options.onCell?.(report);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Every output is in once the last cell's reply and idle status have arrived, so the kernel gets a short polite
    // shutdown: a small notebook's kernel exits within about 50 ms, while one that ran a whole lab took about a second
    // more to exit on its own (measured on Lab 3.1), a second each headless run waited out before.
    if (kernel) kernelExit = await kernel.shutdown(failure ? 0 : SHUTDOWN_GRACE_MS);
  }
  for (const cell of nb.cells) if (cell.cell_type === "code") cell.outputs = finalizeOutputs(cell.outputs);
  nb.metadata = {
    ...nb.metadata,
    ep_lab: failure
      ? { status: "failed", reason: failure.reason, cell: failure.cellIndex + 1, message: failure.message }
      : { status: "ok" },
  };

  const result: NotebookRunResult = {
    path: notebookPath,
    name,
    ok: !failure,
    cells,
    failure,
    notebook: nb,
    kernelPid: kernel?.pid,
    kernelExit,
    durationMs: Date.now() - started,
  };
  if (outDir !== null) {
    fs.mkdirSync(outDir, { recursive: true });
    result.ipynbPath = path.join(outDir, `${name}.ipynb`);
    result.htmlPath = path.join(outDir, `${name}.html`);
    fs.writeFileSync(result.ipynbPath, serializeNotebook(nb));
    fs.writeFileSync(result.htmlPath, notebookToHtml(nb, { baseDir: cwd, fallbackTitle: name, ...siblingLinks(notebookPath) }));
    writeSharedPlotly(outDir); // the pages load plotly.js from their own folder (one copy for all)
  }
  return result;
}

/** Drop stack frames from tslab's and Node's own machinery (they say nothing about the learner's cell). */
function trimKernelFrames(detail: string): string {
  return detail
    .split("\n")
    .filter((l) => !/^\s+at .*(node_modules[\\/]tslab[\\/]|node:vm|node:internal|sigintHandlersWrap)/.test(l))
    .join("\n");
}

/**
 * Under each tslab diagnostic about the cell itself ("L:C - message", no file name) show the source line and a caret.
 * @param detail the diagnostic text (lines; "L:C" are 1-based line and column in the cell)
 * @param code the cell's source
 * @returns `detail` with the source line and a caret under each matching diagnostic; other lines unchanged
 * @throws {TypeError} when `detail` or `code` is not a string
 * @example withSourceContext("1:7 - Bad.", "const x = 1;") // "1:7 - Bad.\n    const x = 1;\n          ^"
 */
export function withSourceContext(detail: string, code: string): string {
  if (typeof detail !== "string") throw new TypeError(`detail must be a string, got ${show(detail)}`);
  if (typeof code !== "string") throw new TypeError(`code must be a string, got ${show(code)}`);
  const src = code.split("\n");
  return detail
    .split("\n")
    .map((line) => {
      const m = /^(\d+):(\d+) - /.exec(line);
      if (!m) return line;
      const text = src[Number(m[1]) - 1];
      if (text === undefined) return line;
      return `${line}\n    ${text}\n    ${" ".repeat(Math.max(0, Number(m[2]) - 1))}^`;
    })
    .join("\n");
}

/** The most telling line of a diagnostic: a thrown error's "Name: message", else the first non-empty line. */
function summaryLine(detail: string): string {
  const lines = detail.split("\n").map((l) => l.trim());
  return lines.find((l) => /^([A-Z]\w*)?(Error|Exception)\b.*:/.test(l) || /^Uncaught\b/.test(l)) ?? lines.find((l) => l !== "") ?? "";
}

function streamMessage(name: "stdout" | "stderr", text: string): JupyterMessage {
  return { ...errorMessage("", ""), header: { msg_id: "", session: "", username: "", date: "", msg_type: "stream", version: "5.3" }, content: { name, text } };
}

function errorMessage(ename: string, evalue: string): JupyterMessage {
  return {
    identities: [],
    header: { msg_id: "", session: "", username: "", date: "", msg_type: "error", version: "5.3" },
    parent_header: {},
    metadata: {},
    content: { ename, evalue, traceback: [`${ename}: ${evalue}`] },
    buffers: [],
  };
}
