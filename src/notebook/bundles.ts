/**
 * Pure builders of Jupyter MIME bundles for the display helpers: no kernel, no I/O, so they are
 * unit-testable and reusable by anything that renders outputs (the HTML export, snapshot tests).
 *
 * A MIME bundle maps a MIME type to its data, e.g. `{ "text/html": "<b>hi</b>", "text/plain": "hi" }`.
 * The front end picks the richest type it can render.
 */

/** A Jupyter MIME bundle: MIME type → data (string, or a JSON value for `*+json` types). */
export type MimeBundle = Record<string, unknown>;

/** A plotly figure as the viz layer makes it: plain `{ data, layout }`. */
export interface Figure {
  /** Traces, e.g. `[{ type: "bar", x: [...], y: [...] }]`. */
  data: Record<string, unknown>[];
  /** Layout (title, axes, size …); optional. */
  layout?: Record<string, unknown>;
  /** Frames for animations; optional. */
  frames?: Record<string, unknown>[];
}

/** MIME type JupyterLab's and VS Code's native plotly renderers read. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Prefix of the ids of figure `<div>`s (`ep-plot-1`, `ep-plot-2`, …). */
export const FIGURE_ID_PREFIX = "ep-plot-";

/**
 * Escape text for HTML element content and attribute values.
 * @param text any value; non-strings go through `String()`
 * @returns the text with `& < > " '` replaced by entities
 * @throws never (every value has a `String()` form)
 * @example
 * escapeHtml('<a href="x">'); // "&lt;a href=&quot;x&quot;&gt;"
 */
