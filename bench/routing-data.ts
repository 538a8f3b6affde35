/**
 * Seeded inputs shared by the routing benchmarks (`routing.bench.ts`) and the optional PyTorch
 * comparison (`routing-torch.ts`), so both time the same numbers. Not a benchmark file itself.
 */
import { createRng } from "../src/util/rng";
import type { RouterOptions } from "../src/routing";

/** Tokens per batch in the routing benchmarks. */
export const TOKENS = 65536;
/** Routed experts (DeepSeek-V3: 256). */
export const EXPERTS = 256;
/** Experts picked per token (DeepSeek-V3: 8). */
export const K = 8;

/** `[tokens][experts]` standard-normal float32 values from a seeded generator. */
export function normalLogits(numTokens: number, numExperts: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(numTokens * numExperts);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** Score-correction bias `[experts]`: 0.01 × standard normal, seeded. */
export function dsv3Bias(numExperts: number, seed = 2): Float32Array {
  const rng = createRng(seed);
  return new Float32Array(numExperts).map(() => 0.01 * rng.normal());
}

/** DeepSeek-V3's router settings (inference/configs/config_671B.json) for the given bias. */
export function dsv3Options(bias: Float32Array): RouterOptions {
  return { numExperts: EXPERTS, topK: K, scoring: "sigmoid", numGroups: 8, topkGroup: 4, bias, routedScalingFactor: 2.5, numSharedExperts: 1 };
}

/** Plain softmax top-8 routing (Mixtral / DeepSeek-V2 style), renormalised. */
export const SOFTMAX_OPTIONS: RouterOptions = { numExperts: EXPERTS, topK: K };

/**
 * The memory floor: one plain-JavaScript pass reading every value once (four independent sums so the
 * adds do not serialise). Anything that looks at every logit costs at least this.
 */
export function singlePassRead(a: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length - (a.length & 3);
  for (let i = 0; i < n; i += 4) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
  }
  for (let i = n; i < a.length; i++) s0 += a[i];
  return s0 + s1 + s2 + s3;
}
