/**
 * Hardware catalog for the cost model: one entry per GPU type, every number with a source.
 *
 * Conventions (per GPU, not per node):
 * - `bf16Tflops`, `fp8Tflops`: DENSE tensor-core peak in TFLOP/s (NVIDIA datasheets print the
 *   2:4-sparsity figure, which is twice the dense one; we halve it and say so in the citation).
 * - `hbmGB` (GB = 1e9 bytes) and `hbmTBps` (TB/s = 1e12 bytes/s).
 * - `nvlinkGBps`: NVLink bandwidth per GPU in ONE direction (datasheets print the bidirectional
 *   total; we halve it). For H800 it is the ~160 GB/s that DeepEP measured as achievable.
 * - `nicGBps`: scale-out (RDMA) bandwidth per GPU, one direction: 400 Gb/s ≈ 50 GB/s.
 * - `nvlinkDomainSize`: GPUs reachable over NVLink (8 in an HGX/DGX board, 72 in a GB200 NVL72 rack).
 */
import { show } from "../util/validate";
import { ownEntry } from "./options";

/** Where a catalog value comes from: an address and what it says there. */
export interface Citation {
  /** Public address of the source. */
  url: string;
  /** What the source says, in our words, and how the catalog value follows from it. */
  says: string;
}

/** Numeric fields of a {@link GpuSpec}; each must carry a citation in `sources`. */
export const GPU_NUMERIC_FIELDS = [
  "bf16Tflops",
  "fp8Tflops",
  "hbmGB",
  "hbmTBps",
  "nvlinkGBps",
  "nicGBps",
  "nvlinkDomainSize",
] as const;
export type GpuNumericField = (typeof GPU_NUMERIC_FIELDS)[number];

/** One GPU type. All figures are per GPU. */
export interface GpuSpec {
  /** Catalog key, lower case (`"h100"`). */
  readonly name: string;
  /** Human-readable name. */
  readonly label: string;
  /** Dense BF16 tensor-core peak, TFLOP/s. */
  readonly bf16Tflops: number;
  /** Dense FP8 tensor-core peak, TFLOP/s. */
  readonly fp8Tflops: number;
  /** HBM capacity usable by the application, GB (1e9 bytes). */
  readonly hbmGB: number;
  /** HBM bandwidth, TB/s (1e12 bytes/s). */
  readonly hbmTBps: number;
  /** NVLink bandwidth per GPU, one direction, GB/s. */
  readonly nvlinkGBps: number;
  /** Scale-out NIC bandwidth per GPU, one direction, GB/s. */
  readonly nicGBps: number;
  /** GPUs in one NVLink domain (all-to-all inside it goes over NVLink). */
  readonly nvlinkDomainSize: number;
  /**
   * Dense FP4 (NVFP4/MXFP4) tensor-core peak, TFLOP/s; 0 when the GPU has no FP4 tensor cores (Hopper), in which
   * case FP4 weights are multiplied on FP8 tensor cores. Optional in hand-made specs (absent = 0).
   */
  readonly fp4Tflops?: number;
  /** A citation for every numeric field (and for `fp4Tflops` in the catalog). */
  readonly sources: Readonly<Record<GpuNumericField, Citation>> & { readonly fp4Tflops?: Citation };
}

const H100_PAGE = "https://www.nvidia.com/en-us/data-center/h100/";
const H200_PAGE = "https://www.nvidia.com/en-us/data-center/h200/";
const HGX_PAGE = "https://www.nvidia.com/en-us/data-center/hgx/";
const GB200_PAGE = "https://www.nvidia.com/en-us/data-center/gb200-nvl72/";
const DGX_H100_GUIDE = "https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html";
const DEEPEP_LEGACY = "https://github.com/deepseek-ai/DeepEP/blob/main/docs/legacy.md";

const h100Compute = {
  bf16Tflops: {
    url: H100_PAGE,
    says: "H100 SXM datasheet: BF16 Tensor Core 1,979 TFLOPS with sparsity, i.e. 989 TFLOP/s dense.",
  },
  fp8Tflops: {
    url: H100_PAGE,
    says: "H100 SXM datasheet: FP8 Tensor Core 3,958 TFLOPS with sparsity, i.e. 1,979 TFLOP/s dense.",
  },
};
const cx7Nic: Citation = {
  url: DGX_H100_GUIDE,
  says: "DGX H100: one ConnectX-7 400 Gb/s InfiniBand/Ethernet port per GPU for the compute fabric; 400 Gb/s = 50 GB/s.",
};
const hgx8: Citation = {
  url: DGX_H100_GUIDE,
  says: "An HGX/DGX H100-class board connects 8 GPUs with NVLink through NVSwitch.",
};

const hopperNoFp4: Citation = {
  url: H100_PAGE,
  says:
    "The Hopper datasheet lists tensor-core rates for FP64, TF32, BF16/FP16, FP8 and INT8 and none for FP4 (H800 and H200 use the same tensor cores): " +
    "FP4 weights save memory and HBM bandwidth there, but must be converted and multiplied on FP8 tensor cores, so the model uses the FP8 peak.",
};

