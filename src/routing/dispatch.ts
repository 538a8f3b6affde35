/**
 * Dispatch accounting: given routing decisions and a placement of experts on GPUs (one MoE layer),
 * how many tokens each expert / GPU / node computes, and how many tokens the all-to-all dispatch
 * moves between ranks (split local / intra-node / inter-node).
 *
 * Placement convention (the same as DeepSeek's EPLB output, `phy2log[layer][slot]`): physical slot
 * `s` lives on GPU `floor(s / (numSlots / numGpus))`, and GPU `p` on node `floor(p / (numGpus / numNodes))`.
 *
 * Token origin: the batch is split evenly over the ranks in contiguous blocks, token `t` starts on
 * rank `floor(t · numGpus / numTokens)` (block sizes differ by at most one token). This models data-
 * parallel attention feeding expert-parallel MoE, where each rank holds its own slice of the batch.
 *
 * Traffic counts tokens, not bytes (multiply by hidden size × bytes per element for bytes). A token
 * that needs several experts on the same destination GPU is sent there once (`trafficTokens`), as
 * DeepEP-style dispatch does; `trafficCopies` counts every (token, expert) pair instead.
 */
import { assertKnownKeys, assertOneOf, assertPositiveInt, show } from "../util/validate";
import { assertInt32Rows } from "./checks";
import { loadStats, type LoadStats } from "./load";

/** How a token picks among the replicas of a replicated expert. */
export type ReplicaRule = "round-robin" | "local-first" | "least-loaded";

/** The allowed {@link ReplicaRule}s. */
export const REPLICA_RULES: readonly ReplicaRule[] = Object.freeze(["round-robin", "local-first", "least-loaded"] as ReplicaRule[]);

/** Where the experts of one layer live. */
export interface DispatchPlacement {
  /** `[slots]`: logical expert held by each physical slot (e.g. `rebalanceExperts(...).phy2log[layer]`); every expert needs ≥ 1 slot. */
  phy2log: ArrayLike<number>;
  /** GPUs (EP ranks), ≥ 1; must divide the slot count. */
  numGpus: number;
  /** Nodes, ≥ 1; must divide numGpus. Default 1. */
  numNodes?: number;
  /**
   * Replica choice, default `"round-robin"`:
   * - `"round-robin"`: each source rank cycles over the expert's replicas (in slot order), rank r
   *   starting at replica r mod count, so ranks spread their requests;
   * - `"local-first"`: a replica on the token's own GPU if any, else one on its node (round-robin among
   *   those), else round-robin over all replicas;
   * - `"least-loaded"`: the replica whose GPU has been given the fewest (token, expert) pairs so far
   *   (tokens in order; ties → lower slot).
   */
  replicaRule?: ReplicaRule;
}

/** The routing fields {@link dispatchStats} reads (a `RoutingResult` fits). */
export interface RoutingIndices {
  numTokens: number;
  numExperts: number;
  topK: number;
  /** `[tokens][topK]` expert ids. */
  indices: Int32Array;
}

/** Result of {@link dispatchStats}. All counts are tokens (or token–expert pairs where stated). */
export interface DispatchStats {
  numGpus: number;
  numNodes: number;
  numSlots: number;
  /** Slots per GPU (numSlots / numGpus). */
  slotsPerGpu: number;
  /** GPUs per node (numGpus / numNodes). */
  gpusPerNode: number;
  /** `[experts]` (token, expert) pairs per logical expert (= countExpertLoad). */
  tokensPerExpert: Int32Array;
  /** `[slots]` pairs computed by each physical slot (replica). */
  tokensPerSlot: Int32Array;
  /** `[gpus]` pairs computed by each GPU (its expert compute load). */
  tokensPerGpu: Int32Array;
  /** `[nodes]` pairs computed by each node. */
  tokensPerNode: Int32Array;
  /** `[gpus]` tokens that start on each rank (even contiguous split). */
  sourceTokensPerGpu: Int32Array;
  /** `[gpus × gpus]` row-major, `[src][dst]`: distinct tokens rank src sends to rank dst (diagonal = stays local). */
  trafficTokens: Int32Array;
  /** `[gpus × gpus]` row-major, `[src][dst]`: (token, expert) pairs from src computed on dst. */
  trafficCopies: Int32Array;
  /** Tokens whose destination is their own GPU (no network): trace of trafficTokens. */
  localTokens: number;
  /** Tokens sent to another GPU of the same node (NVLink-class). */
  intraNodeTokens: number;
  /** Tokens sent to a GPU on another node (RDMA / scale-out). */
  interNodeTokens: number;
  /** Balance statistics of tokensPerGpu. */
  gpuLoadStats: LoadStats;
}

