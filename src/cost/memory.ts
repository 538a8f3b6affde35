/**
 * Memory per GPU for DeepSeek-style serving: attention, dense FFN, shared experts and embeddings are
 * replicated on every GPU (data-parallel attention), routed experts are spread over the EP group
 * (`(numExperts + redundantExperts) / epSize` slots per GPU), and every GPU keeps the KV cache of its own
 * sequences. What is left after weights and a workspace reserve bounds the decode batch.
 */
import { assertOneOf, assertInRange, assertNonNegative, assertNonNegativeInt, assertPositiveInt, show } from "../util/validate";
import type { GpuSpec } from "./catalog-hardware";
import { attentionParamsPerLayer, checkModel, expertParams, getModel, kvElementsPerTokenPerLayer, kvPositions, paramCounts, type ModelSpec } from "./catalog-models";
import { resolveGpu } from "./roofline";
import { checkMax, checkOptionKeys, COST_LIMITS } from "./options";
import { DENSE_PRECISIONS, PRECISIONS, bytesPerWeight, kvBytesPerElement, type KvPrecision, type Precision } from "./precision";

/**
 * Resolve a model given by name or spec (a spec is checked with {@link checkModel}, not copied).
 * @param model catalog name (e.g. `"deepseek-v3"`) or a {@link ModelSpec}
 * @returns the ModelSpec
 * @throws {TypeError|RangeError} for unknown names or bad specs, naming the field and value
 * @example resolveModel("deepseek-r1").numExperts // 256 (an alias of deepseek-v3)
 */
export function resolveModel(model: string | ModelSpec): ModelSpec {
  if (typeof model === "string") return getModel(model);
  checkModel(model);
  return model;
}

/** Options of {@link memoryPerGpu}. */
export interface MemoryOptions {
  /** Model name or spec. */
  model: string | ModelSpec;
  /** GPU name or spec. */
  gpu: string | GpuSpec;
  /** GPUs in the EP group (1 = every expert on one GPU). */
  epSize: number;
  /** Sequences decoding on each GPU, default 0. */
  batchPerGpu?: number;
  /** Average context (KV) length per sequence, tokens; default 0. */
  kvLen?: number;
  /** Extra expert slots for replicas (EPLB); numExperts + redundantExperts must divide by epSize. Default 0. */
  redundantExperts?: number;
  /** Default precision of every GEMM weight (attention, dense FFN, shared experts), default "fp8"; embeddings stay BF16. */
  precision?: Precision;
  /** Precision of the routed-expert weights, default = `precision`. */
  moePrecision?: Precision;
  /** KV-cache precision, default "bf16" (sets the bytes per element: 2 or 1). */
  kvPrecision?: KvPrecision;
  /** Bytes per KV-cache element (legacy alternative to kvPrecision; give one of the two), default 2. */
  kvCacheBytes?: number;
  /** Fraction of HBM kept for activations, communication buffers, CUDA context; default 0.1. */
  reserveFraction?: number;
  /** Include a multi-token-prediction module (one extra MoE layer of weights and KV). Default false. */
  mtp?: boolean;
}

/** Memory per GPU, GB = 1e9 bytes. */
export interface MemoryPerGpu {
  /** Expert slots per GPU: (numExperts + redundantExperts) / epSize. */
  expertsPerGpu: number;
  /** Routed-expert weights on this GPU. */
  expertWeightsGB: number;
  /** Replicated weights: attention, dense FFN, shared experts, embeddings (+ MTP module's non-expert part). */
  replicatedWeightsGB: number;
  /** expertWeightsGB + replicatedWeightsGB. */
  weightsGB: number;
  /** KV cache of one sequence of kvLen tokens. */
  kvGBPerSequence: number;
  /** KV cache of batchPerGpu sequences. */
  kvGB: number;
  /** Workspace reserve: reserveFraction · hbmGB. */
  reserveGB: number;
  /** HBM capacity. */
  capacityGB: number;
  /** capacity − weights − reserve − kv (negative when it does not fit). */
  freeGB: number;
  /** freeGB ≥ 0. */
  fits: boolean;
  /** Largest batch whose KV fits next to the weights (0 when the weights alone do not fit; Infinity when kvLen is 0). */
  maxBatchPerGpu: number;
}

/**
 * Memory per GPU and the largest decode batch that fits.
 * @param options `model`, `gpu`, `epSize` (GPUs), `batchPerGpu` (sequences), `kvLen` (tokens), `redundantExperts`
 *   (slots), `precision`/`moePrecision` (weights), `kvPrecision` or `kvCacheBytes` (bytes per element),
 *   `reserveFraction`, `mtp`; see {@link MemoryOptions}
 * @returns {@link MemoryPerGpu} (GB = 1e9 bytes)
 * @throws {RangeError|TypeError} for unknown model/GPU/option keys, non-divisible expert slots (naming the smallest
 *   redundant-expert count that divides), negative sizes
 * @example memoryPerGpu({ model: "deepseek-v3", gpu: "h100", epSize: 8 }).fits // false: 32 experts × 58 layers ≈ 82 GB of experts
 */
