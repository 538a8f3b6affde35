/**
 * Compute figures: the roofline (arithmetic intensity of decode vs prefill against a GPU's ridge
 * point), and the GroupGEMM curve (time per token and achieved FLOP/s vs tokens per expert).
 */
import { COLORS, Figure, BaseOptions, Trace, assertNumbers, assertOptionalString, assertPositiveFinite, assertSameLength, axis, baseLayout, categoricalColor, escapeHtml, fmt, round, show, toArray } from "./figure";

/** A GPU's two roofs. */
export interface RooflineGpu {
  /** Name shown in the title, e.g. `"B200"`. Default `"GPU"`. */
  name?: string;
  /** Peak dense compute at the precision used, FLOP/s (> 0). */
  peakFlops: number;
  /** HBM bandwidth, bytes/s (> 0). */
  bandwidthBytesPerSec: number;
}

/** A workload placed on the roofline. */
export interface RooflinePoint {
  /** Label, e.g. `"decode (batch 64)"`. */
  label: string;
  /** Arithmetic intensity, FLOP per byte moved from HBM (> 0). */
  intensity: number;
}

/** Options of {@link rooflineFigure}. */
export interface RooflineOptions extends BaseOptions {
  /** Number of samples of the roof curve (log-spaced). Default 64. */
  samples?: number;
}

/**
 * Roofline: attainable FLOP/s = min(peak, intensity × bandwidth) on log–log axes, the ridge point
 * marked, and each workload placed on the roof and labelled memory- or compute-bound.
 * @param gpu peak FLOP/s and bandwidth (bytes/s)
 * @param points workloads, each with an arithmetic intensity in FLOP/byte
 * @param options see {@link RooflineOptions}
 * @returns a plotly log–log figure, x in FLOP/byte, y in FLOP/s
 * @throws {RangeError|TypeError} on empty points, NaN or non-positive numbers, naming the field
 * @example rooflineFigure({ peakFlops: 2.25e15, bandwidthBytesPerSec: 8e12 }, [{ label: "decode", intensity: 2 }])
 */
export function rooflineFigure(gpu: RooflineGpu, points: readonly RooflinePoint[], options: RooflineOptions = {}): Figure {
  if (gpu === null || typeof gpu !== "object") throw new TypeError(`gpu must be { peakFlops, bandwidthBytesPerSec }, got ${show(gpu)}`);
  assertOptionalString("gpu.name", gpu.name);
  assertPositiveFinite("gpu.peakFlops", gpu.peakFlops);
  assertPositiveFinite("gpu.bandwidthBytesPerSec", gpu.bandwidthBytesPerSec);
  if (!Array.isArray(points as unknown)) throw new TypeError(`points must be an array, got ${show(points)}`);
  if (points.length === 0) throw new RangeError("points must not be empty");
  points.forEach((p, i) => {
    if (p === null || typeof p !== "object" || typeof p.label !== "string") throw new TypeError(`points[${i}] must be { label: string, intensity: number }`);
    assertPositiveFinite(`points[${i}].intensity`, p.intensity);
  });
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const samples = options.samples ?? 64;
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`options.samples must be an integer ≥ 2, got ${show(samples)}`);
  const ridge = gpu.peakFlops / gpu.bandwidthBytesPerSec;
  const all = [ridge, ...points.map((p) => p.intensity)];
  // One decade of margin each side of the ridge and the points.
  const lo = Math.log10(Math.min(...all) / 10);
  const hi = Math.log10(Math.max(...all) * 10);
  const roof = (i: number) => Math.min(gpu.peakFlops, i * gpu.bandwidthBytesPerSec);
  const xs: number[] = [];
  for (let s = 0; s < samples; s++) xs.push(10 ** (lo + ((hi - lo) * s) / (samples - 1)));
  xs.push(ridge);
  xs.sort((a, b) => a - b);
  const data: Trace[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "roof: min(peak, intensity × bandwidth)",
      x: xs.map((x) => round(x, 6)),
      y: xs.map((x) => round(roof(x), 0)),
      line: { color: COLORS.ink, width: 2.5 },
      hoverinfo: "skip",
    },
  ];
  points.forEach((p, i) => {
    const bound = p.intensity < ridge ? "memory-bound" : "compute-bound";
    data.push({
      type: "scatter",
      mode: "markers+text",
      name: `${p.label} (${fmt(p.intensity)} FLOP/B, ${bound})`,
      x: [round(p.intensity, 6)],
      y: [round(roof(p.intensity), 0)],
      text: [escapeHtml(p.label)],
      // Labels point into the plot (right of a memory-bound point, below the slanted roof; left of a compute-bound one,
      // below the flat roof), so a narrow figure does not cut them off at its edges.
      textposition: p.intensity < ridge ? "bottom right" : "bottom left",
      marker: { size: 13, color: categoricalColor(i + 1), line: { color: "#ffffff", width: 1.5 } },
      hovertemplate: `${escapeHtml(p.label)}<br>%{x:.3g} FLOP/byte → %{y:.3s}FLOP/s (${bound})<extra></extra>`,
    });
  });
  const name = gpu.name ?? "GPU";
  const layout = baseLayout(`Roofline of ${name}: ridge at ${fmt(ridge)} FLOP/byte`, options, 440);
  layout.xaxis = axis("arithmetic intensity (FLOP per byte from HBM)", { type: "log" });
  layout.yaxis = axis("attainable FLOP/s", { type: "log", exponentformat: "SI" });
  layout.shapes = [
    { type: "line", xref: "x", yref: "paper", x0: round(ridge, 6), x1: round(ridge, 6), y0: 0, y1: 1, line: { color: COLORS.muted, width: 1.5, dash: "dash" } },
  ];
  layout.annotations = [
    { text: `ridge ${fmt(ridge)} FLOP/B`, xref: "x", yref: "paper", x: Math.log10(ridge), y: 0.02, xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 11, color: COLORS.muted } },
  ];
  return { data, layout };
}

