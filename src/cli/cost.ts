/**
 * `ep-lab cost decode|alltoall|sweep|calibrate ...`: the Wide-EP cost model from the command line, JSON out.
 * Unknown model or GPU names list the known ones; bad numbers exit with code 2 and a message naming the option.
 */
import { flagOpt, numberOpt, parseArgs, rejectPositional, rejectUnknown, stringOpt, UsageError, type ParsedArgs } from "./args";
import {
  allToAllTime,
  comparePublished,
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
  "model", "gpu", "ep", "batch-per-gpu", "kv-len", "redundant-experts", "overlap", "precision", "mtp", "mtp-acceptance",
  "load-imbalance", "attention-imbalance", "kv-cache-bytes", "gpus-per-node", "help",
];
const SWEEP_OPTS = [...DECODE_OPTS.filter((o) => o !== "ep" && o !== "batch-per-gpu"), "ep", "batches", "tokens-per-user"];
const A2A_OPTS = ["gpu", "ep", "tokens-per-rank", "hidden", "top-k", "load-imbalance", "help"];
const FLAGS = ["overlap", "mtp", "help"];

export function usage(): string {
  return [
    "usage: ep-lab cost <decode|alltoall|sweep|calibrate> [options]   (prints JSON)",
    "",
    "  decode    --model M --gpu G --ep N --batch-per-gpu B --kv-len L",
    "            [--redundant-experts R] [--overlap] [--precision fp8|bf16] [--mtp] [--mtp-acceptance 0.85]",
    "            [--load-imbalance 1] [--attention-imbalance 1] [--kv-cache-bytes 2] [--gpus-per-node 8]",
    "  alltoall  --gpu G --ep N --tokens-per-rank T [--hidden 7168] [--top-k 8] [--load-imbalance 1]",
    "  sweep     --model M --gpu G --kv-len L --ep 8,32 [--batches 1,2,4,...] [--tokens-per-user X] [decode options]",
    "  calibrate the model beside DeepSeek's decode figures, DeepEP's all-to-all table and NVIDIA's wide-EP claim",
    "",
    `models: ${modelNames().join(", ")}`,
    `gpus:   ${gpuNames().join(", ")}`,
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

function decodeCommon(args: ParsedArgs) {
  const model = getModel(stringOpt(args, "model")).name;
  const gpu = getGpu(stringOpt(args, "gpu")).name;
  const precision = stringOpt(args, "precision", "fp8");
  if (precision !== "fp8" && precision !== "bf16") throw new UsageError(`--precision must be fp8 or bf16, got ${JSON.stringify(precision)}`);
  const mtp = flagOpt(args, "mtp");
  return {
    model,
    gpu,
    kvLen: numberOpt(args, "kv-len"),
    redundantExperts: intOpt(args, "redundant-experts", 0),
    overlap: flagOpt(args, "overlap"),
    precision: precision as Precision,
    mtpDraftTokens: mtp ? 1 : 0,
    mtpAcceptance: numberOpt(args, "mtp-acceptance", 0.85),
    loadImbalance: numberOpt(args, "load-imbalance", 1),
    attentionImbalance: numberOpt(args, "attention-imbalance", 1),
    kvCacheBytes: numberOpt(args, "kv-cache-bytes", 2),
    gpusPerNode: intOpt(args, "gpus-per-node", 8),
  };
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
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, DECODE_OPTS);
    rejectPositional(args, "cost");
    const r = decodeStep({ ...decodeCommon(args), epSize: intOpt(args, "ep"), batchPerGpu: numberOpt(args, "batch-per-gpu") });
    print(r);
    return 0;
  }
  if (sub === "alltoall") {
    const args = parseArgs(rest, FLAGS, A2A_OPTS);
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, A2A_OPTS);
    rejectPositional(args, "cost");
    const r = allToAllTime({
      gpu: getGpu(stringOpt(args, "gpu")),
      epSize: intOpt(args, "ep"),
      tokensPerRank: numberOpt(args, "tokens-per-rank"),
      hiddenSize: intOpt(args, "hidden", 7168),
      topK: intOpt(args, "top-k", 8),
      loadImbalance: numberOpt(args, "load-imbalance", 1),
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
    const out: Record<string, unknown> = { frontier: s.frontier, byEp: s.byEp, skippedEpSizes: s.skippedEpSizes };
    if (target !== undefined) {
      const at: Record<string, number | null> = {};
      for (const ep of Object.keys(s.byEp)) at[ep] = throughputAtInteractivity(s.byEp[Number(ep)], target);
      out.atTokensPerSecPerUser = { tokensPerSecPerUser: target, outputTokensPerSecPerGpuByEp: at };
    }
    print(out);
    return 0;
  }
  if (sub === "calibrate") {
    const args = parseArgs(rest, FLAGS, ["help"]);
    if (flagOpt(args, "help")) return (console.log(usage()), 0);
    rejectUnknown(args, ["help"]);
    rejectPositional(args, "cost");
    print(comparePublished());
    return 0;
  }
  throw new UsageError(`unknown cost subcommand ${JSON.stringify(sub)}; known: decode, alltoall, sweep, calibrate`);
}
