/**
 * Calibration: the model beside published wide-EP measurements on H800, H100, H200-class, B200 and GB200 —
 * all-to-all kernel latencies and bandwidths, EP load imbalance before and after EPLB, decode and prefill throughput,
 * and NVIDIA's EP32-vs-EP8 ratio on GB200 NVL72 — with the constants fitted by code ({@link fitConstants}) and a
 * leave-one-out error for every point (refit without the point, then predict it).
 *
 * Fit groups, each fitted only on measurements of the fabric or system it describes:
 * - `nvlink-ll`: NVLink latencies and bandwidth fraction (weighted least squares, closed form) on TensorRT-LLM's
 *   GB200 NVLinkOneSided table and DeepEP's H800 EP8 (intranode) low-latency points;
 * - `rdma-ll`: RDMA latencies and bandwidth fraction (least squares) on DeepEP's H800 EP16–256 low-latency table;
 * - `normal-nvlink`, `normal-rdma`: the normal kernels' bandwidth fractions (golden-section search) on DeepEP's table;
 * - `imbalance`: the Zipf exponent of expert popularity (golden-section search) on TensorRT-LLM's EPLB statistics;
 * - `throughput`: computeFraction and layerOverheadUs (grid search, then a finer grid) on the decode and prefill
 *   throughputs, minimising the squared log error.
 * The ratio point is not fitted on: it is predicted.
 */
import { assertNonEmptyArray, assertPositive, show } from "../util/validate";
import type { Citation } from "./catalog-hardware";
import { allToAllTime, DEEPEP_LOW_LATENCY, allToAllVsDeepEp, type AllToAllComparisonRow } from "./alltoall";
import { decodeStep, type DecodeOptions, type OverlapMode } from "./decode";
import type { DispatchPrecision, KvPrecision, Precision } from "./precision";
import { DEFAULT_ZIPF_S, expectedImbalance } from "./imbalance";
import { checkOptionKeys } from "./options";
import { prefillStep, type PrefillOptions } from "./prefill";
import { DEEPEP_NORMAL, NVLINK_ONE_SIDED_GB200, TRTLLM_EPLB_STATS } from "./published";
import { DEFAULT_EFFICIENCY, resolveEfficiency, type Efficiency } from "./roofline";
import { FINE_BATCHES, NVIDIA_WIDE_EP_CLAIM, sweepFrontier, throughputAtInteractivity } from "./sweep";

/** The constants a prediction depends on. */
export interface ModelConstants {
  efficiency: Efficiency;
  /** Zipf exponent of expert popularity (see expectedImbalance). */
  zipfS: number;
}

/** What a calibration point measures. */
export type CalibrationMetric = "decode-throughput" | "prefill-throughput" | "latency" | "bandwidth" | "imbalance" | "ratio";
/** Which constants a point is fitted on ("none": predicted only). */
export type FitGroup = "nvlink-ll" | "rdma-ll" | "normal-nvlink" | "normal-rdma" | "imbalance" | "throughput" | "none";

/** One published data point and how the model reproduces it. */
export interface CalibrationPoint {
  name: string;
  gpu: string;
  metric: CalibrationMetric;
  /** Unit of `published` and of the model value. */
  unit: string;
  source: Citation;
  /** The `ep-lab` command line that reproduces the configuration (what the CLI can express). */
  cliArgs: string;
  /** Assumptions beyond the published facts. */
  assumptions: string;
  published: number;
  /** Largest |error| accepted for this point (a fraction). */
  tolerance: number;
  group: FitGroup;
  /** Why the model may not match this point (shown in the report's `unmatched` list when it does not). */
  unmatchedReason?: string;
  /** The model's value under the given constants. */
  evaluate(c: ModelConstants): number;
}

// ─── helpers ──────────────────────────────────────────────────────────────────────────────────────

const DS_OVERVIEW =
  "https://github.com/deepseek-ai/open-infra-index/blob/main/202502OpenSourceWeek/day_6_one_more_thing_deepseekV3R1_inference_system_overview.md";
const LMSYS_H100 = "https://lmsys.org/blog/2025-05-05-large-scale-ep/";
const LMSYS_GB200 = "https://lmsys.org/blog/2025-09-25-gb200-part-2";
const TRTLLM_B200 =
  "https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/source/blogs/tech_blog/blog3_Optimizing_DeepSeek_R1_Throughput_on_NVIDIA_Blackwell_GPUs.md";

/** Imbalance estimates are memoised by configuration (they do not depend on the efficiency constants). */
const imbalanceCache = new Map<string, number>();
function imbalanceFor(epSize: number, redundantExperts: number, eplb: boolean, tokensPerRank: number, zipfS: number, layers = 12): number {
  const t = Math.max(1, Math.round(tokensPerRank));
  const key = `${epSize}/${redundantExperts}/${eplb}/${t}/${zipfS}/${layers}`;
  let v = imbalanceCache.get(key);
  if (v === undefined) {
    v = expectedImbalance({ numExperts: 256, epSize, redundantExperts, eplb, tokensPerRank: t, topK: 8, zipfS, layers }).imbalance;
    imbalanceCache.set(key, v);
  }
  return v;
}

/** Output tokens/s per GPU at `target` tokens/s per user, by bisection on the batch (memory-capped). */
function decodeAtTarget(o: Omit<DecodeOptions, "batchPerGpu">, target: number): { perGpu: number; batch: number } {
  const maxB = decodeStep({ ...o, batchPerGpu: 1 }).maxBatchPerGpu;
  const hiB = Math.min(maxB, 65536);
  if (!(hiB >= 1)) return { perGpu: 0, batch: 0 };
  const at = (b: number) => decodeStep({ ...o, batchPerGpu: b });
  const top = at(hiB);
  if ((top.tokensPerSecPerUser as number) >= target) return { perGpu: top.outputTokensPerSecPerGpu as number, batch: hiB };
  if ((at(1).tokensPerSecPerUser as number) < target) return { perGpu: 0, batch: 0 };
  let lo = 1;
  let hi = hiB;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if ((at(mid).tokensPerSecPerUser as number) >= target) lo = mid;
    else hi = mid;
  }
  return { perGpu: at(lo).outputTokensPerSecPerGpu as number, batch: lo };
}

/** Output tokens/s per GPU at the largest batch that fits (saturated decode, as throughput benchmarks run). */
function decodeSaturated(o: Omit<DecodeOptions, "batchPerGpu">, cap = Infinity): { perGpu: number; batch: number } {
  const b = Math.min(cap, decodeStep({ ...o, batchPerGpu: 1 }).maxBatchPerGpu);
  if (!(b >= 1)) return { perGpu: 0, batch: 0 };
  return { perGpu: decodeStep({ ...o, batchPerGpu: b }).outputTokensPerSecPerGpu as number, batch: b };
}

/** A decode point's imbalance at its operating batch (found once with the default constants). */
const batchCache = new Map<string, number>();
function operatingBatch(key: string, f: () => number): number {
  let b = batchCache.get(key);
  if (b === undefined) {
    b = f();
    batchCache.set(key, b);
  }
  return b;
}

function cli(parts: (string | number | false | undefined)[]): string {
  return ["ep-lab", ...parts.filter((p) => p !== false && p !== undefined).map(String)].join(" ");
}

// ─── the NVL72 ratio by mechanism ─────────────────────────────────────────────────────────────────

