/**
 * Sweeps over EP size and batch: the throughput-per-GPU vs tokens/s-per-user frontier (the NVIDIA-style
 * chart), interpolation on it at a fixed interactivity, and the EP32-vs-EP8 ratio on GB200 NVL72.
 */
import { assertFinite, assertNonEmptyArray, assertNonNegative, assertNonNegativeInt, assertPositive, assertPositiveInt, show } from "../util/validate";
import type { Citation } from "./catalog-hardware";
import { DECODE_OPTION_KEYS, decodeStep, type DecodeOptions } from "./decode";
import { divisibilityMessage, resolveModel } from "./memory";
import { checkOptionKeys } from "./options";

/** One evaluated configuration. */
export interface FrontierPoint {
  epSize: number;
  batchPerGpu: number;
  tokensPerSecPerUser: number;
  outputTokensPerSecPerGpu: number;
  stepTimeMs: number;
  /** Always true: the sweep keeps feasible points only (kept for older callers). */
  fits: boolean;
}

/** A configuration a sweep evaluated and skipped because it cannot run. */
export interface InfeasiblePoint {
  epSize: number;
  batchPerGpu: number;
  reasons: string[];
}

/** Options of {@link sweepFrontier}: every decodeStep option except epSize/batchPerGpu, plus the grids. */
export interface SweepOptions extends Omit<DecodeOptions, "epSize" | "batchPerGpu"> {
  /** EP sizes to try; sizes that do not divide numExperts + redundantExperts are skipped (listed in the result). */
  epSizes: readonly number[];
  /** Batches per GPU to try, default {@link DEFAULT_BATCHES}. */
  batchSizes?: readonly number[];
}

/** Option keys of {@link sweepFrontier}. */
export const SWEEP_OPTION_KEYS: readonly string[] = Object.freeze([...DECODE_OPTION_KEYS.filter((k) => k !== "epSize" && k !== "batchPerGpu"), "epSizes", "batchSizes"]);

/** Default batch grid (sequences per GPU). */
export const DEFAULT_BATCHES: readonly number[] = Object.freeze([1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 512]);

/** Result of {@link sweepFrontier}. */
export interface SweepResult {
  /** Every feasible evaluated point, in (epSize, batch) order. */
  points: FrontierPoint[];
  /** Points skipped because they do not fit in memory (reasons name the values). */
  infeasible: InfeasiblePoint[];
  /** Fitting points per EP size, sorted by tokens/s per user descending (batch ascending). */
  byEp: Record<number, FrontierPoint[]>;
  /** Pareto frontier over all fitting points: no other point is better in both axes; sorted by tokens/s per user. */
  frontier: FrontierPoint[];
  /** EP sizes skipped because they do not divide the expert slots. */
  skippedEpSizes: number[];
  /** For each skipped EP size, the reason (with the smallest redundant-expert count that divides). */
  skippedReasons: Record<number, string>;
}

/**
 * Evaluate decodeStep over an EP × batch grid and extract the frontier.
 * @param options every {@link decodeStep} option except epSize/batchPerGpu (kvLen in tokens), plus `epSizes`
 *   (GPUs, integers ≥ 1) and `batchSizes` (sequences per GPU, > 0); see {@link SweepOptions}
 * @returns {@link SweepResult} (throughput in tokens/s)
 * @throws {RangeError|TypeError} for empty grids, non-integer sizes, a bad redundantExperts (checked even when no
 *   EP size divides the slots), and any bad decodeStep option
 * @example sweepFrontier({ model: "deepseek-v3", gpu: "gb200", kvLen: 2048, epSizes: [8, 32] }).frontier.length // 17
 */
