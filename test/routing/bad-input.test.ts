/**
 * Bad-input cases found by the public-API audit (each was silently accepted or failed with an unnamed error
 * before), plus the corrected routeScores doc example. Inputs are frozen: nothing may be mutated.
 */
import { describe, expect, it } from "vitest";
import { driftingPopularity, loadMatrix, routeScores, sampleRouting } from "../../src/routing";

describe("routing: bad input the audit found", () => {
  it("sampleRouting rejects an rng that is not a generator", () => {
    const pop = Object.freeze([1, 1]);
    expect(() => sampleRouting(pop, { numTokens: 1, topK: 1, rng: {} as never })).toThrow(TypeError);
    expect(() => sampleRouting(pop, { numTokens: 1, topK: 1, rng: {} as never })).toThrow(/^rng must be a generator from createRng, got \[object Object\]/);
    expect(() => sampleRouting(pop, { numTokens: 1, topK: 1, rng: null as never })).toThrow(/^options.rng must not be null \(leave it out for the default\)/);
  });

  it("loadMatrix rejects a non-object popularity (null is not the default)", () => {
    const opts = { numLayers: 1, numExperts: 4, numTokens: 2, topK: 1 };
    expect(() => loadMatrix({ ...opts, popularity: null as never })).toThrow(/^options.popularity must not be null \(leave it out for the default\)/);
    expect(() => loadMatrix({ ...opts, popularity: "zipf" as never })).toThrow(TypeError);
  });

  it("driftingPopularity rejects a non-object base (null is not the default)", () => {
    expect(() => driftingPopularity(4, { numIterations: 2, base: null as never })).toThrow(/^options.base must not be null \(leave it out for the default\)/);
    expect(() => driftingPopularity(4, { numIterations: 2, base: 1 as never })).toThrow(TypeError);
  });
});

describe("routing: corrected doc example", () => {
  it("routeScores keeps the group with the larger top-2 sum", () => {
    const s = new Float32Array([0.9, 0.1, 0.5, 0.4]);
    const before = Array.from(s);
    expect(Array.from(routeScores(s, { numExperts: 4, topK: 2, numGroups: 2, topkGroup: 1 }).indices)).toEqual([0, 1]);
    expect(Array.from(routeScores(s, { numExperts: 4, topK: 2 }).indices)).toEqual([0, 2]);
    expect(Array.from(s)).toEqual(before);
  });
});
