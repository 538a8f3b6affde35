/**
 * The deployment search: disaggregated prefill and decode pools (and an aggregated baseline), each with its
 * EP size, attention data parallelism, redundant expert slots, EPLB policy (hierarchical or global) and
 * static vs online rebalancing; prefill:decode instance ratio matched on request throughput (xPyD); the
 * Pareto frontier of output tokens/s per GPU against tokens/s per user; the chosen plan and why; every
 * rejected configuration with its reason.
 *
 * Models used (all from this library, nothing hard-coded):
 * - decode step time, memory and "fits": `decodeStep` of src/cost (data-parallel attention on every GPU of
 *   the EP group, routed experts spread over it, dispatch/combine per MoE layer, optional two-batch overlap);
 * - prefill: a roofline per GPU built from `stepIntensity` (FLOPs of one chunk through the whole model),
 *   `memoryPerGpu` (bytes each GPU streams) and `allToAllTime` (dispatch + combine per MoE layer), with the
 *   routed-expert FLOPs scaled by the EPLB imbalance;
 * - imbalance: DeepSeek's EPLB (`rebalanceExperts` of src/eplb) on an expert load — a recorded one, or a
 *   seeded `dsv3-like` workload (src/eplb/dsv3-like.ts). "Static" places on one window of iterations and is measured on the next
 *   window (the placement ages); "online" is measured on the window it was computed from (a rebalance every
 *   window). The cost of moving experts online is not charged.
 * TTFT is the prefill time of one chunk holding the prompt (queueing and KV transfer are not modelled).
 */
import { allToAllTime } from "../cost/alltoall";
import { decodeStep } from "../cost/decode";
import { stepIntensity } from "../cost/intensity";
import { expertParams } from "../cost/catalog-models";
import { memoryPerGpu } from "../cost/memory";
import { DEFAULT_EFFICIENCY } from "../cost/roofline";
import { dsv3LikeWorkload } from "../eplb/dsv3-like";
import { rebalanceExperts, rebalanceExpertsFlat } from "../eplb/rebalance";
import { resolvePlanInputs, type PlanInputs, type ResolvedPlanInputs } from "./inputs";

/** EPLB policy of a pool. */
export type PoolPolicy = "hierarchical" | "global";
/** When the placement is computed: once before serving, or repeatedly from live statistics. */
export type EplbMode = "static" | "online";

/** One pool (prefill, decode or aggregated): an engine instance repeated `instances` times. */
export interface PoolPlan {
  role: "prefill" | "decode" | "aggregated";
  /** Engine instances of this pool. */
  instances: number;
  /** GPUs per instance = TP = EP = attention-DP ranks (wide EP: every GPU runs attention for its own requests). */
  gpusPerInstance: number;
  /** Nodes per instance (ceil(gpusPerInstance / gpusPerNode)). */
  nodesPerInstance: number;
  /** Tensor-parallel size of the instance (the world size of the engine). */
  tp: number;
  /** Attention data-parallel ranks (= tp here). */
  dp: number;
  /** Attention TP inside a DP rank (tp / dp = 1). */
  attentionTp: number;
  /** Expert-parallel size (= tp). */
  ep: number;
  /** Extra expert slots over the whole instance. */
  redundantExperts: number;
  /** numExperts + redundantExperts physical slots per layer. */
  numSlots: number;
  eplbPolicy: PoolPolicy;
  eplbMode: EplbMode;
  /** EPLB nodes used by the hierarchical policy (NVLink domains spanned by the instance). */
  eplbNodes: number;
  /** Balancedness (mean/max GPU load, mean over layers) of the placement on the workload. */
  balancedness: number;
  /** 1 / balancedness: what the cost model is given as loadImbalance. */
  loadImbalance: number;
  /** Decode: sequences per GPU; prefill: prompts per chunk per GPU. */
  batchPerGpu: number;
  /** Engine max_batch_size per rank. */
  maxBatchSize: number;
  /** Engine max_num_tokens per rank (prefill: the chunk, ≥ the prompt length). */
  maxNumTokens: number;
  /** TensorRT-LLM moe_config.max_num_tokens: max_num_tokens × ep, so one chunk holds every rank's tokens. */
  moeMaxNumTokens: number;
  /** CUDA graph batch sizes (decode only; empty for prefill). */
  cudaGraphBatchSizes: number[];
  /** Two-batch overlap of dispatch/combine with compute. */
  twoBatchOverlap: boolean;
  /** DeepEP mode: "low_latency" for decode, "normal" for prefill. */
  deepepMode: "low_latency" | "normal";
  /** Time of one step (decode) or one chunk (prefill), ms. */
  stepTimeMs: number;
  /** Decode/aggregated: output tokens/s per user. Prefill: 0. */
  tokensPerSecPerUser: number;
  /** Decode/aggregated: output tokens/s per GPU; prefill: input tokens/s per GPU. */
  tokensPerSecPerGpu: number;
  /** Requests/s one instance completes. */
  requestsPerSecPerInstance: number;
  /** Weights per GPU, GB. */
  weightsGB: number;
  /** KV cache per GPU at this batch, GB. */
  kvGB: number;
  /** GPU memory capacity, GB. */
  capacityGB: number;
}

