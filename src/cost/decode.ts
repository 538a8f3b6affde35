/**
 * One decode step of an MoE model served DeepSeek-style: data-parallel attention on every GPU of the EP
 * group, routed experts spread over the group, low-latency dispatch/combine around every MoE layer.
 *
 * What one step costs on one GPU (the busiest one sets the pace, because every MoE layer synchronises):
 * - attention: projection weights streamed from HBM (roofline vs their FLOPs) + the attention core, which
 *   reads the KV cache of the GPU's sequences (MLA: absorbed form, `heads·(2·(kvLora+rope) + 2·kvLora)` FLOPs
 *   per query token per cached position; GQA: `4·heads·headDim`), on BF16 tensor cores;
 * - dense-FFN layers and shared experts: weights streamed, `6·T·H·I` FLOPs;
 * - routed experts: the GPU's expert slots it actually touches (expected distinct slots) streamed,
 *   `6·(T·k·loadImbalance)·H·I` FLOPs for the tokens the busiest GPU receives;
 * - dispatch and combine: the low-latency all-to-all per MoE layer, on NVLink when the EP group fits in one NVLink
 *   domain and over RDMA otherwise (see `allToAllTime`);
 * - the output head (BF16), and a fixed per-layer overhead for everything not costed.
 * Precision is four axes: `precision` (attention/dense/shared weights), `moePrecision` (routed experts: bf16, fp8,
 * nvfp4, mxfp4 — FP4 math on Blackwell, FP8 math on Hopper), `kvPrecision` (bf16 | fp8: KV bytes, attention-core math
 * and the largest batch) and `dispatchPrecision` (bf16 | fp8 | nvfp4; combine is BF16).
 * A configuration that does not fit in memory or whose expert slots do not divide over the group is returned with
 * `feasible: false`, its reasons, and `null` throughputs: it cannot run.
 * Without overlap the parts add up. With single-batch overlap the combine of a layer runs under the routed and
 * shared experts of the same batch (hidden up to `overlapFraction`). With two-batch overlap the step is split into two micro-batches
 * of T/2 tokens; each MoE layer then takes 2·(max(c, m) + (1 − overlapFraction)·min(c, m)) with c the compute
 * and m the communication of one micro-batch — communication is (partly) hidden behind the other
 * micro-batch's compute, but weights are streamed twice and per-layer overheads are paid twice.
 * The per-layer overhead (`layerOverheadUs`) is on the critical path and never hidden.
 * Multi-token prediction (one draft token) makes every sequence process 2 tokens per step, adds one MoE layer
 * (the MTP module) and yields 1 + acceptance output tokens per step.
 */
import { assertInRange, assertNonNegative, assertPositive, assertPositiveInt, assertLoadVector, assertDivisible, assertNonNegativeInt, assertOneOf, show } from "../util/validate";
import type { GpuSpec } from "./catalog-hardware";
import { attentionParamsPerLayer, expertParams, kvElementsPerTokenPerLayer, kvPositions, type ModelSpec } from "./catalog-models";
import { a2aCore, type Fabric } from "./alltoall";
import { divisibilityMessage, memoryFootprint, resolveKvBytes, resolveModel } from "./memory";
import { checkMax, checkOptionKeys, COST_LIMITS } from "./options";
import { DENSE_PRECISIONS, DISPATCH_PRECISIONS, PRECISIONS, bytesPerWeight, mathType, type DispatchPrecision, type KvPrecision, type MathType, type Precision } from "./precision";
import { resolveEfficiency, resolveGpu, type Efficiency } from "./roofline";

/** Communication/computation overlap: none, two-batch (two micro-batches) or single-batch (combine under the experts). */
export type OverlapMode = "none" | "two-batch" | "single-batch";
export const OVERLAP_MODES: readonly OverlapMode[] = Object.freeze(["none", "two-batch", "single-batch"] as OverlapMode[]);

