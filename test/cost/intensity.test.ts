import { describe, expect, it } from "vitest";
import { getModel, paramCounts, prefillVsDecode, ridgePoint, stepIntensity } from "../../src/cost";

describe("prefill vs decode arithmetic intensity", () => {
  it("decode sits far below the ridge, a large prefill chunk above it", () => {
    const r = prefillVsDecode({ model: "deepseek-v3", gpu: "h100" });
    expect(r.ridge).toBeCloseTo(ridgePoint("h100", "fp8"), 12);
    expect(r.decode.intensity).toBeLessThan(r.ridge / 10);
    expect(r.decode.bound).toBe("memory");
    expect(r.prefill.intensity).toBeGreaterThan(r.ridge);
    expect(r.prefill.bound).toBe("compute");
  });

  it("hand-computed: Mixtral 8x7B decode of one sequence with no context", () => {
    const m = getModel("mixtral-8x7b");
    const p = paramCounts(m);
    const r = stepIntensity({ model: m, gpu: "h100", phase: "decode", tokens: 1, kvLen: 0, precision: "bf16" });
    // one token: 2·active FLOPs + attention over its own position; weights touched: non-expert + top-2 experts per layer
    const attn = 1 * 32 * (4 * 32 * 128);
    expect(r.flops).toBeCloseTo(2 * p.activeParams + attn, 0);
    const nonExpert = p.totalParams - p.routedExpertParams - p.embeddingParams + m.vocabSize * m.hiddenSize;
    const weights = 2 * (nonExpert + 32 * 2 * 3 * 4096 * 14336);
    const kv = 32 * 2 * 8 * 128 * 2;
    expect(r.bytes).toBeCloseTo(weights + kv, 0);
    expect(r.intensity).toBeCloseTo(r.flops / r.bytes, 12);
  });

  it("intensity grows with the decode batch", () => {
    const small = stepIntensity({ model: "qwen3-235b-a22b", gpu: "b200", phase: "decode", tokens: 8, kvLen: 1024 });
    const big = stepIntensity({ model: "qwen3-235b-a22b", gpu: "b200", phase: "decode", tokens: 256, kvLen: 1024 });
    expect(big.intensity).toBeGreaterThan(small.intensity);
  });

  it("rejects bad inputs", () => {
    const ok = { model: "deepseek-v3", gpu: "h100", phase: "decode" as const, tokens: 8 };
    expect(() => stepIntensity({ ...ok, phase: "train" as never })).toThrow(/phase/);
    expect(() => stepIntensity({ ...ok, tokens: 0 })).toThrow(/tokens/);
    expect(() => stepIntensity({ ...ok, kvLen: -1 })).toThrow(/kvLen/);
    expect(() => stepIntensity({ ...ok, precision: "fp16" as never })).toThrow(/precision/);
    expect(() => stepIntensity({ ...ok, kvCacheBytes: 0 })).toThrow(/kvCacheBytes/);
    expect(() => stepIntensity({ ...ok, gpu: "x" })).toThrow(/known/);
    expect(() => stepIntensity(null as never)).toThrow(TypeError);
    expect(() => prefillVsDecode({ model: "deepseek-v3", gpu: "h100", decodeBatch: -1 })).toThrow(/^decodeBatch must be > 0, got -1/);
    expect(() => prefillVsDecode(undefined as never)).toThrow(TypeError);
  });
});