/** A whole deployment: prefill + decode pools (disaggregated) or one aggregated pool. */
export interface PlanCandidate {
  id: string;
  kind: "disaggregated" | "aggregated";
  prefill?: PoolPlan;
  /** Decode pool (the aggregated pool for kind "aggregated"). */
  decode: PoolPlan;
  /** "xPyD" for disaggregated, "N× aggregated" otherwise. */
  ratio: string;
  gpus: number;
  tokensPerSecPerGpu: number;
  tokensPerSecPerUser: number;
  ttftMs: number;
  /** Requests in flight the deployment holds (decode slots). */
  concurrency: number;
  /** Requests/s it sustains. */
  requestsPerSec: number;
}

/** A configuration the search rejected, with the reason in words. */
export interface Rejection {
  id: string;
  role: "prefill" | "decode" | "aggregated" | "deployment";
  reason: string;
}

/** A point of the Pareto frontier. */
export interface FrontierPoint {
  id: string;
  kind: "disaggregated" | "aggregated";
  tokensPerSecPerUser: number;
  tokensPerSecPerGpu: number;
  meetsSla: boolean;
}

/** Result of {@link planDeployment}. */
export interface PlanResult {
  inputs: ResolvedPlanInputs;
  /** Where the expert load came from. */
  expertLoadSource: "recorded" | "generated";
  /** Every deployment that meets all constraints, best first. */
  candidates: PlanCandidate[];
  /** Pareto frontier (tokens/s/user ascending) over all deployments that fit in memory, SLA or not. */
  frontier: FrontierPoint[];
  /** The frontier of each kind of deployment on its own. */
  frontierByKind: { disaggregated: FrontierPoint[]; aggregated: FrontierPoint[] };
  chosen: PlanCandidate;
  /** Why this plan, in words. */
  why: string;
  rejected: Rejection[];
  /** The best aggregated deployment meeting the constraints, if any (the baseline). */
  aggregatedBaseline?: PlanCandidate;
  /** EPLB placements `[layers][slots]` (logical expert per physical slot) of the chosen pools. */
  placements: { prefill?: number[][]; decode: number[][] };
  /** The `[layers][experts]` load the placements were computed from (tokens). */
  expertLoad: number[][];
}

const DECODE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 96, 128, 192, 256];
const WINDOW = 8;

interface Workload {
  /** Placement window `[layers × experts]`. */
  aFlat: Float64Array;
  /** Evaluation window (static placements age into it). */
  bFlat: Float64Array;
  all: number[][];
  source: "recorded" | "generated";
}

function flatten(m: number[][]): Float64Array {
  const E = m[0].length;
  const out = new Float64Array(m.length * E);
  m.forEach((r, l) => r.forEach((v, e) => (out[l * E + e] = v)));
  return out;
}

/** Balancedness (mean over layers of mean/max GPU load) of a flat placement on a flat load. */
function flatBalancedness(load: Float64Array, phy2log: Int32Array, logcnt: Int32Array, L: number, E: number, R: number, P: number): number {
  const per = R / P;
  const g = new Float64Array(P);
  let acc = 0;
  for (let l = 0; l < L; l++) {
    g.fill(0);
    for (let s = 0; s < R; s++) {
      const e = phy2log[l * R + s];
      g[(s / per) | 0] += load[l * E + e] / logcnt[l * E + e];
    }
    let sum = 0;
    let max = 0;
    for (let i = 0; i < P; i++) {
      sum += g[i];
      if (g[i] > max) max = g[i];
    }
    acc += max === 0 ? 1 : sum / P / max;
  }
  return acc / L;
}

function sumWindow(rows: number[][][]): number[][] {
  const out = rows[0].map((r) => r.map(() => 0));
  for (const it of rows) for (let l = 0; l < it.length; l++) for (let e = 0; e < it[l].length; e++) out[l][e] += it[l][e];
  return out;
}

function makeWorkload(inp: ResolvedPlanInputs): Workload {
  if (inp.expertLoad) {
    const f = flatten(inp.expertLoad);
    return { aFlat: f, bFlat: f, all: inp.expertLoad, source: "recorded" };
  }
  // The dsv3-like preset: per-layer popularity shaped like DeepSeek-V3's published expert statistics, with drift
  // (src/eplb/dsv3-like.ts). Routing groups only where the model has them and they split the experts evenly.
  const m = inp.model;
  const wl = dsv3LikeWorkload({
    numLayers: m.numMoeLayers,
    numExperts: m.numExperts,
    numGroups: m.numGroups > 1 && m.numExperts % m.numGroups === 0 ? m.numGroups : 1,
    numIterations: 2 * WINDOW,
    tokensPerIteration: 8192 * m.topK,
    seed: inp.workloadSeed,
  });
  const its: number[][][] = [];
  for (let i = 0; i < 2 * WINDOW; i++) its.push(wl.next());
  const a = sumWindow(its.slice(0, WINDOW));
  const b = sumWindow(its.slice(WINDOW));
  return { aFlat: flatten(a), bFlat: flatten(b), all: sumWindow(its), source: "generated" };
}