export function escapeHtml(text: unknown): string {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * JSON that is safe inside an HTML `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 are written
 * as `\uXXXX` escapes, so no `</script>` or `<!--` can end the script early.
 * @param value a JSON-serializable value
 * @returns the JSON text
 * @throws {TypeError} when `value` has no JSON form (undefined, a function, a symbol)
 * @example
 * scriptJson({ s: "</script>" }); // '{"s":"\\u003c/script\\u003e"}'
 */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`value is not JSON-serializable: ${String(value)}`);
  return json.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/**
 * A deep copy with typed arrays turned into plain arrays (JSON would turn a `Float32Array` into an
 * object keyed "0", "1", …). Non-finite numbers stay (JSON writes them as null, which plotly draws as gaps).
 * @param value the value to copy
 * @param where path of `value` used in error messages, default "figure" (e.g. "figure.data[0]")
 * @param seen objects on the current path, for cycle detection (callers leave the default)
 * @returns a JSON-friendly copy
 * @throws {TypeError} on functions, symbols, bigints or cycles (naming the path), or when `where` is not a
 *   string or `seen` not a Set
 * @example
 * toPlainJson({ y: new Float32Array([1, 2]) }); // { y: [1, 2] }
 */
export function toPlainJson(value: unknown, where = "figure", seen: Set<object> = new Set()): unknown {
  if (typeof where !== "string") throw new TypeError(`where must be a string, got ${describe(where)}`);
  if (!(seen instanceof Set)) throw new TypeError(`seen must be a Set, got ${describe(seen)}`);
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value === undefined) return undefined;
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    throw new TypeError(`${where} contains a ${typeof value}, which cannot be sent to the front end`);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (x) => (typeof x === "bigint" ? Number(x) : x));
  }
  if (value instanceof Date) return value.toISOString();
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError(`${where} contains a cycle`);
  seen.add(obj);
  let out: unknown;
  if (Array.isArray(obj)) {
    out = obj.map((v, i) => {
      const c = toPlainJson(v, `${where}[${i}]`, seen);
      return c === undefined ? null : c;
    });
  } else {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const c = toPlainJson(v, `${where}.${k}`, seen);
      if (c !== undefined) o[k] = c;
    }
    out = o;
  }
  seen.delete(obj);
  return out;
}

/**
 * Check a figure's shape.
 * @param figure the value to check (a plotly figure `{ data, layout }`, as `src/viz` returns it)
 * @throws {TypeError} when `figure` is not `{ data: object[], layout?: object, frames?: object[] }`
 * @example
 * assertFigure({ data: [{ type: "bar", y: [1] }] }); // ok; assertFigure({ data: "x" }) throws "figure.data must be an array of traces, …"
 */
export function assertFigure(figure: unknown): asserts figure is Figure {
  if (figure === null || typeof figure !== "object" || Array.isArray(figure)) {
    throw new TypeError(`figure must be a { data, layout } object, got ${describe(figure)}`);
  }
  const f = figure as Record<string, unknown>;
  if (!Array.isArray(f.data)) throw new TypeError(`figure.data must be an array of traces, got ${describe(f.data)}`);
  f.data.forEach((t, i) => {
    if (t === null || typeof t !== "object" || Array.isArray(t)) throw new TypeError(`figure.data[${i}] must be a trace object, got ${describe(t)}`);
  });
  if (f.layout !== undefined && (f.layout === null || typeof f.layout !== "object" || Array.isArray(f.layout))) {
    throw new TypeError(`figure.layout must be an object when given, got ${describe(f.layout)}`);
  }
  if (f.frames !== undefined && !Array.isArray(f.frames)) throw new TypeError(`figure.frames must be an array when given, got ${describe(f.frames)}`);
}

/**
 * The HTML that defines `window.Plotly` from the bundled plotly.js source, offline.
 *
 * Jupyter Notebook 6 loads require.js; a UMD bundle that sees `define.amd` would register an
 * anonymous AMD module ("Mismatched anonymous define()") instead of setting `window.Plotly`, so
 * `define` is hidden while the bundle runs and restored afterwards. Nothing runs when the page
 * already has Plotly (a second injection, or a front end that ships it).
 * @param plotlySource the text of `plotly.min.js`
 * @returns one `<script>` element
 * @throws {TypeError} when the source is empty
 * @example
 * plotlyLoaderHtml(fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8"));
 */
export function plotlyLoaderHtml(plotlySource: string): string {
  if (typeof plotlySource !== "string" || plotlySource.trim() === "") {
    throw new TypeError(`plotlySource must be the non-empty text of plotly.min.js, got ${describe(plotlySource)}`);
  }
  // "</script" (any case) inside the source would end the element; "<\/script" means the same in JS
  // strings, regex literals and comments.
  const safe = plotlySource.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
  return (
    '<script type="text/javascript">\n' +
    "if (!window.Plotly) { (function () {\n" +
    "var hiddenDefine = window.define; window.define = undefined;\n" +
    "try {\n" +
    safe +
    "\n} finally { window.define = hiddenDefine; }\n" +
    "})(); }\n" +
    "</script>"
  );
}

/**
 * The bundle that loads plotly.js into the page (sent once per kernel session, before the first figure).
 * @param plotlySource the text of `plotly.min.js`
 * @param version plotly.js version for the text fallback (non-empty string)
 * @returns `{ "text/html": <script>…, "text/plain": "plotly.js <version> loaded (offline) …" }`
 * @throws {TypeError} when the source is empty or the version is not a non-empty string
 * @example
 * plotlyLoaderBundle("window.Plotly = {};", "3.0.1")["text/plain"]; // "plotly.js 3.0.1 loaded (offline) for the figures below"
 */
export function plotlyLoaderBundle(plotlySource: string, version: string): MimeBundle {
  if (typeof version !== "string" || version.trim() === "") throw new TypeError(`version must be a non-empty string, got ${describe(version)}`);
  return {
    "text/html": plotlyLoaderHtml(plotlySource),
    "text/plain": `plotly.js ${version} loaded (offline) for the figures below`,
  };
}

/** Options of `figureBundle` and `show`. */
export interface FigureOptions {
  /** CSS height of the figure's box when the layout sets none, in pixels. Default 420. */
  heightPx?: number;
  /** plotly config (modebar, responsiveness…). Default `{ responsive: true, displaylogo: false }`. */
  config?: Record<string, unknown>;
}

/**
 * The MIME bundle of one figure: a `<div>` plus a script calling `Plotly.newPlot`, the plotly JSON
 * for native renderers (JupyterLab extension, VS Code), and a one-line text summary.
 *
 * The script draws into the first `<div>` with the id that is not drawn yet, so a stale output with
 * the same id left from an earlier kernel session does not capture the new figure.
 * @param figure `{ data, layout }` (typed arrays allowed; they are sent as plain arrays)
 * @param id the `<div>` id, e.g. "ep-plot-3" (letters, digits, `-` and `_`)
 * @param options height and plotly config
 * @returns the bundle `{ "text/html", "application/vnd.plotly.v1+json", "text/plain" }`
 * @throws {TypeError} for a malformed figure or id; {RangeError} for a bad height
 * @example
 * figureBundle({ data: [{ type: "bar", x: ["a"], y: [1] }] }, "ep-plot-1")["text/plain"]; // "Plotly figure (1 trace: bar)"
 */
export function figureBundle(figure: Figure, id: string, options: FigureOptions = {}): MimeBundle {
  assertFigure(figure);
  if (typeof id !== "string" || !/^[A-Za-z][\w-]*$/.test(id)) throw new TypeError(`id must be an HTML id of letters, digits, - and _, got ${describe(id)}`);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${describe(options)}`);
  if (options.config !== undefined && (options.config === null || typeof options.config !== "object" || Array.isArray(options.config))) {
    throw new TypeError(`config must be a plotly config object, got ${describe(options.config)}`);
  }
  const heightPx = options.heightPx ?? 420;
  if (typeof heightPx !== "number" || !Number.isFinite(heightPx) || heightPx <= 0) throw new RangeError(`heightPx must be a positive number of pixels, got ${String(heightPx)}`);
  const config = (toPlainJson(options.config ?? { responsive: true, displaylogo: false }, "config") ?? {}) as Record<string, unknown>;
  const data = toPlainJson(figure.data, "figure.data") as Record<string, unknown>[];
  const layout = (toPlainJson(figure.layout ?? {}, "figure.layout") ?? {}) as Record<string, unknown>;
  const frames = figure.frames ? (toPlainJson(figure.frames, "figure.frames") as Record<string, unknown>[]) : undefined;
  const boxHeight = typeof layout.height === "number" && layout.height > 0 ? layout.height : heightPx;
  const html =
    `<div id="${id}" class="ep-plot" style="width:100%;min-height:${boxHeight}px;"></div>\n` +
    '<script type="text/javascript">\n' +
    "(function () {\n" +
    `  var id = ${scriptJson(id)};\n` +
    "  var all = document.querySelectorAll('div[id=\"' + id + '\"]'), el = null;\n" +
    "  for (var i = 0; i < all.length; i++) { if (!all[i].getAttribute('data-ep-drawn')) { el = all[i]; break; } }\n" +
    "  if (!el) return;\n" +
    "  if (!window.Plotly) { el.textContent = 'plotly.js is not loaded in this page: restart the kernel and run all cells again.'; return; }\n" +
    "  el.setAttribute('data-ep-drawn', '1');\n" +
    `  window.Plotly.newPlot(el, ${scriptJson(frames ? { data, layout, config, frames } : { data, layout, config })});\n` +
    "})();\n" +
    "</script>";
  const plotlyJson: Record<string, unknown> = { data, layout, config };
  if (frames) plotlyJson.frames = frames;
  return { "text/html": html, [PLOTLY_MIME]: plotlyJson, "text/plain": figureSummary(figure) };
}

