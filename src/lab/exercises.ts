/**
 * Lab 3.1 exercises, each checked against the project's real libraries:
 * - ex1: write top-k routing (checked against `routing.topK` on seeded inputs, ties included; a function that calls
 *   the library's own top-k or router is refused, and the reference is kept out of the notebook's `lab` namespace);
 * - ex2: predict the throughput ordering of no EP / standard EP / wide EP / wide EP + EPLB; the check records the
 *   prediction, and only then does `lab.ex2Reveal()` show the cost model's numbers;
 * - ex3: from raw balancedness numbers of both EPLB policies, choose a policy and the fewest redundant experts;
 * - ex4: from raw tokens/s per GPU at a per-user speed, choose the best EP size without and with two-batch overlap.
 * Every solution's code runs as printed in the notebook (test/lab/solutions.test.ts runs it through the kernel).
 */
import { route } from "../routing";
import { createRng, show } from "../util";
import { Exercise, NotImplemented, TODO, collection, expectNumber, isBlank } from "./framework";
import { libraryTopK } from "./reference";
import {
  EX2_CONFIG_IDS, EX2_SETTING, EX3_SETTING, EX4_SETTING, ex2RecordedPrediction, ex2Truth, ex3Truth, ex4Truth, policySweep, recordEx2Prediction,
} from "./scenarios-exercises";
import type { Ex2ConfigId, Ex3Answer, Ex4Answer } from "./scenarios-exercises";

// ─── Exercise 1 ───────────────────────────────────────────────────────────────────────────────

/** A learner's top-k: `[tokens][experts]` scores → `[tokens][k]` expert indices, best first. */
export type TopKFunction = (scores: number[][], k: number) => number[][];

/** One seeded test case of Exercise 1. */
export interface TopKCase {
  name: string;
  scores: number[][];
  k: number;
}

/**
 * The seeded inputs Exercise 1 is checked on: 16 tokens × 8 experts with continuous scores (k = 2),
 * the same with many ties (scores drawn from 4 values, k = 2 and k = 3).
 * @param seed PRNG seed (integer in [0, 2^32), default 31)
 * @returns three cases, each scores `[16 tokens][8 experts]` and k
 * @throws {TypeError|RangeError} naming `seed` when it is not a non-negative integer below 2^32
 * @example ex1Cases()[0].scores.length; // 16
 */
export function ex1Cases(seed = 31): TopKCase[] {
  const rng = createRng(seed);
  const matrix = (f: () => number) => Array.from({ length: 16 }, () => Array.from({ length: 8 }, f));
  const levels = [0.1, 0.25, 0.4, 0.7];
  return [
    { name: "16 tokens × 8 experts, k = 2", scores: matrix(() => Math.round(rng.normal() * 1000) / 1000), k: 2 },
    { name: "16 tokens × 8 experts with tied scores, k = 2", scores: matrix(() => levels[rng.int(0, 3)]), k: 2 },
    { name: "16 tokens × 8 experts with tied scores, k = 3", scores: matrix(() => levels[rng.int(0, 3)]), k: 3 },
  ];
}

/** Library entry points a learner's top-k must not call (matched in the function's source text). */
const LIBRARY_TOPK_CALLS = ["libraryTopK", "topK", "topKFlat", "route", "routeScores", "selectTopK"];

/**
 * Whether a function's source calls one of the library's top-k or routing functions (as `name(`, `.name(`, or
 * `(0, module.name)(` — how TypeScript compiles a call to an imported function).
 * @param fn any function
 * @returns the name of the library function it calls, or undefined
 * @throws never
 * @example usesLibraryTopK((s: number[][], k: number) => route(s as never, {} as never) as never); // "route"
 */
export function usesLibraryTopK(fn: (...args: never[]) => unknown): string | undefined {
  let text: string;
  try {
    text = Function.prototype.toString.call(fn);
  } catch {
    return undefined;
  }
  for (const name of LIBRARY_TOPK_CALLS) if (new RegExp(`(^|[^\\w$])${name}\\s*\\)?\\s*\\(`).test(text)) return `${name}(…)`;
  if (/\[native code\]/.test(text)) return "built-in function (a bound or native function)";
  return undefined;
}

