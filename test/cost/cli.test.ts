import { describe, expect, it } from "vitest";
import { captureConsole } from "../helpers/console";

import { main } from "../../src/cli/main";

const { out, err } = captureConsole();

/** Parse what the last command printed and clear the captured output. */
function take(): any {
  const text = out.join("\n");
  (out as string[]).length = 0;
  return JSON.parse(text);
}

describe("ep-lab cost", () => {
  it("decode prints the step, breakdown and memory as JSON", async () => {
    const code = await main(["cost", "decode", "--model", "deepseek-v3", "--gpu", "h800", "--ep", "144", "--batch-per-gpu", "128", "--kv-len", "4989", "--redundant-experts", "32", "--overlap", "--precision", "fp8"]);
    expect(code).toBe(0);
    const r = JSON.parse(out.join("\n"));
    for (const k of ["stepTimeMs", "tokensPerSecPerUser", "outputTokensPerSecPerGpu", "outputTokensPerSecPerNode", "attentionMs", "moeMs", "dispatchMs", "combineMs", "denseMs", "otherMs", "weightsGB", "kvGB", "fits"]) {
      expect(r, k).toHaveProperty(k);
    }
    expect(r.fits).toBe(true);
    expect(r.expertsPerGpu).toBe(2);
  });

  it("decode with --mtp and imbalance options", async () => {
    expect(await main(["cost", "decode", "--model", "deepseek-r1", "--gpu", "h800", "--ep", "144", "--batch-per-gpu", "64", "--kv-len", "4989", "--redundant-experts=32", "--mtp", "--load-imbalance", "1.2"])).toBe(0);
    expect(JSON.parse(out.join("\n")).tokensPerGpu).toBe(128);
  });

  it("alltoall prints dispatchUs and combineUs", async () => {
    expect(await main(["cost", "alltoall", "--gpu", "h800", "--ep", "32", "--tokens-per-rank", "128"])).toBe(0);
    const r = JSON.parse(out.join("\n"));
    expect(r.dispatchUs).toBeGreaterThan(100);
    expect(r.combineUs).toBeGreaterThan(r.dispatchUs);
  });

  it("sweep prints the frontier and the throughput at a tokens/s per user", async () => {
    expect(await main(["cost", "sweep", "--model", "deepseek-v3", "--gpu", "gb200", "--kv-len", "2048", "--ep", "8,32", "--batches", "8,32,128", "--tokens-per-user", "30"])).toBe(0);
    const r = JSON.parse(out.join("\n"));
    expect(Array.isArray(r.frontier)).toBe(true);
    expect(Object.keys(r.byEp)).toEqual(["8", "32"]);
    expect(r.atTokensPerSecPerUser.tokensPerSecPerUser).toBe(30);
  });

  it("calibrate prints a table with sources and leave-one-out errors; --json has the documented fields", async () => {
    expect(await main(["cost", "calibrate"])).toBe(0);
    const text = out.join("\n");
    (out as string[]).length = 0;
    expect(text).toMatch(/published\s+model\s+unit\s+error\s+leave-one-out/);
    expect(text).toMatch(/median \|error\| \d+\.\d%, worst \|error\| \d+\.\d%; leave-one-out: median/);
    expect(text).toMatch(/source: https:\/\/github\.com\/deepseek-ai\/DeepEP/);
    expect(text).toMatch(/run:    ep-lab cost alltoall --gpu h800 --ep 8 --tokens-per-rank 128/);
    expect(await main(["cost", "calibrate", "--json"])).toBe(0);
    const r = take();
    expect(r.points.length).toBeGreaterThanOrEqual(12);
    for (const p of r.points) {
      for (const k of ["name", "gpu", "metric", "source", "cliArgs", "published", "model", "error", "looError"]) expect(p, `${p.name}.${k}`).toHaveProperty(k);
      expect(p.source.url).toMatch(/^https:\/\//);
      expect(typeof p.source.says).toBe("string");
    }
    expect(typeof r.medianAbsError).toBe("number");
    expect(typeof r.worstAbsError).toBe("number");
  });

  it("--help exits 0; no subcommand exits 2", async () => {
    expect(await main(["cost", "--help"])).toBe(0);
    expect(out.join("\n")).toMatch(/ep-lab cost <decode\|prefill\|alltoall\|sweep\|calibrate>/);
    expect(await main(["cost", "decode", "--help"])).toBe(0);
    expect(await main(["cost"])).toBe(2);
  });

  it("unknown model or GPU lists the known ones and exits 2", async () => {
    expect(await main(["cost", "decode", "--model", "gpt-5", "--gpu", "h800", "--ep", "8", "--batch-per-gpu", "8", "--kv-len", "10"])).toBe(2);
    expect(err.join("\n")).toMatch(/unknown model "gpt-5"; known: deepseek-v3/);
    expect(await main(["cost", "alltoall", "--gpu", "tpu", "--ep", "8", "--tokens-per-rank", "8"])).toBe(2);
    expect(err.join("\n")).toMatch(/unknown gpu "tpu"; known: b200, gb200, h100, h200, h800/);
  });

  it("infeasible configurations print feasible: false with the reason and exit 1", async () => {
    const base = ["cost", "decode", "--model", "deepseek-v3", "--gpu", "h800", "--kv-len", "4989"];
    expect(await main([...base, "--ep", "144", "--batch-per-gpu", "8"])).toBe(1);
    const r = take();
    expect(r.feasible).toBe(false);
    expect(r.outputTokensPerSecPerGpu).toBeNull();
    expect(r.reasons[0]).toMatch(/= 256\) is not divisible by epSize \(144\).*redundantExperts 32/);
    expect(err.pop()).toMatch(/infeasible: .*redundantExperts 32/);
    expect(await main([...base, "--ep", "144", "--redundant-experts", "32", "--batch-per-gpu", "2000"])).toBe(1);
    expect(take().reasons[0]).toMatch(/batchPerGpu 2000 .* the largest batch that fits is \d+/);
  });

  it("the README's decode example exits 0, and decode --help has its own page", async () => {
    expect(await main(["cost", "decode", "--model", "deepseek-v3", "--gpu", "h800", "--ep", "144", "--redundant-experts", "32", "--batch-per-gpu", "128", "--kv-len", "4989", "--overlap"])).toBe(0);
    expect(take().feasible).toBe(true);
    expect(await main(["cost", "decode", "--help"])).toBe(0);
    const page = out.join("\n");
    (out as string[]).length = 0;
    expect(page).toMatch(/usage: ep-lab cost decode/);
    expect(page).toMatch(/example:\n  ep-lab cost decode --model deepseek-v3/);
    expect(page).toMatch(/output fields \(JSON\): feasible, reasons, stepTimeMs/);
    expect(page).toMatch(/--top-k ≤ 64/);
  });

  it("precision axes from the command line", async () => {
    const base = ["cost", "decode", "--model", "deepseek-r1", "--gpu", "gb200", "--ep", "32", "--batch-per-gpu", "256", "--kv-len", "2000"];
    expect(await main([...base, "--moe-precision", "nvfp4", "--kv-precision", "fp8", "--dispatch-precision", "nvfp4"])).toBe(0);
    const fp4 = take();
    expect(await main(base)).toBe(0);
    const fp8 = take();
    expect(fp4.weightsGB).toBeLessThan(fp8.weightsGB);
    expect(fp4.kvGB).toBeCloseTo(fp8.kvGB / 2, 9);
    expect(fp4.stepTimeMs).toBeLessThan(fp8.stepTimeMs);
    expect(await main([...base, "--moe-precision", "int4"])).toBe(2);
    expect(err.pop()).toMatch(/--moe-precision must be one of bf16, fp8, nvfp4, mxfp4/);
  });

  it("bad numbers and bad options are named errors with exit 2", async () => {
    const base = ["cost", "decode", "--model", "deepseek-v3", "--gpu", "h800", "--kv-len", "4989"];
    expect(await main([...base, "--ep", "abc", "--batch-per-gpu", "8"])).toBe(2);
    expect(err.pop()).toMatch(/--ep must be a decimal integer, got "abc"/);
    expect(await main([...base, "--ep", "8.5", "--batch-per-gpu", "8"])).toBe(2);
    expect(err.pop()).toMatch(/--ep must be (an|a decimal) integer/);
    expect(await main([...base, "--ep", "8", "--batch-per-gpu", "8", "--gpus-per-node", "1e12"])).toBe(2);
    expect(err.pop()).toMatch(/--gpus-per-node must be a decimal integer, got "1e12"/);
    expect(await main([...base, "--ep", "8", "--batch-per-gpu", "8", "--gpus-per-node", "100000"])).toBe(2);
    expect(err.pop()).toMatch(/--gpus-per-node must be ≤ 576/);
    expect(await main(["cost", "alltoall", "--gpu", "h800", "--ep", "8", "--tokens-per-rank", "128", "--top-k", "1000000"])).toBe(2);
    expect(err.pop()).toMatch(/--top-k must be ≤ 64/);
    expect(await main([...base, "--ep", "8", "--batch-per-gpu", "-3"])).toBe(2);
    expect(err.pop()).toMatch(/batchPerGpu/);
    expect(await main([...base, "--ep", "8"])).toBe(2);
    expect(err.pop()).toMatch(/missing --batch-per-gpu/);
    expect(await main([...base, "--ep", "8", "--batch-per-gpu", "8", "--precision", "fp4"])).toBe(2);
    expect(err.pop()).toMatch(/--precision/);
    expect(await main([...base, "--ep", "8", "--batch-per-gpu", "8", "--bogus", "1"])).toBe(2);
    expect(err.pop()).toMatch(/unknown option --bogus/);
    expect(await main(["cost", "alltoall", "--gpu", "h800", "--ep", "8", "--tokens-per-rank", "NaN"])).toBe(2);
    expect(await main(["cost", "sweep", "--model", "deepseek-v3", "--gpu", "h800", "--kv-len", "100", "--ep", "8,x"])).toBe(2);
    expect(err.pop()).toMatch(/--ep must be a comma-separated list/);
    expect(await main(["cost", "frobnicate"])).toBe(2);
    expect(err.pop()).toMatch(/unknown cost subcommand/);
  });
});
