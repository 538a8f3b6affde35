/**
 * Fast batched top-k over `[tokens][experts]` score rows.
 *
 * Contract: for every row, the `k` largest scores, sorted by score descending; equal scores are
 * ordered by expert index ascending, so on a tie the lower expert index wins (the same answer as a
 * stable descending sort of `0..numExperts-1`). `-Infinity` is allowed (it is how group-limited
 * routing masks experts out) and ranks last; `NaN` is rejected.
 *
 * How it is fast (see `bench/routing.bench.ts`): a naive one-pass "keep a sorted buffer of k" loop
 * inserts about k·ln(E/k) ≈ 28 times per row, and each insertion is a mispredicted branch, which is
 * where its time goes. Here each row is first compacted against a *guess* `g` of the threshold (a
 * moving average of the previous rows' k-th largest score minus an adaptive slack) without branches:
 * every expert index is written to a candidate list and the list length advances by `+!(score < g)`
 * (1 for score ≥ g, and for NaN, which is then reported). If at least k candidates reach `g`, the
 * true top-k are all among them (the k-th largest is ≥ g), so only those go through the insertion;
 * otherwise the whole row does (still exact). Only the speed depends on how alike consecutive rows
 * are. No allocation happens per row. The compaction pass alone costs about 1.6× a plain
 * single-pass read of the array, which bounds what this plain-TypeScript kernel can reach.
 *
 * Where the engine has WebAssembly SIMD, the same algorithm runs on the WebAssembly kernel
 * (`wasm.ts`, source `wasm/routing-kernel.as.ts`): blocks of rows are copied into its memory, four
 * scores are compared with the guess at once and the candidates are packed with a byte shuffle, and
 * a short candidate list is ranked without branches (rank = how many candidates are larger, or
 * equal with a lower index). Same results, bit for bit; `setRoutingKernel("typescript")` or
 * `EP_LAB_ROUTING_KERNEL=typescript` runs the TypeScript kernel.
 */
import { assertKnownKeys, assertPositiveInt, show } from "../util/validate";
import { assertFloat32Matrix, assertTopK } from "./checks";
import { routingKernel, wasmTopKInto } from "./wasm";

/** Result of {@link topK}: `[tokens][k]` row-major. */
export interface TopKResult {
  /** Expert index of each pick, `[tokens][k]`, per token sorted by score descending. */
  indices: Int32Array;
  /** The picked scores, `[tokens][k]`, same order as `indices`. */
  values: Float32Array;
}

/** The checks {@link topK} and {@link topKInto} share, in the order their errors are reported. */
function checkTopKArgs(scores: Float32Array, numTokens: number, numExperts: number, k: number): void {
  assertPositiveInt("numTokens", numTokens);
  assertPositiveInt("numExperts", numExperts);
  assertTopK("k", k, numExperts, "numExperts");
  assertFloat32Matrix("scores", scores, numTokens, numExperts, "numTokens", "numExperts");
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
  checkTopKArgs(scores, numTokens, numExperts, k);
  const indices = new Int32Array(numTokens * k);
  const values = new Float32Array(numTokens * k);
  topKIntoUnchecked(scores, numTokens, numExperts, k, indices, values);
  return { indices, values };
}

/**
 * {@link topK} into caller-provided outputs: the same picks, without allocating two new arrays per call (for a
 * caller that routes batch after batch of one shape, e.g. a benchmark or a serving loop).
 *
 * @param scores `[tokens][experts]` row-major scores (any finite values or −Infinity; not mutated)
 * @param numTokens rows (tokens), ≥ 1
 * @param numExperts columns (experts), ≥ 1
 * @param k experts to pick per token, 1 ≤ k ≤ numExperts
 * @param out `{ indices: Int32Array, values: Float32Array }`, each of length numTokens × k (`[tokens][k]`); overwritten
 * @returns `out`, filled as {@link topK} would return it
 * @throws {TypeError} when `scores`, `out`, `out.indices` or `out.values` has the wrong type, or `out` has other
 *   keys; {RangeError} for wrong lengths, bad sizes, k > numExperts, or a NaN score (naming token and expert)
 * @example
 * const out = { indices: new Int32Array(2), values: new Float32Array(2) };
 * topKInto(new Float32Array([0.1, 0.7, 0.2, 0.7]), 1, 4, 2, out).indices; // Int32Array [1, 3]
 */
