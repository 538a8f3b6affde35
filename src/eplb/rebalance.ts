/**
 * DeepSeek's expert-parallelism load balancer (EPLB), re-implemented in TypeScript with the same semantics
 * as the public reference (github.com/deepseek-ai/EPLB, eplb.py): hierarchical policy when
 * `numGroups % numNodes == 0`, otherwise the global policy (the same procedure with one group and one node).
 *
 * Hierarchical, per layer:
 * 1. Groups (contiguous blocks of `E/G` experts, group load = float32 sum) are packed onto nodes with
 *    balanced packing; inside a node, experts are ordered by the group's rank in its pack, then by index
 *    (the "node-local" order that later tie-breaks refer to).
 * 2. Each node's `E/N` experts get `R/N` slots by greedy replication (see replicate.ts).
 * 3. The node's slots (slot load = expert load / replica count, float32) are packed onto the node's `P/N`
 *    GPUs with balanced packing; slot index = node·(R/N) + gpu·(R/P) + rank inside the GPU.
 *
 * Arithmetic is float32 (`Math.fround` after every add and divide), so outputs match the reference bit for
 * bit, with two documented caveats: sorts here are stable (lower index first on equal loads) where torch's
 * sort is not guaranteed stable, and group sums are added left to right where torch may reduce in another
 * order (identical whenever loads are integers whose sums stay below 2^24, e.g. token counts).
 */
import { assertKnownKeys, assertPositiveInt, show } from "../util/validate";
import { PackScratch, packKernel } from "./packing";
import { replicateKernel } from "./replicate";
import { checkLoadMatrix, checkLoadVector } from "./validate";

/** Cluster and replica configuration shared by the EPLB entry points. */
export interface EplbConfig {
  /** Physical expert slots per layer over the whole cluster (R); a multiple of `numGpus`, ≥ numExperts. */
  numReplicas: number;
  /** Expert groups (G) for group-limited routing; the hierarchical policy needs `numExperts % G == 0`. */
  numGroups: number;
  /** Server nodes (N); the policy is hierarchical when `numGroups % numNodes == 0`, else global. */
  numNodes: number;
  /** GPUs (P) over all nodes; a multiple of `numNodes`. */
  numGpus: number;
}

/** Which EPLB policy a configuration uses. */
export type EplbPolicy = "hierarchical" | "global";

/**
 * The policy DeepSeek's EPLB picks: hierarchical when groups split evenly over nodes, else global.
 * @param numGroups expert groups (≥ 1)
 * @param numNodes server nodes (≥ 1)
 * @returns `"hierarchical"` when `numGroups % numNodes == 0`, else `"global"`
 * @throws {TypeError|RangeError} naming the parameter when not a positive integer
 * @example eplbPolicy(8, 4); // "hierarchical"
 */
export function eplbPolicy(numGroups: number, numNodes: number): EplbPolicy {
  assertPositiveInt("numGroups", numGroups);
  assertPositiveInt("numNodes", numNodes);
  return numGroups % numNodes === 0 ? "hierarchical" : "global";
}

/** EPLB output in flat typed arrays (row-major), as produced by {@link rebalanceExpertsFlat}. */
export interface FlatPlacement {
  numLayers: number;
  numExperts: number;
  numReplicas: number;
  /** Largest replica count over all layers and experts (the padded width of `log2phy`). */
  maxReplicas: number;
  policy: EplbPolicy;
  /** `[layers × slots]` expert held by each physical slot. */
  phy2log: Int32Array;
  /** `[layers × slots]` replica rank of each slot (0 = the expert's first copy). */
  phyRank: Int32Array;
  /** `[layers × experts]` replica count of each expert. */
  logcnt: Int32Array;
  /** `[layers × experts × maxReplicas]` slot of each replica rank, −1 padded. */
  log2phy: Int32Array;
}

/** EPLB output as nested arrays (the shape of DeepSeek's `rebalance_experts` return values). */
export interface Placement {
  /** `[layers][slots]` logical expert in each physical slot; slot s is on GPU `floor(s / (R/P))`. */
  phy2log: number[][];
  /** `[layers][experts][maxReplicas]` slots of each expert by replica rank, −1 padded to the largest count over all layers. */
  log2phy: number[][][];
  /** `[layers][experts]` number of replicas of each expert. */
  logcnt: number[][];
  /** `[layers][slots]` replica rank of each slot. */
  phyRank: number[][];
  /** Policy used ("hierarchical" when numGroups % numNodes == 0). */
  policy: EplbPolicy;
}

