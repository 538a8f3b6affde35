/**
 * Replication: give `n` experts `numSlots ≥ n` physical slots so that the largest load per replica is as
 * small as this greedy rule makes it (DeepSeek EPLB's `replicate_experts`, re-implemented here).
 *
 * Slot i < n holds expert i (replica rank 0). Each further slot goes to the expert with the highest
 * `load / count` (float32 quotient; ties: lowest expert index); its replica rank is its count before the
 * increment. A max-heap keyed by (−load/count, index) makes this O(numSlots · log n) instead of the
 * reference's O(numSlots · n) rescans, with identical results.
 */
import { assertPositiveInt } from "../util/validate";
import { PackScratch, siftDown } from "./packing";
import { checkLoadVector } from "./validate";

/**
 * Kernel: replicate `n` experts (`load[offset..offset+n)`, float32 values ≥ 0) into `numSlots` slots.
 * Writes `phy2log[outOffset + k]` (expert of slot k, 0..n−1), `rank[outOffset + k]` and `count[cntOffset + i]`.
 */
export function replicateKernel(
  load: ArrayLike<number>,
  offset: number,
  n: number,
  numSlots: number,
  phy2log: Int32Array,
  rank: Int32Array,
  outOffset: number,
  count: Int32Array,
  cntOffset: number,
  s: PackScratch,
): void {
  for (let i = 0; i < n; i++) {
    phy2log[outOffset + i] = i;
    rank[outOffset + i] = 0;
    count[cntOffset + i] = 1;
  }
  if (numSlots === n) return;
  const h = s.heap;
  const key = s.heapKey; // −(load per replica), so the heap's minimum is the busiest expert
  for (let i = 0; i < n; i++) {
    h[i] = i;
    key[i] = -load[offset + i];
  }
  for (let p = (n >> 1) - 1; p >= 0; p--) siftDown(h, n, key, p);
  for (let k = n; k < numSlots; k++) {
    const e = h[0];
    const c = count[cntOffset + e];
    phy2log[outOffset + k] = e;
    rank[outOffset + k] = c;
    count[cntOffset + e] = c + 1;
    key[e] = -Math.fround(load[offset + e] / (c + 1));
    siftDown(h, n, key, 0);
  }
}

/** Result of {@link replicateExperts}. */
export interface ReplicationResult {
  /** `[slots]` expert held by each slot. */
  phy2log: number[];
  /** `[slots]` replica rank of each slot (0 for an expert's first copy). */
  rank: number[];
  /** `[experts]` number of replicas of each expert (≥ 1, sums to `numReplicas`). */
  logcnt: number[];
}

/**
 * Replicate one layer's experts into `numReplicas` slots (greedy: each extra slot to the expert with the
 * highest load per replica, lowest index on ties). No placement on GPUs: see `rebalanceExperts`.
 * @param weight `[experts]` load of each expert (tokens, finite, ≥ 0), rounded to float32
 * @param numReplicas total slots (physical experts), ≥ `weight.length`
 * @returns slot → expert, replica ranks and replica counts
 * @throws {TypeError|RangeError} naming `weight[i]` or `numReplicas` and the bad value
 * @example
 * replicateExperts([6, 1, 2], 5).logcnt; // [3, 1, 1]: 6/1 > 2, then 6/2 = 3 > 2 → expert 0 gets both extras
 */
export function replicateExperts(weight: ArrayLike<number>, numReplicas: number): ReplicationResult {
  const n = checkLoadVector("weight", weight);
  assertPositiveInt("numReplicas", numReplicas);
  if (numReplicas < n) throw new RangeError(`numReplicas (${numReplicas}) must be ≥ the number of experts (${n})`);
  const load = new Float64Array(n);
  for (let i = 0; i < n; i++) load[i] = Math.fround(weight[i]) + 0;
  const phy2log = new Int32Array(numReplicas);
  const rank = new Int32Array(numReplicas);
  const count = new Int32Array(n);
  const s = new PackScratch();
  s.ensure(n, n);
  replicateKernel(load, 0, n, numReplicas, phy2log, rank, 0, count, 0, s);
  return { phy2log: Array.from(phy2log), rank: Array.from(rank), logcnt: Array.from(count) };
}