/**
 * NVIDIA's published NVL72 comparison as model inputs: DeepSeek-R1 with NVIDIA's NVFP4 checkpoint (MoE NVFP4,
 * attention FP8), FP8 KV cache, NVFP4 dispatch, one MTP draft token, disaggregated decode on GB200 NVL72, EP8
 * (the small-EP baseline: 256 slots, no replicas) against EP32 (EPLB over 288 slots, as in TensorRT-LLM's EP32
 * statistics), 1k-token inputs and 1k-token outputs (mean context 1,536), at 100 tokens/s per user. The load imbalance of each
 * EP size comes from {@link expectedImbalance} at its operating batch — no constant exists only for this comparison.
 */
export const NVL72_WIDE_EP_CASE: Readonly<Required<Omit<MechanismRatioOptions, "imbalanceScale" | "efficiency" | "zipfS">>> = Object.freeze({
  model: "deepseek-r1",
  gpu: "gb200",
  kvLen: 1536,
  precision: "fp8",
  moePrecision: "nvfp4",
  kvPrecision: "fp8",
  dispatchPrecision: "nvfp4",
  mtpDraftTokens: 1,
  mtpAcceptance: 0.85,
  overlap: "none",
  narrowEp: 8,
  narrowRedundantExperts: 0,
  narrowEplb: false,
  wideEp: 32,
  wideRedundantExperts: 32,
  wideEplb: true,
  tokensPerSecPerUser: 100,
});

/** Options of {@link wideEpRatioByMechanism}: any field of {@link NVL72_WIDE_EP_CASE}, plus constants. */
export interface MechanismRatioOptions {
  model?: string;
  gpu?: string;
  /** Mean context length, tokens. */
  kvLen?: number;
  precision?: Precision;
  moePrecision?: Precision;
  kvPrecision?: KvPrecision;
  dispatchPrecision?: DispatchPrecision;
  mtpDraftTokens?: number;
  mtpAcceptance?: number;
  overlap?: OverlapMode;
  narrowEp?: number;
  narrowRedundantExperts?: number;
  narrowEplb?: boolean;
  wideEp?: number;
  wideRedundantExperts?: number;
  wideEplb?: boolean;
  /** Target output tokens/s per user. */
  tokensPerSecPerUser?: number;
  /** Multiply both EP sizes' imbalance (sensitivity), default 1. */
  imbalanceScale?: number;
  efficiency?: Partial<Efficiency>;
  zipfS?: number;
}