function gpu(spec: GpuSpec): GpuSpec {
  return Object.freeze({ ...spec, sources: Object.freeze({ ...spec.sources }) });
}

/** The GPU catalog, keyed by lower-case name. Frozen. */
export const GPUS: Readonly<Record<string, GpuSpec>> = Object.freeze({
  h100: gpu({
    name: "h100",
    label: "NVIDIA H100 SXM 80GB",
    bf16Tflops: 989,
    fp8Tflops: 1979,
    hbmGB: 80,
    hbmTBps: 3.35,
    nvlinkGBps: 450,
    nicGBps: 50,
    nvlinkDomainSize: 8,
    fp4Tflops: 0,
    sources: {
      ...h100Compute,
      hbmGB: { url: H100_PAGE, says: "H100 SXM datasheet: GPU memory 80 GB (HBM3)." },
      hbmTBps: { url: H100_PAGE, says: "H100 SXM datasheet: GPU memory bandwidth 3.35 TB/s." },
      nvlinkGBps: { url: H100_PAGE, says: "H100 SXM datasheet: NVLink 900 GB/s (bidirectional), i.e. 450 GB/s each way." },
      nicGBps: cx7Nic,
      nvlinkDomainSize: hgx8,
      fp4Tflops: hopperNoFp4,
    },
  }),
  h800: gpu({
    name: "h800",
    label: "NVIDIA H800 SXM 80GB",
    bf16Tflops: 989,
    fp8Tflops: 1979,
    hbmGB: 80,
    hbmTBps: 3.35,
    nvlinkGBps: 160,
    nicGBps: 50,
    nvlinkDomainSize: 8,
    fp4Tflops: 0,
    sources: {
      bf16Tflops: {
        url: H100_PAGE,
        says: "H800 is the export variant of H100 SXM with the same Hopper SMs and clocks; dense BF16 989 TFLOP/s as for H100 SXM (1,979 with sparsity).",
      },
      fp8Tflops: {
        url: H100_PAGE,
        says: "Same tensor cores as H100 SXM: dense FP8 1,979 TFLOP/s (3,958 with sparsity).",
      },
      hbmGB: { url: H100_PAGE, says: "Same 80 GB HBM3 as H100 SXM." },
      hbmTBps: { url: H100_PAGE, says: "Same 3.35 TB/s HBM3 bandwidth as H100 SXM." },
      nvlinkGBps: {
        url: DEEPEP_LEGACY,
        says: "DeepEP (V1 docs): tests on H800 with '~160 GB/s NVLink maximum bandwidth' (achievable, one direction); the H800's NVLink is cut down from H100's 450 GB/s each way.",
      },
      nicGBps: {
        url: DEEPEP_LEGACY,
        says: "DeepEP (V1 docs): each H800 connected to a CX7 InfiniBand 400 Gb/s RDMA card, '~50 GB/s maximum bandwidth'.",
      },
      nvlinkDomainSize: { url: DEEPEP_LEGACY, says: "DeepEP intranode tests use EP8: 8 H800 per NVLink node." },
      fp4Tflops: hopperNoFp4,
    },
  }),
  h200: gpu({
    name: "h200",
    label: "NVIDIA H200 SXM 141GB",
    bf16Tflops: 989,
    fp8Tflops: 1979,
    hbmGB: 141,
    hbmTBps: 4.8,
    nvlinkGBps: 450,
    nicGBps: 50,
    nvlinkDomainSize: 8,
    fp4Tflops: 0,
    sources: {
      bf16Tflops: { url: H200_PAGE, says: "H200 SXM datasheet: BF16 Tensor Core 1,979 TFLOPS with sparsity, i.e. 989 dense." },
      fp8Tflops: { url: H200_PAGE, says: "H200 SXM datasheet: FP8 Tensor Core 3,958 TFLOPS with sparsity, i.e. 1,979 dense." },
      hbmGB: { url: H200_PAGE, says: "H200 SXM datasheet: GPU memory 141 GB (HBM3e)." },
      hbmTBps: { url: H200_PAGE, says: "H200 SXM datasheet: GPU memory bandwidth 4.8 TB/s." },
      nvlinkGBps: { url: H200_PAGE, says: "H200 SXM datasheet: NVLink 900 GB/s (bidirectional), i.e. 450 GB/s each way." },
      nicGBps: { url: DGX_H100_GUIDE, says: "Assumed as in DGX H100 (same HGX board generation): one 400 Gb/s ConnectX-7 port per GPU; 400 Gb/s = 50 GB/s." },
      nvlinkDomainSize: { url: HGX_PAGE, says: "HGX H200: 8 GPUs on one NVLink/NVSwitch board." },
      fp4Tflops: hopperNoFp4,
    },
  }),
  b200: gpu({
    name: "b200",
    label: "NVIDIA B200 (HGX B200)",
    bf16Tflops: 2250,
    fp8Tflops: 4500,
    hbmGB: 180,
    hbmTBps: 8,
    nvlinkGBps: 900,
    nicGBps: 50,
    nvlinkDomainSize: 8,
    fp4Tflops: 9000,
    sources: {
      bf16Tflops: { url: HGX_PAGE, says: "HGX B200 (8 GPUs): FP16/BF16 Tensor Core 36 PFLOPS with sparsity → 4.5 per GPU sparse, 2.25 PFLOP/s dense." },
      fp8Tflops: { url: HGX_PAGE, says: "HGX B200 (8 GPUs): FP8 Tensor Core 72 PFLOPS with sparsity → 9 per GPU sparse, 4.5 PFLOP/s dense." },
      hbmGB: { url: HGX_PAGE, says: "HGX B200: 1.4 TB HBM3e total for 8 GPUs, i.e. ~180 GB per GPU." },
      hbmTBps: { url: HGX_PAGE, says: "HGX B200: 64 TB/s HBM bandwidth for 8 GPUs, i.e. 8 TB/s per GPU." },
      nvlinkGBps: { url: HGX_PAGE, says: "HGX B200: fifth-generation NVLink 1.8 TB/s per GPU (bidirectional), i.e. 900 GB/s each way." },
      nicGBps: { url: HGX_PAGE, says: "Assumed one 400 Gb/s (50 GB/s) ConnectX-7 class NIC per GPU, as in DGX H100/B200 compute fabrics." },
      nvlinkDomainSize: { url: HGX_PAGE, says: "HGX B200: 8 GPUs connected by NVLink Switch." },
      fp4Tflops: { url: HGX_PAGE, says: "HGX B200 (8 GPUs): FP4 Tensor Core 144 PFLOPS with sparsity → 18 per GPU sparse, 9 PFLOP/s dense." },
    },
  }),
  gb200: gpu({
    name: "gb200",
    label: "NVIDIA GB200 NVL72 (per Blackwell GPU)",
    bf16Tflops: 2500,
    fp8Tflops: 5000,
    hbmGB: 186,
    hbmTBps: 8,
    nvlinkGBps: 900,
    nicGBps: 50,
    nvlinkDomainSize: 72,
    fp4Tflops: 10000,
    sources: {
      bf16Tflops: { url: GB200_PAGE, says: "GB200 NVL72 (72 GPUs): FP16/BF16 Tensor Core 360 PFLOPS with sparsity → 5 per GPU sparse, 2.5 PFLOP/s dense." },
      fp8Tflops: { url: GB200_PAGE, says: "GB200 NVL72 (72 GPUs): FP8 Tensor Core 720 PFLOPS with sparsity → 10 per GPU sparse, 5 PFLOP/s dense." },
      hbmGB: { url: GB200_PAGE, says: "GB200 NVL72: up to 13.4 TB HBM3e for 72 GPUs, i.e. ~186 GB per GPU." },
      hbmTBps: { url: GB200_PAGE, says: "GB200 NVL72: 576 TB/s HBM bandwidth for 72 GPUs, i.e. 8 TB/s per GPU." },
      nvlinkGBps: { url: GB200_PAGE, says: "GB200 NVL72: 130 TB/s NVLink for 72 GPUs = 1.8 TB/s per GPU bidirectional, i.e. 900 GB/s each way." },
      nicGBps: { url: GB200_PAGE, says: "Assumed one 400 Gb/s (50 GB/s) scale-out NIC per GPU; only used beyond the 72-GPU NVLink domain." },
      nvlinkDomainSize: { url: GB200_PAGE, says: "GB200 NVL72: 72 Blackwell GPUs in one NVLink domain." },
      fp4Tflops: { url: GB200_PAGE, says: "GB200 NVL72 (72 GPUs): FP4 Tensor Core 1,440 PFLOPS with sparsity → 20 per GPU sparse, 10 PFLOP/s dense." },
    },
  }),
});

/**
 * Catalog keys of {@link GPUS}, sorted.
 * @returns a new array of GPU names (takes no input, so it never throws)
 * @throws never
 * @example gpuNames().includes("h800") // true
 */
export function gpuNames(): string[] {
  return Object.keys(GPUS).sort();
}

/**
 * Look a GPU up by name (case-insensitive; own catalog keys only, so "constructor" is unknown).
 * @param name catalog key, e.g. `"h800"`, `"gb200"`
 * @returns the frozen {@link GpuSpec}
 * @throws {TypeError} when `name` is not a string; {RangeError} for an unknown name, listing the known ones
 * @example getGpu("h100").hbmGB // 80
 */
export function getGpu(name: string): GpuSpec {
  if (typeof name !== "string") throw new TypeError(`gpu must be a string, got ${typeof name} ${show(name)}`);
  const spec = ownEntry(GPUS, name.toLowerCase());
  if (!spec) throw new RangeError(`unknown gpu ${JSON.stringify(name)}; known: ${gpuNames().join(", ")}`);
  return spec;
}
