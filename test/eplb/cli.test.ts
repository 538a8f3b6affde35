import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureConsole } from "../helpers/console";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { main } from "../../src/cli/main";

const W = [
  [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
  [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27],
];

let dir: string;
const { out, err } = captureConsole();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-eplb-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

describe("ep-lab eplb", () => {
  it("prints the README placement and metrics as JSON", async () => {
    const f = file("w.json", JSON.stringify(W));
    const code = await main(["eplb", "--weights", f, "--replicas", "16", "--groups", "4", "--nodes", "2", "--gpus", "8"]);
    expect(code).toBe(0);
    const o = JSON.parse(out.join("\n"));
    expect(o.policy).toBe("hierarchical");
    expect(o.phy2log).toEqual([
      [5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
      [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1],
    ]);
    expect(o.logcnt[0]).toEqual([1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1]);
    expect(o.log2phy[0][1]).toEqual([15, 13]);
    expect(o.gpuLoads).toHaveLength(2);
    expect(o.gpuLoads[0]).toHaveLength(8);
    expect(o.balancedness).toHaveLength(2);
    expect(o.balancedness[0]).toBeGreaterThan(0.8);
    expect(o.balancedness[0]).toBeLessThanOrEqual(1);
    expect(o.imbalance[0]).toBeCloseTo(1 / o.balancedness[0] - 1, 12);
    expect(o.meanBalancedness).toBeCloseTo((o.balancedness[0] + o.balancedness[1]) / 2, 12);
    expect(err).toEqual([]);
  });

  it("accepts a flat vector (one layer), an object with weights, --compact and --key=value", async () => {
    const f = file("v.json", JSON.stringify({ weights: [10, 2, 3, 1, 6, 2, 1, 7] }));
    expect(await main(["eplb", `--weights=${f}`, "--replicas=12", "--gpus=4", "--compact"])).toBe(0);
    expect(out).toHaveLength(1);
    const o = JSON.parse(out[0]);
    expect(o.numLayers).toBe(1);
    expect(o.logcnt[0].reduce((a: number, b: number) => a + b)).toBe(12);
    expect(Math.max(...o.gpuLoads[0])).toBe(8.5);
  });

  it("--help prints usage and exits 0", async () => {
    expect(await main(["eplb", "--help"])).toBe(0);
    expect(out.join("\n")).toMatch(/usage: ep-lab eplb --weights FILE.json --replicas R/);
  });

  it.each([
    ["missing --weights", ["--replicas", "16", "--gpus", "8"], /missing --weights/],
    ["missing --replicas", ["--weights", "W", "--gpus", "8"], /missing --replicas/],
    ["non-numeric --gpus", ["--weights", "W", "--replicas", "16", "--gpus", "eight"], /--gpus must be a decimal integer, got "eight"/],
    ["fractional --replicas", ["--weights", "W", "--replicas", "16.5", "--gpus", "8"], /--replicas must be an integer/],
    ["unknown option", ["--weights", "W", "--replicas", "16", "--gpus", "8", "--bogus", "1"], /unknown option --bogus/],
    ["stray argument", ["W"], /unexpected argument/],
    ["R not divisible by P", ["--weights", "W", "--replicas", "17", "--groups", "4", "--nodes", "2", "--gpus", "8"], /numReplicas \(17\) must be divisible by numGpus \(8\)/],
    ["too few replicas", ["--weights", "W", "--replicas", "8", "--gpus", "8"], /numReplicas \(8\) must be ≥ the number of experts \(12\)/],
    ["missing file", ["--weights", "/nonexistent/w.json", "--replicas", "16", "--gpus", "8"], /cannot read "\/nonexistent\/w.json"/],
  ])("%s → exit 2 with a message naming it", async (_name, args, message) => {
    const f = file("w.json", JSON.stringify(W));
    const argv = args.map((a) => (a === "W" ? f : a));
    expect(await main(["eplb", ...argv])).toBe(2);
    expect(err.join("\n")).toMatch(message);
    expect(out).toEqual([]);
  });

  it.each([
    ["invalid JSON", "[[1, 2", /is not valid JSON/],
    ["not an array", '"hello"', /must hold a JSON array/],
    ["object without weights", '{"w": [1]}', /without a "weight" or "weights" field/],
    ["negative load", "[[1, -2]]", /weight\[0\]\[1\] must be ≥ 0, got -2/],
    ["string load", '[[1, "2"]]', /weight\[0\]\[1\] must be a number/],
    ["ragged rows", "[[1, 2], [3]]", /rectangular/],
    ["empty", "[]", /weight must not be empty/],
  ])("bad weights file (%s) → exit 2", async (_name, content, message) => {
    const f = file("bad.json", content);
    expect(await main(["eplb", "--weights", f, "--replicas", "2", "--gpus", "1"])).toBe(2);
    expect(err.join("\n")).toMatch(message);
  });
});