/** Result of {@link wideEpRatioByMechanism}. */
export interface MechanismRatio {
  ratio: number | null;
  narrowTokensPerSecPerGpu: number | null;
  wideTokensPerSecPerGpu: number | null;
  narrowBatchPerGpu: number;
  wideBatchPerGpu: number;
  narrowLoadImbalance: number;
  wideLoadImbalance: number;
  published: typeof NVIDIA_WIDE_EP_CLAIM;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const MECH_KEYS = [...Object.keys(NVL72_WIDE_EP_CASE), "imbalanceScale", "efficiency", "zipfS"];

/**
 * EP32-vs-EP8 output tokens/s per GPU at the same tokens/s per user, with each EP size's load imbalance from the
 * popularity model at its own operating batch (see {@link NVL72_WIDE_EP_CASE}).
 * @param options overrides of the case (tokens/s per user, precisions, kvLen in tokens, EP sizes, …)
 * @returns {@link MechanismRatio} (throughput in output tokens/s per GPU)
 * @throws {RangeError|TypeError} for bad or unknown options
 * @example wideEpRatioByMechanism().ratio // ≈ 1.8 (see the calibration report)
 */
export function wideEpRatioByMechanism(options: MechanismRatioOptions = {}): MechanismRatio {
  checkOptionKeys("options", options, MECH_KEYS);
  const m = mechanismCase(options);
  assertPositive("tokensPerSecPerUser", m.c.tokensPerSecPerUser);
  const one = (side: MechanismSide) => {
    // two passes: imbalance at a first guess of the batch, then at the batch the target gives
    let imb = m.imbalanceAt(side, 64);
    let r = decodeAtTarget({ ...side.base, loadImbalance: imb }, m.c.tokensPerSecPerUser);
    if (r.batch >= 1) {
      imb = m.imbalanceAt(side, r.batch);
      r = decodeAtTarget({ ...side.base, loadImbalance: imb }, m.c.tokensPerSecPerUser);
    }
    return { perGpu: r.batch >= 1 && r.perGpu > 0 ? r.perGpu : null, batch: r.batch, imb };
  };
  const n = one(m.narrow);
  const w = one(m.wide);
  return {
    ratio: n.perGpu !== null && w.perGpu !== null ? w.perGpu / n.perGpu : null,
    narrowTokensPerSecPerGpu: n.perGpu,
    wideTokensPerSecPerGpu: w.perGpu,
    narrowBatchPerGpu: n.batch,
    wideBatchPerGpu: w.batch,
    narrowLoadImbalance: n.imb,
    wideLoadImbalance: w.imb,
    published: NVIDIA_WIDE_EP_CLAIM,
  };
}

/** One EP size of the NVL72 case: its decode options (without batch and imbalance) and its EPLB setting. */
interface MechanismSide {
  ep: number;
  redundant: number;
  eplb: boolean;
  base: Omit<DecodeOptions, "batchPerGpu">;
}

/** The case with overrides applied, both EP sizes' decode options, and each size's imbalance at a batch. */
function mechanismCase(options: MechanismRatioOptions) {
  const c = { ...NVL72_WIDE_EP_CASE, ...options };
  const eff = resolveEfficiency(options.efficiency);
  const zipfS = options.zipfS ?? DEFAULT_ZIPF_S;
  const scale = options.imbalanceScale ?? 1;
  assertPositive("imbalanceScale", scale);
  const side = (ep: number, redundant: number, eplb: boolean): MechanismSide => ({
    ep,
    redundant,
    eplb,
    base: {
      model: c.model,
      gpu: c.gpu,
      epSize: ep,
      kvLen: c.kvLen,
      redundantExperts: redundant,
      precision: c.precision,
      moePrecision: c.moePrecision,
      kvPrecision: c.kvPrecision,
      dispatchPrecision: c.dispatchPrecision,
      mtpDraftTokens: c.mtpDraftTokens,
      mtpAcceptance: c.mtpAcceptance,
      overlap: c.overlap,
      efficiency: eff,
    },
  });
  return {
    c,
    narrow: side(c.narrowEp, c.narrowRedundantExperts, c.narrowEplb),
    wide: side(c.wideEp, c.wideRedundantExperts, c.wideEplb),
    /** max/mean load of the busiest GPU at `batch` sequences per GPU (tokens per rank = batch × (1 + MTP drafts)). */
    imbalanceAt: (s: MechanismSide, batch: number) => Math.max(1, scale * imbalanceFor(s.ep, s.redundant, s.eplb, batch * (1 + c.mtpDraftTokens), zipfS)),
  };
}

/** One point of {@link frontierByMechanism}: a batch per GPU and what the model gives there. */
export interface MechanismFrontierPoint {
  /** Sequences per GPU. */
  batchPerGpu: number;
  /** Output tokens/s per user. */
  tokensPerSecPerUser: number;
  /** Output tokens/s per GPU. */
  outputTokensPerSecPerGpu: number;
  /** Busiest GPU's expert load ÷ mean at this batch (max/mean, ≥ 1). */
  loadImbalance: number;
}

/** Result of {@link frontierByMechanism}: each EP size's curve, sorted by tokens/s per user descending. */
export interface MechanismFrontier {
  narrowEp: number;
  wideEp: number;
  narrow: MechanismFrontierPoint[];
  wide: MechanismFrontierPoint[];
}

const FRONTIER_KEYS = [...MECH_KEYS.filter((k) => k !== "tokensPerSecPerUser"), "batchSizes"];

/**
 * The decode frontier (output tokens/s per GPU against tokens/s per user) of both EP sizes of the NVL72 case
 * ({@link NVL72_WIDE_EP_CASE}), with each point's load imbalance taken from its own batch — the curves on which
 * {@link wideEpRatioByMechanism} reads its ratio. Batches that do not fit in memory are left out.
 * @param options overrides of the case as in {@link wideEpRatioByMechanism} (no `tokensPerSecPerUser`: the curve
 *   covers every speed), plus `batchSizes` (sequences per GPU, each > 0; default {@link FINE_BATCHES}, 1…1024)
 * @returns {@link MechanismFrontier}
 * @throws {RangeError|TypeError} for bad or unknown options, an empty or bad `batchSizes`
 * @example frontierByMechanism().narrow[0].batchPerGpu // 1: the fastest point per user is batch 1
 */
export function frontierByMechanism(options: Omit<MechanismRatioOptions, "tokensPerSecPerUser"> & { batchSizes?: readonly number[] } = {}): MechanismFrontier {
  checkOptionKeys("options", options, FRONTIER_KEYS);
  const { batchSizes = FINE_BATCHES, ...rest } = options;
  assertNonEmptyArray("batchSizes", batchSizes);
  batchSizes.forEach((b, i) => assertPositive(`batchSizes[${i}]`, b));
  const m = mechanismCase(rest);
  const curve = (s: MechanismSide): MechanismFrontierPoint[] => {
    const out: MechanismFrontierPoint[] = [];
    for (const b of batchSizes) {
      const imb = m.imbalanceAt(s, b);
      const r = decodeStep({ ...s.base, batchPerGpu: b, loadImbalance: imb });
      if (!r.feasible || r.tokensPerSecPerUser === null || r.outputTokensPerSecPerGpu === null) continue;
      out.push({ batchPerGpu: b, tokensPerSecPerUser: r.tokensPerSecPerUser, outputTokensPerSecPerGpu: r.outputTokensPerSecPerGpu, loadImbalance: imb });
    }
    return out.sort((x, y) => y.tokensPerSecPerUser - x.tokensPerSecPerUser);
  };
  return { narrowEp: m.c.narrowEp, wideEp: m.c.wideEp, narrow: curve(m.narrow), wide: curve(m.wide) };
}

// ─── the points ───────────────────────────────────────────────────────────────────────────────────

function kernelPoints(): CalibrationPoint[] {
  const out: CalibrationPoint[] = [];
  const ll = DEEPEP_LOW_LATENCY;
  for (const p of ll.points) {
    for (const dir of ["dispatch", "combine"] as const) {
      const nvl = p.epSize <= 8;
      out.push({
        name: `DeepEP low-latency ${dir}, EP${p.epSize}${nvl ? " (one node)" : ""}`,
        gpu: "h800",
        metric: "latency",
        unit: "µs",
        source: ll.source,
        cliArgs: cli(["cost", "alltoall", "--gpu", "h800", "--ep", p.epSize, "--tokens-per-rank", 128, "--kernel", "low-latency"]),
        assumptions: nvl ? "Inside one 8-GPU node the traffic goes over NVLink, so this point belongs to the NVLink fit." : "",
        published: dir === "dispatch" ? p.dispatchUs : p.combineUs,
        tolerance: 0.25,
        group: nvl ? "nvlink-ll" : "rdma-ll",
        evaluate: (c) => {
          const r = allToAllTime({ gpu: "h800", epSize: p.epSize, tokensPerRank: 128, efficiency: c.efficiency });
          return dir === "dispatch" ? r.dispatchUs : r.combineUs;
        },
      });
    }
  }
  const picks: [number, number][] = [[8, 32], [8, 1024], [16, 128], [32, 128], [32, 1024], [64, 512]];
  for (const [ep, t] of picks) {
    const row = NVLINK_ONE_SIDED_GB200.rows.find((r) => r.epSize === ep && r.tokensPerRank === t)!;
    for (const dir of ["dispatch", "combine"] as const) {
      out.push({
        name: `NVLink one-sided ${dir}, EP${ep}, ${t} tokens/rank`,
        gpu: "gb200",
        metric: "latency",
        unit: "µs",
        source: NVLINK_ONE_SIDED_GB200.source,
        cliArgs: cli(["cost", "alltoall", "--gpu", "gb200", "--ep", ep, "--tokens-per-rank", t, "--dispatch-precision", "bf16"]),
        assumptions: "BF16 payload as benchmarked; 16 bytes of routing metadata per copy are counted by the model.",
        published: dir === "dispatch" ? row.dispatchUs : row.combineUs,
        tolerance: 0.25,
        group: "nvlink-ll",
        evaluate: (c) => {
          const r = allToAllTime({ gpu: "gb200", epSize: ep, tokensPerRank: t, dispatchPrecision: "bf16", efficiency: c.efficiency });
          return dir === "dispatch" ? r.dispatchUs : r.combineUs;
        },
      });
    }
  }
  for (const p of DEEPEP_NORMAL.points) {
    for (const dir of ["dispatch", "combine"] as const) {
      out.push({
        name: `DeepEP normal ${dir}, EP${p.epSize} (${p.fabric === "nvlink" ? "NVLink" : "RDMA"})`,
        gpu: "h800",
        metric: "bandwidth",
        unit: "GB/s",
        source: DEEPEP_NORMAL.source,
        cliArgs: cli(["cost", "alltoall", "--gpu", "h800", "--ep", p.epSize, "--tokens-per-rank", 4096, "--kernel", "normal"]),
        assumptions: "Bandwidth = bytes over the bottleneck link ÷ kernel time, as DeepEP reports it; group-limited routing (4 of 8 groups).",
        published: dir === "dispatch" ? p.dispatchGBps : p.combineGBps,
        tolerance: 0.2,
        group: p.fabric === "nvlink" ? "normal-nvlink" : "normal-rdma",
        evaluate: (c) => {
          const r = allToAllTime({ gpu: "h800", epSize: p.epSize, tokensPerRank: 4096, kernel: "normal", efficiency: c.efficiency });
          const frac = r.fabric === "nvlink" ? (p.epSize - 1) / p.epSize : 1;
          const bytes = 4096 * (dir === "dispatch" ? r.dispatchBytesPerToken : r.combineBytesPerToken) * frac;
          return bytes / (dir === "dispatch" ? r.dispatchUs : r.combineUs) / 1e3;
        },
      });
    }
  }
  return out;
}

function imbalancePoints(): CalibrationPoint[] {
  const s = TRTLLM_EPLB_STATS;
  return s.rows.map((row) => ({
    name: `EP load imbalance (max/mean), ${row.name}`,
    gpu: "gb200",
    metric: "imbalance" as const,
    unit: "max/mean",
    source: s.source,
    cliArgs: "(library) expectedImbalance({ numExperts: 256, epSize: " + row.epSize + ", redundantExperts: " + row.redundantExperts + ", eplb: " + row.eplb + ", tokensPerRank: 128 })",
    assumptions: "Published (max − mean)/mean converted to max/mean; 128 tokens per rank (1,024 routed copies per rank, as the table's average).",
    published: row.maxOverMean,
    tolerance: 0.1,
    group: "imbalance" as const,
    evaluate: (c: ModelConstants) => imbalanceFor(row.epSize, row.redundantExperts, row.eplb, s.tokensPerRankPerGpu, c.zipfS, row.eplb ? 8 : 24),
  }));
}

interface DecodeCase {
  name: string;
  gpu: string;
  source: Citation;
  assumptions: string;
  published: number;
  perNode: boolean;
  tolerance: number;
  o: Omit<DecodeOptions, "batchPerGpu">;
  eplb: boolean;
  target?: number;
  /** A published concurrency cap (sequences per GPU). */
  maxBatch?: number;
  /** Aggregated serving: the same GPUs also prefill `promptLen` tokens per `outputLen` output tokens. */
  aggregated?: { promptLen: number; outputLen: number };
  /** Predicted only (not fitted on). */
  predictOnly?: boolean;
  /** Why the model is not expected to match (stated in the report when it does not). */
  unmatchedReason?: string;
}

function decodePoint(d: DecodeCase): CalibrationPoint {
  const o = d.o;
  const mtp = o.mtpDraftTokens ?? 0;
  const key = d.name;
  const imb = (zipfS: number) => {
    const batch = operatingBatch(key, () => {
      const first = { ...o, loadImbalance: imbalanceFor(o.epSize, o.redundantExperts ?? 0, d.eplb, 64 * (1 + mtp), DEFAULT_ZIPF_S) };
      return (d.target !== undefined ? decodeAtTarget(first, d.target) : decodeSaturated(first, d.maxBatch)).batch;
    });
    return imbalanceFor(o.epSize, o.redundantExperts ?? 0, d.eplb, Math.max(1, batch) * (1 + mtp), zipfS);
  };
  const prec = [
    o.precision && o.precision !== "fp8" ? ["--precision", o.precision] : [],
    o.moePrecision ? ["--moe-precision", o.moePrecision] : [],
    o.kvPrecision ? ["--kv-precision", o.kvPrecision] : [],
    o.dispatchPrecision && o.dispatchPrecision !== "fp8" ? ["--dispatch-precision", o.dispatchPrecision] : [],
  ].flat();
  return {
    name: d.name,
    gpu: d.gpu,
    metric: "decode-throughput",
    unit: d.perNode ? "output tokens/s per node" : "output tokens/s per GPU",
    source: d.source,
    cliArgs: cli([
      "cost", "sweep", "--model", typeof o.model === "string" ? o.model : o.model.name, "--gpu", d.gpu, "--ep", o.epSize, "--kv-len", o.kvLen,
      o.redundantExperts ? `--redundant-experts ${o.redundantExperts}` : false,
      o.overlap === "two-batch" || o.overlap === true ? "--overlap" : false,
      mtp ? `--mtp --mtp-acceptance ${o.mtpAcceptance ?? 0.85}` : false,
      ...prec,
      d.target !== undefined ? `--tokens-per-user ${d.target}` : false,
      "--load-imbalance <from expectedImbalance>",
    ]),
    assumptions: d.assumptions,
    published: d.published,
    tolerance: d.tolerance,
    group: d.predictOnly ? "none" : "throughput",
    unmatchedReason: d.unmatchedReason,
    evaluate: (c) => {
      const oo = { ...o, loadImbalance: imb(c.zipfS), efficiency: c.efficiency };
      const r = d.target !== undefined ? decodeAtTarget(oo, d.target) : decodeSaturated(oo, d.maxBatch);
      let perGpu = r.perGpu;
      if (d.aggregated && perGpu > 0) {
        const pre = prefillStep({
          model: o.model, gpu: o.gpu, epSize: o.epSize, promptLen: d.aggregated.promptLen, redundantExperts: o.redundantExperts, precision: o.precision,
          moePrecision: o.moePrecision, kvPrecision: o.kvPrecision, dispatchPrecision: o.dispatchPrecision, overlap: "none", loadImbalance: oo.loadImbalance, efficiency: c.efficiency,
        }).inputTokensPerSecPerGpu;
        if (pre !== null && pre > 0) perGpu = 1 / (1 / perGpu + d.aggregated.promptLen / d.aggregated.outputLen / pre);
      }
      return perGpu * (d.perNode ? 8 : 1);
    },
  };
}

interface PrefillCase {
  name: string;
  gpu: string;
  source: Citation;
  assumptions: string;
  published: number;
  perNode: boolean;
  withCache: boolean;
  tolerance: number;
  o: PrefillOptions;
  eplb: boolean;
}

function prefillPoint(p: PrefillCase): CalibrationPoint {
  const o = p.o;
  return {
    name: p.name,
    gpu: p.gpu,
    metric: "prefill-throughput",
    unit: p.perNode ? "input tokens/s per node" : "input tokens/s per GPU",
    source: p.source,
    cliArgs: cli([
      "cost", "prefill", "--model", typeof o.model === "string" ? o.model : o.model.name, "--gpu", p.gpu, "--ep", o.epSize, "--prompt-len", Math.round(o.promptLen),
      o.cachedPrefixLen ? `--cached-prefix-len ${Math.round(o.cachedPrefixLen)}` : false,
      o.redundantExperts ? `--redundant-experts ${o.redundantExperts}` : false,
      o.moePrecision ? `--moe-precision ${o.moePrecision}` : false,
      o.kvPrecision ? `--kv-precision ${o.kvPrecision}` : false,
      o.dispatchPrecision && o.dispatchPrecision !== "fp8" ? `--dispatch-precision ${o.dispatchPrecision}` : false,
      "--load-imbalance <from expectedImbalance>",
    ]),
    assumptions: p.assumptions,
    published: p.published,
    tolerance: p.tolerance,
    group: "throughput",
    evaluate: (c) => {
      const imb = imbalanceFor(o.epSize, o.redundantExperts ?? 0, p.eplb, o.tokensPerGpu ?? 16384, c.zipfS, 8);
      const r = prefillStep({ ...o, loadImbalance: imb, efficiency: c.efficiency });
      const v = (p.withCache ? r.inputTokensPerSecPerGpuWithCache : r.inputTokensPerSecPerGpu) ?? 0;
      return v * (p.perNode ? 8 : 1);
    },
  };
}

function throughputPoints(): CalibrationPoint[] {
  const dsSrc: Citation = {
    url: DS_OVERVIEW,
    says:
      "DeepSeek's inference-system overview (H800): prefill runs routed experts EP32 (4 nodes) with 32 redundant experts, decode EP144 (18 nodes); " +
      "each H800 node delivers about 73.7k input tokens/s during prefill (including cache hits; 56.3% of input tokens hit the on-disk KV cache) " +
      "or 14.8k output tokens/s during decode at 20–22 output tokens/s per user; average KV-cache length per output token 4,989.",
  };
  const lmsysH100: Citation = {
    url: LMSYS_H100,
    says:
      "SGLang with prefill-decode disaggregation and large-scale EP on H100 (DeepSeek-V3, DeepEP, two-batch overlap, EPLB): 52.3k input and 22.3k output " +
      "tokens/s per node for 2,000-token inputs, prefill on EP32 (4 nodes) and decode on EP72 (9 nodes).",
  };
  const lmsysGb200 = (says: string): Citation => ({ url: LMSYS_GB200, says });
  const gbFp4 =
    "SGLang on GB200 NVL72 (Sep 2025), DeepSeek-V3/R1, 2,000-token inputs: 26,156 input and 13,386 output tokens/s per GPU with FP8 attention (FP8 KV) " +
    "and NVFP4 MoE; 18,471 and 9,087 with BF16 attention and FP8 MoE. Prefill groups of 2 nodes (8 GPUs), decode on 12 nodes (48 GPUs).";
  const ds = "deepseek-v3";
  return [
    decodePoint({
      name: "DeepSeek decode, H800 EP144, 21 tokens/s per user",
      gpu: "h800",
      source: dsSrc,
      assumptions: "FP8 weights, BF16 KV, one MTP draft token accepted 85% of the time (DeepSeek-V3 report: 85–90%), EPLB over 288 slots; the published figure is a 24-hour average.",
      published: 14800,
      perNode: true,
      tolerance: 0.3,
      o: { model: ds, gpu: "h800", epSize: 144, kvLen: 4989, redundantExperts: 32, overlap: "two-batch", mtpDraftTokens: 1, mtpAcceptance: 0.85 },
      eplb: true,
      target: 21,
    }),
    decodePoint({
      name: "SGLang decode, H100 EP72, saturated",
      gpu: "h100",
      source: lmsysH100,
      assumptions: "FP8 weights, BF16 KV, no MTP, 32 redundant experts with EPLB, mean context 2,000 tokens, the largest batch that fits.",
      published: 22300,
      perNode: true,
      tolerance: 0.3,
      o: { model: ds, gpu: "h100", epSize: 72, kvLen: 2000, redundantExperts: 32, overlap: "two-batch" },
      eplb: true,
    }),
    decodePoint({
      name: "SGLang decode, GB200 EP48, FP8 MoE, BF16 KV, saturated",
      gpu: "gb200",
      source: lmsysGb200(gbFp4),
      assumptions: "32 redundant experts with EPLB (288 slots over 48 GPUs), mean context 2,000 tokens, no MTP, two-batch overlap, the largest batch that fits.",
      published: 9087,
      perNode: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "gb200", epSize: 48, kvLen: 2000, redundantExperts: 32, overlap: "two-batch" },
      eplb: true,
    }),
    decodePoint({
      name: "SGLang decode, GB200 EP48, NVFP4 MoE, FP8 KV, saturated",
      gpu: "gb200",
      source: lmsysGb200(gbFp4),
      assumptions: "As the FP8 point, with NVFP4 experts, FP8 KV cache and NVFP4 dispatch.",
      published: 13386,
      perNode: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "gb200", epSize: 48, kvLen: 2000, redundantExperts: 32, overlap: "two-batch", moePrecision: "nvfp4", kvPrecision: "fp8", dispatchPrecision: "nvfp4" },
      eplb: true,
    }),
    decodePoint({
      name: "vLLM wide-EP decode, H200 EP16 over InfiniBand, saturated",
      gpu: "h200",
      source: {
        url: "https://blog.vllm.ai/2025/12/17/large-scale-serving.html",
        says:
          "vLLM large-scale serving (Dec 2025): community benchmarks on a CoreWeave H200 cluster with InfiniBand ConnectX-7 NICs sustain about 2.2k tokens/s per H200 " +
          "for DeepSeek with wide-EP, disaggregated prefill/decode, dual-batch overlap, DeepEP kernels and EPLB.",
      },
      assumptions:
        "The blog does not state the decode group in its text: we assume llm-d's wide-EP path, EP16 over two 8-GPU nodes, 32 redundant experts with EPLB, FP8 weights, " +
        "BF16 KV, mean context 2,000 tokens, two-batch overlap, the largest batch that fits. Predicted, not fitted.",
      published: 2200,
      perNode: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "h200", epSize: 16, kvLen: 2000, redundantExperts: 32, overlap: "two-batch" },
      eplb: true,
      predictOnly: true,
      unmatchedReason:
        "the blog gives the throughput but not the decode group size, batch or context length in its text; the model assumes a saturated EP16 group, " +
        "while a production-like benchmark runs below the memory limit, so the model reads high",
    }),
    decodePoint({
      name: "TensorRT-LLM max throughput, 8×B200 DP8+EP8, FP4",
      gpu: "b200",
      source: {
        url: TRTLLM_B200,
        says:
          "TensorRT-LLM on 8 B200 GPUs, DeepSeek-R1 FP4 checkpoint (MoE NVFP4), FP8 KV cache and attention, attention DP8 with EP8: about 4,600 output tokens/s per GPU " +
          "on ISL/OSL 1K/2K (max-throughput setting); with about 100 GB of KV room per GPU it estimates a maximum concurrency of about 500 requests per GPU.",
      },
      assumptions:
        "Aggregated serving: the same GPUs prefill 1,024 input tokens per 2,048 output tokens (charged with prefillStep); mean context 1,024 + 2,048/2 tokens; " +
        "at most 500 sequences per GPU (the blog's own concurrency estimate); no MTP, no overlap, no EPLB.",
      published: 4600,
      perNode: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "b200", epSize: 8, kvLen: 2048, moePrecision: "nvfp4", kvPrecision: "fp8", dispatchPrecision: "nvfp4" },
      eplb: false,
      maxBatch: 500,
      aggregated: { promptLen: 1024, outputLen: 2048 },
      predictOnly: true,
      unmatchedReason:
        "aggregated (non-disaggregated) serving: prefill chunks interleave with decode steps and stall the whole batch, and the run includes scheduling and " +
        "host overheads the step model does not charge; charging the prefill work alone closes only part of the gap",
    }),
    prefillPoint({
      name: "DeepSeek prefill, H800 EP32 (with cache hits)",
      gpu: "h800",
      source: dsSrc,
      assumptions:
        "Contexts of 4,989 tokens (the decode average), of which 56.3% are prefix-cache hits (attended, not computed); 16,384 tokens per GPU per forward; FP8 weights; EPLB over 288 slots; two micro-batches.",
      published: 73700,
      perNode: true,
      withCache: true,
      tolerance: 0.3,
      o: { model: ds, gpu: "h800", epSize: 32, redundantExperts: 32, promptLen: 4989 * 0.437, cachedPrefixLen: 4989 * 0.563 },
      eplb: true,
    }),
    prefillPoint({
      name: "SGLang prefill, H100 EP32, 2,000-token inputs",
      gpu: "h100",
      source: lmsysH100,
      assumptions: "16,384 tokens per GPU per forward, FP8 weights, 32 redundant experts with EPLB, two-batch overlap.",
      published: 52300,
      perNode: true,
      withCache: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "h100", epSize: 32, redundantExperts: 32, promptLen: 2000 },
      eplb: true,
    }),
    prefillPoint({
      name: "SGLang prefill, GB200 EP8, FP8 MoE, BF16 attention",
      gpu: "gb200",
      source: lmsysGb200(gbFp4),
      assumptions: "2 nodes of 4 GPUs (EP8, one NVLink domain), 16,384 tokens per GPU per forward, EPLB placement without replicas, two-batch overlap.",
      published: 18471,
      perNode: false,
      withCache: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "gb200", epSize: 8, promptLen: 2000 },
      eplb: true,
    }),
    prefillPoint({
      name: "SGLang prefill, GB200 EP8, NVFP4 MoE, FP8 attention",
      gpu: "gb200",
      source: lmsysGb200(gbFp4),
      assumptions: "As the FP8 point, with NVFP4 experts and dispatch and an FP8 KV cache (FP8 attention math).",
      published: 26156,
      perNode: false,
      withCache: false,
      tolerance: 0.3,
      o: { model: ds, gpu: "gb200", epSize: 8, promptLen: 2000, moePrecision: "nvfp4", kvPrecision: "fp8", dispatchPrecision: "nvfp4" },
      eplb: true,
    }),
  ];
}

