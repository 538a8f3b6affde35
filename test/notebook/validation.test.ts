/**
 * Bad input to the display bundles that the other suites do not reach: each is rejected with an error
 * naming the parameter and showing the value. Fixtures are frozen.
 */
import { describe, expect, it } from "vitest";
import { figureBundle, plotlyLoaderBundle, tableBundle, tableHtml, tableText, toPlainJson, toTableData } from "../../src/notebook/bundles";

const fig = Object.freeze({ data: Object.freeze([Object.freeze({ type: "bar", y: Object.freeze([1]) })]) }) as never;
const rows = Object.freeze([Object.freeze({ gpu: 0, tokens: 12 })]);

describe("notebook bundles reject bad input, naming the parameter", () => {
  it("plotlyLoaderBundle: version must be a non-empty string", () => {
    expect(() => plotlyLoaderBundle("window.Plotly = {};", 3 as never)).toThrow(/^version must be a non-empty string, got number 3/);
    expect(() => plotlyLoaderBundle("window.Plotly = {};", " ")).toThrow(TypeError);
    expect(plotlyLoaderBundle("window.Plotly = {};", "3.0.1")["text/plain"]).toBe("plotly.js 3.0.1 loaded (offline) for the figures below");
  });

  it("figureBundle: options must be an object and config a plain object", () => {
    expect(() => figureBundle(fig, "ep-plot-1", null as never)).toThrow(/^options must be an object, got null/);
    expect(() => figureBundle(fig, "ep-plot-1", { config: "x" as never })).toThrow(/^config must be a plotly config object, got "x"/);
    expect(() => figureBundle(fig, "ep-plot-1", { config: [] as never })).toThrow(/^config must be a plotly config object/);
  });

  it("toPlainJson: where must be a string and seen a Set", () => {
    expect(() => toPlainJson({ a: 1 }, 5 as never)).toThrow(/^where must be a string, got number 5/);
    expect(() => toPlainJson({ a: 1 }, "figure", [] as never)).toThrow(/^seen must be a Set/);
    expect(toPlainJson(Object.freeze({ y: new Float32Array([1, 2]) }))).toEqual({ y: [1, 2] });
  });

  it("tables: an empty row list and a non-boolean index option are rejected", () => {
    expect(() => toTableData(Object.freeze([]))).toThrow(/^rows must not be empty/);
    expect(() => tableBundle(Object.freeze([]))).toThrow(RangeError);
    expect(() => tableText(rows, { index: "yes" as never })).toThrow(/^index must be true or false, got "yes"/);
    expect(() => tableHtml(rows, { index: 1 as never })).toThrow(/^index must be true or false, got number 1/);
    expect(tableText(rows)).toBe("gpu  tokens\n  0      12");
  });
});