interface Balance {
  balancedness: number;
  policy: PoolPolicy;
  eplbNodes: number;
}

function eplbNodesFor(ep: number, inp: ResolvedPlanInputs): number {
  const domain = Math.min(ep, inp.gpu.nvlinkDomainSize);
  return ep % domain === 0 ? ep / domain : ep;
}

/** EPLB on the workload for one pool shape; undefined when the policy is not available for it. */
function balanceFor(wl: Workload, ep: number, slots: number, policy: PoolPolicy, mode: EplbMode, inp: ResolvedPlanInputs, cache: Map<string, Balance | undefined>): Balance | undefined {
  const key = `${ep}|${slots}|${policy}|${mode}`;
  if (cache.has(key)) return cache.get(key);
  const m = inp.model;
  const nodes = eplbNodesFor(ep, inp);
  let groups = 1;
  let eplbNodes = 1;
  if (policy === "hierarchical") {
    if (m.numGroups <= 1 || m.numGroups % nodes !== 0 || m.numExperts % m.numGroups !== 0 || ep % nodes !== 0) {
      cache.set(key, undefined);
      return undefined;
    }
    groups = m.numGroups;
    eplbNodes = nodes;
  }
  const placeOn = mode === "static" ? wl.aFlat : wl.bFlat;
  const p = rebalanceExpertsFlat(placeOn, m.numMoeLayers, { numReplicas: slots, numGroups: groups, numNodes: eplbNodes, numGpus: ep });
  const b = flatBalancedness(wl.bFlat, p.phy2log, p.logcnt, m.numMoeLayers, m.numExperts, slots, ep);
  const out = { balancedness: b, policy, eplbNodes };
  cache.set(key, out);
  return out;
}

function cudaGraphSizes(maxBatch: number): number[] {
  const s = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].filter((x) => x < maxBatch);
  s.push(maxBatch);
  return s;
}

function fmt(x: number, d = 1): string {
  return Number.isFinite(x) ? x.toFixed(d) : String(x);
}

/** Prefill chunk time on one GPU of an EP group (ms), see the module comment. */
function prefillChunkMs(inp: ResolvedPlanInputs, ep: number, redundant: number, tokens: number, imbalance: number): { ms: number; weightsGB: number; kvGB: number; fits: boolean } {
  const m = inp.model;
  const si = stepIntensity({ model: m, gpu: inp.gpu, phase: "prefill", tokens, kvLen: 0, precision: inp.precision, kvCacheBytes: inp.kvCacheBytes });
  const mem = memoryPerGpu({ model: m, gpu: inp.gpu, epSize: ep, batchPerGpu: 1, kvLen: tokens, redundantExperts: redundant, precision: inp.precision, kvCacheBytes: inp.kvCacheBytes });
  const e = DEFAULT_EFFICIENCY;
  const routedFlops = 2 * tokens * m.topK * expertParams(m) * m.numMoeLayers;
  const flops = si.flops + (imbalance - 1) * routedFlops;
  // Tensor-core peak of the weight precision (FP4 formats use the GPU's FP4 peak when the catalog has one).
  const fp4 = (inp.precision === "nvfp4" || inp.precision === "mxfp4") && inp.gpu.fp4Tflops ? inp.gpu.fp4Tflops : undefined;
  const peak = (fp4 ?? (inp.precision === "bf16" ? inp.gpu.bf16Tflops : inp.gpu.fp8Tflops)) * 1e12 * e.computeFraction;
  const bytes = mem.weightsGB * 1e9 + mem.kvGB * 1e9;
  const computeMs = Math.max(flops / peak, bytes / (inp.gpu.hbmTBps * 1e12 * e.memoryFraction)) * 1000;
  const a2a = ep > 1 ? allToAllTime({ gpu: inp.gpu, epSize: ep, tokensPerRank: tokens, hiddenSize: m.hiddenSize, topK: m.topK, loadImbalance: imbalance }) : { dispatchUs: 0, combineUs: 0 };
  const commMs = (m.numMoeLayers * (a2a.dispatchUs + a2a.combineUs)) / 1000;
  const overheadMs = (m.numLayers * e.layerOverheadUs) / 1000;
  return { ms: computeMs + commMs + overheadMs, weightsGB: mem.weightsGB, kvGB: mem.kvGB, fits: mem.fits };
}

function redundantOptions(numExperts: number, ep: number): number[] {
  const r0 = (ep - (numExperts % ep)) % ep;
  const out = [r0, r0 + ep, r0 + 2 * ep].filter((r) => r <= numExperts);
  return [...new Set(out)];
}

