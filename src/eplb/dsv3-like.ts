/**
 * The `dsv3-like` workload preset: expert loads shaped like DeepSeek-V3's published expert statistics, and the
 * statistics themselves (so a test, a lab or a planner can check a workload against them).
 *
 * Model (per layer l, expert e in routing group g = floor(e / (numExperts / numGroups))):
 *
 *   log p[l][e] ∝ s_l · (groupSigma · G[l][g] + expertSigma · X[l][e]) + Y_t[l][e]
 *
 * - G, X are seeded standard normals: a log-normal popularity with a shared factor per routing group, which is
 *   what makes contiguous placement (a GPU holds whole groups or parts of one group) much more imbalanced than
 *   the per-expert skew alone would give. DeepSeek-V3 routes within at most `topk_group` = 4 of `n_group` = 8
 *   groups of 32 experts, so group popularity varies as a whole.
 * - s_l is a per-layer spread factor (layer-to-layer variation): it rises linearly with depth between
 *   `layerSpread[0]` and `layerSpread[1]` (TensorRT-LLM's per-layer report shows the imbalance of early MoE
 *   layers near 0.5 and of late ones above 2), times a seeded factor exp(0.1·N(0,1)).
 * - Y_t is drift over time: an Ornstein–Uhlenbeck process per expert with stationary standard deviation
 *   `s_l · driftSigma` and correlation time `driftIterations` iterations (x ← x·(1 − 1/τ) + σ·√(2/τ − 1/τ²)·N(0,1)),
 *   started from its stationary distribution, so the statistics do not depend on when you look.
 *
 * Counts per iteration are `tokensPerIteration · p` with Poisson-like noise (normal approximation, √mean spread),
 * rounded to whole tokens. The defaults were chosen so that the statistics below land inside the published
 * ranges ({@link DSV3_LOAD_STATISTICS}); `test/eplb/dsv3-like.test.ts` checks it.
 */
import { createRng } from "../util/rng";
import { assertFinite, assertNonNegative, assertNonNegativeInt, assertPositive, assertPositiveInt, show } from "../util/validate";
import { contiguousPlacement } from "./baselines";
import { createDriftingWorkload } from "./workload";
import type { DriftingWorkload } from "./workload";
import { checkLoadMatrix, checkLoadVector, isMatrix } from "./validate";

/** A fact from a public source: where, and what it says (in our words). */
export interface Citation {
  url: string;
  says: string;
}

/** A published range `[low, high]` of one statistic, with its source. */
export interface PublishedRange {
  range: readonly [number, number];
  source: Citation;
}

const SGLANG_6017: Citation = {
  url: "https://github.com/sgl-project/sglang/issues/6017",
  says:
    "SGLang's large-scale PD + EP instructions for DeepSeek-V3 attach per-layer expert-count dumps (logical_count, " +
    "61 layers × 256 experts) recorded with the expert-distribution recorder on prefill and decode traces; the " +
    "ranges here are statistics of those dumps, summed over each trace, per MoE layer and averaged over layers.",
};
const TRTLLM_EPLB: Citation = {
  url: "https://github.com/NVIDIA/TensorRT-LLM/blob/main/examples/wide_ep/ep_load_balancer/README.md",
  says:
    "TensorRT-LLM's EP load-balancer example runs DeepSeek-R1 at EP32 with 1024 routed tokens per rank per " +
    "iteration and reports the imbalance ratio (max − mean)/mean of rank loads, per iteration and averaged: 1.56 " +
    "without EPLB; with an EPLB configuration of 288 slots (8 per rank at EP36) it reports 0.115.",
};

/**
 * DeepSeek-V3/R1 expert-load statistics from public sources, as ranges (low, high).
 * Definitions are those of {@link expertLoadStats}.
 */
