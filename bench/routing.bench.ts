/**
 * Routing benchmarks (`npm run bench -- --filter routing`).
 *
 * routing/topk-65536x256-k8: top-8 of 256 experts for 65,536 tokens on one core. Reference points on
 * this machine (from the project issue): numpy argpartition 259 ms, a naive JS loop 98 ms, memory
 * floor ~7 ms; target ≥ 5× faster than numpy, i.e. ≤ ~19 ms (well, ≤ 19 ms median).
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
    targetMs: 19,
    runs: 20,
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
