import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { route, routeScores, softmax, sigmoid, scoreLogits, type RouterOptions } from "../../src/routing";
import { snapshot } from "./helpers";

const f = Math.fround;

describe("scoring", () => {
  it("softmax and sigmoid give hand-checked values", () => {
    expect(Array.from(softmax(new Float32Array([0, Math.log(3)]), 1, 2))).toEqual([f(0.25), f(0.75)]);
    const sg = sigmoid(new Float32Array([0, 2, -2]), 1, 3);
    expect(sg[0]).toBe(0.5);
    expect(sg[1]).toBeCloseTo(0.8807971, 6);
    expect(sg[1] + sg[2]).toBeCloseTo(1, 6);
    // numerically stable for large logits
    expect(Array.from(softmax(new Float32Array([1000, 1000]), 1, 2))).toEqual([0.5, 0.5]);
    expect(Array.from(scoreLogits(new Float32Array([0, 0]), 1, 2, "softmax"))).toEqual([0.5, 0.5]);
  });
  it("rejects bad input naming it", () => {
    expect(() => softmax(new Float32Array([0, NaN]), 1, 2)).toThrow("logits must be finite: token 0, expert 1 is NaN");
    expect(() => sigmoid(new Float32Array([0, Infinity]), 1, 2)).toThrow(/logits must be finite/);
    expect(() => softmax(new Float32Array(3), 1, 2)).toThrow(/logits must hold/);
    expect(() => sigmoid([0] as unknown as Float32Array, 1, 1)).toThrow(TypeError);
    expect(() => scoreLogits(new Float32Array(2), 1, 2, "relu" as never)).toThrow(/scoring must be one of/);
    expect(() => softmax(new Float32Array(2), 0, 2)).toThrow(/numTokens/);
  });
});

