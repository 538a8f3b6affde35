/**
 * Lab 3.1 scenarios built on the EPLB library: the original lab's 8-experts-on-4-GPUs example,
 * standard-EP imbalance, online EPLB on a drifting workload, and the redundancy sweep of Exercise 3.
 * Each returns plain rows (for `table`), a figure spec (for `show`) and a one-paragraph summary.
 */
import * as util from "util";
import { compareStrategies, greedyPlacement, gpuLoads, balancedness, planLayer, simulateOnlineEplb, contiguousPlacement, createDriftingWorkload } from "../eplb";
import { placementLoads, placementComparisonFigure, onlineEplbFigure, loadBarsFigure } from "../viz";
import type { Figure } from "../viz";
import { assertPositiveInt, assertNonNegativeInt } from "../util";

/** A paragraph that prints as plain text in a notebook cell. */
export class Summary {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
    Object.defineProperty(this, util.inspect.custom, { value: () => this.text, enumerable: false });
  }
  toString(): string {
    return this.text;
  }
}

/**
 * The original lab's example: 8 experts with these token loads on 4 GPUs.
 * Source: NVIDIA Dynamo workshop, Lab 3.1 "Expert Parallelism Foundations", §6.4 (github.com/arunraman/dynamo-workshop).
 */
export const ORIGINAL_EXAMPLE = Object.freeze({
  expertLoad: Object.freeze([1000, 800, 600, 500, 300, 200, 100, 50]),
  numGpus: 4,
  /** The original's hand-made "with EPLB" placement: GPU → experts. */
  handPlacement: Object.freeze([[0], [1, 4], [2, 5, 6], [3, 7]].map((g) => Object.freeze(g))),
  /** The speed-up its text claims. */
  claimedSpeedup: 1.8,
});

