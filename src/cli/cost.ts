/**
 * `ep-lab cost decode|alltoall|sweep|calibrate ...`: the Wide-EP cost model from the command line, JSON out.
 * Unknown model or GPU names list the known ones; bad numbers exit with code 2 and a message naming the option.
 */
import { flagOpt, numberOpt, parseArgs, rejectPositional, rejectUnknown, stringOpt, UsageError, type ParsedArgs } from "./args";
import {
  A2A_KERNELS,
  calibrationReport,
  prefillStep,
  type CalibrationReport,
  COST_LIMITS,
  DENSE_PRECISIONS,
  DISPATCH_PRECISIONS,
  KV_PRECISIONS,
  PRECISIONS,
  allToAllTime,
  type A2aKernel,
  type DispatchPrecision,
  type OverlapMode,
  decodeStep,
  getGpu,
  getModel,
  gpuNames,
  modelNames,
  sweepFrontier,
  throughputAtInteractivity,
  type Precision,
} from "../cost";

const DECODE_OPTS = [
  "model", "gpu", "ep", "batch-per-gpu", "kv-len", "redundant-experts", "overlap", "single-batch-overlap", "precision", "moe-precision",
  "kv-precision", "dispatch-precision", "mtp", "mtp-acceptance", "load-imbalance", "attention-imbalance", "kv-cache-bytes", "gpus-per-node", "help",
];
const SWEEP_OPTS = [...DECODE_OPTS.filter((o) => o !== "ep" && o !== "batch-per-gpu"), "ep", "batches", "tokens-per-user"];
const PREFILL_OPTS = [
  "model", "gpu", "ep", "prompt-len", "cached-prefix-len", "tokens-per-gpu", "redundant-experts", "precision", "moe-precision", "kv-precision",
  "dispatch-precision", "no-overlap", "load-imbalance", "attention-imbalance", "gpus-per-node", "help",
];
const A2A_OPTS = ["gpu", "ep", "tokens-per-rank", "hidden", "top-k", "load-imbalance", "dispatch-precision", "kernel", "help"];
const FLAGS = ["overlap", "single-batch-overlap", "no-overlap", "mtp", "help", "json"];

const LIMITS_TEXT = [
  `limits: --ep ≤ ${COST_LIMITS.maxEpSize}, --top-k ≤ ${COST_LIMITS.maxTopK}, --hidden ≤ ${COST_LIMITS.maxHiddenSize}, ` +
    `--gpus-per-node ≤ ${COST_LIMITS.maxGpusPerNode}, --batch-per-gpu ≤ ${COST_LIMITS.maxBatchPerGpu},`,
  `        --tokens-per-rank ≤ ${COST_LIMITS.maxTokensPerRank}, --kv-len ≤ ${COST_LIMITS.maxKvLen}, --redundant-experts ≤ ${COST_LIMITS.maxRedundantExperts}`,
];

export function usage(): string {
  return [
    "usage: ep-lab cost <decode|prefill|alltoall|sweep|calibrate> [options]   (prints JSON; calibrate prints a table, --json for JSON)",
    "",
    "  decode    --model M --gpu G --ep N --batch-per-gpu B --kv-len L   (ep-lab cost decode --help for the fields)",
    "            [--redundant-experts R] [--overlap | --single-batch-overlap] [--precision fp8|bf16|nvfp4]",
    "            [--moe-precision bf16|fp8|nvfp4|mxfp4] [--kv-precision bf16|fp8] [--dispatch-precision bf16|fp8|nvfp4]",
    "            [--mtp] [--mtp-acceptance 0.85] [--load-imbalance 1] [--attention-imbalance 1] [--gpus-per-node 8]",
    "  prefill   --model M --gpu G --ep N --prompt-len P [--cached-prefix-len C] [--tokens-per-gpu 16384] [--no-overlap]",
    "            [--redundant-experts R] [precision options] [--load-imbalance 1]",
    "  alltoall  --gpu G --ep N --tokens-per-rank T [--hidden 7168] [--top-k 8] [--load-imbalance 1]",
    "            [--dispatch-precision fp8] [--kernel low-latency|normal]",
    "  sweep     --model M --gpu G --kv-len L --ep 8,32 [--batches 1,2,4,...] [--tokens-per-user X] [decode options]",
    "  calibrate [--json]  the model beside published wide-EP measurements, with sources and leave-one-out errors",
    "",
    ...LIMITS_TEXT,
    `models: ${modelNames().join(", ")}`,
    `gpus:   ${gpuNames().join(", ")}`,
  ].join("\n");
}

