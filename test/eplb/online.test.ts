import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createDriftingWorkload, DEFAULT_EXPERT_BYTES, preservePlacement, simulateOnlineEplb } from "../../src/eplb";

describe("createDriftingWorkload", () => {
  it("is reproducible from its seed and has shape [layers][experts]", () => {
    const opts = { numLayers: 2, numExperts: 8, numIterations: 3 };
    const a = createDriftingWorkload({ ...opts, seed: 5 });
    const b = createDriftingWorkload({ ...opts, seed: 5 });
    const c = createDriftingWorkload({ ...opts, seed: 6 });
    const x = [a.next(), a.next()];
    expect([b.next(), b.next()]).toEqual(x);
    expect(c.next()).not.toEqual(x[0]);
    expect(x[0]).toHaveLength(2);
    expect(x[0][0]).toHaveLength(8);
    expect(x[0][0]).not.toEqual(x[0][1]); // each layer has its own ranking
    expect(a.iteration).toBe(2);
    expect(x.flat(2).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    a.next();
    expect(() => a.next()).toThrow(/only 3 iterations/);
  });

  it("without noise or drift: uniform stays uniform, Zipf keeps its shape", () => {
    const u = createDriftingWorkload({ numLayers: 1, numExperts: 4, numIterations: 2, tokensPerIteration: 400, popularity: { kind: "uniform" }, driftSigma: 0, noise: false });
    expect(u.next()).toEqual([[100, 100, 100, 100]]);
    const z = createDriftingWorkload({ numLayers: 1, numExperts: 4, numIterations: 2, tokensPerIteration: 2500, driftSigma: 0, noise: false, seed: 1 });
    const first = z.next();
    expect([...first[0]].sort((p, q) => q - p)).toEqual([1200, 600, 400, 300]); // 2500 · (1, 1/2, 1/3, 1/4) / (25/12)
    expect(z.next()).toEqual(first);
  });

  it("drifts: popularity changes over iterations when driftSigma > 0", () => {
    const d = createDriftingWorkload({ numLayers: 1, numExperts: 16, numIterations: 51, driftSigma: 0.3, noise: false, seed: 2 });
    const first = d.next()[0];
    let last = first;
    for (let t = 0; t < 50; t++) last = d.next()[0];
    expect(last).not.toEqual(first);
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum(last) - 8192)).toBeLessThanOrEqual(16); // rounding only
  });

  it("rejects bad options, naming them", () => {
    const ok = { numLayers: 1, numExperts: 4, numIterations: 2 };
    expect(() => createDriftingWorkload({ ...ok, numLayers: 0 })).toThrow(/options.numLayers must be ≥ 1/);
    expect(() => createDriftingWorkload({ ...ok, numExperts: 2.5 })).toThrow(/options.numExperts must be an integer/);
    expect(() => createDriftingWorkload({ ...ok, numIterations: 0 })).toThrow(/options.numIterations must be ≥ 1/);
    expect(() => createDriftingWorkload({ ...ok, popularity: { kind: "zipf", zipfS: -1 } })).toThrow(/zipfS must be ≥ 0/);
    expect(() => createDriftingWorkload({ ...ok, popularity: 5 as never })).toThrow(/options.popularity must be an object/);
    expect(() => createDriftingWorkload({ ...ok, driftSigma: NaN })).toThrow(/driftSigma must be finite/);
    expect(() => createDriftingWorkload({ ...ok, reversion: 2 })).toThrow(/reversion must be in \[0, 1\]/);
    expect(() => createDriftingWorkload({ ...ok, tokensPerIteration: -5 })).toThrow(/tokensPerIteration must be ≥ 0/);
    expect(() => createDriftingWorkload({ ...ok, seed: 1.5 })).toThrow(/options.seed must be an integer/);
    expect(() => createDriftingWorkload({ ...ok, noise: 1 as unknown as boolean })).toThrow(/options.noise must be a boolean/);
    expect(() => createDriftingWorkload(null as never)).toThrow(/options must be an object/);
    expect(() => createDriftingWorkload({ ...ok, zipfS: 1, popularity: { kind: "uniform" } })).toThrow(/not both/);
    expect(() => createDriftingWorkload({ ...ok, driftSigma: 0.1, driftStd: 0.1 })).toThrow(/not both/);
    expect(() => createDriftingWorkload({ ...ok, zipfS: -0.5 })).toThrow(/options.zipfS must be ≥ 0/);
  });

  it("zipfS and driftStd are shorthands for popularity and driftSigma; numIterations defaults to 1000", () => {
    const a = createDriftingWorkload({ numLayers: 1, numExperts: 6, zipfS: 0.7, driftStd: 0.2, seed: 3 });
    const b = createDriftingWorkload({ numLayers: 1, numExperts: 6, popularity: { kind: "zipf", zipfS: 0.7 }, driftSigma: 0.2, seed: 3 });
    expect(a.numIterations).toBe(1000);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
  });
});

