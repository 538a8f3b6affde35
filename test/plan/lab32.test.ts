import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as lab from "../../src/lab/lab32";
import { TODO } from "../../src/lab/framework";
import { buildNotebook, notebookJson } from "../../src/lab/notebook-source/build";

describe("Lab 3.2", { timeout: 600_000 }, () => {
  it("the plan at 25 ms per token is disaggregated, lints clean and dry-runs", () => {
    const p = lab.runPlan({ tpotMs: 25 });
    expect(p.chosen.kind).toBe("disaggregated");
    expect(lab.lintPlan(p).errors).toBe(0);
    const dr = lab.dryRunTable(p, "sglang");
    expect(dr.rows.length).toBeGreaterThan(3);
    // Names drop the headless service's prefix; an address under it reads <pod>.<svc>; nothing still carries it.
    expect(dr.service).toMatch(/^[a-z0-9-]+-0$/);
    expect(dr.caption).toContain(dr.service);
    const leader = dr.rows.find((r) => r.role === "leader")!;
    expect(leader.pod).toMatch(/^[a-z]+-0-[a-z]+-ldr-0$/);
    expect(leader.operatorAdds).toContain(`--dist-init-addr ${leader.pod}.<svc>:29500`);
    for (const r of dr.rows) expect(JSON.stringify(r)).not.toContain(dr.service + "-");
    expect(() => lab.dryRunTable(p, "dynamo" as never)).toThrow(/backend/);
    expect(dr.pods).toBe(dr.rows.length);
    // Collapsed: per multinode replica the leader, one worker, and one row for the rest that names how they differ.
    const short = lab.dryRunTable(p, "sglang", { workersShown: 1 });
    expect(short.pods).toBe(dr.pods);
    const rest = short.rows.filter((r) => /^\d+ workers$/.test(r.role));
    expect(rest.length).toBeGreaterThan(0);
    const hidden = rest.reduce((a, r) => a + Number(r.role.split(" ")[0]), 0);
    expect(short.rows.length + hidden - rest.length).toBe(dr.pods);
    for (const r of rest) expect(r.operatorAdds).toMatch(/^as above, with --node-rank 2 … \d+$/);
    const trt = lab.dryRunTable(p, "trtllm", { workersShown: 1 }).rows.find((r) => /workers$/.test(r.role))!;
    expect(trt.operatorAdds).toBe("the same as the worker above"); // TensorRT-LLM's workers all run sshd
    expect(rest[0].pod).toMatch(/^prefill-0-prefill-wkr-1 … wkr-\d+$/);
    expect(() => lab.dryRunTable(p, "sglang", { workersShown: 0 })).toThrow(/workersShown/);
    expect(() => lab.dryRunTable(p, "sglang", { workersShow: 1 } as never)).toThrow(/workersShow.*workersShown/);
    expect(lab.fileExcerpt(p, "trtllm/decode.yaml")).toMatch(/moe_config/);
    expect(() => lab.fileExcerpt(p, "nope.yaml")).toThrow(/no file/);
  });

  it("every exercise and quiz question: solution correct, starter not attempted, a wrong answer incorrect", () => {
    for (const ex of [...Object.values(lab.exercises32), ...Object.values(lab.quiz32)] as { check: (a: unknown) => { outcome: string }; solutionAnswer: () => unknown; hint: () => unknown }[]) {
      expect(ex.check(ex.solutionAnswer()).outcome).toBe("correct");
      expect(ex.check(TODO).outcome).toBe("not attempted");
      expect(ex.hint()).toBeDefined();
    }
    expect(lab.exercises32.ex1.check({ a: 32, b: 16, c: 32, d: 16 }).outcome).toBe("incorrect");
    expect(lab.exercises32.ex2.check({ ep24: 32, ep72: 32 }).outcome).toBe("incorrect"); // divides, not the smallest
    expect(lab.exercises32.ex3.check({ ep: 72, redundantExperts: 32 }).outcome).toBe("incorrect"); // fits but not the cheapest
    expect(lab.exercises32.ex4.check({ ...lab.BUGGY_CONFIGS }).outcome).toBe("not attempted");
    expect(lab.exercises32.ex4.check({ ...lab.BUGGY_CONFIGS, "eplb.yaml": "num_slots: 272\nlayer_updates_per_iter: 1\n" }).outcome).toBe("incorrect");
    const cheat = { ...lab.fixedConfigs(), "decode.sh": "#!/bin/sh\necho hi\n" };
    expect(lab.exercises32.ex4.check(cheat).outcome).toBe("incorrect"); // lints clean but drops the intent
  });

  it("the buggy set has each kind of mistake, each found by a rule", () => {
    const rules = lab.lintConfigSet(lab.BUGGY_CONFIGS).findings.map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(["trtllm/strict-keys", "plan/prefill-token-budget", "sglang/deepep-ep-equals-tp", "sglang/deepep-normal-no-cuda-graph", "sglang/slots-divide-ep", "dynamo/schema", "dynamo/world-size"]));
    expect(lab.lintConfigSet(lab.fixedConfigs()).errors).toBe(0);
  });

  it("tables and figures have the promised shape", () => {
    expect(lab.inputsTable().length).toBe(7);
    expect(lab.gpuCountingTable().map((r) => r.engine)).toEqual(["SGLang", "vLLM", "TensorRT-LLM", "Dynamo"]);
    const h = lab.expertLoadHeatmap();
    expect((h.data[0] as unknown as { z: number[][] }).z.length).toBe(58);
    for (const r of lab.slotTradeoff()) {
      expect((256 + r.redundantExperts) % r.ep).toBe(0);
      expect(r.eplbBalancedness).toBeGreaterThan(r.contiguousBalancedness);
    }
    expect(() => lab.expertLoadHeatmap([] as never)).toThrow(RangeError);
    expect(() => lab.lintConfigSet(null as never)).toThrow(TypeError);
  });

  it("the committed notebook is built from its source and has no outputs", () => {
    const src = fs.readFileSync("src/lab/notebook-source/lab3.2-wide-ep-deployment-planning.src.md", "utf8");
    const nb = fs.readFileSync("notebooks/lab3.2-wide-ep-deployment-planning.ipynb", "utf8");
    expect(nb).toBe(notebookJson(buildNotebook(src)));
    for (const c of JSON.parse(nb).cells) if (c.cell_type === "code") expect(c.outputs ?? []).toEqual([]);
    expect(fs.readFileSync("src/lab/notebook-source/lab3.1-expert-parallelism-foundations.src.md", "utf8")).toMatch(/\(lab3\.2-wide-ep-deployment-planning\.ipynb\)/);
  });
});
