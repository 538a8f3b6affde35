/**
 * Load-balance metrics for a placement.
 *
 * - `balancedness = mean / max` of the per-GPU load (SGLang's "utilization rate" / balancedness; 1 is
 *   perfect, 1/numGpus is everything on one GPU).
 * - `imbalance = (max − mean) / mean` (TensorRT-LLM's imbalance ratio; 0 is perfect).
 * Both are computed per layer; aggregated values are the plain mean over layers. A layer with zero total
 * load counts as perfectly balanced (balancedness 1, imbalance 0), as SGLang's epsilon makes it.
 */
import { assertPositiveInt } from "../util/validate";
import { checkIndexMatrix, checkIndexVector, checkLoadMatrix, checkLoadVector, isMatrix } from "./validate";

/**
 * Per-GPU load of a placement: each expert's load is split evenly over its replicas, and each GPU sums
 * its slots (slot s is on GPU `floor(s / (slots/numGpus))`).
 * @param load `[layers][experts]` (or one layer `[experts]`) expert load in tokens
 * @param phy2log `[layers][slots]` (or `[slots]`) expert of each slot, as from `rebalanceExperts`
 * @param numGpus GPUs; must divide the slot count
 * @returns `[layers][gpus]` (or `[gpus]` for one layer) load in tokens
 * @throws {TypeError|RangeError} naming the parameter for bad shapes, ids out of range, or an expert
 *   with load > 0 and no slot (its tokens would be lost)
 * @example
 * gpuLoads([6, 2, 2, 2], [0, 0, 1, 2, 3, 0], 3); // [4, 4, 4]: expert 0 has three replicas of 2 tokens each
 */
export function gpuLoads(load: ArrayLike<number>, phy2log: ArrayLike<number>, numGpus: number): number[];
export function gpuLoads(load: ArrayLike<ArrayLike<number>>, phy2log: ArrayLike<ArrayLike<number>>, numGpus: number): number[][];
export function gpuLoads(load: unknown, phy2log: unknown, numGpus: number): number[] | number[][] {
  if (!isMatrix(load)) {
    if (isMatrix(phy2log)) throw new TypeError("phy2log must be a vector [slots] when load is a vector [experts]");
    const E = checkLoadVector("load", load);
    checkIndexVector("phy2log", phy2log, E, "number of experts");
    return layerGpuLoads(load as ArrayLike<number>, phy2log as ArrayLike<number>, numGpus, "")[0];
  }
  const [L, E] = checkLoadMatrix("load", load);
  const [Lp] = checkIndexMatrix("phy2log", phy2log, E, "number of experts");
  if (Lp !== L) throw new RangeError(`phy2log has ${Lp} layers but load has ${L}`);
  const loads = load as ArrayLike<ArrayLike<number>>;
  const slots = phy2log as ArrayLike<ArrayLike<number>>;
  const out = new Array<number[]>(L);
  for (let l = 0; l < L; l++) out[l] = layerGpuLoads(loads[l], slots[l], numGpus, `[${l}]`)[0];
  return out;
}

function layerGpuLoads(load: ArrayLike<number>, row: ArrayLike<number>, numGpus: number, where: string): [number[]] {
  assertPositiveInt("numGpus", numGpus);
  const R = row.length;
  const E = load.length;
  if (R % numGpus !== 0) throw new RangeError(`phy2log${where} length (${R} slots) must be divisible by numGpus (${numGpus})`);
  const perGpu = R / numGpus;
  const cnt = new Int32Array(E);
  for (let s = 0; s < R; s++) cnt[row[s]]++;
  for (let e = 0; e < E; e++) {
    if (cnt[e] === 0 && load[e] > 0) throw new RangeError(`phy2log${where} has no slot for expert ${e}, whose load is ${load[e]}`);
  }
  const g = new Array<number>(numGpus).fill(0);
  for (let s = 0; s < R; s++) {
    const e = row[s];
    g[Math.floor(s / perGpu)] += load[e] / cnt[e];
  }
  return [g];
}

function stats(name: string, v: ArrayLike<number>): { mean: number; max: number } {
  checkLoadVector(name, v);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < v.length; i++) {
    sum += v[i];
    if (v[i] > max) max = v[i];
  }
  return { mean: sum / v.length, max };
}

function perLayer(name: string, m: unknown, f: (name: string, v: ArrayLike<number>) => number): number[] {
  const [L] = checkLoadMatrix(name, m);
  const rows = m as ArrayLike<ArrayLike<number>>;
  const out = new Array<number>(L);
  for (let l = 0; l < L; l++) out[l] = f(`${name}[${l}]`, rows[l]);
  return out;
}

