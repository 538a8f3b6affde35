/**
 * The WebAssembly SIMD routing kernel: loading, feature detection, the choice between it and the
 * plain-TypeScript kernels, and thin wrappers that move rows in and results out.
 *
 * The kernel (source: `wasm/routing-kernel.as.ts`, AssemblyScript; bytes: `wasm-bytes.ts`, generated
 * by `npm run build:wasm`) ships inside the package as base64, so nothing is downloaded or compiled
 * at install. It is instantiated synchronously on first use. It works on its own linear memory:
 * each call copies a block of rows in (a memory copy, cheaper than one JavaScript pass over them),
 * runs, and copies the `[tokens][k]` results out. Where it helps: the pass that compares every score
 * (or logit) with a threshold runs four float32 lanes at a time and turns the comparison into a bit
 * mask, so only the few candidates are looked at one by one.
 *
 * Which kernel runs: {@link routingKernel} tells; {@link setRoutingKernel} chooses. By default
 * (`"auto"`) the WebAssembly kernel is used when the engine validates a tiny SIMD module, else the
 * TypeScript kernels. The environment variable `EP_LAB_ROUTING_KERNEL` (`auto`, `wasm-simd` or
 * `typescript`) sets the initial choice, e.g. to run the test suite on the fallback. Both kernels
 * return exactly the same picks and weights (the tests compare them with each other and with the
 * reference router).
 */
import { ROUTING_KERNEL_BASE64 } from "./wasm-bytes";

/** A routing kernel: the WebAssembly SIMD one or the plain-TypeScript one. */
export type RoutingKernel = "wasm-simd" | "typescript";
/** What {@link setRoutingKernel} accepts: a kernel, or `"auto"` (WebAssembly SIMD when available). */
export type RoutingKernelChoice = RoutingKernel | "auto";
/** The allowed values of {@link RoutingKernelChoice}. */
export const ROUTING_KERNEL_CHOICES: readonly RoutingKernelChoice[] = Object.freeze(["auto", "wasm-simd", "typescript"] as RoutingKernelChoice[]);
/** Environment variable read once, at first use, for the initial {@link RoutingKernelChoice}. */
export const ROUTING_KERNEL_ENV = "EP_LAB_ROUTING_KERNEL";