export function sweepFrontier(options: SweepOptions): SweepResult {
  checkOptionKeys("options", options, SWEEP_OPTION_KEYS);
  const { epSizes, batchSizes = DEFAULT_BATCHES, ...rest } = options;
  assertNonEmptyArray("epSizes", epSizes);
  assertNonEmptyArray("batchSizes", batchSizes);
  epSizes.forEach((v, i) => assertPositiveInt(`epSizes[${i}]`, v));
  batchSizes.forEach((v, i) => assertPositive(`batchSizes[${i}]`, v));
  const m = resolveModel(rest.model);
  const redundantExperts = rest.redundantExperts ?? 0;
  // Checked here too: a NaN or negative count would otherwise make every EP size "not divide" (all skipped, no error).
  assertNonNegativeInt("redundantExperts", redundantExperts);
  const slots = m.numExperts + redundantExperts;
  const points: FrontierPoint[] = [];
  const infeasible: InfeasiblePoint[] = [];
  const byEp: Record<number, FrontierPoint[]> = {};
  const skippedEpSizes: number[] = [];
  const skippedReasons: Record<number, string> = {};
  for (const epSize of epSizes) {
    if (slots % epSize !== 0) {
      skippedEpSizes.push(epSize);
      skippedReasons[epSize] = divisibilityMessage(m.numExperts, redundantExperts, epSize);
      continue;
    }
    const curve: FrontierPoint[] = [];
    for (const batchPerGpu of batchSizes) {
      const r = decodeStep({ ...rest, model: m, epSize, batchPerGpu });
      if (!r.feasible || r.tokensPerSecPerUser === null || r.outputTokensPerSecPerGpu === null) {
        infeasible.push({ epSize, batchPerGpu, reasons: r.reasons });
        continue;
      }
      const p: FrontierPoint = {
        epSize,
        batchPerGpu,
        tokensPerSecPerUser: r.tokensPerSecPerUser,
        outputTokensPerSecPerGpu: r.outputTokensPerSecPerGpu,
        stepTimeMs: r.stepTimeMs,
        fits: true,
      };
      points.push(p);
      curve.push(p);
    }
    curve.sort((a, b) => b.tokensPerSecPerUser - a.tokensPerSecPerUser);
    byEp[epSize] = curve;
  }
  return { points, infeasible, byEp, frontier: paretoFrontier(points), skippedEpSizes, skippedReasons };
}

/**
 * Pareto frontier (maximize both tokens/s per user and output tokens/s per GPU).
 * @param points candidate points, each with finite `tokensPerSecPerUser` and `outputTokensPerSecPerGpu`
 *   (tokens/s); not mutated
 * @returns the non-dominated points sorted by tokens/s per user ascending
 * @throws {TypeError} when points is not an array or a point is not an object; {RangeError} for a NaN/±Infinity
 *   field, naming `points[i].field` and the value
 * @example
 * paretoFrontier([{ tokensPerSecPerUser: 10, outputTokensPerSecPerGpu: 100 }, { tokensPerSecPerUser: 20, outputTokensPerSecPerGpu: 50 },
 *   { tokensPerSecPerUser: 15, outputTokensPerSecPerGpu: 40 }]).map((p) => p.tokensPerSecPerUser) // [10, 20] (15 is dominated by 20)
 */
export function paretoFrontier<T extends { tokensPerSecPerUser: number; outputTokensPerSecPerGpu: number }>(points: readonly T[]): T[] {
  checkCurve("points", points);
  const sorted = [...points].sort((a, b) => b.tokensPerSecPerUser - a.tokensPerSecPerUser || b.outputTokensPerSecPerGpu - a.outputTokensPerSecPerGpu);
  const out: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.outputTokensPerSecPerGpu > best) {
      out.push(p);
      best = p.outputTokensPerSecPerGpu;
    }
  }
  return out.reverse();
}

