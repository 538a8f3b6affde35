/**
 * All-to-all (MoE dispatch and combine) cost: bytes per token, their split by destination
 * (same GPU / same NVLink domain / other node), and a latency + bottleneck-link time model with separate
 * NVLink and RDMA parameters, each fitted on published kernel measurements of that fabric.
 */
import { assertInRange, assertNonNegative, assertOneOf, assertPositiveInt, show } from "../util/validate";
import type { Citation, GpuSpec } from "./catalog-hardware";
import { checkMax, checkOptionKeys, COST_LIMITS } from "./options";
import { dispatchBytesPerElement, type DispatchPrecision } from "./precision";
import { resolveEfficiency, resolveGpu, type Efficiency } from "./roofline";

/**
 * Bytes one token sends in one MoE layer's dispatch, one copy per routed expert: `k·(H·b + 16)` with b the bytes per
 * element of the payload including its block scales (bf16 2; fp8 1 + 4/128, one FP32 scale per 128 values as
 * DeepEP sends; nvfp4 0.5 + 1/16, one FP8 scale per 16) and 16 bytes of expert index and weight metadata.
 * @param hiddenSize H, model width in elements (integer ≥ 1, ≤ 65,536)
 * @param topK k, routed experts per token (integer ≥ 1, ≤ 64)
 * @param precision dispatch precision, `"fp8"` (default), `"bf16"` or `"nvfp4"`
 * @returns bytes per token per MoE layer
 * @throws {RangeError|TypeError} for non-positive or too large sizes or an unknown precision
 * @example dispatchBytesPerToken(7168, 8) // 8·(7168 + 224 + 16) = 59,264
 */
export function dispatchBytesPerToken(hiddenSize: number, topK: number, precision: DispatchPrecision = "fp8"): number {
  checkSizes(hiddenSize, topK);
  return topK * (hiddenSize * dispatchBytesPerElement(precision) + 16);
}

function checkSizes(hiddenSize: number, topK: number): void {
  assertPositiveInt("hiddenSize", hiddenSize);
  checkMax("hiddenSize", hiddenSize, COST_LIMITS.maxHiddenSize);
  assertPositiveInt("topK", topK);
  checkMax("topK", topK, COST_LIMITS.maxTopK);
}

/**
 * Bytes one token receives back in one MoE layer's combine (BF16 expert outputs, one per routed expert): `k·2·H`.
 * @param hiddenSize H, model width in elements (integer ≥ 1)
 * @param topK k, routed experts per token (integer ≥ 1)
 * @returns bytes per token per MoE layer
 * @throws {RangeError|TypeError} for non-positive, non-integer or too large sizes
 * @example combineBytesPerToken(7168, 8) // 114,688
 */