export const DSV3_LOAD_STATISTICS = Object.freeze({
  /** Load of the hottest expert ÷ mean expert load, per layer. */
  hottestOverMean: Object.freeze({ range: Object.freeze([5.6, 8.1]), source: SGLANG_6017 }) as PublishedRange,
  /** Share of the tokens carried by the 20% most loaded experts, per layer. */
  top20Share: Object.freeze({ range: Object.freeze([0.43, 0.51]), source: SGLANG_6017 }) as PublishedRange,
  /** −slope of ln(load) against ln(rank) over all ranks with load > 0, per layer. */
  rankSlope: Object.freeze({ range: Object.freeze([0.6, 0.8]), source: SGLANG_6017 }) as PublishedRange,
  /** Max ÷ mean GPU load with contiguous placement at EP8 (32 experts per GPU). */
  contiguousEp8: Object.freeze({ range: Object.freeze([1.54, 2.07]), source: SGLANG_6017 }) as PublishedRange,
  /** Max ÷ mean GPU load with contiguous placement at EP32 (8 experts per GPU). */
  contiguousEp32: Object.freeze({ range: Object.freeze([2.05, 3.04]), source: SGLANG_6017 }) as PublishedRange,
  /** (max − mean)/mean of rank loads per iteration at EP32, contiguous placement (no EPLB). */
  trtllmEp32Imbalance: Object.freeze({ value: 1.56, source: TRTLLM_EPLB }),
  /** The same with EPLB, 288 slots (8 per rank, 36 ranks). */
  trtllmEplb288Imbalance: Object.freeze({ value: 0.115, source: TRTLLM_EPLB }),
});

/** Options of {@link dsv3LikeWorkload} and {@link dsv3LikePopularity}. All dimensionless unless stated. */
export interface Dsv3LikeOptions {
  /** MoE layers; default 58 (DeepSeek-V3: 61 layers, the first 3 dense). */
  numLayers?: number;
  /** Routed experts per layer; default 256. */
  numExperts?: number;
  /** Routing groups (contiguous blocks of experts sharing a popularity factor); default 8; must divide numExperts. */
  numGroups?: number;
  /** Iterations `next()` can produce; default 1000. */
  numIterations?: number;
  /** Token-to-expert assignments per layer per iteration (tokens × topK); default 32768 (1024 per rank at EP32, as in TensorRT-LLM's report). */
  tokensPerIteration?: number;
  /** Standard deviation of the log group factor; default 0.5. */
  groupSigma?: number;
  /** Standard deviation of the log expert factor; default 0.6. */
  expertSigma?: number;
  /** Per-layer spread factor at the first and the last layer `[first, last]`; default [0.75, 1.25]. */
  layerSpread?: readonly [number, number];
  /** Stationary standard deviation of the drift of each expert's log popularity; default 0.15. */
  driftSigma?: number;
  /** Correlation time of the drift, iterations (> 1); default 200. */
  driftIterations?: number;
  /** Add Poisson-like sampling noise to each count; default true. */
  noise?: boolean;
  /** PRNG seed (integer in [0, 2^32)); default 0. */
  seed?: number;
}

const DSV3_KEYS = [
  "numLayers", "numExperts", "numGroups", "numIterations", "tokensPerIteration", "groupSigma", "expertSigma",
  "layerSpread", "driftSigma", "driftIterations", "noise", "seed",
] as const;

/** Defaults of {@link Dsv3LikeOptions}. */
export const DSV3_LIKE_DEFAULTS = Object.freeze({
  numLayers: 58, numExperts: 256, numGroups: 8, numIterations: 1000, tokensPerIteration: 32768,
  groupSigma: 0.5, expertSigma: 0.6, layerSpread: Object.freeze([0.75, 1.25]) as readonly [number, number],
  driftSigma: 0.15, driftIterations: 200, noise: true, seed: 0,
});

/**
 * Reject keys an options object does not know, naming the nearest valid key.
 * @throws {RangeError} e.g. "unknown option numExpert (did you mean numExperts?)"
 */