/**
 * One-line text description of a figure, e.g. `Plotly figure "Load per GPU" (2 traces: bar, scatter)`.
 * @param figure `{ data, layout }`
 * @returns the description (title when the layout has one, trace count and types)
 * @throws {TypeError} for a malformed figure
 * @example
 * figureSummary({ data: [{ type: "bar" }], layout: { title: { text: "Load per GPU" } } }); // 'Plotly figure "Load per GPU" (1 trace: bar)'
 */
export function figureSummary(figure: Figure): string {
  assertFigure(figure);
  const types = figure.data.map((t) => (typeof t.type === "string" ? t.type : "scatter"));
  const title = titleText(figure.layout?.title);
  const n = figure.data.length;
  return `Plotly figure${title ? ` ${JSON.stringify(title)}` : ""} (${n} trace${n === 1 ? "" : "s"}${n ? ": " + types.join(", ") : ""})`;
}

function titleText(t: unknown): string {
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}

/** A table's cells as the display helpers see them. */
export interface TableData {
  columns: string[];
  rows: unknown[][];
  /** Row labels (the DataFrame index), or null. */
  index: unknown[] | null;
}

/** Options of `tableHtml`, `tableBundle` and `table`. */
export interface TableOptions {
  /** Fraction digits kept for non-integer numbers (trailing zeros dropped). Default 4. */
  digits?: number;
  /** Rows shown before "… N more rows". Default 50. */
  maxRows?: number;
  /** Show the index (row labels) column. Default: true for a DataFrame, false for an array of rows. */
  index?: boolean;
  /** Caption above the table (plain text, escaped). Default none. */
  caption?: string;
}

