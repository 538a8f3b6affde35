import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { NOTEBOOKS, TSLAB_KERNELSPEC, buildNotebook, notebookJson } from "../../src/lab/notebook-source/build";

const root = path.resolve(__dirname, "..", "..");
const { source, target } = NOTEBOOKS[0];
const src = fs.readFileSync(path.join(root, source), "utf8");
const committed = fs.readFileSync(path.join(root, target), "utf8");
const nb = JSON.parse(committed);
const text = (c: { source: string[] }) => c.source.join("");

describe("lab 3.1 notebook file", () => {
  it("is the build of its readable source (run src/lab/notebook-source/build.ts after editing)", () => {
    expect(committed).toBe(notebookJson(buildNotebook(src)));
  });

  it("is nbformat 4 with the tslab kernelspec and no outputs", () => {
    expect(nb.nbformat).toBe(4);
    expect(nb.metadata.kernelspec).toEqual(TSLAB_KERNELSPEC);
    for (const c of nb.cells) {
      if (c.cell_type === "code") {
        expect(c.outputs).toEqual([]);
        expect(c.execution_count).toBeNull();
      }
    }
    expect(new Set(nb.cells.map((c: { id: string }) => c.id)).size).toBe(nb.cells.length);
  });

  it("has sections 0-10, and every table-of-contents link has an anchor", () => {
    const md = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "markdown").map(text).join("\n");
    for (let s = 0; s <= 10; s++) expect(md).toMatch(new RegExp(`^## ${s}\\. `, "m"));
    const links = [...md.matchAll(/\]\(#([a-z0-9-]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(20);
    for (const id of links) expect(md).toContain(`<a id="${id}"></a>`);
  });

  it("references images through notebooks/images, which Jupyter can serve (a ../ path leaves its root)", () => {
    const md = nb.cells.map(text).join("\n");
    const refs = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref).toMatch(/^images\/[\w.-]+\.svg$/);
      expect(fs.existsSync(path.join(root, "notebooks", ref))).toBe(true);
    }
    expect(fs.realpathSync(path.join(root, "notebooks", "images"))).toBe(fs.realpathSync(path.join(root, "images")));
  });

  it("keeps code cells short, imports the library in the two setup cells and danfo.js only where it is used", () => {
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
    for (const c of code) expect(c.source.length).toBeLessThanOrEqual(8);
    const importing = code.filter((c: { id: string; source: string[] }) => /^import /m.test(text(c)) && c.id !== "strategies");
    expect(importing.map((c: { id: string }) => c.id)).toEqual(["setup-status", "setup"]);
    // danfo.js is slow to load and its declarations are large: the setup does not load it, the one cell that uses it
    // does, through the loader that defers danfo's unused dependencies.
    const danfo = code.filter((c: { source: string[] }) => /danfo|\bdfd\./.test(text(c)));
    expect(danfo.map((c: { id: string }) => c.id)).toEqual(["strategies"]);
    expect(text(danfo[0]).match(/^import .*$/gm)).toEqual(['import { loadDanfo } from "./ep-lab/notebook/danfo";']);
    expect(text(danfo[0])).toMatch(/^const dfd = loadDanfo\(\);/m);
    // The first imports only the (fast) display helpers and shows a busy bar during the slow second cell.
    expect(text(importing[0]).match(/^import .*$/gm)).toEqual(['import { busy } from "./ep-lab/notebook";']);
    expect(text(importing[0])).toContain("busy(");
    expect(text(importing[1])).toContain('from "./ep-lab/lab"');
    expect(text(importing[1])).toContain("loading.done(");
  });

  it("leaves every exercise and quiz answer as a TODO for the learner", () => {
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code").map(text).join("\n");
    for (const ex of ["ex1", "ex2", "ex3", "ex4"]) expect(code).toContain(`exercises.${ex}.check(`);
    for (const q of ["q1", "q2", "q3", "q4", "q5", "bonus"]) expect(code).toMatch(new RegExp(`quiz\\.${q}\\.check\\([^)]*TODO`));
  });
});

describe("buildNotebook", () => {
  it("splits cells on markers, trims blank lines and keeps pinned ids", () => {
    const b = buildNotebook("%% md id=a\n# T\n\n%% ts\n\n1 + 1\n\n");
    expect(b.cells.map((c) => [c.cell_type, c.id, c.source])).toEqual([
      ["markdown", "a", ["# T"]],
      ["code", "cell-002", ["1 + 1"]],
    ]);
  });

  it("rejects text before the first marker, empty cells and duplicate ids", () => {
    expect(() => buildNotebook("hello\n%% md\nx")).toThrow(/before the first/);
    expect(() => buildNotebook("%% md\n\n%% ts\n1")).toThrow(/empty cell/);
    expect(() => buildNotebook("%% md id=x\na\n%% md id=x\nb")).toThrow(/duplicate/);
    expect(() => buildNotebook("")).toThrow(RangeError);
    expect(() => buildNotebook(3 as unknown as string)).toThrow(TypeError);
  });
});
