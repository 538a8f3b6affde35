import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  injectPlotly,
  plotlyAssetPath,
  plotlyVersion,
  busy,
  busyBundle,
  md,
  PLOTLY_MIME,
  progress,
  resetDisplayState,
  setDisplaySink,
  show,
  table,
  TEXT_SINK,
  type DisplaySink,
  type MimeBundle,
} from "../../src/notebook";

interface Emitted {
  bundle: MimeBundle;
  displayId?: string;
  update?: boolean;
}

function captureSink(rich: boolean): DisplaySink & { out: Emitted[] } {
  const out: Emitted[] = [];
  return { rich, out, emit: (bundle, displayId, update) => void out.push({ bundle, displayId, update }) };
}

const fig = Object.freeze({ data: [Object.freeze({ type: "bar", x: ["a"], y: [1] })], layout: Object.freeze({}) });

let sink: ReturnType<typeof captureSink>;
beforeEach(() => {
  resetDisplayState();
  sink = captureSink(true);
  setDisplaySink(sink);
});
afterEach(() => {
  setDisplaySink(null);
  resetDisplayState();
});

describe("show", () => {
  it("sends one small bundle per figure with counting ids, never plotly.js itself", () => {
    show(fig);
    show(fig);
    expect(sink.out).toHaveLength(2);
    const [first, second] = sink.out.map((e) => e.bundle);
    expect(first["text/html"]).toMatch(/^<div id="ep-plot-1"/);
    expect(second["text/html"]).toMatch(/^<div id="ep-plot-2"/);
    expect((first["text/html"] as string).length).toBeLessThan(10_000);
    expect(first["text/html"]).toContain(`"${plotlyAssetPath(plotlyVersion())}"`); // where the page loads plotly.js from
    expect(first[PLOTLY_MIME]).toMatchObject({ data: [{ type: "bar", x: ["a"], y: [1] }] });
    expect(sink.out.every((e) => e.displayId === undefined && !e.update)).toBe(true);
  });

  it("ids restart after a state reset (new session)", () => {
    show(fig);
    resetDisplayState();
    show(fig);
    const htmls = sink.out.map((e) => String(e.bundle["text/html"]).slice(0, 30));
    expect(htmls.filter((h) => h.startsWith('<div id="ep-plot-1"'))).toHaveLength(2);
  });

  it("injectPlotly() sends the whole plotly.js inline when asked", () => {
    injectPlotly();
    expect(sink.out).toHaveLength(1);
    expect((sink.out[0].bundle["text/html"] as string).length).toBeGreaterThan(1_000_000);
    expect(sink.out[0].bundle["text/plain"]).toMatch(/^plotly\.js \d+\.\d+\.\d+ loaded/);
  });

  it("rejects an unknown option key, naming the nearest one", () => {
    expect(() => show(fig, { heigthPx: 300 } as never)).toThrow(/unknown key "heigthPx" \(did you mean "heightPx"\?\)/);
  });

  it("validates before sending anything", () => {
    expect(() => show({ data: "x" } as never)).toThrow(TypeError);
    expect(() => show(fig, { heightPx: 0 })).toThrow(RangeError);
    expect(sink.out).toHaveLength(0);
  });

  it("outside a kernel prints the summary and sends no plotly.js", () => {
    const text = captureSink(false);
    setDisplaySink(text);
    show(fig);
    expect(text.out).toHaveLength(1);
    expect(text.out[0].bundle["text/plain"]).toBe("Plotly figure (1 trace: bar)");
  });
});

describe("table and md", () => {
  it("emit one bundle each", () => {
    table([{ a: 1 }], { digits: 2 });
    md("**x**");
    expect(sink.out.map((e) => Object.keys(e.bundle))).toEqual([["text/html", "text/plain"], ["text/markdown", "text/plain"]]);
  });
  it("throw on bad input without emitting", () => {
    expect(() => table("rows" as never)).toThrow(TypeError);
    expect(() => md(null as never)).toThrow(TypeError);
    expect(sink.out).toHaveLength(0);
  });
});

