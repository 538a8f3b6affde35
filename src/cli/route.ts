/**
 * `ep-lab route`: generate a seeded routing workload, run it through the gate and print expert loads
 * and balance statistics as JSON (optionally the dispatch accounting on a contiguous placement).
 */
import { parseArgs, rejectUnknown, stringOpt, intOpt, numOpt, flagOpt, UsageError } from "./args";
import { CLI_LIMITS, limitsHelp, MAX_ROUTE_LOGITS } from "./limits";
import {
  expertPopularity, syntheticLogits, route, countExpertLoad, loadStats, dispatchStats, sharedExpertLoad,
  POPULARITY_KINDS, SCORING_FUNCTIONS, type PopularityOptions, type ScoringFunction,
} from "../routing";

const HELP = `usage: ep-lab route [options]

Generate a seeded routing workload (gate logits whose top-k follows an expert popularity), route it
and print tokens per expert and balance statistics as JSON.

options:
  --experts E        routed experts (default 256)
  --top-k K          experts per token (default 8)
  --tokens T         tokens in the batch (default 4096)
  --workload W       uniform | zipf | hot (default zipf)
  --zipf-s S         Zipf exponent for --workload zipf (default 1.1)
  --hot H            hot experts for --workload hot (default 4)
  --hot-share F      traffic share of the hot experts, 0 < F < 1 (default 0.5)
  --seed N           seed, integer ≥ 0 (default 0)
  --scoring F        softmax | sigmoid (default softmax)
  --groups G         expert groups for group-limited routing (default 1)
  --topk-group G'    groups kept per token (default: all groups)
  --scaling X        routed scaling factor (default 1)
  --shared S         shared experts every token also uses (default 0)
  --gpus P           also account dispatch on a contiguous placement over P GPUs
  --nodes N          nodes for the dispatch accounting (default 1)
  --help             this text

limits (larger values are refused; tokens × experts ≤ ${MAX_ROUTE_LOGITS}):
${limitsHelp("route").join("\n")}

example: ep-lab route --experts 256 --top-k 8 --tokens 4096 --workload zipf --zipf-s 1.1 --seed 0 --groups 8 --topk-group 4`;

const KNOWN = [
  "experts", "top-k", "tokens", "workload", "zipf-s", "hot", "hot-share", "seed", "scoring", "groups", "topk-group",
  "scaling", "shared", "gpus", "nodes", "help",
];

