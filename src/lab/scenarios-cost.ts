/**
 * Lab 3.1 scenarios built on the cost model: prefill-vs-decode intensity, active parameters, DeepEP bytes and
 * latency, experts and memory per GPU, NVL72 vs InfiniBand all-to-all, and the EP8-vs-EP32 frontier.
 * (Exercises 2 and 4 live in scenarios-exercises.ts.)
 * All numbers come from `src/cost` (cited catalogs, roofline, all-to-all and decode-step models).
 */
import {
  prefillVsDecode,
  getModel,
  getGpu,
  paramCounts,
  allToAllTime,
  DEEPEP_LOW_LATENCY,
  memoryPerGpu,
  frontierByMechanism,
  type MechanismFrontier,
  type MechanismFrontierPoint,
  NVIDIA_WIDE_EP_CLAIM,
  MODEL_CHECKPOINTS,
  peakFlops,
  ridgePoint,
  crossoverTokens,
  sensitivity,
  wideEpRatioByMechanism,
  NVL72_WIDE_EP_CASE,
} from "../cost";
import { frontierFigure, allToAllLatencyFigure, rooflineFigure, memoryBarsFigure, tornadoFigure } from "../viz";
import type { Figure } from "../viz";
import { assertNonEmptyArray, assertPositiveInt } from "../util";
import { Summary } from "./scenarios-eplb";

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** One row of {@link prefillDecodeIntensity}. */
export interface IntensityRow {
  phase: string;
  tokens: number;
  /** FLOP per byte of HBM traffic */
  intensity: number;
  /** the GPU's FLOP/byte ridge point */
  ridgePoint: number;
  bound: string;
}

/**
 * Arithmetic intensity (FLOP per HBM byte) of one decode step (64 sequences) and one prefill chunk of
 * DeepSeek-V3 on a GPU, beside the GPU's FP8 ridge point (the cost model's `prefillVsDecode` defaults).
 * @param gpu catalog GPU name (default "h100")
 * @returns two rows (decode, prefill): tokens, intensity and the ridge point in FLOP/byte, and the bound
 * @throws {TypeError|RangeError} for a gpu that is not a string or not in the catalog (listing the known ones)
 * @example prefillDecodeIntensity()[0].bound; // "memory-bound"
 */
export function prefillDecodeIntensity(gpu = "h100"): IntensityRow[] {
  const r = prefillVsDecode({ model: "deepseek-v3", gpu });
  return [r.decode, r.prefill].map((x) => ({
    phase: x.phase === "decode" ? "decode step (64 sequences)" : `prefill chunk (${x.tokens} tokens)`,
    tokens: x.tokens,
    intensity: r1(x.intensity),
    ridgePoint: r1(r.ridge),
    bound: `${x.bound}-bound`,
  }));
}

/**
 * The same two phases on the GPU's roofline: attainable FLOP/s = min(peak FP8 FLOP/s, intensity × HBM bytes/s).
 * @param gpu catalog GPU name (default "h100")
 * @returns a plotly figure spec (log-log roofline with the decode and prefill points)
 * @throws {RangeError} for an unknown GPU name (listing the known ones)
 * @example prefillDecodeFigure().data.length > 1; // true
 */
export function prefillDecodeFigure(gpu = "h100"): Figure {
  const g = getGpu(gpu);
  const r = prefillVsDecode({ model: "deepseek-v3", gpu: g });
  return rooflineFigure(
    { peakFlops: peakFlops(g, "fp8"), bandwidthBytesPerSec: g.hbmTBps * 1e12, name: `${g.label} (FP8)` },
    [
      { label: `decode step (${r.decode.tokens} sequences)`, intensity: r.decode.intensity },
      { label: `prefill chunk (${r.prefill.tokens} tokens)`, intensity: r.prefill.intensity },
    ],
  );
}

/**
 * Total and active parameters of a catalog model, and forward FLOPs per token (≈ 2 per active parameter).
 * @param model catalog name, default "deepseek-v3"
 * @returns rows with the published and the architecture-derived counts (parameters in billions, GFLOPs per token)
 * @throws {RangeError} for a model not in the catalog (listing the known ones)
 * @example activeParameterSummary()[0].published; // "671B"
 */