function ratioPoint(): CalibrationPoint {
  const c = NVL72_WIDE_EP_CASE;
  return {
    name: "NVIDIA NVL72: EP32 vs EP8 output tokens/s per GPU at 100 tokens/s per user",
    gpu: "gb200",
    metric: "ratio",
    unit: "×",
    source: NVIDIA_WIDE_EP_CLAIM.source,
    cliArgs: cli([
      "cost", "sweep", "--model", c.model, "--gpu", c.gpu, "--ep", `${c.narrowEp},${c.wideEp}`, "--kv-len", c.kvLen, "--moe-precision", c.moePrecision,
      "--kv-precision", c.kvPrecision, "--dispatch-precision", c.dispatchPrecision, "--mtp", "--tokens-per-user", c.tokensPerSecPerUser,
    ]) + "  (EP32 with --redundant-experts 32; each EP size's --load-imbalance from expectedImbalance)",
    assumptions:
      "DeepSeek-R1 NVFP4 checkpoint, FP8 KV, NVFP4 dispatch, one MTP draft (85% accepted), 1k/1k requests (mean context 1,536), EP8 without replicas, EP32 with EPLB over 288 slots. Predicted, not fitted.",
    published: NVIDIA_WIDE_EP_CLAIM.ratio,
    tolerance: 0.25,
    group: "none",
    evaluate: (k) => wideEpRatioByMechanism({ efficiency: k.efficiency, zipfS: k.zipfS }).ratio ?? 0,
  };
}