describe("preservePlacement", () => {
  it("keeps experts that stay on a GPU in their old slots", () => {
    expect(preservePlacement([0, 1, 2, 3], [1, 0, 3, 2], 2)).toEqual({ phy2log: [0, 1, 2, 3], movedSlots: 0 });
    // GPU 0 keeps expert 0 in slot 0 and receives 3 in slot 1; GPU 1 keeps 1 in slot 3 and receives 2.
    expect(preservePlacement([0, 2, 3, 1], [3, 0, 1, 2], 2)).toEqual({ phy2log: [0, 3, 2, 1], movedSlots: 2 }); // raw: 4 moved
    expect(preservePlacement([[0, 0, 1, 1]], [[1, 0, 0, 1]], 1)).toEqual({ phy2log: [[0, 0, 1, 1]], movedSlots: 0 });
  });

  it("keeps each GPU's expert multiset and never moves more slots than the raw placement (1000 cases)", () => {
    const arb = fc
      .record({ gpus: fc.integer({ min: 1, max: 4 }), per: fc.integer({ min: 1, max: 4 }) })
      .chain(({ gpus, per }) => {
        const row = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: gpus * per, maxLength: gpus * per });
        return fc.record({ gpus: fc.constant(gpus), per: fc.constant(per), a: row, b: row });
      });
    fc.assert(
      fc.property(arb, ({ gpus, per, a, b }) => {
        const r = preservePlacement(Object.freeze(a.slice()) as number[], Object.freeze(b.slice()) as number[], gpus);
        const raw = a.filter((e, s) => e !== b[s]).length;
        const changed = a.filter((e, s) => e !== r.phy2log[s]).length;
        const sameMultisets = [...Array(gpus).keys()].every(
          (g) => JSON.stringify(r.phy2log.slice(g * per, (g + 1) * per).sort()) === JSON.stringify(b.slice(g * per, (g + 1) * per).sort()),
        );
        return sameMultisets && changed === r.movedSlots && r.movedSlots <= raw;
      }),
      { numRuns: 1000, seed: 9 },
    );
  });

  it("rejects bad input, naming it", () => {
    expect(() => preservePlacement([0, 1], [0, 1, 2], 1)).toThrow(/newPhy2log shape \[1\]\[3\] must equal oldPhy2log shape \[1\]\[2\]/);
    expect(() => preservePlacement([0, 1, 2], [0, 1, 2], 2)).toThrow(/slot count \(3\) must be divisible by numGpus \(2\)/);
    expect(() => preservePlacement([0, -1], [0, 1], 1)).toThrow(/oldPhy2log\[0\]\[1\] must be an integer/);
    expect(() => preservePlacement([0, 1], [0, 1], 0)).toThrow(/numGpus must be ≥ 1/);
  });
});