export function activeParameterSummary(model = "deepseek-v3"): { quantity: string; published: string; fromArchitecture: string }[] {
  const m = getModel(model);
  const c = paramCounts(m);
  const b = (x: number) => `${r1(x / 1e9)}B`;
  return [
    { quantity: "total parameters", published: `${m.totalParamsB}B`, fromArchitecture: b(c.totalParams) },
    { quantity: "active parameters per token", published: `${m.activeParamsB}B`, fromArchitecture: b(c.activeParams) },
    { quantity: "active share", published: `${r1((100 * m.activeParamsB) / m.totalParamsB)}%`, fromArchitecture: `${r1((100 * c.activeParams) / c.totalParams)}%` },
    { quantity: "forward GFLOPs per token (2 × active)", published: `${r1((2 * m.activeParamsB * 1e9) / 1e9)}`, fromArchitecture: `${r1((2 * c.activeParams) / 1e9)}` },
    { quantity: "routed experts chosen per token", published: `${m.topK} of ${m.numExperts} (+${m.numSharedExperts} shared)`, fromArchitecture: `${r1((100 * m.topK) / m.numExperts)}% of routed experts` },
  ];
}

// ─── Section 6.3: DeepEP ──────────────────────────────────────────────────────────────────────

/**
 * Dispatch/combine bytes per token and modelled low-latency all-to-all time vs EP, beside DeepEP's
 * published H800 measurements (128 tokens per rank, hidden 7168, top-8).
 * @returns the latency figure (µs per MoE layer vs EP size) and the dispatch / combine bytes per token per
 *   layer (and KB per token over all MoE layers)
 * @throws never (fixed inputs)
 * @example deepEpDemo().bytesRows.length; // 2
 */
export function deepEpDemo(): { figure: Figure; bytesRows: { direction: string; precision: string; bytesPerTokenPerLayer: number; kbPerTokenAllLayers: number }[] } {
  const d = DEEPEP_LOW_LATENCY;
  const eps = d.points.map((p) => p.epSize);
  const model = eps.map((ep) => allToAllTime({ gpu: "h800", epSize: ep, tokensPerRank: d.tokensPerRank, hiddenSize: d.hiddenSize, topK: d.topK }));
  const figure = allToAllLatencyFigure(
    { label: "cost model", epSizes: eps, dispatchUs: model.map((m) => r1(m.dispatchUs)), combineUs: model.map((m) => r1(m.combineUs)) },
    { label: "DeepEP measured (H800)", epSizes: eps, dispatchUs: d.points.map((p) => p.dispatchUs), combineUs: d.points.map((p) => p.combineUs) },
    { title: "Low-latency all-to-all per MoE layer, 128 tokens per rank (DeepSeek-V3 sizes)" },
  );
  const ds = getModel("deepseek-v3");
  const first = model[0];
  return {
    figure,
    bytesRows: [
      { direction: "dispatch (token → its 8 experts)", precision: "FP8 + scales", bytesPerTokenPerLayer: Math.round(first.dispatchBytesPerToken), kbPerTokenAllLayers: Math.round((first.dispatchBytesPerToken * ds.numMoeLayers) / 1024) },
      { direction: "combine (8 expert outputs → token)", precision: "BF16", bytesPerTokenPerLayer: Math.round(first.combineBytesPerToken), kbPerTokenAllLayers: Math.round((first.combineBytesPerToken * ds.numMoeLayers) / 1024) },
    ],
  };
}

// ─── Section 8 ────────────────────────────────────────────────────────────────────────────────

/**
 * Experts per GPU for each EP size (numExperts must be divisible by each).
 * @param numExperts routed experts (integer ≥ 1)
 * @param epSizes EP sizes (GPUs), a non-empty array of positive integers dividing `numExperts`
 * @returns one row per EP size: experts per GPU and DeepSeek-V3's routed-expert weights per GPU in GB (GB200)
 * @throws {TypeError|RangeError} naming `numExperts` or `epSizes[i]` (not a positive integer, or not dividing
 *   numExperts); for an empty or non-array `epSizes`
 * @example expertsPerGpuRows(256, [8, 64])[1].expertsPerGpu; // 4
 */
export function expertsPerGpuRows(numExperts: number, epSizes: readonly number[]): { epSize: number; expertsPerGpu: number; deepseekV3ExpertWeightsPerGpuGB: number }[] {
  assertPositiveInt("numExperts", numExperts);
  assertNonEmptyArray("epSizes", epSizes);
  return epSizes.map((ep, i) => {
    assertPositiveInt(`epSizes[${i}]`, ep);
    if (numExperts % ep !== 0) throw new RangeError(`epSizes[${i}] = ${ep} does not divide numExperts = ${numExperts}`);
    const mem = memoryPerGpu({ model: "deepseek-v3", gpu: "gb200", epSize: ep });
    return { epSize: ep, expertsPerGpu: numExperts / ep, deepseekV3ExpertWeightsPerGpuGB: r1(mem.expertWeightsGB) };
  });
}

