/**
 * The CI variant of the workshop load test (`npm run workshop:load` runs the full class): two simulated
 * learners log in through the hub, start their servers and run Lab 3.1's first cells over the kernel
 * WebSocket, concurrently. Checks correctness and cleanup, never timings. Needs root and JupyterHub.
 */
import { describe, expect, it } from "vitest";
import { groupMembers, isRoot, lookupAccount, WORKSHOP_GROUP } from "../../src/workshop/accounts";
import { hubMissing } from "../../src/workshop/hub";
import { runLoadTest, reportText } from "../../src/workshop/load";
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
