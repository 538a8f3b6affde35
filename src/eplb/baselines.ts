/**
 * Baseline placements without replicas, the yardsticks a lab compares EPLB against.
 *
 * - Contiguous: expert e on GPU `floor(e / (E/P))` (what a plain expert-parallel launch does).
 * - Greedy longest-processing-time (LPT) packing: experts by load descending, each onto the least-loaded GPU.
 *   Two variants:
 *   - `equalCount: true` (the DEFAULT): each GPU takes exactly E/P experts, because a real deployment gives
 *     every GPU the same number of expert slots (same memory, same kernels). This is balanced packing, i.e.
 *     exactly what EPLB does when `numReplicas == numExperts`.
 *   - `equalCount: false`: classic unconstrained LPT (Graham 1969); GPUs may hold different numbers of
 *     experts, so it can beat the constrained version on paper but is not a deployable slot layout
 *     (`phy2log` is then `null`).
 */
import { assertPositiveInt } from "../util/validate";
import { balancedPacking } from "./packing";
import { checkLoadVector } from "./validate";

/** Which GPU holds which expert (one copy each). */
export interface ExpertAssignment {
  /** `[experts]` GPU of each expert. */
  gpuOfExpert: number[];
  /** `[gpus][…]` experts on each GPU, in slot order. */
  expertsOnGpu: number[][];
  /** `[slots]` expert of each slot (GPU p owns slots p·E/P … (p+1)·E/P − 1); `null` when GPUs hold unequal counts. */
  phy2log: number[] | null;
}

/** A greedy placement and the GPU loads it produces. */
export interface GreedyPlacement extends ExpertAssignment {
  /** `[gpus]` summed expert load per GPU (tokens). */
  gpuLoads: number[];
}

/** Options for {@link greedyPlacement}. */
export interface GreedyOptions {
  /** Give every GPU exactly numExperts/numGpus experts (deployable; default `true`). */
  equalCount?: boolean;
}

function fromPhy2log(phy2log: number[], numGpus: number): ExpertAssignment {
  const per = phy2log.length / numGpus;
  const gpuOfExpert = new Array<number>(phy2log.length);
  const expertsOnGpu: number[][] = [];
  for (let p = 0; p < numGpus; p++) expertsOnGpu.push(phy2log.slice(p * per, (p + 1) * per));
  for (let s = 0; s < phy2log.length; s++) gpuOfExpert[phy2log[s]] = Math.floor(s / per);
  return { gpuOfExpert, expertsOnGpu, phy2log };
}

/**
 * Contiguous placement: GPU p holds experts p·E/P … (p+1)·E/P − 1 (equal counts, no replicas).
 * @param numExperts experts per layer (E)
 * @param numGpus GPUs (P); must divide numExperts
 * @returns the assignment; `phy2log` is the identity `[0, 1, …, E−1]`
 * @throws {TypeError|RangeError} naming numExperts/numGpus when not positive integers or not divisible
 * @example contiguousPlacement(8, 4).expertsOnGpu; // [[0, 1], [2, 3], [4, 5], [6, 7]]
 */
export function contiguousPlacement(numExperts: number, numGpus: number): ExpertAssignment {
  assertPositiveInt("numExperts", numExperts);
  assertPositiveInt("numGpus", numGpus);
  if (numExperts % numGpus !== 0) {
    throw new RangeError(`numExperts (${numExperts}) must be divisible by numGpus (${numGpus}) so every GPU gets the same number of experts`);
  }
  const phy2log = new Array<number>(numExperts);
  for (let e = 0; e < numExperts; e++) phy2log[e] = e;
  return fromPhy2log(phy2log, numGpus);
}

/**
 * Greedy longest-processing-time placement without replicas (see the file comment for both variants).
 * Visits experts by load descending (ties: lower index first) and puts each on the least-loaded GPU that
 * still has room (ties: lowest GPU index).
 * @param load `[experts]` expert load (tokens, finite, ≥ 0)
 * @param numGpus GPUs (P); must divide the expert count when `equalCount` (the default)
 * @param options `equalCount` (default true)
 * @returns the assignment and the per-GPU loads
 * @throws {TypeError|RangeError} naming `load[i]`, numGpus or options for bad input
 * @example
 * greedyPlacement([8, 1, 1, 1, 1, 4], 2).gpuLoads;                        // [10, 6]: 3 experts each
 * greedyPlacement([8, 1, 1, 1, 1, 4], 2, { equalCount: false }).gpuLoads; // [8, 8]: 1 and 5 experts
 */
export function greedyPlacement(load: ArrayLike<number>, numGpus: number, options: GreedyOptions = {}): GreedyPlacement {
  const E = checkLoadVector("load", load);
  assertPositiveInt("numGpus", numGpus);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${String(options)}`);
  const equalCount = options.equalCount ?? true;
  if (typeof equalCount !== "boolean") throw new TypeError(`options.equalCount must be a boolean, got ${String(equalCount)}`);
  if (equalCount) {
    if (E % numGpus !== 0) {
      throw new RangeError(`load.length (${E}) must be divisible by numGpus (${numGpus}) for equalCount placement`);
    }
    const per = E / numGpus;
    const { packIndex, rankInPack } = balancedPacking(load, numGpus);
    const phy2log = new Array<number>(E);
    for (let e = 0; e < E; e++) phy2log[packIndex[e] * per + rankInPack[e]] = e;
    const a = fromPhy2log(phy2log, numGpus);
    const gpuLoads = new Array<number>(numGpus).fill(0);
    for (let e = 0; e < E; e++) gpuLoads[packIndex[e]] += load[e];
    return { ...a, gpuLoads };
  }
  // Unconstrained LPT: a linear scan for the lightest GPU is fine at lab sizes (E·P steps).
  const order = Array.from({ length: E }, (_, i) => i).sort((a, b) => load[b] - load[a] || a - b);
  const gpuLoads = new Array<number>(numGpus).fill(0);
  const gpuOfExpert = new Array<number>(E);
  const expertsOnGpu: number[][] = Array.from({ length: numGpus }, () => []);
  for (const e of order) {
    let best = 0;
    for (let p = 1; p < numGpus; p++) if (gpuLoads[p] < gpuLoads[best]) best = p;
    gpuOfExpert[e] = best;
    expertsOnGpu[best].push(e);
    gpuLoads[best] += load[e];
  }
  return { gpuOfExpert, expertsOnGpu, phy2log: null, gpuLoads };
}
