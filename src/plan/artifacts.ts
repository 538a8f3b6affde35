/**
 * The folder a plan becomes: per engine the files an operator applies or runs, placement files from our EPLB,
 * plan.json (inputs and the chosen plan, read back by the linter) and a README recording inputs, model and sources.
 * Returns `{ path, content }` pairs; writing them is the caller's job (the CLI or the lab).
 */
import type { PlanResult, PoolPlan } from "./search";
import { SOURCES, sourceHeader, type SourceId } from "./sources";
import { shellQuote } from "./commandline";
import { sglangArgs, sglangExpertLocation } from "./sglang";
import { vllmArgs } from "./vllm";
import { trtllmEngineArgs, trtllmLoadBalancer, trtllmServeCommand, trtllmYaml, toYaml } from "./trtllm";
import { dynamoDeployment, modelPath, planPools } from "./dynamo";

/** One file of a plan folder. */
export interface PlanFile {
  /** Path relative to the plan folder, e.g. "trtllm/decode.yaml". */
  path: string;
  content: string;
}

function shellScript(title: string, ids: SourceId[], lines: string[][]): string {
  const header = ["#!/usr/bin/env bash", `# ${title}`, "# Flags and rules follow:", ...sourceHeader(ids).map((l) => `#   ${l}`), "set -euo pipefail", ""];
  const body = lines.map((words) => groupFlags(words).map((g) => g.map(shellQuote).join(" ")).join(" \\\n  ")).join("\n\n");
  return `${header.join("\n")}${body}\n`;
}

/** Words grouped as "entry point", then one flag with its values per group. */
function groupFlags(words: string[]): string[][] {
  const groups: string[][] = [];
  for (const w of words) {
    if (w.startsWith("--") || groups.length === 0) groups.push([w]);
    else if (groups.length === 1 && !groups[0][0].startsWith("--")) groups[0].push(w);
    else groups[groups.length - 1].push(w);
  }
  return groups;
}

function fmt(x: number, d = 1): string {
  return x.toFixed(d);
}

function poolRow(p: PoolPlan): string {
  return `| ${p.role} | ${p.instances} | ${p.gpusPerInstance} (${p.nodesPerInstance} node${p.nodesPerInstance > 1 ? "s" : ""}) | TP ${p.tp} · attention DP ${p.dp} · EP ${p.ep} | ${p.numSlots} (${p.redundantExperts} redundant) | ${p.eplbPolicy}, ${p.eplbMode} | ${fmt(p.balancedness, 3)} | ${p.role === "prefill" ? `${p.maxNumTokens}-token chunks` : `${p.batchPerGpu} per GPU`} | ${fmt(p.stepTimeMs)} |`;
}

/**
 * Every file of a plan folder.
 * @param plan a planDeployment result
 * @param options image: container image for the Dynamo deployments (default the NGC Dynamo runtime images, tag latest)
 * @returns files relative to `<out>/<plan name>/`
 * @throws {TypeError} when plan is not a PlanResult
 * @example planArtifacts(planDeployment({...})).map(f => f.path) // ["README.md", "plan.json", "trtllm/decode.yaml", …]
 */
