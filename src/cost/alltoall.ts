/**
 * All-to-all (MoE dispatch and combine) cost: bytes per token, their split by destination
 * (same GPU / same NVLink domain / other node), and a latency + bottleneck-link time model calibrated
 * on DeepEP's published low-latency kernel figures.
 */
import { assertInRange, assertNonNegative, assertOneOf, assertPositiveInt, show } from "../util/validate";
import type { Citation, GpuSpec } from "./catalog-hardware";
import { PRECISIONS, resolveEfficiency, resolveGpu, type Efficiency, type Precision } from "./roofline";

/**
 * Bytes one token sends in one MoE layer's dispatch (one copy per routed expert, as DeepEP's low-latency
 * kernels do): FP8 `k·(H + 4·H/128 + 16)` (FP8 values, one FP32 scale per 128 values, 16 bytes of index
 * and weight metadata); BF16 `k·(2·H + 16)`.
 * @param hiddenSize H, model width in elements (integer ≥ 1)
 * @param topK k, routed experts per token (integer ≥ 1)
 * @param precision dispatch precision, `"fp8"` (default) or `"bf16"`
 * @returns bytes per token per MoE layer
 * @throws {RangeError|TypeError} for non-positive sizes or an unknown precision
 * @example dispatchBytesPerToken(7168, 8) // 8·(7168 + 224 + 16) = 59,264
 */
export function dispatchBytesPerToken(hiddenSize: number, topK: number, precision: Precision = "fp8"): number {
  assertPositiveInt("hiddenSize", hiddenSize);
  assertPositiveInt("topK", topK);
  assertOneOf("precision", precision, PRECISIONS);
  return precision === "fp8" ? topK * (hiddenSize + (4 * hiddenSize) / 128 + 16) : topK * (2 * hiddenSize + 16);
}

/**
 * Bytes one token receives back in one MoE layer's combine (BF16 expert outputs, one per routed expert): `k·2·H`.
 * @param hiddenSize H, model width in elements (integer ≥ 1)
 * @param topK k, routed experts per token (integer ≥ 1)
 * @returns bytes per token per MoE layer
 * @throws {RangeError|TypeError} for non-positive or non-integer sizes
 * @example combineBytesPerToken(7168, 8) // 114,688
 */
export function combineBytesPerToken(hiddenSize: number, topK: number): number {
  assertPositiveInt("hiddenSize", hiddenSize);
  assertPositiveInt("topK", topK);
  return topK * 2 * hiddenSize;
}

/** Fractions of a rank's all-to-all traffic by destination (sum to 1). */
export interface DestinationSplit {
  /** Stays on the same GPU (no link used): 1/epSize. */
  sameGpu: number;
  /** Other GPUs in the same NVLink domain: (min(epSize, domain) − 1)/epSize. */
  sameDomain: number;
  /** GPUs in other nodes / NVLink domains, over the NIC: (epSize − min(epSize, domain))/epSize. */
  otherNode: number;
}

/**
 * Destination split for uniformly spread expert choices over `epSize` ranks, `nvlinkDomainSize` per domain.
 * @param epSize GPUs (ranks) in the expert-parallel group (integer ≥ 1)
 * @param nvlinkDomainSize GPUs per NVLink domain (integer ≥ 1)
 * @returns {@link DestinationSplit}: dimensionless fractions of the traffic, summing to 1
 * @throws {RangeError|TypeError} for values that are not positive integers
 * @example destinationSplit(32, 8) // { sameGpu: 1/32, sameDomain: 7/32, otherNode: 24/32 }
 */
export function destinationSplit(epSize: number, nvlinkDomainSize: number): DestinationSplit {
  assertPositiveInt("epSize", epSize);
  assertPositiveInt("nvlinkDomainSize", nvlinkDomainSize);
  const inDomain = Math.min(epSize, nvlinkDomainSize);
  return { sameGpu: 1 / epSize, sameDomain: (inDomain - 1) / epSize, otherNode: (epSize - inDomain) / epSize };
}

