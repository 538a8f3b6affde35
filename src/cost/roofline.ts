/**
 * Roofline pieces of the cost model: the few efficiency factors, the time of a GEMM that is either
 * compute- or memory-bound, one SwiGLU expert's GroupGEMM and the token count where it turns compute-bound.
 */
import { assertFinite, assertInRange, assertNonNegative, assertOneOf, assertPositive, assertPositiveInt, show } from "../util/validate";
import { getGpu, gpuNames, type GpuSpec } from "./catalog-hardware";
import { checkOptionKeys } from "./options";
import { PRECISIONS, bytesPerWeight, mathType, type MathType, type Precision } from "./precision";

export type { Precision } from "./precision";
export { PRECISIONS, bytesPerWeight } from "./precision";

/**
 * The model's tunable constants, each a physical, documented fraction or latency. Defaults in
 * {@link DEFAULT_EFFICIENCY}; the ones marked "fitted" are produced by `fitConstants()` (calibration.ts) from
 * published measurements of the fabric or system they describe, and a test checks the defaults equal the fit.
 */
export interface Efficiency {
  /**
   * Achievable fraction of dense tensor-core peak for GEMMs (0–1], end to end: it also absorbs the elementwise,
   * routing and permutation kernels that run at the same token counts. Fitted on the published decode and prefill throughputs.
   */
  computeFraction: number;
  /**
   * Achievable fraction of dense tensor-core peak for the attention core (FlashMLA-style kernels), (0–1]. 0.67, not
   * fitted: FlashMLA reports up to 660 TFLOP/s BF16 compute-bound on H800 (0.67 of 989).
   * Source: https://github.com/deepseek-ai/FlashMLA (README, performance).
   */
  attentionComputeFraction: number;
  /**
   * Achievable fraction of HBM bandwidth for streaming weights and KV cache (0–1]. 0.85, not fitted:
   * FlashMLA reports up to 3,000 GB/s memory-bound on H800 (0.90 of 3.35 TB/s); weight-streaming GEMMs
   * with small M reach somewhat less. Source: https://github.com/deepseek-ai/FlashMLA (README).
   */
  memoryFraction: number;
  /**
   * Fixed time per transformer layer for the kernels the model does not cost explicitly (norms, router,
   * top-k, RoPE, residual adds, launch gaps under CUDA graphs), microseconds. Fitted on the published decode throughputs.
   */
  layerOverheadUs: number;
  /** Low-latency dispatch inside one NVLink domain: fixed latency, µs. Fitted on NVLink kernel tables (GB200 NVL72, H800 EP8). */
  nvlinkDispatchLatencyUs: number;
  /** Low-latency combine inside one NVLink domain: fixed latency, µs. Fitted with the above. */
  nvlinkCombineLatencyUs: number;
  /** Achieved fraction of the one-way NVLink bandwidth by the low-latency kernels (0–1]. Fitted with the above. */
  nvlinkBandwidthFraction: number;
  /** Low-latency dispatch across nodes (RDMA): fixed latency, µs. Fitted on DeepEP's H800 pure-RDMA table (EP ≥ 16). */
  rdmaDispatchLatencyUs: number;
  /** Low-latency combine across nodes (RDMA): fixed latency, µs. Fitted with the above. */
  rdmaCombineLatencyUs: number;
  /** Achieved fraction of the NIC bandwidth by the low-latency RDMA kernels (0–1.5]. Fitted with the above. */
  rdmaBandwidthFraction: number;
  /** Achieved fraction of NVLink bandwidth by the normal (prefill) kernels (0–1.5]. Fitted on DeepEP's intranode table. */
  normalNvlinkBandwidthFraction: number;
  /**
   * Achieved fraction of NIC bandwidth by the normal (prefill) kernels, in DeepEP's accounting (0–1.5]. Fitted on
   * DeepEP's internode table, whose "bottleneck bandwidth" slightly exceeds the nominal 50 GB/s.
   */
  normalRdmaBandwidthFraction: number;
  /**
   * Fraction of the shorter of (compute, communication) that overlap actually hides, [0, 1]. 0.5, not fitted:
   * LMSYS measured two-batch overlap gains of roughly 1.3× on DeepSeek-V3 with DeepEP, which corresponds to
   * hiding about half. Source: https://lmsys.org/blog/2025-05-05-large-scale-ep/ (two-batch overlap section).
   */
  overlapFraction: number;
}

