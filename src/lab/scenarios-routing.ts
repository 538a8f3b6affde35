/**
 * Lab 3.1 scenarios built on the routing library: the 5-token routing cell (5 tokens, 256
 * experts, top-8) on seeded logits, DeepSeek-V3-style sigmoid + group-limited routing and the nodes
 * it touches, dispatch traffic on a small EP layout, and the wide-EP comparison of section 6.2.
 */
import { route, syntheticLogits, expertPopularity, sampleRouting, dispatchStats } from "../routing";
import type { RoutingResult } from "../routing";
import { routingFigure, nodesTouchedFigure, routingComparisonFigure, countNodesTouched, trafficHeatmap } from "../viz";
import type { Figure } from "../viz";
import { assertDivisible, assertPositiveInt, createRng, show } from "../util";
import { Summary } from "./scenarios-eplb";
import { dsv3LikePopularity } from "../eplb";

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;

/**
 * One layer's expert popularity from the lab's default workload (the dsv3-like preset of src/eplb, 8 routing groups).
 * @param numExperts experts, a multiple of 8
 * @param seed preset seed (integer in [0, 2^32))
 * @returns `[experts]` probabilities summing to 1
 */
function labPopularity(numExperts: number, seed: number): Float64Array {
  return Float64Array.from(dsv3LikePopularity({ numLayers: 1, numExperts, numGroups: 8, seed })[0]);
}

/** A routing result's shape fields are present and its flattened arrays are `[tokens][topK]` long. */
function assertRoutingShape(name: string, r: RoutingResult): void {
  if (r === null || typeof r !== "object") throw new TypeError(`${name} must be a RoutingResult, got ${show(r)}`);
  assertPositiveInt(`${name}.numTokens`, r.numTokens);
  assertPositiveInt(`${name}.numExperts`, r.numExperts);
  assertPositiveInt(`${name}.topK`, r.topK);
  const n = r.numTokens * r.topK;
  for (const key of ["indices", "weights"] as const) {
    const a = r[key] as unknown;
    if (!ArrayBuffer.isView(a) && !Array.isArray(a)) throw new TypeError(`${name}.${key} must be an array [tokens][topK], got ${show(a)}`);
    if ((a as ArrayLike<number>).length !== n) throw new RangeError(`${name}.${key} must have numTokens × topK = ${n} entries, got ${(a as ArrayLike<number>).length}`);
  }
}

/**
 * The first `n` tokens of a routing result (for figures that draw one bar per token).
 * @param r routing result, `indices`/`weights` flattened `[tokens][topK]`
 * @param n tokens to keep (integer ≥ 1); more than `r.numTokens` keeps them all
 * @returns a new routing result with `min(n, r.numTokens)` tokens (copies of the arrays; `r` is not changed)
 * @throws {TypeError|RangeError} naming `r` or `n` when `r` is malformed or `n` is not a positive integer
 * @example firstTokens(routingDemo().routing, 2).indices.length; // 16 (2 tokens × top-8)
 */
export function firstTokens(r: RoutingResult, n: number): RoutingResult {
  assertRoutingShape("r", r);
  assertPositiveInt("n", n);
  const m = Math.min(n, r.numTokens);
  return { ...r, numTokens: m, indices: r.indices.slice(0, m * r.topK), weights: r.weights.slice(0, m * r.topK) };
}

/**
 * Mean number of remote nodes (other than the token's home node) holding a token's chosen experts,
 * with tokens spread evenly and contiguously over the GPUs and experts contiguously over the nodes.
 * @param r routing result, `indices` flattened `[tokens][topK]`
 * @param numGpus GPUs the tokens start on (integer ≥ 1, divisible by `numNodes`)
 * @param numNodes nodes (integer ≥ 1, divides `numGpus` and `r.numExperts`)
 * @returns remote nodes per token, averaged over the tokens (0 … min(topK, numNodes − 1))
 * @throws {TypeError|RangeError} naming the parameter: malformed `r`, counts not positive integers, or
 *   `numGpus` / `r.numExperts` not divisible by `numNodes`
 * @example remoteNodesPerToken(routingDemo().routing, 8, 8); // 3.8 (5 tokens, top-8 of 256, one node per GPU)
 */