/** Options of {@link allToAllTime}. */
export interface AllToAllOptions {
  /** GPU name or spec (NVLink and NIC bandwidths, NVLink domain size). */
  gpu: string | GpuSpec;
  /** Ranks in the expert-parallel group. */
  epSize: number;
  /** Tokens each rank dispatches in this call. */
  tokensPerRank: number;
  /** Model width H, default 7168 (DeepSeek-V3). */
  hiddenSize?: number;
  /** Routed experts per token, default 8. */
  topK?: number;
  /** Dispatch precision, default "fp8" (combine is always BF16). */
  dispatchPrecision?: Precision;
  /** Max/mean received tokens per rank (≥ 1); the busiest rank sets the time. Default 1. */
  loadImbalance?: number;
  /** Efficiency overrides (dispatch/combine latency). */
  efficiency?: Partial<Efficiency>;
}

/** Result of {@link allToAllTime}, microseconds and bytes. */
export interface AllToAllTime {
  dispatchUs: number;
  combineUs: number;
  dispatchBytesPerToken: number;
  combineBytesPerToken: number;
  split: DestinationSplit;
  /** Which link bounds the transfer: "nvlink", "nic", or "none" (epSize 1). */
  bottleneck: "nvlink" | "nic" | "none";
}

/**
 * Time of one dispatch and one combine: latency + the slower of (NVLink bytes ÷ NVLink GB/s,
 * NIC bytes ÷ NIC GB/s), with the byte volume of the busiest rank (× loadImbalance). Same-GPU copies are free.
 * @param options `gpu`, `epSize` (GPUs), `tokensPerRank` (tokens ≥ 0), `hiddenSize` (elements), `topK`,
 *   `dispatchPrecision`, `loadImbalance` (≥ 1), `efficiency`; see {@link AllToAllOptions}
 * @returns {@link AllToAllTime} (times in µs, sizes in bytes per token)
 * @throws {RangeError|TypeError} for bad sizes, imbalance < 1, unknown GPU
 * @example allToAllTime({ gpu: "h800", epSize: 32, tokensPerRank: 128 }).dispatchUs // ≈ 43 + 7.59 MB·0.75/50 GB/s ≈ 157 µs
 */
export function allToAllTime(options: AllToAllOptions): AllToAllTime {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const { epSize, tokensPerRank, hiddenSize = 7168, topK = 8, dispatchPrecision = "fp8", loadImbalance = 1 } = options;
  const g = resolveGpu(options.gpu);
  assertPositiveInt("epSize", epSize);
  assertNonNegative("tokensPerRank", tokensPerRank);
  assertInRange("loadImbalance", loadImbalance, 1, Number.MAX_VALUE);
  const e = resolveEfficiency(options.efficiency);
  const split = destinationSplit(epSize, g.nvlinkDomainSize);
  const dBytes = dispatchBytesPerToken(hiddenSize, topK, dispatchPrecision);
  const cBytes = combineBytesPerToken(hiddenSize, topK);
  const transferUs = (bytesPerToken: number): number => {
    const total = tokensPerRank * bytesPerToken * loadImbalance;
    const nvl = (total * split.sameDomain) / (g.nvlinkGBps * 1e9);
    const nic = (total * split.otherNode) / (g.nicGBps * 1e9);
    return Math.max(nvl, nic) * 1e6;
  };
  const nvlOnly = split.otherNode === 0;
  const bottleneck: AllToAllTime["bottleneck"] =
    epSize === 1 ? "none" : nvlOnly ? "nvlink" : split.sameDomain / g.nvlinkGBps > split.otherNode / g.nicGBps ? "nvlink" : "nic";
  return {
    dispatchUs: e.dispatchLatencyUs + transferUs(dBytes),
    combineUs: e.combineLatencyUs + transferUs(cBytes),
    dispatchBytesPerToken: dBytes,
    combineBytesPerToken: cBytes,
    split,
    bottleneck,
  };
}

/** One row of DeepEP's published low-latency kernel table. */
export interface DeepEpPoint {
  epSize: number;
  dispatchUs: number;
  combineUs: number;
}

/**
 * DeepEP low-latency kernels, H800 + CX7 400 Gb/s RDMA, 128 tokens per rank, hidden 7168, top-8,
 * FP8 dispatch, BF16 combine. Frozen.
 */
