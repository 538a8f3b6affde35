/**
 * Number formats of the cost model, each with its storage cost in bytes per element INCLUDING its block scales:
 *
 * | format | values | scales | bytes per element |
 * |---|---|---|---|
 * | bf16  | 16 bit | none | 2 |
 * | fp8 (weights)  | 8 bit E4M3 | one FP32 scale per 128×128 block (DeepSeek-V3 checkpoint) | 1 + 4/16384 |
 * | fp8 (activations, dispatch) | 8 bit | one FP32 scale per 128 values (DeepEP) | 1 + 4/128 |
 * | nvfp4 | 4 bit E2M1 | one FP8 (E4M3) scale per 16 values (+ one FP32 per tensor, negligible) | 0.5 + 1/16 = 0.5625 |
 * | mxfp4 | 4 bit E2M1 | one 8-bit (E8M0) scale per 32 values | 0.5 + 1/32 = 0.53125 |
 *
 * Which tensor cores do the math: bf16 → BF16, fp8 → FP8, nvfp4/mxfp4 → FP4 on Blackwell. Hopper has no FP4
 * tensor cores: FP4 weights there still halve the bytes streamed from HBM and the memory they occupy, but they are
 * converted and multiplied on FP8 tensor cores (see the `fp4Tflops` citation of each Hopper GPU).
 */
import { assertOneOf } from "../util/validate";
import type { Citation, GpuSpec } from "./catalog-hardware";

/** Weight precision (any GEMM weight): bf16 | fp8 | nvfp4 | mxfp4. */
export type Precision = "bf16" | "fp8" | "nvfp4" | "mxfp4";
/** Every weight precision. */
export const PRECISIONS: readonly Precision[] = Object.freeze(["bf16", "fp8", "nvfp4", "mxfp4"] as Precision[]);
/** Precisions allowed for dense/attention weights (no published MXFP4 attention checkpoints). */
export const DENSE_PRECISIONS: readonly Precision[] = Object.freeze(["bf16", "fp8", "nvfp4"] as Precision[]);
/** KV-cache precision. */
export type KvPrecision = "bf16" | "fp8";
export const KV_PRECISIONS: readonly KvPrecision[] = Object.freeze(["bf16", "fp8"] as KvPrecision[]);
/** Dispatch (token → expert) payload precision; combine stays BF16. */
export type DispatchPrecision = "bf16" | "fp8" | "nvfp4";
export const DISPATCH_PRECISIONS: readonly DispatchPrecision[] = Object.freeze(["bf16", "fp8", "nvfp4"] as DispatchPrecision[]);
/** Tensor-core math type. */
export type MathType = "bf16" | "fp8" | "fp4";

/** Where the byte counts come from. */
export const PRECISION_SOURCES: Readonly<Record<"fp8Weights" | "fp8Activations" | "nvfp4" | "mxfp4" | "fp8Kv", Citation>> = Object.freeze({
  fp8Weights: {
    url: "https://arxiv.org/abs/2412.19437",
    says: "DeepSeek-V3 technical report: FP8 weights are quantized in 128×128 blocks, each block with its own scaling factor (stored as FP32 in the released checkpoint).",
  },
  fp8Activations: {
    url: "https://github.com/deepseek-ai/DeepEP/blob/main/docs/legacy.md",
    says: "DeepEP dispatches FP8 tokens with one FP32 scale per 128 channels (1×128 tiles, as in the DeepSeek-V3 report); combine is BF16.",
  },
  nvfp4: {
    url: "https://developer.nvidia.com/blog/introducing-nvfp4-for-efficient-and-accurate-low-precision-inference/",
    says: "NVIDIA's NVFP4: 4-bit E2M1 values, one FP8 (E4M3) scale per block of 16 values, plus one FP32 scale per tensor.",
  },
  mxfp4: {
    url: "https://www.opencompute.org/documents/ocp-microscaling-formats-mx-v1-0-spec-final-pdf",
    says: "OCP Microscaling (MX) v1.0: MXFP4 stores 32 E2M1 values with one shared 8-bit E8M0 scale.",
  },
  fp8Kv: {
    url: "https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/source/blogs/tech_blog/blog3_Optimizing_DeepSeek_R1_Throughput_on_NVIDIA_Blackwell_GPUs.md",
    says: "TensorRT-LLM: FP8 KV cache halves the KV size; static per-tensor FP8 scale; in generation Q and KV are FP8 and FP8 attention (MQA) kernels are used.",
  },
});

/**
 * Bytes per weight element for a precision, block scales included (see the module table).
 * @param precision `"bf16"`, `"fp8"`, `"nvfp4"` or `"mxfp4"`
 * @returns bytes per element: 2, 1.000244…, 0.5625, 0.53125
 * @throws {RangeError} for any other value, naming `precision` and the value
 * @example bytesPerWeight("nvfp4") // 0.5625
 */
export function bytesPerWeight(precision: Precision): number {
  assertOneOf("precision", precision, PRECISIONS);
  switch (precision) {
    case "bf16":
      return 2;
    case "fp8":
      return 1 + 4 / (128 * 128);
    case "nvfp4":
      return 0.5 + 1 / 16;
    default:
      return 0.5 + 1 / 32;
  }
}

/**
 * Bytes per KV-cache element: bf16 → 2, fp8 → 1 (one per-tensor scale, negligible).
 * @param precision `"bf16"` or `"fp8"`
 * @returns bytes per element
 * @throws {RangeError} for any other value
 * @example kvBytesPerElement("fp8") // 1
 */
export function kvBytesPerElement(precision: KvPrecision): number {
  assertOneOf("kvPrecision", precision, KV_PRECISIONS);
  return precision === "fp8" ? 1 : 2;
}

/**
 * Bytes per activation element of the dispatch payload: bf16 → 2, fp8 → 1 + 4/128 (FP32 scale per 128),
 * nvfp4 → 0.5 + 1/16 (FP8 scale per 16).
 * @param precision `"bf16"`, `"fp8"` or `"nvfp4"`
 * @returns bytes per element
 * @throws {RangeError} for any other value
 * @example dispatchBytesPerElement("nvfp4") * 7168 // 4032 bytes per token
 */
export function dispatchBytesPerElement(precision: DispatchPrecision): number {
  assertOneOf("dispatchPrecision", precision, DISPATCH_PRECISIONS);
  return precision === "bf16" ? 2 : precision === "fp8" ? 1 + 4 / 128 : 0.5 + 1 / 16;
}

/**
 * The tensor cores that multiply weights of a precision on a GPU: bf16 → BF16, fp8 → FP8, nvfp4/mxfp4 → FP4
 * where the GPU has FP4 tensor cores (`fp4Tflops > 0`), otherwise FP8 (Hopper: the weights are converted).
 * @param precision weight precision
 * @param gpu the GPU
 * @returns the math type
 * @throws {RangeError} for an unknown precision
 * @example mathType("nvfp4", getGpu("h100")) // "fp8"
 */
export function mathType(precision: Precision, gpu: GpuSpec): MathType {
  assertOneOf("precision", precision, PRECISIONS);
  if (precision === "bf16") return "bf16";
  if (precision === "fp8") return "fp8";
  return (gpu.fp4Tflops ?? 0) > 0 ? "fp4" : "fp8";
}