/** Result of {@link assignReplicas}: the physical slot each (token, expert) pair is sent to. */
export interface ReplicaAssignment {
  numGpus: number;
  numNodes: number;
  numSlots: number;
  /** Slots per GPU (numSlots / numGpus). */
  slotsPerGpu: number;
  /** GPUs per node (numGpus / numNodes). */
  gpusPerNode: number;
  /** `[tokens][topK]` row-major: the slot that computes each (token, expert) pair. */
  slotOf: Int32Array;
  /** `[tokens]`: the rank each token starts on (even contiguous split). */
  sourceRank: Int32Array;
}

/**
 * Choose, for every routed (token, expert) pair, the physical slot (replica) that computes it, by the
 * placement's replica rule. The one implementation of the rules: {@link dispatchStats} and the tensor
 * layer's expert-parallel forward pass both build on it.
 *
 * @param routing `{ numTokens, numExperts, topK, indices }` (a `RoutingResult`); not mutated
 * @param placement see {@link DispatchPlacement}; not mutated
 * @returns {@link ReplicaAssignment}
 * @throws {TypeError|RangeError} naming the problem: indices of the wrong length or out of range,
 *   a phy2log entry that is not an expert id, an expert with no slot, numSlots not divisible by
 *   numGpus, numGpus not divisible by numNodes, an unknown replicaRule
 * @example
 * const r = { numTokens: 2, numExperts: 2, topK: 1, indices: new Int32Array([0, 0]) };
 * Array.from(assignReplicas(r, { phy2log: [0, 1, 0, 1], numGpus: 2 }).slotOf); // [0, 2]: each rank starts at a different replica
 */