/**
 * Roofline crossover: tokens per expert at which a SwiGLU expert GEMM becomes compute-bound, per GPU, FP8 weights.
 * One definition, used throughout the lab and computed by the cost library's `crossoverTokens` with its defaults:
 * peak dense FP8 FLOP/s and peak HBM bytes/s (the ridge point), weight bytes only (activations ignored). An expert
 * with T tokens does 6·T·H·I FLOPs and reads 3·H·I·b bytes (b ≈ 1.0002 bytes per FP8 weight, the values plus one
 * FP32 scale per 128×128 block), so its intensity is 2·T/b FLOP/byte and the crossover is T* = b·ridge ÷ 2 ≈ ridge ÷ 2.
 * Achievable rates below peak, or counting the activation bytes, move T* (both are left out on purpose so the number
 * is reproducible by hand).
 * @param gpus catalog GPU names, a non-empty array (default h100, h200, b200, gb200)
 * @returns one row per GPU: FP8 ridge point in FLOP/byte (1 decimal) and the crossover in tokens per expert (rounded)
 * @throws {TypeError|RangeError} for an empty or non-array `gpus`, or a name not in the catalog
 * @example crossoverRows(["gb200"])[0].crossoverTokensPerExpert; // 313 (1.0002 · ridge 625 ÷ 2 = 312.6, rounded)
 */
export function crossoverRows(gpus: readonly string[] = ["h100", "h200", "b200", "gb200"]): { gpu: string; ridgePointFlopPerByte: number; crossoverTokensPerExpert: number }[] {
  assertNonEmptyArray("gpus", gpus);
  return gpus.map((name) => {
    const g = getGpu(name);
    return { gpu: name, ridgePointFlopPerByte: r1(ridgePoint(g, "fp8")), crossoverTokensPerExpert: Math.round(crossoverTokens(g, "fp8")) };
  });
}

/** What {@link memoryRows} shows in the batch columns of an EP size whose weights do not fit on the GPU. */
export const DOES_NOT_FIT = "does not fit";

/** One row of {@link memoryRows}. */
export interface MemoryRow {
  /** EP size (GPUs). */
  epSize: number;
  /** Routed experts per GPU. */
  expertsPerGpu: number;
  /** Routed-expert weights per GPU, GB (1 decimal). */
  expertWeightsGB: number;
  /** Other weights per GPU (attention, dense FFN, shared expert, embeddings), GB (1 decimal). */
  otherWeightsGB: number;
  /** KV cache of one 4096-token sequence, GB (3 decimals). */
  kvGBPerSequence: number;
  /** Whether the weights and the workspace reserve fit in the GPU's HBM with room for at least one sequence. */
  feasible: boolean;
  /** Largest decode batch that fits (sequences per GPU), or {@link DOES_NOT_FIT}. */
  maxBatchPerGpu: number | typeof DOES_NOT_FIT;
  /** Tokens each expert sees per step at that batch (1 decimal), or {@link DOES_NOT_FIT}. */
  tokensPerExpertAtMaxBatch: number | typeof DOES_NOT_FIT;
  /** Why it does not fit (the GB that exceed HBM); only on a row that does not fit, so a table of rows that all fit has no empty column. */
  infeasibleReason?: string;
}

/**
 * Memory per GPU and the largest decode batch that fits, DeepSeek-V3 FP8 on a GPU (default GB200), 4096-token
 * contexts. An EP size whose weights and reserve leave no room for one sequence is not a batch of 0: its row says
 * `feasible: false`, the batch columns say "does not fit" and `infeasibleReason` gives the numbers.
 * @param epSizes EP sizes (GPUs), a non-empty array of positive integers
 * @param gpu catalog GPU name (default "gb200"; try "h100", "h200", "b200")
 * @returns one {@link MemoryRow} per EP size: experts per GPU, expert and other weights in GB, KV cache in GB per
 *   sequence, whether it fits, the largest batch (sequences per GPU) that fits and the tokens per expert at that batch
 * @throws {TypeError|RangeError} naming `epSizes[i]` (not a positive integer), for an empty or non-array
 *   `epSizes`, or an unknown GPU
 * @example memoryRows([8, 64])[1].maxBatchPerGpu > memoryRows([8, 64])[0].maxBatchPerGpu; // true
 * @example memoryRows([8], "h100")[0].maxBatchPerGpu; // "does not fit" (≈ 82 GB of experts + 19 GB of other weights > 80 GB)
 */
