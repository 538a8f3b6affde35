import { describe, expect, it } from "vitest";
import { median } from "../../src/util/stats";

describe("median", () => {
  it("takes the middle value, or the mean of the two middle values, without changing the input", () => {
    const xs = [3, 1, 2];
    expect(median(xs)).toBe(2);
    expect(xs).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([-1, -5, 10, 0.5])).toBe(-0.25);
  });

  it("sorts numerically, not as text", () => {
    expect(median([10, 9, 100])).toBe(10);
  });

  it("rejects what has no median, naming the bad entry", () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, NaN, 2])).toThrow(/xs\[1\] must be a finite number, got NaN/);
    expect(() => median([1, Infinity])).toThrow(/xs\[1\]/);
    expect(() => median([1, "2" as never])).toThrow(/xs\[1\]/);
    expect(() => median("123" as never)).toThrow(TypeError);
  });
});
