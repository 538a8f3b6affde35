/**
 * Cost-model benchmark: 10,000 decode configurations (models × GPUs × EP sizes × batches × KV lengths ×
 * overlap modes × MTP × precisions) through `decodeStep`. Target: under 1 s for all 10,000.
 */
import type { BenchCase } from "../src/util/bench";
import { createRng } from "../src/util/rng";
import { decodeStep, getModel, gpuNames, type DecodeOptions, type OverlapMode, type Precision } from "../src/cost";

const MODELS = ["deepseek-v3", "kimi-k2", "qwen3-235b-a22b", "qwen3-30b-a3b", "mixtral-8x7b", "gpt-oss-120b", "llama4-maverick"];
const EP_SIZES = [1, 2, 4, 8, 16, 32, 64, 128];

function configs(n: number): DecodeOptions[] {
  const rng = createRng(20260228);
  const gpus = gpuNames();
  const out: DecodeOptions[] = [];
  while (out.length < n) {
    const model = MODELS[rng.int(0, MODELS.length - 1)];
    const epSize = EP_SIZES[rng.int(0, EP_SIZES.length - 1)];
    if (getModel(model).numExperts % epSize !== 0) continue;
    out.push({
      model,
      gpu: gpus[rng.int(0, gpus.length - 1)],
      epSize,
      batchPerGpu: rng.int(1, 256),
      kvLen: rng.int(0, 16384),
      overlap: (["none", "two-batch", "single-batch"] as OverlapMode[])[rng.int(0, 2)],
      mtpDraftTokens: rng.next() < 0.3 ? 1 : 0,
      loadImbalance: 1 + rng.next(),
      moePrecision: (["bf16", "fp8", "nvfp4", "mxfp4"] as Precision[])[rng.int(0, 3)],
      kvPrecision: rng.next() < 0.5 ? "fp8" : "bf16",
      dispatchPrecision: rng.next() < 0.5 ? "fp8" : "nvfp4",
    });
  }
  return out;
}

export const cases: BenchCase[] = [
  {
    name: "cost/decode-10k-configs",
    setup: () => ({ configs: configs(10_000), fits: 0 }),
    run: (ctx: { configs: DecodeOptions[]; fits: number }) => {
      let fits = 0;
      for (const c of ctx.configs) if (decodeStep(c).feasible) fits++;
      ctx.fits = fits;
    },
    runs: 5,
    warmup: 1,
    targetMs: 1000,
    report: (ctx: { configs: DecodeOptions[]; fits: number }) => `${ctx.configs.length} configurations, ${ctx.fits} feasible (fit in memory)`,
  },
];