/**
 * EP sizes searched: the divisors of a node's GPUs, then whole-node sizes whose node count is a power of two
 * or divides the budget's nodes (so instances tile the budget), at most 24 of them.
 */
function epSizes(inp: ResolvedPlanInputs): number[] {
  if (inp.epSizes) return inp.epSizes.filter((ep) => ep <= inp.gpuBudget);
  const out: number[] = [];
  for (let g = 1; g <= inp.gpusPerNode; g++) if (inp.gpusPerNode % g === 0 && g <= inp.gpuBudget) out.push(g);
  const budgetNodes = Math.floor(inp.gpuBudget / inp.gpusPerNode);
  const whole: number[] = [];
  for (let n = 2; n <= budgetNodes; n++) if ((n & (n - 1)) === 0 || budgetNodes % n === 0) whole.push(n * inp.gpusPerNode);
  const step = Math.max(1, Math.ceil(whole.length / 24));
  for (let i = 0; i < whole.length; i += step) out.push(whole[i]);
  const last = whole[whole.length - 1];
  if (last !== undefined && !out.includes(last)) out.push(last);
  return out;
}

function poolId(role: string, ep: number, slots: number, policy: PoolPolicy, mode: EplbMode, extra: string): string {
  return `${role}-ep${ep}-s${slots}-${policy === "hierarchical" ? "hier" : "glob"}-${mode}${extra}`;
}

interface PoolEval {
  pool: PoolPlan;
  id: string;
  ok: boolean;
  reason?: string;
}

function basePool(role: PoolPlan["role"], ep: number, r: number, bal: Balance, mode: EplbMode, inp: ResolvedPlanInputs): Omit<PoolPlan, "batchPerGpu" | "maxBatchSize" | "maxNumTokens" | "moeMaxNumTokens" | "cudaGraphBatchSizes" | "twoBatchOverlap" | "deepepMode" | "stepTimeMs" | "tokensPerSecPerUser" | "tokensPerSecPerGpu" | "requestsPerSecPerInstance" | "weightsGB" | "kvGB"> {
  return {
    role,
    instances: 0,
    gpusPerInstance: ep,
    nodesPerInstance: Math.ceil(ep / inp.gpusPerNode),
    tp: ep,
    dp: ep,
    attentionTp: 1,
    ep,
    redundantExperts: r,
    numSlots: inp.model.numExperts + r,
    eplbPolicy: bal.policy,
    eplbMode: mode,
    eplbNodes: bal.eplbNodes,
    balancedness: bal.balancedness,
    loadImbalance: 1 / bal.balancedness,
    capacityGB: inp.gpu.hbmGB,
  };
}

/** Whether a cost result is usable: it fits, and the cost model does not mark it infeasible. */
function costFeasible(r: { fits: boolean; feasible?: boolean }): boolean {
  return r.fits && r.feasible !== false;
}

type DecodeCache = Map<string, ReturnType<typeof decodeStep>>;