export const DEEPEP_LOW_LATENCY: Readonly<{ source: Citation; tokensPerRank: number; hiddenSize: number; topK: number; points: readonly DeepEpPoint[] }> =
  Object.freeze({
    source: {
      url: "https://github.com/deepseek-ai/DeepEP/blob/main/docs/legacy.md",
      says:
        "DeepEP V1 'Low-latency kernels with pure RDMA' on H800 + CX7 400 Gb/s (~50 GB/s), 128 tokens per batch, 7168 hidden, top-8, " +
        "FP8 dispatch / BF16 combine: dispatch 77/118/155/173/192/194 µs and combine 114/195/273/314/369/360 µs at EP 8/16/32/64/128/256.",
    },
    tokensPerRank: 128,
    hiddenSize: 7168,
    topK: 8,
    points: Object.freeze(
      [
        [8, 77, 114],
        [16, 118, 195],
        [32, 155, 273],
        [64, 173, 314],
        [128, 192, 369],
        [256, 194, 360],
      ].map(([epSize, dispatchUs, combineUs]) => Object.freeze({ epSize, dispatchUs, combineUs })),
    ),
  });

/** Model vs DeepEP at one EP size. */
export interface AllToAllComparisonRow {
  epSize: number;
  modelDispatchUs: number;
  measuredDispatchUs: number;
  modelCombineUs: number;
  measuredCombineUs: number;
}

/**
 * The all-to-all model next to DeepEP's measured low-latency points (H800, 128 tokens/rank, H 7168, top-8).
 * @param efficiency optional overrides (e.g. to see the effect of the latency terms, in µs)
 * @returns one row per published EP size, times in µs
 * @throws {RangeError|TypeError} for bad efficiency overrides
 * @example allToAllVsDeepEp()[2] // { epSize: 32, modelDispatchUs: ≈157, measuredDispatchUs: 155, ... }
 */
export function allToAllVsDeepEp(efficiency?: Partial<Efficiency>): AllToAllComparisonRow[] {
  const d = DEEPEP_LOW_LATENCY;
  return d.points.map((p) => {
    const m = allToAllTime({ gpu: "h800", epSize: p.epSize, tokensPerRank: d.tokensPerRank, hiddenSize: d.hiddenSize, topK: d.topK, efficiency });
    return { epSize: p.epSize, modelDispatchUs: m.dispatchUs, measuredDispatchUs: p.dispatchUs, modelCombineUs: m.combineUs, measuredCombineUs: p.combineUs };
  });
}

/**
 * Tokens each rank receives for its experts, mean over ranks: tokensPerRank·topK (each token's k copies land
 * on k slots spread over epSize ranks, so the mean rank receives as many copies as it sends).
 * @param tokensPerRank tokens each rank dispatches (≥ 0; may be fractional for an average)
 * @param topK routed experts per token (integer ≥ 1)
 * @returns (token, expert) copies received per rank, tokens
 * @throws {RangeError|TypeError} for negative/NaN tokens or a topK that is not a positive integer
 * @example receivedTokensPerRank(128, 8) // 1024
 */
export function receivedTokensPerRank(tokensPerRank: number, topK: number): number {
  assertNonNegative("tokensPerRank", tokensPerRank);
  assertPositiveInt("topK", topK);
  return tokensPerRank * topK;
}

/** One row of {@link allToAllVsEpSize}. */
export interface AllToAllVsEpRow {
  epSize: number;
  dispatchUs: number;
  combineUs: number;
  bottleneck: AllToAllTime["bottleneck"];
}

/**
 * Dispatch and combine latency of the model as the EP group widens, on any GPU (for a plot next to
 * {@link DEEPEP_LOW_LATENCY}).
 * @param options as {@link allToAllTime} without epSize
 * @param epSizes EP sizes (GPUs, integers ≥ 1), default [8, 16, 32, 64, 72, 128, 256]
 * @returns one row per EP size, microseconds
 * @throws {RangeError|TypeError} for a non-array, empty or non-integer epSizes and bad options
 * @example allToAllVsEpSize({ gpu: "gb200", tokensPerRank: 128 }).map(r => r.bottleneck) // NVLink up to 72, then NIC
 */
export function allToAllVsEpSize(options: Omit<AllToAllOptions, "epSize">, epSizes: readonly number[] = [8, 16, 32, 64, 72, 128, 256]): AllToAllVsEpRow[] {
  if (!Array.isArray(epSizes)) throw new TypeError(`epSizes must be an array, got ${show(epSizes)}`);
  if (epSizes.length === 0) throw new RangeError("epSizes must not be empty");
  return epSizes.map((epSize, i) => {
    assertPositiveInt(`epSizes[${i}]`, epSize);
    const r = allToAllTime({ ...options, epSize });
    return { epSize, dispatchUs: r.dispatchUs, combineUs: r.combineUs, bottleneck: r.bottleneck };
  });
}
