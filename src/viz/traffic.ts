/**
 * Communication figures: the rank→rank token traffic of one dispatch (heatmap, intra- vs
 * inter-node), and all-to-all latency vs EP size (model line vs measured points).
 */
import {
  COLORS,
  Figure,
  BaseOptions,
  Trace,
  assertDivisible,
  assertNumbers,
  assertOptionalBoolean,
  assertOptionalString,
  assertSameLength,
  axis,
  baseLayout,
  escapeHtml,
  fmt,
  show,
  toArray,
} from "./figure";

/** Options of {@link trafficHeatmap}. */
export interface TrafficHeatmapOptions extends BaseOptions {
  /** GPUs per node; node boundaries are outlined and traffic split intra/inter. Default: all ranks in one node. */
  gpusPerNode?: number;
  /** Unit of the matrix entries, shown in the colour bar and hover. Default `"tokens"`. */
  unit?: string;
}

/** Local (same rank), intra-node and inter-node totals of a traffic matrix. */
export interface TrafficSplit {
  /** Sum of the diagonal (stays on the GPU). */
  local: number;
  /** Sum between different ranks of the same node (NVLink). */
  intraNode: number;
  /** Sum between ranks of different nodes (RDMA / InfiniBand). */
  interNode: number;
}

/**
 * Split a rank→rank matrix into local / intra-node / inter-node totals.
 * @param matrix `[srcRank][dstRank]` tokens (square, ≥ 0)
 * @param gpusPerNode ranks per node; must divide the number of ranks
 * @returns the three totals
 * @throws {RangeError|TypeError} when not square, negative/NaN entries, or non-divisible node size
 * @example trafficSplit([[1, 2], [3, 4]], 1) // { local: 5, intraNode: 0, interNode: 5 }
 */
export function trafficSplit(matrix: readonly (ArrayLike<number>)[], gpusPerNode: number): TrafficSplit {
  const n = assertSquare("matrix", matrix);
  assertDivisible("numRanks", n, "gpusPerNode", gpusPerNode);
  let local = 0;
  let intraNode = 0;
  let interNode = 0;
  for (let s = 0; s < n; s++) {
    for (let d = 0; d < n; d++) {
      const v = matrix[s][d];
      if (s === d) local += v;
      else if (Math.floor(s / gpusPerNode) === Math.floor(d / gpusPerNode)) intraNode += v;
      else interNode += v;
    }
  }
  return { local, intraNode, interNode };
}

/**
 * Rank→rank traffic heatmap with node boundaries; the title gives the local / intra / inter shares.
 * @param matrix `[srcRank][dstRank]` tokens sent by dispatch (square, ≥ 0)
 * @param options see {@link TrafficHeatmapOptions}
 * @returns a plotly heatmap figure
 * @throws {RangeError|TypeError} naming `matrix[i][j]` or `options.gpusPerNode`
 * @example trafficHeatmap([[0, 3], [2, 0]], { gpusPerNode: 1 })
 */
export function trafficHeatmap(matrix: readonly (ArrayLike<number>)[], options: TrafficHeatmapOptions = {}): Figure {
  const n = assertSquare("matrix", matrix);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const gpn = options.gpusPerNode ?? n;
  assertOptionalString("options.unit", options.unit);
  const unit = options.unit ?? "tokens";
  const split = trafficSplit(matrix, gpn);
  const total = split.local + split.intraNode + split.interNode;
  const pct = (v: number) => (total === 0 ? "0%" : `${((100 * v) / total).toFixed(1)}%`);
  const ranks = Array.from({ length: n }, (_, i) => i);
  const text: string[][] = [];
  for (let s = 0; s < n; s++) {
    const row: string[] = [];
    for (let d = 0; d < n; d++) {
      const kind = s === d ? "local" : Math.floor(s / gpn) === Math.floor(d / gpn) ? "intra-node" : "inter-node";
      row.push(`rank ${s} → rank ${d}: ${fmt(matrix[s][d])} ${escapeHtml(unit)} (${kind})`);
    }
    text.push(row);
  }
  const trace: Trace = {
    type: "heatmap",
    x: ranks,
    y: ranks,
    z: matrix.map((row) => toArray(row)),
    text,
    hovertemplate: "%{text}<extra></extra>",
    colorscale: [
      [0, "#f7fbff"],
      [0.5, "#6baed6"],
      [1, "#08306b"],
    ],
    zmin: 0,
    colorbar: { title: { text: escapeHtml(unit) }, thickness: 14 },
    xgap: n <= 16 ? 1 : 0,
    ygap: n <= 16 ? 1 : 0,
  };
  const title =
    options.title ??
    `Dispatch traffic (${n} ranks, ${n / gpn} node${n / gpn === 1 ? "" : "s"}): local ${pct(split.local)}, intra-node ${pct(split.intraNode)}, inter-node ${pct(split.interNode)}`;
  const layout = baseLayout(title, options, Math.min(640, 220 + 22 * n));
  layout.xaxis = axis("destination rank", { ...(n <= 16 ? { dtick: 1 } : {}), ticks: "", showgrid: false });
  layout.yaxis = axis("source rank", { autorange: "reversed", ...(n <= 16 ? { dtick: 1 } : {}), ticks: "", showgrid: false });
  const shapes: Record<string, unknown>[] = [];
  if (gpn < n) {
    for (let a = 0; a < n; a += gpn) {
      shapes.push({
        type: "rect",
        xref: "x",
        yref: "y",
        x0: a - 0.5,
        x1: a + gpn - 0.5,
        y0: a - 0.5,
        y1: a + gpn - 0.5,
        line: { color: COLORS.inter, width: 2 },
        fillcolor: "rgba(0,0,0,0)",
      });
    }
  }
  layout.shapes = shapes;
  return { data: [trace], layout };
}

