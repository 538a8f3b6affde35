import { describe, expect, it } from "vitest";
import { lintFiles, lintText, formatFindings, LINT_RULES } from "../../src/plan/lint";
import { splitShell, findEngineCommands } from "../../src/plan/commandline";

const rulesOf = (fs: { rule: string }[]) => fs.map((f) => f.rule);

describe("TensorRT-LLM YAML rules", () => {
  it("unknown keys in strict configs are errors naming the nearest key, with the line", () => {
    const text = "tensor_parallel_size: 8\nmoe_config:\n  backend: WIDEEP\n  load_balancer:\n    num_slots: 264\n    num_redundant_experts: 8\n";
    const f = lintText("decode.yaml", text, { numExperts: 256 });
    const k = f.find((x) => x.rule === "trtllm/strict-keys")!;
    expect(k.line).toBe(6);
    expect(k.message).toMatch(/"num_redundant_experts".*did you mean/);
    expect(k.source).toMatch(/llm_args\.py @ fcd3f31/);
  });
  it("a top-level typo names the real field", () => {
    const f = lintText("x.yaml", "enable_attention_dp: true\nmax_batch_sizes: 64\n", {});
    expect(f[0].message).toMatch(/"max_batch_sizes".*"max_batch_size"/);
    expect(f[0].line).toBe(2);
  });
  it("num_slots below the experts and not divisible by EP", () => {
    const f = lintText("decode.yaml", "tensor_parallel_size: 36\nmoe_expert_parallel_size: 36\nmoe_config:\n  backend: WIDEEP\n  load_balancer:\n    num_slots: 250\n", { numExperts: 256 });
    expect(rulesOf(f)).toEqual(expect.arrayContaining(["trtllm/num-slots-ge-experts", "trtllm/num-slots-divisible", "trtllm/static-without-placement"]));
  });
  it("assignment lists of the wrong length, and a missing expert", () => {
    const f = lintText("lb.yaml", "num_slots: 4\nlayer_updates_per_iter: 0\ninitial_global_assignments:\n  3: [0, 1, 2]\n  4: [0, 1, 1, 2]\n", { numExperts: 4 });
    const a = f.find((x) => x.rule === "trtllm/assignment-length")!;
    expect(a.line).toBe(4);
    expect(rulesOf(f)).toContain("trtllm/assignment-coverage");
  });
  it("prefill max_num_tokens below the prompt length", () => {
    const f = lintText("trtllm/prefill.yaml", "tensor_parallel_size: 8\nmax_num_tokens: 256\n", { isl: 8192 });
    expect(f[0].rule).toBe("plan/prefill-token-budget");
    expect(f[0].line).toBe(2);
  });
  it("CUDA graph sizes inconsistent with max_batch_size", () => {
    const f = lintText("decode.yaml", "max_batch_size: 64\ncuda_graph_config:\n  max_batch_size: 32\n  batch_sizes: [1, 2, 128]\n", {});
    expect(rulesOf(f)).toEqual(expect.arrayContaining(["trtllm/cuda-graph-max-batch", "trtllm/cuda-graph-above-batch"]));
  });
  it("follows load_balancer: <file> among the linted files", () => {
    const files = new Map([
      ["p/decode.yaml", "tensor_parallel_size: 36\nmoe_config:\n  backend: WIDEEP\n  load_balancer: decode-lb.yaml\n"],
      ["p/decode-lb.yaml", "num_slots: 280\nlayer_updates_per_iter: 1\n"],
    ]);
    const r = lintFiles(files, { numExperts: 256 });
    const d = r.findings.find((x) => x.rule === "trtllm/num-slots-divisible")!;
    expect(d.file).toBe("p/decode-lb.yaml");
    expect(r.errors).toBeGreaterThan(0);
  });
});

describe("command-line rules", () => {
  const sgl = (flags: string) => lintText("run.sh", `python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 ${flags}`, {});
  it("SGLang DeepEP needs ep == tp", () => expect(rulesOf(sgl("--tp 16 --ep-size 8 --moe-a2a-backend deepep"))).toContain("sglang/deepep-ep-equals-tp"));
  it("DeepEP normal mode disables CUDA graphs", () => expect(rulesOf(sgl("--tp 8 --moe-a2a-backend deepep --deepep-mode normal --cuda-graph-bs 1 2 4"))).toContain("sglang/deepep-normal-no-cuda-graph"));
  it("DP attention needs tp % dp == 0", () => expect(rulesOf(sgl("--tp 16 --dp-size 6 --enable-dp-attention"))).toContain("sglang/dp-attention-divides-tp"));
  it("(experts + redundant) % ep == 0, naming a count that works", () => {
    const f = sgl("--tp 36 --dp-size 36 --enable-dp-attention --moe-a2a-backend deepep --ep-num-redundant-experts 16");
    const x = f.find((y) => y.rule === "sglang/slots-divide-ep")!;
    expect(x.message).toMatch(/32 redundant experts would/);
  });
  it("EPLB needs ep > 1", () => expect(rulesOf(sgl("--tp 8 --enable-eplb"))).toContain("sglang/eplb-needs-ep"));
  it("chunked prefill divided by dp below the prompt", () => {
    const f = lintText("run.sh", "python3 -m sglang.launch_server --tp 8 --dp-size 8 --enable-dp-attention --chunked-prefill-size 8192 --disaggregation-mode prefill", { isl: 2000 });
    expect(f.find((x) => x.rule === "plan/prefill-token-budget")!.message).toMatch(/1024 per rank/);
  });
  it("vLLM --enable-eplb needs --enable-expert-parallel; EP = TP × DP", () => {
    const f = lintText("serve.sh", `vllm serve deepseek-ai/DeepSeek-V3 --tensor-parallel-size 2 --data-parallel-size 12 --enable-eplb --eplb-config '{"num_redundant_experts": 8, "window": 10}'`, {});
    expect(rulesOf(f)).toEqual(expect.arrayContaining(["vllm/eplb-needs-expert-parallel", "vllm/eplb-config"]));
    const g = lintText("serve.sh", `vllm serve deepseek-ai/DeepSeek-V3 --tensor-parallel-size 2 --data-parallel-size 10 --enable-expert-parallel --enable-eplb --eplb-config '{"num_redundant_experts": 8}'`, {});
    expect(g.find((x) => x.rule === "vllm/ep-size")!.message).toMatch(/2 × 10 = 20/);
  });
  it("vLLM redundant experts without EPLB; unknown all2all backend", () => {
    const f = lintText("s.sh", `vllm serve m --enable-expert-parallel --data-parallel-size 8 --all2all-backend deepep_lowlatency --eplb-config '{"num_redundant_experts": 8}'`, {});
    expect(rulesOf(f)).toEqual(expect.arrayContaining(["vllm/redundant-needs-eplb", "vllm/all2all-backend"]));
  });
  it("trtllm-serve flags that do not exist name the nearest", () => {
    const f = lintText("s.sh", "trtllm-serve deepseek-ai/DeepSeek-V3 --tp_size 8 --enable_attention_dp", {});
    expect(f[0].rule).toBe("trtllm/serve-flags");
  });
  it("clean commands give no findings", () => {
    expect(sgl("--tp 36 --dp-size 36 --enable-dp-attention --moe-a2a-backend deepep --deepep-mode low_latency --ep-num-redundant-experts 32 --enable-eplb --cuda-graph-bs 1 2 4")).toEqual([]);
  });
});

