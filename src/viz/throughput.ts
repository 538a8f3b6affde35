/**
 * Throughput figures: a bar comparison of deployment strategies, and the throughput–interactivity
 * frontier (output tokens/s per GPU vs tokens/s per user) for several EP sizes.
 */
import { COLORS, Figure, BaseOptions, Trace, assertIndex, assertNumbers, assertOptionalString, assertPositiveFinite, assertSameLength, assertStrings, axis, baseLayout, categoricalColor, escapeHtml, fmt, round, show, toArray } from "./figure";

/** Options of {@link throughputBars}. */
export interface ThroughputBarsOptions extends BaseOptions {
  /** Y-axis title including the unit. Default `"output tokens/s per GPU"`. */
  yTitle?: string;
  /** Index of the bar the others are compared to (`1.8×` labels). Default 0. */
  baselineIndex?: number;
  /** One note per bar shown on hover (what is modelled). Default none. */
  notes?: readonly string[];
}

/**
 * Throughput comparison bars (e.g. Dense / standard EP / wide EP / wide EP + EPLB) labelled with
 * the value and the speed-up over a baseline bar.
 * @param labels one label per bar
 * @param values throughput per bar (≥ 0), in the unit of `options.yTitle`
 * @param options see {@link ThroughputBarsOptions}
 * @returns a plotly bar figure
 * @throws {RangeError|TypeError} on empty or mismatched arrays, NaN, negative values, bad baseline
 * @example throughputBars(["standard EP", "wide EP"], [1000, 1800])
 */
export function throughputBars(labels: readonly string[], values: ArrayLike<number>, options: ThroughputBarsOptions = {}): Figure {
  assertStrings("labels", labels);
  assertNumbers("values", values, 0);
  assertSameLength("labels", labels, "values", values);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertOptionalString("options.yTitle", options.yTitle);
  const base = options.baselineIndex ?? 0;
  assertIndex("options.baselineIndex", base, labels.length, "labels.length");
  if (options.notes !== undefined) {
    assertStrings("options.notes", options.notes);
    assertSameLength("labels", labels, "options.notes", options.notes);
  }
  const b = values[base];
  const text = Array.from(values, (v, i) => (i === base || b === 0 ? fmt(v) : `${fmt(v)}<br><b>${(v / b).toFixed(2)}×</b>`));
  const trace: Trace = {
    type: "bar",
    x: labels.map(escapeHtml),
    y: toArray(values, 3),
    text,
    textposition: "outside",
    cliponaxis: false,
    marker: { color: labels.map((_, i) => categoricalColor(i)) },
    hovertext: options.notes ? options.notes.map(escapeHtml) : labels.map(escapeHtml),
    hovertemplate: "%{hovertext}<br>%{y:,.0f}<extra></extra>",
  };
  const yTitle = options.yTitle ?? "output tokens/s per GPU";
  const layout = baseLayout(`Throughput by deployment (relative to ${labels[base]})`, options, 420);
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  layout.xaxis = axis("", { ticks: "" });
  layout.yaxis = axis(yTitle, { range: [0, round(max * 1.22 || 1, 6)] });
  layout.showlegend = false;
  layout.bargap = 0.35;
  return { data: [trace], layout };
}

/** One curve of the frontier (one EP size or deployment). */
export interface FrontierSeries {
  /** Legend label, e.g. `"EP8"`. */
  label: string;
  /** Interactivity of each operating point, tokens/s per user (> 0). */
  tokensPerSecPerUser: ArrayLike<number>;
  /** Throughput of each operating point, output tokens/s per GPU (≥ 0). */
  outputTokensPerSecPerGpu: ArrayLike<number>;
  /** Optional batch size (concurrent users per GPU or per instance) of each point, shown on hover. */
  batchSizes?: ArrayLike<number>;
}

/** Options of {@link frontierFigure}. */
export interface FrontierOptions extends BaseOptions {
  /** Draw a vertical reference at this interactivity, tokens/s per user (e.g. 100). Default none. */
  markUserRate?: number;
}

/**
 * Throughput–interactivity frontier: output tokens/s per GPU (y) vs tokens/s per user (x), one
 * line per series.
 * @param series one or more curves
 * @param options see {@link FrontierOptions}
 * @returns a plotly line figure
 * @throws {RangeError|TypeError} on empty series, mismatched lengths, NaN or non-positive rates
 * @example frontierFigure([{ label: "EP8", tokensPerSecPerUser: [20, 50], outputTokensPerSecPerGpu: [900, 500] }])
 */
