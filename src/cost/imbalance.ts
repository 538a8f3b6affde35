/**
 * Expected EP load imbalance (max/mean routed tokens per GPU) from a generative model of expert popularity,
 * without and with EPLB — the mechanism behind `loadImbalance`.
 *
 * Model, per MoE layer (averaged over `layers` seeded layers, each with its own random ranking of the experts):
 * - expert popularity follows a Zipf law `p(rank r) ∝ r^(−zipfS)` — one exponent for all layers, fitted on
 *   TensorRT-LLM's published DeepSeek-R1 imbalance statistics (see `fitConstants` in calibration.ts);
 * - without EPLB the experts sit contiguously (the random ranking makes that a random placement); with EPLB the
 *   repo's own EPLB algorithm (`planLayer`, DeepSeek's hierarchical/global policy) replicates and packs the expected
 *   loads into `numExperts + redundantExperts` slots;
 * - each iteration routes `tokensPerRank · epSize · topK` token copies; counts per expert are Poisson around the
 *   expected load (normal approximation), replicas share their expert's tokens evenly; imbalance = max/mean GPU load.
 * So EPLB removes the systematic part (hot experts) and what is left is the sampling noise of a finite batch.
 */
import { assertNonNegative, assertNonNegativeInt, assertPositiveInt } from "../util/validate";
import { createRng } from "../util/rng";
import { planLayer } from "../eplb/layer";
import { checkMax, checkOptionKeys, COST_LIMITS } from "./options";

/**
 * Zipf exponent of expert popularity, fitted by `fitConstants()` on TensorRT-LLM's DeepSeek-R1 EP32 statistics
 * (imbalance 2.56 without EPLB, 1.11 with EPLB over 288 slots, 1.12 with EPLB at EP36). A test checks the fit returns it.
 */
export const DEFAULT_ZIPF_S = 0.635;

/** Options of {@link expectedImbalance}. */
export interface ImbalanceOptions {
  /** Routed experts per layer (E). */
  numExperts: number;
  /** GPUs in the EP group. */
  epSize: number;
  /** Extra slots for replicas (used with eplb), default 0. (E + R) must divide by epSize. */
  redundantExperts?: number;
  /** Place with EPLB (true) or contiguously (false, default). */
  eplb?: boolean;
  /** Tokens each GPU routes per iteration (decode: batch per GPU; prefill: tokens per forward). */
  tokensPerRank: number;
  /** Routed experts per token, default 8. */
  topK?: number;
  /** Zipf exponent of expert popularity (≥ 0), default {@link DEFAULT_ZIPF_S}. */
  zipfS?: number;
  /** Layers sampled (each a different popularity ranking), default 24. */
  layers?: number;
  /** Seed of the deterministic sampler, default 1. */
  seed?: number;
}

/** Result of {@link expectedImbalance}. */
export interface ImbalanceEstimate {
  /** Mean over layers of max/mean GPU load (≥ 1). */
  imbalance: number;
  /** Mean over layers of the systematic part: max/mean of the expected GPU loads (no sampling noise). */
  systematicImbalance: number;
  /** `[layers]` max/mean per sampled layer. */
  perLayer: number[];
}

const KEYS = ["numExperts", "epSize", "redundantExperts", "eplb", "tokensPerRank", "topK", "zipfS", "layers", "seed"];

/** EPLB placements (expert → GPUs holding a replica) by configuration and layer; see {@link expectedImbalance}. */
const planCache = new Map<string, number[][]>();

/**
 * Expected max/mean GPU load of one MoE layer (see the module comment).
 * @param options `numExperts`, `epSize` (GPUs), `redundantExperts` (slots), `eplb`, `tokensPerRank` (tokens > 0),
 *   `topK`, `zipfS` (≥ 0), `layers` (1–256), `seed`; see {@link ImbalanceOptions}
 * @returns {@link ImbalanceEstimate} (dimensionless ratios ≥ 1)
 * @throws {RangeError|TypeError} for bad sizes, slots that do not divide, unknown option keys
 * @example expectedImbalance({ numExperts: 256, epSize: 32, tokensPerRank: 128 }).imbalance // ≈ 2.5 without EPLB
 */
