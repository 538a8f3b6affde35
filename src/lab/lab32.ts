/**
 * Lab 3.2 "Wide-EP deployment planning": scenarios, exercises (check / hint / solution), quiz and the
 * configuration set with mistakes the learner fixes. Every number comes from src/plan, src/cost or src/eplb.
 */
import { getModel } from "../cost/catalog-models";
import { memoryPerGpu } from "../cost/memory";
import { rebalanceExperts } from "../eplb/rebalance";
import { balancedness, gpuLoads } from "../eplb/metrics";
import { dsv3LikeWorkload } from "../eplb/dsv3-like";
import { baseLayout, axis, type Figure } from "../viz/figure";
import { frontierFigure } from "../viz/throughput";
import { planDeployment, type PlanResult } from "../plan/search";
import type { PlanInputs } from "../plan/inputs";
import { planArtifacts, type PlanFile } from "../plan/artifacts";
import { lintFiles, type Finding } from "../plan/lint";
import { dryRunDynamo, dynamoDeployment } from "../plan/dynamo";
import { assertKnownKeys, assertOneOf, assertPositiveInt } from "../util/validate";
import { SOURCES } from "../plan/sources";
import { Exercise, NotImplemented, TODO, collection, expectNumber, isBlank } from "./framework";

/** The deployment the lab plans (the same as `ep-lab plan --model deepseek-v3 --gpu gb200 --nodes 18 --gpus-per-node 4 --isl 2000 --osl 1000 --tpot-ms 50`). */
export const LAB_INPUTS: Readonly<PlanInputs> = Object.freeze({ model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50, epSizes: [4, 8, 16, 24, 36, 48, 72] });

/**
 * The inputs of a plan, as rows (what each one is and its value here).
 * @returns rows { input, value, meaning }
 */
export function inputsTable(inputs: PlanInputs = LAB_INPUTS): { input: string; value: string; meaning: string }[] {
  const m = getModel(inputs.model);
  return [
    { input: "model", value: inputs.model, meaning: `${m.label}: ${m.numExperts} routed experts, top-${m.topK}, ${m.numMoeLayers} MoE layers` },
    { input: "gpu", value: inputs.gpu, meaning: "GPU type: memory, bandwidth, NVLink domain (from the cost catalog)" },
    { input: "nodes × GPUs per node", value: `${inputs.nodes} × ${inputs.gpusPerNode}`, meaning: `${inputs.nodes * inputs.gpusPerNode} GPUs; the GPU budget unless you give a smaller one` },
    { input: "isl / osl", value: `${inputs.isl} / ${inputs.osl} tokens`, meaning: "prompt and output length: prefill work, KV-cache size per request" },
    { input: "tpotMs", value: `${inputs.tpotMs} ms`, meaning: `time per output token: ≥ ${(1000 / (inputs.tpotMs ?? 1)).toFixed(0)} tokens/s per user` },
    { input: "ttftMs", value: `${inputs.ttftMs ?? 10000} ms`, meaning: "time to first token bound (default 10 s)" },
    { input: "expert load", value: inputs.expertLoad ? "recorded" : `generated, seed ${inputs.workloadSeed ?? 0}`, meaning: "what EPLB balances: a recording from SGLang or TensorRT-LLM, or the seeded dsv3-like load" },
  ];
}

// ─── GPUs per engine ────────────────────────────────────────────────────────────────────────────

/** The four launch configurations of Exercise 1 (the GPUs each engine instance occupies). */
export const EX1_CONFIGS = Object.freeze({
  a: "python3 -m sglang.launch_server --tp 16 --dp-size 16 --enable-dp-attention --moe-a2a-backend deepep",
  b: "vllm serve deepseek-ai/DeepSeek-V3 --tensor-parallel-size 2 --data-parallel-size 8 --enable-expert-parallel",
  c: "trtllm-serve deepseek-ai/DeepSeek-V3 --tp_size 32 --ep_size 32 --config decode.yaml   # decode.yaml: enable_attention_dp: true",
  d: "DynamoGraphDeployment service: multinode.nodeCount 4, resources.limits.gpu \"4\", replicas 2 (GPUs per replica)",
});
const EX1_ANSWER = { a: 16, b: 16, c: 32, d: 16 };

/** How each engine counts its GPUs (with where the engine says so). */
export function gpuCountingTable(): { engine: string; gpusPerInstance: string; note: string; source: string }[] {
  return [
    { engine: "SGLang", gpusPerInstance: "--tp", note: "--dp-size splits the --tp ranks into attention-DP groups (tp % dp == 0); it does not add GPUs", source: SOURCES.sglangServerArgs.url },
    { engine: "vLLM", gpusPerInstance: "TP × DP (× PP)", note: "each DP rank is a full TP group; the MoE layers are sharded over TP × DP ranks", source: SOURCES.vllmParallel.url },
    { engine: "TensorRT-LLM", gpusPerInstance: "tensor_parallel_size × pipeline_parallel_size", note: "enable_attention_dp runs attention data-parallel on the same TP ranks; moe_expert_parallel_size splits them for the experts", source: SOURCES.trtllmLlmArgs.url },
    { engine: "Dynamo", gpusPerInstance: "multinode.nodeCount × resources.limits.gpu", note: "per replica; replicas multiply instances, not the GPUs of one engine", source: SOURCES.dynamoComponentTypes.url },
  ];
}

