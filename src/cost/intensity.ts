/**
 * Arithmetic intensity (FLOP per HBM byte) of one forward pass of a whole model — a decode step of B
 * sequences vs a prefill chunk of C tokens — compared with the GPU's ridge point. The ratio does not depend
 * on how the model is split over GPUs as long as the split is even, so it is computed for the whole model.
 *
 * Counted: weight bytes actually touched (non-expert weights once; routed experts only if at least one token
 * picks them: E·(1 − (1 − k/E)^tokens) per layer in expectation), KV-cache bytes read (and written, for the
 * chunk), 2 FLOPs per weight per token, and attention-core FLOPs (MLA decode in its absorbed form,
 * MLA prefill in its expanded form; GQA `4·heads·headDim` per query per position). Activations are ignored.
 */
import { assertNonNegative, assertOneOf, assertPositive, show } from "../util/validate";
import type { GpuSpec } from "./catalog-hardware";
import { expertParams, kvElementsPerTokenPerLayer, kvPositions, paramCounts, type ModelSpec } from "./catalog-models";
import { resolveModel } from "./memory";
import { checkOptionKeys } from "./options";
import { bytesPerWeight, resolveGpu, ridgePoint, rooflineTime, PRECISIONS, type Precision } from "./roofline";

/** Options of {@link stepIntensity}. */
export interface IntensityOptions {
  model: string | ModelSpec;
  gpu: string | GpuSpec;
  /** "decode": `tokens` sequences each add one token; "prefill": one chunk of `tokens` tokens of one sequence. */
  phase: "decode" | "prefill";
  /** Decode: batch (sequences); prefill: chunk length (tokens). > 0. */
  tokens: number;
  /** Context already cached per sequence, tokens (≥ 0), default 0. */
  kvLen?: number;
  /** Weight precision, default "fp8". */
  precision?: Precision;
  /** Bytes per KV element, default 2. */
  kvCacheBytes?: number;
}

/** Result of {@link stepIntensity}. */
export interface IntensityResult {
  phase: "decode" | "prefill";
  tokens: number;
  flops: number;
  bytes: number;
  /** flops / bytes, FLOP per byte. */
  intensity: number;
  /** The GPU's ridge point at the weight precision, FLOP per byte. */
  ridge: number;
  bound: "compute" | "memory";
  /** Roofline time of the pass on ONE GPU at default efficiencies, ms (divide by the GPU count for an even split). */
  timeMsOneGpu: number;
}

/**
 * Arithmetic intensity of one decode step or one prefill chunk (see the module comment).
 * @param options `model`, `gpu`, `phase`, `tokens` (decode: sequences; prefill: chunk tokens; > 0), `kvLen`
 *   (tokens ≥ 0), `precision`, `kvCacheBytes` (bytes per element); see {@link IntensityOptions}
 * @returns {@link IntensityResult} (FLOP, bytes, FLOP per byte, ms)
 * @throws {RangeError|TypeError} for unknown model/GPU/phase/precision, non-positive tokens, negative kvLen
 * @example stepIntensity({ model: "deepseek-v3", gpu: "h100", phase: "decode", tokens: 64, kvLen: 4096 }).bound // "memory"
 */
