/**
 * Expert-parallel (EP) forward pass of the MoE layer over `epSize` virtual ranks.
 *
 * Placement: `phy2log[slot]` is the logical expert held by physical slot `slot`; slots are split evenly and
 * contiguously over ranks (`rank = floor(slot / slotsPerRank)`), the layout EPLB (`rebalanceExperts`) returns.
 * An expert may have several slots (replicas); every expert needs at least one.
 *
 * Token home: the tokens of a batch start spread over the ranks in contiguous blocks (data-parallel attention):
 * token t lives on rank `floor(t · epSize / numTokens)`.
 *
 * Steps, as on a real cluster:
 * 1. dispatch — each routed (token, k) pair picks a replica of its expert by the replica rule and is sent from
 *    the token's home rank to the replica's rank; every rank's receive buffer is grouped by local slot;
 * 2. grouped expert computation — per rank, the rows of one slot are packed into one SwiGLU (three matmuls);
 * 3. combine — outputs return to the (token, k) position and are summed with the routing weights in k order.
 *
 * Replica rules are the routing library's (`ReplicaRule` in src/routing, the same rules its `dispatchStats`
 * accounts with), applied to pairs in (token, k) order:
 * - `"round-robin"`: each source rank cycles over the expert's replicas in slot order, rank r starting at
 *   replica r mod count;
 * - `"local-first"`: a replica on the token's own rank if any, else on its node, else any (round-robin within
 *   the chosen tier);
 * - `"least-loaded"`: the replica whose rank has been given the fewest pairs so far (ties → lower slot).
 * The tests check that the resulting counts and traffic equal `dispatchStats` exactly.
 */
import type * as tfc from "@tensorflow/tfjs-core";
import { assertNonNegative, assertNonNegativeInt, assertOneOf, assertPositiveInt, show } from "../util/validate";
import { createRng } from "../util/rng";
import { assignReplicas, REPLICA_RULES, type ReplicaRule, type RoutingResult } from "../routing";
import { rebalanceExperts } from "../eplb";
import { currentBackend, getTf } from "./backend";
import {
  assertLayer,
  checkHidden,
  checkRouting,
  combineExpertOutputs,
  createMoeLayer,
  gateForward,
  inversePermutation,
  moeReferenceForward,
  randomHidden,
  swigluForward,
  type MoeForwardResult,
  type MoeLayer,
} from "./moe-layer";

/** Options of {@link planDispatch} and {@link moeEpForward}. */
export interface EpOptions {
  /** Logical expert of each physical slot `[slots]` (one layer of EPLB's `phy2log`); length divisible by epSize. */
  phy2log: ArrayLike<number>;
  /** Number of (virtual) EP ranks. */
  epSize: number;
  /** Nodes the ranks are grouped into (contiguously; used by `"local-first"`); must divide epSize. Default 1. */
  numNodes?: number;
  /** How a replicated expert's replica is chosen (the routing library's `ReplicaRule`). Default `"round-robin"`. */
  replicaRule?: ReplicaRule;
}

/** Where every routed (token, k) pair goes, and the resulting counts. */
export interface DispatchPlan {
  numTokens: number;
  numExperts: number;
  topK: number;
  epSize: number;
  numNodes: number;
  numSlots: number;
  slotsPerRank: number;
  replicaRule: ReplicaRule;
  /** Physical slot chosen for each pair `[tokens][topK]`. */
  slotOf: Int32Array;
  /** Destination rank of each pair `[tokens][topK]`. */
  rankOf: Int32Array;
  /** Home rank of each token `[tokens]`. */
  sourceRank: Int32Array;
  /** Pairs computed by each slot `[slots]`. */
  tokensPerSlot: Int32Array;
  /** Pairs computed on each rank `[epSize]` (its grouped-GEMM rows). */
  tokensPerRank: Int32Array;
  /** Pairs routed to each logical expert `[experts]` (= the router's tokensPerExpert). */
  tokensPerExpert: Int32Array;
  /** Slots with at least one row on each rank `[epSize]` (number of matmul groups). */
  activeSlotsPerRank: Int32Array;
  /** Distinct tokens sent from rank src to rank dst `[src][dst]` (a token needing two experts on one rank is sent once, as DeepEP does; diagonal = stays local). */
  trafficTokens: number[][];
  /** (token, expert) pairs from src computed on dst `[src][dst]`. */
  trafficCopies: number[][];
  /** Row order of the ranks' receive buffers: pair indices (t·topK+k), rank by rank, slot by slot. */
  rowOrder: Int32Array;
  /** Start of each slot's rows in `rowOrder` `[slots + 1]`. */
  slotRowStart: Int32Array;
}

