import { beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_EFFICIENCY,
  DEFAULT_ZIPF_S,
  NVL72_WIDE_EP_CASE,
  allToAllTime,
  calibrationPoints,
  calibrationReport,
  expectedImbalance,
  fitConstants,
  getGpu,
  prefillStep,
  sensitivity,
  wideEpRatioByMechanism,
  frontierByMechanism,
  throughputAtInteractivity,
  type CalibrationReport,
  type FitResult,
  type SensitivityResult,
} from "../../src/cost";

let report: CalibrationReport;
let fit: FitResult;
let sens: SensitivityResult;
beforeAll(() => {
  report = calibrationReport();
  fit = fitConstants();
  sens = sensitivity();
}, 120_000);

describe("calibration report", () => {
  it("covers H800, H100, H200, B200 and GB200 with kernels, imbalance, decode, prefill and the ratio", () => {
    expect(report.points.length).toBeGreaterThanOrEqual(12);
    expect(new Set(report.points.map((p) => p.gpu))).toEqual(new Set(["h800", "h100", "h200", "b200", "gb200"]));
    const metrics = new Set(report.points.map((p) => p.metric));
    for (const m of ["decode-throughput", "prefill-throughput", "latency", "bandwidth", "imbalance", "ratio"]) expect(metrics.has(m as never), m).toBe(true);
    for (const p of report.points) {
      expect(p.source.url, p.name).toMatch(/^https:\/\/\S+$/);
      expect(p.source.says.length, p.name).toBeGreaterThan(30);
      expect(p.cliArgs, p.name).toMatch(/ep-lab cost|expectedImbalance/);
      expect(Number.isFinite(p.model), p.name).toBe(true);
      expect(p.error).toBeCloseTo((p.model - p.published) / p.published, 12);
    }
  });

  it("every point is within its stated tolerance, except the ones the report names as unmatched with a reason", () => {
    const outside = report.points.filter((p) => !p.withinTolerance);
    // the known gaps are predicted-only points with a stated reason, and no more than two of them
    expect(outside.length).toBeLessThanOrEqual(2);
    for (const p of outside) {
      expect(p.group, p.name).toBe("none");
      expect(p.unmatchedReason, p.name).toBeTruthy();
      expect(report.unmatched.some((u) => u.startsWith(p.name) && u.includes(p.unmatchedReason!)), p.name).toBe(true);
    }
    for (const p of report.points.filter((q) => q.group !== "none")) expect(Math.abs(p.error), p.name).toBeLessThanOrEqual(p.tolerance);
  });

  it("median |error| ≤ 15%; leave-one-out errors are reported beside the in-sample ones", () => {
    expect(report.medianAbsError).toBeLessThanOrEqual(0.15);
    expect(report.worstAbsError).toBe(Math.max(...report.points.map((p) => Math.abs(p.error))));
    expect(report.medianAbsLooError).toBeLessThanOrEqual(0.15);
    for (const p of report.points) if (p.group === "none") expect(p.looError).toBe(p.error);
    // refitting without a point changes its prediction for at least some fitted points
    expect(report.points.filter((p) => p.group !== "none" && Math.abs(p.looError - p.error) > 1e-6).length).toBeGreaterThan(10);
  });

  it("the defaults are what the fitting code produces", () => {
    const e = fit.efficiency;
    const keys = [
      "computeFraction", "layerOverheadUs", "nvlinkDispatchLatencyUs", "nvlinkCombineLatencyUs", "nvlinkBandwidthFraction", "rdmaDispatchLatencyUs",
      "rdmaCombineLatencyUs", "rdmaBandwidthFraction", "normalNvlinkBandwidthFraction", "normalRdmaBandwidthFraction",
    ] as const;
    for (const k of keys) expect(Math.abs(e[k] - DEFAULT_EFFICIENCY[k]), k).toBeLessThanOrEqual(0.01 * Math.abs(DEFAULT_EFFICIENCY[k]) + 1e-9);
    expect(Math.abs(fit.zipfS - DEFAULT_ZIPF_S)).toBeLessThanOrEqual(0.01);
    expect(fit.fittedOn["rdma-ll"].every((n) => /DeepEP low-latency .* EP(16|32|64|128|256)$/.test(n))).toBe(true);
    expect(fit.fittedOn["nvlink-ll"].some((n) => /NVLink one-sided/.test(n))).toBe(true);
    expect(fit.fittedOn.throughput.some((n) => /prefill/.test(n)) && fit.fittedOn.throughput.some((n) => /decode/.test(n))).toBe(true);
    // the ratio is predicted: no group is fitted on it
    for (const names of Object.values(fit.fittedOn)) expect(names.some((n) => /NVL72/.test(n))).toBe(false);
    expect(() => fitConstants({ exclude: "no such point" })).toThrow(/unknown calibration point/);
  });
});

