import { describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors, readTrtllmExpertStatistic, readSglangLogicalCount, moeLayersOf } from "../../src/plan/readers";
import { getModel } from "../../src/cost/catalog-models";
import { createRng } from "../../src/util/rng";

const enc = (s: string) => new TextEncoder().encode(s);

describe("safetensors", () => {
  it("round-trips every writable dtype, with metadata and 8-byte header alignment", () => {
    const t = {
      a: { dtype: "I64" as const, shape: [2, 2], data: [1, -2, 2 ** 40, 0] },
      b: { dtype: "F32" as const, shape: [3], data: [0.5, -1.25, 3] },
      c: { dtype: "U8" as const, shape: [1], data: [255] },
      d: { dtype: "I32" as const, shape: [0], data: [] },
    };
    const bytes = writeSafetensors(t, { format: "pt" });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const r = readSafetensors(bytes);
    expect(r.tensors).toEqual(t);
    expect(r.metadata).toEqual({ format: "pt" });
  });
  it("rejects truncated files, bad offsets and unknown dtypes, naming the problem", () => {
    const good = writeSafetensors({ x: { dtype: "I64", shape: [4], data: [1, 2, 3, 4] } });
    expect(() => readSafetensors(good.subarray(0, good.length - 1))).toThrow(/data_offsets/);
    expect(() => readSafetensors(new Uint8Array(4))).toThrow(/at least 8 bytes/);
    const bad = new Uint8Array(good);
    const json = '{"x":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}';
    const hb = enc(json);
    const f = new Uint8Array(8 + hb.length + 1);
    new DataView(f.buffer).setBigUint64(0, BigInt(hb.length), true);
    f.set(hb, 8);
    expect(() => readSafetensors(f)).toThrow(/dtype "Q8"/);
    expect(() => readSafetensors("x" as never)).toThrow(TypeError);
    expect(() => writeSafetensors({ x: { dtype: "I64", shape: [3], data: [1] } })).toThrow(/1 values for shape \[3\]/);
    expect(() => writeSafetensors({ x: { dtype: "I32", shape: [1], data: [0.5] } })).toThrow(/not an integer/);
    void bad;
  });
});

/** Files as TensorRT-LLM's ExpertStatistic writes them: per rank, "{iter}_{layer}" → bincount (int64). */
function fakeTrtllmDump(ranks: number, iters: [number, number], layers: number[], E: number, seed: number): { files: Map<string, Uint8Array>; total: number[][] } {
  const rng = createRng(seed);
  const total = layers.map(() => new Array<number>(E).fill(0));
  const files = new Map<string, Uint8Array>();
  files.set("meta_info.json", enc(JSON.stringify({ num_experts: E, num_experts_per_token: 8 })));
  for (let r = 0; r < ranks; r++) {
    const t: Record<string, { dtype: "I64"; shape: number[]; data: number[] }> = {};
    for (let it = iters[0]; it < iters[1]; it++) {
      layers.forEach((l, li) => {
        const data = Array.from({ length: E }, () => rng.int(0, 50));
        data.forEach((x, e) => (total[li][e] += x));
        t[`${it}_${l}`] = { dtype: "I64", shape: [E], data };
      });
    }
    files.set(`rank${r}.safetensors`, writeSafetensors(t));
  }
  return { files, total };
}

describe("TensorRT-LLM expert statistics", () => {
  it("reads rank files + meta_info.json into [layers][experts], summed over ranks and iterations", () => {
    const { files, total } = fakeTrtllmDump(3, [100, 104], [3, 4, 5], 16, 7);
    files.set("rank0_raw.safetensors", new Uint8Array(8)); // skipped, as the engine's loader does
    const r = readTrtllmExpertStatistic(files);
    expect(r).toMatchObject({ numExperts: 16, topK: 8, ranks: 3, iterStart: 100, iterStop: 104, layers: [3, 4, 5] });
    expect(r.load).toEqual(total);
  });
  it("rejects missing pairs, gaps in iterations, wrong lengths and missing meta", () => {
    const { files } = fakeTrtllmDump(1, [0, 2], [3, 4], 8, 1);
    const gap = new Map(files);
    gap.set("rank1.safetensors", writeSafetensors({ "5_3": { dtype: "I64", shape: [8], data: new Array(8).fill(1) } }));
    expect(() => readTrtllmExpertStatistic(gap)).toThrow(/not contiguous|missing/);
    const short = new Map(files);
    short.set("rank1.safetensors", writeSafetensors({ "0_3": { dtype: "I64", shape: [4], data: [1, 1, 1, 1] } }));
    expect(() => readTrtllmExpertStatistic(short)).toThrow(/4 counts; num_experts is 8/);
    const noMeta = new Map([...files].filter(([k]) => k !== "meta_info.json"));
    expect(() => readTrtllmExpertStatistic(noMeta)).toThrow(/meta_info\.json/);
    const badKey = new Map(files);
    badKey.set("rank2.safetensors", writeSafetensors({ layer3: { dtype: "I64", shape: [8], data: new Array(8).fill(0) } }));
    expect(() => readTrtllmExpertStatistic(badKey)).toThrow(/"\{iter\}_\{layer\}"/);
    expect(() => readTrtllmExpertStatistic({} as never)).toThrow(TypeError);
  });
});

describe("SGLang logical_count", () => {
  it("sums [steps][layers][experts] over steps and accepts [layers][experts]", () => {
    const steps = [[[1, 2], [3, 4]], [[10, 20], [30, 40]]];
    expect(readSglangLogicalCount(JSON.stringify({ rank: 0, logical_count: steps }))).toEqual([[11, 22], [33, 44]]);
    expect(readSglangLogicalCount(JSON.stringify({ logical_count: [[1, 2]] }))).toEqual([[1, 2]]);
  });
  it("rejects ragged, negative or missing counts", () => {
    expect(() => readSglangLogicalCount("{}")).toThrow(/logical_count/);
    expect(() => readSglangLogicalCount(JSON.stringify({ logical_count: [[1, 2], [3]] }))).toThrow(/\[1\] must have 2 experts/);
    expect(() => readSglangLogicalCount(JSON.stringify({ logical_count: [[1, -2]] }))).toThrow(/≥ 0/);
    expect(() => readSglangLogicalCount("not json")).toThrow(/not JSON/);
  });
  it("keeps the MoE layers of a 61-layer recording (the planner then places experts from it)", () => {
    const m = getModel("deepseek-v3");
    const rec = Array.from({ length: 61 }, (_, l) => new Array(256).fill(l < 3 ? 0 : l));
    const moe = moeLayersOf(rec, m);
    expect(moe.length).toBe(58);
    expect(moe[0][0]).toBe(3);
    expect(() => moeLayersOf([[1]], m)).toThrow(/1 experts/);
  });
});
