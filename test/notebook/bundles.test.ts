import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  figureBundle,
  figureSummary,
  formatCell,
  markdownBundle,
  PLOTLY_MIME,
  plotlyLoaderHtml,
  progressBundle,
  scriptJson,
  tableBundle,
  tableHtml,
  tableText,
  labeledRows,
  keyToWords,
  toPlainJson,
  toTableData,
} from "../../src/notebook/bundles";

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === "object" && !ArrayBuffer.isView(o)) {
    Object.values(o as object).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
};

/** The JSON passed to Plotly.newPlot inside a figure's script. */
function newPlotArgument(html: string): { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> } {
  const m = /window\.Plotly\.newPlot\(el, (.*)\);\n/.exec(html);
  if (!m) throw new Error("no newPlot call in " + html);
  return JSON.parse(m[1]);
}

describe("escapeHtml / scriptJson", () => {
  it("escapes the five HTML-special characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    expect(escapeHtml(42)).toBe("42");
  });
  it("keeps </script> and <!-- out of script JSON but round-trips the value", () => {
    const value = { s: "</script><!-- & \u2028" };
    const text = scriptJson(value);
    expect(text).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(text)).toEqual(value);
  });
  it("rejects values JSON cannot encode", () => {
    expect(() => scriptJson(undefined)).toThrow(TypeError);
  });
});

describe("toPlainJson", () => {
  it("turns typed arrays into plain arrays and leaves the input unchanged", () => {
    const input = deepFreeze({ y: new Float32Array([1.5, 2]), x: [new Int32Array([3])], when: new Date(0) });
    expect(toPlainJson(input)).toEqual({ y: [1.5, 2], x: [[3]], when: "1970-01-01T00:00:00.000Z" });
    expect(Array.from(input.y)).toEqual([1.5, 2]);
  });
  it("rejects functions and cycles, naming where", () => {
    expect(() => toPlainJson({ data: [{ f: () => 1 }] })).toThrow(/figure\.data\[0\]\.f/);
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => toPlainJson(a)).toThrow(/cycle/);
  });
});

