/**
 * The computations behind Lab 3.1's Exercises 2–4 and the lab's default workload.
 *
 * - The lab's workload is the `dsv3-like` preset of src/eplb (DeepSeek-V3-shaped expert statistics), summed over a
 *   statistics window: {@link labExpertLoad}.
 * - Exercise 2 (throughput of no EP / standard EP / wide EP / wide EP + EPLB) is revealed only after the learner's
 *   prediction was recorded by `exercises.ex2.check(...)`: {@link ex2Reveal}.
 * - Exercise 3 prints raw balancedness numbers of both EPLB policies: {@link policySweep}.
 * - Exercise 4 prints raw tokens/s per GPU at a per-user speed, overlap off and on: {@link perUserSweep}.
 * The learner draws the conclusion; the checks compare it with the same computations.
 */
import { decodeStep, getModel, FINE_BATCHES } from "../cost";
import { dsv3LikeWorkload, rebalanceExperts, gpuLoads, balancedness, balancednessPerLayer, DEFAULT_EXPERT_BYTES } from "../eplb";
import { expertPopularity } from "../routing";
import { throughputBars } from "../viz";
import type { Figure } from "../viz";
import { assertNonEmptyArray, assertNonNegativeInt, assertPositiveInt, show } from "../util";
import { LAB_WORKLOAD_SEED, Summary } from "./scenarios-eplb";

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The lab's default workload: the dsv3-like preset, seed 2024, summed over a 20-iteration statistics window. */
export const LAB_WORKLOAD = Object.freeze({ preset: "dsv3-like" as const, seed: LAB_WORKLOAD_SEED, windowIterations: 20 });

/**
 * The lab's expert load: `[layers][experts]` tokens of the dsv3-like workload summed over {@link LAB_WORKLOAD}'s window.
 * @param numLayers MoE layers (integer 1…1024), default 58 (DeepSeek-V3)
 * @param numExperts routed experts (integer ≥ 8, a multiple of 8: 8 routing groups), default 256
 * @returns `[layers][experts]` token counts
 * @throws {TypeError|RangeError} naming the parameter
 * @example labExpertLoad(2, 16).length; // 2
 */
export function labExpertLoad(numLayers = 58, numExperts = 256): number[][] {
  assertPositiveInt("numLayers", numLayers);
  assertPositiveInt("numExperts", numExperts);
  if (numExperts % 8 !== 0) throw new RangeError(`numExperts must be a multiple of 8 (the routing groups), got ${numExperts}`);
  const { seed, windowIterations } = LAB_WORKLOAD;
  const wl = dsv3LikeWorkload({ numLayers, numExperts, numGroups: 8, numIterations: windowIterations, seed });
  const sum = Array.from({ length: numLayers }, () => new Array<number>(numExperts).fill(0));
  for (let t = 0; t < windowIterations; t++) {
    const m = wl.next();
    for (let l = 0; l < numLayers; l++) for (let e = 0; e < numExperts; e++) sum[l][e] += m[l][e];
  }
  return sum;
}

// ─── Exercise 2 ───────────────────────────────────────────────────────────────────────────────

/** Ids of the four Exercise 2 configurations. */
export const EX2_CONFIG_IDS = Object.freeze(["no-ep", "standard-ep", "wide-ep", "wide-ep-eplb"] as const);
export type Ex2ConfigId = (typeof EX2_CONFIG_IDS)[number];

/**
 * The Exercise 2 operating point. gpt-oss-120b fits on one GPU, so a real no-EP baseline exists. Long contexts make
 * the KV cache large, so every configuration's batch is limited by memory, not by a cap: holding fewer experts per
 * GPU visibly buys batch. Weights are modelled as released: expert weights in MXFP4 (4-bit values with a shared scale
 * per 32), everything else in BF16, which is what lets the model run on one 80 GB GPU.
 */