let pointsCache: CalibrationPoint[] | null = null;
/**
 * Every calibration point (kernels, imbalance, throughput, the NVL72 ratio), in report order.
 * @returns a new array (the points themselves are shared)
 * @throws never
 * @example calibrationPoints().length >= 12 // true
 */
export function calibrationPoints(): CalibrationPoint[] {
  if (pointsCache === null) pointsCache = [...kernelPoints(), ...imbalancePoints(), ...throughputPoints(), ratioPoint()];
  return [...pointsCache];
}

// ─── fitting ──────────────────────────────────────────────────────────────────────────────────────

/** Solve a small dense linear system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** Golden-section minimum of a unimodal f on [lo, hi]. */
function golden(f: (x: number) => number, lo: number, hi: number, iters = 40): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iters; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

const relSq = (pts: CalibrationPoint[], k: ModelConstants) => pts.reduce((s, p) => s + ((p.evaluate(k) - p.published) / p.published) ** 2, 0);
const logSq = (pts: CalibrationPoint[], k: ModelConstants) =>
  pts.reduce((s, p) => {
    const v = p.evaluate(k);
    return s + (v > 0 ? Math.log(v / p.published) ** 2 : 100);
  }, 0);

/**
 * Latency + time-at-full-bandwidth model `y = L_dir + x / f` fitted by relative-weighted least squares: each point's
 * x is its model time with zero latency and bandwidth fraction 1.
 */