// ─── Expert load ────────────────────────────────────────────────────────────────────────────────

/**
 * A real-shaped expert load for the lab: DeepSeek-V3's 58 MoE layers × 256 experts from the `dsv3-like` preset
 * (per-layer popularity whose statistics match DeepSeek-V3's published ones, src/eplb/dsv3-like.ts), one iteration
 * of 65,536 token-expert assignments per layer — the same kind of load the planner generates.
 * @param seed PRNG seed (integer in [0, 2^32), default 0)
 * @returns `[58][256]` tokens
 * @throws {TypeError|RangeError} for a bad seed
 * @example labExpertLoad().length; // 58
 */
export function labExpertLoad(seed = 0): number[][] {
  const m = getModel("deepseek-v3");
  return dsv3LikeWorkload({ numLayers: m.numMoeLayers, numExperts: m.numExperts, numGroups: m.numGroups, numIterations: 1, tokensPerIteration: 65536, seed }).next();
}

/**
 * Layer × expert heatmap of an expert load.
 * @param load `[layers][experts]` tokens
 * @returns a plotly heatmap figure
 */
export function expertLoadHeatmap(load: number[][] = labExpertLoad()): Figure {
  if (!Array.isArray(load) || load.length === 0 || !Array.isArray(load[0])) throw new RangeError("load must be a non-empty [layers][experts] matrix");
  const layout = baseLayout("Tokens per expert in each MoE layer (one step)", {}, 460);
  return {
    data: [{ type: "heatmap", z: load, colorscale: "Viridis", colorbar: { title: { text: "tokens" } }, hovertemplate: "layer %{y}, expert %{x}: %{z} tokens<extra></extra>" }],
    layout: { ...layout, xaxis: axis("expert"), yaxis: axis("MoE layer", { autorange: "reversed" }) },
  };
}

/**
 * How balanced EP placements are on the lab load, with and without EPLB, and what they cost in memory.
 * @param epSizes EP sizes (GPUs), default [36, 48, 72]
 * @returns rows per (EP, redundant experts): slots per GPU, balancedness without/with EPLB, GB per GPU
 */
export function slotTradeoff(epSizes: number[] = [36, 48, 72]): { ep: number; redundantExperts: number; slotsPerGpu: number; contiguousBalancedness: number; eplbBalancedness: number; weightsGBPerGpu: number }[] {
  const load = labExpertLoad();
  const E = 256;
  const rows = [];
  for (const ep of epSizes) {
    const r0 = (ep - (E % ep)) % ep;
    for (const r of [r0, r0 + ep]) {
      const slots = E + r;
      const contiguous = load.map(() => Array.from({ length: slots }, (_, s) => s % E));
      const placed = rebalanceExperts(load, slots, 8, 1, ep).phy2log;
      rows.push({
        ep,
        redundantExperts: r,
        slotsPerGpu: slots / ep,
        contiguousBalancedness: Number(balancedness(gpuLoads(load, contiguous, ep)).toFixed(3)),
        eplbBalancedness: Number(balancedness(gpuLoads(load, placed, ep)).toFixed(3)),
        weightsGBPerGpu: Number(memoryPerGpu({ model: "deepseek-v3", gpu: "gb200", epSize: ep, redundantExperts: r }).weightsGB.toFixed(1)),
      });
    }
  }
  return rows;
}

/** Setting of Exercise 3: the cheapest EP placement reaching balancedness ≥ 0.9 with weights ≤ this many GB per GPU. */
export const EX3_SETTING = Object.freeze({ weightsBudgetGB: 40, minBalancedness: 0.9, epSizes: [8, 16, 24, 32, 36, 48, 64, 72] });

/**
 * The reference search of Exercise 3: every EP size of the setting and the first three redundant counts that
 * divide evenly; EPLB (hierarchical) on the lab load; keep those with balancedness ≥ 0.9 and weights within the
 * budget; the cheapest is the fewest GPUs, then the fewest redundant experts.
 * @returns the rows searched (with `ok`) and the cheapest one
 */