export function frontierFigure(series: readonly FrontierSeries[], options: FrontierOptions = {}): Figure {
  if (!Array.isArray(series as unknown)) throw new TypeError(`series must be an array, got ${show(series)}`);
  if (series.length === 0) throw new RangeError("series must not be empty");
  const data: Trace[] = series.map((s, i) => {
    if (s === null || typeof s !== "object") throw new TypeError(`series[${i}] must be an object, got ${show(s)}`);
    if (typeof s.label !== "string") throw new TypeError(`series[${i}].label must be a string, got ${show(s.label)}`);
    assertNumbers(`series[${i}].tokensPerSecPerUser`, s.tokensPerSecPerUser, "positive");
    assertNumbers(`series[${i}].outputTokensPerSecPerGpu`, s.outputTokensPerSecPerGpu, 0);
    assertSameLength(`series[${i}].tokensPerSecPerUser`, s.tokensPerSecPerUser, `series[${i}].outputTokensPerSecPerGpu`, s.outputTokensPerSecPerGpu);
    const t: Trace = {
      type: "scatter",
      mode: "lines+markers",
      name: s.label,
      x: toArray(s.tokensPerSecPerUser, 3),
      y: toArray(s.outputTokensPerSecPerGpu, 3),
      line: { color: categoricalColor(i), width: 2.5, shape: "spline", smoothing: 0.3 },
      marker: { size: 6, color: categoricalColor(i) },
      hovertemplate: `${escapeHtml(s.label)}: %{x:.0f} tok/s/user → %{y:,.0f} tok/s/GPU<extra></extra>`,
    };
    if (s.batchSizes !== undefined) {
      assertNumbers(`series[${i}].batchSizes`, s.batchSizes, 0);
      assertSameLength(`series[${i}].tokensPerSecPerUser`, s.tokensPerSecPerUser, `series[${i}].batchSizes`, s.batchSizes);
      t.customdata = toArray(s.batchSizes);
      t.hovertemplate = `${escapeHtml(s.label)}, batch %{customdata}: %{x:.0f} tok/s/user → %{y:,.0f} tok/s/GPU<extra></extra>`;
    }
    return t;
  });
  const layout = baseLayout("Throughput vs interactivity", options, 440);
  layout.xaxis = axis("tokens/s per user (interactivity)", { rangemode: "tozero" });
  layout.yaxis = axis("output tokens/s per GPU", { rangemode: "tozero" });
  if (options.markUserRate !== undefined) {
    assertPositiveFinite("options.markUserRate", options.markUserRate);
    layout.shapes = [
      { type: "line", xref: "x", yref: "paper", x0: options.markUserRate, x1: options.markUserRate, y0: 0, y1: 1, line: { color: COLORS.muted, width: 1.5, dash: "dash" } },
    ];
    layout.annotations = [
      { text: `${fmt(options.markUserRate)} tok/s/user`, xref: "x", yref: "paper", x: options.markUserRate, y: 1, xanchor: "left", yanchor: "top", showarrow: false, font: { color: COLORS.muted, size: 11 } },
    ];
  }
  return { data, layout };
}

/** One bar of {@link tornadoFigure}: the ratio with one assumption at its low and at its high value. */
export interface TornadoBar {
  /** The assumption that moves, e.g. `"MoE weight precision"`. */
  parameter: string;
  /** What the low / high end means, with units (e.g. `"fp8"`, `"75 tokens/s"`). */
  low: string;
  high: string;
  /** The quantity (e.g. an EP32 ÷ EP8 ratio, > 0) at the low / high end; `null` when that end has no value. */
  valueLow: number | null;
  valueHigh: number | null;
}

/** Options of {@link tornadoFigure}. */
export interface TornadoOptions extends BaseOptions {
  /** X-axis title including the unit. Default `"EP32 ÷ EP8 output tokens/s per GPU"`. */
  xTitle?: string;
  /** A published reference value drawn as a dashed line (e.g. 1.8). Default none. */
  reference?: number;
  /** Its label. Default `"published"`. */
  referenceLabel?: string;
}

/**
 * Tornado chart: one horizontal bar per assumption, from the value with the assumption at its low end to the value at
 * its high end, drawn around the base case (a solid line), largest swing on top. The x axis is logarithmic, since
 * ratios move multiplicatively. An end without a value (`null`) is left out and said in the bar's hover text.
 * @param bars one entry per assumption, in the order to draw from the top (sort by swing before)
 * @param base the value of the base case (> 0, the x-axis unit)
 * @param options see {@link TornadoOptions}
 * @returns a plotly bar figure
 * @throws {RangeError|TypeError} on an empty list, a bar whose both ends are null, non-positive or non-finite values,
 *   bad option types
 * @example tornadoFigure([{ parameter: "MTP acceptance", low: "0.6", high: "0.95", valueLow: 1.6, valueHigh: 2.0 }], 1.83, { reference: 1.8 })
 */
