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
 */
import { assertFinite, assertNonNegativeInt, assertOneOf, assertPositive, assertPositiveInt, nearestName, show } from "../util/validate";
import { assertFloat32Matrix, assertTopK } from "./checks";
import { SCORING_FUNCTIONS, scoreLogits, type ScoringFunction } from "./scoring";
import { topKInto } from "./topk";

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
  const scores = scoreLogits(logits, numTokens, o.numExperts, o.scoring);
  return select(scores, numTokens, o);
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
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (!(v - v === 0)) {
      const t = Math.floor(i / o.numExperts);
      throw new RangeError(`scores must be finite: token ${t}, expert ${i - t * o.numExperts} is ${v}`);
    }
  }
  return select(scores, numTokens, o);
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

function select(scores: Float32Array, numTokens: number, o: ResolvedOptions): RoutingResult {
  const { numExperts: E, topK: k, numGroups: G, topkGroup, bias } = o;
  const limitGroups = G > 1 && topkGroup < G;
  let selection = scores;
  if (bias || limitGroups) {
    selection = new Float32Array(scores.length);
    if (bias) {
      for (let t = 0; t < numTokens; t++) {
        const base = t * E;
        for (let j = 0; j < E; j++) selection[base + j] = scores[base + j] + bias[j];
      }
    } else selection.set(scores);
    if (limitGroups) maskGroups(selection, numTokens, E, G, topkGroup, o.groupScore);
  }
  const indices = new Int32Array(numTokens * k);
  const picked = new Float32Array(numTokens * k);
  topKInto(selection, numTokens, E, k, indices, picked);
  const weights = new Float32Array(numTokens * k);
  const scale = o.routedScalingFactor;
  for (let t = 0; t < numTokens; t++) {
    const base = t * k;
    let sum = 0;
    for (let x = 0; x < k; x++) sum += scores[t * E + indices[base + x]];
    if (o.normalize && !(sum > 0)) {
      throw new RangeError(`cannot renormalise token ${t}: its ${k} chosen scores sum to ${sum}; pass normalize: false or check the logits`);
    }
    const factor = o.normalize ? scale / sum : scale;
    for (let x = 0; x < k; x++) weights[base + x] = scores[t * E + indices[base + x]] * factor;
  }
  return { numTokens, numExperts: E, topK: k, indices, weights, numSharedExperts: o.numSharedExperts };
}

/** Sets the selection scores of every expert outside each token's best `topkGroup` groups to −∞. */
function maskGroups(sel: Float32Array, numTokens: number, E: number, G: number, topkGroup: number, groupScore: GroupScore): void {
  const m = E / G;
  const gs = new Float64Array(G);
  const keep = new Uint8Array(G);
  for (let t = 0; t < numTokens; t++) {
    const base = t * E;
    for (let g = 0; g < G; g++) {
      const q = base + g * m;
      let a = -Infinity; // best
      let b = -Infinity; // second best
      for (let r = 0; r < m; r++) {
        const v = sel[q + r];
        if (v > a) {
          b = a;
          a = v;
        } else if (v > b) b = v;
      }
      gs[g] = groupScore === "max" ? a : Math.fround(a + b); // float32 sum, as the reference's tensor op
      keep[g] = 0;
    }
    for (let n = 0; n < topkGroup; n++) {
      let best = -1;
      for (let g = 0; g < G; g++) if (!keep[g] && (best < 0 || gs[g] > gs[best])) best = g;
      keep[best] = 1;
    }
    for (let g = 0; g < G; g++) {
      if (keep[g]) continue;
      sel.fill(-Infinity, base + g * m, base + (g + 1) * m);
    }
  }
}