/** The keys of {@link Efficiency}. */
export const EFFICIENCY_KEYS: readonly (keyof Efficiency)[] = Object.freeze([
  "computeFraction",
  "attentionComputeFraction",
  "memoryFraction",
  "layerOverheadUs",
  "nvlinkDispatchLatencyUs",
  "nvlinkCombineLatencyUs",
  "nvlinkBandwidthFraction",
  "rdmaDispatchLatencyUs",
  "rdmaCombineLatencyUs",
  "rdmaBandwidthFraction",
  "normalNvlinkBandwidthFraction",
  "normalRdmaBandwidthFraction",
  "overlapFraction",
] as (keyof Efficiency)[]);

/** Default efficiency factors (frozen): the output of `fitConstants()` rounded. See {@link Efficiency}. */
export const DEFAULT_EFFICIENCY: Readonly<Efficiency> = Object.freeze({
  computeFraction: 0.27,
  attentionComputeFraction: 0.67,
  memoryFraction: 0.85,
  layerOverheadUs: 67.5,
  nvlinkDispatchLatencyUs: 14.5,
  nvlinkCombineLatencyUs: 22.5,
  nvlinkBandwidthFraction: 0.74,
  rdmaDispatchLatencyUs: 27.6,
  rdmaCombineLatencyUs: 29.4,
  rdmaBandwidthFraction: 0.877,
  normalNvlinkBandwidthFraction: 0.986,
  normalRdmaBandwidthFraction: 1.002,
  overlapFraction: 0.5,
})

/**
 * Merge user overrides into the defaults, validating each; unknown keys are rejected.
 * @param overrides partial efficiency factors (fractions in (0, 1] — bandwidth fractions of the fabric up to 1.5 —,
 *   latencies/overheads in µs ≥ 0)
 * @returns a complete, validated Efficiency
 * @throws {RangeError|TypeError} naming the bad factor, or an unknown key with the nearest valid one
 * @example resolveEfficiency({ computeFraction: 0.5 }).memoryFraction // 0.85
 */
export function resolveEfficiency(overrides?: Partial<Efficiency>): Efficiency {
  if (overrides === undefined) return DEFAULT_EFFICIENCY as Efficiency;
  checkOptionKeys("efficiency", overrides, EFFICIENCY_KEYS);
  const e: Efficiency = { ...DEFAULT_EFFICIENCY, ...overrides };
  assertInRange("efficiency.computeFraction", e.computeFraction, Number.MIN_VALUE, 1);
  assertInRange("efficiency.attentionComputeFraction", e.attentionComputeFraction, Number.MIN_VALUE, 1);
  assertInRange("efficiency.memoryFraction", e.memoryFraction, Number.MIN_VALUE, 1);
  assertNonNegative("efficiency.layerOverheadUs", e.layerOverheadUs);
  assertNonNegative("efficiency.nvlinkDispatchLatencyUs", e.nvlinkDispatchLatencyUs);
  assertNonNegative("efficiency.nvlinkCombineLatencyUs", e.nvlinkCombineLatencyUs);
  assertInRange("efficiency.nvlinkBandwidthFraction", e.nvlinkBandwidthFraction, Number.MIN_VALUE, 1);
  assertNonNegative("efficiency.rdmaDispatchLatencyUs", e.rdmaDispatchLatencyUs);
  assertNonNegative("efficiency.rdmaCombineLatencyUs", e.rdmaCombineLatencyUs);
  assertInRange("efficiency.rdmaBandwidthFraction", e.rdmaBandwidthFraction, Number.MIN_VALUE, 1.5);
  assertInRange("efficiency.normalNvlinkBandwidthFraction", e.normalNvlinkBandwidthFraction, Number.MIN_VALUE, 1.5);
  assertInRange("efficiency.normalRdmaBandwidthFraction", e.normalRdmaBandwidthFraction, Number.MIN_VALUE, 1.5);
  assertInRange("efficiency.overlapFraction", e.overlapFraction, 0, 1);
  return e;
}

