import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_EFFICIENCY, bytesPerWeight, crossoverTable, crossoverTokens, resolveGpu, expertGemmTime, getGpu, peakFlops, resolveEfficiency, ridgePoint, rooflineTime } from "../../src/cost";

describe("roofline", () => {
  it("expert GEMM: hand-computed memory and compute times", () => {
    const idle = expertGemmTime({ tokens: 0, hiddenSize: 7168, expertFfnSize: 2048, gpu: "h100" });
    expect(idle.bytes).toBe(3 * 7168 * 2048 + (3 * 7168 * 2048) / 4096); // FP8 values + one FP32 scale per 128×128 block
    expect(idle.flops).toBe(0);
    const E = DEFAULT_EFFICIENCY;
    expect(idle.memoryUs).toBeCloseTo(((3 * 7168 * 2048 * (1 + 4 / 16384)) / (3.35e12 * E.memoryFraction)) * 1e6, 9);
    expect(idle.bound).toBe("memory");
    const busy = expertGemmTime({ tokens: 1000, hiddenSize: 7168, expertFfnSize: 2048, gpu: "h100", precision: "fp8" });
    expect(busy.flops).toBe(6 * 1000 * 7168 * 2048);
    expect(busy.computeUs).toBeCloseTo(((6 * 1000 * 7168 * 2048) / (1979e12 * E.computeFraction)) * 1e6, 9);
    expect(busy.bound).toBe("compute");
    expect(busy.timeUs).toBe(Math.max(busy.computeUs, busy.memoryUs));
    const bf16 = expertGemmTime({ tokens: 0, hiddenSize: 7168, expertFfnSize: 2048, gpu: "h100", precision: "bf16" });
    expect(bf16.bytes).toBe(2 * 3 * 7168 * 2048);
  });

  it("crossover tokens and ridge point", () => {
    const E = DEFAULT_EFFICIENCY;
    // default: peak rates, weight bytes only — b · ridge point ÷ 2
    expect(crossoverTokens("gb200", "fp8")).toBeCloseTo(((1 + 4 / 16384) * ridgePoint("gb200", "fp8")) / 2, 9);
    expect(crossoverTokens("gb200", "fp8")).toBeCloseTo(312.58, 2);
    expect(crossoverTokens("h100")).toBeCloseTo(((1 + 4 / 16384) * 1979) / 3.35 / 2, 9);
    expect(Math.round(crossoverTokens("h100"))).toBe(295);
    expect(crossoverTokens("h100", "fp8", { computeFraction: 1, memoryFraction: 1 })).toBe(crossoverTokens("h100", "fp8"));
    // derating only when fractions are passed; a missing fraction stays at peak (1)
    expect(crossoverTokens("h100", "fp8", DEFAULT_EFFICIENCY)).toBeCloseTo(((1 + 4 / 16384) * 1979e12 * E.computeFraction) / (2 * 3.35e12 * E.memoryFraction), 9);
    expect(Math.round(crossoverTokens("h100", "fp8", DEFAULT_EFFICIENCY))).toBe(94);
    expect(crossoverTokens("gb200", "fp8", { computeFraction: 0.5 })).toBeCloseTo(crossoverTokens("gb200", "fp8") / 2, 9);
    expect(crossoverTokens("gb200", "fp8", { memoryFraction: 0.5 })).toBeCloseTo(crossoverTokens("gb200", "fp8") * 2, 9);
    expect(() => crossoverTokens("h100", "fp8", { computeFraction: 0 })).toThrow(RangeError);
    expect(() => crossoverTokens("h100", "fp8", { computeFraction: 1.5 })).toThrow(/efficiency\.computeFraction/);
    expect(() => crossoverTokens("h100", "fp8", { computFraction: 0.5 } as never)).toThrow(/computeFraction/);
    expect(() => crossoverTokens("h100", "fp8", 0.5 as never)).toThrow(TypeError);
    expect(() => crossoverTokens("h100", "fp8", null as never)).toThrow(TypeError);
    expect(() => crossoverTokens("h100", "fp9" as never)).toThrow();
    expect(ridgePoint("h100", "fp8")).toBeCloseTo(1979 / 3.35, 9);
    expect(ridgePoint(getGpu("gb200"), "bf16")).toBeCloseTo(2500 / 8, 9);
    // at the crossover, compute and memory time are equal
    const t = crossoverTokens("b200", "fp8", DEFAULT_EFFICIENCY);
    const r = expertGemmTime({ tokens: t, hiddenSize: 4096, expertFfnSize: 1536, gpu: "b200" });
    expect(r.computeUs).toBeCloseTo(r.memoryUs, 6);
    const peak = { computeFraction: 1, memoryFraction: 1 };
    const rp = expertGemmTime({ tokens: crossoverTokens("b200", "fp8"), hiddenSize: 4096, expertFfnSize: 1536, gpu: "b200", efficiency: peak });
    expect(rp.computeUs).toBeCloseTo(rp.memoryUs, 6);
    expect(bytesPerWeight("fp8")).toBe(1 + 4 / 16384);
    expect(peakFlops(getGpu("h100"), "bf16")).toBe(989e12);
    const table = crossoverTable();
    expect(table.length).toBe(20); // 5 GPUs × bf16, fp8, nvfp4, mxfp4
    const h100 = table.find((r) => r.gpu === "h100" && r.precision === "fp8")!;
    expect(h100.crossoverTokens).toBeCloseTo(crossoverTokens("h100", "fp8"), 12);
    expect(h100.crossoverTokens).toBeCloseTo(295.4, 1);
    const derated = crossoverTable(DEFAULT_EFFICIENCY).find((r) => r.gpu === "h100" && r.precision === "fp8")!;
    expect(derated.crossoverTokens).toBeCloseTo(crossoverTokens("h100", "fp8", DEFAULT_EFFICIENCY), 12);
    expect(derated.ridgeFlopPerByte).toBe(h100.ridgeFlopPerByte);
    expect(h100.ridgeFlopPerByte).toBeCloseTo(1979 / 3.35, 9);
    // Blackwell's compute grew faster than its bandwidth: a B200 expert needs more tokens to be compute-bound than an H200 one
    const at = (g: string) => table.find((r) => r.gpu === g && r.precision === "fp8")!.crossoverTokens;
    expect(at("b200")).toBeGreaterThan(at("h200"));
  });

  it("more HBM bandwidth is never slower; more tokens never faster (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e5, noNaN: true }), fc.double({ min: 0.1, max: 20, noNaN: true }), fc.double({ min: 1, max: 3, noNaN: true }), (tokens, tbps, factor) => {
        const base = { ...getGpu("h100"), hbmTBps: tbps };
        const faster = { ...base, hbmTBps: tbps * factor };
        const a = expertGemmTime({ tokens, hiddenSize: 4096, expertFfnSize: 1536, gpu: base }).timeUs;
        const b = expertGemmTime({ tokens, hiddenSize: 4096, expertFfnSize: 1536, gpu: faster }).timeUs;
        const c = expertGemmTime({ tokens: tokens * factor, hiddenSize: 4096, expertFfnSize: 1536, gpu: base }).timeUs;
        return b <= a && c >= a;
      }),
    );
  });

  it("default efficiency is frozen and overrides are validated", () => {
    expect(Object.isFrozen(DEFAULT_EFFICIENCY)).toBe(true);
    expect(resolveEfficiency({ computeFraction: 0.5 })).toMatchObject({ computeFraction: 0.5, memoryFraction: 0.85 });
    expect(() => resolveEfficiency({ computeFraction: 0 })).toThrow(/computeFraction/);
    expect(() => resolveEfficiency({ memoryFraction: 1.5 })).toThrow(RangeError);
    expect(() => resolveEfficiency({ layerOverheadUs: -1 })).toThrow(RangeError);
    expect(() => resolveEfficiency({ overlapFraction: NaN })).toThrow(RangeError);
    expect(() => resolveEfficiency(null as never)).toThrow(TypeError);
  });

  it("rejects bad inputs", () => {
    const ok = { tokens: 1, hiddenSize: 8, expertFfnSize: 8, gpu: "h100" };
    expect(() => expertGemmTime({ ...ok, tokens: -1 })).toThrow(/tokens/);
    expect(() => expertGemmTime({ ...ok, tokens: NaN })).toThrow(RangeError);
    expect(() => expertGemmTime({ ...ok, hiddenSize: 0 })).toThrow(/hiddenSize/);
    expect(() => expertGemmTime({ ...ok, gpu: "tpu" })).toThrow(/known/);
    expect(() => expertGemmTime({ ...ok, precision: "int4" as never })).toThrow(/precision/);
    expect(() => expertGemmTime(null as never)).toThrow(TypeError);
    expect(() => rooflineTime(-1, 0, "h100", "fp8")).toThrow(/flops/);
    expect(() => rooflineTime(0, Infinity, "h100", "fp8")).toThrow(/bytes/);
    expect(() => crossoverTokens("x")).toThrow(RangeError);
    expect(() => ridgePoint({ ...getGpu("h100"), hbmTBps: 0 })).toThrow(/hbmTBps/);
    expect(() => bytesPerWeight("int8" as never)).toThrow(RangeError);
    expect(() => peakFlops("h100", "int4" as never)).toThrow(/precision/);
    expect(() => peakFlops("h100", "fp4")).toThrow(/no FP4 tensor cores/);
    expect(() => peakFlops({ ...getGpu("h100"), fp8Tflops: -1 }, "fp8")).toThrow(/fp8Tflops/);
    expect(() => resolveGpu(null as never)).toThrow(TypeError);
    expect(() => resolveGpu({ ...getGpu("h100"), nvlinkDomainSize: 0 })).toThrow(/nvlinkDomainSize/);
    expect(() => crossoverTable({ memoryFraction: -1 })).toThrow(/memoryFraction/);
  });
});