/** The `ep-lab cost decode --help` page. */
export function decodeUsage(): string {
  return [
    "usage: ep-lab cost decode --model M --gpu G --ep N --batch-per-gpu B --kv-len L [options]",
    "",
    "One decode step of an MoE model served with data-parallel attention and expert parallelism over N GPUs:",
    "every GPU decodes B sequences of L cached tokens; the busiest GPU sets the pace. Prints JSON.",
    "",
    "options:",
    "  --model M                 catalog model (" + modelNames().join(", ") + ")",
    "  --gpu G                   catalog GPU (" + gpuNames().join(", ") + ")",
    "  --ep N                    GPUs in the EP group; a group inside one NVLink domain uses NVLink kernels, else RDMA",
    "  --batch-per-gpu B         sequences per GPU",
    "  --kv-len L                average context length per sequence, tokens",
    "  --redundant-experts R     extra expert slots (EPLB replicas); experts + R must divide by N",
    "  --overlap                 two-batch overlap; --single-batch-overlap: combine overlapped within one batch",
    "  --precision P             default weight precision: fp8 (default) | bf16 | nvfp4",
    "  --moe-precision P         routed experts: bf16 | fp8 | nvfp4 | mxfp4 (FP4 math on Blackwell, FP8 math on Hopper)",
    "  --kv-precision P          KV cache: bf16 (default) | fp8",
    "  --dispatch-precision P    dispatch payload: bf16 | fp8 (default) | nvfp4 (combine is BF16)",
    "  --mtp [--mtp-acceptance A]  one multi-token-prediction draft token accepted with probability A (default 0.85)",
    "  --load-imbalance X        max/mean routed tokens per GPU (≥ 1); --attention-imbalance X: max/mean attention work",
    "  --gpus-per-node K         for the per-node figure (default 8)",
    "",
    ...LIMITS_TEXT,
    "",
    "output fields (JSON): feasible, reasons, stepTimeMs, tokensPerSecPerUser, outputTokensPerSecPerGpu,",
    "  outputTokensPerSecPerNode (null when infeasible), attentionMs, moeMs, dispatchMs, combineMs, denseMs, otherMs,",
    "  exposedCommMs, fabric (nvlink|rdma), tokensPerGpu, routedTokensPerGpu, tokensPerExpert, loadImbalance,",
    "  expertsPerGpu, weightsGB, kvGB, fits, maxBatchPerGpu (times in ms, memory in GB = 1e9 bytes).",
    "An infeasible configuration (does not fit in memory, or experts + R do not divide by N) prints feasible: false",
    "with its reasons and exits with code 1.",
    "",
    "example:",
    "  ep-lab cost decode --model deepseek-v3 --gpu h800 --ep 144 --redundant-experts 32 --batch-per-gpu 128 --kv-len 4989 --overlap",
  ].join("\n");
}

function intOpt(args: ParsedArgs, name: string, fallback?: number): number {
  return numberOpt(args, name, fallback, true);
}

