/**
 * A tiny, deterministic SVG builder: elements are strings, attribute values and text are escaped,
 * numbers are printed with at most two decimals, and every document carries an accessible
 * `<title>`/`<desc>` and a `viewBox`. Used by `npm run figures` to draw `images/*.svg`.
 */
import { FONT_FAMILY } from "../figure";

/** Attribute values; `undefined`/`false` attributes are omitted, `true` prints the bare name="name". */
export type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * Escape text content and attribute values for XML.
 * @example escapeXml("a < b & c") // "a &lt; b &amp; c"
 */
export function escapeXml(s: string): string {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * A number printed with at most `decimals` decimals, no trailing zeros, never `-0`.
 * @example num(1 / 3) // "0.33"
 */
export function num(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) throw new RangeError(`SVG coordinate must be finite, got ${value}`);
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return String(Object.is(r, -0) ? 0 : r);
}

function attrString(attrs: Attrs): string {
  let out = "";
  for (const key of Object.keys(attrs)) {
    const v = attrs[key];
    if (v === undefined || v === false) continue;
    if (!/^[A-Za-z_:][-A-Za-z0-9_:.]*$/.test(key)) throw new RangeError(`invalid SVG attribute name ${JSON.stringify(key)}`);
    const s = v === true ? key : typeof v === "number" ? num(v) : escapeXml(v);
    out += ` ${key}="${s}"`;
  }
  return out;
}

/**
 * One element. Children are already-built strings (use {@link text} for text content).
 * @example el("rect", { x: 0, y: 0, width: 10, height: 5, fill: "#fff" }) // '<rect x="0" … />'
 */
export function el(tag: string, attrs: Attrs = {}, ...children: (string | string[])[]): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(tag)) throw new RangeError(`invalid SVG tag ${JSON.stringify(tag)}`);
  const body = children.flat().join("");
  return body.length === 0 ? `<${tag}${attrString(attrs)}/>` : `<${tag}${attrString(attrs)}>${body}</${tag}>`;
}

/**
 * A group `<g>`.
 * @example g({ opacity: 0.5 }, rect(0, 0, 4, 4))
 */
export function g(attrs: Attrs, ...children: (string | string[])[]): string {
  return el("g", attrs, ...children);
}

/**
 * Escaped text content (for `el("text", …, content(s))`).
 * @example el("text", {}, content("a < b"))
 */
export function content(s: string): string {
  return escapeXml(s);
}

/** Text options. */
export interface TextAttrs extends Attrs {
  /** Font size in px. Default 14. */
  size?: number;
  /** Font weight. Default 400. */
  weight?: number | string;
  /** `start` | `middle` | `end`. Default `start`. */
  anchor?: string;
  /** Fill colour. Default the ink colour. */
  fill?: string;
}

/**
 * A single line of text at (x, y) (baseline).
 * @example text(10, 20, "GPU 0", { size: 12, anchor: "middle" })
 */
export function text(x: number, y: number, s: string, opts: TextAttrs = {}): string {
  const { size, weight, anchor, fill, ...rest } = opts;
  return el(
    "text",
    {
      x,
      y,
      "font-size": size ?? 14,
      "font-weight": weight === undefined || weight === 400 ? undefined : weight,
      "text-anchor": anchor && anchor !== "start" ? anchor : undefined,
      fill: fill ?? undefined,
      ...rest,
    },
    content(s),
  );
}

/**
 * Several lines of text starting at (x, y), `lineHeight` px apart.
 * @example lines(10, 20, ["first", "second"], { size: 12 })
 */
export function lines(x: number, y: number, ss: readonly string[], opts: TextAttrs & { lineHeight?: number } = {}): string {
  const { lineHeight, ...rest } = opts;
  const lh = lineHeight ?? (rest.size ?? 14) * 1.35;
  return ss.map((s, i) => text(x, y + i * lh, s, rest)).join("");
}

/**
 * A rectangle with optional rounded corners.
 * @example rect(0, 0, 10, 5, { fill: "#eee", rx: 2 })
 */
export function rect(x: number, y: number, width: number, height: number, attrs: Attrs = {}): string {
  return el("rect", { x, y, width: Math.max(0, width), height: Math.max(0, height), ...attrs });
}

/**
 * A straight line.
 * @example line(0, 0, 10, 0, { stroke: "#000" })
 */
export function line(x1: number, y1: number, x2: number, y2: number, attrs: Attrs = {}): string {
  return el("line", { x1, y1, x2, y2, ...attrs });
}

/** Path data from commands; numbers are formatted with {@link num}. @example pathData(["M", 0, 0, "L", 1.234, 2]) // "M 0 0 L 1.23 2" */
export function pathData(d: (string | number)[]): string {
  return d.map((p) => (typeof p === "number" ? num(p) : p)).join(" ");
}