export function ex3Search(): { rows: { ep: number; redundantExperts: number; balancedness: number; weightsGB: number; ok: boolean }[]; cheapest: { ep: number; redundantExperts: number } } {
  const load = labExpertLoad();
  const rows = [];
  for (const ep of EX3_SETTING.epSizes) {
    const r0 = (ep - (256 % ep)) % ep;
    for (const r of [r0, r0 + ep, r0 + 2 * ep]) {
      const b = balancedness(gpuLoads(load, rebalanceExperts(load, 256 + r, 8, 1, ep).phy2log, ep));
      const w = memoryPerGpu({ model: "deepseek-v3", gpu: "gb200", epSize: ep, redundantExperts: r }).weightsGB;
      rows.push({ ep, redundantExperts: r, balancedness: Number(b.toFixed(4)), weightsGB: Number(w.toFixed(1)), ok: b >= EX3_SETTING.minBalancedness && w <= EX3_SETTING.weightsBudgetGB });
    }
  }
  const ok = rows.filter((r) => r.ok).sort((a, b) => a.ep - b.ep || a.redundantExperts - b.redundantExperts);
  if (ok.length === 0) throw new RangeError("no placement meets the Exercise 3 setting");
  return { rows, cheapest: { ep: ok[0].ep, redundantExperts: ok[0].redundantExperts } };
}

// ─── Planning, artifacts, lint, dry run ─────────────────────────────────────────────────────────

/**
 * Run the planner on the lab inputs (optionally changed).
 * @param patch fields of PlanInputs to change (e.g. { tpotMs: 25 })
 * @returns the plan
 */
export function runPlan(patch: Partial<PlanInputs> = {}): PlanResult {
  return planDeployment({ ...LAB_INPUTS, ...patch } as PlanInputs);
}

/** The plan in a few rows: what was chosen, its pools and the numbers. */
export function planSummary(plan: PlanResult): { item: string; value: string }[] {
  const c = plan.chosen;
  const rows = [
    { item: "deployment", value: `${c.ratio} on ${c.gpus} GPUs` },
    { item: "output tokens/s per GPU", value: c.tokensPerSecPerGpu.toFixed(0) },
    { item: "tokens/s per user", value: c.tokensPerSecPerUser.toFixed(1) },
    { item: "TTFT (prefill of one prompt)", value: `${c.ttftMs.toFixed(0)} ms` },
  ];
  for (const p of [c.prefill, c.decode]) {
    if (!p) continue;
    rows.push({ item: `${p.role} pool`, value: `${p.instances} × EP${p.ep} (${p.nodesPerInstance} nodes), ${p.numSlots} slots (${p.redundantExperts} redundant), ${p.eplbPolicy} EPLB ${p.eplbMode}, balancedness ${p.balancedness.toFixed(3)}, ${p.role === "prefill" ? `${p.maxNumTokens}-token chunks` : `batch ${p.batchPerGpu}/GPU`}` });
  }
  rows.push({ item: "rejected configurations", value: String(plan.rejected.length) });
  return rows;
}

/** Pareto frontiers of a plan as a figure: one line for disaggregated, one for aggregated deployments. */
export function frontierPlot(plan: PlanResult): Figure {
  const series = (["disaggregated", "aggregated"] as const)
    .map((k) => plan.frontierByKind[k])
    .filter((pts) => pts.length > 0)
    .map((pts) => ({ label: pts[0].kind, tokensPerSecPerUser: pts.map((p) => p.tokensPerSecPerUser), outputTokensPerSecPerGpu: pts.map((p) => p.tokensPerSecPerGpu) }));
  return frontierFigure(series, { title: "Pareto frontier: output tokens/s per GPU vs tokens/s per user", markUserRate: plan.inputs.minTokensPerSecPerUser });
}

/** Some rejected configurations with their reasons (one per distinct reason kind). */
export function rejectedSample(plan: PlanResult, n = 8): { configuration: string; reason: string }[] {
  const seen = new Set<string>();
  const out: { configuration: string; reason: string }[] = [];
  for (const r of plan.rejected) {
    const kind = r.reason.split(":")[0];
    if (seen.has(kind)) continue;
    seen.add(kind);
    out.push({ configuration: r.id, reason: r.reason });
    if (out.length >= n) break;
  }
  return out;
}

/** The files of a plan with their sizes. */
export function artifactTable(plan: PlanResult): { file: string; lines: number; bytes: number }[] {
  return planArtifacts(plan).map((f) => ({ file: f.path, lines: f.content.split("\n").length, bytes: f.content.length }));
}

/** The first `lines` lines of one artifact, as a markdown code block. */
export function fileExcerpt(plan: PlanResult, path: string, lines = 30): string {
  const f = planArtifacts(plan).find((x) => x.path === path);
  if (!f) throw new RangeError(`no file ${JSON.stringify(path)} in the plan; files: ${planArtifacts(plan).map((x) => x.path).join(", ")}`);
  const lang = path.endsWith(".sh") ? "bash" : path.endsWith(".json") ? "json" : "yaml";
  const body = f.content.split("\n").slice(0, lines).map((l) => (l.length > 160 ? `${l.slice(0, 157)}…` : l));
  return `\`${path}\`\n\n\`\`\`${lang}\n${body.join("\n")}\n\`\`\``;
}

