import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  balancedness, dsv3LikeWorkload, gpuLoads, hungarianMax, placementAwareRebalance, rebalanceExperts, simulateOnlineEplb,
} from "../../src/eplb";

const counts = (row: readonly number[], E: number) => {
  const c = new Array<number>(E).fill(0);
  for (const e of row) c[e]++;
  return c;
};
const moved = (a: readonly number[], b: readonly number[]) => a.reduce((n, x, i) => n + (x !== b[i] ? 1 : 0), 0);

/** A random cluster, a load, and a valid placement in force (EPLB on another load). */
const scenario = fc
  .record({
    nodes: fc.constantFrom(1, 2),
    gpusPerNode: fc.constantFrom(1, 2, 4),
    groups: fc.constantFrom(1, 2, 4),
    expertsPerGroup: fc.integer({ min: 1, max: 6 }),
    extraPerGpu: fc.integer({ min: 0, max: 3 }),
    layers: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
    budget: fc.constantFrom(0, 0.1, 0.25, 1),
  })
  .filter((s) => {
    const E = s.groups * s.expertsPerGroup;
    const P = s.nodes * s.gpusPerNode;
    return E % P === 0 || true;
  })
  .map((s) => {
    const E = s.groups * s.expertsPerGroup;
    const P = s.nodes * s.gpusPerNode;
    const R = Math.ceil(E / P) * P + s.extraPerGpu * P;
    let x = s.seed + 1;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const load = () => Array.from({ length: s.layers }, () => Array.from({ length: E }, () => Math.floor(rnd() * 100)));
    const config = { numReplicas: R, numGroups: s.groups, numNodes: s.nodes, numGpus: P };
    const current = rebalanceExperts(load(), R, s.groups, s.nodes, P).phy2log;
    return { E, P, R, config, current, weight: load(), budget: s.budget };
  });