/** Latency series of one source (a model or a measurement). */
export interface LatencySeries {
  /** Legend label, e.g. `"cost model"` or `"DeepEP low-latency (measured, H800)"`. */
  label?: string;
  /** EP sizes (number of ranks), each > 0. */
  epSizes: ArrayLike<number>;
  /** Dispatch latency per EP size, in µs (≥ 0). */
  dispatchUs: ArrayLike<number>;
  /** Combine latency per EP size, in µs (≥ 0). */
  combineUs: ArrayLike<number>;
}

/** Options of {@link allToAllLatencyFigure}. */
export interface AllToAllLatencyOptions extends BaseOptions {
  /** Log-scale x axis (EP sizes are powers of two). Default true. */
  logX?: boolean;
}

/**
 * All-to-all latency vs EP size: model lines and (optionally) measured points, dispatch and combine.
 * @param model the model's curve (lines)
 * @param measured measured points (markers), e.g. DeepEP's published low-latency numbers; optional
 * @param options see {@link AllToAllLatencyOptions}
 * @returns a plotly line+marker figure, y in µs
 * @throws {RangeError|TypeError} on mismatched lengths, empty arrays, NaN, naming the field
 * @example allToAllLatencyFigure({ epSizes: [8, 16], dispatchUs: [150, 170], combineUs: [190, 230] })
 */
export function allToAllLatencyFigure(model: LatencySeries, measured?: LatencySeries, options: AllToAllLatencyOptions = {}): Figure {
  assertLatency("model", model);
  if (measured !== undefined) assertLatency("measured", measured);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertOptionalBoolean("options.logX", options.logX);
  const data: Trace[] = [];
  const modelLabel = model.label ?? "model";
  data.push(
    line(`${modelLabel}: dispatch`, model.epSizes, model.dispatchUs, COLORS.dispatch, "solid"),
    line(`${modelLabel}: combine`, model.epSizes, model.combineUs, COLORS.combine, "solid"),
  );
  if (measured) {
    const ml = measured.label ?? "measured";
    data.push(
      points(`${ml}: dispatch`, measured.epSizes, measured.dispatchUs, COLORS.dispatch, "circle"),
      points(`${ml}: combine`, measured.epSizes, measured.combineUs, COLORS.combine, "diamond"),
    );
  }
  const layout = baseLayout("All-to-all latency vs EP size", options, 420);
  const sizes = Array.from(new Set([...Array.from(model.epSizes), ...(measured ? Array.from(measured.epSizes) : [])])).sort((a, b) => a - b);
  const logX = options.logX ?? true;
  layout.xaxis = axis("EP size (ranks)", logX ? { type: "log", tickvals: sizes, ticktext: sizes.map(String) } : { tickvals: sizes });
  layout.yaxis = axis("latency (µs)", { rangemode: "tozero" });
  layout.hovermode = "x unified";
  return { data, layout };
}

function line(name: string, x: ArrayLike<number>, y: ArrayLike<number>, color: string, dash: string): Trace {
  return {
    type: "scatter",
    mode: "lines+markers",
    name,
    x: toArray(x),
    y: toArray(y, 3),
    line: { color, width: 2.5, dash },
    marker: { size: 5, color },
    hovertemplate: `${escapeHtml(name)}: %{y:.1f} µs<extra></extra>`,
  };
}

function points(name: string, x: ArrayLike<number>, y: ArrayLike<number>, color: string, symbol: string): Trace {
  return {
    type: "scatter",
    mode: "markers",
    name,
    x: toArray(x),
    y: toArray(y, 3),
    marker: { size: 11, color: "#ffffff", symbol, line: { color, width: 2.5 } },
    hovertemplate: `${escapeHtml(name)}: %{y:.1f} µs<extra></extra>`,
  };
}

function assertLatency(name: string, s: LatencySeries): void {
  if (s === null || typeof s !== "object") throw new TypeError(`${name} must be { epSizes, dispatchUs, combineUs }, got ${show(s)}`);
  assertOptionalString(`${name}.label`, s.label);
  assertNumbers(`${name}.epSizes`, s.epSizes, "positive");
  assertNumbers(`${name}.dispatchUs`, s.dispatchUs, 0);
  assertNumbers(`${name}.combineUs`, s.combineUs, 0);
  assertSameLength(`${name}.epSizes`, s.epSizes, `${name}.dispatchUs`, s.dispatchUs);
  assertSameLength(`${name}.epSizes`, s.epSizes, `${name}.combineUs`, s.combineUs);
}

/** A square, non-empty matrix of finite numbers ≥ 0; returns its size. */
function assertSquare(name: string, matrix: readonly ArrayLike<number>[]): number {
  if (!Array.isArray(matrix as unknown)) throw new TypeError(`${name} must be an array of rows, got ${show(matrix)}`);
  if (matrix.length === 0) throw new RangeError(`${name} must not be empty`);
  const n = matrix.length;
  matrix.forEach((row, r) => {
    assertNumbers(`${name}[${r}]`, row, 0);
    if (row.length !== n) throw new RangeError(`${name} must be square (${n} × ${n}): ${name}[${r}] has ${row.length} entries`);
  });
  return n;
}

