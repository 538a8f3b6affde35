import { describe, expect, it } from "vitest";
import { decodeStep } from "../../src/cost/decode";
import { planDeployment } from "../../src/plan/search";
import { resolvePlanInputs, type PlanInputs } from "../../src/plan/inputs";

const BASE: PlanInputs = { model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50, epSizes: [4, 8, 16, 36, 72] };

describe("planDeployment", { timeout: 600_000 }, () => {
  const r = planDeployment(BASE);

  it("picks a plan that fits, meets the SLA and the budget, re-checked with the cost model", () => {
    const d = r.chosen.decode;
    const kvLen = BASE.isl + BASE.osl / 2;
    const again = decodeStep({ model: "deepseek-v3", gpu: r.inputs.gpu, epSize: d.ep, batchPerGpu: d.batchPerGpu, kvLen, redundantExperts: d.redundantExperts, kvCacheBytes: 1, overlap: d.twoBatchOverlap, loadImbalance: d.loadImbalance });
    expect(again.fits).toBe(true);
    expect(r.chosen.tokensPerSecPerUser).toBeGreaterThanOrEqual(1000 / 50 - 1e-9);
    expect(r.chosen.gpus).toBeLessThanOrEqual(72);
    expect(r.chosen.ttftMs).toBeLessThanOrEqual(10_000);
    expect((d.numSlots) % d.ep).toBe(0);
    expect(r.why).toMatch(/tokens\/s/);
  });

  it("never picks, or lists as a candidate, a deployment the cost model marks infeasible", () => {
    for (const c of r.candidates) {
      for (const p of [c.decode, c.prefill].filter((x) => x !== undefined)) {
        expect(p!.weightsGB + p!.kvGB).toBeLessThan(p!.capacityGB);
      }
    }
    expect(r.rejected.some((x) => /does not fit/.test(x.reason))).toBe(true);
  });

  it("gives every rejected configuration a reason and ranks the chosen one first", () => {
    expect(r.rejected.length).toBeGreaterThan(0);
    for (const x of r.rejected) expect(x.reason.length).toBeGreaterThan(10);
    const total = (c: { tokensPerSecPerGpu: number; gpus: number }) => c.tokensPerSecPerGpu * c.gpus;
    for (const c of r.candidates) expect(total(c)).toBeLessThanOrEqual(total(r.chosen) * (1 + 1e-9));
  });

  it("returns a Pareto frontier: as tokens/s per user rises, tokens/s per GPU falls", () => {
    expect(r.frontier.length).toBeGreaterThan(2);
    for (let i = 1; i < r.frontier.length; i++) {
      expect(r.frontier[i].tokensPerSecPerUser).toBeGreaterThanOrEqual(r.frontier[i - 1].tokensPerSecPerUser);
      expect(r.frontier[i].tokensPerSecPerGpu).toBeLessThan(r.frontier[i - 1].tokensPerSecPerGpu);
    }
  });

  it("searches disaggregated pools with an xPyD ratio and an aggregated baseline", () => {
    const dis = r.candidates.find((c) => c.kind === "disaggregated");
    expect(dis?.ratio).toMatch(/^\d+P\d+D$/);
    expect(dis!.prefill!.maxNumTokens).toBeGreaterThanOrEqual(BASE.isl);
    expect(r.aggregatedBaseline?.kind).toBe("aggregated");
  });

  it("a tight inter-token latency moves the choice to disaggregated serving", () => {
    const tight = planDeployment({ ...BASE, tpotMs: 25 });
    expect(tight.chosen.kind).toBe("disaggregated");
    expect(tight.chosen.tokensPerSecPerUser).toBeGreaterThanOrEqual(40 - 1e-9);
  });

  it("places experts with EPLB: every expert has a slot, slots per layer = numSlots", () => {
    const p = r.placements.decode;
    expect(p.length).toBe(58);
    for (const row of p) {
      expect(row.length).toBe(r.chosen.decode.numSlots);
      expect(new Set(row).size).toBe(256);
    }
  });

  it("with a load target, uses the fewest GPUs that hold it", () => {
    const small = planDeployment({ ...BASE, concurrency: 2000 });
    expect(small.chosen.concurrency).toBeGreaterThanOrEqual(2000);
    expect(small.chosen.gpus).toBeLessThan(72);
  });

  it("is deterministic", () => {
    const again = planDeployment(BASE);
    expect(again.chosen.id).toBe(r.chosen.id);
    expect(again.chosen.tokensPerSecPerGpu).toBe(r.chosen.tokensPerSecPerGpu);
  });

  it("throws a RangeError with reasons when nothing fits", () => {
    expect(() => planDeployment({ ...BASE, nodes: 1, gpusPerNode: 4, epSizes: [4] })).toThrow(/no deployment meets the constraints/);
  });
});

describe("resolvePlanInputs rejects bad input, naming the field", { timeout: 600_000 }, () => {
  const cases: [string, Partial<PlanInputs> & Record<string, unknown>, RegExp][] = [
    ["unknown key", { tpot: 50 }, /unknown key "tpot"; did you mean "tpotMs"/],
    ["unknown model", { model: "gpt-5" }, /unknown model/],
    ["unknown gpu", { gpu: "tpu" }, /unknown gpu/],
    ["NaN nodes", { nodes: NaN }, /inputs.nodes/],
    ["fractional gpus per node", { gpusPerNode: 2.5 }, /inputs.gpusPerNode/],
    ["absurd nodes", { nodes: 1e6 }, /inputs.nodes/],
    ["negative isl", { isl: -1 }, /inputs.isl/],
    ["huge osl", { osl: 1e9 }, /inputs.osl/],
    ["both SLA forms", { tokensPerSecPerUser: 20 }, /exactly one of inputs.tpotMs/],
    ["budget over cluster", { gpuBudget: 100 }, /gpuBudget/],
    ["bad precision", { precision: "int4" as never }, /inputs.precision/],
    ["bad name", { name: "Bad Name" }, /inputs.name/],
    ["bad ep size", { epSizes: [6] }, /inputs.epSizes\[0\]/],
    ["empty ep sizes", { epSizes: [] }, /inputs.epSizes/],
    ["wrong-shaped load", { expertLoad: [[1, 2]] }, /expertLoad must be \[58 MoE layers\]\[256 experts\]/],
  ];
  for (const [label, patch, re] of cases) {
    it(label, () => expect(() => resolvePlanInputs({ ...BASE, ...patch } as PlanInputs)).toThrow(re));
  }
  it("rejects a non-object", () => expect(() => resolvePlanInputs(null as never)).toThrow(TypeError));
});

describe("frontiers by kind", { timeout: 600_000 }, () => {
  it("each kind's frontier is Pareto on its own and the overall frontier draws from both", () => {
    const r = planDeployment(BASE);
    for (const pts of [r.frontierByKind.disaggregated, r.frontierByKind.aggregated]) {
      expect(pts.length).toBeGreaterThan(1);
      for (let i = 1; i < pts.length; i++) expect(pts[i].tokensPerSecPerGpu).toBeLessThan(pts[i - 1].tokensPerSecPerGpu);
    }
    for (const p of r.frontier) expect([...r.frontierByKind.disaggregated, ...r.frontierByKind.aggregated].some((q) => q.id === p.id)).toBe(true);
  });
});