/**
 * Output tokens/s per GPU at a given tokens/s per user, read off a curve (e.g. one EP size's fitting points):
 * the best throughput among operating points at least as fast as the target for every user, linearly
 * interpolated between the two neighbouring frontier points. When even the curve's slowest point is faster
 * than the target (the batch is capped by memory), its throughput is returned: running slower does not help.
 * @param curve points (any order; not mutated), each with finite `tokensPerSecPerUser` and `outputTokensPerSecPerGpu` (tokens/s)
 * @param tokensPerSecPerUser target interactivity, tokens/s per user (> 0)
 * @returns throughput per GPU (tokens/s), or null when no point of the curve reaches the target (or the curve is empty)
 * @throws {RangeError|TypeError} for a non-positive target, a non-array curve, or a point with a non-finite or negative field
 * @example throughputAtInteractivity([{ tokensPerSecPerUser: 40, outputTokensPerSecPerGpu: 400 },
 *   { tokensPerSecPerUser: 20, outputTokensPerSecPerGpu: 1000 }], 30) // 700
 */
export function throughputAtInteractivity(
  curve: readonly { tokensPerSecPerUser: number; outputTokensPerSecPerGpu: number }[],
  tokensPerSecPerUser: number,
): number | null {
  checkCurve("curve", curve);
  assertPositive("tokensPerSecPerUser", tokensPerSecPerUser);
  const c = paretoFrontier(curve); // ascending in tps/user, descending throughput
  if (c.length === 0) return null;
  if (tokensPerSecPerUser <= c[0].tokensPerSecPerUser) return c[0].outputTokensPerSecPerGpu;
  for (let i = 0; i + 1 < c.length; i++) {
    const p = c[i];
    const q = c[i + 1];
    if (tokensPerSecPerUser <= q.tokensPerSecPerUser) {
      const w = (tokensPerSecPerUser - p.tokensPerSecPerUser) / (q.tokensPerSecPerUser - p.tokensPerSecPerUser);
      return p.outputTokensPerSecPerGpu + w * (q.outputTokensPerSecPerGpu - p.outputTokensPerSecPerGpu);
    }
  }
  return null;
}

/** An array of objects with finite `tokensPerSecPerUser` and `outputTokensPerSecPerGpu`, named `name[i].field` on error. */
function checkCurve(name: string, points: unknown): void {
  if (!Array.isArray(points)) throw new TypeError(`${name} must be an array, got ${show(points)}`);
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p === null || typeof p !== "object") throw new TypeError(`${name}[${i}] must be an object, got ${show(p)}`);
    // Rates (tokens/s) cannot be negative: a negative point is a caller's bug, not a slow configuration.
    assertNonNegative(`${name}[${i}].tokensPerSecPerUser`, p.tokensPerSecPerUser);
    assertNonNegative(`${name}[${i}].outputTokensPerSecPerGpu`, p.outputTokensPerSecPerGpu);
  }
}

/** NVIDIA's published claim for wide EP on GB200 NVL72. */
export const NVIDIA_WIDE_EP_CLAIM: Readonly<{ ratio: number; source: Citation }> = Object.freeze({
  ratio: 1.8,
  source: Object.freeze({
    url: "https://developer.nvidia.com/blog/scaling-large-moe-models-with-wide-expert-parallelism-on-nvl72-rack-scale-systems/",
    says:
      "NVIDIA Technical Blog, 'Scaling Large MoE Models with Wide Expert Parallelism on NVL72 Rack Scale Systems': TensorRT-LLM Wide-EP " +
      "(experts spread over 8+ GPUs of a GB200 NVL72) gives up to 1.8x higher per-GPU output throughput for DeepSeek-R1 than small-EP " +
      "configurations (DeepSeek-R1 FP4 checkpoint, disaggregated serving with MTP; read as EP32 against EP8 at 100 output tokens/s per user).",
  }),
});

/** Options of {@link wideEpRatio}. */
export interface WideEpRatioOptions extends Omit<SweepOptions, "epSizes" | "gpu" | "model" | "kvLen"> {
  /** Target output tokens/s per user. */
  tokensPerSecPerUser: number;
  /** Model, default "deepseek-v3". */
  model?: SweepOptions["model"];
  /** GPU, default "gb200". */
  gpu?: SweepOptions["gpu"];
  /** Average KV length, default 2048 tokens. */
  kvLen?: number;
  /** Narrow EP size, default 8. */
  narrowEp?: number;
  /** Wide EP size, default 32. */
  wideEp?: number;
}

