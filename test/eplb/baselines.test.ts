import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareStrategies, contiguousPlacement, gpuLoads, greedyPlacement, planLayer, rebalanceExperts } from "../../src/eplb";

const LAB = Object.freeze([10, 2, 3, 1, 6, 2, 1, 7]); // the toy example's shape: 8 experts, 4 GPUs

describe("contiguousPlacement", () => {
  it("puts consecutive experts on each GPU", () => {
    expect(contiguousPlacement(8, 4)).toEqual({
      gpuOfExpert: [0, 0, 1, 1, 2, 2, 3, 3],
      expertsOnGpu: [[0, 1], [2, 3], [4, 5], [6, 7]],
      phy2log: [0, 1, 2, 3, 4, 5, 6, 7],
    });
    expect(gpuLoads([...LAB], contiguousPlacement(8, 4).phy2log!, 4)).toEqual([12, 4, 8, 8]);
  });

  it("rejects bad input, naming it", () => {
    expect(() => contiguousPlacement(8, 3)).toThrow(/numExperts \(8\) must be divisible by numGpus \(3\)/);
    expect(() => contiguousPlacement(0, 1)).toThrow(/numExperts must be ≥ 1/);
    expect(() => contiguousPlacement(8, 1.5)).toThrow(/numGpus must be an integer/);
  });
});

describe("greedyPlacement", () => {
  it("equal counts (default): exactly E/P experts per GPU", () => {
    const g = greedyPlacement(LAB, 4);
    expect(g.gpuLoads).toEqual([11, 8, 8, 5]);
    expect(g.expertsOnGpu).toEqual([[0, 6], [7, 3], [4, 5], [2, 1]]);
    expect(g.expertsOnGpu.every((e) => e.length === 2)).toBe(true);
    expect(gpuLoads([...LAB], g.phy2log!, 4)).toEqual(g.gpuLoads);
  });

  it("unconstrained LPT may give GPUs different expert counts (phy2log null)", () => {
    const g = greedyPlacement([8, 1, 1, 1, 1, 4], 2, { equalCount: false });
    expect(g.gpuLoads).toEqual([8, 8]);
    expect(g.expertsOnGpu).toEqual([[0], [5, 1, 2, 3, 4]]);
    expect(g.phy2log).toBeNull();
    expect(greedyPlacement([8, 1, 1, 1, 1, 4], 2).gpuLoads).toEqual([10, 6]);
  });

  it("equal-count greedy = EPLB without replicas (1000 cases)", () => {
    const arb = fc
      .record({ p: fc.integer({ min: 1, max: 5 }), per: fc.integer({ min: 1, max: 5 }) })
      .chain(({ p, per }) => fc.record({ p: fc.constant(p), load: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: p * per, maxLength: p * per }) }));
    fc.assert(
      fc.property(arb, ({ p, load }) => {
        const g = greedyPlacement(load, p);
        const e = rebalanceExperts([load], load.length, 1, 1, p);
        return JSON.stringify(g.phy2log) === JSON.stringify(e.phy2log[0]);
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it("both variants conserve total load and list each expert on its GPU (1000 cases)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 4 * 4 }).filter((a) => a.length % 4 === 0), (load) => {
        const total = load.reduce((a, b) => a + b, 0);
        const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
        const u = greedyPlacement(load, 4, { equalCount: false });
        const q = greedyPlacement(load, 4);
        return sum(u.gpuLoads) === total && sum(q.gpuLoads) === total && u.gpuOfExpert.every((g, e) => u.expertsOnGpu[g].includes(e));
      }),
      { numRuns: 1000, seed: 5 },
    );
  });

  it("rejects bad input, naming it", () => {
    expect(() => greedyPlacement([1, 2, 3], 2)).toThrow(/load.length \(3\) must be divisible by numGpus \(2\) for equalCount/);
    expect(greedyPlacement([1, 2, 3], 2, { equalCount: false }).gpuLoads).toEqual([3, 3]);
    expect(() => greedyPlacement([1, NaN], 1)).toThrow(/load\[1\] must be finite/);
    expect(() => greedyPlacement([1, 2], 0)).toThrow(/numGpus must be ≥ 1/);
    expect(() => greedyPlacement([1, 2], 1, { equalCount: "yes" as unknown as boolean })).toThrow(/options.equalCount must be a boolean/);
    expect(() => greedyPlacement([1, 2], 1, null as never)).toThrow(/options must be an object/);
  });
});

describe("planLayer and compareStrategies (the toy example: 8 experts on 4 GPUs)", () => {
  it("without replicas EPLB equals the equal-count greedy baseline", () => {
    const p = planLayer(LAB, { numGpus: 4 });
    expect(p.logcnt).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(p.gpuLoads).toEqual([11, 8, 8, 5]);
    expect(p.expertsOnGpu).toEqual(greedyPlacement(LAB, 4).expertsOnGpu);
  });

  it("with 4 redundant slots EPLB replicates the hot experts", () => {
    const p = planLayer(LAB, { numGpus: 4, numReplicas: 12 });
    expect(p.logcnt).toEqual([3, 1, 1, 1, 2, 1, 1, 2]);
    expect(p.expertsOnGpu).toEqual([[7, 4, 5], [7, 4, 3], [0, 0, 6], [0, 2, 1]]);
    expect(p.gpuLoads[0]).toBeCloseTo(8.5, 12);
    expect(p.balancedness).toBeCloseTo(8 / 8.5, 12);
    expect(p.imbalance).toBeCloseTo(0.0625, 12);
    expect(p.log2phy[0]).toEqual([6, 9, 7]);
  });

  it("compareStrategies: contiguous, greedy, eplb rows", () => {
    const rows = compareStrategies(LAB, { numGpus: 4, numReplicas: 12 });
    expect(rows.map((r) => r.strategy)).toEqual(["contiguous", "greedy", "eplb"]);
    expect(rows.map((r) => r.maxGpuLoad)).toEqual([12, 11, 8.5]);
    expect(rows.map((r) => r.numReplicas)).toEqual([8, 8, 12]);
    expect(rows[0].balancedness).toBeCloseTo(8 / 12, 12);
    expect(rows[1].imbalance).toBeCloseTo(3 / 8, 12);
  });

  it("rejects bad input, naming it", () => {
    expect(() => planLayer(LAB, { numGpus: 3 })).toThrow(/numReplicas \(8\) must be divisible by numGpus \(3\)/);
    expect(() => planLayer(LAB, { numGpus: 4, numReplicas: 4 })).toThrow(/must be ≥ the number of experts/);
    expect(() => planLayer(LAB, {} as never)).toThrow(/options.numGpus must be a number/);
    expect(() => planLayer([], { numGpus: 1 })).toThrow(/load must not be empty/);
    expect(() => compareStrategies(LAB, { numGpus: 4, numReplicas: 0 })).toThrow(/options.numReplicas must be ≥ 1/);
    expect(() => compareStrategies([1, 2, 3], { numGpus: 2, numReplicas: 4 })).toThrow(/numExperts \(3\) must be divisible by numGpus \(2\)/);
  });
});