describe("plotlyLoaderHtml", () => {
  it("wraps the source so require.js's define is hidden and restored, and skips when Plotly exists", () => {
    const html = plotlyLoaderHtml("window.Plotly = {};");
    expect(html.startsWith("<script")).toBe(true);
    expect(html.endsWith("</script>")).toBe(true);
    expect(html).toContain("if (!window.Plotly)");
    expect(html).toContain("window.define = undefined");
    expect(html).toContain("finally { window.define = hiddenDefine; }");
  });
  it("cannot be closed early by </script> or <!-- inside the source", () => {
    const html = plotlyLoaderHtml('var s = "</SCRIPT>"; var t = "<!--";');
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html).not.toContain("<!--");
  });
  it("defines window.Plotly when run with a require.js-style define present", () => {
    const body = plotlyLoaderHtml(
      "(function(){ if (typeof define === 'function' && define.amd) { define([], function(){ return 1; }); } else { window.Plotly = { ok: true }; } })();",
    ).replace(/^<script[^>]*>|<\/script>$/g, "");
    const define = Object.assign(() => {
      throw new Error("anonymous define() called");
    }, { amd: {} });
    const win: Record<string, unknown> = { define };
    new Function("window", "with (window) {" + body + "}")(win);
    expect(win.Plotly).toEqual({ ok: true });
    expect(win.define).toBe(define);
  });
  it("rejects an empty source", () => {
    expect(() => plotlyLoaderHtml("  ")).toThrow(TypeError);
    expect(() => plotlyLoaderHtml(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe("figureBundle", () => {
  const fig = deepFreeze({
    data: [{ type: "bar", x: ["a", "b"], y: new Float64Array([1, 2]), name: "</script>" }],
    layout: { title: { text: "Load <per> GPU" } },
  });

  it("has HTML, plotly JSON and a text summary in one bundle", () => {
    const b = figureBundle(fig, "ep-plot-7");
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
    expect(b[PLOTLY_MIME]).toEqual({
      data: [{ type: "bar", x: ["a", "b"], y: [1, 2], name: "</script>" }],
      layout: { title: { text: "Load <per> GPU" } },
      config: { responsive: true, displaylogo: false },
    });
    expect(b["text/plain"]).toBe('Plotly figure "Load <per> GPU" (1 trace: bar)');
  });

  it("draws into a div with the given id with the same figure, and the data cannot break out of the script", () => {
    const html = figureBundle(fig, "ep-plot-7")["text/html"] as string;
    expect(html).toMatch(/^<div id="ep-plot-7"/);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const arg = newPlotArgument(html);
    expect(arg.data).toEqual([{ type: "bar", x: ["a", "b"], y: [1, 2], name: "</script>" }]);
    expect(arg.layout).toEqual({ title: { text: "Load <per> GPU" } });
  });

  it("is deterministic: the same figure and id give the same bundle", () => {
    expect(figureBundle(fig, "ep-plot-1")).toEqual(figureBundle(fig, "ep-plot-1"));
    expect(figureBundle(fig, "ep-plot-1")["text/html"]).not.toEqual(figureBundle(fig, "ep-plot-2")["text/html"]);
  });

  it("uses the layout height for the box, else heightPx", () => {
    expect(figureBundle({ data: [], layout: { height: 300 } }, "p1")["text/html"]).toContain("min-height:300px");
    expect(figureBundle({ data: [] }, "p1", { heightPx: 250 })["text/html"]).toContain("min-height:250px");
  });

  it("falls back to a message when plotly.js is missing and skips divs already drawn", () => {
    const html = figureBundle(fig, "ep-plot-1")["text/html"] as string;
    expect(html).toContain("plotly.js is not loaded in this page");
    expect(html).toContain("data-ep-drawn");
  });

  it("rejects malformed figures, ids and heights", () => {
    expect(() => figureBundle(null as never, "a")).toThrow(TypeError);
    expect(() => figureBundle({ data: {} } as never, "a")).toThrow(/figure\.data/);
    expect(() => figureBundle({ data: [1] } as never, "a")).toThrow(/figure\.data\[0\]/);
    expect(() => figureBundle({ data: [], layout: [] } as never, "a")).toThrow(/figure\.layout/);
    expect(() => figureBundle({ data: [] }, 'x" onload="y')).toThrow(/id/);
    expect(() => figureBundle({ data: [] }, "a", { heightPx: NaN })).toThrow(RangeError);
    expect(() => figureBundle({ data: [] }, "a", { heightPx: -1 })).toThrow(RangeError);
  });

  it("summarizes titles given as strings and untyped traces as scatter", () => {
    expect(figureSummary({ data: [{ y: [1] }, { type: "bar" }], layout: { title: "T" } })).toBe('Plotly figure "T" (2 traces: scatter, bar)');
    expect(figureSummary({ data: [] })).toBe("Plotly figure (0 traces)");
  });
});

describe("tables", () => {
  const rows = deepFreeze([
    { name: "<b>x</b>", tokens: 1234, share: 2 / 3 },
    { name: "y", tokens: 5, extra: true },
  ]);
  // A danfo DataFrame is read by duck typing (columns, values, index); this mimics its shape.
  const frame = deepFreeze({ columns: ["expert", "load"], values: [["E0", 0.5], ["E1", 0.25]], index: [10, 11] });

  it("reads rows with the union of keys in first-seen order", () => {
    expect(toTableData(rows)).toEqual({
      columns: ["name", "tokens", "share", "extra"],
      rows: [["<b>x</b>", 1234, 2 / 3, undefined], ["y", 5, undefined, true]],
      index: null,
    });
  });

  it("reads DataFrame- and Series-shaped objects", () => {
    expect(toTableData(frame)).toEqual({ columns: ["expert", "load"], rows: [["E0", 0.5], ["E1", 0.25]], index: [10, 11] });
    expect(toTableData({ columns: ["a"], values: [1, 2], index: [0, 1] })).toEqual({ columns: ["a"], rows: [[1], [2]], index: [0, 1] });
  });

  /** [tag, style, inner HTML] of each body cell of a table row. */
  const cells = (html: string, row = 0) => {
    const tr = html.split("<tbody>")[1].split("<tr>")[row + 1];
    return Array.from(tr.matchAll(/<(td|th) style="([^"]*)">(.*?)<\/\1>/g), (m) => [m[1], m[2], m[3]]);
  };
  const heads = (html: string) => Array.from(html.split("</thead>")[0].matchAll(/<th style="([^"]*)">(.*?)<\/th>/g), (m) => [m[1], m[2]]);

  it("escapes HTML in cells and headers, aligns prose left and numbers right (inline, over Notebook's CSS)", () => {
    const html = tableHtml(rows, { digits: 2 });
    expect(html).not.toContain("<b>x</b>");
    const c = cells(html);
    expect(c[0][2]).toBe("&lt;b&gt;x&lt;/b&gt;");
    expect(c[0][1]).toMatch(/^text-align:left/);
    expect(c[1]).toEqual(["td", expect.stringMatching(/^text-align:right/), "1234"]);
    expect(c[2]).toEqual(["td", expect.stringMatching(/^text-align:right/), "0.67"]);
    expect(heads(html).map((h) => h[1])).toEqual(["name", "tokens", "share", "extra"]);
    expect(heads(html)[0][0]).toMatch(/^text-align:left/);
    expect(heads(html)[1][0]).toMatch(/^text-align:right/);
    expect(tableHtml([{ "<h>": 1 }])).toContain(">&lt;h&gt;</th>");
  });

  it("shows the DataFrame index unless asked not to, and a caption", () => {
    const html = tableHtml(frame, { caption: "load <share>" });
    expect(html).toMatch(/<caption[^>]*>load &lt;share&gt;<\/caption>/);
    expect(cells(html).map((c) => c[2])).toEqual(["10", "E0", "0.5"]);
    expect(cells(tableHtml(frame, { index: false })).map((c) => c[2])).toEqual(["E0", "0.5"]);
  });

  it("labels headers in words with units, from the options or from labeledRows", () => {
    const data = [{ ep: 8, weightsGB: 41.5, note: "fits" }];
    const html = tableHtml(data, { columns: { weightsGB: "expert weights per GPU (GB)" } });
    expect(heads(html).map((h) => h[1])).toEqual(["ep", "expert weights per GPU (GB)", "note"]);
    const lr = labeledRows(data, { ep: "EP size (GPUs)", weightsGB: "weights (GB)" });
    expect(heads(tableHtml(lr)).map((h) => h[1])).toEqual(["EP size (GPUs)", "weights (GB)", "note"]);
    expect(heads(tableHtml(lr, { columns: { ep: "EP" } })).map((h) => h[1])).toEqual(["EP", "weights (GB)", "note"]);
    expect(tableText(lr).split("\n")[0]).toBe("EP size (GPUs)  weights (GB)  note");
    expect(() => tableHtml(data, { columns: { weightGB: "x" } })).toThrow(/columns names a column "weightGB" the table does not have \(did you mean "weightsGB"\?\)/);
    expect(() => labeledRows(data, { ep: "" })).toThrow(TypeError);
    expect(() => tableHtml(data, { colums: {} } as never)).toThrow(/unknown key "colums" \(did you mean "columns"\?\)/);
  });

  it("keeps the key column first and in view when a wide table scrolls, and can transpose", () => {
    const wide = [{ a: 1, b: 2, c: 3, name: "alpha" }, { a: 4, b: 5, c: 6, name: "beta" }];
    const html = tableHtml(wide, { key: "name" });
    expect(html).toMatch(/^<div class="ep-table-wrap" style="overflow-x:auto/);
    const c = cells(html);
    expect(c[0][0]).toBe("th");
    expect(c[0][2]).toBe("alpha");
    expect(c[0][1]).toContain("position:sticky;left:0");
    expect(c[1][1]).not.toContain("sticky");
    const t = tableHtml(wide, { key: "name", transpose: true });
    expect(heads(t).map((h) => h[1])).toEqual(["name", "alpha", "beta"]);
    expect(cells(t, 0).map((x) => x[2])).toEqual(["a", "1", "4"]);
    expect(() => tableHtml(wide, { key: "nam" })).toThrow(/key names a column "nam".*did you mean "name"/);
    expect(() => tableHtml(wide, { transpose: "yes" as never })).toThrow(TypeError);
  });

  it("wraps prose only at spaces: hyphenated tokens such as CLI flags stay whole", () => {
    const html = tableHtml([{ flags: "--enable-expert-parallel --ep-size 8" }]);
    expect(html).toContain('<span style="white-space:nowrap">--enable-expert-parallel</span> <span style="white-space:nowrap">--ep-size</span> 8');
    expect(cells(html)[0][1]).toContain("white-space:normal");
  });

  it("keyToWords splits camelCase keys into words", () => {
    expect(keyToWords("keyBenefit")).toBe("key benefit");
    expect(keyToWords("deepseekV3ExpertWeightsPerGpuGB")).toBe("deepseek V3 expert weights per GPU GB");
    expect(keyToWords("num_gpus")).toBe("num GPUs");
  });

  it("cuts long tables at maxRows and says how many rows are hidden", () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ i }));
    const html = tableHtml(many, { maxRows: 5 });
    expect(html.match(/<tr>/g)).toHaveLength(6); // header + 5
    expect(html).toContain("… 2 more rows (7 in total)");
    expect(tableText(many, { maxRows: 6 }).split("\n").pop()).toBe("… 1 more row (7 in total)");
  });

  it("renders an aligned text table as the plain-text fallback", () => {
    expect(tableText(frame, { digits: 1 })).toBe(["    expert  load", "10  E0       0.5", "11  E1       0.3"].join("\n"));
    expect(Object.keys(tableBundle(rows))).toEqual(["text/html", "text/plain"]);
  });

  it("rejects other inputs and bad options", () => {
    expect(() => toTableData(42)).toThrow(TypeError);
    expect(() => toTableData([1, 2])).toThrow(/rows\[0\]/);
    expect(() => toTableData({ columns: ["a", "b"], values: [1, 2] })).toThrow(/Series/);
    expect(() => tableHtml(rows, { digits: -1 })).toThrow(RangeError);
    expect(() => tableHtml(rows, { digits: 1.5 })).toThrow(RangeError);
    expect(() => tableHtml(rows, { maxRows: 0 })).toThrow(RangeError);
    expect(() => tableHtml(rows, { caption: 3 as never })).toThrow(TypeError);
  });
});

describe("formatCell", () => {
  it("formats numbers, empties, dates and objects", () => {
    expect(formatCell(3)).toBe("3");
    expect(formatCell(0.1 + 0.2)).toBe("0.3");
    expect(formatCell(2 / 3, 3)).toBe("0.667");
    expect(formatCell(1.5, 0)).toBe("2");
    expect(formatCell(1.2e-7, 4)).toBe("1.200e-7");
    expect(formatCell(NaN)).toBe("NaN");
    expect(formatCell(-Infinity)).toBe("-Infinity");
    expect(formatCell(null)).toBe("");
    expect(formatCell(undefined)).toBe("");
    expect(formatCell(10n)).toBe("10");
    expect(formatCell(new Date(0))).toBe("1970-01-01T00:00:00.000Z");
    expect(formatCell({ a: [1] })).toBe('{"a":[1]}');
    expect(formatCell(new Float32Array([0.5]))).toBe("[0.5]");
  });
  it("rejects bad digits", () => {
    expect(() => formatCell(1, 21)).toThrow(RangeError);
    expect(() => formatCell(1, NaN)).toThrow(RangeError);
  });
});

describe("markdown and progress bundles", () => {
  it("markdown has the text as markdown and plain text", () => {
    expect(markdownBundle("**hi**")).toEqual({ "text/markdown": "**hi**", "text/plain": "**hi**" });
    expect(() => markdownBundle(3 as never)).toThrow(TypeError);
  });
  it("progress shows a bar, counts and percent, and escapes the label", () => {
    const b = progressBundle(4, 10, "<experts>");
    expect(b["text/plain"]).toBe("<experts> [########------------] 4/10 (40%)");
    expect(b["text/html"]).toContain('<progress value="4" max="10"');
    expect(b["text/html"]).toContain("&lt;experts&gt;");
    expect(progressBundle(10, 10)["text/plain"]).toBe("[####################] 10/10 (100%)");
  });
  it("progress rejects out-of-range counts instead of clamping", () => {
    expect(() => progressBundle(11, 10)).toThrow(RangeError);
    expect(() => progressBundle(-1, 10)).toThrow(RangeError);
    expect(() => progressBundle(0, 0)).toThrow(RangeError);
    expect(() => progressBundle(NaN, 10)).toThrow(RangeError);
    expect(() => progressBundle(1, 10, 5 as never)).toThrow(TypeError);
  });
});