function checkTopKCase(fn: TopKFunction, c: TopKCase): string | undefined {
  const input = c.scores.map((row) => row.slice());
  const out = fn(input, c.k);
  if (out === TODO || out === undefined) throw new NotImplemented();
  if (JSON.stringify(input) !== JSON.stringify(c.scores)) return `${c.name}: your function changed the scores it was given; read them without modifying them`;
  if (!Array.isArray(out)) return `${c.name}: return an array with one row per token, got ${typeof out}`;
  if (out.length !== c.scores.length) return `${c.name}: returned ${out.length} rows for ${c.scores.length} tokens`;
  const expected = libraryTopK(c.scores, c.k);
  for (let t = 0; t < out.length; t++) {
    const row = out[t];
    const s = c.scores[t];
    if (!Array.isArray(row)) return `${c.name}: row ${t} is not an array of expert indices`;
    if (row.length !== c.k) return `${c.name}: token ${t} has ${row.length} experts, but k = ${c.k}`;
    for (const e of row) {
      if (!Number.isInteger(e) || e < 0 || e >= s.length) return `${c.name}: token ${t} has ${String(e)}, which is not an expert index 0…${s.length - 1}`;
    }
    if (new Set(row).size !== row.length) return `${c.name}: token ${t} lists an expert twice; the k experts must be distinct`;
    const want = expected[t];
    if (row.every((e, i) => e === want[i])) continue;
    const chosenScores = row.map((e) => s[e]);
    const cutoff = Math.min(...want.map((e) => s[e]));
    const missing = row.find((e) => s[e] < cutoff);
    if (missing !== undefined) return `${c.name}: token ${t} picked expert ${missing} (score ${s[missing]}), but a higher-scoring expert was left out`;
    const sameSet = [...row].sort().join() === [...want].sort().join();
    for (let i = 1; i < row.length; i++) {
      if (chosenScores[i] > chosenScores[i - 1]) return `${c.name}: token ${t}'s experts are not ordered from highest score to lowest`;
      if (chosenScores[i] === chosenScores[i - 1] && row[i] < row[i - 1]) return `${c.name}: token ${t} has experts ${row[i - 1]} and ${row[i]} with equal scores; on a tie the lower index comes first`;
    }
    if (!sameSet) return `${c.name}: token ${t} has a tie at the cut-off score; among equal scores the lower expert indices must be kept`;
    return `${c.name}: token ${t} differs from the router`;
  }
  return undefined;
}

const ex1 = new Exercise<TopKFunction>({
  id: "ex1",
  title: "Exercise 1 · Top-k routing",
  prompt:
    "Write myTopK(scores, k): scores is [tokens][experts]; return, for every token, the indices of its k highest-scoring experts, " +
    "highest first; on equal scores the lower expert index comes first. Checked against the library's router on 16 tokens × 8 experts, with ties.",
  answerFormat: "a function (scores: number[][], k: number) => number[][]",
  isUntouched: (a) => isBlank(a),
  check: (fn) => {
    if (typeof fn !== "function") return `answer with your function itself (exercises.ex1.check(myTopK)), got ${Array.isArray(fn) ? "an array" : typeof fn}`;
    const library = usesLibraryTopK(fn);
    if (library) return `your function calls the library's ${library}, which is what this exercise asks you to write; the library's function is not an answer — select the top k yourself`;
    for (const c of ex1Cases()) {
      const bad = checkTopKCase(fn, c);
      if (bad) return bad;
    }
    return { correct: true, message: "your top-k matches the library's router on all seeded cases, ties included." };
  },
  hints: [
    "Handle one token (one row) at a time: which k positions of the row hold the largest values?",
    "Build the list of expert indices 0…E−1 and sort it by score, highest first; keep the first k.",
    "Make the sort stable for ties: compare scores first and, when they are equal, the smaller index wins — (a, b) => row[b] - row[a] || a - b.",
  ],
  solution: {
    text: "Sort each row's expert indices by descending score, breaking ties by ascending index, and keep the first k. (The library does the same with a partial selection that avoids sorting all experts.)",
    code: [
      "function myTopK(scores: number[][], k: number): number[][] {",
      "  return scores.map((row) =>",
      "    row.map((_, e) => e).sort((a, b) => row[b] - row[a] || a - b).slice(0, k));",
      "}",
    ].join("\n"),
    answer: () => (scores: number[][], k: number) => scores.map((row) => row.map((_, e) => e).sort((a, b) => row[b] - row[a] || a - b).slice(0, k)),
  },
});

