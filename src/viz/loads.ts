/**
 * GPU load figures: stacked bars (one segment per expert replica on the GPU) for one placement, or
 * several placements side by side (contiguous / greedy / EPLB with replicas), each with a mean line
 * and its balancedness (mean / max GPU load) in the panel title.
 */
import {
  COLORS,
  Figure,
  BaseOptions,
  Trace,
  assertDivisible,
  assertIndex,
  assertNumbers,
  assertOptionalBoolean,
  assertOptionalString,
  assertPositiveInt,
  axis,
  baseLayout,
  categoricalColor,
  escapeHtml,
  fmt,
  loadSummary,
  round,
  show,
} from "./figure";

/** What sits on each GPU and how much load each replica carries. */
export interface PlacementLoads {
  /** Name of the placement, e.g. `"contiguous"`, `"greedy"`, `"EPLB (+4 replicas)"`. */
  label: string;
  /** Logical expert id of each slot, `[gpus][slotsOnGpu]`. */
  experts: number[][];
  /** Load of each slot in tokens, `[gpus][slotsOnGpu]` (same shape as `experts`). */
  loads: number[][];
}

/**
 * Split a flat slot list (`phy2log`, slots in GPU order) into per-GPU lists.
 * @param phy2log logical expert id of each physical slot, `[slots]` (integers ≥ 0)
 * @param numGpus GPUs (integer ≥ 1); must divide the number of slots
 * @returns `[gpus][slotsPerGpu]` logical expert ids
 * @throws {TypeError|RangeError} naming `phy2log[i]` (not an integer ≥ 0, or empty), or when `numGpus` is not a
 *   positive integer dividing `phy2log.length`
 * @example slotsByGpu([0, 1, 2, 0], 2) // [[0, 1], [2, 0]]
 */
export function slotsByGpu(phy2log: ArrayLike<number>, numGpus: number): number[][] {
  assertNumbers("phy2log", phy2log, 0);
  for (let i = 0; i < phy2log.length; i++) {
    if (!Number.isInteger(phy2log[i])) throw new RangeError(`phy2log[${i}] must be an integer expert id, got ${show(phy2log[i])}`);
  }
  assertDivisible("phy2log.length", phy2log.length, "numGpus", numGpus);
  const per = phy2log.length / numGpus;
  const out: number[][] = [];
  for (let g = 0; g < numGpus; g++) out.push(Array.from({ length: per }, (_, s) => phy2log[g * per + s]));
  return out;
}

/**
 * Per-slot loads of a placement: each expert's load is split evenly over its replicas.
 * @param expertLoad tokens routed to each logical expert, `[experts]`, each finite and ≥ 0
 * @param gpuExperts logical expert ids on each GPU, `[gpus][slotsOnGpu]` (see {@link slotsByGpu})
 * @param label placement name shown in figures
 * @returns a {@link PlacementLoads} (loads in tokens, `[gpus][slotsOnGpu]`)
 * @throws {TypeError|RangeError} naming the field: empty or non-finite/negative `expertLoad`, empty or
 *   non-array `gpuExperts`, an expert id out of range, an expert with load but no slot, a non-string label
 * @example placementLoads([6, 2], [[0], [0, 1]], "demo").loads // [[3], [3, 2]]
 */
export function placementLoads(expertLoad: ArrayLike<number>, gpuExperts: readonly (readonly number[])[], label: string): PlacementLoads {
  assertNumbers("expertLoad", expertLoad, 0);
  if (!Array.isArray(gpuExperts as unknown)) throw new TypeError(`gpuExperts must be an array of arrays, got ${show(gpuExperts)}`);
  if (gpuExperts.length === 0) throw new RangeError("gpuExperts must not be empty");
  if (typeof label !== "string") throw new TypeError(`label must be a string, got ${show(label)}`);
  const replicas = new Array<number>(expertLoad.length).fill(0);
  gpuExperts.forEach((slots, g) => {
    if (!Array.isArray(slots as unknown)) throw new TypeError(`gpuExperts[${g}] must be an array, got ${show(slots)}`);
    slots.forEach((e, s) => {
      assertIndex(`gpuExperts[${g}][${s}]`, e, expertLoad.length, "expertLoad.length");
      replicas[e]++;
    });
  });
  for (let e = 0; e < expertLoad.length; e++) {
    if (replicas[e] === 0 && expertLoad[e] > 0) {
      throw new RangeError(`expert ${e} has load ${expertLoad[e]} but no slot in gpuExperts`);
    }
  }
  return {
    label,
    experts: gpuExperts.map((slots) => slots.slice()),
    loads: gpuExperts.map((slots) => slots.map((e) => expertLoad[e] / replicas[e])),
  };
}

