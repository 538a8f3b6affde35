/**
 * Fast batched top-k over `[tokens][experts]` score rows.
 *
 * Contract: for every row, the `k` largest scores, sorted by score descending; equal scores are
 * ordered by expert index ascending, so on a tie the lower expert index wins (the same answer as a
 * stable descending sort of `0..numExperts-1`). `-Infinity` is allowed (it is how group-limited
 * routing masks experts out) and ranks last; `NaN` is rejected.
 *
 * How it is fast (65,536 × 256, k = 8 in a few tens of ms on one core, see `bench/routing.bench.ts`):
 * a naive one-pass "keep a sorted buffer of k" loop inserts about k·ln(E/k) ≈ 28 times per row,
 * and each insertion is a mispredicted branch. Here each row is first scanned against a *guess*
 * `g` of the threshold (the (k+margin)-th largest score of the previous row): 8 scores at a time
 * are compared with `g` in one predictable branch and only the few blocks holding a score ≥ g are
 * opened, collecting candidates. If at least k candidates reach `g`, the true top-k are all among
 * them (the k-th largest is ≥ g), so only the candidates are sorted; otherwise the row is redone
 * with the plain bounded insertion. Either way the answer is exact; only the speed depends on how
 * alike consecutive rows are. No allocation happens per row.
 */
import { assertPositiveInt } from "../util/validate";
import { assertFloat32Matrix, assertTopK } from "./checks";

/** Result of {@link topK}: `[tokens][k]` row-major. */
export interface TopKResult {
  /** Expert index of each pick, `[tokens][k]`, per token sorted by score descending. */
  indices: Int32Array;
  /** The picked scores, `[tokens][k]`, same order as `indices`. */
  values: Float32Array;
}

/**
 * Top-k experts per token.
 *
 * @param scores `[tokens][experts]` row-major scores (any finite values or −Infinity; not mutated)
 * @param numTokens rows (tokens), ≥ 1
 * @param numExperts columns (experts), ≥ 1
 * @param k experts to pick per token, 1 ≤ k ≤ numExperts
 * @returns `{ indices, values }`, each `[tokens][k]`, per row by score descending, ties → lower index first
 * @throws {TypeError} when `scores` is not a Float32Array; {RangeError} for a wrong length, bad
 *   sizes, k > numExperts, or a NaN score (naming token and expert)
 * @example
 * const s = new Float32Array([0.1, 0.7, 0.2, 0.7]); // 1 token, 4 experts
 * topK(s, 1, 4, 2).indices; // Int32Array [1, 3] (tie at 0.7: expert 1 before expert 3)
 */
export function topK(scores: Float32Array, numTokens: number, numExperts: number, k: number): TopKResult {
  assertPositiveInt("numTokens", numTokens);
  assertPositiveInt("numExperts", numExperts);
  assertTopK("k", k, numExperts, "numExperts");
  assertFloat32Matrix("scores", scores, numTokens, numExperts, "numTokens", "numExperts");
  const indices = new Int32Array(numTokens * k);
  const values = new Float32Array(numTokens * k);
  topKInto(scores, numTokens, numExperts, k, indices, values);
  return { indices, values };
}

/** Extra candidates kept beyond k so the next row's threshold guess rarely fails. */
const GUESS_MARGIN = 8;

/**
 * Kernel behind {@link topK}: writes into caller-provided `[tokens][k]` outputs. No validation
 * (callers validate); throws a RangeError on NaN. Internal to the routing module.
 */
export function topKInto(
  scores: Float32Array,
  numTokens: number,
  numExperts: number,
  k: number,
  outIndices: Int32Array,
  outValues: Float32Array,
): void {
  const E = numExperts;
  const cap = Math.min(E, k + GUESS_MARGIN); // bounded buffer size: k picks + margin for the next guess
  const bufV = new Float64Array(cap);
  const bufI = new Int32Array(cap);
  const candV = new Float64Array(E);
  const candI = new Int32Array(E);
  const E8 = E - (E & 7);
  let g = -Infinity; // threshold guess; −∞ makes the first row take every score as a candidate
  for (let t = 0; t < numTokens; t++) {
    const base = t * E;
    let n = 0;
    let nan = false;
    let j = 0;
    // Scan 8 at a time; `!(v < g)` is also true for NaN, so NaN blocks get opened and caught.
    for (; j < E8; j += 8) {
      const q = base + j;
      if (
        !(scores[q] < g && scores[q + 1] < g && scores[q + 2] < g && scores[q + 3] < g &&
          scores[q + 4] < g && scores[q + 5] < g && scores[q + 6] < g && scores[q + 7] < g)
      ) {
        for (let r = 0; r < 8; r++) {
          const v = scores[q + r];
          if (v >= g) {
            candV[n] = v;
            candI[n] = j + r;
            n++;
          } else if (v !== v) nan = true;
        }
      }
    }
    for (; j < E; j++) {
      const v = scores[base + j];
      if (v >= g) {
        candV[n] = v;
        candI[n] = j;
        n++;
      } else if (v !== v) nan = true;
    }
    if (nan) throw nanError(scores, t, E);
    if (n < k) {
      // Guess too high for this row: take the whole row as candidates (still exact).
      for (let x = 0; x < E; x++) {
        candV[x] = scores[base + x];
        candI[x] = x;
      }
      n = E;
    }
    // Bounded insertion, candidates in index order; strict `<` keeps lower indices first on ties.
    let c = 0;
    for (let x = 0; x < n; x++) {
      const v = candV[x];
      let p: number;
      if (c < cap) p = c++;
      else if (v > bufV[cap - 1]) p = cap - 1;
      else continue;
      while (p > 0 && bufV[p - 1] < v) {
        bufV[p] = bufV[p - 1];
        bufI[p] = bufI[p - 1];
        p--;
      }
      bufV[p] = v;
      bufI[p] = candI[x];
    }
    if (c === cap) g = bufV[cap - 1];
    const o = t * k;
    for (let x = 0; x < k; x++) {
      outValues[o + x] = bufV[x];
      outIndices[o + x] = bufI[x];
    }
  }
}

function nanError(scores: Float32Array, t: number, E: number): RangeError {
  for (let j = 0; j < E; j++) {
    if (Number.isNaN(scores[t * E + j])) return new RangeError(`scores must not contain NaN: token ${t}, expert ${j} is NaN`);
  }
  return new RangeError(`scores must not contain NaN (token ${t})`);
}
