/**
 * Published kernel measurements the all-to-all model is fitted on, each with its source. Frozen.
 */
import type { Citation } from "./catalog-hardware";

/** DeepEP V1 normal (high-throughput) kernels on H800: achieved "bottleneck bandwidth" at 4,096 tokens per rank. */
export const DEEPEP_NORMAL: Readonly<{
  source: Citation;
  tokensPerRank: number;
  points: readonly { epSize: number; fabric: "nvlink" | "rdma"; dispatchGBps: number; combineGBps: number }[];
}> = Object.freeze({
  source: {
    url: "https://github.com/deepseek-ai/DeepEP/blob/main/docs/legacy.md",
    says:
      "DeepEP V1 normal kernels on H800 (~160 GB/s NVLink) with CX7 400 Gb/s RDMA (~50 GB/s), 4,096 tokens per batch, hidden 7168, top-4 groups, " +
      "top-8 experts, FP8 dispatch and BF16 combine: intranode EP8 153 / 158 GB/s (NVLink); internode EP16 43 / 43, EP32 58 / 57, EP64 51 / 50 GB/s (RDMA), dispatch / combine.",
  },
  tokensPerRank: 4096,
  points: Object.freeze([
    { epSize: 8, fabric: "nvlink", dispatchGBps: 153, combineGBps: 158 },
    { epSize: 16, fabric: "rdma", dispatchGBps: 43, combineGBps: 43 },
    { epSize: 32, fabric: "rdma", dispatchGBps: 58, combineGBps: 57 },
    { epSize: 64, fabric: "rdma", dispatchGBps: 51, combineGBps: 50 },
  ] as const),
});

/**
 * TensorRT-LLM's NVLinkOneSided all-to-all on GB200 NVL72 (DeepSeek-V3 shapes: hidden 7168, top-8, 256 experts,
 * BF16 dispatch and combine): latency in µs by EP size and tokens per rank.
 */
export const NVLINK_ONE_SIDED_GB200: Readonly<{
  source: Citation;
  rows: readonly { epSize: number; tokensPerRank: number; dispatchUs: number; combineUs: number }[];
}> = Object.freeze({
  source: {
    url: "https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/source/blogs/tech_blog/blog18_Optimizing_MoE_Communication_with_One_Sided_AlltoAll_Over_NVLink.md",
    says:
      "TensorRT-LLM NVLinkOneSided AlltoAll benchmark on GB200 NVL72, hidden 7168, top-8, BF16: dispatch/combine latency tables for EP 8, 16, 32, 64 and " +
      "1–2,048 tokens per rank (e.g. EP8: 18.2 / 32.7 µs at 32 tokens, 166.3 / 175.6 µs at 1,024); about 80% of the 900 GB/s one-way NVLink at large batches.",
  },
  rows: Object.freeze(
    (
      [
        [8, 1, 18.9, 31.0], [8, 8, 17.6, 31.4], [8, 32, 18.2, 32.7], [8, 128, 31.7, 38.1], [8, 256, 50.8, 53.0], [8, 512, 89.5, 91.7], [8, 1024, 166.3, 175.6], [8, 2048, 311.8, 322.6],
        [16, 1, 18.8, 30.8], [16, 32, 20.2, 34.2], [16, 128, 34.6, 39.9], [16, 512, 97.1, 98.2], [16, 2048, 343.3, 348.4],
        [32, 1, 19.8, 31.4], [32, 32, 21.1, 34.6], [32, 128, 37.8, 41.1], [32, 256, 61.5, 59.7], [32, 512, 109.6, 102.5], [32, 1024, 197.5, 197.5], [32, 2048, 373.7, 369.5],
        [64, 1, 27.8, 32.6], [64, 32, 23.1, 36.1], [64, 128, 41.6, 44.5], [64, 512, 115.7, 106.7], [64, 2048, 399.2, 372.1],
      ] as const
    ).map(([epSize, tokensPerRank, dispatchUs, combineUs]) => Object.freeze({ epSize, tokensPerRank, dispatchUs, combineUs })),
  ),
});

/** TensorRT-LLM's DeepSeek-R1 EP-rank load statistics on 32 GB200 GPUs (machine-translation dataset). */
export const TRTLLM_EPLB_STATS: Readonly<{
  source: Citation;
  tokensPerRankPerGpu: number;
  rows: readonly { name: string; epSize: number; redundantExperts: number; eplb: boolean; maxOverMean: number }[];
}> = Object.freeze({
  source: {
    url: "https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/source/blogs/tech_blog/blog4_Scaling_Expert_Parallelism_in_TensorRT-LLM.md",
    says:
      "Scaling EP in TensorRT-LLM, part 1, Table 1 (DeepSeek-R1, 32 GB200 GPUs, average of per-layer, per-iteration metrics, 1,024 routed tokens per rank): " +
      "imbalance ratio (max − mean)/mean by rank 1.564 without EPLB (8 slots per rank, EP32), 0.109 with EPLB (9 slots per rank, EP32), 0.115 with EPLB (8 slots per rank, EP36).",
  },
  tokensPerRankPerGpu: 128,
  rows: Object.freeze([
    { name: "EP32, no EPLB", epSize: 32, redundantExperts: 0, eplb: false, maxOverMean: 2.564 },
    { name: "EP32, EPLB, 288 slots", epSize: 32, redundantExperts: 32, eplb: true, maxOverMean: 1.109 },
    { name: "EP36, EPLB, 288 slots", epSize: 36, redundantExperts: 32, eplb: true, maxOverMean: 1.115 },
  ]),
});