/**
 * A path from commands; numbers are formatted with {@link num}.
 * @example path(["M", 0, 0, "L", 10, 5], { stroke: "#000", fill: "none" })
 */
export function path(d: (string | number)[], attrs: Attrs = {}): string {
  return el("path", { d: pathData(d), ...attrs });
}

/**
 * A dot travelling along path data forever (SMIL `animateMotion`). Hidden unless animation runs, so
 * static renderers show nothing stray; class `packet` lets CSS hide it for reduced motion.
 * @param d path data (see {@link pathData})
 * @param durSeconds time for one trip, s (> 0)
 * @param color fill colour
 * @param radius dot radius, px
 * @param beginSeconds start offset, s (≥ 0)
 * @example packet("M 0 0 L 100 0", 1.5, "#4a7a00")
 */
export function packet(d: string, durSeconds: number, color: string, radius = 3.5, beginSeconds = 0): string {
  if (!(durSeconds > 0) || !Number.isFinite(durSeconds)) throw new RangeError(`durSeconds must be a finite number > 0, got ${durSeconds}`);
  if (!(beginSeconds >= 0) || !Number.isFinite(beginSeconds)) throw new RangeError(`beginSeconds must be a finite number ≥ 0, got ${beginSeconds}`);
  return el(
    "circle",
    { r: radius, fill: color, stroke: "#ffffff", "stroke-width": 1, visibility: "hidden", class: "packet" },
    el("set", { attributeName: "visibility", to: "visible", begin: `${num(beginSeconds)}s` }),
    el("animateMotion", { dur: `${num(durSeconds)}s`, begin: `${num(beginSeconds)}s`, repeatCount: "indefinite", path: d, calcMode: "linear" }),
  );
}

/** Document options. */
export interface SvgDocumentOptions {
  /** Width of the viewBox (and the default rendered width), px. */
  width: number;
  /** Height of the viewBox, px. */
  height: number;
  /** Accessible title (also the first thing a screen reader announces). Required. */
  title: string;
  /** Accessible long description. Required. */
  desc: string;
  /** Background fill. Default white. */
  background?: string;
  /** Extra CSS placed in a `<style>` element (animations, classes). Default none. */
  css?: string;
  /** `<defs>` content (markers, gradients). Default none. */
  defs?: string;
}

/**
 * A complete standalone SVG document (with XML declaration), accessible and scalable.
 * @param options size, title, description, background, CSS, defs
 * @param children the drawing
 * @returns the SVG text, ending with a newline
 * @throws {RangeError} when the size is not positive or the title/description is empty
 * @example svgDocument({ width: 100, height: 50, title: "Box", desc: "A box" }, rect(10, 10, 80, 30, { fill: "#eee" }))
 */
export function svgDocument(options: SvgDocumentOptions, ...children: (string | string[])[]): string {
  const { width, height, title, desc } = options;
  if (!(width > 0) || !(height > 0)) throw new RangeError(`SVG width and height must be > 0, got ${width} × ${height}`);
  if (!title || !title.trim()) throw new RangeError("SVG title must not be empty");
  if (!desc || !desc.trim()) throw new RangeError("SVG desc must not be empty");
  const style =
    `svg{font-family:${FONT_FAMILY};fill:#1f2933;}` +
    `.muted{fill:#5b6675;}.small{font-size:12px;}.mono{font-family:'JetBrains Mono','DejaVu Sans Mono',Menlo,monospace;}` +
    (options.css ?? "");
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    el(
      "svg",
      {
        xmlns: "http://www.w3.org/2000/svg",
        viewBox: `0 0 ${num(width)} ${num(height)}`,
        width,
        height,
        role: "img",
        "aria-labelledby": "title desc",
      },
      el("title", { id: "title" }, content(title)),
      el("desc", { id: "desc" }, content(desc)),
      el("style", {}, style.replace(/&/g, "&amp;").replace(/</g, "&lt;")),
      options.defs ? el("defs", {}, options.defs) : "",
      rect(0, 0, width, height, { fill: options.background ?? "#ffffff" }),
      ...children,
    ) +
    "\n"
  );
}

/**
 * An arrowhead marker definition with the given id and colour (use `marker-end="url(#id)"`).
 * @example arrowMarker("arrow", "#000") // then path(d, { "marker-end": "url(#arrow)" })
 */
export function arrowMarker(id: string, color: string, size = 8): string {
  return el(
    "marker",
    { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: size, markerHeight: size, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" },
    path(["M", 0, 0, "L", 10, 5, "L", 0, 10, "z"], { fill: color }),
  );
}
