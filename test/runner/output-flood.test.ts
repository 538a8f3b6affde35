/**
 * A cell that prints thousands of lines in one go: every line arrives, in order, and the cell ends as soon as the
 * kernel goes idle (no false timeout). A kernel whose idle status never comes: the runner stops a short grace period
 * after the execute_reply and says the output may be incomplete.
 */
import { describe, expect, it } from "vitest";
import * as path from "path";
import { Kernel, liveKernelCount } from "../../src/runner";

const fixtures = path.join(__dirname, "fixtures");

function collect(): { texts: string[]; onIopub: (m: { header: { msg_type: string }; content: unknown }) => void } {
  const texts: string[] = [];
  return { texts, onIopub: (m) => m.header.msg_type === "stream" && texts.push(String((m.content as { text?: string }).text ?? "")) };
}

describe("cells with a flood of output (real tslab kernel)", { timeout: 120_000 }, () => {
  it("keeps all 1,000 and all 20,000 lines, in order, and reports ok well before the timeout", async () => {
    const kernel = await Kernel.start({ cwd: fixtures });
    try {
      for (const n of [1000, 20_000]) {
        const { texts, onIopub } = collect();
        const outcome = await kernel.execute(`for (let i = 0; i < ${n}; i++) console.log("line " + i)`, { timeoutMs: 60_000, onIopub });
        expect(outcome.status).toBe("ok");
        expect(outcome.outputIncomplete).toBeUndefined();
        const lines = texts.join("").split("\n");
        expect(lines.pop()).toBe("");
        expect(lines.length).toBe(n);
        expect(lines.every((l, i) => l === `line ${i}`)).toBe(true);
      }
      // the kernel is still usable afterwards
      const { texts, onIopub } = collect();
      expect((await kernel.execute('console.log("after")', { timeoutMs: 30_000, onIopub })).status).toBe("ok");
      expect(texts.join("")).toBe("after\n");
    } finally {
      await kernel.shutdown();
    }
    expect(liveKernelCount()).toBe(0);
  });
});

describe("a kernel that replies but never goes idle", { timeout: 60_000 }, () => {
  it("ends the cell a grace period after the last message, keeps the output, and flags it as possibly incomplete", async () => {
    const kernel = await Kernel.start({ cwd: fixtures, tslabBin: path.join(fixtures, "fake-kernels", "no-idle.js"), nodeArgs: [], startTimeoutMs: 20_000 });
    try {
      const { texts, onIopub } = collect();
      const outcome = await kernel.execute("anything", { timeoutMs: 30_000, idleGraceMs: 500, onIopub });
      expect(outcome.status).toBe("ok");
      expect(outcome.executionCount).toBe(1);
      expect(outcome.outputIncomplete).toBe(true);
      expect(outcome.durationMs).toBeLessThan(30_000); // gave up on the idle, not on the cell timeout
      expect(texts.join("")).toBe("partial output\n");
      await expect(kernel.execute("x", { idleGraceMs: 0 })).rejects.toThrow(/idleGraceMs must be an integer number of milliseconds from 1/);
      await expect(kernel.execute("x", { timeoutMs: 2 ** 31 })).rejects.toThrow(/timeoutMs must be at most 2147483647/);
    } finally {
      await kernel.shutdown(0);
    }
  });
});
