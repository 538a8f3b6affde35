/**
 * Headless notebook runner: executes notebooks through the real tslab kernel over the Jupyter wire protocol
 * (zeromq, HMAC-SHA256 signed messages; no Python needed) and exports them as self-contained HTML.
 *
 * @example
 * import { runNotebook } from "./src/runner";
 * const result = await runNotebook("notebooks/00-setup-check.ipynb", { timeoutMs: 60_000, outDir: "build/labs" });
 * if (!result.ok) console.error(result.failure!.message);
 */
export { runNotebook, describeCell, withSourceContext, DEFAULT_CELL_TIMEOUT_MS } from "./execute";
export type { RunOptions, NotebookRunResult, CellReport, CellStatus, RunFailure } from "./execute";
export { notebookToHtml, headingAnchorPlugin, carriesPlotlyBundle, sanitizeNotebookHtml, sharedPlotlyName, writeSharedPlotly, siblingLinks } from "./html";
export type { HtmlOptions } from "./html";
export { readNotebook, parseNotebook, serializeNotebook, joinText, splitLines, normalizeBundle } from "./ipynb";
export type { Notebook, Cell, CodeCell, MarkdownCell, RawCell, Output, MimeBundle, MultilineString } from "./ipynb";
export { Kernel, killAllKernels, liveKernelCount, freePorts, DEFAULT_IDLE_GRACE_MS, MAX_TIMER_MS } from "./kernel";
export { processTree, killProcessTree, killSnapshot, watchProcessTree, releaseProcessTree, reaperPid, REAPER_SCRIPT } from "./lifetime";
export type { TreeEntry } from "./lifetime";
export type { KernelStartOptions, ExecuteOptions, ExecuteOutcome, KernelExit, ConnectionInfo } from "./kernel";
export { sign, encodeMessage, decodeMessage, newHeader, DELIMITER, PROTOCOL_VERSION } from "./protocol";
export type { JupyterMessage, MessageHeader } from "./protocol";
export { stripAnsi, ansiToHtml, escapeHtml, slugify } from "./text";
