import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { planDeployment } from "../../src/plan/search";
import type { PlanInputs } from "../../src/plan/inputs";
import { planArtifacts } from "../../src/plan/artifacts";
import { lintFiles } from "../../src/plan/lint";
import { dryRunDynamo } from "../../src/plan/dynamo";
import { rebalanceExperts } from "../../src/eplb/rebalance";

const BASE: PlanInputs = { model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50, epSizes: [4, 8, 16, 36, 72] };
const PLANS: [string, PlanInputs][] = [
  ["gb200 aggregated-leaning", BASE],
  ["gb200 tight latency (disaggregated)", { ...BASE, tpotMs: 25 }],
  ["h200 8-GPU nodes with a load target", { model: "deepseek-v3", gpu: "h200", nodes: 8, gpusPerNode: 8, isl: 4096, osl: 512, tpotMs: 100, concurrency: 1024, epSizes: [8, 16, 32, 64] }],
  ["kimi-k2 on gb200", { model: "kimi-k2", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 8192, osl: 1024, tpotMs: 40, epSizes: [8, 16, 32, 48, 64, 72] }],
];

describe("plan artifacts", { timeout: 600_000 }, () => {
  for (const [label, inputs] of PLANS) {
    it(`${label}: every file parses, the Dynamo files validate and the folder lints clean`, () => {
      const plan = planDeployment(inputs);
      const files = planArtifacts(plan);
      const map = new Map(files.map((f) => [`plan/${f.path}`, f.content]));
      for (const f of files) {
        if (f.path.endsWith(".yaml")) for (const d of parseAllDocuments(f.content) as unknown as { errors: unknown[] }[]) expect(d.errors).toEqual([]);
        if (f.path.endsWith(".json")) expect(() => JSON.parse(f.content)).not.toThrow();
        if (/\.(yaml|sh)$/.test(f.path)) expect(f.content).toMatch(/@ [0-9a-f]{7}|@ main/); // cites file and version
      }
      const report = lintFiles(map);
      expect(report.findings.filter((x) => x.severity === "error")).toEqual([]);
      expect(files.map((f) => f.path)).toContain("dynamo/sglang.yaml");
      expect(files.find((f) => f.path === "README.md")!.content).toMatch(/Sources \(engine versions these files follow\)/);
    });
  }

  const plan = planDeployment({ ...BASE, tpotMs: 25 });
  const files = planArtifacts(plan);
  const get = (p: string) => files.find((f) => f.path === p)!.content;

  it("TensorRT-LLM load balancer: layer keys 3…60, num_slots entries each, the replica counts EPLB produced", () => {
    const lb = parseAllDocuments(get("trtllm/decode-load-balancer.yaml"))[0].toJS() as { num_slots: number; initial_global_assignments: Record<string, number[]> };
    const keys = Object.keys(lb.initial_global_assignments).map(Number);
    expect(keys[0]).toBe(3);
    expect(keys[keys.length - 1]).toBe(60);
    const d = plan.chosen.decode;
    expect(lb.num_slots).toBe(d.numSlots);
    const again = rebalanceExperts(plan.expertLoad, d.numSlots, d.eplbPolicy === "hierarchical" ? 8 : 1, d.eplbPolicy === "hierarchical" ? d.eplbNodes : 1, d.ep);
    keys.forEach((k, l) => {
      const row = lb.initial_global_assignments[String(k)];
      expect(row.length).toBe(d.numSlots);
      const cnt = new Array(256).fill(0);
      for (const e of row) cnt[e]++;
      expect(cnt).toEqual(again.logcnt[l]);
    });
  });

  it("SGLang --init-expert-location: physical_to_logical_map [61 layers][slots], dense layers trivial", () => {
    const j = JSON.parse(get("sglang/decode-expert-location.json")) as { physical_to_logical_map: number[][] };
    expect(Object.keys(j)).toEqual(["physical_to_logical_map"]);
    expect(j.physical_to_logical_map.length).toBe(61);
    expect(j.physical_to_logical_map[0].slice(0, 3)).toEqual([0, 1, 2]);
    expect(j.physical_to_logical_map[3]).toEqual(plan.placements.decode[0]);
    for (const row of j.physical_to_logical_map) expect(row.length).toBe(plan.chosen.decode.numSlots);
  });

  it("Dynamo: nodeCount × limits.gpu is the engine world size; prefill/decode have subComponentType", () => {
    const docs = parseAllDocuments(get("dynamo/sglang.yaml")).map((d) => d.toJS());
    const dgd = docs.find((d) => d.kind === "DynamoGraphDeployment");
    expect(dgd.apiVersion).toBe("nvidia.com/v1alpha1");
    const dec = dgd.spec.services.decode;
    expect(dec.subComponentType).toBe("decode");
    const nodes = dec.multinode?.nodeCount ?? 1;
    expect(nodes * Number(dec.resources.limits.gpu)).toBe(plan.chosen.decode.tp);
    expect(dgd.spec.services.prefill.subComponentType).toBe("prefill");
  });

  it("dry run: one pod per node per replica; SGLang pods get --dist-init-addr/--nnodes/--node-rank", () => {
    const pods = dryRunDynamo(get("dynamo/sglang.yaml"));
    const d = plan.chosen.decode;
    const p = plan.chosen.prefill!;
    expect(pods.length).toBe(1 + d.instances * d.nodesPerInstance + p.instances * p.nodesPerInstance);
    const leader = pods.find((x) => x.service === "decode" && x.role === "leader")!;
    expect(leader.command).toMatch(new RegExp(`--nnodes ${d.nodesPerInstance} --node-rank 0$`));
    const w = pods.filter((x) => x.service === "decode" && x.role === "worker" && x.replica === 0);
    expect(w.map((x) => Number(/--node-rank (\d+)/.exec(x.command)![1]))).toEqual(Array.from({ length: d.nodesPerInstance - 1 }, (_, i) => i + 1));
    // Grove's names as the Dynamo operator builds them: PodCliqueSet <dgd> replica 0, scaling group <dgd>-0-<service>,
    // PodCliques <group>-<replica>-<service>-ldr / -wkr, hostnames <PodClique>-<index> under the headless service <dgd>-0
    const dgd = (parseAllDocuments(get("dynamo/sglang.yaml")).map((x) => x.toJS()).find((x) => x?.kind === "DynamoGraphDeployment") as { metadata: { name: string } }).metadata.name;
    expect(leader.pod).toBe(`${dgd}-0-decode-0-decode-ldr-0`);
    expect(w.map((x) => x.pod)).toEqual(Array.from({ length: d.nodesPerInstance - 1 }, (_, i) => `${dgd}-0-decode-0-decode-wkr-${i}`));
    for (const x of [leader, ...w]) expect(x.injected).toMatch(new RegExp(`^--dist-init-addr ${dgd}-0-decode-0-decode-ldr-0\\.${dgd}-0:29500 `));
    const single = pods.filter((x) => x.role === "single");
    expect(single.length).toBeGreaterThan(0);
    for (const x of single) expect(x.pod).toBe(`${dgd}-0-${x.service.toLowerCase()}-${x.replica}`);
    const trt = dryRunDynamo(get("dynamo/trtllm.yaml"));
    expect(trt.find((x) => x.service === "decode" && x.role === "leader")!.command).toMatch(new RegExp(`mpirun --oversubscribe -n ${d.tp} `));
    expect(trt.find((x) => x.service === "decode" && x.role === "worker")!.command).toMatch(/sshd/);
    const vll = dryRunDynamo(get("dynamo/vllm.yaml"));
    expect(vll.find((x) => x.service === "decode" && x.role === "worker")!.command).toMatch(/^ray start --address=/);
    expect(pods.reduce((a, x) => a + x.gpus, 0)).toBe(plan.chosen.gpus);
  });

  it("rejects bad input", () => {
    expect(() => planArtifacts(null as never)).toThrow(TypeError);
    expect(() => dryRunDynamo("a: 1\n")).toThrow(/no DynamoGraphDeployment/);
    expect(() => dryRunDynamo(3 as never)).toThrow(TypeError);
  });
});