/**
 * Exercise 1 follow-up: the learner's picks next to the library router's (softmax top-2) on seeded
 * logits for 16 tokens × 8 experts, with the router's weights.
 * @param fn the learner's top-k, `(scores [tokens][experts], k) => indices [tokens][k]`; if it throws or
 *   returns a non-array, its column shows "—"
 * @returns one row per token (16): the learner's and the router's two experts, the router's gate weights,
 *   and whether they agree
 * @throws {TypeError} when `fn` is not a function
 * @example compareWithRouter((s, k) => s.map((r) => r.map((_, e) => e).sort((a, b) => r[b] - r[a] || a - b).slice(0, k))).every((r) => r.same); // true
 */
export function compareWithRouter(fn: TopKFunction): { token: number; yours: string; router: string; routerWeights: string; same: boolean }[] {
  if (typeof fn !== "function") throw new TypeError(`fn must be a function (scores, k) => number[][], got ${show(fn)}`);
  const rng = createRng(5);
  const logits = Array.from({ length: 16 }, () => Array.from({ length: 8 }, () => Math.round(rng.normal() * 1000) / 1000));
  const flat = Float32Array.from(logits.flat());
  const r = route(flat, { numExperts: 8, topK: 2 });
  let yours: number[][] | undefined;
  try {
    const v = fn(logits.map((row) => row.slice()), 2);
    yours = Array.isArray(v) ? v : undefined;
  } catch {
    yours = undefined;
  }
  return logits.map((_, t) => {
    const lib = Array.from(r.indices.slice(2 * t, 2 * t + 2));
    const mine = yours && Array.isArray(yours[t]) ? yours[t] : [];
    return {
      token: t,
      yours: mine.length ? mine.join(", ") : "—",
      router: lib.join(", "),
      routerWeights: Array.from(r.weights.slice(2 * t, 2 * t + 2)).map((w) => w.toFixed(3)).join(", "),
      same: mine.length === 2 && mine[0] === lib[0] && mine[1] === lib[1],
    };
  });
}

// ─── Exercise 2 ───────────────────────────────────────────────────────────────────────────────

