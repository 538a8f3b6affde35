/**
 * Every exercise's and quiz question's printed solution code runs as printed in the lab's namespace (the lab's own
 * setup cells, then the code), through the real tslab kernel, and the check it ends with says CORRECT.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { runNotebook } from "../../src/runner";
import { NOTEBOOKS, buildNotebook, notebookJson } from "../../src/lab/notebook-source/build";
import { exercises, quiz } from "../../src/lab";
import { recordEx2Prediction, resetEx2Prediction } from "../../src/lab/scenarios-exercises";

const root = path.resolve(__dirname, "..", "..");
const source = fs.readFileSync(path.join(root, NOTEBOOKS[0].source), "utf8");
const labCells = buildNotebook(source).cells;
const setup = ["setup-status", "setup"].map((id) => {
  const c = labCells.find((x) => x.id === id);
  if (!c) throw new Error(`the lab has no cell ${id}`);
  return c.source.join("");
});

// Ex2's solution code only appears after a prediction was recorded: record one here and in the kernel.
const PREDICTION = ["wide-ep-eplb", "wide-ep", "standard-ep", "no-ep"];
recordEx2Prediction(PREDICTION);
const items: { id: string; code: string }[] = [];
for (const [id, ex] of Object.entries(exercises)) {
  const code = ex.solution().code;
  if (!code) throw new Error(`${id} has no solution code`);
  items.push({ id, code: id === "ex1" ? `${code}\nexercises.ex1.check(myTopK)` : id === "ex2" ? `exercises.ex2.check(${JSON.stringify(PREDICTION)});\n${code}` : code });
}
for (const [id, q] of Object.entries(quiz)) {
  const code = q.solution().code;
  if (code) items.push({ id, code });
}
resetEx2Prediction();

const file = path.join(root, "notebooks", `.solutions-test-${process.pid}.ipynb`);
afterAll(() => fs.rmSync(file, { force: true }));

describe("printed solutions", () => {
  it("cover every exercise", () => {
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining(["ex1", "ex2", "ex3", "ex4"]));
    expect(items.find((i) => i.id === "ex2")!.code).not.toMatch(/Record your own prediction first/);
  });

  it("run as printed through the kernel, after the lab's setup cells, and each check says CORRECT", { timeout: 600_000 }, async () => {
    const src = [
      ...setup.map((c) => `%% ts\n${c}`),
      ...items.map((i) => `%% ts id=solution-${i.id}\n${i.code}`),
    ].join("\n\n");
    fs.writeFileSync(file, notebookJson(buildNotebook(src)));
    const result = await runNotebook(file, { timeoutMs: 300_000, outDir: null });
    expect(result.failure && `${result.failure.message}\n${result.failure.detail}`).toBeUndefined();
    const cells = result.notebook.cells.filter((c) => c.cell_type === "code").slice(setup.length);
    expect(cells).toHaveLength(items.length);
    cells.forEach((c, i) => {
      const text = JSON.stringify((c as { outputs: unknown[] }).outputs);
      expect(text, `${items[i].id}: ${items[i].code}`).toMatch(/\u2014 CORRECT:/);
    });
  });
});