function evalDecodePools(inp: ResolvedPlanInputs, wl: Workload, cache: Map<string, Balance | undefined>, rejected: Rejection[], role: "decode" | "aggregated", steps: DecodeCache, prefillPerTokenMs?: Map<string, number>): PoolEval[] {
  const out: PoolEval[] = [];
  const m = inp.model;
  const kvLen = inp.isl + inp.osl / 2;
  for (const ep of epSizes(inp)) {
    for (const r of redundantOptions(m.numExperts, ep)) {
      for (const policy of ["hierarchical", "global"] as const) {
        for (const mode of ["static", "online"] as const) {
          const bal = balanceFor(wl, ep, m.numExperts + r, policy, mode, inp, cache);
          const cfgId = poolId(role, ep, m.numExperts + r, policy, mode, "");
          if (!bal) {
            if (mode === "static") rejected.push({ id: poolId(role, ep, m.numExperts + r, policy, "static", "*"), role, reason: `the hierarchical EPLB policy needs the ${m.numGroups} expert groups to split evenly over the ${eplbNodesFor(ep, inp)} NVLink domains of the instance` });
            continue;
          }
          let bestReason = "";
          let any = false;
          for (const overlap of [false, true]) {
            for (const b of DECODE_BATCHES) {
              const id = `${cfgId}-b${b}${overlap ? "-tbo" : ""}`;
              const stepKey = `${ep}|${r}|${b}|${overlap}|${bal.balancedness}`;
              let d = steps.get(stepKey);
              if (!d) {
                d = decodeStep({ model: m, gpu: inp.gpu, epSize: ep, batchPerGpu: b, kvLen, redundantExperts: r, precision: inp.precision, kvCacheBytes: inp.kvCacheBytes, overlap, loadImbalance: bal.balancedness > 0 ? 1 / bal.balancedness : 1, gpusPerNode: inp.gpusPerNode });
                steps.set(stepKey, d);
              }
              let stepMs = d.stepTimeMs;
              let ttft = 0;
              if (role === "aggregated") {
                const per = prefillPerTokenMs?.get(`${ep}|${r}|${policy}|${mode}`);
                if (per === undefined) continue;
                const prefillTokens = (b * inp.isl) / inp.osl;
                stepMs = d.stepTimeMs + prefillTokens * per;
                ttft = Math.ceil(inp.osl / b) * stepMs;
              }
              const tpsUser = 1000 / stepMs;
              const pool: PoolPlan = {
                ...basePool(role, ep, r, bal, mode, inp),
                batchPerGpu: b,
                maxBatchSize: b,
                maxNumTokens: role === "aggregated" ? Math.max(b, nextChunk(inp.isl)) : b,
                moeMaxNumTokens: (role === "aggregated" ? Math.max(b, nextChunk(inp.isl)) : b) * ep,
                cudaGraphBatchSizes: cudaGraphSizes(b),
                twoBatchOverlap: overlap,
                deepepMode: "low_latency",
                stepTimeMs: stepMs,
                tokensPerSecPerUser: tpsUser,
                tokensPerSecPerGpu: b * tpsUser,
                requestsPerSecPerInstance: (b * ep * tpsUser) / inp.osl,
                weightsGB: d.weightsGB,
                kvGB: d.kvGB,
              };
              let reason: string | undefined;
              if (!costFeasible(d as { fits: boolean; feasible?: boolean })) reason = `does not fit: the cost model marks it infeasible (${((d as { reasons?: string[] }).reasons ?? []).join("; ") || `weights ${fmt(d.weightsGB)} GB + KV ${fmt(d.kvGB)} GB per GPU exceed ${inp.gpu.hbmGB} GB minus the reserve`})`;
              else if (stepMs > inp.tpotMs) reason = `misses the inter-token latency: ${fmt(stepMs)} ms per token > ${fmt(inp.tpotMs)} ms`;
              else if (role === "aggregated" && ttft > inp.ttftMs) reason = `misses TTFT: ${fmt(ttft, 0)} ms > ${fmt(inp.ttftMs, 0)} ms (prefill chunks share the steps with decode)`;
              else if (ep > inp.gpuBudget) reason = `needs ${ep} GPUs, more than the budget of ${inp.gpuBudget}`;
              out.push({ pool, id, ok: reason === undefined, reason });
              if (reason === undefined) any = true;
              else if (!bestReason || b === 1) bestReason = reason;
              if (!costFeasible(d as { fits: boolean; feasible?: boolean })) break; // larger batches need more memory still
            }
          }
          if (!any) rejected.push({ id: cfgId, role, reason: bestReason || "no batch size evaluated" });
        }
      }
    }
  }
  return out;
}

function nextChunk(isl: number): number {
  return Math.ceil(isl / 256) * 256;
}

function evalPrefillPools(inp: ResolvedPlanInputs, wl: Workload, cache: Map<string, Balance | undefined>, rejected: Rejection[], perToken: Map<string, number>): PoolEval[] {
  const out: PoolEval[] = [];
  const m = inp.model;
  for (const ep of epSizes(inp)) {
    for (const r of redundantOptions(m.numExperts, ep)) {
      for (const policy of ["hierarchical", "global"] as const) {
        for (const mode of ["static", "online"] as const) {
          const bal = balanceFor(wl, ep, m.numExperts + r, policy, mode, inp, cache);
          if (!bal) continue;
          let any = false;
          let lastReason = "";
          for (const prompts of [1, 2, 4]) {
            const chunk = nextChunk(inp.isl) * prompts;
            const id = `${poolId("prefill", ep, m.numExperts + r, policy, mode, "")}-c${chunk}`;
            const c = prefillChunkMs(inp, ep, r, chunk, 1 / bal.balancedness);
            if (prompts === 1) perToken.set(`${ep}|${r}|${policy}|${mode}`, c.ms / chunk);
            const pool: PoolPlan = {
              ...basePool("prefill", ep, r, bal, mode, inp),
              batchPerGpu: prompts,
              maxBatchSize: prompts,
              maxNumTokens: chunk,
              moeMaxNumTokens: chunk * ep,
              cudaGraphBatchSizes: [],
              twoBatchOverlap: false,
              deepepMode: "normal",
              stepTimeMs: c.ms,
              tokensPerSecPerUser: 0,
              tokensPerSecPerGpu: (prompts * inp.isl) / (c.ms / 1000),
              requestsPerSecPerInstance: (prompts * ep) / (c.ms / 1000),
              weightsGB: c.weightsGB,
              kvGB: c.kvGB,
            };
            let reason: string | undefined;
            if (!c.fits) reason = `does not fit: weights ${fmt(c.weightsGB)} GB + KV of a ${chunk}-token chunk ${fmt(c.kvGB)} GB per GPU exceed the ${inp.gpu.hbmGB} GB minus the reserve`;
            else if (c.ms > inp.ttftMs) reason = `misses TTFT: a ${chunk}-token chunk takes ${fmt(c.ms, 0)} ms > ${fmt(inp.ttftMs, 0)} ms`;
            out.push({ pool, id, ok: reason === undefined, reason });
            if (reason === undefined) any = true;
            else lastReason = reason;
          }
          if (!any) rejected.push({ id: poolId("prefill", ep, m.numExperts + r, policy, mode, ""), role: "prefill", reason: lastReason });
        }
      }
    }
  }
  return out;
}