function checkConfig(numExperts: number, c: EplbConfig): EplbPolicy {
  if (c === null || typeof c !== "object") throw new TypeError(`config must be an object, got ${String(c)}`);
  assertKnownKeys("config", c, ["numReplicas", "numGroups", "numNodes", "numGpus"]);
  const { numReplicas, numGroups, numNodes, numGpus } = c;
  const policy = eplbPolicy(numGroups, numNodes);
  assertPositiveInt("numReplicas", numReplicas);
  assertPositiveInt("numGpus", numGpus);
  if (numGpus % numNodes !== 0) throw new RangeError(`numGpus (${numGpus}) must be divisible by numNodes (${numNodes})`);
  if (numReplicas % numGpus !== 0) throw new RangeError(`numReplicas (${numReplicas}) must be divisible by numGpus (${numGpus})`);
  if (numReplicas < numExperts) {
    throw new RangeError(`numReplicas (${numReplicas}) must be ≥ the number of experts (${numExperts}): every expert needs a slot`);
  }
  if (policy === "hierarchical" && numExperts % numGroups !== 0) {
    throw new RangeError(`number of experts (${numExperts}) must be divisible by numGroups (${numGroups}) for the hierarchical policy`);
  }
  return policy;
}

/**
 * Grow-only scratch reused across calls (module-level), so a warm call allocates only its outputs:
 * short-lived typed arrays are cheap, but their off-heap backing stores add GC pressure when churned.
 */
class Workspace {
  w = new Float64Array(0);
  phy2log = new Int32Array(0);
  phyRank = new Int32Array(0);
  logcnt = new Int32Array(0);
  groupLoad = new Float64Array(0);
  groupPack = new Int32Array(0);
  groupRank = new Int32Array(0);
  mlog2log = new Int32Array(0);
  nodeLoad = new Float64Array(0);
  cnt = new Int32Array(0);
  slotExpert = new Int32Array(0);
  slotReplica = new Int32Array(0);
  slotLoad = new Float64Array(0);
  slotGpu = new Int32Array(0);
  slotRankInGpu = new Int32Array(0);
  s = new PackScratch();

  /** Make room for `L` layers of `E` experts, `R` slots, `G` groups and `N` nodes. */
  ensure(L: number, E: number, R: number, G: number, N: number, P: number): void {
    if (this.w.length < L * E) this.w = new Float64Array(L * E);
    if (this.phy2log.length < L * R) {
      this.phy2log = new Int32Array(L * R);
      this.phyRank = new Int32Array(L * R);
    }
    if (this.logcnt.length < L * E) this.logcnt = new Int32Array(L * E);
    if (this.groupLoad.length < G) {
      this.groupLoad = new Float64Array(G);
      this.groupPack = new Int32Array(G);
      this.groupRank = new Int32Array(G);
    }
    if (this.mlog2log.length < E) {
      this.mlog2log = new Int32Array(E);
      this.nodeLoad = new Float64Array(E);
      this.cnt = new Int32Array(E);
    }
    if (this.slotExpert.length < R) {
      this.slotExpert = new Int32Array(R);
      this.slotReplica = new Int32Array(R);
      this.slotLoad = new Float64Array(R);
      this.slotGpu = new Int32Array(R);
      this.slotRankInGpu = new Int32Array(R);
    }
    this.s.ensure(Math.max(G, R), Math.max(N, P, E));
  }
}

const shared = new Workspace();

/**
 * Core: `ws.w` holds float32 loads (no −0), row-major `[layers × experts]`; config already checked.
 * Writes `phy2log`, `phyRank` (`[L × R]`) and `logcnt` (`[L × E]`); returns the largest replica count.
 */
