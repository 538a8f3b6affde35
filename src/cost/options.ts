/**
 * Option-object checks shared by the cost model: unknown keys are rejected (naming the nearest valid key),
 * catalog lookups use own keys only, and the documented maxima of sizes are enforced.
 */
import { show } from "../util/validate";

/** Edit distance between two short strings (insertions, deletions, substitutions each cost 1). */
function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * The valid key closest to `key` by edit distance (ties: the first in `allowed`).
 * @param key the key that was given
 * @param allowed the valid keys (non-empty)
 * @returns the nearest valid key
 * @throws never (for an empty `allowed` it returns "")
 * @example nearestKey("loadImbalence", ["loadImbalance", "kvLen"]) // "loadImbalance"
 */
export function nearestKey(key: string, allowed: readonly string[]): string {
  let best = "";
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(key, a);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

/**
 * An options object (not null, not an array) whose every own key is in `allowed`.
 * @param name parameter name for messages (`"options"`, `"efficiency"`)
 * @param value the object given
 * @param allowed the valid keys
 * @throws {TypeError} when `value` is not a plain object; {RangeError} naming the unknown key and the nearest valid one
 * @example checkOptionKeys("options", { kvLen: 1 }, ["kvLen"]) // ok
 */
export function checkOptionKeys(name: string, value: unknown, allowed: readonly string[]): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : `${typeof value} ${show(value)}`}`);
  }
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) {
      throw new RangeError(`unknown option ${name}.${k}; did you mean ${JSON.stringify(nearestKey(k, allowed))}? valid: ${allowed.join(", ")}`);
    }
  }
}

/**
 * Look a key up in a catalog record using its own keys only (so "constructor" or "__proto__" are unknown).
 * @param record the catalog
 * @param key the key
 * @returns the entry, or undefined when `key` is not an own key
 * @throws never
 * @example ownEntry({ a: 1 }, "constructor") // undefined
 */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * Documented maxima of the cost model's sizes. Larger values are rejected (RangeError naming the parameter):
 * they describe no machine or model this model was built for, and would only produce meaningless numbers.
 */
export const COST_LIMITS = Object.freeze({
  /** GPUs in one EP group: 4,096 (DeepSeek's largest published group is 144; NVL72 racks hold 72). */
  maxEpSize: 4096,
  /** Routed experts per token: 64 (catalog models use 4–8). */
  maxTopK: 64,
  /** Model width H: 65,536 elements. */
  maxHiddenSize: 65536,
  /** GPUs per node / NVLink domain: 576 (the largest NVLink domain NVIDIA describes, NVL576). */
  maxGpusPerNode: 576,
  /** Sequences per GPU in one decode step: 65,536. */
  maxBatchPerGpu: 65536,
  /** Tokens one rank dispatches in one call: 1,048,576. */
  maxTokensPerRank: 1048576,
  /** Context (KV) length: 10,000,000 tokens. */
  maxKvLen: 10_000_000,
  /** Redundant expert slots: 65,536. */
  maxRedundantExperts: 65536,
});

/**
 * A value at most `max` (the caller has already checked its type and sign).
 * @throws {RangeError} naming the parameter, the value and the maximum
 * @example checkMax("topK", 8, 64) // ok
 */
export function checkMax(name: string, value: number, max: number): void {
  if (value > max) throw new RangeError(`${name} must be ≤ ${max}, got ${show(value)}`);
}