/** Result of {@link moeEpForward}: output, routing and the dispatch plan it executed. */
export interface EpForwardResult extends MoeForwardResult {
  plan: DispatchPlan;
}

/**
 * Plan the dispatch of routed tokens over EP ranks (pure; no tensors).
 *
 * @param routing `indices [tokens][topK]` from the router (weights unused)
 * @param options placement `phy2log`, `epSize`, `replicaRule` (see {@link EpOptions})
 * @returns per-pair slot and rank, per-slot/rank/expert counts and the rank→rank traffic matrices
 * @throws {TypeError|RangeError} naming the field: epSize or numNodes not a positive integer, epSize not
 *   divisible by numNodes, phy2log empty / not integers in [0, numExperts) / length not divisible by epSize /
 *   missing an expert, unknown replicaRule, routing indices out of range
 * @example
 * const routing = { numTokens: 2, numExperts: 4, topK: 2, indices: Int32Array.from([0, 1, 2, 3]) };
 * const plan = planDispatch(routing, { phy2log: [0, 1, 2, 3, 0, 1], epSize: 2, replicaRule: "least-loaded" });
 * plan.tokensPerRank; // Int32Array [pairs on rank 0, pairs on rank 1], summing to 4
 */
export function planDispatch(
  routing: Pick<RoutingResult, "numTokens" | "numExperts" | "topK" | "indices">,
  options: EpOptions,
): DispatchPlan {
  if (routing === null || typeof routing !== "object") throw new TypeError(`routing must be a RoutingResult, got ${show(routing)}`);
  const { numTokens, numExperts, topK, indices } = routing;
  assertPositiveInt("routing.numTokens", numTokens);
  assertPositiveInt("routing.numExperts", numExperts);
  assertPositiveInt("routing.topK", topK);
  if (!(indices instanceof Int32Array) || indices.length !== numTokens * topK) {
    throw new RangeError(`routing.indices must be an Int32Array of length tokens·topK = ${numTokens * topK}, got ${show(indices)}`);
  }
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const { epSize, phy2log } = options;
  assertPositiveInt("epSize", epSize);
  const numNodes = options.numNodes ?? 1;
  assertPositiveInt("numNodes", numNodes);
  if (epSize % numNodes !== 0) throw new RangeError(`epSize (${epSize}) must be divisible by numNodes (${numNodes})`);
  const replicaRule = options.replicaRule ?? "round-robin";
  assertOneOf("replicaRule", replicaRule, REPLICA_RULES);
  if (!Array.isArray(phy2log) && !ArrayBuffer.isView(phy2log)) throw new TypeError(`phy2log must be an array, got ${show(phy2log)}`);
  const numSlots = phy2log.length;
  if (numSlots === 0) throw new RangeError("phy2log must not be empty");
  if (numSlots % epSize !== 0) throw new RangeError(`phy2log.length (${numSlots}) must be divisible by epSize (${epSize})`);
  const slotsPerRank = numSlots / epSize;
  const hasSlot = new Uint8Array(numExperts);
  for (let s = 0; s < numSlots; s++) {
    const e = phy2log[s];
    if (typeof e !== "number" || !Number.isInteger(e) || e < 0 || e >= numExperts) {
      const hint = Array.isArray(e) || ArrayBuffer.isView(e) ? " (pass one layer's placement, e.g. rebalanceExperts(...).phy2log[layer])" : "";
      throw new RangeError(`phy2log[${s}] must be an integer expert id in [0, ${numExperts}), got ${show(e)}${hint}`);
    }
    hasSlot[e] = 1;
  }
  const missing = hasSlot.indexOf(0);
  if (missing >= 0) throw new RangeError(`phy2log has no slot for expert ${missing}: every expert needs at least one replica`);
  for (let p = 0; p < indices.length; p++) {
    if (!(indices[p] >= 0 && indices[p] < numExperts)) throw new RangeError(`routing.indices[${p}] must be in [0, ${numExperts}), got ${indices[p]}`);
  }
  // The replica choice is the routing library's (one implementation of the rules for the whole kit).
  const { slotOf, sourceRank } = assignReplicas(routing, { phy2log, numGpus: epSize, numNodes, replicaRule });

  const n = numTokens * topK;
  const rankOf = new Int32Array(n);
  const tokensPerSlot = new Int32Array(numSlots);
  const tokensPerRank = new Int32Array(epSize);
  const tokensPerExpert = new Int32Array(numExperts);
  const trafficTokens = Array.from({ length: epSize }, () => new Array<number>(epSize).fill(0));
  const trafficCopies = Array.from({ length: epSize }, () => new Array<number>(epSize).fill(0));
  const sentTo = new Int32Array(epSize).fill(-1); // last token sent to each rank
  for (let t = 0; t < numTokens; t++) {
    const src = sourceRank[t];
    for (let k = 0; k < topK; k++) {
      const p = t * topK + k;
      const slot = slotOf[p];
      const dst = Math.floor(slot / slotsPerRank);
      rankOf[p] = dst;
      tokensPerSlot[slot]++;
      tokensPerRank[dst]++;
      tokensPerExpert[indices[p]]++;
      trafficCopies[src][dst]++;
      if (sentTo[dst] !== t) {
        sentTo[dst] = t;
        trafficTokens[src][dst]++;
      }
    }
  }

  // Receive buffers grouped by slot (slot order = rank order, then local slot), rows in (token, k) order.
  const slotRowStart = new Int32Array(numSlots + 1);
  for (let s = 0; s < numSlots; s++) slotRowStart[s + 1] = slotRowStart[s] + tokensPerSlot[s];
  const fill = slotRowStart.slice(0, numSlots);
  const rowOrder = new Int32Array(n);
  for (let p = 0; p < n; p++) rowOrder[fill[slotOf[p]]++] = p;
  const activeSlotsPerRank = new Int32Array(epSize);
  for (let s = 0; s < numSlots; s++) if (tokensPerSlot[s] > 0) activeSlotsPerRank[Math.floor(s / slotsPerRank)]++;

  return {
    numTokens,
    numExperts,
    topK,
    epSize,
    numNodes,
    numSlots,
    slotsPerRank,
    replicaRule,
    slotOf,
    rankOf,
    sourceRank,
    tokensPerSlot,
    tokensPerRank,
    tokensPerExpert,
    activeSlotsPerRank,
    trafficTokens,
    trafficCopies,
    rowOrder,
    slotRowStart,
  };
}

