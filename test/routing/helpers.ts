/** Test helpers for the routing suite: brute-force references written independently of the kernels. */

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