/** Result of {@link wideEpRatio}. */
export interface WideEpRatio {
  tokensPerSecPerUser: number;
  narrowEp: number;
  wideEp: number;
  /** Interpolated output tokens/s per GPU at the target, or null when the narrow EP cannot reach it. */
  narrowTokensPerSecPerGpu: number | null;
  wideTokensPerSecPerGpu: number | null;
  /** wide / narrow, or null when either is unreachable. */
  ratio: number | null;
  /** NVIDIA's published "up to 1.8×" and its source. */
  published: typeof NVIDIA_WIDE_EP_CLAIM;
}

/**
 * Ratio of output tokens/s per GPU, wide EP vs narrow EP (default EP32 vs EP8 on GB200 NVL72, DeepSeek-V3),
 * at the same tokens/s per user, interpolated on each EP size's frontier, with one set of decode options for both
 * sizes (defaults: FP8 weights, BF16 KV, KV 2048, no overlap, no MTP, balanced load). For NVIDIA's published setup
 * (NVFP4 experts, FP8 KV, MTP, each EP size's own imbalance) use `wideEpRatioByMechanism` (calibration.ts), which
 * reproduces the published ratio; with FP8 experts EP8 is held back by streaming 32 experts' weights per step, so
 * this function's ratio grows quickly above ~40 tokens/s per user.
 * @param options `tokensPerSecPerUser` (target, tokens/s per user, > 0), `narrowEp`/`wideEp` (GPUs, default 8/32),
 *   `model`, `gpu`, `kvLen` (tokens) and any other sweep option; see {@link WideEpRatioOptions}
 * @returns {@link WideEpRatio}, with NVIDIA's published figure beside the model's
 * @throws {RangeError|TypeError} for a non-positive target or bad sweep options
 * @example wideEpRatio({ tokensPerSecPerUser: 50 }).ratio // ≈ 16
 */
export function wideEpRatio(options: WideEpRatioOptions): WideEpRatio {
  checkOptionKeys("options", options, [...SWEEP_OPTION_KEYS.filter((k) => k !== "epSizes"), "tokensPerSecPerUser", "narrowEp", "wideEp"]);
  const { tokensPerSecPerUser, narrowEp = 8, wideEp = 32, model = "deepseek-v3", gpu = "gb200", kvLen = 2048, ...rest } = options;
  assertPositive("tokensPerSecPerUser", tokensPerSecPerUser);
  assertPositiveInt("narrowEp", narrowEp);
  assertPositiveInt("wideEp", wideEp);
  const s = sweepFrontier({ ...rest, model, gpu, kvLen, epSizes: [narrowEp, wideEp], batchSizes: rest.batchSizes ?? FINE_BATCHES });
  if (s.skippedEpSizes.length > 0) throw new RangeError(`EP sizes ${s.skippedEpSizes.join(", ")} do not divide the expert slots`);
  const n = throughputAtInteractivity(s.byEp[narrowEp], tokensPerSecPerUser);
  const w = throughputAtInteractivity(s.byEp[wideEp], tokensPerSecPerUser);
  return {
    tokensPerSecPerUser,
    narrowEp,
    wideEp,
    narrowTokensPerSecPerGpu: n,
    wideTokensPerSecPerGpu: w,
    ratio: n !== null && w !== null && n > 0 ? w / n : null,
    published: NVIDIA_WIDE_EP_CLAIM,
  };
}

/** A finer batch grid used for interpolation (1…1024). */
export const FINE_BATCHES: readonly number[] = Object.freeze(
  Array.from({ length: 64 }, (_, i) => Math.round(Math.pow(2, (i * 10) / 63))).filter((v, i, a) => a.indexOf(v) === i),
);