export function memoryRows(epSizes: readonly number[], gpu = "gb200"): MemoryRow[] {
  assertNonEmptyArray("epSizes", epSizes);
  const m = getModel("deepseek-v3");
  return epSizes.map((ep, i) => {
    assertPositiveInt(`epSizes[${i}]`, ep);
    const r = memoryPerGpu({ model: m, gpu, epSize: ep, kvLen: 4096 });
    const feasible = r.maxBatchPerGpu > 0;
    const need = r.weightsGB + r.reserveGB + r.kvGBPerSequence;
    return {
      epSize: ep,
      expertsPerGpu: r.expertsPerGpu,
      expertWeightsGB: r1(r.expertWeightsGB),
      otherWeightsGB: r1(r.replicatedWeightsGB),
      kvGBPerSequence: r3(r.kvGBPerSequence),
      feasible,
      maxBatchPerGpu: feasible ? r.maxBatchPerGpu : DOES_NOT_FIT,
      tokensPerExpertAtMaxBatch: feasible ? r1((r.maxBatchPerGpu * ep * m.topK) / m.numExperts) : DOES_NOT_FIT,
      ...(feasible ? {} : { infeasibleReason: `weights ${r1(r.weightsGB)} GB + reserve ${r1(r.reserveGB)} GB + one sequence's KV ${r3(r.kvGBPerSequence)} GB = ${r1(need)} GB > ${r.capacityGB} GB of HBM` }),
    };
  });
}

/**
 * Memory per GPU as stacked bars against HBM capacity: DeepSeek-V3 FP8 on a GPU, 4096-token contexts,
 * each EP size at the largest decode batch that fits (the KV-cache bar is that batch's cache).
 * @param epSizes EP sizes (GPUs), a non-empty array of positive integers
 * @param gpu catalog GPU name (default "gb200")
 * @returns a plotly figure spec (GB per GPU)
 * @throws {TypeError|RangeError} naming a bad EP size (`epSizes[i]`), an empty or non-array `epSizes`, or an
 *   unknown GPU
 * @example memoryFigure([8, 64]).data.length >= 3; // true
 */
export function memoryFigure(epSizes: readonly number[], gpu = "gb200"): Figure {
  assertNonEmptyArray("epSizes", epSizes);
  const m = getModel("deepseek-v3");
  const g = getGpu(gpu);
  const rows = epSizes.map((ep, i) => {
    assertPositiveInt(`epSizes[${i}]`, ep);
    return memoryPerGpu({ model: m, gpu: g, epSize: ep, kvLen: 4096 });
  });
  return memoryBarsFigure(
    {
      epSizes: epSizes.slice(),
      expertWeightsGB: rows.map((r) => r.expertWeightsGB),
      otherWeightsGB: rows.map((r) => r.replicatedWeightsGB),
      kvCacheGB: rows.map((r) => r.kvGBPerSequence * r.maxBatchPerGpu),
      reserveGB: rows.map((r) => r.reserveGB),
    },
    { hbmCapacityGB: rows.length ? rows[0].capacityGB : g.hbmGB, gpuName: g.name.toUpperCase() },
  );
}

/**
 * Modelled dispatch + combine per MoE layer on GB200 NVL72 vs H100 nodes (400 Gb/s between nodes),
 * 128 tokens per rank, DeepSeek-V3 sizes. EP sizes not dividing 256 are allowed here (traffic only).
 * @param epSizes EP sizes (GPUs), a non-empty array of positive integers
 * @returns one row per EP size: dispatch + combine in µs per MoE layer on each system and its bottleneck link
 * @throws {TypeError|RangeError} naming `epSizes[i]` (not a positive integer), or for an empty or non-array `epSizes`
 * @example nvl72Rows([8, 72]).length; // 2
 */
export function nvl72Rows(epSizes: readonly number[]): { epSize: number; gb200Nvl72Us: number; gb200Link: string; h100NodesUs: number; h100Link: string }[] {
  assertNonEmptyArray("epSizes", epSizes);
  return epSizes.map((ep, i) => {
    assertPositiveInt(`epSizes[${i}]`, ep);
    const a = allToAllTime({ gpu: "gb200", epSize: ep, tokensPerRank: 128 });
    const b = allToAllTime({ gpu: "h100", epSize: ep, tokensPerRank: 128 });
    return { epSize: ep, gb200Nvl72Us: r1(a.dispatchUs + a.combineUs), gb200Link: a.bottleneck, h100NodesUs: r1(b.dispatchUs + b.combineUs), h100Link: b.bottleneck };
  });
}

/**
 * NVIDIA's published operating point for "up to 1.8×", as the cost model's calibrated case (`NVL72_WIDE_EP_CASE`:
 * DeepSeek-R1, GB200 NVL72, EP32 vs EP8, 100 tokens/s per user, MTP), with the checkpoint it describes.
 */