export function remoteNodesPerToken(r: RoutingResult, numGpus: number, numNodes: number): number {
  assertRoutingShape("r", r);
  assertDivisible("numGpus", numGpus, "numNodes", numNodes);
  assertDivisible("r.numExperts", r.numExperts, "numNodes", numNodes);
  const perNodeExperts = r.numExperts / numNodes;
  const gpusPerNode = numGpus / numNodes;
  let total = 0;
  for (let t = 0; t < r.numTokens; t++) {
    const home = Math.floor(Math.floor((t * numGpus) / r.numTokens) / gpusPerNode);
    const seen = new Set<number>();
    for (let k = 0; k < r.topK; k++) {
      const node = Math.floor(r.indices[t * r.topK + k] / perNodeExperts);
      if (node !== home) seen.add(node);
    }
    total += seen.size;
  }
  return total / r.numTokens;
}

/** Token labels of the routing demo. */
export const DEMO_TOKENS = Object.freeze(["The", "quantum", "entanglement", "phenomenon", "is"]);

/**
 * The lab's routing cell, on the library's router: 5 tokens, 256 experts, softmax top-8,
 * seeded gate logits (uniform popularity).
 * @param seed logits seed (integer in [0, 2^32)), default 42
 * @returns the routing result (`indices`/`weights` flattened `[5 tokens][8]`), a per-token table, a figure
 *   of the chosen experts, and a summary
 * @throws {TypeError|RangeError} naming `seed` when it is not a non-negative integer
 * @example routingDemo().routing.indices.length; // 40
 */
export function routingDemo(seed = 42) {
  const numExperts = 256;
  const topK = 8;
  const logits = syntheticLogits(expertPopularity(numExperts, { kind: "uniform" }), { numTokens: DEMO_TOKENS.length, seed, noiseScale: 0.5 });
  const routing = route(logits, { numExperts, topK });
  const rows = DEMO_TOKENS.map((token, t) => ({
    token,
    experts: Array.from(routing.indices.slice(t * topK, (t + 1) * topK)).join(", "),
    weights: Array.from(routing.weights.slice(t * topK, (t + 1) * topK)).map((w) => w.toFixed(3)).join(", "),
  }));
  const figure = routingFigure(routing, { tokenLabels: DEMO_TOKENS.slice(), numGroups: 8, title: "Chosen experts per token (softmax top-8 of 256; marker size = gate weight)" });
  const distinct = new Set(Array.from(routing.indices)).size;
  const summary = new Summary(
    `${DEMO_TOKENS.length} tokens × top-${topK} of ${numExperts} experts: each token activates ${((100 * topK) / numExperts).toFixed(1)}% of the routed experts; ` +
      `together they use ${distinct} distinct experts. Weights per token sum to 1.`,
  );
  return { routing, rows, figure, summary };
}

/**
 * DeepSeek-V3-style routing (sigmoid scores, 256 experts in 8 groups, top-8) with and without the
 * group limit (top-4 groups), experts placed one group per node on 8 nodes; counts nodes per token.
 * @param numTokens tokens routed (integer ≥ 1), default 512
 * @param seed popularity and logits seed (integer in [0, 2^32)), default 11
 * @returns both routings, a nodes-per-token figure (first 16 tokens), a summary, and the largest node
 *   count per token with and without the limit
 * @throws {TypeError|RangeError} naming `numTokens` or `seed` when not a valid integer
 * @example groupLimitedDemo().maxNodesLimited <= 4; // true
 */
export function groupLimitedDemo(numTokens = 512, seed = 11) {
  const numExperts = 256;
  const numNodes = 8;
  const logits = syntheticLogits(labPopularity(numExperts, seed), { numTokens, seed });
  const flat = route(logits, { numExperts, topK: 8, scoring: "sigmoid" });
  const limited = route(logits, { numExperts, topK: 8, scoring: "sigmoid", numGroups: 8, topkGroup: 4, numSharedExperts: 1 });
  const nFlat = countNodesTouched(flat, numNodes);
  const nLim = countNodesTouched(limited, numNodes);
  const figure = nodesTouchedFigure(
    [
      { label: "flat top-8", routing: firstTokens(flat, 16) },
      { label: "group-limited (top-4 of 8 groups)", routing: firstTokens(limited, 16) },
    ],
    { numNodes, limit: 4, title: "Nodes each token must reach (first 16 tokens; experts: one group per node, 8 nodes)" },
  );
  const summary = new Summary(
    `Over ${numTokens} tokens: flat top-8 reaches ${mean(nFlat).toFixed(2)} nodes per token on average (max ${Math.max(...nFlat)}); ` +
      `group-limited routing ${mean(nLim).toFixed(2)} (max ${Math.max(...nLim)}). Every token also uses the ${limited.numSharedExperts} shared expert.`,
  );
  return { flat, limited, figure, summary, maxNodesLimited: Math.max(...nLim), maxNodesFlat: Math.max(...nFlat) };
}

