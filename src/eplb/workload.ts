/**
 * Per-layer expert loads whose popularity drifts over iterations, for the online-EPLB simulation.
 *
 * Built on the routing library's `driftingPopularity` (src/routing): every layer gets its own seeded expert
 * ranking of the base popularity (default Zipf s = 1) and its own drift (a mean-reverting random walk of the
 * log-popularity, optionally with abrupt re-shuffles every `shiftEvery` iterations). The load of an expert
 * in an iteration is `tokensPerIteration · popularity`; with `noise` it gets Poisson-like sampling noise
 * (normal approximation with √mean spread), rounded to whole tokens (a negative draw counts as 0 tokens).
 * Expected counts instead of sampled routing keep 58 layers × 256 experts × hundreds of iterations cheap.
 */
import { driftingPopularity } from "../routing";
import type { PopularityOptions } from "../routing";
import { createRng } from "../util/rng";
import { assertKnownKeys, assertNonNegative, assertNonNegativeInt, assertPositiveInt } from "../util/validate";

/** Options for {@link createDriftingWorkload}. */
export interface DriftingWorkloadOptions {
  /** MoE layers. Required. */
  numLayers: number;
  /** Experts per layer. Required. */
  numExperts: number;
  /** Iterations the workload can produce (popularity is precomputed); default 1000. */
  numIterations?: number;
  /** Token-to-expert assignments per layer per iteration (tokens × topK); default 8192. */
  tokensPerIteration?: number;
  /** Base popularity shape (routing's PopularityOptions; its seed is replaced per layer); default Zipf s = 1. */
  popularity?: PopularityOptions;
  /** Shorthand for `popularity: { kind: "zipf", zipfS }` (Zipf exponent ≥ 0); not together with `popularity`. */
  zipfS?: number;
  /** Standard deviation of each expert's log-popularity step per iteration (dimensionless); default 0.05. */
  driftSigma?: number;
  /** Alias of `driftSigma` (kept for existing callers); not together with it. */
  driftStd?: number;
  /** Mean reversion per iteration towards the base, in [0, 1]; default 0.01. */
  reversion?: number;
  /** Re-shuffle which experts are hot every this many iterations; default 0 (never). */
  shiftEvery?: number;
  /** Add Poisson-like sampling noise to each count; default true. */
  noise?: boolean;
  /** PRNG seed (integer in [0, 2^32)); default 0. */
  seed?: number;
}

const DRIFTING_WORKLOAD_KEYS = [
  "numLayers", "numExperts", "numIterations", "tokensPerIteration", "popularity", "zipfS", "driftSigma", "driftStd",
  "reversion", "shiftEvery", "noise", "seed",
] as const;

/** A drifting workload: call `next()` once per iteration, at most `numIterations` times. */
export interface DriftingWorkload {
  readonly numLayers: number;
  readonly numExperts: number;
  readonly numIterations: number;
  /** Iterations produced so far. */
  readonly iteration: number;
  /** `[layers][experts]` load (tokens) of the next iteration. @throws {RangeError} after numIterations */
  next(): number[][];
}

/**
 * Create a seeded drifting workload (same options → same loads).
 * @param options see {@link DriftingWorkloadOptions}
 * @returns a generator of `[layers][experts]` loads in tokens
 * @throws {TypeError|RangeError} naming the bad option and value
 * @example
 * const wl = createDriftingWorkload({ numLayers: 2, numExperts: 8, numIterations: 100, seed: 1 });
 * wl.next(); // [[…8 counts…], […8 counts…]], each row summing to about 8192
 */
export function createDriftingWorkload(options: DriftingWorkloadOptions): DriftingWorkload {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${String(options)}`);
  assertKnownKeys("options", options, DRIFTING_WORKLOAD_KEYS);
  const { numLayers, numExperts } = options;
  const numIterations = options.numIterations ?? 1000;
  const tokens = options.tokensPerIteration ?? 8192;
  const noise = options.noise ?? true;
  const seed = options.seed ?? 0;
  assertPositiveInt("options.numLayers", numLayers);
  assertPositiveInt("options.numExperts", numExperts);
  assertPositiveInt("options.numIterations", numIterations);
  // A count of token-to-expert assignments: a positive safe integer (0, 1.5, -0 and 2^53 + 2 are refused).
  assertPositiveInt("options.tokensPerIteration", tokens);
  if (!Number.isSafeInteger(tokens)) throw new RangeError(`options.tokensPerIteration must be a safe integer (< 2^53), got ${tokens}`);
  if (typeof noise !== "boolean") throw new TypeError(`options.noise must be a boolean, got ${String(noise)}`);
  assertNonNegativeInt("options.seed", seed);
  if (options.popularity !== undefined && options.zipfS !== undefined) {
    throw new RangeError("give options.popularity or options.zipfS, not both");
  }
  if (options.driftSigma !== undefined && options.driftStd !== undefined) {
    throw new RangeError("give options.driftSigma or its alias options.driftStd, not both");
  }
  if (options.zipfS !== undefined) assertNonNegative("options.zipfS", options.zipfS);
  const base: PopularityOptions = options.popularity ?? { kind: "zipf", zipfS: options.zipfS ?? 1 };
  if (base === null || typeof base !== "object") throw new TypeError(`options.popularity must be an object, got ${String(base)}`);
  const driftSigma = options.driftSigma ?? options.driftStd;
  // Checked here so an error names the option actually given (driftingPopularity would call both "driftSigma").
  if (driftSigma !== undefined) assertNonNegative(options.driftSigma !== undefined ? "options.driftSigma" : "options.driftStd", driftSigma);
  const rng = createRng(seed);
  // Without drift or shifts the popularity never changes: compute one iteration and reuse it.
  const frozen = driftSigma === 0 && !options.shiftEvery;
  const layers: Float64Array[][] = [];
  for (let l = 0; l < numLayers; l++) {
    const layerSeed = rng.int(0, 0x7fffffff);
    layers.push(
      driftingPopularity(numExperts, {
        numIterations: frozen ? 1 : numIterations,
        base: { ...base, seed: layerSeed },
        driftSigma,
        reversion: options.reversion,
        shiftEvery: options.shiftEvery,
        seed: layerSeed,
      }),
    );
  }
  const noiseRng = rng.fork();
  let iteration = 0;
  return {
    numLayers,
    numExperts,
    numIterations,
    get iteration() {
      return iteration;
    },
    next(): number[][] {
      if (iteration >= numIterations) throw new RangeError(`the workload has only ${numIterations} iterations (options.numIterations)`);
      const out: number[][] = [];
      for (let l = 0; l < numLayers; l++) {
        const p = layers[l][frozen ? 0 : iteration];
        const row = new Array<number>(numExperts);
        for (let e = 0; e < numExperts; e++) {
          const mean = tokens * p[e];
          const x = noise ? mean + Math.sqrt(mean) * noiseRng.normal() : mean;
          row[e] = Math.max(0, Math.round(x));
        }
        out.push(row);
      }
      iteration++;
      return out;
    },
  };
}
