/**
 * Bad-input cases found by the public-API audit (each failed silently or named the wrong parameter before),
 * plus the doc-comment examples that were added or corrected. Inputs are frozen: nothing may be mutated.
 */
import { describe, expect, it } from "vitest";
import {
  allToAllTime, allToAllVsEpSize, bytesPerWeight, checkModel, comparePublished, compareDeployments, decodeStep, denseEquivalent,
  expertGemmTime, expertParams, getGpu, getModel, gpuNames, kvPositions, memoryPerGpu, memoryVsEpSize, modelNames, paramCounts,
  paretoFrontier, prefillVsDecode, receivedTokensPerRank, resolveGpu, resolveModel, stepIntensity, sweepFrontier,
  throughputAtInteractivity, wideEpRatio,
} from "../../src/cost";

const dsv3 = getModel("deepseek-v3");
const spec = (patch: Record<string, unknown>) => Object.freeze({ ...dsv3, ...patch }) as never;
const gqa = getModel("mixtral-8x7b");

describe("cost: bad input the audit found", () => {
  it("checkModel rejects NaN / negative / non-integer optional sizes instead of producing NaN counts", () => {
    expect(() => paramCounts(spec({ denseFfnSize: NaN }))).toThrow(/^model\.denseFfnSize must be finite, got NaN/);
    expect(() => expertParams(spec({ numSharedExperts: -1 }))).toThrow(/^model\.numSharedExperts must be ≥ 0, got -1/);
    expect(() => paramCounts(spec({ sharedExpertFfnSize: 2048.5 }))).toThrow(/^model\.sharedExpertFfnSize must be an integer, got 2048\.5/);
    expect(() => paramCounts(spec({ sharedExpertFfnSize: "2048" }))).toThrow(TypeError);
  });

  it("checkModel rejects inconsistent sizes (would give negative dense-layer counts or impossible routing)", () => {
    expect(() => paramCounts(spec({ numMoeLayers: 100 }))).toThrow(/^model\.numMoeLayers \(100\) must be ≤ model\.numLayers \(61\)/);
    expect(() => checkModel(spec({ topK: 300 }))).toThrow(/^model\.topK \(300\) must be ≤ model\.numExperts \(256\)/);
  });

  it("checkModel checks the attention spec", () => {
    const mla = (patch: Record<string, unknown>) => spec({ attention: Object.freeze({ ...dsv3.attention, ...patch }) });
    expect(() => paramCounts(mla({ numHeads: NaN }))).toThrow(/^model\.attention\.numHeads must be finite, got NaN/);
    expect(() => paramCounts(mla({ kvLoraRank: 0 }))).toThrow(/^model\.attention\.kvLoraRank must be ≥ 1, got 0/);
    expect(() => paramCounts(mla({ kind: "mha" }))).toThrow(/^model\.attention\.kind must be one of "mla", "gqa", got "mha"/);
    const g = (patch: Record<string, unknown>) => Object.freeze({ ...gqa, attention: Object.freeze({ ...gqa.attention, ...patch }) }) as never;
    expect(() => kvPositions(g({ slidingWindow: -1 }), 10)).toThrow(/^model\.attention\.slidingWindow must be ≥ 0, got -1/);
    expect(() => kvPositions(g({ numSlidingLayers: 33 }), 10)).toThrow(/^model\.attention\.numSlidingLayers \(33\) must be ≤ model\.numLayers \(32\)/);
    expect(() => kvPositions(g({ headDim: 1.5 }), 10)).toThrow(/^model\.attention\.headDim must be an integer, got 1\.5/);
  });

  it("every catalog model and the dense equivalent still pass checkModel", () => {
    for (const name of modelNames()) expect(() => checkModel(getModel(name))).not.toThrow();
    expect(() => checkModel(denseEquivalent("deepseek-v3"))).not.toThrow();
  });

  it("getGpu / getModel show the bad value", () => {
    expect(() => getGpu(5 as never)).toThrow(/^gpu must be a string, got number 5/);
    expect(() => getModel(5 as never)).toThrow(/^model must be a string, got number 5/);
  });

  it("resolveGpu needs an integer NVLink domain size", () => {
    expect(() => resolveGpu(Object.freeze({ ...getGpu("h100"), nvlinkDomainSize: 1.5 }))).toThrow(/^gpu\.nvlinkDomainSize must be an integer, got 1\.5/);
  });

  it("expertGemmTime needs integer sizes", () => {
    const ok = Object.freeze({ tokens: 1, hiddenSize: 7168, expertFfnSize: 2048, gpu: "h100" });
    expect(() => expertGemmTime({ ...ok, hiddenSize: 7168.5 })).toThrow(/^hiddenSize must be an integer, got 7168\.5/);
    expect(() => expertGemmTime({ ...ok, expertFfnSize: 1.5 })).toThrow(/^expertFfnSize must be an integer, got 1\.5/);
    expect(() => expertGemmTime(null as never)).toThrow(/^options must be an object, got null/);
  });

  it("receivedTokensPerRank needs an integer topK", () => {
    expect(() => receivedTokensPerRank(128, 2.5)).toThrow(/^topK must be an integer, got 2\.5/);
  });

  it("allToAllVsEpSize rejects a non-array epSizes with a TypeError showing it", () => {
    expect(() => allToAllVsEpSize(Object.freeze({ gpu: "gb200", tokensPerRank: 1 }), "8" as never)).toThrow(TypeError);
    expect(() => allToAllVsEpSize(Object.freeze({ gpu: "gb200", tokensPerRank: 1 }), "8" as never)).toThrow(/^epSizes must be an array, got "8"/);
    expect(() => allToAllVsEpSize(Object.freeze({ gpu: "gb200", tokensPerRank: 1 }), Object.freeze([]))).toThrow(/^epSizes must not be empty/);
  });

  it("memoryVsEpSize rejects null options and a bad redundantExperts even when no EP size divides", () => {
    expect(() => memoryVsEpSize(null as never)).toThrow(/^options must be an object, got null/);
    expect(() => memoryVsEpSize(Object.freeze({ model: "deepseek-v3", gpu: "h200", redundantExperts: NaN }))).toThrow(/^redundantExperts must be finite, got NaN/);
    expect(() => memoryVsEpSize(Object.freeze({ model: "deepseek-v3", gpu: "h200", redundantExperts: -1 }))).toThrow(/^redundantExperts must be ≥ 0, got -1/);
    expect(() => memoryVsEpSize(Object.freeze({ model: "deepseek-v3", gpu: "h200" }), "8" as never)).toThrow(TypeError);
  });

  it("sweepFrontier rejects a bad redundantExperts instead of skipping every EP size", () => {
    const ok = Object.freeze({ model: "deepseek-v3", gpu: "h200", kvLen: 1, epSizes: Object.freeze([8]) });
    expect(() => sweepFrontier({ ...ok, redundantExperts: NaN })).toThrow(/^redundantExperts must be finite, got NaN/);
    expect(() => sweepFrontier({ ...ok, redundantExperts: -1 })).toThrow(/^redundantExperts must be ≥ 0, got -1/);
    expect(() => sweepFrontier({ ...ok, redundantExperts: 1.5 })).toThrow(/^redundantExperts must be an integer, got 1\.5/);
  });

  it("paretoFrontier / throughputAtInteractivity reject malformed points, naming them", () => {
    const nan = Object.freeze([Object.freeze({ tokensPerSecPerUser: NaN, outputTokensPerSecPerGpu: 1 })]);
    expect(() => paretoFrontier(nan)).toThrow(/^points\[0\]\.tokensPerSecPerUser must be finite, got NaN/);
    expect(() => paretoFrontier(Object.freeze([null]) as never)).toThrow(/^points\[0\] must be an object, got null/);
    const inf = Object.freeze([Object.freeze({ tokensPerSecPerUser: 1, outputTokensPerSecPerGpu: Infinity })]);
    expect(() => throughputAtInteractivity(inf, 10)).toThrow(/^curve\[0\]\.outputTokensPerSecPerGpu must be finite, got Infinity/);
    expect(() => throughputAtInteractivity(nan, 10)).toThrow(RangeError);
    expect(() => paretoFrontier("x" as never)).toThrow(/^points must be an array, got "x"/);
  });

  it("prefillVsDecode names decodeBatch / prefillChunk / kvLen", () => {
    const ok = Object.freeze({ model: "deepseek-v3", gpu: "h100" });
    expect(() => prefillVsDecode({ ...ok, decodeBatch: -1 })).toThrow(/^decodeBatch must be > 0, got -1/);
    expect(() => prefillVsDecode({ ...ok, prefillChunk: 0 })).toThrow(/^prefillChunk must be > 0, got 0/);
    expect(() => prefillVsDecode({ ...ok, kvLen: NaN })).toThrow(/^kvLen must be finite, got NaN/);
  });

  it("'options must be an object' errors show the value", () => {
    for (const f of [allToAllTime, memoryPerGpu, decodeStep, sweepFrontier, stepIntensity, prefillVsDecode, compareDeployments, wideEpRatio]) {
      expect(() => (f as (o: unknown) => unknown)(null)).toThrow(/^options must be an object, got null/);
    }
  });
});

