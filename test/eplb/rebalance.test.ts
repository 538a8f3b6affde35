import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { eplbPolicy, gpuLoads, rebalanceExperts, rebalanceExpertsFlat, toNested } from "../../src/eplb";
import { refRebalance } from "./reference";

const README_WEIGHT = [
  [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
  [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27],
];

function deepFreeze<T>(m: T): T {
  if (Array.isArray(m)) m.forEach(deepFreeze);
  return Object.freeze(m);
}

describe("rebalanceExperts: DeepSeek README example (R=16, G=4, N=2, P=8)", () => {
  const w = deepFreeze(README_WEIGHT.map((r) => r.slice()));
  const r = rebalanceExperts(w, 16, 4, 2, 8);

  it("reproduces the published phy2log", () => {
    expect(r.phy2log).toEqual([
      [5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
      [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1],
    ]);
    expect(r.policy).toBe("hierarchical");
  });

  it("gives the matching logcnt, log2phy and replica ranks", () => {
    expect(r.logcnt).toEqual([
      [1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1],
      [1, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1, 1],
    ]);
    expect(r.log2phy).toEqual([
      [[12, -1], [15, 13], [11, -1], [6, -1], [7, 5], [0, 2], [1, -1], [3, -1], [4, -1], [9, -1], [8, 10], [14, -1]],
      [[13, -1], [15, 11], [8, -1], [14, -1], [9, -1], [10, 12], [2, 4], [0, -1], [6, 3], [7, -1], [1, -1], [5, -1]],
    ]);
    expect(r.phyRank[0]).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
  });

  it("balances GPU loads better than the identity layout", () => {
    const eplb = gpuLoads(w, r.phy2log, 8);
    const identityRow = [...Array(12).keys(), 0, 1, 2, 3];
    const ident = gpuLoads(w, [identityRow, identityRow], 8);
    expect(Math.max(...eplb[0])).toBeLessThan(Math.max(...ident[0]));
    expect(eplb[0].reduce((a, b) => a + b)).toBeCloseTo(README_WEIGHT[0].reduce((a, b) => a + b), 9);
  });

  it("agrees with the slow reference", () => {
    const ref = refRebalance(README_WEIGHT, 16, 4, 2, 8);
    expect(r.phy2log).toEqual(ref.phy2log);
    expect(r.log2phy).toEqual(ref.log2phy);
    expect(r.logcnt).toEqual(ref.logcnt);
    expect(r.phyRank).toEqual(ref.phyRank);
  });
});

describe("rebalanceExperts: policies and small exact cases", () => {
  it("picks hierarchical iff numGroups % numNodes == 0", () => {
    expect(eplbPolicy(8, 4)).toBe("hierarchical");
    expect(eplbPolicy(1, 1)).toBe("hierarchical");
    expect(eplbPolicy(3, 2)).toBe("global");
    expect(rebalanceExperts(README_WEIGHT, 16, 3, 2, 8).policy).toBe("global");
  });

  it("global policy ignores numGroups (any G not divisible by N gives the same result)", () => {
    const a = rebalanceExperts(README_WEIGHT, 16, 3, 2, 8);
    const b = rebalanceExperts(README_WEIGHT, 16, 5, 2, 8); // 12 % 5 != 0 would fail if G were used
    expect(a.phy2log).toEqual(b.phy2log);
    expect(a.phy2log).toEqual(refRebalance(README_WEIGHT, 16, 1, 1, 8).phy2log);
  });

  it("global policy, worked by hand: 4 experts, 6 slots, 3 GPUs", () => {
    // Replication: 8/1 beats 4, then 4/1 (expert 1) ties 8/2 (expert 0) → lower index 0 wins: counts [3,1,1,1].
    // Slot loads [8/3,4,2,2,8/3,8/3] → visited 4(s1), 8/3(s0), 8/3(s4), 8/3(s5), 2(s2), 2(s3), each into the
    // lightest non-full GPU: s1→0, s0→1, s4→2, s5→1 (tie 1 vs 2), s2→2, s3→0.
    const r = rebalanceExperts([[8, 4, 2, 2]], 6, 1, 1, 3);
    expect(r.logcnt).toEqual([[3, 1, 1, 1]]);
    expect(r.phy2log).toEqual([[1, 3, 0, 0, 0, 2]]);
    expect(r.log2phy).toEqual([[[2, 4, 3], [0, -1, -1], [5, -1, -1], [1, -1, -1]]]); // ranks 0,1,2 = s0,s4,s5
    const g = gpuLoads([8, 4, 2, 2], r.phy2log[0], 3);
    [6, 16 / 3, 8 / 3 + 2].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
  });

  it("handles the toy example's 8 experts on 4 GPUs, with and without replicas", () => {
    const load = [[10, 2, 3, 1, 6, 2, 1, 7]];
    const noRep = rebalanceExperts(load, 8, 1, 1, 4);
    expect(noRep.logcnt[0]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(gpuLoads(load, noRep.phy2log, 4)).toEqual([[11, 8, 8, 5]]);
    const rep = rebalanceExperts(load, 12, 1, 1, 4);
    expect(rep.logcnt[0].reduce((a, b) => a + b)).toBe(12);
    expect(Math.max(...gpuLoads(load, rep.phy2log, 4)[0])).toBe(8.5);
    expect(rep).toEqual(toNested(rebalanceExpertsFlat(load[0], 1, { numReplicas: 12, numGroups: 1, numNodes: 1, numGpus: 4 })));
  });

  it("rounds loads to float32 before comparing (1 + 2^-30 ties with 1)", () => {
    // In float64 expert 1 is heavier; in float32 they are equal and the lower index must win the replica.
    const r = rebalanceExperts([[1, 1 + 2 ** -30]], 3, 1, 1, 1);
    expect(r.logcnt).toEqual([[2, 1]]);
  });

  it("treats all-zero loads as ties: every extra replica goes to expert 0 (lowest index wins each tie)", () => {
    const r = rebalanceExperts([[0, 0, 0, 0]], 8, 1, 1, 2);
    expect(r.logcnt).toEqual([[5, 1, 1, 1]]);
  });

  it("the flat API equals the nested one", () => {
    const flat = rebalanceExpertsFlat(Float32Array.from(README_WEIGHT.flat()), 2, { numReplicas: 16, numGroups: 4, numNodes: 2, numGpus: 8 });
    expect(flat.maxReplicas).toBe(2);
    expect(toNested(flat)).toEqual(rebalanceExperts(README_WEIGHT, 16, 4, 2, 8));
  });
});

describe("rebalanceExperts: bad input", () => {
  const w = README_WEIGHT;
  it.each([
    ["empty weight", () => rebalanceExperts([], 16, 4, 2, 8), /weight must not be empty/],
    ["empty row", () => rebalanceExperts([[]], 16, 4, 2, 8), /weight\[0\] must not be empty/],
    ["ragged rows", () => rebalanceExperts([[1, 2], [1]], 2, 1, 1, 1), /rectangular/],
    ["NaN load", () => rebalanceExperts([[1, NaN]], 2, 1, 1, 1), /weight\[0\]\[1\] must be finite, got NaN/],
    ["Infinity load", () => rebalanceExperts([[1, Infinity]], 2, 1, 1, 1), /weight\[0\]\[1\] must be finite/],
    ["negative load", () => rebalanceExperts([[1, -1]], 2, 1, 1, 1), /weight\[0\]\[1\] must be ≥ 0, got -1/],
    ["string load", () => rebalanceExperts([[1, "2" as unknown as number]], 2, 1, 1, 1), /weight\[0\]\[1\] must be a number/],
    ["not an array", () => rebalanceExperts(5 as unknown as number[][], 2, 1, 1, 1), /weight must be an array/],
    ["R not divisible by P", () => rebalanceExperts(w, 17, 4, 2, 8), /numReplicas \(17\) must be divisible by numGpus \(8\)/],
    ["P not divisible by N", () => rebalanceExperts(w, 18, 4, 4, 6), /numGpus \(6\) must be divisible by numNodes \(4\)/],
    ["R < E", () => rebalanceExperts(w, 8, 4, 2, 8), /numReplicas \(8\) must be ≥ the number of experts \(12\)/],
    ["E not divisible by G", () => rebalanceExperts(w, 16, 8, 2, 8), /experts \(12\) must be divisible by numGroups \(8\)/],
    ["fractional R", () => rebalanceExperts(w, 16.5, 4, 2, 8), /numReplicas must be an integer, got 16.5/],
    ["zero GPUs", () => rebalanceExperts(w, 16, 4, 2, 0), /numGpus must be ≥ 1, got 0/],
    ["zero nodes", () => rebalanceExperts(w, 16, 4, 0, 8), /numNodes must be ≥ 1, got 0/],
    ["NaN groups", () => rebalanceExperts(w, 16, NaN, 2, 8), /numGroups must be finite, got NaN/],
  ])("%s", (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it("throws RangeError/TypeError (CLI exit code 2)", () => {
    expect(() => rebalanceExperts(w, 17, 4, 2, 8)).toThrow(RangeError);
    expect(() => rebalanceExperts([["x" as unknown as number]], 1, 1, 1, 1)).toThrow(TypeError);
  });

  it("rebalanceExpertsFlat checks its shape and config", () => {
    const cfg = { numReplicas: 4, numGroups: 1, numNodes: 1, numGpus: 2 };
    expect(() => rebalanceExpertsFlat([1, 2, 3], 2, cfg)).toThrow(/weight.length \(3\) must be divisible by numLayers \(2\)/);
    expect(() => rebalanceExpertsFlat([1, 2], 0, cfg)).toThrow(/numLayers must be ≥ 1/);
    expect(() => rebalanceExpertsFlat([1, -2], 1, cfg)).toThrow(/weight\[1\] must be ≥ 0/);
    expect(() => rebalanceExpertsFlat([1, 2], 1, null as unknown as typeof cfg)).toThrow(/config must be an object/);
    expect(() => rebalanceExpertsFlat([1, 2], 1, { ...cfg, numReplicas: 3 })).toThrow(/divisible by numGpus/);
  });

  it("toNested and eplbPolicy reject bad input", () => {
    expect(() => toNested({} as never)).toThrow(TypeError);
    expect(() => eplbPolicy(0, 1)).toThrow(/numGroups must be ≥ 1/);
    expect(() => eplbPolicy(1, 1.5)).toThrow(/numNodes must be an integer/);
  });
});

/** Random consistent cluster shapes plus loads: many ties (small integers) or arbitrary doubles. */
const caseArb = fc
  .record({
    numNodes: fc.integer({ min: 1, max: 3 }),
    gpusPerNode: fc.integer({ min: 1, max: 3 }),
    groupsPerNode: fc.integer({ min: 1, max: 3 }),
    groupSize: fc.integer({ min: 1, max: 4 }),
    extraSlotsPerGpu: fc.integer({ min: 0, max: 2 }),
    numLayers: fc.integer({ min: 1, max: 3 }),
    global: fc.boolean(),
    ints: fc.boolean(),
  })
  .chain((c) => {
    const numGpus = c.numNodes * c.gpusPerNode;
    const numGroups = c.global && c.numNodes > 1 ? c.numNodes * c.groupsPerNode + 1 : c.numNodes * c.groupsPerNode;
    const numExperts = c.numNodes * c.groupsPerNode * c.groupSize; // divisible by the hierarchical G
    const numReplicas = numGpus * (Math.ceil(numExperts / numGpus) + c.extraSlotsPerGpu);
    const load = c.ints
      ? fc.integer({ min: 0, max: 6 })
      : fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true });
    return fc.record({
      weight: fc.array(fc.array(load, { minLength: numExperts, maxLength: numExperts }), { minLength: c.numLayers, maxLength: c.numLayers }),
      numReplicas: fc.constant(numReplicas),
      numGroups: fc.constant(numGroups),
      numNodes: fc.constant(c.numNodes),
      numGpus: fc.constant(numGpus),
    });
  });

describe("rebalanceExperts: properties (fast-check, 1000 cases each)", () => {
  type Case = { weight: number[][]; numReplicas: number; numGroups: number; numNodes: number; numGpus: number };
  const run = (check: (c: Case) => void) => fc.assert(fc.property(caseArb, check), { numRuns: 1000, seed: 20260601 });

  it("matches the slow independent reference exactly", () => {
    run(({ weight, numReplicas, numGroups, numNodes, numGpus }) => {
      const r = rebalanceExperts(weight, numReplicas, numGroups, numNodes, numGpus);
      const ref = refRebalance(weight, numReplicas, numGroups, numNodes, numGpus);
      const mine = JSON.stringify([r.phy2log, r.logcnt, r.log2phy, r.phyRank]);
      const theirs = JSON.stringify([ref.phy2log, ref.logcnt, ref.log2phy, ref.phyRank]);
      if (mine !== theirs) expect(mine).toBe(theirs); // full diff only on failure (toEqual per case is slow)
    });
  });

  it("every expert has ≥ 1 replica, counts sum to R, each GPU holds exactly R/P valid slots", () => {
    run(({ weight, numReplicas, numGroups, numNodes, numGpus }) => {
      const r = rebalanceExperts(weight, numReplicas, numGroups, numNodes, numGpus);
      const E = weight[0].length;
      const perGpu = numReplicas / numGpus;
      const bad: string[] = [];
      for (let l = 0; l < weight.length; l++) {
        if (!r.logcnt[l].every((c) => c >= 1)) bad.push(`layer ${l}: expert without replica`);
        if (r.logcnt[l].reduce((a, b) => a + b, 0) !== numReplicas) bad.push(`layer ${l}: counts do not sum to R`);
        if (r.phy2log[l].length !== numReplicas) bad.push(`layer ${l}: ${r.phy2log[l].length} slots`);
        for (let g = 0; g < numGpus; g++) {
          const slots = r.phy2log[l].slice(g * perGpu, (g + 1) * perGpu);
          if (slots.length !== perGpu || !slots.every((e) => Number.isInteger(e) && e >= 0 && e < E)) bad.push(`layer ${l} GPU ${g}: ${slots}`);
        }
      }
      expect(bad).toEqual([]);
    });
  });

  it("phy2log, log2phy and logcnt agree", () => {
    run(({ weight, numReplicas, numGroups, numNodes, numGpus }) => {
      const r = rebalanceExperts(weight, numReplicas, numGroups, numNodes, numGpus);
      const maxcnt = Math.max(...r.logcnt.flat());
      const bad: string[] = [];
      for (let l = 0; l < weight.length; l++) {
        const seen = new Set<number>();
        r.log2phy[l].forEach((slots, e) => {
          const c = r.logcnt[l][e];
          if (slots.length !== maxcnt) bad.push(`log2phy[${l}][${e}] has length ${slots.length}`);
          for (let k = 0; k < maxcnt; k++) {
            if (k < c) {
              if (r.phy2log[l][slots[k]] !== e || r.phyRank[l][slots[k]] !== k) bad.push(`log2phy[${l}][${e}][${k}] = ${slots[k]} disagrees`);
              seen.add(slots[k]);
            } else if (slots[k] !== -1) bad.push(`log2phy[${l}][${e}][${k}] should be -1`);
          }
          if (r.phy2log[l].filter((x) => x === e).length !== c) bad.push(`logcnt[${l}][${e}] = ${c} disagrees with phy2log`);
        });
        if (seen.size !== numReplicas) bad.push(`layer ${l}: log2phy covers ${seen.size} of ${numReplicas} slots`);
      }
      expect(bad).toEqual([]);
    });
  });

  it("conserves total load, and replicas of one expert carry equal load", () => {
    run(({ weight, numReplicas, numGroups, numNodes, numGpus }) => {
      const r = rebalanceExperts(weight, numReplicas, numGroups, numNodes, numGpus);
      const g = gpuLoads(weight, r.phy2log, numGpus);
      const perGpu = numReplicas / numGpus;
      const bad: string[] = [];
      for (let l = 0; l < weight.length; l++) {
        const total = weight[l].reduce((a, b) => a + b, 0);
        const placed = g[l].reduce((a, b) => a + b, 0);
        if (Math.abs(placed - total) > 1e-9 * Math.max(1, total)) bad.push(`layer ${l}: placed ${placed} of ${total}`);
        // Every replica of e carries load/logcnt: re-summing per GPU through log2phy must give the same
        // GPU loads as gpuLoads' count of phy2log occurrences.
        const viaLog2phy = new Array<number>(numGpus).fill(0);
        r.log2phy[l].forEach((slots, e) => {
          for (const s of slots) if (s >= 0) viaLog2phy[Math.floor(s / perGpu)] += weight[l][e] / r.logcnt[l][e];
        });
        viaLog2phy.forEach((v, i) => {
          if (Math.abs(v - g[l][i]) > 1e-9 * Math.max(1, v)) bad.push(`layer ${l} GPU ${i}: ${v} vs ${g[l][i]}`);
        });
      }
      expect(bad).toEqual([]);
    });
  });

  it("hierarchical policy keeps each group's replicas on one node", () => {
    run(({ weight, numReplicas, numGroups, numNodes, numGpus }) => {
      if (numGroups % numNodes !== 0) return;
      const r = rebalanceExperts(weight, numReplicas, numGroups, numNodes, numGpus);
      const groupSize = weight[0].length / numGroups;
      const perNode = numReplicas / numNodes;
      for (let l = 0; l < weight.length; l++) {
        const nodeOfGroup = new Map<number, number>();
        let ok = true;
        r.phy2log[l].forEach((e, s) => {
          const g = Math.floor(e / groupSize);
          const node = Math.floor(s / perNode);
          if (!nodeOfGroup.has(g)) nodeOfGroup.set(g, node);
          ok &&= nodeOfGroup.get(g) === node;
        });
        expect(ok).toBe(true);
      }
    });
  });

  it("matches the reference at larger sizes too (global policy, ≥ 128 slots: the radix-sort path; 100 cases)", () => {
    const big = fc
      .record({ gpus: fc.integer({ min: 1, max: 16 }), experts: fc.integer({ min: 100, max: 260 }), extraPerGpu: fc.integer({ min: 0, max: 3 }), ints: fc.boolean() })
      .chain(({ gpus, experts, extraPerGpu, ints }) => {
        const numReplicas = gpus * (Math.ceil(Math.max(experts, 128) / gpus) + extraPerGpu);
        const load = ints ? fc.integer({ min: 0, max: 30 }) : fc.double({ min: 0, max: 1e7, noNaN: true });
        return fc.record({
          weight: fc.array(load, { minLength: experts, maxLength: experts }).map((row) => [row]),
          numReplicas: fc.constant(numReplicas),
          numGpus: fc.constant(gpus),
        });
      });
    fc.assert(
      fc.property(big, ({ weight, numReplicas, numGpus }) => {
        const r = rebalanceExperts(weight, numReplicas, 1, 1, numGpus);
        const ref = refRebalance(weight, numReplicas, 1, 1, numGpus);
        return JSON.stringify([r.phy2log, r.log2phy, r.logcnt]) === JSON.stringify([ref.phy2log, ref.log2phy, ref.logcnt]);
      }),
      { numRuns: 100, seed: 99 },
    );
  });

  it("does not mutate its input (frozen rows stay equal)", () => {
    run(({ weight, numReplicas, numGroups, numNodes, numGpus }) => {
      const before = JSON.stringify(weight);
      rebalanceExperts(deepFreeze(weight), numReplicas, numGroups, numNodes, numGpus);
      expect(JSON.stringify(weight)).toBe(before);
    });
  });
});