export function assignReplicas(routing: RoutingIndices, placement: DispatchPlacement): ReplicaAssignment {
  if (routing === null || typeof routing !== "object") throw new TypeError(`routing must be an object, got ${show(routing)}`);
  if (placement === null || typeof placement !== "object") throw new TypeError(`placement must be an object, got ${show(placement)}`);
  assertKnownKeys("placement", placement, ["phy2log", "numGpus", "numNodes", "replicaRule"]);
  const { numTokens, numExperts, topK } = routing;
  assertPositiveInt("routing.numTokens", numTokens);
  assertPositiveInt("routing.numExperts", numExperts);
  assertPositiveInt("routing.topK", topK);
  const rows = assertInt32Rows("routing.indices", routing.indices, topK, "routing.topK");
  if (rows !== numTokens) throw new RangeError(`routing.indices has ${rows} rows of topK, but routing.numTokens is ${numTokens}`);
  const indices = routing.indices;
  const phy2log = placement.phy2log;
  if (!Array.isArray(phy2log) && !ArrayBuffer.isView(phy2log)) throw new TypeError(`placement.phy2log must be an array, got ${show(phy2log)}`);
  const numSlots = phy2log.length;
  if (numSlots === 0) throw new RangeError("placement.phy2log must not be empty");
  const numGpus = placement.numGpus;
  assertPositiveInt("placement.numGpus", numGpus);
  const numNodes = placement.numNodes ?? 1;
  assertPositiveInt("placement.numNodes", numNodes);
  if (numSlots % numGpus !== 0) throw new RangeError(`phy2log length (${numSlots} slots) must be divisible by numGpus (${numGpus})`);
  if (numGpus % numNodes !== 0) throw new RangeError(`numGpus (${numGpus}) must be divisible by numNodes (${numNodes})`);
  const rule = placement.replicaRule ?? "round-robin";
  assertOneOf("placement.replicaRule", rule, REPLICA_RULES);
  const slotsPerGpu = numSlots / numGpus;
  const gpusPerNode = numGpus / numNodes;

  // Replica lists per expert (CSR, slots ascending).
  const count = new Int32Array(numExperts);
  for (let s = 0; s < numSlots; s++) {
    const e = phy2log[s];
    if (typeof e !== "number" || !Number.isInteger(e) || e < 0 || e >= numExperts) {
      throw new RangeError(`placement.phy2log[${s}] must be an expert id in [0, ${numExperts}), got ${show(e)}`);
    }
    count[e]++;
  }
  for (let e = 0; e < numExperts; e++) {
    if (count[e] === 0) throw new RangeError(`expert ${e} has no slot in placement.phy2log (every routed expert needs ≥ 1 replica)`);
  }
  const start = new Int32Array(numExperts + 1);
  for (let e = 0; e < numExperts; e++) start[e + 1] = start[e] + count[e];
  const replicas = new Int32Array(numSlots);
  const fill = start.slice(0, numExperts);
  for (let s = 0; s < numSlots; s++) replicas[fill[phy2log[s]]++] = s;

  const slotOf = new Int32Array(numTokens * topK);
  const sourceRank = new Int32Array(numTokens);
  const pairsPerGpu = new Int32Array(numGpus); // for least-loaded
  const rrCounter = new Int32Array(numGpus * numExperts); // round-robin position per (source rank, expert)
  const localCand = new Int32Array(numSlots);

  for (let t = 0; t < numTokens; t++) {
    const src = Math.floor((t * numGpus) / numTokens);
    sourceRank[t] = src;
    const srcNode = Math.floor(src / gpusPerNode);
    for (let x = 0; x < topK; x++) {
      const e = indices[t * topK + x];
      if (!(e >= 0 && e < numExperts)) {
        throw new RangeError(`routing.indices[${t * topK + x}] must be an expert id in [0, ${numExperts}), got ${e}`);
      }
      const r0 = start[e];
      const nRep = count[e];
      let slot: number;
      if (nRep === 1) slot = replicas[r0];
      else if (rule === "round-robin") {
        const key = src * numExperts + e;
        slot = replicas[r0 + ((src + rrCounter[key]++) % nRep)];
      } else if (rule === "least-loaded") {
        slot = replicas[r0];
        for (let r = 1; r < nRep; r++) {
          const s = replicas[r0 + r];
          const gs = Math.floor(s / slotsPerGpu);
          const gb = Math.floor(slot / slotsPerGpu);
          if (pairsPerGpu[gs] < pairsPerGpu[gb]) slot = s;
        }
      } else {
        // local-first: same GPU, else same node, else anywhere (round-robin within the chosen tier)
        let nLocal = 0;
        for (let r = 0; r < nRep; r++) {
          const s = replicas[r0 + r];
          if (Math.floor(s / slotsPerGpu) === src) localCand[nLocal++] = s;
        }
        if (nLocal === 0) {
          for (let r = 0; r < nRep; r++) {
            const s = replicas[r0 + r];
            if (Math.floor(Math.floor(s / slotsPerGpu) / gpusPerNode) === srcNode) localCand[nLocal++] = s;
          }
        }
        const key = src * numExperts + e;
        if (nLocal === 0) slot = replicas[r0 + ((src + rrCounter[key]++) % nRep)];
        else slot = localCand[(src + rrCounter[key]++) % nLocal];
      }
      slotOf[t * topK + x] = slot;
      pairsPerGpu[Math.floor(slot / slotsPerGpu)]++;
    }
  }
  return { numGpus, numNodes, numSlots, slotsPerGpu, gpusPerNode, slotOf, sourceRank };
}

