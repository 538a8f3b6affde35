/**
 * The learner's Jupyter server: the token stays private (environment, not argv; runtime folder 0700, files 0600),
 * and every way of stopping `ep-lab start` / `npm start` stops Jupyter and its kernels (SIGKILL included), with the
 * stale runtime files cleared on the next start. Real Jupyter Notebook (Debian's jupyter-notebook); skipped without.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clearStaleRuntime, findJupyter, startJupyter } from "../../src/jupyter";
import { processTree } from "../../src/runner";

const ROOT = path.resolve(__dirname, "..", "..");
const install = findJupyter();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-lifetime-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return cond();
}

describe("stale runtime files", () => {
  it("removes files of servers and kernels that no longer run, keeps the others", () => {
    const dir = path.join(tmp, "runtime");
    fs.mkdirSync(dir);
    const dead = 2 ** 22 + 12345; // above the default pid_max of most systems: no such process
    for (const f of [`nbserver-${dead}.json`, `nbserver-${dead}-open.html`, `nbserver-${process.pid}.json`, "kernel-0f3a.json", "notebook_cookie_secret"]) {
      fs.writeFileSync(path.join(dir, f), "x");
    }
    expect(clearStaleRuntime(dir).sort()).toEqual(["kernel-0f3a.json", `nbserver-${dead}-open.html`, `nbserver-${dead}.json`]);
    expect(fs.readdirSync(dir).sort()).toEqual([`nbserver-${process.pid}.json`, "notebook_cookie_secret"]);
    expect(clearStaleRuntime(path.join(tmp, "none"))).toEqual([]);
    expect(() => clearStaleRuntime("relative")).toThrow(TypeError);
  });
});

describe.skipIf(!install)("a real Jupyter server", { timeout: 180_000 }, () => {
  it("gets its token through the environment, not argv, and keeps its runtime folder private", async () => {
    const stateDir = path.join(tmp, "state");
    const jup = await startJupyter({ install: install!, stateDir, notebookDir: tmp, readyTimeoutMs: 120_000 });
    try {
      const pid = jup.process.pid!;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      expect(argv).toContain("--NotebookApp.ip=127.0.0.1");
      expect(argv).not.toContain(jup.token);
      expect(fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain(`JUPYTER_TOKEN=${jup.token}`);
      // the server honours it: the API answers with the token and refuses without
      expect((await fetch(`${jup.baseUrl}api/kernels`, { headers: { Authorization: `token ${jup.token}` } })).status).toBe(200);
      expect((await fetch(`${jup.baseUrl}api/kernels`)).status).toBe(403);
      const runtime = path.join(stateDir, "runtime");
      expect(fs.statSync(runtime).mode & 0o777).toBe(0o700);
      const files = fs.readdirSync(runtime);
      expect(files).toContain(`nbserver-${pid}.json`);
      for (const f of files) expect([f, fs.statSync(path.join(runtime, f)).mode & 0o777]).toEqual([f, 0o600]);
    } finally {
      await jup.stop();
    }
  });
});

/** Start `ep-lab start` (or `npm start`), wait for its URL, start a kernel through the API; return the pids. */
async function startServer(viaNpm: boolean): Promise<{ child: ChildProcess; serverPid: number; kernelPid: number; token: string }> {
  const args = viaNpm ? ["npm", ["start", "--", "--no-browser", "--port", "0"]] : [process.execPath, [path.join(ROOT, "bin", "ep-lab.js"), "start", "--no-browser", "--port", "0"]];
  const child = spawn(args[0] as string, args[1] as string[], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", () => undefined);
  expect(await until(() => /\/tree\?token=\w+/.test(out), 120_000)).toBe(true);
  const [, base, token] = /(http:\/\/127\.0\.0\.1:\d+\/)tree\?token=(\w+)/.exec(out)!;
  const res = await fetch(`${base}api/kernels`, { method: "POST", headers: { Authorization: `token ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "tslab" }) });
  expect(res.status).toBe(201);
  const tree = () => processTree(child.pid!).map((e) => e.pid);
  const cmd = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      return "";
    }
  };
  expect(await until(() => tree().some((p) => cmd(p).includes("tslab") && cmd(p).includes("kernel")), 60_000)).toBe(true);
  const serverPid = tree().find((p) => cmd(p).includes("jupyter-notebook") || cmd(p).includes("jupyter-lab"))!;
  const kernelPid = tree().find((p) => cmd(p).includes("tslab") && cmd(p).includes("kernel"))!;
  expect(serverPid).toBeGreaterThan(1);
  return { child, serverPid, kernelPid, token };
}

describe.skipIf(!install)("stopping ep-lab start", { timeout: 300_000 }, () => {
  it("SIGKILL to ep-lab start takes Jupyter and its kernel down; the next start clears the stale files", async () => {
    const { child, serverPid, kernelPid } = await startServer(false);
    child.kill("SIGKILL");
    expect(await until(() => !alive(serverPid) && !alive(kernelPid), 15_000)).toBe(true);
    const runtime = path.join(ROOT, ".jupyter-local", "runtime");
    // A killed server cannot remove its runtime file (it holds the token): the next start does.
    if (fs.existsSync(path.join(runtime, `nbserver-${serverPid}.json`))) {
      expect(clearStaleRuntime(runtime)).toContain(`nbserver-${serverPid}.json`);
    }
    expect(fs.existsSync(path.join(runtime, `nbserver-${serverPid}.json`))).toBe(false);
  });

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    it(`${sig} to the npm process alone stops npm, ep-lab start, Jupyter and the kernel`, async () => {
      const { child, serverPid, kernelPid } = await startServer(true);
      process.kill(child.pid!, sig); // npm only, not its process group
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      expect(await until(() => !alive(serverPid) && !alive(kernelPid), 30_000)).toBe(true);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
    });
  }
});
