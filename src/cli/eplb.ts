/**
 * `ep-lab eplb --weights FILE.json --replicas R --groups G --nodes N --gpus P [--compact]`
 *
 * Reads a `[layers][experts]` load matrix (JSON; a single `[experts]` vector is taken as one layer, and an
 * object with a `weight` or `weights` field is accepted too), runs DeepSeek-style EPLB and prints
 * `{ policy, phy2log, log2phy, logcnt, gpuLoads, balancedness, imbalance, … }` as JSON on stdout.
 * Bad input → a message naming the problem on stderr and exit code 2 (via src/cli/main.ts).
 */
import * as fs from "node:fs";
import { flagOpt, fsMessage, intOpt, parseArgs, rejectUnknown, stringOpt, UsageError } from "./args";
import { CLI_LIMITS, limitsHelp, MAX_EPLB_SLOTS, MAX_EPLB_WEIGHTS_BYTES } from "./limits";
import { balancednessPerLayer, gpuLoads, imbalancePerLayer, rebalanceExperts } from "../eplb";

export const HELP = `usage: ep-lab eplb --weights FILE.json --replicas R --groups G --nodes N --gpus P [--compact | --summary]

Run DeepSeek's expert-parallelism load balancer (EPLB) on a load matrix and print the placement as JSON.

options:
  --weights FILE   JSON file: [layers][experts] expert loads in tokens (finite, ≥ 0); a flat [experts]
                   array is one layer; {"weight": …} or {"weights": …} objects are accepted. "-" reads stdin.
  --replicas R     physical expert slots per layer (multiple of --gpus, ≥ number of experts)
  --groups G       expert groups (hierarchical policy when G % N == 0, else global; default 1)
  --nodes N        server nodes (default 1)
  --gpus P         GPUs in total (multiple of --nodes)
  --compact        print JSON on one line (default: indented)
  --summary        print a short summary for people instead of JSON: balancedness before EPLB
                   (experts in order, one copy each) and after, the replicas, and the load per GPU
  --help           this text

output: {policy, numLayers, numExperts, numReplicas, numGroups, numNodes, numGpus, phy2log, log2phy,
         logcnt, gpuLoads, balancedness, imbalance, meanBalancedness, meanImbalance}
  phy2log[layer][slot]  expert in each slot (slot s is on GPU floor(s / (R/P)))
  log2phy[layer][expert][rank]  slots of each expert, −1 padded
  gpuLoads[layer][gpu]  tokens per GPU with each expert's load split evenly over its replicas
  balancedness = mean/max GPU load per layer (1 = perfect); imbalance = (max − mean)/mean (0 = perfect)

limits (larger values are refused; layers × replicas ≤ ${MAX_EPLB_SLOTS}; weights file ≤ ${MAX_EPLB_WEIGHTS_BYTES / 2 ** 20} MiB):
${limitsHelp("eplb").join("\n")}

example:
  echo '[[90,132,40,61,104,165,39,4,73,56,183,86],[20,107,104,64,19,197,187,157,172,86,16,27]]' > w.json
  ep-lab eplb --weights w.json --replicas 16 --groups 4 --nodes 2 --gpus 8
  ep-lab eplb --weights w.json --replicas 16 --groups 4 --nodes 2 --gpus 8 --summary`;

function readWeights(file: string): number[][] {
  let text: string;
  try {
    if (file !== "-") {
      const st = fs.statSync(file);
      if (st.isDirectory()) throw new UsageError(`--weights ${file} is a directory, not a JSON file`);
      if (!st.isFile()) throw new UsageError(`--weights ${file} is not a regular file`);
      if (st.size > MAX_EPLB_WEIGHTS_BYTES) throw new UsageError(`--weights ${file} is ${st.size} bytes; at most ${MAX_EPLB_WEIGHTS_BYTES} are read`);
    }
    text = file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--weights: cannot read ${JSON.stringify(file)}: ${fsMessage(err)}`);
  }
  if (text.length > MAX_EPLB_WEIGHTS_BYTES) throw new UsageError(`--weights ${file}: more than ${MAX_EPLB_WEIGHTS_BYTES} bytes; at most that many are read`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--weights: ${JSON.stringify(file)} is not valid JSON: ${(err as Error).message}`);
  }
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    const obj = data as Record<string, unknown>;
    if ("weight" in obj && "weights" in obj) {
      throw new UsageError(`--weights: ${JSON.stringify(file)} has both a "weight" and a "weights" field; keep one`);
    }
    data = obj.weight ?? obj.weights;
    if (data === undefined) throw new UsageError(`--weights: ${JSON.stringify(file)} is an object without a "weight" or "weights" field`);
  }
  if (!Array.isArray(data)) throw new UsageError(`--weights: ${JSON.stringify(file)} must hold a JSON array of loads`);
  if (data.length > 0 && !Array.isArray(data[0])) return [data as number[]];
  return data as number[][];
}