const ex2 = new Exercise<string[]>({
  id: "ex2",
  title: "Exercise 2 · Throughput ordering",
  prompt:
    `Predict, before anything is computed: order the four configurations from LOWEST to HIGHEST output tokens/s per GPU ` +
    `(${EX2_SETTING.model} decode on ${EX2_SETTING.gpu.toUpperCase()}, ${EX2_SETTING.kvLen}-token contexts, each at the largest batch that fits in memory, ` +
    `the lab's DeepSeek-V3-shaped expert popularity): ${EX2_CONFIG_IDS.map((id) => `"${id}"`).join(", ")}. ` +
    "Your first well-formed answer is recorded as your prediction; lab.ex2Reveal() shows the model's numbers only after that.",
  answerFormat: `an array of the 4 ids, lowest throughput first, e.g. ["no-ep", "standard-ep", "wide-ep", "wide-ep-eplb"]`,
  check: (order) => {
    if (!Array.isArray(order)) return "answer with an array of the four configuration ids";
    const ids = EX2_CONFIG_IDS as readonly string[];
    const unknown = order.filter((x) => !ids.includes(x));
    if (unknown.length) return `unknown id(s) ${unknown.map((x) => JSON.stringify(x)).join(", ")}; use ${ids.map((x) => `"${x}"`).join(", ")}`;
    if (order.length !== 4 || new Set(order).size !== 4) return "list each of the four ids exactly once";
    const before = ex2RecordedPrediction();
    const recorded = recordEx2Prediction(order);
    const note = before ? `Your prediction was already recorded (${recorded.join(" < ")}); this answer is checked but not recorded.` : "Prediction recorded: run lab.ex2Reveal() to see the numbers.";
    const truth = ex2Truth() as string[];
    const wrongPairs: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) {
        if (truth.indexOf(order[i]) > truth.indexOf(order[j])) wrongPairs.push(`"${order[i]}" below "${order[j]}"`);
      }
    }
    if (wrongPairs.length === 0) return { correct: true, message: `your ordering matches the cost model. ${note}` };
    return {
      message: `${wrongPairs.length} of the 6 pairwise comparisons are the wrong way round, e.g. you placed ${wrongPairs[0]}. ${note}`,
      details: ["Think about two effects: memory freed by holding fewer experts (bigger batch), and the busiest GPU when a GPU holds only a few experts."],
    };
  },
  hints: [
    "Without EP each GPU reads every expert's weights each step and keeps them all in memory; EP divides both among GPUs.",
    "At long contexts the KV cache decides the batch: the fewer expert weights a GPU holds, the more sequences it can keep.",
    "With few experts per GPU, one GPU can get several hot experts: that GPU sets the step time unless EPLB replicates them.",
  ],
  solution: {
    text:
      "The cost model's order is computed by lab.ex2Reveal() once you recorded a prediction, with the batch per GPU each configuration fits. " +
      "Two mechanisms compete: holding fewer experts frees memory for KV cache (bigger batch, more tokens per expert), while contiguous " +
      "placement over many GPUs concentrates hot experts (load imbalance). EPLB keeps the first and removes most of the second. " +
      "lab.ex2SkewRows() shows how the order changes with the workload's skew.",
    get code() {
      if (!ex2RecordedPrediction()) return "// Record your own prediction first (exercises.ex2.check(myOrder)); the solution's code appears after that.";
      return `exercises.ex2.check(${JSON.stringify(ex2Truth())})`;
    },
    answer: () => ex2Truth().slice(),
  },
});

// ─── Exercise 3 ───────────────────────────────────────────────────────────────────────────────

const POLICIES = ["hierarchical", "global"] as const;

