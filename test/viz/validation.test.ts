/**
 * Bad input to the figure functions that the per-figure suites do not reach: helper arguments, option
 * types, non-integer ids. Each error names the parameter and shows the value. Fixtures are frozen.
 */
import { describe, expect, it } from "vitest";
import {
  allToAllLatencyFigure,
  assertRouting,
  balancednessOf,
  categoricalColor,
  fmt,
  groupGemmFigure,
  loadBarsFigure,
  memoryBarsFigure,
  onlineEplbFigure,
  rooflineFigure,
  routingComparisonFigure,
  routingFigure,
  slotsByGpu,
  throughputBars,
  trafficHeatmap,
  type PlacementLoads,
  type RoutingLike,
} from "../../src/viz";

const routing: RoutingLike = Object.freeze({ numTokens: 1, numExperts: 8, topK: 2, indices: Object.freeze([0, 7]), weights: Object.freeze([0.5, 0.5]) });
const placement: PlacementLoads = Object.freeze({
  label: "x",
  experts: Object.freeze([Object.freeze([0]), Object.freeze([1])]) as unknown as number[][],
  loads: Object.freeze([Object.freeze([3]), Object.freeze([1])]) as unknown as number[][],
});

describe("shared helpers reject bad input", () => {
  it("categoricalColor: i must be an integer ≥ 0 (was: undefined colour for -1 or 1.5)", () => {
    expect(() => categoricalColor(-1)).toThrow(/^i must be ≥ 0, got -1/);
    expect(() => categoricalColor(1.5)).toThrow(/^i must be an integer, got 1.5/);
    expect(() => categoricalColor(NaN)).toThrow(/^i must be finite, got NaN/);
    expect(() => categoricalColor("1" as never)).toThrow(TypeError);
    expect(categoricalColor(0)).toBe("#0072B2");
  });

  it("fmt: value finite, digits an integer in [1, 21]", () => {
    expect(() => fmt(NaN)).toThrow(/^value must be finite, got NaN/);
    expect(() => fmt(Infinity)).toThrow(/^value must be finite, got Infinity/);
    expect(() => fmt(1, 0)).toThrow(/^digits must be ≥ 1, got 0/);
    expect(() => fmt(1, 2.5)).toThrow(/^digits must be an integer, got 2.5/);
    expect(() => fmt(1, 22)).toThrow(/^digits must be in \[1, 21\], got 22/);
    expect(fmt(12345)).toBe("12.3k");
  });

  it("assertRouting names the parameter it was given", () => {
    expect(() => assertRouting("panels[1].routing", { ...routing, topK: 0 })).toThrow(/^panels\[1\]\.routing\.topK must be ≥ 1, got 0/);
    expect(() => assertRouting("r", null as never)).toThrow(TypeError);
  });
});

describe("figure functions reject bad ids and option types", () => {
  it("slotsByGpu: expert ids must be integers", () => {
    expect(() => slotsByGpu(Object.freeze([0, 1.5]), 1)).toThrow(/^phy2log\[1\] must be an integer expert id, got 1.5/);
    expect(() => slotsByGpu(Object.freeze([0, 1]), 0)).toThrow(/numGpus must be ≥ 1, got 0/);
  });

  it("balancednessOf: a malformed placement is named", () => {
    expect(() => balancednessOf({ ...placement, loads: [[NaN], [1]] })).toThrow(/placement\.loads\[0\]\[0\] must be finite and ≥ 0, got NaN/);
    expect(() => balancednessOf(null as never)).toThrow(TypeError);
    expect(balancednessOf(placement)).toBeCloseTo(2 / 3, 12);
  });

  it("options must be an object and text options strings", () => {
    expect(() => routingFigure(routing, null as never)).toThrow(/^options must be an object, got null/);
    expect(() => routingComparisonFigure([{ label: "a", routing }], null as never)).toThrow(/^options must be an object, got null/);
    expect(() => rooflineFigure({ peakFlops: 1, bandwidthBytesPerSec: 1 }, [{ label: "a", intensity: 1 }], null as never)).toThrow(/^options must be an object/);
    expect(() => routingFigure(routing, { title: 5 as never })).toThrow(/^options\.title must be a string, got 5/);
    expect(() => loadBarsFigure(placement, { yTitle: 3 as never })).toThrow(/^options\.yTitle must be a string, got 3/);
    expect(() => loadBarsFigure(placement, { gpuPrefix: null as never })).toThrow(/^options\.gpuPrefix must be a string, got null/);
    expect(() => loadBarsFigure(placement, { showMean: "no" as never })).toThrow(/^options\.showMean must be true or false, got "no"/);
    expect(() => trafficHeatmap([[0, 1], [1, 0]], { unit: 7 as never })).toThrow(/^options\.unit must be a string, got 7/);
    expect(() => allToAllLatencyFigure({ epSizes: [8], dispatchUs: [1], combineUs: [1] }, undefined, { logX: 1 as never })).toThrow(/^options\.logX must be true or false, got 1/);
    expect(() => allToAllLatencyFigure({ label: 3 as never, epSizes: [8], dispatchUs: [1], combineUs: [1] })).toThrow(/^model\.label must be a string, got 3/);
    expect(() => onlineEplbFigure({ balancedness: [0.5], movedBytes: [0] }, { bytesUnit: 1 as never })).toThrow(/^options\.bytesUnit must be a string, got 1/);
    expect(() => onlineEplbFigure({ balancedness: [0.5], movedBytes: [0], baselineLabel: 2 as never })).toThrow(/^series\.baselineLabel must be a string, got 2/);
    expect(() => throughputBars(["a"], [1], { yTitle: false as never })).toThrow(/^options\.yTitle must be a string/);
    expect(() => rooflineFigure({ name: 7 as never, peakFlops: 1, bandwidthBytesPerSec: 1 }, [{ label: "a", intensity: 1 }])).toThrow(/^gpu\.name must be a string, got 7/);
    expect(() => groupGemmFigure({ tokensPerExpert: [1], timePerTokenUs: [1], label: 1 as never }, { flopsPerToken: 1 })).toThrow(/^measured\.label must be a string, got 1/);
    expect(() => groupGemmFigure({ tokensPerExpert: [1], timePerTokenUs: [1] }, { flopsPerToken: 1, roofline: { peakFlops: 1, bandwidthBytesPerSec: 1, weightBytes: 1, name: 2 as never } })).toThrow(/^options\.roofline\.name must be a string, got 2/);
    expect(() => memoryBarsFigure({ epSizes: [8], expertWeightsGB: [1], otherWeightsGB: [1], kvCacheGB: [1] }, { gpuName: 200 as never })).toThrow(/^options\.gpuName must be a string, got 200/);
  });
});