/** Size a deployment from one prefill and one decode pool within the budget and the workload targets. */
function sizeDisaggregated(inp: ResolvedPlanInputs, p: PoolPlan, d: PoolPlan): PlanCandidate | string {
  const ratio = d.requestsPerSecPerInstance / p.requestsPerSecPerInstance; // prefill instances per decode instance
  const gpusFor = (y: number): number => y * d.gpusPerInstance + Math.ceil(y * ratio - 1e-9) * p.gpusPerInstance;
  let yMax = 0;
  while (gpusFor(yMax + 1) <= inp.gpuBudget) yMax++;
  if (yMax === 0) return `one decode instance (${d.gpusPerInstance} GPUs) and the ${Math.ceil(ratio - 1e-9)} prefill instance(s) of ${p.gpusPerInstance} GPUs it needs exceed the budget of ${inp.gpuBudget} GPUs`;
  let y = yMax;
  const slotsPer = d.batchPerGpu * d.gpusPerInstance;
  if (inp.concurrency !== undefined || inp.requestRate !== undefined) {
    const needC = inp.concurrency !== undefined ? Math.ceil(inp.concurrency / slotsPer) : 1;
    const needR = inp.requestRate !== undefined ? Math.ceil(inp.requestRate / d.requestsPerSecPerInstance - 1e-9) : 1;
    y = Math.max(needC, needR, 1);
    if (y > yMax) return `the requested ${inp.concurrency !== undefined ? `concurrency ${inp.concurrency}` : ""}${inp.concurrency !== undefined && inp.requestRate !== undefined ? " and " : ""}${inp.requestRate !== undefined ? `rate ${inp.requestRate} requests/s` : ""} needs ${y} decode instances; the budget holds ${yMax}`;
  }
  const x = Math.max(1, Math.ceil(y * ratio - 1e-9));
  const gpus = y * d.gpusPerInstance + x * p.gpusPerInstance;
  const out = y * d.gpusPerInstance * d.tokensPerSecPerGpu;
  return {
    id: `${p.role}:${poolKey(p)} + decode:${poolKey(d)}`,
    kind: "disaggregated",
    prefill: { ...p, instances: x },
    decode: { ...d, instances: y },
    ratio: `${x}P${y}D`,
    gpus,
    tokensPerSecPerGpu: out / gpus,
    tokensPerSecPerUser: d.tokensPerSecPerUser,
    ttftMs: p.stepTimeMs,
    concurrency: y * slotsPer,
    requestsPerSec: Math.min(y * d.requestsPerSecPerInstance, x * p.requestsPerSecPerInstance),
  };
}

function poolKey(p: PoolPlan): string {
  return `ep${p.ep}-s${p.numSlots}-${p.eplbPolicy === "hierarchical" ? "hier" : "glob"}-${p.eplbMode}-${p.role === "prefill" ? `c${p.maxNumTokens}` : `b${p.batchPerGpu}${p.twoBatchOverlap ? "-tbo" : ""}`}`;
}

function sizeAggregated(inp: ResolvedPlanInputs, a: PoolPlan): PlanCandidate | string {
  let y = Math.floor(inp.gpuBudget / a.gpusPerInstance);
  if (y === 0) return `one instance needs ${a.gpusPerInstance} GPUs, more than the budget`;
  const slotsPer = a.batchPerGpu * a.gpusPerInstance;
  if (inp.concurrency !== undefined || inp.requestRate !== undefined) {
    const needC = inp.concurrency !== undefined ? Math.ceil(inp.concurrency / slotsPer) : 1;
    const needR = inp.requestRate !== undefined ? Math.ceil(inp.requestRate / a.requestsPerSecPerInstance - 1e-9) : 1;
    const need = Math.max(needC, needR, 1);
    if (need > y) return `the requested load needs ${need} instances; the budget holds ${y}`;
    y = need;
  }
  const prefillTokens = (a.batchPerGpu * inp.isl) / inp.osl;
  return {
    id: `aggregated:${poolKey(a)}`,
    kind: "aggregated",
    decode: { ...a, instances: y },
    ratio: `${y}× aggregated`,
    gpus: y * a.gpusPerInstance,
    tokensPerSecPerGpu: a.tokensPerSecPerGpu,
    tokensPerSecPerUser: a.tokensPerSecPerUser,
    ttftMs: Math.ceil(inp.isl / Math.max(prefillTokens, 1e-9)) * a.stepTimeMs,
    concurrency: y * slotsPer,
    requestsPerSec: y * a.requestsPerSecPerInstance,
  };
}

/**
 * Order of preference. With a load target (concurrency or request rate): fewest GPUs, then most tokens/s
 * per GPU. Without one: most output tokens/s in total on the budget, then most per GPU.
 */
