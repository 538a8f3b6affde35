import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  expertPopularity, driftingPopularity, sampleRouting, syntheticLogits, loadMatrix, countExpertLoad, loadStats, topK,
} from "../../src/routing";
import { snapshot } from "./helpers";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe("expertPopularity", () => {
  it("gives hand-checked uniform, Zipf and hot shapes", () => {
    expect(Array.from(expertPopularity(4, { kind: "uniform" }))).toEqual([0.25, 0.25, 0.25, 0.25]);
    const z = expertPopularity(4, { kind: "zipf", zipfS: 1 });
    const h = 1 + 1 / 2 + 1 / 3 + 1 / 4;
    [1, 1 / 2, 1 / 3, 1 / 4].forEach((v, i) => expect(z[i]).toBeCloseTo(v / h, 12));
    expect(Array.from(expertPopularity(3, { kind: "zipf", zipfS: 0 }))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const hot = expertPopularity(4, { kind: "hot", numHot: 1, hotShare: 0.7 });
    [0.7, 0.1, 0.1, 0.1].forEach((v, i) => expect(hot[i]).toBeCloseTo(v, 12));
  });
  it("a seed permutes which expert gets which rank, reproducibly", () => {
    const a = expertPopularity(16, { kind: "zipf", zipfS: 1.2, seed: 5 });
    const b = expertPopularity(16, { kind: "zipf", zipfS: 1.2, seed: 5 });
    const plain = expertPopularity(16, { kind: "zipf", zipfS: 1.2 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(plain));
    expect(Array.from(a).sort()).toEqual(Array.from(plain).sort());
    expect(sum(a)).toBeCloseTo(1, 12);
  });
  it("rejects bad options naming them", () => {
    expect(() => expertPopularity(0, { kind: "uniform" })).toThrow(/numExperts/);
    expect(() => expertPopularity(4, { kind: "pareto" as never })).toThrow(/kind must be one of/);
    expect(() => expertPopularity(4, { kind: "zipf", zipfS: -1 })).toThrow(/zipfS must be ≥ 0, got -1/);
    expect(() => expertPopularity(4, { kind: "hot", numHot: 4 })).toThrow("numHot (4) must be < numExperts (4)");
    expect(() => expertPopularity(4, { kind: "hot", numHot: 1, hotShare: 1 })).toThrow(/hotShare must be in \(0, 1\), got 1/);
    expect(() => expertPopularity(4, { kind: "uniform", seed: -2 })).toThrow(/seed/);
    expect(() => expertPopularity(4, null as never)).toThrow(TypeError);
  });
});

describe("driftingPopularity", () => {
  it("starts at the base, stays normalised, drifts, and is reproducible", () => {
    const p = driftingPopularity(8, { numIterations: 50, seed: 3, driftSigma: 0.1 });
    expect(p.length).toBe(50);
    expect(Array.from(p[0])).toEqual(Array.from(expertPopularity(8, { kind: "zipf", zipfS: 1, seed: 3 })).map((v) => expect.closeTo(v, 12)));
    for (const row of p) expect(sum(row)).toBeCloseTo(1, 12);
    expect(Array.from(p[49])).not.toEqual(Array.from(p[0]));
    expect(driftingPopularity(8, { numIterations: 50, seed: 3, driftSigma: 0.1 }).map((r) => Array.from(r))).toEqual(p.map((r) => Array.from(r)));
    const still = driftingPopularity(4, { numIterations: 3, driftSigma: 0, base: { kind: "uniform" } });
    expect(Array.from(still[2])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
  it("shiftEvery re-permutes the popularity abruptly", () => {
    const p = driftingPopularity(32, { numIterations: 11, seed: 1, driftSigma: 0, shiftEvery: 10 });
    expect(Array.from(p[9])).toEqual(Array.from(p[0]));
    expect(Array.from(p[10])).not.toEqual(Array.from(p[9]));
    expect(Array.from(p[10]).sort()).toEqual(Array.from(p[9]).sort().map((v) => expect.closeTo(v, 12)));
  });
  it("rejects bad options", () => {
    expect(() => driftingPopularity(4, { numIterations: 0 })).toThrow(/numIterations/);
    expect(() => driftingPopularity(4, { numIterations: 2, driftSigma: -0.1 })).toThrow(/driftSigma/);
    expect(() => driftingPopularity(4, { numIterations: 2, reversion: 2 })).toThrow(/reversion must be in \[0, 1\]/);
    expect(() => driftingPopularity(4, { numIterations: 2, shiftEvery: 1.5 })).toThrow(/shiftEvery/);
    expect(() => driftingPopularity(-1, { numIterations: 2 })).toThrow(/numExperts/);
  });
});

describe("sampleRouting", () => {
  it("picks k distinct experts per token, loads sum to tokens × k, popularity is respected", () => {
    const pop = Object.freeze([8, 1, 1, 0]) as unknown as number[];
    const r = sampleRouting(pop, { numTokens: 2000, topK: 1, seed: 2 });
    const load = countExpertLoad(r.indices, 4);
    expect(sum(load)).toBe(2000);
    expect(load[3]).toBe(0); // zero popularity is never drawn
    expect(load[0] / 2000).toBeGreaterThan(0.75);
    expect(load[0] / 2000).toBeLessThan(0.85);
    const r2 = sampleRouting(pop, { numTokens: 50, topK: 3, seed: 2 });
    for (let t = 0; t < 50; t++) expect(Array.from(r2.indices.subarray(t * 3, t * 3 + 3)).sort()).toEqual([0, 1, 2]);
    expect(Array.from(r2.weights).every((w) => w === Math.fround(1 / 3))).toBe(true);
  });
  it("property: distinct picks, loads sum to tokens × k, reproducible, input untouched", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 100, noNaN: true })), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(1000),
        (pop, numTokens, kWanted, seed) => {
          const positive = pop.filter((v) => v > 0).length;
          if (positive === 0) return;
          const k = Math.min(kWanted, positive);
          const before = pop.slice();
          const r = sampleRouting(pop, { numTokens, topK: k, seed });
          expect(pop).toEqual(before);
          let ok = true;
          for (let t = 0; t < numTokens; t++) {
            const picks = Array.from(r.indices.subarray(t * k, (t + 1) * k));
            if (new Set(picks).size !== k || !picks.every((e) => pop[e] > 0)) ok = false;
          }
          expect(ok).toBe(true);
          expect(sum(countExpertLoad(r.indices, pop.length))).toBe(numTokens * k);
          expect(Array.from(sampleRouting(pop, { numTokens, topK: k, seed }).indices)).toEqual(Array.from(r.indices));
        },
      ),
      { numRuns: 1000 },
    );
  });
  it("a very hot expert does not stall sampling (rejection fallback)", () => {
    const pop = [1e12, 1, 1, 1, 1];
    const r = sampleRouting(pop, { numTokens: 100, topK: 5, seed: 0 });
    expect(Array.from(countExpertLoad(r.indices, 5))).toEqual([100, 100, 100, 100, 100]);
  });
  it("rejects bad input", () => {
    expect(() => sampleRouting([], { numTokens: 1, topK: 1 })).toThrow(/popularity must not be empty/);
    expect(() => sampleRouting([1, -1], { numTokens: 1, topK: 1 })).toThrow("popularity[1] must be ≥ 0, got -1");
    expect(() => sampleRouting([0, 0], { numTokens: 1, topK: 1 })).toThrow(/at least one entry > 0/);
    expect(() => sampleRouting([1, 0, 1], { numTokens: 1, topK: 3 })).toThrow(/topK \(3\) must be ≤ the number of experts with popularity > 0 \(2\)/);
    expect(() => sampleRouting([1, 1], { numTokens: 0, topK: 1 })).toThrow(/numTokens/);
    expect(() => sampleRouting([1, NaN], { numTokens: 1, topK: 1 })).toThrow(/popularity\[1\]/);
    expect(() => sampleRouting([1, 1], { numTokens: 1, topK: 1, seed: 0.5 })).toThrow(/seed/);
  });
});

