/**
 * Library options: unknown keys are refused naming the nearest valid key (instead of being ignored), and the
 * specific cases that slipped through: drifting-workload token counts, router options of a MoE layer checked at
 * construction, a Zipf exponent given to a "hot" popularity, negative rates on a throughput curve.
 */
import { describe, expect, it } from "vitest";
import { createDriftingWorkload, simulateOnlineEplb } from "../../src/eplb";
import { expertPopularity, route } from "../../src/routing";
import { createMoeLayer, resolveGroupGemmOptions } from "../../src/tensor";
import { throughputAtInteractivity } from "../../src/cost";
import { assertKnownKeys, nearestName } from "../../src/util/validate";

const online = { numLayers: 1, numExperts: 8, numGpus: 2, numReplicas: 8, iterations: 4 };

describe("unknown option keys name the nearest valid key", () => {
  it("simulateOnlineEplb and its workload", () => {
    expect(() => simulateOnlineEplb({ ...online, windowSze: 4 } as never)).toThrow(/unknown option options\.windowSze \(did you mean windowSize\?\)/);
    expect(() => simulateOnlineEplb({ ...online, workload: { tokensPerIteraton: 64 } } as never)).toThrow(
      /unknown option options\.workload\.tokensPerIteraton \(did you mean tokensPerIteration\?\)/,
    );
    expect(() => simulateOnlineEplb({ ...online, workload: { numLayers: 3 } } as never)).toThrow(RangeError);
    expect(simulateOnlineEplb(online).balancedness.length).toBe(4); // valid options still work
  });
  it("createDriftingWorkload", () => {
    expect(() => createDriftingWorkload({ numLayers: 1, numExperts: 4, drift: 0.1 } as never)).toThrow(/options\.drift .*did you mean/);
  });
  it("resolveGroupGemmOptions", () => {
    expect(() => resolveGroupGemmOptions({ repeat: 3 } as never, "cpu")).toThrow(/unknown option options\.repeat \(did you mean repeats\?\)/);
    expect(resolveGroupGemmOptions({ repeats: 3 }, "cpu").repeats).toBe(3);
  });
  it("expertPopularity and route", () => {
    expect(() => expertPopularity(8, { kind: "zipf", zipfs: 1.2 } as never)).toThrow(/options\.zipfs \(did you mean zipfS\?\)/);
    expect(() => route(new Float32Array(8), { numExperts: 8, topk: 2 } as never)).toThrow(/unknown router option "topk" \(did you mean topK\?\)/);
  });
  it("createMoeLayer and its router options", () => {
    expect(() => createMoeLayer({ hiddenSize: 4, expertFfnSize: 4, numExperts: 4, topK: 1, sed: 1 } as never)).toThrow(/options\.sed \(did you mean seed\?\)/);
    // the layer sets numExperts itself: a different one in router would be ignored
    expect(() => createMoeLayer({ hiddenSize: 4, expertFfnSize: 4, numExperts: 4, topK: 1, router: { numExperts: 8 } } as never)).toThrow(/options\.router\.numExperts/);
  });
  it("assertKnownKeys treats inherited names as unknown and passes undefined", () => {
    expect(() => assertKnownKeys("options", JSON.parse('{"__proto__": 1}'), ["a"])).toThrow(RangeError);
    expect(() => assertKnownKeys("options", [], ["a"])).toThrow(TypeError);
    expect(() => assertKnownKeys("options", undefined, ["a"])).not.toThrow();
    expect(nearestName("loadImbalence", ["loadImbalance", "overlap"])).toBe("loadImbalance");
    expect(nearestName("zzzzzzzz", ["a"])).toBeUndefined();
  });
});

describe("values that slipped through", () => {
  it("createDriftingWorkload tokensPerIteration: 0, 1.5, -0 and 2^53 + 2 are refused, naming it", () => {
    for (const bad of [0, 1.5, -0, 2 ** 53 + 2]) {
      expect(() => createDriftingWorkload({ numLayers: 1, numExperts: 4, tokensPerIteration: bad })).toThrow(/options\.tokensPerIteration/);
    }
    expect(createDriftingWorkload({ numLayers: 1, numExperts: 4, tokensPerIteration: 1, numIterations: 1 }).next()[0].length).toBe(4);
  });
  it("createMoeLayer checks router options at construction (before any backend is loaded or forward pass runs)", () => {
    // 8 experts in 3 groups is impossible: the router says so now, not at the first forward pass
    expect(() => createMoeLayer({ hiddenSize: 4, expertFfnSize: 4, numExperts: 8, topK: 2, router: { numGroups: 3 } })).toThrow(
      /options\.router: numExperts \(8\) must be divisible by numGroups \(3\)/,
    );
    expect(() => createMoeLayer({ hiddenSize: 4, expertFfnSize: 4, numExperts: 8, topK: 2, router: { routedScalingFactor: -1 } })).toThrow(/routedScalingFactor/);
  });
  it("zipfS with kind 'hot' (and numHot with kind 'zipf') is an error, not ignored", () => {
    expect(() => expertPopularity(8, { kind: "hot", zipfS: 1.2 })).toThrow(/zipfS applies to kind "zipf" only/);
    expect(() => expertPopularity(8, { kind: "zipf", numHot: 2 })).toThrow(/numHot applies to kind "hot" only/);
    expect(expertPopularity(8, { kind: "hot", numHot: 2, hotShare: 0.5 }).length).toBe(8);
  });
  it("throughputAtInteractivity refuses negative rates instead of answering null", () => {
    expect(() => throughputAtInteractivity([{ tokensPerSecPerUser: 40, outputTokensPerSecPerGpu: -400 }], 30)).toThrow(/curve\[0\]\.outputTokensPerSecPerGpu must be ≥ 0/);
    expect(() => throughputAtInteractivity([{ tokensPerSecPerUser: -40, outputTokensPerSecPerGpu: 400 }], 30)).toThrow(/curve\[0\]\.tokensPerSecPerUser must be ≥ 0/);
  });
});