/** Options of {@link decodeStep}. */
export interface DecodeOptions {
  /** Model name or spec. */
  model: string | ModelSpec;
  /** GPU name or spec. */
  gpu: string | GpuSpec;
  /** GPUs in the EP group (each also runs data-parallel attention for its own sequences), ≤ 4,096. */
  epSize: number;
  /** Sequences decoding on each GPU (> 0, ≤ 65,536). */
  batchPerGpu: number;
  /** Average KV (context) length per sequence, tokens (≤ 10,000,000). */
  kvLen: number;
  /** Redundant expert slots (EPLB replicas), default 0; numExperts + redundantExperts must divide by epSize to be feasible. */
  redundantExperts?: number;
  /** Default weight precision (attention, dense FFN, shared experts; also the experts unless moePrecision is given), default "fp8". */
  precision?: Precision;
  /** Routed-expert weight precision: bf16 | fp8 | nvfp4 | mxfp4; default = precision. */
  moePrecision?: Precision;
  /** KV-cache precision: bf16 (default) | fp8. */
  kvPrecision?: KvPrecision;
  /** Bytes per KV-cache element (legacy alternative to kvPrecision), default 2. */
  kvCacheBytes?: number;
  /** Dispatch payload precision: bf16 | fp8 (default) | nvfp4. Combine is BF16. */
  dispatchPrecision?: DispatchPrecision;
  /** Overlap: false/"none" (default), true/"two-batch", or "single-batch". */
  overlap?: boolean | OverlapMode;
  /** Draft tokens from multi-token prediction: 0 (default) or 1. */
  mtpDraftTokens?: number;
  /** Acceptance rate of the draft token, [0, 1], default 0.85 (DeepSeek-V3 report: 85–90%). */
  mtpAcceptance?: number;
  /** Max GPU load / mean GPU load of routed tokens (≥ 1), default 1 (perfect balance). */
  loadImbalance?: number;
  /**
   * Alternative to loadImbalance: tokens per logical expert `[numExperts]` (any scale). The imbalance is then
   * computed for a contiguous placement (experts e·n/epSize … on GPU e) without replicas.
   */
  expertLoad?: ArrayLike<number>;
  /**
   * Max/mean attention work over the data-parallel ranks (≥ 1), default 1: sequences and their KV lengths are
   * never spread perfectly, and every MoE layer waits for the slowest rank's attention.
   */
  attentionImbalance?: number;
  /** Fraction of HBM reserved for workspace, default 0.1 (see memoryPerGpu). */
  reserveFraction?: number;
  /** GPUs per node for the per-node figure, default 8 (≤ 576). */
  gpusPerNode?: number;
  /** Efficiency overrides. */
  efficiency?: Partial<Efficiency>;
}

/** Every option key of {@link decodeStep}. */
export const DECODE_OPTION_KEYS: readonly string[] = Object.freeze([
  "model", "gpu", "epSize", "batchPerGpu", "kvLen", "redundantExperts", "precision", "moePrecision", "kvPrecision", "kvCacheBytes",
  "dispatchPrecision", "overlap", "mtpDraftTokens", "mtpAcceptance", "loadImbalance", "expertLoad", "attentionImbalance",
  "reserveFraction", "gpusPerNode", "efficiency",
]);