describe("syntheticLogits", () => {
  it("top-k of the logits follows the popularity (Gumbel-top-k) and is reproducible", () => {
    const pop = expertPopularity(4, { kind: "hot", numHot: 1, hotShare: 0.7 });
    const logits = syntheticLogits(pop, { numTokens: 4000, seed: 9 });
    expect(Array.from(syntheticLogits(pop, { numTokens: 4000, seed: 9 }))).toEqual(Array.from(logits));
    const load = countExpertLoad(topK(logits, 4000, 4, 1).indices, 4);
    expect(load[0] / 4000).toBeGreaterThan(0.66);
    expect(load[0] / 4000).toBeLessThan(0.74);
    const sharp = syntheticLogits(pop, { numTokens: 100, seed: 1, noiseScale: 1e-6 });
    expect(Array.from(countExpertLoad(topK(sharp, 100, 4, 1).indices, 4))).toEqual([100, 0, 0, 0]);
  });
  it("rejects bad input", () => {
    expect(() => syntheticLogits([1, 0], { numTokens: 1 })).toThrow("popularity[1] must be > 0 for logits (log 0 is −∞), got 0");
    expect(() => syntheticLogits([1, 1], { numTokens: 1, noiseScale: 0 })).toThrow(/noiseScale must be > 0/);
    expect(() => syntheticLogits([1, 1], { numTokens: -1 })).toThrow(/numTokens/);
    expect(() => syntheticLogits([], { numTokens: 1 })).toThrow(/popularity/);
  });
});

