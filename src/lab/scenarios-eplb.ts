/**
 * Lab 3.1 scenarios built on the EPLB library: the toy 8-experts-on-4-GPUs example,
 * standard-EP imbalance on the lab's dsv3-like workload, online EPLB (re-plan vs placement-aware), and the workload's
 * statistics against DeepSeek-V3's published ones.
 * Each returns plain rows (for `table`), a figure spec (for `show`) and a one-paragraph summary.
 */
import * as util from "util";
import {
  compareStrategies, greedyPlacement, gpuLoads, balancedness, planLayer, simulateOnlineEplb, contiguousPlacement, createDriftingWorkload,
  dsv3LikeWorkload, expertLoadStats, DSV3_LOAD_STATISTICS,
} from "../eplb";
import { getModel } from "../cost";
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
 * A toy example: 8 experts with these token loads (tokens) on 4 GPUs, small enough to place by hand.
 * Loads and the hand placement as in an earlier version of this lesson: NVIDIA Dynamo workshop, Lab 3.1 "Expert Parallelism Foundations", §6.4 (github.com/arunraman/dynamo-workshop).
 */
export const TOY_EXAMPLE = Object.freeze({
  expertLoad: Object.freeze([1000, 800, 600, 500, 300, 200, 100, 50]),
  numGpus: 4,
  /** A hand-made "with EPLB" placement quoted for this example: GPU → experts. */
  handPlacement: Object.freeze([[0], [1, 4], [2, 5, 6], [3, 7]].map((g) => Object.freeze(g))),
  /** The speed-up quoted for that hand placement (its own loads give 1.64×). */
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
 * The toy example's 8 experts on 4 GPUs ({@link TOY_EXAMPLE}), through every placement strategy.
 * @param redundant extra-slot counts for the EPLB-with-replicas rows (default [4, 8]; multiples of 4)
 * @returns rows (contiguous, the quoted hand placement, greedy without/with equal counts, EPLB
 *          without and with replicas), a comparison figure (contiguous, hand, EPLB without and with the
 *          most replicas), and a summary with the speed-ups
 * @throws {RangeError} when an entry of `redundant` is not a positive multiple of the GPU count
 * @example eightExpertsOnFourGpus().rows[0].maxGpuLoad; // 1800 (contiguous)
 */
export function eightExpertsOnFourGpus(redundant: readonly number[] = [4, 8]): { rows: PlacementRow[]; figure: Figure; summary: Summary } {
  const { numGpus, handPlacement, claimedSpeedup } = TOY_EXAMPLE;
  if (!Array.isArray(redundant) || redundant.length === 0) throw new RangeError("redundant must be a non-empty array of redundant-expert counts");
  redundant.forEach((r, i) => {
    assertPositiveInt(`redundant[${i}]`, r);
    if (r % numGpus !== 0) throw new RangeError(`redundant[${i}] must be a multiple of ${numGpus}, got ${r}`);
  });
  const load = TOY_EXAMPLE.expertLoad.slice();
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
    { label: "hand placement quoted as 1.8×", slots: E, experts: hand, loads: handLoads },
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
    { title: "8 experts on 4 GPUs: tokens per GPU" },
  );
  const handSpeed = base / Math.max(...handLoads);
  const summary = new Summary(
    `The hand placement quoted as ${claimedSpeedup}× gives, from its own loads, ${base} → ${Math.max(...handLoads)} tokens = ${handSpeed.toFixed(2)}×. ` +
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

/** Section 6.1's decode step: 8 GPUs × 128 tokens × top-8 expert assignments per MoE layer, the lab's dsv3-like workload. */
export const STANDARD_EP_SETTING = Object.freeze({ numGpus: 8, tokensPerStep: 8 * 128 * 8, numLayers: 58, numExperts: 256 });

/**
 * Standard EP on one node: DeepSeek-V3's 256 experts placed contiguously on 8 GPUs, one decode step of the lab's
 * dsv3-like workload; the figure shows the layer with the median imbalance.
 * @returns the GPU-load figure, a summary, that layer's balancedness (mean / max GPU load), its tokens per GPU `[8]`,
 *   the layer index and the balancedness averaged over all 58 layers
 * @throws never (fixed inputs)
 * @example standardEpDemo().balancedness < 1; // true
 */
export function standardEpDemo(): { figure: Figure; summary: Summary; balancedness: number; gpuLoads: number[]; layer: number; meanBalancedness: number } {
  const { numGpus, tokensPerStep, numLayers, numExperts } = STANDARD_EP_SETTING;
  const step = dsv3LikeWorkload({ numLayers, numExperts, numIterations: 1, tokensPerIteration: tokensPerStep, seed: LAB_WORKLOAD_SEED }).next();
  const c = contiguousPlacement(numExperts, numGpus);
  const perLayer = step.map((row) => gpuLoads(row, c.phy2log as number[], numGpus));
  const bal = perLayer.map((g) => balancedness(g));
  const order = bal.map((b, l) => [b, l]).sort((x, y) => x[0] - y[0]);
  const layer = order[Math.floor(order.length / 2)][1];
  const g = perLayer[layer];
  const b = bal[layer];
  const meanB = bal.reduce((x, y) => x + y, 0) / bal.length;
  const figure = loadBarsFigure(placementLoads(step[layer], c.expertsOnGpu, "contiguous, 32 experts per GPU"), {
    title: `Standard EP (8 GPUs), MoE layer ${layer} of a DeepSeek-V3-shaped load: balancedness ${b.toFixed(2)}`,
    maxLabelledSlots: 1,
  });
  const max = Math.max(...g);
  const mean = g.reduce((a, v) => a + v, 0) / g.length;
  return {
    figure,
    gpuLoads: g,
    balancedness: b,
    layer,
    meanBalancedness: meanB,
    summary: new Summary(
      `About ${tokensPerStep} expert-token assignments per MoE layer on 8 GPUs (${g.reduce((a, v) => a + v, 0)} in layer ${layer}, the median layer by balancedness): the busiest GPU has ${max} tokens against a mean of ${mean.toFixed(0)}, ` +
        `so that layer runs at ${(100 * b).toFixed(0)}% of its balanced speed (balancedness ${b.toFixed(3)}); over all ${numLayers} MoE layers balancedness averages ${meanB.toFixed(3)}, ` +
        `from ${Math.min(...bal).toFixed(3)} to ${Math.max(...bal).toFixed(3)}.`,
    ),
  };
}

/** Settings of the online-EPLB demo: the lab's dsv3-like workload on EP32 with 288 slots. */
export const ONLINE_SETTING = Object.freeze({
  numLayers: 8, numExperts: 256, numGpus: 32, numReplicas: 288, iterations: 300, windowSize: 50, rebalanceInterval: 100,
  /** Per-GPU copy bandwidth, GB/s: a 400 Gb/s NIC. */
  linkBandwidthGBps: 50,
});

/** One row of the online-EPLB comparison. */
export interface OnlineRow {
  rebalance: string;
  meanBalancedness: number;
  slotsMovedPerRebalance: number;
  gbMovedPerRebalance: number;
  secondsPerRebalance: number;
  totalGbMoved: number;
}

/**
 * Online EPLB on the lab's drifting dsv3-like workload: the initial placement never updated, DeepSeek's algorithm
 * re-run from scratch every interval, and the placement-aware rebalance (same replica counts, fewest moved slots).
 * @returns the two simulations, a figure (placement-aware balancedness and GB moved, against the placement never
 *   updated), comparison rows (balancedness, share of slots moved per rebalance, GB and seconds at link bandwidth)
 *   and a summary
 * @throws never (fixed inputs)
 * @example onlineEplbDemo().rows.length; // 3
 */
export function onlineEplbDemo() {
  const s = ONLINE_SETTING;
  const wl = dsv3LikeWorkload({ numLayers: s.numLayers, numExperts: s.numExperts, numIterations: s.iterations, seed: LAB_WORKLOAD_SEED });
  const loads = Array.from({ length: s.iterations }, () => wl.next());
  const base = {
    numLayers: s.numLayers, numExperts: s.numExperts, numGpus: s.numGpus, numReplicas: s.numReplicas, iterations: s.iterations,
    windowSize: s.windowSize, rebalanceInterval: s.rebalanceInterval, linkBandwidthGBps: s.linkBandwidthGBps, loads,
  };
  const full = simulateOnlineEplb(base);
  const aware = simulateOnlineEplb({ ...base, placementAware: true });
  const slots = s.numLayers * s.numReplicas;
  const row = (label: string, r: typeof full, balancednessOf: (x: typeof full) => number): OnlineRow => {
    // The first rebalance replaces the initial placement (made before any statistics); the later ones track drift.
    const later = r.rebalanceIterations.slice(1);
    const per = (f: (t: number) => number) => (later.length ? later.reduce((a, t) => a + f(t), 0) / later.length : 0);
    return {
      rebalance: label,
      meanBalancedness: r3(balancednessOf(r)),
      slotsMovedPerRebalance: r3(per((t) => r.movedSlots[t] / slots)),
      gbMovedPerRebalance: r3(per((t) => r.movedBytes[t] / 1e9)),
      secondsPerRebalance: r3(per((t) => r.moveSeconds[t])),
      totalGbMoved: r3(r.totalMovedBytes / 1e9),
    };
  };
  const rows: OnlineRow[] = [
    { rebalance: "never (initial placement kept)", meanBalancedness: r3(full.meanStaticBalancedness), slotsMovedPerRebalance: 0, gbMovedPerRebalance: 0, secondsPerRebalance: 0, totalGbMoved: 0 },
    row("DeepSeek's EPLB re-run from scratch", full, (x) => x.meanBalancedness),
    row("placement-aware (same replica counts)", aware, (x) => x.meanBalancedness),
  ];
  const figure = onlineEplbFigure(
    {
      balancedness: aware.balancedness,
      movedBytes: aware.cumulativeMovedBytes,
      rebalanceIterations: aware.rebalanceIterations,
      baseline: full.staticBalancedness,
      baselineLabel: "placement never updated",
    },
    { title: `Placement-aware online EPLB, dsv3-like drifting load (${s.numLayers} layers, ${s.numExperts} experts + ${s.numReplicas - s.numExperts} redundant, EP${s.numGpus})` },
  );
  const summary = new Summary(
    `${s.numLayers} MoE layers, rebalanced every ${s.rebalanceInterval} iterations from a ${s.windowSize}-iteration window: re-running DeepSeek's algorithm from scratch moves ` +
      `${(100 * rows[1].slotsMovedPerRebalance).toFixed(0)}% of the slots per rebalance (${rows[1].gbMovedPerRebalance.toFixed(1)} GB, ${rows[1].secondsPerRebalance.toFixed(2)} s at ${s.linkBandwidthGBps} GB/s per GPU); ` +
      `the placement-aware rebalance moves ${(100 * rows[2].slotsMovedPerRebalance).toFixed(0)}% (${rows[2].gbMovedPerRebalance.toFixed(1)} GB, ${rows[2].secondsPerRebalance.toFixed(2)} s) ` +
      `for a mean balancedness of ${rows[2].meanBalancedness} against ${rows[1].meanBalancedness} (${(100 * (1 - rows[2].meanBalancedness / rows[1].meanBalancedness)).toFixed(1)}% lower). ` +
      `Never rebalancing averages ${rows[0].meanBalancedness}. ` +
      `"Per rebalance" counts the rebalances after the first: the first replaces the initial placement, made before any load was recorded, and copies ` +
      `${(full.movedBytes[full.rebalanceIterations[0]] / 1e9).toFixed(1)} GB from scratch or ${(aware.movedBytes[aware.rebalanceIterations[0]] / 1e9).toFixed(1)} GB placement-aware. ` +
      `The simulation covers ${s.numLayers} MoE layers; DeepSeek-V3 has ${getModel("deepseek-v3").numMoeLayers}, so a whole-model rebalance copies about ${(getModel("deepseek-v3").numMoeLayers / s.numLayers).toFixed(1)}× as much.`,
  );
  return { full, aware, rows, figure, summary };
}

/** Seed of the lab's default workload (the dsv3-like preset), shared by the lab's EPLB scenarios. */
export const LAB_WORKLOAD_SEED = 2024;

/**
 * The lab's dsv3-like workload next to DeepSeek-V3's published expert statistics (58 layers × 256 experts, summed over
 * 100 iterations; each statistic per layer, averaged over layers).
 * @returns one row per statistic: its value here and the published range, with the source
 * @throws never (fixed inputs)
 * @example workloadStatsRows().length; // 6
 */
export function workloadStatsRows(): { statistic: string; thisWorkload: number; publishedRange: string; source: string }[] {
  const T = 100;
  const wl = dsv3LikeWorkload({ numIterations: T, seed: LAB_WORKLOAD_SEED });
  const sum = Array.from({ length: 58 }, () => new Array<number>(256).fill(0));
  const c32 = contiguousPlacement(256, 32).phy2log as number[];
  let perIter = 0;
  for (let t = 0; t < T; t++) {
    const m = wl.next();
    for (let l = 0; l < 58; l++) for (let e = 0; e < 256; e++) sum[l][e] += m[l][e];
    const g = gpuLoads(m, m.map(() => c32), 32);
    perIter += g.reduce((a, row) => { const mean = row.reduce((p, q) => p + q, 0) / row.length; return a + (Math.max(...row) - mean) / mean; }, 0) / g.length;
  }
  const st = expertLoadStats(sum, { epSizes: [8, 32] }).mean;
  const S = DSV3_LOAD_STATISTICS;
  const range = (p: { range: readonly [number, number] }) => `${p.range[0]}–${p.range[1]}`;
  return [
    { statistic: "hottest expert ÷ mean expert load", thisWorkload: r3(st.hottestOverMean), publishedRange: range(S.hottestOverMean), source: S.hottestOverMean.source.url },
    { statistic: "share of tokens on the top 20% of experts", thisWorkload: r3(st.top20Share), publishedRange: range(S.top20Share), source: S.top20Share.source.url },
    { statistic: "rank slope (−d ln load / d ln rank)", thisWorkload: r3(st.rankSlope), publishedRange: range(S.rankSlope), source: S.rankSlope.source.url },
    { statistic: "contiguous EP8: busiest ÷ mean GPU", thisWorkload: r3(st.contiguousMaxOverMean[8]), publishedRange: range(S.contiguousEp8), source: S.contiguousEp8.source.url },
    { statistic: "contiguous EP32: busiest ÷ mean GPU", thisWorkload: r3(st.contiguousMaxOverMean[32]), publishedRange: range(S.contiguousEp32), source: S.contiguousEp32.source.url },
    { statistic: "EP32 per iteration: (max − mean) ÷ mean GPU", thisWorkload: r3(perIter / T), publishedRange: `≈ ${S.trtllmEp32Imbalance.value}`, source: S.trtllmEp32Imbalance.source.url },
  ];
}