/**
 * Expert-parallel forward pass: dispatch → per-rank grouped SwiGLU (one packed matmul chain per active slot)
 * → combine in original token order. The shared expert (if any) runs on each rank for its home tokens.
 *
 * Equals {@link moeReferenceForward} for the same routing: on the cpu and wasm backends bit for bit (each
 * output row of a matmul depends only on its own input row, and the combine adds in the same k order); on
 * native/GPU backends, where a matmul's algorithm may change with its row count, within float32 rounding.
 *
 * @param layer the MoE layer
 * @param x hidden states `Float32Array [tokens][hiddenSize]`
 * @param options placement, epSize, replica rule and optional precomputed `routing` (default: the gate)
 * @returns output `[tokens][hiddenSize]`, routing, and the executed {@link DispatchPlan}
 * @throws {TypeError|RangeError} on a bad layer, x, routing or placement (see {@link planDispatch})
 * @example
 * await loadBackend();
 * const layer = createMoeLayer({ hiddenSize: 32, expertFfnSize: 64, numExperts: 8, topK: 2, seed: 1 });
 * const x = randomHidden(16, 32, 7);
 * const ep = moeEpForward(layer, x, { phy2log: [0, 1, 2, 3, 4, 5, 6, 7], epSize: 4 });
 * ep.plan.tokensPerRank; ep.plan.trafficTokens; // [src][dst] tokens dispatched
 * ep.output.every((v, i) => v === moeReferenceForward(layer, x).output[i]); // true on wasm and cpu
 */
