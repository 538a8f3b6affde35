/**
 * Shared pieces of the figure specs: the plotly-shaped `Figure` type, the lab's palette and
 * fonts, a few layout builders, and input validation for plain numeric arrays.
 *
 * Everything here is pure and deterministic: no DOM, no plotly import, no randomness. A figure is
 * plain JSON that `src/notebook` hands to plotly, that the HTML export embeds, and that the
 * snapshot tests compare.
 */
import { assertDivisible, assertFinite, assertNonEmptyArray, assertNonNegativeInt, assertPositiveInt, show } from "../util";

/** One plotly trace (`scatter`, `bar`, `heatmap`, …): plain JSON. */
export interface Trace {
  type: string;
  [key: string]: unknown;
}

/** A plotly layout: plain JSON. */
export type Layout = Record<string, unknown>;

/** A complete plotly figure: `Plotly.newPlot(div, figure.data, figure.layout)`. */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** Options every figure accepts. */
export interface BaseOptions {
  /** Figure title (plain text). Default: a title describing the figure. */
  title?: string;
  /** Height in CSS pixels. Default: depends on the figure (380–520 px). */
  height?: number;
  /** Width in CSS pixels. Default: undefined (fills the notebook cell). */
  width?: number;
}

/** Font stack used by every figure and image. */
export const FONT_FAMILY = "Inter, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif";

/**
 * Categorical palette (Okabe–Ito, colour-blind safe, plus two neutrals), used in order.
 */
export const PALETTE: readonly string[] = Object.freeze([
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // green
  "#CC79A7", // purple-pink
  "#56B4E9", // sky
  "#D55E00", // vermilion
  "#F0E442", // yellow
  "#7F7F7F", // grey
]);

/** Colours with a fixed meaning across the lab. */
export const COLORS = Object.freeze({
  ink: "#1f2933",
  muted: "#6b7785",
  grid: "#e4e8ee",
  intra: "#0072B2",
  inter: "#D55E00",
  mean: "#1f2933",
  capacity: "#C0392B",
  model: "#0072B2",
  measured: "#D55E00",
  dispatch: "#0072B2",
  combine: "#009E73",
});

/**
 * A long categorical palette for up to hundreds of items (experts): hue cycles, lightness bands.
 * @param i item index (integer ≥ 0), e.g. an expert id or a series number
 * @returns a CSS colour: the first six from {@link PALETTE}, then `hsl(…)` on a golden-angle hue walk
 * @throws {TypeError|RangeError} naming `i` when it is not a non-negative integer
 * @example categoricalColor(0) // "#0072B2"
 */
export function categoricalColor(i: number): string {
  assertNonNegativeInt("i", i);
  const n = PALETTE.length - 2; // skip yellow and grey for small indices (poor contrast on white)
  const base = [0, 1, 2, 3, 4, 5].map((k) => PALETTE[k]);
  if (i < n) return base[i];
  // Golden-angle hue walk: deterministic, well spread, readable on white.
  const hue = Math.round((i * 137.508) % 360);
  const light = 38 + ((i * 7) % 3) * 9; // 38, 47, 56 %
  return `hsl(${hue}, 62%, ${light}%)`;
}

/**
 * Base layout: fonts, margins, white background, legend on top.
 * @example baseLayout("GPU loads", { height: 400 }, 420)
 */
export function baseLayout(title: string, options: BaseOptions, defaultHeight: number): Layout {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertOptionalString("options.title", options.title);
  if (options.height !== undefined) assertPositiveFinite("options.height", options.height);
  if (options.width !== undefined) assertPositiveFinite("options.width", options.width);
  const layout: Layout = {
    title: { text: options.title ?? title, x: 0.02, xanchor: "left", font: { size: 16 } },
    font: { family: FONT_FAMILY, size: 12, color: COLORS.ink },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    height: options.height ?? defaultHeight,
    margin: { l: 64, r: 24, t: 64, b: 56 },
    legend: { orientation: "h", x: 0, y: -0.18, xanchor: "left", yanchor: "top" },
    hovermode: "closest",
  };
  if (options.width !== undefined) layout.width = options.width;
  return layout;
}

/**
 * An axis with the lab's grid style.
 * @example axis("tokens", { rangemode: "tozero" })
 */
export function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title },
    gridcolor: COLORS.grid,
    zerolinecolor: COLORS.grid,
    linecolor: "#9aa5b1",
    ticks: "outside",
    tickcolor: "#9aa5b1",
    ...extra,
  };
}

/**
 * Format a number compactly and deterministically (3 significant digits, SI suffix for ≥ 1e4).
 * @param value the number to format (finite; any unit — the caller adds it)
 * @param digits significant digits (integer in [1, 21]), default 3
 * @returns the text, e.g. "12.3k", "2.25P", "0.000123", "1800"
 * @throws {TypeError|RangeError} naming `value` when it is not a finite number, or `digits` when it is not an
 *   integer in [1, 21]
 * @example fmt(12345) // "12.3k"
 */
