/**
 * Export an (executed) notebook as one self-contained HTML page: markdown via markdown-it (headings get slug ids so
 * a `#anchor` table of contents works), code, streams, errors (ANSI colors kept as classes) and rich outputs
 * (text/html inserted raw so plotly's scripts run, images inlined, plotly JSON drawn with an embedded bundle).
 * Relative images referenced from markdown are inlined as data URIs so the page works offline and when moved.
 */
import * as fs from "fs";
import * as path from "path";
import MarkdownIt = require("markdown-it");

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
  /** Source of plotly.js to embed when plotly JSON outputs need it and no output carries a bundle.
   *  Default: read `plotly.js-dist-min/plotly.min.js` from node_modules on demand. */
  plotlyJs?: string;
}

interface RenderEnv {
  slugs: Map<string, number>;
  baseDir?: string;
  attachments?: Record<string, MimeBundle>;
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
  const clean = decodeURIComponent(src.split(/[?#]/)[0]);
  const mime = IMAGE_MIME[path.extname(clean).toLowerCase()];
  if (!mime) return undefined;
  const file = path.resolve(env.baseDir, clean);
  try {
    return `data:${mime};base64,${fs.readFileSync(file).toString("base64")}`;
  } catch {
    return undefined;
  }
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
 * Whether a text/html output carries the plotly.js bundle itself (as the display helpers inject it).
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
  needsPlotly: boolean;
  hasBundle: boolean;
}

function renderBundle(data: MimeBundle, state: RenderState): string {
  const text = (mime: string) => joinText(data[mime] as string | string[]);
  if (data["text/html"] !== undefined) {
    const html = text("text/html");
    if (carriesPlotlyBundle(html)) state.hasBundle = true;
    return `<div class="output-html">${html}</div>`;
  }
  if (data[PLOTLY_MIME] !== undefined) {
    const fig = (typeof data[PLOTLY_MIME] === "string" ? JSON.parse(data[PLOTLY_MIME] as string) : data[PLOTLY_MIME]) as Record<string, unknown>;
    const id = `ep-lab-plotly-${++state.figures}`;
    state.needsPlotly = true;
    const args = [scriptJson(fig.data ?? []), scriptJson(fig.layout ?? {}), scriptJson({ responsive: true, ...((fig.config as object) ?? {}) })];
    return (
      `<div class="output-plotly"><div id="${id}" class="plotly-graph-div"></div><script>` +
      `window.addEventListener("DOMContentLoaded",function(){Plotly.newPlot(${JSON.stringify(id)},${args.join(",")});});</script></div>`
    );
  }
  if (data["image/svg+xml"] !== undefined) return `<div class="output-image">${text("image/svg+xml")}</div>`;
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (data[mime] !== undefined) return `<div class="output-image"><img src="data:${mime};base64,${text(mime).replace(/\s/g, "")}"></div>`;
  }
  if (data["text/markdown"] !== undefined) return `<div class="output-markdown">${state.md.render(text("text/markdown"), state.env as any)}</div>`;
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
    const html = state.md.render(source, state.env as any);
    state.env.attachments = undefined;
    return `<div class="cell markdown">${html}</div>`;
  }
  if (cell.cell_type === "raw") return `<div class="cell raw"><pre>${escapeHtml(source)}</pre></div>`;
  const count = cell.execution_count ?? " ";
  const status = (cell.metadata?.ep_lab as { status?: string } | undefined)?.status;
  const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, state)).join("\n");
  return (
    `<div class="cell code${status && status !== "ok" ? " status-" + escapeHtml(String(status)) : ""}">` +
    `<div class="input"><div class="prompt">In&nbsp;[${escapeHtml(String(count))}]:</div><pre class="source"><code class="language-typescript">${escapeHtml(source)}</code></pre></div>` +
    (outputs ? `<div class="outputs">${outputs}</div>` : "") +
    `</div>`
  );
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328;line-height:1.5}
.cell{margin:1em 0}
.cell.code .input{display:flex;gap:.5em}
.prompt{color:#57606a;font-family:ui-monospace,monospace;font-size:.85em;min-width:5.5em;text-align:right;padding-top:.6em}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em}
pre.source{flex:1;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.6em}
.outputs{margin-left:6em;padding:.3em 0;min-width:0}
.output-html{overflow-x:auto}
.outputs>*{margin:.3em 0}
pre.stderr{background:#fff8e6;padding:.3em}
pre.output-error{background:#ffebe9;color:#82071e;padding:.4em}
.status-timeout pre.source,.status-died pre.source,.status-error pre.source{border-color:#cf222e}
.output-image img{max-width:100%}
.run-failed{background:#ffebe9;border:1px solid #cf222e;border-radius:4px;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.2em .5em}
a.anchor-link{margin-left:.3em;font-size:.7em;text-decoration:none;color:#8c959f;visibility:hidden}
h1:hover a.anchor-link,h2:hover a.anchor-link,h3:hover a.anchor-link,h4:hover a.anchor-link{visibility:visible}
img{max-width:100%}
.ansi-bold{font-weight:bold}
.ansi-black-fg{color:#3e424d}.ansi-red-fg{color:#e75c58}.ansi-green-fg{color:#00a250}.ansi-yellow-fg{color:#ddb62b}
.ansi-blue-fg{color:#208ffb}.ansi-magenta-fg{color:#d160c4}.ansi-cyan-fg{color:#60c6c8}.ansi-white-fg{color:#c5c1b4}
.ansi-bright-black-fg{color:#282c36}.ansi-bright-red-fg{color:#b22b31}.ansi-bright-green-fg{color:#007427}.ansi-bright-yellow-fg{color:#b27d12}
.ansi-bright-blue-fg{color:#0065ca}.ansi-bright-magenta-fg{color:#a03196}.ansi-bright-cyan-fg{color:#258f8f}.ansi-bright-white-fg{color:#a1a6b2}
`;

let cachedPlotly: string | undefined;
function defaultPlotlyJs(): string {
  if (cachedPlotly === undefined) cachedPlotly = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
  return cachedPlotly;
}

/**
 * Render a notebook as a self-contained HTML page.
 * @param nb the notebook (typically executed)
 * @param options see {@link HtmlOptions}
 * @returns the HTML document
 * @throws {TypeError} when `nb` has no cells array, `options` is not an object, or `title`, `fallbackTitle`,
 *   `baseDir` or `plotlyJs` is not a string; {RangeError} when `baseDir` is empty
 * @example notebookToHtml({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }).startsWith("<!DOCTYPE html>") // true
 */
export function notebookToHtml(nb: Notebook, options: HtmlOptions = {}): string {
  if (!nb || !Array.isArray(nb.cells)) throw new TypeError(`nb must be a notebook with a cells array, got ${show(nb)}`);
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
  for (const key of ["title", "fallbackTitle", "baseDir", "plotlyJs"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") throw new TypeError(`${key} must be a string, got ${show(options[key])}`);
  }
  if (options.baseDir === "") throw new RangeError(`baseDir must not be empty (leave it out to inline no images), got ""`);
  const state: RenderState = {
    md: createMarkdown(),
    env: { slugs: new Map(), baseDir: options.baseDir },
    figures: 0,
    needsPlotly: false,
    hasBundle: false,
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
  const plotly = state.needsPlotly && !state.hasBundle ? `<script>${(options.plotlyJs ?? defaultPlotlyJs()).replace(/<\/script/gi, "<\\/script")}</script>\n` : "";
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta name="generator" content="ep-lab labs">\n<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n${plotly}</head>\n<body>\n<main class="notebook">\n${body}\n</main>\n</body>\n</html>\n`
  );
}
