import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_EFFICIENCY, DEEPEP_LOW_LATENCY, allToAllTime, allToAllVsDeepEp, combineBytesPerToken, destinationSplit, dispatchBytesPerToken, getGpu, receivedTokensPerRank } from "../../src/cost";

describe("all-to-all", () => {
  it("bytes per token (hand-computed)", () => {
    expect(dispatchBytesPerToken(7168, 8)).toBe(8 * (7168 + 224 + 16));
    expect(dispatchBytesPerToken(7168, 8, "bf16")).toBe(8 * (2 * 7168 + 16));
    expect(combineBytesPerToken(7168, 8)).toBe(8 * 2 * 7168);
    expect(receivedTokensPerRank(128, 8)).toBe(1024);
  });

  it("destination split", () => {
    expect(destinationSplit(32, 8)).toEqual({ sameGpu: 1 / 32, sameDomain: 7 / 32, otherNode: 24 / 32 });
    expect(destinationSplit(32, 72)).toEqual({ sameGpu: 1 / 32, sameDomain: 31 / 32, otherNode: 0 });
    expect(destinationSplit(1, 8)).toEqual({ sameGpu: 1, sameDomain: 0, otherNode: 0 });
  });

  it("time = latency + bytes over the bottleneck link (hand-computed, H800 EP32)", () => {
    const r = allToAllTime({ gpu: "h800", epSize: 32, tokensPerRank: 128 });
    const E = DEFAULT_EFFICIENCY; // RDMA fabric: latency + remote bytes over the NIC at the fitted fraction
    expect(r.fabric).toBe("rdma");
    expect(r.dispatchUs).toBeCloseTo(E.rdmaDispatchLatencyUs + ((128 * 59264 * 0.75) / (E.rdmaBandwidthFraction * 50e9)) * 1e6, 6);
    expect(r.combineUs).toBeCloseTo(E.rdmaCombineLatencyUs + ((128 * 114688 * 0.75) / (E.rdmaBandwidthFraction * 50e9)) * 1e6, 6);
    expect(r.bottleneck).toBe("nic");
    const nvl = allToAllTime({ gpu: "gb200", epSize: 32, tokensPerRank: 128 });
    expect(nvl.bottleneck).toBe("nvlink");
    expect(nvl.fabric).toBe("nvlink");
    expect(nvl.dispatchUs).toBeCloseTo(E.nvlinkDispatchLatencyUs + ((128 * 59264 * 31) / 32 / (E.nvlinkBandwidthFraction * 900e9)) * 1e6, 6);
    const hot = allToAllTime({ gpu: "h800", epSize: 32, tokensPerRank: 128, loadImbalance: 2 });
    expect(hot.dispatchUs - E.rdmaDispatchLatencyUs).toBeCloseTo(2 * (r.dispatchUs - E.rdmaDispatchLatencyUs), 6);
  });

  it("lands within ±25% of every DeepEP low-latency point", () => {
    const rows = allToAllVsDeepEp();
    expect(rows.map((r) => r.epSize)).toEqual([8, 16, 32, 64, 128, 256]);
    for (const r of rows) {
      expect(Math.abs(r.modelDispatchUs / r.measuredDispatchUs - 1), `dispatch EP${r.epSize}`).toBeLessThanOrEqual(0.25);
      expect(Math.abs(r.modelCombineUs / r.measuredCombineUs - 1), `combine EP${r.epSize}`).toBeLessThanOrEqual(0.25);
    }
    expect(DEEPEP_LOW_LATENCY.source.url).toMatch(/deepseek-ai\/DeepEP/);
    expect(Object.isFrozen(DEEPEP_LOW_LATENCY.points)).toBe(true);
  });

  it("more bandwidth is never slower; more tokens never faster (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 512 }),
        fc.double({ min: 0, max: 1024, noNaN: true }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        (epSize, tokens, factor) => {
          const g = getGpu("h800");
          const base = allToAllTime({ gpu: g, epSize, tokensPerRank: tokens });
          const fast = allToAllTime({ gpu: { ...g, nicGBps: g.nicGBps * factor, nvlinkGBps: g.nvlinkGBps * factor }, epSize, tokensPerRank: tokens });
          const more = allToAllTime({ gpu: g, epSize, tokensPerRank: tokens * factor });
          return fast.dispatchUs <= base.dispatchUs && fast.combineUs <= base.combineUs && more.combineUs >= base.combineUs;
        },
      ),
    );
  });

  it("rejects bad inputs", () => {
    expect(() => dispatchBytesPerToken(0, 8)).toThrow(/hiddenSize/);
    expect(() => dispatchBytesPerToken(7168, 1.5)).toThrow(/topK/);
    expect(() => dispatchBytesPerToken(7168, 8, "fp4" as never)).toThrow(/dispatchPrecision/);
    expect(() => combineBytesPerToken(7168, -1)).toThrow(RangeError);
    expect(() => destinationSplit(0, 8)).toThrow(/epSize/);
    expect(() => destinationSplit(8, NaN)).toThrow(/nvlinkDomainSize/);
    expect(() => allToAllTime({ gpu: "h800", epSize: 8, tokensPerRank: -1 })).toThrow(/tokensPerRank/);
    expect(() => allToAllTime({ gpu: "h800", epSize: 8, tokensPerRank: 1, loadImbalance: 0.9 })).toThrow(/loadImbalance/);
    expect(() => allToAllTime({ gpu: "v100", epSize: 8, tokensPerRank: 1 })).toThrow(/known/);
    expect(() => allToAllTime(undefined as never)).toThrow(TypeError);
    expect(() => allToAllVsDeepEp({ rdmaDispatchLatencyUs: -5 })).toThrow(RangeError);
    expect(() => receivedTokensPerRank(-1, 8)).toThrow(RangeError);
  });
});

describe("all-to-all vs EP size", () => {
  it("GB200 NVL72 stays on NVLink up to 72 GPUs, then the NIC bounds it", async () => {
    const { allToAllVsEpSize } = await import("../../src/cost");
    const rows = allToAllVsEpSize({ gpu: "gb200", tokensPerRank: 128 });
    expect(rows.map((r) => r.epSize)).toEqual([8, 16, 32, 64, 72, 128, 256]);
    expect(rows.filter((r) => r.epSize <= 72).every((r) => r.bottleneck === "nvlink")).toBe(true);
    expect(rows.filter((r) => r.epSize > 72).every((r) => r.bottleneck === "nic")).toBe(true);
    expect(rows[5].dispatchUs).toBeGreaterThan(3 * (rows[4].dispatchUs - DEFAULT_EFFICIENCY.nvlinkDispatchLatencyUs));
    expect(() => allToAllVsEpSize({ gpu: "gb200", tokensPerRank: 1 }, [])).toThrow(RangeError);
    expect(() => allToAllVsEpSize({ gpu: "gb200", tokensPerRank: 1 }, [0])).toThrow(/epSizes\[0\]/);
    expect(() => allToAllVsEpSize({ gpu: "gb200", tokensPerRank: -1 })).toThrow(/tokensPerRank/);
  });
});