/** Options of {@link loadBarsFigure} and {@link placementComparisonFigure}. */
export interface LoadBarsOptions extends BaseOptions {
  /** Y-axis title (the load's unit). Default `"tokens"`. */
  yTitle?: string;
  /** Draw a dashed line at the mean GPU load. Default true. */
  showMean?: boolean;
  /** Label each segment with its expert id (`E5`) when there are at most this many slots per GPU. Default 4. */
  maxLabelledSlots?: number;
  /** Prefix of the GPU tick labels. Default `"GPU "`. */
  gpuPrefix?: string;
}

/**
 * GPU loads of one placement as stacked bars (a segment per expert replica), with mean line and
 * balancedness in the title.
 * @param placement what sits on each GPU and its load
 * @param options see {@link LoadBarsOptions}
 * @returns a plotly stacked bar figure
 * @throws {RangeError|TypeError} on mismatched shapes, NaN or negative loads, naming the field
 * @example loadBarsFigure({ label: "greedy", experts: [[0], [1, 2]], loads: [[6], [2, 1]] })
 */
export function loadBarsFigure(placement: PlacementLoads, options: LoadBarsOptions = {}): Figure {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  return placementComparisonFigure([placement], {
    ...options,
    title: options.title ?? singleTitle(placement),
  });
}

/**
 * Several placements side by side with a shared load axis, each panel titled with its
 * balancedness (mean / max GPU load; 1 = perfectly balanced).
 * @param placements one or more placements of the same workload
 * @param options see {@link LoadBarsOptions}
 * @returns a plotly figure, one stacked-bar subplot per placement
 * @throws {RangeError|TypeError} on an empty list, mismatched shapes, NaN or negative loads
 * @example
 * placementComparisonFigure([
 *   { label: "contiguous", experts: [[0, 1], [2, 3]], loads: [[5, 3], [1, 1]] },
 *   { label: "greedy", experts: [[0, 3], [1, 2]], loads: [[5, 1], [3, 1]] },
 * ])
 */
export function placementComparisonFigure(placements: readonly PlacementLoads[], options: LoadBarsOptions = {}): Figure {
  if (!Array.isArray(placements as unknown)) throw new TypeError(`placements must be an array, got ${show(placements)}`);
  if (placements.length === 0) throw new RangeError("placements must not be empty");
  placements.forEach((p, i) => assertPlacement(`placements[${i}]`, p));
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const maxLabelled = options.maxLabelledSlots ?? 4;
  assertPositiveInt("options.maxLabelledSlots", maxLabelled);
  assertOptionalString("options.yTitle", options.yTitle);
  assertOptionalString("options.gpuPrefix", options.gpuPrefix);
  assertOptionalBoolean("options.showMean", options.showMean);
  const prefix = options.gpuPrefix ?? "GPU ";
  const showMean = options.showMean ?? true;

  const n = placements.length;
  const gap = n > 1 ? 0.05 : 0;
  const w = (1 - gap * (n - 1)) / n;
  let yMax = 0;
  for (const p of placements) for (const row of p.loads) yMax = Math.max(yMax, row.reduce((a, b) => a + b, 0));
  const data: Trace[] = [];
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const title = options.title ?? (n === 1 ? placements[0].label : `GPU loads under ${n} placements`);
  const layout = baseLayout(title, options, 420);

  placements.forEach((p, pi) => {
    const xs = pi === 0 ? "x" : `x${pi + 1}`;
    const ys = pi === 0 ? "y" : `y${pi + 1}`;
    const gpus = p.experts.map((_, g) => `${prefix}${g}`);
    const totals = p.loads.map((row) => row.reduce((a, b) => a + b, 0));
    const { mean, max, balancedness } = loadSummary(totals);
    const maxSlots = Math.max(...p.experts.map((row) => row.length));
    const replicaCount = new Map<number, number>();
    for (const row of p.experts) for (const e of row) replicaCount.set(e, (replicaCount.get(e) ?? 0) + 1);
    for (let s = 0; s < maxSlots; s++) {
      const y: number[] = [];
      const colors: string[] = [];
      const text: string[] = [];
      const hover: string[] = [];
      p.experts.forEach((row, g) => {
        const e = row[s];
        if (e === undefined) {
          y.push(0);
          colors.push("rgba(0,0,0,0)");
          text.push("");
          hover.push("");
          return;
        }
        const r = replicaCount.get(e) ?? 1;
        y.push(round(p.loads[g][s], 6));
        colors.push(categoricalColor(e));
        text.push(maxSlots <= maxLabelled ? `E${e}` : "");
        hover.push(`${gpus[g]} slot ${s}: expert ${e}${r > 1 ? ` (1 of ${r} replicas)` : ""}<br>${fmt(p.loads[g][s])} ${options.yTitle ?? "tokens"}`);
      });
      data.push({
        type: "bar",
        name: `slot ${s}`,
        showlegend: false,
        x: gpus,
        y,
        text,
        textposition: "inside",
        insidetextanchor: "middle",
        textfont: { color: "#ffffff", size: 11 },
        hovertext: hover,
        hovertemplate: "%{hovertext}<extra></extra>",
        marker: { color: colors, line: { color: "#ffffff", width: 1 } },
        xaxis: xs,
        yaxis: ys,
      });
    }
    const x0 = round(pi * (w + gap), 6);
    layout[pi === 0 ? "xaxis" : `xaxis${pi + 1}`] = axis("", { domain: [x0, round(x0 + w, 6)], anchor: ys, ticks: "" });
    layout[pi === 0 ? "yaxis" : `yaxis${pi + 1}`] = axis(pi === 0 ? options.yTitle ?? "tokens" : "", {
      range: [0, round(yMax * 1.08, 6)],
      anchor: xs,
      showticklabels: pi === 0,
    });
    if (showMean) {
      shapes.push({
        type: "line",
        xref: `${xs} domain`,
        yref: ys,
        x0: 0,
        x1: 1,
        y0: round(mean, 6),
        y1: round(mean, 6),
        line: { color: COLORS.mean, width: 1.5, dash: "dash" },
      });
    }
    if (n > 1) {
      annotations.push({
        text: `<b>${escapeHtml(p.label)}</b><br>balancedness ${balancedness.toFixed(2)}<br>max ${fmt(max)} · mean ${fmt(mean)}`,
        xref: "paper",
        yref: "paper",
        x: round(x0 + w / 2, 6),
        y: 1.0,
        xanchor: "center",
        yanchor: "bottom",
        showarrow: false,
        font: { size: 12 },
      });
    }
  });
  layout.barmode = "stack";
  layout.bargap = 0.25;
  layout.showlegend = false;
  layout.shapes = shapes;
  layout.annotations = annotations;
  layout.uniformtext = { minsize: 9, mode: "hide" };
  if (n > 1) layout.margin = { l: 64, r: 24, t: 118, b: 48 };
  return { data, layout };
}

