/**
 * The kernelspec every learner's server finds, with the per-learner memory limit.
 *
 * Adapter over the kit's Jupyter layer (src/jupyter/kernelspec.ts builds the tslab kernelspec that
 * `ep-lab kernel install --prefix` writes); this file only wraps its argv in the memory limit.
 *
 * The memory limit: the kernel is started through util-linux `prlimit --data=BYTES`, which sets the
 * process's RLIMIT_DATA before it execs node. Since Linux 4.7 RLIMIT_DATA caps the private writable memory
 * a process maps (heap, anonymous mmap, committed WebAssembly memory), and the Linux kernel enforces it:
 * an allocation past the limit fails (Node reports "Array buffer allocation failed" or aborts with
 * an out-of-memory error), so a runaway cell ends that learner's kernel, not the machine. Address-space
 * reservations (V8 and WebAssembly reserve large PROT_NONE regions) do not count, so, unlike
 * RLIMIT_AS (`ulimit -v`), the limit does not break the WebAssembly backend. The limit is per kernel
 * process: a learner who opens several notebooks at once has one such budget per kernel.
 */
import * as fs from "fs";
import * as path from "path";
import { KERNEL_NAME, kernelNodeArgs, kernelSpec, projectRoot, tslabBin, type KernelSpec } from "../jupyter/kernelspec";
import { show } from "../util/validate";

/** util-linux's prlimit (Debian: package util-linux, always installed). */
export const PRLIMIT = "/usr/bin/prlimit";
/** Smallest accepted kernel memory limit (bytes): below this tslab cannot even load TypeScript. */
export const MIN_KERNEL_MEMORY_BYTES = 256 * 1024 * 1024;
/** Largest accepted kernel memory limit (bytes, 1 TiB). */
export const MAX_KERNEL_MEMORY_BYTES = 1024 ** 4;

/**
 * The workshop kernelspec (pure): the kit's tslab kernel started under `prlimit --data=<bytes>`.
 * @param kit the kit's folder (absolute; holds node_modules/tslab)
 * @param memoryLimitBytes RLIMIT_DATA of each kernel process, bytes (integer, 256 MiB … 1 TiB)
 * @returns the kernel.json object
 * @throws {RangeError} for a limit that is not an integer in range; {TypeError} for a relative kit path;
 *   {Error} when tslab or tsx is not installed in the kit
 * @example workshopKernelSpec("/opt/ep-lab", 2 * 1024 ** 3).argv.slice(0, 3); // ["/usr/bin/prlimit", "--data=2147483648", "--"]
 */
export function workshopKernelSpec(kit: string, memoryLimitBytes: number): KernelSpec {
  assertMemoryLimit(memoryLimitBytes);
  const base = kernelSpec(tslabBin(kit), kernelNodeArgs(kit));
  return {
    ...base,
    argv: [PRLIMIT, `--data=${memoryLimitBytes}`, "--", ...base.argv],
    metadata: { ...base.metadata, generated_by: "ep-lab workshop (src/workshop/kernel-adapter.ts)", memory_limit_bytes: memoryLimitBytes },
  };
}

/**
 * Write the workshop kernelspec as `<prefix>/share/jupyter/kernels/tslab/kernel.json` (world-readable, so
 * every learner's server finds it through `JUPYTER_PATH=<prefix>/share/jupyter`). Rewrites it every time.
 * @param prefix absolute folder (like `--prefix` of `jupyter kernelspec install`)
 * @param memoryLimitBytes see {@link workshopKernelSpec}
 * @param kit the kit's folder (default: this checkout)
 * @returns `{ jupyterPath, specFile, spec }`
 * @throws {TypeError|RangeError|Error} as {@link workshopKernelSpec}; {TypeError} for a relative prefix
 * @example writeWorkshopKernelspec("/usr/local", 2 * 1024 ** 3).jupyterPath; // "/usr/local/share/jupyter"
 */
export function writeWorkshopKernelspec(prefix: string, memoryLimitBytes: number, kit: string = projectRoot()): { jupyterPath: string; specFile: string; spec: KernelSpec } {
  if (typeof prefix !== "string" || !path.isAbsolute(prefix)) throw new TypeError(`prefix must be an absolute path, got ${show(prefix)}`);
  const spec = workshopKernelSpec(kit, memoryLimitBytes);
  const jupyterPath = path.join(prefix, "share", "jupyter");
  const dir = path.join(jupyterPath, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (let d = dir; d.startsWith(prefix) && d !== prefix; d = path.dirname(d)) fs.chmodSync(d, 0o755);
  const specFile = path.join(dir, "kernel.json");
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2) + "\n", { mode: 0o644 });
  fs.chmodSync(specFile, 0o644);
  return { jupyterPath, specFile, spec };
}

/**
 * Parse a memory size: bytes, or a number with K, M, G (binary units: 1G = 1024³ bytes).
 * @param text e.g. "2G", "1536M", "2147483648"
 * @returns bytes (integer)
 * @throws {RangeError} for anything else, or a size outside 256 MiB … 1 TiB
 * @example parseMemorySize("2G"); // 2147483648
 */
export function parseMemorySize(text: string): number {
  if (typeof text !== "string") throw new TypeError(`memory size must be a string like "2G", got ${show(text)}`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*$/i.exec(text);
  if (!m) throw new RangeError(`memory size must look like 2G, 1536M or a byte count, got ${JSON.stringify(text)}`);
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  const bytes = Math.round(Number(m[1]) * unit);
  assertMemoryLimit(bytes);
  return bytes;
}

/**
 * @throws {RangeError} unless `bytes` is an integer in [{@link MIN_KERNEL_MEMORY_BYTES}, {@link MAX_KERNEL_MEMORY_BYTES}]
 */
export function assertMemoryLimit(bytes: unknown): asserts bytes is number {
  if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < MIN_KERNEL_MEMORY_BYTES || bytes > MAX_KERNEL_MEMORY_BYTES) {
    throw new RangeError(`memoryLimitBytes must be an integer number of bytes in [${MIN_KERNEL_MEMORY_BYTES}, ${MAX_KERNEL_MEMORY_BYTES}] (256 MiB … 1 TiB), got ${show(bytes)}`);
  }
}