function rebalanceCore(
  ws: Workspace,
  L: number,
  E: number,
  c: EplbConfig,
  policy: EplbPolicy,
  phy2log: Int32Array,
  phyRank: Int32Array,
  logcnt: Int32Array,
): number {
  const R = c.numReplicas;
  const P = c.numGpus;
  const G = policy === "hierarchical" ? c.numGroups : 1;
  const N = policy === "hierarchical" ? c.numNodes : 1;
  const groupSize = E / G;
  const groupsPerNode = G / N;
  const expertsPerNode = E / N;
  const slotsPerNode = R / N;
  const gpusPerNode = P / N;
  const slotsPerGpu = R / P;
  const { w, s, groupLoad, groupPack, groupRank, nodeLoad, cnt, slotExpert, slotReplica, slotLoad, slotGpu, slotRankInGpu } = ws;
  const mlog2log = ws.mlog2log; // node-local order → logical expert
  let maxReplicas = 1;

  for (let l = 0; l < L; l++) {
    const base = l * E;
    // Step 1: groups → nodes.
    for (let g = 0; g < G; g++) {
      let sum = 0;
      const start = base + g * groupSize;
      for (let j = 0; j < groupSize; j++) sum = Math.fround(sum + w[start + j]);
      groupLoad[g] = sum;
    }
    packKernel(groupLoad, 0, G, N, groupPack, groupRank, 0, s);
    for (let g = 0; g < G; g++) {
      const to = (groupPack[g] * groupsPerNode + groupRank[g]) * groupSize;
      const from = g * groupSize;
      for (let j = 0; j < groupSize; j++) mlog2log[to + j] = from + j;
    }
    for (let n = 0; n < N; n++) {
      const nodeBase = n * expertsPerNode;
      // Step 2: replicate the node's experts into its slots.
      for (let i = 0; i < expertsPerNode; i++) nodeLoad[i] = w[base + mlog2log[nodeBase + i]];
      replicateKernel(nodeLoad, 0, expertsPerNode, slotsPerNode, slotExpert, slotReplica, 0, cnt, 0, s);
      // Step 3: slots → the node's GPUs.
      for (let k = 0; k < slotsPerNode; k++) {
        const m = slotExpert[k];
        slotLoad[k] = Math.fround(nodeLoad[m] / cnt[m]);
      }
      packKernel(slotLoad, 0, slotsPerNode, gpusPerNode, slotGpu, slotRankInGpu, 0, s);
      const out = l * R + n * slotsPerNode;
      for (let k = 0; k < slotsPerNode; k++) {
        const slot = out + slotGpu[k] * slotsPerGpu + slotRankInGpu[k];
        phy2log[slot] = mlog2log[nodeBase + slotExpert[k]];
        phyRank[slot] = slotReplica[k];
      }
      for (let i = 0; i < expertsPerNode; i++) {
        const ci = cnt[i];
        logcnt[base + mlog2log[nodeBase + i]] = ci;
        if (ci > maxReplicas) maxReplicas = ci;
      }
    }
  }
  return maxReplicas;
}

/**
 * EPLB on a flat row-major load matrix (typed-array fast path; no nested arrays in or out).
 * @param weight `[layers × experts]` load of each logical expert (tokens, finite, ≥ 0), row-major
 * @param numLayers number of MoE layers (rows); must divide `weight.length`
 * @param config replicas, groups, nodes and GPUs (see {@link EplbConfig})
 * @returns flat `phy2log`, `phyRank`, `logcnt`, `log2phy` (see {@link FlatPlacement})
 * @throws {TypeError|RangeError} naming the bad parameter and value (see {@link rebalanceExperts})
 * @example
 * const p = rebalanceExpertsFlat(new Float32Array([3, 1, 2, 2]), 1, { numReplicas: 4, numGroups: 1, numNodes: 1, numGpus: 2 });
 * Array.from(p.phy2log); // [0, 1, 2, 3]: GPU 0 gets experts 0 and 1 (load 4), GPU 1 gets 2 and 3 (load 4)
 */
