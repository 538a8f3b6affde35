/**
 * The MoE router ("gate") over typed arrays: logits → scores → (bias, group limit) → top-k → weights.
 *
 * Semantics follow DeepSeek-V3's public inference code, deepseek-ai/DeepSeek-V3 `inference/model.py`,
 * `Gate.forward`:
 * 1. scores = softmax(logits) or sigmoid(logits);
 * 2. selection scores = scores + bias (the auxiliary-loss-free "score correction" bias; it only
 *    steers *which* experts are chosen);
 * 3. with `n_expert_groups` > 1: view the experts as `numGroups` contiguous groups, score each group by
 *    the sum of its top-2 selection scores, keep the best `topkGroup` (`n_limited_groups`) groups and
 *    mask the other groups' experts out (−∞);
 * 4. indices = top-k of the selection scores; weights are gathered from the *unbiased* scores;
 * 5. weights are renormalised over the k picks, then multiplied by the routed scaling factor
 *    (`route_scale`, 2.5 for DeepSeek-V3 per `inference/configs/config_671B.json`: 256 routed experts,
 *    1 shared expert, 8 activated, 8 groups, 4 limited groups, sigmoid scoring).
 *
 * Differences worth knowing (documented, deliberate):
 * - `inference/model.py` scores a group by its *max* when the gate has no bias and by the top-2 sum
 *   when it has one; Hugging Face `modeling_deepseek.py` (`topk_method: "noaux_tc"`) always uses the
 *   top-2 sum. The default here is the top-2 sum (`groupScore: "top2-sum"`); `"max"` is available.
 * - `inference/model.py` renormalises only for sigmoid scoring; here `normalize` (default true,
 *   like `norm_topk_prob: true` in the Hugging Face config) decides, whatever the scoring.
 * - Experts of dropped groups are masked with −∞, as `inference/model.py` does; Hugging Face
 *   `modeling_deepseek.py` (and vLLM/SGLang's grouped top-k) mask with 0.0 instead, which only differs
 *   when biased selection scores inside the kept groups are negative.
 * - Ties (equal scores, equal group scores) are broken towards the lower index; torch.topk does not
 *   promise an order on ties.
 *
 * Speed: `route` and `routeScores` run the fused kernels of `fused.ts` (one pass per token,
 * exact scores only for the experts that can matter, no per-token allocation). They give exactly
 * the picks of the straightforward implementation kept as {@link routeReference} (weights agree to
 * float32 rounding; softmax weights are renormalised from k exponentials instead of all of them).
 * Softmax scoring combined with a bias, a group limit or `normalize: false` still needs every
 * score and takes the slower path (all exponentials, then the fused selection). The fused kernels
 * run on WebAssembly SIMD where the engine has it and in plain TypeScript otherwise, with the same
 * results; `routingKernel()` says which, `setRoutingKernel()` (or the environment variable
 * `EP_LAB_ROUTING_KERNEL`) chooses.
 */
import { assertFinite, assertNonNegativeInt, assertOneOf, assertPositive, assertPositiveInt, nearestName, show } from "../util/validate";
import { assertFloat32Matrix, assertTopK } from "./checks";
import { SCORING_FUNCTIONS, type ScoringFunction } from "./scoring";
import { fusedSelect, fusedSoftmaxTopK } from "./fused";
import { referenceScores, referenceSelect } from "./reference";

/** How a group of experts is scored for group-limited routing. */
export type GroupScore = "top2-sum" | "max";

/** Options of {@link route} and {@link routeScores}. */
export interface RouterOptions {
  /** Routed experts (columns of the logits), ≥ 1. */
  numExperts: number;
  /** Routed experts picked per token, 1 ≤ topK ≤ experts in the kept groups. */
  topK: number;
  /** Scoring of the logits; default `"softmax"` (DeepSeek-V3 uses `"sigmoid"`). Ignored by {@link routeScores}. */
  scoring?: ScoringFunction;
  /** Expert groups (contiguous blocks of numExperts/numGroups experts); default 1 (no group limit). */
  numGroups?: number;
  /** Groups kept per token, 1 ≤ topkGroup ≤ numGroups; default numGroups (all groups kept). */
  topkGroup?: number;
  /** How a group is scored; default `"top2-sum"` (sum of its two best selection scores). */
  groupScore?: GroupScore;
  /** Score-correction bias `[experts]`, added to the scores for *selection only*; default none. */
  bias?: Float32Array;
  /** Renormalise the k weights to sum to 1 (before scaling); default true. */
  normalize?: boolean;
  /** Factor (dimensionless, > 0) multiplying every routed weight after normalisation; default 1. */
  routedScalingFactor?: number;
  /** Shared experts every token also uses (not routed, weight 1); default 0. Reported, not selected. */
  numSharedExperts?: number;
}

