/**
 * Option-object checks for the planner: unknown keys are errors that name the nearest valid key.
 */
import { show } from "../util/validate";

/** Edit distance between two short strings (Levenshtein). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * The valid key closest to `key` (edit distance, ties broken by list order).
 * @param key the unknown key
 * @param valid the known keys (non-empty)
 * @returns the nearest key
 * @throws {RangeError} when `valid` is empty
 * @example nearestKey("num_slot", ["num_slots", "layer_updates_per_iter"]) // "num_slots"
 */
export function nearestKey(key: string, valid: readonly string[]): string {
  if (!Array.isArray(valid) || valid.length === 0) throw new RangeError("valid must be a non-empty array of keys");
  let best = valid[0];
  let bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(key.toLowerCase(), v.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = v;
    }
  }
  return best;
}

/**
 * Reject an options object that is not a plain object or that has keys outside `valid`.
 * @param name parameter name for messages
 * @param value the object
 * @param valid allowed keys
 * @throws {TypeError} for a non-object; {RangeError} naming the unknown key and the nearest valid one
 * @example checkKeys("options", { nodes: 2 }, ["nodes", "gpu"]) // ok
 */
export function checkKeys(name: string, value: unknown, valid: readonly string[]): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`${name} must be an object, got ${show(value)}`);
  for (const k of Object.keys(value)) {
    if (!valid.includes(k)) throw new RangeError(`${name} has unknown key ${JSON.stringify(k)}; did you mean ${JSON.stringify(nearestKey(k, valid))}?`);
  }
}
