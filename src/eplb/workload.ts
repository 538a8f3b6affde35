/**
 * A small seeded workload whose expert popularity drifts over iterations, for the online-EPLB simulation.
 * (The routing team's generators in src/routing cover routing-level workloads; this one only produces
 * per-layer expert loads and has no dependency on them.)
 *
 * Model, per layer: every expert has a log-popularity. It starts Zipf-shaped — popularity ∝ 1/rank^zipfS
 * over a random permutation of the experts — and then takes a Gaussian random-walk step of standard
 * deviation `driftStd` every iteration. The expected load of an expert is
 * `tokensPerIteration · softmax(logPopularity)`; with `noise` the count gets Poisson-like noise
 * (normal approximation, √mean spread), rounded to whole tokens.
 */
import { createRng, Rng } from "../util/rng";
import { assertNonNegative, assertNonNegativeInt, assertPositiveInt } from "../util/validate";

/** Options for {@link createDriftingWorkload}. */
export interface DriftingWorkloadOptions {
  /** MoE layers. Required. */
  numLayers: number;
  /** Experts per layer. Required. */
  numExperts: number;
  /** Token-to-expert assignments per layer per iteration (tokens × topK); default 8192. */
  tokensPerIteration?: number;
  /** Zipf exponent of the initial popularity (0 = uniform); default 1. */
  zipfS?: number;
  /** Standard deviation of each expert's log-popularity step per iteration; default 0.05. */
  driftStd?: number;
  /** Add Poisson-like sampling noise to each count; default true. */
  noise?: boolean;
  /** PRNG seed (integer in [0, 2^32)); default 0. */
  seed?: number;
}

/** A stateful drifting workload: call `next()` once per iteration. */
export interface DriftingWorkload {
  readonly numLayers: number;
  readonly numExperts: number;
  /** Iterations produced so far. */
  readonly iteration: number;
  /** `[layers][experts]` load (tokens) of the next iteration. */
  next(): number[][];
}

/**
 * Create a seeded drifting-popularity workload (same seed → same loads).
 * @param options see {@link DriftingWorkloadOptions}
 * @returns a generator of `[layers][experts]` loads
 * @throws {TypeError|RangeError} naming the bad option and value
 * @example
 * const wl = createDriftingWorkload({ numLayers: 2, numExperts: 8, seed: 1 });
 * wl.next(); // [[…8 counts…], […8 counts…]], each row summing to about 8192
 */
export function createDriftingWorkload(options: DriftingWorkloadOptions): DriftingWorkload {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${String(options)}`);
  const { numLayers, numExperts } = options;
  const tokens = options.tokensPerIteration ?? 8192;
  const zipfS = options.zipfS ?? 1;
  const driftStd = options.driftStd ?? 0.05;
  const noise = options.noise ?? true;
  const seed = options.seed ?? 0;
  assertPositiveInt("options.numLayers", numLayers);
  assertPositiveInt("options.numExperts", numExperts);
  assertNonNegative("options.tokensPerIteration", tokens);
  assertNonNegative("options.zipfS", zipfS);
  assertNonNegative("options.driftStd", driftStd);
  if (typeof noise !== "boolean") throw new TypeError(`options.noise must be a boolean, got ${String(noise)}`);
  assertNonNegativeInt("options.seed", seed);
  const rng: Rng = createRng(seed);
  const logPop = new Float64Array(numLayers * numExperts);
  const perm = new Int32Array(numExperts);
  for (let l = 0; l < numLayers; l++) {
    for (let e = 0; e < numExperts; e++) perm[e] = e;
    for (let e = numExperts - 1; e > 0; e--) {
      const j = rng.int(0, e);
      const t = perm[e];
      perm[e] = perm[j];
      perm[j] = t;
    }
    for (let r = 0; r < numExperts; r++) logPop[l * numExperts + perm[r]] = -zipfS * Math.log(r + 1);
  }
  let iteration = 0;
  const p = new Float64Array(numExperts);
  return {
    numLayers,
    numExperts,
    get iteration() {
      return iteration;
    },
    next(): number[][] {
      const out: number[][] = [];
      for (let l = 0; l < numLayers; l++) {
        const base = l * numExperts;
        if (iteration > 0 && driftStd > 0) for (let e = 0; e < numExperts; e++) logPop[base + e] += driftStd * rng.normal();
        let max = -Infinity;
        for (let e = 0; e < numExperts; e++) max = Math.max(max, logPop[base + e]);
        let sum = 0;
        for (let e = 0; e < numExperts; e++) sum += p[e] = Math.exp(logPop[base + e] - max);
        const row = new Array<number>(numExperts);
        for (let e = 0; e < numExperts; e++) {
          const mean = (tokens * p[e]) / sum;
          const x = noise ? mean + Math.sqrt(mean) * rng.normal() : mean;
          row[e] = Math.max(0, Math.round(x));
        }
        out.push(row);
      }
      iteration++;
      return out;
    },
  };
}