/**
 * Resolve a GPU given by name or spec (a spec is checked, not copied).
 * @param gpu catalog name (e.g. `"h800"`) or a {@link GpuSpec} (TFLOP/s, GB, TB/s, GB/s, GPUs per NVLink domain)
 * @returns the GpuSpec
 * @throws {TypeError|RangeError} for unknown names or bad specs (a non-positive or non-finite figure, a negative
 *   `fp4Tflops`, or a non-integer `nvlinkDomainSize`), naming the field and value
 * @example resolveGpu("h800").nvlinkGBps // 160
 */
export function resolveGpu(gpu: string | GpuSpec): GpuSpec {
  if (typeof gpu === "string") return getGpu(gpu);
  if (gpu === null || typeof gpu !== "object") throw new TypeError(`gpu must be a name or a GpuSpec, got ${gpu === null ? "null" : `${typeof gpu} ${show(gpu)}`}`);
  for (const f of ["bf16Tflops", "fp8Tflops", "hbmGB", "hbmTBps", "nvlinkGBps", "nicGBps"] as const) assertPositive(`gpu.${f}`, gpu[f]);
  if (gpu.fp4Tflops !== undefined) assertNonNegative("gpu.fp4Tflops", gpu.fp4Tflops);
  assertPositiveInt("gpu.nvlinkDomainSize", gpu.nvlinkDomainSize);
  return gpu;
}

/**
 * Peak dense tensor FLOP/s of a GPU for weights of a precision (not yet derated): BF16 peak for bf16, FP8 for fp8,
 * FP4 for nvfp4/mxfp4 where the GPU has FP4 tensor cores and FP8 where it does not (Hopper). A math type
 * (`"fp4"`) may be given directly.
 * @param gpu name or spec
 * @param precision weight precision or math type
 * @returns FLOP/s
 * @throws {RangeError|TypeError} for an unknown GPU or precision, or "fp4" on a GPU without FP4 tensor cores
 * @example peakFlops(getGpu("h100"), "fp8") // 1.979e15
 */
export function peakFlops(gpu: string | GpuSpec, precision: Precision | MathType): number {
  const g = resolveGpu(gpu);
  if (precision === "fp4") {
    if (!((g.fp4Tflops ?? 0) > 0)) throw new RangeError(`gpu ${g.name} has no FP4 tensor cores (fp4Tflops 0)`);
    return (g.fp4Tflops as number) * 1e12;
  }
  assertOneOf("precision", precision, PRECISIONS);
  const t = mathType(precision, g);
  return (t === "fp4" ? (g.fp4Tflops as number) : t === "fp8" ? g.fp8Tflops : g.bf16Tflops) * 1e12;
}

/**
 * Ridge point of the roofline: peak FLOP/s ÷ HBM bytes/s, FLOP per byte. A kernel whose arithmetic
 * intensity is below it is memory-bound.
 * @param gpu name or spec
 * @param precision tensor-core precision, default "fp8"
 * @returns FLOP per byte
 * @throws {RangeError|TypeError} for unknown GPU or precision
 * @example Math.round(ridgePoint("h100", "fp8")) // 591
 */
export function ridgePoint(gpu: string | GpuSpec, precision: Precision = "fp8"): number {
  const g = resolveGpu(gpu);
  return peakFlops(g, precision) / (g.hbmTBps * 1e12);
}

/** A roofline time estimate. */
export interface RooflineTime {
  /** max(computeUs, memoryUs), microseconds. */
  timeUs: number;
  /** FLOPs ÷ achievable FLOP/s, µs. */
  computeUs: number;
  /** bytes ÷ achievable HBM bytes/s, µs. */
  memoryUs: number;
  flops: number;
  bytes: number;
  bound: "compute" | "memory";
}

