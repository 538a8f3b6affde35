/**
 * Bad-input cases found by the public-API audit (each was silently accepted, truncated or named the wrong
 * option before). Inputs are frozen: nothing may be mutated.
 */
import { describe, expect, it } from "vitest";
import { createDriftingWorkload, preservePlacement, rebalanceExpertsFlat, simulateOnlineEplb, toNested } from "../../src/eplb";

describe("eplb: bad input the audit found", () => {
  it("toNested rejects sizes and array lengths that do not match (was: nulls or 'Invalid array length')", () => {
    const flat = rebalanceExpertsFlat(Object.freeze([1, 1, 2, 2]), 2, Object.freeze({ numReplicas: 2, numGroups: 1, numNodes: 1, numGpus: 2 }));
    expect(() => toNested({ ...flat, numLayers: NaN })).toThrow(/^flat\.numLayers must be finite, got NaN/);
    expect(() => toNested({ ...flat, numLayers: 3 })).toThrow(/^flat\.phy2log must have numLayers × numReplicas = 6 entries, got 4/);
    expect(() => toNested({ ...flat, maxReplicas: 0 })).toThrow(/^flat\.maxReplicas must be ≥ 1, got 0/);
    expect(() => toNested({ ...flat, phyRank: [0, 0, 0, 0] as never })).toThrow(/^flat\.phyRank must be an Int32Array, got array\(length 4\)/);
    expect(() => toNested({ ...flat, logcnt: new Int32Array(3) })).toThrow(/^flat\.logcnt must have numLayers × numExperts = 4 entries, got 3/);
    expect(() => toNested(null as never)).toThrow(/got null/);
    expect(toNested(flat).phy2log).toEqual([[0, 1], [0, 1]]);
  });

  it("preservePlacement rejects ids that would wrap in an Int32Array (was: 2^32 silently became 0)", () => {
    expect(() => preservePlacement(Object.freeze([2 ** 32]) as never, Object.freeze([2 ** 32]) as never, 1)).toThrow(/^oldPhy2log\[0\]\[0\] must be an integer in \[0, 2\^31 = 2147483648\), got 4294967296/);
    expect(() => preservePlacement(Object.freeze([0]) as never, Object.freeze([2 ** 31]) as never, 1)).toThrow(/^newPhy2log\[0\]\[0\]/);
  });

  it("createDriftingWorkload names the drift option actually given", () => {
    expect(() => createDriftingWorkload({ numLayers: 1, numExperts: 2, driftStd: -1 })).toThrow(/^options\.driftStd must be ≥ 0, got -1/);
    expect(() => createDriftingWorkload({ numLayers: 1, numExperts: 2, driftSigma: NaN })).toThrow(/^options\.driftSigma must be finite, got NaN/);
  });

  it("simulateOnlineEplb rejects a non-object workload (null is not the default)", () => {
    const ok = { numLayers: 1, numExperts: 2, numGpus: 1, iterations: 1 };
    expect(() => simulateOnlineEplb({ ...ok, workload: null as never })).toThrow(/^options\.workload must not be null/);
    expect(() => simulateOnlineEplb({ ...ok, workload: 5 as never })).toThrow(TypeError);
  });
});
