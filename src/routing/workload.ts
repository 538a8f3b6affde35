/**
 * Synthetic, seeded routing workloads: expert popularity (uniform, Zipf, hot experts, drifting),
 * sampling k distinct experts per token, gate logits that reproduce a popularity, and
 * `[layers][experts]` load matrices for EPLB inputs.
 *
 * All randomness comes from `createRng` (pure-rand xoroshiro128+), so a seed reproduces a workload
 * on every machine.
 */
import { createRng, type Rng } from "../util/rng";
import {
  assertFinite, assertInRange, assertKnownKeys, assertLoadVector, assertNonNegative, assertNonNegativeInt, assertOneOf, assertPositiveInt, show,
} from "../util/validate";
import { assertTopK } from "./checks";
import type { RoutingResult } from "./route";

/** Shapes of expert popularity. */
export type PopularityKind = "uniform" | "zipf" | "hot";

/** The allowed {@link PopularityKind}s. */
export const POPULARITY_KINDS: readonly PopularityKind[] = Object.freeze(["uniform", "zipf", "hot"] as PopularityKind[]);

/** The keys {@link PopularityOptions} has (any other is refused, naming the nearest). */
const POPULARITY_OPTION_KEYS = ["kind", "zipfS", "numHot", "hotShare", "seed"] as const;

/** Options of {@link expertPopularity}. */
export interface PopularityOptions {
  /** `"uniform"`: all equal; `"zipf"`: the expert of rank r (0-based) gets ∝ 1/(r+1)^zipfS; `"hot"`: numHot experts share hotShare of the traffic, the rest share the remainder equally. */
  kind: PopularityKind;
  /** Zipf exponent s ≥ 0 (dimensionless); default 1. Only for `"zipf"`. */
  zipfS?: number;
  /** Hot experts, 1 ≤ numHot < numExperts; default 4. Only for `"hot"`. */
  numHot?: number;
  /** Fraction of the traffic on the hot experts, 0 < hotShare < 1; default 0.5. Only for `"hot"`. */
  hotShare?: number;
  /** When given, which expert gets which rank is a seeded random permutation; default: expert i has rank i (hot experts first). */
  seed?: number;
}

/**
 * Popularity of each expert (probability that a routing pick goes to it, before the "k distinct" rule).
 *
 * @param numExperts experts, ≥ 1
 * @param options see {@link PopularityOptions}
 * @returns a Float64Array `[experts]` of probabilities > 0 summing to 1
 * @throws {TypeError|RangeError} naming the bad option (unknown kind, zipfS < 0, numHot ≥ numExperts, hotShare ∉ (0,1), bad seed,
 *   an unknown key, or a shape option of another kind such as zipfS with kind "hot")
 * @example
 * expertPopularity(4, { kind: "zipf", zipfS: 1 }); // ∝ [1, 1/2, 1/3, 1/4] = [0.48, 0.24, 0.16, 0.12]
 * expertPopularity(4, { kind: "hot", numHot: 1, hotShare: 0.7 }); // [0.7, 0.1, 0.1, 0.1]
 */
export function expertPopularity(numExperts: number, options: PopularityOptions): Float64Array {
  assertPositiveInt("numExperts", numExperts);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownKeys("options", options, POPULARITY_OPTION_KEYS);
  assertOneOf("kind", options.kind, POPULARITY_KINDS);
  // A shape option of another kind would be ignored silently: refuse it.
  if (options.zipfS !== undefined && options.kind !== "zipf") throw new RangeError(`zipfS applies to kind "zipf" only, got kind ${JSON.stringify(options.kind)} with zipfS ${show(options.zipfS)}`);
  for (const k of ["numHot", "hotShare"] as const) {
    if (options[k] !== undefined && options.kind !== "hot") throw new RangeError(`${k} applies to kind "hot" only, got kind ${JSON.stringify(options.kind)} with ${k} ${show(options[k])}`);
  }
  const byRank = new Float64Array(numExperts);
  if (options.kind === "uniform") {
    byRank.fill(1);
  } else if (options.kind === "zipf") {
    const s = options.zipfS ?? 1;
    assertNonNegative("zipfS", s);
    for (let r = 0; r < numExperts; r++) byRank[r] = Math.pow(r + 1, -s);
  } else {
    const numHot = options.numHot ?? 4;
    assertPositiveInt("numHot", numHot);
    if (numHot >= numExperts) throw new RangeError(`numHot (${numHot}) must be < numExperts (${numExperts})`);
    const hotShare = options.hotShare ?? 0.5;
    assertFinite("hotShare", hotShare);
    if (!(hotShare > 0 && hotShare < 1)) throw new RangeError(`hotShare must be in (0, 1), got ${show(hotShare)}`);
    for (let r = 0; r < numExperts; r++) byRank[r] = r < numHot ? hotShare / numHot : (1 - hotShare) / (numExperts - numHot);
  }
  normalizeInPlace(byRank);
  if (options.seed === undefined) return byRank;
  const perm = permutation(numExperts, createRng(options.seed));
  const out = new Float64Array(numExperts);
  for (let r = 0; r < numExperts; r++) out[perm[r]] = byRank[r];
  return out;
}

