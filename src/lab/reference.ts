/**
 * Reference answers the Lab 3.1 checks compare with. This module is deliberately NOT re-exported from src/lab's
 * index, so `lab.*` in the notebook does not offer the library's top-k to a learner writing their own.
 */
import { topK } from "../routing";
import { assertFinite, assertNonEmptyArray, show } from "../util";

/**
 * The library's answer for a case: `routing.topK` on the same scores as float32.
 * @param scores router scores `[tokens][experts]`, a non-empty rectangular matrix of finite numbers
 * @param k experts per token (integer, 1 ≤ k ≤ experts)
 * @returns expert indices `[tokens][k]`, highest score first, lower index first on ties
 * @throws {TypeError|RangeError} naming `scores[t]`, `scores[t][e]` or `k`: empty or ragged matrix, non-finite
 *   score, k not a positive integer or larger than the expert count
 * @example libraryTopK([[0.1, 0.7, 0.2]], 2); // [[1, 2]]
 */
export function libraryTopK(scores: readonly (readonly number[])[], k: number): number[][] {
  assertNonEmptyArray("scores", scores);
  const n = scores.length;
  for (let t = 0; t < n; t++) {
    const row = scores[t];
    if (!Array.isArray(row)) throw new TypeError(`scores[${t}] must be an array of expert scores, got ${show(row)}`);
    if (row.length === 0) throw new RangeError(`scores[${t}] must not be empty`);
    if (row.length !== scores[0].length) {
      throw new RangeError(`scores must be rectangular: scores[0] has ${scores[0].length} entries but scores[${t}] has ${row.length}`);
    }
    for (let j = 0; j < row.length; j++) assertFinite(`scores[${t}][${j}]`, row[j]);
  }
  const e = scores[0].length;
  const flat = new Float32Array(n * e);
  scores.forEach((row, t) => row.forEach((v, j) => (flat[t * e + j] = v)));
  const r = topK(flat, n, e, k);
  return Array.from({ length: n }, (_, t) => Array.from(r.indices.slice(t * k, (t + 1) * k)));
}

