import { describe, expect, it } from "vitest";
import { balancedness, gpuLoads, rebalanceExperts } from "../../src/eplb";
import { decodeStep, imbalanceFromExpertLoad, imbalanceFromGpuLoads } from "../../src/cost";
import { createRng } from "../../src/util";

// A skewed one-layer DeepSeek-V3 routing load (256 experts), seeded.
function skewedLoad(): number[] {
  const rng = createRng(7);
  return Array.from({ length: 256 }, (_, i) => Math.round(1000 / (1 + (i % 37)) + 200 * rng.next()));
}

describe("cost model × EPLB library", () => {
  it("imbalance from EPLB GPU loads = 1 / balancedness, and EPLB makes the decode step faster", () => {
    const load = Object.freeze(skewedLoad());
    const placed = rebalanceExperts([load], 288, 8, 18, 144);
    const eplbLoads = gpuLoads(load, placed.phy2log[0], 144);
    const eplbImbalance = imbalanceFromGpuLoads(eplbLoads);
    expect(eplbImbalance).toBeCloseTo(1 / balancedness(eplbLoads), 6);

    const noEplbImbalance = imbalanceFromExpertLoad(load, 128);
    expect(eplbImbalance).toBeLessThan(noEplbImbalance);

    const base = { model: "deepseek-v3", gpu: "h800", batchPerGpu: 96, kvLen: 4989, overlap: true } as const;
    const withEplb = decodeStep({ ...base, epSize: 144, redundantExperts: 32, loadImbalance: eplbImbalance });
    const without = decodeStep({ ...base, epSize: 128, expertLoad: load });
    expect(withEplb.outputTokensPerSecPerGpu!).toBeGreaterThan(without.outputTokensPerSecPerGpu!);
  });
});