/**
 * Dispatch traffic of one MoE layer: 64 experts on 8 GPUs in 2 nodes (contiguous), 256 tokens top-8
 * sampled from the lab's DeepSeek-V3-shaped popularity.
 * @returns the routing, the dispatch statistics (tokens per GPU, local / intra- / inter-node sends), a
 *   GPU→GPU traffic heatmap (tokens) and a summary
 * @throws never (fixed inputs)
 * @example dispatchDemo().figure.data[0].type; // "heatmap"
 */
export function dispatchDemo() {
  const numExperts = 64;
  const numGpus = 8;
  const numNodes = 2;
  const routing = sampleRouting(labPopularity(numExperts, 5), { numTokens: 256, topK: 8, seed: 5 });
  const phy2log = Array.from({ length: numExperts }, (_, i) => i);
  const stats = dispatchStats(routing, { phy2log, numGpus, numNodes });
  const matrix: number[][] = [];
  for (let s = 0; s < numGpus; s++) matrix.push(Array.from(stats.trafficTokens.slice(s * numGpus, (s + 1) * numGpus)));
  const figure = trafficHeatmap(matrix, { gpusPerNode: numGpus / numNodes, title: "Dispatch: tokens sent from each GPU (row) to each GPU (column)" });
  const loads = Array.from(stats.tokensPerGpu);
  const summary = new Summary(
    `256 tokens start evenly on 8 GPUs and each picks 8 of 64 experts. Dispatch keeps ${stats.localTokens} token sends on their own GPU, ` +
      `sends ${stats.intraNodeTokens} over NVLink inside a node and ${stats.interNodeTokens} across nodes. ` +
      `Expert work per GPU ranges from ${Math.min(...loads)} to ${Math.max(...loads)} (token, expert) pairs.`,
  );
  return { routing, stats, figure, summary };
}

/** One row of {@link deepseekRouterDemo}: one routed expert of one token. */
export interface RouterRow {
  expert: number;
  group: number;
  sigmoidScore: number;
  correctionBias: number;
  selectionScore: number;
  gateWeight: number;
}

/**
 * DeepSeek-V3's gate on one token, step by step, with its published settings scaled down: sigmoid scores, a fixed
 * per-expert correction bias added for selection only (`e_score_correction_bias`), group-limited top-k, renormalised
 * weights multiplied by `routed_scaling_factor` = 2.5 (DeepSeek-V3's config.json). 32 experts in 8 groups, top-4 groups, top-8.
 * @param seed logits and bias seed (integer in [0, 2^32)), default 4
 * @returns the 8 chosen experts (score, bias, selection score, weight), the sum of the weights, and a summary
 * @throws {TypeError|RangeError} naming `seed` when it is not a non-negative integer
 * @example Math.abs(deepseekRouterDemo().weightSum - 2.5) < 1e-5; // true
 */
export function deepseekRouterDemo(seed = 4): { rows: RouterRow[]; weightSum: number; biasChangedPicks: number; summary: Summary } {
  const numExperts = 32;
  const rng = createRng(seed);
  const logits = Float32Array.from({ length: numExperts }, () => rng.normal());
  const bias = Float32Array.from({ length: numExperts }, () => Math.round(rng.normal() * 0.3 * 1000) / 1000);
  const opts = { numExperts, topK: 8, scoring: "sigmoid" as const, numGroups: 8, topkGroup: 4, routedScalingFactor: DEEPSEEK_ROUTED_SCALING_FACTOR };
  const withBias = route(logits, { ...opts, bias });
  const noBias = route(logits, opts);
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const rows: RouterRow[] = Array.from(withBias.indices).map((e, k) => ({
    expert: e,
    group: Math.floor(e / (numExperts / 8)),
    sigmoidScore: Math.round(sig(logits[e]) * 1000) / 1000,
    correctionBias: Math.round(bias[e] * 1000) / 1000,
    selectionScore: Math.round((sig(logits[e]) + bias[e]) * 1000) / 1000,
    gateWeight: Math.round(withBias.weights[k] * 1000) / 1000,
  }));
  const weightSum = Array.from(withBias.weights).reduce((a, b) => a + b, 0);
  const a = new Set(Array.from(withBias.indices));
  const changed = Array.from(noBias.indices).filter((e) => !a.has(e)).length;
  const summary = new Summary(
    `${changed} of the 8 experts chosen with the bias would not be chosen without it. ` +
      `The gate weights come from the sigmoid scores without the bias, renormalised over the 8 picks and multiplied by ${DEEPSEEK_ROUTED_SCALING_FACTOR}: they sum to ${weightSum.toFixed(3)}, not 1.`,
  );
  return { rows, weightSum, biasChangedPicks: changed, summary };
}