/** Options of {@link driftingPopularity}. */
export interface DriftOptions {
  /** Iterations (time steps) to generate, ≥ 1. */
  numIterations: number;
  /** Popularity at iteration 0 and the level the drift reverts to; default `{ kind: "zipf", zipfS: 1, seed }`. */
  base?: PopularityOptions;
  /** Standard deviation of the per-iteration random step of each expert's log-popularity (dimensionless); default 0.05. */
  driftSigma?: number;
  /** Mean reversion per iteration towards the base log-popularity, in [0, 1]; default 0.01 (0 = pure random walk). */
  reversion?: number;
  /** Every `shiftEvery` iterations the base is re-permuted (an abrupt workload change); default 0 = never. */
  shiftEvery?: number;
  /** Seed of the drift; default 0. */
  seed?: number;
}

/**
 * Expert popularity that drifts over iterations, for online load-balancing experiments.
 *
 * Model: each expert's log-popularity follows a discretised Ornstein–Uhlenbeck process,
 * `x[t+1] = x[t] + reversion·(μ − x[t]) + driftSigma·N(0,1)`, with μ the base log-popularity;
 * with `shiftEvery` > 0, μ is re-permuted among the experts every `shiftEvery` iterations (so the hot
 * experts change abruptly). Each iteration is renormalised to sum to 1.
 *
 * @param numExperts experts, ≥ 1
 * @param options see {@link DriftOptions}
 * @returns `numIterations` Float64Arrays `[experts]`, each summing to 1 (`[iterations][experts]`)
 * @throws {TypeError|RangeError} naming the bad option
 * @example
 * const p = driftingPopularity(8, { numIterations: 100, seed: 1 });
 * p.length; // 100; p[0] is the base Zipf(1) popularity, later rows wander
 */
export function driftingPopularity(numExperts: number, options: DriftOptions): Float64Array[] {
  assertPositiveInt("numExperts", numExperts);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownKeys("options", options, ["numIterations", "base", "driftSigma", "reversion", "shiftEvery", "seed"]);
  assertPositiveInt("numIterations", options.numIterations);
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  if (options.base !== undefined && (options.base === null || typeof options.base !== "object")) {
    throw new TypeError(`base must be a PopularityOptions object, got ${show(options.base)}`);
  }
  const base = expertPopularity(numExperts, options.base ?? { kind: "zipf", zipfS: 1, seed });
  const sigma = options.driftSigma ?? 0.05;
  assertNonNegative("driftSigma", sigma);
  const reversion = options.reversion ?? 0.01;
  assertInRange("reversion", reversion, 0, 1);
  const shiftEvery = options.shiftEvery ?? 0;
  assertNonNegativeInt("shiftEvery", shiftEvery);
  let mu = Float64Array.from(base, Math.log);
  const x = Float64Array.from(mu);
  const out: Float64Array[] = [];
  for (let it = 0; it < options.numIterations; it++) {
    if (it > 0) {
      if (shiftEvery > 0 && it % shiftEvery === 0) {
        const perm = permutation(numExperts, rng);
        const next = new Float64Array(numExperts);
        for (let e = 0; e < numExperts; e++) next[perm[e]] = mu[e];
        // the current state follows the experts' new roles so the change is abrupt
        const xNext = new Float64Array(numExperts);
        for (let e = 0; e < numExperts; e++) xNext[perm[e]] = x[e];
        mu = next;
        x.set(xNext);
      }
      for (let e = 0; e < numExperts; e++) x[e] += reversion * (mu[e] - x[e]) + sigma * rng.normal();
    }
    let max = -Infinity;
    for (let e = 0; e < numExperts; e++) if (x[e] > max) max = x[e];
    const p = new Float64Array(numExperts);
    for (let e = 0; e < numExperts; e++) p[e] = Math.exp(x[e] - max);
    normalizeInPlace(p);
    out.push(p);
  }
  return out;
}

/** Options of {@link sampleRouting}. */
export interface SampleOptions {
  /** Tokens to route, ≥ 1. */
  numTokens: number;
  /** Distinct experts per token, 1 ≤ topK ≤ experts with popularity > 0. */
  topK: number;
  /** Seed; default 0. Ignored when `rng` is given. */
  seed?: number;
  /** A generator to draw from (advanced by the call) instead of a fresh `createRng(seed)`. */
  rng?: Rng;
}