/** A module whose only function returns a v128 constant: valid exactly when the engine has WebAssembly SIMD. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code: v128.const
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0x0b, // end
]);

/**
 * The part of the WebAssembly JavaScript API this file uses, declared here and read from `globalThis`: a program
 * without the DOM library (tslab's notebook kernel type-checking these sources) has no value named `WebAssembly`.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
/** WebAssembly's linear memory, as {@link KernelExports} exposes it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** True when this engine has WebAssembly with fixed-width SIMD (checked with a tiny module). */
export function wasmSimdSupported(): boolean {
  try {
    const api = wasmApi();
    return typeof api === "object" && api !== null && api.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

let choice: RoutingKernelChoice | undefined;

function initialChoice(): RoutingKernelChoice {
  const env = typeof process === "object" && process?.env ? process.env[ROUTING_KERNEL_ENV] : undefined;
  if (env === undefined || env === "") return "auto";
  if (!(ROUTING_KERNEL_CHOICES as readonly string[]).includes(env)) {
    throw new RangeError(`${ROUTING_KERNEL_ENV} must be one of ${ROUTING_KERNEL_CHOICES.join(", ")}, got ${JSON.stringify(env)}`);
  }
  return env as RoutingKernelChoice;
}

/**
 * Choose the kernel behind `route`, `routeScores` and `topK` (all give the same results; only the
 * speed differs).
 * @param kernel `"auto"` (default: WebAssembly SIMD when the engine supports it, else TypeScript),
 *   `"wasm-simd"` or `"typescript"`
 * @throws {RangeError} for another value, or `"wasm-simd"` on an engine without WebAssembly SIMD
 * @example
 * setRoutingKernel("typescript"); // e.g. to compare the two kernels
 * routingKernel(); // "typescript"
 * setRoutingKernel("auto");
 */
export function setRoutingKernel(kernel: RoutingKernelChoice): void {
  if (!(ROUTING_KERNEL_CHOICES as readonly unknown[]).includes(kernel)) {
    throw new RangeError(`kernel must be one of ${ROUTING_KERNEL_CHOICES.join(", ")}, got ${JSON.stringify(kernel)}`);
  }
  if (kernel === "wasm-simd" && !wasmSimdSupported()) {
    throw new RangeError('kernel "wasm-simd" is not available: this engine does not validate WebAssembly SIMD modules');
  }
  choice = kernel;
}

/**
 * The kernel `route`, `routeScores` and `topK` use now.
 * @returns `"wasm-simd"` or `"typescript"`
 * @throws {RangeError} when the environment variable `EP_LAB_ROUTING_KERNEL` holds an unknown value,
 *   or `wasm-simd` on an engine without WebAssembly SIMD
 * @example
 * routingKernel(); // "wasm-simd" on Node.js 20
 */
export function routingKernel(): RoutingKernel {
  if (choice === undefined) {
    const c = initialChoice();
    if (c === "wasm-simd" && !wasmSimdSupported()) {
      throw new RangeError(`${ROUTING_KERNEL_ENV}=wasm-simd, but this engine does not validate WebAssembly SIMD modules`);
    }
    choice = c;
  }
  if (choice === "typescript") return "typescript";
  return wasmSimdSupported() ? "wasm-simd" : "typescript";
}

interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  topkReset(): void;
  topkChunk(inp: number, rows: number, E: number, k: number, outI: number, outV: number, scratch: number, finite: number): number;
  selConfig(
    E: number, k: number, G: number, keepN: number, limit: number, maxMode: number, sigmoid: number, normalize: number, scale: number,
    tau: number, bias: number, ug: number, frac: number, int: number, scratch: number,
  ): void;
  selChunk(inp: number, rows: number, outI: number, outW: number, status: number): number;
}

let kernel: KernelExports | undefined;
let base = 0;

/** The instantiated kernel (compiled on first use). */
function instance(): KernelExports {
  if (!kernel) {
    const bytes = Uint8Array.from(atob(ROUTING_KERNEL_BASE64), (c) => c.charCodeAt(0));
    const api = wasmApi();
    if (!api) throw new RangeError('kernel "wasm-simd" is not available: this engine has no WebAssembly');
    const inst = new api.Instance(new api.Module(bytes), { env: { exp: Math.exp } });
    kernel = inst.exports as unknown as KernelExports;
    base = align(kernel.heapBase(), 64);
  }
  return kernel;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Grows the kernel's memory to at least `end` bytes. */
function reserve(k: KernelExports, end: number): void {
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
}

/** Rows per block copied into the kernel: about 128 KiB of input (stays in the core's cache). */
function blockRows(E: number, numTokens: number): number {
  return Math.max(1, Math.min(numTokens, Math.floor(131072 / (4 * E))));
}

/**
 * Top-k of every row with the WebAssembly kernel (the contract of `topKIntoUnchecked` in topk.ts). Writes
 * `[tokens][k]` indices and values. Returns −1, or the first token holding a rejected value (NaN;
 * with `finite`, any non-finite value), for the caller to report; rows from it on are not written.
 */
export function wasmTopKInto(
  scores: Float32Array, numTokens: number, E: number, k: number, outIndices: Int32Array, outValues: Float32Array, finite: boolean,
): number {
  const w = instance();
  const R = blockRows(E, numTokens);
  const scratch = base;
  const inp = align(scratch + 4 * (2 * E + 2 * k + 16), 64);
  const outI = align(inp + 4 * R * E, 64);
  const outV = align(outI + 4 * R * k, 64);
  reserve(w, outV + 4 * R * k);
  const f32 = new Float32Array(w.memory.buffer);
  const i32 = new Int32Array(w.memory.buffer);
  w.topkReset();
  for (let t0 = 0; t0 < numTokens; t0 += R) {
    const rows = Math.min(R, numTokens - t0);
    f32.set(scores.subarray(t0 * E, (t0 + rows) * E), inp >> 2);
    const bad = w.topkChunk(inp, rows, E, k, outI, outV, scratch, finite ? 1 : 0);
    if (bad >= 0) return t0 + bad;
    outIndices.set(i32.subarray(outI >> 2, (outI >> 2) + rows * k), t0 * k);
    outValues.set(f32.subarray(outV >> 2, (outV >> 2) + rows * k), t0 * k);
  }
  return -1;
}

/** Settings of the fused group-limited router for {@link WasmSelector}. */
export interface WasmSelectConfig {
  E: number;
  k: number;
  /** groups used by the selection (1 without a group limit) */
  G: number;
  keepN: number;
  limit: boolean;
  maxMode: boolean;
  sigmoid: boolean;
  normalize: boolean;
  scale: number;
  bias: Float32Array;
  /** 2^(i/64), i = 0..63, as sigmoid32 uses */
  exp2Frac: Float64Array;
  /** 2^(i−128), i = 0..255 */
  exp2Int: Float64Array;
}

/** Rows per call of the fused router kernel (the threshold adapts between calls). */
export const WASM_SELECT_MAX_ROWS = 32;

/**
 * The fast path of `fusedSelect` on the WebAssembly kernel, for one batch: set thresholds with
 * {@link WasmSelector.setThresholds}, then run blocks of ≤ {@link WASM_SELECT_MAX_ROWS} tokens.
 */
export interface WasmSelector {
  /** Per-expert logit thresholds `[E]` (float64; a logit below τ_j cannot matter) and group bounds `[G]`. */
  setThresholds(tau: Float64Array, ug: Float64Array): void;
  /**
   * Tokens [t0, t1) of x: writes picks and weights of the proven tokens into the outputs, a status
   * per token into `status` (0 proven, 1 recompute, 2 non-finite logit, 3 unnormalisable) and
   * returns how many candidates were scored.
   */
  run(x: Float32Array, t0: number, t1: number, outIndices: Int32Array, outWeights: Float32Array, status: Int32Array): number;
}

/** Sets up the fused router kernel for one batch (see {@link WasmSelector}). */
export function wasmSelector(c: WasmSelectConfig): WasmSelector {
  const w = instance();
  const { E, k, G } = c;
  const R = WASM_SELECT_MAX_ROWS;
  const tau = base;
  const bias = tau + 4 * E;
  const ug = bias + 4 * E;
  const frac = align(ug + 4 * G, 8);
  const int = frac + 8 * 64;
  const scratch = int + 8 * 256;
  const status = align(scratch + 4 * (6 * E + 5 * G + 2 * k + 48), 64);
  const inp = align(status + 4 * R, 64);
  const outI = align(inp + 4 * R * E, 64);
  const outW = align(outI + 4 * R * k, 64);
  reserve(w, outW + 4 * R * k);
  const buf = w.memory.buffer;
  const f32 = new Float32Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf);
  f32.set(c.bias, bias >> 2);
  f64.set(c.exp2Frac, frac >> 3);
  f64.set(c.exp2Int, int >> 3);
  w.selConfig(E, k, G, c.keepN, +c.limit, +c.maxMode, +c.sigmoid, +c.normalize, c.scale, tau, bias, ug, frac, int, scratch);
  return {
    setThresholds(tauV: Float64Array, ugV: Float64Array): void {
      for (let j = 0; j < E; j++) f32[(tau >> 2) + j] = floor32(tauV[j]);
      // the group bounds are float32 values already (nextUp32 of a float32 sum)
      for (let g = 0; g < G; g++) f32[(ug >> 2) + g] = ugV[g];
    },
    run(x, t0, t1, outIndices, outWeights, st): number {
      const rows = t1 - t0;
      f32.set(x.subarray(t0 * E, t1 * E), inp >> 2);
      const cands = w.selChunk(inp, rows, outI, outW, status);
      st.set(i32.subarray(status >> 2, (status >> 2) + rows));
      outIndices.set(i32.subarray(outI >> 2, (outI >> 2) + rows * k), t0 * k);
      outWeights.set(f32.subarray(outW >> 2, (outW >> 2) + rows * k), t0 * k);
      return cands;
    },
  };
}

const f32one = new Float32Array(1);
const i32one = new Int32Array(f32one.buffer);

/** The largest float32 ≤ v (±∞ stay; NaN stays NaN). A float32 x satisfies x ≥ floor32(τ) whenever x ≥ τ. */
export function floor32(v: number): number {
  f32one[0] = v;
  const r = f32one[0];
  if (!(r > v)) return r;
  // r is the float32 just above v: step one float32 down
  if (r === 0) return -1.401298464324817e-45;
  i32one[0] = r > 0 ? i32one[0] - 1 : i32one[0] + 1;
  return f32one[0];
}