describe("NVLink vs RDMA", () => {
  it("the same EP size costs less inside one NVL72 than across 8-GPU nodes", () => {
    const gb = getGpu("gb200");
    const eightPerNode = { ...gb, name: "gb200-in-8-gpu-nodes", nvlinkDomainSize: 8 };
    const inRack = allToAllTime({ gpu: gb, epSize: 32, tokensPerRank: 128 });
    const across = allToAllTime({ gpu: eightPerNode, epSize: 32, tokensPerRank: 128 });
    expect(inRack.fabric).toBe("nvlink");
    expect(across.fabric).toBe("rdma");
    expect(inRack.dispatchUs).toBeLessThan(across.dispatchUs);
    expect(inRack.combineUs).toBeLessThan(across.combineUs);
  });

  it("a group of 8 inside an HGX node uses the NVLink parameters (latency + bytes at NVLink speed)", () => {
    const e = DEFAULT_EFFICIENCY;
    const r = allToAllTime({ gpu: "h200", epSize: 8, tokensPerRank: 64 });
    expect(r.fabric).toBe("nvlink");
    const bytes = 64 * 8 * (7168 + 224 + 16) * (7 / 8);
    expect(r.dispatchUs).toBeCloseTo(e.nvlinkDispatchLatencyUs + bytes / (e.nvlinkBandwidthFraction * 450e3), 9);
    const across = allToAllTime({ gpu: "h200", epSize: 16, tokensPerRank: 64 });
    expect(across.fabric).toBe("rdma");
    expect(across.dispatchUs).toBeGreaterThan(e.rdmaDispatchLatencyUs);
  });

  it("normal (prefill) kernels send once per other node with group-limited routing", () => {
    const r = allToAllTime({ gpu: "h800", epSize: 32, tokensPerRank: 4096, kernel: "normal" });
    // 4 nodes, 8 groups (2 per node), 4 groups per token: P(node untouched) = C(6,4)/C(8,4) = 15/70
    expect(r.dispatchBytesPerToken).toBeCloseTo(3 * (55 / 70) * (7168 + 224 + 16), 6);
  });
});

describe("prefill and imbalance", () => {
  it("prefill: FP4 experts speed up Blackwell prefill; cached prefixes count as served input", () => {
    const base = { model: "deepseek-v3", gpu: "gb200", epSize: 8, promptLen: 2000 } as const;
    const fp8 = prefillStep(base);
    const fp4 = prefillStep({ ...base, moePrecision: "nvfp4" });
    expect(fp4.inputTokensPerSecPerGpu!).toBeGreaterThan(fp8.inputTokensPerSecPerGpu!);
    const cached = prefillStep({ ...base, cachedPrefixLen: 2000 });
    expect(cached.inputTokensPerSecPerGpuWithCache!).toBeCloseTo(2 * cached.inputTokensPerSecPerGpu!, 9);
    expect(prefillStep({ ...base, epSize: 144 }).feasible).toBe(false);
    expect(() => prefillStep({ ...base, promptLenn: 1 } as never)).toThrow(/did you mean "promptLen"/);
  });

  it("EPLB removes the systematic imbalance; what is left is sampling noise", () => {
    const no = expectedImbalance({ numExperts: 256, epSize: 32, tokensPerRank: 128 });
    const yes = expectedImbalance({ numExperts: 256, epSize: 32, tokensPerRank: 128, eplb: true, redundantExperts: 32 });
    expect(no.imbalance).toBeGreaterThan(2);
    expect(yes.imbalance).toBeLessThan(1.15);
    expect(yes.systematicImbalance).toBeLessThan(1.02);
    const bigBatch = expectedImbalance({ numExperts: 256, epSize: 32, tokensPerRank: 4096, eplb: true, redundantExperts: 32 });
    expect(bigBatch.imbalance).toBeLessThan(yes.imbalance);
    expect(() => expectedImbalance({ numExperts: 256, epSize: 144, tokensPerRank: 1 })).toThrow(/divisible/);
  });
});