/** What a router decided for a batch. */
export interface RoutingResult {
  /** Tokens routed (rows). */
  numTokens: number;
  /** Routed experts (ids 0..numExperts-1). */
  numExperts: number;
  /** Picks per token. */
  topK: number;
  /** Chosen expert ids `[tokens][topK]`, per token by selection score descending (ties → lower id). */
  indices: Int32Array;
  /** Gate weights `[tokens][topK]` matching `indices` (after normalisation and scaling). */
  weights: Float32Array;
  /** Shared experts every token also goes through (each processes all numTokens tokens). */
  numSharedExperts: number;
}

/**
 * Route a batch: score the logits, then select as {@link routeScores} does.
 *
 * @param logits `[tokens][experts]` router logits (hidden · W_gateᵀ), finite, not mutated
 * @param options see {@link RouterOptions}
 * @returns a {@link RoutingResult} with `[tokens][topK]` indices and weights
 * @throws {TypeError|RangeError} naming the bad option or value (wrong length, NaN logits,
 *   numExperts not divisible by numGroups, topK larger than the experts in the kept groups, …)
 * @example
 * const logits = new Float32Array([2, 1, 0, 3]); // 1 token, 4 experts
 * const r = route(logits, { numExperts: 4, topK: 2 });
 * r.indices; // Int32Array [3, 0]
 * r.weights; // ≈ [0.731, 0.269] (softmax scores renormalised over the two picks)
 */
export function route(logits: Float32Array, options: RouterOptions): RoutingResult {
  const o = checkOptions(options);
  const numTokens = tokensOf("logits", logits, o.numExperts);
  const indices = new Int32Array(numTokens * o.topK);
  const weights = new Float32Array(numTokens * o.topK);
  const limitGroups = o.numGroups > 1 && o.topkGroup < o.numGroups;
  if (o.scoring === "sigmoid") fusedSelect(logits, numTokens, o, true, indices, weights);
  else if (!o.bias && !limitGroups && o.normalize) {
    fusedSoftmaxTopK(logits, numTokens, o.numExperts, o.topK, o.routedScalingFactor, indices, weights);
  } else {
    // softmax with bias, group limit or without renormalisation needs every score: score all, then select
    assertAllFinite("logits", logits, o.numExperts);
    fusedSelect(referenceScores(logits, numTokens, o.numExperts, "softmax"), numTokens, o, false, indices, weights);
  }
  return { numTokens, numExperts: o.numExperts, topK: o.topK, indices, weights, numSharedExperts: o.numSharedExperts };
}

/**
 * Route from already computed scores `[tokens][experts]` (e.g. a softmax or sigmoid done elsewhere,
 * such as on a TensorFlow.js tensor). `options.scoring` is ignored.
 *
 * @param scores `[tokens][experts]` finite scores, not mutated; weights are taken from these values
 * @param options see {@link RouterOptions}
 * @returns a {@link RoutingResult}
 * @throws {TypeError|RangeError} as {@link route}; also when the chosen scores of a token sum to 0 and
 *   `normalize` is on (cannot renormalise)
 * @example
 * // 4 experts in 2 groups; group 0 = {0,1} scores 0.9+0.1 = 1.0, group 1 = {2,3} scores 0.5+0.4 = 0.9 → keep group 0
 * const s = new Float32Array([0.9, 0.1, 0.5, 0.4]);
 * routeScores(s, { numExperts: 4, topK: 2, numGroups: 2, topkGroup: 1 }).indices; // Int32Array [0, 1] (without the group limit: [0, 2])
 */
export function routeScores(scores: Float32Array, options: RouterOptions): RoutingResult {
  const o = checkOptions(options);
  const numTokens = tokensOf("scores", scores, o.numExperts);
  assertAllFinite("scores", scores, o.numExperts);
  const indices = new Int32Array(numTokens * o.topK);
  const weights = new Float32Array(numTokens * o.topK);
  fusedSelect(scores, numTokens, o, false, indices, weights);
  return { numTokens, numExperts: o.numExperts, topK: o.topK, indices, weights, numSharedExperts: o.numSharedExperts };
}

/**
 * The slow, readable reference of {@link route} (score every expert, bias into a new array, mask
 * dropped groups, top-k of the row, renormalise). Same validation, same results; the fast path is
 * tested against it. Internal: not exported from the routing index.
 * @throws {TypeError|RangeError} as {@link route}
 * @example
 * routeReference(new Float32Array([2, 1, 0, 3]), { numExperts: 4, topK: 2 }).indices; // Int32Array [3, 0]
 */
export function routeReference(logits: Float32Array, options: RouterOptions): RoutingResult {
  const o = checkOptions(options);
  const numTokens = tokensOf("logits", logits, o.numExperts);
  assertAllFinite("logits", logits, o.numExperts);
  const { indices, weights } = referenceSelect(referenceScores(logits, numTokens, o.numExperts, o.scoring), numTokens, o);
  return { numTokens, numExperts: o.numExperts, topK: o.topK, indices, weights, numSharedExperts: o.numSharedExperts };
}