export function topKInto(scores: Float32Array, numTokens: number, numExperts: number, k: number, out: TopKResult): TopKResult {
  checkTopKArgs(scores, numTokens, numExperts, k);
  if (out === null || typeof out !== "object" || Array.isArray(out)) throw new TypeError(`out must be an object { indices, values }, got ${show(out)}`);
  assertKnownKeys("out", out, ["indices", "values"]);
  const n = numTokens * k;
  if (!(out.indices instanceof Int32Array)) throw new TypeError(`out.indices must be an Int32Array, got ${show(out.indices)}`);
  if (!(out.values instanceof Float32Array)) throw new TypeError(`out.values must be a Float32Array, got ${show(out.values)}`);
  if (out.indices.length !== n) throw new RangeError(`out.indices must have numTokens × k = ${n} entries, got ${out.indices.length}`);
  if (out.values.length !== n) throw new RangeError(`out.values must have numTokens × k = ${n} entries, got ${out.values.length}`);
  topKIntoUnchecked(scores, numTokens, numExperts, k, out.indices, out.values);
  return out;
}

/**
 * Kernel behind {@link topK} (and, with `logits = true`, behind softmax routing): writes into
 * caller-provided `[tokens][k]` outputs. No validation (callers validate). Throws a RangeError on
 * NaN; with `logits = true` on any non-finite value, with the router's message. Runs on the
 * WebAssembly kernel when `routingKernel()` says so (same algorithm, same results). Internal.
 *
 * Threshold guess: an exponential moving average `mu` of the rows' k-th largest values minus a
 * slack `delta`. Each row is compacted against `g = mu − delta` without branches; if at least k
 * candidates reach g, the true top-k are among them (the k-th largest is ≥ g), otherwise the whole
 * row is inserted (still exact). `delta` grows ×1.5 after such a fallback and shrinks slowly
 * otherwise, so fallbacks settle at a few per cent whatever the scale of the rows.
 */
export function topKIntoUnchecked(
  scores: Float32Array,
  numTokens: number,
  numExperts: number,
  k: number,
  outIndices: Int32Array,
  outValues: Float32Array,
  logits = false,
): void {
  if (routingKernel() === "wasm-simd") {
    const bad = wasmTopKInto(scores, numTokens, numExperts, k, outIndices, outValues, logits);
    if (bad < 0) return;
    if (logits) throwNonFinite(scores, bad, numExperts);
    const b = bad * numExperts;
    let e = 0;
    while (!(scores[b + e] !== scores[b + e])) e++;
    throw nanError(bad, e);
  }
  const E = numExperts;
  const bufV = new Float64Array(k);
  const bufI = new Int32Array(k);
  const cand = new Int32Array(E);
  let g = -Infinity; // threshold guess; −∞ makes the first row take every score as a candidate
  let mu = NaN;
  let delta = 0;
  for (let t = 0; t < numTokens; t++) {
    const base = t * E;
    const n = logits ? compactFinite(scores, base, E, g, cand) : compact(scores, base, E, g, cand);
    if (n < 0) throwNonFinite(scores, t, E);
    // Bounded insertion in index order (strict `<` keeps lower indices first on ties). With at
    // least k candidates ≥ g the true top-k are among them; otherwise insert the whole row.
    const whole = n < k;
    const count = whole ? E : n;
    let c = 0;
    for (let x = 0; x < count; x++) {
      const e = whole ? x : cand[x];
      const v = scores[base + e];
      if (logits ? !(v - v === 0) : v !== v) {
        if (logits) throwNonFinite(scores, t, E);
        throw nanError(t, e);
      }
      let p: number;
      if (c < k) p = c++;
      else if (v > bufV[k - 1]) p = k - 1;
      else continue;
      while (p > 0 && bufV[p - 1] < v) {
        bufV[p] = bufV[p - 1];
        bufI[p] = bufI[p - 1];
        p--;
      }
      bufV[p] = v;
      bufI[p] = e;
    }
    const o = t * k;
    for (let x = 0; x < k; x++) {
      outValues[o + x] = bufV[x];
      outIndices[o + x] = bufI[x];
    }
    // next row's guess
    const kth = bufV[k - 1];
    if (kth - kth === 0) {
      if (mu !== mu) {
        mu = kth;
        delta = bufV[0] - kth;
      } else mu += (kth - mu) * 0.125;
      delta = whole ? Math.max(delta * 1.5, Math.abs(mu) * 0.01, 1e-30) : delta * 0.985;
      g = mu - delta;
    } else {
      mu = NaN;
      g = -Infinity;
    }
  }
}

