/**
 * Lab 3.1 exercises, each checked against the project's real libraries:
 * - ex1: write top-k routing (checked against `routing.topK` on seeded inputs, ties included);
 * - ex2: predict the throughput ordering of Dense / standard EP / wide EP / wide EP + EPLB (cost model);
 * - ex3: choose the fewest redundant experts reaching a balancedness target (real EPLB);
 * - ex4: find the EP size where the all-to-all starts to dominate (cost model).
 */
import { topK, route } from "../routing";
import { assertFinite, assertNonEmptyArray, assertPositiveInt, createRng, show } from "../util";
import { Exercise, NotImplemented, TODO, collection, expectNumber, isBlank } from "./framework";
import { EX3_CLUSTER, SKEWED_WORKLOAD, minimalRedundancy, redundancyBalancedness } from "./scenarios-eplb";
import { EX2_CONFIG_IDS, EX2_SETTING, EX4_SETTING, allToAllCrossoverEp, epSweep, throughputComparison } from "./scenarios-cost";
import type { Ex2ConfigId } from "./scenarios-cost";

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

/**
 * The library's answer for a case: `routing.topK` on the same scores as float32.
 * @param scores router scores `[tokens][experts]`, a non-empty rectangular matrix of finite numbers
 * @param k experts per token (integer, 1 ≤ k ≤ experts)
 * @returns expert indices `[tokens][k]`, highest score first, lower index first on ties
 * @throws {TypeError|RangeError} naming `scores[t]`, `scores[t][e]` or `k`: empty or ragged matrix, non-finite
 *   score, k not a positive integer or larger than the expert count
 * @example libraryTopK([[0.1, 0.7, 0.2]], 2); // [[1, 2]]
 */
export function libraryTopK(scores: readonly (readonly number[])[], k: number): number[][] {
  assertNonEmptyArray("scores", scores);
  const n = scores.length;
  for (let t = 0; t < n; t++) {
    const row = scores[t];
    if (!Array.isArray(row)) throw new TypeError(`scores[${t}] must be an array of expert scores, got ${show(row)}`);
    if (row.length === 0) throw new RangeError(`scores[${t}] must not be empty`);
    if (row.length !== scores[0].length) {
      throw new RangeError(`scores must be rectangular: scores[0] has ${scores[0].length} entries but scores[${t}] has ${row.length}`);
    }
    for (let j = 0; j < row.length; j++) assertFinite(`scores[${t}][${j}]`, row[j]);
  }
  const e = scores[0].length;
  const flat = new Float32Array(n * e);
  scores.forEach((row, t) => row.forEach((v, j) => (flat[t * e + j] = v)));
  const r = topK(flat, n, e, k);
  return Array.from({ length: n }, (_, t) => Array.from(r.indices.slice(t * k, (t + 1) * k)));
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
    `Order the four configurations from LOWEST to HIGHEST output tokens/s per GPU as the cost model computes them ` +
    `(${EX2_SETTING.model} on ${EX2_SETTING.gpu}, skewed expert popularity, largest batch that fits): ` +
    `${EX2_CONFIG_IDS.map((id) => `"${id}"`).join(", ")}.`,
  answerFormat: `an array of the 4 ids, lowest throughput first, e.g. ["dense", "standard-ep", "wide-ep", "wide-ep-eplb"]`,
  check: (order) => {
    if (!Array.isArray(order)) return "answer with an array of the four configuration ids";
    const ids = EX2_CONFIG_IDS as readonly string[];
    const unknown = order.filter((x) => !ids.includes(x));
    if (unknown.length) return `unknown id(s) ${unknown.map((x) => JSON.stringify(x)).join(", ")}; use ${ids.map((x) => `"${x}"`).join(", ")}`;
    if (order.length !== 4 || new Set(order).size !== 4) return "list each of the four ids exactly once";
    const truth = throughputComparison().ordering as string[];
    const wrongPairs: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) {
        if (truth.indexOf(order[i]) > truth.indexOf(order[j])) wrongPairs.push(`"${order[i]}" below "${order[j]}"`);
      }
    }
    if (wrongPairs.length === 0) return { correct: true, message: "your ordering matches the cost model. Run the next cell to see by how much each wins." };
    return {
      message: `${wrongPairs.length} of the 6 pairwise comparisons are the wrong way round, e.g. you placed ${wrongPairs[0]}.`,
      details: ["Think about what load imbalance does to the busiest GPU when each GPU holds only a few experts."],
    };
  },
  hints: [
    "Dense-style serving reads every expert's weights on every GPU each step; EP divides those reads among GPUs.",
    "With skewed routing and few experts per GPU, one GPU can get several hot experts: compare the loadImbalance column once you run the cell.",
    "EPLB's redundant experts bring the wide-EP imbalance back near 1.",
  ],
  solution: {
    text:
      "Run throughputComparison(): its `ordering` field is the model's answer. Under this skewed workload, wide EP without EPLB " +
      "loses part of its advantage to load imbalance (few experts per GPU concentrate hot experts), and EPLB recovers it — the reason " +
      "engines pair wide EP with EPLB.",
    code: "exercises.ex2.check(throughputComparison().ordering)",
    answer: () => throughputComparison().ordering.slice(),
  },
});

// ─── Exercise 3 ───────────────────────────────────────────────────────────────────────────────

