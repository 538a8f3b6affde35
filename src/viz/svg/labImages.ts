/**
 * The lab's images, built from library data: `labImages()` returns every `images/*.svg` file as
 * text. `npm run figures` writes them; a test checks the committed files equal this output.
 *
 * Where an image shows numbers they come from the project's code: model and GPU facts from the
 * cited catalogs in `src/cost` (`getModel`, `getGpu`, `memoryPerGpu`, `decodeStep`);
 * placements from `src/eplb` (`rebalanceExperts`, `planLayer`, `contiguousPlacement`, `greedyPlacement`).
 */
import { decodeStep, expertParams, getGpu, getModel, memoryPerGpu } from "../../cost";
import { contiguousPlacement, greedyPlacement, planLayer, rebalanceExperts } from "../../eplb";
import { createRng } from "../../util";
import { slotsByGpu } from "../loads";
import { eplbBalanceSvg } from "./eplbBalance";
import { epScaleSvg } from "./epScale";
import { groupGemmSvg } from "./groupGemm";
import { nvl72Svg } from "./nvl72";

/** One generated image. */
export interface LabImage {
  /** File name inside `images/`, e.g. `"small-vs-large-ep.svg"`. */
  file: string;
  /** SVG text. */
  svg: string;
}

/** The model, GPU and decode setting the images share. */
export const IMAGE_SETTING = Object.freeze({
  model: "deepseek-v3",
  gpu: "gb200",
  /** Decoding sequences per GPU for the tokens-per-expert numbers. */
  batchPerGpu: 64,
  /** Context length per sequence, tokens. */
  kvLen: 4096,
  /** Redundant experts of the EP72 layout (DeepSeek-style 256 + 32 = 288 = 4 per GPU). */
  ep72Redundant: 32,
  /** Seed of the shuffle that decides which experts are popular (see {@link skewedLoad}). */
  seed: 2024,
});

/**
 * A skewed expert load: expected tokens per expert under Zipf(s) popularity (the r-th most popular
 * expert gets a share ∝ 1/r^s), with the popularity ranks shuffled by a seeded PRNG so hot experts
 * are scattered over the expert ids. Expected counts, rounded to whole tokens (no sampling noise).
 * @param numExperts experts
 * @param tokens token-to-expert assignments in total (tokens × topK)
 * @param zipfS Zipf exponent (0 = uniform)
 * @param seed shuffle seed
 * @returns `[experts]` tokens
 * @example skewedLoad(4, 100, 0).join() // "25,25,25,25"
 */
export function skewedLoad(numExperts: number, tokens: number, zipfS: number, seed: number = IMAGE_SETTING.seed): number[] {
  const rng = createRng(seed);
  const rank = Array.from({ length: numExperts }, (_, i) => i);
  for (let i = numExperts - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = rank[i];
    rank[i] = rank[j];
    rank[j] = t;
  }
  const w = rank.map((r) => 1 / (r + 1) ** zipfS);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.round((x / sum) * tokens));
}

/**
 * The EP72 placement used by images (a) and (c): 256 experts + 32 redundant on 72 GPUs, by EPLB.
 * @example ep72Placement().length // 288
 */
export function ep72Placement(): number[] {
  const m = getModel(IMAGE_SETTING.model);
  const load = skewedLoad(m.numExperts, 72 * IMAGE_SETTING.batchPerGpu * m.topK, 0.6);
  return planLayer(load, { numGpus: 72, numReplicas: m.numExperts + IMAGE_SETTING.ep72Redundant, numGroups: m.numGroups, numNodes: 1 }).phy2log;
}

const gb1 = (x: number) => x.toFixed(1);

/**
 * Image (a): experts per GPU at EP8, EP32 and EP72 (NVL72 with 32 redundant experts).
 * @example epScaleImage().file // "small-vs-large-ep.svg"
 */