export function fmt(value: number, digits = 3): string {
  assertFinite("value", value);
  assertPositiveInt("digits", digits);
  if (digits > 21) throw new RangeError(`digits must be in [1, 21], got ${show(digits)}`);
  value = Number(value.toPrecision(12)); // 887.4999999999 → 887.5, so rounding below is stable
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e15, "P"],
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e4, "k"],
  ];
  for (const [scale, suffix] of units) {
    if (abs >= scale) {
      const div = suffix === "k" ? 1e3 : scale;
      return `${trimNumber((value / div).toPrecision(digits))}${suffix}`;
    }
  }
  if (abs === 0) return "0";
  if (abs >= 1) return trimNumber(value.toPrecision(Math.max(digits, Math.ceil(Math.log10(abs + 1)))));
  return trimNumber(value.toPrecision(digits));
}

function trimNumber(s: string): string {
  if (s.includes("e")) return String(Number(s));
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * Round to `decimals` places for stable JSON (avoids 0.30000000000000004 in snapshots).
 * @example round(0.1 + 0.2) // 0.3
 */
export function round(value: number, decimals = 6): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

// ---------------------------------------------------------------------------------------------
// Validation of plain numeric inputs
// ---------------------------------------------------------------------------------------------

/**
 * A finite number > 0 (sizes, capacities).
 * @example assertPositiveFinite("options.height", 400) // ok
 */
export function assertPositiveFinite(name: string, value: unknown): asserts value is number {
  assertFinite(name, value);
  if (!(value > 0)) throw new RangeError(`${name} must be > 0, got ${show(value)}`);
}

/**
 * A non-empty array (or typed array) of finite numbers; `min` optionally bounds each entry from below
 * (`min: 0` → ≥ 0, `min: "positive"` → > 0).
 * @throws {TypeError|RangeError} naming `name[i]` and the value
 * @example assertNumbers("values", [1, 2], 0) // ok; [NaN] throws "values[0] must be finite"
 */
export function assertNumbers(name: string, value: unknown, min?: 0 | "positive"): asserts value is ArrayLike<number> {
  assertNonEmptyArray(name, value);
  const arr = value as ArrayLike<unknown>;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    assertFinite(`${name}[${i}]`, v);
    if (min === 0 && v < 0) throw new RangeError(`${name}[${i}] must be ≥ 0, got ${show(v)}`);
    if (min === "positive" && !(v > 0)) throw new RangeError(`${name}[${i}] must be > 0, got ${show(v)}`);
  }
}

/**
 * Two arrays of the same length. @throws {RangeError} naming both parameters and lengths
 * @example assertSameLength("labels", ["a"], "values", [1, 2]) // throws RangeError
 */
export function assertSameLength(nameA: string, a: ArrayLike<unknown>, nameB: string, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RangeError(`${nameB} must have the same length as ${nameA} (${a.length}), got length ${b.length}`);
  }
}

/**
 * A non-empty array of strings.
 * @example assertStrings("labels", ["a", "b"]) // ok
 */
export function assertStrings(name: string, value: unknown): asserts value is readonly string[] {
  assertNonEmptyArray(name, value);
  const arr = value as ArrayLike<unknown>;
  for (let i = 0; i < arr.length; i++) {
    if (typeof arr[i] !== "string") throw new TypeError(`${name}[${i}] must be a string, got ${show(arr[i])}`);
  }
}

/**
 * Undefined or a string (a text option such as a title or a unit).
 * @example assertOptionalString("options.yTitle", "tokens") // ok
 */
export function assertOptionalString(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "string") throw new TypeError(`${name} must be a string, got ${show(value)}`);
}

/**
 * Undefined or a boolean (an on/off option).
 * @example assertOptionalBoolean("options.showMean", false) // ok
 */
export function assertOptionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") throw new TypeError(`${name} must be true or false, got ${show(value)}`);
}

/**
 * An integer in [0, upper).
 * @example assertIndex("options.baselineIndex", 1, 4, "labels.length") // ok
 */
export function assertIndex(name: string, value: unknown, upper: number, upperName: string): asserts value is number {
  assertFinite(name, value);
  if (!Number.isInteger(value) || value < 0 || value >= upper) {
    throw new RangeError(`${name} must be an integer in [0, ${upperName} = ${upper}), got ${show(value)}`);
  }
}

/** A positive integer (re-exported for the figure modules). */
export { assertPositiveInt, assertDivisible, show };

/**
 * Copy an array-like of numbers into a plain array, rounded for stable JSON.
 * @example toArray(new Float32Array([0.1])) // [0.1]
 */
export function toArray(values: ArrayLike<number>, decimals = 6): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = round(values[i], decimals);
  return out;
}

/**
 * Mean and max of a non-empty vector, and balancedness = mean / max (1 when all zero).
 * @example loadSummary([1, 3]) // { mean: 2, max: 3, balancedness: 0.667 }
 */
export function loadSummary(loads: ArrayLike<number>): { mean: number; max: number; balancedness: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < loads.length; i++) {
    sum += loads[i];
    if (loads[i] > max) max = loads[i];
  }
  const mean = sum / loads.length;
  return { mean, max, balancedness: max === 0 ? 1 : mean / max };
}

/**
 * A horizontal line across the plot at `y` (data units).
 * @example hline(75, "#000", "dash")
 */
export function hline(y: number, color: string, dash = "solid", yref = "y", xref = "paper"): Record<string, unknown> {
  return { type: "line", xref, yref, x0: 0, x1: 1, y0: round(y, 6), y1: round(y, 6), line: { color, width: 2, dash } };
}

/**
 * Escape text placed in plotly's HTML-ish labels.
 * @example escapeHtml("a<b") // "a&lt;b"
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