/**
 * `ep-lab eplb`: run DeepSeek-style EPLB on a load matrix (tokens per expert, from a JSON file) and print the placement.
 * @param argv the arguments after `eplb`: `--weights FILE --replicas R [--groups G] [--nodes N] --gpus P [--compact]`
 * @returns the exit code: 0
 * @throws {UsageError} for an unknown or missing option, a non-integer count, an unreadable or malformed weights file;
 *   {RangeError|TypeError} from the EPLB library naming the parameter (main: exit code 2)
 * @example await run(["--weights", "w.json", "--replicas", "16", "--groups", "4", "--nodes", "2", "--gpus", "8"]) // 0
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["help", "compact", "summary"], ["weights", "replicas", "groups", "nodes", "gpus", "compact", "summary", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  rejectUnknown(args, ["weights", "replicas", "groups", "nodes", "gpus", "compact", "summary", "help"]);
  if (flagOpt(args, "compact") && flagOpt(args, "summary")) throw new UsageError("--compact and --summary exclude each other (--summary prints no JSON)");
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0])}; see --help`);
  const file = stringOpt(args, "weights");
  const L = CLI_LIMITS.eplb;
  const numReplicas = intOpt(args, "replicas", undefined, L.replicas);
  const numGroups = intOpt(args, "groups", 1, L.groups);
  const numNodes = intOpt(args, "nodes", 1, L.nodes);
  const numGpus = intOpt(args, "gpus", undefined, L.gpus);
  const weight = readWeights(file);
  if (weight.length * numReplicas > MAX_EPLB_SLOTS) {
    throw new UsageError(`layers × --replicas must be at most ${MAX_EPLB_SLOTS} (the placement printed), got ${weight.length} × ${numReplicas}`);
  }
  const p = rebalanceExperts(weight, numReplicas, numGroups, numNodes, numGpus);
  const loads = gpuLoads(weight, p.phy2log, numGpus);
  const b = balancednessPerLayer(loads);
  const im = imbalancePerLayer(loads);
  const out = {
    policy: p.policy,
    numLayers: weight.length,
    numExperts: weight[0].length,
    numReplicas,
    numGroups,
    numNodes,
    numGpus,
    phy2log: p.phy2log,
    log2phy: p.log2phy,
    logcnt: p.logcnt,
    gpuLoads: loads,
    balancedness: b,
    imbalance: im,
    meanBalancedness: b.reduce((x, y) => x + y, 0) / b.length,
    meanImbalance: im.reduce((x, y) => x + y, 0) / im.length,
  };
  if (flagOpt(args, "summary")) {
    console.log(eplbSummary(weight, out));
    return 0;
  }
  console.log(flagOpt(args, "compact") ? JSON.stringify(out) : JSON.stringify(out, null, 2));
  return 0;
}

/**
 * A short summary of an EPLB result for people (seven lines): the configuration, balancedness before EPLB
 * (experts in index order, one copy each, about E/P per GPU) and after, the replicas, and the
 * load per GPU summed over layers (tokens).
 * @param weight `[layers][experts]` loads in tokens, as given to EPLB
 * @param r the result fields printed as JSON (`logcnt`, `gpuLoads`, `balancedness`, …)
 * @returns the text, lines joined with "\n"
 * @example eplbSummary([[90, 132, 40, 61]], result) // "EPLB, global policy: 1 layer × 4 experts → 4 slots on 2 GPUs …"
 */
export function eplbSummary(
  weight: number[][],
  r: { policy: string; numReplicas: number; numGroups: number; numNodes: number; numGpus: number; logcnt: number[][]; gpuLoads: number[][]; balancedness: number[]; meanBalancedness: number; meanImbalance: number },
): string {
  const L = weight.length;
  const E = weight[0].length;
  const P = r.numGpus;
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
  const lines = [
    `EPLB, ${r.policy} policy: ${L} layer${L === 1 ? "" : "s"} × ${E} experts → ${r.numReplicas} slots on ${P} GPUs (${r.numNodes} node${r.numNodes === 1 ? "" : "s"}, ${r.numGroups} group${r.numGroups === 1 ? "" : "s"})`,
  ];
  const extra = r.numReplicas - E;
  const maxCopies = Math.max(...r.logcnt.map((row) => Math.max(...row)));
  const replicated = r.logcnt.map((row) => row.filter((c) => c > 1).length);
  lines.push(
    `replicas: ${extra} extra slot${extra === 1 ? "" : "s"} per layer; ${(replicated.reduce((a, b) => a + b, 0) / L).toFixed(1)} experts per layer have more than one copy; the most copies of one expert: ${maxCopies}`,
  );
  lines.push("balancedness = mean GPU load / max GPU load (1 = perfect), mean over layers:");
  // Before: experts in index order, one copy each; GPU g holds experts ⌊g·E/P⌋ … ⌊(g+1)·E/P⌋ − 1.
  const before = weight.map((row) =>
    Array.from({ length: P }, (_, g) => {
      let t = 0;
      for (let e = Math.floor((g * E) / P); e < Math.floor(((g + 1) * E) / P); e++) t += row[e];
      return t;
    }),
  );
  const bb = balancednessPerLayer(before);
  const even = E % P === 0 ? `${E / P}` : `${Math.floor(E / P)}–${Math.ceil(E / P)}`;
  lines.push(`  before EPLB (experts in order, one copy each, ${even} per GPU): ${(bb.reduce((a, b) => a + b, 0) / L).toFixed(3)}`);
  const worst = r.balancedness.reduce((w, b, l) => (b < r.balancedness[w] ? l : w), 0);
  lines.push(`  after EPLB: ${r.meanBalancedness.toFixed(3)} (worst layer ${worst}: ${r.balancedness[worst].toFixed(3)}; imbalance (max − mean)/mean ${r.meanImbalance.toFixed(3)})`);
  const totals = (loads: number[][]) => Array.from({ length: P }, (_, g) => loads.reduce((a, row) => a + row[g], 0));
  const after = totals(r.gpuLoads);
  const stats = (t: number[]) => `min ${fmt(Math.min(...t))} · mean ${fmt(t.reduce((a, b) => a + b, 0) / t.length)} · max ${fmt(Math.max(...t))}`;
  lines.push(`load per GPU (tokens, summed over layers), after: ${stats(after)}; before: ${stats(totals(before))}`);
  const shown = Math.min(P, 16);
  lines.push(`  after, GPU 0–${shown - 1}${P > shown ? ` of ${P}` : ""}: ${after.slice(0, shown).map(fmt).join(" ")}`);
  return lines.join("\n");
}
