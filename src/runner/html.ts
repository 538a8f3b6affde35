/**
 * Export an (executed) notebook as one HTML page a reader expects: a contents sidebar with the section anchors,
 * prev/next links between the labs of a folder, copy buttons on code cells, responsive figures and a readable line
 * length. Markdown via markdown-it (headings get slug ids), code, streams, errors (ANSI colors kept as classes) and
 * rich outputs.
 *
 * Safety: a notebook's markdown and HTML outputs may come from anyone (an instructor exports learners' notebooks),
 * so everything they contain goes through sanitize-html with an allowlist (headings, links, images, tables,
 * `<details>`/`<summary>`, the display helpers' tables and progress bars; no scripts, no event handlers, no
 * `javascript:` URLs, no iframes). Figures are drawn by the page's own script from each output's plotly JSON
 * (`application/vnd.plotly.v1+json`), never by the output's script. Relative images are inlined as data URIs only
 * from the notebook's folder or the project's `images/`.
 *
 * plotly.js is one shared file next to the pages (`plotly-<version>.min.js`, see {@link writeSharedPlotly}), loaded
 * with a relative `<script src>`, so a page opened from disk (file://) draws its figures offline as long as that file
 * sits beside it; `plotly: "inline"` embeds it in the page instead, for a page that must travel alone.
 */
import * as fs from "fs";
import * as path from "path";
import MarkdownIt = require("markdown-it");

/** The part of sanitize-html's options this file uses (its published types need TypeScript ≥ 5.6 to parse). */
interface SanitizeOptions {
  allowedTags: string[];
  allowedAttributes: Record<string, string[]>;
  allowedStyles?: Record<string, Record<string, RegExp[]>>;
  allowedSchemes: string[];
  allowedSchemesByTag: Record<string, string[]>;
  allowProtocolRelative: boolean;
  disallowedTagsMode: "discard" | "escape";
  transformTags: Record<string, (tagName: string, attribs: Record<string, string>) => { tagName: string; attribs: Record<string, string> }>;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const sanitizeHtml = require("sanitize-html") as ((html: string, options: SanitizeOptions) => string) & { defaults: { allowedTags: string[] } };

type Md = InstanceType<typeof MarkdownIt>;
import { Cell, joinText, MimeBundle, Notebook, Output } from "./ipynb";
import { ansiToHtml, escapeHtml, slugify } from "./text";
import { show } from "../util/validate";

/** Options of {@link notebookToHtml}. */
export interface HtmlOptions {
  /** Page title. Default: the first markdown heading, else `fallbackTitle`. */
  title?: string;
  /** Title when the notebook has no markdown heading (e.g. the file name). Default "Notebook". */
  fallbackTitle?: string;
  /** Folder that relative image paths in markdown resolve against (the notebook's folder). Default: no inlining. */
  baseDir?: string;
  /** Source of plotly.js to embed when `plotly` is "inline". Default: `plotly.js-dist-min/plotly.min.js` from node_modules. */
  plotlyJs?: string;
  /**
   * How the page gets plotly.js: `"shared"` (default) loads `plotly-<version>.min.js` from the page's folder (write
   * it there with {@link writeSharedPlotly}); `"inline"` embeds the whole bundle in the page (about 4.8 MB).
   */
  plotly?: "shared" | "inline";
  /** Folders (absolute) that markdown images may be inlined from. Default: `baseDir` and the project's `images/`. */
  imageRoots?: string[];
  /** Previous and next pages (relative href and title) for the links at the top and bottom. Default none. */
  prev?: { href: string; title: string };
  next?: { href: string; title: string };
}

interface RenderEnv {
  slugs: Map<string, number>;
  baseDir?: string;
  imageRoots: string[];
  attachments?: Record<string, MimeBundle>;
  /** Headings seen, in order, for the contents sidebar. */
  headings: { level: number; id: string; text: string }[];
}

const IMAGE_MIME: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};

/** Plain text of an inline token's children (text and code spans), for heading slugs. */
function inlineText(tokens: any[] | null): string {
  return (tokens ?? []).map((t) => (t.type === "text" || t.type === "code_inline" ? t.content : inlineText(t.children))).join("");
}

/**
 * markdown-it plugin: give each heading an id (GitHub-style slug, de-duplicated per document with -1, -2, ...) and a
 * hidden alias anchor with Jupyter's own anchor form (heading text with spaces → "-"), so links written for either
 * convention work; appends a "¶" self-link.
 * @param md a markdown-it instance (modified: a core rule and the heading renderers are added)
 * @returns nothing; use it as `md.use(headingAnchorPlugin)`
 * @throws {TypeError} when `md` is not a markdown-it instance
 * @example
 * const md = new MarkdownIt().use(headingAnchorPlugin);
 * md.render("## Top-k routing", {}); // '<h2 id="top-k-routing"><a class="anchor-alias" id="Top-k-routing"></a>Top-k routing<a class="anchor-link" href="#top-k-routing">¶</a></h2>\n'
 */