/**
 * Read a danfo `DataFrame`/`Series` (duck-typed: `columns`, `values`, `index`) or an array of row
 * objects into columns and rows. Row objects may have different keys: columns are the union in
 * first-seen order; a missing cell is empty.
 * @param input DataFrame, Series, or `Record<string, unknown>[]`
 * @returns columns, rows, and the index (DataFrame/Series only)
 * @throws {TypeError} for anything else (including an array of non-objects); {RangeError} for an empty
 *   array of rows (it has no columns to show)
 * @example
 * toTableData([{ gpu: 0, tokens: 12 }]); // { columns: ["gpu", "tokens"], rows: [[0, 12]], index: null }
 */
export function toTableData(input: unknown): TableData {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new RangeError("rows must not be empty: pass at least one row object (its keys are the columns)");
    const columns: string[] = [];
    const seen = new Set<string>();
    input.forEach((row, i) => {
      if (row === null || typeof row !== "object" || Array.isArray(row)) {
        throw new TypeError(`rows[${i}] must be a plain object (one property per column), got ${describe(row)}`);
      }
      for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), columns.push(k));
    });
    const rows = input.map((row) => columns.map((c) => (row as Record<string, unknown>)[c]));
    return { columns, rows, index: null };
  }
  if (input !== null && typeof input === "object") {
    const df = input as { columns?: unknown; values?: unknown; index?: unknown };
    if (Array.isArray(df.columns) && Array.isArray(df.values)) {
      const columns = df.columns.map(String);
      const values = df.values as unknown[];
      const index = Array.isArray(df.index) ? (df.index as unknown[]).slice() : null;
      // A Series: 1-D values and one column name.
      const isSeries = values.length > 0 && !Array.isArray(values[0]);
      const rows = isSeries ? values.map((v) => [v]) : values.map((r, i) => {
        if (!Array.isArray(r)) throw new TypeError(`DataFrame values[${i}] must be a row array, got ${describe(r)}`);
        return r.slice();
      });
      if (isSeries && columns.length !== 1) throw new TypeError(`a Series must have exactly one column name, got ${columns.length}`);
      return { columns, rows, index };
    }
  }
  throw new TypeError(`table input must be a danfo DataFrame/Series or an array of row objects, got ${describe(input)}`);
}

/**
 * Format one cell for display: integers as is, other finite numbers to `digits` fraction digits
 * without trailing zeros (tiny non-zero values in exponent form), `null`/`undefined` as empty,
 * dates as ISO strings, objects as JSON.
 * @param value the cell
 * @param digits fraction digits for non-integers (integer 0–20), default 4
 * @returns the text (not yet HTML-escaped)
 * @throws {RangeError} naming `digits` when it is not an integer in 0..20
 * @example
 * formatCell(2 / 3, 3); // "0.667"
 */
export function formatCell(value: unknown, digits = 4): string {
  assertDigits(digits);
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
    const fixed = value.toFixed(digits);
    if (Number(fixed) === 0) return digits === 0 ? "0" : value.toExponential(Math.max(digits - 1, 0));
    return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
  }
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return JSON.stringify(toPlainJson(value, "cell"));
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An HTML table (escaped; numbers right-aligned) from a DataFrame or rows.
 * @param input danfo DataFrame/Series or an array of row objects
 * @param options digits, maxRows, index, caption
 * @returns `<table class="dataframe ep-table">…</table>`
 * @throws {TypeError} for bad input; {RangeError} for bad options
 * @example
 * tableHtml([{ name: "<b>", n: 1.23456 }], { digits: 2 }); // "…<td>&lt;b&gt;</td><td …>1.23</td>…"
 */