describe("route: exact cases", () => {
  it("softmax top-2 renormalised over the picks", () => {
    const r = route(new Float32Array([2, 1, 0, 3]), { numExperts: 4, topK: 2 });
    expect(Array.from(r.indices)).toEqual([3, 0]);
    // e^3 / (e^3 + e^2) = 1 / (1 + e^-1)
    expect(r.weights[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(r.weights[1]).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
    expect(r).toMatchObject({ numTokens: 1, numExperts: 4, topK: 2, numSharedExperts: 0 });
  });

  // 8 experts in 4 groups of 2. Group top-2 sums: g0 = 0.9, g1 = 0.95, g2 = 0.2, g3 = 0.975.
  const s = new Float32Array([0.9, 0.0, 0.5, 0.45, 0.1, 0.1, 0.6, 0.375]);
  it("group-limited routing keeps the best topkGroup groups by top-2 sum, then picks inside them", () => {
    const r = routeScores(s, { numExperts: 8, topK: 2, numGroups: 4, topkGroup: 2 });
    // groups 3 and 1 kept; expert 0 (the best single score) is excluded
    expect(Array.from(r.indices)).toEqual([6, 2]);
    expect(r.weights[0]).toBeCloseTo(0.6 / 1.1, 6);
    expect(r.weights[1]).toBeCloseTo(0.5 / 1.1, 6);
  });
  it("without a group limit, or with max group scoring, expert 0 is chosen", () => {
    expect(Array.from(routeScores(s, { numExperts: 8, topK: 2 }).indices)).toEqual([0, 6]);
    // max scoring: g0 = 0.9, g1 = 0.5, g2 = 0.1, g3 = 0.6 → keep g0, g3
    expect(Array.from(routeScores(s, { numExperts: 8, topK: 2, numGroups: 4, topkGroup: 2, groupScore: "max" }).indices)).toEqual([0, 6]);
    // topkGroup = numGroups is the same as no limit
    expect(Array.from(routeScores(s, { numExperts: 8, topK: 2, numGroups: 4, topkGroup: 4 }).indices)).toEqual([0, 6]);
  });
  it("the bias changes the selection only; weights come from the unbiased scores", () => {
    const sc = new Float32Array([0.5, 0.4, 0.3, 0.2]);
    const bias = new Float32Array([0, 0, 0.25, 0]);
    const r = routeScores(sc, { numExperts: 4, topK: 2, bias });
    expect(Array.from(r.indices)).toEqual([2, 0]); // selection scores 0.55, 0.5
    expect(r.weights[0]).toBeCloseTo(0.3 / 0.8, 6);
    expect(r.weights[1]).toBeCloseTo(0.5 / 0.8, 6);
    const scaled = routeScores(sc, { numExperts: 4, topK: 2, bias, routedScalingFactor: 2.5 });
    expect(scaled.weights[0]).toBeCloseTo(0.9375, 6);
    expect(scaled.weights[1]).toBeCloseTo(1.5625, 6);
    const raw = routeScores(sc, { numExperts: 4, topK: 2, bias, normalize: false, routedScalingFactor: 2.5 });
    expect(Array.from(raw.weights)).toEqual([f(f(0.3) * 2.5), f(f(0.5) * 2.5)]);
  });
  it("the bias also steers the group choice", () => {
    const sc = new Float32Array([0.4, 0.4, 0.3, 0.3]);
    const opts: RouterOptions = { numExperts: 4, topK: 1, numGroups: 2, topkGroup: 1 };
    expect(Array.from(routeScores(sc, opts).indices)).toEqual([0]);
    const r = routeScores(sc, { ...opts, bias: new Float32Array([0, 0, 0.2, 0.2]) });
    expect(Array.from(r.indices)).toEqual([2]); // group 1 wins 1.0 vs 0.8; tie 2 vs 3 → lower id
    expect(Array.from(r.weights)).toEqual([1]);
  });
  it("DeepSeek-V3 style: sigmoid scoring, 8 groups keep 4, scaling 2.5, one shared expert", () => {
    const logits = new Float32Array(16).map((_, j) => (j % 5) - 2); // [-2,-1,0,1,2,-2,...]
    const r = route(logits, { numExperts: 16, topK: 4, scoring: "sigmoid", numGroups: 8, topkGroup: 4, routedScalingFactor: 2.5, numSharedExperts: 1 });
    // groups of 2 hold logits (-2,-1) (0,1) (2,-2) (-1,0) (1,2) (-2,-1) (0,1) (2,-2); sigmoid top-2 sums
    // 0.388 1.231 1.000 0.769 1.612 0.388 1.231 1.000 → keep g4, g1, g6 and g2 (g2/g7 tie → lower index)
    // kept scores: 4 and 9 = σ(2); then σ(1) ties at experts 3, 8, 13 → 3 and 8 (lower ids)
    const groupsUsed = new Set(Array.from(r.indices, (e) => e >> 1));
    for (const g of groupsUsed) expect([1, 2, 4, 6]).toContain(g);
    expect(Array.from(r.indices)).toEqual([4, 9, 3, 8]);
    const sum = r.weights.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(2.5, 5);
    expect(r.numSharedExperts).toBe(1);
  });
});

describe("route: properties", () => {
  const arb = fc
    .record({
      numTokens: fc.integer({ min: 1, max: 5 }),
      numGroups: fc.constantFrom(1, 2, 4),
      groupSize: fc.integer({ min: 2, max: 6 }),
      scoring: fc.constantFrom("softmax" as const, "sigmoid" as const),
      useBias: fc.boolean(),
      scale: fc.constantFrom(1, 2.5),
    })
    .chain((c) =>
      fc.record({
        c: fc.constant(c),
        topkGroup: fc.integer({ min: 1, max: c.numGroups }),
        logits: fc.array(fc.integer({ min: -30, max: 30 }), { minLength: c.numTokens * c.numGroups * c.groupSize, maxLength: c.numTokens * c.numGroups * c.groupSize }),
        bias: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: c.numGroups * c.groupSize, maxLength: c.numGroups * c.groupSize }),
      }),
    )
    .chain((x) => fc.record({ x: fc.constant(x), topK: fc.integer({ min: 1, max: x.topkGroup * x.c.groupSize }) }));

  it("k distinct experts inside ≤ topkGroup groups, weights sum to 1 before scaling, inputs untouched", () => {
    fc.assert(
      fc.property(arb, ({ x, topK }) => {
        const { c, topkGroup } = x;
        const numExperts = c.numGroups * c.groupSize;
        const logits = new Float32Array(x.logits.map((v) => v / 10));
        const bias = c.useBias ? new Float32Array(x.bias.map((v) => v / 20)) : undefined;
        const before = snapshot(logits);
        const biasBefore = bias && snapshot(bias);
        const opts = { numExperts, topK, scoring: c.scoring, numGroups: c.numGroups, topkGroup, bias, routedScalingFactor: c.scale };
        const r = route(logits, opts);
        expect(snapshot(logits)).toEqual(before);
        if (bias) expect(snapshot(bias)).toEqual(biasBefore);
        expect(r.indices.length).toBe(c.numTokens * topK);
        const scores = scoreLogits(logits, c.numTokens, numExperts, c.scoring);
        for (let t = 0; t < c.numTokens; t++) {
          const picks = Array.from(r.indices.subarray(t * topK, (t + 1) * topK));
          expect(new Set(picks).size).toBe(topK);
          expect(new Set(picks.map((e) => Math.floor(e / c.groupSize))).size).toBeLessThanOrEqual(topkGroup);
          const w = r.weights.subarray(t * topK, (t + 1) * topK);
          expect(w.reduce((a, b) => a + b, 0) / c.scale).toBeCloseTo(1, 5);
          // weights are the unbiased scores, renormalised
          const sum = picks.reduce((a, e) => a + scores[t * numExperts + e], 0);
          picks.forEach((e, i) => expect(w[i]).toBeCloseTo((scores[t * numExperts + e] / sum) * c.scale, 5));
          // picks ordered by selection score descending
          const sel = picks.map((e) => f(scores[t * numExperts + e] + (bias ? bias[e] : 0)));
          for (let i = 1; i < sel.length; i++) expect(sel[i - 1]).toBeGreaterThanOrEqual(sel[i]);
        }
        // route = scoring + routeScores
        expect(Array.from(routeScores(scores, opts).indices)).toEqual(Array.from(r.indices));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("route: bad input", () => {
  const l = new Float32Array([1, 2, 3, 4]);
  it("names the option and the value", () => {
    expect(() => route(l, { numExperts: 4, topK: 5 })).toThrow(/topK \(5\) must be ≤/);
    expect(() => route(l, { numExperts: 3, topK: 1 })).toThrow(/logits length \(4\) must be a multiple of numExperts \(3\)/);
    expect(() => route(l, { numExperts: 4, topK: 1, numGroups: 3 })).toThrow("numExperts (4) must be divisible by numGroups (3)");
    expect(() => route(l, { numExperts: 4, topK: 1, numGroups: 2, topkGroup: 3 })).toThrow("topkGroup (3) must be ≤ numGroups (2)");
    expect(() => route(l, { numExperts: 4, topK: 3, numGroups: 2, topkGroup: 1 })).toThrow(/topK \(3\) must be ≤ the experts in the kept groups/);
    expect(() => route(l, { numExperts: 4, topK: 1, numGroups: 4, topkGroup: 2 })).toThrow(/needs ≥ 2 experts per group/);
    expect(() => route(l, { numExperts: 4, topK: 1, bias: new Float32Array(3) })).toThrow(/bias must have numExperts \(4\) entries, got 3/);
    expect(() => route(l, { numExperts: 4, topK: 1, bias: new Float32Array([0, NaN, 0, 0]) })).toThrow(/bias\[1\] must be finite/);
    expect(() => route(l, { numExperts: 4, topK: 1, bias: [0, 0, 0, 0] as unknown as Float32Array })).toThrow(TypeError);
    expect(() => route(l, { numExperts: 4, topK: 1, routedScalingFactor: 0 })).toThrow(/routedScalingFactor must be > 0/);
    expect(() => route(l, { numExperts: 4, topK: 1, scoring: "tanh" as never })).toThrow(/scoring must be one of/);
    expect(() => route(l, { numExperts: 4, topK: 1, numSharedExperts: -1 })).toThrow(/numSharedExperts/);
    expect(() => route(l, { numExperts: 4, topK: 1, normalize: "yes" as never })).toThrow(TypeError);
    expect(() => route(l, { numExperts: 4, topK: 1, topk: 2 } as never)).toThrow(/unknown router option "topk"/);
    expect(() => route(new Float32Array([1, NaN]), { numExperts: 2, topK: 1 })).toThrow(/logits must be finite: token 0, expert 1/);
    expect(() => route(new Float32Array(0), { numExperts: 2, topK: 1 })).toThrow(/must not be empty/);
    expect(() => route(l, null as never)).toThrow(TypeError);
  });
  it("routeScores rejects non-finite scores and unnormalisable picks", () => {
    expect(() => routeScores(new Float32Array([0.5, Infinity]), { numExperts: 2, topK: 1 })).toThrow(/scores must be finite: token 0, expert 1/);
    expect(() => routeScores(new Float32Array([0, 0, 1, 0]), { numExperts: 2, topK: 1 })).toThrow(/cannot renormalise token 0/);
    expect(Array.from(routeScores(new Float32Array([0, 0]), { numExperts: 2, topK: 1, normalize: false }).weights)).toEqual([0]);
  });
});
