import { describe, expect, it } from "vitest";
import {
  DEFAULT_BATCHES,
  FINE_BATCHES,
  NVIDIA_WIDE_EP_CLAIM,
  compareDeployments,
  DENSE_SAME_ACTIVE_SIZE,
  comparePublished,
  denseEquivalent,
  paretoFrontier,
  sweepFrontier,
  throughputAtInteractivity,
  wideEpRatio,
} from "../../src/cost";

const pt = (tokensPerSecPerUser: number, outputTokensPerSecPerGpu: number) => ({ tokensPerSecPerUser, outputTokensPerSecPerGpu });

describe("frontier helpers", () => {
  it("pareto frontier keeps non-dominated points, ascending in tokens/s per user", () => {
    const pts = Object.freeze([pt(10, 100), pt(20, 50), pt(15, 40), pt(5, 90), pt(30, 10)]);
    expect(paretoFrontier(pts)).toEqual([pt(10, 100), pt(20, 50), pt(30, 10)]);
    expect(pts.length).toBe(5);
  });

  it("interpolates on the frontier (hand-computed)", () => {
    const curve = [pt(40, 400), pt(20, 1000)];
    expect(throughputAtInteractivity(curve, 30)).toBeCloseTo(700, 12);
    expect(throughputAtInteractivity(curve, 40)).toBe(400);
    expect(throughputAtInteractivity(curve, 10)).toBe(1000); // slower than needed: the largest batch
    expect(throughputAtInteractivity(curve, 41)).toBeNull();
    expect(throughputAtInteractivity([], 10)).toBeNull();
  });

  it("sweep evaluates the grid, skips EP sizes that do not divide the slots, keeps fitting points", () => {
    const s = sweepFrontier({ model: "deepseek-v3", gpu: "h200", kvLen: 4989, epSizes: [8, 12, 32], batchSizes: [16, 64, 256] });
    expect(s.skippedEpSizes).toEqual([12]);
    expect(s.skippedReasons[12]).toMatch(/redundantExperts 8 \(\(ep − E % ep\) % ep = 8 more slots\)/);
    expect(s.points.length + s.infeasible.length).toBe(6);
    expect(s.byEp[8].length).toBeLessThan(3); // batch 256 at EP8 does not fit on H200
    expect(s.infeasible.some((p) => p.epSize === 8 && p.batchPerGpu === 256 && /does not fit/.test(p.reasons[0]))).toBe(true);
    expect(s.frontier.every((p) => s.points.includes(p))).toBe(true);
    for (const curve of Object.values(s.byEp)) {
      for (let i = 1; i < curve.length; i++) expect(curve[i].tokensPerSecPerUser).toBeLessThanOrEqual(curve[i - 1].tokensPerSecPerUser);
    }
    expect(s.frontier.length).toBeGreaterThan(0);
    expect(DEFAULT_BATCHES[0]).toBe(1);
    expect(FINE_BATCHES[FINE_BATCHES.length - 1]).toBe(1024);
  });

  it("EP32 vs EP8 on GB200 NVL72: ratio at a fixed tokens/s per user, beside NVIDIA's 'up to 1.8×'", () => {
    const r = wideEpRatio({ tokensPerSecPerUser: 30 });
    expect(r.narrowEp).toBe(8);
    expect(r.wideEp).toBe(32);
    expect(r.ratio).not.toBeNull();
    expect(r.ratio!).toBeGreaterThan(1); // wide EP wins at equal interactivity
    expect(r.ratio!).toBeCloseTo(r.wideTokensPerSecPerGpu! / r.narrowTokensPerSecPerGpu!, 12);
    expect(r.published.ratio).toBe(1.8);
    expect(NVIDIA_WIDE_EP_CLAIM.source.url).toMatch(/developer\.nvidia\.com\/blog/);
    // the advantage grows with interactivity: EP8 streams 4× the expert weights every step
    const fast = wideEpRatio({ tokensPerSecPerUser: 45 });
    expect(fast.ratio!).toBeGreaterThan(r.ratio!);
  });

  it("dense model of the same active size / standard EP / wide EP / wide EP + EPLB at the same interactivity", () => {
    const rows = compareDeployments({ model: "deepseek-v3", gpu: "gb200", kvLen: 2048, tokensPerSecPerUser: 30 });
    expect(rows.map((r) => r.name)).toEqual(["dense model of the same active size", "standard EP", "wide EP", "wide EP + EPLB"]);
    const [dense, std, wide, eplb] = rows.map((r) => r.outputTokensPerSecPerGpu!);
    expect(eplb).toBeGreaterThan(wide);
    expect(eplb).toBeGreaterThan(std);
    expect(dense).toBeGreaterThan(eplb); // a dense model of the same active size never pays for idle experts
    expect(denseEquivalent("deepseek-v3").expertFfnSize).toBe(8 * 2048);
    expect(rows[3].redundantExperts).toBe(32);
    // the hypothetical dense row cannot be taken for the lab's baseline, the MoE without EP
    expect(rows[0].name).toBe(DENSE_SAME_ACTIVE_SIZE);
    expect(rows.some((r) => r.name === ("dense" as never) || /no EP/i.test(r.name))).toBe(false);
  });

  it("comparePublished bundles the calibration, DeepEP and the NVL72 ratio", () => {
    const c = comparePublished();
    expect(c.calibration.points.every((p) => p.looError === p.error)).toBe(true); // no refits here
    expect(c.deepEp.length).toBe(6);
    expect(c.nvl72.ratio!).toBeGreaterThan(1.35);
  });

  it("rejects bad inputs", () => {
    const ok = { model: "deepseek-v3", gpu: "gb200", kvLen: 2048 };
    expect(() => sweepFrontier({ ...ok, epSizes: [] })).toThrow(/epSizes/);
    expect(() => sweepFrontier({ ...ok, epSizes: [8.5] })).toThrow(/epSizes\[0\]/);
    expect(() => sweepFrontier({ ...ok, epSizes: [8], batchSizes: [0] })).toThrow(/batchSizes\[0\]/);
    expect(() => sweepFrontier({ ...ok, model: "x", epSizes: [8] })).toThrow(/known/);
    expect(() => sweepFrontier(null as never)).toThrow(TypeError);
    expect(() => paretoFrontier("x" as never)).toThrow(TypeError);
    expect(() => throughputAtInteractivity([], 0)).toThrow(/tokensPerSecPerUser/);
    expect(() => throughputAtInteractivity({} as never, 1)).toThrow(TypeError);
    expect(() => wideEpRatio({ tokensPerSecPerUser: -1 })).toThrow(/tokensPerSecPerUser/);
    expect(() => wideEpRatio({ tokensPerSecPerUser: 30, wideEp: 12 })).toThrow(/do not divide/);
    expect(() => wideEpRatio({ tokensPerSecPerUser: 30, narrowEp: 0 })).toThrow(/narrowEp/);
    expect(() => compareDeployments({ ...ok, tokensPerSecPerUser: 30, wideImbalance: 0.9 })).toThrow(/wideImbalance/);
    expect(() => compareDeployments({ ...ok, tokensPerSecPerUser: 30, wideEp: 12 })).toThrow(/divide/);
    expect(() => compareDeployments({ ...ok, tokensPerSecPerUser: NaN })).toThrow(RangeError);
    expect(() => denseEquivalent("nope")).toThrow(/known/);
    expect(() => comparePublished({ overlapFraction: 2 })).toThrow(/overlapFraction/);
  });
});