export function rebalanceExpertsFlat(weight: ArrayLike<number>, numLayers: number, config: EplbConfig): FlatPlacement {
  const total = checkLoadVector("weight", weight);
  assertPositiveInt("numLayers", numLayers);
  if (total % numLayers !== 0) throw new RangeError(`weight.length (${total}) must be divisible by numLayers (${numLayers})`);
  const L = numLayers;
  const E = total / L;
  const policy = checkConfig(E, config);
  const R = config.numReplicas;
  shared.ensure(L, E, R, config.numGroups, config.numNodes, config.numGpus);
  const w = shared.w;
  for (let i = 0; i < total; i++) w[i] = Math.fround(weight[i]) + 0;
  const phy2log = new Int32Array(L * R);
  const phyRank = new Int32Array(L * R);
  const logcnt = new Int32Array(L * E);
  const maxReplicas = rebalanceCore(shared, L, E, config, policy, phy2log, phyRank, logcnt);
  const log2phy = new Int32Array(L * E * maxReplicas).fill(-1);
  for (let l = 0; l < L; l++) {
    for (let k = 0; k < R; k++) {
      const i = l * R + k;
      log2phy[(l * E + phy2log[i]) * maxReplicas + phyRank[i]] = k;
    }
  }
  return { numLayers: L, numExperts: E, numReplicas: R, maxReplicas, policy, phy2log, phyRank, logcnt, log2phy };
}

/**
 * DeepSeek's EPLB: replicate and place each layer's experts on GPUs so GPU loads are balanced.
 *
 * Slot s (0 ≤ s < numReplicas) lives on GPU `floor(s / (numReplicas/numGpus))` and node
 * `floor(s / (numReplicas/numNodes))`. Policy: hierarchical when `numGroups % numNodes == 0`
 * (groups packed onto nodes, replicas made inside nodes, so a group's experts stay on one node), otherwise
 * global (numGroups ignored). Arithmetic is float32 and sorts are stable; see the file comment for how this
 * matches the reference bit for bit.
 *
 * Preconditions (each a RangeError/TypeError naming the value): a non-empty rectangular matrix of finite
 * loads ≥ 0; positive integers; `numGpus % numNodes == 0`; `numReplicas % numGpus == 0`;
 * `numReplicas ≥ numExperts`; hierarchical only: `numExperts % numGroups == 0`.
 * (The reference skips the `numGpus % numNodes` check for the global policy; a cluster needs it anyway.)
 *
 * @param weight `[layers][experts]` load of each logical expert (tokens, finite, ≥ 0); not modified
 * @param numReplicas physical expert slots per layer (R)
 * @param numGroups expert groups (G)
 * @param numNodes server nodes (N)
 * @param numGpus GPUs (P)
 * @returns `{ phy2log [layers][R], log2phy [layers][experts][maxReplicas] (−1 padded), logcnt [layers][experts], phyRank, policy }`
 * @throws {TypeError|RangeError} for any violated precondition
 * @example
 * const w = [[90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
 *            [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27]];
 * rebalanceExperts(w, 16, 4, 2, 8).phy2log[0]; // [5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1]
 */
export function rebalanceExperts(
  weight: ArrayLike<ArrayLike<number>>,
  numReplicas: number,
  numGroups: number,
  numNodes: number,
  numGpus: number,
): Placement {
  const [L, E] = checkLoadMatrix("weight", weight);
  const config: EplbConfig = { numReplicas, numGroups, numNodes, numGpus };
  const policy = checkConfig(E, config);
  const R = numReplicas;
  shared.ensure(L, E, R, numGroups, numNodes, numGpus);
  const w = shared.w;
  for (let l = 0; l < L; l++) {
    const row = weight[l];
    const base = l * E;
    for (let e = 0; e < E; e++) w[base + e] = Math.fround(row[e]) + 0;
  }
  const { phy2log: f2l, phyRank: fr, logcnt: fc } = shared;
  const X = rebalanceCore(shared, L, E, config, policy, f2l, fr, fc);
  const phy2log = new Array<number[]>(L);
  const phyRank = new Array<number[]>(L);
  const logcnt = new Array<number[]>(L);
  const log2phy = new Array<number[][]>(L);
  const padding: number[] = [];
  for (let x = 0; x < X; x++) padding.push(-1);
  for (let l = 0; l < L; l++) {
    phy2log[l] = rowOf(f2l, l * R, R);
    phyRank[l] = rowOf(fr, l * R, R);
    logcnt[l] = rowOf(fc, l * E, E);
    const rows = new Array<number[]>(E);
    for (let e = 0; e < E; e++) rows[e] = minusOnes(X, -1, padding);
    for (let k = 0; k < R; k++) rows[f2l[l * R + k]][fr[l * R + k]] = k;
    log2phy[l] = rows;
  }
  return { phy2log, log2phy, logcnt, phyRank, policy };
}

