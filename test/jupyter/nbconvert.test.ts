/**
 * Any tslab kernelspec runs every lab under Debian's nbconvert (`jupyter-nbconvert --to notebook --execute`):
 * - a plain kernelspec, argv `[<project>/node_modules/.bin/tslab, kernel, --config-path, {connection_file}]`, on
 *   the committed notebooks/;
 * - the one `ep-lab kernel install --prefix DIR` writes, on a learner workspace outside the project (the layout a
 *   JupyterHub user gets from `seedWorkspace`); that one also keeps a flood of output from one cell (its
 *   iopub-flush preload), which the plain one lacks.
 * Skipped with a message when /usr/bin/jupyter-nbconvert is missing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { courseLabs, installKernelspec, seedWorkspace } from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");
const NBCONVERT = "/usr/bin/jupyter-nbconvert";
const skip = !fs.existsSync(NBCONVERT);
if (skip) console.warn(`skipping the nbconvert test: ${NBCONVERT} is missing (Debian: apt-get install jupyter-nbconvert)`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-nbconvert-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run nbconvert with only `jupyterPath`'s kernels visible (the user's and system ones are hidden). */
function execute(notebook: string, jupyterPath: string, outDir: string, extra: string[] = []) {
  const env = {
    ...process.env,
    JUPYTER_PATH: jupyterPath,
    JUPYTER_DATA_DIR: path.join(tmp, "data"),
    JUPYTER_CONFIG_DIR: path.join(tmp, "config"),
    JUPYTER_RUNTIME_DIR: path.join(tmp, "runtime"),
  };
  // nbclient stops reading a cell's output `iopub_timeout` seconds (default 4) after the kernel's execute_reply, and
  // a busy machine can need longer than that to verify and parse thousands of output messages: it would then record
  // a truncated output and still exit 0.
  const args = ["--to", "notebook", "--execute", notebook, "--output-dir", outDir, "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.iopub_timeout=120"];
  const r = spawnSync(NBCONVERT, [...args, ...extra], {
    cwd: path.dirname(notebook),
    env,
    encoding: "utf8",
    timeout: 600_000,
  });
  return { status: r.status, log: `${r.stdout}${r.stderr}` };
}

type Out = { output_type: string; name?: string; text?: string | string[] };
function outputsOf(file: string): Out[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs?: Out[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []);
}
const text = (o: Out) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""));

describe.skipIf(skip)("nbconvert with a plain or an installed tslab kernelspec", () => {
  const labs = courseLabs(ROOT);

  it("a plain kernelspec ([…/node_modules/.bin/tslab, kernel, --config-path, {connection_file}]) runs every lab in notebooks/", () => {
    const kp = path.join(tmp, "plain");
    fs.mkdirSync(path.join(kp, "kernels", "tslab"), { recursive: true });
    const argv = [path.join(ROOT, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"];
    fs.writeFileSync(path.join(kp, "kernels", "tslab", "kernel.json"), JSON.stringify({ argv, display_name: "TypeScript", language: "typescript" }));
    const out = path.join(tmp, "out-plain");
    for (const lab of labs) {
      const r = execute(path.join(ROOT, "notebooks", lab), kp, out);
      expect(r.status, `${lab}:\n${r.log.slice(-3000)}`).toBe(0);
      const outputs = outputsOf(path.join(out, lab));
      expect(outputs.length, lab).toBeGreaterThan(0);
      expect(outputs.filter((o) => o.output_type === "error" || o.name === "stderr").map(text), lab).toEqual([]);
    }
  }, 900_000);

  it("`ep-lab kernel install --prefix` runs every lab from a learner workspace outside the project", () => {
    const installed = installKernelspec({ prefix: path.join(tmp, "hub") });
    const ws = seedWorkspace(path.join(tmp, "home", "ada", "ep-lab"));
    expect(ws.copied).toEqual(labs);
    const out = path.join(tmp, "out-installed");
    for (const lab of labs) {
      const r = execute(path.join(ws.dir, lab), installed.dataDir, out);
      expect(r.status, `${lab}:\n${r.log.slice(-3000)}`).toBe(0);
      expect(outputsOf(path.join(out, lab)).filter((o) => o.output_type === "error" || o.name === "stderr").map(text), lab).toEqual([]);
    }
  }, 900_000);

  it("the installed kernelspec preloads iopub-flush.js: one cell's 3,000 output messages all reach nbconvert", () => {
    // zeromq.js defers the 513th queued send and drops the ones after it; a plain tslab kernel loses them (and, when the
    // last is its idle status, the cell never ends). The installed spec's `--require …/iopub-flush.js` keeps them.
    const installed = installKernelspec({ prefix: path.join(tmp, "hub-flood") });
    expect(installed.spec.argv.slice(1, 3)).toEqual(["--require", path.join(ROOT, "src", "runner", "iopub-flush.js")]);
    const dir = path.join(tmp, "flood");
    fs.mkdirSync(dir, { recursive: true });
    const n = 3000;
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
      cells: [{ cell_type: "code", id: "flood", metadata: {}, execution_count: null, outputs: [], source: [`for (let i = 0; i < ${n}; i++) console.log("line " + i);`] }],
    };
    fs.writeFileSync(path.join(dir, "flood.ipynb"), JSON.stringify(nb));
    const r = execute(path.join(dir, "flood.ipynb"), installed.dataDir, path.join(tmp, "out-flood"));
    expect(r.status, r.log.slice(-3000)).toBe(0);
    expect(r.log).not.toMatch(/Timeout waiting for IOPub output/);
    const lines = outputsOf(path.join(tmp, "out-flood", "flood.ipynb")).filter((o) => o.name === "stdout").map(text).join("").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(n);
    expect(lines.every((l, i) => l === `line ${i}`)).toBe(true);
  }, 300_000);

  it("a failing import shows, in the cell's own output, the missing module and how to fix it", () => {
    const kp = path.join(tmp, "plain");
    const dir = path.join(tmp, "unbuilt");
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(tmp, "no-such-dist"), path.join(dir, "ep-lab")); // a workspace whose build is missing
    const setup = JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", "lab3.1-expert-parallelism-foundations.ipynb"), "utf8"));
    const first = setup.cells.find((c: { id?: string }) => c.id === "setup-status");
    const nb = { ...setup, cells: [{ ...first, outputs: [], execution_count: null }] };
    fs.writeFileSync(path.join(dir, "t.ipynb"), JSON.stringify(nb));
    const r = execute(path.join(dir, "t.ipynb"), kp, path.join(tmp, "out-fail"), ["--allow-errors"]);
    expect(r.status, r.log.slice(-3000)).toBe(0);
    const shown = outputsOf(path.join(tmp, "out-fail", "t.ipynb")).map(text).join("\n");
    const source = Array.isArray(first.source) ? first.source.join("") : first.source;
    expect(shown).toContain("Cannot find module './ep-lab/notebook'");
    // The fix sits in the cell right above its error (and nbconvert prints the cell's source with the error).
    expect(source).toMatch(/npm run build/);
  }, 300_000);
});