/**
 * Sample a routing decision: each token picks `topK` *distinct* experts by successive sampling
 * without replacement from `popularity` (draw ∝ popularity, redraw duplicates: the Plackett–Luce
 * model, which is also what top-k of `log p + Gumbel noise` gives).
 *
 * Note: because picks are distinct, an expert's share of the picks is flatter than its popularity
 * when popularity is very skewed (a token can use a hot expert at most once).
 *
 * @param popularity `[experts]` non-negative weights (normalised internally; need not sum to 1); not mutated
 * @param options see {@link SampleOptions}
 * @returns a {@link RoutingResult}: `indices` `[tokens][topK]` in draw order, `weights` all 1/topK, no shared experts
 * @throws {TypeError|RangeError} for a bad popularity (empty, negative, NaN, all zero), topK larger
 *   than the experts with popularity > 0, or bad numTokens / seed / rng
 * @example
 * const r = sampleRouting(expertPopularity(16, { kind: "zipf", zipfS: 1.1 }), { numTokens: 4, topK: 2, seed: 7 });
 * r.indices.length; // 8
 */
export function sampleRouting(popularity: ArrayLike<number>, options: SampleOptions): RoutingResult {
  assertLoadVector("popularity", popularity);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownKeys("options", options, ["numTokens", "topK", "seed", "rng"]);
  const E = popularity.length;
  const { numTokens, topK: k } = options;
  assertPositiveInt("numTokens", numTokens);
  let positive = 0;
  for (let e = 0; e < E; e++) if (popularity[e] > 0) positive++;
  if (positive === 0) throw new RangeError("popularity must have at least one entry > 0");
  assertTopK("topK", k, positive, "the number of experts with popularity > 0");
  const rng = options.rng !== undefined ? options.rng : createRng(options.seed ?? 0);
  if (rng === null || typeof rng !== "object" || typeof rng.next !== "function") {
    throw new TypeError(`rng must be a generator from createRng, got ${show(options.rng)}`);
  }
  const cdf = new Float64Array(E);
  let acc = 0;
  for (let e = 0; e < E; e++) {
    acc += popularity[e];
    cdf[e] = acc;
  }
  const total = acc;
  const indices = new Int32Array(numTokens * k);
  const used = new Uint8Array(E);
  for (let t = 0; t < numTokens; t++) {
    const o = t * k;
    let usedMass = 0;
    for (let x = 0; x < k; x++) {
      let e = -1;
      for (let attempt = 0; attempt < 32; attempt++) {
        const c = searchCdf(cdf, rng.next() * total);
        if (!used[c]) {
          e = c;
          break;
        }
      }
      if (e < 0) e = drawExcluding(popularity, used, total - usedMass, rng);
      used[e] = 1;
      usedMass += popularity[e];
      indices[o + x] = e;
    }
    for (let x = 0; x < k; x++) used[indices[o + x]] = 0;
  }
  const weights = new Float32Array(numTokens * k).fill(1 / k);
  return { numTokens, numExperts: E, topK: k, indices, weights, numSharedExperts: 0 };
}

/** Options of {@link syntheticLogits}. */
export interface LogitOptions {
  /** Tokens (rows), ≥ 1. */
  numTokens: number;
  /** Seed; default 0. */
  seed?: number;
  /** Multiplier of the Gumbel noise (dimensionless, > 0); default 1, at which top-k of the logits samples exactly as {@link sampleRouting}. Smaller = more deterministic. */
  noiseScale?: number;
}

/**
 * Gate logits `[tokens][experts]` whose top-k reproduces a popularity: `logit = log p + noiseScale · Gumbel(0,1)`.
 * With noiseScale = 1, top-k of each row is a Plackett–Luce sample of k distinct experts (the
 * Gumbel-top-k trick, Kool et al., ICML 2019). Feed them to `route` to exercise the full gate
 * (softmax/sigmoid, group limit, bias) on a workload with known popularity.
 *
 * @param popularity `[experts]` weights, every entry > 0 (log of 0 is not finite); not mutated
 * @param options see {@link LogitOptions}
 * @returns a Float32Array `[tokens][experts]` of finite logits
 * @throws {TypeError|RangeError} for a zero / negative / NaN popularity entry or bad options
 * @example
 * const logits = syntheticLogits(expertPopularity(8, { kind: "uniform" }), { numTokens: 2, seed: 3 });
 * logits.length; // 16
 */
