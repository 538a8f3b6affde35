/** Test helpers for the routing suite: brute-force references written independently of the kernels. */
import fc from "fast-check";

/** Reference top-k: a full stable sort of each row by value descending (ties → lower index). */
export function referenceTopK(scores: ArrayLike<number>, numTokens: number, numExperts: number, k: number): { indices: number[]; values: number[] } {
  const indices: number[] = [];
  const values: number[] = [];
  for (let t = 0; t < numTokens; t++) {
    const order = Array.from({ length: numExperts }, (_, j) => j);
    const v = (j: number) => scores[t * numExperts + j];
    order.sort((a, b) => (v(a) > v(b) ? -1 : v(a) < v(b) ? 1 : a - b));
    for (let x = 0; x < k; x++) {
      indices.push(order[x]);
      values.push(v(order[x]));
    }
  }
  return { indices, values };
}

/** A frozen-by-copy snapshot to check a typed array was not mutated. */
export function snapshot(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

/**
 * The router-shape fields both property suites draw (fused vs reference, wasm vs TypeScript): tokens, groups of
 * `groupSize` experts, scoring, group score, bias on/off, renormalisation, scaling factor.
 */
export function routerShapeFields(maxTokens: number, maxGroupSize: number) {
  return {
    numTokens: fc.integer({ min: 1, max: maxTokens }),
    numGroups: fc.constantFrom(1, 2, 4, 8),
    groupSize: fc.integer({ min: 1, max: maxGroupSize }),
    scoring: fc.constantFrom("softmax" as const, "sigmoid" as const),
    groupScore: fc.constantFrom("top2-sum" as const, "max" as const),
    useBias: fc.boolean(),
    normalize: fc.boolean(),
    scale: fc.constantFrom(1, 2.5),
  };
}

/** A top-2-sum group score needs at least two experts per group (unless there is one group). */
export function validGroupShape(c: { groupScore: string; groupSize: number; numGroups: number }): boolean {
  return c.groupScore === "max" || c.groupSize >= 2 || c.numGroups === 1;
}
