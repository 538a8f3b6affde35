/**
 * A dense model of the same active size / standard EP / wide EP / wide EP + EPLB, side by side at the same
 * tokens/s per user.
 *
 * What each row models (all DeepSeek-style decode via {@link decodeStep}; throughput read off each
 * configuration's frontier at the target interactivity):
 * - "dense model of the same active size": a hypothetical dense model with the same attention and the same ACTIVE FFN width per layer
 *   (topK·expertFfnSize + shared), one replica per GPU, no all-to-all — the best case an MoE could approach
 *   if it never paid for its inactive experts or for moving tokens. Needs its weights to fit on one GPU.
 *   It is not the lab's baseline, "no EP" (the same MoE served without expert parallelism), and is named so
 *   that it cannot be taken for it.
 * - "standard EP": `standardEp` GPUs (default 8, one node), no redundant experts, `standardImbalance`.
 * - "wide EP": `wideEp` GPUs (default 32), no redundant experts, `wideImbalance` (fewer experts per GPU → the
 *   hottest GPU's share varies more).
 * - "wide EP + EPLB": `wideEp` GPUs with `redundantExperts` replicas and `eplbImbalance`.
 * The default imbalances (1.25 / 1.5 / 1.05) are illustrative assumptions, not measurements: replace them with
 * values measured on a routing workload (e.g. max/mean GPU load from the EPLB library: 1 / balancedness).
 */
import { assertInRange, assertNonNegativeInt, assertPositive, assertPositiveInt, show } from "../util/validate";
import type { ModelSpec } from "./catalog-models";
import type { DecodeOptions } from "./decode";
import { resolveModel } from "./memory";
import { FINE_BATCHES, SWEEP_OPTION_KEYS, sweepFrontier, throughputAtInteractivity } from "./sweep";
import { checkOptionKeys } from "./options";

/** Options of {@link compareDeployments}. */
export interface CompareOptions extends Omit<DecodeOptions, "epSize" | "batchPerGpu" | "loadImbalance" | "expertLoad" | "redundantExperts"> {
  /** Target output tokens/s per user. */
  tokensPerSecPerUser: number;
  /** Standard EP size, default 8. */
  standardEp?: number;
  /** Wide EP size, default 32. */
  wideEp?: number;
  /** Redundant expert slots for the EPLB row, default 32. */
  redundantExperts?: number;
  /** Load imbalance (max/mean GPU load) of standard EP, default 1.25. */
  standardImbalance?: number;
  /** Load imbalance of wide EP without EPLB, default 1.5. */
  wideImbalance?: number;
  /** Load imbalance of wide EP with EPLB, default 1.05. */
  eplbImbalance?: number;
  /** Batch grid for the frontiers, default FINE_BATCHES (1…1024). */
  batchSizes?: readonly number[];
}

/** Name of {@link compareDeployments}' hypothetical dense row (not the MoE without EP). */
export const DENSE_SAME_ACTIVE_SIZE = "dense model of the same active size" as const;

/** One row of {@link compareDeployments}. */
export interface DeploymentRow {
  name: typeof DENSE_SAME_ACTIVE_SIZE | "standard EP" | "wide EP" | "wide EP + EPLB";
  epSize: number;
  redundantExperts: number;
  loadImbalance: number;
  /** Output tokens/s per GPU at the target, or null when the configuration cannot reach it (or does not fit). */
  outputTokensPerSecPerGpu: number | null;
}

/**
 * Compare the four deployments at one tokens/s per user (see the module comment for what is modelled).
 * @param options `tokensPerSecPerUser` (target, tokens/s per user, > 0), `standardEp`/`wideEp` (GPUs),
 *   `redundantExperts` (slots), the three imbalances (max/mean GPU load, ≥ 1) and any decode option (kvLen in
 *   tokens); see {@link CompareOptions}
 * @returns four rows in the order dense model of the same active size, standard EP, wide EP, wide EP + EPLB (throughput in tokens/s per GPU)
 * @throws {RangeError|TypeError} for bad sizes/imbalances (< 1) or any bad decode option
 * @example
 * compareDeployments({ model: "deepseek-v3", gpu: "gb200", kvLen: 2048, tokensPerSecPerUser: 50 }).map((r) => r.name);
 * // ["dense model of the same active size", "standard EP", "wide EP", "wide EP + EPLB"]
 */