export function epScaleImage(): LabImage {
  const s = IMAGE_SETTING;
  const m = getModel(s.model);
  const panel = (epSize: number, redundant: number, label: string, domain: number, phy2log: number[], columns: number) => {
    const mem = memoryPerGpu({ model: m, gpu: s.gpu, epSize, redundantExperts: redundant });
    const step = decodeStep({ model: m, gpu: s.gpu, epSize, redundantExperts: redundant, batchPerGpu: s.batchPerGpu, kvLen: s.kvLen });
    const facts = [
      `${mem.expertsPerGpu} expert slots per GPU`,
      `expert weights: ${gb1(mem.expertWeightsGB)} GB per GPU`,
      `≈ ${Math.round(step.tokensPerExpert)} tokens per expert slot per step`,
    ];
    return { epSize, label, nvlinkDomainSize: domain, phy2log, columns, facts };
  };
  const perExpertGB = (expertParams(m) * m.numMoeLayers) / 1e9;
  const svg = epScaleSvg({
    numExperts: m.numExperts,
    numGroups: m.numGroups,
    panels: [
      panel(8, 0, "EP8 · one HGX node", 8, contiguousPlacement(m.numExperts, 8).phy2log as number[], 4),
      panel(32, 0, "EP32 · four 8-GPU nodes", 8, contiguousPlacement(m.numExperts, 32).phy2log as number[], 8),
      panel(72, s.ep72Redundant, "EP72 · one GB200 NVL72 rack", 72, ep72Placement(), 9),
    ],
    notes: [
      `DeepSeek-V3 (config.json): ${m.numExperts} routed experts of 3 × ${m.hiddenSize} × ${m.expertFfnSize} parameters in each of ${m.numMoeLayers} MoE layers; FP8 → ${gb1(perExpertGB)} GB per expert over all layers.`,
      `Numbers from this repo's cost model (memoryPerGpu, decodeStep: ${s.batchPerGpu} decoding sequences per GPU, top-${m.topK}, even load). EP72: ${m.numExperts} experts + ${s.ep72Redundant} redundant`,
      "replicas placed by this repo's EPLB (src/eplb) for a skewed load (Zipf 0.6).",
    ],
  });
  return { file: "small-vs-large-ep.svg", svg };
}

/**
 * Image (b): GroupGEMM token packing and arithmetic intensity vs tokens per expert.
 * @example groupGemmImage().file // "groupgemm-packing.svg"
 */
export function groupGemmImage(): LabImage {
  const s = IMAGE_SETTING;
  const m = getModel(s.model);
  const gpu = getGpu(s.gpu);
  const perExpert = (epSize: number, redundant: number) =>
    decodeStep({ model: m, gpu, epSize, redundantExperts: redundant, batchPerGpu: s.batchPerGpu, kvLen: s.kvLen }).tokensPerExpert;
  const svg = groupGemmSvg({
    hiddenSize: m.hiddenSize,
    expertFfnSize: m.expertFfnSize,
    bytesPerWeight: 1,
    activationBytesPerElement: 0,
    gpuName: "GB200",
    peakFlops: gpu.fp8Tflops * 1e12,
    bandwidthBytesPerSec: gpu.hbmTBps * 1e12,
    exampleTokens: [5, 2, 1],
    markers: [
      { label: "EP8", tokensPerExpert: perExpert(8, 0) },
      { label: "EP32", tokensPerExpert: perExpert(32, 0) },
      { label: "EP72", tokensPerExpert: perExpert(72, s.ep72Redundant) },
    ],
    notes: [
      `Intensity = 2·n·3·H·I FLOP ÷ 3·H·I FP8 weight bytes = 2·n FLOP/byte (weights only, peak rates: the lab's crossover, ridge ÷ 2); H = ${m.hiddenSize}, I = ${m.expertFfnSize} (DeepSeek-V3 config.json).`,
      `GB200: dense FP8 ${gpu.fp8Tflops / 1000} PFLOP/s and ${gpu.hbmTBps} TB/s HBM3e per GPU (NVIDIA GB200 NVL72 specifications, via src/cost's catalog).`,
      `Operating points: tokens per expert slot from the cost model's decodeStep, ${s.batchPerGpu} decoding sequences per GPU, top-${m.topK}, even load (EP72: ${m.numExperts + s.ep72Redundant} slots).`,
    ],
  });
  return { file: "groupgemm-packing.svg", svg };
}