export const EX2_SETTING = Object.freeze({
  model: "gpt-oss-120b",
  gpu: "gb200",
  kvLen: 16384,
  /** sanity cap on the batch search (sequences per GPU); memory binds first at this context length */
  batchSearchLimit: 4096,
  standardEp: 8,
  wideEp: 32,
  redundantExperts: 32,
  /** attention and other non-expert weights (BF16 in the released checkpoint) */
  precision: "bf16" as const,
  /** routed-expert weights, as released */
  moePrecision: "mxfp4" as const,
  checkpoint: Object.freeze({
    url: "https://huggingface.co/openai/gpt-oss-120b",
    says: "The gpt-oss-120b model card: MoE weights are quantised to MXFP4, so the 117B-parameter model runs on a single 80 GB GPU.",
  }),
});

/** One row of the Exercise 2 reveal. */
export interface ThroughputRow {
  configuration: string;
  epSize: number;
  expertSlots: number;
  batchPerGpu: number;
  loadImbalance: number;
  stepTimeMs: number;
  tokensPerSecPerUser: number;
  outputTokensPerSecPerGpu: number;
  relativeToNoEp: number;
}

/** Per-layer max/mean GPU load of `load` `[layers][experts]` under a placement, averaged over layers (each layer waits for its busiest GPU). */
function meanLayerImbalance(load: number[][], phy2log: number[][], numGpus: number): number {
  const b = balancednessPerLayer(gpuLoads(load, phy2log, numGpus));
  return b.reduce((a, x) => a + 1 / x, 0) / b.length;
}

function contiguous(numLayers: number, slots: number): number[][] {
  return Array.from({ length: numLayers }, () => Array.from({ length: slots }, (_, s) => s));
}

