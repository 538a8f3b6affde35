/**
 * Bring your own expert load: read the engines' expert-load recordings into a `[layers][experts]` token matrix.
 *
 * - TensorRT-LLM (tensorrt_llm/_torch/expert_statistic.py @ 0fccc5b): `rank{N}.safetensors` files whose tensors
 *   are keyed "{iter}_{layer}" (int64 bincounts of the selected experts, length num_experts) and a
 *   `meta_info.json` with num_experts and num_experts_per_token. Files are summed over ranks and iterations
 *   (examples/wide_ep/ep_load_balancer/utils.py @ 7ce477f), iterations must be contiguous and every
 *   (iteration, layer) pair present.
 * - SGLang (python/sglang/srt/eplb/expert_distribution.py): a JSON object with `logical_count`, either
 *   `[layers][experts]` or `[steps][layers][experts]` (summed over steps); its rows cover all hidden layers.
 *
 * Includes a small safetensors reader/writer (8-byte little-endian header length, JSON header of
 * {dtype, shape, data_offsets}, raw little-endian data), written from the format's description.
 */
import type { ModelSpec } from "../cost/catalog-models";
import { show } from "../util/validate";

/** safetensors dtypes this reader understands, with bytes per element. */
export const SAFETENSORS_DTYPES = Object.freeze({ I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, F64: 8, F32: 4, F16: 2, BF16: 2 });
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** A tensor as plain numbers (int64 values beyond 2^53 are rejected). */
export interface Tensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: number[];
}

const MAX_HEADER = 100 * 1024 * 1024;

function f16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Parse a safetensors file.
 * @param bytes the file content
 * @returns tensors by name (and `__metadata__` strings under `metadata`)
 * @throws {TypeError} for a non-byte input; {RangeError} for a truncated file, a bad header, an unknown dtype,
 *   offsets outside the data or not matching the shape, or an int64 value beyond ±2^53
 * @example readSafetensors(writeSafetensors({ a: { dtype: "I64", shape: [2], data: [3, 4] } })).tensors.a.data // [3, 4]
 */
