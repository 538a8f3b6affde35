/**
 * Expert load: how many tokens each expert receives, and summary balance statistics.
 */
import { assertLoadVector, assertPositiveInt, show } from "../util/validate";
import { assertExpertIds } from "./checks";

/**
 * Count tokens per expert from routing indices.
 *
 * @param indices chosen expert ids, any shape flattened (e.g. `[tokens][topK]` from {@link route}); not mutated
 * @param numExperts experts (ids must be in [0, numExperts))
 * @returns `tokensPerExpert` as an Int32Array `[experts]`; sums to `indices.length` (= tokens × topK)
 * @throws {TypeError} when `indices` is not an Int32Array; {RangeError} for an id out of range or bad numExperts
 * @example
 * countExpertLoad(new Int32Array([0, 2, 2, 1]), 4); // Int32Array [1, 1, 2, 0]
 */
export function countExpertLoad(indices: Int32Array, numExperts: number): Int32Array {
  if (!(indices instanceof Int32Array)) throw new TypeError(`indices must be an Int32Array, got ${show(indices)}`);
  assertPositiveInt("numExperts", numExperts);
  const load = new Int32Array(numExperts);
  for (let i = 0; i < indices.length; i++) {
    const e = indices[i];
    if (e < 0 || e >= numExperts) assertExpertIds("indices", indices, numExperts); // throws with the position
    load[e]++;
  }
  return load;
}

/** Balance statistics of a load vector (tokens per expert, per GPU, …). */
export interface LoadStats {
  /** Number of entries (experts or GPUs). */
  count: number;
  /** Sum of the loads (tokens). */
  total: number;
  /** Mean load (tokens). */
  mean: number;
  /** Smallest load (tokens). */
  min: number;
  /** Largest load (tokens). */
  max: number;
  /** Population standard deviation (tokens). */
  std: number;
  /** std / mean (0 when mean is 0). */
  coefficientOfVariation: number;
  /** max / mean (1 = perfect; 1 when all loads are 0). */
  maxOverMean: number;
  /** mean / max, SGLang's "balancedness" (1 = perfect; 1 when all loads are 0). */
  balancedness: number;
  /** (max − mean) / mean, TensorRT-LLM's "imbalance" (0 = perfect; 0 when all loads are 0). */
  imbalance: number;
}

/**
 * Summary statistics of a load vector.
 *
 * @param load loads ≥ 0 (tokens), non-empty; not mutated
 * @returns {@link LoadStats}
 * @throws {TypeError|RangeError} for an empty vector or a negative / non-finite entry (naming `load[i]`)
 * @example
 * loadStats([2, 2, 4]).balancedness; // mean 8/3 over max 4 = 0.6667
 */
export function loadStats(load: ArrayLike<number>): LoadStats {
  assertLoadVector("load", load);
  const n = load.length;
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = load[i];
    total += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = total / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (load[i] - mean) * (load[i] - mean);
  const std = Math.sqrt(sq / n);
  const zero = max === 0;
  return {
    count: n,
    total,
    mean,
    min,
    max,
    std,
    coefficientOfVariation: mean > 0 ? std / mean : 0,
    maxOverMean: zero ? 1 : max / mean,
    balancedness: zero ? 1 : mean / max,
    imbalance: zero ? 0 : (max - mean) / mean,
  };
}