const ex3 = new Exercise<Ex3Answer>({
  id: "ex3",
  title: "Exercise 3 · Which policy, how many redundant experts?",
  prompt:
    `${EX3_SETTING.numExperts} experts in ${EX3_SETTING.numGroups} groups on ${EX3_SETTING.numGpus} GPUs in ${EX3_SETTING.numNodes} nodes, the lab's DeepSeek-V3-shaped load. ` +
    `Redundant experts cost memory, so you want the fewest that reach balancedness ≥ ${EX3_SETTING.target}. ` +
    `Which EPLB policy ("hierarchical" or "global"), and how many redundant experts (a multiple of ${EX3_SETTING.numGpus})? Read it off the raw numbers of lab.policySweep([...]).`,
  answerFormat: `{ policy: "hierarchical" | "global", redundantExperts: number }`,
  isUntouched: (a) => isBlank(a) || (typeof a === "object" && a !== null && ((a as Ex3Answer).policy === TODO || (a as Ex3Answer).redundantExperts === TODO)),
  check: (a) => {
    if (typeof a !== "object" || a === null) return 'answer with an object { policy: "hierarchical" | "global", redundantExperts: number }';
    if (!(POLICIES as readonly unknown[]).includes(a.policy)) return `policy must be "hierarchical" or "global", got ${show(a.policy)}`;
    const bad = expectNumber("redundantExperts", a.redundantExperts);
    if (bad) return bad;
    const r = a.redundantExperts;
    if (!Number.isInteger(r) || r < 0) return "the number of redundant experts is a whole number ≥ 0";
    if (r % EX3_SETTING.numGpus !== 0) return `${r} is not a multiple of ${EX3_SETTING.numGpus}: the GPUs would hold different numbers of slots`;
    if (r > 1024) return "that is more redundant experts than the sweep covers (≤ 1024)";
    const row = policySweep([r])[0];
    const truth = ex3Truth();
    const got = a.policy === "hierarchical" ? row.hierarchicalBalancedness : row.globalBalancedness;
    if (got < EX3_SETTING.target) {
      return {
        message: `with the ${a.policy} policy and ${r} redundant experts EPLB reaches balancedness ${got}, below the target ${EX3_SETTING.target}`,
        details: a.policy === "hierarchical" ? ["Look at the node-balancedness column: what limits the hierarchical policy, and do more replicas change it?"] : [],
      };
    }
    const best = a.policy === "hierarchical" ? truth.hierarchical : truth.global;
    if (best !== null && r > best) return { message: `${r} reaches the target, but fewer redundant experts also do with this policy — each costs ${row.extraExpertGBPerGpu} GB per GPU at ${r}` };
    const other = a.policy === "hierarchical" ? truth.global : truth.hierarchical;
    if (other !== null && other < r) return { message: `the ${a.policy} policy reaches the target with ${r}, but the other policy needs fewer redundant experts` };
    return { correct: true, message: `the ${a.policy} policy with ${r} redundant experts reaches balancedness ${got}, and nothing cheaper does.` };
  },
  hints: [
    "Run lab.policySweep([0, 32, 64, 96, 128]) and compare the two balancedness columns as redundant experts grow.",
    "The hierarchical policy first packs whole expert groups onto nodes, then balances GPUs inside each node. Compare its GPU balancedness with its node balancedness.",
    "Replicas inside a node cannot move load between nodes: once the node balancedness is the limit, more replicas do not help. The global policy places replicas on any GPU.",
  ],
  solution: {
    text:
      "The hierarchical policy plateaus: it packs the 8 groups two per node, so the node loads are fixed by how the groups' loads pair up, and its GPU " +
      "balancedness can never exceed that node balancedness — replicas only rebalance GPUs inside a node. The global policy replicates and places " +
      "experts on any GPU, so a few redundant experts already even out the hot ones. DeepSeek's EPLB README recommends the hierarchical policy " +
      "for prefill (smaller EP, where keeping a group on one node saves cross-node traffic for node-limited routing) and the global policy for " +
      "decode at larger EP, which is this case.",
    get code() {
      const t = ex3Truth();
      const policy = t.global !== null && (t.hierarchical === null || t.global <= t.hierarchical) ? "global" : "hierarchical";
      const key = policy === "global" ? "globalBalancedness" : "hierarchicalBalancedness";
      return [
        `const sweep3 = lab.policySweep([0, 32, 64, 96, 128, 160, 192, 224, 256]);`,
        `const first3 = sweep3.find((r) => r.${key} >= ${EX3_SETTING.target})!;`,
        `exercises.ex3.check({ policy: "${policy}", redundantExperts: first3.redundantExperts })`,
      ].join("\n");
    },
    answer: () => {
      const t = ex3Truth();
      if (t.global !== null && (t.hierarchical === null || t.global <= t.hierarchical)) return { policy: "global", redundantExperts: t.global };
      if (t.hierarchical === null) throw new RangeError("no policy reaches the target");
      return { policy: "hierarchical", redundantExperts: t.hierarchical };
    },
  },
});

// ─── Exercise 4 ───────────────────────────────────────────────────────────────────────────────