/** A GroupGEMM measurement: one point per tokens-per-expert value. */
export interface GroupGemmMeasurement {
  /** Tokens routed to each expert in the call (> 0). */
  tokensPerExpert: ArrayLike<number>;
  /** Measured time per token (per expert), µs (> 0). */
  timePerTokenUs: ArrayLike<number>;
  /** Legend label, e.g. `"tfjs cpu (this machine)"`. Default `"measured"`. */
  label?: string;
}

/** Options of {@link groupGemmFigure}. */
export interface GroupGemmOptions extends BaseOptions {
  /** FLOP per token through one expert (SwiGLU: 3 matmuls × 2 × hiddenSize × expertFfnSize). Required. */
  flopsPerToken: number;
  /**
   * The device's roofline for the same GEMM: peak FLOP/s, bandwidth in bytes/s and the bytes of one
   * expert's weights. The roof ignores activation bytes (small next to weights at low token counts).
   * Default: no roof drawn.
   */
  roofline?: { peakFlops: number; bandwidthBytesPerSec: number; weightBytes: number; name?: string };
}

/**
 * GroupGEMM efficiency: time per token (left) and achieved FLOP/s (right) vs tokens per expert
 * (log x), with the device's roofline and the crossover where weight loading stops dominating.
 * @param measured measured points
 * @param options `flopsPerToken` (required) and the optional `roofline`
 * @returns a plotly figure with two side-by-side panels
 * @throws {RangeError|TypeError} on mismatched lengths, NaN, non-positive values, missing flopsPerToken
 * @example groupGemmFigure({ tokensPerExpert: [1, 8, 64], timePerTokenUs: [40, 6, 1.2] }, { flopsPerToken: 4.4e7 })
 */