export function syntheticLogits(popularity: ArrayLike<number>, options: LogitOptions): Float32Array {
  assertLoadVector("popularity", popularity);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownKeys("options", options, ["numTokens", "seed", "noiseScale"]);
  const E = popularity.length;
  for (let e = 0; e < E; e++) {
    if (!(popularity[e] > 0)) throw new RangeError(`popularity[${e}] must be > 0 for logits (log 0 is −∞), got ${show(popularity[e])}`);
  }
  assertPositiveInt("numTokens", options.numTokens);
  const scale = options.noiseScale ?? 1;
  assertFinite("noiseScale", scale);
  if (!(scale > 0)) throw new RangeError(`noiseScale must be > 0, got ${show(scale)}`);
  const rng = createRng(options.seed ?? 0);
  const logP = Float64Array.from({ length: E }, (_, e) => Math.log(popularity[e]));
  const out = new Float32Array(options.numTokens * E);
  for (let i = 0; i < out.length; i++) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    out[i] = logP[i % E] + scale * -Math.log(-Math.log(u));
  }
  return out;
}

/** Options of {@link loadMatrix}. */
export interface LoadMatrixOptions {
  /** MoE layers (rows); default 58 (DeepSeek-V3: 61 layers, the first 3 dense). */
  numLayers?: number;
  /** Routed experts per layer (columns); default 256 (DeepSeek-V3). */
  numExperts?: number;
  /** Tokens routed per layer; default 4096. */
  numTokens?: number;
  /** Distinct experts per token; default 8 (DeepSeek-V3). */
  topK?: number;
  /** Popularity shape for every layer; default `{ kind: "zipf", zipfS: 1 }`. Its `seed` is ignored: each layer gets its own random expert ranking. */
  popularity?: PopularityOptions;
  /** Seed; default 0. */
  seed?: number;
}

/**
 * A `[layers][experts]` matrix of tokens per expert, by sampling routing in every layer (each layer
 * with its own random ranking of the experts), the input `weight` of EPLB's `rebalanceExperts`.
 * Defaults are DeepSeek-V3's scale (`inference/configs/config_671B.json`: 61 layers of which
 * `n_dense_layers` = 3 dense, 256 routed experts, 8 activated).
 *
 * @param options see {@link LoadMatrixOptions}
 * @returns `number[][]` `[layers][experts]`; every row sums to numTokens × topK
 * @throws {TypeError|RangeError} naming the bad option
 * @example
 * const w = loadMatrix({ numLayers: 2, numExperts: 12, numTokens: 100, topK: 2, seed: 1 });
 * w.length; // 2; w[0].reduce((a, b) => a + b) === 200
 */
export function loadMatrix(options: LoadMatrixOptions = {}): number[][] {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownKeys("options", options, ["numLayers", "numExperts", "numTokens", "topK", "popularity", "seed"]);
  const numLayers = options.numLayers ?? 58;
  const numExperts = options.numExperts ?? 256;
  const numTokens = options.numTokens ?? 4096;
  const topK = options.topK ?? 8;
  assertPositiveInt("numLayers", numLayers);
  assertPositiveInt("numExperts", numExperts);
  assertPositiveInt("numTokens", numTokens);
  assertTopK("topK", topK, numExperts, "numExperts");
  if (options.popularity !== undefined && (options.popularity === null || typeof options.popularity !== "object")) {
    throw new TypeError(`popularity must be a PopularityOptions object, got ${show(options.popularity)}`);
  }
  const shape = options.popularity ?? { kind: "zipf", zipfS: 1 };
  const rng = createRng(options.seed ?? 0);
  const rows: number[][] = [];
  for (let l = 0; l < numLayers; l++) {
    const layerRng = rng.fork();
    const pop = expertPopularity(numExperts, { ...shape, seed: layerRng.int(0, 0x7fffffff) });
    const r = sampleRouting(pop, { numTokens, topK, rng: layerRng });
    const load = new Array<number>(numExperts).fill(0);
    for (let i = 0; i < r.indices.length; i++) load[r.indices[i]]++;
    rows.push(load);
  }
  return rows;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return p;
}

function normalizeInPlace(p: Float64Array): void {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i];
  for (let i = 0; i < p.length; i++) p[i] /= s;
}

/** First index whose cumulative weight exceeds `u` (so zero-weight entries are never returned). */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Draw ∝ weight among entries not yet used (linear scan; the fallback when rejections pile up). */
function drawExcluding(w: ArrayLike<number>, used: Uint8Array, remaining: number, rng: Rng): number {
  let u = rng.next() * remaining;
  let last = -1;
  for (let e = 0; e < w.length; e++) {
    if (used[e] || !(w[e] > 0)) continue;
    last = e;
    u -= w[e];
    if (u < 0) return e;
  }
  return last; // rounding: fall on the last eligible expert
}
