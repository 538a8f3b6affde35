import { describe, expect, it } from "vitest";
import { captureConsole } from "../helpers/console";

import { main } from "../../src/cli/main";

const io = captureConsole();

describe("ep-lab route", () => {
  it("prints JSON expert loads and balance stats (exit 0)", async () => {
    const code = await main(["route", "--experts", "16", "--top-k", "2", "--tokens", "500", "--workload", "zipf", "--zipf-s", "1.1", "--seed", "3"]);
    expect(code).toBe(0);
    const json = JSON.parse(io.out.join("\n"));
    expect(json.tokensPerExpert).toHaveLength(16);
    expect(json.tokensPerExpert.reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    expect(json.expertLoadStats.total).toBe(1000);
    expect(json.expertLoadStats.balancedness).toBeGreaterThan(0);
    expect(json.expertLoadStats.balancedness).toBeLessThan(1);
    expect(json.config).toMatchObject({ numExperts: 16, topK: 2, numTokens: 500, workload: "zipf", zipfS: 1.1, seed: 3 });
    // reproducible
    io.out.length = 0;
    await main(["route", "--experts", "16", "--top-k", "2", "--tokens", "500", "--workload", "zipf", "--zipf-s", "1.1", "--seed", "3"]);
    expect(JSON.parse(io.out.join("\n")).tokensPerExpert).toEqual(json.tokensPerExpert);
  });
  it("supports group-limited routing, shared experts and dispatch accounting", async () => {
    const code = await main([
      "route", "--experts", "32", "--top-k", "4", "--tokens", "256", "--groups", "8", "--topk-group", "2",
      "--scoring", "sigmoid", "--shared", "1", "--gpus", "8", "--nodes", "2", "--workload", "hot", "--hot", "2",
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(io.out.join("\n"));
    expect(json.sharedExpertTokens).toEqual([256]);
    expect(json.dispatch.tokensPerGpu.reduce((a: number, b: number) => a + b, 0)).toBe(1024);
    expect(json.dispatch.numNodes).toBe(2);
    expect(json.dispatch.localTokens + json.dispatch.intraNodeTokens + json.dispatch.interNodeTokens).toBeGreaterThanOrEqual(256);
  });
  it("prints help (exit 0)", async () => {
    expect(await main(["route", "--help"])).toBe(0);
    expect(io.out.join("\n")).toMatch(/usage: ep-lab route/);
  });
  it.each([
    [["--experts", "0"], /--experts must be ≥ 1, got 0/],
    [["--experts", "abc"], /--experts must be a decimal integer, got "abc"/],
    [["--top-k", "9", "--experts", "8"], /--top-k \(9\) must be at most --experts \(8\)/],
    [["--workload", "pareto"], /--workload must be one of uniform, zipf, hot/],
    [["--zipf-s", "-1"], /--zipf-s must be ≥ 0, got -1/],
    [["--groups", "3"], /numExperts \(256\) must be divisible by numGroups \(3\)/],
    [["--bogus", "1"], /unknown option --bogus/],
    [["--scoring", "relu"], /--scoring must be one of/],
    [["--hot", "3"], /--hot only applies to --workload hot/],
    [["--gpus", "3"], /--gpus \(3\) must be ≥ 1 and divide --experts/],
    [["--nodes", "2"], /--nodes needs --gpus/],
    [["--seed", "-1"], /seed/],
    [["extra"], /unexpected argument "extra"/],
  ])("bad input %j → message naming it, exit 2", async (args, message) => {
    expect(await main(["route", ...args])).toBe(2);
    expect(io.err.join("\n")).toMatch(message);
    expect(io.out).toEqual([]);
  });
});