/** Result of {@link decodeStep}. Times in milliseconds per step; throughput in tokens/s (null when infeasible). */
export interface DecodeStepResult {
  /** False when the configuration cannot run (does not fit in memory, or the expert slots do not divide). */
  feasible: boolean;
  /** Why it is infeasible (empty when feasible), each naming the values. */
  reasons: string[];
  /** Time one step would take (ms); computed even when infeasible, to show where the time would go. */
  stepTimeMs: number;
  /** Output tokens per second seen by one user: (1 + draft·acceptance) / step time; null when infeasible. */
  tokensPerSecPerUser: number | null;
  outputTokensPerSecPerGpu: number | null;
  outputTokensPerSecPerNode: number | null;
  /** Attention (projections + KV-cache core), all layers. */
  attentionMs: number;
  /** Shared + routed experts, all MoE layers. */
  moeMs: number;
  /** Dispatch time summed over MoE layers (hidden when overlap is on, see exposedCommMs). */
  dispatchMs: number;
  /** Combine time summed over MoE layers. */
  combineMs: number;
  /** Dense-FFN layers. */
  denseMs: number;
  /** Output head + per-layer overhead. */
  otherMs: number;
  /** Communication not hidden behind compute (all of it without overlap). */
  exposedCommMs: number;
  /** The all-to-all fabric: "nvlink" (group inside one NVLink domain) or "rdma". */
  fabric: Fabric;
  /** Tokens each GPU processes per step: batchPerGpu · (1 + draft tokens). */
  tokensPerGpu: number;
  /** Tokens the busiest GPU's routed experts process per MoE layer: tokensPerGpu · topK · loadImbalance. */
  routedTokensPerGpu: number;
  /** Mean tokens per expert slot per MoE layer (busiest GPU). */
  tokensPerExpert: number;
  loadImbalance: number;
  /** Expert slots on the busiest GPU: ceil((numExperts + redundantExperts) / epSize). */
  expertsPerGpu: number;
  weightsGB: number;
  kvGB: number;
  /** Memory check alone (weights + KV + reserve ≤ HBM). */
  fits: boolean;
  maxBatchPerGpu: number;
}

/**
 * Load imbalance (max GPU load / mean) of a per-expert load vector placed contiguously on epSize GPUs.
 * @param expertLoad tokens per logical expert `[numExperts]`, ≥ 0, not all zero
 * @param epSize GPUs; must divide expertLoad.length
 * @returns max/mean ≥ 1
 * @throws {RangeError|TypeError} for empty/negative loads, all-zero loads, non-divisible sizes
 * @example imbalanceFromExpertLoad([4, 0, 1, 1], 2) // GPU loads [4, 2] → 4/3
 */
export function imbalanceFromExpertLoad(expertLoad: ArrayLike<number>, epSize: number): number {
  assertLoadVector("expertLoad", expertLoad);
  assertDivisible("expertLoad.length", expertLoad.length, "epSize", epSize);
  const per = expertLoad.length / epSize;
  let max = 0;
  let sum = 0;
  for (let g = 0; g < epSize; g++) {
    let s = 0;
    for (let i = g * per; i < (g + 1) * per; i++) s += expertLoad[i];
    sum += s;
    if (s > max) max = s;
  }
  if (sum === 0) throw new RangeError("expertLoad must not be all zeros");
  return max / (sum / epSize);
}

/**
 * Load imbalance (max / mean) of per-GPU loads, e.g. the output of the EPLB library's `gpuLoads(...)`;
 * equals 1 / balancedness. Feed the result to `decodeStep({ loadImbalance })`.
 * @param gpuLoads tokens per GPU `[numGpus]`, ≥ 0, not all zero
 * @returns max/mean ≥ 1
 * @throws {RangeError|TypeError} for empty, negative or all-zero loads
 * @example imbalanceFromGpuLoads([3, 1]) // 1.5
 */
export function imbalanceFromGpuLoads(gpuLoads: ArrayLike<number>): number {
  assertLoadVector("gpuLoads", gpuLoads);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < gpuLoads.length; i++) {
    sum += gpuLoads[i];
    if (gpuLoads[i] > max) max = gpuLoads[i];
  }
  if (sum === 0) throw new RangeError("gpuLoads must not be all zeros");
  return max / (sum / gpuLoads.length);
}

/**
 * Expected number of distinct slots hit when `draws` token-expert pairs land uniformly on `slots` slots:
 * slots·(1 − (1 − 1/slots)^draws). Used for the expert weights a GPU must stream.
 */
function expectedTouched(slots: number, draws: number): number {
  if (slots <= 0) return 0;
  return slots * (1 - Math.pow(1 - 1 / slots, draws));
}