export function moeEpForward(layer: MoeLayer, x: Float32Array, options: EpOptions & { routing?: RoutingResult }): EpForwardResult {
  assertLayer(layer);
  const numTokens = checkHidden(x, layer.hiddenSize);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const routing = options.routing ?? gateForward(layer, x);
  checkRouting(routing, layer, numTokens);
  const plan = planDispatch(routing, options);
  const { topK, hiddenSize } = layer;
  const tf = getTf();
  const phy2log = options.phy2log;
  const output = tf.tidy(() => {
    const xt = tf.tensor2d(x, [numTokens, hiddenSize]);
    const rankOutputs: tfc.Tensor2D[] = [];
    for (let r = 0; r < plan.epSize; r++) {
      const s0 = r * plan.slotsPerRank;
      const s1 = s0 + plan.slotsPerRank;
      const begin = plan.slotRowStart[s0];
      const end = plan.slotRowStart[s1];
      if (end === begin) continue;
      // Dispatch: the rank's receive buffer, grouped by local slot.
      const tokenIds = Int32Array.from(plan.rowOrder.subarray(begin, end), (p) => Math.floor(p / topK));
      const recv = tf.gather(xt, tf.tensor1d(tokenIds, "int32")) as tfc.Tensor2D;
      for (let s = s0; s < s1; s++) {
        const rows = plan.slotRowStart[s + 1] - plan.slotRowStart[s];
        if (rows === 0) continue;
        const xs = tf.slice(recv, [plan.slotRowStart[s] - begin, 0], [rows, hiddenSize]) as tfc.Tensor2D;
        rankOutputs.push(swigluForward(tf, xs, layer.experts[phy2log[s]]));
      }
    }
    // Combine: send rows back to their (token, k) position.
    const packed = rankOutputs.length === 1 ? rankOutputs[0] : (tf.concat(rankOutputs, 0) as tfc.Tensor2D);
    const y = tf.gather(packed, tf.tensor1d(inversePermutation(plan.rowOrder), "int32")) as tfc.Tensor2D;
    let sharedOut: tfc.Tensor2D | null = null;
    if (layer.shared) {
      const parts: tfc.Tensor2D[] = [];
      let t0 = 0;
      for (let r = 0; r < plan.epSize; r++) {
        let t1 = t0;
        while (t1 < numTokens && plan.sourceRank[t1] === r) t1++;
        if (t1 > t0) parts.push(swigluForward(tf, tf.slice(xt, [t0, 0], [t1 - t0, hiddenSize]) as tfc.Tensor2D, layer.shared));
        t0 = t1;
      }
      sharedOut = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tfc.Tensor2D);
    }
    return combineExpertOutputs(tf, y, routing.weights, numTokens, topK, hiddenSize, sharedOut).dataSync() as Float32Array;
  });
  return { output: Float32Array.from(output), routing, plan };
}