export function tableHtml(input: unknown, options: TableOptions = {}): string {
  const { t, digits, shown, more, showIndex } = prepareTable(input, options);
  const num = (v: unknown) => typeof v === "number" || typeof v === "bigint";
  const right = ' style="text-align:right"';
  const parts: string[] = ['<table border="1" class="dataframe ep-table">'];
  if (options.caption !== undefined) parts.push(`<caption>${escapeHtml(options.caption)}</caption>`);
  parts.push("<thead><tr>");
  if (showIndex) parts.push("<th></th>");
  for (const c of t.columns) parts.push(`<th>${escapeHtml(c)}</th>`);
  parts.push("</tr></thead><tbody>");
  shown.forEach((row, r) => {
    parts.push("<tr>");
    if (showIndex) parts.push(`<th>${escapeHtml(formatCell(t.index ? t.index[r] : r, digits))}</th>`);
    for (let c = 0; c < t.columns.length; c++) {
      const v = row[c];
      parts.push(`<td${num(v) ? right : ""}>${escapeHtml(formatCell(v, digits))}</td>`);
    }
    parts.push("</tr>");
  });
  parts.push("</tbody></table>");
  if (more > 0) parts.push(`<p class="ep-table-more">… ${more} more row${more === 1 ? "" : "s"} (${t.rows.length} in total)</p>`);
  return parts.join("");
}

/**
 * A plain-text table with aligned columns (the text fallback of `table`).
 * @param input danfo DataFrame/Series or an array of row objects
 * @param options digits, maxRows, index, caption
 * @returns lines joined by "\n"
 * @throws {TypeError} for bad input; {RangeError} for bad options
 * @example
 * tableText([{ gpu: 0, tokens: 12 }]); // "gpu  tokens\n  0      12"
 */
export function tableText(input: unknown, options: TableOptions = {}): string {
  const { t, digits, shown, more, showIndex } = prepareTable(input, options);
  const header = (showIndex ? [""] : []).concat(t.columns);
  const body = shown.map((row, r) =>
    (showIndex ? [formatCell(t.index ? t.index[r] : r, digits)] : []).concat(row.map((v) => formatCell(v, digits))),
  );
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => s.padStart(widths[c])).join("  ").replace(/\s+$/, "");
  const lines = [] as string[];
  if (options.caption !== undefined) lines.push(options.caption);
  lines.push(line(header), ...body.map(line));
  if (more > 0) lines.push(`… ${more} more row${more === 1 ? "" : "s"} (${t.rows.length} in total)`);
  return lines.join("\n");
}

/**
 * The MIME bundle of a table: HTML plus aligned plain text.
 * @param input danfo DataFrame/Series or an array of row objects
 * @param options digits, maxRows, index, caption
 * @returns `{ "text/html": tableHtml(…), "text/plain": tableText(…) }`
 * @throws {TypeError} for bad input; {RangeError} for bad options
 * @example
 * tableBundle([{ gpu: 0, tokens: 12 }])["text/plain"]; // "gpu  tokens\n  0      12"
 */
export function tableBundle(input: unknown, options: TableOptions = {}): MimeBundle {
  return { "text/html": tableHtml(input, options), "text/plain": tableText(input, options) };
}

function prepareTable(input: unknown, options: TableOptions) {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${describe(options)}`);
  const digits = options.digits ?? 4;
  assertDigits(digits);
  const maxRows = options.maxRows ?? 50;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows must be a positive integer, got ${String(maxRows)}`);
  if (options.caption !== undefined && typeof options.caption !== "string") throw new TypeError(`caption must be a string, got ${describe(options.caption)}`);
  if (options.index !== undefined && typeof options.index !== "boolean") throw new TypeError(`index must be true or false, got ${describe(options.index)}`);
  const t = toTableData(input);
  const showIndex = options.index ?? t.index !== null;
  const shown = t.rows.slice(0, maxRows);
  return { t, digits, shown, more: t.rows.length - shown.length, showIndex };
}

