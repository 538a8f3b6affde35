import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { balancedPacking, replicateExperts } from "../../src/eplb";
import { refPack, refReplicate } from "./reference";

describe("balancedPacking", () => {
  it("packs heaviest first into the lightest non-full pack", () => {
    // 5 → pack 0; 4 → pack 1; 2 → pack 1 (4 < 5); 1 → pack 0 (pack 1 is full).
    expect(balancedPacking([5, 1, 4, 2], 2)).toEqual({ packIndex: [0, 0, 1, 1], rankInPack: [0, 1, 0, 1], packLoads: [6, 6] });
  });

  it("one item per pack: item i → pack i, rank 0, without sorting", () => {
    expect(balancedPacking([1, 9, 3], 3)).toEqual({ packIndex: [0, 1, 2], rankInPack: [0, 0, 0], packLoads: [1, 9, 3] });
  });

  it("ties: lower item index first, lowest pack index first", () => {
    // item 0 → pack 0, item 1 → pack 1, item 2 → pack 0 (2 = 2: lowest pack), item 3 → pack 1.
    expect(balancedPacking([2, 2, 2, 2], 2).packIndex).toEqual([0, 1, 0, 1]);
  });

  it("accumulates pack loads in float32", () => {
    const r = balancedPacking([0.1, 0.2, 0.3, 0.4], 1);
    expect(r.packLoads[0]).toBe(Math.fround(Math.fround(Math.fround(Math.fround(0.4) + Math.fround(0.3)) + Math.fround(0.2)) + Math.fround(0.1)));
  });

  it("matches the slow reference and keeps exactly n/m items per pack (1000 cases)", () => {
    const arb = fc
      .record({ m: fc.integer({ min: 1, max: 6 }), per: fc.integer({ min: 1, max: 6 }), ints: fc.boolean() })
      .chain(({ m, per, ints }) =>
        fc.record({
          m: fc.constant(m),
          w: fc.array(ints ? fc.integer({ min: 0, max: 5 }) : fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: m * per, maxLength: m * per }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ m, w }) => {
        const frozen = Object.freeze(w.slice());
        const r = balancedPacking(frozen, m);
        const ref = refPack(w.map(Math.fround), m);
        const counts = new Array(m).fill(0);
        r.packIndex.forEach((p) => counts[p]++);
        const ranksOk = r.packIndex.every((p, i) => r.packIndex.filter((q, j) => q === p && r.rankInPack[j] === r.rankInPack[i]).length === 1);
        return (
          JSON.stringify([r.packIndex, r.rankInPack]) === JSON.stringify([ref.pack, ref.rank]) &&
          counts.every((c) => c === w.length / m) &&
          ranksOk
        );
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  it("long inputs (radix-sort path, ≥ 128 items) match the slow reference too (200 cases)", () => {
    const arb = fc
      .record({ m: fc.integer({ min: 1, max: 64 }), n: fc.integer({ min: 128, max: 400 }), ints: fc.boolean() })
      .chain(({ m, n, ints }) => {
        const len = Math.ceil(n / m) * m;
        return fc.record({
          m: fc.constant(m),
          w: fc.array(ints ? fc.integer({ min: 0, max: 20 }) : fc.double({ min: 0, max: 3e38, noNaN: true }), { minLength: len, maxLength: len }),
        });
      });
    fc.assert(
      fc.property(arb, ({ m, w }) => {
        const r = balancedPacking(w, m);
        const ref = refPack(w.map(Math.fround), m);
        return JSON.stringify([r.packIndex, r.rankInPack]) === JSON.stringify([ref.pack, ref.rank]);
      }),
      { numRuns: 200, seed: 8 },
    );
  });

  it("rejects bad input, naming it", () => {
    expect(() => balancedPacking([], 1)).toThrow(/weight must not be empty/);
    expect(() => balancedPacking([1, 2, 3], 2)).toThrow(/weight.length \(3\) must be divisible by numPacks \(2\)/);
    expect(() => balancedPacking([1, NaN], 1)).toThrow(/weight\[1\] must be finite, got NaN/);
    expect(() => balancedPacking([1, -3], 1)).toThrow(/weight\[1\] must be ≥ 0, got -3/);
    expect(() => balancedPacking([1, 2], 0)).toThrow(/numPacks must be ≥ 1, got 0/);
    expect(() => balancedPacking("ab" as unknown as number[], 1)).toThrow(TypeError);
  });
});

describe("replicateExperts", () => {
  it("gives each extra slot to the highest load per replica", () => {
    expect(replicateExperts([6, 1, 2], 5)).toEqual({ phy2log: [0, 1, 2, 0, 0], rank: [0, 0, 0, 1, 2], logcnt: [3, 1, 1] });
  });

  it("ties go to the lowest index (float32 quotient)", () => {
    // 4/1 for expert 1 equals 8/2 for expert 0 → expert 0.
    expect(replicateExperts([8, 4], 4).logcnt).toEqual([3, 1]);
  });

  it("numReplicas == experts: identity", () => {
    expect(replicateExperts([3, 1], 2)).toEqual({ phy2log: [0, 1], rank: [0, 0], logcnt: [1, 1] });
  });

  it("matches the slow reference (1000 cases)", () => {
    const arb = fc.record({
      w: fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 12 }),
      extra: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(arb, ({ w, extra }) => {
        const r = replicateExperts(w, w.length + extra);
        const ref = refReplicate(w.map(Math.fround), w.length + extra);
        return (
          JSON.stringify([r.phy2log, r.rank, r.logcnt]) === JSON.stringify([ref.phy2log, ref.rank, ref.cnt]) &&
          r.logcnt.reduce((a, b) => a + b, 0) === w.length + extra
        );
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it("rejects bad input, naming it", () => {
    expect(() => replicateExperts([1, 2], 1)).toThrow(/numReplicas \(1\) must be ≥ the number of experts \(2\)/);
    expect(() => replicateExperts([1, Infinity], 3)).toThrow(/weight\[1\] must be finite/);
    expect(() => replicateExperts([], 3)).toThrow(/weight must not be empty/);
    expect(() => replicateExperts([1], 2.5)).toThrow(/numReplicas must be an integer/);
  });
});