describe("DynamoGraphDeployment rules", () => {
  const dgd = (svc: string, name = "ds") => `apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeployment\nmetadata:\n  name: ${name}\nspec:\n  backendFramework: sglang\n  services:\n${svc}`;
  const worker = (extra: string, gpu = 4, nodes = 2, tp = 8) => `    decode:\n      componentType: worker\n      subComponentType: decode\n      replicas: 1\n${extra}      multinode:\n        nodeCount: ${nodes}\n      resources:\n        limits:\n          gpu: "${gpu}"\n      extraPodSpec:\n        mainContainer:\n          command: [python3, -m, dynamo.sglang]\n          args: [--model-path, deepseek-ai/DeepSeek-V3, --tp, "${tp}", --dp-size, "${tp}", --enable-dp-attention, --moe-a2a-backend, deepep, --disaggregation-mode, decode]\n`;
  it("a clean service", () => expect(lintText("d.yaml", dgd(worker("")), {})).toEqual([]));
  it("a misspelled field is an error naming the nearest, with its line", () => {
    const f = lintText("d.yaml", dgd(worker("      sharedMemmory:\n        size: 80Gi\n")), {});
    const x = f.find((y) => y.rule === "dynamo/schema")!;
    expect(x.message).toMatch(/"sharedMemmory".*"sharedMemory"/);
    expect(x.line).toBe(12);
  });
  it("nodeCount × limits.gpu must equal the engine world size", () => {
    const f = lintText("d.yaml", dgd(worker("", 8, 2, 8)), {});
    expect(f.find((y) => y.rule === "dynamo/world-size")!.message).toMatch(/2 × 8 = 16 GPUs.*world size is 8/);
  });
  it("generated names must stay within 45 characters", () => {
    const f = lintText("d.yaml", dgd(worker(""), "a-very-long-deployment-name-for-deepseek-v3"), {});
    expect(rulesOf(f)).toContain("dynamo/name-length");
  });
  it("nodeCount 1 is below the CRD's minimum", () => expect(rulesOf(lintText("d.yaml", dgd(worker("", 8, 1, 8)), {}))).toContain("dynamo/schema"));
  it("engine rules apply to the arguments inside it", () => {
    const f = lintText("d.yaml", dgd(worker("").replace("--tp, \"8\"", "--tp, \"8\", --ep-size, \"4\"")), {});
    expect(rulesOf(f)).toContain("sglang/deepep-ep-equals-tp");
  });
});

describe("linter plumbing", () => {
  it("every rule a finding uses is listed", () => {
    const f = lintText("x.yaml", "max_batch_sizes: 1\n", {});
    for (const x of f) expect(LINT_RULES[x.rule]).toBeDefined();
  });
  it("formats findings with file:line and the source", () => {
    const f = lintText("x.yaml", "max_batch_sizes: 1\n", {});
    expect(formatFindings(f)).toMatch(/^x\.yaml:1: error trtllm\/strict-keys: .*\n    enforced in tensorrt_llm\/llmapi\/llm_args\.py/);
    expect(formatFindings([])).toBe("no findings");
  });
  it("splits shell words with quotes and continuations", () => {
    const c = splitShell("a 'b c' \\\n  \"d\\\"e\" # note\nf && g");
    expect(c.map((x) => x.map((w) => w.text))).toEqual([["a", "b c", 'd"e'], ["f"], ["g"]]);
    expect(c[0][2].line).toBe(2);
    expect(findEngineCommands("python3 -m sglang.launch_server --tp 2", { sglang: [], vllm: [], trtllm: [] })[0].flags).toEqual([{ name: "--tp", value: "2", line: 1 }]);
  });
  it("rejects bad input", () => {
    expect(() => lintText("", "x", {})).toThrow(TypeError);
    expect(() => lintText("a.yaml", 3 as never, {})).toThrow(TypeError);
    expect(() => lintFiles({} as never)).toThrow(TypeError);
    expect(() => splitShell(null as never)).toThrow(TypeError);
  });
});