/**
 * A fresh array of `X` copies of `m` (−1). Array literals are allocated inline by the optimizing compiler,
 * several times faster than copying a template, which matters for the `layers × experts` rows of log2phy;
 * `m` is a parameter, not a constant, so the literal is not a copy-on-write boilerplate that the writes
 * into it would have to copy again.
 */
function minusOnes(X: number, m: number, template: number[]): number[] {
  switch (X) {
    case 1: return [m];
    case 2: return [m, m];
    case 3: return [m, m, m];
    case 4: return [m, m, m, m];
    case 5: return [m, m, m, m, m];
    case 6: return [m, m, m, m, m, m];
    case 7: return [m, m, m, m, m, m, m];
    case 8: return [m, m, m, m, m, m, m, m];
    default: return template.slice();
  }
}

/** A plain array copy of `src[off..off+n)` (pre-sized: faster than growing by push). */
function rowOf(src: Int32Array, off: number, n: number): number[] {
  const row = new Array<number>(n);
  for (let i = 0; i < n; i++) row[i] = src[off + i];
  return row;
}

/**
 * Convert a {@link FlatPlacement} to nested arrays.
 * @param flat output of {@link rebalanceExpertsFlat}; not mutated
 * @returns the same placement as `number[][]` / `number[][][]`
 * @throws {TypeError} when `flat` or one of its arrays has the wrong type; {RangeError} when a size is not a
 *   positive integer or an array's length does not match the sizes (each naming the field and value)
 * @example toNested(rebalanceExpertsFlat([1, 1], 1, { numReplicas: 2, numGroups: 1, numNodes: 1, numGpus: 2 })).phy2log; // [[0, 1]]
 */
export function toNested(flat: FlatPlacement): Placement {
  if (flat === null || typeof flat !== "object" || !(flat.phy2log instanceof Int32Array) || !(flat.log2phy instanceof Int32Array)) {
    throw new TypeError(`flat must be a FlatPlacement (from rebalanceExpertsFlat), got ${show(flat)}`);
  }
  const { numLayers: L, numExperts: E, numReplicas: R, maxReplicas: X } = flat;
  assertPositiveInt("flat.numLayers", L);
  assertPositiveInt("flat.numExperts", E);
  assertPositiveInt("flat.numReplicas", R);
  assertPositiveInt("flat.maxReplicas", X);
  const expected: [keyof FlatPlacement, number, string][] = [
    ["phy2log", L * R, "numLayers × numReplicas"],
    ["phyRank", L * R, "numLayers × numReplicas"],
    ["logcnt", L * E, "numLayers × numExperts"],
    ["log2phy", L * E * X, "numLayers × numExperts × maxReplicas"],
  ];
  for (const [field, length, what] of expected) {
    const arr = flat[field];
    if (!(arr instanceof Int32Array)) throw new TypeError(`flat.${field} must be an Int32Array, got ${show(arr)}`);
    if (arr.length !== length) throw new RangeError(`flat.${field} must have ${what} = ${length} entries, got ${arr.length}`);
  }
  const phy2log = new Array<number[]>(L);
  const phyRank = new Array<number[]>(L);
  const logcnt = new Array<number[]>(L);
  const log2phy = new Array<number[][]>(L);
  const f2l = flat.phy2log;
  const fr = flat.phyRank;
  const fc = flat.logcnt;
  const fl = flat.log2phy;
  for (let l = 0; l < L; l++) {
    phy2log[l] = rowOf(f2l, l * R, R);
    phyRank[l] = rowOf(fr, l * R, R);
    logcnt[l] = rowOf(fc, l * E, E);
    const rows = new Array<number[]>(E);
    for (let e = 0; e < E; e++) rows[e] = rowOf(fl, (l * E + e) * X, X);
    log2phy[l] = rows;
  }
  return { phy2log, log2phy, logcnt, phyRank, policy: flat.policy };
}