/** Largest batch (sequences per GPU) that fits, by doubling then bisection on decodeStep's memory check. */
function largestBatch(base: Parameters<typeof decodeStep>[0], limit: number): number {
  const fits = (b: number) => decodeStep({ ...base, batchPerGpu: b }).fits;
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (hi <= limit && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  hi = Math.min(hi, limit + 1);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The four Exercise 2 configurations under a given expert popularity.
 * @param load `[layers][experts]` expert load (tokens) for gpt-oss-120b's 128 experts
 * @returns rows in {@link EX2_CONFIG_IDS} order and the ordering (lowest output tokens/s per GPU first)
 */
function ex2Compute(load: number[][]): { rows: ThroughputRow[]; ids: Ex2ConfigId[]; ordering: Ex2ConfigId[] } {
  const s = EX2_SETTING;
  const m = getModel(s.model);
  const L = load.length;
  const E = m.numExperts;
  const eplb = rebalanceExperts(load, E + s.redundantExperts, 1, 1, s.wideEp);
  const configs: { id: Ex2ConfigId; label: string; epSize: number; redundant: number; imbalance: number }[] = [
    { id: "no-ep", label: "No EP: every GPU holds every expert", epSize: 1, redundant: 0, imbalance: 1 },
    { id: "standard-ep", label: `Standard EP (EP${s.standardEp}, contiguous)`, epSize: s.standardEp, redundant: 0, imbalance: meanLayerImbalance(load, contiguous(L, E), s.standardEp) },
    { id: "wide-ep", label: `Wide EP (EP${s.wideEp}, contiguous)`, epSize: s.wideEp, redundant: 0, imbalance: meanLayerImbalance(load, contiguous(L, E), s.wideEp) },
    { id: "wide-ep-eplb", label: `Wide EP + EPLB (EP${s.wideEp}, +${s.redundantExperts} redundant)`, epSize: s.wideEp, redundant: s.redundantExperts, imbalance: meanLayerImbalance(load, eplb.phy2log, s.wideEp) },
  ];
  const raw = configs.map((c) => {
    const base = { model: s.model, gpu: s.gpu, epSize: c.epSize, kvLen: s.kvLen, redundantExperts: c.redundant, loadImbalance: c.imbalance, precision: s.precision, moePrecision: s.moePrecision };
    const batch = largestBatch({ ...base, batchPerGpu: 1 }, s.batchSearchLimit);
    if (batch < 1) throw new RangeError(`${c.label} does not fit in memory`);
    const r = decodeStep({ ...base, batchPerGpu: batch });
    return { c, batch, r };
  });
  const value = (x: number | null | undefined) => (typeof x === "number" ? x : NaN);
  const noEp = value(raw[0].r.outputTokensPerSecPerGpu);
  const rows = raw.map(({ c, batch, r }) => ({
    configuration: c.label,
    epSize: c.epSize,
    expertSlots: E + c.redundant,
    batchPerGpu: batch,
    loadImbalance: r2(c.imbalance),
    stepTimeMs: r2(value(r.stepTimeMs)),
    tokensPerSecPerUser: r1(value(r.tokensPerSecPerUser)),
    outputTokensPerSecPerGpu: Math.round(value(r.outputTokensPerSecPerGpu)),
    relativeToNoEp: r2(value(r.outputTokensPerSecPerGpu) / noEp),
  }));
  const ids = configs.map((c) => c.id);
  const ordering = ids.slice().sort((a, b) => rows[ids.indexOf(a)].outputTokensPerSecPerGpu - rows[ids.indexOf(b)].outputTokensPerSecPerGpu);
  return { rows, ids, ordering };
}

let ex2Cache: ReturnType<typeof ex2Compute> | undefined;
function ex2Default(): ReturnType<typeof ex2Compute> {
  ex2Cache ??= ex2Compute(labExpertLoad(getModel(EX2_SETTING.model).numMoeLayers, getModel(EX2_SETTING.model).numExperts));
  return ex2Cache;
}

/** The model's ordering for Exercise 2 (used by its check; not exported from the lab's namespace). */
export function ex2Truth(): Ex2ConfigId[] {
  return ex2Default().ordering.slice();
}

let ex2Prediction: string[] | undefined;

/**
 * Record the learner's Exercise 2 prediction (the first well-formed one counts; later ones are compared but not recorded).
 * @param order four configuration ids, lowest throughput first
 * @returns the recorded prediction (a copy)
 * @throws {TypeError} when `order` is not an array of strings
 * @example recordEx2Prediction(["no-ep", "wide-ep", "standard-ep", "wide-ep-eplb"]);
 */
export function recordEx2Prediction(order: readonly string[]): string[] {
  if (!Array.isArray(order) || order.some((x) => typeof x !== "string")) throw new TypeError(`order must be an array of configuration ids, got ${show(order)}`);
  ex2Prediction ??= order.slice();
  return ex2Prediction.slice();
}

/** The recorded Exercise 2 prediction, or undefined before `exercises.ex2.check(...)` accepted one. */
export function ex2RecordedPrediction(): string[] | undefined {
  return ex2Prediction?.slice();
}

/** Forget the recorded prediction (tests, and an instructor resetting a demo kernel). */
export function resetEx2Prediction(): void {
  ex2Prediction = undefined;
}

/**
 * Exercise 2, step 2: the cost model's throughput of the four configurations — shown only once a prediction was
 * recorded with `exercises.ex2.check(myOrder)`; before that the rows and the figure say what to do.
 * @returns `{ revealed, rows, figure, summary }`; `rows`/`figure` are the results when revealed
 * @throws never (fixed inputs)
 * @example ex2Reveal().revealed; // false until exercises.ex2.check(...) recorded a prediction
 */
export function ex2Reveal(): { revealed: boolean; rows: (ThroughputRow | { configuration: string })[]; figure: Figure; summary: Summary } {
  if (!ex2Prediction) {
    const msg = "Hidden until you record a prediction: fill in myOrder above and run exercises.ex2.check(myOrder).";
    return {
      revealed: false,
      rows: [{ configuration: msg }],
      figure: throughputBars(["(hidden until your prediction is recorded)"], [0], { title: msg }),
      summary: new Summary(msg),
    };
  }
  const { rows, ids, ordering } = ex2Default();
  const s = EX2_SETTING;
  const figure = throughputBars(
    rows.map((r) => r.configuration.split(" (")[0].replace(": every GPU holds every expert", "")),
    rows.map((r) => r.outputTokensPerSecPerGpu),
    {
      title: `Modelled decode throughput per GPU, ${s.model} on ${s.gpu.toUpperCase()}, ${s.kvLen}-token contexts, largest batch that fits (relative to no EP)`,
      notes: rows.map((r) => `${r.configuration}; batch ${r.batchPerGpu} per GPU; busiest ÷ mean GPU load ${r.loadImbalance}`),
    },
  );
  let pairsRight = 0;
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) if (ordering.indexOf(ex2Prediction[i] as Ex2ConfigId) < ordering.indexOf(ex2Prediction[j] as Ex2ConfigId)) pairsRight++;
  const byId = (id: Ex2ConfigId) => rows[ids.indexOf(id)];
  const summary = new Summary(
    `Your recorded prediction: ${ex2Prediction.join(" < ")} (${pairsRight} of 6 pairs in the model's order). The model's order: ${ordering.join(" < ")}. ` +
      `Without EP each GPU holds all ${getModel(s.model).numExperts} experts and fits ${byId("no-ep").batchPerGpu} sequences; EP${s.standardEp} fits ${byId("standard-ep").batchPerGpu} and EP${s.wideEp} ${byId("wide-ep").batchPerGpu}: ` +
      `the memory freed from expert weights becomes KV cache for a bigger batch. Contiguous wide EP then loses part of that to load imbalance (busiest GPU ${byId("wide-ep").loadImbalance}× the mean), which EPLB removes (${byId("wide-ep-eplb").loadImbalance}×).`,
  );
  return { revealed: true, rows, figure, summary };
}

/**
 * How the Exercise 2 ordering depends on the expert popularity: uniform routing, a Zipf(0.8) popularity, and the
 * lab's dsv3-like workload. Revealed only after a prediction was recorded (see {@link ex2Reveal}).
 * @returns one row per popularity with the ordering (lowest throughput first), or one row saying it is hidden
 * @throws never (fixed inputs)
 * @example ex2SkewRows().length >= 1; // true
 */
export function ex2SkewRows(): { workload: string; ordering: string }[] {
  if (!ex2Prediction) return [{ workload: "(hidden until you record a prediction with exercises.ex2.check)", ordering: "" }];
  const m = getModel(EX2_SETTING.model);
  const L = m.numMoeLayers;
  const E = m.numExperts;
  const zipf = Array.from({ length: L }, (_, l) => Array.from(expertPopularity(E, { kind: "zipf", zipfS: 0.8, seed: 7 + l }), (x) => x * 1e6));
  const cases: { workload: string; load: number[][] }[] = [
    { workload: "uniform (every expert equally popular)", load: Array.from({ length: L }, () => new Array<number>(E).fill(1e6 / E)) },
    { workload: "Zipf s = 0.8, a random ranking per layer", load: zipf },
    { workload: "dsv3-like (the lab's default)", load: labExpertLoad(L, E) },
  ];
  return cases.map((c) => ({ workload: c.workload, ordering: ex2Compute(c.load).ordering.join(" < ") }));
}

// ─── Exercise 3 ───────────────────────────────────────────────────────────────────────────────

/** The Exercise 3 cluster: DeepSeek-V3's 256 experts in 8 groups on 32 GPUs in 4 nodes; target balancedness 0.9. */
export const EX3_SETTING = Object.freeze({ numExperts: 256, numGroups: 8, numGpus: 32, numNodes: 4, target: 0.9 });

/** One row of {@link policySweep}. */
export interface PolicyRow {
  redundantExperts: number;
  slotsPerGpu: number;
  hierarchicalBalancedness: number;
  hierarchicalNodeBalancedness: number;
  globalBalancedness: number;
  extraExpertGBPerGpu: number;
}

let ex3Load: number[][] | undefined;
const ex3Cache = new Map<number, PolicyRow>();

function policyRow(r: number, name: string): PolicyRow {
  assertNonNegativeInt(name, r);
  const { numExperts: E, numGroups, numGpus: P, numNodes } = EX3_SETTING;
  if (r % P !== 0) throw new RangeError(`${name} must be a multiple of ${P} (so every GPU gets the same number of slots), got ${r}`);
  if (r > 4 * E) throw new RangeError(`${name} must be ≤ ${4 * E}, got ${r}`);
  const hit = ex3Cache.get(r);
  if (hit) return hit;
  ex3Load ??= labExpertLoad();
  const load = ex3Load;
  const h = rebalanceExperts(load, E + r, numGroups, numNodes, P);
  const g = rebalanceExperts(load, E + r, 1, 1, P);
  const hg = gpuLoads(load, h.phy2log, P);
  const perNode = P / numNodes;
  const nodeLoads = hg.map((row) => Array.from({ length: numNodes }, (_, n) => row.slice(n * perNode, (n + 1) * perNode).reduce((a, b) => a + b, 0)));
  const m = getModel("deepseek-v3");
  const row: PolicyRow = {
    redundantExperts: r,
    slotsPerGpu: (E + r) / P,
    hierarchicalBalancedness: r3(balancedness(hg)),
    hierarchicalNodeBalancedness: r3(balancedness(nodeLoads)),
    globalBalancedness: r3(balancedness(gpuLoads(load, g.phy2log, P))),
    extraExpertGBPerGpu: r2(((r / P) * m.numMoeLayers * DEFAULT_EXPERT_BYTES) / 1e9),
  };
  ex3Cache.set(r, row);
  return row;
}

/**
 * Exercise 3's raw numbers: EPLB's balancedness (mean ÷ max GPU load, averaged over 58 layers of the lab's workload)
 * with the hierarchical policy (groups packed onto nodes first) and the global policy, the hierarchical policy's
 * node-level balancedness, and the memory the redundant experts cost.
 * @param candidates redundant-expert counts, each a non-negative multiple of 32 (≤ 1024)
 * @returns one row per candidate
 * @throws {TypeError|RangeError} naming `candidates[i]` for a count that is not a non-negative multiple of 32, or an empty array
 * @example policySweep([0, 32]).length; // 2
 */
export function policySweep(candidates: readonly number[]): PolicyRow[] {
  assertNonEmptyArray("candidates", candidates);
  return Array.from(candidates, (r, i) => policyRow(r, `candidates[${i}]`));
}

/** Exercise 3's answer shape. */
export interface Ex3Answer {
  policy: "hierarchical" | "global";
  redundantExperts: number;
}

/**
 * The fewest redundant experts (multiples of 32, up to 256) reaching the target with each policy, or null if none does.
 * @returns `{ hierarchical, global }` redundant-expert counts (null when the policy never reaches the target)
 * @throws never
 * @example ex3Truth().global !== null; // true
 */
export function ex3Truth(): { hierarchical: number | null; global: number | null } {
  const first = (key: "hierarchicalBalancedness" | "globalBalancedness") => {
    for (let r = 0; r <= 256; r += EX3_SETTING.numGpus) if (policyRow(r, "redundant")[key] >= EX3_SETTING.target) return r;
    return null;
  };
  return { hierarchical: first("hierarchicalBalancedness"), global: first("globalBalancedness") };
}

// ─── Exercise 4 ───────────────────────────────────────────────────────────────────────────────

/** The Exercise 4 setting: DeepSeek-V3 decode on H200 nodes (8 GPUs on NVLink, 400 Gb/s per GPU between nodes). */
export const EX4_SETTING = Object.freeze({ model: "deepseek-v3", gpu: "h200", kvLen: 4096, tokensPerSecPerUser: 20, epSizes: Object.freeze([8, 16, 32, 64, 128, 256]) });

/** One row of {@link perUserSweep}. */
export interface PerUserRow {
  epSize: number;
  expertsPerGpu: number;
  batchOverlapOff: number | null;
  tokensPerSecPerGpuOverlapOff: number | null;
  batchOverlapOn: number | null;
  tokensPerSecPerGpuOverlapOn: number | null;
  moeMs: number | null;
  allToAllMs: number | null;
}

function bestAtSpeed(epSize: number, overlap: boolean, target: number): { batch: number; tps: number; moeMs: number; commMs: number } | null {
  const s = EX4_SETTING;
  let best: { batch: number; tps: number; moeMs: number; commMs: number } | null = null;
  for (const b of FINE_BATCHES) {
    const r = decodeStep({ model: s.model, gpu: s.gpu, epSize, batchPerGpu: b, kvLen: s.kvLen, overlap });
    if (!r.fits) break;
    const user = r.tokensPerSecPerUser as number | null;
    const tps = r.outputTokensPerSecPerGpu as number | null;
    if (user === null || tps === null || user < target) continue;
    if (!best || tps > best.tps) best = { batch: b, tps, moeMs: r.moeMs, commMs: r.dispatchMs + r.combineMs };
  }
  return best;
}

const ex4Cache = new Map<number, PerUserRow>();

/**
 * Exercise 4's raw numbers: for each EP size, the most output tokens/s per GPU the cost model finds (over a batch grid
 * of 1…1024 sequences per GPU, within memory) while every user still gets ≥ 20 tokens/s, without and with two-batch
 * overlap, and the expert-compute and all-to-all time of the best overlap-off point.
 * @param epSizes EP sizes (GPUs), each dividing 256
 * @returns one row per EP size; null where no batch reaches the per-user speed
 * @throws {TypeError|RangeError} naming `epSizes[i]` when not a positive integer dividing 256, or an empty array
 * @example perUserSweep([8]).length; // 1
 */
export function perUserSweep(epSizes: readonly number[]): PerUserRow[] {
  assertNonEmptyArray("epSizes", epSizes);
  return Array.from(epSizes, (ep, i) => {
    assertPositiveInt(`epSizes[${i}]`, ep);
    if (256 % ep !== 0) throw new RangeError(`epSizes[${i}] must divide 256 (DeepSeek-V3's experts), got ${ep}`);
    const hit = ex4Cache.get(ep);
    if (hit) return hit;
    const off = bestAtSpeed(ep, false, EX4_SETTING.tokensPerSecPerUser);
    const on = bestAtSpeed(ep, true, EX4_SETTING.tokensPerSecPerUser);
    const row: PerUserRow = {
      epSize: ep,
      expertsPerGpu: 256 / ep,
      batchOverlapOff: off ? off.batch : null,
      tokensPerSecPerGpuOverlapOff: off ? Math.round(off.tps) : null,
      batchOverlapOn: on ? on.batch : null,
      tokensPerSecPerGpuOverlapOn: on ? Math.round(on.tps) : null,
      moeMs: off ? r2(off.moeMs) : null,
      allToAllMs: off ? r2(off.commMs) : null,
    };
    ex4Cache.set(ep, row);
    return row;
  });
}

/** Exercise 4's answer shape: the best EP size without and with two-batch overlap. */
export interface Ex4Answer {
  overlapOff: number;
  overlapOn: number;
}

/**
 * The EP sizes of {@link EX4_SETTING} whose throughput is within 1% of the best, without and with overlap.
 * @returns `{ overlapOff, overlapOn }`: arrays of acceptable EP sizes (the best first)
 * @throws {RangeError} when no EP size reaches the per-user speed
 * @example ex4Truth().overlapOff.length >= 1; // true
 */
export function ex4Truth(): { overlapOff: number[]; overlapOn: number[] } {
  const rows = perUserSweep(EX4_SETTING.epSizes);
  const pick = (key: "tokensPerSecPerGpuOverlapOff" | "tokensPerSecPerGpuOverlapOn") => {
    const ok = rows.filter((r) => r[key] !== null).sort((a, b) => (b[key] as number) - (a[key] as number));
    if (ok.length === 0) throw new RangeError(`no EP size reaches ${EX4_SETTING.tokensPerSecPerUser} tokens/s per user`);
    const best = ok[0][key] as number;
    return ok.filter((r) => (r[key] as number) >= 0.99 * best).map((r) => r.epSize);
  };
  return { overlapOff: pick("tokensPerSecPerGpuOverlapOff"), overlapOn: pick("tokensPerSecPerGpuOverlapOn") };
}