function findingRows(fs: Finding[]): { file: string; line: number; severity: string; rule: string; message: string }[] {
  return fs.map((f) => ({ file: f.file, line: f.line, severity: f.severity, rule: f.rule, message: f.message }));
}

/** Lint a plan's files; rows of findings (empty when clean) and the totals. */
export function lintPlan(plan: PlanResult): { files: number; errors: number; warnings: number; findings: ReturnType<typeof findingRows> } {
  const r = lintFiles(new Map(planArtifacts(plan).map((f: PlanFile) => [f.path, f.content])));
  return { files: r.files, errors: r.errors, warnings: r.warnings, findings: findingRows(r.findings) };
}

type DryRunRow = { pod: string; role: string; gpus: number; operatorAdds: string };

/**
 * The pods the Dynamo operator would start for a plan's DynamoGraphDeployment of one backend, shortened for a table:
 * every pod's name and hostname begins with the deployment's headless service `<dgd>-0` (about 30 characters), so
 * the rows drop it (`prefill-0-prefill-ldr-0` instead of `<dgd>-0-prefill-0-prefill-ldr-0`) and an address under
 * that service reads `<pod>.<svc>`; {@link dryRunCaption} says what was dropped. Full names: `ep-lab plan dry-run`.
 * @param plan a plan from {@link runPlan}
 * @param backend which engine's DynamoGraphDeployment (`dynamo/<backend>.yaml`); default "sglang"
 * @param options `workersShown`: worker pods listed per multinode replica (a positive integer or Infinity, the
 *   default); when two or more are left, they become one row (role "N workers", GPUs per pod) that says how they
 *   differ from the last one shown
 * @returns one row per pod (or per collapsed run of workers): GPUs per pod, and what the operator adds to or puts
 *   around the service's command
 * @throws {RangeError|TypeError} for an unknown backend, a bad `workersShown` or an unknown option key
 * @example
 * dryRunTable(runPlan({ tpotMs: 25 }), "sglang", { workersShown: 1 })[1].pod; // "prefill-0-prefill-ldr-0"
 */
export function dryRunTable(plan: PlanResult, backend: "sglang" | "trtllm" | "vllm" = "sglang", options: { workersShown?: number } = {}): DryRunRow[] {
  assertKnownKeys("options", options, ["workersShown"]);
  const shown = options.workersShown ?? Infinity;
  if (shown !== Infinity) assertPositiveInt("options.workersShown", shown);
  const pods = dryRunPods(plan, backend);
  const service = pods[0].headlessService;
  const short = (text: string) => text.split(`.${service}`).join(".<svc>").split(`${service}-`).join("");
  const rows: DryRunRow[] = [];
  for (let i = 0; i < pods.length; ) {
    let j = i + 1;
    while (j < pods.length && pods[i].role === "worker" && pods[j].role === "worker" && pods[j].service === pods[i].service && pods[j].replica === pods[i].replica) j++;
    const run = pods.slice(i, j).map((p) => ({ pod: short(p.pod), role: p.role, gpus: p.gpus, operatorAdds: p.injected ? short(p.injected) : "—" }));
    const keep = run.length - shown >= 2 ? shown : run.length; // one leftover pod is shown, not collapsed
    rows.push(...run.slice(0, keep));
    if (keep < run.length) rows.push(collapsedWorkers(run.slice(keep), run[keep - 1]));
    i = j;
  }
  return rows;
}

/**
 * The caption of a {@link dryRunTable}: the prefix its names drop and what `<svc>` stands for.
 * @param plan a plan from {@link runPlan}
 * @param backend as for {@link dryRunTable}; default "sglang"
 * @returns one sentence naming the deployment's headless service
 * @throws {RangeError} for an unknown backend
 * @example dryRunCaption(runPlan({ tpotMs: 25 })); // "Names drop the prefix deepseek-v3-…-0-; <svc> is …"
 */
export function dryRunCaption(plan: PlanResult, backend: "sglang" | "trtllm" | "vllm" = "sglang"): string {
  const service = dryRunPods(plan, backend)[0].headlessService;
  return `Names drop the prefix ${service}-; <svc> is the headless service ${service}.`;
}

/** The dry run of the plan's `dynamo/<backend>.yaml` (that one file, as planArtifacts writes it; not all of them). */
function dryRunPods(plan: PlanResult, backend: string) {
  assertOneOf("backend", backend, ["sglang", "trtllm", "vllm"]);
  return dryRunDynamo(dynamoDeployment(plan, backend));
}