/** One row of {@link eightExpertsOnFourGpus}. */
export interface PlacementRow {
  placement: string;
  /** physical expert slots used (8 = no replicas) */
  slots: number;
  /** experts on each GPU, e.g. "[0,1] [2,3] …" (an expert listed twice has two replicas) */
  expertsOnGpu: string;
  /** tokens per GPU, each expert's load split evenly over its replicas */
  gpuLoads: string;
  /** the busiest GPU's tokens: the layer waits for it */
  maxGpuLoad: number;
  /** mean / max GPU load (1 = perfect) */
  balancedness: number;
  /** contiguous max load ÷ this max load */
  speedupVsContiguous: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const gpusText = (g: readonly (readonly number[])[]) => g.map((e) => `[${e.join(",")}]`).join(" ");

/**
 * The original lab's 8 experts on 4 GPUs, through every placement strategy.
 * @param redundant extra-slot counts for the EPLB-with-replicas rows (default [4, 8]; multiples of 4)
 * @returns rows (contiguous, the original's hand placement, greedy without/with equal counts, EPLB
 *          without and with replicas), a comparison figure (contiguous, hand, EPLB without and with the
 *          most replicas), and a summary with the speed-ups
 * @throws {RangeError} when an entry of `redundant` is not a positive multiple of the GPU count
 * @example eightExpertsOnFourGpus().rows[0].maxGpuLoad; // 1800 (contiguous)
 */
export function eightExpertsOnFourGpus(redundant: readonly number[] = [4, 8]): { rows: PlacementRow[]; figure: Figure; summary: Summary } {
  const { numGpus, handPlacement, claimedSpeedup } = ORIGINAL_EXAMPLE;
  if (!Array.isArray(redundant) || redundant.length === 0) throw new RangeError("redundant must be a non-empty array of redundant-expert counts");
  redundant.forEach((r, i) => {
    assertPositiveInt(`redundant[${i}]`, r);
    if (r % numGpus !== 0) throw new RangeError(`redundant[${i}] must be a multiple of ${numGpus}, got ${r}`);
  });
  const load = ORIGINAL_EXAMPLE.expertLoad.slice();
  const E = load.length;
  const plain = compareStrategies(load, { numGpus });
  const contiguous = plain[0];
  const equalGreedy = plain[1];
  const eplbNoSpare = plain[2];
  const freeGreedy = greedyPlacement(load, numGpus, { equalCount: false });
  const withReplicas = redundant.map((r) => planLayer(load, { numGpus, numReplicas: E + r }));
  const hand = handPlacement.map((g) => g.slice());
  const handLoads = hand.map((g) => g.reduce((s, e) => s + load[e], 0));

  const entries: { label: string; slots: number; experts: number[][]; loads: number[] }[] = [
    { label: "contiguous (standard EP)", slots: E, experts: contiguous.expertsOnGpu, loads: contiguous.gpuLoads },
    { label: "original lab's hand placement", slots: E, experts: hand, loads: handLoads },
    { label: "greedy, any count per GPU", slots: E, experts: freeGreedy.expertsOnGpu, loads: freeGreedy.gpuLoads },
    { label: "greedy, 2 experts per GPU", slots: E, experts: equalGreedy.expertsOnGpu, loads: equalGreedy.gpuLoads },
    { label: "EPLB, no redundant experts", slots: E, experts: eplbNoSpare.expertsOnGpu, loads: eplbNoSpare.gpuLoads },
    ...withReplicas.map((p, i) => ({ label: `EPLB, +${redundant[i]} redundant experts`, slots: E + redundant[i], experts: p.expertsOnGpu, loads: p.gpuLoads })),
  ];
  const base = Math.max(...contiguous.gpuLoads);
  const rows: PlacementRow[] = entries.map((x) => {
    const max = Math.max(...x.loads);
    return {
      placement: x.label,
      slots: x.slots,
      expertsOnGpu: gpusText(x.experts),
      gpuLoads: x.loads.map((v) => r3(v)).join(" / "),
      maxGpuLoad: r3(max),
      balancedness: r3(balancedness(x.loads)),
      speedupVsContiguous: r3(base / max),
    };
  });
  const figure = placementComparisonFigure(
    [entries[0], entries[1], entries[4], entries[entries.length - 1]].map((x) => placementLoads(load, x.experts, x.label)),
    { title: "The original lab's 8 experts on 4 GPUs: tokens per GPU" },
  );
  const handSpeed = base / Math.max(...handLoads);
  const summary = new Summary(
    `The original claimed ${claimedSpeedup}× for its hand placement; its own loads give ${base} → ${Math.max(...handLoads)} tokens = ${handSpeed.toFixed(2)}×. ` +
      `Without replicas no placement can beat the 1000-token expert: greedy packing reaches ${rows[2].speedupVsContiguous.toFixed(2)}× with unequal counts, ` +
      `${rows[3].speedupVsContiguous.toFixed(2)}× with 2 experts per GPU. EPLB with replicas goes below that floor: ` +
      rows.slice(5).map((r) => `${r.slots - E} redundant → ${r.speedupVsContiguous.toFixed(2)}× (balancedness ${r.balancedness.toFixed(3)})`).join(", ") +
      ".",
  );
  return { rows, figure, summary };
}

/**
 * A seeded skewed expert-load vector (tokens per expert), from the EPLB library's workload generator
 * (Zipf(s) popularity, one iteration, one layer).
 * @param numExperts experts (≥ 1)
 * @param totalTokens token-to-expert assignments (tokens × topK), ≥ 1
 * @param zipfS Zipf exponent (finite, ≥ 0; 0 = uniform)
 * @param seed PRNG seed (integer in [0, 2^32))
 * @returns tokens per expert `[numExperts]`, summing to `totalTokens`
 * @throws {TypeError|RangeError} naming the parameter: counts not positive integers, zipfS negative or not
 *   finite, seed not a non-negative integer
 * @example skewedExpertLoad(8, 800, 1, 3).length; // 8
 */
export function skewedExpertLoad(numExperts: number, totalTokens: number, zipfS: number, seed: number): number[] {
  assertPositiveInt("numExperts", numExperts);
  assertPositiveInt("totalTokens", totalTokens);
  return createDriftingWorkload({ numLayers: 1, numExperts, tokensPerIteration: totalTokens, zipfS, driftStd: 0, seed }).next()[0];
}

/** Settings of the skewed decode workload used by section 6.1 and Exercise 3. */
export const SKEWED_WORKLOAD = Object.freeze({ numExperts: 256, tokensPerStep: 8 * 128 * 32, zipfS: 0.8, seed: 2024 });

/**
 * Standard EP on one node: DeepSeek-V3's 256 experts placed contiguously on 8 GPUs, skewed load.
 * @returns the GPU-load figure, a summary, the balancedness (mean / max GPU load) and tokens per GPU `[8]`
 * @throws never (fixed inputs)
 * @example standardEpDemo().balancedness < 1; // true
 */
export function standardEpDemo(): { figure: Figure; summary: Summary; balancedness: number; gpuLoads: number[] } {
  const { numExperts, tokensPerStep, zipfS, seed } = SKEWED_WORKLOAD;
  const load = skewedExpertLoad(numExperts, tokensPerStep, zipfS, seed);
  const c = contiguousPlacement(numExperts, 8);
  const g = gpuLoads(load, c.phy2log as number[], 8);
  const b = balancedness(g);
  const figure = loadBarsFigure(placementLoads(load, c.expertsOnGpu, "contiguous, 32 experts per GPU"), {
    title: `Standard EP (8 GPUs), skewed routing: balancedness ${b.toFixed(2)}`,
    maxLabelledSlots: 1,
  });
  const max = Math.max(...g);
  const mean = g.reduce((a, v) => a + v, 0) / g.length;
  return {
    figure,
    gpuLoads: g,
    balancedness: b,
    summary: new Summary(
      `${tokensPerStep} expert-token assignments (Zipf s = ${zipfS}, seed ${seed}) on 8 GPUs: the busiest GPU has ${max} tokens against a mean of ${mean.toFixed(0)}, ` +
        `so the MoE layer runs at ${(100 * b).toFixed(0)}% of its balanced speed (balancedness ${b.toFixed(3)}).`,
    ),
  };
}

/** The cluster of Exercise 3: 256 experts in 8 groups, 32 GPUs in 4 nodes (EPLB picks its hierarchical policy), target balancedness 0.9. */
export const EX3_CLUSTER = Object.freeze({ numGpus: 32, numNodes: 4, numGroups: 8, target: 0.9 });

/** One row of {@link redundancySweep}. */
export interface RedundancyRow {
  redundantExperts: number;
  slotsPerGpu: number;
  balancedness: number;
  reachesTarget: boolean;
}

/**
 * EPLB balancedness of the Exercise 3 workload for each candidate number of redundant experts.
 * @param candidates redundant-expert counts, each a non-negative multiple of 32
 * @returns one row per candidate (real `rebalanceExperts` on the skewed workload)
 * @throws {RangeError} for a candidate that is not a non-negative multiple of the GPU count
 * @example redundancySweep([0, 32]).length; // 2
 */
export function redundancySweep(candidates: readonly number[]): RedundancyRow[] {
  if (!Array.isArray(candidates) || candidates.length === 0) throw new RangeError("candidates must be a non-empty array of redundant-expert counts");
  return candidates.map((r, i) => {
    const b = redundancyBalancedness(r, `candidates[${i}]`);
    return { redundantExperts: r, slotsPerGpu: (SKEWED_WORKLOAD.numExperts + r) / EX3_CLUSTER.numGpus, balancedness: r3(b), reachesTarget: b >= EX3_CLUSTER.target };
  });
}

/**
 * Balancedness EPLB reaches on the Exercise 3 workload with `redundant` extra slots.
 * @param redundant redundant experts (extra physical slots), a non-negative multiple of 32 (the GPU count)
 * @param name parameter name used in error messages, default "redundant"
 * @returns mean / max GPU load in (0, 1] (1 = perfectly balanced)
 * @throws {TypeError} when `name` is not a string; {RangeError} when `redundant` is not a non-negative
 *   multiple of the GPU count
 * @example redundancyBalancedness(0) < redundancyBalancedness(64); // true
 */
export function redundancyBalancedness(redundant: number, name = "redundant"): number {
  if (typeof name !== "string") throw new TypeError(`name must be a string, got ${String(name)}`);
  assertNonNegativeInt(name, redundant);
  const { numGpus, numNodes, numGroups } = EX3_CLUSTER;
  if (redundant % numGpus !== 0) throw new RangeError(`${name} must be a multiple of ${numGpus} (so every GPU gets the same number of slots), got ${redundant}`);
  const { numExperts, tokensPerStep, zipfS, seed } = SKEWED_WORKLOAD;
  const load = skewedExpertLoad(numExperts, tokensPerStep, zipfS, seed);
  return planLayer(load, { numGpus, numNodes, numGroups, numReplicas: numExperts + redundant }).balancedness;
}

/**
 * The smallest redundant-expert count (multiple of 32, up to `limit`) reaching the Exercise 3 target.
 * @param limit largest redundant-expert count tried (integer ≥ 0), default 512
 * @returns the redundant-expert count (a multiple of 32)
 * @throws {TypeError|RangeError} naming `limit` when it is not a non-negative integer, or when no count up
 *   to `limit` reaches the target balancedness
 * @example minimalRedundancy() % 32; // 0
 */
export function minimalRedundancy(limit = 512): number {
  assertNonNegativeInt("limit", limit);
  for (let r = 0; r <= limit; r += EX3_CLUSTER.numGpus) if (redundancyBalancedness(r) >= EX3_CLUSTER.target) return r;
  throw new RangeError(`no redundancy up to ${limit} reaches balancedness ${EX3_CLUSTER.target}`);
}

/**
 * Online EPLB on a drifting workload vs the initial placement left alone.
 * @returns the simulation result, the balancedness-over-time figure (moved weights in GB) and a summary with
 *   the mean balancedness and bytes moved
 * @throws never (fixed inputs)
 * @example onlineEplbDemo().result.meanBalancedness > onlineEplbDemo().result.meanStaticBalancedness; // true
 */
export function onlineEplbDemo() {
  const result = simulateOnlineEplb({
    numLayers: 4,
    numExperts: 64,
    numGpus: 16,
    numReplicas: 80,
    iterations: 240,
    windowSize: 20,
    rebalanceInterval: 40,
    workload: { tokensPerIteration: 16384, zipfS: 1.0, driftStd: 0.05, seed: 7 },
  });
  const figure = onlineEplbFigure(
    {
      balancedness: result.balancedness,
      movedBytes: result.cumulativeMovedBytes,
      rebalanceIterations: result.rebalanceIterations,
      baseline: result.staticBalancedness,
      baselineLabel: "placement never updated",
    },
    { title: "Online EPLB on a drifting workload (4 layers, 64 experts + 16 redundant, 16 GPUs)" },
  );
  const summary = new Summary(
    `Over ${result.iteration.length} iterations the rebalanced placement averages balancedness ${result.meanBalancedness.toFixed(3)} ` +
      `against ${result.meanStaticBalancedness.toFixed(3)} for the placement never updated, after ${result.rebalanceIterations.length} rebalances ` +
      `that copied ${(result.totalMovedBytes / 1e9).toFixed(2)} GB of expert weights (${result.totalMovedSlots} slots).`,
  );
  return { result, figure, summary };
}