export const NVIDIA_OPERATING_POINT = Object.freeze({
  ...NVL72_WIDE_EP_CASE,
  /** NVIDIA's DeepSeek-R1-FP4 checkpoint (cost catalog, cited): MoE weights NVFP4, the rest FP8. */
  checkpoint: MODEL_CHECKPOINTS["deepseek-v3"][1],
});

/** One row of {@link operatingPointRows}: the model's EP32 ÷ EP8 ratio at 100 tokens/s per user under one set of assumptions. */
export interface OperatingPointRow {
  assumption: string;
  ep8TokensPerSecPerGpu: number | null;
  ep32TokensPerSecPerGpu: number | null;
  ratio: number | null;
  versusNvidia: string;
}

/**
 * The calibrated model (`wideEpRatioByMechanism`, the calibration report's NVL72 case) at NVIDIA's published operating
 * point, and what happens when one assumption changes at a time (weight
 * precision, MTP, overlap, KV precision): which assumption moves the EP32 ÷ EP8 ratio, and by how much it differs from
 * NVIDIA's 1.8×.
 * @returns one row per assumption set (first = the published operating point) and a summary
 * @throws never (fixed inputs)
 * @example operatingPointRows().rows[0].assumption; // "published point: NVFP4 experts, FP8 rest, MTP on"
 */
export function operatingPointRows(): { rows: OperatingPointRow[]; summary: Summary } {
  // The calibrated model's own case (the calibration report's NVL72 point), so this table, the tornado chart below and
  // `ep-lab cost calibrate` give one ratio for the published point.
  const o = NVIDIA_OPERATING_POINT;
  const cases: { assumption: string; options: Parameters<typeof wideEpRatioByMechanism>[0] }[] = [
    { assumption: "published point: NVFP4 experts, FP8 rest, MTP on", options: {} },
    { assumption: "FP8 experts (DeepSeek's own checkpoint), MTP on", options: { moePrecision: "fp8", dispatchPrecision: "fp8" } },
    { assumption: "NVFP4 experts, MTP off", options: { mtpDraftTokens: 0 } },
    { assumption: "NVFP4 experts and NVFP4 rest, MTP on", options: { precision: "nvfp4" } },
    { assumption: "NVFP4 experts, MTP on, BF16 KV cache", options: { kvPrecision: "bf16" } },
    { assumption: "NVFP4 experts, MTP on, two-batch overlap", options: { overlap: "two-batch" } },
  ];
  const rows = cases.map((c) => {
    const r = wideEpRatioByMechanism(c.options);
    const ratio = r.ratio === null ? null : r2(r.ratio);
    return {
      assumption: c.assumption,
      ep8TokensPerSecPerGpu: r.narrowTokensPerSecPerGpu === null ? null : Math.round(r.narrowTokensPerSecPerGpu),
      ep32TokensPerSecPerGpu: r.wideTokensPerSecPerGpu === null ? null : Math.round(r.wideTokensPerSecPerGpu),
      ratio,
      versusNvidia: ratio === null ? "EP8 cannot reach this speed" : `${ratio >= NVIDIA_WIDE_EP_CLAIM.ratio ? "+" : ""}${Math.round((100 * (ratio - NVIDIA_WIDE_EP_CLAIM.ratio)) / NVIDIA_WIDE_EP_CLAIM.ratio)}%`,
    };
  });
  const slotsPerGpu = (ep: number, redundant: number) => (getModel(o.model).numExperts + redundant) / ep;
  const p = rows[0];
  const moved = rows.slice(1).map((r) => ({ r, d: r.ratio === null || p.ratio === null ? Infinity : Math.abs(Math.log(r.ratio / p.ratio)) }));
  const order = moved.slice().sort((x, y) => y.d - x.d);
  const summary = new Summary(
    `At NVIDIA's operating point (${o.checkpoint.name}, GB200 NVL72, EP${o.wideEp} vs EP${o.narrowEp}, ${o.tokensPerSecPerUser} tokens/s per user, MTP) the model gives ` +
      `${p.ratio === null ? "no ratio (EP8 cannot reach that speed)" : `${p.ratio}×`} against NVIDIA's ${NVIDIA_WIDE_EP_CLAIM.ratio}× (${p.versusNvidia}). ` +
      `Its mechanism: at this per-user speed EP${o.narrowEp} must shrink its batch, because each of its GPUs holds ${slotsPerGpu(o.narrowEp, o.narrowRedundantExperts)} experts and reads their weights every step (an EP${o.wideEp} GPU holds ${slotsPerGpu(o.wideEp, o.wideRedundantExperts)}), while EP${o.wideEp} keeps a large batch. ` +
      `The rows below change one assumption each. The ratio moves most with "${order[0].r.assumption}" (${order[0].r.ratio === null ? "EP8 cannot reach the speed" : `${order[0].r.ratio}×`}) and least with "${order[order.length - 1].r.assumption}" (${order[order.length - 1].r.ratio}×): ` +
      `at ${o.tokensPerSecPerUser} tokens/s per user EP${o.narrowEp} is on the steep part (the knee) of its frontier, so anything that slows its step cuts its batch sharply and the ratio climbs fast.`,
  );
  return { rows, summary };
}