export function groupGemmFigure(measured: GroupGemmMeasurement, options: GroupGemmOptions): Figure {
  if (measured === null || typeof measured !== "object") throw new TypeError(`measured must be { tokensPerExpert, timePerTokenUs }, got ${show(measured)}`);
  assertOptionalString("measured.label", measured.label);
  assertNumbers("measured.tokensPerExpert", measured.tokensPerExpert, "positive");
  assertNumbers("measured.timePerTokenUs", measured.timePerTokenUs, "positive");
  assertSameLength("measured.tokensPerExpert", measured.tokensPerExpert, "measured.timePerTokenUs", measured.timePerTokenUs);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object with flopsPerToken, got ${show(options)}`);
  assertPositiveFinite("options.flopsPerToken", options.flopsPerToken);
  const label = measured.label ?? "measured";
  const tpe = toArray(measured.tokensPerExpert);
  const t = toArray(measured.timePerTokenUs, 6);
  const flops = t.map((us) => round(options.flopsPerToken / (us * 1e-6), 0));
  const data: Trace[] = [
    { type: "scatter", mode: "lines+markers", name: label, x: tpe, y: t, line: { color: COLORS.measured, width: 2.5 }, marker: { size: 7 }, legendgroup: "m", hovertemplate: "%{x} tokens/expert: %{y:.3g} µs/token<extra></extra>" },
    { type: "scatter", mode: "lines+markers", name: label, showlegend: false, x: tpe, y: flops, xaxis: "x2", yaxis: "y2", line: { color: COLORS.measured, width: 2.5 }, marker: { size: 7 }, legendgroup: "m", hovertemplate: "%{x} tokens/expert: %{y:.3s}FLOP/s<extra></extra>" },
  ];
  const layout = baseLayout("GroupGEMM: few tokens per expert means paying for the weights, not the math", options, 420);
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [
    { text: "<b>time per token</b>", xref: "paper", yref: "paper", x: 0.22, y: 1, xanchor: "center", yanchor: "bottom", showarrow: false },
    { text: "<b>achieved FLOP/s</b>", xref: "paper", yref: "paper", x: 0.78, y: 1, xanchor: "center", yanchor: "bottom", showarrow: false },
  ];
  if (options.roofline !== undefined) {
    const r = options.roofline;
    if (r === null || typeof r !== "object") throw new TypeError("options.roofline must be { peakFlops, bandwidthBytesPerSec, weightBytes }");
    assertPositiveFinite("options.roofline.peakFlops", r.peakFlops);
    assertPositiveFinite("options.roofline.bandwidthBytesPerSec", r.bandwidthBytesPerSec);
    assertPositiveFinite("options.roofline.weightBytes", r.weightBytes);
    assertOptionalString("options.roofline.name", r.name);
    const crossover = (r.weightBytes * r.peakFlops) / (options.flopsPerToken * r.bandwidthBytesPerSec);
    const lo = Math.min(...tpe, crossover / 4);
    const hi = Math.max(...tpe, crossover * 4);
    const xs: number[] = [];
    const steps = 48;
    for (let s = 0; s <= steps; s++) xs.push(round(10 ** (Math.log10(lo) + ((Math.log10(hi) - Math.log10(lo)) * s) / steps), 6));
    const timeRoof = (n: number) => Math.max(options.flopsPerToken / r.peakFlops, r.weightBytes / (n * r.bandwidthBytesPerSec)) * 1e6;
    const name = `roofline${r.name ? ` (${r.name})` : ""}`;
    data.push(
      { type: "scatter", mode: "lines", name, x: xs, y: xs.map((n) => round(timeRoof(n), 6)), line: { color: COLORS.ink, width: 2, dash: "dash" }, legendgroup: "r", hoverinfo: "skip" },
      { type: "scatter", mode: "lines", name, showlegend: false, x: xs, y: xs.map((n) => round(options.flopsPerToken / (timeRoof(n) * 1e-6), 0)), xaxis: "x2", yaxis: "y2", line: { color: COLORS.ink, width: 2, dash: "dash" }, legendgroup: "r", hoverinfo: "skip" },
    );
    for (const xs2 of ["x", "x2"]) {
      shapes.push({ type: "line", xref: xs2, yref: `${xs2 === "x" ? "y" : "y2"} domain`, x0: round(crossover, 6), x1: round(crossover, 6), y0: 0, y1: 1, line: { color: COLORS.muted, width: 1, dash: "dot" } });
    }
    annotations.push({ text: `dotted: roof turns compute-bound at ≈${fmt(crossover)} tokens/expert`, xref: "x2 domain", yref: "y2 domain", x: 1, y: 0.02, xanchor: "right", yanchor: "bottom", showarrow: false, font: { size: 11, color: COLORS.muted } });
  }
  layout.xaxis = axis("tokens per expert", { type: "log", domain: [0, 0.44] });
  layout.yaxis = axis("µs per token", { type: "log" });
  layout.xaxis2 = axis("tokens per expert", { type: "log", domain: [0.56, 1], anchor: "y2" });
  layout.yaxis2 = axis("FLOP/s", { type: "log", anchor: "x2", exponentformat: "SI" });
  layout.shapes = shapes;
  layout.annotations = annotations;
  return { data, layout };
}