function mean(v: number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

function balancednessOf(name: string, v: ArrayLike<number>): number {
  const { mean, max } = stats(name, v);
  return max === 0 ? 1 : mean / max;
}

function imbalanceOf(name: string, v: ArrayLike<number>): number {
  const { mean, max } = stats(name, v);
  return max === 0 ? 0 : (max - mean) / mean;
}

/**
 * Balancedness `mean / max` of GPU loads (SGLang's metric; 1 = perfect).
 * @param gpuLoads `[gpus]` load per GPU (tokens), or `[layers][gpus]` to get the mean over layers
 * @returns a number in (0, 1]; 1 when every load is zero
 * @throws {TypeError|RangeError} naming `gpuLoads[i]` for empty input, negatives, NaN, ragged rows
 * @example balancedness([4, 2, 2, 0]); // 0.5 (mean 2, max 4)
 */
export function balancedness(gpuLoads: ArrayLike<number> | ArrayLike<ArrayLike<number>>): number {
  if (isMatrix(gpuLoads)) return mean(perLayer("gpuLoads", gpuLoads, balancednessOf));
  return balancednessOf("gpuLoads", gpuLoads as ArrayLike<number>);
}

/**
 * Imbalance `(max − mean) / mean` of GPU loads (TensorRT-LLM's metric; 0 = perfect).
 * @param gpuLoads `[gpus]` load per GPU (tokens), or `[layers][gpus]` to get the mean over layers
 * @returns a number in [0, gpus − 1]; 0 when every load is zero
 * @throws {TypeError|RangeError} naming `gpuLoads[i]` for empty input, negatives, NaN, ragged rows
 * @example imbalance([4, 2, 2, 0]); // 1 ((4 − 2) / 2)
 */
export function imbalance(gpuLoads: ArrayLike<number> | ArrayLike<ArrayLike<number>>): number {
  if (isMatrix(gpuLoads)) return mean(perLayer("gpuLoads", gpuLoads, imbalanceOf));
  return imbalanceOf("gpuLoads", gpuLoads as ArrayLike<number>);
}

/**
 * Balancedness of each layer.
 * @param gpuLoads `[layers][gpus]` load per GPU (tokens)
 * @returns `[layers]` mean/max per layer
 * @throws {TypeError|RangeError} naming the bad entry
 * @example balancednessPerLayer([[1, 1], [3, 1]]); // [1, 0.6666666666666666]
 */
export function balancednessPerLayer(gpuLoads: ArrayLike<ArrayLike<number>>): number[] {
  return perLayer("gpuLoads", gpuLoads, balancednessOf);
}

/**
 * Imbalance of each layer.
 * @param gpuLoads `[layers][gpus]` load per GPU (tokens)
 * @returns `[layers]` (max − mean)/mean per layer
 * @throws {TypeError|RangeError} naming the bad entry
 * @example imbalancePerLayer([[1, 1], [3, 1]]); // [0, 0.5]
 */
export function imbalancePerLayer(gpuLoads: ArrayLike<ArrayLike<number>>): number[] {
  return perLayer("gpuLoads", gpuLoads, imbalanceOf);
}

/** Everything a lab table or plot needs about one placement under one load. */
export interface PlacementMetrics {
  /** `[layers][gpus]` load per GPU (tokens). */
  gpuLoads: number[][];
  /** `[layers]` mean/max per layer. */
  balancedness: number[];
  /** `[layers]` (max − mean)/mean per layer. */
  imbalance: number[];
  /** Mean of `balancedness` over layers. */
  meanBalancedness: number;
  /** Mean of `imbalance` over layers. */
  meanImbalance: number;
  /** `[layers]` heaviest GPU load (tokens): the step time is proportional to it. */
  maxGpuLoad: number[];
}

/**
 * GPU loads and both metrics for a placement.
 * @param load `[layers][experts]` expert load (tokens)
 * @param phy2log `[layers][slots]` expert of each slot
 * @param numGpus GPUs; must divide the slot count
 * @returns per-layer and mean metrics (see {@link PlacementMetrics})
 * @throws {TypeError|RangeError} as {@link gpuLoads}
 * @example placementMetrics([[3, 1]], [[0, 1]], 2).meanBalancedness; // 0.6666666666666666
 */
export function placementMetrics(
  load: ArrayLike<ArrayLike<number>>,
  phy2log: ArrayLike<ArrayLike<number>>,
  numGpus: number,
): PlacementMetrics {
  const g = gpuLoads(load, phy2log, numGpus);
  const b = balancednessPerLayer(g);
  const im = imbalancePerLayer(g);
  return {
    gpuLoads: g,
    balancedness: b,
    imbalance: im,
    meanBalancedness: mean(b),
    meanImbalance: mean(im),
    maxGpuLoad: g.map((row) => Math.max(...row)),
  };
}