/**
 * The reference of {@link routeScores} (see {@link routeReference}). Internal.
 * @throws {TypeError|RangeError} as {@link routeScores}
 * @example
 * routeScoresReference(new Float32Array([0.9, 0.1, 0.5, 0.4]), { numExperts: 4, topK: 1 }).indices; // Int32Array [0]
 */
export function routeScoresReference(scores: Float32Array, options: RouterOptions): RoutingResult {
  const o = checkOptions(options);
  const numTokens = tokensOf("scores", scores, o.numExperts);
  assertAllFinite("scores", scores, o.numExperts);
  const { indices, weights } = referenceSelect(scores, numTokens, o);
  return { numTokens, numExperts: o.numExperts, topK: o.topK, indices, weights, numSharedExperts: o.numSharedExperts };
}

/** Every value finite. @throws {RangeError} naming the first bad token and expert */
function assertAllFinite(name: string, arr: Float32Array, numExperts: number): void {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (!(v - v === 0)) {
      const t = Math.floor(i / numExperts);
      throw new RangeError(`${name} must be finite: token ${t}, expert ${i - t * numExperts} is ${v}`);
    }
  }
}

interface ResolvedOptions {
  numExperts: number;
  topK: number;
  scoring: ScoringFunction;
  numGroups: number;
  topkGroup: number;
  groupScore: GroupScore;
  bias: Float32Array | undefined;
  normalize: boolean;
  routedScalingFactor: number;
  numSharedExperts: number;
}

const KNOWN_OPTIONS = [
  "numExperts", "topK", "scoring", "numGroups", "topkGroup", "groupScore", "bias", "normalize",
  "routedScalingFactor", "numSharedExperts",
];

function checkOptions(options: RouterOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      const near = nearestName(key, KNOWN_OPTIONS);
      throw new RangeError(`unknown router option ${JSON.stringify(key)}${near ? ` (did you mean ${near}?)` : ""}; known: ${KNOWN_OPTIONS.join(", ")}`);
    }
  }
  if (options.routedScalingFactor === null) throw new TypeError("routedScalingFactor must not be null (leave it out for the default 1)");
  const numExperts = options.numExperts;
  assertPositiveInt("numExperts", numExperts);
  const scoring = options.scoring ?? "softmax";
  assertOneOf("scoring", scoring, SCORING_FUNCTIONS);
  const numGroups = options.numGroups ?? 1;
  assertPositiveInt("numGroups", numGroups);
  if (numExperts % numGroups !== 0) {
    throw new RangeError(`numExperts (${numExperts}) must be divisible by numGroups (${numGroups})`);
  }
  const topkGroup = options.topkGroup ?? numGroups;
  assertPositiveInt("topkGroup", topkGroup);
  if (topkGroup > numGroups) throw new RangeError(`topkGroup (${topkGroup}) must be ≤ numGroups (${numGroups})`);
  const groupScore = options.groupScore ?? "top2-sum";
  assertOneOf("groupScore", groupScore, ["top2-sum", "max"] as GroupScore[]);
  const groupSize = numExperts / numGroups;
  if (numGroups > 1 && topkGroup < numGroups && groupScore === "top2-sum" && groupSize < 2) {
    throw new RangeError(`groupScore "top2-sum" needs ≥ 2 experts per group, but numExperts/numGroups = ${groupSize}; use groupScore "max"`);
  }
  assertTopK("topK", options.topK, topkGroup * groupSize, "the experts in the kept groups (topkGroup × numExperts/numGroups)");
  const bias = options.bias;
  if (bias !== undefined) {
    if (!(bias instanceof Float32Array)) throw new TypeError(`bias must be a Float32Array, got ${show(bias)}`);
    if (bias.length !== numExperts) throw new RangeError(`bias must have numExperts (${numExperts}) entries, got ${bias.length}`);
    for (let j = 0; j < bias.length; j++) assertFinite(`bias[${j}]`, bias[j]);
  }
  const normalize = options.normalize ?? true;
  if (typeof normalize !== "boolean") throw new TypeError(`normalize must be a boolean, got ${show(normalize)}`);
  const routedScalingFactor = options.routedScalingFactor ?? 1;
  assertPositive("routedScalingFactor", routedScalingFactor);
  const numSharedExperts = options.numSharedExperts ?? 0;
  assertNonNegativeInt("numSharedExperts", numSharedExperts);
  return { numExperts, topK: options.topK, scoring, numGroups, topkGroup, groupScore, bias, normalize, routedScalingFactor, numSharedExperts };
}

function tokensOf(name: string, arr: unknown, numExperts: number): number {
  if (!(arr instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array, got ${show(arr)}`);
  if (arr.length === 0) throw new RangeError(`${name} must not be empty`);
  if (arr.length % numExperts !== 0) {
    throw new RangeError(`${name} length (${arr.length}) must be a multiple of numExperts (${numExperts})`);
  }
  const numTokens = arr.length / numExperts;
  assertFloat32Matrix(name, arr, numTokens, numExperts, "numTokens", "numExperts");
  return numTokens;
}