export function headingAnchorPlugin(md: Md): void {
  if (typeof md !== "object" || md === null || typeof (md as Partial<Md>).core?.ruler?.push !== "function" || typeof (md as Partial<Md>).renderer?.rules !== "object") {
    throw new TypeError(`md must be a markdown-it instance, got ${show(md)}`);
  }
  md.core.ruler.push("ep_lab_heading_ids", (state: { env: unknown; tokens: any[] }) => {
    const env = state.env as Partial<RenderEnv>;
    const slugs = env.slugs ?? (env.slugs = new Map());
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].type !== "heading_open") continue;
      const text = inlineText(tokens[i + 1]?.children ?? []);
      const base = slugify(text);
      const seen = slugs.get(base) ?? 0;
      slugs.set(base, seen + 1);
      const id = seen === 0 ? base : `${base}-${seen}`;
      tokens[i].attrSet("id", id);
      const alias = text.trim().replace(/\s+/g, "-");
      if (alias !== "" && alias !== id) tokens[i].meta = { ...(tokens[i].meta ?? {}), alias };
      tokens[i].meta = { ...(tokens[i].meta ?? {}), anchorId: id };
      if (Array.isArray(env.headings)) env.headings.push({ level: Number(String(tokens[i].tag).slice(1)), id, text: text.trim() });
    }
  });
  md.renderer.rules.heading_open = (tokens, idx, opts, _env, self) => {
    const alias = tokens[idx].meta?.alias as string | undefined;
    return self.renderToken(tokens, idx, opts) + (alias ? `<a class="anchor-alias" id="${escapeHtml(alias)}"></a>` : "");
  };
  md.renderer.rules.heading_close = (tokens, idx, opts, _env, self) => {
    const open = tokens.slice(0, idx).reverse().find((t) => t.type === "heading_open");
    const id = open?.meta?.anchorId as string | undefined;
    return (id ? `<a class="anchor-link" href="#${escapeHtml(id)}">¶</a>` : "") + self.renderToken(tokens, idx, opts);
  };
}

function isRelativeUrl(src: string): boolean {
  return src !== "" && !/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(src) && !src.startsWith("/");
}

