/**
 * Inputs of a deployment plan: model, cluster, workload, service-level objectives and GPU budget.
 * Validated like every public function of the library: unknown keys name the nearest valid key.
 */
import { getGpu, type GpuSpec } from "../cost/catalog-hardware";
import { getModel, type ModelSpec } from "../cost/catalog-models";
import { PRECISIONS, type Precision } from "../cost/roofline";
import { assertInRange, assertOneOf, assertPositive, assertPositiveInt, assertNonNegativeInt, show } from "../util/validate";
import { checkLoadMatrix } from "../eplb/validate";
import { checkKeys } from "./validate";

/** What a plan is asked to serve, on what. Token counts are tokens; times are milliseconds. */
export interface PlanInputs {
  /** Model catalog name, e.g. "deepseek-v3". */
  model: string;
  /** GPU catalog name, e.g. "gb200". */
  gpu: string;
  /** Nodes in the cluster (1 … 1024). */
  nodes: number;
  /** GPUs per node (1 … 16). */
  gpusPerNode: number;
  /** GPUs in one NVLink domain; default the GPU catalog's (72 for GB200 NVL72, 8 for HGX). */
  nvlinkDomainSize?: number;
  /** Scale-out network bandwidth per GPU, GB/s one direction; default the GPU catalog's NIC figure. */
  networkGBpsPerGpu?: number;
  /** Input (prompt) length, tokens (1 … 1,048,576). */
  isl: number;
  /** Output length, tokens (1 … 1,048,576). */
  osl: number;
  /** Requests in flight the deployment must hold; optional (default: as many as the budget allows). */
  concurrency?: number;
  /** Request arrival rate the deployment must sustain, requests/s; optional. */
  requestRate?: number;
  /** Inter-token latency bound (time per output token), ms; give this or tokensPerSecPerUser. */
  tpotMs?: number;
  /** Minimum output tokens/s seen by one user (= 1000 / tpotMs); give this or tpotMs. */
  tokensPerSecPerUser?: number;
  /** Time-to-first-token bound, ms; optional (default 10,000). */
  ttftMs?: number;
  /** GPUs the plan may use; default nodes × gpusPerNode. */
  gpuBudget?: number;
  /** Weight precision, default "fp8". */
  precision?: Precision;
  /** KV-cache precision, default "fp8" (1 byte per element); "bf16" is 2. */
  kvCacheDtype?: "fp8" | "bf16";
  /** A recorded `[layers][experts]` expert load (tokens), e.g. from readSglangLogicalCount; default a generated `dsv3-like` drifting load (src/eplb/dsv3-like.ts). */
  expertLoad?: number[][];
  /** Seed of the generated expert load, default 0. */
  workloadSeed?: number;
  /** EP sizes to search (GPUs per instance); default every divisor of a node and up to 32 whole-node sizes. */
  epSizes?: number[];
  /** Plan name (lower-case letters, digits, "-"; ≤ 24 characters); default derived from model, GPU and GPU count. */
  name?: string;
}

/** Plan inputs with defaults filled in and catalog entries resolved. */
export interface ResolvedPlanInputs {
  model: ModelSpec;
  /** The catalog GPU with the NVLink domain and NIC figures of this cluster. */
  gpu: GpuSpec;
  nodes: number;
  gpusPerNode: number;
  isl: number;
  osl: number;
  concurrency?: number;
  requestRate?: number;
  tpotMs: number;
  minTokensPerSecPerUser: number;
  ttftMs: number;
  gpuBudget: number;
  precision: Precision;
  kvCacheDtype: "fp8" | "bf16";
  kvCacheBytes: number;
  expertLoad?: number[][];
  workloadSeed: number;
  epSizes?: number[];
  name: string;
}