function singleTitle(placement: PlacementLoads): string {
  assertPlacement("placement", placement);
  const s = loadSummary(placement.loads.map((row) => row.reduce((a, b) => a + b, 0)));
  return `GPU load, ${placement.label}: balancedness ${s.balancedness.toFixed(2)} (mean ${fmt(s.mean)} / max ${fmt(s.max)})`;
}

/**
 * Balancedness (mean / max of the GPU totals) of a placement.
 * @param placement what sits on each GPU and its load in tokens, `[gpus][slotsOnGpu]`
 * @returns mean / max GPU load in [0, 1] (1 = perfectly balanced; 1 when every GPU is idle)
 * @throws {TypeError|RangeError} naming the field on mismatched shapes, NaN or negative loads
 * @example balancednessOf({ label: "x", experts: [[0], [1]], loads: [[3], [1]] }) // 0.6666666666666666 (mean 2 / max 3)
 */
export function balancednessOf(placement: PlacementLoads): number {
  assertPlacement("placement", placement);
  return loadSummary(placement.loads.map((row) => row.reduce((a, b) => a + b, 0))).balancedness;
}

function assertPlacement(name: string, p: PlacementLoads): void {
  if (p === null || typeof p !== "object") throw new TypeError(`${name} must be { label, experts, loads }, got ${show(p)}`);
  if (typeof p.label !== "string") throw new TypeError(`${name}.label must be a string, got ${show(p.label)}`);
  if (!Array.isArray(p.experts) || p.experts.length === 0) throw new RangeError(`${name}.experts must be a non-empty array of arrays`);
  if (!Array.isArray(p.loads)) throw new TypeError(`${name}.loads must be an array of arrays, got ${show(p.loads)}`);
  if (p.loads.length !== p.experts.length) {
    throw new RangeError(`${name}.loads must have one row per GPU like ${name}.experts (${p.experts.length}), got ${p.loads.length}`);
  }
  for (let g = 0; g < p.experts.length; g++) {
    const er = p.experts[g];
    const lr = p.loads[g];
    if (!Array.isArray(er)) throw new TypeError(`${name}.experts[${g}] must be an array, got ${show(er)}`);
    if (!Array.isArray(lr)) throw new TypeError(`${name}.loads[${g}] must be an array, got ${show(lr)}`);
    if (er.length !== lr.length) {
      throw new RangeError(`${name}.loads[${g}] must have the same length as ${name}.experts[${g}] (${er.length}), got ${lr.length}`);
    }
    er.forEach((e, s) => {
      if (typeof e !== "number" || !Number.isInteger(e) || e < 0) throw new RangeError(`${name}.experts[${g}][${s}] must be an integer ≥ 0, got ${show(e)}`);
    });
    lr.forEach((v, s) => {
      if (typeof v !== "number") throw new TypeError(`${name}.loads[${g}][${s}] must be a number, got ${show(v)}`);
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name}.loads[${g}][${s}] must be finite and ≥ 0, got ${show(v)}`);
    });
  }
}