export function stepIntensity(options: IntensityOptions): IntensityResult {
  checkOptionKeys("options", options, ["model", "gpu", "phase", "tokens", "kvLen", "precision", "kvCacheBytes"]);
  const m = resolveModel(options.model);
  const g = resolveGpu(options.gpu);
  const { phase, tokens, kvLen = 0, precision = "fp8", kvCacheBytes = 2 } = options;
  assertOneOf("phase", phase, ["decode", "prefill"] as const);
  assertPositive("tokens", tokens);
  assertNonNegative("kvLen", kvLen);
  assertOneOf("precision", precision, PRECISIONS);
  assertPositive("kvCacheBytes", kvCacheBytes);
  const wb = bytesPerWeight(precision);
  const p = paramCounts(m);
  const eP = expertParams(m);
  const nonExpert = p.totalParams - p.routedExpertParams - p.embeddingParams + m.vocabSize * m.hiddenSize; // + output head
  const touchedPerLayer = m.numExperts * (1 - Math.pow(1 - m.topK / m.numExperts, tokens));
  const weightBytes = nonExpert * wb + m.numMoeLayers * touchedPerLayer * eP * wb;
  const linearFlops = 2 * p.activeParams * tokens; // activeParams includes the output head
  const a = m.attention;
  const kvElems = kvElementsPerTokenPerLayer(m);
  let attnFlops: number;
  let kvBytes: number;
  if (phase === "decode") {
    const perPos = a.kind === "mla" ? a.numHeads * (2 * (a.kvLoraRank + a.qkRopeHeadDim) + 2 * a.kvLoraRank) : 4 * a.numHeads * a.headDim;
    const positions = kvPositions(m, kvLen + 1);
    attnFlops = tokens * positions * perPos;
    kvBytes = tokens * positions * kvElems * kvCacheBytes;
  } else {
    const perPos = a.kind === "mla" ? 2 * a.numHeads * (a.qkNopeHeadDim + a.qkRopeHeadDim + a.vHeadDim) : 4 * a.numHeads * a.headDim;
    // Average context seen by a chunk token: kvLen + (tokens + 1) / 2 (causal).
    const positions = kvPositions(m, kvLen + (tokens + 1) / 2);
    attnFlops = tokens * positions * perPos;
    kvBytes = (kvPositions(m, kvLen) + kvPositions(m, tokens)) * kvElems * kvCacheBytes; // read prior context, write the chunk
  }
  const flops = linearFlops + attnFlops;
  const bytes = weightBytes + kvBytes;
  const intensity = flops / bytes;
  const ridge = ridgePoint(g, precision);
  return {
    phase,
    tokens,
    flops,
    bytes,
    intensity,
    ridge,
    bound: intensity >= ridge ? "compute" : "memory",
    timeMsOneGpu: rooflineTime(flops, bytes, g, precision).timeUs / 1000,
  };
}

/** Options of {@link prefillVsDecode}. */
export interface PrefillVsDecodeOptions {
  model: string | ModelSpec;
  gpu: string | GpuSpec;
  /** Decode batch (sequences), default 64. */
  decodeBatch?: number;
  /**
   * Prefill chunk length (tokens), default 16384. A whole-model chunk touches every expert, so it needs
   * roughly ridge·totalParams/(2·activeParams) tokens to become compute-bound (≈ 5.4k for DeepSeek-V3 on H100).
   */
  prefillChunk?: number;
  /** Cached context per sequence, tokens, default 4096 (decode) and 0 (prefill starts a new prompt). */
  kvLen?: number;
  precision?: Precision;
}

/**
 * One decode step next to one prefill chunk: their arithmetic intensities and the GPU's ridge point.
 * Decode sits far below the ridge (memory-bound: each weight byte serves few tokens); a prefill chunk sits above it.
 * @param options `model`, `gpu`, `decodeBatch` (sequences, > 0), `prefillChunk` (tokens, > 0), `kvLen` (tokens ≥ 0),
 *   `precision`; see {@link PrefillVsDecodeOptions}
 * @returns `{ decode, prefill, ridge }` (intensities and ridge in FLOP per byte)
 * @throws {RangeError|TypeError} naming decodeBatch / prefillChunk / kvLen for a bad value, and as stepIntensity
 * @example
 * const r = prefillVsDecode({ model: "deepseek-v3", gpu: "h100" });
 * r.decode.intensity < r.ridge && r.prefill.intensity > r.ridge; // true
 */
export function prefillVsDecode(options: PrefillVsDecodeOptions): { decode: IntensityResult; prefill: IntensityResult; ridge: number } {
  checkOptionKeys("options", options, ["model", "gpu", "decodeBatch", "prefillChunk", "kvLen", "precision"]);
  const { model, gpu, decodeBatch = 64, prefillChunk = 16384, kvLen = 4096, precision = "fp8" } = options;
  // Named here: stepIntensity would report both sizes as "tokens".
  assertPositive("decodeBatch", decodeBatch);
  assertPositive("prefillChunk", prefillChunk);
  assertNonNegative("kvLen", kvLen);
  const decode = stepIntensity({ model, gpu, phase: "decode", tokens: decodeBatch, kvLen, precision });
  const prefill = stepIntensity({ model, gpu, phase: "prefill", tokens: prefillChunk, kvLen: 0, precision });
  return { decode, prefill, ridge: decode.ridge };
}