function listOpt(args: ParsedArgs, name: string, fallback?: number[], integer = false): number[] {
  const raw = args.options.get(name);
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  if (raw === true || raw.trim() === "") throw new UsageError(`--${name} needs a comma-separated list of numbers`);
  return raw.split(",").map((s) => {
    const n = Number(s);
    if (s.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a comma-separated list of numbers, got ${JSON.stringify(raw)}`);
    if (integer && !Number.isInteger(n)) throw new UsageError(`--${name} entries must be integers, got ${JSON.stringify(s)}`);
    return n;
  });
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  if (!args.options.has(name)) return fallback;
  const v = stringOpt(args, name);
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

function boundedInt(args: ParsedArgs, name: string, max: number, fallback?: number): number {
  const v = intOpt(args, name, fallback);
  if (v > max) throw new UsageError(`--${name} must be ≤ ${max}, got ${v}`);
  return v;
}

function boundedNum(args: ParsedArgs, name: string, max: number, fallback?: number): number {
  const v = numberOpt(args, name, fallback);
  if (v > max) throw new UsageError(`--${name} must be ≤ ${max}, got ${v}`);
  return v;
}

function decodeCommon(args: ParsedArgs) {
  const model = getModel(stringOpt(args, "model")).name;
  const gpu = getGpu(stringOpt(args, "gpu")).name;
  const precision = choice(args, "precision", DENSE_PRECISIONS, "fp8") as Precision;
  const moePrecision = choice(args, "moe-precision", PRECISIONS);
  const kvPrecision = choice(args, "kv-precision", KV_PRECISIONS);
  const dispatchPrecision = choice(args, "dispatch-precision", DISPATCH_PRECISIONS, "fp8") as DispatchPrecision;
  const mtp = flagOpt(args, "mtp");
  const tbo = flagOpt(args, "overlap");
  const sbo = flagOpt(args, "single-batch-overlap");
  if (tbo && sbo) throw new UsageError("give --overlap (two-batch) or --single-batch-overlap, not both");
  if (kvPrecision !== undefined && args.options.has("kv-cache-bytes")) throw new UsageError("give --kv-precision or --kv-cache-bytes, not both");
  return {
    model,
    gpu,
    kvLen: boundedNum(args, "kv-len", COST_LIMITS.maxKvLen),
    redundantExperts: boundedInt(args, "redundant-experts", COST_LIMITS.maxRedundantExperts, 0),
    overlap: (tbo ? "two-batch" : sbo ? "single-batch" : "none") as OverlapMode,
    precision,
    ...(moePrecision !== undefined ? { moePrecision } : {}),
    ...(kvPrecision !== undefined ? { kvPrecision } : { kvCacheBytes: numberOpt(args, "kv-cache-bytes", 2) }),
    dispatchPrecision,
    mtpDraftTokens: mtp ? 1 : 0,
    mtpAcceptance: numberOpt(args, "mtp-acceptance", 0.85),
    loadImbalance: numberOpt(args, "load-imbalance", 1),
    attentionImbalance: numberOpt(args, "attention-imbalance", 1),
    gpusPerNode: boundedInt(args, "gpus-per-node", COST_LIMITS.maxGpusPerNode, 8),
  };
}

const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
const num = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3));

/**
 * The calibration report as text: a table (published, model, error, leave-one-out error), then each point's source,
 * the flags that reproduce it and its assumptions, then the summary.
 * @param report the output of calibrationReport()
 * @returns the text (lines joined with newlines)
 * @throws never
 * @example formatCalibration(calibrationReport()).includes("median |error|") // true
 */
export function formatCalibration(report: CalibrationReport): string {
  const head = ["#", "point", "gpu", "published", "model", "unit", "error", "leave-one-out", "ok"];
  const rows = report.points.map((p, i) => [String(i + 1), p.name, p.gpu, num(p.published), num(p.model), p.unit, pct(p.error), pct(p.looError), p.withinTolerance ? "yes" : "NO"]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const right = new Set([0, 3, 4, 6, 7]);
  const line = (r: string[]) => r.map((x, c) => (right.has(c) ? x.padStart(w[c]) : x.padEnd(w[c]))).join("  ").trimEnd();
  const out = [
    "Wide-EP cost model against published measurements (error = model / published − 1; leave-one-out = refit without the point)",
    "",
    line(head),
    line(w.map((n) => "-".repeat(n))),
    ...rows.map(line),
    "",
    `median |error| ${pct(report.medianAbsError).slice(1)}, worst |error| ${pct(report.worstAbsError).slice(1)}; ` +
      `leave-one-out: median ${pct(report.medianAbsLooError).slice(1)}, worst ${pct(report.worstAbsLooError).slice(1)}; ${report.points.length} points`,
    "",
    "sources, configurations and assumptions:",
  ];
  report.points.forEach((p, i) => {
    out.push(`[${i + 1}] ${p.name}`);
    out.push(`    source: ${p.source.url}`);
    out.push(`    says:   ${p.source.says}`);
    out.push(`    run:    ${p.cliArgs}`);
    if (p.assumptions) out.push(`    assumes: ${p.assumptions}`);
    out.push(`    tolerance ±${Math.round(100 * p.tolerance)}%, fitted on: ${p.group === "none" ? "nothing (predicted)" : p.group}`);
  });
  out.push("");
  if (report.unmatched.length === 0) out.push("every point is within its tolerance");
  else {
    out.push("not matched within tolerance:");
    for (const u of report.unmatched) out.push(`  - ${u}`);
  }
  return out.join("\n");
}

function print(value: unknown): void {
  console.log(JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2));
}

/**
 * `ep-lab cost decode|alltoall|sweep|calibrate`: the Wide-EP cost model, JSON out (times in µs/ms as the field names say).
 * @param argv the subcommand and its options (see `ep-lab cost --help`)
 * @returns the exit code: 0; 2 when no subcommand is given (usage printed); 0 for `--help`
 * @throws {UsageError} for an unknown subcommand or option, a positional argument, a non-numeric value; {RangeError|TypeError}
 *   from the cost model naming the parameter, e.g. an unknown model or GPU (main: exit code 2)
 * @example await run(["alltoall", "--gpu", "h800", "--ep", "32", "--tokens-per-rank", "128"]) // 0
 */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(usage());
    return sub === undefined ? 2 : 0;
  }
  if (sub === "decode") {
    const args = parseArgs(rest, FLAGS, DECODE_OPTS);
    if (flagOpt(args, "help")) return (console.log(decodeUsage()), 0);
    rejectUnknown(args, DECODE_OPTS);
    rejectPositional(args, "cost");
    const r = decodeStep({
      ...decodeCommon(args),
      epSize: boundedInt(args, "ep", COST_LIMITS.maxEpSize),
      batchPerGpu: boundedNum(args, "batch-per-gpu", COST_LIMITS.maxBatchPerGpu),
    });
    print(r);
    if (!r.feasible) {
      console.error(`infeasible: ${r.reasons.join("; ")}`);
      return 1;
    }
    return 0;
  }
  if (sub === "prefill") {
    const args = parseArgs(rest, FLAGS, PREFILL_OPTS);
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, PREFILL_OPTS);
    rejectPositional(args, "cost");
    const moePrecision = choice(args, "moe-precision", PRECISIONS);
    const kvPrecision = choice(args, "kv-precision", KV_PRECISIONS);
    const r = prefillStep({
      model: getModel(stringOpt(args, "model")).name,
      gpu: getGpu(stringOpt(args, "gpu")).name,
      epSize: boundedInt(args, "ep", COST_LIMITS.maxEpSize),
      promptLen: boundedNum(args, "prompt-len", COST_LIMITS.maxKvLen),
      cachedPrefixLen: boundedNum(args, "cached-prefix-len", COST_LIMITS.maxKvLen, 0),
      tokensPerGpu: boundedNum(args, "tokens-per-gpu", COST_LIMITS.maxTokensPerRank, 16384),
      redundantExperts: boundedInt(args, "redundant-experts", COST_LIMITS.maxRedundantExperts, 0),
      precision: choice(args, "precision", DENSE_PRECISIONS, "fp8") as Precision,
      ...(moePrecision !== undefined ? { moePrecision } : {}),
      ...(kvPrecision !== undefined ? { kvPrecision } : {}),
      dispatchPrecision: choice(args, "dispatch-precision", DISPATCH_PRECISIONS, "fp8") as DispatchPrecision,
      overlap: flagOpt(args, "no-overlap") ? "none" : "two-batch",
      loadImbalance: numberOpt(args, "load-imbalance", 1),
      attentionImbalance: numberOpt(args, "attention-imbalance", 1),
      gpusPerNode: boundedInt(args, "gpus-per-node", COST_LIMITS.maxGpusPerNode, 8),
    });
    print(r);
    if (!r.feasible) {
      console.error(`infeasible: ${r.reasons.join("; ")}`);
      return 1;
    }
    return 0;
  }
  if (sub === "alltoall") {
    const args = parseArgs(rest, FLAGS, A2A_OPTS);
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, A2A_OPTS);
    rejectPositional(args, "cost");
    const r = allToAllTime({
      gpu: getGpu(stringOpt(args, "gpu")),
      epSize: boundedInt(args, "ep", COST_LIMITS.maxEpSize),
      tokensPerRank: boundedNum(args, "tokens-per-rank", COST_LIMITS.maxTokensPerRank),
      hiddenSize: boundedInt(args, "hidden", COST_LIMITS.maxHiddenSize, 7168),
      topK: boundedInt(args, "top-k", COST_LIMITS.maxTopK, 8),
      loadImbalance: numberOpt(args, "load-imbalance", 1),
      dispatchPrecision: choice(args, "dispatch-precision", DISPATCH_PRECISIONS, "fp8") as DispatchPrecision,
      kernel: choice(args, "kernel", A2A_KERNELS, "low-latency") as A2aKernel,
    });
    print(r);
    return 0;
  }
  if (sub === "sweep") {
    const args = parseArgs(rest, FLAGS, SWEEP_OPTS);
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, SWEEP_OPTS);
    rejectPositional(args, "cost");
    const epSizes = listOpt(args, "ep", undefined, true);
    const batches = args.options.has("batches") ? listOpt(args, "batches") : undefined;
    const target = args.options.has("tokens-per-user") ? numberOpt(args, "tokens-per-user") : undefined;
    const s = sweepFrontier({ ...decodeCommon(args), epSizes, batchSizes: batches });
    const out: Record<string, unknown> = {
      frontier: s.frontier,
      byEp: s.byEp,
      skippedEpSizes: s.skippedEpSizes,
      skippedReasons: s.skippedReasons,
      infeasiblePoints: s.infeasible.length,
    };
    if (target !== undefined) {
      const at: Record<string, number | null> = {};
      for (const ep of Object.keys(s.byEp)) at[ep] = throughputAtInteractivity(s.byEp[Number(ep)], target);
      out.atTokensPerSecPerUser = { tokensPerSecPerUser: target, outputTokensPerSecPerGpuByEp: at };
    }
    print(out);
    return 0;
  }
  if (sub === "calibrate") {
    const args = parseArgs(rest, FLAGS, ["help", "json"]);
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, ["help", "json"]);
    rejectPositional(args, "cost");
    const report = calibrationReport();
    if (flagOpt(args, "json")) print(report);
    else console.log(formatCalibration(report));
    return 0;
  }
  throw new UsageError(`unknown cost subcommand ${JSON.stringify(sub)}; known: decode, prefill, alltoall, sweep, calibrate`);
}
