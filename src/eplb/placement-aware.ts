/**
 * Placement-aware rebalancing: the balance of a fresh EPLB plan, moving as few expert copies as possible.
 *
 * DeepSeek's EPLB computes a placement from the load alone, so the GPU numbering and slot order of its output
 * are arbitrary with respect to the placement in force: applied as is, a rebalance rewrites most slots even when
 * the load barely changed. Two ways to keep what can stay, per layer:
 *
 * 1. **Matched re-plan.** Keep the new plan's per-GPU expert sets but choose which GPU gets which set so that the
 *    sets overlap the old GPUs' experts as much as possible (a maximum-weight assignment, solved exactly with the
 *    Hungarian algorithm on the GPUs × GPUs overlap matrix; for the hierarchical policy first inside each node
 *    pair, then over nodes, so a node keeps a node's worth of groups). Inside a GPU an expert already there keeps
 *    its slot. GPU loads are a permutation of the plan's, so balance is identical.
 * 2. **Kept placement** (global policy only). Start from the placement in force and change only what the new plan's
 *    replica counts force: an expert with too many copies gives up its copies on the busiest GPUs; an expert with
 *    too few gets the freed slots, heaviest copy first, each on the least-loaded GPU with a free slot. Then, while
 *    the busiest GPU is more than `tolerance` above the re-plan's busiest GPU, swap one of its slots with a slot
 *    elsewhere (the swap that lowers the pair's larger load most), within the move budget.
 *
 * The result is the candidate that reaches the re-plan's balance (within `tolerance`) with fewer moved slots, and
 * either way has exactly the re-plan's replica counts (`logcnt`). "Moved slot" = a slot whose expert changes, so
 * its weights must be copied in.
 */
import { assertFinite, assertInRange, show } from "../util/validate";
import { assertKnownOptionKeys } from "./dsv3-like";
import { rebalanceExperts } from "./rebalance";
import type { EplbConfig, EplbPolicy } from "./rebalance";
import { checkIndexMatrix, checkLoadMatrix } from "./validate";

/** Options of {@link placementAwareRebalance}. */
export interface PlacementAwareOptions {
  /** Largest fraction of a layer's slots the kept-placement search may move, in [0, 1]; default 1 (no limit). Slots the new replica counts force to change are moved regardless. */
  moveBudget?: number;
  /** Accepted relative excess of the busiest GPU's load over the re-plan's busiest GPU, ≥ 0; default 0.005 (0.5%). */
  tolerance?: number;
}

/**
 * Check {@link PlacementAwareOptions} and fill in the defaults.
 * @param options the options object (`{}` for defaults)
 * @param name how the error messages call it; default "options"
 * @returns `{ moveBudget, tolerance }` with defaults applied
 * @throws {TypeError|RangeError} for a non-object, an unknown key (naming the nearest valid one), moveBudget ∉ [0, 1], tolerance < 0 or not finite
 * @example resolvePlacementAwareOptions({ moveBudget: 0.25 }); // { moveBudget: 0.25, tolerance: 0.005 }
 */
export function resolvePlacementAwareOptions(options: PlacementAwareOptions, name = "options"): Required<PlacementAwareOptions> {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new TypeError(`${name} must be an object, got ${show(options)}`);
  assertKnownOptionKeys(name, options, ["moveBudget", "tolerance"]);
  const moveBudget = options.moveBudget ?? 1;
  const tolerance = options.tolerance ?? 0.005;
  assertInRange(`${name}.moveBudget`, moveBudget, 0, 1);
  assertFinite(`${name}.tolerance`, tolerance);
  if (tolerance < 0) throw new RangeError(`${name}.tolerance must be ≥ 0, got ${show(tolerance)}`);
  return { moveBudget, tolerance };
}

/** Result of {@link placementAwareRebalance}. Loads are those of the `weight` given (tokens). */
export interface PlacementAwareResult {
  /** `[layers][slots]` the placement to install. */
  phy2log: number[][];
  /** `[layers][experts]` replica counts: identical to the re-plan's. */
  logcnt: number[][];
  policy: EplbPolicy;
  /** `[layers]` which candidate was chosen. */
  method: ("kept" | "matched")[];
  /** `[layers]` slots whose expert changes against the placement in force. */
  movedSlotsPerLayer: number[];
  movedSlots: number;
  /** `[layers]` busiest GPU load of the chosen placement (tokens). */
  maxGpuLoad: number[];
  /** DeepSeek's re-plan as computed: its placement, moved slots when installed as is, and busiest GPU load `[layers]`. */
  replan: { phy2log: number[][]; movedSlots: number; maxGpuLoad: number[] };
}

