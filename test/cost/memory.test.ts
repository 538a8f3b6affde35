import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { getModel, maxBatchPerGpu, memoryPerGpu, memoryVsEpSize } from "../../src/cost";

const EXPERT_BYTES_FP8 = 3 * 7168 * 2048 * (1 + 4 / 16384); // one DeepSeek-V3 expert, FP8 with one FP32 scale per 128×128 block

describe("memory per GPU", () => {
  it("expert weights: experts per GPU × layers × expert bytes (hand-computed)", () => {
    const r = memoryPerGpu({ model: "deepseek-v3", gpu: "h100", epSize: 8 });
    expect(r.expertsPerGpu).toBe(32);
    expect(r.expertWeightsGB).toBeCloseTo((32 * 58 * EXPERT_BYTES_FP8) / 1e9, 9);
    const wide = memoryPerGpu({ model: "deepseek-v3", gpu: "h800", epSize: 144, redundantExperts: 32 });
    expect(wide.expertsPerGpu).toBe(2);
    expect(wide.expertWeightsGB).toBeCloseTo((2 * 58 * EXPERT_BYTES_FP8) / 1e9, 9);
    expect(wide.replicatedWeightsGB).toBeCloseTo(r.replicatedWeightsGB, 9);
    const bf16 = memoryPerGpu({ model: "deepseek-v3", gpu: "h100", epSize: 8, precision: "bf16" });
    expect(bf16.expertWeightsGB).toBeCloseTo((2 / (1 + 4 / 16384)) * r.expertWeightsGB, 9);
  });

  it("KV cache per sequence: MLA latent 576 elements × 61 layers × 2 bytes per token", () => {
    const r = memoryPerGpu({ model: "deepseek-v3", gpu: "h800", epSize: 144, redundantExperts: 32, batchPerGpu: 10, kvLen: 4989 });
    expect(r.kvGBPerSequence).toBeCloseTo((4989 * 61 * 576 * 2) / 1e9, 12);
    expect(r.kvGB).toBeCloseTo(10 * r.kvGBPerSequence, 12);
    expect(r.freeGB).toBeCloseTo(80 - 8 - r.weightsGB - r.kvGB, 9);
    const withMtp = memoryPerGpu({ model: "deepseek-v3", gpu: "h800", epSize: 144, redundantExperts: 32, kvLen: 4989, mtp: true });
    expect(withMtp.kvGBPerSequence).toBeCloseTo((4989 * 62 * 576 * 2) / 1e9, 12);
    expect(withMtp.weightsGB).toBeGreaterThan(r.weightsGB);
  });

  it("DeepSeek-V3 FP8 does not fit on 8×H100 80 GB at all", () => {
    const r = memoryPerGpu({ model: "deepseek-v3", gpu: "h100", epSize: 8 });
    expect(r.fits).toBe(false);
    expect(r.maxBatchPerGpu).toBe(0);
    expect(r.weightsGB).toBeGreaterThan(80);
  });

  it("on 8×H200 141 GB the experts leave little KV room; wide EP frees memory so the batch that fits grows", () => {
    const h200 = memoryPerGpu({ model: "deepseek-v3", gpu: "h200", epSize: 8, kvLen: 4989 });
    expect(h200.fits).toBe(true);
    expect(h200.expertWeightsGB / h200.capacityGB).toBeGreaterThan(0.5);
    const kvRoom = h200.capacityGB - h200.reserveGB - h200.weightsGB;
    expect(kvRoom / h200.capacityGB).toBeLessThan(0.25);
    const rows = memoryVsEpSize({ model: "deepseek-v3", gpu: "h200", kvLen: 4989 });
    expect(rows.map((r) => r.epSize)).toEqual([8, 16, 32, 64, 256]);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].expertsPerGpu).toBeLessThan(rows[i - 1].expertsPerGpu);
      expect(rows[i].weightsGB).toBeLessThan(rows[i - 1].weightsGB);
      expect(rows[i].maxBatchPerGpu).toBeGreaterThan(rows[i - 1].maxBatchPerGpu);
    }
    expect(rows[2].maxBatchPerGpu).toBeGreaterThan(3 * rows[0].maxBatchPerGpu);
    expect(maxBatchPerGpu({ model: "deepseek-v3", gpu: "h200", epSize: 8, kvLen: 4989 })).toBe(rows[0].maxBatchPerGpu);
  });

  it("more experts per GPU never means less weight memory (property)", () => {
    const m = getModel("qwen3-235b-a22b"); // 128 experts
    const divisors = [1, 2, 4, 8, 16, 32, 64, 128];
    fc.assert(
      fc.property(fc.constantFrom(...divisors), fc.constantFrom(...divisors), fc.constantFrom("fp8" as const, "bf16" as const), (a, b, precision) => {
        const [few, many] = a <= b ? [b, a] : [a, b]; // larger EP → fewer experts per GPU
        const rFew = memoryPerGpu({ model: m, gpu: "b200", epSize: few, precision });
        const rMany = memoryPerGpu({ model: m, gpu: "b200", epSize: many, precision });
        return rMany.expertsPerGpu >= rFew.expertsPerGpu && rMany.weightsGB >= rFew.weightsGB;
      }),
    );
  });

  it("does not mutate its options", () => {
    const opts = Object.freeze({ model: "deepseek-v3", gpu: "h200", epSize: 8, kvLen: 100 });
    expect(() => memoryPerGpu(opts)).not.toThrow();
    expect(() => memoryVsEpSize(Object.freeze({ model: "deepseek-v3", gpu: "h200" }), Object.freeze([8, 16]))).not.toThrow();
  });

  it("rejects bad inputs", () => {
    const ok = { model: "deepseek-v3", gpu: "h200", epSize: 8 };
    expect(() => memoryPerGpu({ ...ok, epSize: 7 })).toThrow(/divisible by epSize \(7\)/);
    expect(() => memoryPerGpu({ ...ok, epSize: 0 })).toThrow(/epSize/);
    expect(() => memoryPerGpu({ ...ok, batchPerGpu: -1 })).toThrow(/batchPerGpu/);
    expect(() => memoryPerGpu({ ...ok, kvLen: NaN })).toThrow(/kvLen/);
    expect(() => memoryPerGpu({ ...ok, redundantExperts: 1.5 })).toThrow(/redundantExperts/);
    expect(() => memoryPerGpu({ ...ok, reserveFraction: 2 })).toThrow(/reserveFraction/);
    expect(() => memoryPerGpu({ ...ok, kvCacheBytes: 0 })).toThrow(/kvCacheBytes/);
    expect(() => memoryPerGpu({ ...ok, mtp: "yes" as never })).toThrow(TypeError);
    expect(() => memoryPerGpu({ ...ok, model: "nope" })).toThrow(/known/);
    expect(() => memoryPerGpu(null as never)).toThrow(TypeError);
    expect(() => memoryVsEpSize(ok, [])).toThrow(RangeError);
    expect(() => memoryVsEpSize(ok, [8, 2.5])).toThrow(/epSizes\[1\]/);
    expect(() => maxBatchPerGpu({ ...ok, gpu: "x" })).toThrow(RangeError);
  });
});
