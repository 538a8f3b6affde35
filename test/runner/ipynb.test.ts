import { describe, expect, it } from "vitest";
import * as path from "path";
import { joinText, normalizeBundle, parseNotebook, readNotebook, serializeNotebook, splitLines } from "../../src/runner";

describe("joinText / splitLines", () => {
  it("round-trips nbformat multiline strings", () => {
    expect(splitLines("a\nb\n")).toEqual(["a\n", "b\n"]);
    expect(splitLines("a\nb")).toEqual(["a\n", "b"]);
    expect(splitLines("")).toEqual([]);
    expect(joinText(splitLines("x\n\ny"))).toBe("x\n\ny");
    expect(joinText(undefined)).toBe("");
  });
});

describe("normalizeBundle", () => {
  it("splits text types, keeps base64 images whole and parses JSON types sent as text", () => {
    const input = Object.freeze({ "text/plain": "1\n2", "image/png": "iVBOR\nw0K", "application/vnd.plotly.v1+json": '{"data":[]}', "application/json": { a: 1 } });
    expect(normalizeBundle(input)).toEqual({ "text/plain": ["1\n", "2"], "image/png": "iVBOR\nw0K", "application/vnd.plotly.v1+json": { data: [] }, "application/json": { a: 1 } });
  });
});

describe("parseNotebook", () => {
  const good = () => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: {}, source: ["1"], outputs: [], execution_count: null }] });
  it("accepts an nbformat 4 notebook", () => {
    expect(parseNotebook(good()).cells).toHaveLength(1);
  });
  it("names the structural problem", () => {
    expect(() => parseNotebook([], "x.ipynb")).toThrow(/x.ipynb: not a JSON object/);
    expect(() => parseNotebook({ ...good(), nbformat: 3 })).toThrow(/nbformat must be 4, got 3/);
    expect(() => parseNotebook({ ...good(), nbformat_minor: "5" })).toThrow(/nbformat_minor/);
    expect(() => parseNotebook({ ...good(), metadata: null })).toThrow(/metadata/);
    expect(() => parseNotebook({ ...good(), cells: {} })).toThrow(/cells must be an array/);
    expect(() => parseNotebook({ ...good(), cells: [{ cell_type: "python", source: "" }] })).toThrow(/cell 1 has unknown cell_type "python"/);
    expect(() => parseNotebook({ ...good(), cells: [{ cell_type: "code", source: 3 }] })).toThrow(/cell 1 source/);
    expect(() => parseNotebook({ ...good(), cells: [{ cell_type: "code", source: "", outputs: {} }] })).toThrow(/cell 1 outputs/);
  });
  it("reads the fixture files and serializes them back to the same JSON", () => {
    const nb = readNotebook(path.join(__dirname, "fixtures", "ok.ipynb"));
    expect(JSON.parse(serializeNotebook(nb))).toEqual(nb);
    expect(serializeNotebook(nb).endsWith("}\n")).toBe(true);
  });
  it("rejects a file that is not JSON, naming it", () => {
    expect(() => readNotebook(path.join(__dirname, "fixtures", "images", "dot.svg"))).toThrow(/dot\.svg: not valid JSON/);
  });
});
