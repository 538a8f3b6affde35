import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { assignReplicas, dispatchStats, sharedExpertLoad, countExpertLoad, type RoutingIndices } from "../../src/routing";
import { snapshot } from "./helpers";

const routing = (numTokens: number, numExperts: number, topK: number, ids: number[]): RoutingIndices => ({
  numTokens, numExperts, topK, indices: new Int32Array(ids),
});

describe("dispatchStats: exact cases", () => {
  it("counts per expert / GPU / node and the rank→rank traffic (doc example)", () => {
    const r = routing(2, 4, 2, [0, 2, 1, 3]);
    const d = dispatchStats(r, { phy2log: [0, 1, 2, 3], numGpus: 2 });
    expect(Array.from(d.sourceTokensPerGpu)).toEqual([1, 1]);
    expect(Array.from(d.trafficTokens)).toEqual([1, 1, 1, 1]);
    expect(Array.from(d.tokensPerGpu)).toEqual([2, 2]);
    expect(d).toMatchObject({ localTokens: 2, intraNodeTokens: 2, interNodeTokens: 0, slotsPerGpu: 2, gpusPerNode: 2, numSlots: 4 });
  });
  it("sends a token once per destination GPU even when it uses two experts there", () => {
    // token 0 on GPU 0 uses experts 2 and 3, both on GPU 1
    const d = dispatchStats(routing(2, 4, 2, [2, 3, 2, 3]), { phy2log: [0, 1, 2, 3], numGpus: 2 });
    expect(Array.from(d.trafficTokens)).toEqual([0, 1, 0, 1]);
    expect(Array.from(d.trafficCopies)).toEqual([0, 2, 0, 2]);
  });
  it("splits intra-node and inter-node traffic", () => {
    // 4 GPUs in 2 nodes, one expert per GPU; 4 tokens, one per GPU, all to expert 1 (GPU 1, node 0)
    const d = dispatchStats(routing(4, 4, 1, [1, 1, 1, 1]), { phy2log: [0, 1, 2, 3], numGpus: 4, numNodes: 2 });
    expect(Array.from(d.tokensPerGpu)).toEqual([0, 4, 0, 0]);
    expect(Array.from(d.tokensPerNode)).toEqual([4, 0]);
    expect(d).toMatchObject({ localTokens: 1, intraNodeTokens: 1, interNodeTokens: 2 });
    expect(d.gpuLoadStats.max).toBe(4);
    expect(d.gpuLoadStats.balancedness).toBe(0.25);
  });
  // Expert 0 replicated on GPU 0 (slot 0) and GPU 1 (slot 2); tokens 0,1 start on GPU 0, tokens 2,3 on GPU 1.
  const hot = routing(4, 3, 1, [0, 0, 0, 0]);
  const phy2log = Object.freeze([0, 1, 0, 2]);
  it("round-robin replica choice: each rank cycles from replica (rank mod count)", () => {
    const d = dispatchStats(hot, { phy2log, numGpus: 2 });
    expect(Array.from(d.tokensPerSlot)).toEqual([2, 0, 2, 0]);
    expect(Array.from(d.trafficTokens)).toEqual([1, 1, 1, 1]);
  });
  it("local-first replica choice keeps every token on its own GPU", () => {
    const d = dispatchStats(hot, { phy2log, numGpus: 2, replicaRule: "local-first" });
    expect(Array.from(d.trafficTokens)).toEqual([2, 0, 0, 2]);
    expect(d.localTokens).toBe(4);
  });
  it("local-first falls back to a same-node replica, then to any replica", () => {
    // 4 GPUs, 2 nodes; expert 0 on GPU 1 (node 0) and GPU 3 (node 1); token from GPU 0 → GPU 1 (same node)
    const d = dispatchStats(routing(4, 3, 1, [0, 0, 0, 0]), { phy2log: [1, 0, 2, 0], numGpus: 4, numNodes: 2, replicaRule: "local-first" });
    expect(Array.from(d.trafficTokens)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(d).toMatchObject({ localTokens: 2, intraNodeTokens: 2, interNodeTokens: 0 });
  });
  it("least-loaded replica choice balances the GPUs greedily", () => {
    const d = dispatchStats(routing(4, 3, 1, [0, 0, 1, 0]), { phy2log, numGpus: 2, replicaRule: "least-loaded" });
    // t0 → GPU0 (tie → lower slot), t1 → GPU1, t2 → expert 1 on GPU0, t3 → GPU1 (loads 2 vs 1)
    expect(Array.from(d.tokensPerGpu)).toEqual([2, 2]);
    expect(Array.from(d.tokensPerSlot)).toEqual([1, 1, 2, 0]);
  });
  it("splits an uneven batch into contiguous blocks differing by at most one token", () => {
    const d = dispatchStats(routing(5, 2, 1, [0, 0, 0, 0, 0]), { phy2log: [0, 1], numGpus: 2 });
    expect(Array.from(d.sourceTokensPerGpu)).toEqual([3, 2]);
  });
});

describe("dispatchStats: properties", () => {
  const arb = fc
    .record({
      numGpus: fc.constantFrom(1, 2, 4),
      nodesPow: fc.integer({ min: 0, max: 2 }),
      expertsPerGpu: fc.integer({ min: 1, max: 3 }),
      extraPerGpu: fc.integer({ min: 0, max: 2 }),
      numTokens: fc.integer({ min: 1, max: 20 }),
      rule: fc.constantFrom("round-robin" as const, "local-first" as const, "least-loaded" as const),
      seed: fc.nat(),
    })
    .chain((c) => {
      const numExperts = c.numGpus * c.expertsPerGpu;
      return fc.record({
        c: fc.constant(c),
        topK: fc.integer({ min: 1, max: numExperts }),
        extra: fc.array(fc.integer({ min: 0, max: numExperts - 1 }), { minLength: c.numGpus * c.extraPerGpu, maxLength: c.numGpus * c.extraPerGpu }),
        perm: fc.shuffledSubarray(Array.from({ length: numExperts }, (_, e) => e), { minLength: numExperts, maxLength: numExperts }),
      });
    })
    .chain((x) => {
      const numExperts = x.c.numGpus * x.c.expertsPerGpu;
      const rows = fc.shuffledSubarray(Array.from({ length: numExperts }, (_, e) => e), { minLength: x.topK, maxLength: x.topK });
      return fc.record({ x: fc.constant(x), rows: fc.array(rows, { minLength: x.c.numTokens, maxLength: x.c.numTokens }) });
    });
  it("conserves token–expert pairs, matches countExpertLoad, replicas sum to their expert, inputs untouched", () => {
    fc.assert(
      fc.property(arb, ({ x, rows }) => {
        const { c, topK } = x;
        const numExperts = c.numGpus * c.expertsPerGpu;
        const numNodes = Math.min(c.numGpus, 2 ** c.nodesPow);
        const phy2log = [...x.perm, ...x.extra];
        const r = routing(c.numTokens, numExperts, topK, rows.flat());
        const before = snapshot(r.indices);
        const plBefore = phy2log.slice();
        const d = dispatchStats(r, { phy2log, numGpus: c.numGpus, numNodes, replicaRule: c.rule });
        expect(snapshot(r.indices)).toEqual(before);
        expect(phy2log).toEqual(plBefore);
        const pairs = c.numTokens * topK;
        const sum = (a: ArrayLike<number>) => Array.from(a).reduce((p, q) => p + q, 0);
        expect(sum(d.tokensPerGpu)).toBe(pairs);
        expect(sum(d.tokensPerNode)).toBe(pairs);
        expect(sum(d.trafficCopies)).toBe(pairs);
        expect(sum(d.sourceTokensPerGpu)).toBe(c.numTokens);
        expect(Array.from(d.tokensPerExpert)).toEqual(Array.from(countExpertLoad(r.indices, numExperts)));
        const viaSlots = new Array(numExperts).fill(0);
        phy2log.forEach((e, s) => (viaSlots[e] += d.tokensPerSlot[s]));
        expect(viaSlots).toEqual(Array.from(d.tokensPerExpert));
        expect(d.localTokens + d.intraNodeTokens + d.interNodeTokens).toBe(sum(d.trafficTokens));
        // each token reaches between 1 and min(topK, numGpus) distinct GPUs
        expect(sum(d.trafficTokens)).toBeGreaterThanOrEqual(c.numTokens);
        expect(sum(d.trafficTokens)).toBeLessThanOrEqual(c.numTokens * Math.min(topK, c.numGpus));
        if (numNodes === 1) expect(d.interNodeTokens).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("dispatchStats / sharedExpertLoad: bad input", () => {
  const r = routing(2, 4, 2, [0, 2, 1, 3]);
  it("names the problem", () => {
    expect(() => dispatchStats(r, { phy2log: [0, 1, 2], numGpus: 2 })).toThrow(/phy2log length \(3 slots\) must be divisible by numGpus \(2\)/);
    expect(() => dispatchStats(r, { phy2log: [0, 1, 2, 2], numGpus: 2 })).toThrow("expert 3 has no slot in placement.phy2log (every routed expert needs ≥ 1 replica)");
    expect(() => dispatchStats(r, { phy2log: [0, 1, 2, 7], numGpus: 2 })).toThrow("placement.phy2log[3] must be an expert id in [0, 4), got 7");
    expect(() => dispatchStats(r, { phy2log: [0, 1, 2, 3], numGpus: 4, numNodes: 3 })).toThrow("numGpus (4) must be divisible by numNodes (3)");
    expect(() => dispatchStats(r, { phy2log: [0, 1, 2, 3], numGpus: 0 })).toThrow(/placement.numGpus/);
    expect(() => dispatchStats(r, { phy2log: [], numGpus: 1 })).toThrow(/phy2log must not be empty/);
    expect(() => dispatchStats(r, { phy2log: "0123" as never, numGpus: 1 })).toThrow(TypeError);
    expect(() => dispatchStats(r, { phy2log: [0, 1, 2, 3], numGpus: 2, replicaRule: "random" as never })).toThrow(/replicaRule must be one of/);
    expect(() => dispatchStats(routing(2, 4, 2, [0, 2, 1, 9]), { phy2log: [0, 1, 2, 3], numGpus: 2 })).toThrow("routing.indices[3] must be an expert id in [0, 4), got 9");
    expect(() => dispatchStats(routing(3, 4, 2, [0, 2, 1, 3]), { phy2log: [0, 1, 2, 3], numGpus: 2 })).toThrow(/has 2 rows of topK, but routing.numTokens is 3/);
    expect(() => dispatchStats({ ...r, indices: [0, 1, 2, 3] as never }, { phy2log: [0, 1, 2, 3], numGpus: 2 })).toThrow(TypeError);
    expect(() => dispatchStats(null as never, { phy2log: [0], numGpus: 1 })).toThrow(TypeError);
    expect(() => dispatchStats(r, null as never)).toThrow(TypeError);
  });
  it("sharedExpertLoad reports every token on every shared expert", () => {
    expect(Array.from(sharedExpertLoad(4096, 1))).toEqual([4096]);
    expect(Array.from(sharedExpertLoad(3, 0))).toEqual([]);
    expect(() => sharedExpertLoad(0, 1)).toThrow(/numTokens/);
    expect(() => sharedExpertLoad(1, -1)).toThrow(/numSharedExperts must be an integer ≥ 0, got -1/);
  });
});

describe("assignReplicas", () => {
  it("spreads source ranks over replicas (round-robin) and keeps tokens local when it can (local-first)", () => {
    const r = Object.freeze({ numTokens: 4, numExperts: 2, topK: 1, indices: new Int32Array([0, 0, 0, 0]) });
    const placement = { phy2log: [0, 1, 0, 1], numGpus: 2 }; // expert 0 on slot 0 (GPU 0) and slot 2 (GPU 1)
    const rr = assignReplicas(r, placement);
    expect(Array.from(rr.sourceRank)).toEqual([0, 0, 1, 1]);
    expect(Array.from(rr.slotOf)).toEqual([0, 2, 2, 0]);
    expect(Array.from(assignReplicas(r, { ...placement, replicaRule: "local-first" }).slotOf)).toEqual([0, 0, 2, 2]);
    expect(Array.from(assignReplicas(r, { ...placement, replicaRule: "least-loaded" }).slotOf)).toEqual([0, 2, 0, 2]);
  });
  it("agrees with dispatchStats' per-slot counts", () => {
    const r = { numTokens: 6, numExperts: 3, topK: 2, indices: new Int32Array([0, 1, 1, 2, 0, 2, 2, 1, 0, 1, 1, 0]) };
    const placement = { phy2log: [0, 1, 2, 0, 1, 2], numGpus: 3, replicaRule: "least-loaded" as const };
    const counts = new Int32Array(6);
    for (const s of assignReplicas(r, placement).slotOf) counts[s]++;
    expect(Array.from(counts)).toEqual(Array.from(dispatchStats(r, placement).tokensPerSlot));
  });
  it("rejects a placement missing an expert, naming it", () => {
    const r = { numTokens: 1, numExperts: 3, topK: 1, indices: new Int32Array([0]) };
    expect(() => assignReplicas(r, { phy2log: [0, 1], numGpus: 1 })).toThrow(/expert 2 has no slot/);
    expect(() => assignReplicas(r, { phy2log: [0, 1, 2], numGpus: 2 })).toThrow(/divisible by numGpus/);
  });
});
