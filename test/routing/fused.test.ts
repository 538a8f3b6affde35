/**
 * The fast router kernels against the kept reference implementation (`routeReference`, the
 * straightforward multi-pass code): identical indices, weights equal up to float32 rounding,
 * on random logits/bias/groups (fixed fast-check seed), on ties, and on bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routingKernel, setRoutingKernel } from "../../src/routing/wasm";
import fc from "fast-check";
import { route, routeReference, routeScores, routeScoresReference, type RouterOptions, type RoutingResult } from "../../src/routing/route";
import { sigmoid32 } from "../../src/routing/fused";
import { createRng } from "../../src/util/rng";
import { routerShapeFields, validGroupShape } from "./helpers";

/** Indices identical; each weight within 2⁻²¹ relative (a few float32 roundings) of the reference. */
function expectSameRouting(a: RoutingResult, b: RoutingResult): void {
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(a.weights.length).toBe(b.weights.length);
  for (let i = 0; i < a.weights.length; i++) {
    const tol = 2 ** -21 * Math.abs(b.weights[i]) + 1e-37;
    if (!(Math.abs(a.weights[i] - b.weights[i]) <= tol)) {
      throw new Error(`weight ${i}: ${a.weights[i]} vs reference ${b.weights[i]}`);
    }
  }
  expect({ ...a, indices: 0, weights: 0 }).toEqual({ ...b, indices: 0, weights: 0 });
}

const arbCase = fc
  .record({
    ...routerShapeFields(40, 8),
    // coarse values make many exact ties; fine ones make near-ties; wide ones saturate the sigmoid
    grid: fc.constantFrom(0.5, 0.1, 1e-7, 3),
    rowShift: fc.boolean(),
  })
  .filter(validGroupShape)
  .chain((c) => {
    const E = c.numGroups * c.groupSize;
    return fc.record({
      c: fc.constant(c),
      topkGroup: fc.integer({ min: 1, max: c.numGroups }),
      cells: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: c.numTokens * E, maxLength: c.numTokens * E }),
      bias: fc.array(fc.integer({ min: -6, max: 6 }), { minLength: E, maxLength: E }),
    });
  })
  .chain((x) => fc.record({ x: fc.constant(x), topK: fc.integer({ min: 1, max: x.topkGroup * x.c.groupSize }) }));

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

function build({ x, topK }: Case) {
  const { c } = x;
  const E = c.numGroups * c.groupSize;
  // rowShift: every 7th token sits far lower, so thresholds learned on earlier tokens fail
  const logits = new Float32Array(x.cells.map((v, i) => v * c.grid - (c.rowShift && Math.floor(i / E) % 7 === 3 ? 6 : 0)));
  const bias = c.useBias ? new Float32Array(x.bias.map((v) => v / 40)) : undefined;
  const opts: RouterOptions = {
    numExperts: E, topK, scoring: c.scoring, numGroups: c.numGroups, topkGroup: x.topkGroup, groupScore: c.groupScore,
    bias, normalize: c.normalize, routedScalingFactor: c.scale,
  };
  return { logits, opts };
}