describe("cost: doc-comment examples added or corrected by the audit", () => {
  it("hold", () => {
    expect(bytesPerWeight("bf16")).toBe(2);
    expect(resolveModel("deepseek-r1").numExperts).toBe(256);
    expect(gpuNames().includes("h800")).toBe(true);
    expect(modelNames().includes("deepseek-v3")).toBe(true);
    const pts = Object.freeze([
      Object.freeze({ tokensPerSecPerUser: 10, outputTokensPerSecPerGpu: 100 }),
      Object.freeze({ tokensPerSecPerUser: 20, outputTokensPerSecPerGpu: 50 }),
      Object.freeze({ tokensPerSecPerUser: 15, outputTokensPerSecPerGpu: 40 }),
    ]);
    expect(paretoFrontier(pts).map((p) => p.tokensPerSecPerUser)).toEqual([10, 20]);
    expect(memoryVsEpSize({ model: "deepseek-v3", gpu: "h200", kvLen: 4096 }).map((r) => r.maxBatchPerGpu)).toEqual([91, 233, 304, 339, 366]);
    const r = prefillVsDecode({ model: "deepseek-v3", gpu: "h100" });
    expect(r.decode.intensity < r.ridge && r.prefill.intensity > r.ridge).toBe(true);
    expect(decodeStep({ model: "deepseek-v3", gpu: "h800", epSize: 144, batchPerGpu: 128, kvLen: 4989, redundantExperts: 32, overlap: true }).tokensPerSecPerUser).toBeCloseTo(15.8, 1);
    expect(sweepFrontier({ model: "deepseek-v3", gpu: "gb200", kvLen: 2048, epSizes: [8, 32] }).frontier.length).toBe(17);
    expect(compareDeployments({ model: "deepseek-v3", gpu: "gb200", kvLen: 2048, tokensPerSecPerUser: 50 }).map((x) => x.name)).toEqual(["dense model of the same active size", "standard EP", "wide EP", "wide EP + EPLB"]);
    expect(wideEpRatio({ tokensPerSecPerUser: 50 }).ratio).toBeGreaterThan(1);
  });
});

