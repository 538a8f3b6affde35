import { describe, expect, it } from "vitest";
import {
  allToAllLatencyFigure,
  balancednessOf,
  countNodesTouched,
  fmt,
  frontierFigure,
  groupGemmFigure,
  loadBarsFigure,
  memoryBarsFigure,
  nodesTouchedFigure,
  onlineEplbFigure,
  placementComparisonFigure,
  placementLoads,
  rooflineFigure,
  routingComparisonFigure,
  routingFigure,
  slotsByGpu,
  throughputBars,
  trafficHeatmap,
  trafficSplit,
  type Figure,
  type RoutingLike,
} from "../../src/viz";

/** Deep-freeze a fixture so any mutation by the code under test throws. */
function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !ArrayBuffer.isView(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Every figure is plain JSON: survives a JSON round trip unchanged and has traces + layout. */
function expectPlainFigure(fig: Figure): void {
  expect(Array.isArray(fig.data)).toBe(true);
  expect(fig.data.length).toBeGreaterThan(0);
  expect(typeof fig.layout).toBe("object");
  expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  for (const t of fig.data) expect(typeof t.type).toBe("string");
}

const routing5: RoutingLike = deepFreeze({
  numTokens: 2,
  numExperts: 16,
  topK: 4,
  indices: [0, 5, 9, 14, 1, 2, 3, 7],
  weights: [0.4, 0.3, 0.2, 0.1, 0.25, 0.25, 0.25, 0.25],
});
const limited: RoutingLike = deepFreeze({
  numTokens: 2,
  numExperts: 16,
  topK: 4,
  indices: [0, 1, 2, 5, 1, 2, 3, 7],
  weights: [0.4, 0.3, 0.2, 0.1, 0.25, 0.25, 0.25, 0.25],
});

describe("routing figures", () => {
  it("routingFigure: one marker per chosen expert, sized and coloured by gate weight", () => {
    const fig = routingFigure(routing5, { numGroups: 4 });
    expectPlainFigure(fig);
    const t = fig.data[0] as any;
    expect(t.x).toEqual([0, 5, 9, 14, 1, 2, 3, 7]);
    expect(t.marker.color).toEqual([0.4, 0.3, 0.2, 0.1, 0.25, 0.25, 0.25, 0.25]);
    expect(t.marker.size[0]).toBe(26); // largest weight → max size
    expect(t.marker.size[3]).toBeLessThan(t.marker.size[2]);
    expect((fig.layout.shapes as unknown[]).length).toBe(2); // bands for groups 0 and 2
    expect(fig).toMatchSnapshot();
  });

  it("countNodesTouched counts distinct contiguous nodes", () => {
    expect(countNodesTouched(routing5, 4)).toEqual([4, 2]);
    expect(countNodesTouched(limited, 4)).toEqual([2, 2]);
    expect(countNodesTouched(routing5, 1)).toEqual([1, 1]);
  });

  it("routingComparisonFigure: panels side by side, nodes touched in the token labels", () => {
    const fig = routingComparisonFigure(
      [
        { label: "plain top-4", routing: routing5 },
        { label: "group-limited", routing: limited },
      ],
      { numGroups: 4 },
    );
    expectPlainFigure(fig);
    expect((fig.layout.yaxis as any).categoryarray).toEqual(["token 1 · 2 nodes", "token 0 · 4 nodes"]);
    expect((fig.layout.yaxis2 as any).categoryarray).toEqual(["token 1 · 2 nodes", "token 0 · 2 nodes"]);
    expect(fig.data.length).toBe(8); // 4 groups × 2 panels
    expect(fig).toMatchSnapshot();
  });

  it("nodesTouchedFigure: grouped bars with the limit line", () => {
    const fig = nodesTouchedFigure(
      [
        { label: "plain", routing: routing5 },
        { label: "limited", routing: limited },
      ],
      { numNodes: 4, limit: 2 },
    );
    expectPlainFigure(fig);
    expect((fig.data[0] as any).y).toEqual([4, 2]);
    expect((fig.data[1] as any).y).toEqual([2, 2]);
    expect(fig).toMatchSnapshot();
  });

  it("rejects bad routing input naming the field", () => {
    expect(() => routingFigure({ ...routing5, indices: [0, 1] })).toThrow(/routing\.indices must have numTokens × topK = 8/);
    expect(() => routingFigure({ ...routing5, weights: [NaN, 0, 0, 0, 0, 0, 0, 0] })).toThrow(/routing\.weights\[0\] must be finite/);
    expect(() => routingFigure({ ...routing5, indices: [0, 5, 9, 16, 1, 2, 3, 7] })).toThrow(/routing\.indices\[3\].*numExperts = 16/);
    expect(() => routingFigure({ ...routing5, indices: [] })).toThrow(/routing\.indices must not be empty/);
    expect(() => routingFigure({ ...routing5, topK: 17 })).toThrow(/routing\.topK \(17\)/);
    expect(() => routingFigure(routing5, { numGroups: 3 })).toThrow(/options\.numGroups/);
    expect(() => routingFigure(routing5, { tokenLabels: ["a"] })).toThrow(/options\.tokenLabels must have numTokens = 2/);
    expect(() => routingComparisonFigure([])).toThrow(/panels must not be empty/);
    expect(() => routingComparisonFigure([{ label: "a", routing: routing5 }, { label: "b", routing: { ...limited, numTokens: 1, indices: [0, 1, 2, 3], weights: [1, 1, 1, 1] } }])).toThrow(
      /panels\[1\]\.routing must have the same numTokens/,
    );
    expect(() => countNodesTouched(routing5, 3)).toThrow(/numNodes \(3\)/);
    expect(() => nodesTouchedFigure([{ label: "a", routing: routing5 }], { numNodes: 4, limit: NaN })).toThrow(/options\.limit/);
  });
});

describe("load figures", () => {
  // The lab's 8-experts-on-4-GPUs flavour: loads per expert.
  const load = deepFreeze([90, 10, 40, 20, 30, 60, 20, 30]);

  it("slotsByGpu and placementLoads split replicas evenly", () => {
    expect(slotsByGpu([0, 1, 2, 0], 2)).toEqual([[0, 1], [2, 0]]);
    const p = placementLoads([6, 2, 4], [[0, 1], [0, 2]], "demo");
    expect(p.loads).toEqual([[3, 2], [3, 4]]);
    expect(balancednessOf(p)).toBeCloseTo(6 / 7, 12);
  });

  it("loadBarsFigure: stacked by slot, mean line, balancedness in the title", () => {
    const p = placementLoads(load, slotsByGpu([0, 1, 2, 3, 4, 5, 6, 7], 4), "contiguous");
    const fig = loadBarsFigure(p);
    expectPlainFigure(fig);
    expect(fig.layout.barmode).toBe("stack");
    // GPU totals 100, 60, 90, 50 → mean 75, max 100
    expect((fig.layout.title as any).text).toBe("GPU load, contiguous: balancedness 0.75 (mean 75 / max 100)");
    expect((fig.layout.shapes as any)[0].y0).toBe(75);
    expect((fig.data[0] as any).text).toEqual(["E0", "E2", "E4", "E6"]);
    expect(fig).toMatchSnapshot();
  });

  it("placementComparisonFigure: one panel per placement, shared y range", () => {
    const contiguous = placementLoads(load, slotsByGpu([0, 1, 2, 3, 4, 5, 6, 7], 4), "contiguous");
    const greedy = placementLoads(load, [[0], [5, 3], [2, 4, 1], [7, 6]], "greedy");
    const eplb = placementLoads(load, [[0, 7], [0, 4], [5, 1], [2, 3, 6]], "EPLB + 1 replica");
    const fig = placementComparisonFigure([contiguous, greedy, eplb]);
    expectPlainFigure(fig);
    expect((fig.layout.yaxis as any).range).toEqual((fig.layout.yaxis3 as any).range);
    const titles = (fig.layout.annotations as any[]).filter((a) => a.xref === "paper").map((a) => a.text);
    expect(titles).toEqual([
      "<b>contiguous</b><br>balancedness 0.75<br>max 100 · mean 75",
      "<b>greedy</b><br>balancedness 0.83<br>max 90 · mean 75",
      "<b>EPLB + 1 replica</b><br>balancedness 0.94<br>max 80 · mean 75",
    ]);
    expect(fig).toMatchSnapshot();
  });

  it("rejects bad placements naming the field", () => {
    expect(() => placementComparisonFigure([])).toThrow(/placements must not be empty/);
    expect(() => loadBarsFigure({ label: "x", experts: [[0, 1]], loads: [[1]] })).toThrow(/placement\.loads\[0\] must have the same length as placement\.experts\[0\]/);
    expect(() => loadBarsFigure({ label: "x", experts: [[0]], loads: [[NaN]] })).toThrow(/loads\[0\]\[0\] must be finite/);
    expect(() => loadBarsFigure({ label: "x", experts: [[0]], loads: [[-1]] })).toThrow(/loads\[0\]\[0\]/);
    expect(() => placementLoads([1, 2], [[0], [5]], "x")).toThrow(/gpuExperts\[1\]\[0\]/);
    expect(() => placementLoads([1, 2], [[0]], "x")).toThrow(/expert 1 has load 2 but no slot/);
    expect(() => placementLoads([], [[0]], "x")).toThrow(/expertLoad must not be empty/);
    expect(() => slotsByGpu([0, 1, 2], 2)).toThrow(/phy2log\.length \(3\) must be divisible by numGpus \(2\)/);
  });
});

describe("traffic figures", () => {
  const m = deepFreeze([
    [5, 1, 2, 0],
    [1, 5, 0, 2],
    [3, 0, 5, 1],
    [0, 3, 1, 5],
  ]);

  it("trafficSplit separates local, intra- and inter-node", () => {
    expect(trafficSplit(m, 2)).toEqual({ local: 20, intraNode: 4, interNode: 10 });
    expect(trafficSplit(m, 4)).toEqual({ local: 20, intraNode: 14, interNode: 0 });
  });

  it("trafficHeatmap outlines nodes and reports shares", () => {
    const fig = trafficHeatmap(m, { gpusPerNode: 2 });
    expectPlainFigure(fig);
    expect((fig.layout.title as any).text).toBe("Dispatch traffic (4 ranks, 2 nodes): local 58.8%, intra-node 11.8%, inter-node 29.4%");
    expect((fig.layout.shapes as unknown[]).length).toBe(2);
    expect(fig).toMatchSnapshot();
  });

  it("allToAllLatencyFigure: model lines and measured points", () => {
    const fig = allToAllLatencyFigure(
      { label: "model", epSizes: [8, 16, 32], dispatchUs: [150, 170.5, 190], combineUs: [190, 230, 260] },
      { label: "DeepEP", epSizes: [8, 32], dispatchUs: [163, 182], combineUs: [186, 228] },
    );
    expectPlainFigure(fig);
    expect(fig.data.map((t) => t.name)).toEqual(["model: dispatch", "model: combine", "DeepEP: dispatch", "DeepEP: combine"]);
    expect((fig.layout.xaxis as any).tickvals).toEqual([8, 16, 32]);
    expect(fig).toMatchSnapshot();
  });

  it("rejects bad traffic / latency input", () => {
    expect(() => trafficHeatmap([])).toThrow(/matrix must not be empty/);
    expect(() => trafficHeatmap([[1, 2], [3]])).toThrow(/matrix must be square/);
    expect(() => trafficHeatmap([[1, NaN], [3, 4]])).toThrow(/matrix\[0\]\[1\] must be finite/);
    expect(() => trafficHeatmap(m, { gpusPerNode: 3 })).toThrow(/gpusPerNode \(3\)/);
    expect(() => allToAllLatencyFigure({ epSizes: [8, 16], dispatchUs: [1], combineUs: [1, 2] })).toThrow(/model\.dispatchUs must have the same length as model\.epSizes/);
    expect(() => allToAllLatencyFigure({ epSizes: [0], dispatchUs: [1], combineUs: [1] })).toThrow(/model\.epSizes\[0\] must be > 0/);
    expect(() => allToAllLatencyFigure({ epSizes: [8], dispatchUs: [1], combineUs: [1] }, { epSizes: [8], dispatchUs: [NaN], combineUs: [1] })).toThrow(/measured\.dispatchUs\[0\]/);
  });
});

describe("online EPLB figure", () => {
  const series = deepFreeze({ balancedness: [0.6, 0.62, 0.91, 0.88, 0.93], movedBytes: [0, 0, 3e9, 3e9, 4.5e9], rebalanceIterations: [2, 4], baseline: [0.6, 0.62, 0.6, 0.58, 0.57] });
  it("two axes, rebalance markers, bytes in GB", () => {
    const fig = onlineEplbFigure(series);
    expectPlainFigure(fig);
    const moved = fig.data.find((t) => t.yaxis === "y2") as any;
    expect(moved.y).toEqual([0, 0, 3, 3, 4.5]);
    const marks = fig.data.find((t) => t.name === "rebalance") as any;
    expect(marks.x).toEqual([2, 4]);
    expect(marks.y).toEqual([0.91, 0.93]);
    expect(fig).toMatchSnapshot();
  });
  it("rejects bad series", () => {
    expect(() => onlineEplbFigure({ balancedness: [], movedBytes: [] })).toThrow(/series\.balancedness must not be empty/);
    expect(() => onlineEplbFigure({ balancedness: [0.5, 0.6], movedBytes: [0] })).toThrow(/series\.movedBytes must have the same length/);
    expect(() => onlineEplbFigure({ balancedness: [1.5], movedBytes: [0] })).toThrow(/series\.balancedness\[0\] must be ≤ 1/);
    expect(() => onlineEplbFigure({ balancedness: [0.5, 0.5], movedBytes: [2, 1] })).toThrow(/series\.movedBytes must be cumulative/);
    expect(() => onlineEplbFigure({ balancedness: [0.5], movedBytes: [0], rebalanceIterations: [3] })).toThrow(/series\.rebalanceIterations\[0\]/);
    expect(() => onlineEplbFigure({ balancedness: [NaN], movedBytes: [0] })).toThrow(/series\.balancedness\[0\] must be finite/);
  });
});

describe("throughput figures", () => {
  it("throughputBars labels speed-ups over the baseline", () => {
    const fig = throughputBars(["Dense", "standard EP", "wide EP", "wide EP + EPLB"], [500, 1000, 1500, 1800], { baselineIndex: 1 });
    expectPlainFigure(fig);
    expect((fig.data[0] as any).text).toEqual(["500<br><b>0.50×</b>", "1000", "1500<br><b>1.50×</b>", "1800<br><b>1.80×</b>"]);
    expect(fig).toMatchSnapshot();
  });
  it("frontierFigure: one curve per EP size with the user-rate marker", () => {
    const fig = frontierFigure(
      [
        { label: "EP8", tokensPerSecPerUser: [20, 60, 120], outputTokensPerSecPerGpu: [1200, 700, 300] },
        { label: "EP32", tokensPerSecPerUser: [20, 60, 120], outputTokensPerSecPerGpu: [2000, 1300, 600], batchSizes: [256, 64, 16] },
      ],
      { markUserRate: 100 },
    );
    expectPlainFigure(fig);
    expect((fig.data[1] as any).customdata).toEqual([256, 64, 16]);
    expect(fig).toMatchSnapshot();
  });
  it("rejects bad throughput input", () => {
    expect(() => throughputBars([], [])).toThrow(/labels must not be empty/);
    expect(() => throughputBars(["a", "b"], [1])).toThrow(/values must have the same length as labels/);
    expect(() => throughputBars(["a"], [NaN])).toThrow(/values\[0\] must be finite/);
    expect(() => throughputBars(["a"], [1], { baselineIndex: 2 })).toThrow(/options\.baselineIndex/);
    expect(() => frontierFigure([])).toThrow(/series must not be empty/);
    expect(() => frontierFigure([{ label: "x", tokensPerSecPerUser: [1, 2], outputTokensPerSecPerGpu: [1] }])).toThrow(/series\[0\]\.outputTokensPerSecPerGpu must have the same length/);
    expect(() => frontierFigure([{ label: "x", tokensPerSecPerUser: [0], outputTokensPerSecPerGpu: [1] }])).toThrow(/series\[0\]\.tokensPerSecPerUser\[0\] must be > 0/);
  });
});

describe("compute and memory figures", () => {
  it("rooflineFigure places decode below and prefill above the ridge", () => {
    const fig = rooflineFigure({ name: "B200", peakFlops: 2.25e15, bandwidthBytesPerSec: 8e12 }, [
      { label: "decode", intensity: 4 },
      { label: "prefill", intensity: 2000 },
    ]);
    expectPlainFigure(fig);
    expect((fig.layout.title as any).text).toBe("Roofline of B200: ridge at 281 FLOP/byte");
    expect(fig.data[1].name).toBe("decode (4 FLOP/B, memory-bound)");
    expect(fig.data[2].name).toBe("prefill (2000 FLOP/B, compute-bound)");
    expect((fig.data[1] as any).y).toEqual([3.2e13]);
    expect((fig.data[2] as any).y).toEqual([2.25e15]);
    expect(fig).toMatchSnapshot();
  });
  it("groupGemmFigure: time per token and FLOP/s panels with roof and crossover", () => {
    const fig = groupGemmFigure(
      { tokensPerExpert: [1, 4, 16, 64], timePerTokenUs: [100, 26, 7, 2.5], label: "cpu" },
      { flopsPerToken: 1e6, roofline: { peakFlops: 1e12, bandwidthBytesPerSec: 1e10, weightBytes: 1e6 } },
    );
    expectPlainFigure(fig);
    expect((fig.data[1] as any).y).toEqual([1e10, 38461538462, 142857142857, 4e11]);
    // crossover = weightBytes × peak / (flopsPerToken × bw) = 100 tokens per expert
    expect((fig.layout.shapes as any)[0].x0).toBe(100);
    expect(fig).toMatchSnapshot();
  });
  it("memoryBarsFigure stacks parts under the HBM line", () => {
    const fig = memoryBarsFigure(
      { epSizes: [8, 32], expertWeightsGB: [80, 20], otherWeightsGB: [15, 15], kvCacheGB: [40, 100], reserveGB: [10, 10] },
      { hbmCapacityGB: 192, gpuName: "B200" },
    );
    expectPlainFigure(fig);
    expect(fig.data.map((t) => t.name)).toEqual(["expert weights", "other weights (attention, dense FFN, shared expert, embeddings)", "KV cache", "reserve"]);
    expect((fig.layout.annotations as any[]).map((a) => a.text)).toEqual(["145 GB", "145 GB", "B200 capacity 192 GB"]);
    expect(fig).toMatchSnapshot();
  });
  it("rejects bad compute / memory input", () => {
    expect(() => rooflineFigure({ peakFlops: NaN, bandwidthBytesPerSec: 1 }, [{ label: "a", intensity: 1 }])).toThrow(/gpu\.peakFlops must be finite/);
    expect(() => rooflineFigure({ peakFlops: 1, bandwidthBytesPerSec: 1 }, [])).toThrow(/points must not be empty/);
    expect(() => rooflineFigure({ peakFlops: 1, bandwidthBytesPerSec: 1 }, [{ label: "a", intensity: -1 }])).toThrow(/points\[0\]\.intensity must be > 0/);
    expect(() => groupGemmFigure({ tokensPerExpert: [1, 2], timePerTokenUs: [1] }, { flopsPerToken: 1 })).toThrow(/measured\.timePerTokenUs must have the same length/);
    expect(() => groupGemmFigure({ tokensPerExpert: [1], timePerTokenUs: [1] }, { flopsPerToken: 0 })).toThrow(/options\.flopsPerToken must be > 0/);
    expect(() => groupGemmFigure({ tokensPerExpert: [1], timePerTokenUs: [1] }, { flopsPerToken: 1, roofline: { peakFlops: 1, bandwidthBytesPerSec: 1, weightBytes: NaN } })).toThrow(
      /options\.roofline\.weightBytes/,
    );
    expect(() => memoryBarsFigure({ epSizes: [8, 16], expertWeightsGB: [1, 2], otherWeightsGB: [1], kvCacheGB: [1, 2] })).toThrow(/memory\.otherWeightsGB must have the same length/);
    expect(() => memoryBarsFigure({ epSizes: [], expertWeightsGB: [], otherWeightsGB: [], kvCacheGB: [] })).toThrow(/memory\.epSizes must not be empty/);
    expect(() => memoryBarsFigure({ epSizes: [8], expertWeightsGB: [-1], otherWeightsGB: [1], kvCacheGB: [1] })).toThrow(/memory\.expertWeightsGB\[0\] must be ≥ 0/);
    expect(() => memoryBarsFigure({ epSizes: [8], expertWeightsGB: [1], otherWeightsGB: [1], kvCacheGB: [1] }, { hbmCapacityGB: 0 })).toThrow(/options\.hbmCapacityGB/);
  });
});

describe("shared helpers", () => {
  it("fmt is compact and deterministic", () => {
    expect(fmt(0)).toBe("0");
    expect(fmt(1800)).toBe("1800");
    expect(fmt(12345)).toBe("12.3k");
    expect(fmt(2.25e15)).toBe("2.25P");
    expect(fmt(0.000123)).toBe("0.000123");
    expect(fmt(281.25)).toBe("281");
  });
  it("options.height is validated", () => {
    expect(() => throughputBars(["a"], [1], { height: -5 })).toThrow(/options\.height must be > 0/);
  });
});