/**
 * Roofline time of a kernel doing `flops` and moving `bytes` from HBM on one GPU.
 * @param flops floating-point operations, FLOP (≥ 0)
 * @param bytes HBM bytes moved, bytes (≥ 0)
 * @param gpu name or spec
 * @param precision which tensor-core peak applies
 * @param efficiency optional overrides of the efficiency factors
 * @returns time split into compute and memory parts, microseconds
 * @throws {RangeError|TypeError} for negative/NaN inputs, unknown GPU or precision
 * @example rooflineTime(1e12, 0, "h100", "fp8").computeUs // 1e12 / (1979e12·0.27) s ≈ 1,872 µs
 */
export function rooflineTime(
  flops: number,
  bytes: number,
  gpu: string | GpuSpec,
  precision: Precision | MathType,
  efficiency?: Partial<Efficiency>,
): RooflineTime {
  assertNonNegative("flops", flops);
  assertNonNegative("bytes", bytes);
  const g = resolveGpu(gpu);
  const e = resolveEfficiency(efficiency);
  const computeUs = (flops / (peakFlops(g, precision) * e.computeFraction)) * 1e6;
  const memoryUs = (bytes / (g.hbmTBps * 1e12 * e.memoryFraction)) * 1e6;
  return { timeUs: Math.max(computeUs, memoryUs), computeUs, memoryUs, flops, bytes, bound: computeUs >= memoryUs ? "compute" : "memory" };
}

/** Options of {@link expertGemmTime}. */
export interface ExpertGemmOptions {
  /** Tokens routed to this expert (T ≥ 0; may be fractional for an average). */
  tokens: number;
  /** Model width H. */
  hiddenSize: number;
  /** Expert intermediate size I. */
  expertFfnSize: number;
  /** GPU name or spec. */
  gpu: string | GpuSpec;
  /** Weight precision, default "fp8". */
  precision?: Precision;
  /** Efficiency overrides. */
  efficiency?: Partial<Efficiency>;
}

/**
 * Roofline time of one SwiGLU expert on T tokens: FLOPs = 6·T·H·I, weight bytes = 3·H·I·bytesPerWeight
 * (activations ignored: T·H ≪ H·I in decode), time = max(FLOPs / achievable FLOP/s, bytes / achievable HBM B/s).
 * @param options `tokens` (T, tokens ≥ 0, may be fractional), `hiddenSize` (H, elements, integer ≥ 1),
 *   `expertFfnSize` (I, elements, integer ≥ 1), `gpu`, `precision` (default "fp8"), `efficiency`; see {@link ExpertGemmOptions}
 * @returns {@link RooflineTime} in microseconds
 * @throws {RangeError|TypeError} for negative/NaN tokens, non-positive or non-integer sizes, unknown GPU/precision
 * @example expertGemmTime({ tokens: 0, hiddenSize: 7168, expertFfnSize: 2048, gpu: "h100" }).memoryUs
 *   // 3·7168·2048 B / (3.35e12·0.85 B/s) ≈ 15.5 µs
 */
export function expertGemmTime(options: ExpertGemmOptions): RooflineTime {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  checkOptionKeys("options", options, ["tokens", "hiddenSize", "expertFfnSize", "gpu", "precision", "efficiency"]);
  const { tokens, hiddenSize, expertFfnSize, gpu, precision = "fp8", efficiency } = options;
  assertNonNegative("tokens", tokens);
  assertPositiveInt("hiddenSize", hiddenSize);
  assertPositiveInt("expertFfnSize", expertFfnSize);
  const flops = 6 * tokens * hiddenSize * expertFfnSize;
  const bytes = 3 * hiddenSize * expertFfnSize * bytesPerWeight(precision);
  return rooflineTime(flops, bytes, gpu, precision, efficiency);
}