describe("loadMatrix", () => {
  it("builds [layers][experts] token counts, rows summing to tokens × k, layers differing, reproducible", () => {
    const w = loadMatrix({ numLayers: 3, numExperts: 12, numTokens: 100, topK: 2, seed: 1 });
    expect(w.length).toBe(3);
    for (const row of w) {
      expect(row.length).toBe(12);
      expect(sum(row)).toBe(200);
      expect(row.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    }
    expect(w[0]).not.toEqual(w[1]);
    expect(loadMatrix({ numLayers: 3, numExperts: 12, numTokens: 100, topK: 2, seed: 1 })).toEqual(w);
  });
  it("defaults to DeepSeek-V3 scale (58 × 256, k = 8)", () => {
    const w = loadMatrix({ numTokens: 64 });
    expect(w.length).toBe(58);
    expect(w[0].length).toBe(256);
    expect(sum(w[57])).toBe(64 * 8);
    expect(loadStats(w[0]).max).toBeGreaterThan(loadStats(w[0]).mean); // Zipf: skewed
  });
  it("rejects bad options", () => {
    expect(() => loadMatrix({ numLayers: 0 })).toThrow(/numLayers/);
    expect(() => loadMatrix({ numExperts: 4, topK: 5 })).toThrow(/topK \(5\) must be ≤ numExperts \(4\)/);
    expect(() => loadMatrix({ numTokens: 1.5 })).toThrow(/numTokens/);
    expect(() => loadMatrix({ popularity: { kind: "zipf", zipfS: NaN } })).toThrow(/zipfS/);
  });
});

describe("countExpertLoad / loadStats", () => {
  it("counts and summarises hand-checked cases", () => {
    const idx = new Int32Array([0, 2, 2, 1]);
    const before = snapshot(idx);
    expect(Array.from(countExpertLoad(idx, 4))).toEqual([1, 1, 2, 0]);
    expect(snapshot(idx)).toEqual(before);
    const s = loadStats([2, 2, 4]);
    expect(s.total).toBe(8);
    expect(s.max).toBe(4);
    expect(s.min).toBe(2);
    expect(s.balancedness).toBeCloseTo(8 / 3 / 4, 12);
    expect(s.imbalance).toBeCloseTo((4 - 8 / 3) / (8 / 3), 12);
    expect(s.std).toBeCloseTo(Math.sqrt(8 / 9), 12);
    expect(loadStats([0, 0])).toMatchObject({ balancedness: 1, imbalance: 0, maxOverMean: 1, coefficientOfVariation: 0 });
  });
  it("rejects bad input", () => {
    expect(() => countExpertLoad(new Int32Array([0, 4]), 4)).toThrow("indices[1] must be an expert id in [0, 4), got 4");
    expect(() => countExpertLoad(new Int32Array([-1]), 4)).toThrow(/indices\[0\]/);
    expect(() => countExpertLoad([0, 1] as unknown as Int32Array, 4)).toThrow(TypeError);
    expect(() => countExpertLoad(new Int32Array([0]), 0)).toThrow(/numExperts/);
    expect(() => loadStats([])).toThrow(/load must not be empty/);
    expect(() => loadStats([1, -1])).toThrow("load[1] must be ≥ 0, got -1");
  });
});