function preference(inp: ResolvedPlanInputs): (a: PlanCandidate, b: PlanCandidate) => number {
  const target = inp.concurrency !== undefined || inp.requestRate !== undefined;
  return (a, b) => {
    if (target && a.gpus !== b.gpus) return a.gpus - b.gpus;
    if (!target) {
      const ta = a.tokensPerSecPerGpu * a.gpus;
      const tb = b.tokensPerSecPerGpu * b.gpus;
      if (Math.abs(ta - tb) > 1e-9 * Math.max(ta, tb)) return tb - ta;
    }
    if (b.tokensPerSecPerGpu !== a.tokensPerSecPerGpu) return b.tokensPerSecPerGpu - a.tokensPerSecPerGpu;
    return b.tokensPerSecPerUser - a.tokensPerSecPerUser;
  };
}

function paretoFrontier(points: FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((p, q) => q.tokensPerSecPerUser - p.tokensPerSecPerUser || q.tokensPerSecPerGpu - p.tokensPerSecPerGpu);
  const out: FrontierPoint[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.tokensPerSecPerGpu > best) {
      out.push(p);
      best = p.tokensPerSecPerGpu;
    }
  }
  return out.reverse();
}

/**
 * Plan a wide-EP deployment (see the module comment for what is searched and modelled).
 * @param inputs model, cluster, workload, SLA and budget; see {@link PlanInputs}
 * @returns {@link PlanResult}: the chosen plan and why, the candidates meeting every constraint (best first),
 *   the Pareto frontier, the aggregated baseline, every rejected configuration with its reason, and the
 *   EPLB placements of the chosen pools
 * @throws {TypeError|RangeError} for bad inputs (see resolvePlanInputs); {RangeError} when no deployment meets
 *   the constraints (the message gives the most common rejection reasons)
 * @example
 * const r = planDeployment({ model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50 });
 * r.chosen.kind; // "disaggregated"
 */
