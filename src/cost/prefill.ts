/**
 * One prefill forward of an MoE model served DeepSeek-style (data-parallel attention, experts spread over the
 * EP group, DeepEP's normal — high-throughput — all-to-all kernels): throughput in input tokens per second.
 *
 * What one forward of `tokensPerGpu` prompt tokens (sequences of `promptLen` new tokens after `cachedPrefixLen`
 * tokens already in the KV cache) costs on the busiest GPU:
 * - every GEMM (attention projections, dense FFN, shared and routed experts, output head for the last token of each
 *   sequence) at 2 FLOPs per weight per token, on the tensor cores of its weight precision, roofline against the
 *   weight bytes (at prefill sizes compute dominates);
 * - the attention core in MLA's expanded form: per sequence and layer `2·heads·(qkHeadDim + vHeadDim)` FLOPs per
 *   (query, key) pair, `promptLen·cachedPrefixLen + promptLen²/2` causal pairs (FP8 tensor cores with an FP8 KV cache);
 * - dispatch and combine with the normal kernels (NVLink inside one domain; RDMA once per other node with
 *   group-limited routing, then NVLink forwarding);
 * - the fixed per-layer overhead.
 * Two-batch overlap (default, as DeepSeek's prefill does) splits the forward into two micro-batches and hides up to
 * `overlapFraction` of the shorter of compute and communication per MoE layer.
 */
import { assertInRange, assertNonNegative, assertNonNegativeInt, assertOneOf, assertPositive, assertPositiveInt } from "../util/validate";
import type { GpuSpec } from "./catalog-hardware";
import { attentionParamsPerLayer, expertParams, kvElementsPerTokenPerLayer, paramCounts, type ModelSpec } from "./catalog-models";
import { a2aCore, type Fabric } from "./alltoall";
import { resolveOverlap, type OverlapMode } from "./decode";
import { divisibilityMessage, memoryFootprint, resolveKvBytes, resolveModel } from "./memory";
import { checkMax, checkOptionKeys, COST_LIMITS } from "./options";
import { DENSE_PRECISIONS, DISPATCH_PRECISIONS, PRECISIONS, bytesPerWeight, mathType, type DispatchPrecision, type KvPrecision, type MathType, type Precision } from "./precision";
import { resolveEfficiency, resolveGpu, type Efficiency } from "./roofline";

/** Options of {@link prefillStep}. */
export interface PrefillOptions {
  model: string | ModelSpec;
  gpu: string | GpuSpec;
  /** GPUs in the EP group (≤ 4,096). */
  epSize: number;
  /** New (computed) tokens per sequence, tokens (> 0). */
  promptLen: number;
  /** Tokens already in the KV cache before the prompt (prefix-cache hits), attended to but not computed; default 0. */
  cachedPrefixLen?: number;
  /** Prompt tokens each GPU processes in one forward, default 16,384 (≥ promptLen is not required: chunks of a sequence are fine). */
  tokensPerGpu?: number;
  redundantExperts?: number;
  precision?: Precision;
  moePrecision?: Precision;
  kvPrecision?: KvPrecision;
  dispatchPrecision?: DispatchPrecision;
  /** Default "two-batch" (DeepSeek's prefill alternates two micro-batches). */
  overlap?: boolean | OverlapMode;
  /** Max/mean routed tokens per GPU (≥ 1), default 1. */
  loadImbalance?: number;
  /** Max/mean attention work over the data-parallel ranks (≥ 1), default 1. */
  attentionImbalance?: number;
  reserveFraction?: number;
  /** GPUs per node for the per-node figure, default 8. */
  gpusPerNode?: number;
  efficiency?: Partial<Efficiency>;
}

/** Every option key of {@link prefillStep}. */
export const PREFILL_OPTION_KEYS: readonly string[] = Object.freeze([
  "model", "gpu", "epSize", "promptLen", "cachedPrefixLen", "tokensPerGpu", "redundantExperts", "precision", "moePrecision", "kvPrecision",
  "dispatchPrecision", "overlap", "loadImbalance", "attentionImbalance", "reserveFraction", "gpusPerNode", "efficiency",
]);

/** Result of {@link prefillStep}; times in ms per forward, throughput in tokens/s (null when infeasible). */
export interface PrefillStepResult {
  feasible: boolean;
  reasons: string[];
  stepTimeMs: number;
  /** Computed prompt tokens per second per GPU. */
  inputTokensPerSecPerGpu: number | null;
  inputTokensPerSecPerNode: number | null;
  /** Prompt tokens per second per GPU counting the cached prefix as served input (as services that report cache hits do). */
  inputTokensPerSecPerGpuWithCache: number | null;
  attentionMs: number;
  moeMs: number;
  denseMs: number;
  dispatchMs: number;
  combineMs: number;
  exposedCommMs: number;
  otherMs: number;
  fabric: Fabric;
  expertsPerGpu: number;
  weightsGB: number;
  kvGB: number;
}