const ex3 = new Exercise<number>({
  id: "ex3",
  title: "Exercise 3 · How many redundant experts?",
  prompt:
    `${SKEWED_WORKLOAD.numExperts} experts (${EX3_CLUSTER.numGroups} groups) on ${EX3_CLUSTER.numGpus} GPUs in ${EX3_CLUSTER.numNodes} nodes, the skewed workload of section 6.1. ` +
    `What is the fewest redundant experts with which EPLB reaches balancedness ≥ ${EX3_CLUSTER.target}? ` +
    `(Slots must split evenly: use multiples of ${EX3_CLUSTER.numGpus}.)`,
  answerFormat: `a whole number, a multiple of ${EX3_CLUSTER.numGpus}`,
  check: (a) => {
    const bad = expectNumber("the number of redundant experts", a);
    if (bad) return bad;
    if (!Number.isInteger(a) || a < 0) return "the number of redundant experts is a whole number ≥ 0";
    if (a % EX3_CLUSTER.numGpus !== 0) return `${a} is not a multiple of ${EX3_CLUSTER.numGpus}: the GPUs would hold different numbers of slots`;
    const b = redundancyBalancedness(a);
    if (b < EX3_CLUSTER.target) return { message: `with ${a} redundant experts EPLB reaches balancedness ${b.toFixed(3)}, below the target ${EX3_CLUSTER.target}` };
    if (a > minimalRedundancy()) return { message: `${a} reaches the target (balancedness ${b.toFixed(3)}), but fewer redundant experts also do — each one costs an expert's worth of memory on some GPU` };
    return { correct: true, message: `${a} redundant experts reach balancedness ${b.toFixed(3)}, and fewer do not.` };
  },
  hints: [
    "Run the sweep cell with more candidates: redundancySweep([0, 32, 64, 96, 128]).",
    "Look at how balancedness changes from one candidate to the next: where does adding replicas stop paying off?",
    "With 8 groups on 4 nodes, EPLB first packs whole groups onto nodes; replicas can only even out GPUs within a node, which is why the curve flattens.",
  ],
  solution: {
    text:
      "Sweep the candidates and take the first that meets the target: redundancySweep([0, 32, 64, 96, 128]). The curve rises steeply with " +
      "the first replicas (the hottest experts get copies) and then flattens: the hierarchical policy packs whole expert groups onto nodes, " +
      "so the remaining imbalance is between nodes and more replicas inside nodes cannot remove it. Try the global policy (one node, one group) to compare.",
    code: "exercises.ex3.check(redundancySweep([0, 32, 64, 96, 128]).find((r) => r.reachesTarget)!.redundantExperts)",
    answer: () => minimalRedundancy(),
  },
});

// ─── Exercise 4 ───────────────────────────────────────────────────────────────────────────────

const ex4 = new Exercise<number>({
  id: "ex4",
  title: "Exercise 4 · When does the all-to-all dominate?",
  prompt:
    `${EX4_SETTING.model} decode on ${EX4_SETTING.gpu.toUpperCase()} nodes (8 GPUs per node on NVLink, 400 Gb/s per GPU between nodes), ` +
    `${EX4_SETTING.batchPerGpu} sequences per GPU, ${EX4_SETTING.kvLen}-token contexts. What is the smallest EP size (from ${EX4_SETTING.epSizes.join(", ")}) ` +
    "at which dispatch + combine take longer than the MoE expert compute?",
  answerFormat: "an EP size (a number)",
  check: (a) => {
    const bad = expectNumber("the EP size", a);
    if (bad) return bad;
    if (!(EX4_SETTING.epSizes as readonly number[]).includes(a)) return `use one of the EP sizes ${EX4_SETTING.epSizes.join(", ")}`;
    const [row] = epSweep([a]);
    const truth = allToAllCrossoverEp();
    if (!row.allToAllDominates) return { message: `at EP ${a} the MoE compute (${row.moeMs} ms) still takes longer than the all-to-all (${row.allToAllMs} ms)` };
    if (a > truth) return { message: `at EP ${a} the all-to-all does dominate, but it already did at a smaller EP size` };
    return { correct: true, message: `at EP ${a} the all-to-all (${row.allToAllMs} ms) overtakes the MoE compute (${row.moeMs} ms).` };
  },
  hints: [
    "Run epSweep([1, 2, 4, 8, 16, 32, 64, 128, 256]) and compare the moeMs and allToAllMs columns.",
    "Ask which link each EP size's all-to-all crosses: up to 8 GPUs it is NVLink; beyond that, most destinations are on other nodes.",
  ],
  solution: {
    text:
      "The sweep shows MoE compute halving with every doubling of EP (fewer experts per GPU) while the all-to-all jumps as soon as the group " +
      "leaves the 8-GPU NVLink domain: the first EP size past one node is where communication takes over. Two-batch overlap (`overlap: true` " +
      "in decodeStep) hides much of it, and an NVL72 rack moves the jump out to 72 GPUs (section 8.4).",
    code: "exercises.ex4.check(epSweep([1, 2, 4, 8, 16, 32, 64, 128, 256]).find((r) => r.allToAllDominates)!.epSize)",
    answer: () => allToAllCrossoverEp(),
  },
});

/** The lab's exercises: `exercises.ex1` … `exercises.ex4`. */
export const exercises = collection({ ex1, ex2, ex3, ex4 });

/** Convenience re-export for starter code. */
export type { Ex2ConfigId };
