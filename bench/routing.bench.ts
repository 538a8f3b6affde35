/**
 * Routing benchmarks (`npm run bench -- --filter routing`).
 *
 * routing/topk-65536x256-k8: top-8 of 256 experts for 65,536 tokens on one core. Reference points on
 * this machine (from the project issue): numpy argpartition 259 ms, a naive JS loop 98 ms, memory
 * floor ~7 ms. The issue asks for ≥ 5× numpy, i.e. ≤ 259 / 5 ≈ 52 ms: that is the `targetMs` below.
 * (A stricter 19 ms, 5× the naive loop, was tried and not reached in plain JS; see the kernel's doc comment.)
 * routing/topk-naive-reference-65536x256-k8 runs the plain one-pass "sorted buffer of k" loop on the
 * same data in the same process, so the speed-up survives a noisy, shared machine: compare the ratio.
 * Inputs are softmax scores of standard-normal logits (seeded), the distribution a real gate produces.
 */
import type { BenchCase } from "../src/util/bench";
import { createRng } from "../src/util/rng";
import { topK, softmax, route, syntheticLogits, expertPopularity, dispatchStats } from "../src/routing";

const TOKENS = 65536;
const EXPERTS = 256;
const K = 8;

function normalLogits(numTokens: number, numExperts: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(numTokens * numExperts);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** The baseline: one pass per row keeping a sorted buffer of k, inserting whenever a score beats the k-th. */
function naiveTopK(s: Float32Array, numTokens: number, numExperts: number, k: number): Int32Array {
  const out = new Int32Array(numTokens * k);
  const bv = new Float64Array(k);
  const bi = new Int32Array(k);
  for (let t = 0; t < numTokens; t++) {
    const base = t * numExperts;
    let c = 0;
    for (let j = 0; j < numExperts; j++) {
      const v = s[base + j];
      let p: number;
      if (c < k) p = c++;
      else if (v > bv[k - 1]) p = k - 1;
      else continue;
      while (p > 0 && bv[p - 1] < v) {
        bv[p] = bv[p - 1];
        bi[p] = bi[p - 1];
        p--;
      }
      bv[p] = v;
      bi[p] = j;
    }
    out.set(bi, t * k);
  }
  return out;
}

let cachedScores: Float32Array | undefined;
function scores(): Float32Array {
  cachedScores ??= softmax(normalLogits(TOKENS, EXPERTS, 0), TOKENS, EXPERTS);
  return cachedScores;
}

export const cases: BenchCase[] = [
  {
    name: "routing/topk-65536x256-k8",
    setup: () => scores(),
    run: (s: Float32Array) => topK(s, TOKENS, EXPERTS, K),
    targetMs: 52,
    runs: 20,
  },
  {
    name: "routing/topk-naive-reference-65536x256-k8",
    setup: () => scores(),
    run: (s: Float32Array) => naiveTopK(s, TOKENS, EXPERTS, K),
    runs: 10,
  },
  {
    name: "routing/route-dsv3-65536x256-sigmoid-g8-tg4-bias",
    setup: () => {
      const logits = normalLogits(TOKENS, EXPERTS, 1);
      const rng = createRng(2);
      const bias = new Float32Array(EXPERTS).map(() => 0.01 * rng.normal());
      return { logits, bias };
    },
    run: ({ logits, bias }: { logits: Float32Array; bias: Float32Array }) =>
      route(logits, { numExperts: EXPERTS, topK: K, scoring: "sigmoid", numGroups: 8, topkGroup: 4, bias, routedScalingFactor: 2.5, numSharedExperts: 1 }),
    runs: 5,
    warmup: 1,
  },
  {
    name: "routing/dispatch-8192x256-k8-32gpus-4nodes",
    setup: () => {
      const pop = expertPopularity(EXPERTS, { kind: "zipf", zipfS: 1.1, seed: 3 });
      const r = route(syntheticLogits(pop, { numTokens: 8192, seed: 4 }), { numExperts: EXPERTS, topK: K });
      const phy2log = Array.from({ length: 288 }, (_, s) => s % EXPERTS); // 32 redundant slots
      return { r, phy2log };
    },
    run: ({ r, phy2log }: { r: ReturnType<typeof route>; phy2log: number[] }) => dispatchStats(r, { phy2log, numGpus: 32, numNodes: 4 }),
    runs: 10,
    warmup: 2,
  },
];