export function memoryPerGpu(options: MemoryOptions): MemoryPerGpu {
  checkOptionKeys("options", options, MEMORY_OPTION_KEYS);
  const m = resolveModel(options.model);
  const { epSize, redundantExperts = 0 } = options;
  assertPositiveInt("epSize", epSize);
  checkMax("epSize", epSize, COST_LIMITS.maxEpSize);
  assertNonNegativeInt("redundantExperts", redundantExperts);
  const slots = m.numExperts + redundantExperts;
  if (slots % epSize !== 0) throw new RangeError(divisibilityMessage(m.numExperts, redundantExperts, epSize));
  return memoryFootprint(options, m);
}

/** Option keys of {@link memoryPerGpu}. */
export const MEMORY_OPTION_KEYS: readonly string[] = Object.freeze([
  "model", "gpu", "epSize", "batchPerGpu", "kvLen", "redundantExperts", "precision", "moePrecision", "kvPrecision", "kvCacheBytes", "reserveFraction", "mtp",
]);

/**
 * Why an expert count does not divide over an EP group, and the smallest redundant-expert count that fixes it:
 * `(ep − S % ep) % ep` more slots, S = numExperts + redundantExperts.
 * @param numExperts routed experts E
 * @param redundantExperts redundant slots already given
 * @param epSize GPUs in the group
 * @returns a sentence naming the values
 * @throws never
 * @example divisibilityMessage(256, 0, 144) // "... use redundantExperts 32 ..."
 */
export function divisibilityMessage(numExperts: number, redundantExperts: number, epSize: number): string {
  const slots = numExperts + redundantExperts;
  const more = (epSize - (slots % epSize)) % epSize;
  return (
    `numExperts + redundantExperts (${numExperts} + ${redundantExperts} = ${slots}) is not divisible by epSize (${epSize}): ` +
    `the smallest redundant-expert count that divides is redundantExperts ${redundantExperts + more} ((ep − E % ep) % ep = ${more} more slots)`
  );
}

/**
 * Memory per GPU without the divisibility check (the busiest GPU holds ceil(slots / epSize) expert slots); used by
 * the step models, which report non-divisible configurations as infeasible instead of throwing.
 * @internal
 */
export function memoryFootprint(options: MemoryOptions, m: ModelSpec): MemoryPerGpu {
  const g = resolveGpu(options.gpu);
  const { epSize, batchPerGpu = 0, kvLen = 0, redundantExperts = 0, precision = "fp8", reserveFraction = 0.1, mtp = false } = options;
  const moePrecision = options.moePrecision ?? precision;
  assertPositiveInt("epSize", epSize);
  assertNonNegative("batchPerGpu", batchPerGpu);
  checkMax("batchPerGpu", batchPerGpu, COST_LIMITS.maxBatchPerGpu);
  assertNonNegative("kvLen", kvLen);
  checkMax("kvLen", kvLen, COST_LIMITS.maxKvLen);
  assertNonNegativeInt("redundantExperts", redundantExperts);
  checkMax("redundantExperts", redundantExperts, COST_LIMITS.maxRedundantExperts);
  assertOneOf("precision", precision, DENSE_PRECISIONS);
  assertOneOf("moePrecision", moePrecision, PRECISIONS);
  const kvCacheBytes = resolveKvBytes(options.kvPrecision, options.kvCacheBytes);
  assertInRange("reserveFraction", reserveFraction, 0, 1);
  if (typeof mtp !== "boolean") throw new TypeError(`mtp must be a boolean, got ${typeof mtp}`);
  const wb = bytesPerWeight(precision);
  const eb = bytesPerWeight(moePrecision);
  const H = m.hiddenSize;
  const expertsPerGpu = Math.ceil((m.numExperts + redundantExperts) / epSize);
  const mtpLayers = mtp ? 1 : 0;
  const expertBytes = expertsPerGpu * (m.numMoeLayers + mtpLayers) * expertParams(m) * eb;
  const p = paramCounts(m);
  const perLayerAttn = attentionParamsPerLayer(m);
  const sharedPerLayer = m.numSharedExperts * 3 * H * m.sharedExpertFfnSize;
  const replicatedBytes =
    (p.attentionParams + p.denseFfnParams + p.sharedExpertParams) * wb +
    p.embeddingParams * 2 +
    mtpLayers * (perLayerAttn + sharedPerLayer + 2 * H * H) * wb;
  const kvBytesPerSeq = (kvPositions(m, kvLen) + mtpLayers * kvLen) * kvElementsPerTokenPerLayer(m) * kvCacheBytes;
  const capacity = g.hbmGB * 1e9;
  const reserve = reserveFraction * capacity;
  const weights = expertBytes + replicatedBytes;
  const kv = batchPerGpu * kvBytesPerSeq;
  const room = capacity - reserve - weights;
  const maxBatchPerGpu = room <= 0 ? 0 : kvBytesPerSeq === 0 ? Infinity : Math.floor(room / kvBytesPerSeq);
  return {
    expertsPerGpu,
    expertWeightsGB: expertBytes / 1e9,
    replicatedWeightsGB: replicatedBytes / 1e9,
    weightsGB: weights / 1e9,
    kvGBPerSequence: kvBytesPerSeq / 1e9,
    kvGB: kv / 1e9,
    reserveGB: reserve / 1e9,
    capacityGB: g.hbmGB,
    freeGB: (room - kv) / 1e9,
    fits: room - kv >= 0,
    maxBatchPerGpu,
  };
}

