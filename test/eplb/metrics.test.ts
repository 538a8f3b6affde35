import { describe, expect, it } from "vitest";
import {
  balancedness,
  balancednessPerLayer,
  gpuLoads,
  imbalance,
  imbalancePerLayer,
  placementMetrics,
} from "../../src/eplb";

describe("gpuLoads", () => {
  it("splits an expert's load evenly over its replicas (one layer)", () => {
    expect(gpuLoads([6, 2, 2, 2], [0, 0, 1, 2, 3, 0], 3)).toEqual([4, 4, 4]);
  });

  it("works per layer on matrices and does not mutate inputs", () => {
    const load = Object.freeze([Object.freeze([3, 1]), Object.freeze([0, 5])]);
    const phy = Object.freeze([Object.freeze([0, 1]), Object.freeze([1, 0])]);
    expect(gpuLoads(load as number[][], phy as number[][], 2)).toEqual([[3, 1], [5, 0]]);
  });

  it("allows an expert without a slot only when its load is zero", () => {
    expect(gpuLoads([4, 0], [0, 0], 2)).toEqual([2, 2]);
    expect(() => gpuLoads([4, 1], [0, 0], 2)).toThrow(/phy2log has no slot for expert 1, whose load is 1/);
  });

  it("rejects bad input, naming it", () => {
    expect(() => gpuLoads([1, 2], [0, 2], 1)).toThrow(/phy2log\[1\] must be an integer in \[0, number of experts = 2\), got 2/);
    expect(() => gpuLoads([1, 2], [0, 1, 1], 2)).toThrow(/phy2log length \(3 slots\) must be divisible by numGpus \(2\)/);
    expect(() => gpuLoads([1, -2], [0, 1], 1)).toThrow(/load\[1\] must be ≥ 0/);
    expect(() => gpuLoads([1, 2], [0, 1], 0)).toThrow(/numGpus must be ≥ 1/);
    expect(() => gpuLoads([[1, 2]], [[0, 1], [1, 0]], 1)).toThrow(/phy2log has 2 layers but load has 1/);
    expect(() => gpuLoads([1, 2], [[0, 1]] as unknown as number[], 1)).toThrow(TypeError);
    expect(() => gpuLoads([[1, 2]], [[0, 0.5]], 1)).toThrow(/phy2log\[0\]\[1\] must be an integer/);
  });
});

describe("balancedness and imbalance", () => {
  it("mean/max and (max − mean)/mean", () => {
    expect(balancedness([4, 2, 2, 0])).toBe(0.5);
    expect(imbalance([4, 2, 2, 0])).toBe(1);
    expect(balancedness([3, 3])).toBe(1);
    expect(imbalance([3, 3])).toBe(0);
  });

  it("zero load counts as perfectly balanced", () => {
    expect(balancedness([0, 0])).toBe(1);
    expect(imbalance([0, 0])).toBe(0);
  });

  it("per layer, and the mean over layers for a matrix", () => {
    expect(balancednessPerLayer([[1, 1], [3, 1]])).toEqual([1, 2 / 3]);
    expect(imbalancePerLayer([[1, 1], [3, 1]])).toEqual([0, 0.5]);
    expect(balancedness([[1, 1], [3, 1]])).toBeCloseTo((1 + 2 / 3) / 2, 15);
    expect(imbalance([[1, 1], [3, 1]])).toBe(0.25);
  });

  it("all-on-one-GPU extremes: balancedness 1/P, imbalance P − 1", () => {
    expect(balancedness([8, 0, 0, 0])).toBe(0.25);
    expect(imbalance([8, 0, 0, 0])).toBe(3);
  });

  it("rejects bad input, naming it", () => {
    expect(() => balancedness([])).toThrow(/gpuLoads must not be empty/);
    expect(() => balancedness([1, NaN])).toThrow(/gpuLoads\[1\] must be finite/);
    expect(() => imbalance([1, -1])).toThrow(/gpuLoads\[1\] must be ≥ 0/);
    expect(() => balancednessPerLayer([[1], [1, 2]])).toThrow(/rectangular/);
    expect(() => imbalancePerLayer([] as number[][])).toThrow(/gpuLoads must not be empty/);
    expect(() => imbalance([[1, 2], [1, -2]])).toThrow(/gpuLoads\[1\]\[1\] must be ≥ 0/);
    expect(() => balancedness("x" as unknown as number[])).toThrow(TypeError);
  });
});

describe("placementMetrics", () => {
  it("collects GPU loads and both metrics per layer", () => {
    const m = placementMetrics([[3, 1], [2, 2]], [[0, 1], [0, 1]], 2);
    expect(m.gpuLoads).toEqual([[3, 1], [2, 2]]);
    expect(m.balancedness).toEqual([2 / 3, 1]);
    expect(m.imbalance).toEqual([0.5, 0]);
    expect(m.maxGpuLoad).toEqual([3, 2]);
    expect(m.meanBalancedness).toBeCloseTo(5 / 6, 15);
    expect(m.meanImbalance).toBe(0.25);
  });

  it("rejects bad input", () => {
    expect(() => placementMetrics([[3, 1]], [[0, 1]], 3)).toThrow(/divisible by numGpus \(3\)/);
  });
});