/** Options of {@link epEquivalenceDemo}; every field is optional. */
export interface EpDemoOptions {
  /** Model width, elements. Default 64. */
  hiddenSize?: number;
  /** Routed expert FFN width, elements. Default 128. */
  expertFfnSize?: number;
  /** Routed experts. Default 16. */
  numExperts?: number;
  /** Experts per token. Default 4. */
  topK?: number;
  /** Shared expert FFN width (0 = none). Default 128. */
  sharedExpertFfnSize?: number;
  /** Tokens in the batch. Default 128. */
  numTokens?: number;
  /** EP ranks. Default 4. */
  epSize?: number;
  /** Physical slots for the EPLB placement (≥ numExperts, divisible by epSize). Default numExperts + epSize (one redundant expert per rank). */
  numReplicas?: number;
  /**
   * How unevenly the router favours experts: a selection bias `skew · 0.05 · (1 − e / numExperts)` is added to
   * expert e's softmax score (it changes which experts are picked, not their weights). 0 = no preference. Default 2
   * (the first experts then get about twice the tokens of the last ones).
   */
  skew?: number;
  /** Seed for weights, tokens and the random placement. Default 0. */
  seed?: number;
}

/** One (placement, replica rule) run of {@link epEquivalenceDemo}. */
export interface EpDemoRow {
  /** `"contiguous"`, `"random permutation"` or `"EPLB (+N replicas)"`. */
  placement: string;
  replicaRule: ReplicaRule;
  /** The placement used `[slots]`. */
  phy2log: number[];
  /** (token, expert) pairs computed per rank `[epSize]`. */
  tokensPerRank: number[];
  /** max / mean of tokensPerRank (1 = perfectly balanced). */
  maxOverMean: number;
  /** Tokens sent to another rank (off-diagonal sum of the dispatch traffic matrix). */
  crossRankTokens: number;
  /** Largest |EP output − reference output| over all elements. */
  maxAbsDiff: number;
  /** True when every output element equals the reference bit for bit. */
  bitIdentical: boolean;
}

/** Result of {@link epEquivalenceDemo}. */
export interface EpDemoResult {
  /** Backend the demo ran on. */
  backend: string;
  /** Pairs routed to each expert `[experts]` in this batch. */
  tokensPerExpert: number[];
  rows: EpDemoRow[];
  /** One sentence for the notebook. */
  summary: string;
}

/**
 * One-call demo of claim (a): placement and replication never change a token's output. Builds a seeded SwiGLU
 * MoE layer, routes a random batch (with a skewed router so EPLB has hot experts to replicate), runs the
 * reference forward pass once and the expert-parallel pass for contiguous, random and EPLB placements under
 * every replica rule, and reports balance, cross-rank traffic and the difference from the reference.
 * Frees every tensor it creates.
 *
 * @param options sizes, skew and seed ({@link EpDemoOptions}); all optional
 * @returns one row per (placement, rule), the batch's tokens per expert and a summary sentence
 * @throws {TypeError|RangeError} naming the option on invalid sizes (see createMoeLayer, planDispatch and
 *   rebalanceExperts), a negative/NaN skew or a seed that is not an integer in [0, 2^32 − 3]; {Error} when the
 *   backend is not loaded
 * @example
 * await loadBackend();
 * const demo = epEquivalenceDemo({ epSize: 4 });
 * demo.rows.every((r) => r.bitIdentical); // true on wasm and cpu
 */
