import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routingKernel, setRoutingKernel } from "../../src/routing/wasm";
import fc from "fast-check";
import { topK, topKInto } from "../../src/routing";
import { referenceTopK, snapshot } from "./helpers";

// Every case runs on both kernels: the WebAssembly SIMD one and the plain-TypeScript fallback.
describe.each(["wasm-simd", "typescript"] as const)("%s kernel", (kernel) => {
  beforeAll(() => {
    setRoutingKernel(kernel);
    expect(routingKernel()).toBe(kernel);
  });
  afterAll(() => setRoutingKernel("auto"));

  describe("topK: exact cases", () => {
    it("sorts by score descending and breaks ties towards the lower expert index", () => {
      const s = new Float32Array([0.1, 0.7, 0.2, 0.7]);
      const r = topK(s, 1, 4, 2);
      expect(Array.from(r.indices)).toEqual([1, 3]);
      expect(Array.from(r.values)).toEqual([Math.fround(0.7), Math.fround(0.7)]);
    });
    it("handles several rows, full 8-wide blocks and a tail, and a row after a much larger one", () => {
      // 3 tokens × 11 experts: row 1 is far below row 0 (the threshold guess from row 0 fails), row 2 all equal.
      const rows = [
        [5, 9, 1, 9, 3, 8, 0, 2, 7, 9, 4],
        [0.5, 0.1, 0.3, 0.2, 0.9, 0.05, 0.6, 0.6, 0.0, 0.4, 0.7],
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      ];
      const s = new Float32Array(rows.flat());
      const r = topK(s, 3, 11, 3);
      expect(Array.from(r.indices)).toEqual([1, 3, 9, 4, 10, 6, 0, 1, 2]);
      expect(Array.from(r.values)).toEqual([9, 9, 9, 0.9, 0.7, 0.6, 1, 1, 1].map(Math.fround));
    });
    it("accepts −Infinity (masked experts rank last) and k = numExperts", () => {
      const s = new Float32Array([-Infinity, 2, -Infinity, 1]);
      expect(Array.from(topK(s, 1, 4, 4).indices)).toEqual([1, 3, 0, 2]);
    });
    it("does not mutate its input", () => {
      const s = new Float32Array([3, 1, 2, 5, 4, 0]);
      const before = snapshot(s);
      topK(s, 2, 3, 2);
      expect(snapshot(s)).toEqual(before);
    });
  });

  describe("topK: properties (vs. a brute-force stable sort)", () => {
    it("equals the reference on random rows with many ties, varying scale between rows", () => {
      const arb = fc
        .record({ numTokens: fc.integer({ min: 1, max: 6 }), numExperts: fc.integer({ min: 1, max: 40 }) })
        .chain(({ numTokens, numExperts }) =>
          fc.record({
            numTokens: fc.constant(numTokens),
            numExperts: fc.constant(numExperts),
            k: fc.integer({ min: 1, max: numExperts }),
            cells: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: numTokens * numExperts, maxLength: numTokens * numExperts }),
            rowScale: fc.array(fc.constantFrom(0.001, 1, 1000, -1), { minLength: numTokens, maxLength: numTokens }),
          }),
        );
      fc.assert(
        fc.property(arb, ({ numTokens, numExperts, k, cells, rowScale }) => {
          const s = new Float32Array(cells.map((c, i) => c * rowScale[Math.floor(i / numExperts)]));
          const before = snapshot(s);
          const r = topK(s, numTokens, numExperts, k);
          const ref = referenceTopK(s, numTokens, numExperts, k);
          expect(Array.from(r.indices)).toEqual(ref.indices);
          expect(Array.from(r.values)).toEqual(ref.values);
          expect(snapshot(s)).toEqual(before);
        }),
        { numRuns: 1000 },
      );
    });
    it("equals the reference on arbitrary float32 values (incl. ±Infinity, −0)", () => {
      const arb = fc.integer({ min: 1, max: 24 }).chain((numExperts) =>
        fc.record({
          numExperts: fc.constant(numExperts),
          k: fc.integer({ min: 1, max: numExperts }),
          rows: fc.array(fc.array(fc.float({ noNaN: true }), { minLength: numExperts, maxLength: numExperts }), { minLength: 1, maxLength: 4 }),
        }),
      );
      fc.assert(
        fc.property(arb, ({ numExperts, k, rows }) => {
          const s = new Float32Array(rows.flat());
          const r = topK(s, rows.length, numExperts, k);
          const ref = referenceTopK(s, rows.length, numExperts, k);
          expect(Array.from(r.indices)).toEqual(ref.indices);
          // distinct picks per row
          for (let t = 0; t < rows.length; t++) expect(new Set(r.indices.subarray(t * k, (t + 1) * k)).size).toBe(k);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe("topK: long runs (the threshold guess adapts across rows)", () => {
    it("equals the reference on 3,000 rows whose scale and offset drift, with masked (−∞) rows and tied rows", () => {
      const E = 64;
      const T = 3000;
      const s = new Float32Array(T * E);
      let seed = 12345;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
      for (let t = 0; t < T; t++) {
        const scale = t < 1000 ? 1 : t < 2000 ? 10 ** ((t % 9) - 4) : 0.5;
        for (let j = 0; j < E; j++) {
          let v = (rnd() - 0.5) * scale + (t % 13 === 0 ? 100 : 0);
          if (t % 17 === 0 && j % 3 !== 0) v = -Infinity; // fewer than k finite values in some rows
          if (t % 23 === 0) v = 1; // a fully tied row
          s[t * E + j] = v;
        }
      }
      for (const k of [1, 8, 30]) {
        const r = topK(s, T, E, k);
        const ref = referenceTopK(s, T, E, k);
        expect(Array.from(r.indices)).toEqual(ref.indices);
        expect(Array.from(r.values)).toEqual(ref.values);
      }
    });
  });

  describe("topK: bad input", () => {
    const s = new Float32Array([1, 2, 3, 4]);
    it("names the parameter and the value", () => {
      expect(() => topK([1, 2] as unknown as Float32Array, 1, 2, 1)).toThrow(TypeError);
      expect(() => topK(s, 1, 4, 0)).toThrow(/k must be ≥ 1, got 0/);
      expect(() => topK(s, 1, 4, 5)).toThrow(/k \(5\) must be ≤ numExperts \(4\)/);
      expect(() => topK(s, 2, 4, 1)).toThrow(/scores must hold numTokens × numExperts = 2 × 4 = 8 values, got length 4/);
      expect(() => topK(s, 0, 4, 1)).toThrow(/numTokens/);
      expect(() => topK(s, 1, 4.5, 1)).toThrow(/numExperts/);
      expect(() => topK(s, 1, 4, NaN)).toThrow(/k must be finite/);
      expect(() => topK(new Float32Array(0), 1, 1, 1)).toThrow(RangeError);
    });
    it("rejects NaN scores naming token and expert, wherever they are", () => {
      expect(() => topK(new Float32Array([1, 2, 3, 4, 5, NaN]), 2, 3, 1)).toThrow("scores must not contain NaN: token 1, expert 2 is NaN");
      const big = new Float32Array(2 * 16).fill(1);
      big[16 + 9] = NaN; // second row, inside an 8-wide block, after a threshold guess was set
      expect(() => topK(big, 2, 16, 2)).toThrow(/token 1, expert 9/);
    });
  });
});

describe("topKInto: topK into caller-provided outputs", () => {
  it("gives topK's picks on random scores with ties, on both kernels, overwriting the outputs", () => {
    for (const kernel of ["wasm-simd", "typescript"] as const) {
      setRoutingKernel(kernel);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 48 }), fc.integer({ min: 0, max: 2 ** 31 }), (T, E, seed) => {
          const k = 1 + (seed % E);
          let x = seed;
          const s = new Float32Array(T * E).map(() => ((x = (x * 1103515245 + 12345) % 2147483648), Math.floor((x / 2147483648) * 7) / 7)); // coarse grid: many ties
          const out = { indices: new Int32Array(T * k).fill(-5), values: new Float32Array(T * k).fill(99) };
          const r = topKInto(s, T, E, k, out);
          const ref = topK(s, T, E, k);
          expect(r).toBe(out);
          expect(Array.from(out.indices)).toEqual(Array.from(ref.indices));
          expect(Array.from(out.values)).toEqual(Array.from(ref.values));
        }),
        { numRuns: 300, seed: 42 },
      );
    }
    setRoutingKernel("auto");
  });

  it("rejects bad outputs by name", () => {
    const s = new Float32Array([0.1, 0.7, 0.2, 0.7]);
    const ok = () => ({ indices: new Int32Array(2), values: new Float32Array(2) });
    expect(() => topKInto(s, 1, 4, 2, null as never)).toThrow(/^out must be an object/);
    expect(() => topKInto(s, 1, 4, 2, { ...ok(), indices: new Float32Array(2) } as never)).toThrow(/^out\.indices must be an Int32Array/);
    expect(() => topKInto(s, 1, 4, 2, { ...ok(), values: [0, 0] } as never)).toThrow(/^out\.values must be a Float32Array/);
    expect(() => topKInto(s, 1, 4, 2, { ...ok(), indices: new Int32Array(3) })).toThrow(/^out\.indices must have numTokens × k = 2 entries, got 3/);
    expect(() => topKInto(s, 1, 4, 2, { ...ok(), values: new Float32Array(1) })).toThrow(/^out\.values must have numTokens × k = 2 entries, got 1/);
    expect(() => topKInto(s, 1, 4, 2, { ...ok(), extra: 1 } as never)).toThrow(/unknown option out\.extra/);
    expect(() => topKInto(s, 1, 4, 5, ok())).toThrow(RangeError);
    expect(() => topKInto(new Float32Array([NaN, 0, 0, 0]), 1, 4, 2, ok())).toThrow(/NaN/);
  });
});