/**
 * The crossover: tokens per expert at which a SwiGLU expert GEMM turns compute-bound on a GPU's roofline,
 * counting weight bytes only (activations ignored, as in decode where T·H ≪ H·I). An expert on T tokens does
 * 6·T·H·I FLOPs and reads 3·H·I·b bytes (b = {@link bytesPerWeight}, bytes per weight including block scales), so
 * its intensity is 2·T/b FLOP/byte and
 *
 *   T* = b · F / (2 · B)   tokens,   F = peak FLOP/s × computeFraction,   B = peak HBM bytes/s × memoryFraction.
 *
 * By default both fractions are 1, so T* = b · ridge point ÷ 2 with peak rates (the lab's definition, checkable by
 * hand: GB200 FP8 ≈ 1.0002 · 625 ÷ 2 ≈ 312.6 tokens). Pass fractions to derate: e.g. `DEFAULT_EFFICIENCY` gives the
 * crossover at the cost model's fitted achievable rates. Independent of H and I.
 * @param gpu catalog name or spec
 * @param precision weight precision, default "fp8"
 * @param efficiency optional `computeFraction` and `memoryFraction` in (0, 1] (each defaults to 1, i.e. peak);
 *   other {@link Efficiency} keys are accepted (so a full Efficiency can be passed) and do not affect the result
 * @returns tokens per expert (fractional)
 * @throws {RangeError|TypeError} for an unknown GPU or precision, a fraction outside (0, 1], or an unknown key
 *   (naming the nearest valid one)
 * @example Math.round(crossoverTokens("h100", "fp8")) // 1.0002·1979e12 / (2·3.35e12) ≈ 295
 * @example Math.round(crossoverTokens("h100", "fp8", DEFAULT_EFFICIENCY)) // 1.0002·1979e12·0.27 / (2·3.35e12·0.85) ≈ 94
 */
export function crossoverTokens(gpu: string | GpuSpec, precision: Precision = "fp8", efficiency?: Partial<Efficiency>): number {
  const g = resolveGpu(gpu);
  if (efficiency !== undefined && (efficiency === null || typeof efficiency !== "object" || Array.isArray(efficiency))) {
    throw new TypeError(`efficiency must be an object, got ${show(efficiency)}`);
  }
  const e = resolveEfficiency({ computeFraction: 1, memoryFraction: 1, ...efficiency });
  const F = peakFlops(g, precision) * e.computeFraction;
  const B = g.hbmTBps * 1e12 * e.memoryFraction;
  const t = (bytesPerWeight(precision) * F) / (2 * B);
  assertFinite("crossoverTokens", t);
  return t;
}

/** One row of {@link crossoverTable}. */
export interface CrossoverRow {
  gpu: string;
  precision: Precision;
  /** Tokens per expert where a SwiGLU expert GEMM turns compute-bound (see {@link crossoverTokens}). */
  crossoverTokens: number;
  /** Peak FLOP/s ÷ HBM bytes/s. */
  ridgeFlopPerByte: number;
}

/**
 * Crossover tokens per expert ({@link crossoverTokens}: peak rates and weight bytes only unless fractions are
 * passed) and peak ridge point (FLOP/byte) for every catalog GPU at every precision.
 * @param efficiency optional `computeFraction` / `memoryFraction` in (0, 1] to derate (default 1, peak)
 * @returns rows in catalog order, one per GPU and precision
 * @throws {RangeError|TypeError} for bad efficiency overrides
 * @example crossoverTable().find(r => r.gpu === "h100" && r.precision === "fp8").crossoverTokens // ≈ 295
 */
export function crossoverTable(efficiency?: Partial<Efficiency>): CrossoverRow[] {
  const rows: CrossoverRow[] = [];
  for (const name of gpuNames()) {
    for (const precision of PRECISIONS) {
      rows.push({ gpu: name, precision, crossoverTokens: crossoverTokens(name, precision, efficiency), ridgeFlopPerByte: ridgePoint(name, precision) });
    }
  }
  return rows;
}