/** Keys accepted in {@link PlanInputs}. */
export const PLAN_INPUT_KEYS = Object.freeze([
  "model", "gpu", "nodes", "gpusPerNode", "nvlinkDomainSize", "networkGBpsPerGpu", "isl", "osl", "concurrency", "requestRate",
  "tpotMs", "tokensPerSecPerUser", "ttftMs", "gpuBudget", "precision", "kvCacheDtype", "expertLoad", "workloadSeed", "epSizes", "name",
] as const);

const MAX_TOKENS = 1 << 20;

/**
 * Check plan inputs and fill in defaults.
 * @param inputs see {@link PlanInputs}
 * @returns {@link ResolvedPlanInputs}
 * @throws {TypeError|RangeError} naming the bad field and value (unknown keys name the nearest valid key;
 *   unknown model/GPU list the known ones; both or neither of tpotMs/tokensPerSecPerUser; a budget above the cluster)
 * @example resolvePlanInputs({ model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50 }).gpuBudget // 72
 */
export function resolvePlanInputs(inputs: PlanInputs): ResolvedPlanInputs {
  checkKeys("inputs", inputs, PLAN_INPUT_KEYS);
  for (const [k, v] of Object.entries(inputs)) if (v === null) throw new TypeError(`inputs.${k} must not be null (leave it out for the default)`);
  if (typeof inputs.model !== "string") throw new TypeError(`inputs.model must be a model catalog name, got ${show(inputs.model)}`);
  if (typeof inputs.gpu !== "string") throw new TypeError(`inputs.gpu must be a GPU catalog name, got ${show(inputs.gpu)}`);
  const model = getModel(inputs.model);
  const catalogGpu = getGpu(inputs.gpu);
  assertInRange("inputs.nodes", inputs.nodes, 1, 1024);
  assertPositiveInt("inputs.nodes", inputs.nodes);
  assertInRange("inputs.gpusPerNode", inputs.gpusPerNode, 1, 16);
  assertPositiveInt("inputs.gpusPerNode", inputs.gpusPerNode);
  const total = inputs.nodes * inputs.gpusPerNode;
  const nvlinkDomainSize = inputs.nvlinkDomainSize ?? Math.min(catalogGpu.nvlinkDomainSize, Math.max(total, inputs.gpusPerNode));
  assertPositiveInt("inputs.nvlinkDomainSize", nvlinkDomainSize);
  if (nvlinkDomainSize < inputs.gpusPerNode && inputs.nvlinkDomainSize !== undefined) {
    throw new RangeError(`inputs.nvlinkDomainSize (${nvlinkDomainSize}) must be ≥ inputs.gpusPerNode (${inputs.gpusPerNode}): a node's GPUs share NVLink`);
  }
  const nic = inputs.networkGBpsPerGpu ?? catalogGpu.nicGBps;
  assertInRange("inputs.networkGBpsPerGpu", nic, Number.MIN_VALUE, 10_000);
  for (const k of ["isl", "osl"] as const) {
    assertPositiveInt(`inputs.${k}`, inputs[k]);
    if (inputs[k] > MAX_TOKENS) throw new RangeError(`inputs.${k} must be ≤ ${MAX_TOKENS} tokens, got ${inputs[k]}`);
  }
  if (inputs.concurrency !== undefined) {
    assertPositiveInt("inputs.concurrency", inputs.concurrency);
    if (inputs.concurrency > 10_000_000) throw new RangeError(`inputs.concurrency must be ≤ 10000000, got ${inputs.concurrency}`);
  }
  if (inputs.requestRate !== undefined) assertInRange("inputs.requestRate", inputs.requestRate, Number.MIN_VALUE, 1e7);
  if ((inputs.tpotMs === undefined) === (inputs.tokensPerSecPerUser === undefined)) {
    throw new RangeError("give exactly one of inputs.tpotMs and inputs.tokensPerSecPerUser");
  }
  if (inputs.tpotMs !== undefined) assertInRange("inputs.tpotMs", inputs.tpotMs, Number.MIN_VALUE, 60_000);
  if (inputs.tokensPerSecPerUser !== undefined) assertInRange("inputs.tokensPerSecPerUser", inputs.tokensPerSecPerUser, Number.MIN_VALUE, 100_000);
  const tpotMs = inputs.tpotMs ?? 1000 / (inputs.tokensPerSecPerUser as number);
  const ttftMs = inputs.ttftMs ?? 10_000;
  assertInRange("inputs.ttftMs", ttftMs, Number.MIN_VALUE, 3_600_000);
  const gpuBudget = inputs.gpuBudget ?? total;
  assertPositiveInt("inputs.gpuBudget", gpuBudget);
  if (gpuBudget > total) throw new RangeError(`inputs.gpuBudget (${gpuBudget}) must be ≤ nodes × gpusPerNode (${total})`);
  const precision = inputs.precision ?? "fp8";
  assertOneOf("inputs.precision", precision, PRECISIONS);
  const kvCacheDtype = inputs.kvCacheDtype ?? "fp8";
  assertOneOf("inputs.kvCacheDtype", kvCacheDtype, ["fp8", "bf16"] as const);
  let expertLoad: number[][] | undefined;
  if (inputs.expertLoad !== undefined) {
    const [L, E] = checkLoadMatrix("inputs.expertLoad", inputs.expertLoad);
    if (L !== model.numMoeLayers || E !== model.numExperts) {
      throw new RangeError(`inputs.expertLoad must be [${model.numMoeLayers} MoE layers][${model.numExperts} experts] for ${model.name}, got [${L}][${E}]`);
    }
    expertLoad = inputs.expertLoad.map((r) => Array.from(r));
  }
  const workloadSeed = inputs.workloadSeed ?? 0;
  assertNonNegativeInt("inputs.workloadSeed", workloadSeed);
  if (workloadSeed >= 2 ** 32) throw new RangeError(`inputs.workloadSeed must be < 2^32, got ${workloadSeed}`);
  let epSizes: number[] | undefined;
  if (inputs.epSizes !== undefined) {
    if (!Array.isArray(inputs.epSizes) || inputs.epSizes.length === 0 || inputs.epSizes.length > 64) throw new RangeError(`inputs.epSizes must be an array of 1–64 GPU counts, got ${show(inputs.epSizes)}`);
    inputs.epSizes.forEach((ep, i) => {
      assertPositiveInt(`inputs.epSizes[${i}]`, ep);
      if (ep > inputs.gpusPerNode ? ep % inputs.gpusPerNode !== 0 : inputs.gpusPerNode % ep !== 0) {
        throw new RangeError(`inputs.epSizes[${i}] (${ep}) must divide a node's ${inputs.gpusPerNode} GPUs or be whole nodes`);
      }
    });
    epSizes = [...new Set(inputs.epSizes)].sort((a, b) => a - b);
  }
  const name = inputs.name ?? `${model.name}-${catalogGpu.name}-${gpuBudget}g`.replace(/[^a-z0-9-]/g, "-").slice(0, 24).replace(/-+$/, "");
  if (typeof name !== "string" || !/^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/.test(name)) {
    throw new RangeError(`inputs.name must be 1–24 lower-case letters, digits or "-" (starting and ending with a letter or digit), got ${show(name)}`);
  }
  assertPositive("inputs.osl", inputs.osl);
  return {
    model,
    gpu: Object.freeze({ ...catalogGpu, nvlinkDomainSize, nicGBps: nic }),
    nodes: inputs.nodes,
    gpusPerNode: inputs.gpusPerNode,
    isl: inputs.isl,
    osl: inputs.osl,
    concurrency: inputs.concurrency,
    requestRate: inputs.requestRate,
    tpotMs,
    minTokensPerSecPerUser: 1000 / tpotMs,
    ttftMs,
    gpuBudget,
    precision,
    kvCacheDtype,
    kvCacheBytes: kvCacheDtype === "fp8" ? 1 : 2,
    expertLoad,
    workloadSeed,
    epSizes,
    name,
  };
}
