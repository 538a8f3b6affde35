/**
 * EPLB speed at DeepSeek-V3 scale (58 MoE layers × 256 routed experts), measured warm.
 * Targets from the project issue: hierarchical 288 slots / 8 groups / 4 nodes / 32 GPUs ≤ 5 ms;
 * global 320 slots on 64 GPUs ≤ 10 ms (the Python/torch reference: 0.29 s and 1.5 s).
 */
import type { BenchCase } from "../src/util/bench";
import { createRng } from "../src/util/rng";
import { rebalanceExperts, rebalanceExpertsFlat, simulateOnlineEplb } from "../src/eplb";

/**
 * Seeded log-normal expert loads `[layers][experts]` in tokens: mean ≈ 2048 tokens per expert (65,536 tokens
 * × top-8 over 256 experts), σ = 0.6 so the hottest expert of a layer carries about 4–6× the mean — a
 * routed MoE without perfect balancing. (Much more skewed loads give some expert dozens of replicas, and
 * log2phy, padded to the largest count, grows with it.)
 */
function lognormalLoads(numLayers: number, numExperts: number, seed: number): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [];
  for (let l = 0; l < numLayers; l++) {
    const row: number[] = [];
    for (let e = 0; e < numExperts; e++) row.push(Math.round(2048 * Math.exp(0.6 * rng.normal() - 0.18)));
    out.push(row);
  }
  return out;
}

/** Zipf-like loads with random ranks (very skewed: the stress case, no target). */
function skewedLoads(numLayers: number, numExperts: number, seed: number): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [];
  for (let l = 0; l < numLayers; l++) {
    const row: number[] = [];
    for (let e = 0; e < numExperts; e++) row.push(Math.round(100000 / (1 + rng.int(0, numExperts - 1)) + rng.int(0, 500)));
    out.push(row);
  }
  return out;
}

export const cases: BenchCase[] = [
  {
    name: "eplb/hierarchical-58x256-288x32",
    setup: () => lognormalLoads(58, 256, 1),
    run: (w: number[][]) => rebalanceExperts(w, 288, 8, 4, 32),
    runs: 30,
    warmup: 10,
    targetMs: 5,
  },
  {
    name: "eplb/global-58x256-320x64",
    setup: () => lognormalLoads(58, 256, 2),
    run: (w: number[][]) => rebalanceExperts(w, 320, 1, 8, 64),
    runs: 30,
    warmup: 10,
    targetMs: 10,
  },
  {
    // The typed-array entry point (no nested arrays in or out): the algorithm's own cost.
    name: "eplb/hierarchical-flat-58x256-288x32",
    setup: () => Float32Array.from(lognormalLoads(58, 256, 1).flat()),
    run: (w: Float32Array) => rebalanceExpertsFlat(w, 58, { numReplicas: 288, numGroups: 8, numNodes: 4, numGpus: 32 }),
    runs: 30,
    warmup: 10,
  },
  {
    name: "eplb/global-58x256-320x64-zipf",
    setup: () => skewedLoads(58, 256, 2),
    run: (w: number[][]) => rebalanceExperts(w, 320, 1, 8, 64),
    runs: 20,
    warmup: 5,
    report: (w: number[][]) => `largest replica count: ${Math.max(...rebalanceExperts(w, 320, 1, 8, 64).logcnt.flat())}`,
  },
  {
    name: "eplb/online-58x256-288x32-200it",
    run: () =>
      simulateOnlineEplb({
        numLayers: 58, numExperts: 256, numReplicas: 288, numGroups: 8, numNodes: 4, numGpus: 32,
        iterations: 200, windowSize: 32, rebalanceInterval: 50, workload: { seed: 3 },
      }),
    runs: 3,
    warmup: 1,
  },
];
