import { describe, expect, it } from "vitest";
import {
  contiguousPlacement, createPresetWorkload, DSV3_LOAD_STATISTICS, dsv3LikePopularity, dsv3LikeWorkload, expertLoadStats,
  gpuLoads, imbalance, rebalanceExperts,
} from "../../src/eplb";

const inRange = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;

/** Sum `n` iterations of a workload into `[layers][experts]`. */
function sumIterations(wl: { next(): number[][]; numLayers: number; numExperts: number }, n: number): number[][] {
  const s = Array.from({ length: wl.numLayers }, () => new Array<number>(wl.numExperts).fill(0));
  for (let t = 0; t < n; t++) {
    const m = wl.next();
    for (let l = 0; l < m.length; l++) for (let e = 0; e < m[l].length; e++) s[l][e] += m[l][e];
  }
  return s;
}

describe("dsv3-like preset against DeepSeek-V3's published expert statistics", () => {
  // Default preset: 58 MoE layers × 256 experts, 32768 assignments per iteration.
  const wl = dsv3LikeWorkload({ numIterations: 200, seed: 11 });
  const c32 = contiguousPlacement(256, 32).phy2log as number[];
  const perIterationImbalance: number[] = [];
  const window = Array.from({ length: 58 }, () => new Array<number>(256).fill(0));
  const later: number[][][] = [];
  for (let t = 0; t < 200; t++) {
    const m = wl.next();
    perIterationImbalance.push(imbalance(gpuLoads(m, m.map(() => c32), 32)));
    if (t < 100) for (let l = 0; l < 58; l++) for (let e = 0; e < 256; e++) window[l][e] += m[l][e];
    else later.push(m);
  }
  const trace = window.map((row, l) => row.map((v, e) => v + later.reduce((a, m) => a + m[l][e], 0)));
  const stats = expertLoadStats(trace, { epSizes: [8, 32] }).mean;
  const S = DSV3_LOAD_STATISTICS;

  it("hottest expert ÷ mean, top-20% share and rank slope (per layer, averaged) fall in the published ranges", () => {
    expect(inRange(stats.hottestOverMean, S.hottestOverMean.range)).toBe(true);
    expect(inRange(stats.top20Share, S.top20Share.range)).toBe(true);
    expect(inRange(stats.rankSlope, S.rankSlope.range)).toBe(true);
  });

  it("contiguous placement max/mean falls in the published EP8 and EP32 ranges", () => {
    expect(inRange(stats.contiguousMaxOverMean[8], S.contiguousEp8.range)).toBe(true);
    expect(inRange(stats.contiguousMaxOverMean[32], S.contiguousEp32.range)).toBe(true);
  });

  it("per-iteration EP32 imbalance near TensorRT-LLM's 1.56, and ≈ 0.11 with 288 slots (EP36, EPLB from 100 earlier iterations)", () => {
    const before = perIterationImbalance.reduce((a, b) => a + b, 0) / perIterationImbalance.length;
    expect(Math.abs(before - S.trtllmEp32Imbalance.value)).toBeLessThan(0.2);
    const plan = rebalanceExperts(window, 288, 1, 1, 36);
    const after = later.reduce((a, m) => a + imbalance(gpuLoads(m, plan.phy2log, 36)), 0) / later.length;
    expect(Math.abs(after - S.trtllmEplb288Imbalance.value)).toBeLessThan(0.05);
  });

  it("layers differ: later layers are more skewed, and each layer has its own hot experts", () => {
    const per = expertLoadStats(trace).perLayer;
    const early = per.slice(0, 10).reduce((a, s) => a + s.contiguousMaxOverMean[32], 0) / 10;
    const late = per.slice(-10).reduce((a, s) => a + s.contiguousMaxOverMean[32], 0) / 10;
    expect(late).toBeGreaterThan(early);
    const hottest = trace.map((row) => row.indexOf(Math.max(...row)));
    expect(new Set(hottest).size).toBeGreaterThan(20);
  });

  it("every published range carries a source with a url and what it says", () => {
    for (const v of Object.values(S)) {
      expect(v.source.url).toMatch(/^https:\/\/github\.com\//);
      expect(v.source.says.length).toBeGreaterThan(40);
    }
  });
});

describe("dsv3LikeWorkload mechanics", () => {
  it("is reproducible from its seed; rows are whole tokens summing to about tokensPerIteration", () => {
    const a = dsv3LikeWorkload({ numLayers: 3, numExperts: 32, numGroups: 4, numIterations: 4, tokensPerIteration: 10000, seed: 4 });
    const b = dsv3LikeWorkload({ numLayers: 3, numExperts: 32, numGroups: 4, numIterations: 4, tokensPerIteration: 10000, seed: 4 });
    const c = dsv3LikeWorkload({ numLayers: 3, numExperts: 32, numGroups: 4, numIterations: 4, tokensPerIteration: 10000, seed: 5 });
    const x = a.next();
    expect(b.next()).toEqual(x);
    expect(c.next()).not.toEqual(x);
    expect(x.flat().every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    for (const row of x) expect(Math.abs(row.reduce((p, q) => p + q, 0) - 10000)).toBeLessThan(500);
    a.next(); a.next(); a.next();
    expect(a.iteration).toBe(4);
    expect(() => a.next()).toThrow(/only 4 iterations/);
  });

  it("drifts over time (without noise the load still changes), and not at all with driftSigma 0", () => {
    const opts = { numLayers: 1, numExperts: 64, numIterations: 300, noise: false, seed: 2 };
    const d = dsv3LikeWorkload(opts);
    const first = d.next()[0];
    let last = first;
    for (let t = 1; t < 300; t++) last = d.next()[0];
    const rel = first.reduce((a, v, e) => a + Math.abs(v - last[e]), 0) / first.reduce((a, v) => a + v, 0);
    expect(rel).toBeGreaterThan(0.05);
    const frozen = dsv3LikeWorkload({ ...opts, driftSigma: 0 });
    const f0 = frozen.next();
    frozen.next();
    expect(frozen.next()).toEqual(f0);
  });

  it("groups share a popularity factor: with expertSigma 0 experts of one group are equally popular", () => {
    const p = dsv3LikePopularity({ numLayers: 1, numExperts: 16, numGroups: 4, expertSigma: 0 })[0];
    for (let g = 0; g < 4; g++) for (let k = 1; k < 4; k++) expect(p[4 * g + k]).toBeCloseTo(p[4 * g], 12);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(new Set(p.map((v) => v.toFixed(9))).size).toBe(4);
  });

  it("createPresetWorkload builds both presets and rejects unknown names", () => {
    expect(createPresetWorkload("dsv3-like", { numLayers: 2, numIterations: 1 }).next()).toHaveLength(2);
    const z = createPresetWorkload("zipf", { numLayers: 2, numExperts: 16, numIterations: 1 }).next();
    expect(z[0]).toHaveLength(16);
    expect(() => createPresetWorkload("dsv3" as never)).toThrow(/preset must be one of "dsv3-like", "zipf"/);
    expect(() => createPresetWorkload("zipf", { groupSigma: 1 })).toThrow(/unknown option options.groupSigma/);
  });

  it("rejects bad options, naming them (unknown keys name the nearest valid key)", () => {
    expect(() => dsv3LikeWorkload({ numExpert: 8 } as never)).toThrow(/unknown option options.numExpert \(did you mean numExperts\?\)/);
    expect(() => dsv3LikeWorkload({ numLayers: 0 })).toThrow(/options.numLayers must be ≥ 1/);
    expect(() => dsv3LikeWorkload({ numExperts: 30, numGroups: 8 })).toThrow(/numGroups \(8\) must divide options.numExperts \(30\)/);
    expect(() => dsv3LikeWorkload({ groupSigma: NaN })).toThrow(/options.groupSigma must be finite/);
    expect(() => dsv3LikeWorkload({ expertSigma: -1 })).toThrow(/options.expertSigma must be ≥ 0/);
    expect(() => dsv3LikeWorkload({ driftSigma: 9 })).toThrow(/options.driftSigma must be ≤ 5/);
    expect(() => dsv3LikeWorkload({ driftIterations: 1 })).toThrow(/options.driftIterations must be > 1/);
    expect(() => dsv3LikeWorkload({ layerSpread: [1] as never })).toThrow(/options.layerSpread must be \[first, last\]/);
    expect(() => dsv3LikeWorkload({ tokensPerIteration: 0 })).toThrow(/options.tokensPerIteration must be > 0/);
    expect(() => dsv3LikeWorkload({ noise: 1 as never })).toThrow(/options.noise must be a boolean/);
    expect(() => dsv3LikeWorkload({ seed: 1.5 })).toThrow(/options.seed must be an integer/);
    expect(() => dsv3LikeWorkload(null as never)).toThrow(/options must be an object/);
  });
});

describe("expertLoadStats", () => {
  it("computes each statistic by its definition on a small example", () => {
    const s = expertLoadStats([8, 4, 2, 2, 1, 1, 1, 1], { epSizes: [2, 4] });
    expect(s.hottestOverMean).toBeCloseTo(3.2, 12);
    expect(s.top20Share).toBeCloseTo(12 / 20, 12); // ceil(1.6) = 2 experts
    expect(s.contiguousMaxOverMean[2]).toBeCloseTo(1.6, 12);
    expect(s.contiguousMaxOverMean[4]).toBeCloseTo(12 / 5, 12);
    // a pure power law 1/r has rank slope exactly 1
    expect(expertLoadStats([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8], { epSizes: [1] }).rankSlope).toBeCloseTo(1, 10);
    expect(expertLoadStats([5, 5, 5, 5], { epSizes: [2] }).rankSlope).toBeCloseTo(0, 12);
  });

  it("averages per layer for a matrix", () => {
    const r = expertLoadStats([[4, 0, 0, 0], [1, 1, 1, 1]], { epSizes: [2] });
    expect(r.perLayer.map((s) => s.hottestOverMean)).toEqual([4, 1]);
    expect(r.mean.hottestOverMean).toBe(2.5);
    expect(r.mean.contiguousMaxOverMean[2]).toBe(1.5);
  });

  it("rejects bad input", () => {
    expect(() => expertLoadStats([])).toThrow(/load/);
    expect(() => expertLoadStats([1, -1])).toThrow(/load\[1\]/);
    expect(() => expertLoadStats([0, 0, 0, 0, 0, 0, 0, 0], { epSizes: [2] })).toThrow(/some load > 0/);
    expect(() => expertLoadStats([1, 2, 3], { epSizes: [2] })).toThrow(/options.epSizes\[0\] \(2\) must divide the expert count \(3\)/);
    expect(() => expertLoadStats([1, 2], { epSize: [2] } as never)).toThrow(/did you mean epSizes/);
  });
});
