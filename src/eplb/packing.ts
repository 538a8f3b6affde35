/**
 * Balanced packing: put n weighted items into m packs of exactly n/m items each, heaviest item first into
 * the lightest pack that still has room (DeepSeek EPLB's `balanced_packing`, re-implemented here).
 *
 * Rules (so results match the reference bit for bit):
 * - n/m = 1: item i goes to pack i with rank 0 (no sorting).
 * - otherwise items are visited by load descending (ties: lower item index first, a *stable* sort; the
 *   reference uses torch's unstable sort, which may order equal loads differently), each into the non-full
 *   pack with the smallest accumulated load (ties: lowest pack index); the item's rank is the number of
 *   items already in that pack.
 * - pack loads accumulate in float32 (`Math.fround` after every add).
 *
 * The kernels below work on typed arrays with caller-provided scratch so `rebalanceExperts` allocates
 * nothing per layer; `balancedPacking` is the friendly single-vector wrapper.
 */
import { assertPositiveInt } from "../util/validate";
import { checkLoadVector } from "./validate";

/** Reusable scratch for the kernels; grow-only. */
export class PackScratch {
  heap = new Int32Array(0);
  heapKey = new Float64Array(0);
  count = new Int32Array(0);
  order = new Int32Array(0);
  order2 = new Int32Array(0);
  val = new Float64Array(0);
  val2 = new Float64Array(0);
  f32 = new Float32Array(0);
  u32 = new Uint32Array(0);
  keyA = new Uint32Array(0);
  keyB = new Uint32Array(0);
  radixCount = new Int32Array(256);

  /** Make room for `n` items and `m` packs. */
  ensure(n: number, m: number): void {
    if (this.order.length < n) {
      this.order = new Int32Array(n);
      this.order2 = new Int32Array(n);
      this.val = new Float64Array(n);
      this.val2 = new Float64Array(n);
      this.f32 = new Float32Array(n);
      this.u32 = new Uint32Array(this.f32.buffer);
      this.keyA = new Uint32Array(n);
      this.keyB = new Uint32Array(n);
    }
    const k = Math.max(n, m);
    if (this.heap.length < k) {
      this.heap = new Int32Array(k);
      this.heapKey = new Float64Array(k);
      this.count = new Int32Array(k);
    }
  }
}

/**
 * Stable descending index sort of `n` float32 loads (≥ 0, no −0) starting at `load[offset]`: load
 * descending, then index ascending. Returns one of the scratch index arrays. Short inputs: insertion sort
 * of runs, then bottom-up merges; long inputs: an LSD radix sort. Typed arrays, inlined comparisons, no
 * comparator closure and no allocation.
 */
export function sortDescendingStable(load: ArrayLike<number>, offset: number, n: number, s: PackScratch): Int32Array {
  if (n >= RADIX_MIN) return radixSortDescending(load, offset, n, s);
  // Indices and their loads move together, so comparisons read contiguous memory instead of load[a[j]].
  let a = s.order;
  let b = s.order2;
  let va = s.val;
  let vb = s.val2;
  const RUN = 16;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo; i < hi; i++) {
      const v = load[offset + i];
      let j = i - 1;
      // Earlier items have lower indices; stopping on ties keeps the sort stable.
      while (j >= lo && va[j] < v) {
        a[j + 1] = a[j];
        va[j + 1] = va[j];
        j--;
      }
      a[j + 1] = i;
      va[j + 1] = v;
    }
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Take from the right run only when strictly heavier: ties keep the left (lower-index) item first.
        if (va[j] > va[i]) {
          vb[k] = va[j];
          b[k++] = a[j++];
        } else {
          vb[k] = va[i];
          b[k++] = a[i++];
        }
      }
      while (i < mid) {
        vb[k] = va[i];
        b[k++] = a[i++];
      }
      while (j < hi) {
        vb[k] = va[j];
        b[k++] = a[j++];
      }
    }
    const t = a;
    a = b;
    b = t;
    const tv = va;
    va = vb;
    vb = tv;
  }
  return a;
}

/** From this many items on, the radix sort beats insertion + merge (no data-dependent branches). */
const RADIX_MIN = 128;

/**
 * Stable LSD radix sort (8-bit digits) of float32 loads ≥ 0 by descending value: the key
 * `bits(+Infinity) − bits(load)` reverses the order of non-negative float32 bit patterns, and a stable
 * sort of indices that start ascending keeps lower indices first on ties. Passes whose digit is the same
 * for every key are skipped (common: small integer loads leave low mantissa bytes zero).
 */
function radixSortDescending(load: ArrayLike<number>, offset: number, n: number, s: PackScratch): Int32Array {
  const f = s.f32;
  const u = s.u32;
  for (let i = 0; i < n; i++) f[i] = load[offset + i];
  let ka = s.keyA;
  let kb = s.keyB;
  let ia = s.order;
  let ib = s.order2;
  for (let i = 0; i < n; i++) {
    ka[i] = 0x7f800000 - u[i];
    ia[i] = i;
  }
  const cnt = s.radixCount;
  for (let shift = 0; shift < 32; shift += 8) {
    cnt.fill(0);
    for (let i = 0; i < n; i++) cnt[(ka[i] >>> shift) & 255]++;
    if (cnt[(ka[0] >>> shift) & 255] === n) continue;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = cnt[d];
      cnt[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = ka[i];
      const p = cnt[(k >>> shift) & 255]++;
      kb[p] = k;
      ib[p] = ia[i];
    }
    const tk = ka;
    ka = kb;
    kb = tk;
    const ti = ia;
    ia = ib;
    ib = ti;
  }
  return ia;
}