describe("the NVL72 1.8× by mechanism, and its sensitivity", () => {
  it("EP32 vs EP8 at 100 tokens/s per user lands in 1.35–2.25 with the fitted constants", () => {
    const r = wideEpRatioByMechanism();
    expect(r.ratio!).toBeGreaterThanOrEqual(1.35);
    expect(r.ratio!).toBeLessThanOrEqual(2.25);
    expect(r.published.ratio).toBe(1.8);
    expect(r.wideLoadImbalance).toBeLessThan(r.narrowLoadImbalance + 0.5);
    const point = report.points.find((p) => p.metric === "ratio")!;
    expect(point.model).toBeCloseTo(r.ratio!, 9);
    expect(point.source.url).toMatch(/developer\.nvidia\.com\/blog/);
    expect(NVL72_WIDE_EP_CASE.moePrecision).toBe("nvfp4");
  });

  it("the mechanism: FP8 experts leave EP8 far below EP32 at 100 tokens/s per user (weight streaming)", () => {
    const fp8 = wideEpRatioByMechanism({ moePrecision: "fp8", dispatchPrecision: "fp8" });
    expect(fp8.ratio === null || fp8.ratio > 3).toBe(true);
    const slow = wideEpRatioByMechanism({ tokensPerSecPerUser: 50 });
    expect(slow.ratio!).toBeLessThan(wideEpRatioByMechanism().ratio!);
  });

  it("frontierByMechanism: the curves the ratio is read on (each point's imbalance from its own batch)", () => {
    const f = frontierByMechanism();
    expect([f.narrowEp, f.wideEp]).toEqual([8, 32]);
    for (const curve of [f.narrow, f.wide]) {
      expect(curve.length).toBeGreaterThan(20);
      for (let i = 1; i < curve.length; i++) {
        expect(curve[i].tokensPerSecPerUser).toBeLessThan(curve[i - 1].tokensPerSecPerUser); // sorted, faster per user first
        expect(curve[i].batchPerGpu).toBeGreaterThan(curve[i - 1].batchPerGpu); // … because the batch grows
      }
      for (const p of curve) expect(p.loadImbalance).toBeGreaterThanOrEqual(1);
    }
    // EPLB over 288 slots balances EP32 better than EP8 without replicas, at the same batch
    const b = f.narrow.map((p) => p.batchPerGpu).find((x) => x >= 48 && f.wide.some((p) => p.batchPerGpu === x))!;
    const at = (c: typeof f.narrow) => c.find((p) => p.batchPerGpu === b)!;
    expect(at(f.wide).loadImbalance).toBeLessThan(at(f.narrow).loadImbalance);
    // reading the curves at 100 tokens/s per user agrees with the bisection of wideEpRatioByMechanism within 3%
    const r = wideEpRatioByMechanism();
    const n = throughputAtInteractivity(f.narrow, 100)!;
    const w = throughputAtInteractivity(f.wide, 100)!;
    expect(Math.abs(n / r.narrowTokensPerSecPerGpu! - 1)).toBeLessThan(0.03);
    expect(Math.abs(w / r.wideTokensPerSecPerGpu! - 1)).toBeLessThan(0.03);
    // overrides apply: BF16 KV needs more memory per sequence, so the largest batch that fits is smaller or equal
    const bf16 = frontierByMechanism({ kvPrecision: "bf16", batchSizes: [1, 1024, 4096] });
    expect(bf16.narrow.every((p) => [1, 1024, 4096].includes(p.batchPerGpu))).toBe(true);
    expect(bf16.narrow.length).toBeLessThanOrEqual(3);
  });

  it("frontierByMechanism rejects bad input by name", () => {
    expect(() => frontierByMechanism({ tokensPerSecPerUser: 100 } as never)).toThrow(/unknown option options\.tokensPerSecPerUser/);
    expect(() => frontierByMechanism({ batchSize: [1] } as never)).toThrow(/did you mean "batchSizes"/);
    expect(() => frontierByMechanism({ batchSizes: [] })).toThrow(/^batchSizes must not be empty/);
    expect(() => frontierByMechanism({ batchSizes: [4, NaN] })).toThrow(/batchSizes\[1\]/);
    expect(() => frontierByMechanism({ batchSizes: [-1] })).toThrow(RangeError);
    expect(() => frontierByMechanism({ imbalanceScale: 0 })).toThrow(/imbalanceScale/);
  });

  it("sensitivity gives one tornado bar per assumption, largest swing first", () => {
    expect(sens.baseRatio).toBeCloseTo(wideEpRatioByMechanism().ratio!, 9);
    expect(sens.rows.map((r) => r.parameter).sort()).toEqual(
      ["MTP acceptance", "MoE weight precision", "NVLink all-to-all latency", "load imbalance (both EP sizes)", "mean context (KV) length", "tokens/s per user", "per-layer overhead (fitted)", "GEMM efficiency (fitted share of peak)"].sort(),
    );
    const swing = (r: (typeof sens.rows)[number]) => Math.abs((r.ratioHigh ?? 0) - (r.ratioLow ?? 0));
    for (let i = 1; i < sens.rows.length; i++) expect(swing(sens.rows[i])).toBeLessThanOrEqual(swing(sens.rows[i - 1]));
    const lat = sens.rows.find((r) => r.parameter === "NVLink all-to-all latency")!;
    expect(lat.ratioHigh!).toBeGreaterThan(lat.ratioLow!); // slower all-to-all hurts the EP8 side, which has less time to spare
    const overhead = sens.rows.find((r) => r.parameter === "per-layer overhead (fitted)")!;
    expect(overhead.ratioHigh!).toBeGreaterThan(overhead.ratioLow!); // a slower step hurts EP8 more: it runs closer to its limit
    const speed = sens.rows.find((r) => r.parameter === "tokens/s per user")!;
    expect(speed.ratioHigh!).toBeGreaterThan(speed.ratioLow!);
    expect(() => sensitivity({ kvlen: 1 } as never)).toThrow(/did you mean "kvLen"/);
  });

  it("the calibration points are built once and are the report's rows", () => {
    expect(calibrationPoints().map((p) => p.name)).toEqual(report.points.map((p) => p.name));
  });
});