/** One row for workers left out of the table: their names' range and how they differ from the last worker shown. */
function collapsedWorkers(rest: DryRunRow[], last: DryRunRow): DryRunRow {
  const withoutRank = (adds: string) => adds.replace(/--node-rank \d+/, "");
  const ranks = rest.map((r) => /--node-rank (\d+)/.exec(r.operatorAdds)?.[1]);
  const same = rest.every((r) => r.operatorAdds === last.operatorAdds);
  const onlyRank = ranks.every((x) => x !== undefined) && rest.every((r) => withoutRank(r.operatorAdds) === withoutRank(last.operatorAdds));
  const adds = same ? "the same as the worker above" : onlyRank ? `as above, with --node-rank ${ranks[0]} … ${ranks[ranks.length - 1]}` : "different for each pod (ep-lab plan dry-run lists them)";
  const tail = rest[rest.length - 1].pod.split("-").slice(-2).join("-"); // "wkr-7"
  return { pod: `${rest[0].pod} … ${tail}`, role: `${rest.length} workers`, gpus: rest[0].gpus, operatorAdds: adds };
}

// ─── Find the bugs ──────────────────────────────────────────────────────────────────────────────

/**
 * A configuration set written for this lab with the kinds of mistakes a hand-written wide-EP deployment
 * makes: invented load-balancer keys, wrong launch flags, a prefill token budget below the prompt length,
 * a misspelled DynamoGraphDeployment field. Prompts are 8192 tokens (plan.json says so).
 */
export const BUGGY_CONFIGS: Readonly<Record<string, string>> = Object.freeze({
  "plan.json": JSON.stringify({ inputs: { isl: 8192 }, model: { numExperts: 256, numLayers: 61, numMoeLayers: 58 } }),
  "eplb.yaml": [
    "# TensorRT-LLM MoE load balancer for 16-way EP",
    "num_slots: 272",
    "num_redundant_experts: 16",
    "rebalance_interval: 100",
    "layer_updates_per_iter: 1",
    "",
  ].join("\n"),
  "prefill.yaml": [
    "# TensorRT-LLM prefill engine arguments",
    "tensor_parallel_size: 16",
    "moe_expert_parallel_size: 16",
    "enable_attention_dp: true",
    "max_batch_size: 4",
    "max_num_tokens: 256",
    "moe_config:",
    "  backend: WIDEEP",
    "  load_balancer: eplb.yaml",
    "",
  ].join("\n"),
  "decode.sh": [
    "#!/usr/bin/env bash",
    "python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 \\",
    "  --tp 16 --dp-size 16 --enable-dp-attention \\",
    "  --ep-size 8 --moe-a2a-backend deepep --deepep-mode normal \\",
    "  --ep-num-redundant-experts 8 --enable-eplb \\",
    "  --cuda-graph-bs 1 2 4 8 16 32 64",
    "",
  ].join("\n"),
  "dynamo.yaml": [
    "apiVersion: nvidia.com/v1alpha1",
    "kind: DynamoGraphDeployment",
    "metadata:",
    "  name: dsv3-wide-ep",
    "spec:",
    "  backendFramework: sglang",
    "  services:",
    "    decode:",
    "      componentType: worker",
    "      subComponentTyp: decode",
    "      replicas: 1",
    "      multinode:",
    "        nodeCount: 2",
    "      resources:",
    "        limits:",
    '          gpu: "8"',
    "      extraPodSpec:",
    "        mainContainer:",
    "          command: [python3, -m, dynamo.sglang]",
    "          args: [--model-path, deepseek-ai/DeepSeek-V3, --tp, \"8\", --dp-size, \"8\", --enable-dp-attention, --moe-a2a-backend, deepep, --deepep-mode, low_latency, --disaggregation-mode, decode]",
    "",
  ].join("\n"),
});

/** Lint a set of files (path → text); rows of findings. */
export function lintConfigSet(files: Readonly<Record<string, string>>): { errors: number; warnings: number; findings: ReturnType<typeof findingRows> } {
  if (files === null || typeof files !== "object") throw new TypeError("files must be an object of path → text");
  const r = lintFiles(new Map(Object.entries(files)));
  return { errors: r.errors, warnings: r.warnings, findings: findingRows(r.findings) };
}

const FIXED_CONFIGS: Record<string, string> = {
  ...BUGGY_CONFIGS,
  "eplb.yaml": "# TensorRT-LLM MoE load balancer for 16-way EP\nnum_slots: 272\nlayer_updates_per_iter: 1\n",
  "prefill.yaml": BUGGY_CONFIGS["prefill.yaml"].replace("max_num_tokens: 256", "max_num_tokens: 8192"),
  "decode.sh": BUGGY_CONFIGS["decode.sh"].replace("--ep-size 8", "--ep-size 16").replace("--deepep-mode normal", "--deepep-mode low_latency").replace("--ep-num-redundant-experts 8", "--ep-num-redundant-experts 16"),
  "dynamo.yaml": BUGGY_CONFIGS["dynamo.yaml"].replace("subComponentTyp:", "subComponentType:").replace('gpu: "8"', 'gpu: "4"'),
};

// ─── Exercises ──────────────────────────────────────────────────────────────────────────────────