/**
 * Rebalance for `weight`, keeping the placement in force where the new plan allows (see the file comment).
 * @param weight `[layers][experts]` load of each logical expert over the statistics window (tokens)
 * @param current `[layers][slots]` placement in force (expert of each slot; slot s on GPU floor(s / (slots/numGpus)))
 * @param config cluster (see EplbConfig); `numReplicas` must equal the slot count of `current`
 * @param options see {@link PlacementAwareOptions}
 * @returns the placement, its moves and balance, and the re-plan's for comparison (see {@link PlacementAwareResult})
 * @throws {TypeError|RangeError} for bad shapes, an expert id out of range, a config EPLB rejects, or bad/unknown options
 * @example
 * const cur = [[0, 1, 2, 3, 0, 1]];                     // 4 experts, 6 slots, 3 GPUs
 * const r = placementAwareRebalance([[10, 1, 1, 6]], cur, { numReplicas: 6, numGroups: 1, numNodes: 1, numGpus: 3 });
 * r.logcnt[0]; // the re-plan's counts, e.g. [3, 1, 1, 1]
 * r.movedSlots <= r.replan.movedSlots; // true
 */
export function placementAwareRebalance(
  weight: ArrayLike<ArrayLike<number>>,
  current: ArrayLike<ArrayLike<number>>,
  config: EplbConfig,
  options: PlacementAwareOptions = {},
): PlacementAwareResult {
  const { moveBudget: budgetFrac, tolerance } = resolvePlacementAwareOptions(options);
  const [L, E] = checkLoadMatrix("weight", weight);
  const [Lc, R] = checkIndexMatrix("current", current, E, "number of experts");
  if (Lc !== L) throw new RangeError(`current has ${Lc} layers but weight has ${L}`);
  if (config === null || typeof config !== "object") throw new TypeError(`config must be an object, got ${show(config)}`);
  if (config.numReplicas !== R) throw new RangeError(`config.numReplicas (${show(config.numReplicas)}) must equal the slot count of current (${R})`);
  const plan = rebalanceExperts(weight, config.numReplicas, config.numGroups, config.numNodes, config.numGpus);
  const P = config.numGpus;
  const S = R / P;
  const budget = Math.floor(budgetFrac * R);
  const out: PlacementAwareResult = {
    phy2log: [], logcnt: plan.logcnt, policy: plan.policy, method: [], movedSlotsPerLayer: [], movedSlots: 0, maxGpuLoad: [],
    replan: { phy2log: plan.phy2log, movedSlots: 0, maxGpuLoad: [] },
  };
  for (let l = 0; l < L; l++) {
    const old = Int32Array.from(current[l]);
    const w = new Float64Array(E);
    for (let e = 0; e < E; e++) w[e] = plan.logcnt[l][e] > 0 ? weight[l][e] / plan.logcnt[l][e] : 0;
    const replan = Int32Array.from(plan.phy2log[l]);
    const replanMax = maxLoad(replan, w, P, S);
    out.replan.movedSlots += diff(old, replan);
    out.replan.maxGpuLoad.push(replanMax);
    const matched = matchGpus(old, replan, P, config.numNodes, plan.policy);
    const matchedMoves = diff(old, matched);
    const target = replanMax * (1 + tolerance);
    let chosen = matched;
    let method: "kept" | "matched" = "matched";
    if (plan.policy === "global" || config.numNodes === 1) {
      const kept = keepPlacement(old, Int32Array.from(plan.logcnt[l]), w, P, S, target, budget);
      const keptMoves = diff(old, kept);
      const keptMax = maxLoad(kept, w, P, S);
      const keptReaches = keptMax <= target * (1 + 1e-12);
      // Kept wins when it reaches the target with no more moves, or when the matched re-plan breaks the budget.
      if ((keptReaches && keptMoves <= matchedMoves) || matchedMoves > budget) {
        chosen = kept;
        method = "kept";
      }
    }
    const moved = diff(old, chosen);
    out.phy2log.push(Array.from(chosen));
    out.method.push(method);
    out.movedSlotsPerLayer.push(moved);
    out.movedSlots += moved;
    out.maxGpuLoad.push(maxLoad(chosen, w, P, S));
  }
  return out;
}