export function expectedImbalance(options: ImbalanceOptions): ImbalanceEstimate {
  checkOptionKeys("options", options, KEYS);
  const { numExperts, epSize, redundantExperts = 0, eplb = false, tokensPerRank, topK = 8, zipfS = DEFAULT_ZIPF_S, layers = 24, seed = 1 } = options;
  assertPositiveInt("numExperts", numExperts);
  assertPositiveInt("epSize", epSize);
  checkMax("epSize", epSize, COST_LIMITS.maxEpSize);
  assertNonNegativeInt("redundantExperts", redundantExperts);
  if (typeof eplb !== "boolean") throw new TypeError(`eplb must be a boolean, got ${typeof eplb}`);
  assertNonNegative("tokensPerRank", tokensPerRank);
  if (!(tokensPerRank > 0)) throw new RangeError(`tokensPerRank must be > 0, got ${tokensPerRank}`);
  checkMax("tokensPerRank", tokensPerRank, COST_LIMITS.maxTokensPerRank);
  assertPositiveInt("topK", topK);
  if (topK > numExperts) throw new RangeError(`topK (${topK}) must be ≤ numExperts (${numExperts})`);
  assertNonNegative("zipfS", zipfS);
  checkMax("zipfS", zipfS, 4);
  assertPositiveInt("layers", layers);
  checkMax("layers", layers, 256);
  assertNonNegativeInt("seed", seed);
  const slots = numExperts + (eplb ? redundantExperts : 0);
  if (slots % epSize !== 0) throw new RangeError(`numExperts + redundantExperts (${slots}) must be divisible by epSize (${epSize})`);
  const rng = createRng(seed);
  const copies = tokensPerRank * epSize * topK;
  const perLayer: number[] = [];
  let systematicSum = 0;
  const weights = Array.from({ length: numExperts }, (_, r) => Math.pow(r + 1, -zipfS));
  const wSum = weights.reduce((a, b) => a + b, 0);
  for (let l = 0; l < layers; l++) {
    // random ranking of the experts for this layer
    const order = Array.from({ length: numExperts }, (_, i) => i);
    for (let i = numExperts - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const expected = new Array<number>(numExperts);
    for (let r = 0; r < numExperts; r++) expected[order[r]] = (copies * weights[r]) / wSum;
    // placement: expert → list of GPUs holding a replica
    let gpuOf: number[][] = Array.from({ length: numExperts }, () => []);
    if (eplb) {
      // The plan depends on the ranking, not on the token count: EPLB is planned on the popularity (expected share
      // of the copies) and memoised, so a sweep over batch sizes plans each layer once.
      const key = `${numExperts}/${epSize}/${slots}/${zipfS}/${seed}/${l}`;
      let cached = planCache.get(key);
      if (cached === undefined) {
        const share = new Array<number>(numExperts);
        for (let r = 0; r < numExperts; r++) share[order[r]] = weights[r] / wSum;
        const plan = planLayer(share, { numGpus: epSize, numReplicas: slots });
        cached = Array.from({ length: numExperts }, () => [] as number[]);
        const c = cached;
        plan.expertsOnGpu.forEach((es, gpu) => es.forEach((e) => c[e].push(gpu)));
        if (planCache.size > 4096) planCache.clear();
        planCache.set(key, cached);
      }
      gpuOf = cached;
    } else {
      const per = numExperts / epSize;
      for (let e = 0; e < numExperts; e++) gpuOf[e].push(Math.floor(e / per));
    }
    const load = new Array<number>(epSize).fill(0);
    const sys = new Array<number>(epSize).fill(0);
    for (let e = 0; e < numExperts; e++) {
      const lam = expected[e];
      const c = Math.max(0, lam + Math.sqrt(lam) * rng.normal());
      const n = gpuOf[e].length;
      for (const gpu of gpuOf[e]) {
        load[gpu] += c / n;
        sys[gpu] += lam / n;
      }
    }
    const mean = copies / epSize;
    perLayer.push(Math.max(...load) / (load.reduce((a, b) => a + b, 0) / epSize));
    systematicSum += Math.max(...sys) / mean;
  }
  return { imbalance: perLayer.reduce((a, b) => a + b, 0) / layers, systematicImbalance: systematicSum / layers, perLayer };
}
