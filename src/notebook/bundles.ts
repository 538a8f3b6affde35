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
  /**
   * Where the page loads plotly.js from when it has none yet (after a reload, or when a saved notebook is
   * reopened): a path under the Jupyter server's base URL, e.g. `"nbextensions/ep-lab/plotly-4.1.1.min.js"`
   * (what {@link plotlyAssetPath} gives and `installFrontendAssets` writes). `show` sets it. Default: none, so a
   * page without plotly.js shows a message instead of the figure.
   */
  plotlyAsset?: string;
}

/** Folder under a Jupyter `nbextensions/` directory that holds the offline plotly.js file. */
export const PLOTLY_ASSET_DIR = "ep-lab";

/**
 * Path of the offline plotly.js file under the Jupyter server's base URL (and under any `nbextensions/`
 * directory on `JUPYTER_PATH`, where `installFrontendAssets` writes it). The version is in the name, so a
 * browser never keeps an older copy from its cache.
 * @param version plotly.js version, e.g. "4.1.1" (digits, letters, `.`, `-`)
 * @returns `"nbextensions/ep-lab/plotly-<version>.min.js"`
 * @throws {TypeError} when version is not such a string
 * @example plotlyAssetPath("4.1.1"); // "nbextensions/ep-lab/plotly-4.1.1.min.js"
 */
export function plotlyAssetPath(version: string): string {
  if (typeof version !== "string" || !/^[0-9A-Za-z][0-9A-Za-z.-]*$/.test(version)) {
    throw new TypeError(`version must be a plotly.js version such as "4.1.1", got ${describe(version)}`);
  }
  return `nbextensions/${PLOTLY_ASSET_DIR}/plotly-${version}.min.js`;
}

/**
 * Browser script (ES5) that defines `epLabPlotly(asset, callback)`: calls back with `null` once `window.Plotly`
 * exists, loading it from `<Jupyter base URL><asset>` when the page has none, or with an error text. One load per
 * page, shared by all figures; a failed load is retried by the next figure. Notebook 6 pages have require.js:
 * plotly's UMD bundle is then loaded as an AMD module (a plain `<script>` would hit "Mismatched anonymous
 * define()"); elsewhere (JupyterLab, Notebook 7) through a `<script>` element.
 */
const PLOTLY_LOADER_JS =
  "  function load(asset, cb) {\n" +
  "    if (window.Plotly) return cb(null);\n" +
  "    if (!asset) return cb('this page has no plotly.js');\n" +
  "    var L = window.__epLabPlotly;\n" +
  "    if (!L) {\n" +
  "      L = window.__epLabPlotly = { waiting: [] };\n" +
  "      var base = (document.body && document.body.getAttribute('data-base-url')) || '/';\n" +
  "      try { var cfg = document.getElementById('jupyter-config-data'); if (cfg) base = JSON.parse(cfg.textContent).baseUrl || base; } catch (e) {}\n" +
  "      if (base.charAt(base.length - 1) !== '/') base += '/';\n" +
  "      var url = base + asset;\n" +
  "      var settle = function (err) { var w = L.waiting; L.waiting = null; if (err) window.__epLabPlotly = null; for (var i = 0; i < w.length; i++) w[i](err); };\n" +
  "      if (typeof window.requirejs === 'function' && window.requirejs.undef) {\n" +
  "        window.requirejs([url], function (P) { if (P && !window.Plotly) window.Plotly = P; settle(window.Plotly ? null : url + ' did not define Plotly'); },\n" +
  "          function () { window.requirejs.undef(url); settle('could not load ' + url); });\n" +
  "      } else {\n" +
  "        var s = document.createElement('script'); s.src = url; s.async = true;\n" +
  "        s.onload = function () { settle(window.Plotly ? null : url + ' did not define Plotly'); };\n" +
  "        s.onerror = function () { s.parentNode && s.parentNode.removeChild(s); settle('could not load ' + url); };\n" +
  "        document.head.appendChild(s);\n" +
  "      }\n" +
  "    }\n" +
  "    if (L.waiting) L.waiting.push(cb); else cb(null);\n" +
  "  }\n";