/** Answer of Exercise 1: GPUs one engine instance (one replica) occupies in each configuration. */
export type Ex1Answer = { a: number; b: number; c: number; d: number };
/** Answer of Exercise 2: the smallest redundant-expert count that divides evenly, for EP 24 and EP 72. */
export type Ex2Answer = { ep24: number; ep72: number };
/** Answer of Exercise 3: the cheapest placement meeting the setting. */
export type Ex3Answer = { ep: number; redundantExperts: number };
/** Answer of Exercise 4: the fixed configuration set (path → text). */
export type Ex4Answer = Record<string, string>;

const untouchedRecord = (a: unknown) => isBlank(a) || (typeof a === "object" && a !== null && Object.values(a).some((v) => v === TODO));

/** Lab 3.2 exercises. */
export const exercises32 = collection({
  ex1: new Exercise<Ex1Answer>({
    id: "l32-ex1",
    title: "Exercise 1 — GPUs per engine instance",
    prompt: `How many GPUs does one engine instance occupy in each configuration?\n\n${Object.entries(EX1_CONFIGS).map(([k, v]) => `- **${k}**: \`${v}\``).join("\n")}`,
    answerFormat: "{ a: number, b: number, c: number, d: number }",
    isUntouched: untouchedRecord,
    check: (a) => {
      const wrong: string[] = [];
      for (const k of ["a", "b", "c", "d"] as const) {
        const bad = expectNumber(k, a[k]);
        if (bad) return bad;
        if (a[k] !== EX1_ANSWER[k]) wrong.push(k);
      }
      if (wrong.length === 0) return true;
      const tips: Record<string, string> = { a: "does --dp-size add GPUs in SGLang, or split the --tp ranks?", b: "in vLLM each data-parallel rank is a whole TP group", c: "attention DP in TensorRT-LLM reuses the TP ranks", d: "replicas are separate instances; one instance spans nodeCount nodes" };
      return { message: `${wrong.join(", ")} ${wrong.length === 1 ? "is" : "are"} not right`, details: wrong.map((k) => `${k}: ${tips[k]}`) };
    },
    hints: ["Look at the table above: which flag gives the world size of each engine?", "SGLang: --tp; vLLM: TP × DP; TensorRT-LLM: tensor_parallel_size; Dynamo: nodeCount × limits.gpu per replica."],
    solution: { text: "a: SGLang's world size is --tp = 16 (--dp-size 16 splits those ranks). b: vLLM runs DP × TP = 8 × 2 = 16 GPUs. c: TensorRT-LLM's tensor_parallel_size = 32 (attention DP uses the same ranks). d: 4 nodes × 4 GPUs = 16 per replica (2 replicas are 2 instances).", code: "exercises32.ex1.check({ a: 16, b: 16, c: 32, d: 16 })", answer: () => ({ ...EX1_ANSWER }) },
  }),
  ex2: new Exercise<Ex2Answer>({
    id: "l32-ex2",
    title: "Exercise 2 — the smallest redundant count that divides evenly",
    prompt: "DeepSeek-V3 has 256 routed experts. SGLang asserts (experts + redundant) % ep == 0 and TensorRT-LLM num_slots % ep == 0. What is the smallest number of redundant experts (≥ 0) for EP 24 and for EP 72?",
    answerFormat: "{ ep24: number, ep72: number }",
    isUntouched: untouchedRecord,
    check: (a) => {
      for (const [k, ep] of [["ep24", 24], ["ep72", 72]] as const) {
        const bad = expectNumber(k, a[k]);
        if (bad) return bad;
        if (!Number.isInteger(a[k]) || a[k] < 0) return `${k} must be a whole number ≥ 0`;
        if ((256 + a[k]) % ep !== 0) return `${k}: 256 + ${a[k]} = ${256 + a[k]} does not divide by ${ep}`;
        if (a[k] >= ep) return `${k}: ${a[k]} divides evenly, but a smaller count does too`;
      }
      return true;
    },
    hints: ["You need 256 + r to be a multiple of the EP size.", "r = (ep − 256 mod ep) mod ep."],
    solution: { text: "256 mod 24 = 16, so 8 more slots make 264 = 11 × 24; 256 mod 72 = 40, so 32 more make 288 = 4 × 72.", code: "exercises32.ex2.check({ ep24: (24 - 256 % 24) % 24, ep72: (72 - 256 % 72) % 72 })", answer: () => ({ ep24: (24 - (256 % 24)) % 24, ep72: (72 - (256 % 72)) % 72 }) },
  }),
  ex3: new Exercise<Ex3Answer>({
    id: "l32-ex3",
    title: "Exercise 3 — the cheapest placement with balancedness ≥ 0.9 in a memory budget",
    prompt: `On the lab's expert load, find the placement with the fewest GPUs (then the fewest redundant experts) whose EPLB balancedness is ≥ ${EX3_SETTING.minBalancedness} and whose weights fit in ${EX3_SETTING.weightsBudgetGB} GB per GPU on GB200. EP sizes to consider: ${EX3_SETTING.epSizes.join(", ")}. Use \`lab.slotTradeoff([...])\` or your own calls to \`rebalanceExperts\`/\`memoryPerGpu\`.`,
    answerFormat: "{ ep: number, redundantExperts: number }",
    isUntouched: untouchedRecord,
    check: (a) => {
      for (const k of ["ep", "redundantExperts"] as const) {
        const bad = expectNumber(k, a[k]);
        if (bad) return bad;
      }
      const { rows, cheapest } = ex3Search();
      const row = rows.find((r) => r.ep === a.ep && r.redundantExperts === a.redundantExperts);
      if (!row) return `EP ${a.ep} with ${a.redundantExperts} redundant experts is not one of the searched placements (the slots must divide by EP, and EP must be one of ${EX3_SETTING.epSizes.join(", ")})`;
      if (!row.ok) return row.weightsGB > EX3_SETTING.weightsBudgetGB ? `its weights need ${row.weightsGB} GB per GPU, over the budget` : `its balancedness is ${row.balancedness}, below ${EX3_SETTING.minBalancedness}`;
      if (row.ep !== cheapest.ep || row.redundantExperts !== cheapest.redundantExperts) return "it meets the constraints, but a placement with fewer GPUs (or fewer redundant experts) does too";
      return true;
    },
    hints: ["More GPUs make the weights per GPU smaller, and more slots make the balance better: start from the smallest EP that fits.", "For each EP, try the smallest redundant count that divides evenly, then one more slot per GPU; keep the first that reaches 0.9."],
    solution: { text: "Search EP sizes from small to large; for each, the redundant counts that divide evenly; EPLB on the load; the first that fits and reaches 0.9 is the answer.", code: "const s = lab.ex3Search(); table(s.rows.filter(r => r.ok)); exercises32.ex3.check(s.cheapest)", answer: () => ex3Search().cheapest },
  }),
  ex4: new Exercise<Ex4Answer>({
    id: "l32-ex4",
    title: "Exercise 4 — find and fix the bugs",
    prompt: "`lab.BUGGY_CONFIGS` holds a TensorRT-LLM load balancer, a prefill engine config, an SGLang decode launch and a DynamoGraphDeployment for 8192-token prompts. Copy it, fix every error the linter reports (keep the deployment's intent: 16-way EP with redundant experts, online EPLB), and pass your fixed set.",
    answerFormat: "an object path → file text, e.g. { ...lab.BUGGY_CONFIGS, \"eplb.yaml\": \"…\" }",
    isUntouched: (a) => isBlank(a) || JSON.stringify(a) === JSON.stringify(BUGGY_CONFIGS),
    check: (a) => {
      if (a === null || typeof a !== "object") return "pass an object of path → text";
      for (const k of Object.keys(BUGGY_CONFIGS)) if (typeof a[k] !== "string") return `keep the file ${k} (as a string)`;
      const r = lintFiles(new Map(Object.entries(a)));
      if (r.errors > 0) return { message: `${r.errors} error(s) left`, details: r.findings.filter((f) => f.severity === "error").map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`) };
      if (!/num_slots:\s*\d+/.test(a["eplb.yaml"]) || /layer_updates_per_iter:\s*0\b/.test(a["eplb.yaml"])) return "eplb.yaml must still configure slots and online updates (layer_updates_per_iter > 0)";
      if (!/--enable-eplb/.test(a["decode.sh"]) || !/--ep-num-redundant-experts\s+[1-9]/.test(a["decode.sh"])) return "decode.sh must keep online EPLB with redundant experts";
      return { correct: true, message: "the set lints clean and keeps its intent.", details: r.warnings ? [`${r.warnings} warning(s) remain: read them`] : [] };
    },
    hints: ["Run `table(lab.lintConfigSet(lab.BUGGY_CONFIGS).findings)`: each row names the file, the line and the engine rule.", "eplb.yaml: TensorRT-LLM's MoeLoadBalancerConfig has only num_slots, layer_updates_per_iter, initial_global_assignments. prefill.yaml: max_num_tokens must hold an 8192-token prompt. decode.sh: DeepEP needs --ep-size = --tp, normal mode drops CUDA graphs, 256 + redundant must divide by 16. dynamo.yaml: the field is subComponentType and nodeCount × gpu must be the engine's --tp."],
    solution: { text: "Delete the two invented keys; raise prefill max_num_tokens to 8192; set --ep-size 16 (or drop it), --deepep-mode low_latency for decode, 16 redundant experts; spell subComponentType and give each of the 2 nodes 4 GPUs (2 × 4 = --tp 8).", code: "exercises32.ex4.check(lab.fixedConfigs())", answer: () => ({ ...FIXED_CONFIGS }) },
  }),
});

/** The solution's fixed configuration set (what Exercise 4 accepts). */
export function fixedConfigs(): Record<string, string> {
  return { ...FIXED_CONFIGS };
}

// ─── Operating it ───────────────────────────────────────────────────────────────────────────────

/** Online EPLB knobs per engine (from the engines' sources). */
export function onlineEplbKnobs(): { engine: string; turnOn: string; knobs: string; source: string }[] {
  return [
    { engine: "TensorRT-LLM", turnOn: "moe_config.load_balancer with layer_updates_per_iter > 0", knobs: "num_slots; layer_updates_per_iter (layers re-placed per iteration); initial_global_assignments optional", source: SOURCES.trtllmEplbReadme.url },
    { engine: "SGLang", turnOn: "--enable-eplb (needs ep > 1)", knobs: "--ep-num-redundant-experts; --init-expert-location; --eplb-rebalance-num-iterations; --expert-distribution-recorder-mode stat (set automatically)", source: SOURCES.sglangServerArgs.url },
    { engine: "vLLM", turnOn: "--enable-eplb (needs --enable-expert-parallel, TP × DP > 1)", knobs: "--eplb-config {num_redundant_experts, window_size, step_interval, log_balancedness, use_async}", source: SOURCES.vllmParallel.url },
  ];
}

/** Symptom → what to check → flag. */
export function troubleshooting(): { symptom: string; check: string; flag: string }[] {
  return [
    { symptom: "startup assertion num_physical_experts % ep_size", check: "experts + redundant must divide by EP", flag: "--ep-num-redundant-experts / num_slots" },
    { symptom: "SGLang logs 'expert parallel size is adjusted'", check: "DeepEP sets ep = tp", flag: "--tp (drop --ep-size)" },
    { symptom: "decode much slower than expected with DeepEP", check: "normal mode disables CUDA graphs", flag: "--deepep-mode low_latency on decode" },
    { symptom: "TTFT grows with prompt length in steps", check: "prefill token budget below the prompt", flag: "max_num_tokens / --chunked-prefill-size (÷ dp with DP attention)" },
    { symptom: "pydantic 'Extra inputs are not permitted'", check: "an unknown key in a strict TensorRT-LLM config", flag: "ep-lab plan lint names the nearest key" },
    { symptom: "pods Pending or engines waiting for ranks", check: "nodeCount × limits.gpu ≠ engine world size", flag: "multinode.nodeCount, resources.limits.gpu" },
    { symptom: "imbalance ratio stays high (TensorRT-LLM report_load_statistics.py)", check: "static placement aged; workload drifted", flag: "layer_updates_per_iter > 0, or re-run EPLB on a fresh recording" },
  ];
}

// ─── Quiz ───────────────────────────────────────────────────────────────────────────────────────

function mc(id: string, title: string, prompt: string, options: string[], correct: string, why: string): Exercise<string> {
  const letters = "abcd";
  return new Exercise<string>({
    id,
    title,
    prompt: `${prompt}\n\n${options.map((o, i) => `- (${letters[i]}) ${o}`).join("\n")}`,
    answerFormat: 'a letter, e.g. "b"',
    check: (a) => {
      if (typeof a !== "string" || !letters.slice(0, options.length).includes(a.trim().toLowerCase())) return `answer with one of ${letters.slice(0, options.length).split("").join(", ")}`;
      return a.trim().toLowerCase() === correct ? { correct: true, message: why } : "not this one — reread the section and try again";
    },
    hints: [why.split(".")[0] + "."],
    solution: { text: `(${correct}) ${why}`, answer: () => correct },
  });
}

/** Lab 3.2 knowledge check. */
export const quiz32 = collection({
  q1: mc("l32-q1", "Q1 — DeepEP in SGLang", "You launch SGLang with --tp 32 --ep-size 16 --moe-a2a-backend deepep. What EP size runs?", ["16", "32", "8", "it refuses to start"], "b", "With the DeepEP backend SGLang sets ep_size = tp_size, so 32; slots and placements must be written for 32 ranks."),
  q2: mc("l32-q2", "Q2 — static or online", "In TensorRT-LLM's load balancer, what does layer_updates_per_iter: 0 mean?", ["online updates every iteration", "the balancer is off", "static: the initial_global_assignments are kept", "one layer per iteration"], "c", "0 means the MoE weights are not re-placed during inference: the static balancer, which needs initial_global_assignments to help."),
  q3: mc("l32-q3", "Q3 — vLLM's EP size", "vllm serve … --tensor-parallel-size 4 --data-parallel-size 8 --enable-expert-parallel: over how many ranks are the experts split?", ["4", "8", "32", "12"], "c", "vLLM shards the MoE layers over TP × DP = 32 ranks."),
  q4: mc("l32-q4", "Q4 — why disaggregate", "Which deployment keeps decode steps short by giving prefill its own GPUs?", ["aggregated pools", "disaggregated prefill and decode pools", "a larger EP size", "online EPLB"], "b", "Disaggregated pools run prefill elsewhere, so decode steps carry no prefill chunks; aggregated pools slow every decode step by the prefill work they share."),
});

export { worded } from "./headers";