describe("progress", () => {
  it("creates one display and updates it in place, only when the percent changes", () => {
    const p = progress(1000, "layers");
    for (let i = 0; i < 1000; i++) p.tick();
    p.done();
    const ids = new Set(sink.out.map((e) => e.displayId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{16}$/);
    expect(sink.out[0].update).toBe(false);
    expect(sink.out.slice(1).every((e) => e.update === true)).toBe(true);
    expect(sink.out.length).toBe(1 + 100 + 1); // first draw, one per percent, final
    expect(sink.out.at(-1)?.bundle["text/plain"]).toBe("layers [####################] 1000/1000 (100%)");
    expect(p.value).toBe(1000);
  });

  it("update() sets value and label; done() is idempotent and later ticks are ignored", () => {
    const p = progress(4);
    p.update(2, "half");
    expect(sink.out.at(-1)?.bundle["text/plain"]).toBe("half [##########----------] 2/4 (50%)");
    p.done("finished");
    const n = sink.out.length;
    p.done();
    p.tick();
    expect(sink.out.length).toBe(n);
    expect(p.value).toBe(4);
  });

  it("rejects a bad total, label, or counts past the total (no clamping)", () => {
    expect(() => progress(0)).toThrow(RangeError);
    expect(() => progress(NaN)).toThrow(RangeError);
    expect(() => progress(3, 7 as never)).toThrow(TypeError);
    const p = progress(3);
    expect(() => p.tick(4)).toThrow(RangeError);
    expect(() => p.tick(-1)).toThrow(RangeError);
    expect(() => p.update(3.5)).toThrow(RangeError);
    expect(() => p.update(1, 2 as never)).toThrow(TypeError);
    expect(p.value).toBe(0);
  });

  it("never throws when the display itself fails", () => {
    setDisplaySink({ rich: true, emit: () => { throw new Error("socket closed"); } });
    const p = progress(2);
    expect(() => { p.tick(); p.done(); }).not.toThrow();
    expect(p.value).toBe(2);
  });

  it("outside a kernel is silent until done(), then prints one line", () => {
    setDisplaySink(null); // automatic detection: no kernel in vitest → text sink
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const p = progress(3, "work");
      p.tick();
      p.tick();
      expect(write).not.toHaveBeenCalled();
      p.tick();
      p.done();
      expect(write).toHaveBeenCalledTimes(1);
      expect(write.mock.calls[0][0]).toBe("work [####################] 3/3 (100%)\n");
    } finally {
      write.mockRestore();
    }
  });
});

describe("busy", () => {
  it("shows an indeterminate (animated) bar at once and finishes the same display in place", () => {
    const b = busy("loading the library");
    expect(sink.out).toHaveLength(1);
    const first = sink.out[0];
    expect(first.update).toBe(false);
    expect(first.displayId).toMatch(/^[0-9a-f]{16}$/);
    expect(String(first.bundle["text/html"])).toContain("<progress style=");
    expect(first.bundle["text/plain"]).toBe("loading the library [working…]");
    b.done("library loaded");
    b.done("again"); // idempotent
    expect(sink.out).toHaveLength(2);
    expect(sink.out[1]).toMatchObject({ displayId: first.displayId, update: true });
    expect(String(sink.out[1].bundle["text/html"])).toContain('<progress value="1" max="1"');
    expect(sink.out[1].bundle["text/plain"]).toBe("library loaded [done]");
  });

  it("escapes the label and rejects bad labels, naming them", () => {
    expect(String(busyBundle("<b>x</b>")["text/html"])).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(() => busy("")).toThrow(/label must not be empty/);
    expect(() => busy(3 as never)).toThrow(TypeError);
    expect(() => busyBundle("x", "yes" as never)).toThrow(/finished must be a boolean/);
    expect(() => busy("x").done(5 as never)).toThrow(TypeError);
  });

  it("outside a kernel is silent until done(), then prints one line; display failures never throw", () => {
    setDisplaySink(null);
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const b = busy("work");
      expect(write).not.toHaveBeenCalled();
      b.done();
      expect(write).toHaveBeenCalledTimes(1);
      expect(write.mock.calls[0][0]).toBe("work [done]\n");
    } finally {
      write.mockRestore();
    }
    setDisplaySink({ rich: true, emit: () => { throw new Error("socket closed"); } });
    expect(() => busy("x").done()).not.toThrow();
  });
});

describe("setDisplaySink", () => {
  it("returns the previous override and rejects non-sinks", () => {
    expect(setDisplaySink(TEXT_SINK)).toBe(sink);
    expect(setDisplaySink(null)).toBe(TEXT_SINK);
    expect(() => setDisplaySink({} as never)).toThrow(TypeError);
  });
});