export function planDeployment(inputs: PlanInputs): PlanResult {
  const inp = resolvePlanInputs(inputs);
  const better = preference(inp);
  const wl = makeWorkload(inp);
  const cache = new Map<string, Balance | undefined>();
  const rejected: Rejection[] = [];
  const perToken = new Map<string, number>();
  const prefills = evalPrefillPools(inp, wl, cache, rejected, perToken);
  const steps: DecodeCache = new Map();
  const decodes = evalDecodePools(inp, wl, cache, rejected, "decode", steps);
  const aggs = evalDecodePools(inp, wl, cache, rejected, "aggregated", steps, perToken);

  // The best prefill pool per EP size (highest input tokens/s per GPU meeting TTFT); the others are dominated.
  const okPrefill = prefills.filter((p) => p.ok).sort((a, b) => b.pool.tokensPerSecPerGpu - a.pool.tokensPerSecPerGpu);
  const bestPrefillByEp = new Map<number, PoolEval>();
  for (const p of okPrefill) if (!bestPrefillByEp.has(p.pool.ep)) bestPrefillByEp.set(p.pool.ep, p);

  const candidates: PlanCandidate[] = [];
  const frontierPts: FrontierPoint[] = [];
  const slaOk = (c: PlanCandidate): boolean => c.tokensPerSecPerUser >= inp.minTokensPerSecPerUser - 1e-9 && c.ttftMs <= inp.ttftMs;
  const fitting = decodes.filter((d) => d.ok || (d.reason !== undefined && !d.reason.startsWith("does not fit")));
  for (const d of fitting) {
    let best: PlanCandidate | undefined;
    let lastWhy = "";
    for (const p of bestPrefillByEp.values()) {
      const c = sizeDisaggregated(inp, p.pool, d.pool);
      if (typeof c === "string") {
        lastWhy = c;
        continue;
      }
      if (!best || better(c, best) < 0) best = c;
    }
    if (!best) {
      if (d.ok) rejected.push({ id: d.id, role: "deployment", reason: lastWhy || "no prefill pool meets TTFT and fits" });
      continue;
    }
    frontierPts.push({ id: best.id, kind: "disaggregated", tokensPerSecPerUser: best.tokensPerSecPerUser, tokensPerSecPerGpu: best.tokensPerSecPerGpu, meetsSla: d.ok && slaOk(best) });
    if (d.ok && slaOk(best)) candidates.push(best);
  }
  let aggBest: PlanCandidate | undefined;
  for (const a of aggs.filter((x) => x.ok || (x.reason !== undefined && !x.reason.startsWith("does not fit")))) {
    const c = sizeAggregated(inp, a.pool);
    if (typeof c === "string") {
      if (a.ok) rejected.push({ id: a.id, role: "deployment", reason: c });
      continue;
    }
    frontierPts.push({ id: c.id, kind: "aggregated", tokensPerSecPerUser: c.tokensPerSecPerUser, tokensPerSecPerGpu: c.tokensPerSecPerGpu, meetsSla: a.ok && slaOk(c) });
    if (a.ok && slaOk(c)) {
      candidates.push(c);
      if (!aggBest || better(c, aggBest) < 0) aggBest = c;
    }
  }
  candidates.sort(better);
  if (candidates.length === 0) {
    const counts = new Map<string, number>();
    for (const r of rejected) {
      const k = r.reason.replace(/[0-9.]+/g, "#");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const top = [...rejected].slice(0, 3).map((r) => `${r.id}: ${r.reason}`);
    throw new RangeError(`no deployment meets the constraints (${rejected.length} configurations rejected), e.g. ${top.join("; ")}`);
  }
  const chosen = candidates[0];
  for (const c of candidates.slice(1)) {
    rejected.push({ id: c.id, role: "deployment", reason: `meets every constraint but ranks below the chosen plan: ${fmt(c.tokensPerSecPerGpu * c.gpus, 0)} output tokens/s on ${c.gpus} GPUs (${fmt(c.tokensPerSecPerGpu)} per GPU) against ${fmt(chosen.tokensPerSecPerGpu * chosen.gpus, 0)} on ${chosen.gpus} (${fmt(chosen.tokensPerSecPerGpu)} per GPU)` });
  }
  const place = (p: PoolPlan): number[][] => {
    const groups = p.eplbPolicy === "hierarchical" ? inp.model.numGroups : 1;
    return rebalanceExperts(wl.all, p.numSlots, groups, p.eplbPolicy === "hierarchical" ? p.eplbNodes : 1, p.ep).phy2log;
  };
  const why = explain(inp, chosen, aggBest, candidates.find((c) => c.kind === "disaggregated"));
  return {
    inputs: inp,
    expertLoadSource: wl.source,
    candidates,
    frontier: paretoFrontier(frontierPts),
    frontierByKind: { disaggregated: paretoFrontier(frontierPts.filter((p) => p.kind === "disaggregated")), aggregated: paretoFrontier(frontierPts.filter((p) => p.kind === "aggregated")) },
    chosen,
    why,
    rejected,
    aggregatedBaseline: aggBest,
    placements: { prefill: chosen.prefill ? place(chosen.prefill) : undefined, decode: place(chosen.decode) },
    expertLoad: wl.all,
  };
}

function explain(inp: ResolvedPlanInputs, c: PlanCandidate, agg: PlanCandidate | undefined, dis: PlanCandidate | undefined): string {
  const d = c.decode;
  const parts = [
    `${c.kind === "disaggregated" ? `Disaggregated ${c.ratio}` : c.ratio} on ${c.gpus} of ${inp.gpuBudget} GPUs gives ${inp.concurrency !== undefined || inp.requestRate !== undefined ? "the requested load on the fewest GPUs" : "the most output tokens/s on the budget"} (${fmt(c.tokensPerSecPerGpu * c.gpus, 0)} tokens/s, ${fmt(c.tokensPerSecPerGpu)} per GPU) among the deployments that fit in memory and meet ${fmt(inp.tpotMs)} ms per output token (${fmt(d.tokensPerSecPerUser)} tokens/s per user) and a TTFT of ${fmt(c.ttftMs, 0)} ms ≤ ${fmt(inp.ttftMs, 0)} ms.`,
    `Decode: EP${d.ep} with attention DP on every GPU, ${d.batchPerGpu} sequences per GPU, ${d.redundantExperts} redundant experts (${d.numSlots} slots, ${d.numSlots / d.ep} per GPU), ${d.eplbPolicy} EPLB ${d.eplbMode === "online" ? "rebalanced online" : "placed once (static)"}: balancedness ${fmt(d.balancedness, 3)}${d.twoBatchOverlap ? ", two-batch overlap" : ""}.`,
  ];
  if (c.prefill) {
    const p = c.prefill;
    parts.push(`Prefill: EP${p.ep}, ${p.maxNumTokens}-token chunks (≥ the ${inp.isl}-token prompt), ${p.redundantExperts} redundant experts, ${p.eplbPolicy} EPLB ${p.eplbMode}, balancedness ${fmt(p.balancedness, 3)}; ${p.instances} prefill instance(s) keep ${d.instances} decode instance(s) fed.`);
  }
  if (agg && agg !== c) parts.push(`The best aggregated deployment (${agg.ratio}, EP${agg.decode.ep}) reaches ${fmt(agg.tokensPerSecPerGpu * agg.gpus, 0)} tokens/s on ${agg.gpus} GPUs (${fmt(agg.tokensPerSecPerGpu)} per GPU).`);
  else if (!agg) parts.push("No aggregated deployment meets the constraints.");
  if (c.kind === "aggregated" && dis) parts.push(`The best disaggregated deployment (${dis.ratio}) reaches ${fmt(dis.tokensPerSecPerGpu * dis.gpus, 0)} tokens/s on ${dis.gpus} GPUs (${fmt(dis.tokensPerSecPerGpu)} per GPU) at ${fmt(dis.tokensPerSecPerUser)} tokens/s per user: a tighter latency target favours it.`);
  return parts.join(" ");
}