/**
 * Min-heap sift-down on item ids `h[0..size)` ordered by `(key[id], id)` ascending.
 * Shared by the packing heap (key = pack load) and the replication heap (key = −load per replica).
 */
export function siftDown(h: Int32Array, size: number, key: Float64Array, pos: number): void {
  const item = h[pos];
  const k = key[item];
  for (;;) {
    let c = 2 * pos + 1;
    if (c >= size) break;
    let ci = h[c];
    let ck = key[ci];
    const r = c + 1;
    if (r < size) {
      const ri = h[r];
      const rk = key[ri];
      if (rk < ck || (rk === ck && ri < ci)) {
        c = r;
        ci = ri;
        ck = rk;
      }
    }
    if (ck < k || (ck === k && ci < item)) {
      h[pos] = ci;
      pos = c;
    } else break;
  }
  h[pos] = item;
}

/**
 * Kernel: pack `n` items (`load[offset..offset+n)`, float32 values ≥ 0) into `m` packs of `n/m` items.
 * Writes `outPack[outOffset + i]` and `outRank[outOffset + i]` for item i. `n % m == 0` is the caller's job.
 */
export function packKernel(
  load: ArrayLike<number>,
  offset: number,
  n: number,
  m: number,
  outPack: Int32Array,
  outRank: Int32Array,
  outOffset: number,
  s: PackScratch,
): void {
  const perPack = n / m;
  if (perPack === 1) {
    for (let i = 0; i < n; i++) {
      outPack[outOffset + i] = i;
      outRank[outOffset + i] = 0;
    }
    return;
  }
  const order = sortDescendingStable(load, offset, n, s);
  // Heap of non-full packs keyed by (accumulated load, pack index); all loads start at 0, so the
  // identity array is already a valid heap.
  const h = s.heap;
  const packLoad = s.heapKey;
  const cnt = s.count;
  for (let p = 0; p < m; p++) {
    h[p] = p;
    packLoad[p] = 0;
    cnt[p] = 0;
  }
  let size = m;
  for (let j = 0; j < n; j++) {
    const item = order[j];
    const p = h[0];
    outPack[outOffset + item] = p;
    outRank[outOffset + item] = cnt[p];
    packLoad[p] = Math.fround(packLoad[p] + load[offset + item]);
    if (++cnt[p] === perPack) {
      size--;
      h[0] = h[size];
    }
    if (size > 0) siftDown(h, size, packLoad, 0);
  }
}

/** Result of {@link balancedPacking}. */
export interface PackingResult {
  /** `[items]` pack of each item (0-based). */
  packIndex: number[];
  /** `[items]` position of each item inside its pack (0-based, in the order items were added). */
  rankInPack: number[];
  /** `[packs]` float32 sum of the loads in each pack. */
  packLoads: number[];
}

/**
 * Balanced packing of one vector of item loads (tokens) into `numPacks` packs of exactly
 * `items / numPacks` items each (heaviest first into the lightest non-full pack; see the file comment).
 * Loads are rounded to float32 first, as in the reference.
 * @param weight `[items]` load of each item (tokens, finite, ≥ 0)
 * @param numPacks number of packs (GPUs or nodes); must divide `weight.length`
 * @returns pack index and rank of each item, and the per-pack loads
 * @throws {TypeError|RangeError} naming `weight[i]` or `numPacks` and the bad value
 * @example
 * balancedPacking([5, 1, 4, 2], 2).packIndex; // [0, 0, 1, 1]: 5→0, 4→1, 2→1 (4 < 5), 1→0; loads 6 and 6
 */
export function balancedPacking(weight: ArrayLike<number>, numPacks: number): PackingResult {
  const n = checkLoadVector("weight", weight);
  assertPositiveInt("numPacks", numPacks);
  if (n % numPacks !== 0) throw new RangeError(`weight.length (${n}) must be divisible by numPacks (${numPacks})`);
  const load = new Float64Array(n);
  for (let i = 0; i < n; i++) load[i] = Math.fround(weight[i]) + 0;
  const pack = new Int32Array(n);
  const rank = new Int32Array(n);
  const s = new PackScratch();
  s.ensure(n, numPacks);
  packKernel(load, 0, n, numPacks, pack, rank, 0, s);
  const packLoads = new Array<number>(numPacks);
  if (n === numPacks) for (let p = 0; p < n; p++) packLoads[p] = load[p];
  else for (let p = 0; p < numPacks; p++) packLoads[p] = s.heapKey[p]; // accumulated in visiting order
  return { packIndex: Array.from(pack), rankInPack: Array.from(rank), packLoads };
}