export function assertKnownOptionKeys(name: string, options: object, known: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (known.includes(k)) continue;
    let best = known[0];
    let bestD = Infinity;
    for (const c of known) {
      const d = editDistance(k.toLowerCase(), c.toLowerCase());
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    throw new RangeError(`unknown option ${name}.${k} (did you mean ${best}?)`);
  }
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

interface Resolved {
  L: number; E: number; G: number; T: number; tokens: number; groupSigma: number; expertSigma: number;
  spread: readonly [number, number]; driftSigma: number; tau: number; noise: boolean; seed: number;
}

function resolve(options: Dsv3LikeOptions | undefined): Resolved {
  const o = options === undefined ? {} : options;
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new TypeError(`options must be an object, got ${show(o)}`);
  assertKnownOptionKeys("options", o, DSV3_KEYS);
  for (const [key, v] of Object.entries(o)) if (v === null) throw new TypeError(`options.${key} must not be null (leave it out for the default)`);
  const d = DSV3_LIKE_DEFAULTS;
  const r: Resolved = {
    L: o.numLayers ?? d.numLayers,
    E: o.numExperts ?? d.numExperts,
    G: o.numGroups ?? d.numGroups,
    T: o.numIterations ?? d.numIterations,
    tokens: o.tokensPerIteration ?? d.tokensPerIteration,
    groupSigma: o.groupSigma ?? d.groupSigma,
    expertSigma: o.expertSigma ?? d.expertSigma,
    spread: o.layerSpread ?? d.layerSpread,
    driftSigma: o.driftSigma ?? d.driftSigma,
    tau: o.driftIterations ?? d.driftIterations,
    noise: o.noise ?? d.noise,
    seed: o.seed ?? d.seed,
  };
  assertPositiveInt("options.numLayers", r.L);
  assertPositiveInt("options.numExperts", r.E);
  assertPositiveInt("options.numGroups", r.G);
  assertPositiveInt("options.numIterations", r.T);
  if (r.L > 1024) throw new RangeError(`options.numLayers must be ≤ 1024, got ${r.L}`);
  if (r.E > 65536) throw new RangeError(`options.numExperts must be ≤ 65536, got ${r.E}`);
  if (r.T > 1e7) throw new RangeError(`options.numIterations must be ≤ 1e7, got ${r.T}`);
  if (r.E % r.G !== 0) throw new RangeError(`options.numGroups (${r.G}) must divide options.numExperts (${r.E})`);
  assertPositive("options.tokensPerIteration", r.tokens);
  if (r.tokens > 1e12) throw new RangeError(`options.tokensPerIteration must be ≤ 1e12, got ${r.tokens}`);
  assertNonNegative("options.groupSigma", r.groupSigma);
  assertNonNegative("options.expertSigma", r.expertSigma);
  assertNonNegative("options.driftSigma", r.driftSigma);
  for (const [k, v] of [["groupSigma", r.groupSigma], ["expertSigma", r.expertSigma], ["driftSigma", r.driftSigma]] as const) {
    if (v > 5) throw new RangeError(`options.${k} must be ≤ 5 (a log-normal spread that large overflows), got ${v}`);
  }
  assertFinite("options.driftIterations", r.tau);
  if (!(r.tau > 1)) throw new RangeError(`options.driftIterations must be > 1, got ${show(r.tau)}`);
  if (!Array.isArray(r.spread) || r.spread.length !== 2) throw new TypeError(`options.layerSpread must be [first, last], got ${show(r.spread)}`);
  assertNonNegative("options.layerSpread[0]", r.spread[0]);
  assertNonNegative("options.layerSpread[1]", r.spread[1]);
  if (r.spread[0] > 3 || r.spread[1] > 3) throw new RangeError(`options.layerSpread entries must be ≤ 3, got ${show(r.spread)}`);
  if (typeof r.noise !== "boolean") throw new TypeError(`options.noise must be a boolean, got ${show(r.noise)}`);
  assertNonNegativeInt("options.seed", r.seed);
  if (r.seed > 0xffffffff) throw new RangeError(`options.seed must be < 2^32, got ${r.seed}`);
  return r;
}

/** Seeded static parts: per-layer base log popularity (group + expert factors, scaled) and drift scale. */
function baseState(r: Resolved): { mu: Float64Array; scale: Float64Array; rngSeed: number } {
  const rng = createRng(r.seed);
  const perGroup = r.E / r.G;
  const mu = new Float64Array(r.L * r.E);
  const scale = new Float64Array(r.L);
  for (let l = 0; l < r.L; l++) {
    const layerRng = rng.fork();
    const frac = r.L === 1 ? 0.5 : l / (r.L - 1);
    const s = (r.spread[0] + (r.spread[1] - r.spread[0]) * frac) * Math.exp(0.1 * layerRng.normal());
    scale[l] = s;
    const g = new Float64Array(r.G);
    for (let k = 0; k < r.G; k++) g[k] = layerRng.normal();
    for (let e = 0; e < r.E; e++) mu[l * r.E + e] = s * (r.groupSigma * g[(e / perGroup) | 0] + r.expertSigma * layerRng.normal());
  }
  return { mu, scale, rngSeed: rng.int(0, 0x7fffffff) };
}

function expInto(logp: Float64Array, off: number, E: number, out: Float64Array): void {
  let max = -Infinity;
  for (let e = 0; e < E; e++) if (logp[off + e] > max) max = logp[off + e];
  let sum = 0;
  for (let e = 0; e < E; e++) {
    const v = Math.exp(logp[off + e] - max);
    out[e] = v;
    sum += v;
  }
  for (let e = 0; e < E; e++) out[e] /= sum;
}

/**
 * The `dsv3-like` popularity without drift: the probability that a routing pick in layer l goes to expert e.
 * @param options see {@link Dsv3LikeOptions} (numIterations, tokensPerIteration, drift and noise options are accepted and unused)
 * @returns `[layers][experts]` probabilities, each row summing to 1
 * @throws {TypeError|RangeError} naming the bad option (unknown keys name the nearest valid key)
 * @example
 * const p = dsv3LikePopularity({ numLayers: 2, numExperts: 16, numGroups: 4, seed: 1 });
 * p[0].reduce((a, b) => a + b, 0); // 1 (up to rounding)
 */
export function dsv3LikePopularity(options: Dsv3LikeOptions = {}): number[][] {
  const r = resolve(options);
  const { mu } = baseState(r);
  const row = new Float64Array(r.E);
  const out: number[][] = [];
  for (let l = 0; l < r.L; l++) {
    expInto(mu, l * r.E, r.E, row);
    out.push(Array.from(row));
  }
  return out;
}

/**
 * A seeded `dsv3-like` drifting workload: call `next()` once per iteration for `[layers][experts]` token counts.
 * Same options → same loads. Memory is O(layers × experts); nothing is precomputed per iteration.
 * @param options see {@link Dsv3LikeOptions}
 * @returns a {@link DriftingWorkload} (as createDriftingWorkload returns), so simulateOnlineEplb can take it via `loads` or the lab can sum windows of it
 * @throws {TypeError|RangeError} naming the bad option (unknown keys name the nearest valid key)
 * @example
 * const wl = dsv3LikeWorkload({ numLayers: 4, numIterations: 10, seed: 3 });
 * wl.next()[0].length; // 256 experts; each row sums to about 32768 tokens
 */
export function dsv3LikeWorkload(options: Dsv3LikeOptions = {}): DriftingWorkload {
  const r = resolve(options);
  const { mu, scale, rngSeed } = baseState(r);
  const rng = createRng(rngSeed);
  const driftRng = rng.fork();
  const noiseRng = rng.fork();
  const { L, E, T } = r;
  const a = 1 - 1 / r.tau;
  const stepScale = Math.sqrt(1 - a * a);
  // Drift starts from its stationary distribution.
  const y = new Float64Array(L * E);
  for (let l = 0; l < L; l++) for (let e = 0; e < E; e++) y[l * E + e] = scale[l] * r.driftSigma * driftRng.normal();
  const logp = new Float64Array(L * E);
  const p = new Float64Array(E);
  let iteration = 0;
  return {
    numLayers: L,
    numExperts: E,
    numIterations: T,
    get iteration() {
      return iteration;
    },
    next(): number[][] {
      if (iteration >= T) throw new RangeError(`the workload has only ${T} iterations (options.numIterations)`);
      if (iteration > 0 && r.driftSigma > 0) {
        for (let l = 0; l < L; l++) {
          const sd = scale[l] * r.driftSigma * stepScale;
          for (let e = 0; e < E; e++) y[l * E + e] = a * y[l * E + e] + sd * driftRng.normal();
        }
      }
      for (let i = 0; i < L * E; i++) logp[i] = mu[i] + y[i];
      const out: number[][] = [];
      for (let l = 0; l < L; l++) {
        expInto(logp, l * E, E, p);
        const row = new Array<number>(E);
        for (let e = 0; e < E; e++) {
          const mean = r.tokens * p[e];
          const x = r.noise ? mean + Math.sqrt(mean) * noiseRng.normal() : mean;
          row[e] = Math.max(0, Math.round(x));
        }
        out.push(row);
      }
      iteration++;
      return out;
    },
  };
}

/** Statistics of one layer's expert load (see {@link expertLoadStats}). */
export interface ExpertLoadStats {
  /** Hottest expert's load ÷ mean expert load. */
  hottestOverMean: number;
  /** Share of the tokens on the 20% most loaded experts (ceil(0.2 · experts) of them), in [0, 1]. */
  top20Share: number;
  /** −(least-squares slope of ln(load) against ln(rank)) over all ranks with load > 0 (0 when fewer than 2). */
  rankSlope: number;
  /** Max ÷ mean GPU load with contiguous placement (expert e on GPU floor(e·epSize/experts)), keyed by EP size. */
  contiguousMaxOverMean: Record<number, number>;
}

/** Options of {@link expertLoadStats}. */
export interface ExpertLoadStatsOptions {
  /** EP sizes for the contiguous-placement statistic; each must divide the expert count; default [8, 32]. */
  epSizes?: readonly number[];
}

/**
 * Skew statistics of an expert load, the ones published for DeepSeek-V3 ({@link DSV3_LOAD_STATISTICS}).
 * @param load `[experts]` tokens per expert, or `[layers][experts]` (then each statistic is per layer and `mean` averages them)
 * @param options see {@link ExpertLoadStatsOptions}
 * @returns for a vector: the layer's {@link ExpertLoadStats}; for a matrix: `{ perLayer, mean }`
 * @throws {TypeError|RangeError} for a bad load (empty, negative, NaN, ragged, all zero in a layer) or an EP size that does not divide the expert count
 * @example
 * const s = expertLoadStats([8, 4, 2, 2, 1, 1, 1, 1], { epSizes: [2] });
 * s.hottestOverMean; // 3.2 (8 ÷ 2.5); s.contiguousMaxOverMean[2] === 1.6 (16 of 20 tokens on GPU 0, mean 10)
 */
export function expertLoadStats(load: ArrayLike<number>, options?: ExpertLoadStatsOptions): ExpertLoadStats;
export function expertLoadStats(load: ArrayLike<ArrayLike<number>>, options?: ExpertLoadStatsOptions): { perLayer: ExpertLoadStats[]; mean: ExpertLoadStats };
export function expertLoadStats(load: unknown, options: ExpertLoadStatsOptions = {}): ExpertLoadStats | { perLayer: ExpertLoadStats[]; mean: ExpertLoadStats } {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownOptionKeys("options", options, ["epSizes"]);
  const epSizes = options.epSizes ?? [8, 32];
  if (!Array.isArray(epSizes) || epSizes.length === 0) throw new TypeError(`options.epSizes must be a non-empty array, got ${show(epSizes)}`);
  if (!isMatrix(load)) {
    const E = checkLoadVector("load", load);
    epSizes.forEach((p, i) => checkEp(`options.epSizes[${i}]`, p, E));
    return layerStats("load", load as ArrayLike<number>, epSizes);
  }
  const [L, E] = checkLoadMatrix("load", load);
  epSizes.forEach((p, i) => checkEp(`options.epSizes[${i}]`, p, E));
  const rows = load as ArrayLike<ArrayLike<number>>;
  const perLayer: ExpertLoadStats[] = [];
  for (let l = 0; l < L; l++) perLayer.push(layerStats(`load[${l}]`, rows[l], epSizes));
  const avg = (f: (s: ExpertLoadStats) => number) => perLayer.reduce((a, s) => a + f(s), 0) / L;
  const contiguous: Record<number, number> = {};
  for (const p of epSizes) contiguous[p] = avg((s) => s.contiguousMaxOverMean[p]);
  return {
    perLayer,
    mean: { hottestOverMean: avg((s) => s.hottestOverMean), top20Share: avg((s) => s.top20Share), rankSlope: avg((s) => s.rankSlope), contiguousMaxOverMean: contiguous },
  };
}

function checkEp(name: string, p: unknown, E: number): void {
  assertPositiveInt(name, p);
  if (E % (p as number) !== 0) throw new RangeError(`${name} (${p}) must divide the expert count (${E})`);
}

function layerStats(name: string, row: ArrayLike<number>, epSizes: readonly number[]): ExpertLoadStats {
  const E = row.length;
  const sorted = Array.from(row).sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError(`${name} must have some load > 0 (all ${E} entries are 0)`);
  const mean = total / E;
  const nTop = Math.ceil(0.2 * E);
  let top = 0;
  for (let i = 0; i < nTop; i++) top += sorted[i];
  // Rank slope: least-squares fit of the whole rank-frequency plot in log-log axes.
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < E; i++) {
    if (!(sorted[i] > 0)) break;
    const x = Math.log(i + 1);
    const yv = Math.log(sorted[i]);
    n++; sx += x; sy += yv; sxx += x * x; sxy += x * yv;
  }
  const den = n * sxx - sx * sx;
  const slope = n >= 2 && den > 0 ? -(n * sxy - sx * sy) / den : 0;
  const contiguous: Record<number, number> = {};
  for (const p of epSizes) {
    const c = contiguousPlacement(E, p);
    let max = 0;
    for (const experts of c.expertsOnGpu) {
      let s = 0;
      for (const e of experts) s += row[e];
      if (s > max) max = s;
    }
    contiguous[p] = max / (total / p);
  }
  return { hottestOverMean: sorted[0] / mean, top20Share: top / total, rankSlope: slope, contiguousMaxOverMean: contiguous };
}