export function epEquivalenceDemo(options: EpDemoOptions = {}): EpDemoResult {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const numExperts = options.numExperts ?? 16;
  const epSize = options.epSize ?? 4;
  const numTokens = options.numTokens ?? 128;
  const skew = options.skew ?? 2;
  const seed = options.seed ?? 0;
  assertPositiveInt("numExperts", numExperts);
  assertPositiveInt("epSize", epSize);
  assertPositiveInt("numTokens", numTokens);
  assertNonNegative("skew", skew);
  assertNonNegativeInt("seed", seed);
  if (seed > 0xffffffff - 2) throw new RangeError(`seed must be ≤ 2^32 − 3 (the demo also seeds with seed + 1 and seed + 2), got ${seed}`);
  const numReplicas = options.numReplicas ?? numExperts + epSize;
  assertPositiveInt("numReplicas", numReplicas);
  if (numExperts % epSize !== 0) throw new RangeError(`numExperts (${numExperts}) must be divisible by epSize (${epSize}) for the contiguous placement`);
  const bias = new Float32Array(numExperts);
  for (let e = 0; e < numExperts; e++) bias[e] = skew * 0.05 * (1 - e / numExperts);
  const layer = createMoeLayer({
    hiddenSize: options.hiddenSize ?? 64,
    expertFfnSize: options.expertFfnSize ?? 128,
    numExperts,
    topK: options.topK ?? 4,
    sharedExpertFfnSize: options.sharedExpertFfnSize ?? 128,
    seed,
    router: { bias },
  });
  try {
    const x = randomHidden(numTokens, layer.hiddenSize, seed + 1);
    const ref = moeReferenceForward(layer, x);
    const load = new Array<number>(numExperts).fill(0);
    for (let i = 0; i < ref.routing.indices.length; i++) load[ref.routing.indices[i]]++;
    const rng = createRng(seed + 2);
    const perm = Array.from({ length: numExperts }, (_, e) => e);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const eplb = rebalanceExperts([load], numReplicas, 1, 1, epSize).phy2log[0];
    const placements: [string, number[]][] = [
      ["contiguous", Array.from({ length: numExperts }, (_, e) => e)],
      ["random permutation", perm],
      [`EPLB (+${numReplicas - numExperts} replicas)`, eplb],
    ];
    const rows: EpDemoRow[] = [];
    for (const [name, phy2log] of placements) {
      for (const rule of REPLICA_RULES) {
        const ep = moeEpForward(layer, x, { phy2log, epSize, replicaRule: rule, routing: ref.routing });
        let maxAbsDiff = 0;
        let identical = true;
        for (let i = 0; i < x.length; i++) {
          const d = Math.abs(ep.output[i] - ref.output[i]);
          if (d > maxAbsDiff) maxAbsDiff = d;
          if (!Object.is(ep.output[i], ref.output[i])) identical = false;
        }
        const perRank = Array.from(ep.plan.tokensPerRank);
        const mean = perRank.reduce((a, b) => a + b, 0) / epSize;
        let cross = 0;
        ep.plan.trafficTokens.forEach((row, s) => row.forEach((v, d) => (cross += s === d ? 0 : v)));
        rows.push({
          placement: name,
          replicaRule: rule,
          phy2log: phy2log.slice(),
          tokensPerRank: perRank,
          maxOverMean: Math.max(...perRank) / mean,
          crossRankTokens: cross,
          maxAbsDiff,
          bitIdentical: identical,
        });
      }
    }
    const allSame = rows.every((r) => r.bitIdentical);
    const worst = Math.max(...rows.map((r) => r.maxAbsDiff));
    const backend = currentBackend()?.name ?? "unknown";
    const summary =
      `On the ${backend} backend, ${rows.length} expert-parallel runs (${placements.length} placements × ${REPLICA_RULES.length} replica rules, ` +
      `${epSize} ranks, ${numTokens} tokens, top-${layer.topK} of ${numExperts} experts) ` +
      (allSame
        ? "reproduced the single-device output bit for bit: placement and replication moved tokens, never changed them."
        : `matched the single-device output to within ${worst.toExponential(2)} (float32 rounding): placement and replication moved tokens, never changed them.`);
    return { backend, tokensPerExpert: load, rows, summary };
  } finally {
    layer.dispose();
  }
}