function diff(a: Int32Array, b: Int32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function maxLoad(row: Int32Array, w: Float64Array, P: number, S: number): number {
  let max = 0;
  for (let g = 0; g < P; g++) {
    let s = 0;
    for (let k = g * S; k < (g + 1) * S; k++) s += w[row[k]];
    if (s > max) max = s;
  }
  return max;
}

/** Overlap (size of the multiset intersection) of old GPU a's experts and new GPU b's experts. */
function overlap(old: Int32Array, next: Int32Array, a: number, b: number, S: number, tmp: Map<number, number>): number {
  tmp.clear();
  for (let k = a * S; k < (a + 1) * S; k++) tmp.set(old[k], (tmp.get(old[k]) ?? 0) + 1);
  let n = 0;
  for (let k = b * S; k < (b + 1) * S; k++) {
    const c = tmp.get(next[k]) ?? 0;
    if (c > 0) {
      n++;
      tmp.set(next[k], c - 1);
    }
  }
  return n;
}

/** Assign the new plan's GPU sets to GPUs maximising overlap with the old ones, then keep slots inside each GPU. */
function matchGpus(old: Int32Array, next: Int32Array, P: number, N: number, policy: EplbPolicy): Int32Array {
  const S = old.length / P;
  const tmp = new Map<number, number>();
  const ov: number[][] = [];
  for (let a = 0; a < P; a++) {
    const row: number[] = [];
    for (let b = 0; b < P; b++) row.push(overlap(old, next, a, b, S, tmp));
    ov.push(row);
  }
  const assign = new Int32Array(P); // old GPU a receives new GPU assign[a]'s set
  if (policy === "hierarchical" && N > 1) {
    const G = P / N;
    const inner: number[][][] = [];
    const value: number[][] = [];
    for (let x = 0; x < N; x++) {
      inner.push([]);
      value.push([]);
      for (let y = 0; y < N; y++) {
        const m = ov.slice(x * G, (x + 1) * G).map((r) => r.slice(y * G, (y + 1) * G));
        const a = hungarianMax(m);
        inner[x].push(a);
        value[x].push(a.reduce((s, b, i) => s + m[i][b], 0));
      }
    }
    const nodes = hungarianMax(value);
    for (let x = 0; x < N; x++) for (let i = 0; i < G; i++) assign[x * G + i] = nodes[x] * G + inner[x][nodes[x]][i];
  } else {
    hungarianMax(ov).forEach((b, a) => (assign[a] = b));
  }
  const permuted = new Int32Array(old.length);
  for (let a = 0; a < P; a++) permuted.set(next.subarray(assign[a] * S, (assign[a] + 1) * S), a * S);
  return keepSlotsInsideGpus(old, permuted, P);
}

/** Re-order each GPU's new experts so an expert already on that GPU keeps its old slot (GPU multisets unchanged). */
function keepSlotsInsideGpus(old: Int32Array, next: Int32Array, P: number): Int32Array {
  const S = old.length / P;
  const out = new Int32Array(old.length).fill(-1);
  const need = new Map<number, number>();
  for (let g = 0; g < P; g++) {
    need.clear();
    for (let k = g * S; k < (g + 1) * S; k++) need.set(next[k], (need.get(next[k]) ?? 0) + 1);
    for (let k = g * S; k < (g + 1) * S; k++) {
      const c = need.get(old[k]) ?? 0;
      if (c > 0) {
        out[k] = old[k];
        need.set(old[k], c - 1);
      }
    }
    let k = g * S;
    for (const [e, c] of need) {
      for (let i = 0; i < c; i++) {
        while (out[k] !== -1) k++;
        out[k] = e;
      }
    }
  }
  return out;
}

/**
 * Maximum-weight perfect matching of a square matrix (Hungarian algorithm with potentials, O(n³)).
 * @param value `[n][n]` finite weights (e.g. experts two GPUs have in common), 1 ≤ n ≤ 2048
 * @returns `[n]` the column given to each row; the sum of `value[i][result[i]]` is the largest possible
 * @throws {TypeError|RangeError} for an empty, ragged or non-square matrix, a non-finite entry, or n > 2048
 * @example hungarianMax([[1, 5], [4, 1]]); // [1, 0] (5 + 4 beats 1 + 1)
 */
export function hungarianMax(value: readonly (readonly number[])[]): number[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`value must be a non-empty square matrix, got ${show(value)}`);
  const n = value.length;
  if (n > 2048) throw new RangeError(`value must be at most 2048 × 2048, got ${n} rows`);
  for (let i = 0; i < n; i++) {
    if (!Array.isArray(value[i]) || value[i].length !== n) throw new RangeError(`value must be square: value[${i}] has ${Array.isArray(value[i]) ? value[i].length : show(value[i])} entries, expected ${n}`);
    for (let j = 0; j < n; j++) assertFinite(`value[${i}][${j}]`, value[i][j]);
  }
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[j] = row matched to column j (1-based), 0 = none
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(INF);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = -value[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const ans = new Array<number>(n);
  for (let j = 1; j <= n; j++) ans[p[j] - 1] = j - 1;
  return ans;
}

/** The kept-placement candidate (global policy): fix replica counts in place, then swap down the busiest GPU. */
function keepPlacement(old: Int32Array, cnt: Int32Array, w: Float64Array, P: number, S: number, target: number, budget: number): Int32Array {
  const R = old.length;
  const E = cnt.length;
  const cur = Int32Array.from(old);
  const have = new Int32Array(E);
  for (let s = 0; s < R; s++) have[cur[s]]++;
  const load = new Float64Array(P);
  for (let s = 0; s < R; s++) load[(s / S) | 0] += w[cur[s]];
  // 1. Surplus copies leave the busiest GPUs.
  const free: number[] = [];
  for (let e = 0; e < E; e++) {
    while (have[e] > cnt[e]) {
      let best = -1;
      for (let s = 0; s < R; s++) if (cur[s] === e && (best < 0 || load[(s / S) | 0] > load[(best / S) | 0])) best = s;
      cur[best] = -1;
      load[(best / S) | 0] -= w[e];
      have[e]--;
      free.push(best);
    }
  }
  // 2. Missing copies, heaviest first, into the least-loaded GPU with a free slot (one without that expert if possible).
  const need: number[] = [];
  for (let e = 0; e < E; e++) for (let k = have[e]; k < cnt[e]; k++) need.push(e);
  need.sort((a, b) => w[b] - w[a] || a - b);
  for (const e of need) {
    let bi = -1;
    let bScore = Infinity;
    for (let i = 0; i < free.length; i++) {
      const g = (free[i] / S) | 0;
      let dup = false;
      for (let k = g * S; k < (g + 1) * S; k++) if (cur[k] === e) dup = true;
      const score = load[g] + (dup ? 1e300 : 0);
      if (score < bScore) {
        bScore = score;
        bi = i;
      }
    }
    const s = free[bi];
    free.splice(bi, 1);
    cur[s] = e;
    load[(s / S) | 0] += w[e];
  }
  // 3. Swap slots off the busiest GPU while it is above target and the budget allows.
  let moved = diff(old, cur);
  for (let iter = 0; iter < 4 * R; iter++) {
    let h = 0;
    for (let g = 1; g < P; g++) if (load[g] > load[h]) h = g;
    if (load[h] <= target) break;
    let bestI = -1;
    let bestJ = -1;
    let bestMax = load[h];
    let bestDelta = 0;
    for (let i = h * S; i < (h + 1) * S; i++) {
      const a = cur[i];
      for (let j = 0; j < R; j++) {
        const g = (j / S) | 0;
        if (g === h) continue;
        const b = cur[j];
        if (!(w[a] > w[b])) continue;
        const m = Math.max(load[h] - w[a] + w[b], load[g] - w[b] + w[a]);
        if (m >= bestMax - 1e-12) continue;
        const delta = (b !== old[i] ? 1 : 0) - (a !== old[i] ? 1 : 0) + (a !== old[j] ? 1 : 0) - (b !== old[j] ? 1 : 0);
        if (moved + delta > budget) continue;
        bestMax = m;
        bestI = i;
        bestJ = j;
        bestDelta = delta;
      }
    }
    if (bestI < 0) break;
    const a = cur[bestI];
    const b = cur[bestJ];
    const g = (bestJ / S) | 0;
    cur[bestI] = b;
    cur[bestJ] = a;
    load[h] += w[b] - w[a];
    load[g] += w[a] - w[b];
    moved += bestDelta;
  }
  return cur;
}