/** Runs f, returning its result or the message of what it threw. */
function outcome<T>(f: () => T): T | string {
  try {
    return f();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

// Every case runs on both kernels: the WebAssembly SIMD one and the plain-TypeScript fallback.
describe.each(["wasm-simd", "typescript"] as const)("%s kernel", (kernel) => {
  beforeAll(() => {
    setRoutingKernel(kernel);
    expect(routingKernel()).toBe(kernel);
  });
  afterAll(() => setRoutingKernel("auto"));

  describe("fused router = reference router", () => {
    it("route: same picks and weights on random logits, bias and groups (incl. ties and near-ties)", () => {
      fc.assert(
        fc.property(arbCase, (cs) => {
          const { logits, opts } = build(cs);
          const a = outcome(() => route(logits, opts));
          const b = outcome(() => routeReference(logits, opts));
          if (typeof b === "string" || typeof a === "string") expect(a).toEqual(b);
          else expectSameRouting(a, b);
        }),
        { numRuns: 1500, seed: 20261201 },
      );
    });

    it("routeScores: same picks and weights on random scores, bias and groups", () => {
      fc.assert(
        fc.property(arbCase, (cs) => {
          const { logits, opts } = build(cs);
          const a = outcome(() => routeScores(logits, opts));
          const b = outcome(() => routeScoresReference(logits, opts));
          if (typeof b === "string" || typeof a === "string") expect(a).toEqual(b);
          else expectSameRouting(a, b);
        }),
        { numRuns: 1000, seed: 7 },
      );
    });

    it("DeepSeek-V3 settings at full width, 3,000 tokens of standard-normal logits with a drifting scale", () => {
      const T = 3000;
      const E = 256;
      const rng = createRng(11);
      const logits = new Float32Array(T * E);
      for (let t = 0; t < T; t++) {
        const s = t < 1000 ? 1 : t < 2000 ? 0.2 + (t % 50) / 10 : 3; // scale changes force the thresholds to adapt
        for (let j = 0; j < E; j++) logits[t * E + j] = s * rng.normal() + (t % 97 === 0 ? -8 : 0);
      }
      const bias = new Float32Array(E).map(() => 0.05 * rng.normal());
      const dsv3: RouterOptions = { numExperts: E, topK: 8, scoring: "sigmoid", numGroups: 8, topkGroup: 4, bias, routedScalingFactor: 2.5, numSharedExperts: 1 };
      expectSameRouting(route(logits, dsv3), routeReference(logits, dsv3));
      const softmax: RouterOptions = { numExperts: E, topK: 8 };
      expectSameRouting(route(logits, softmax), routeReference(logits, softmax));
      const groupedSoftmax: RouterOptions = { numExperts: E, topK: 6, numGroups: 8, topkGroup: 3, bias };
      expectSameRouting(route(logits, groupedSoftmax), routeReference(logits, groupedSoftmax));
    });

    it("ties go to the lower expert index, in every kernel", () => {
      const E = 16;
      const flat = new Float32Array(3 * E).fill(0.25);
      for (const opts of [
        { numExperts: E, topK: 3 },
        { numExperts: E, topK: 3, scoring: "sigmoid" as const },
        { numExperts: E, topK: 3, scoring: "sigmoid" as const, numGroups: 4, topkGroup: 2 },
      ]) {
        const r = route(flat, opts);
        expect(Array.from(r.indices)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
        expectSameRouting(r, routeReference(flat, opts));
      }
      // logits one float32 step apart: softmax scores can round together (then the lower index wins)
      const near = new Float32Array([1, Math.fround(1 + 2 ** -23), 0, 0]);
      const n1 = route(near, { numExperts: 4, topK: 1 });
      expectSameRouting(n1, routeReference(near, { numExperts: 4, topK: 1 }));
      // groups tied on their top-2 sum: the lower group index is kept
      const g = new Float32Array([0.5, 0.5, 0.5, 0.5, 0.1, 0.1]);
      const rg = routeScores(g, { numExperts: 6, topK: 2, numGroups: 3, topkGroup: 1 });
      expect(Array.from(rg.indices)).toEqual([0, 1]);
    });

    it("sigmoid32 equals Math.fround(1 / (1 + Math.exp(-v))) bit for bit", () => {
      const ref = (v: number) => Math.fround(1 / (1 + Math.exp(-v)));
      fc.assert(
        fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
          expect(Object.is(sigmoid32(v), ref(v))).toBe(true);
        }),
        { numRuns: 2000, seed: 3 },
      );
      // a dense sweep over the range a gate produces
      const f = new Float32Array(1);
      const mismatches: number[] = [];
      for (let i = 0; i < 200000; i++) {
        f[0] = -20 + i * 2e-4;
        if (sigmoid32(f[0]) !== ref(f[0])) mismatches.push(f[0]);
      }
      expect(mismatches).toEqual([]);
      for (const v of [0, -0, 80, -80, 88.7, -88.7, 103, -103, 1e30, -1e30]) expect(sigmoid32(v)).toBe(ref(v));
    });
  });

  describe("fused router: bad input keeps its named errors", () => {
    const E = 8;
    const dsv3: RouterOptions = { numExperts: E, topK: 2, scoring: "sigmoid", numGroups: 4, topkGroup: 2, bias: new Float32Array(E) };
    it("names the first non-finite logit, wherever it is (fast path or not)", () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const opts of [dsv3, { numExperts: E, topK: 2 }, { numExperts: E, topK: 2, bias: new Float32Array(E) }]) {
          const l = new Float32Array(40 * E).map((_, i) => Math.sin(i));
          l[37 * E + 5] = bad;
          l[38 * E + 1] = NaN;
          expect(() => route(l, opts)).toThrow(`logits must be finite: token 37, expert 5 is ${bad}`);
          expect(() => routeReference(l, opts)).toThrow(`logits must be finite: token 37, expert 5 is ${bad}`);
        }
      }
    });
    it("reports a non-finite logit before an unnormalisable token, as the reference does", () => {
      const l = new Float32Array(4 * E).fill(0.5);
      l.fill(-200, 0, E); // token 0: every sigmoid score is 0
      l[3 * E + 2] = NaN;
      expect(() => route(l, dsv3)).toThrow(/logits must be finite: token 3, expert 2 is NaN/);
      l[3 * E + 2] = 0;
      expect(() => route(l, dsv3)).toThrow(/cannot renormalise token 0: its 2 chosen scores sum to 0/);
      expect(() => routeReference(l, dsv3)).toThrow(/cannot renormalise token 0: its 2 chosen scores sum to 0/);
    });
  });
});