/**
 * The MIME bundle of one figure: a `<div>` plus a script calling `Plotly.newPlot`, the plotly JSON
 * for native renderers (JupyterLab extension, VS Code), and a one-line text summary.
 *
 * The script draws into the first `<div>` with the id that is not drawn yet, so a stale output with
 * the same id left from an earlier kernel session does not capture the new figure. When the page has
 * no plotly.js (a reloaded page, a reopened notebook), the script loads it from `options.plotlyAsset`
 * on the Jupyter server (one file, served offline; nothing of plotly.js is stored in the notebook).
 * @param figure `{ data, layout }` (typed arrays allowed; they are sent as plain arrays)
 * @param id the `<div>` id, e.g. "ep-plot-3" (letters, digits, `-` and `_`)
 * @param options height, plotly config, where to load plotly.js from
 * @returns the bundle `{ "text/html", "application/vnd.plotly.v1+json", "text/plain" }`
 * @throws {TypeError} for a malformed figure, id or asset path, or an unknown option key; {RangeError} for a bad height
 * @example
 * figureBundle({ data: [{ type: "bar", x: ["a"], y: [1] }] }, "ep-plot-1")["text/plain"]; // "Plotly figure (1 trace: bar)"
 */
export function figureBundle(figure: Figure, id: string, options: FigureOptions = {}): MimeBundle {
  assertFigure(figure);
  if (typeof id !== "string" || !/^[A-Za-z][\w-]*$/.test(id)) throw new TypeError(`id must be an HTML id of letters, digits, - and _, got ${describe(id)}`);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${describe(options)}`);
  assertKnownKeys("options", options, ["heightPx", "config", "plotlyAsset"]);
  if (options.config !== undefined && (options.config === null || typeof options.config !== "object" || Array.isArray(options.config))) {
    throw new TypeError(`config must be a plotly config object, got ${describe(options.config)}`);
  }
  if (options.plotlyAsset !== undefined && (typeof options.plotlyAsset !== "string" || !/^[\w][\w./-]*\.js$/.test(options.plotlyAsset) || options.plotlyAsset.includes(".."))) {
    throw new TypeError(`plotlyAsset must be a relative path to a .js file under the Jupyter base URL, got ${describe(options.plotlyAsset)}`);
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
    `  var id = ${scriptJson(id)}, asset = ${scriptJson(options.plotlyAsset ?? "")};\n` +
    "  var all = document.querySelectorAll('div[id=\"' + id + '\"]'), el = null;\n" +
    "  for (var i = 0; i < all.length; i++) { if (!all[i].getAttribute('data-ep-drawn')) { el = all[i]; break; } }\n" +
    "  if (!el) return;\n" +
    "  el.setAttribute('data-ep-drawn', '1');\n" +
    PLOTLY_LOADER_JS +
    "  load(asset, function (err) {\n" +
    "    if (err) { el.textContent = 'plotly.js is not loaded in this page (' + err + '): run injectPlotly() from ./src/notebook in a cell, then run this cell again.'; return; }\n" +
    `    window.Plotly.newPlot(el, ${scriptJson(frames ? { data, layout, config, frames } : { data, layout, config })});\n` +
    "  });\n" +
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
  /**
   * Header labels in words with units, by column key: `{ expertWeightsPerGpuGB: "expert weights per GPU (GB)" }`.
   * Columns not listed keep their key as the header. Every key must be a column of the table. Default none.
   */
  columns?: Record<string, string>;
  /**
   * The column that names each row (shown first, and kept in view while a wide table scrolls sideways).
   * Default: the index when shown, else the first column.
   */
  key?: string;
  /** Show rows as columns (one column per row, headed by the key column's values): for a few wide rows. Default false. */
  transpose?: boolean;
}

/** What `table` accepts besides a DataFrame or rows: rows that carry their header labels ({@link labeledRows}). */
export interface LabeledRows {
  readonly rows: readonly Record<string, unknown>[];
  readonly columns: Readonly<Record<string, string>>;
  readonly __epLabeledRows: true;
}

/**
 * Rows together with header labels in words with units, so a scenario can return a table that `table()` shows
 * with readable headers while its rows keep short keys for code: `table(labeledRows(rows, { gpus: "GPUs",
 * weightsGB: "expert weights per GPU (GB)" }))`. Labels given in `table(…, { columns })` win over these.
 * @param rows row objects (one property per column), non-empty
 * @param columns header label by column key; each key must be a column of the rows
 * @returns a frozen `{ rows, columns }` that `table`, `tableHtml`, `tableText` accept
 * @throws {RangeError} for empty rows or a label key that is no column (naming the nearest column);
 *   {TypeError} for a non-string label or a non-object argument
 * @example
 * labeledRows([{ ep: 8, weightsGB: 41.5 }], { ep: "EP size (GPUs)", weightsGB: "expert weights per GPU (GB)" });
 */
export function labeledRows(rows: readonly Record<string, unknown>[], columns: Record<string, string>): LabeledRows {
  const t = toTableData(rows);
  checkLabels(columns, t.columns, "columns");
  return Object.freeze({ rows, columns: Object.freeze({ ...columns }), __epLabeledRows: true as const });
}

function isLabeled(v: unknown): v is LabeledRows {
  return v !== null && typeof v === "object" && (v as { __epLabeledRows?: unknown }).__epLabeledRows === true;
}

function checkLabels(labels: unknown, columns: readonly string[], name: string): asserts labels is Record<string, string> {
  if (labels === null || typeof labels !== "object" || Array.isArray(labels)) throw new TypeError(`${name} must be an object of column key → header label, got ${describe(labels)}`);
  for (const [k, v] of Object.entries(labels)) {
    if (!columns.includes(k)) {
      const near = columns.slice().sort((a, b) => editDistance(k, a) - editDistance(k, b))[0];
      throw new RangeError(`${name} names a column ${JSON.stringify(k)} the table does not have${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; columns: ${columns.join(", ")}`);
    }
    if (typeof v !== "string" || v.trim() === "") throw new TypeError(`${name}.${k} must be a non-empty header label, got ${describe(v)}`);
  }
}

/**
 * A column key in words: camelCase and snake_case split, units written the usual way
 * (`deepseekV3ExpertWeightsPerGpuGB` → "deepseek V3 expert weights per GPU GB"). A starting point for labels;
 * give units in parentheses yourself ("expert weights per GPU (GB)").
 * @param key a column key
 * @returns the words
 * @throws {TypeError} when key is not a string
 * @example keyToWords("keyBenefit"); // "key benefit"
 */
export function keyToWords(key: string): string {
  if (typeof key !== "string") throw new TypeError(`key must be a string, got ${describe(key)}`);
  const acronyms = new Set(["gpu", "gpus", "ep", "tp", "dp", "pp", "sp", "moe", "kv", "mla", "ffn", "id", "nvl", "hbm", "tpot", "ttft", "eplb"]);
  return key
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const low = w.toLowerCase();
      if (acronyms.has(low)) return low === "gpus" ? "GPUs" : low.toUpperCase();
      if (/^[A-Z]{2,}[a-z]?$/.test(w) || /\d/.test(w)) return w; // acronyms and units as written: GB, V3
      return low;
    })
    .join(" ");
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
  if (isLabeled(input)) input = input.rows;
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
 * An HTML table (escaped): prose left-aligned and wrapping at spaces, numbers right-aligned (inline styles, so
 * classic Notebook's right-aligning CSS does not apply), headers from `columns` labels. A wide table scrolls
 * sideways inside its box with the key column kept in view; `transpose` shows rows as columns.
 * @param input danfo DataFrame/Series, an array of row objects, or {@link labeledRows}
 * @param options digits, maxRows, index, caption, columns, key, transpose
 * @returns `<div class="ep-table-wrap" …><table class="dataframe ep-table">…</table></div>`
 * @throws {TypeError} for bad input; {RangeError} for bad options (a `columns`/`key` name that is no column)
 * @example
 * tableHtml([{ name: "<b>", n: 1.23456 }], { digits: 2 }); // "…<td …>&lt;b&gt;</td><td …>1.23</td>…"
 */
export function tableHtml(input: unknown, options: TableOptions = {}): string {
  const g = tableGrid(input, options);
  const LEFT = "text-align:left;vertical-align:top;white-space:normal;min-width:6em;max-width:28em";
  const RIGHT = "text-align:right;vertical-align:top;white-space:nowrap;font-variant-numeric:tabular-nums";
  const STICKY = "position:sticky;left:0;z-index:1;background:#fff";
  // A numeric column's header wraps at spaces (its numbers never do), so long headers in words do not widen the table.
  const HEAD_RIGHT = "text-align:right;vertical-align:bottom;white-space:normal;min-width:5em;max-width:11em";
  const cellStyle = (numeric: boolean, sticky: boolean, head = false) => (numeric ? (head ? HEAD_RIGHT : RIGHT) : LEFT) + (sticky ? ";" + STICKY : "");
  const parts: string[] = ['<div class="ep-table-wrap" style="overflow-x:auto;max-width:100%">', '<table border="1" class="dataframe ep-table" style="border-collapse:collapse;margin:0">'];
  if (options.caption !== undefined) parts.push(`<caption style="text-align:left;caption-side:top">${escapeHtml(options.caption)}</caption>`);
  parts.push("<thead><tr>");
  g.header.forEach((h, c) => parts.push(`<th style="${cellStyle(g.numericColumn[c], c === 0, true)}">${escapeHtml(h)}</th>`));
  parts.push("</tr></thead><tbody>");
  for (const row of g.body) {
    parts.push("<tr>");
    row.forEach((cell, c) => {
      const tag = c === 0 ? "th" : "td";
      const html = cell.numeric ? escapeHtml(cell.text) : keepTokensWhole(cell.text);
      parts.push(`<${tag} style="${cellStyle(cell.numeric, c === 0)}">${html}</${tag}>`);
    });
    parts.push("</tr>");
  }
  parts.push("</tbody></table></div>");
  if (g.more > 0) parts.push(`<p class="ep-table-more">… ${g.more} more row${g.more === 1 ? "" : "s"} (${g.total} in total)</p>`);
  return parts.join("");
}

/** Escape a prose cell, keeping hyphenated tokens (CLI flags, `top-k`, ids) on one line: wrap only at spaces. */
function keepTokensWhole(text: string): string {
  return text
    .split(/(\s+)/)
    .map((tok) => (/^\S*-\S*$/.test(tok) && tok.length <= 48 ? `<span style="white-space:nowrap">${escapeHtml(tok)}</span>` : escapeHtml(tok)))
    .join("");
}

/**
 * A plain-text table with aligned columns (the text fallback of `table`): numbers right-aligned, prose left.
 * @param input danfo DataFrame/Series, an array of row objects, or {@link labeledRows}
 * @param options digits, maxRows, index, caption, columns, key, transpose
 * @returns lines joined by "\n"
 * @throws {TypeError} for bad input; {RangeError} for bad options
 * @example
 * tableText([{ gpu: 0, tokens: 12 }]); // "gpu  tokens\n  0      12"
 */
export function tableText(input: unknown, options: TableOptions = {}): string {
  const g = tableGrid(input, options);
  const body = g.body.map((row) => row.map((c) => c.text));
  const widths = g.header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (g.numericColumn[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join("  ").replace(/\s+$/, "");
  const lines = [] as string[];
  if (options.caption !== undefined) lines.push(options.caption);
  lines.push(line(g.header), ...body.map(line));
  if (g.more > 0) lines.push(`… ${g.more} more row${g.more === 1 ? "" : "s"} (${g.total} in total)`);
  return lines.join("\n");
}

interface GridCell {
  text: string;
  numeric: boolean;
}

/** The table as header texts and formatted cells, key column first, transposed when asked. */
function tableGrid(input: unknown, options: TableOptions): { header: string[]; body: GridCell[][]; numericColumn: boolean[]; more: number; total: number } {
  const { t, digits, shown, more, showIndex, labels } = prepareTable(input, options);
  const num = (v: unknown) => typeof v === "number" || typeof v === "bigint";
  let keys = t.columns.slice();
  let header = keys.map((k) => labels[k] ?? k);
  let body: GridCell[][] = shown.map((row) => row.map((v) => ({ text: formatCell(v, digits), numeric: num(v) })));
  if (showIndex) {
    header = [""].concat(header);
    body = body.map((row, r) => [{ text: formatCell(t.index ? t.index[r] : r, digits), numeric: false }].concat(row));
    keys = [""].concat(keys);
  } else if (options.key !== undefined) {
    const k = keys.indexOf(options.key);
    const move = <T,>(xs: T[]) => [xs[k], ...xs.slice(0, k), ...xs.slice(k + 1)];
    header = move(header);
    body = body.map(move);
    keys = move(keys);
  }
  if (options.transpose) {
    const newHeader = [header[0]].concat(body.map((row) => row[0].text));
    const newBody = header.slice(1).map((h, c) => [{ text: h, numeric: false }].concat(body.map((row) => row[c + 1])));
    header = newHeader;
    body = newBody;
  }
  const numericColumn = header.map((_, c) => body.length > 0 && body.some((row) => row[c].numeric) && body.every((row) => row[c].numeric || row[c].text === ""));
  return { header, body, numericColumn, more, total: t.rows.length };
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
  if (options.transpose !== undefined && typeof options.transpose !== "boolean") throw new TypeError(`transpose must be true or false, got ${describe(options.transpose)}`);
  assertKnownKeys("options", options, ["digits", "maxRows", "index", "caption", "columns", "key", "transpose"]);
  const t = toTableData(input);
  const labels: Record<string, string> = { ...(isLabeled(input) ? input.columns : {}) };
  if (options.columns !== undefined) {
    checkLabels(options.columns, t.columns, "columns");
    Object.assign(labels, options.columns);
  }
  const showIndex = options.index ?? t.index !== null;
  if (options.key !== undefined) {
    if (typeof options.key !== "string") throw new TypeError(`key must be a column name, got ${describe(options.key)}`);
    if (!t.columns.includes(options.key)) {
      const near = t.columns.slice().sort((a, b) => editDistance(options.key!, a) - editDistance(options.key!, b))[0];
      throw new RangeError(`key names a column ${JSON.stringify(options.key)} the table does not have (did you mean ${JSON.stringify(near)}?)`);
    }
    if (showIndex) throw new RangeError("key cannot be combined with a shown index (the index names the rows): pass index: false");
  }
  const shown = t.rows.slice(0, maxRows);
  return { t, digits, shown, more: t.rows.length - shown.length, showIndex, labels };
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

/** Throw a TypeError naming the first key of `obj` that is not in `known`, and the nearest known key. */
function assertKnownKeys(name: string, obj: object, known: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    const near = known.slice().sort((a, b) => editDistance(k, a) - editDistance(k, b))[0];
    throw new TypeError(`${name} has an unknown key ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; known keys: ${known.join(", ")}`);
  }
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "Object"})`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  return `${typeof v} ${String(v)}`;
}