function fitLinear(
  pts: CalibrationPoint[],
  k: ModelConstants,
  keys: { d: keyof Efficiency; c: keyof Efficiency; f: keyof Efficiency },
): Partial<Efficiency> {
  const zeroEff = { ...k.efficiency, [keys.d]: 0, [keys.c]: 0, [keys.f]: 1 };
  const ata = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const atb = [0, 0, 0];
  for (const p of pts) {
    const x = p.evaluate({ ...k, efficiency: zeroEff });
    const isD = p.name.includes("dispatch") ? 1 : 0;
    const w = 1 / p.published;
    const row = [isD * w, (1 - isD) * w, x * w];
    const y = p.published * w;
    for (let i = 0; i < 3; i++) {
      atb[i] += row[i] * y;
      for (let j = 0; j < 3; j++) ata[i][j] += row[i] * row[j];
    }
  }
  const [ld, lc, inv] = solve(ata, atb);
  return { [keys.d]: Math.max(0, ld), [keys.c]: Math.max(0, lc), [keys.f]: Math.min(1, 1 / inv) };
}

/** Squared log error of a point, memoised by (point, constants) — the grid search revisits the same grid nodes. */
const errCache = new Map<string, number>();
function pointLogSq(p: CalibrationPoint, k: ModelConstants): number {
  const e = k.efficiency;
  const key = `${p.name}|${e.computeFraction}|${e.layerOverheadUs}|${EFFICIENCY_SIGNATURE(e)}|${k.zipfS}`;
  let v = errCache.get(key);
  if (v === undefined) {
    const m = p.evaluate(k);
    v = m > 0 ? Math.log(m / p.published) ** 2 : 100;
    errCache.set(key, v);
  }
  return v;
}
const EFFICIENCY_SIGNATURE = (e: Efficiency): string =>
  [e.attentionComputeFraction, e.memoryFraction, e.nvlinkDispatchLatencyUs, e.nvlinkCombineLatencyUs, e.nvlinkBandwidthFraction, e.rdmaDispatchLatencyUs,
    e.rdmaCombineLatencyUs, e.rdmaBandwidthFraction, e.normalNvlinkBandwidthFraction, e.normalRdmaBandwidthFraction, e.overlapFraction].join(",");

/**
 * Grid search for (computeFraction, layerOverheadUs): a coarse grid (0.16–0.50 by 0.02, 0–120 µs by 10), then a
 * fine grid (±0.02 by 0.01, ±10 µs by 2.5) around the best coarse node; minimises the sum of squared log errors.
 */
function fitThroughput(gp: CalibrationPoint[], k: ModelConstants): { cf: number; ov: number } {
  const score = (cf: number, ov: number) => {
    const kk = { ...k, efficiency: { ...k.efficiency, computeFraction: cf, layerOverheadUs: ov } };
    return gp.reduce((s, p) => s + pointLogSq(p, kk), 0);
  };
  let best = { cf: 0.16, ov: 0, s: Infinity };
  for (let i = 0; i <= 17; i++) {
    for (let ov = 0; ov <= 120; ov += 10) {
      const cf = Math.round((0.16 + 0.02 * i) * 100) / 100;
      const sc = score(cf, ov);
      if (sc < best.s) best = { cf, ov, s: sc };
    }
  }
  const { cf: c0, ov: o0 } = best;
  for (let i = -2; i <= 2; i++) {
    for (let j = -4; j <= 4; j++) {
      const cf = Math.round((c0 + 0.01 * i) * 100) / 100;
      const ov = o0 + 2.5 * j;
      if (cf <= 0 || cf > 1 || ov < 0) continue;
      const sc = score(cf, ov);
      if (sc < best.s) best = { cf, ov, s: sc };
    }
  }
  return { cf: best.cf, ov: best.ov };
}

