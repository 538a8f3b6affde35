/**
 * Tensor benchmarks: the GroupGEMM weight-loading curve (printed as a table) and the MoE layer's reference
 * vs expert-parallel forward pass on the active TensorFlow.js backend.
 * Run: `npm run bench -- --filter tensor/`.
 */
import type { BenchCase } from "../src/util/bench";
import {
  loadBackend,
  describeBackend,
  measureGroupGemm,
  formatGroupGemmTable,
  createMoeLayer,
  randomHidden,
  moeReferenceForward,
  moeEpForward,
  type GroupGemmResult,
  type MoeLayer,
} from "../src/tensor";

interface GroupGemmCtx {
  header: string;
  result?: GroupGemmResult;
}

interface MoeCtx {
  layer: MoeLayer;
  x: Float32Array;
  phy2log: number[];
}

async function moeSetup(): Promise<MoeCtx> {
  await loadBackend();
  const layer = createMoeLayer({ hiddenSize: 128, expertFfnSize: 256, numExperts: 16, topK: 4, sharedExpertFfnSize: 256, seed: 1 });
  const x = randomHidden(256, 128, 2);
  // 8 ranks × 3 slots: every expert once, experts 0..7 replicated.
  const phy2log = [...Array.from({ length: 16 }, (_, e) => e), ...Array.from({ length: 8 }, (_, e) => e)];
  return { layer, x, phy2log };
}

export const cases: BenchCase[] = [
  {
    name: "tensor/groupgemm-sweep",
    runs: 1,
    warmup: 0,
    setup: async (): Promise<GroupGemmCtx> => ({ header: describeBackend(await loadBackend()) }),
    run: async (ctx: GroupGemmCtx) => {
      ctx.result = await measureGroupGemm();
    },
    report: (ctx: GroupGemmCtx) =>
      `${ctx.header}\n${formatGroupGemmTable(ctx.result!)}\n(roofline: ${ctx.result!.rooflineSource}; ` +
      `crossover ≈ ${ctx.result!.crossoverTokensPerExpert.toFixed(1)} tokens/expert)`,
  },
  {
    name: "tensor/moe-reference-256tok-16e-top4",
    runs: 5,
    warmup: 1,
    setup: moeSetup,
    run: (ctx: MoeCtx) => moeReferenceForward(ctx.layer, ctx.x),
  },
  {
    name: "tensor/moe-ep8-256tok-16e-top4-replicas",
    runs: 5,
    warmup: 1,
    setup: moeSetup,
    run: (ctx: MoeCtx) => moeEpForward(ctx.layer, ctx.x, { phy2log: ctx.phy2log, epSize: 8, replicaRule: "least-loaded" }),
    report: (ctx: MoeCtx) => {
      const ep = moeEpForward(ctx.layer, ctx.x, { phy2log: ctx.phy2log, epSize: 8, replicaRule: "least-loaded" });
      return `tokens per rank: ${Array.from(ep.plan.tokensPerRank).join(" ")}`;
    },
  },
];