/**
 * Bytes per KV element from `kvPrecision` or the legacy `kvCacheBytes` (giving both with different meanings is an error).
 * @internal
 */
export function resolveKvBytes(kvPrecision: KvPrecision | undefined, kvCacheBytes: number | undefined): number {
  if (kvPrecision !== undefined) {
    const b = kvBytesPerElement(kvPrecision);
    if (kvCacheBytes !== undefined && kvCacheBytes !== b) {
      throw new RangeError(`kvCacheBytes (${show(kvCacheBytes)}) contradicts kvPrecision ${JSON.stringify(kvPrecision)} (${b} bytes); give one of the two`);
    }
    return b;
  }
  const b = kvCacheBytes ?? 2;
  assertInRange("kvCacheBytes", b, Number.MIN_VALUE, 8);
  return b;
}

/**
 * Largest decode batch per GPU that fits (see {@link memoryPerGpu}).
 * @param options as {@link memoryPerGpu} without batchPerGpu (kvLen in tokens)
 * @returns sequences per GPU (0 when the weights alone do not fit; Infinity when kvLen is 0)
 * @throws {RangeError|TypeError} as memoryPerGpu
 * @example maxBatchPerGpu({ model: "deepseek-v3", gpu: "h800", epSize: 144, redundantExperts: 32, kvLen: 4989 }) // 136
 */
export function maxBatchPerGpu(options: Omit<MemoryOptions, "batchPerGpu">): number {
  return memoryPerGpu({ ...options, batchPerGpu: 0 }).maxBatchPerGpu;
}

/** One row of {@link memoryVsEpSize}. */
export interface MemoryVsEpRow extends MemoryPerGpu {
  epSize: number;
}

/**
 * Experts per GPU, memory per GPU and the largest batch as the EP group widens (sizes that do not divide
 * the expert slots are skipped).
 * @param options as {@link memoryPerGpu} without epSize
 * @param epSizes EP sizes to evaluate (GPUs, integers ≥ 1), default [8, 16, 32, 64, 72, 144, 256, 288]
 * @returns rows for the EP sizes that divide numExperts + redundantExperts (GB, sequences)
 * @throws {RangeError|TypeError} for bad options (checked even when no EP size divides the slots) or a
 *   non-array / empty / non-integer epSizes
 * @example memoryVsEpSize({ model: "deepseek-v3", gpu: "h200", kvLen: 4096 }).map(r => r.maxBatchPerGpu) // [91, 233, 304, 339, 366] (EP 8, 16, 32, 64, 256)
 */
export function memoryVsEpSize(options: Omit<MemoryOptions, "epSize">, epSizes: readonly number[] = [8, 16, 32, 64, 72, 144, 256, 288]): MemoryVsEpRow[] {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  if (!Array.isArray(epSizes)) throw new TypeError(`epSizes must be an array, got ${show(epSizes)}`);
  if (epSizes.length === 0) throw new RangeError("epSizes must not be empty");
  const m = resolveModel(options.model);
  const redundantExperts = options.redundantExperts ?? 0;
  // Checked here too: a NaN or negative count would otherwise make every EP size "not divide" and return [].
  assertNonNegativeInt("redundantExperts", redundantExperts);
  const slots = m.numExperts + redundantExperts;
  const rows: MemoryVsEpRow[] = [];
  for (let i = 0; i < epSizes.length; i++) {
    assertPositiveInt(`epSizes[${i}]`, epSizes[i]);
    if (slots % epSizes[i] !== 0) continue;
    rows.push({ epSize: epSizes[i], ...memoryPerGpu({ ...options, epSize: epSizes[i] }) });
  }
  return rows;
}
