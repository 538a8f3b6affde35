import { describe, expect, it } from "vitest";
import { createRng } from "../src/util/rng";
import { unsafeUniformIntDistribution, xoroshiro128plus } from "pure-rand";
import { assertDivisible, assertLoadMatrix, assertPositiveInt } from "../src/util/validate";
import { parseArgs, numberOpt, UsageError } from "../src/cli/args";

describe("createRng", () => {
  it("is reproducible for a seed and differs across seeds", () => {
    const a = createRng(7), b = createRng(7), c = createRng(8);
    const xa = Array.from({ length: 5 }, () => a.next());
    const xb = Array.from({ length: 5 }, () => b.next());
    const xc = Array.from({ length: 5 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    for (const x of xa) expect(x >= 0 && x < 1).toBe(true);
  });
  it("next() is the 53-bit float from two pure-rand uniform draws (2^26 and 2^27 values), bit for bit", () => {
    for (const seed of [0, 1, 7, 12345, 0xffffffff]) {
      const gen = xoroshiro128plus(seed | 0);
      const rng = createRng(seed);
      for (let i = 0; i < 2000; i++) {
        const hi = unsafeUniformIntDistribution(0, (1 << 26) - 1, gen);
        const lo = unsafeUniformIntDistribution(0, (1 << 27) - 1, gen);
        expect(rng.next()).toBe((hi * 134217728 + lo) / 9007199254740992);
      }
    }
  });
  it("draws integers inside the inclusive range and normals with sane moments", () => {
    const r = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(2, 5));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
    let s = 0, s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) { const z = r.normal(); s += z; s2 += z * z; }
    expect(Math.abs(s / n)).toBeLessThan(0.05);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });
  it("rejects bad seeds and ranges naming them", () => {
    expect(() => createRng(-1)).toThrow(/seed/);
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(NaN)).toThrow(/seed/);
    expect(() => createRng(1).int(5, 2)).toThrow(/hi/);
  });
});

describe("validate", () => {
  it("names parameter and value", () => {
    expect(() => assertPositiveInt("numGpus", 0)).toThrow("numGpus must be ≥ 1, got 0");
    expect(() => assertDivisible("numReplicas", 17, "numGpus", 8)).toThrow("numReplicas (17) must be divisible by numGpus (8)");
    expect(() => assertLoadMatrix("weight", [[1, 2], [3]])).toThrow(/rectangular/);
    expect(() => assertLoadMatrix("weight", [[1, -2]])).toThrow("weight[0][1] must be ≥ 0, got -2");
    expect(() => assertLoadMatrix("weight", [])).toThrow(RangeError);
    expect(assertLoadMatrix("weight", [[1, 2], [3, 4], [5, 6]])).toEqual([3, 2]);
  });
});

describe("parseArgs", () => {
  it("parses options, flags and numbers; rejects junk", () => {
    const a = parseArgs(["--ep", "32", "--overlap", "--gpu=h800", "x"], ["overlap"]);
    expect(numberOpt(a, "ep")).toBe(32);
    expect(a.options.get("overlap")).toBe(true);
    expect(a.options.get("gpu")).toBe("h800");
    expect(a.positional).toEqual(["x"]);
    expect(() => numberOpt(parseArgs(["--ep", "abc"]), "ep")).toThrow(UsageError);
    expect(() => parseArgs(["--ep"])).toThrow(/needs a value/);
  });
});