describe("cost: unknown option keys are rejected, naming the nearest valid key", () => {
  it("decodeStep, efficiency, resolveEfficiency, calibrationReport, comparePublished, crossoverTable, allToAllVsDeepEp", async () => {
    const cost = await import("../../src/cost");
    const base = { model: "deepseek-v3", gpu: "h800", epSize: 144, redundantExperts: 32, batchPerGpu: 64, kvLen: 4989 };
    expect(() => cost.decodeStep({ ...base, loadImbalence: 3 } as never)).toThrow(/options\.loadImbalence; did you mean "loadImbalance"/);
    expect(() => cost.resolveEfficiency({ overlapFracton: 1 } as never)).toThrow(/efficiency\.overlapFracton; did you mean "overlapFraction"/);
    const bad = { computeFractoin: 0.5 } as never;
    for (const f of [cost.comparePublished, cost.crossoverTable, cost.allToAllVsDeepEp]) {
      expect(() => (f as (e: unknown) => unknown)(bad), f.name).toThrow(/efficiency\.computeFractoin; did you mean "computeFraction"/);
    }
    expect(() => cost.calibrationReport({ efficiency: bad, leaveOneOut: false })).toThrow(/efficiency\.computeFractoin; did you mean "computeFraction"/);
    expect(() => cost.calibrationReport({ leaveOneOot: false } as never)).toThrow(/options\.leaveOneOot; did you mean "leaveOneOut"/);
    expect(() => cost.decodeStep({ ...base, efficiency: bad })).toThrow(/did you mean "computeFraction"/);
    expect(() => cost.allToAllTime({ gpu: "h800", epSize: 8, tokensPerRank: 1, topk: 8 } as never)).toThrow(/did you mean "topK"/);
    expect(() => cost.memoryPerGpu({ model: "deepseek-v3", gpu: "h800", epSize: 8, kvlen: 1 } as never)).toThrow(/did you mean "kvLen"/);
    expect(() => cost.sweepFrontier({ model: "deepseek-v3", gpu: "h800", kvLen: 1, epSizes: [8], batchSize: [1] } as never)).toThrow(/did you mean "batchSizes"/);
    expect(() => cost.allToAllTime({ gpu: "h800", epSize: 8, tokensPerRank: 1, topK: 1_000_000 })).toThrow(/topK must be ≤ 64/);
    expect(() => cost.stepIntensity({ model: "deepseek-v3", gpu: "h100", phase: "decode", tokens: 1, kvlen: 1 } as never)).toThrow(/did you mean "kvLen"/);
    expect(() => cost.prefillVsDecode({ model: "deepseek-v3", gpu: "h100", decodebatch: 1 } as never)).toThrow(/did you mean "decodeBatch"/);
    expect(() => cost.wideEpRatio({ tokensPerSecPerUser: 30, wideEP: 32 } as never)).toThrow(/did you mean "wideEp"/);
    expect(() => cost.compareDeployments({ model: "deepseek-v3", gpu: "gb200", kvLen: 2048, tokensPerSecPerUser: 30, standardEP: 8 } as never)).toThrow(/did you mean "standardEp"/);
    expect(() => cost.expertGemmTime({ tokens: 1, hiddenSize: 1, expertFfnSize: 1, gpu: "h100", precison: "fp8" } as never)).toThrow(/did you mean "precision"/);
    expect(() => cost.expectedImbalance({ numExperts: 256, epSize: 32, tokensPerRank: 1, zipf: 1 } as never)).toThrow(/did you mean "zipfS"/);
  });
});
