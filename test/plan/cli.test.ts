import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { captureConsole } from "../helpers/console";
import { writeSafetensors } from "../../src/plan/readers";

const { out, err } = captureConsole();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-plan-"));

describe("ep-lab plan", { timeout: 600_000 }, () => {
  it("writes the plan folder from a recorded TensorRT-LLM statistics dump and lints it clean (exit 0)", async () => {
    const dump = path.join(tmp, "stats");
    fs.mkdirSync(dump);
    fs.writeFileSync(path.join(dump, "meta_info.json"), JSON.stringify({ num_experts: 256, num_experts_per_token: 8 }));
    const t: Record<string, { dtype: "I64"; shape: number[]; data: number[] }> = {};
    for (let l = 3; l < 61; l++) t[`7_${l}`] = { dtype: "I64", shape: [256], data: Array.from({ length: 256 }, (_, e) => 1 + ((e * 7 + l) % 97)) };
    fs.writeFileSync(path.join(dump, "rank0.safetensors"), writeSafetensors(t));
    const code = await main(["plan", "--model", "deepseek-v3", "--gpu", "gb200", "--nodes", "18", "--gpus-per-node", "4", "--isl", "2000", "--osl", "1000", "--tpot-ms", "25", "--ep-sizes", "8,16,36,72", "--expert-load", dump, "--name", "rec", "--out", tmp]);
    expect(err.join("\n")).toBe("");
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/lint: 0 errors/);
    const plan = JSON.parse(fs.readFileSync(path.join(tmp, "rec", "plan.json"), "utf8"));
    expect(plan.inputs.expertLoad).toBe("recorded");
    expect(fs.existsSync(path.join(tmp, "rec", "dynamo", "trtllm.yaml"))).toBe(true);
  });

  it("lint exits 1 on a broken file and prints JSON with --json", async () => {
    const f = path.join(tmp, "bad.yaml");
    fs.writeFileSync(f, "moe_config:\n  load_balancer:\n    num_slot: 288\n");
    expect(await main(["plan", "lint", f, "--json"])).toBe(1);
    const rep = JSON.parse(out.join("\n"));
    expect(rep.errors).toBeGreaterThan(0);
    expect(rep.findings[0]).toMatchObject({ rule: "trtllm/strict-keys", line: 3 });
  });

  it("lint exits 0 on the written folder; dry-run prints the pods", async () => {
    expect(await main(["plan", "lint", path.join(tmp, "rec")])).toBe(0);
    out.length = 0;
    expect(await main(["plan", "dry-run", path.join(tmp, "rec", "dynamo", "sglang.yaml")])).toBe(0);
    expect(out.join("\n")).toMatch(/pods, \d+ GPUs/);
  });

  it("bad usage exits 2 naming the problem", async () => {
    expect(await main(["plan", "--model", "deepseek-v3"])).toBe(2);
    expect(err.join("\n")).toMatch(/missing --gpu/);
    expect(await main(["plan", "--bogus", "1"])).toBe(2);
    expect(await main(["plan", "lint"])).toBe(2);
    expect(await main(["plan", "--model", "deepseek-v3", "--gpu", "gb200", "--nodes", "2", "--gpus-per-node", "4", "--isl", "x", "--osl", "1", "--tpot-ms", "5", "--out", tmp])).toBe(2);
  });
});