/**
 * Account the dispatch of one layer's routing onto a placement.
 *
 * @param routing `{ numTokens, numExperts, topK, indices }` (a `RoutingResult`); not mutated
 * @param placement see {@link DispatchPlacement}; not mutated
 * @returns {@link DispatchStats}
 * @throws {TypeError|RangeError} naming the problem: indices of the wrong length or out of range,
 *   a phy2log entry that is not an expert id, an expert with no slot, numSlots not divisible by
 *   numGpus, numGpus not divisible by numNodes, an unknown replicaRule
 * @example
 * // 4 experts, 4 slots on 2 GPUs in 1 node; 2 tokens (token 0 on GPU 0, token 1 on GPU 1), top-2
 * const r = { numTokens: 2, numExperts: 4, topK: 2, indices: new Int32Array([0, 2, 1, 3]) };
 * const d = dispatchStats(r, { phy2log: [0, 1, 2, 3], numGpus: 2 });
 * Array.from(d.trafficTokens); // [1, 1, 1, 1]: each token stays for one expert and crosses for the other
 */
export function dispatchStats(routing: RoutingIndices, placement: DispatchPlacement): DispatchStats {
  const { numGpus, numNodes, numSlots, slotsPerGpu, gpusPerNode, slotOf, sourceRank } = assignReplicas(routing, placement);
  const { numTokens, numExperts, topK, indices } = routing;
  const tokensPerExpert = new Int32Array(numExperts);
  const tokensPerSlot = new Int32Array(numSlots);
  const tokensPerGpu = new Int32Array(numGpus);
  const sourceTokensPerGpu = new Int32Array(numGpus);
  const trafficTokens = new Int32Array(numGpus * numGpus);
  const trafficCopies = new Int32Array(numGpus * numGpus);
  const sentTo = new Int32Array(numGpus).fill(-1); // last token sent to each GPU (dedup per token)
  for (let t = 0; t < numTokens; t++) {
    const src = sourceRank[t];
    sourceTokensPerGpu[src]++;
    for (let x = 0; x < topK; x++) {
      const slot = slotOf[t * topK + x];
      const dst = Math.floor(slot / slotsPerGpu);
      tokensPerExpert[indices[t * topK + x]]++;
      tokensPerSlot[slot]++;
      tokensPerGpu[dst]++;
      trafficCopies[src * numGpus + dst]++;
      if (sentTo[dst] !== t) {
        sentTo[dst] = t;
        trafficTokens[src * numGpus + dst]++;
      }
    }
  }

  const tokensPerNode = new Int32Array(numNodes);
  for (let p = 0; p < numGpus; p++) tokensPerNode[Math.floor(p / gpusPerNode)] += tokensPerGpu[p];
  let localTokens = 0;
  let intraNodeTokens = 0;
  let interNodeTokens = 0;
  for (let s = 0; s < numGpus; s++) {
    for (let d = 0; d < numGpus; d++) {
      const v = trafficTokens[s * numGpus + d];
      if (s === d) localTokens += v;
      else if (Math.floor(s / gpusPerNode) === Math.floor(d / gpusPerNode)) intraNodeTokens += v;
      else interNodeTokens += v;
    }
  }
  return {
    numGpus, numNodes, numSlots, slotsPerGpu, gpusPerNode,
    tokensPerExpert, tokensPerSlot, tokensPerGpu, tokensPerNode, sourceTokensPerGpu,
    trafficTokens, trafficCopies, localTokens, intraNodeTokens, interNodeTokens,
    gpuLoadStats: loadStats(tokensPerGpu),
  };
}

/**
 * Shared-expert load: every token goes through every shared expert, on its own rank (shared experts
 * are replicated on all ranks in DeepSeek-V3-style serving), so they add no dispatch traffic.
 *
 * @param numTokens tokens in the batch, ≥ 1
 * @param numSharedExperts shared experts, ≥ 0
 * @returns `[sharedExperts]` Int32Array of tokens per shared expert, each entry numTokens
 * @throws {RangeError} for bad counts
 * @example
 * sharedExpertLoad(4096, 1); // Int32Array [4096]
 */
export function sharedExpertLoad(numTokens: number, numSharedExperts: number): Int32Array {
  assertPositiveInt("numTokens", numTokens);
  if (typeof numSharedExperts !== "number" || !Number.isInteger(numSharedExperts) || numSharedExperts < 0) {
    throw new RangeError(`numSharedExperts must be an integer ≥ 0, got ${show(numSharedExperts)}`);
  }
  return new Int32Array(numSharedExperts).fill(numTokens);
}
