import * as fs from "fs";
import * as path from "path";
import { wideEpRatioByMechanism } from "../../src/cost";
import * as cost from "../../src/cost";
import * as lab from "../../src/lab";
import { describe, expect, it } from "vitest";
import * as util from "util";
import {
  TOY_EXAMPLE, eightExpertsOnFourGpus, skewedExpertLoad, standardEpDemo, onlineEplbDemo, workloadStatsRows, Summary,
} from "../../src/lab/scenarios-eplb";
import { routingDemo, groupLimitedDemo, dispatchDemo, wideEpDemo, firstTokens, remoteNodesPerToken } from "../../src/lab/scenarios-routing";
import {
  prefillDecodeIntensity, prefillDecodeFigure, memoryFigure, activeParameterSummary, deepEpDemo, expertsPerGpuRows, crossoverRows, memoryRows, nvl72Rows, frontierDemo, operatingPointRows,
} from "../../src/lab/scenarios-cost";
import { PARALLELISM_STRATEGIES, EP_VARIANTS } from "../../src/lab/content";
import { worded } from "../../src/lab/headers";

describe("the toy example: 8 experts on 4 GPUs", () => {
  const { rows, figure, summary } = eightExpertsOnFourGpus();
  const byName = (prefix: string) => rows.find((r) => r.placement.startsWith(prefix))!;

  it("reproduces the toy example's numbers and corrects the quoted 1.8× to 1.64×", () => {
    expect(byName("contiguous").maxGpuLoad).toBe(1800);
    const hand = byName("hand placement");
    expect(hand.maxGpuLoad).toBe(1100);
    expect(hand.speedupVsContiguous).toBeCloseTo(1800 / 1100, 3);
    expect(String(summary)).toContain("1.64×");
    expect(TOY_EXAMPLE.claimedSpeedup).toBe(1.8);
    expect(Object.keys(lab)).toContain("TOY_EXAMPLE");
    expect(Object.keys(lab)).not.toContain("ORIGINAL_EXAMPLE");
  });

  it("has the seven placements §6.4's prose names, in its order", () => {
    expect(rows.map((r) => r.placement)).toEqual([
      "contiguous (standard EP)",
      "hand placement quoted as 1.8×",
      "greedy, any count per GPU",
      "greedy, 2 experts per GPU",
      "EPLB, no redundant experts",
      "EPLB, +4 redundant experts",
      "EPLB, +8 redundant experts",
    ]);
    const src = fs.readFileSync(path.join(__dirname, "../../src/lab/notebook-source/lab3.1-expert-parallelism-foundations.src.md"), "utf8");
    const prose = /Here the same loads go through ([^.]+)\./.exec(src)![1];
    expect(prose).toMatch(/^seven placements/);
    const named = ["contiguous placement", "hand placement", "any number of experts per GPU", "2 experts per GPU", "EPLB without spare slots", "with 4 and with 8 redundant experts"];
    const at = named.map((n) => prose.indexOf(n));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it("shows the no-replica floor (the 1000-token expert) and EPLB replicas going below it", () => {
    expect(byName("greedy, any").maxGpuLoad).toBe(1000);
    for (const r of rows.filter((x) => x.slots === 8)) expect(r.maxGpuLoad).toBeGreaterThanOrEqual(1000);
    const replicated = rows.filter((x) => x.slots > 8);
    expect(replicated.length).toBe(2);
    for (const r of replicated) expect(r.maxGpuLoad).toBeLessThan(1000);
    expect(figure.data.length).toBeGreaterThan(0);
  });

  it("does not mutate the frozen example and rejects bad redundancy", () => {
    expect(Object.isFrozen(TOY_EXAMPLE.expertLoad)).toBe(true);
    expect(() => eightExpertsOnFourGpus([3])).toThrow(/multiple of 4/);
    expect(() => eightExpertsOnFourGpus([])).toThrow(RangeError);
  });
});

describe("EPLB scenarios", () => {
  it("skewed loads are seeded and sum to the token count", () => {
    const a = skewedExpertLoad(16, 1000, 1, 3);
    expect(a).toEqual(skewedExpertLoad(16, 1000, 1, 3));
    expect(a.length).toBe(16);
    expect(a.reduce((s, v) => s + v, 0)).toBeGreaterThan(900);
    expect(() => skewedExpertLoad(0, 10, 1, 1)).toThrow(RangeError);
  });

  it("standard EP is imbalanced under skew; redundancy improves EPLB balancedness", () => {
    const sep = standardEpDemo();
    expect(sep.balancedness).toBeLessThan(0.9);
    expect(sep.meanBalancedness).toBeLessThan(0.9);
    expect(util.inspect(sep.summary)).toContain(`layer ${sep.layer}`);
  });

  it("the lab's workload statistics sit in the published ranges they are shown beside", () => {
    const rows = workloadStatsRows();
    expect(rows).toHaveLength(6);
    for (const r of rows.slice(0, 5)) {
      const [lo, hi] = r.publishedRange.split("–").map(Number);
      expect(r.thisWorkload).toBeGreaterThanOrEqual(lo);
      expect(r.thisWorkload).toBeLessThanOrEqual(hi);
    }
    expect(Math.abs(rows[5].thisWorkload - 1.56)).toBeLessThan(0.25);
  });

  it("online EPLB: both rebalances beat the placement left alone; placement-aware keeps the balance and moves far less", () => {
    const { full, aware, rows, summary } = onlineEplbDemo();
    expect(full.meanBalancedness).toBeGreaterThan(full.meanStaticBalancedness);
    expect(rows[2].meanBalancedness).toBeGreaterThanOrEqual(0.99 * rows[1].meanBalancedness);
    expect(rows[2].slotsMovedPerRebalance).toBeLessThanOrEqual(0.25);
    expect(rows[1].slotsMovedPerRebalance).toBeGreaterThan(0.5);
    expect(aware.totalMovedBytes).toBeLessThan(full.totalMovedBytes);
    expect(util.inspect(summary)).toMatch(/placement-aware rebalance moves \d+%/);
    expect(summary).toBeInstanceOf(Summary);
  });
});

describe("routing scenarios", () => {
  it("routes 5 tokens over 256 experts, top-8, reproducibly", () => {
    const d = routingDemo();
    expect(d.routing.indices.length).toBe(40);
    expect(d.rows.map((r) => r.token)).toEqual(["The", "quantum", "entanglement", "phenomenon", "is"]);
    expect(Array.from(routingDemo().routing.indices)).toEqual(Array.from(d.routing.indices));
  });

  it("group-limited routing never reaches more than 4 nodes", () => {
    const g = groupLimitedDemo(256);
    expect(g.maxNodesLimited).toBeLessThanOrEqual(4);
    expect(g.maxNodesFlat).toBeGreaterThan(4);
  });

  it("dispatch and wide-EP accounting", () => {
    const d = dispatchDemo();
    expect(d.stats.localTokens + d.stats.intraNodeTokens + d.stats.interNodeTokens).toBeGreaterThan(256);
    const w = wideEpDemo(256);
    expect(w.limited.interNodeTokens).toBeLessThanOrEqual(w.flat.interNodeTokens);
    const r = firstTokens(routingDemo().routing, 2);
    expect(r.numTokens).toBe(2);
    expect(r.indices.length).toBe(16);
    // one token on GPU 0 (node 0) using experts on nodes 0 and 1 of 2 → one remote node
    const one = { numTokens: 1, numExperts: 4, topK: 2, indices: new Int32Array([0, 3]), weights: new Float32Array([0.5, 0.5]), numSharedExperts: 0 };
    expect(remoteNodesPerToken(one, 2, 2)).toBe(1);
  });
});

describe("cost scenarios", () => {
  it("decode is memory-bound and prefill compute-bound", () => {
    const [d, p] = prefillDecodeIntensity();
    expect(d.bound).toBe("memory-bound");
    expect(p.bound).toBe("compute-bound");
  });

  it("active parameters: published 671B/37B and ≈2 FLOPs per active parameter", () => {
    const rows = activeParameterSummary();
    expect(rows[0].published).toBe("671B");
    expect(rows[1].published).toBe("37B");
    expect(rows[3].published).toBe("74");
  });

  it("DeepEP bytes, experts/memory per GPU, NVL72 vs H100", () => {
    const d = deepEpDemo();
    expect(d.bytesRows[1].bytesPerTokenPerLayer).toBe(8 * 2 * 7168);
    expect(expertsPerGpuRows(256, [8, 64]).map((r) => r.expertsPerGpu)).toEqual([32, 4]);
    expect(() => expertsPerGpuRows(256, [72])).toThrow(/does not divide/);
    // one definition: the lab's rows are the cost library's crossover (peak rates, weight bytes only), rounded
    const cross = crossoverRows(["h100", "h200", "b200", "gb200"]);
    expect(cross.map((r) => r.crossoverTokensPerExpert)).toEqual(["h100", "h200", "b200", "gb200"].map((g) => Math.round(cost.crossoverTokens(g, "fp8"))));
    expect(cross.map((r) => r.ridgePointFlopPerByte)).toEqual(["h100", "h200", "b200", "gb200"].map((g) => Math.round(cost.ridgePoint(g, "fp8") * 10) / 10));
    expect(cross.find((r) => r.gpu === "gb200")!.crossoverTokensPerExpert).toBe(313);
    expect(cross.find((r) => r.gpu === "h100")!.crossoverTokensPerExpert).toBe(295);
    // one name for the replicated weights: the memory table's header and the memory figure's trace
    const header = worded(memoryRows([8])).columns.otherWeightsGB;
    expect(header).toBe("Other weights (attention, dense FFN, shared expert, embeddings; GB)");
    const traces = (memoryFigure([8, 64]) as unknown as { data: { name: string }[] }).data.map((t) => t.name);
    expect(traces).toContain("other weights (attention, dense FFN, shared expert, embeddings)");
    expect(header.toLowerCase().startsWith(traces[1].toLowerCase().replace(/\)$/, ";"))).toBe(true);
    expect(traces.some((t) => /dense weights/.test(t))).toBe(false);
    const m = memoryRows([8, 64]);
    expect(m.every((r) => r.feasible && !("infeasibleReason" in r))).toBe(true);
    expect(worded(m).columns.infeasibleReason).toBeUndefined(); // no empty column when every EP size fits
    expect(m[1].maxBatchPerGpu as number).toBeGreaterThan(m[0].maxBatchPerGpu as number);
    // a GPU too small for EP8's weights: said so, never a batch of 0
    const h = memoryRows([8, 16, 32, 64], "h100");
    expect(h[0].feasible).toBe(false);
    expect(h[0].maxBatchPerGpu).toBe("does not fit");
    expect(h[0].tokensPerExpertAtMaxBatch).toBe("does not fit");
    expect(h[0].infeasibleReason).toMatch(/> 80 GB of HBM$/);
    const need = Number(/= ([\d.]+) GB >/.exec(h[0].infeasibleReason!)![1]);
    expect(need).toBeGreaterThan(80);
    const mem = cost.memoryPerGpu({ model: "deepseek-v3", gpu: "h100", epSize: 8, kvLen: 4096 });
    expect(mem.maxBatchPerGpu).toBe(0);
    expect(need).toBeCloseTo(mem.weightsGB + mem.reserveGB + mem.kvGBPerSequence, 1);
    expect(h.slice(1).every((r) => r.feasible && typeof r.maxBatchPerGpu === "number" && r.maxBatchPerGpu > 0)).toBe(true);
    expect(h.every((r) => r.maxBatchPerGpu !== 0 && r.tokensPerExpertAtMaxBatch !== 0)).toBe(true);
    const hw = worded(h);
    expect(hw.columns.maxBatchPerGpu).toMatch(/batch/i);
    expect(hw.columns.infeasibleReason).toBe("Why it does not fit");
    expect(() => memoryRows([8], "h101")).toThrow(/h100/);
    const n = nvl72Rows([8, 64]);
    expect(n[1].gb200Link).toBe("nvlink");
    expect(n[1].h100Link).toBe("nic");
    expect(n[1].h100NodesUs).toBeGreaterThan(n[1].gb200Nvl72Us);
  });

  it("frontier: EP32 beats EP8 per GPU at the same speed per user, on the calibrated case", () => {
    const f = frontierDemo([50]);
    expect(f.ratioRows[0].ratio).toBeGreaterThan(1);
    expect(f.ratioRows[0].ep32BatchPerGpu).toBeGreaterThan(0);
    expect(String(f.summary)).toContain("1.8×");
    expect(() => frontierDemo([0])).toThrow(RangeError);
  });

  it("frontier, operating-point table, tornado chart and the calibration report give one ratio at 100 tokens/s per user", () => {
    const f = frontierDemo();
    const at100 = f.ratioRows.find((r) => r.tokensPerSecPerUser === 100)!;
    const op = operatingPointRows().rows[0];
    const mech = wideEpRatioByMechanism().ratio!;
    expect(at100.ratio).toBe(Math.round(mech * 100) / 100);
    expect(op.ratio).toBe(at100.ratio);
    expect([at100.ep8TokensPerSecPerGpu, at100.ep32TokensPerSecPerGpu]).toEqual([op.ep8TokensPerSecPerGpu, op.ep32TokensPerSecPerGpu]);
    expect(String(f.summary)).toContain(`${at100.ratio}×`);
    // the ratio grows towards EP8's limit: the slowest rate has the smallest ratio, EP8 keeps a smaller batch than EP32
    const rs = f.ratioRows.filter((r) => r.ratio !== null).map((r) => r.ratio!);
    expect(Math.min(...rs)).toBe(f.ratioRows[0].ratio);
    for (const r of f.ratioRows) if (r.ratio !== null) expect(r.ep8BatchPerGpu).toBeLessThan(r.ep32BatchPerGpu);
    // the figure plots the same curves (two traces, EP8 then EP32 + EPLB)
    const traces = (f.figure as unknown as { data: { name: string; x: number[] }[] }).data.filter((t) => t.x.length > 2);
    expect(traces.map((t) => t.name)).toEqual(["EP8 (256 slots)", "EP32 + EPLB (288 slots)"]);
    expect(traces[0].x.length).toBe(f.curves.narrow.length);
    expect(Object.keys(worded(f.ratioRows).columns)).toEqual(Object.keys(f.ratioRows[0])); // every column has a header in words
  });
});

describe("reference tables", () => {
  it("list the five strategies and the four EP terms, with DeepEP as a communication library", () => {
    expect(PARALLELISM_STRATEGIES.map((r) => r.strategy.split(" (")[1].replace(")", ""))).toEqual(["DP", "TP", "PP", "SP/CP", "EP"]);
    expect(PARALLELISM_STRATEGIES[4].appliesTo).toMatch(/MoE/);
    const deepEp = EP_VARIANTS.find((r) => r.name === "DeepEP")!;
    expect(deepEp.whatItIs).toMatch(/communication library/);
    expect(EP_VARIANTS.find((r) => r.name.startsWith("EPLB"))!.sglang).toContain("--ep-num-redundant-experts");
  });
});

describe("tensor scenarios", () => {
  it("EP forward equals the single-device forward for every placement and replica rule", async () => {
    const { replicaInvarianceDemo } = await import("../../src/lab/scenarios-tensor");
    const r = await replicaInvarianceDemo();
    expect(r.rows).toHaveLength(3);
    for (const row of r.rows) expect(row.maxAbsDifference).toBeLessThan(1e-5);
    expect(String(r.summary)).toContain(r.backend);
  });

  it("the GroupGEMM experiment returns a figure and names the backend (tiny sizes)", async () => {
    const { groupGemmExperiment } = await import("../../src/lab/scenarios-tensor");
    const calls: number[] = [];
    const g = await groupGemmExperiment((done) => calls.push(done), {
      hiddenSize: 16, expertFfnSize: 16, tokensPerDevice: 8, localExpertCounts: [1, 8], fixedLocalExperts: 2,
      tokensPerExpertValues: [1, 4], repeats: 1, warmup: 0, calibrationMatmulSize: 32, calibrationCopyElements: 4096,
    });
    expect(g.localExpertRows.map((r) => r.localExperts)).toEqual([1, 8]);
    expect(calls.length).toBeGreaterThan(0);
    // The last report is the full bar: done = total = 2 calibration steps + 4 points × 1 run (+ any re-measures).
    expect(calls[calls.length - 1]).toBeGreaterThanOrEqual(6);
    expect(String(g.summary)).toMatch(/backend/);
    expect(g.figure.data.length).toBeGreaterThan(0);
    await expect(groupGemmExperiment("bar" as never)).rejects.toThrow(/onProgress must be a function/);
  });

  it("throttleProgress passes on at most one report per interval, and always the last", async () => {
    const { throttleProgress } = await import("../../src/lab/scenarios-tensor");
    const seen: [number, number, string][] = [];
    const slow = throttleProgress((d, t, l) => seen.push([d, t, l]), 1e9);
    for (let i = 1; i <= 60; i++) slow(i, 60, `step ${i}`);
    expect(seen).toEqual([[1, 60, "step 1"], [60, 60, "step 60"]]);
    const all: number[] = [];
    const every = throttleProgress((d) => all.push(d), 0);
    for (let i = 1; i <= 5; i++) every(i, 5, "");
    expect(all).toEqual([1, 2, 3, 4, 5]);
    expect(() => throttleProgress("x" as never, 10)).toThrow(TypeError);
    expect(() => throttleProgress(() => {}, -1)).toThrow(/intervalMs/);
    expect(() => throttleProgress(() => {}, NaN)).toThrow(RangeError);
  });
});

describe("roofline and memory figures", () => {
  it("prefillDecodeFigure draws both phases on the GPU's roofline", () => {
    const f = prefillDecodeFigure();
    const text = JSON.stringify(f);
    expect(text).toContain("decode step");
    expect(text).toContain("prefill chunk");
    expect(() => prefillDecodeFigure("h900")).toThrow(RangeError);
  });
  it("memoryFigure: expert weights shrink with EP while the KV cache of the batch that fits grows", () => {
    const f = memoryFigure([8, 64]);
    const byName = Object.fromEntries(f.data.map((d) => [(d as unknown as { name: string }).name, (d as unknown as { y: number[] }).y]));
    expect(byName["expert weights"][1]).toBeLessThan(byName["expert weights"][0]);
    expect(byName["KV cache"][1]).toBeGreaterThan(byName["KV cache"][0]);
    expect(() => memoryFigure([0])).toThrow(/epSizes\[0\]/);
  });
});

describe("section 8 at NVIDIA's operating point", () => {
  it("the model's EP32 ÷ EP8 ratio at 100 tokens/s per user (NVFP4 experts, MTP) is within 25% of NVIDIA's 1.8×, and every assumption row is computed", () => {
    const { rows, summary } = operatingPointRows();
    expect(rows).toHaveLength(6);
    expect(rows[0].ratio).not.toBeNull();
    expect(Math.abs(rows[0].ratio! - 1.8) / 1.8).toBeLessThan(0.25);
    expect(rows[0].versusNvidia).toMatch(/^[+-]?\d+%$/);
    // FP8 experts make EP8 stream twice the bytes: the ratio moves away from the published point
    expect(Math.abs(rows[1].ratio! - rows[0].ratio!)).toBeGreaterThan(0.1);
    expect(String(summary)).toContain("nvidia/DeepSeek-R1-FP4");
  });
});
