/**
 * Gate scoring: turn router logits `[tokens][experts]` into per-expert affinity scores.
 *
 * DeepSeek-V3 scores with a sigmoid (config `score_func: "sigmoid"`); Mixtral / DeepSeek-V2 style
 * routers use a softmax over all experts. Reference: deepseek-ai/DeepSeek-V3 `inference/model.py`,
 * `Gate.forward` (softmax in float32 or sigmoid, then selection) and `inference/configs/config_671B.json`.
 */
import { assertOneOf, assertPositiveInt } from "../util/validate";
import { assertFloat32Matrix } from "./checks";

/** Scoring functions a router can use. */
export type ScoringFunction = "softmax" | "sigmoid";

/** The allowed values of {@link ScoringFunction}. */
export const SCORING_FUNCTIONS: readonly ScoringFunction[] = Object.freeze(["softmax", "sigmoid"] as ScoringFunction[]);

/**
 * Row-wise softmax (numerically stable: subtracts the row max; computed in float64, stored as float32).
 *
 * @param logits `[tokens][experts]` finite logits (not mutated)
 * @param numTokens rows, ≥ 1
 * @param numExperts columns, ≥ 1
 * @returns a new `[tokens][experts]` Float32Array; each row sums to 1 (up to float32 rounding)
 * @throws {TypeError} when `logits` is not a Float32Array; {RangeError} for a wrong length, bad sizes,
 *   or a non-finite logit (naming token and expert)
 * @example
 * softmax(new Float32Array([0, Math.log(3)]), 1, 2); // Float32Array [0.25, 0.75]
 */
export function softmax(logits: Float32Array, numTokens: number, numExperts: number): Float32Array {
  checkLogits(logits, numTokens, numExperts);
  const out = new Float32Array(logits.length);
  for (let t = 0; t < numTokens; t++) {
    const base = t * numExperts;
    let max = -Infinity;
    for (let j = 0; j < numExperts; j++) {
      const v = logits[base + j];
      if (v > max) max = v;
    }
    let sum = 0;
    for (let j = 0; j < numExperts; j++) sum += Math.exp(logits[base + j] - max);
    const inv = 1 / sum;
    for (let j = 0; j < numExperts; j++) out[base + j] = Math.exp(logits[base + j] - max) * inv;
  }
  return out;
}

/**
 * Element-wise logistic sigmoid `1 / (1 + e^−x)` (computed in float64, stored as float32).
 *
 * @param logits `[tokens][experts]` finite logits (not mutated)
 * @param numTokens rows, ≥ 1
 * @param numExperts columns, ≥ 1
 * @returns a new `[tokens][experts]` Float32Array of scores in [0, 1]
 * @throws {TypeError|RangeError} as {@link softmax}
 * @example
 * sigmoid(new Float32Array([0, 2]), 1, 2); // Float32Array [0.5, 0.8807971]
 */
export function sigmoid(logits: Float32Array, numTokens: number, numExperts: number): Float32Array {
  checkLogits(logits, numTokens, numExperts);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]));
  return out;
}

/**
 * Score logits with the named function.
 * @param scoring `"softmax"` or `"sigmoid"`
 * @returns a new `[tokens][experts]` Float32Array
 * @throws {RangeError} for an unknown `scoring`, plus the errors of {@link softmax}
 * @example
 * scoreLogits(new Float32Array([0, 0]), 1, 2, "softmax"); // Float32Array [0.5, 0.5]
 */
export function scoreLogits(logits: Float32Array, numTokens: number, numExperts: number, scoring: ScoringFunction): Float32Array {
  assertOneOf("scoring", scoring, SCORING_FUNCTIONS);
  return scoring === "softmax" ? softmax(logits, numTokens, numExperts) : sigmoid(logits, numTokens, numExperts);
}

function checkLogits(logits: Float32Array, numTokens: number, numExperts: number): void {
  assertPositiveInt("numTokens", numTokens);
  assertPositiveInt("numExperts", numExperts);
  assertFloat32Matrix("logits", logits, numTokens, numExperts, "numTokens", "numExperts");
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (!(v - v === 0)) {
      const t = Math.floor(i / numExperts);
      throw new RangeError(`logits must be finite: token ${t}, expert ${i - t * numExperts} is ${v}`);
    }
  }
}
