/**
 * One-layer conveniences for labs (e.g. the lab's toy example of 8 experts on 4 GPUs): run EPLB on a single
 * load vector and compare it with the no-replica baselines in one table.
 */
import { assertKnownKeys, assertPositiveInt } from "../util/validate";
import { contiguousPlacement, greedyPlacement } from "./baselines";
import { balancedness, gpuLoads, imbalance } from "./metrics";
import { EplbPolicy, rebalanceExperts } from "./rebalance";
import { checkLoadVector } from "./validate";

/** Options for {@link planLayer} and {@link compareStrategies}. */
export interface LayerPlanOptions {
  /** GPUs (P). Required. */
  numGpus: number;
  /** Physical slots (R); default numExperts (no replicas). Must be a multiple of numGpus and ≥ numExperts. */
  numReplicas?: number;
  /** Expert groups (G); default 1. */
  numGroups?: number;
  /** Server nodes (N); default 1. */
  numNodes?: number;
}

/** EPLB result for one layer, with the metrics a lab shows. */
export interface LayerPlan {
  /** `[slots]` expert in each slot. */
  phy2log: number[];
  /** `[experts][maxReplicas]` slots of each expert, −1 padded. */
  log2phy: number[][];
  /** `[experts]` replica count. */
  logcnt: number[];
  /** `[gpus][slotsPerGpu]` experts on each GPU in slot order. */
  expertsOnGpu: number[][];
  /** `[gpus]` load per GPU (tokens), each expert's load split evenly over its replicas. */
  gpuLoads: number[];
  /** mean/max of gpuLoads (1 = perfect). */
  balancedness: number;
  /** (max − mean)/mean of gpuLoads (0 = perfect). */
  imbalance: number;
  policy: EplbPolicy;
}

function checkOptions(options: LayerPlanOptions, numExperts: number): Required<LayerPlanOptions> {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${String(options)}`);
  assertKnownKeys("options", options, ["numGpus", "numReplicas", "numGroups", "numNodes"]);
  const numGpus = options.numGpus;
  assertPositiveInt("options.numGpus", numGpus);
  const o = {
    numGpus,
    numReplicas: options.numReplicas ?? numExperts,
    numGroups: options.numGroups ?? 1,
    numNodes: options.numNodes ?? 1,
  };
  assertPositiveInt("options.numReplicas", o.numReplicas);
  assertPositiveInt("options.numGroups", o.numGroups);
  assertPositiveInt("options.numNodes", o.numNodes);
  return o;
}

/**
 * EPLB for a single layer.
 * @param load `[experts]` expert load (tokens, finite, ≥ 0)
 * @param options numGpus (required), numReplicas (default numExperts), numGroups (1), numNodes (1)
 * @returns placement, per-GPU loads and metrics (see {@link LayerPlan})
 * @throws {TypeError|RangeError} naming the bad value (see `rebalanceExperts` for the preconditions)
 * @example
 * planLayer([10, 2, 3, 1, 6, 2, 1, 7], { numGpus: 4, numReplicas: 12 }).logcnt; // replicas per expert, sum 12
 */
export function planLayer(load: ArrayLike<number>, options: LayerPlanOptions): LayerPlan {
  const E = checkLoadVector("load", load);
  const o = checkOptions(options, E);
  const p = rebalanceExperts([load], o.numReplicas, o.numGroups, o.numNodes, o.numGpus);
  const phy2log = p.phy2log[0];
  const g = gpuLoads(Array.from(load), phy2log, o.numGpus);
  const per = o.numReplicas / o.numGpus;
  const expertsOnGpu: number[][] = [];
  for (let q = 0; q < o.numGpus; q++) expertsOnGpu.push(phy2log.slice(q * per, (q + 1) * per));
  return {
    phy2log,
    log2phy: p.log2phy[0],
    logcnt: p.logcnt[0],
    expertsOnGpu,
    gpuLoads: g,
    balancedness: balancedness(g),
    imbalance: imbalance(g),
    policy: p.policy,
  };
}

/** One row of {@link compareStrategies}. */
export interface StrategyRow {
  strategy: "contiguous" | "greedy" | "eplb";
  /** Physical slots used (numExperts for the baselines). */
  numReplicas: number;
  /** `[gpus]` load per GPU (tokens). */
  gpuLoads: number[];
  /** Heaviest GPU load (tokens): the layer's step time scales with it. */
  maxGpuLoad: number;
  balancedness: number;
  imbalance: number;
  /** `[gpus][…]` experts on each GPU. */
  expertsOnGpu: number[][];
}

/**
 * Contiguous vs greedy (equal counts, no replicas) vs EPLB (with `numReplicas` slots) on one layer.
 * @param load `[experts]` expert load (tokens); numExperts must be divisible by numGpus
 * @param options as {@link planLayer}; numReplicas defaults to numExperts
 * @returns three rows, in the order contiguous, greedy, eplb
 * @throws {TypeError|RangeError} naming the bad value
 * @example
 * compareStrategies([10, 2, 3, 1, 6, 2, 1, 7], { numGpus: 4, numReplicas: 12 }).map((r) => r.maxGpuLoad); // [12, 11, 8.5]
 */
export function compareStrategies(load: ArrayLike<number>, options: LayerPlanOptions): StrategyRow[] {
  const E = checkLoadVector("load", load);
  const o = checkOptions(options, E);
  const v = Array.from(load);
  const row = (strategy: StrategyRow["strategy"], numReplicas: number, g: number[], expertsOnGpu: number[][]): StrategyRow => ({
    strategy,
    numReplicas,
    gpuLoads: g,
    maxGpuLoad: Math.max(...g),
    balancedness: balancedness(g),
    imbalance: imbalance(g),
    expertsOnGpu,
  });
  const c = contiguousPlacement(E, o.numGpus);
  const gr = greedyPlacement(v, o.numGpus);
  const plan = planLayer(v, o);
  return [
    row("contiguous", E, gpuLoads(v, c.phy2log as number[], o.numGpus), c.expertsOnGpu),
    row("greedy", E, gr.gpuLoads, gr.expertsOnGpu),
    row("eplb", o.numReplicas, plan.gpuLoads, plan.expertsOnGpu),
  ];
}