/** DeepSeek-V3's `routed_scaling_factor` (config.json), and where the bias comes from. */
export const DEEPSEEK_ROUTED_SCALING_FACTOR = 2.5;
export const DEEPSEEK_ROUTER_SOURCES = Object.freeze([
  { url: "https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json", says: "DeepSeek-V3's config.json: scoring_func sigmoid, n_group 8, topk_group 4, num_experts_per_tok 8, norm_topk_prob true, routed_scaling_factor 2.5." },
  { url: "https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/modeling_deepseek.py", says: "The model code's gate adds e_score_correction_bias to the sigmoid scores only to choose groups and experts, takes the weights from the unbiased scores, renormalises them and multiplies by routed_scaling_factor." },
  { url: "https://arxiv.org/abs/2412.19437", says: "DeepSeek-V3 technical report §2.1.2: the bias is not trained by gradient descent; at the end of each training step it is decreased by a fixed speed γ for overloaded experts and increased for underloaded ones. §3.2 / §2.1.2: node-limited routing sends each token to at most 4 nodes to bound training communication cost." },
]);

/**
 * Wide EP on 64 GPUs in 8 nodes (4 experts per GPU, one expert group per node): flat vs group-limited
 * routing, side by side, with the inter-node share of dispatch.
 * @param numTokens tokens routed (integer ≥ 1), default 1024
 * @param seed popularity and logits seed (integer in [0, 2^32)), default 3
 * @returns dispatch statistics of both routings (token sends local / intra- / inter-node), a figure of the
 *   first 12 tokens' experts and a summary
 * @throws {TypeError|RangeError} naming `numTokens` or `seed` when not a valid integer
 * @example wideEpDemo().limited.interNodeTokens < wideEpDemo().flat.interNodeTokens; // true
 */
export function wideEpDemo(numTokens = 1024, seed = 3) {
  const numExperts = 256;
  const numGpus = 64;
  const numNodes = 8;
  const logits = syntheticLogits(expertPopularity(numExperts, { kind: "zipf", zipfS: 0.6, seed }), { numTokens, seed });
  const flatR = route(logits, { numExperts, topK: 8, scoring: "sigmoid" });
  const limR = route(logits, { numExperts, topK: 8, scoring: "sigmoid", numGroups: 8, topkGroup: 4 });
  const phy2log = Array.from({ length: numExperts }, (_, i) => i);
  const flat = dispatchStats(flatR, { phy2log, numGpus, numNodes });
  const limited = dispatchStats(limR, { phy2log, numGpus, numNodes });
  const figure = routingComparisonFigure(
    [
      { label: "flat top-8", routing: firstTokens(flatR, 12) },
      { label: "group-limited (top-4 groups)", routing: firstTokens(limR, 12) },
    ],
    { numGroups: 8, numNodes, title: "Wide EP (64 GPUs, 8 nodes): chosen experts coloured by group = node" },
  );
  const nodes = (r: RoutingResult) => mean(countNodesTouched(r, numNodes));
  const remote = (r: RoutingResult) => remoteNodesPerToken(r, numGpus, numNodes);
  const sendDrop = flat.interNodeTokens > 0 ? (100 * (flat.interNodeTokens - limited.interNodeTokens)) / flat.interNodeTokens : 0;
  const remoteDrop = remote(flatR) > 0 ? (100 * (remote(flatR) - remote(limR))) / remote(flatR) : 0;
  const summary = new Summary(
    `${numTokens} tokens, 4 experts per GPU. Flat routing: a token's experts sit on ${nodes(flatR).toFixed(2)} nodes on average, ${remote(flatR).toFixed(2)} of them remote; ` +
      `${flat.interNodeTokens} GPU-to-GPU token sends cross nodes. Group-limited: ${nodes(limR).toFixed(2)} nodes, ${remote(limR).toFixed(2)} remote; ${limited.interNodeTokens} cross-node GPU sends. ` +
      `Remote nodes per token fall ${remoteDrop.toFixed(0)}%, cross-node GPU sends only ${sendDrop.toFixed(1)}%. Which count the network pays depends on the kernel: ` +
      `DeepEP's normal kernels (training and prefill) send a token once per remote node and forward it over NVLink there, so they pay per remote node and gain from the limit; ` +
      `its low-latency decode kernels send one copy per routed expert over RDMA, so they pay per GPU send and gain little.`,
  );
  return { flat, limited, figure, summary };
}