export function readSafetensors(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array, got ${show(bytes)}`);
  if (bytes.length < 8) throw new RangeError(`a safetensors file has at least 8 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) throw new RangeError(`safetensors header length ${n} does not fit in the ${bytes.length}-byte file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw new RangeError(`safetensors header is not JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new RangeError("safetensors header must be a JSON object");
  const base = 8 + n;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = v as Record<string, string>;
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = t?.dtype as SafetensorsDtype;
    if (!(typeof dtype === "string" && dtype in SAFETENSORS_DTYPES)) throw new RangeError(`tensor ${JSON.stringify(name)} has dtype ${show(t?.dtype)}; known: ${Object.keys(SAFETENSORS_DTYPES).join(", ")}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`tensor ${JSON.stringify(name)} has a bad shape ${show(t.shape)}`);
    const off = t.data_offsets as [number, number];
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[1] < off[0] || base + off[1] > bytes.length) {
      throw new RangeError(`tensor ${JSON.stringify(name)} has data_offsets ${show(off)} outside the ${bytes.length - base}-byte data section`);
    }
    const count = (t.shape as number[]).reduce((a, b) => a * b, 1);
    const size = SAFETENSORS_DTYPES[dtype];
    if (off[1] - off[0] !== count * size) throw new RangeError(`tensor ${JSON.stringify(name)}: ${off[1] - off[0]} bytes for shape [${(t.shape as number[]).join(", ")}] of ${dtype} (need ${count * size})`);
    const data = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const p = base + off[0] + i * size;
      switch (dtype) {
        case "I64": {
          const x = view.getBigInt64(p, true);
          if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`tensor ${JSON.stringify(name)}[${i}] = ${x} is beyond ±2^53`);
          data[i] = Number(x);
          break;
        }
        case "I32": data[i] = view.getInt32(p, true); break;
        case "I16": data[i] = view.getInt16(p, true); break;
        case "I8": data[i] = view.getInt8(p); break;
        case "U8": data[i] = view.getUint8(p); break;
        case "F64": data[i] = view.getFloat64(p, true); break;
        case "F32": data[i] = view.getFloat32(p, true); break;
        case "F16": data[i] = f16(view.getUint16(p, true)); break;
        case "BF16": data[i] = new Float32Array(new Uint32Array([view.getUint16(p, true) << 16]).buffer)[0]; break;
      }
    }
    tensors[name] = { dtype, shape: (t.shape as number[]).slice(), data };
  }
  return { tensors, metadata };
}

/**
 * Write a safetensors file (integer and float dtypes except F16/BF16).
 * @param tensors name → tensor (data length = product of shape)
 * @param metadata optional string → string metadata
 * @returns the file bytes
 * @throws {RangeError} for a data length that does not match the shape, a non-integer value for an integer dtype, or F16/BF16
 */
export function writeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== "object") throw new TypeError(`tensors must be an object, got ${show(tensors)}`);
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name];
    if (!(t.dtype in SAFETENSORS_DTYPES) || t.dtype === "F16" || t.dtype === "BF16") throw new RangeError(`tensor ${JSON.stringify(name)}: cannot write dtype ${show(t.dtype)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw new RangeError(`tensor ${JSON.stringify(name)}: ${t.data.length} values for shape [${t.shape.join(", ")}]`);
    const bytes = count * SAFETENSORS_DTYPES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += " ";
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const name of names) {
    const t = tensors[name];
    const size = SAFETENSORS_DTYPES[t.dtype];
    for (const x of t.data) {
      if (t.dtype[0] !== "F" && !Number.isInteger(x)) throw new RangeError(`tensor ${JSON.stringify(name)}: ${x} is not an integer`);
      switch (t.dtype) {
        case "I64": view.setBigInt64(p, BigInt(x), true); break;
        case "I32": view.setInt32(p, x, true); break;
        case "I16": view.setInt16(p, x, true); break;
        case "I8": view.setInt8(p, x); break;
        case "U8": view.setUint8(p, x); break;
        case "F64": view.setFloat64(p, x, true); break;
        case "F32": view.setFloat32(p, x, true); break;
      }
      p += size;
    }
  }
  return out;
}

/** A TensorRT-LLM expert-statistics recording, summed. */
export interface TrtllmExpertStatistic {
  numExperts: number;
  topK: number;
  /** Ranks (rank*.safetensors files) summed. */
  ranks: number;
  iterStart: number;
  /** Exclusive. */
  iterStop: number;
  /** Engine layer indices, ascending (3…60 for DeepSeek-V3). */
  layers: number[];
  /** `[layers][experts]` token-expert assignments summed over iterations and ranks. */
  load: number[][];
}

/**
 * Read TensorRT-LLM's expert statistics dump.
 * @param files the dump folder's files: name → bytes (`meta_info.json` and `rank{N}.safetensors`; `*_raw.safetensors` are skipped)
 * @returns {@link TrtllmExpertStatistic}
 * @throws {RangeError} naming the problem: no meta_info.json or rank files, keys not "{iter}_{layer}", non-contiguous
 *   iterations, a missing (iteration, layer) pair, tensors of the wrong length
 */
export function readTrtllmExpertStatistic(files: ReadonlyMap<string, Uint8Array>): TrtllmExpertStatistic {
  if (!(files instanceof Map)) throw new TypeError("files must be a Map of file name → bytes");
  const metaBytes = [...files.entries()].find(([k]) => k === "meta_info.json" || k.endsWith("/meta_info.json"))?.[1];
  if (!metaBytes) throw new RangeError("the expert statistics need meta_info.json (written by rank 0)");
  let meta: { num_experts?: unknown; num_experts_per_token?: unknown };
  try {
    meta = JSON.parse(new TextDecoder().decode(metaBytes));
  } catch (e) {
    throw new RangeError(`meta_info.json is not JSON: ${(e as Error).message}`);
  }
  const E = meta.num_experts;
  const k = meta.num_experts_per_token;
  if (!Number.isInteger(E) || (E as number) <= 0 || (E as number) > 1 << 16) throw new RangeError(`meta_info.json num_experts must be a positive integer, got ${show(E)}`);
  if (!Number.isInteger(k) || (k as number) <= 0) throw new RangeError(`meta_info.json num_experts_per_token must be a positive integer, got ${show(k)}`);
  const ranks = [...files.entries()].filter(([name]) => /(^|\/)rank\d+\.safetensors$/.test(name));
  if (ranks.length === 0) throw new RangeError("no rank{N}.safetensors files among the expert statistics");
  const sum = new Map<string, number[]>();
  for (const [name, bytes] of ranks) {
    for (const [key, t] of Object.entries(readSafetensors(bytes).tensors)) {
      if (!/^\d+_\d+$/.test(key)) throw new RangeError(`${name}: tensor key ${JSON.stringify(key)} is not "{iter}_{layer}"`);
      if (t.data.length !== E) throw new RangeError(`${name}: tensor ${key} has ${t.data.length} counts; num_experts is ${E}`);
      const acc = sum.get(key) ?? new Array<number>(E as number).fill(0);
      for (let i = 0; i < t.data.length; i++) acc[i] += t.data[i];
      sum.set(key, acc);
    }
  }
  const pairs = [...sum.keys()].map((s) => s.split("_").map(Number) as [number, number]);
  const iters = [...new Set(pairs.map((p) => p[0]))].sort((a, b) => a - b);
  const layers = [...new Set(pairs.map((p) => p[1]))].sort((a, b) => a - b);
  if (iters[iters.length - 1] + 1 - iters[0] !== iters.length) throw new RangeError(`iterations ${iters[0]}…${iters[iters.length - 1]} are not contiguous (${iters.length} present)`);
  if (sum.size !== iters.length * layers.length) throw new RangeError(`${sum.size} (iteration, layer) tensors for ${iters.length} iterations × ${layers.length} layers: some pairs are missing`);
  const load = layers.map((l) => {
    const row = new Array<number>(E as number).fill(0);
    for (const it of iters) sum.get(`${it}_${l}`)!.forEach((x, e) => (row[e] += x));
    return row;
  });
  return { numExperts: E as number, topK: k as number, ranks: ranks.length, iterStart: iters[0], iterStop: iters[iters.length - 1] + 1, layers, load };
}

/**
 * Read an SGLang expert-distribution recording (or an --init-expert-location file) with `logical_count`.
 * @param text JSON text: `{ "logical_count": [layers][experts] | [steps][layers][experts], … }`
 * @returns `[layers][experts]` counts (summed over steps)
 * @throws {RangeError} for non-JSON, a missing logical_count, ragged or negative counts
 */
export function readSglangLogicalCount(text: string): number[][] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`the recording is not JSON: ${(e as Error).message}`);
  }
  const lc = (data as { logical_count?: unknown } | null)?.logical_count;
  if (!Array.isArray(lc) || lc.length === 0) throw new RangeError("the recording needs a non-empty logical_count array");
  const is3d = Array.isArray(lc[0]) && Array.isArray((lc[0] as unknown[])[0]);
  const steps = (is3d ? lc : [lc]) as unknown[][][];
  const L = steps[0].length;
  const E = Array.isArray(steps[0][0]) ? steps[0][0].length : 0;
  if (L === 0 || E === 0) throw new RangeError("logical_count must be [layers][experts] or [steps][layers][experts]");
  const out = Array.from({ length: L }, () => new Array<number>(E).fill(0));
  steps.forEach((s, si) => {
    if (!Array.isArray(s) || s.length !== L) throw new RangeError(`logical_count[${si}] has ${Array.isArray(s) ? s.length : "no"} layers; expected ${L}`);
    s.forEach((row, l) => {
      if (!Array.isArray(row) || row.length !== E) throw new RangeError(`logical_count${is3d ? `[${si}]` : ""}[${l}] must have ${E} experts`);
      row.forEach((x, e) => {
        if (typeof x !== "number" || !Number.isFinite(x) || x < 0) throw new RangeError(`logical_count${is3d ? `[${si}]` : ""}[${l}][${e}] must be a count ≥ 0, got ${show(x)}`);
        out[l][e] += x;
      });
    });
  });
  return out;
}

/**
 * Keep the MoE layers of a recording for a model: SGLang rows cover all hidden layers (the dense ones are zero),
 * TensorRT-LLM records only MoE layers. Returns `[numMoeLayers][numExperts]`.
 * @throws {RangeError} when the shape matches neither
 */
export function moeLayersOf(load: number[][], model: ModelSpec): number[][] {
  if (!Array.isArray(load) || load.length === 0) throw new RangeError("load must be a non-empty [layers][experts] matrix");
  if (load[0].length !== model.numExperts) throw new RangeError(`the recording has ${load[0].length} experts; ${model.name} has ${model.numExperts}`);
  if (load.length === model.numMoeLayers) return load.map((r) => r.slice());
  if (load.length === model.numLayers) return load.slice(model.numLayers - model.numMoeLayers).map((r) => r.slice());
  throw new RangeError(`the recording has ${load.length} layers; ${model.name} has ${model.numLayers} layers of which ${model.numMoeLayers} are MoE`);
}