function assertDigits(digits: unknown): asserts digits is number {
  if (typeof digits !== "number" || !Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new RangeError(`digits must be an integer in 0..20, got ${String(digits)}`);
  }
}

/**
 * The MIME bundle of a markdown text.
 * @param text markdown source
 * @returns `{ "text/markdown": text, "text/plain": text }`
 * @throws {TypeError} when text is not a string
 * @example
 * markdownBundle("**8** experts")["text/markdown"]; // "**8** experts"
 */
export function markdownBundle(text: string): MimeBundle {
  if (typeof text !== "string") throw new TypeError(`markdown text must be a string, got ${describe(text)}`);
  return { "text/markdown": text, "text/plain": text };
}

/**
 * The MIME bundle of a progress bar at `done` of `total`.
 * @param done work done so far (same unit as total), 0 ≤ done ≤ total
 * @param total total work (> 0)
 * @param label text before the counts (escaped)
 * @returns `{ "text/html": <progress>…, "text/plain": "label [####......] 4/10 (40%)" }`
 * @throws {RangeError} when done is outside [0, total] or total is not positive
 * @example
 * progressBundle(4, 10, "experts")["text/plain"]; // "experts [########------------] 4/10 (40%)"
 */
export function progressBundle(done: number, total: number, label = ""): MimeBundle {
  if (typeof total !== "number" || !Number.isFinite(total) || total <= 0) throw new RangeError(`total must be a positive finite number, got ${String(total)}`);
  if (typeof done !== "number" || !Number.isFinite(done) || done < 0 || done > total) {
    throw new RangeError(`done must be a number in [0, total=${total}], got ${String(done)}`);
  }
  if (typeof label !== "string") throw new TypeError(`label must be a string, got ${describe(label)}`);
  const pct = Math.floor((100 * done) / total);
  const counts = `${formatCell(done, 2)}/${formatCell(total, 2)} (${pct}%)`;
  const width = 20;
  const filled = Math.floor((width * done) / total);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const html =
    '<div class="ep-progress" style="display:flex;align-items:center;gap:0.6em;font-family:monospace">' +
    (label ? `<span>${escapeHtml(label)}</span>` : "") +
    `<progress value="${done}" max="${total}" style="width:20em"></progress>` +
    `<span>${escapeHtml(counts)}</span></div>`;
  return { "text/html": html, "text/plain": `${label ? label + " " : ""}[${bar}] ${counts}` };
}

/**
 * The MIME bundle of a "busy" indicator for work whose size is unknown (an HTML `<progress>` without a
 * value, which browsers animate), or of the same line once the work is finished (a full bar).
 * @param label what is running (escaped); must not be empty
 * @param finished true for the final state
 * @returns `{ "text/html": <progress>…, "text/plain": "label [working…]" | "label [done]" }`
 * @throws {TypeError} when label is not a string or finished not a boolean; {RangeError} when label is empty
 * @example
 * busyBundle("loading the library")["text/plain"]; // "loading the library [working…]"
 * busyBundle("library loaded", true)["text/plain"]; // "library loaded [done]"
 */
export function busyBundle(label: string, finished = false): MimeBundle {
  if (typeof label !== "string") throw new TypeError(`label must be a string, got ${describe(label)}`);
  if (label.trim() === "") throw new RangeError("label must not be empty");
  if (typeof finished !== "boolean") throw new TypeError(`finished must be a boolean, got ${describe(finished)}`);
  const bar = finished ? '<progress value="1" max="1" style="width:20em"></progress>' : '<progress style="width:20em"></progress>';
  const html =
    '<div class="ep-progress ep-busy" style="display:flex;align-items:center;gap:0.6em;font-family:monospace">' +
    `<span>${escapeHtml(label)}</span>${bar}</div>`;
  return { "text/html": html, "text/plain": `${label} [${finished ? "done" : "working…"}]` };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "Object"})`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  return `${typeof v} ${String(v)}`;
}
