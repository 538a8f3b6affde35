/** Kernel process management: start-up failures, start-up timeouts, heartbeat, shutdown, argument checks. */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePorts, Kernel, liveKernelCount, runNotebook } from "../../src/runner";
import { groupGone, pidGone } from "./helpers";

const fixtures = path.join(__dirname, "fixtures");
const fake = (name: string) => path.join(fixtures, "fake-kernels", name);

describe("freePorts", () => {
  it("returns distinct usable port numbers", async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(p > 0 && p < 65536).toBe(true);
  });
  it("rejects a bad count", async () => {
    await expect(freePorts(0)).rejects.toThrow(/count must be a positive integer, got 0/);
    await expect(freePorts(1.5)).rejects.toThrow(RangeError);
  });
});

describe("Kernel.start", { timeout: 60_000 }, () => {
  it("reports a kernel that exits during start-up, with its exit code and stderr", async () => {
    await expect(Kernel.start({ cwd: fixtures, tslabBin: fake("exit-at-once.js"), nodeArgs: [] })).rejects.toThrow(
      /exited during start-up \(code 7.*\n.*cannot start \(on purpose\)/,
    );
    expect(liveKernelCount()).toBe(0);
  });

  it("gives up on a kernel that never answers and kills it", async () => {
    const before = new Set(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("ep-lab-kernel-")));
    await expect(Kernel.start({ cwd: fixtures, tslabBin: fake("silent.js"), nodeArgs: [], startTimeoutMs: 1500 })).rejects.toThrow(
      /did not become ready within 1500 ms/,
    );
    expect(liveKernelCount()).toBe(0);
    // the connection file (with the key) is removed
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("ep-lab-kernel-") && !before.has(f));
    expect(after).toEqual([]);
  });

  it("rejects a missing working directory and a bad start timeout", async () => {
    await expect(Kernel.start({ cwd: path.join(fixtures, "nope") })).rejects.toThrow(/cwd must be an existing directory/);
    await expect(Kernel.start({ cwd: fixtures, startTimeoutMs: -1 })).rejects.toThrow(/startTimeoutMs must be positive, got -1/);
  });

  it("runNotebook turns a start-up failure into a failed run that executes nothing", async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-start-fail-"));
    try {
      // A start timeout far below tslab's start-up time makes the real kernel "fail to start".
      const r = await runNotebook(path.join(fixtures, "type-error.ipynb"), { outDir, startTimeoutMs: 1 });
      expect(r.ok).toBe(false);
      expect(r.failure?.reason).toBe("start");
      expect(r.failure?.cellIndex).toBe(-1);
      expect(r.failure?.message).toMatch(/the tslab kernel did not start/);
      expect(r.cells.every((c) => c.status === "skipped")).toBe(true);
      expect(fs.existsSync(r.htmlPath!)).toBe(true);
      expect(fs.readFileSync(r.htmlPath!, "utf8")).toContain("This notebook did not run to the end.");
      expect(liveKernelCount()).toBe(0);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });
});

describe("a real tslab kernel", { timeout: 120_000 }, () => {
  it("answers the heartbeat, executes, shuts down politely and leaves no process", async () => {
    const kernel = await Kernel.start({ cwd: fixtures });
    try {
      expect(kernel.isAlive()).toBe(true);
      expect(await kernel.heartbeat()).toBe(true);
      const texts: string[] = [];
      const outcome = await kernel.execute('console.log("from the kernel", 1 + 1)', {
        timeoutMs: 60_000,
        onIopub: (m) => texts.push(String((m.content as { text?: string }).text ?? "")),
      });
      expect(outcome.status).toBe("ok");
      expect(outcome.executionCount).toBe(1);
      expect(texts.join("")).toBe("from the kernel 2\n");
      await expect(kernel.execute("1", { timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive finite number, got 0/);
    } finally {
      expect(await kernel.shutdown()).toEqual({ code: 0, signal: null });
    }
    expect(pidGone(kernel.pid) && groupGone(kernel.pid)).toBe(true);
    expect(await kernel.heartbeat(300)).toBe(false);
    await expect(kernel.execute("1")).rejects.toThrow(/closed/);
  });
});

async function startOrphanMaker(...args: string[]): Promise<{ child: import("child_process").ChildProcess; kernelPid: number; childPid?: number }> {
  const { spawn } = await import("child_process");
  const root = path.resolve(__dirname, "..", "..");
  const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), fake("orphan-maker.ts"), ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /kernel (\d+)/.exec(out);
      const c = /child (\d+)/.exec(out);
      if (m) resolve({ child, kernelPid: Number(m[1]), childPid: c ? Number(c[1]) : undefined });
    });
    child.once("exit", (code) => reject(new Error(`orphan-maker exited early (${code})`)));
  });
}

async function waitGone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pidGone(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return pidGone(pid);
}

describe("a runner killed with SIGKILL", { timeout: 300_000 }, () => {
  it("does not leave its kernel behind (the watchdogs notice the lost owner)", async () => {
    const { child, kernelPid } = await startOrphanMaker();
    expect(pidGone(kernelPid)).toBe(false);
    child.kill("SIGKILL");
    expect(await waitGone(kernelPid)).toBe(true);
    expect(groupGone(kernelPid)).toBe(true);
  });

  it("kills a kernel spinning in while (true) {} and the detached child it started", async () => {
    const { child, kernelPid, childPid } = await startOrphanMaker("spin");
    expect(childPid).toBeGreaterThan(1);
    expect(pidGone(kernelPid)).toBe(false);
    expect(pidGone(childPid!)).toBe(false);
    child.kill("SIGKILL");
    // The in-kernel timer cannot fire in a busy loop: only the separate watchdog process can end it.
    expect(await waitGone(kernelPid)).toBe(true);
    expect(await waitGone(childPid!)).toBe(true);
    expect(groupGone(kernelPid)).toBe(true);
  });
});

describe("a detached child of a cell", { timeout: 120_000 }, () => {
  it("is killed with the kernel, on shutdown and on kill", async () => {
    for (const how of ["shutdown", "kill"] as const) {
      const kernel = await Kernel.start({ cwd: fixtures });
      let out = "";
      try {
        const r = await kernel.execute('import { spawn } from "child_process";\nconsole.log("child " + spawn("sleep", ["1000"], { detached: true, stdio: "ignore" }).pid);', {
          timeoutMs: 60_000,
          onIopub: (m) => (out += String((m.content as { text?: string }).text ?? "")),
        });
        expect(r.status).toBe("ok");
      } finally {
        if (how === "shutdown") await kernel.shutdown();
        else {
          kernel.kill();
          await kernel.exited;
          await kernel.shutdown(0);
        }
      }
      const childPid = Number(/child (\d+)/.exec(out)?.[1]);
      expect(childPid).toBeGreaterThan(1);
      expect(await waitGone(childPid, 5000)).toBe(true);
      expect(groupGone(childPid)).toBe(true);
    }
  });
});
