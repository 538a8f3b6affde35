/**
 * Memory figure: what one GPU holds at each EP size (expert weights, other weights, KV cache,
 * reserve), stacked, against the HBM capacity.
 */
import { COLORS, Figure, BaseOptions, Trace, assertNumbers, assertOptionalString, assertPositiveFinite, assertSameLength, axis, baseLayout, fmt, round, show, toArray } from "./figure";

/**
 * The one name of the weights every GPU holds besides its routed experts (the memory figure's trace; the lab's
 * memory table header says the same).
 */
export const OTHER_WEIGHTS_LABEL = "other weights (attention, dense FFN, shared expert, embeddings)";

/** Memory per GPU at each EP size, all in GB (1e9 bytes). */
export interface MemoryBreakdown {
  /** EP sizes (GPUs the experts are spread over), > 0. */
  epSizes: ArrayLike<number>;
  /** Routed-expert weights per GPU, GB (≥ 0). */
  expertWeightsGB: ArrayLike<number>;
  /** Other (non-routed-expert) weights per GPU, replicated on every GPU: attention, dense FFN layers, shared
   *  expert, embeddings; GB (≥ 0). */
  otherWeightsGB: ArrayLike<number>;
  /** KV cache per GPU, GB (≥ 0). */
  kvCacheGB: ArrayLike<number>;
  /** Activations / workspace / fragmentation reserve per GPU, GB (≥ 0). Default all zero. */
  reserveGB?: ArrayLike<number>;
}

/** Options of {@link memoryBarsFigure}. */
export interface MemoryBarsOptions extends BaseOptions {
  /** HBM capacity per GPU, GB; drawn as a red line. Default none. */
  hbmCapacityGB?: number;
  /** Name of the GPU for the capacity label. Default `"HBM"`. */
  gpuName?: string;
}

/**
 * Memory per GPU vs EP size as stacked bars, with the HBM capacity line.
 * @param memory per-EP-size breakdown in GB (all arrays the same length)
 * @param options see {@link MemoryBarsOptions}
 * @returns a plotly stacked bar figure
 * @throws {RangeError|TypeError} on mismatched lengths, NaN, negative sizes, naming the field
 * @example memoryBarsFigure({ epSizes: [8, 32], expertWeightsGB: [80, 20], otherWeightsGB: [15, 15], kvCacheGB: [40, 100] }, { hbmCapacityGB: 192 })
 */
export function memoryBarsFigure(memory: MemoryBreakdown, options: MemoryBarsOptions = {}): Figure {
  if (memory === null || typeof memory !== "object") throw new TypeError(`memory must be an object of GB arrays, got ${show(memory)}`);
  assertNumbers("memory.epSizes", memory.epSizes, "positive");
  const parts: [string, keyof MemoryBreakdown, string][] = [
    ["expert weights", "expertWeightsGB", "#0072B2"],
    [OTHER_WEIGHTS_LABEL, "otherWeightsGB", "#56B4E9"],
    ["KV cache", "kvCacheGB", "#009E73"],
    ["reserve", "reserveGB", "#BFC5CC"],
  ];
  const x = Array.from(memory.epSizes, (e) => `EP${e}`);
  const totals = new Array<number>(x.length).fill(0);
  const data: Trace[] = [];
  for (const [name, key, color] of parts) {
    const arr = memory[key] as ArrayLike<number> | undefined;
    if (arr === undefined && key === "reserveGB") continue;
    assertNumbers(`memory.${key}`, arr, 0);
    assertSameLength("memory.epSizes", memory.epSizes, `memory.${key}`, arr);
    for (let i = 0; i < x.length; i++) totals[i] += arr[i];
    data.push({ type: "bar", name, x, y: toArray(arr, 3), marker: { color }, hovertemplate: `${name}: %{y:.1f} GB<extra></extra>` });
  }
  const layout = baseLayout("Memory per GPU vs EP size", options, 420);
  assertOptionalString("options.gpuName", options.gpuName);
  layout.barmode = "stack";
  layout.bargap = 0.3;
  layout.xaxis = axis("", { ticks: "" });
  let top = Math.max(...totals);
  const annotations: Record<string, unknown>[] = x.map((xi, i) => ({
    text: `${fmt(totals[i])} GB`,
    x: xi,
    y: round(totals[i], 3),
    yanchor: "bottom",
    showarrow: false,
    font: { size: 11, color: COLORS.muted },
  }));
  if (options.hbmCapacityGB !== undefined) {
    assertPositiveFinite("options.hbmCapacityGB", options.hbmCapacityGB);
    top = Math.max(top, options.hbmCapacityGB);
    layout.shapes = [
      { type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: options.hbmCapacityGB, y1: options.hbmCapacityGB, line: { color: COLORS.capacity, width: 2, dash: "dash" } },
    ];
    annotations.push({
      text: `${options.gpuName ?? "HBM"} capacity ${fmt(options.hbmCapacityGB)} GB`,
      xref: "paper",
      x: 1,
      y: options.hbmCapacityGB,
      xanchor: "right",
      yanchor: "bottom",
      yshift: 16, // above the per-bar totals, which sit on the line when a bar fills the HBM
      showarrow: false,
      font: { size: 11, color: COLORS.capacity },
    });
  }
  layout.yaxis = axis("GB per GPU", { range: [0, round(top * 1.2, 3)] });
  layout.annotations = annotations;
  return { data, layout };
}