/**
 * Cost of one decode step on the busiest GPU of an EP group (see the module comment for what is modelled).
 * @param options `model`, `gpu`, `epSize` (GPUs), `batchPerGpu` (sequences), `kvLen` (tokens), `redundantExperts`
 *   (slots), `loadImbalance` (max/mean) or `expertLoad` (`[numExperts]` tokens), …; see {@link DecodeOptions}
 * @returns {@link DecodeStepResult} (times in ms, throughput in tokens/s)
 * @throws {RangeError|TypeError} naming the bad option (unknown model/GPU, non-divisible slots, NaN, negative,
 *   imbalance < 1, acceptance outside [0, 1], draft tokens other than 0/1)
 * @example decodeStep({ model: "deepseek-v3", gpu: "h800", epSize: 144, batchPerGpu: 128, kvLen: 4989,
 *   redundantExperts: 32, overlap: true }).tokensPerSecPerUser // ≈ 15.8 tokens/s
 */
export function decodeStep(options: DecodeOptions): DecodeStepResult {
  checkOptionKeys("options", options, DECODE_OPTION_KEYS);
  const m = resolveModel(options.model);
  const g = resolveGpu(options.gpu);
  const {
    epSize,
    batchPerGpu,
    kvLen,
    redundantExperts = 0,
    precision = "fp8",
    dispatchPrecision = "fp8",
    mtpDraftTokens = 0,
    mtpAcceptance = 0.85,
    reserveFraction = 0.1,
    gpusPerNode = 8,
    attentionImbalance = 1,
  } = options;
  const moePrecision = options.moePrecision ?? precision;
  const overlap = resolveOverlap(options.overlap);
  assertPositiveInt("epSize", epSize);
  checkMax("epSize", epSize, COST_LIMITS.maxEpSize);
  assertPositive("batchPerGpu", batchPerGpu);
  checkMax("batchPerGpu", batchPerGpu, COST_LIMITS.maxBatchPerGpu);
  assertNonNegative("kvLen", kvLen);
  assertNonNegativeInt("redundantExperts", redundantExperts);
  assertOneOf("precision", precision, DENSE_PRECISIONS);
  assertOneOf("moePrecision", moePrecision, PRECISIONS);
  assertOneOf("dispatchPrecision", dispatchPrecision, DISPATCH_PRECISIONS);
  const kvCacheBytes = resolveKvBytes(options.kvPrecision, options.kvCacheBytes);
  assertNonNegativeInt("mtpDraftTokens", mtpDraftTokens);
  if (mtpDraftTokens > 1) throw new RangeError(`mtpDraftTokens must be 0 or 1, got ${mtpDraftTokens}`);
  assertInRange("mtpAcceptance", mtpAcceptance, 0, 1);
  assertPositiveInt("gpusPerNode", gpusPerNode);
  checkMax("gpusPerNode", gpusPerNode, COST_LIMITS.maxGpusPerNode);
  assertInRange("attentionImbalance", attentionImbalance, 1, Number.MAX_VALUE);
  const reasons: string[] = [];
  const slotsTotal = m.numExperts + redundantExperts;
  if (slotsTotal % epSize !== 0) reasons.push(divisibilityMessage(m.numExperts, redundantExperts, epSize));
  let loadImbalance: number;
  if (options.expertLoad !== undefined) {
    if (options.loadImbalance !== undefined) throw new RangeError("give either loadImbalance or expertLoad, not both");
    if (options.expertLoad.length !== m.numExperts) {
      throw new RangeError(`expertLoad must have numExperts (${m.numExperts}) entries, got ${options.expertLoad.length}`);
    }
    loadImbalance = imbalanceFromExpertLoad(options.expertLoad, epSize);
  } else {
    loadImbalance = options.loadImbalance ?? 1;
    assertInRange("loadImbalance", loadImbalance, 1, Number.MAX_VALUE);
  }
  const e = resolveEfficiency(options.efficiency);
  const mem = memoryFootprint(
    { model: m, gpu: g, epSize, batchPerGpu, kvLen, redundantExperts, precision, moePrecision, kvCacheBytes, reserveFraction, mtp: mtpDraftTokens > 0 },
    m,
  );
  if (!mem.fits) {
    reasons.push(
      mem.maxBatchPerGpu === 0
        ? `does not fit in memory: the weights alone (${mem.weightsGB.toFixed(1)} GB) plus the ${mem.reserveGB.toFixed(1)} GB reserve exceed the ${mem.capacityGB} GB of HBM per GPU`
        : `does not fit in memory: batchPerGpu ${batchPerGpu} needs ${mem.kvGB.toFixed(1)} GB of KV cache next to ${mem.weightsGB.toFixed(1)} GB of weights ` +
            `(${mem.capacityGB} GB HBM, ${mem.reserveGB.toFixed(1)} GB reserve); the largest batch that fits is ${mem.maxBatchPerGpu}`,
    );
  }

  const wb = bytesPerWeight(precision);
  const eb = bytesPerWeight(moePrecision);
  const H = m.hiddenSize;
  const k = m.topK;
  const T = batchPerGpu * (1 + mtpDraftTokens);
  const micro = overlap === "two-batch" ? 2 : 1;
  const t = T / micro; // tokens per micro-batch
  const seqs = batchPerGpu / micro; // sequences per micro-batch
  const mtpLayers = mtpDraftTokens > 0 ? 1 : 0;
  const moeLayers = m.numMoeLayers + mtpLayers;
  const denseLayers = m.numLayers - m.numMoeLayers;
  const allLayers = m.numLayers + mtpLayers;
  // Roofline in µs with the validated GPU and factors (hot path: no re-validation per call).
  const bytesPerUs = g.hbmTBps * 1e6 * e.memoryFraction;
  const flopsPerUs = (p: MathType): number => (p === "fp4" ? (g.fp4Tflops as number) : p === "fp8" ? g.fp8Tflops : g.bf16Tflops) * 1e6 * e.computeFraction;
  const denseMath = mathType(precision, g);
  const moeMath = mathType(moePrecision, g);
  const kvMath: MathType = kvCacheBytes <= 1 ? "fp8" : "bf16";
  const us = (flops: number, bytes: number, p: MathType): number => Math.max(flops / flopsPerUs(p), bytes / bytesPerUs);

  // Attention projections per layer per micro-batch.
  const attnP = attentionParamsPerLayer(m);
  const attnProjUs = us(2 * attnP * t, attnP * wb, denseMath);
  // Attention core over all layers per micro-batch: KV read + math (FP8 tensor cores with an FP8 KV cache, else BF16).
  const a = m.attention;
  const flopsPerPos =
    a.kind === "mla" ? a.numHeads * (2 * (a.kvLoraRank + a.qkRopeHeadDim) + 2 * a.kvLoraRank) : 4 * a.numHeads * a.headDim;
  const positions = kvPositions(m, kvLen) + mtpLayers * kvLen; // per sequence, summed over layers
  const attnFlopsPerUs = (p: MathType): number => (flopsPerUs(p) * e.attentionComputeFraction) / e.computeFraction;
  const coreUsAll = Math.max(
    (attentionImbalance * seqs * (1 + mtpDraftTokens) * positions * flopsPerPos) / attnFlopsPerUs(kvMath),
    (attentionImbalance * seqs * positions * kvElementsPerTokenPerLayer(m) * kvCacheBytes) / bytesPerUs,
  );
  const attentionUs = micro * (allLayers * attnProjUs + coreUsAll);
  const attnPerLayerUs = attnProjUs + coreUsAll / allLayers; // per micro-batch

  // Dense FFN layers.
  const denseUsLayer = m.denseFfnSize > 0 ? us(6 * t * H * m.denseFfnSize, 3 * H * m.denseFfnSize * wb, denseMath) : 0;
  const denseUs = micro * denseLayers * denseUsLayer;

  // MoE per layer per micro-batch: shared + routed at the busiest GPU.
  const sharedI = m.numSharedExperts * m.sharedExpertFfnSize;
  const sharedUs = sharedI > 0 ? us(6 * t * H * sharedI, 3 * H * sharedI * wb, denseMath) : 0;
  const slots = mem.expertsPerGpu;
  const routedTokens = t * k * loadImbalance;
  const touched = expectedTouched(slots, t * k);
  const eP = expertParams(m);
  const routedUs = us(2 * routedTokens * eP, touched * eP * eb, moeMath);
  const moeUsLayer = sharedUs + routedUs;
  const moeUs = micro * moeLayers * moeUsLayer;

  // Communication per MoE layer per micro-batch (low-latency kernels; fabric from the group size).
  const a2a = a2aCore(g, epSize, t, H, k, dispatchPrecision, loadImbalance, "low-latency", m.numGroups, m.topkGroup, e);
  const commUsLayer = a2a.dispatchUs + a2a.combineUs;
  const dispatchUs = micro * moeLayers * a2a.dispatchUs;
  const combineUs = micro * moeLayers * a2a.combineUs;

  // Output head (BF16), once per token processed + once more for the MTP module's draft.
  const headParams = m.vocabSize * H;
  const headUs = (1 + mtpLayers) * us(2 * headParams * T, headParams * 2, "bf16");
  const overheadUs = micro * allLayers * e.layerOverheadUs; // on the critical path, never hidden
  const otherUs = headUs + overheadUs;

  // Compose.
  const computeUsMoeLayer = attnPerLayerUs + moeUsLayer;
  let moeBlockUs: number;
  if (overlap === "two-batch") {
    const hi = Math.max(computeUsMoeLayer, commUsLayer);
    const lo = Math.min(computeUsMoeLayer, commUsLayer);
    moeBlockUs = moeLayers * 2 * (hi + (1 - e.overlapFraction) * lo);
  } else if (overlap === "single-batch") {
    // The combine streams out while the experts still compute: up to overlapFraction of min(combine, experts) hidden.
    const hidden = e.overlapFraction * Math.min(a2a.combineUs, moeUsLayer);
    moeBlockUs = moeLayers * (computeUsMoeLayer + commUsLayer - hidden);
  } else moeBlockUs = moeLayers * (computeUsMoeLayer + commUsLayer);
  const denseBlockUs = micro * denseLayers * (attnPerLayerUs + denseUsLayer);
  const stepUs = moeBlockUs + denseBlockUs + otherUs;
  const computeOnlyUs = micro * moeLayers * computeUsMoeLayer + denseBlockUs + otherUs;
  const exposedCommUs = stepUs - computeOnlyUs;

  const feasible = reasons.length === 0;
  const stepTimeMs = stepUs / 1000;
  const perUser = (1 + mtpDraftTokens * mtpAcceptance) / (stepUs / 1e6);
  return {
    feasible,
    reasons,
    stepTimeMs,
    tokensPerSecPerUser: feasible ? perUser : null,
    outputTokensPerSecPerGpu: feasible ? batchPerGpu * perUser : null,
    outputTokensPerSecPerNode: feasible ? batchPerGpu * perUser * gpusPerNode : null,
    attentionMs: attentionUs / 1000,
    moeMs: moeUs / 1000,
    dispatchMs: dispatchUs / 1000,
    combineMs: combineUs / 1000,
    denseMs: denseUs / 1000,
    otherMs: otherUs / 1000,
    exposedCommMs: exposedCommUs / 1000,
    fabric: a2a.fabric,
    tokensPerGpu: T,
    routedTokensPerGpu: T * k * loadImbalance,
    tokensPerExpert: (T * k * loadImbalance) / slots,
    loadImbalance,
    expertsPerGpu: slots,
    weightsGB: mem.weightsGB,
    kvGB: mem.kvGB,
    fits: mem.fits,
    maxBatchPerGpu: mem.maxBatchPerGpu,
  };
}

/**
 * Normalise the `overlap` option: false/undefined → "none", true → "two-batch", or one of {@link OVERLAP_MODES}.
 * @param overlap the option value
 * @returns the mode
 * @throws {TypeError|RangeError} for anything else
 * @example resolveOverlap(true) // "two-batch"
 */
export function resolveOverlap(overlap: unknown): OverlapMode {
  if (overlap === undefined || overlap === false) return "none";
  if (overlap === true) return "two-batch";
  if (typeof overlap !== "string") throw new TypeError(`overlap must be a boolean or one of ${OVERLAP_MODES.join(", ")}, got ${typeof overlap} ${show(overlap)}`);
  assertOneOf("overlap", overlap, OVERLAP_MODES);
  return overlap;
}
