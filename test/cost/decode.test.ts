import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_EFFICIENCY, calibrationReport, decodeStep, getGpu, imbalanceFromExpertLoad, imbalanceFromGpuLoads, type DecodeOptions } from "../../src/cost";

const BASE: DecodeOptions = Object.freeze({ model: "deepseek-v3", gpu: "h800", epSize: 144, batchPerGpu: 64, kvLen: 4989, redundantExperts: 32 });

describe("decode step", () => {
  it("without overlap the breakdown adds up to the step time", () => {
    const r = decodeStep(BASE);
    const sum = r.attentionMs + r.moeMs + r.denseMs + r.dispatchMs + r.combineMs + r.otherMs;
    expect(r.stepTimeMs).toBeCloseTo(sum, 9);
    expect(r.exposedCommMs).toBeCloseTo(r.dispatchMs + r.combineMs, 9);
    expect(r.tokensPerSecPerUser!).toBeCloseTo(1000 / r.stepTimeMs, 9);
    expect(r.outputTokensPerSecPerGpu!).toBeCloseTo(64 * r.tokensPerSecPerUser!, 9);
    expect(r.outputTokensPerSecPerNode!).toBeCloseTo(8 * r.outputTokensPerSecPerGpu!, 9);
    expect(r.expertsPerGpu).toBe(2);
    expect(r.tokensPerGpu).toBe(64);
    expect(r.routedTokensPerGpu).toBe(64 * 8);
    expect(r.tokensPerExpert).toBe(256);
    expect(r.fits).toBe(true);
  });

  it("hand-computed pieces: dense layers, dispatch and per-layer overhead", () => {
    const r = decodeStep({ ...BASE, efficiency: { layerOverheadUs: 0 } });
    // Dense FFN: 3 layers, each max(6·T·H·I / (1979e12·computeFraction), 3·H·I·bytes / (3.35e12·memoryFraction))
    const E = DEFAULT_EFFICIENCY;
    const H = 7168, I = 18432, T = 64;
    const layerUs = Math.max((6 * T * H * I) / (1979e12 * E.computeFraction), (3 * H * I * (1 + 4 / 16384)) / (3.35e12 * E.memoryFraction)) * 1e6;
    expect(r.denseMs).toBeCloseTo((3 * layerUs) / 1000, 9);
    // Dispatch: 58 MoE layers × (RDMA latency + 64 tokens · 59264 B · (136/144) / (fraction · 50 GB/s))
    const dUs = E.rdmaDispatchLatencyUs + ((64 * 59264 * (136 / 144)) / (E.rdmaBandwidthFraction * 50e9)) * 1e6;
    expect(r.dispatchMs).toBeCloseTo((58 * dUs) / 1000, 9);
    const withOverhead = decodeStep(BASE);
    expect(withOverhead.otherMs - r.otherMs).toBeCloseTo((61 * E.layerOverheadUs) / 1000, 9);
  });

  it("MTP: two tokens per sequence per step, 1 + acceptance output tokens", () => {
    const r = decodeStep({ ...BASE, mtpDraftTokens: 1, mtpAcceptance: 0.8 });
    expect(r.tokensPerGpu).toBe(128);
    expect(r.tokensPerSecPerUser).toBeCloseTo(1.8 / (r.stepTimeMs / 1000), 9);
  });

  it("two-batch overlap hides communication at large batch", () => {
    const plain = decodeStep({ ...BASE, batchPerGpu: 128 });
    const tbo = decodeStep({ ...BASE, batchPerGpu: 128, overlap: true });
    expect(tbo.stepTimeMs).toBeLessThan(plain.stepTimeMs);
    expect(tbo.exposedCommMs).toBeLessThan(plain.exposedCommMs);
    const perfect = decodeStep({ ...BASE, batchPerGpu: 128, overlap: true, efficiency: { overlapFraction: 1 } });
    expect(perfect.stepTimeMs).toBeLessThan(tbo.stepTimeMs);
  });

  it("expertLoad gives the same result as the equivalent loadImbalance", () => {
    const load = Array.from({ length: 256 }, (_, i) => (i < 2 ? 3 : 1)); // GPU 0 (experts 0–1 at EP128) is hot
    Object.freeze(load);
    const imb = imbalanceFromExpertLoad(load, 128);
    expect(imb).toBeCloseTo(6 / (260 / 128), 12);
    const a = decodeStep({ ...BASE, redundantExperts: 0, epSize: 128, expertLoad: load });
    const b = decodeStep({ ...BASE, redundantExperts: 0, epSize: 128, loadImbalance: imb });
    expect(a.stepTimeMs).toBeCloseTo(b.stepTimeMs, 12);
    expect(a.loadImbalance).toBeCloseTo(imb, 12);
    expect(imbalanceFromExpertLoad([4, 0, 1, 1], 2)).toBeCloseTo(4 / 3, 12);
    expect(imbalanceFromGpuLoads([3, 1])).toBe(1.5);
    expect(imbalanceFromGpuLoads(new Float64Array([2, 2, 2]))).toBe(1);
  });

  it("monotone: more bandwidth never slower; more imbalance, KV or batch never faster (property)", () => {
    const g = getGpu("h800");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 160 }),
        fc.integer({ min: 0, max: 8000 }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        fc.boolean(),
        fc.constantFrom(8, 16, 32, 72, 144),
        (batch, kvLen, factor, overlap, epSize) => {
          const o: DecodeOptions = { ...BASE, batchPerGpu: batch, kvLen, overlap, epSize };
          const t = decodeStep(o).stepTimeMs;
          const hbm = decodeStep({ ...o, gpu: { ...g, hbmTBps: g.hbmTBps * factor } }).stepTimeMs;
          const net = decodeStep({ ...o, gpu: { ...g, nicGBps: g.nicGBps * factor, nvlinkGBps: g.nvlinkGBps * factor } }).stepTimeMs;
          const imb = decodeStep({ ...o, loadImbalance: factor }).stepTimeMs;
          const kv = decodeStep({ ...o, kvLen: kvLen * factor }).stepTimeMs;
          const eps = 1e-9 * t;
          return hbm <= t + eps && net <= t + eps && imb >= t - eps && kv >= t - eps;
        },
      ),
      { numRuns: 60 },
    );
  });

  it("works for every catalog model on every GPU", () => {
    for (const model of ["kimi-k2", "qwen3-235b-a22b", "qwen3-30b-a3b", "mixtral-8x7b", "mixtral-8x22b", "gpt-oss-120b", "llama4-maverick"]) {
      for (const gpu of ["h100", "h200", "b200", "gb200"]) {
        const r = decodeStep({ model, gpu, epSize: 8, batchPerGpu: 32, kvLen: 2048 });
        expect(r.stepTimeMs, `${model} on ${gpu}`).toBeGreaterThan(0);
        if (r.feasible) expect(Number.isFinite(r.outputTokensPerSecPerGpu)).toBe(true);
        else {
          expect(r.outputTokensPerSecPerGpu).toBeNull();
          expect(r.reasons.join(" ")).toMatch(/does not fit in memory/);
        }
      }
    }
  });

  it("reports the all-to-all fabric: NVLink inside one domain, RDMA across nodes", () => {
    expect(decodeStep({ ...BASE, gpu: "gb200", epSize: 32, redundantExperts: 0 }).fabric).toBe("nvlink");
    expect(decodeStep({ ...BASE, gpu: "h200", epSize: 8, redundantExperts: 0 }).fabric).toBe("nvlink");
    expect(decodeStep(BASE).fabric).toBe("rdma");
  });

  it("single-batch overlap hides part of the combine without splitting the batch", () => {
    const none = decodeStep({ ...BASE, overlap: "none" });
    const sbo = decodeStep({ ...BASE, overlap: "single-batch" });
    expect(sbo.stepTimeMs).toBeLessThan(none.stepTimeMs);
    expect(sbo.dispatchMs).toBeCloseTo(none.dispatchMs, 9); // same batch, same all-to-all
    expect(() => decodeStep({ ...BASE, overlap: "three-batch" as never })).toThrow(/overlap must be one of/);
  });

  it("KV precision: FP8 halves the KV bytes and raises the largest batch", () => {
    const bf16 = decodeStep({ ...BASE, kvPrecision: "bf16" });
    const fp8 = decodeStep({ ...BASE, kvPrecision: "fp8" });
    expect(fp8.kvGB).toBeCloseTo(bf16.kvGB / 2, 12);
    expect(fp8.maxBatchPerGpu).toBeGreaterThan(bf16.maxBatchPerGpu);
    expect(fp8.attentionMs).toBeLessThan(bf16.attentionMs);
    expect(() => decodeStep({ ...BASE, kvPrecision: "fp8", kvCacheBytes: 2 })).toThrow(/contradicts kvPrecision/);
  });

  it("infeasible: memory and divisibility give feasible false, the reasons name the values, no throughput", () => {
    const div = decodeStep({ ...BASE, redundantExperts: 0 });
    expect(div.feasible).toBe(false);
    expect(div.tokensPerSecPerUser).toBeNull();
    expect(div.outputTokensPerSecPerGpu).toBeNull();
    expect(div.reasons[0]).toMatch(/\(256 \+ 0 = 256\) is not divisible by epSize \(144\).*redundantExperts 32 \(\(ep − E % ep\) % ep = 32 more slots\)/);
    const mem = decodeStep({ ...BASE, gpu: "gb200", epSize: 48, batchPerGpu: 1408, kvLen: 2000, overlap: true });
    expect(mem.feasible).toBe(false);
    expect(mem.fits).toBe(false);
    expect(mem.outputTokensPerSecPerGpu).toBeNull();
    expect(mem.reasons.join(" ")).toMatch(new RegExp(`batchPerGpu 1408 .* the largest batch that fits is ${mem.maxBatchPerGpu}`));
    // with FP8 KV and NVFP4 experts the same batch fits
    const ok = decodeStep({ ...BASE, gpu: "gb200", epSize: 48, batchPerGpu: 1408, kvLen: 2000, overlap: true, moePrecision: "nvfp4", kvPrecision: "fp8" });
    expect(ok.feasible).toBe(true);
  });

  it("rejects bad inputs", () => {
    expect(decodeStep({ ...BASE, epSize: 7 }).feasible).toBe(false);
    expect(() => decodeStep({ ...BASE, loadImbalence: 3 } as never)).toThrow(/unknown option options\.loadImbalence; did you mean "loadImbalance"/);
    expect(() => decodeStep({ ...BASE, efficiency: { computeFractoin: 0.5 } as never })).toThrow(/did you mean "computeFraction"/);
    expect(() => decodeStep({ ...BASE, gpusPerNode: 1e12 })).toThrow(/gpusPerNode must be ≤ 576/);
    expect(() => decodeStep({ ...BASE, batchPerGpu: 0 })).toThrow(/batchPerGpu/);
    expect(() => decodeStep({ ...BASE, kvLen: -5 })).toThrow(/kvLen/);
    expect(() => decodeStep({ ...BASE, loadImbalance: 0.5 })).toThrow(/loadImbalance/);
    expect(() => decodeStep({ ...BASE, attentionImbalance: NaN })).toThrow(/attentionImbalance/);
    expect(() => decodeStep({ ...BASE, mtpDraftTokens: 2 })).toThrow(/mtpDraftTokens/);
    expect(() => decodeStep({ ...BASE, mtpAcceptance: 1.2 })).toThrow(/mtpAcceptance/);
    expect(() => decodeStep({ ...BASE, overlap: 1 as never })).toThrow(TypeError);
    expect(() => decodeStep({ ...BASE, precision: "int4" as never })).toThrow(/precision/);
    expect(() => decodeStep({ ...BASE, gpusPerNode: 0 })).toThrow(/gpusPerNode/);
    expect(() => decodeStep({ ...BASE, model: "llama-2" })).toThrow(/known/);
    expect(() => decodeStep({ ...BASE, gpu: "mi300x" })).toThrow(/known/);
    expect(() => decodeStep({ ...BASE, expertLoad: [1, 2, 3] })).toThrow(/numExperts \(256\)/);
    expect(() => decodeStep({ ...BASE, expertLoad: new Array(256).fill(1), loadImbalance: 1.2 })).toThrow(/either/);
    expect(() => decodeStep({ ...BASE, efficiency: { computeFraction: 2 } })).toThrow(/computeFraction/);
    expect(() => decodeStep(undefined as never)).toThrow(TypeError);
    expect(() => imbalanceFromExpertLoad([], 1)).toThrow(RangeError);
    expect(() => imbalanceFromExpertLoad([0, 0], 2)).toThrow(/all zeros/);
    expect(() => imbalanceFromExpertLoad([1, 2, 3], 2)).toThrow(/divisible/);
    expect(() => imbalanceFromExpertLoad([1, -2], 2)).toThrow(/expertLoad\[1\]/);
    expect(() => calibrationReport({ efficiency: { memoryFraction: 0 }, leaveOneOut: false })).toThrow(/memoryFraction/);
    expect(() => imbalanceFromGpuLoads([])).toThrow(RangeError);
    expect(() => imbalanceFromGpuLoads([0, 0])).toThrow(/all zeros/);
    expect(() => imbalanceFromGpuLoads([1, NaN])).toThrow(/gpuLoads\[1\]/);
  });
});