export function combineBytesPerToken(hiddenSize: number, topK: number): number {
  checkSizes(hiddenSize, topK);
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

/** Which all-to-all kernels: DeepEP-style low-latency (decode) or normal/high-throughput (prefill). */
export type A2aKernel = "low-latency" | "normal";
export const A2A_KERNELS: readonly A2aKernel[] = Object.freeze(["low-latency", "normal"] as A2aKernel[]);
/** The fabric an EP group's all-to-all runs on: NVLink when the whole group is inside one NVLink domain. */
export type Fabric = "nvlink" | "rdma";

/**
 * The fabric of an EP group: `"nvlink"` when epSize ≤ the GPU's NVLink domain (8 on HGX boards, 72 in an NVL72
 * rack), otherwise `"rdma"` (the traffic to other domains crosses the NICs).
 * @param gpu name or spec
 * @param epSize GPUs in the group (integer ≥ 1)
 * @returns the fabric
 * @throws {RangeError|TypeError} for a bad GPU or size
 * @example fabricOf("gb200", 32) // "nvlink"; fabricOf("b200", 32) // "rdma"
 */
export function fabricOf(gpu: string | GpuSpec, epSize: number): Fabric {
  const g = resolveGpu(gpu);
  assertPositiveInt("epSize", epSize);
  return epSize <= g.nvlinkDomainSize ? "nvlink" : "rdma";
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
  dispatchPrecision?: DispatchPrecision;
  /** Max/mean received tokens per rank (≥ 1); the busiest rank sets the time. Default 1. */
  loadImbalance?: number;
  /** Kernel family, default "low-latency" (decode); "normal" for prefill. */
  kernel?: A2aKernel;
  /** Expert groups and groups a token may use (group-limited routing; normal RDMA kernels send once per node). Default 8 and 4. */
  numGroups?: number;
  topkGroup?: number;
  /** Efficiency overrides (per-fabric latencies and bandwidth fractions). */
  efficiency?: Partial<Efficiency>;
}

const A2A_OPTION_KEYS = ["gpu", "epSize", "tokensPerRank", "hiddenSize", "topK", "dispatchPrecision", "loadImbalance", "kernel", "numGroups", "topkGroup", "efficiency"];

/** Result of {@link allToAllTime}, microseconds and bytes. */
export interface AllToAllTime {
  dispatchUs: number;
  combineUs: number;
  /** Bytes per token this rank's dispatch moves (low-latency: one copy per routed expert; normal: once per destination rank). */
  dispatchBytesPerToken: number;
  combineBytesPerToken: number;
  split: DestinationSplit;
  /** NVLink when the whole group is in one NVLink domain, else RDMA. */
  fabric: Fabric;
  kernel: A2aKernel;
  /** Which link bounds the transfer: "nvlink", "nic", or "none" (epSize 1). */
  bottleneck: "nvlink" | "nic" | "none";
}

/** C(n, r) as a float (small n). */
function choose(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let c = 1;
  for (let i = 0; i < r; i++) c = (c * (n - i)) / (i + 1);
  return c;
}

/**
 * Expected number of OTHER nodes (NVLink domains) a token's experts live on: with group-limited routing
 * (numGroups divisible by the node count) each node holds numGroups/nodes groups and a token picks topkGroup
 * groups uniformly; otherwise its k experts are spread uniformly.
 */
function expectedRemoteNodes(nodes: number, topK: number, numGroups: number, topkGroup: number): number {
  if (nodes <= 1) return 0;
  let pTouched: number;
  if (numGroups > 1 && numGroups % nodes === 0) pTouched = 1 - choose(numGroups - numGroups / nodes, topkGroup) / choose(numGroups, topkGroup);
  else pTouched = 1 - Math.pow(1 - 1 / nodes, topK);
  return (nodes - 1) * pTouched;
}

/**
 * Time of one dispatch and one combine on the busiest rank (volume × loadImbalance). Same-GPU copies are free.
 * - low-latency, group inside one NVLink domain: `L_nvlink + bytes·(ep−1)/ep ÷ (f_nvlink·NVLink GB/s)`;
 * - low-latency across domains: `L_rdma + max(remote bytes ÷ (f_rdma·NIC GB/s), in-domain bytes ÷ (f_nvlink·NVLink GB/s))`,
 *   one copy per routed expert as DeepEP's low-latency kernels send;
 * - normal (prefill): each token goes once to each destination rank over NVLink, and (group-limited routing)
 *   once to each other node over RDMA, forwarded inside the node over NVLink; bandwidth fractions of the normal kernels.
 * The per-fabric latencies and fractions are fitted on measurements of that fabric (see {@link Efficiency}).
 * @param options `gpu`, `epSize` (GPUs ≤ 4,096), `tokensPerRank` (tokens ≥ 0, ≤ 1,048,576), `hiddenSize` (elements),
 *   `topK` (≤ 64), `dispatchPrecision`, `loadImbalance` (≥ 1), `kernel`, `numGroups`/`topkGroup`, `efficiency`
 * @returns {@link AllToAllTime} (times in µs, sizes in bytes per token)
 * @throws {RangeError|TypeError} for bad or too large sizes, imbalance < 1, unknown GPU, unknown option keys
 * @example allToAllTime({ gpu: "h800", epSize: 32, tokensPerRank: 128 }).fabric // "rdma"
 */
export function allToAllTime(options: AllToAllOptions): AllToAllTime {
  checkOptionKeys("options", options, A2A_OPTION_KEYS);
  const { epSize, tokensPerRank, hiddenSize = 7168, topK = 8, dispatchPrecision = "fp8", loadImbalance = 1, kernel = "low-latency", numGroups = 8, topkGroup = 4 } = options;
  const g = resolveGpu(options.gpu);
  assertPositiveInt("epSize", epSize);
  checkMax("epSize", epSize, COST_LIMITS.maxEpSize);
  assertNonNegative("tokensPerRank", tokensPerRank);
  checkMax("tokensPerRank", tokensPerRank, COST_LIMITS.maxTokensPerRank);
  assertInRange("loadImbalance", loadImbalance, 1, Number.MAX_VALUE);
  assertOneOf("kernel", kernel, A2A_KERNELS);
  checkSizes(hiddenSize, topK);
  assertPositiveInt("numGroups", numGroups);
  assertPositiveInt("topkGroup", topkGroup);
  if (topkGroup > numGroups) throw new RangeError(`topkGroup (${topkGroup}) must be ≤ numGroups (${numGroups})`);
  const e = resolveEfficiency(options.efficiency);
  return a2aCore(g, epSize, tokensPerRank, hiddenSize, topK, dispatchPrecision, loadImbalance, kernel, numGroups, topkGroup, e);
}

/** The all-to-all model without option checks (the step models call it on validated values). @internal */
export function a2aCore(
  g: GpuSpec,
  epSize: number,
  tokensPerRank: number,
  hiddenSize: number,
  topK: number,
  dispatchPrecision: DispatchPrecision,
  loadImbalance: number,
  kernel: A2aKernel,
  numGroups: number,
  topkGroup: number,
  e: Efficiency,
): AllToAllTime {
  const split = destinationSplit(epSize, g.nvlinkDomainSize);
  const fabric: Fabric = split.otherNode === 0 ? "nvlink" : "rdma";
  const perCopyD = dispatchBytesPerToken(hiddenSize, 1, dispatchPrecision);
  const perCopyC = combineBytesPerToken(hiddenSize, 1);
  const nvl = g.nvlinkGBps * 1e3; // bytes per µs
  const nic = g.nicGBps * 1e3;
  if (epSize === 1) {
    return { dispatchUs: 0, combineUs: 0, dispatchBytesPerToken: perCopyD * topK, combineBytesPerToken: perCopyC * topK, split, fabric, kernel, bottleneck: "none" };
  }
  let dUs: number;
  let cUs: number;
  let dBytes: number;
  let cBytes: number;
  let bottleneck: AllToAllTime["bottleneck"];
  if (kernel === "low-latency") {
    dBytes = perCopyD * topK;
    cBytes = perCopyC * topK;
    const vol = tokensPerRank * loadImbalance;
    if (fabric === "nvlink") {
      const f = (epSize - 1) / epSize / (e.nvlinkBandwidthFraction * nvl);
      dUs = e.nvlinkDispatchLatencyUs + vol * dBytes * f;
      cUs = e.nvlinkCombineLatencyUs + vol * cBytes * f;
      bottleneck = "nvlink";
    } else {
      const fr = split.otherNode / (e.rdmaBandwidthFraction * nic);
      const fi = split.sameDomain / (e.nvlinkBandwidthFraction * nvl);
      const f = Math.max(fr, fi);
      dUs = e.rdmaDispatchLatencyUs + vol * dBytes * f;
      cUs = e.rdmaCombineLatencyUs + vol * cBytes * f;
      bottleneck = fr >= fi ? "nic" : "nvlink";
    }
  } else {
    const vol = tokensPerRank * loadImbalance;
    if (fabric === "nvlink") {
      const ranks = epSize * (1 - Math.pow(1 - 1 / epSize, topK)); // distinct destination ranks per token
      dBytes = perCopyD * ranks;
      cBytes = perCopyC * ranks;
      const f = (epSize - 1) / epSize / (e.normalNvlinkBandwidthFraction * nvl);
      dUs = e.nvlinkDispatchLatencyUs + vol * dBytes * f;
      cUs = e.nvlinkCombineLatencyUs + vol * cBytes * f;
      bottleneck = "nvlink";
    } else {
      const nodes = Math.ceil(epSize / g.nvlinkDomainSize);
      const remote = expectedRemoteNodes(nodes, topK, numGroups, topkGroup);
      dBytes = perCopyD * remote;
      cBytes = perCopyC * remote;
      const f = 1 / (e.normalRdmaBandwidthFraction * nic);
      dUs = e.rdmaDispatchLatencyUs + vol * dBytes * f;
      cUs = e.rdmaCombineLatencyUs + vol * cBytes * f;
      bottleneck = "nic";
    }
  }
  return { dispatchUs: dUs, combineUs: cUs, dispatchBytesPerToken: dBytes, combineBytesPerToken: cBytes, split, fabric, kernel, bottleneck };
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
  resolveEfficiency(efficiency);
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
