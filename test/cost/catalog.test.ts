import { describe, expect, it } from "vitest";
import {
  GPUS,
  GPU_NUMERIC_FIELDS,
  MODELS,
  MODEL_NUMERIC_FIELDS,
  attentionParamsPerLayer,
  checkModel,
  expertParams,
  resolveModel,
  getGpu,
  getModel,
  gpuNames,
  kvElementsPerTokenPerLayer,
  kvPositions,
  modelNames,
  paramCounts,
} from "../../src/cost";

function checkCitation(where: string, c: { url: string; says: string } | undefined): void {
  expect(c, `${where} has a citation`).toBeDefined();
  expect(c!.url, `${where} url`).toMatch(/^https:\/\/\S+$/);
  expect(c!.says.length, `${where} says something`).toBeGreaterThan(10);
}

describe("hardware catalog", () => {
  it("every numeric value of every GPU has a source", () => {
    expect(gpuNames()).toEqual(["b200", "gb200", "h100", "h200", "h800"]);
    for (const g of Object.values(GPUS)) {
      for (const f of GPU_NUMERIC_FIELDS) {
        expect(typeof g[f]).toBe("number");
        expect(g[f]).toBeGreaterThan(0);
        checkCitation(`${g.name}.${f}`, g.sources[f]);
      }
    }
  });

  it("holds the datasheet figures the issue lists", () => {
    expect(getGpu("h100")).toMatchObject({ bf16Tflops: 989, fp8Tflops: 1979, hbmGB: 80, hbmTBps: 3.35, nvlinkGBps: 450, nicGBps: 50 });
    expect(getGpu("h800")).toMatchObject({ fp8Tflops: 1979, nvlinkGBps: 160 });
    expect(getGpu("h200")).toMatchObject({ hbmGB: 141, hbmTBps: 4.8 });
    expect(getGpu("b200")).toMatchObject({ bf16Tflops: 2250, fp8Tflops: 4500, hbmGB: 180, hbmTBps: 8, nvlinkGBps: 900 });
    expect(getGpu("GB200")).toMatchObject({ bf16Tflops: 2500, fp8Tflops: 5000, hbmGB: 186, nvlinkDomainSize: 72 });
  });

  it("is frozen", () => {
    expect(Object.isFrozen(GPUS)).toBe(true);
    expect(Object.isFrozen(GPUS.h100)).toBe(true);
    expect(Object.isFrozen(GPUS.h100.sources)).toBe(true);
  });

  it("rejects unknown and non-string names, listing the known ones", () => {
    expect(() => getGpu("a100")).toThrow(RangeError);
    expect(() => getGpu("a100")).toThrow(/known: b200, gb200, h100, h200, h800/);
    expect(() => getGpu(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("model catalog", () => {
  it("every numeric value of every model has a source", () => {
    expect(modelNames().length).toBe(8);
    for (const m of Object.values(MODELS)) {
      for (const f of MODEL_NUMERIC_FIELDS) {
        expect(typeof m[f], `${m.name}.${f}`).toBe("number");
        checkCitation(`${m.name}.${f}`, m.sources[f]);
      }
      checkCitation(`${m.name}.attention`, m.sources.attention);
    }
  });

  it("parameter counts from the architecture match the published totals (±5%) and active counts (±10%)", () => {
    for (const m of Object.values(MODELS)) {
      const p = paramCounts(m);
      expect(Math.abs(p.totalParams / 1e9 / m.totalParamsB - 1), `${m.name} total`).toBeLessThan(0.05);
      expect(Math.abs(p.activeParams / 1e9 / m.activeParamsB - 1), `${m.name} active`).toBeLessThan(0.1);
    }
    expect(Math.round(paramCounts(getModel("deepseek-v3")).totalParams / 1e9)).toBe(671);
  });

  it("has the issue's architecture numbers", () => {
    expect(getModel("deepseek-v3")).toMatchObject({ hiddenSize: 7168, expertFfnSize: 2048, denseFfnSize: 18432, numExperts: 256, numSharedExperts: 1, topK: 8, numGroups: 8, topkGroup: 4, numLayers: 61, numMoeLayers: 58 });
    expect(getModel("deepseek-r1").name).toBe("deepseek-v3");
    expect(getModel("kimi-k2")).toMatchObject({ numExperts: 384, numSharedExperts: 1, topK: 8, hiddenSize: 7168, expertFfnSize: 2048, numLayers: 61 });
    expect(getModel("qwen3-235b-a22b")).toMatchObject({ numExperts: 128, topK: 8, hiddenSize: 4096, expertFfnSize: 1536, numLayers: 94 });
    expect(getModel("mixtral-8x7b")).toMatchObject({ numExperts: 8, topK: 2, hiddenSize: 4096, expertFfnSize: 14336, numLayers: 32 });
    expect(getModel("gpt-oss-120b")).toMatchObject({ numExperts: 128, topK: 4, hiddenSize: 2880, numLayers: 36 });
  });

  it("hand-computed parameter and KV helpers", () => {
    const ds = getModel("deepseek-v3");
    expect(expertParams(ds)).toBe(3 * 7168 * 2048);
    // 7168·1536 + 1536·128·192 + 7168·576 + 512·128·256 + 128·128·7168
    expect(attentionParamsPerLayer(ds)).toBe(11010048 + 37748736 + 4128768 + 16777216 + 117440512);
    expect(attentionParamsPerLayer(getModel("mixtral-8x7b"))).toBe(4096 * 4096 * 2 + 2 * 4096 * 1024);
    expect(kvElementsPerTokenPerLayer(ds)).toBe(576);
    expect(kvElementsPerTokenPerLayer(getModel("qwen3-235b-a22b"))).toBe(2 * 4 * 128);
    expect(kvPositions(ds, 100)).toBe(6100);
    expect(kvPositions(getModel("gpt-oss-120b"), 1000)).toBe(18 * 1000 + 18 * 128);
    expect(kvPositions(getModel("gpt-oss-120b"), 100)).toBe(36 * 100);
  });

  it("rejects bad inputs", () => {
    expect(() => getModel("gpt-5")).toThrow(/known: deepseek-v3/);
    expect(() => getModel(undefined as unknown as string)).toThrow(TypeError);
    expect(() => kvPositions(getModel("deepseek-v3"), -1)).toThrow(RangeError);
    expect(() => kvPositions(getModel("deepseek-v3"), NaN)).toThrow(RangeError);
    expect(() => kvPositions(getModel("deepseek-v3"), "5" as unknown as number)).toThrow(TypeError);
    expect(() => expertParams({} as never)).toThrow(TypeError);
    expect(() => checkModel({ ...getModel("qwen3-30b-a3b"), topK: 0 })).toThrow(/model.topK/);
    expect(() => resolveModel(7 as never)).toThrow(TypeError);
    expect(resolveModel("Mixtral-8x7B").name).toBe("mixtral-8x7b");
    expect(() => paramCounts(null as never)).toThrow(TypeError);
    expect(() => attentionParamsPerLayer({ ...getModel("deepseek-v3"), hiddenSize: 0 })).toThrow(TypeError);
    expect(() => kvElementsPerTokenPerLayer({ ...getModel("deepseek-v3"), attention: undefined } as never)).toThrow(TypeError);
    expect(Object.isFrozen(MODELS["deepseek-v3"].attention)).toBe(true);
  });
});

describe("precision axes", () => {
  it("bytes per element with block scales, hand-computed", async () => {
    const { bytesPerWeight, kvBytesPerElement, dispatchBytesPerElement, dispatchBytesPerToken, mathType } = await import("../../src/cost");
    expect(bytesPerWeight("bf16")).toBe(2);
    expect(bytesPerWeight("fp8")).toBe(1 + 4 / (128 * 128)); // FP32 scale per 128×128 block
    expect(bytesPerWeight("nvfp4")).toBe(0.5625); // 4 bits + one FP8 scale per 16
    expect(bytesPerWeight("mxfp4")).toBe(0.53125); // 4 bits + one 8-bit scale per 32
    expect(kvBytesPerElement("fp8")).toBe(1);
    expect(kvBytesPerElement("bf16")).toBe(2);
    expect(dispatchBytesPerElement("fp8") * 7168).toBe(7392); // 7168 + 56 FP32 scales
    expect(dispatchBytesPerElement("nvfp4") * 7168).toBe(4032); // 3584 + 448 FP8 scales
    expect(dispatchBytesPerToken(7168, 8, "nvfp4")).toBe(8 * (4032 + 16));
    expect(mathType("nvfp4", getGpu("gb200"))).toBe("fp4");
    expect(mathType("mxfp4", getGpu("b200"))).toBe("fp4");
    expect(mathType("nvfp4", getGpu("h200"))).toBe("fp8");
    expect(() => bytesPerWeight("int4" as never)).toThrow(/precision/);
  });

  it("FP4 on Hopper: half the expert memory, FP8 math; on Blackwell also FP4 math", async () => {
    const { decodeStep, memoryPerGpu, peakFlops } = await import("../../src/cost");
    expect(getGpu("h100").fp4Tflops).toBe(0);
    expect(getGpu("h100").sources.fp4Tflops!.says).toMatch(/FP8 tensor cores/);
    expect(getGpu("gb200").fp4Tflops).toBe(10000);
    expect(peakFlops("h100", "nvfp4")).toBe(peakFlops("h100", "fp8"));
    expect(peakFlops("b200", "nvfp4")).toBe(9000e12);
    const fp8 = memoryPerGpu({ model: "deepseek-v3", gpu: "h200", epSize: 16 });
    const fp4 = memoryPerGpu({ model: "deepseek-v3", gpu: "h200", epSize: 16, moePrecision: "nvfp4" });
    expect(fp4.expertWeightsGB / fp8.expertWeightsGB).toBeCloseTo(0.5625 / (1 + 4 / 16384), 12);
    expect(fp4.replicatedWeightsGB).toBeCloseTo(fp8.replicatedWeightsGB, 12);
    // compute-bound experts (large batch): Hopper gains nothing from FP4 math, Blackwell does
    const big = { model: "deepseek-v3", epSize: 8, batchPerGpu: 2048, kvLen: 0, reserveFraction: 0 } as const;
    const h = (p: "fp8" | "nvfp4") => decodeStep({ ...big, gpu: "h200", moePrecision: p }).moeMs;
    const b = (p: "fp8" | "nvfp4") => decodeStep({ ...big, gpu: "b200", moePrecision: p }).moeMs;
    expect(h("nvfp4")).toBeCloseTo(h("fp8"), 6);
    expect(b("nvfp4")).toBeLessThan(0.6 * b("fp8"));
  });

  it("catalog lookups use own keys only; checkpoints are cited", async () => {
    const { modelCheckpoints } = await import("../../src/cost");
    expect(() => getGpu("constructor")).toThrow(/unknown gpu "constructor"/);
    expect(() => getGpu("__proto__")).toThrow(/unknown gpu "__proto__"/);
    expect(() => getModel("toString")).toThrow(/unknown model/);
    expect(modelCheckpoints("deepseek-r1").map((c) => c.moePrecision)).toEqual(["fp8", "nvfp4"]);
    expect(modelCheckpoints("gpt-oss-120b")[0].moePrecision).toBe("mxfp4");
    for (const m of modelNames()) for (const c of modelCheckpoints(m)) checkCitation(`${m} checkpoint`, c.source);
  });
});