export function planArtifacts(plan: PlanResult, options: { image?: string } = {}): PlanFile[] {
  if (!plan || typeof plan !== "object" || !plan.chosen || !plan.inputs) throw new TypeError("plan must be a planDeployment result");
  const inp = plan.inputs;
  const files: PlanFile[] = [];
  const m = modelPath(inp.model.name);
  const pools = planPools(plan);
  const trtServe: string[][] = [];
  const sgl: string[][] = [];
  const vl: string[][] = [];
  for (const { role, pool, placement } of pools) {
    files.push({ path: `trtllm/${role}.yaml`, content: trtllmYaml(trtllmEngineArgs(pool, inp, `${role}-load-balancer.yaml`), `TensorRT-LLM ${role} engine arguments (trtllm-serve --config / dynamo.trtllm --extra-engine-args) for plan ${inp.name}`) });
    files.push({ path: `trtllm/${role}-load-balancer.yaml`, content: trtllmYaml(trtllmLoadBalancer(pool, inp.model, placement), `TensorRT-LLM MoE load balancer for the ${role} pool: ${pool.numSlots} slots from our EPLB (${pool.eplbPolicy}); layer_updates_per_iter ${pool.eplbMode === "online" ? "> 0: updated online" : "0: static"}`) });
    trtServe.push(trtllmServeCommand(pool, m, `${role}.yaml`));
    files.push({ path: `sglang/${role}-expert-location.json`, content: `${JSON.stringify(sglangExpertLocation(inp.model, placement))}\n` });
    sgl.push(["python3", "-m", "sglang.launch_server", ...sglangArgs(pool, inp, m, `${role}-expert-location.json`)]);
    vl.push(["vllm", "serve", m, ...vllmArgs(pool, inp)]);
  }
  files.push({ path: "trtllm/serve.sh", content: shellScript(`trtllm-serve per pool (run from this folder; one command per engine instance, ${pools.map((p) => `${p.pool.instances} × ${p.role}`).join(", ")})`, ["trtllmServe", "trtllmLlmArgs"], trtServe) });
  files.push({ path: "sglang/launch.sh", content: shellScript(`SGLang launch per pool (multi-node instances add --dist-init-addr/--nnodes/--node-rank; see dynamo/sglang.yaml)`, ["sglangServerArgs", "sglangExpertLocation"], sgl) });
  files.push({ path: "vllm/serve.sh", content: shellScript(`vLLM serve per pool (EP size = TP × DP; static placement files are not read by vLLM: its EPLB rebalances online)`, ["vllmParallel"], vl) });
  for (const b of ["sglang", "trtllm", "vllm"] as const) files.push({ path: `dynamo/${b}.yaml`, content: dynamoDeployment(plan, b, options) });
  const c = plan.chosen;
  const json = {
    name: inp.name,
    inputs: { model: inp.model.name, gpu: inp.gpu.name, nodes: inp.nodes, gpusPerNode: inp.gpusPerNode, nvlinkDomainSize: inp.gpu.nvlinkDomainSize, networkGBpsPerGpu: inp.gpu.nicGBps, isl: inp.isl, osl: inp.osl, concurrency: inp.concurrency, requestRate: inp.requestRate, tpotMs: inp.tpotMs, ttftMs: inp.ttftMs, gpuBudget: inp.gpuBudget, precision: inp.precision, kvCacheDtype: inp.kvCacheDtype, expertLoad: plan.expertLoadSource },
    model: { numLayers: inp.model.numLayers, numMoeLayers: inp.model.numMoeLayers, numExperts: inp.model.numExperts, topK: inp.model.topK, numGroups: inp.model.numGroups },
    chosen: c,
    why: plan.why,
    frontier: plan.frontier,
    aggregatedBaseline: plan.aggregatedBaseline ? { id: plan.aggregatedBaseline.id, gpus: plan.aggregatedBaseline.gpus, tokensPerSecPerGpu: plan.aggregatedBaseline.tokensPerSecPerGpu, tokensPerSecPerUser: plan.aggregatedBaseline.tokensPerSecPerUser } : null,
    rejectedCount: plan.rejected.length,
  };
  files.push({ path: "plan.json", content: `${JSON.stringify(json, null, 1)}\n` });
  const rejectedSample = plan.rejected.filter((r) => r.role !== "deployment").slice(0, 12);
  const readme = [
    `# Plan ${inp.name}: ${inp.model.label} on ${inp.gpuBudget} × ${inp.gpu.label}`,
    "",
    plan.why,
    "",
    "## Inputs",
    "",
    `- Model: ${inp.model.label} (\`${inp.model.name}\`, ${inp.model.numExperts} routed experts, top-${inp.model.topK}, ${inp.model.numMoeLayers} MoE layers of ${inp.model.numLayers}); engines load \`${m}\`.`,
    `- Cluster: ${inp.nodes} nodes × ${inp.gpusPerNode} ${inp.gpu.name} GPUs, NVLink domain ${inp.gpu.nvlinkDomainSize} GPUs, ${inp.gpu.nicGBps} GB/s scale-out per GPU; budget ${inp.gpuBudget} GPUs.`,
    `- Workload: ${inp.isl}-token prompts, ${inp.osl}-token outputs${inp.concurrency ? `, ${inp.concurrency} requests in flight` : ""}${inp.requestRate ? `, ${inp.requestRate} requests/s` : ""}; expert load ${plan.expertLoadSource === "recorded" ? "recorded (given)" : `generated (the seeded dsv3-like load: per-layer expert popularity shaped like DeepSeek-V3's published statistics, drifting over iterations; seed ${inp.workloadSeed})`}.`,
    `- Service level: ≤ ${fmt(inp.tpotMs)} ms per output token (≥ ${fmt(inp.minTokensPerSecPerUser)} tokens/s per user), TTFT ≤ ${fmt(inp.ttftMs, 0)} ms. Weights ${inp.precision}, KV cache ${inp.kvCacheDtype}.`,
    "",
    "## The plan",
    "",
    `${c.ratio}: ${c.gpus} GPUs, ${fmt(c.tokensPerSecPerGpu)} output tokens/s per GPU, ${fmt(c.tokensPerSecPerUser)} tokens/s per user, TTFT ≈ ${fmt(c.ttftMs, 0)} ms, ${c.concurrency} requests in flight.`,
    "",
    "| pool | instances | GPUs per instance | parallelism | expert slots | EPLB | balancedness | batch | step (ms) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...[c.prefill, c.decode].filter((p): p is PoolPlan => p !== undefined).map(poolRow),
    "",
    plan.aggregatedBaseline && plan.aggregatedBaseline !== c ? `Aggregated baseline: ${plan.aggregatedBaseline.ratio} (EP${plan.aggregatedBaseline.decode.ep}) at ${fmt(plan.aggregatedBaseline.tokensPerSecPerGpu)} tokens/s per GPU.` : "",
    "",
    "## Files",
    "",
    "| file | what it is |",
    "|---|---|",
    ...pools.flatMap(({ role }) => [
      `| trtllm/${role}.yaml | TensorRT-LLM engine arguments (\`trtllm-serve --config\`, \`dynamo.trtllm --extra-engine-args\`) |`,
      `| trtllm/${role}-load-balancer.yaml | MoeLoadBalancerConfig: num_slots, layer_updates_per_iter, initial_global_assignments from our EPLB |`,
      `| sglang/${role}-expert-location.json | \`--init-expert-location\` file: physical_to_logical_map [${inp.model.numLayers} layers][slots] |`,
    ]),
    "| trtllm/serve.sh, sglang/launch.sh, vllm/serve.sh | one launch command per pool |",
    "| dynamo/{sglang,trtllm,vllm}.yaml | ConfigMap + DynamoGraphDeployment (nvidia.com/v1alpha1) per backend: `kubectl apply -f` |",
    "| plan.json | inputs, the chosen plan, the frontier (read by `ep-lab plan lint`) |",
    "",
    "Check the folder with `ep-lab plan lint <this folder>`; see the pods the operator would start with `ep-lab plan dry-run dynamo/sglang.yaml`.",
    "",
    "## What the model covers and what it does not",
    "",
    "Decode time and memory come from the cost model's decode step (data-parallel attention, routed experts over the EP group, dispatch/combine per MoE layer); prefill from a roofline of one chunk; load imbalance from DeepSeek's EPLB on the expert load. Queueing, KV-cache transfer between pools, the cost of moving experts online and CUDA-graph effects are not modelled: measure before committing hardware.",
    "",
    "## Some rejected configurations",
    "",
    ...rejectedSample.map((r) => `- \`${r.id}\`: ${r.reason}`),
    `- … ${plan.rejected.length} in total (plan.json has the count).`,
    "",
    "## Sources (engine versions these files follow)",
    "",
    ...Object.values(SOURCES).map((s) => `- ${s.engine}: [${s.file} @ ${s.version.slice(0, 7)}](${s.url}) — ${s.says}`),
    "",
  ].join("\n");
  files.unshift({ path: "README.md", content: readme });
  void toYaml;
  return files;
}
