/**
 * Every notebook `npm start` serves must ask for the project-local kernel by its kernelspec name,
 * or Jupyter opens it with a "kernel not found" dialog. The smoke notebook is committed without
 * outputs (executed copies go to build/).
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { KERNEL_NAME } from "../../src/jupyter";

const NOTEBOOKS = path.resolve(__dirname, "..", "..", "notebooks");
const files = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb") && !f.startsWith("."));

interface Notebook {
  metadata: { kernelspec?: { name?: string; language?: string } };
  cells: { cell_type: string; source: string | string[]; outputs?: unknown[]; execution_count?: number | null }[];
}
const read = (f: string): Notebook => JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, f), "utf8"));

describe("notebooks/", () => {
  it("holds the smoke notebook", () => {
    expect(files).toContain("00-setup-check.ipynb");
  });

  it.each(files)("%s uses the tslab kernelspec", (f) => {
    const spec = read(f).metadata.kernelspec;
    expect(spec?.name).toBe(KERNEL_NAME);
    expect(spec?.language).toBe("typescript");
  });

  it("00-setup-check is committed without outputs and uses the display helpers and the library", () => {
    const nb = read("00-setup-check.ipynb");
    const code = nb.cells.filter((c) => c.cell_type === "code");
    expect(code.every((c) => (c.outputs ?? []).length === 0 && c.execution_count == null)).toBe(true);
    const source = code.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
    expect(source).toContain('from "./ep-lab/notebook"');
    expect(source).toMatch(/\bshow\(/);
    expect(source).toMatch(/\btable\(/);
    expect(source).toContain("describeBackend(await loadBackend())");
    expect(source).toContain('from "./ep-lab/util"');
    // Short cells: learners read them, the library does the work.
    for (const c of code) expect((Array.isArray(c.source) ? c.source.join("") : c.source).split("\n").length).toBeLessThanOrEqual(12);
  });
});