/** Writes every index of row `base` into `cand`, advancing only for values ≥ g (and NaN); returns the count. */
function compact(s: Float32Array, base: number, E: number, g: number, cand: Int32Array): number {
  // `+!(v < g)` compiles to a compare-and-set (no branch); it is 1 for v ≥ g and for NaN.
  let n = 0;
  let j = 0;
  const E8 = E - (E & 7);
  for (; j < E8; j += 8) {
    const q = base + j;
    cand[n] = j;
    n += +!(s[q] < g);
    cand[n] = j + 1;
    n += +!(s[q + 1] < g);
    cand[n] = j + 2;
    n += +!(s[q + 2] < g);
    cand[n] = j + 3;
    n += +!(s[q + 3] < g);
    cand[n] = j + 4;
    n += +!(s[q + 4] < g);
    cand[n] = j + 5;
    n += +!(s[q + 5] < g);
    cand[n] = j + 6;
    n += +!(s[q + 6] < g);
    cand[n] = j + 7;
    n += +!(s[q + 7] < g);
  }
  for (; j < E; j++) {
    cand[n] = j;
    n += +!(s[base + j] < g);
  }
  return n;
}

/** As {@link compact}, and returns −1 when the row holds −∞ (NaN and +∞ become candidates, checked later). */
function compactFinite(s: Float32Array, base: number, E: number, g: number, cand: Int32Array): number {
  let n = 0;
  let neg = 0;
  let j = 0;
  const E4 = E - (E & 3);
  for (; j < E4; j += 4) {
    const q = base + j;
    const v0 = s[q];
    const v1 = s[q + 1];
    const v2 = s[q + 2];
    const v3 = s[q + 3];
    cand[n] = j;
    n += +!(v0 < g);
    cand[n] = j + 1;
    n += +!(v1 < g);
    cand[n] = j + 2;
    n += +!(v2 < g);
    cand[n] = j + 3;
    n += +!(v3 < g);
    neg |= +(v0 === -Infinity) | +(v1 === -Infinity) | +(v2 === -Infinity) | +(v3 === -Infinity);
  }
  for (; j < E; j++) {
    const v = s[base + j];
    cand[n] = j;
    n += +!(v < g);
    neg |= +(v === -Infinity);
  }
  return neg ? -1 : n;
}

/** The router's error for the first non-finite logit of token t. */
function throwNonFinite(x: Float32Array, t: number, E: number): never {
  const base = t * E;
  for (let j = 0; j < E; j++) {
    const v = x[base + j];
    if (!(v - v === 0)) throw new RangeError(`logits must be finite: token ${t}, expert ${j} is ${v}`);
  }
  throw new Error("internal: non-finite logit reported but not found");
}

function nanError(t: number, e: number): RangeError {
  return new RangeError(`scores must not contain NaN: token ${t}, expert ${e} is NaN`);
}