describe("simulateOnlineEplb", () => {
  // Initial placement (EPLB on uniform load, 4 experts on 2 GPUs): [0, 2 | 1, 3].
  // Under load [6, 2, 2, 0]: GPU loads 8 and 2 → balancedness 5/8. EPLB on that load: [0, 3 | 1, 2] → 6 and 4 → 5/6.
  const base = { numLayers: 1, numExperts: 4, numGpus: 2, iterations: 4, windowSize: 1, rebalanceInterval: 2 };
  const loads = Object.freeze(Array.from({ length: 4 }, () => Object.freeze([Object.freeze([6, 2, 2, 0])]))) as unknown as number[][][];

  it("rebalances every interval on the window's load and charges moved slots", () => {
    const r = simulateOnlineEplb({ ...base, loads, expertBytes: 1e9, linkBandwidthGBps: 10 });
    expect(r.iteration).toEqual([0, 1, 2, 3]);
    expect(r.balancedness).toEqual([5 / 8, 5 / 8, 5 / 6, 5 / 6]);
    expect(r.staticBalancedness).toEqual([5 / 8, 5 / 8, 5 / 8, 5 / 8]);
    expect(r.imbalance).toEqual([0.6, 0.6, 0.2, 0.2]);
    expect(r.rebalanceIterations).toEqual([1, 3]);
    expect(r.movedSlots).toEqual([0, 2, 0, 0]);
    expect(r.movedBytes).toEqual([0, 2e9, 0, 0]);
    expect(r.cumulativeMovedBytes).toEqual([0, 2e9, 2e9, 2e9]);
    expect(r.moveSeconds).toEqual([0, 0.1, 0, 0]); // one slot per GPU, in parallel: 1 GB at 10 GB/s
    expect(r.totalMovedSlots).toBe(2);
    expect(r.totalMoveSeconds).toBeCloseTo(0.1, 12);
    expect(r.meanBalancedness).toBeCloseTo((5 / 8 + 5 / 6) / 2, 12);
  });

  it("threshold: no rebalance while windowed balancedness stays at or above it", () => {
    const quiet = simulateOnlineEplb({ ...base, loads, threshold: 0.6 });
    expect(quiet.rebalanceIterations).toEqual([]);
    expect(quiet.totalMovedBytes).toBe(0);
    const busy = simulateOnlineEplb({ ...base, loads, threshold: 0.7 });
    expect(busy.rebalanceIterations).toEqual([1]); // after that the window balancedness is 5/6 ≥ 0.7
  });

  it("layer-by-layer updates install one layer per iteration", () => {
    const two = Array.from({ length: 4 }, () => [[6, 2, 2, 0], [6, 2, 2, 0]]);
    const r = simulateOnlineEplb({ ...base, numLayers: 2, loads: two, layersPerIteration: 1 });
    expect(r.movedSlots).toEqual([0, 2, 2, 0]);
    expect(r.balancedness[2]).toBeCloseTo((5 / 6 + 5 / 8) / 2, 12);
    expect(r.balancedness[3]).toBeCloseTo(5 / 6, 12);
    expect(r.movedBytes[1]).toBe(2 * DEFAULT_EXPERT_BYTES);
  });

  it("on a drifting workload, online EPLB beats the static placement; preserving slots moves less at equal balance", () => {
    const opts = { numLayers: 3, numExperts: 32, numGpus: 8, numReplicas: 40, iterations: 120, windowSize: 10, rebalanceInterval: 20, workload: { seed: 4, driftSigma: 0.1 } };
    const r = simulateOnlineEplb(opts);
    expect(r.meanBalancedness).toBeGreaterThan(r.meanStaticBalancedness + 0.05);
    expect(r.rebalanceIterations).toEqual([19, 39, 59, 79, 99, 119]);
    expect(r.cumulativeMovedBytes[119]).toBe(r.totalMovedBytes);
    expect(r.totalMovedBytes).toBe(r.totalMovedSlots * DEFAULT_EXPERT_BYTES);
    const p = simulateOnlineEplb({ ...opts, preservePlacement: true });
    expect(p.balancedness).toEqual(r.balancedness);
    expect(p.totalMovedSlots).toBeLessThan(r.totalMovedSlots);
    expect(simulateOnlineEplb(opts)).toEqual(r); // deterministic
  });

  it("rejects bad options, naming them", () => {
    const ok = { numLayers: 1, numExperts: 4, numGpus: 2, iterations: 2 };
    expect(() => simulateOnlineEplb(null as never)).toThrow(/options must be an object/);
    expect(() => simulateOnlineEplb({ ...ok, iterations: 0 })).toThrow(/options.iterations must be ≥ 1/);
    expect(() => simulateOnlineEplb({ ...ok, numGpus: 3 })).toThrow(/numReplicas \(4\) must be divisible by numGpus \(3\)/);
    expect(() => simulateOnlineEplb({ ...ok, windowSize: 0 })).toThrow(/options.windowSize must be ≥ 1/);
    expect(() => simulateOnlineEplb({ ...ok, rebalanceInterval: 1.5 })).toThrow(/options.rebalanceInterval must be an integer/);
    expect(() => simulateOnlineEplb({ ...ok, threshold: 0 })).toThrow(/options.threshold must be in \(0, 1\]/);
    expect(() => simulateOnlineEplb({ ...ok, threshold: 1.5 })).toThrow(/options.threshold must be in \[0, 1\]/);
    expect(() => simulateOnlineEplb({ ...ok, expertBytes: -1 })).toThrow(/options.expertBytes must be > 0/);
    expect(() => simulateOnlineEplb({ ...ok, linkBandwidthGBps: 0 })).toThrow(/options.linkBandwidthGBps must be > 0/);
    expect(() => simulateOnlineEplb({ ...ok, layersPerIteration: 0 })).toThrow(/options.layersPerIteration must be ≥ 1/);
    expect(() => simulateOnlineEplb({ ...ok, preservePlacement: "y" as unknown as boolean })).toThrow(/preservePlacement must be a boolean/);
    expect(() => simulateOnlineEplb({ ...ok, loads: [[[1, 2, 3, 4]]] })).toThrow(/options.loads must be an array of 2 iterations/);
    expect(() => simulateOnlineEplb({ ...ok, loads: [[[1, 2, 3, 4]], [[1, 2, 3]]] })).toThrow(/options.loads\[1\] must be \[1\]\[4\], got \[1\]\[3\]/);
    expect(() => simulateOnlineEplb({ ...ok, loads: [[[1, 2, 3, 4]], [[1, 2, NaN, 4]]] })).toThrow(/options.loads\[1\]\[0\]\[2\] must be finite/);
    expect(() => simulateOnlineEplb({ ...ok, workload: { driftSigma: -2 } })).toThrow(/driftSigma must be ≥ 0/);
  });
});
