/**
 * `ep-lab plan …` (write a plan folder and lint it), `ep-lab plan lint <file|folder>…`,
 * `ep-lab plan dry-run <dynamo.yaml>`. Thin parsing over src/plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { flagOpt, numberOpt, parseArgs, stringOpt, UsageError } from "./args";
import { getModel } from "../cost/catalog-models";
import { dryRunDynamo, formatFindings, lintFiles, moeLayersOf, planArtifacts, planDeployment, readSglangLogicalCount, readTrtllmExpertStatistic, type PlanInputs } from "../plan";

export const HELP = `usage:
  ep-lab plan --model M --gpu G --nodes N --gpus-per-node P --isl T --osl T (--tpot-ms MS | --tokens-per-user R)
              --out DIR [options]
  ep-lab plan lint <file|folder>… [--json] [--isl T] [--experts E]
  ep-lab plan dry-run <dynamo.yaml> [--json]

Plan a wide-EP deployment: search prefill/decode pools (and an aggregated baseline), write per-engine files
(TensorRT-LLM, SGLang, vLLM, Dynamo) with EPLB placements to DIR/<plan name>/, then lint them.

plan options:
  --model M             model catalog name (deepseek-v3, kimi-k2, qwen3-235b-a22b, …)
  --gpu G               GPU catalog name (h100, h200, b200, gb200, …)
  --nodes N             nodes in the cluster;  --gpus-per-node P  GPUs per node
  --isl T / --osl T     prompt / output length, tokens
  --tpot-ms MS          time per output token bound, ms   (or --tokens-per-user R, output tokens/s per user)
  --ttft-ms MS          time to first token bound, ms (default 10000)
  --gpu-budget G        GPUs the plan may use (default nodes × gpus-per-node)
  --concurrency C       requests in flight to hold;  --request-rate R  requests/s to sustain
  --nvlink-domain D     GPUs per NVLink domain (default the GPU catalog's);  --network-gbps B  scale-out GB/s per GPU
  --precision fp8|bf16  weights (default fp8);  --kv-cache-dtype fp8|bf16 (default fp8)
  --expert-load PATH    recorded expert load: SGLang logical_count JSON, or a TensorRT-LLM statistics folder
  --seed S              seed of the generated expert load (default 0);  --name NAME  plan name
  --ep-sizes A,B,…      EP sizes to search (default: node divisors and whole-node sizes)
  --image IMAGE         container image in the Dynamo files
  --out DIR             where to write (required);  --json  print the plan as JSON
exit code: 0 when the folder lints clean, 1 when it has errors, 2 for bad usage.

lint: exit 0 when no errors (warnings allowed), 1 otherwise; --json prints {files, errors, warnings, findings}.
dry-run: the pods and per-pod command lines the Dynamo operator would start.

example:
  ep-lab plan --model deepseek-v3 --gpu gb200 --nodes 18 --gpus-per-node 4 --isl 2000 --osl 1000 --tpot-ms 50 --out build/plan`;

const PLAN_OPTS = ["model", "gpu", "nodes", "gpus-per-node", "isl", "osl", "tpot-ms", "tokens-per-user", "ttft-ms", "gpu-budget", "concurrency", "request-rate", "nvlink-domain", "network-gbps", "precision", "kv-cache-dtype", "expert-load", "seed", "name", "ep-sizes", "image", "out", "json", "help"];

function readTree(p: string): Map<string, string> {
  const out = new Map<string, string>();
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new UsageError(`cannot read ${JSON.stringify(p)}: no such file or folder`);
  }
  if (st.isFile()) {
    out.set(p, fs.readFileSync(p, "utf8"));
    return out;
  }
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.isFile() && fs.statSync(f).size < 64 * 1024 * 1024) out.set(f, fs.readFileSync(f, "utf8"));
    }
  };
  walk(p);
  return out;
}

function readExpertLoad(p: string, model: string): number[][] {
  const m = getModel(model);
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new UsageError(`--expert-load: cannot read ${JSON.stringify(p)}`);
  }
  if (st.isDirectory()) {
    const files = new Map<string, Uint8Array>();
    for (const n of fs.readdirSync(p)) if (/\.(safetensors|json)$/.test(n)) files.set(n, new Uint8Array(fs.readFileSync(path.join(p, n))));
    return moeLayersOf(readTrtllmExpertStatistic(files).load, m);
  }
  return moeLayersOf(readSglangLogicalCount(fs.readFileSync(p, "utf8")), m);
}

async function runPlan(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["json", "help"], PLAN_OPTS);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  if (args.positional.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0])}; see ep-lab plan --help`);
  const opt = <T>(name: string, f: () => T): T | undefined => (args.options.has(name) ? f() : undefined);
  const model = stringOpt(args, "model");
  const inputs: PlanInputs = {
    model,
    gpu: stringOpt(args, "gpu"),
    nodes: numberOpt(args, "nodes", undefined, true),
    gpusPerNode: numberOpt(args, "gpus-per-node", undefined, true),
    isl: numberOpt(args, "isl", undefined, true),
    osl: numberOpt(args, "osl", undefined, true),
    tpotMs: opt("tpot-ms", () => numberOpt(args, "tpot-ms")),
    tokensPerSecPerUser: opt("tokens-per-user", () => numberOpt(args, "tokens-per-user")),
    ttftMs: opt("ttft-ms", () => numberOpt(args, "ttft-ms")),
    gpuBudget: opt("gpu-budget", () => numberOpt(args, "gpu-budget", undefined, true)),
    concurrency: opt("concurrency", () => numberOpt(args, "concurrency", undefined, true)),
    requestRate: opt("request-rate", () => numberOpt(args, "request-rate")),
    nvlinkDomainSize: opt("nvlink-domain", () => numberOpt(args, "nvlink-domain", undefined, true)),
    networkGBpsPerGpu: opt("network-gbps", () => numberOpt(args, "network-gbps")),
    precision: opt("precision", () => stringOpt(args, "precision") as "fp8"),
    kvCacheDtype: opt("kv-cache-dtype", () => stringOpt(args, "kv-cache-dtype") as "fp8"),
    workloadSeed: opt("seed", () => numberOpt(args, "seed", undefined, true)),
    name: opt("name", () => stringOpt(args, "name")),
    epSizes: opt("ep-sizes", () => stringOpt(args, "ep-sizes").split(",").map((s) => {
      const n = Number(s);
      if (s.trim() === "" || !Number.isInteger(n)) throw new UsageError(`--ep-sizes must be integers separated by commas, got ${JSON.stringify(s)}`);
      return n;
    })),
    expertLoad: opt("expert-load", () => readExpertLoad(stringOpt(args, "expert-load"), model)),
  };
  for (const k of Object.keys(inputs) as (keyof PlanInputs)[]) if (inputs[k] === undefined) delete inputs[k];
  const out = stringOpt(args, "out");
  const plan = planDeployment(inputs);
  const files = planArtifacts(plan, { image: opt("image", () => stringOpt(args, "image")) });
  const dir = path.join(out, plan.inputs.name);
  for (const f of files) {
    const p = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.content);
  }
  const report = lintFiles(readTree(dir));
  if (flagOpt(args, "json")) console.log(JSON.stringify({ folder: dir, files: files.map((f) => f.path), chosen: plan.chosen, why: plan.why, frontier: plan.frontier, rejected: plan.rejected.length, lint: report }, null, 1));
  else {
    console.log(plan.why);
    console.log(`\nwrote ${files.length} files to ${dir}:`);
    for (const f of files) console.log(`  ${f.path}`);
    console.log(`\nPareto frontier (tokens/s per user → tokens/s per GPU): ${plan.frontier.map((p) => `${p.tokensPerSecPerUser.toFixed(1)}→${p.tokensPerSecPerGpu.toFixed(0)}${p.kind === "aggregated" ? " (agg)" : ""}`).join(", ")}`);
    console.log(`${plan.rejected.length} configurations rejected (reasons in ${path.join(dir, "README.md")} and --json).`);
    console.log(`\nlint: ${report.errors} errors, ${report.warnings} warnings${report.findings.length ? `\n${formatFindings(report.findings)}` : ""}`);
  }
  return report.errors > 0 ? 1 : 0;
}

async function runLint(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["json", "help"], ["json", "help", "isl", "experts"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  if (args.positional.length === 0) throw new UsageError("plan lint needs at least one file or folder");
  const files = new Map<string, string>();
  for (const p of args.positional) for (const [k, v] of readTree(p)) files.set(k, v);
  const report = lintFiles(files, {
    isl: args.options.has("isl") ? numberOpt(args, "isl", undefined, true) : undefined,
    numExperts: args.options.has("experts") ? numberOpt(args, "experts", undefined, true) : undefined,
  });
  if (flagOpt(args, "json")) console.log(JSON.stringify(report, null, 1));
  else console.log(`${formatFindings(report.findings)}\n${report.files} files: ${report.errors} errors, ${report.warnings} warnings`);
  return report.errors > 0 ? 1 : 0;
}

async function runDryRun(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["json", "help"], ["json", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  if (args.positional.length !== 1) throw new UsageError("plan dry-run needs exactly one DynamoGraphDeployment YAML file");
  let text: string;
  try {
    text = fs.readFileSync(args.positional[0], "utf8");
  } catch {
    throw new UsageError(`cannot read ${JSON.stringify(args.positional[0])}`);
  }
  const pods = dryRunDynamo(text);
  if (flagOpt(args, "json")) console.log(JSON.stringify(pods, null, 1));
  else {
    const w = Math.max(...pods.map((p) => p.pod.length), 3);
    console.log(`${"pod".padEnd(w)}  role    gpus  command`);
    for (const p of pods) console.log(`${p.pod.padEnd(w)}  ${p.role.padEnd(6)}  ${String(p.gpus).padStart(4)}  ${p.command.length > 160 ? `${p.command.slice(0, 157)}…` : p.command}`);
    console.log(`${pods.length} pods, ${pods.reduce((a, p) => a + p.gpus, 0)} GPUs`);
  }
  return 0;
}

/**
 * Run `ep-lab plan …`.
 * @param argv arguments after "plan"
 * @returns exit code (0 clean, 1 lint errors; usage errors throw UsageError → 2 in main)
 * @throws {UsageError|RangeError|TypeError} for bad usage or inputs
 */
export async function run(argv: string[]): Promise<number> {
  if (argv[0] === "lint") return runLint(argv.slice(1));
  if (argv[0] === "dry-run") return runDryRun(argv.slice(1));
  return runPlan(argv);
}
