import { describe, expect, it } from "vitest";
import { sensitivityDemo } from "../../src/lab";
import { sensitivity, wideEpRatioByMechanism, NVIDIA_WIDE_EP_CLAIM } from "../../src/cost";
import { tornadoFigure } from "../../src/viz";

describe("sensitivityDemo (Lab 3.1 §8.5: the tornado chart)", () => {
  const demo = sensitivityDemo();

  it("is the cost model's sensitivity at NVIDIA's operating point, one row per assumption, largest swing first", () => {
    const s = sensitivity();
    expect(demo.rows.map((r) => r.assumption)).toEqual(s.rows.map((r) => r.parameter));
    expect(demo.rows.length).toBeGreaterThanOrEqual(5);
    const swing = (r: (typeof demo.rows)[number]) => Math.abs((r.ratioAtHigh ?? 0) - (r.ratioAtLow ?? 0));
    for (let i = 1; i < demo.rows.length; i++) expect(swing(demo.rows[i - 1]) + 0.011).toBeGreaterThanOrEqual(swing(demo.rows[i]));
    const m = wideEpRatioByMechanism();
    expect(demo.base.ratio).toBeCloseTo(m.ratio!, 2);
    // The published ratio sits inside the model's band of 1.35–2.25 at the published point.
    expect(demo.base.ratio!).toBeGreaterThan(1.35);
    expect(demo.base.ratio!).toBeLessThan(2.25);
    // The mechanism: EP8 keeps a smaller batch than EP32 at the target per-user speed.
    expect(demo.base.narrowBatchPerGpu).toBeLessThan(demo.base.wideBatchPerGpu);
  });

  it("draws one bar pair per assumption around the base ratio, with NVIDIA's value as a reference line", () => {
    const f = demo.figure;
    expect(f.data).toHaveLength(4);
    for (const t of f.data.slice(0, 2)) expect((t.y as string[]).length).toBe(demo.rows.length);
    const low = f.data[0].x as number[];
    demo.rows.forEach((r, i) => {
      if (r.ratioAtLow !== null) expect(low[i] + demo.base.ratio!).toBeCloseTo(r.ratioAtLow, 1);
    });
    expect(f.data[2].x).toEqual([demo.base.ratio, demo.base.ratio].map((v) => expect.closeTo(v!, 2)));
    expect(f.data[3].x).toEqual([NVIDIA_WIDE_EP_CLAIM.ratio, NVIDIA_WIDE_EP_CLAIM.ratio]);
    expect(f.data[3].name).toMatch(/NVIDIA: 1\.8×/);
    expect(String(demo.summary)).toMatch(/1\.8×/);
    expect(String(demo.summary)).toContain(demo.rows[0].assumption);
  });
});

describe("tornadoFigure", () => {
  const bar = { parameter: "MTP acceptance", low: "0.6", high: "0.95", valueLow: 1.6, valueHigh: 2.0 };
  it("bars start at the base and end at each value; a missing end is a zero-length bar", () => {
    const f = tornadoFigure([bar, { ...bar, parameter: "speed", valueHigh: null }], 1.8, { reference: 1.8 });
    expect(f.data[0].x).toEqual([-0.2, -0.2]);
    expect(f.data[1].x).toEqual([0.2, 0]);
    expect(f.data[0].base).toEqual([1.8, 1.8]);
    expect((f.layout.xaxis as { type: string }).type).toBe("log");
  });
  it("rejects bad input naming it", () => {
    expect(() => tornadoFigure([], 1)).toThrow(/bars must be a non-empty array/);
    expect(() => tornadoFigure([bar], 0)).toThrow(/base/);
    expect(() => tornadoFigure([bar], NaN)).toThrow(/base/);
    expect(() => tornadoFigure([{ ...bar, valueLow: -1 }], 1)).toThrow(/bars\[0\]\.valueLow/);
    expect(() => tornadoFigure([{ ...bar, valueLow: null, valueHigh: null }], 1)).toThrow(/no value at either end/);
    expect(() => tornadoFigure([{ ...bar, parameter: 3 as unknown as string }], 1)).toThrow(/bars\[0\]\.parameter must be a string/);
    expect(() => tornadoFigure([bar], 1, { reference: -2 })).toThrow(/options\.reference/);
  });
});

describe("tornadoFigure axis", () => {
  it("labels the log axis with round ratios inside its range", () => {
    const f = tornadoFigure([{ parameter: "p", low: "a", high: "b", valueLow: 1.5, valueHigh: 12 }], 1.8);
    const ax = f.layout.xaxis as { tickvals: number[]; ticktext: string[] };
    expect(ax.tickvals).toEqual([1.5, 2, 3, 5, 10]);
    expect(ax.ticktext[0]).toBe("1.5×");
  });
});