export function compareDeployments(options: CompareOptions): DeploymentRow[] {
  checkOptionKeys("options", options, [
    ...SWEEP_OPTION_KEYS.filter((k) => !["epSizes", "loadImbalance", "expertLoad"].includes(k)),
    "tokensPerSecPerUser", "standardEp", "wideEp", "standardImbalance", "wideImbalance", "eplbImbalance",
  ]);
  const {
    tokensPerSecPerUser,
    standardEp = 8,
    wideEp = 32,
    redundantExperts = 32,
    standardImbalance = 1.25,
    wideImbalance = 1.5,
    eplbImbalance = 1.05,
    ...rest
  } = options;
  assertPositive("tokensPerSecPerUser", tokensPerSecPerUser);
  assertPositiveInt("standardEp", standardEp);
  assertPositiveInt("wideEp", wideEp);
  assertNonNegativeInt("redundantExperts", redundantExperts);
  assertInRange("standardImbalance", standardImbalance, 1, Number.MAX_VALUE);
  assertInRange("wideImbalance", wideImbalance, 1, Number.MAX_VALUE);
  assertInRange("eplbImbalance", eplbImbalance, 1, Number.MAX_VALUE);
  const m = resolveModel(rest.model);
  const batchSizes = rest.batchSizes ?? FINE_BATCHES;
  const at = (model: ModelSpec, epSize: number, redundant: number, loadImbalance: number): number | null => {
    const s = sweepFrontier({ ...rest, model, epSizes: [epSize], batchSizes, redundantExperts: redundant, loadImbalance });
    if (s.skippedEpSizes.length > 0) throw new RangeError(`epSize ${epSize} does not divide numExperts + redundantExperts (${model.numExperts + redundant})`);
    return throughputAtInteractivity(s.byEp[epSize], tokensPerSecPerUser);
  };
  const dense = denseEquivalent(m);
  return [
    { name: DENSE_SAME_ACTIVE_SIZE, epSize: 1, redundantExperts: 0, loadImbalance: 1, outputTokensPerSecPerGpu: at(dense, 1, 0, 1) },
    { name: "standard EP", epSize: standardEp, redundantExperts: 0, loadImbalance: standardImbalance, outputTokensPerSecPerGpu: at(m, standardEp, 0, standardImbalance) },
    { name: "wide EP", epSize: wideEp, redundantExperts: 0, loadImbalance: wideImbalance, outputTokensPerSecPerGpu: at(m, wideEp, 0, wideImbalance) },
    { name: "wide EP + EPLB", epSize: wideEp, redundantExperts, loadImbalance: eplbImbalance, outputTokensPerSecPerGpu: at(m, wideEp, redundantExperts, eplbImbalance) },
  ];
}

/**
 * A dense stand-in for an MoE model: one "expert" per MoE layer whose width is the active FFN width
 * (topK·expertFfnSize), shared experts kept, everything else unchanged.
 * @param model MoE model name or spec
 * @returns a ModelSpec with numExperts = topK = 1
 * @throws {RangeError|TypeError} for an unknown model
 * @example denseEquivalent("deepseek-v3").expertFfnSize // 8·2048 = 16384
 */
export function denseEquivalent(model: string | ModelSpec): ModelSpec {
  const m = resolveModel(model);
  return Object.freeze({
    ...m,
    name: `${m.name}-dense-equivalent`,
    label: `${m.label} (dense equivalent)`,
    numExperts: 1,
    topK: 1,
    numGroups: 1,
    topkGroup: 1,
    expertFfnSize: m.topK * m.expertFfnSize,
  });
}
