/**
 * Online EPLB figure: balancedness over serving iterations, rebalance events marked, and the
 * cumulative bytes of expert weights moved on a secondary axis.
 */
import { COLORS, Figure, BaseOptions, Trace, assertIndex, assertNumbers, assertOptionalString, assertSameLength, axis, baseLayout, round, show, toArray } from "./figure";

/** Per-iteration series of an online EPLB run (plain numbers, e.g. from `simulateOnlineEplb`). */
export interface OnlineEplbSeries {
  /** Balancedness (mean / max GPU load, in (0, 1]) per iteration. */
  balancedness: ArrayLike<number>;
  /** Cumulative bytes of expert weights moved up to and including each iteration (non-decreasing, ≥ 0). */
  movedBytes: ArrayLike<number>;
  /** Iteration indices (0-based) at which a rebalance happened; each in `[0, iterations)`. Default none. */
  rebalanceIterations?: ArrayLike<number>;
  /** Optional second balancedness series for comparison (e.g. static placement, no rebalancing). */
  baseline?: ArrayLike<number>;
  /** Label of the baseline series. Default `"static placement"`. */
  baselineLabel?: string;
}

/** Options of {@link onlineEplbFigure}. */
export interface OnlineEplbOptions extends BaseOptions {
  /** Bytes per displayed unit of the secondary axis. Default 1e9 (GB). */
  bytesPerUnit?: number;
  /** Name of that unit. Default `"GB"`. */
  bytesUnit?: string;
  /** X-axis title. Default `"iteration"`. */
  xTitle?: string;
}

/**
 * Balancedness over iterations (left axis, 0–1) with rebalance markers, and cumulative moved bytes
 * (right axis, in `bytesUnit`).
 * @param series per-iteration balancedness and cumulative moved bytes (same length)
 * @param options see {@link OnlineEplbOptions}
 * @returns a plotly figure with two y axes
 * @throws {RangeError|TypeError} on mismatched lengths, NaN, balancedness outside (0, 1], decreasing moved bytes
 * @example onlineEplbFigure({ balancedness: [0.6, 0.9, 0.85], movedBytes: [0, 2e9, 2e9], rebalanceIterations: [1] })
 */
export function onlineEplbFigure(series: OnlineEplbSeries, options: OnlineEplbOptions = {}): Figure {
  if (series === null || typeof series !== "object") throw new TypeError(`series must be { balancedness, movedBytes }, got ${show(series)}`);
  assertNumbers("series.balancedness", series.balancedness, "positive");
  assertNumbers("series.movedBytes", series.movedBytes, 0);
  assertSameLength("series.balancedness", series.balancedness, "series.movedBytes", series.movedBytes);
  const n = series.balancedness.length;
  for (let i = 0; i < n; i++) {
    if (series.balancedness[i] > 1 + 1e-9) throw new RangeError(`series.balancedness[${i}] must be ≤ 1 (mean/max), got ${series.balancedness[i]}`);
    if (i > 0 && series.movedBytes[i] < series.movedBytes[i - 1]) {
      throw new RangeError(`series.movedBytes must be cumulative (non-decreasing): series.movedBytes[${i}] = ${series.movedBytes[i]} < ${series.movedBytes[i - 1]}`);
    }
  }
  const rebal = series.rebalanceIterations ?? [];
  if (series.rebalanceIterations !== undefined && !Array.isArray(rebal) && !ArrayBuffer.isView(rebal)) {
    throw new TypeError(`series.rebalanceIterations must be an array, got ${show(rebal)}`);
  }
  for (let i = 0; i < rebal.length; i++) assertIndex(`series.rebalanceIterations[${i}]`, rebal[i], n, "iterations");
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const bytesPerUnit = options.bytesPerUnit ?? 1e9;
  if (!(typeof bytesPerUnit === "number" && Number.isFinite(bytesPerUnit) && bytesPerUnit > 0)) {
    throw new RangeError(`options.bytesPerUnit must be a finite number > 0, got ${show(bytesPerUnit)}`);
  }
  assertOptionalString("options.bytesUnit", options.bytesUnit);
  assertOptionalString("options.xTitle", options.xTitle);
  assertOptionalString("series.baselineLabel", series.baselineLabel);
  const unit = options.bytesUnit ?? "GB";
  const x = Array.from({ length: n }, (_, i) => i);
  const data: Trace[] = [];
  if (series.baseline !== undefined) {
    assertNumbers("series.baseline", series.baseline, "positive");
    assertSameLength("series.balancedness", series.balancedness, "series.baseline", series.baseline);
    data.push({
      type: "scatter",
      mode: "lines",
      name: series.baselineLabel ?? "static placement",
      x,
      y: toArray(series.baseline, 4),
      line: { color: "#9aa5b1", width: 1.5, dash: "dot" },
    });
  }
  data.push({
    type: "scatter",
    mode: "lines",
    name: "balancedness (mean/max)",
    x,
    y: toArray(series.balancedness, 4),
    line: { color: COLORS.intra, width: 2.5 },
  });
  data.push({
    type: "scatter",
    mode: "lines",
    name: `cumulative moved (${unit})`,
    x,
    y: Array.from(series.movedBytes, (b) => round(b / bytesPerUnit, 4)),
    yaxis: "y2",
    line: { color: COLORS.inter, width: 2, shape: "hv" },
    fill: "tozeroy",
    fillcolor: "rgba(213,94,0,0.08)",
  });
  const rx = Array.from(rebal);
  if (rx.length > 0) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "rebalance",
      x: rx,
      y: rx.map((i) => round(series.balancedness[i], 4)),
      marker: { symbol: "triangle-up", size: 11, color: COLORS.ink },
      hovertemplate: "rebalance at iteration %{x}<extra></extra>",
    });
  }
  const layout = baseLayout("Online EPLB: balance over time and the weights it moves", options, 420);
  layout.xaxis = axis(options.xTitle ?? "iteration", { range: [0, Math.max(1, n - 1)] });
  layout.yaxis = axis("balancedness (mean/max GPU load)", { range: [0, 1.05] });
  layout.yaxis2 = axis(`moved (${unit}, cumulative)`, { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, tickmode: "auto" });
  layout.margin = { l: 64, r: 72, t: 64, b: 56 };
  layout.shapes = rx.map((i) => ({
    type: "line",
    xref: "x",
    yref: "paper",
    x0: i,
    x1: i,
    y0: 0,
    y1: 1,
    line: { color: "#9aa5b1", width: 1, dash: "dot" },
    layer: "below",
  }));
  return { data, layout };
}