describe("placementAwareRebalance", () => {
  it("property: always a valid placement with exactly the re-plan's replica counts, never more moves than installing the re-plan", () => {
    fc.assert(
      fc.property(scenario, ({ E, R, config, current, weight, budget }) => {
        const r = placementAwareRebalance(weight, current, config, { moveBudget: budget });
        const replan = rebalanceExperts(weight, R, config.numGroups, config.numNodes, config.numGpus);
        expect(r.logcnt).toEqual(replan.logcnt);
        r.phy2log.forEach((row, l) => {
          expect(row).toHaveLength(R);
          expect(row.every((e) => Number.isInteger(e) && e >= 0 && e < E)).toBe(true);
          expect(counts(row, E)).toEqual(replan.logcnt[l]);
          expect(moved(row, current[l])).toBe(r.movedSlotsPerLayer[l]);
        });
        expect(r.movedSlots).toBeLessThanOrEqual(r.replan.movedSlots);
        expect(r.replan.movedSlots).toBe(replan.phy2log.reduce((n, row, l) => n + moved(row, current[l]), 0));
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it("property: a matched layer has the re-plan's GPU loads up to a permutation; a kept layer is within tolerance of its busiest GPU", () => {
    fc.assert(
      fc.property(scenario, ({ P, config, current, weight }) => {
        const r = placementAwareRebalance(weight, current, config, { tolerance: 0.01 });
        r.method.forEach((m, l) => {
          if (m === "matched") {
            const w = [weight[l]];
            const mine = gpuLoads(w, [r.phy2log[l]], P)[0].slice().sort((a, b) => a - b);
            const theirs = gpuLoads(w, [r.replan.phy2log[l]], P)[0].slice().sort((a, b) => a - b);
            mine.forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 6));
          } else {
            expect(r.maxGpuLoad[l]).toBeLessThanOrEqual(r.replan.maxGpuLoad[l] * 1.01 + 1e-9);
          }
        });
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it("moves nothing when the placement in force already is the plan for this load", () => {
    const w = [[90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86]];
    const plan = rebalanceExperts(w, 16, 4, 2, 8);
    const shuffled = [plan.phy2log[0].slice(2, 4).concat(plan.phy2log[0].slice(0, 2), plan.phy2log[0].slice(4))]; // GPUs 0 and 1 swapped
    const r = placementAwareRebalance(w, shuffled, { numReplicas: 16, numGroups: 4, numNodes: 2, numGpus: 8 });
    expect(r.movedSlots).toBe(0);
    expect(r.replan.movedSlots).toBe(moved(plan.phy2log[0], shuffled[0]));
    expect(r.replan.movedSlots).toBeGreaterThan(0);
  });

  it("rejects bad input, naming it", () => {
    const cfg = { numReplicas: 4, numGroups: 1, numNodes: 1, numGpus: 2 };
    expect(() => placementAwareRebalance([[1, 2, 3, 4]], [[0, 1, 2, 3]], cfg, { moveBudget: 2 })).toThrow(/options.moveBudget must be in \[0, 1\]/);
    expect(() => placementAwareRebalance([[1, 2, 3, 4]], [[0, 1, 2, 3]], cfg, { tolerance: -1 })).toThrow(/options.tolerance must be ≥ 0/);
    expect(() => placementAwareRebalance([[1, 2, 3, 4]], [[0, 1, 2, 3]], cfg, { budget: 1 } as never)).toThrow(/did you mean moveBudget/);
    expect(() => placementAwareRebalance([[1, 2, 3, 4]], [[0, 1, 2, 9]], cfg)).toThrow(/current\[0\]\[3\]/);
    expect(() => placementAwareRebalance([[1, 2, 3, 4]], [[0, 1, 2, 3], [0, 1, 2, 3]], cfg)).toThrow(/current has 2 layers but weight has 1/);
    expect(() => placementAwareRebalance([[1, 2, 3, 4]], [[0, 1, 2, 3]], { ...cfg, numReplicas: 6 })).toThrow(/numReplicas \(6\) must equal the slot count of current \(4\)/);
    expect(() => placementAwareRebalance([[1, NaN, 3, 4]], [[0, 1, 2, 3]], cfg)).toThrow(/weight\[0\]\[1\]/);
  });
});

describe("hungarianMax", () => {
  const brute = (m: number[][]) => {
    const n = m.length;
    let best = -Infinity;
    const perm = (used: boolean[], i: number, acc: number) => {
      if (i === n) return void (best = Math.max(best, acc));
      for (let j = 0; j < n; j++) if (!used[j]) {
        used[j] = true;
        perm(used, i + 1, acc + m[i][j]);
        used[j] = false;
      }
    };
    perm(new Array(n).fill(false), 0, 0);
    return best;
  };
  it("property: finds a permutation with the brute-force optimum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((n) => fc.array(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n })), (m) => {
        const a = hungarianMax(m);
        expect(new Set(a).size).toBe(m.length);
        expect(a.reduce((s, j, i) => s + m[i][j], 0)).toBe(brute(m));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
  it("rejects bad input", () => {
    expect(() => hungarianMax([])).toThrow(/non-empty square matrix/);
    expect(() => hungarianMax([[1, 2]])).toThrow(/value must be square/);
    expect(() => hungarianMax([[NaN]])).toThrow(/value\[0\]\[0\] must be finite/);
  });
});

describe("placement-aware online EPLB on the dsv3-like drifting workload", () => {
  // EP32 with 288 slots (9 per GPU), 8 layers, 1200 iterations, statistics window 50, rebalance every 100.
  const wl = dsv3LikeWorkload({ numLayers: 8, numIterations: 1200, seed: 3 });
  const loads = Array.from({ length: 1200 }, () => wl.next());
  const base = { numLayers: 8, numExperts: 256, numGpus: 32, numReplicas: 288, iterations: 1200, windowSize: 50, rebalanceInterval: 100, loads };
  const full = simulateOnlineEplb(base);
  const aware = simulateOnlineEplb({ ...base, placementAware: true });

  it("balancedness within 1% of the full re-plan", () => {
    expect(aware.meanBalancedness).toBeGreaterThanOrEqual(0.99 * full.meanBalancedness);
    expect(aware.meanBalancedness).toBeGreaterThan(aware.meanStaticBalancedness);
  });

  it("moves at most 25% of the slots per rebalance (the full re-plan moves most of them)", () => {
    const slots = 8 * 288;
    const perRebalance = (r: typeof full) => r.rebalanceIterations.slice(1).map((t) => r.movedSlots[t] / slots);
    expect(Math.max(...perRebalance(aware))).toBeLessThanOrEqual(0.25);
    expect(Math.min(...perRebalance(full))).toBeGreaterThan(0.5);
    expect(aware.totalMovedBytes).toBeLessThan(full.totalMovedBytes / 3);
  });

  it("rejects placementAware together with preservePlacement, and bad placementAware options", () => {
    expect(() => simulateOnlineEplb({ ...base, iterations: 1200, placementAware: true, preservePlacement: true })).toThrow(/not both/);
    expect(() => simulateOnlineEplb({ ...base, placementAware: { moveBudget: -1 } })).toThrow(/options.placementAware.moveBudget must be in \[0, 1\]/);
    expect(() => simulateOnlineEplb({ ...base, placementAware: 3 as never })).toThrow(/options.placementAware must be a boolean/);
  });
});