/** One row of {@link frontierDemo}'s ratio table: both EP sizes read at one speed per user. */
export interface FrontierRatioRow {
  /** Target output tokens/s per user. */
  tokensPerSecPerUser: number;
  /** EP32 ÷ EP8 output tokens/s per GPU, or null. */
  ratio: number | null;
  /** Sequences per GPU EP8 can keep at that speed (0: it cannot reach it). */
  ep8BatchPerGpu: number;
  ep32BatchPerGpu: number;
  /** Output tokens/s per GPU of EP8, or null when it cannot reach the speed. */
  ep8TokensPerSecPerGpu: number | null;
  ep32TokensPerSecPerGpu: number | null;
}

/**
 * The EP8 and EP32 decode frontiers of the calibrated NVL72 case (`NVL72_WIDE_EP_CASE`: DeepSeek-R1 in NVIDIA's NVFP4
 * checkpoint on GB200 NVL72, FP8 KV cache, NVFP4 dispatch, one MTP draft token, 1k-token inputs and outputs, EP8 on
 * 256 slots against EP32 with EPLB on 288; each point's load imbalance from its own batch) and the EP32 ÷ EP8 ratio
 * at several speeds per user. The row at 100 tokens/s per user is the same calculation as
 * {@link operatingPointRows}' first row, {@link sensitivityDemo} and `ep-lab cost calibrate`'s NVL72 point.
 * @param userRates tokens/s per user at which to read both EP sizes, a non-empty array of finite numbers > 0
 *   (default 30…120)
 * @returns the curves (`frontierByMechanism`), one ratio row per rate, the frontier figure and a summary
 * @throws {TypeError|RangeError} naming `userRates[i]` when not a finite number > 0, or for an empty or
 *   non-array `userRates`
 * @example frontierDemo().ratioRows.find((r) => r.tokensPerSecPerUser === 100)?.ratio; // 1.83
 */
