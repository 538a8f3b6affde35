/**
 * Seeded, reproducible pseudo-random numbers for workloads, weights and exercises.
 *
 * Built on pure-rand's xoroshiro128+ generator (a maintained PRNG library), so a seed gives the
 * same stream on every machine and Node version. `Math.random` is never used by the library.
 */
import { xoroshiro128plus, unsafeUniformIntDistribution } from "pure-rand";
import type { RandomGenerator } from "pure-rand";
import { assertFinite, assertNonNegativeInt, assertPositive } from "./validate";

export interface Rng {
  /** The seed this stream started from. */
  readonly seed: number;
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal sample (Box–Muller). */
  normal(): number;
  /** Exponential sample with the given rate (events per unit). */
  exponential(rate: number): number;
  /** A new independent stream derived from this one (for per-layer or per-iteration streams). */
  fork(): Rng;
}

/**
 * Create a seeded generator.
 * @param seed any integer in [0, 2^32) (fractions are rejected, not truncated)
 * @throws {RangeError} when seed is not a non-negative integer
 * @example
 * const rng = createRng(42);
 * rng.next(); // same value on every run
 */
export function createRng(seed: number): Rng {
  assertNonNegativeInt("seed", seed);
  if (seed > 0xffffffff) throw new RangeError(`seed must be < 2^32, got ${seed}`);
  return wrap(xoroshiro128plus(seed | 0), seed);
}

function wrap(gen: RandomGenerator, seed: number): Rng {
  let spare: number | null = null;
  const rng: Rng = {
    seed,
    next() {
      // Exactly unsafeUniformIntDistribution(0, 2^26 − 1) and (0, 2^27 − 1), inlined (the hot path of every workload):
      // for a power-of-two range pure-rand never rejects and returns (unsafeNext() + 2^31) mod range.
      const hi = (gen.unsafeNext() + 0x80000000) % 67108864;
      const lo = (gen.unsafeNext() + 0x80000000) % 134217728;
      return (hi * 134217728 + lo) / 9007199254740992;
    },
    int(lo: number, hi: number) {
      assertFinite("lo", lo);
      assertFinite("hi", hi);
      if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new RangeError(`lo and hi must be integers, got ${lo}, ${hi}`);
      if (hi < lo) throw new RangeError(`hi (${hi}) must be ≥ lo (${lo})`);
      return unsafeUniformIntDistribution(lo, hi, gen);
    },
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    exponential(rate: number) {
      assertPositive("rate", rate);
      let u = 0;
      while (u === 0) u = rng.next();
      return -Math.log(u) / rate;
    },
    fork() {
      return createRng(unsafeUniformIntDistribution(0, 0x7fffffff, gen));
    },
  };
  return rng;
}
