/**
 * Small argument checks shared by src/jupyter (options objects and paths).
 */
import * as path from "path";

/**
 * Reject a non-object `options` and unknown keys, naming the nearest valid key.
 * @param options the options object a caller passed
 * @param allowed the valid keys
 * @param what the parameter name for messages (default "options")
 * @throws {TypeError} when `options` is not a plain object; {RangeError} for an unknown key
 * @example checkOptions({ user: true }, ["user", "prefix"]); // ok
 */
export function checkOptions(options: unknown, allowed: readonly string[], what = "options"): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${what} must be an object, got ${options === null ? "null" : Array.isArray(options) ? "an array" : JSON.stringify(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) {
      const near = nearest(k, allowed);
      throw new RangeError(`unknown option ${what}.${k}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; valid options: ${allowed.join(", ")}`);
    }
  }
}

/**
 * The valid key closest to `key` by edit distance, or undefined when none is close (distance > 3).
 * @example nearest("sysPrefx", ["sysPrefix", "user"]) // "sysPrefix"
 */
export function nearest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return bestD <= Math.max(3, Math.floor(key.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * An absolute path string.
 * @throws {TypeError} naming `name` when `p` is not a non-empty absolute path string
 * @example assertAbsolute("root", "/srv/ep-lab"); // ok
 */
export function assertAbsolute(name: string, p: unknown): asserts p is string {
  if (typeof p !== "string" || p.length === 0) throw new TypeError(`${name} must be a non-empty path string, got ${JSON.stringify(p)}`);
  if (!path.isAbsolute(p)) throw new TypeError(`${name} must be an absolute path, got ${JSON.stringify(p)}`);
}
