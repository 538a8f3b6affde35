/**
 * Runner robustness against the real tslab kernel: a type error, a thrown exception, an infinite loop (short
 * timeout) and a kernel that kills itself each give the right failure naming the cell, partial outputs in the
 * written notebook, and no leftover kernel process. Plus the happy path: outputs, display updates, counts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { liveKernelCount, NotebookRunResult, runNotebook } from "../../src/runner";
import { run as labsCli } from "../../src/cli/labs";
import { expectValidNbformat, groupGone, pidGone, streamText } from "./helpers";

const fixtures = path.join(__dirname, "fixtures");
const fixture = (name: string) => path.join(fixtures, `${name}.ipynb`);
let outDir: string;
const sources = new Map<string, string>();

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-runner-test-"));
  for (const f of fs.readdirSync(fixtures)) if (f.endsWith(".ipynb")) sources.set(f, fs.readFileSync(path.join(fixtures, f), "utf8"));
});

afterAll(() => {
  expect(liveKernelCount()).toBe(0); // every kernel this process started is gone
  // The source notebooks are never modified.
  for (const [f, text] of sources) expect(fs.readFileSync(path.join(fixtures, f), "utf8")).toBe(text);
  fs.rmSync(outDir, { recursive: true, force: true });
});

function expectKernelGone(r: NotebookRunResult): void {
  expect(r.kernelPid).toBeGreaterThan(0);
  expect(pidGone(r.kernelPid!)).toBe(true);
  expect(groupGone(r.kernelPid!)).toBe(true);
}

function expectSkippedAfter(r: NotebookRunResult, failedIndex: number): void {
  const written = expectValidNbformat(r.ipynbPath!);
  const after = written.cells.slice(failedIndex + 1).filter((c) => c.cell_type === "code");
  expect(after.length).toBeGreaterThan(0);
  for (const c of after) {
    expect(c.cell_type === "code" && c.outputs).toEqual([]);
    expect(c.cell_type === "code" && c.execution_count).toBeNull();
  }
  expect(r.cells.filter((c) => c.index > failedIndex).every((c) => c.status === "skipped")).toBe(true);
}

describe.concurrent("runner robustness (real tslab kernel)", { timeout: 120_000 }, () => {
  it("type error: fails the cell with the compiler diagnostic, keeps earlier outputs, kills the kernel", async () => {
    const r = await runNotebook(fixture("type-error"), { timeoutMs: 30_000, outDir });
    expect(r.ok).toBe(false);
    expect(r.failure?.reason).toBe("error");
    expect(r.failure?.cellIndex).toBe(2);
    expect(r.failure?.message).toMatch(/^cell 3 \("const notANumber: number = \\"oops\\";"\) failed: .*Type 'string' is not assignable to type 'number'/);
    expect(r.failure?.detail).toMatch(/1:7 - Type 'string' is not assignable to type 'number'/);
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "error", "skipped"]);
    const nb = expectValidNbformat(r.ipynbPath!);
    expect(streamText(nb, 1)).toBe("before the type error\n");
    expect(streamText(nb, 2, "stderr")).toMatch(/not assignable/);
    expectSkippedAfter(r, 2);
    expect(fs.readFileSync(r.htmlPath!, "utf8")).toContain("not assignable to type");
    expectKernelGone(r);
  });

  it("infinite loop: times out, kills the kernel process group, marks the cell, keeps partial outputs", async () => {
    const r = await runNotebook(fixture("loop"), { timeoutMs: 5_000, outDir });
    expect(r.ok).toBe(false);
    expect(r.failure?.reason).toBe("timeout");
    expect(r.failure?.cellIndex).toBe(2);
    expect(r.failure?.message).toMatch(/^cell 3 \("console.log\(\\"entering the loop\\"\);"\) did not finish within 5000 ms; the kernel was killed/);
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "timeout", "skipped"]);
    expect(r.kernelExit?.signal).toBe("SIGKILL");
    const nb = expectValidNbformat(r.ipynbPath!);
    expect(streamText(nb, 1)).toBe("before the loop\n");
    expect(streamText(nb, 2)).toBe("entering the loop\n"); // output sent before the loop blocked the kernel
    const cell = nb.cells[2];
    expect(cell.cell_type === "code" && cell.outputs.some((o) => o.output_type === "error" && o.ename === "CellTimeoutError")).toBe(true);
    expect(cell.metadata.ep_lab).toMatchObject({ status: "timeout" });
    expectSkippedAfter(r, 2);
    expectKernelGone(r);
  });

  it("process.exit in a cell: detects the dead kernel, names the cell and the exit code", async () => {
    const r = await runNotebook(fixture("exit"), { timeoutMs: 30_000, outDir });
    expect(r.ok).toBe(false);
    expect(r.failure?.reason).toBe("died");
    expect(r.failure?.cellIndex).toBe(2);
    expect(r.failure?.message).toBe('cell 3 ("process.exit(3);"): the kernel process exited (exit code 3) while running this cell');
    expect(r.kernelExit).toEqual({ code: 3, signal: null });
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "died", "skipped"]);
    const nb = expectValidNbformat(r.ipynbPath!);
    expect(streamText(nb, 1)).toBe("before the exit\n");
    const cell = nb.cells[2];
    expect(cell.cell_type === "code" && cell.outputs.some((o) => o.output_type === "error" && o.ename === "KernelDiedError")).toBe(true);
    expectSkippedAfter(r, 2);
    expectKernelGone(r);
  });

  it("thrown exception through `ep-lab labs`: exit code 1, per-cell lines, the cell and the stack are printed", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(" "));
    let code: number;
    try {
      code = await labsCli([fixture("throw"), "--timeout-ms", "30000", "--out", outDir]);
    } finally {
      console.log = log;
    }
    const out = lines.join("\n");
    expect(code).toBe(1);
    expect(out).toMatch(/\[ 1\] OK .* s {2}cell 2: console.log\("before the throw"\);/);
    expect(out).toMatch(/\[ 2\] ERROR .* s {2}cell 3: function explode\(\): never \{/);
    expect(out).toMatch(/\[ 3\] SKIPPED/);
    expect(out).toMatch(/✗ cell 3 \("function explode\(\): never \{"\) failed: Error: boom from the fixture/);
    expect(out).toMatch(/│ +at explode \(evalmachine/);
    expect(out).not.toMatch(/node_modules[\\/]tslab/);
    expect(out).toMatch(/0\/1 notebooks passed; failed: .*throw\.ipynb \(error in cell 3\)/);
    const nb = expectValidNbformat(path.join(outDir, "throw.ipynb"));
    expect(streamText(nb, 1)).toBe("before the throw\n");
    expect(streamText(nb, 2, "stderr")).toMatch(/Error: boom from the fixture/);
  });

  it("happy path: streams, last-expression values, display and update_display_data, await, execution counts", async () => {
    const r = await runNotebook(fixture("ok"), { timeoutMs: 60_000, outDir });
    expect(r.failure).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.cells.every((c) => c.status === "ok")).toBe(true);
    expect(r.kernelExit).toEqual({ code: 0, signal: null }); // polite shutdown_request worked
    const nb = expectValidNbformat(r.ipynbPath!);
    const code = nb.cells.filter((c) => c.cell_type === "code");
    expect(code.map((c) => c.cell_type === "code" && c.execution_count)).toEqual(code.map((_, i) => i + 1));
    expect(streamText(nb, 2, "stdout")).toBe("hello from cell 2\n42\n");
    expect(streamText(nb, 2, "stderr")).toBe("a warning on stderr\n");
    expect(streamText(nb, 4)).toBe("84\n");
    const rich = nb.cells[6];
    expect(rich.cell_type === "code" && rich.outputs.map((o) => (o.output_type === "display_data" ? Object.keys(o.data) : []))).toEqual([["text/html"], ["text/markdown"]]);
    const progress = nb.cells[7];
    expect(progress.cell_type === "code" && progress.outputs).toEqual([{ output_type: "display_data", data: { "text/plain": ["progress 2/2 done"] }, metadata: {} }]);
    expect(streamText(nb, 8)).toBe("after await\n");
    const json = nb.cells[12];
    expect(json.cell_type === "code" && json.outputs[0].output_type === "display_data" && json.outputs[0].data["application/vnd.plotly.v1+json"]).toMatchObject({ layout: { title: { text: "json figure" } } });
    const html = fs.readFileSync(r.htmlPath!, "utf8");
    // (boolean checks: a failing toContain would print the whole 5 MB page)
    expect(html.includes('<b id="rich-html">bold html</b>')).toBe(true);
    expect(html.includes('<pre class="output-text">progress 2/2 done</pre>')).toBe(true);
    expect(html.includes('<pre class="output-text">progress 1/2')).toBe(false);
    expectKernelGone(r);
  });
});

describe("runNotebook argument checks", () => {
  it("rejects bad paths and timeouts before starting a kernel", async () => {
    await expect(runNotebook("notes.txt")).rejects.toThrow(/must be a path ending in .ipynb/);
    await expect(runNotebook(path.join(fixtures, "absent.ipynb"))).rejects.toThrow(/does not exist/);
    await expect(runNotebook(fixture("ok"), { timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number.*got 0/);
    await expect(runNotebook(fixture("ok"), { timeoutMs: NaN })).rejects.toThrow(RangeError);
    await expect(runNotebook(fixture("ok"), { outDir: fixtures })).rejects.toThrow(/would overwrite the source notebook/);
    expect(liveKernelCount()).toBe(0);
  });
});