/**
 * Image (c): deployment on a GB200 NVL72 rack vs nine 8-GPU nodes.
 * @example nvl72Image().file // "nvl72-deployment.svg"
 */
export function nvl72Image(): LabImage {
  const s = IMAGE_SETTING;
  const m = getModel(s.model);
  const gpu = getGpu(s.gpu);
  const svg = nvl72Svg({
    numExperts: m.numExperts,
    numGroups: m.numGroups,
    phy2log: ep72Placement(),
    // One token's top-8 experts (group-limited: 4 groups of 32, two experts in each).
    tokenExperts: [5, 30, 70, 93, 140, 161, 226, 247],
    sourceGpu: 0,
    nvlinkGBps: gpu.nvlinkGBps,
    nicGBps: gpu.nicGBps,
    gpusPerNode: 8,
    notes: [
      `GB200 NVL72: ${gpu.nvlinkDomainSize} Blackwell GPUs in one NVLink domain, 130 TB/s of NVLink in total = 1.8 TB/s per GPU both ways (NVIDIA GB200 NVL72 specifications).`,
      `Scale-out comparison: one 400 Gb/s (${gpu.nicGBps} GB/s) RDMA NIC per GPU, as in DGX/HGX systems. Bandwidths from src/cost's cited GPU catalog.`,
      `Expert slots: ${m.numExperts} DeepSeek-V3 experts + ${s.ep72Redundant} redundant replicas placed by this repo's EPLB (src/eplb) for a skewed load; colours are the ${m.numGroups} expert groups.`,
    ],
  });
  return { file: "nvl72-deployment.svg", svg };
}

/**
 * The lab's toy EPLB example: 8 experts with these token loads (tokens) on 4 GPUs
 * (loads as in an earlier version of this lesson, NVIDIA Dynamo workshop, Lab 3.1 "Expert Parallelism Foundations", §6.4).
 */
export const EIGHT_EXPERTS = Object.freeze({ expertLoad: Object.freeze([1000, 800, 600, 500, 300, 200, 100, 50]), numGpus: 4, redundant: 4 });

/**
 * Image (d): contiguous vs greedy vs EPLB with replicas, from `src/eplb`.
 * @example eplbBalanceImage().file // "eplb-balancing.svg"
 */
export function eplbBalanceImage(): LabImage {
  const { numGpus, redundant } = EIGHT_EXPERTS;
  const load = EIGHT_EXPERTS.expertLoad.slice();
  const E = load.length;
  const eplb = rebalanceExperts([load], E + redundant, 1, 1, numGpus);
  const svg = eplbBalanceSvg({
    expertLoad: load,
    panels: [
      { label: "Before: contiguous (standard EP)", gpuExperts: contiguousPlacement(E, numGpus).expertsOnGpu },
      { label: "Greedy, 2 experts per GPU, no replicas", gpuExperts: greedyPlacement(load, numGpus).expertsOnGpu },
      { label: `After: EPLB with ${redundant} redundant experts`, gpuExperts: slotsByGpu(eplb.phy2log[0], numGpus) },
    ],
    notes: [
      "Loads: a toy example (8 experts, 1000 … 50 tokens, 4 GPUs). Placements computed by this repo's src/eplb: contiguousPlacement, greedyPlacement (2 experts per GPU)",
      `and rebalanceExperts (DeepSeek's EPLB; ${E + redundant} slots = ${(E + redundant) / numGpus} per GPU). Speed-up = busiest GPU before ÷ busiest GPU after, for this layer's expert compute.`,
    ],
  });
  return { file: "eplb-balancing.svg", svg };
}

/**
 * Every image of the lab, in a fixed order.
 * @returns `{ file, svg }` per image
 * @example labImages().map((i) => i.file)
 */
export function labImages(): LabImage[] {
  return [epScaleImage(), groupGemmImage(), nvl72Image(), eplbBalanceImage()];
}