/** Names of the workload presets {@link createPresetWorkload} knows. */
export const WORKLOAD_PRESETS = Object.freeze(["dsv3-like", "zipf"] as const);
/** A workload preset name. */
export type WorkloadPreset = (typeof WORKLOAD_PRESETS)[number];

/**
 * A drifting `[layers][experts]` workload by preset name: `"dsv3-like"` ({@link dsv3LikeWorkload}, DeepSeek-V3-shaped
 * statistics) or `"zipf"` (the older synthetic Zipf(s = 1) workload of createDriftingWorkload, with its defaults).
 * @param preset one of {@link WORKLOAD_PRESETS}
 * @param options for "dsv3-like": {@link Dsv3LikeOptions}; for "zipf": numLayers, numExperts, numIterations, tokensPerIteration, seed (defaults 58, 256, 1000, 32768, 0)
 * @returns a {@link DriftingWorkload}
 * @throws {RangeError} for an unknown preset (listing the known ones) or bad options
 * @example createPresetWorkload("dsv3-like", { numLayers: 2, numIterations: 5 }).next().length; // 2
 */
export function createPresetWorkload(preset: WorkloadPreset, options: Dsv3LikeOptions = {}): DriftingWorkload {
  if (!(WORKLOAD_PRESETS as readonly string[]).includes(preset as string)) {
    throw new RangeError(`preset must be one of ${WORKLOAD_PRESETS.map((x) => JSON.stringify(x)).join(", ")}, got ${show(preset)}`);
  }
  if (preset === "dsv3-like") return dsv3LikeWorkload(options);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownOptionKeys("options", options, ["numLayers", "numExperts", "numIterations", "tokensPerIteration", "seed"]);
  return createDriftingWorkload({
    numLayers: options.numLayers ?? DSV3_LIKE_DEFAULTS.numLayers,
    numExperts: options.numExperts ?? DSV3_LIKE_DEFAULTS.numExperts,
    numIterations: options.numIterations ?? DSV3_LIKE_DEFAULTS.numIterations,
    tokensPerIteration: options.tokensPerIteration ?? DSV3_LIKE_DEFAULTS.tokensPerIteration,
    seed: options.seed ?? 0,
  });
}
