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