export function tornadoFigure(bars: readonly TornadoBar[], base: number, options: TornadoOptions = {}): Figure {
  if (!Array.isArray(bars) || bars.length === 0) throw new RangeError(`bars must be a non-empty array, got ${show(bars)}`);
  assertPositiveFinite("base", base);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertOptionalString("options.xTitle", options.xTitle);
  assertOptionalString("options.referenceLabel", options.referenceLabel);
  if (options.reference !== undefined) assertPositiveFinite("options.reference", options.reference);
  const ends: number[] = [base];
  bars.forEach((b, i) => {
    if (b === null || typeof b !== "object") throw new TypeError(`bars[${i}] must be an object, got ${show(b)}`);
    for (const k of ["parameter", "low", "high"] as const) {
      if (typeof b[k] !== "string") throw new TypeError(`bars[${i}].${k} must be a string, got ${show(b[k])}`);
    }
    for (const k of ["valueLow", "valueHigh"] as const) if (b[k] !== null) assertPositiveFinite(`bars[${i}].${k}`, b[k]);
    if (b.valueLow === null && b.valueHigh === null) throw new RangeError(`bars[${i}] (${b.parameter}) has no value at either end`);
    for (const v of [b.valueLow, b.valueHigh]) if (v !== null) ends.push(v);
  });
  const y = bars.map((b) => escapeHtml(b.parameter));
  const side = (which: "low" | "high", color: string): Trace => ({
    type: "bar",
    orientation: "h",
    name: which === "low" ? "assumption at its low value" : "assumption at its high value",
    y,
    // Each bar starts at the base case and ends at the value (a zero-length bar when that end has no value).
    base: bars.map(() => round(base, 6)),
    x: bars.map((b) => {
      const v = which === "low" ? b.valueLow : b.valueHigh;
      return v === null ? 0 : round(v - base, 6);
    }),
    marker: { color },
    hovertext: bars.map((b) => {
      const v = which === "low" ? b.valueLow : b.valueHigh;
      const what = escapeHtml(which === "low" ? b.low : b.high);
      return v === null ? `${escapeHtml(b.parameter)} = ${what}: no value (a side cannot reach the target)` : `${escapeHtml(b.parameter)} = ${what}: ${fmt(v)}`;
    }),
    hovertemplate: "%{hovertext}<extra></extra>",
  });
  // Vertical reference lines as traces, so the legend names them (and their values) instead of labels over the bars.
  const vline = (x: number, name: string, color: string, dash: string): Trace => ({
    type: "scatter",
    mode: "lines",
    name,
    x: [round(x, 6), round(x, 6)],
    y: [y[0], y[y.length - 1]],
    line: { color, width: 2, dash },
    hoverinfo: "skip",
  });
  const layout = baseLayout("What moves the ratio (one assumption at a time)", options, 170 + 40 * bars.length);
  const lo = Math.min(...ends);
  const hi = Math.max(...ends);
  layout.barmode = "overlay";
  const lo10 = Math.log10(lo / 1.15);
  const hi10 = Math.log10(hi * 1.15);
  const ticks = [0.1, 0.2, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500, 1000].filter((t) => Math.log10(t) >= lo10 && Math.log10(t) <= hi10);
  layout.xaxis = axis(options.xTitle ?? "EP32 ÷ EP8 output tokens/s per GPU", {
    type: "log",
    range: [round(lo10, 6), round(hi10, 6)],
    tickvals: ticks,
    ticktext: ticks.map((t) => `${t}×`),
  });
  layout.yaxis = axis("", { autorange: "reversed", automargin: true, ticks: "", type: "category" });
  layout.margin = { l: 24, r: 24, t: 64, b: 56 };
  layout.legend = { orientation: "h", x: 0, y: -0.25, xanchor: "left", yanchor: "top" };
  const lines = [vline(base, `model: ${fmt(base)}×`, COLORS.ink, "solid")];
  if (options.reference !== undefined) lines.push(vline(options.reference, `${escapeHtml(options.referenceLabel ?? "published")}: ${fmt(options.reference)}×`, COLORS.capacity, "dash"));
  return { data: [side("low", "#56B4E9"), side("high", "#E69F00"), ...lines], layout };
}
