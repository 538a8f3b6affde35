/**
 * The router's reference implementation: the straightforward multi-pass version of {@link route}
 * (score every expert, add the bias into a new array, mask dropped groups with −∞, top-k of the
 * whole row, gather and renormalise). It is slow (it allocates `[tokens][experts]` arrays and calls
 * `Math.exp` for every logit) but easy to read and check against the formulas in `route.ts`.
 *
 * The fast kernels (`fused.ts`) must give exactly the same picks (indices) as this code, and the same
 * weights up to float32 rounding; the test suite compares them on random inputs. Internal to the
 * routing module: call it through `routeReference` / `routeScoresReference` in `route.ts`.
 */
import type { ScoringFunction } from "./scoring";

/** Router options after defaults and validation (see `checkOptions` in `route.ts`). */
export interface ResolvedRouterOptions {
  numExperts: number;
  topK: number;
  scoring: ScoringFunction;
  numGroups: number;
  topkGroup: number;
  groupScore: "top2-sum" | "max";
  bias: Float32Array | undefined;
  normalize: boolean;
  routedScalingFactor: number;
  numSharedExperts: number;
}

/** Scores `[tokens][experts]` of the reference: softmax (row max subtracted, float64, stored float32) or sigmoid. */
export function referenceScores(logits: Float32Array, numTokens: number, E: number, scoring: ScoringFunction): Float32Array {
  const out = new Float32Array(logits.length);
  if (scoring === "sigmoid") {
    for (let i = 0; i < logits.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]));
    return out;
  }
  for (let t = 0; t < numTokens; t++) {
    const base = t * E;
    let max = -Infinity;
    for (let j = 0; j < E; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < E; j++) sum += Math.exp(logits[base + j] - max);
    const inv = 1 / sum;
    for (let j = 0; j < E; j++) out[base + j] = Math.exp(logits[base + j] - max) * inv;
  }
  return out;
}

/**
 * Selection over finite scores `[tokens][experts]`: bias, group mask, top-k, renormalised weights.
 * @returns `[tokens][topK]` indices and weights
 * @throws {RangeError} when `normalize` is on and a token's chosen scores sum to ≤ 0
 */
export function referenceSelect(scores: Float32Array, numTokens: number, o: ResolvedRouterOptions): { indices: Int32Array; weights: Float32Array } {
  const { numExperts: E, topK: k, numGroups: G, topkGroup, bias } = o;
  const limitGroups = G > 1 && topkGroup < G;
  let selection = scores;
  if (bias || limitGroups) {
    selection = new Float32Array(scores.length);
    if (bias) {
      for (let t = 0; t < numTokens; t++) {
        const base = t * E;
        for (let j = 0; j < E; j++) selection[base + j] = scores[base + j] + bias[j];
      }
    } else selection.set(scores);
    if (limitGroups) maskGroups(selection, numTokens, E, G, topkGroup, o.groupScore);
  }
  const indices = new Int32Array(numTokens * k);
  sortedTopK(selection, numTokens, E, k, indices);
  const weights = new Float32Array(numTokens * k);
  const scale = o.routedScalingFactor;
  for (let t = 0; t < numTokens; t++) {
    const base = t * k;
    let sum = 0;
    for (let x = 0; x < k; x++) sum += scores[t * E + indices[base + x]];
    if (o.normalize && !(sum > 0)) {
      throw new RangeError(`cannot renormalise token ${t}: its ${k} chosen scores sum to ${sum}; pass normalize: false or check the logits`);
    }
    const factor = o.normalize ? scale / sum : scale;
    for (let x = 0; x < k; x++) weights[base + x] = scores[t * E + indices[base + x]] * factor;
  }
  return { indices, weights };
}

/**
 * Per row, the k largest by value descending, ties → lower index (a bounded sorted buffer, one pass): the naive top-k
 * the reference router and the routing benchmark's baseline use. Unchecked: callers pass valid shapes.
 * @param s scores `[numTokens][E]`, row-major
 * @param out receives `[numTokens][k]` expert indices
 */
export function sortedTopK(s: Float32Array, numTokens: number, E: number, k: number, out: Int32Array): void {
  const bv = new Float64Array(k);
  const bi = new Int32Array(k);
  for (let t = 0; t < numTokens; t++) {
    const base = t * E;
    let c = 0;
    for (let j = 0; j < E; j++) {
      const v = s[base + j];
      let p: number;
      if (c < k) p = c++;
      else if (v > bv[k - 1]) p = k - 1;
      else continue;
      while (p > 0 && bv[p - 1] < v) {
        bv[p] = bv[p - 1];
        bi[p] = bi[p - 1];
        p--;
      }
      bv[p] = v;
      bi[p] = j;
    }
    out.set(bi, t * k);
  }
}

/** Sets the selection scores of every expert outside each token's best `topkGroup` groups to −∞. */
function maskGroups(sel: Float32Array, numTokens: number, E: number, G: number, topkGroup: number, groupScore: "top2-sum" | "max"): void {
  const m = E / G;
  const gs = new Float64Array(G);
  const keep = new Uint8Array(G);
  for (let t = 0; t < numTokens; t++) {
    const base = t * E;
    for (let g = 0; g < G; g++) {
      const q = base + g * m;
      let a = -Infinity; // best
      let b = -Infinity; // second best
      for (let r = 0; r < m; r++) {
        const v = sel[q + r];
        if (v > a) {
          b = a;
          a = v;
        } else if (v > b) b = v;
      }
      gs[g] = groupScore === "max" ? a : Math.fround(a + b); // float32 sum, as the reference's tensor op
      keep[g] = 0;
    }
    for (let n = 0; n < topkGroup; n++) {
      let best = -1;
      for (let g = 0; g < G; g++) if (!keep[g] && (best < 0 || gs[g] > gs[best])) best = g;
      keep[best] = 1;
    }
    for (let g = 0; g < G; g++) {
      if (keep[g]) continue;
      sel.fill(-Infinity, base + g * m, base + (g + 1) * m);
    }
  }
}