export function frontierDemo(userRates: readonly number[] = [30, 50, 70, 80, 90, 100, 110, 120]): {
  curves: MechanismFrontier;
  ratioRows: FrontierRatioRow[];
  figure: Figure;
  summary: Summary;
} {
  assertNonEmptyArray("userRates", userRates);
  userRates.forEach((u, i) => {
    if (!(typeof u === "number" && Number.isFinite(u) && u > 0)) throw new RangeError(`userRates[${i}] must be a positive number, got ${String(u)}`);
  });
  const c = NVL72_WIDE_EP_CASE;
  const { topK, numExperts } = getModel(c.model);
  const curves = frontierByMechanism();
  const series = [
    { label: `EP${c.narrowEp} (${numExperts + c.narrowRedundantExperts} slots)`, pts: curves.narrow },
    { label: `EP${c.wideEp} + EPLB (${numExperts + c.wideRedundantExperts} slots)`, pts: curves.wide },
  ].map(({ label, pts }) => ({
    label,
    tokensPerSecPerUser: pts.map((p) => r1(p.tokensPerSecPerUser)),
    outputTokensPerSecPerGpu: pts.map((p) => Math.round(p.outputTokensPerSecPerGpu)),
    batchSizes: pts.map((p) => p.batchPerGpu),
  }));
  const figure = frontierFigure(series, { title: "Modelled decode frontier: DeepSeek-R1 NVFP4 on GB200 NVL72, MTP on", markUserRate: c.tokensPerSecPerUser });
  const imbalance = new Map<number, { narrow: number; wide: number }>();
  const ratioRows: FrontierRatioRow[] = userRates.map((u) => {
    const r = wideEpRatioByMechanism({ tokensPerSecPerUser: u });
    imbalance.set(u, { narrow: r.narrowLoadImbalance, wide: r.wideLoadImbalance });
    return {
      tokensPerSecPerUser: u,
      ratio: r.ratio === null ? null : r2(r.ratio),
      ep8BatchPerGpu: Math.round(r.narrowBatchPerGpu),
      ep32BatchPerGpu: Math.round(r.wideBatchPerGpu),
      ep8TokensPerSecPerGpu: r.narrowTokensPerSecPerGpu === null ? null : Math.round(r.narrowTokensPerSecPerGpu),
      ep32TokensPerSecPerGpu: r.wideTokensPerSecPerGpu === null ? null : Math.round(r.wideTokensPerSecPerGpu),
    };
  });
  /** Routed token copies per expert slot per step: batch × EP × (1 + MTP drafts) × top-k ÷ slots. */
  const perSlot = (batch: number, ep: number, redundant: number) => (batch * ep * (1 + c.mtpDraftTokens) * topK) / (numExperts + redundant);
  const fastest = (pts: MechanismFrontierPoint[]) => Math.max(...pts.map((p) => p.tokensPerSecPerUser));
  const withRatio = ratioRows.filter((r) => r.ratio !== null) as (FrontierRatioRow & { ratio: number })[];
  const lowest = withRatio.reduce<(FrontierRatioRow & { ratio: number }) | null>((m, r) => (m === null || r.ratio < m.ratio ? r : m), null);
  const highest = withRatio.reduce<(FrontierRatioRow & { ratio: number }) | null>((m, r) => (m === null || r.ratio > m.ratio ? r : m), null);
  const atPoint = ratioRows.find((r) => r.tokensPerSecPerUser === c.tokensPerSecPerUser);
  const unreachable = ratioRows.filter((r) => r.ratio === null).map((r) => r.tokensPerSecPerUser);
  const parts = [
    `EP${c.narrowEp} serves one user at most ${fastest(curves.narrow).toFixed(0)} tokens/s in this model (batch 1), EP${c.wideEp} ${fastest(curves.wide).toFixed(0)}: ` +
      `each EP${c.narrowEp} GPU holds ${(numExperts + c.narrowRedundantExperts) / c.narrowEp} experts and reads their weights every step, an EP${c.wideEp} GPU ${(numExperts + c.wideRedundantExperts) / c.wideEp}.`,
  ];
  if (lowest && highest) {
    parts.push(
      (lowest === highest
        ? `At ${lowest.tokensPerSecPerUser} tokens/s per user the ratio is ${lowest.ratio}×: `
        : `Over the speeds in the table the ratio runs from ${lowest.ratio}× (at ${lowest.tokensPerSecPerUser} tokens/s per user) to ${highest.ratio}× (at ${highest.tokensPerSecPerUser}): `) +
        `at ${lowest.tokensPerSecPerUser} tokens/s per user both keep hundreds of sequences per GPU, and EP${c.wideEp}'s edge comes from balance — ` +
        `its busiest GPU carries ${r2(imbalance.get(lowest.tokensPerSecPerUser)!.wide)}× the mean expert load against ${r2(imbalance.get(lowest.tokensPerSecPerUser)!.narrow)}× for EP${c.narrowEp}, which has no replicas — ` +
        `and from more tokens per expert slot per step (${Math.round(perSlot(lowest.ep32BatchPerGpu, c.wideEp, c.wideRedundantExperts))} against ${Math.round(perSlot(lowest.ep8BatchPerGpu, c.narrowEp, c.narrowRedundantExperts))}), which share each weight read. ` +
        `Closer to EP${c.narrowEp}'s limit EP${c.narrowEp} must shrink its batch (the batch columns) while EP${c.wideEp} keeps a large one.`,
    );
  }
  if (atPoint && atPoint.ratio !== null) {
    parts.push(`At ${c.tokensPerSecPerUser} tokens/s per user, NVIDIA's operating point, the ratio is ${atPoint.ratio}× against NVIDIA's "up to ${NVIDIA_WIDE_EP_CLAIM.ratio}×" — the calculation of the next two cells.`);
  } else if (!atPoint) {
    parts.push(`NVIDIA's "up to ${NVIDIA_WIDE_EP_CLAIM.ratio}×" is read at ${c.tokensPerSecPerUser} tokens/s per user, which is not among these rates.`);
  }
  if (unreachable.length) parts.push(`EP${c.narrowEp} cannot reach ${unreachable.join(", ")} tokens/s per user at all, so there is no ratio there.`);
  parts.push("Read the ratio together with the speed it is quoted at: it is steep near the narrow configuration's limit.");
  return { curves, ratioRows, figure, summary: new Summary(parts.join(" ")) };
}

/** One row of {@link sensitivityDemo}: the EP32 ÷ EP8 ratio with one assumption at its low and high value. */
export interface SensitivityDemoRow {
  assumption: string;
  baseValue: string;
  lowValue: string;
  ratioAtLow: number | null;
  highValue: string;
  ratioAtHigh: number | null;
}

