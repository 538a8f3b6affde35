/**
 * The lab's images, built from library data: `labImages()` returns every `images/*.svg` file as
 * text. `npm run figures` writes them; a test checks the committed files equal this output.
 *
 * Numbers come from the project's code where the image shows numbers: the EPLB placements from
 * `src/eplb` (`planLayer` → `rebalanceExperts`, `contiguousPlacement`, `greedyPlacement`).
 */
import { contiguousPlacement, greedyPlacement, planLayer } from "../../eplb";
import { epScaleSvg } from "./epScale";
import { groupGemmSvg } from "./groupGemm";

/** One generated image. */
export interface LabImage {
  /** File name inside `images/`, e.g. `"ep-small-vs-large.svg"`. */
  file: string;
  /** SVG text. */
  svg: string;
}

/**
 * DeepSeek-V3 facts used by the images (config.json of deepseek-ai/DeepSeek-V3:
 * hidden_size 7168, moe_intermediate_size 2048, n_routed_experts 256, n_group 8, topk_group 4,
 * num_experts_per_tok 8, num_hidden_layers 61 with first_k_dense_replace 3 → 58 MoE layers).
 */
export const DEEPSEEK_V3 = Object.freeze({
  hiddenSize: 7168,
  expertFfnSize: 2048,
  numExperts: 256,
  numGroups: 8,
  topK: 8,
  numMoeLayers: 58,
  /** FP8 weights: 1 byte per parameter. */
  bytesPerParam: 1,
});

/** Bytes of one routed expert over all MoE layers (3 matrices of hidden × expertFfn per layer). */
export function expertBytesAllLayers(m = DEEPSEEK_V3): number {
  return 3 * m.hiddenSize * m.expertFfnSize * m.numMoeLayers * m.bytesPerParam;
}

/** A deterministic skewed expert load (Zipf-like over a fixed permutation), tokens per expert. */
export function skewedLoad(numExperts: number, totalTokens: number, s = 0.9): number[] {
  const w: number[] = [];
  for (let e = 0; e < numExperts; e++) {
    const rank = (e * 97 + 31) % numExperts; // a fixed shuffle of popularity ranks (97 is coprime with 2^k)
    w.push(1 / (rank + 1) ** s);
  }
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.round((x / sum) * totalTokens));
}

/** Image (a): experts per GPU at EP8, EP32 and EP72 (NVL72 with 32 redundant experts). */
export function epScaleImage(): LabImage {
  const m = DEEPSEEK_V3;
  const seqsPerGpu = 64;
  const gb = (x: number) => (x / 1e9).toFixed(1);
  const expertBytes = expertBytesAllLayers(m);
  const ep72Load = skewedLoad(m.numExperts, 72 * seqsPerGpu * m.topK);
  const ep72 = planLayer(ep72Load, { numGpus: 72, numReplicas: 288, numGroups: m.numGroups, numNodes: 1 });
  const panel = (epSize: number, label: string, domain: number, phy2log: number[], columns: number) => {
    const slots = phy2log.length / epSize;
    const tokensPerSlot = (epSize * seqsPerGpu * m.topK) / phy2log.length;
    const facts = [
      `${slots} expert slots per GPU`,
      `expert weights: ${gb(slots * expertBytes)} GB per GPU`,
      `≈ ${Math.round(tokensPerSlot)} tokens per expert slot per step`,
    ];
    return { epSize, label, nvlinkDomainSize: domain, phy2log, columns, facts };
  };
  const svg = epScaleSvg({
    numExperts: m.numExperts,
    numGroups: m.numGroups,
    panels: [
      panel(8, "EP8 · one HGX node", 8, contiguousPlacement(256, 8).phy2log as number[], 4),
      panel(32, "EP32 · four 8-GPU nodes", 8, contiguousPlacement(256, 32).phy2log as number[], 8),
      panel(72, "EP72 · one GB200 NVL72 rack", 72, ep72.phy2log, 9),
    ],
    notes: [
      `DeepSeek-V3 (config.json): 256 routed experts of 3 × 7168 × 2048 parameters in each of 58 MoE layers; FP8 weights → ${gb(expertBytes)} GB per expert over all layers.`,
      `Tokens per slot assume ${seqsPerGpu} decoding sequences per GPU, top-8 routing, even load. EP72 slots: 256 experts + 32 redundant replicas placed by this repo's EPLB (src/eplb) for a skewed load.`,
    ],
  });
  return { file: "ep-small-vs-large.svg", svg };
}

/** GB200 (per Blackwell GPU in an NVL72 rack): dense FP8 5 PFLOP/s, HBM3e 8 TB/s (NVIDIA GB200 NVL72 page). */
export const GB200 = Object.freeze({ name: "GB200", fp8Flops: 5e15, hbmBytesPerSec: 8e12, nvlinkGBps: 900, nicGBps: 50, nvlinkDomainSize: 72 });

/** Image (b): GroupGEMM token packing and arithmetic intensity vs tokens per expert. */
export function groupGemmImage(): LabImage {
  const m = DEEPSEEK_V3;
  const seqsPerGpu = 64;
  const perExpert = (ep: number, slots: number) => (ep * seqsPerGpu * m.topK) / slots;
  const svg = groupGemmSvg({
    hiddenSize: m.hiddenSize,
    expertFfnSize: m.expertFfnSize,
    bytesPerWeight: 1,
    activationBytesPerElement: 3,
    gpuName: GB200.name,
    peakFlops: GB200.fp8Flops,
    bandwidthBytesPerSec: GB200.hbmBytesPerSec,
    exampleTokens: [5, 2, 1],
    markers: [
      { label: "EP8", tokensPerExpert: perExpert(8, 256) },
      { label: "EP32", tokensPerExpert: perExpert(32, 256) },
      { label: "EP72", tokensPerExpert: perExpert(72, 288) },
    ],
    notes: [
      "Intensity = 2·n·3·H·I FLOP ÷ (3·H·I FP8 weight bytes + 3·n·H activation bytes); H = 7168, I = 2048 (DeepSeek-V3 config.json).",
      "GB200: dense FP8 5 PFLOP/s and 8 TB/s HBM3e per GPU (NVIDIA GB200 NVL72 specifications).",
      `Operating points: ${seqsPerGpu} decoding sequences per GPU, top-8 routing, even load (EP72: 288 slots).`,
    ],
  });
  return { file: "groupgemm-token-packing.svg", svg };
}

/**
 * Every image of the lab, in a fixed order.
 * @returns `{ file, svg }` per image
 * @example labImages().map((i) => i.file)
 */
export function labImages(): LabImage[] {
  void greedyPlacement;
  return [epScaleImage(), groupGemmImage()];
}