/**
 * Cost of one prefill forward on the busiest GPU (see the module comment).
 * @param options `model`, `gpu`, `epSize` (GPUs), `promptLen` (tokens), `cachedPrefixLen` (tokens), `tokensPerGpu`
 *   (tokens per forward), precisions, `overlap`, imbalances, `efficiency`; see {@link PrefillOptions}
 * @returns {@link PrefillStepResult} (ms, tokens/s, GB)
 * @throws {RangeError|TypeError} for bad or unknown options, naming them
 * @example prefillStep({ model: "deepseek-v3", gpu: "h100", epSize: 32, promptLen: 2000 }).inputTokensPerSecPerGpu // ≈ 5.8k tokens/s
 */
export function prefillStep(options: PrefillOptions): PrefillStepResult {
  checkOptionKeys("options", options, PREFILL_OPTION_KEYS);
  const m = resolveModel(options.model);
  const g = resolveGpu(options.gpu);
  const {
    epSize,
    promptLen,
    cachedPrefixLen = 0,
    tokensPerGpu = 16384,
    redundantExperts = 0,
    precision = "fp8",
    dispatchPrecision = "fp8",
    loadImbalance = 1,
    attentionImbalance = 1,
    reserveFraction = 0.1,
    gpusPerNode = 8,
  } = options;
  const moePrecision = options.moePrecision ?? precision;
  const overlap = resolveOverlap(options.overlap ?? "two-batch");
  assertPositiveInt("epSize", epSize);
  checkMax("epSize", epSize, COST_LIMITS.maxEpSize);
  assertPositive("promptLen", promptLen);
  checkMax("promptLen", promptLen, COST_LIMITS.maxKvLen);
  assertNonNegative("cachedPrefixLen", cachedPrefixLen);
  checkMax("cachedPrefixLen", cachedPrefixLen, COST_LIMITS.maxKvLen);
  assertPositive("tokensPerGpu", tokensPerGpu);
  checkMax("tokensPerGpu", tokensPerGpu, COST_LIMITS.maxTokensPerRank);
  assertNonNegativeInt("redundantExperts", redundantExperts);
  assertOneOf("precision", precision, DENSE_PRECISIONS);
  assertOneOf("moePrecision", moePrecision, PRECISIONS);
  assertOneOf("dispatchPrecision", dispatchPrecision, DISPATCH_PRECISIONS);
  const kvCacheBytes = resolveKvBytes(options.kvPrecision, undefined);
  assertInRange("loadImbalance", loadImbalance, 1, Number.MAX_VALUE);
  assertInRange("attentionImbalance", attentionImbalance, 1, Number.MAX_VALUE);
  assertPositiveInt("gpusPerNode", gpusPerNode);
  checkMax("gpusPerNode", gpusPerNode, COST_LIMITS.maxGpusPerNode);
  const e = resolveEfficiency(options.efficiency);
  const reasons: string[] = [];
  if ((m.numExperts + redundantExperts) % epSize !== 0) reasons.push(divisibilityMessage(m.numExperts, redundantExperts, epSize));
  const seqs = tokensPerGpu / promptLen;
  const mem = memoryFootprint(
    { model: m, gpu: g, epSize, batchPerGpu: seqs, kvLen: promptLen + cachedPrefixLen, redundantExperts, precision, moePrecision, kvCacheBytes, reserveFraction },
    m,
  );
  if (!mem.fits) {
    reasons.push(
      `does not fit in memory: ${mem.weightsGB.toFixed(1)} GB of weights and ${mem.kvGB.toFixed(1)} GB of KV cache for ${tokensPerGpu} prompt tokens ` +
        `exceed the ${mem.capacityGB} GB of HBM per GPU (${mem.reserveGB.toFixed(1)} GB reserve)`,
    );
  }

  const micro = overlap === "two-batch" ? 2 : 1;
  const t = tokensPerGpu / micro;
  const H = m.hiddenSize;
  const k = m.topK;
  const wb = bytesPerWeight(precision);
  const eb = bytesPerWeight(moePrecision);
  const bytesPerUs = g.hbmTBps * 1e6 * e.memoryFraction;
  const flopsPerUs = (p: MathType): number => (p === "fp4" ? (g.fp4Tflops as number) : p === "fp8" ? g.fp8Tflops : g.bf16Tflops) * 1e6 * e.computeFraction;
  const us = (flops: number, bytes: number, p: MathType): number => Math.max(flops / flopsPerUs(p), bytes / bytesPerUs);
  const denseMath = mathType(precision, g);
  const moeMath = mathType(moePrecision, g);
  const kvMath: MathType = kvCacheBytes <= 1 ? "fp8" : "bf16";
  const moeLayers = m.numMoeLayers;
  const denseLayers = m.numLayers - m.numMoeLayers;

  // Attention per layer per micro-batch: projections + core (expanded MLA / GQA), causal.
  const attnP = attentionParamsPerLayer(m);
  const projUs = us(2 * attnP * t, attnP * wb, denseMath);
  const a = m.attention;
  const flopsPerPair = a.kind === "mla" ? 2 * a.numHeads * (a.qkNopeHeadDim + a.qkRopeHeadDim + a.vHeadDim) : 4 * a.numHeads * a.headDim;
  const window = a.kind === "gqa" && a.slidingWindow > 0 ? a.slidingWindow : Infinity;
  const pairsPerSeq = (layerWindow: number): number => {
    const ctx = Math.min(cachedPrefixLen, layerWindow);
    const self = layerWindow >= promptLen ? (promptLen * promptLen) / 2 : promptLen * layerWindow;
    return promptLen * ctx + self;
  };
  const slidingLayers = a.kind === "gqa" && a.slidingWindow > 0 ? a.numSlidingLayers : 0;
  const pairsAllLayers = (m.numLayers - slidingLayers) * pairsPerSeq(Infinity) + slidingLayers * pairsPerSeq(window);
  const kvBytesAllLayers = (m.numLayers * (promptLen + cachedPrefixLen)) * kvElementsPerTokenPerLayer(m) * kvCacheBytes;
  const attnFlopsPerUs = (flopsPerUs(kvMath) * e.attentionComputeFraction) / e.computeFraction;
  const coreUsAll = Math.max(
    (attentionImbalance * (seqs / micro) * pairsAllLayers * flopsPerPair) / attnFlopsPerUs,
    (attentionImbalance * (seqs / micro) * kvBytesAllLayers) / bytesPerUs,
  );
  const attnPerLayerUs = projUs + coreUsAll / m.numLayers;

  const denseUsLayer = m.denseFfnSize > 0 ? us(6 * t * H * m.denseFfnSize, 3 * H * m.denseFfnSize * wb, denseMath) : 0;
  const sharedI = m.numSharedExperts * m.sharedExpertFfnSize;
  const sharedUs = sharedI > 0 ? us(6 * t * H * sharedI, 3 * H * sharedI * wb, denseMath) : 0;
  const eP = expertParams(m);
  const routedUs = us(2 * t * k * loadImbalance * eP, mem.expertsPerGpu * eP * eb, moeMath);
  const moeUsLayer = sharedUs + routedUs;

  const a2a = a2aCore(g, epSize, t, H, k, dispatchPrecision, loadImbalance, "normal", m.numGroups, m.topkGroup, e);
  const commUsLayer = a2a.dispatchUs + a2a.combineUs;

  const embedding = paramCounts(m).embeddingParams / 2; // one [vocab][H] output head
  const headUs = us(2 * embedding * seqs, embedding * 2, "bf16");
  const overheadUs = micro * m.numLayers * e.layerOverheadUs;
  const otherUs = headUs + overheadUs;

  const computeLayer = attnPerLayerUs + moeUsLayer;
  let moeBlockUs: number;
  if (overlap === "two-batch") {
    const hi = Math.max(computeLayer, commUsLayer);
    const lo = Math.min(computeLayer, commUsLayer);
    moeBlockUs = moeLayers * 2 * (hi + (1 - e.overlapFraction) * lo);
  } else if (overlap === "single-batch") {
    moeBlockUs = moeLayers * (computeLayer + commUsLayer - e.overlapFraction * Math.min(a2a.combineUs, moeUsLayer));
  } else moeBlockUs = moeLayers * (computeLayer + commUsLayer);
  const denseBlockUs = micro * denseLayers * (attnPerLayerUs + denseUsLayer);
  const stepUs = moeBlockUs + denseBlockUs + otherUs;
  const computeOnlyUs = micro * moeLayers * computeLayer + denseBlockUs + otherUs;

  const feasible = reasons.length === 0;
  const perGpu = tokensPerGpu / (stepUs / 1e6);
  const withCache = perGpu * ((promptLen + cachedPrefixLen) / promptLen);
  return {
    feasible,
    reasons,
    stepTimeMs: stepUs / 1000,
    inputTokensPerSecPerGpu: feasible ? perGpu : null,
    inputTokensPerSecPerNode: feasible ? perGpu * gpusPerNode : null,
    inputTokensPerSecPerGpuWithCache: feasible ? withCache : null,
    attentionMs: (micro * m.numLayers * attnPerLayerUs) / 1000,
    moeMs: (micro * moeLayers * moeUsLayer) / 1000,
    denseMs: (micro * denseLayers * denseUsLayer) / 1000,
    dispatchMs: (micro * moeLayers * a2a.dispatchUs) / 1000,
    combineMs: (micro * moeLayers * a2a.combineUs) / 1000,
    exposedCommMs: (stepUs - computeOnlyUs) / 1000,
    otherMs: otherUs / 1000,
    fabric: a2a.fabric,
    expertsPerGpu: mem.expertsPerGpu,
    weightsGB: mem.weightsGB,
    kvGB: mem.kvGB,
  };
}