const ex4 = new Exercise<Ex4Answer>({
  id: "ex4",
  title: "Exercise 4 · Which EP size serves the most tokens per GPU?",
  prompt:
    `${EX4_SETTING.model} decode on ${EX4_SETTING.gpu.toUpperCase()} nodes (8 GPUs per node on NVLink, 400 Gb/s per GPU between nodes), ${EX4_SETTING.kvLen}-token contexts. ` +
    `Every user must get at least ${EX4_SETTING.tokensPerSecPerUser} tokens/s. Which EP size (from ${EX4_SETTING.epSizes.join(", ")}) gives the most output tokens/s per GPU ` +
    "without two-batch overlap, and which with it? Read it off the raw numbers of lab.perUserSweep([...]).",
  answerFormat: "{ overlapOff: number, overlapOn: number } (EP sizes)",
  isUntouched: (a) => isBlank(a) || (typeof a === "object" && a !== null && ((a as Ex4Answer).overlapOff === TODO || (a as Ex4Answer).overlapOn === TODO)),
  check: (a) => {
    if (typeof a !== "object" || a === null) return "answer with an object { overlapOff, overlapOn } of EP sizes";
    for (const key of ["overlapOff", "overlapOn"] as const) {
      const bad = expectNumber(key, a[key]);
      if (bad) return bad;
      if (!(EX4_SETTING.epSizes as readonly number[]).includes(a[key])) return `${key}: use one of the EP sizes ${EX4_SETTING.epSizes.join(", ")}`;
    }
    const t = ex4Truth();
    const problems: string[] = [];
    if (!t.overlapOff.includes(a.overlapOff)) problems.push(`without overlap, another EP size serves more tokens/s per GPU than EP${a.overlapOff} at ≥ ${EX4_SETTING.tokensPerSecPerUser} tokens/s per user`);
    if (!t.overlapOn.includes(a.overlapOn)) problems.push(`with two-batch overlap, another EP size serves more tokens/s per GPU than EP${a.overlapOn}`);
    if (problems.length) return { message: problems.join("; "), details: ["Compare the throughput columns row by row; a larger all-to-all time is not by itself a reason to avoid an EP size."] };
    return { correct: true, message: `EP${a.overlapOff} without overlap and EP${a.overlapOn} with it serve the most tokens/s per GPU at this per-user speed.` };
  },
  hints: [
    "Run lab.perUserSweep([8, 16, 32, 64, 128, 256]) and find the largest value in each throughput column.",
    "All-to-all time growing past expert compute does not decide the question: what counts is tokens/s per GPU at the per-user speed, and a larger EP size frees memory for batch.",
  ],
  solution: {
    text:
      "Read both throughput columns and take the EP size with the largest value in each. Leaving the 8-GPU NVLink domain makes the all-to-all " +
      "much more expensive, but a larger EP group also holds fewer experts per GPU, so each GPU fits a bigger batch and each expert sees more tokens: " +
      "throughput per GPU at a fixed per-user speed can keep rising past the point where communication takes longer than expert compute. " +
      "That is why DeepSeek decodes at EP144 over InfiniBand, and why overlap (which hides communication behind compute) shifts the best EP size.",
    get code() {
      const t = ex4Truth();
      return [
        "const rows4 = lab.perUserSweep([8, 16, 32, 64, 128, 256]);",
        "const best4 = (key: \"tokensPerSecPerGpuOverlapOff\" | \"tokensPerSecPerGpuOverlapOn\") => rows4.reduce((a, b) => ((b[key] ?? 0) > (a[key] ?? 0) ? b : a)).epSize;",
        `exercises.ex4.check({ overlapOff: best4("tokensPerSecPerGpuOverlapOff"), overlapOn: best4("tokensPerSecPerGpuOverlapOn") })`,
      ].join("\n") + (t.overlapOff.length > 1 || t.overlapOn.length > 1 ? "\n// EP sizes within 1% of the best are accepted too" : "");
    },
    answer: () => {
      const t = ex4Truth();
      return { overlapOff: t.overlapOff[0], overlapOn: t.overlapOn[0] };
    },
  },
});

/** The lab's exercises: `exercises.ex1` … `exercises.ex4`. */
export const exercises = collection({ ex1, ex2, ex3, ex4 });

/** Convenience re-exports for starter code. */
export type { Ex2ConfigId, Ex3Answer, Ex4Answer };