/**
 * The calibrated model at NVIDIA's published NVL72 operating point (`NVL72_WIDE_EP_CASE`: DeepSeek-R1 in NVFP4, EP32
 * vs EP8, MTP, 100 tokens/s per user) and a tornado chart of what moves its EP32 ÷ EP8 ratio: each assumption of the
 * cost model's `sensitivity()` moved to a low and a high value, one at a time, largest swing on top. This is the same
 * computation as the calibration report's NVL72 point (`ep-lab cost calibrate`).
 * @returns the figure (log x axis, the model's base ratio and NVIDIA's 1.8× as lines), one row per assumption, the
 *   batch per GPU each EP size keeps at the target speed, and a summary whose numbers are computed here
 * @throws never (fixed inputs); takes a few seconds (about 13 runs of the frontier search)
 * @example sensitivityDemo().rows[0].assumption // the assumption the ratio depends on most
 */
export function sensitivityDemo(): {
  figure: Figure;
  rows: SensitivityDemoRow[];
  base: { ratio: number | null; narrowBatchPerGpu: number; wideBatchPerGpu: number; narrowTokensPerSecPerGpu: number | null; wideTokensPerSecPerGpu: number | null };
  summary: Summary;
} {
  const m = wideEpRatioByMechanism();
  const s = sensitivity();
  const rows = s.rows.map((r) => ({
    assumption: r.parameter,
    baseValue: r.base,
    lowValue: r.low,
    ratioAtLow: r.ratioLow === null ? null : r2(r.ratioLow),
    highValue: r.high,
    ratioAtHigh: r.ratioHigh === null ? null : r2(r.ratioHigh),
  }));
  const c = NVL72_WIDE_EP_CASE;
  const base = {
    ratio: m.ratio === null ? null : r2(m.ratio),
    narrowBatchPerGpu: r2(m.narrowBatchPerGpu),
    wideBatchPerGpu: r2(m.wideBatchPerGpu),
    narrowTokensPerSecPerGpu: m.narrowTokensPerSecPerGpu === null ? null : Math.round(m.narrowTokensPerSecPerGpu),
    wideTokensPerSecPerGpu: m.wideTokensPerSecPerGpu === null ? null : Math.round(m.wideTokensPerSecPerGpu),
  };
  if (m.ratio === null) {
    return {
      figure: tornadoFigure(s.rows.filter((r) => r.ratioLow !== null || r.ratioHigh !== null).map((r) => ({ parameter: r.parameter, low: r.low, high: r.high, valueLow: r.ratioLow, valueHigh: r.ratioHigh })), s.published, { reference: s.published, referenceLabel: "NVIDIA" }),
      rows,
      base,
      summary: new Summary(`At ${c.tokensPerSecPerUser} tokens/s per user EP${c.narrowEp} reaches no batch in this model, so there is no ratio to compare with NVIDIA's ${s.published}×.`),
    };
  }
  const figure = tornadoFigure(
    s.rows.map((r) => ({ parameter: r.parameter, low: r.low, high: r.high, valueLow: r.ratioLow, valueHigh: r.ratioHigh })),
    m.ratio,
    { reference: s.published, referenceLabel: "NVIDIA", title: `What moves EP${c.wideEp} ÷ EP${c.narrowEp} (NVL72, ${c.tokensPerSecPerUser} tokens/s per user)` },
  );
  const top = s.rows[0];
  const pct = Math.round((100 * (m.ratio - s.published)) / s.published);
  const span = (r: typeof top) => [r.ratioLow, r.ratioHigh].map((v) => (v === null ? "no value" : `${r2(v)}×`)).join(" to ");
  const summary = new Summary(
    `The calibrated model gives EP${c.wideEp} ÷ EP${c.narrowEp} = ${r2(m.ratio)}× at NVIDIA's operating point, ${pct >= 0 ? "+" : ""}${pct}% from the published ${s.published}×. ` +
      `At ${c.tokensPerSecPerUser} tokens/s per user EP${c.narrowEp} can keep about ${Math.round(m.narrowBatchPerGpu)} sequences per GPU and EP${c.wideEp} about ${Math.round(m.wideBatchPerGpu)}: ` +
      `that batch difference is the mechanism. The ratio depends most on "${top.parameter}" (${top.low} / ${top.high}: ${span(top)}) ` +
      `and least on "${s.rows[s.rows.length - 1].parameter}" (${span(s.rows[s.rows.length - 1])}).`,
  );
  return { figure, rows, base, summary };
}