/** Result of {@link fitConstants}. */
export interface FitResult extends ModelConstants {
  /** Which point names each group was fitted on. */
  fittedOn: Record<Exclude<FitGroup, "none">, string[]>;
}

/**
 * Fit the model's constants on the calibration points (see the module comment for the method of each group).
 * @param options `exclude`: a point name to leave out (leave-one-out); `only`: refit only this group, taking the
 *   others from `start` (default: the defaults)
 * @returns the fitted efficiency factors and Zipf exponent, and which points each group used
 * @throws {RangeError} for an unknown point name
 * @example fitConstants().efficiency.rdmaDispatchLatencyUs // ≈ 40 µs
 */
export function fitConstants(options: { exclude?: string; only?: Exclude<FitGroup, "none">; start?: ModelConstants } = {}): FitResult {
  checkOptionKeys("options", options, ["exclude", "only", "start"]);
  const all = calibrationPoints();
  if (options.exclude !== undefined && !all.some((p) => p.name === options.exclude)) throw new RangeError(`unknown calibration point ${show(options.exclude)}`);
  const pts = all.filter((p) => p.name !== options.exclude);
  const by = (g: FitGroup) => pts.filter((p) => p.group === g);
  let k: ModelConstants = options.start ?? { efficiency: { ...DEFAULT_EFFICIENCY }, zipfS: DEFAULT_ZIPF_S };
  const want = (g: Exclude<FitGroup, "none">) => options.only === undefined || options.only === g;
  if (want("nvlink-ll")) k = { ...k, efficiency: { ...k.efficiency, ...fitLinear(by("nvlink-ll"), k, { d: "nvlinkDispatchLatencyUs", c: "nvlinkCombineLatencyUs", f: "nvlinkBandwidthFraction" }) } };
  if (want("rdma-ll")) k = { ...k, efficiency: { ...k.efficiency, ...fitLinear(by("rdma-ll"), k, { d: "rdmaDispatchLatencyUs", c: "rdmaCombineLatencyUs", f: "rdmaBandwidthFraction" }) } };
  for (const [g, key] of [["normal-nvlink", "normalNvlinkBandwidthFraction"], ["normal-rdma", "normalRdmaBandwidthFraction"]] as const) {
    if (!want(g)) continue;
    const gp = by(g);
    const f = golden((x) => relSq(gp, { ...k, efficiency: { ...k.efficiency, [key]: x } }), 0.3, 1.5, 30);
    k = { ...k, efficiency: { ...k.efficiency, [key]: f } };
  }
  if (want("imbalance")) {
    const gp = by("imbalance");
    k = { ...k, zipfS: golden((s) => logSq(gp, { ...k, zipfS: Math.round(s * 1000) / 1000 }), 0.2, 1.2, 18) };
    k = { ...k, zipfS: Math.round(k.zipfS * 1000) / 1000 };
  }
  if (want("throughput")) {
    const gp = by("throughput");
    const best = fitThroughput(gp, k);
    k = { ...k, efficiency: { ...k.efficiency, computeFraction: best.cf, layerOverheadUs: best.ov } };
  }
  const fittedOn = {} as FitResult["fittedOn"];
  for (const g of ["nvlink-ll", "rdma-ll", "normal-nvlink", "normal-rdma", "imbalance", "throughput"] as const) fittedOn[g] = by(g).map((p) => p.name);
  return { ...k, fittedOn };
}

// ─── the report ───────────────────────────────────────────────────────────────────────────────────

/** One row of the calibration report (the `--json` schema). */
export interface CalibrationRow {
  name: string;
  gpu: string;
  metric: CalibrationMetric;
  unit: string;
  source: Citation;
  cliArgs: string;
  assumptions: string;
  published: number;
  model: number;
  /** (model − published) / published. */
  error: number;
  /** Leave-one-out: the point's error when its group is refitted without it (equal to `error` for points no constant is fitted on). */
  looError: number;
  tolerance: number;
  withinTolerance: boolean;
  group: FitGroup;
  /** Why the model may not match (set for points with a known gap). */
  unmatchedReason?: string;
}