/** Resolve an image reference to a data URI (attachments and relative files); undefined when it cannot. */
function inlineImage(src: string, env: RenderEnv): string | undefined {
  if (src.startsWith("attachment:")) {
    const bundle = env.attachments?.[decodeURIComponent(src.slice("attachment:".length))];
    if (!bundle) return undefined;
    for (const [mime, v] of Object.entries(bundle)) {
      if (!mime.startsWith("image/")) continue;
      const raw = joinText(v as string | string[]);
      return mime === "image/svg+xml" ? `data:${mime};base64,${Buffer.from(raw).toString("base64")}` : `data:${mime};base64,${raw.replace(/\s/g, "")}`;
    }
    return undefined;
  }
  if (!env.baseDir || !isRelativeUrl(src)) return undefined;
  let clean: string;
  try {
    clean = decodeURIComponent(src.split(/[?#]/)[0]);
  } catch {
    return BLOCKED_IMAGE;
  }
  const mime = IMAGE_MIME[path.extname(clean).toLowerCase()];
  if (!mime) return BLOCKED_IMAGE;
  let file: string;
  try {
    file = fs.realpathSync(path.resolve(env.baseDir, clean));
  } catch {
    return BLOCKED_IMAGE; // missing: no link to guess at on the reader's disk either
  }
  if (!env.imageRoots.some((root) => file === root || file.startsWith(root + path.sep))) return BLOCKED_IMAGE;
  try {
    return `data:${mime};base64,${fs.readFileSync(file).toString("base64")}`;
  } catch {
    return BLOCKED_IMAGE;
  }
}

/** What a relative image outside the allowed folders (or missing) becomes: a 1×1 transparent GIF, not a path. */
const BLOCKED_IMAGE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

const MARKDOWN_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  "img", "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6", "del", "ins", "input", "center", "font",
];

/** sanitize-html settings for markdown cells and markdown outputs. */
const MARKDOWN_POLICY: SanitizeOptions = {
  allowedTags: MARKDOWN_TAGS,
  allowedAttributes: {
    "*": ["id", "class", "title", "lang", "dir", "align"],
    a: ["href", "name", "target", "rel"],
    img: ["src", "alt", "width", "height"],
    details: ["open"],
    td: ["colspan", "rowspan", "style"],
    th: ["colspan", "rowspan", "scope", "style"],
    code: ["class"],
    ol: ["start", "type"],
    input: ["type", "checked", "disabled"],
  },
  allowedStyles: {
    td: { "text-align": [/^(left|right|center)$/] },
    th: { "text-align": [/^(left|right|center)$/] },
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["data", "http", "https"] },
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // external links open safely; the page's own anchors stay as they are
    a: (tagName, attribs) => (/^https?:/i.test(attribs.href ?? "") ? { tagName, attribs: { ...attribs, rel: "noopener noreferrer" } } : { tagName, attribs }),
    img: (tagName, attribs) => (/^data:/i.test(attribs.src ?? "") && !/^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,/i.test(attribs.src ?? "") ? { tagName, attribs: { ...attribs, src: BLOCKED_IMAGE } } : { tagName, attribs }),
    input: (tagName, attribs) => (attribs.type === "checkbox" ? { tagName, attribs: { ...attribs, disabled: "" } } : { tagName: "span", attribs: {} }),
  },
};

const STYLE_VALUE = [/^[-#\w\s.,%()'"]+$/];
/** sanitize-html settings for text/html outputs: what the display helpers emit (tables, progress bars, styled boxes). */
const OUTPUT_POLICY: SanitizeOptions = {
  ...MARKDOWN_POLICY,
  allowedTags: [...MARKDOWN_TAGS, "progress"],
  allowedAttributes: {
    ...(MARKDOWN_POLICY.allowedAttributes as Record<string, string[]>),
    "*": ["id", "class", "title", "lang", "dir", "align", "style"],
    table: ["border", "style", "class"],
    progress: ["value", "max", "style"],
  },
  allowedStyles: {
    "*": Object.fromEntries(
      [
        "text-align", "vertical-align", "white-space", "min-width", "max-width", "width", "min-height", "height", "position", "left",
        "z-index", "background", "background-color", "color", "overflow-x", "overflow-wrap", "word-break", "display", "align-items", "gap",
        "font-family", "font-weight", "font-style", "font-size", "font-variant-numeric", "border", "border-collapse", "border-radius",
        "margin", "padding", "caption-side", "flex", "flex-wrap",
      ].map((p) => [p, STYLE_VALUE]),
    ),
  },
};

/**
 * Sanitize HTML from a notebook with the export's allowlist (see the module comment).
 * @param html untrusted HTML
 * @param kind "markdown" for markdown cells and outputs, "output" for text/html outputs (also allows inline styles and `<progress>`)
 * @returns HTML without scripts, event handlers, `javascript:` URLs, iframes, objects or forms
 * @throws {TypeError} when html is not a string or kind is unknown
 * @example sanitizeNotebookHtml('<img src=x onerror="alert(1)"><b>ok</b>', "markdown"); // '<img src="x" /><b>ok</b>'
 */
export function sanitizeNotebookHtml(html: string, kind: "markdown" | "output"): string {
  if (typeof html !== "string") throw new TypeError(`html must be a string, got ${show(html)}`);
  if (kind !== "markdown" && kind !== "output") throw new TypeError(`kind must be "markdown" or "output", got ${show(kind)}`);
  return sanitizeHtml(html, kind === "markdown" ? MARKDOWN_POLICY : OUTPUT_POLICY);
}

function createMarkdown(): Md {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  headingAnchorPlugin(md);
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, opts, env, self) => {
    const src = String(tokens[idx].attrGet("src") ?? "");
    const inlined = inlineImage(src, env as unknown as RenderEnv);
    if (inlined) tokens[idx].attrSet("src", inlined);
    return defaultImage(tokens, idx, opts, env, self);
  };
  const imgInHtml = (html: string, env: RenderEnv) =>
    html.replace(/(<img\b[^>]*?\bsrc\s*=\s*)(["'])([^"']*)\2/gi, (all, pre: string, q: string, src: string) => {
      const inlined = inlineImage(src, env);
      return inlined ? `${pre}${q}${inlined}${q}` : all;
    });
  const htmlBlock = md.renderer.rules.html_block!;
  const htmlInline = md.renderer.rules.html_inline!;
  md.renderer.rules.html_block = (tokens, idx, opts, env, self) => imgInHtml(htmlBlock(tokens, idx, opts, env, self), env as unknown as RenderEnv);
  md.renderer.rules.html_inline = (tokens, idx, opts, env, self) => imgInHtml(htmlInline(tokens, idx, opts, env, self), env as unknown as RenderEnv);
  return md;
}

/** JSON for inclusion inside a <script> element (no "</script>", no line separators). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Whether a text/html output carries the plotly.js bundle itself (as `injectPlotly()` sends it).
 * @param html the output's HTML text
 * @returns true when it holds plotly.js's banner (`plotly.js v2…`) or a `data-plotly-bundle` / `id="plotly-bundle"` marker
 * @throws {TypeError} when `html` is not a string
 * @example carriesPlotlyBundle('<script data-plotly-bundle>…</script>') // true
 */
export function carriesPlotlyBundle(html: string): boolean {
  if (typeof html !== "string") throw new TypeError(`html must be a string, got ${show(html)}`);
  return /plotly\.js v\d/.test(html) || /data-plotly-bundle|id=["']plotly-bundle/.test(html);
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";

interface RenderState {
  md: Md;
  env: RenderEnv;
  figures: number;
}

/** A figure's plotly JSON, or the reason it cannot be drawn. */
function readFigure(value: unknown): { fig: Record<string, unknown> } | { error: string } {
  let fig: unknown = value;
  if (typeof value === "string" || Array.isArray(value)) {
    const text = joinText(value as string | string[]);
    try {
      fig = JSON.parse(text);
    } catch (e) {
      return { error: `its ${PLOTLY_MIME} data is not valid JSON (${(e as Error).message}): ${JSON.stringify(text.length > 80 ? text.slice(0, 80) + "…" : text)}` };
    }
  }
  if (fig === null || typeof fig !== "object" || Array.isArray(fig)) return { error: `its ${PLOTLY_MIME} data is not a { data, layout } object` };
  const f = fig as Record<string, unknown>;
  if (f.data !== undefined && !Array.isArray(f.data)) return { error: `its ${PLOTLY_MIME} "data" is not an array of traces` };
  if (f.layout !== undefined && (f.layout === null || typeof f.layout !== "object" || Array.isArray(f.layout))) return { error: `its ${PLOTLY_MIME} "layout" is not an object` };
  return { fig: f };
}

function renderFigure(fig: Record<string, unknown>, state: RenderState): string {
  const id = `ep-lab-plotly-${++state.figures}`;
  // Responsive: the figure takes the width of its box and follows the window; a fixed layout width would not.
  const layout: Record<string, unknown> = { ...((fig.layout as Record<string, unknown>) ?? {}) };
  delete layout.width;
  layout.autosize = true;
  // Axis titles and tick labels claim the room they need when the figure gets narrow.
  for (const key of Object.keys(layout)) {
    const ax = layout[key];
    if (/^[xy]axis\d*$/.test(key) && ax && typeof ax === "object" && !Array.isArray(ax) && (ax as Record<string, unknown>).automargin === undefined) {
      layout[key] = { ...(ax as Record<string, unknown>), automargin: true };
    }
  }
  const height = typeof layout.height === "number" && layout.height > 0 ? layout.height : 420;
  const spec = { data: fig.data ?? [], layout, config: { ...((fig.config as object) ?? {}), responsive: true, displaylogo: false } };
  return (
    `<div class="output-plotly"><div id="${id}" class="plotly-graph-div ep-figure" style="width:100%;height:${height}px"></div>` +
    `<script type="application/json" class="ep-figure-spec" data-for="${id}">${scriptJson(spec)}</script></div>`
  );
}

function errorBlock(message: string): string {
  return `<pre class="output-error">${escapeHtml(message)}</pre>`;
}

function renderBundle(data: MimeBundle, state: RenderState): string {
  const text = (mime: string) => joinText(data[mime] as string | string[]);
  if (data[PLOTLY_MIME] !== undefined) {
    const r = readFigure(data[PLOTLY_MIME]);
    if ("error" in r) return errorBlock(`This figure could not be drawn: ${r.error}.`) + (data["text/plain"] !== undefined ? `<pre class="output-text">${ansiToHtml(text("text/plain"))}</pre>` : "");
    return renderFigure(r.fig, state);
  }
  if (data["text/html"] !== undefined) {
    const html = text("text/html");
    return `<div class="output-html">${sanitizeNotebookHtml(html, "output")}</div>`;
  }
  if (data["image/svg+xml"] !== undefined) {
    // As an <img>, an SVG's scripts never run.
    return `<div class="output-image"><img alt="" src="data:image/svg+xml;base64,${Buffer.from(text("image/svg+xml")).toString("base64")}"></div>`;
  }
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (data[mime] !== undefined) {
      const b64 = text(mime).replace(/\s/g, "");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return errorBlock(`This ${mime} output is not base64 data.`);
      return `<div class="output-image"><img alt="" src="data:${mime};base64,${b64}"></div>`;
    }
  }
  if (data["text/markdown"] !== undefined) return `<div class="output-markdown">${sanitizeNotebookHtml(state.md.render(text("text/markdown"), state.env as any), "markdown")}</div>`;
  if (data["text/plain"] !== undefined) return `<pre class="output-text">${ansiToHtml(text("text/plain"))}</pre>`;
  if (data["application/json"] !== undefined) return `<pre class="output-text">${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
  return "";
}

function renderOutput(o: Output, state: RenderState): string {
  switch (o.output_type) {
    case "stream":
      return `<pre class="output-stream ${o.name === "stderr" ? "stderr" : "stdout"}">${ansiToHtml(joinText(o.text))}</pre>`;
    case "error": {
      const tb = o.traceback?.length ? o.traceback.join("\n") : `${o.ename}: ${o.evalue}`;
      return `<pre class="output-error">${ansiToHtml(tb)}</pre>`;
    }
    case "display_data":
    case "execute_result":
      return renderBundle(o.data ?? {}, state);
    default:
      return "";
  }
}

function renderCell(cell: Cell, state: RenderState): string {
  const source = joinText(cell.source);
  if (cell.cell_type === "markdown") {
    state.env.attachments = cell.attachments;
    const html = sanitizeNotebookHtml(state.md.render(source, state.env as any), "markdown");
    state.env.attachments = undefined;
    return `<div class="cell markdown">${html}</div>`;
  }
  if (cell.cell_type === "raw") return `<div class="cell raw"><pre>${escapeHtml(source)}</pre></div>`;
  const count = cell.execution_count ?? " ";
  const status = (cell.metadata?.ep_lab as { status?: string } | undefined)?.status;
  const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, state)).join("\n");
  return (
    `<div class="cell code${status && status !== "ok" ? " status-" + escapeHtml(String(status)) : ""}">` +
    `<div class="input"><div class="prompt">In&nbsp;[${escapeHtml(String(count))}]:</div><div class="source-box"><button type="button" class="copy" aria-label="Copy code" title="Copy code">Copy</button><pre class="source"><code class="language-typescript">${escapeHtml(source)}</code></pre></div></div>` +
    (outputs ? `<div class="outputs">${outputs}</div>` : "") +
    `</div>`
  );
}

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1f2328;line-height:1.55;font-size:16px}
.layout{display:grid;grid-template-columns:15rem minmax(0,1fr);gap:2rem;max-width:82rem;margin:0 auto;padding:0 1.2rem}
nav.toc{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:1.2rem 0;font-size:.9em}
nav.toc summary{font-weight:600;cursor:pointer;margin-bottom:.4em}
nav.toc ul{list-style:none;margin:0;padding:0}
nav.toc li{margin:.15em 0}
nav.toc li.toc-l1{font-weight:600}
nav.toc li.toc-l3{padding-left:1em;font-size:.95em}
nav.toc li.toc-l4{padding-left:2em;font-size:.9em}
nav.toc a{color:#0969da;text-decoration:none}
nav.toc a:hover{text-decoration:underline}
main.notebook{min-width:0;padding:1rem 0 3rem}
.pager{display:flex;justify-content:space-between;gap:1em;margin:1em 0;font-size:.95em}
.pager a{color:#0969da;text-decoration:none;border:1px solid #d0d7de;border-radius:6px;padding:.35em .7em;max-width:48%}
.pager .next{margin-left:auto;text-align:right}
.cell{margin:1em 0}
.cell.markdown{max-width:46rem}
.cell.code .input{display:flex;gap:.5em}
.prompt{color:#57606a;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8em;min-width:5.5em;text-align:right;padding-top:.7em;flex:none}
pre{margin:0;white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;font-family:ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace;font-size:.85em}
.source-box{flex:1;min-width:0;position:relative}
pre.source{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.6em;padding-right:4.5em}
button.copy{position:absolute;top:.35em;right:.35em;font:inherit;font-size:.75em;padding:.15em .6em;border:1px solid #d0d7de;border-radius:4px;background:#fff;color:#57606a;cursor:pointer}
button.copy:hover{color:#1f2328;border-color:#8c959f}
.outputs{margin-left:6em;padding:.3em 0;min-width:0}
.output-html,.output-markdown{overflow-x:auto;max-width:100%}
.outputs>*{margin:.3em 0}
pre.output-text,pre.output-stream{max-width:46rem}
pre.stderr{background:#fff8e6;padding:.3em}
pre.output-error{background:#ffebe9;color:#82071e;padding:.4em}
.status-timeout pre.source,.status-died pre.source,.status-error pre.source{border-color:#cf222e}
.output-plotly{width:100%;min-width:0;overflow-x:auto;overflow-y:hidden}
.ep-figure-missing{border:1px dashed #cf222e;padding:.6em;color:#82071e;height:auto!important}
.run-failed{background:#ffebe9;border:1px solid #cf222e;border-radius:4px;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.2em .5em}
.cell.markdown table{display:block;overflow-x:auto;max-width:100%}
a.anchor-link{margin-left:.3em;font-size:.7em;text-decoration:none;color:#8c959f;visibility:hidden}
h1:hover a.anchor-link,h2:hover a.anchor-link,h3:hover a.anchor-link,h4:hover a.anchor-link{visibility:visible}
img{max-width:100%;height:auto}
.cell.markdown code,.output-markdown code{overflow-wrap:anywhere}
@media (max-width:900px){
  .layout{display:block;padding:0 .8rem}
  nav.toc{position:static;max-height:none;padding:.8rem 0;border-bottom:1px solid #d0d7de}
  .prompt{display:none}
  .outputs{margin-left:0}
  .cell.markdown{max-width:none}
}
.ansi-bold{font-weight:bold}
.ansi-black-fg{color:#3e424d}.ansi-red-fg{color:#e75c58}.ansi-green-fg{color:#00a250}.ansi-yellow-fg{color:#ddb62b}
.ansi-blue-fg{color:#208ffb}.ansi-magenta-fg{color:#d160c4}.ansi-cyan-fg{color:#60c6c8}.ansi-white-fg{color:#c5c1b4}
.ansi-bright-black-fg{color:#282c36}.ansi-bright-red-fg{color:#b22b31}.ansi-bright-green-fg{color:#007427}.ansi-bright-yellow-fg{color:#b27d12}
.ansi-bright-blue-fg{color:#0065ca}.ansi-bright-magenta-fg{color:#a03196}.ansi-bright-cyan-fg{color:#258f8f}.ansi-bright-white-fg{color:#a1a6b2}
`;

/** The page's own script (the only script in an exported page besides plotly.js): figures, copy buttons, contents. */
function pageScript(plotlyFile: string): string {
  return `(function () {
  function drawFigures() {
    var specs = document.querySelectorAll("script.ep-figure-spec");
    for (var i = 0; i < specs.length; i++) {
      var el = document.getElementById(specs[i].getAttribute("data-for"));
      if (!el) continue;
      if (!window.Plotly || typeof window.Plotly.newPlot !== "function") {
        el.className += " ep-figure-missing";
        el.textContent = "This figure needs ${plotlyFile}, which is written beside the exported pages (build/labs/): keep that file in the same folder as this page.";
        continue;
      }
      try {
        var spec = JSON.parse(specs[i].textContent);
        if (el.clientWidth > 0 && el.clientWidth < 560) narrow(spec.layout);
        drawn.push({ el: el, spec: spec, narrowed: el.clientWidth > 0 && el.clientWidth < 560 });
        fitAfter(window.Plotly.newPlot(el, spec.data, spec.layout, spec.config), el, spec, 0);
      } catch (e) {
        el.className += " ep-figure-missing";
        el.textContent = "This figure could not be drawn: " + (e && e.message ? e.message : e);
      }
    }
  }
  var drawn = [];
  // Plotly never wraps a title, an annotation or a legend entry: text wider than the figure is cut off at its edge.
  // After drawing, measure them; wrap what sticks out at spaces (<br>) to the width there is, and redraw.
  var BR = new RegExp("<br */?>", "i");
  function visibleLength(s) { return String(s).replace(/<[^>]*>/g, "").length; }
  function longestLine(s) {
    var lines = String(s).split(BR), n = 0;
    for (var i = 0; i < lines.length; i++) n = Math.max(n, visibleLength(lines[i]));
    return n;
  }
  function wrapWords(s, maxChars) {
    if (typeof s !== "string") return s;
    maxChars = Math.max(8, maxChars);
    var out = [], lines = s.split(BR);
    for (var k = 0; k < lines.length; k++) {
      var words = lines[k].split(" "), cur = "";
      for (var j = 0; j < words.length; j++) {
        if (cur && visibleLength(cur + " " + words[j]) > maxChars) { out.push(cur); cur = words[j]; }
        else cur = cur ? cur + " " + words[j] : words[j];
      }
      out.push(cur);
    }
    return out.join("<br>");
  }
  function fitAfter(promise, el, spec, attempt) {
    if (promise && typeof promise.then === "function") promise.then(function () { fit(el, spec, attempt); }, function () {});
  }
  function fit(el, spec, attempt) {
    var svg = el.querySelector(".main-svg");
    if (!svg || attempt > 2) return;
    var box = svg.getBoundingClientRect();
    if (box.width === 0) return;
    var layout = spec.layout, changed = false;
    // Keep the figure's title at the very top (plotly centres it in the top margin, where taller text would overlap).
    function pinTitle(layout, el) {
      if (!layout.title || typeof layout.title !== "object") return;
      var h = typeof layout.height === "number" ? layout.height : el.clientHeight || 420;
      layout.title = Object.assign({}, layout.title, { yref: "container", y: 1 - 10 / h, yanchor: "top" });
    }
    // How many characters of the longest line of \`text\` fit in \`room\` px, when \`node\` is wider than that (else 0).
    function fitChars(node, text, room) {
      var r = node.getBoundingClientRect();
      if (r.width === 0 || r.width <= room + 1) return 0;
      return Math.floor((longestLine(text) * Math.max(room, 40)) / r.width);
    }
    // The title and the legend entries start at the left: they may reach 8 px short of the right edge.
    var t = el.querySelector(".gtitle");
    // A pinned title that plotly drew above the top edge (it anchors a title of several lines about a line too high).
    if (t && layout.title && layout.title.yref === "container" && t.getBoundingClientRect().top < box.top + 2) {
      var hh = typeof layout.height === "number" ? layout.height : el.clientHeight || 420;
      layout.title.y -= (box.top + 6 - t.getBoundingClientRect().top) / hh;
      changed = true;
    }
    if (t && layout.title && !spec.titleWrapped) {
      if (typeof layout.title === "string") layout.title = { text: layout.title };
      var n = fitChars(t, layout.title.text, box.right - 8 - Math.max(t.getBoundingClientRect().left, box.left + 8));
      if (n > 0) {
        var before = layout.title.text.split(BR).length;
        layout.title.text = wrapWords(layout.title.text, n);
        var extra = layout.title.text.split(BR).length - before;
        var size = (layout.title.font && layout.title.font.size) || 16;
        layout.margin = Object.assign({ t: 64 }, layout.margin || {});
        layout.margin.t += Math.ceil(extra * size * 1.3);
        if (typeof layout.height === "number") { layout.height += Math.ceil(extra * size * 1.3); el.style.height = layout.height + "px"; }
        pinTitle(layout, el);
        spec.titleWrapped = true;
        changed = true;
      }
    }
    // An annotation (e.g. a subplot's title) gets the room up to the figure's edges and halfway to its neighbours.
    var notes = el.querySelectorAll(".annotation"), rects = [], topGrowth = 0;
    for (var a = 0; a < notes.length; a++) rects.push(notes[a].getBoundingClientRect());
    for (var a = 0; a < notes.length; a++) {
      var idx = Number(notes[a].getAttribute("data-index"));
      var note = layout.annotations && layout.annotations[idx];
      if (!note || typeof note.text !== "string") continue;
      var c = (rects[a].left + rects[a].right) / 2, room = 2 * Math.min(c - box.left, box.right - c) - 8;
      for (var b = 0; b < notes.length; b++) {
        if (b === a || rects[b].bottom < rects[a].top || rects[b].top > rects[a].bottom) continue;
        room = Math.min(room, Math.abs((rects[b].left + rects[b].right) / 2 - c) - 8);
      }
      var m = fitChars(notes[a], note.text, room);
      if (m > 0) {
        var was = note.text.split(BR).length;
        note.text = wrapWords(note.text, m);
        // Above the plot (a subplot title): the lines it gained grow upwards, so the top margin grows with them.
        if (note.yref === "paper" && note.y >= 1) topGrowth = Math.max(topGrowth, Math.ceil((note.text.split(BR).length - was) * ((note.font && note.font.size) || 12) * 1.3));
        changed = true;
      }
    }
    if (topGrowth > 0) {
      layout.margin = Object.assign({ t: 64 }, layout.margin || {});
      layout.margin.t += topGrowth;
      if (typeof layout.height === "number") { layout.height += topGrowth; el.style.height = layout.height + "px"; }
      pinTitle(layout, el);
    }
    var entries = el.querySelectorAll(".legendtext"), limit = 0;
    for (var e = 0; e < entries.length; e++) {
      var k = fitChars(entries[e], entries[e].textContent || "", box.right - 8 - Math.max(entries[e].getBoundingClientRect().left, box.left + 8));
      if (k > 0 && (limit === 0 || k < limit)) limit = k;
    }
    if (limit > 0) {
      for (var d = 0; d < spec.data.length; d++) {
        if (typeof spec.data[d].name === "string" && visibleLength(spec.data[d].name) > limit) { spec.data[d].name = wrapWords(spec.data[d].name, limit); changed = true; }
      }
    }
    if (changed) fitAfter(window.Plotly.react(el, spec.data, layout, spec.config), el, spec, attempt + 1);
  }
  var refit = null;
  window.addEventListener("resize", function () {
    clearTimeout(refit);
    refit = setTimeout(function () {
      for (var i = 0; i < drawn.length; i++) {
        if (drawn[i].el.clientWidth > 0 && drawn[i].el.clientWidth < 560 && !drawn[i].narrowed) { drawn[i].narrowed = true; narrow(drawn[i].spec.layout); fitAfter(window.Plotly.react(drawn[i].el, drawn[i].spec.data, drawn[i].spec.layout, drawn[i].spec.config), drawn[i].el, drawn[i].spec, 0); }
        else fit(drawn[i].el, drawn[i].spec, 0);
      }
    }, 250);
  });
  // On a phone-sized screen: a smaller title font and a horizontal legend below.
  function narrow(layout) {
    var t = layout.title;
    if (typeof t === "string") t = layout.title = { text: t };
    if (t && typeof t === "object") t.font = Object.assign({}, t.font || {}, { size: 12 });
    if (layout.showlegend !== false) layout.legend = Object.assign({}, layout.legend || {}, { orientation: "h", x: 0, xanchor: "left", y: -0.2, yanchor: "top" });
  }
  function copyText(text, done) {
    function fallback() {
      var ta = document.createElement("textarea");
      ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
      document.body.appendChild(ta); ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) {}
      document.body.removeChild(ta);
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    else fallback();
  }
  function copyButtons() {
    var buttons = document.querySelectorAll("button.copy");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (ev) {
        var b = ev.currentTarget, pre = b.parentNode.querySelector("pre.source");
        copyText(pre ? pre.textContent : "", function (ok) {
          b.textContent = ok ? "Copied" : "Select and copy";
          setTimeout(function () { b.textContent = "Copy"; }, 1500);
        });
      });
    }
  }
  function init() {
    var toc = document.querySelector("nav.toc details");
    if (toc && window.matchMedia && window.matchMedia("(max-width: 900px)").matches) toc.open = false;
    copyButtons();
    drawFigures();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();`;
}

let cachedPlotly: { source: string; version: string; file: string } | undefined;
function bundledPlotly(): { source: string; version: string; file: string } {
  if (cachedPlotly === undefined) {
    const file = require.resolve("plotly.js-dist-min");
    const version = (JSON.parse(fs.readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string }).version;
    cachedPlotly = { source: fs.readFileSync(file, "utf8"), version, file };
  }
  return cachedPlotly;
}

/**
 * File name of the shared plotly.js the exported pages load from their own folder.
 * @returns `plotly-<version>.min.js` (the installed plotly.js-dist-min version)
 * @throws {Error} when plotly.js-dist-min is not installed
 * @example sharedPlotlyName(); // "plotly-4.1.1.min.js"
 */
export function sharedPlotlyName(): string {
  return `plotly-${bundledPlotly().version}.min.js`;
}

/**
 * Write the shared plotly.js beside exported pages (once per folder; rewritten when its size differs).
 * @param outDir absolute or relative folder of the exported `.html` pages (created when missing)
 * @returns the path written
 * @throws {TypeError} when outDir is not a non-empty string; {Error} on file-system errors
 * @example writeSharedPlotly("build/labs"); // "build/labs/plotly-4.1.1.min.js"
 */
export function writeSharedPlotly(outDir: string): string {
  if (typeof outDir !== "string" || outDir === "") throw new TypeError(`outDir must be a non-empty path string, got ${show(outDir)}`);
  const { file } = bundledPlotly();
  const target = path.join(outDir, sharedPlotlyName());
  fs.mkdirSync(outDir, { recursive: true });
  let size = -1;
  try {
    size = fs.statSync(target).size;
  } catch {
    // not there yet
  }
  if (size !== fs.statSync(file).size) fs.copyFileSync(file, target);
  return target;
}

/**
 * Previous and next pages of a notebook among the notebooks of its folder (sorted by file name, as `npm run labs`
 * exports them), for {@link HtmlOptions.prev}/`next`: `{ href: "<name>.html", title: <first heading> }`.
 * @param notebookPath path of a `.ipynb` file
 * @returns `{ prev?, next? }`
 * @throws {TypeError} when notebookPath is not a non-empty string
 * @example siblingLinks("notebooks/lab3.1-expert-parallelism-foundations.ipynb").prev?.href; // "00-setup-check.html"
 */
export function siblingLinks(notebookPath: string): Pick<HtmlOptions, "prev" | "next"> {
  if (typeof notebookPath !== "string" || notebookPath === "") throw new TypeError(`notebookPath must be a non-empty path string, got ${show(notebookPath)}`);
  const dir = path.dirname(path.resolve(notebookPath));
  const me = path.basename(notebookPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".ipynb") && !n.startsWith(".")).sort();
  } catch {
    return {};
  }
  const i = names.indexOf(me);
  if (i < 0) return {};
  const link = (n: string | undefined) => {
    if (!n) return undefined;
    const base = n.replace(/\.ipynb$/, "");
    let title = base;
    try {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, n), "utf8")) as Notebook;
      const md = nb.cells.find((c) => c.cell_type === "markdown" && /^\s*#\s/m.test(joinText(c.source)));
      const m = md && /^\s*#\s+(.+)$/m.exec(joinText(md.source));
      if (m) title = m[1].trim();
    } catch {
      // an unreadable sibling keeps its file name as the title
    }
    return { href: `${base}.html`, title };
  };
  const out: Pick<HtmlOptions, "prev" | "next"> = {};
  const prev = link(names[i - 1]);
  const next = link(names[i + 1]);
  if (prev) out.prev = prev;
  if (next) out.next = next;
  return out;
}

function pager(prev: HtmlOptions["prev"], next: HtmlOptions["next"], where: string): string {
  if (!prev && !next) return "";
  const a = (l: { href: string; title: string }, cls: string, arrow: string) =>
    `<a class="${cls}" rel="${cls}" href="${escapeHtml(l.href)}">${cls === "prev" ? arrow + " " : ""}${escapeHtml(l.title)}${cls === "next" ? " " + arrow : ""}</a>`;
  return `<nav class="pager ${where}" aria-label="Labs">${prev ? a(prev, "prev", "←") : ""}${next ? a(next, "next", "→") : ""}</nav>\n`;
}

function contents(headings: RenderEnv["headings"]): string {
  const items = headings.filter((h) => h.level <= 3 && h.text !== "");
  if (items.length === 0) return "";
  const li = items.map((h) => `<li class="toc-l${h.level}"><a href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a></li>`).join("");
  return `<nav class="toc" aria-label="Contents"><details open><summary>Contents</summary><ul>${li}</ul></details></nav>\n`;
}

const PROJECT_IMAGES = path.resolve(__dirname, "..", "..", "images");

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Render a notebook as an HTML page (see the module comment for what the page has and how it stays safe).
 * @param nb the notebook (typically executed)
 * @param options see {@link HtmlOptions}
 * @returns the HTML document
 * @throws {TypeError} when `nb` has no cells array, `options` is not an object or has an unknown key, `title`,
 *   `fallbackTitle`, `baseDir` or `plotlyJs` is not a string, `plotly` is not "shared"/"inline", `imageRoots` is not
 *   an array of absolute paths, or `prev`/`next` is not `{ href, title }`; {RangeError} when `baseDir` is empty
 * @example notebookToHtml({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }).startsWith("<!DOCTYPE html>") // true
 */
export function notebookToHtml(nb: Notebook, options: HtmlOptions = {}): string {
  if (!nb || !Array.isArray(nb.cells)) throw new TypeError(`nb must be a notebook with a cells array, got ${show(nb)}`);
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
  const known = ["title", "fallbackTitle", "baseDir", "plotlyJs", "plotly", "imageRoots", "prev", "next"];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`options has an unknown key ${JSON.stringify(key)}; known keys: ${known.join(", ")}`);
  }
  for (const key of ["title", "fallbackTitle", "baseDir", "plotlyJs"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") throw new TypeError(`${key} must be a string, got ${show(options[key])}`);
  }
  if (options.baseDir === "") throw new RangeError(`baseDir must not be empty (leave it out to inline no images), got ""`);
  const plotlyMode = options.plotly ?? "shared";
  if (plotlyMode !== "shared" && plotlyMode !== "inline") throw new TypeError(`plotly must be "shared" or "inline", got ${show(options.plotly)}`);
  if (options.imageRoots !== undefined && (!Array.isArray(options.imageRoots) || options.imageRoots.some((r) => typeof r !== "string" || !path.isAbsolute(r)))) {
    throw new TypeError(`imageRoots must be an array of absolute folder paths, got ${show(options.imageRoots)}`);
  }
  for (const key of ["prev", "next"] as const) {
    const l = options[key];
    if (l !== undefined && (l === null || typeof l !== "object" || typeof l.href !== "string" || typeof l.title !== "string")) {
      throw new TypeError(`${key} must be { href, title } strings, got ${show(l)}`);
    }
  }
  const imageRoots = (options.imageRoots ?? (options.baseDir ? [options.baseDir, PROJECT_IMAGES] : [])).map(realOrSelf);
  const state: RenderState = {
    md: createMarkdown(),
    env: { slugs: new Map(), baseDir: options.baseDir, imageRoots, headings: [] },
    figures: 0,
  };
  const runStatus = nb.metadata?.ep_lab as { status?: string; message?: string; cell?: number } | undefined;
  const banner =
    runStatus?.status === "failed"
      ? `<div class="run-failed" role="alert"><strong>This notebook did not run to the end.</strong> ${escapeHtml(String(runStatus.message ?? ""))}` +
        (runStatus.cell && runStatus.cell > 0 ? ` <a href="#nb-cell-${runStatus.cell}">Go to the cell</a>` : "") +
        `</div>\n`
      : "";
  const body = banner + nb.cells.map((c, i) => renderCell(c, state).replace(/^<div class="cell/, `<div id="nb-cell-${i + 1}" class="cell`)).join("\n");
  let title = options.title;
  if (title === undefined) {
    const firstMd = nb.cells.find((c) => c.cell_type === "markdown" && /^\s*#/m.test(joinText(c.source)));
    const m = firstMd && /^\s*#+\s*(.+)$/m.exec(joinText(firstMd.source));
    title = m ? m[1].trim() : options.fallbackTitle ?? "Notebook";
  }
  const plotlyFile = sharedPlotlyName();
  let plotly = "";
  if (state.figures > 0) {
    plotly =
      plotlyMode === "inline"
        ? `<script>${(options.plotlyJs ?? bundledPlotly().source).replace(/<\/script/gi, "<\\/script")}</script>\n`
        : `<script src="${escapeHtml(plotlyFile)}"></script>\n`;
  }
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta name="generator" content="ep-lab labs">\n<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n${plotly}</head>\n<body>\n` +
    `<div class="layout">\n${contents(state.env.headings)}<main class="notebook">\n${pager(options.prev, options.next, "top")}${body}\n${pager(options.prev, options.next, "bottom")}</main>\n</div>\n` +
    `<script>${pageScript(plotlyFile)}</script>\n</body>\n</html>\n`
  );
}
