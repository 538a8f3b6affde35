/**
 * The CI variant of the workshop load test (`npm run workshop:load` runs the full class): two simulated
 * learners log in through the hub, start their servers and run Lab 3.1's first cells over the kernel
 * WebSocket, concurrently. Checks correctness and cleanup, never timings. Needs root and JupyterHub.
 */
import { describe, expect, it } from "vitest";
import { spawn } from "child_process";
import * as path from "path";
import { groupMembers, isRoot, lookupAccount, WORKSHOP_GROUP } from "../../src/workshop/accounts";
import { hubMissing } from "../../src/workshop/hub";
import { LoadTestAborted, runLoadTest, reportText } from "../../src/workshop/load";
import { processTable } from "../../src/workshop/procs";
import { npmForwardedLearners } from "../../src/cli/workshop";

const skipReason = !isRoot() ? "not root (the load test creates Linux accounts)" : hubMissing() ?? null;
if (skipReason) console.warn(`skipping the workshop load test: ${skipReason}`);

describe("npm run workshop:load --learners N", () => {
  it("takes the class size npm kept for itself", () => {
    expect(npmForwardedLearners(["12"], { npm_config_learners: "true" })).toEqual(["--learners", "12"]);
    expect(npmForwardedLearners([], { npm_config_learners: "8" })).toEqual(["--learners", "8"]);
    expect(npmForwardedLearners(["--learners", "3"], { npm_config_learners: "8" })).toEqual(["--learners", "3"]);
    expect(npmForwardedLearners(["--cells", "2"], {})).toEqual(["--cells", "2"]);
  });
});

describe.skipIf(skipReason !== null)("workshop load test, 2 learners (CI variant)", () => {
  it("both learners run the first Lab 3.1 cells with no failure, and everything is removed afterwards", async () => {
    const lines: string[] = [];
    const report = await runLoadTest({ learners: 2, cells: 3, jitterSeconds: 2, prefix: "eplabtest-l", log: (l) => lines.push(l) });
    expect(report.failedCells, lines.join("\n")).toBe(0);
    expect(report.perLearner.map((l) => l.name)).toEqual(["eplabtest-l01", "eplabtest-l02"]);
    for (const l of report.perLearner) {
      expect(l.error, l.name).toBeUndefined();
      expect(l.cells.map((c) => c.status), l.name).toEqual(["ok", "ok", "ok"]);
      expect(l.firstOutputS, l.name).toBeGreaterThan(0);
      expect(l.wholeLabS, l.name).toBeGreaterThan(0);
      expect(l.peakMB, l.name).toBeGreaterThan(50); // a server and a TypeScript kernel were measured
    }
    expect(report.peakTotalMB).toBeGreaterThanOrEqual(report.peakPerLearnerMB);
    expect(report.summary).toMatch(/^2 learners, 0 failed cells, first output p95 \d+\.\d s, whole lab p95 \d+\.\d s, peak \d+ MB per learner$/);
    expect(reportText(report).split("\n").at(-1)).toBe(report.summary);
    // Accounts, homes and processes are gone.
    for (const n of ["eplabtest-l01", "eplabtest-l02", "eplabtest-li"]) expect(lookupAccount(n), n).toBeUndefined();
    expect(groupMembers(WORKSHOP_GROUP).filter((n) => n.startsWith("eplabtest-l"))).toEqual([]);
    expect(processTable().filter((p) => p.command.includes("ep-lab-load-"))).toEqual([]);
  }, 900_000);
});

describe("stopping the load test", () => {
  it("rejects a signal that is not an AbortSignal, and an aborted one before creating anything", async () => {
    await expect(runLoadTest({ learners: 1, signal: {} as AbortSignal })).rejects.toThrow(TypeError);
    await expect(runLoadTest({ learners: 1, signal: {} as AbortSignal })).rejects.toThrow(/signal must be an AbortSignal, got/);
    const c = new AbortController();
    c.abort();
    const lines: string[] = [];
    const early = runLoadTest({ learners: 1, signal: c.signal, prefix: "eplabtest-a", log: (l) => lines.push(l) });
    await expect(early).rejects.toBeInstanceOf(LoadTestAborted);
    await expect(early).rejects.toThrow(/^load test interrupted before it started: nothing was created$/);
    expect(lines).toEqual([]);
    expect(lookupAccount("eplabtest-a01")).toBeUndefined();
  });

  it.skipIf(skipReason !== null)(
    "Ctrl-C during the run: the CLI removes the hub, the accounts and their processes, then exits with code 130",
    async () => {
      expect(lookupAccount("eplabload-01"), "a load test is already running on this machine").toBeUndefined();
      const root = path.resolve(__dirname, "../..");
      const child = spawn(process.execPath, [path.join(root, "bin", "ep-lab.js"), "workshop", "load", "--learners", "1", "--jitter", "0", "--out", "/dev/null"], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      // Interrupt once the learner's own processes (its Jupyter server) run under its account.
      let uid: number | undefined;
      const sawLearnerStart = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          uid ??= lookupAccount("eplabload-01")?.uid;
          if (uid !== undefined && processTable().some((p) => p.uid === uid)) {
            clearInterval(poll);
            resolve();
          }
        }, 500);
        child.on("exit", () => clearInterval(poll));
      });
      let hung: NodeJS.Timeout | undefined;
      const within = <T>(p: Promise<T>, ms: number) =>
        Promise.race([p, new Promise<"hung">((r) => (hung = setTimeout(() => r("hung"), ms)))]).finally(() => clearTimeout(hung));
      let code: number | null | "hung";
      try {
        expect(await within(Promise.race([sawLearnerStart.then(() => "started" as const), exited.then(() => "exited" as const)]), 180_000), out).toBe("started");
        child.kill("SIGINT");
        code = await within(exited, 120_000);
      } finally {
        // never leave a root load test running behind a failed assertion
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      expect(code, out).toBe(130);
      expect(out).toMatch(/SIGINT: stopping the load test and cleaning up/);
      expect(out).toMatch(/load test interrupted: the hub, the learner accounts and their files were removed/);
      for (const n of ["eplabload-01", "eplabload-i"]) expect(lookupAccount(n), n).toBeUndefined();
      expect(processTable().filter((p) => p.uid === uid || p.command.includes("ep-lab-load-"))).toEqual([]);
    },
    300_000,
  );
});
