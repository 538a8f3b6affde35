/**
 * `ep-lab labs` under faults: a malformed notebook in the middle of a batch is reported and the batch goes on to a
 * summary; SIGINT or SIGTERM stops the kernel but still writes what was executed so far. Real tslab kernels.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { captureConsole } from "../helpers/console";
import { run as labsCli } from "../../src/cli/labs";
import { liveKernelCount } from "../../src/runner";
import { expectValidNbformat, streamText } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const fixtures = path.join(__dirname, "fixtures");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-labs-faults-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const { out } = captureConsole();

function tinyNotebook(file: string, code: string): string {
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", id: "c1", metadata: {}, source: code, outputs: [], execution_count: null }] };
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

describe("a batch with a malformed notebook in the middle", { timeout: 180_000 }, () => {
  it("reports it, runs the others and summarizes", async () => {
    const dir = path.join(tmp, "batch");
    fs.mkdirSync(dir);
    const first = tinyNotebook(path.join(dir, "first.ipynb"), 'console.log("first ran")');
    const bad = path.join(dir, "broken.ipynb");
    fs.writeFileSync(bad, '{"cells": [ not json');
    const last = tinyNotebook(path.join(dir, "last.ipynb"), 'console.log("last ran")');
    const outDir = path.join(tmp, "batch-out");
    expect(await labsCli([first, bad, last, "--out", outDir])).toBe(1);
    const text = out.join("\n");
    expect(text).toMatch(/broken\.ipynb/);
    expect(text).toMatch(/2\/3 notebooks passed; failed: .*broken\.ipynb \(not run: /);
    expect(streamText(expectValidNbformat(path.join(outDir, "first.ipynb")), 0)).toBe("first ran\n");
    expect(streamText(expectValidNbformat(path.join(outDir, "last.ipynb")), 0)).toBe("last ran\n");
    expect(fs.existsSync(path.join(outDir, "broken.ipynb"))).toBe(false);
    expect(liveKernelCount()).toBe(0);
  });
});

describe("a signal to ep-lab labs while a cell runs", { timeout: 180_000 }, () => {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    it(`${sig}: stops the kernel and writes the outputs executed so far`, async () => {
      const outDir = path.join(tmp, `sig-${sig}`);
      const child = spawn(process.execPath, [path.join(ROOT, "bin", "ep-lab.js"), "labs", path.join(fixtures, "loop.ipynb"), "--out", outDir], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
      child.stderr!.on("data", () => undefined);
      const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      // cell 2 done, cell 3 (the endless loop) running
      const deadline = Date.now() + 150_000;
      while (!/\[ 1\] OK/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(stdout).toMatch(/\[ 1\] OK/);
      await new Promise((r) => setTimeout(r, 1000));
      child.kill(sig);
      expect(await exit).toBe(sig === "SIGINT" ? 130 : 143);
      expect(stdout).toMatch(/0\/1 notebooks passed; failed: .*loop\.ipynb \(interrupted in cell 3\)/);
      const nb = expectValidNbformat(path.join(outDir, "loop.ipynb"));
      expect(streamText(nb, 1)).toBe("before the loop\n");
      expect((nb.metadata.ep_lab as { reason?: string }).reason).toBe("interrupted");
      expect(fs.existsSync(path.join(outDir, "loop.html"))).toBe(true);
    });
  }
});