/**
 * `ep-lab route`: generate a seeded routing workload, route it and print tokens per expert and balance statistics (JSON).
 * @param argv the arguments after `route` (see `ep-lab route --help`; counts are integers, `--hot-share` a fraction)
 * @returns the exit code: 0
 * @throws {UsageError} for an unknown option, a positional argument, a non-numeric or non-integer count, an option that
 *   does not apply to the workload; {RangeError|TypeError} from the routing library naming the parameter (main: exit code 2)
 * @example await run(["--experts", "64", "--top-k", "4", "--tokens", "1024", "--workload", "hot", "--hot", "2"]) // 0
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["help"], KNOWN);
  rejectUnknown(args, KNOWN);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0])}; see ep-lab route --help`);
  const L = CLI_LIMITS.route;
  const numExperts = intOpt(args, "experts", 256, L.experts);
  const topK = intOpt(args, "top-k", 8, L["top-k"]);
  const numTokens = intOpt(args, "tokens", 4096, L.tokens);
  if (topK > numExperts) throw new UsageError(`--top-k (${topK}) must be at most --experts (${numExperts})`);
  if (numTokens * numExperts > MAX_ROUTE_LOGITS) {
    throw new UsageError(`--tokens × --experts must be at most ${MAX_ROUTE_LOGITS} (the gate logits held in memory), got ${numTokens} × ${numExperts} = ${numTokens * numExperts}`);
  }
  const workload = stringOpt(args, "workload", "zipf");
  if (!(POPULARITY_KINDS as readonly string[]).includes(workload)) {
    throw new UsageError(`--workload must be one of ${POPULARITY_KINDS.join(", ")}, got ${JSON.stringify(workload)}`);
  }
  const scoring = stringOpt(args, "scoring", "softmax");
  if (!(SCORING_FUNCTIONS as readonly string[]).includes(scoring)) {
    throw new UsageError(`--scoring must be one of ${SCORING_FUNCTIONS.join(", ")}, got ${JSON.stringify(scoring)}`);
  }
  const seed = intOpt(args, "seed", 0, L.seed);
  const numGroups = intOpt(args, "groups", 1, L.groups);
  const topkGroup = intOpt(args, "topk-group", numGroups, L["topk-group"]);
  const routedScalingFactor = numOpt(args, "scaling", 1, L.scaling);
  const numSharedExperts = intOpt(args, "shared", 0, L.shared);
  const popOptions: PopularityOptions = { kind: workload as PopularityOptions["kind"], seed };
  if (workload === "zipf") popOptions.zipfS = numOpt(args, "zipf-s", 1.1, L["zipf-s"]);
  if (workload === "hot") {
    popOptions.numHot = intOpt(args, "hot", 4, L.hot);
    popOptions.hotShare = numOpt(args, "hot-share", 0.5, L["hot-share"]);
  }
  for (const [flag, kind] of [["zipf-s", "zipf"], ["hot", "hot"], ["hot-share", "hot"]]) {
    if (args.options.has(flag) && workload !== kind) throw new UsageError(`--${flag} only applies to --workload ${kind}`);
  }
  if (args.options.has("nodes") && !args.options.has("gpus")) throw new UsageError("--nodes needs --gpus");

  const popularity = expertPopularity(numExperts, popOptions);
  const logits = syntheticLogits(popularity, { numTokens, seed });
  const routing = route(logits, {
    numExperts, topK, scoring: scoring as ScoringFunction, numGroups, topkGroup, routedScalingFactor, numSharedExperts,
  });
  const tokensPerExpert = countExpertLoad(routing.indices, numExperts);
  const out: Record<string, unknown> = {
    config: { numExperts, topK, numTokens, workload, seed, zipfS: popOptions.zipfS, numHot: popOptions.numHot, hotShare: popOptions.hotShare, scoring, numGroups, topkGroup, routedScalingFactor, numSharedExperts },
    tokensPerExpert: Array.from(tokensPerExpert),
    sharedExpertTokens: Array.from(sharedExpertLoad(numTokens, numSharedExperts)),
    expertLoadStats: loadStats(tokensPerExpert),
  };
  if (args.options.has("gpus")) {
    const numGpus = intOpt(args, "gpus", undefined, L.gpus);
    const numNodes = intOpt(args, "nodes", 1, L.nodes);
    if (numGpus < 1 || numExperts % numGpus !== 0) {
      throw new UsageError(`--gpus (${numGpus}) must be ≥ 1 and divide --experts (${numExperts}) for a contiguous placement`);
    }
    const phy2log = Array.from({ length: numExperts }, (_, e) => e);
    const d = dispatchStats(routing, { phy2log, numGpus, numNodes });
    out.dispatch = {
      placement: "contiguous",
      numGpus,
      numNodes,
      tokensPerGpu: Array.from(d.tokensPerGpu),
      tokensPerNode: Array.from(d.tokensPerNode),
      gpuLoadStats: d.gpuLoadStats,
      localTokens: d.localTokens,
      intraNodeTokens: d.intraNodeTokens,
      interNodeTokens: d.interNodeTokens,
    };
  }
  console.log(compactJson(out));
  return 0;
}

/** Pretty JSON with arrays of numbers kept on one line (256 expert loads stay readable). */
function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_m, inner: string) => `[${inner.split(/,\s+/).join(", ")}]`);
}