/** The calibration report. */
export interface CalibrationReport {
  points: CalibrationRow[];
  /** Median and largest |error| over the points (fractions). */
  medianAbsError: number;
  worstAbsError: number;
  /** Median and largest |looError|. */
  medianAbsLooError: number;
  worstAbsLooError: number;
  /** The constants the model values use. */
  constants: ModelConstants;
  /** Published figures the model does not match within tolerance, and why (empty when all match). */
  unmatched: string[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Options of {@link calibrationReport}. */
export interface CalibrationOptions {
  /** Efficiency overrides for the model values (default: the fitted defaults). */
  efficiency?: Partial<Efficiency>;
  /** Compute leave-one-out errors (refits; default true). */
  leaveOneOut?: boolean;
}

/**
 * The calibration report: every published point with its source, CLI flags, published and model values, signed
 * error and leave-one-out error; median and worst |error|.
 * @param options `efficiency` overrides (fractions, µs) and `leaveOneOut` (default true); or an efficiency object
 *   directly (older call form)
 * @returns {@link CalibrationReport} (errors as signed fractions)
 * @throws {RangeError|TypeError} for bad or unknown option keys
 * @example calibrationReport().medianAbsError < 0.15 // true
 */
export function calibrationReport(options: CalibrationOptions | Partial<Efficiency> = {}): CalibrationReport {
  checkOptionKeys("options", options, ["efficiency", "leaveOneOut", ...Object.keys(DEFAULT_EFFICIENCY)]);
  const o = options as Record<string, unknown>;
  const isEff = Object.keys(o).some((key) => key in DEFAULT_EFFICIENCY);
  if (isEff && ("efficiency" in o || "leaveOneOut" in o)) throw new RangeError("give efficiency factors inside options.efficiency, not beside it");
  const effOverrides = (isEff ? o : (o.efficiency as Partial<Efficiency> | undefined)) as Partial<Efficiency> | undefined;
  const loo = isEff ? true : ((o.leaveOneOut as boolean | undefined) ?? true);
  if (typeof loo !== "boolean") throw new TypeError(`options.leaveOneOut must be a boolean, got ${show(loo)}`);
  const constants: ModelConstants = { efficiency: resolveEfficiency(effOverrides), zipfS: DEFAULT_ZIPF_S };
  const pts = calibrationPoints();
  const rows: CalibrationRow[] = pts.map((p) => {
    const model = p.evaluate(constants);
    const error = (model - p.published) / p.published;
    let looError = error;
    if (loo && p.group !== "none") {
      const k = fitConstants({ exclude: p.name, only: p.group, start: constants });
      looError = (p.evaluate(k) - p.published) / p.published;
    }
    return {
      name: p.name,
      gpu: p.gpu,
      metric: p.metric,
      unit: p.unit,
      source: p.source,
      cliArgs: p.cliArgs,
      assumptions: p.assumptions,
      published: p.published,
      model,
      error,
      looError,
      tolerance: p.tolerance,
      withinTolerance: Math.abs(error) <= p.tolerance,
      group: p.group,
      ...(p.unmatchedReason ? { unmatchedReason: p.unmatchedReason } : {}),
    };
  });
  const abs = rows.map((r) => Math.abs(r.error));
  const looAbs = rows.map((r) => Math.abs(r.looError));
  return {
    points: rows,
    medianAbsError: median(abs),
    worstAbsError: Math.max(...abs),
    medianAbsLooError: median(looAbs),
    worstAbsLooError: Math.max(...looAbs),
    constants,
    unmatched: rows
      .map((r, i) => ({ r, why: pts[i].unmatchedReason }))
      .filter(({ r }) => !r.withinTolerance)
      .map(({ r, why }) => `${r.name}: model ${r.model.toPrecision(4)} vs published ${r.published} ${r.unit} (${(100 * r.error).toFixed(0)}%)${why ? ` — ${why}` : ""}`),
  };
}

/** Everything the model can put beside a published figure, in one call. */
export interface PublishedComparison {
  calibration: CalibrationReport;
  deepEp: AllToAllComparisonRow[];
  nvl72: MechanismRatio;
}

/**
 * The calibration report (without leave-one-out refits), DeepEP's low-latency table beside the model, and the NVL72
 * ratio by mechanism.
 * @param efficiency optional overrides (fractions in (0, 1], latencies in µs)
 * @returns {@link PublishedComparison}
 * @throws {RangeError|TypeError} for bad or unknown efficiency keys
 * @example comparePublished().nvl72.ratio // ≈ 1.8
 */
export function comparePublished(efficiency?: Partial<Efficiency>): PublishedComparison {
  resolveEfficiency(efficiency);
  return {
    calibration: calibrationReport({ efficiency, leaveOneOut: false }),
    deepEp: allToAllVsDeepEp(efficiency),
    nvl72: wideEpRatioByMechanism({ efficiency }),
  };
}

// ─── sensitivity ──────────────────────────────────────────────────────────────────────────────────

/** One bar of the tornado chart. */
export interface SensitivityRow {
  /** The assumption that moves. */
  parameter: string;
  /** Its value in the base case, and the low / high values tried (as text, with units). */
  base: string;
  low: string;
  high: string;
  /** EP32/EP8 ratio with the parameter at its low / high value (null when a side cannot reach the target). */
  ratioLow: number | null;
  ratioHigh: number | null;
}

/** Result of {@link sensitivity}. */
export interface SensitivityResult {
  baseRatio: number | null;
  published: number;
  /** Sorted by swing |ratioHigh − ratioLow|, largest first (the tornado's order). */
  rows: SensitivityRow[];
}

/**
 * How the modelled NVL72 EP32/EP8 ratio moves when each assumption moves: MoE precision (FP8 vs NVFP4), the NVLink
 * all-to-all latency (×0.5, ×2), the per-user speed (75, 125 tokens/s), the load imbalance (×0.95, ×1.2), the
 * context length (768, 3,072 tokens) and the MTP acceptance (0.6, 0.95) — the data for a tornado chart.
 * @param options overrides of the base case (see {@link wideEpRatioByMechanism})
 * @returns {@link SensitivityResult}
 * @throws {RangeError|TypeError} for bad or unknown options
 * @example sensitivity().rows[0].parameter // the assumption the ratio depends on most
 */
export function sensitivity(options: MechanismRatioOptions = {}): SensitivityResult {
  checkOptionKeys("options", options, MECH_KEYS);
  const base = { ...options };
  const eff = resolveEfficiency(options.efficiency);
  const c = { ...NVL72_WIDE_EP_CASE, ...options };
  const r = (o: MechanismRatioOptions) => wideEpRatioByMechanism({ ...base, ...o }).ratio;
  const lat = (f: number) => ({
    efficiency: { ...eff, nvlinkDispatchLatencyUs: eff.nvlinkDispatchLatencyUs * f, nvlinkCombineLatencyUs: eff.nvlinkCombineLatencyUs * f },
  });
  const rows: SensitivityRow[] = [
    {
      parameter: "MoE weight precision",
      base: c.moePrecision,
      low: "fp8 (FP8 experts and dispatch)",
      high: "nvfp4",
      ratioLow: r({ moePrecision: "fp8", dispatchPrecision: "fp8" }),
      ratioHigh: r({ moePrecision: "nvfp4", dispatchPrecision: "nvfp4" }),
    },
    {
      parameter: "NVLink all-to-all latency",
      base: `${eff.nvlinkDispatchLatencyUs} / ${eff.nvlinkCombineLatencyUs} µs`,
      low: "×0.5",
      high: "×2",
      ratioLow: r(lat(0.5)),
      ratioHigh: r(lat(2)),
    },
    {
      parameter: "tokens/s per user",
      base: String(c.tokensPerSecPerUser),
      low: String(c.tokensPerSecPerUser * 0.75),
      high: String(c.tokensPerSecPerUser * 1.25),
      ratioLow: r({ tokensPerSecPerUser: c.tokensPerSecPerUser * 0.75 }),
      ratioHigh: r({ tokensPerSecPerUser: c.tokensPerSecPerUser * 1.25 }),
    },
    {
      parameter: "load imbalance (both EP sizes)",
      base: "from expectedImbalance",
      low: "×0.95",
      high: "×1.2",
      ratioLow: r({ imbalanceScale: 0.95 * (options.imbalanceScale ?? 1) }),
      ratioHigh: r({ imbalanceScale: 1.2 * (options.imbalanceScale ?? 1) }),
    },
    {
      parameter: "mean context (KV) length",
      base: `${c.kvLen} tokens`,
      low: `${c.kvLen / 2} tokens`,
      high: `${c.kvLen * 2} tokens`,
      ratioLow: r({ kvLen: c.kvLen / 2 }),
      ratioHigh: r({ kvLen: c.kvLen * 2 }),
    },
    {
      parameter: "per-layer overhead (fitted)",
      base: `${round3(eff.layerOverheadUs)} µs`,
      low: "×0.8",
      high: "×1.25",
      ratioLow: r({ efficiency: { ...eff, layerOverheadUs: eff.layerOverheadUs * 0.8 } }),
      ratioHigh: r({ efficiency: { ...eff, layerOverheadUs: eff.layerOverheadUs * 1.25 } }),
    },
    {
      parameter: "GEMM efficiency (fitted share of peak)",
      base: String(round3(eff.computeFraction)),
      low: "×0.8",
      high: `×${round3(Math.min(1.25, 1 / eff.computeFraction))}`,
      ratioLow: r({ efficiency: { ...eff, computeFraction: eff.computeFraction * 0.8 } }),
      ratioHigh: r({ efficiency: { ...eff, computeFraction: Math.min(1, eff.computeFraction * 1.25) } }),
    },
    {
      parameter: "MTP acceptance",
      base: String(c.mtpAcceptance),
      low: "0.6",
      high: "0.95",
      ratioLow: r({ mtpAcceptance: 0.6 }),
      ratioHigh: r({ mtpAcceptance: 0.95 }),
    },
  ];
  const swing = (x: SensitivityRow) => Math.abs((x.ratioHigh ?? 0) - (x.ratioLow ?? 0));
  rows.sort((a, b) => swing(b) - swing(a));
  return { baseRatio: wideEpRatioByMechanism(base).ratio, published: NVIDIA_WIDE_EP_CLAIM.ratio, rows };
}
