import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { captureConsole } from "../helpers/console";

const io = captureConsole();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const ROOT = path.resolve(__dirname, "..", "..");

describe("ep-lab --version, eplb --summary, reset, build --check", () => {
  it("--version prints package.json's version", async () => {
    expect(await main(["--version"])).toBe(0);
    expect(io.out).toEqual([JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version]);
  });

  it("eplb --summary prints a short human summary with balancedness before and after, replicas, per-GPU load", async () => {
    const w = path.join(tmp, "w.json");
    fs.writeFileSync(w, "[[90,132,40,61,104,165,39,4,73,56,183,86],[20,107,104,64,19,197,187,157,172,86,16,27]]");
    expect(await main(["eplb", "--weights", w, "--replicas", "16", "--groups", "4", "--nodes", "2", "--gpus", "8", "--summary"])).toBe(0);
    const text = io.out.join("\n");
    expect(text.split("\n").length).toBeLessThanOrEqual(10);
    expect(text).toMatch(/^EPLB, hierarchical policy: 2 layers × 12 experts → 16 slots on 8 GPUs \(2 nodes, 4 groups\)/);
    expect(text).toContain("replicas: 4 extra slots per layer");
    expect(text).toMatch(/before EPLB \(experts in order, one copy each, 1–2 per GPU\): 0\.\d{3}/);
    expect(text).toMatch(/after EPLB: 0\.\d{3}/);
    // After must beat before, and the per-GPU totals add up to all tokens of both layers.
    const before = Number(/before EPLB[^:]*: (0\.\d+)/.exec(text)![1]);
    const after = Number(/after EPLB: (0\.\d+)/.exec(text)![1]);
    expect(after).toBeGreaterThan(before);
    const perGpu = /GPU 0–7: ([\d ,]+)$/m.exec(text)![1].trim().split(/\s+/).map((x) => Number(x.replace(/,/g, "")));
    expect(perGpu).toHaveLength(8);
    const total = [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86, 20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27].reduce((a, b) => a + b, 0);
    expect(Math.abs(perGpu.reduce((a, b) => a + b, 0) - total)).toBeLessThanOrEqual(8); // each total rounded
    expect(await main(["eplb", "--weights", w, "--replicas", "16", "--gpus", "8", "--summary", "--compact"])).toBe(2);
  });

  it("reset restores fresh copies into --dir and keeps the learner's as dated backups; unknown labs exit 2", async () => {
    const dir = path.join(tmp, "ws");
    expect(await main(["reset", "--dir", dir])).toBe(0);
    const lab = "lab3.1-expert-parallelism-foundations.ipynb";
    expect(fs.readFileSync(path.join(dir, lab), "utf8")).toBe(fs.readFileSync(path.join(ROOT, "notebooks", lab), "utf8"));
    fs.writeFileSync(path.join(dir, lab), "my answers");
    io.out.length = 0;
    expect(await main(["reset", "lab3.1", "--dir", dir])).toBe(0);
    expect(io.out.join("\n")).toMatch(/Restored lab3\.1-expert-parallelism-foundations\.ipynb; your copy is in .*backups\/lab3\.1-expert-parallelism-foundations\.\d{4}-\d{2}-\d{2}_\d{6}\.ipynb/);
    const backups = fs.readdirSync(path.join(dir, "backups"));
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, "backups", backups[0]), "utf8")).toBe("my answers");
    expect(await main(["reset", "lab9", "--dir", dir])).toBe(2);
    expect(io.err.join("\n")).toMatch(/no lab named "lab9"/);
  });

  it("build --check is 0 for the current build; --watch with --check is a usage error", async () => {
    expect(await main(["build", "--check"])).toBe(0);
    expect(io.out.join("\n")).toContain("is current");
    expect(await main(["build", "--watch", "--check"])).toBe(2);
    expect(await main(["build", "extra"])).toBe(2);
  });

  it("kernel without a subcommand shows usage and exits 2", async () => {
    expect(await main(["kernel"])).toBe(2);
    expect(io.out.join("\n")).toContain("ep-lab kernel install");
  });
});
