/**
 * Argument validation shared by every public function of the library.
 *
 * Every check throws a `TypeError` (wrong kind of value) or a `RangeError` (right kind, bad value)
 * whose message names the parameter and shows the offending value. Nothing is clamped.
 */

/** Short, printable form of a value for error messages (arrays and objects abbreviated). */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `array(length ${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as ArrayLike<number>).length})`;
  return typeof value === "object" ? Object.prototype.toString.call(value) : String(value);
}

/**
 * A finite number.
 * @param name parameter name used in the error message
 * @throws {TypeError} when `value` is not a number; {RangeError} when it is NaN or ±Infinity
 * @example assertFinite("loadTokens", 3) // ok
 */
export function assertFinite(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${show(value)}`);
}

/** A finite number ≥ 0. @throws {TypeError|RangeError} naming `name` and the value */
export function assertNonNegative(name: string, value: unknown): asserts value is number {
  assertFinite(name, value);
  if (value < 0) throw new RangeError(`${name} must be ≥ 0, got ${show(value)}`);
}

/** A finite number > 0. @throws {TypeError|RangeError} naming `name` and the value */
export function assertPositive(name: string, value: unknown): asserts value is number {
  assertFinite(name, value);
  if (!(value > 0)) throw new RangeError(`${name} must be > 0, got ${show(value)}`);
}

/** A number in the closed interval [lo, hi]. @throws {TypeError|RangeError} naming `name` and the value */
export function assertInRange(name: string, value: unknown, lo: number, hi: number): asserts value is number {
  assertFinite(name, value);
  if (value < lo || value > hi) throw new RangeError(`${name} must be in [${lo}, ${hi}], got ${show(value)}`);
}

/** An integer ≥ 0 (a safe integer). @throws {TypeError|RangeError} naming `name` and the value */
export function assertNonNegativeInt(name: string, value: unknown): asserts value is number {
  assertFinite(name, value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer, got ${show(value)}`);
  if (value < 0) throw new RangeError(`${name} must be ≥ 0, got ${show(value)}`);
}

/** An integer ≥ 1. @throws {TypeError|RangeError} naming `name` and the value */
export function assertPositiveInt(name: string, value: unknown): asserts value is number {
  assertNonNegativeInt(name, value);
  if (value < 1) throw new RangeError(`${name} must be ≥ 1, got ${show(value)}`);
}

/**
 * `numerator` is an exact multiple of `denominator` (both positive integers).
 * @throws {RangeError} e.g. "numReplicas (17) must be divisible by numGpus (8)"
 */
export function assertDivisible(numName: string, numerator: number, denName: string, denominator: number): void {
  assertPositiveInt(numName, numerator);
  assertPositiveInt(denName, denominator);
  if (numerator % denominator !== 0) {
    throw new RangeError(`${numName} (${numerator}) must be divisible by ${denName} (${denominator})`);
  }
}

/** A non-empty array (or typed array). @throws {TypeError} when not array-like; {RangeError} when empty */
export function assertNonEmptyArray(name: string, value: unknown): asserts value is ArrayLike<unknown> {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw new TypeError(`${name} must be an array, got ${show(value)}`);
  }
  if ((value as ArrayLike<unknown>).length === 0) throw new RangeError(`${name} must not be empty`);
}

/**
 * A non-empty array of finite numbers ≥ 0 (loads, counts).
 * @throws {TypeError|RangeError} naming `name[i]` and the value
 */
export function assertLoadVector(name: string, value: unknown): asserts value is ArrayLike<number> {
  assertNonEmptyArray(name, value);
  const arr = value as ArrayLike<unknown>;
  for (let i = 0; i < arr.length; i++) assertNonNegative(`${name}[${i}]`, arr[i]);
}

/**
 * A non-empty rectangular matrix `[rows][cols]` of finite numbers ≥ 0.
 * @returns the shape `[rows, cols]`
 * @throws {TypeError|RangeError} naming `name[r]` / `name[r][c]` and the value
 */
export function assertLoadMatrix(name: string, value: unknown): [number, number] {
  assertNonEmptyArray(name, value);
  const rows = value as ArrayLike<unknown>;
  let cols = -1;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    assertLoadVector(`${name}[${r}]`, row);
    const len = (row as ArrayLike<number>).length;
    if (cols === -1) cols = len;
    else if (len !== cols) {
      throw new RangeError(`${name} must be rectangular: ${name}[0] has ${cols} entries but ${name}[${r}] has ${len}`);
    }
  }
  return [rows.length, cols];
}

/** One of a fixed set of strings. @throws {RangeError} listing the allowed values */
export function assertOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${show(value)}`);
  }
}

/**
 * The candidate closest to `word` by edit distance (case-insensitive), or undefined when none is close (more than
 * max(3, half the word's length) edits away).
 * @param word the misspelt name
 * @param candidates the valid names
 * @returns the nearest valid name or undefined
 * @throws {TypeError} when `word` is not a string or `candidates` not an array of strings
 * @example nearestName("loadImbalence", ["loadImbalance", "overlap"]) // "loadImbalance"
 */
export function nearestName(word: string, candidates: readonly string[]): string | undefined {
  if (typeof word !== "string") throw new TypeError(`word must be a string, got ${show(word)}`);
  if (!Array.isArray(candidates) || candidates.some((c) => typeof c !== "string")) throw new TypeError(`candidates must be an array of strings, got ${show(candidates)}`);
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(3, Math.floor(word.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Reject an options object that is not a plain object, or that has a key outside `known` (own keys, so
 * `__proto__` or `constructor` count as unknown), naming the key and the nearest valid one.
 * `undefined` passes (no options given); a known key whose value is `null` is refused (defaults are taken
 * only for absent keys, so a null would otherwise silently become the default).
 * @param name the parameter name for messages, e.g. "options"
 * @param options the object the caller passed
 * @param known the valid keys
 * @returns nothing
 * @throws {TypeError} when `options` is not a plain object (null, an array, a number…) or a known key holds null;
 *   {RangeError} for an unknown key, e.g. `unknown option options.loadImbalence (did you mean loadImbalance?); valid: …`
 * @example assertKnownKeys("options", { seed: 1 }, ["seed", "numTokens"]); // ok
 */
export function assertKnownKeys(name: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${name} must be an options object, got ${show(options)}`);
  }
  for (const k of Reflect.ownKeys(options)) {
    if (typeof k === "string" && known.includes(k)) {
      // `?? default` would read null as "not given": a null is a wrong value, not an absent one.
      if ((options as Record<string, unknown>)[k] === null) throw new TypeError(`${name}.${k} must not be null (leave it out for the default)`);
      continue;
    }
    const key = String(k);
    const near = nearestName(key, known);
    throw new RangeError(`unknown option ${name}.${key}${near ? ` (did you mean ${near}?)` : ""}; valid: ${known.join(", ")}`);
  }
}
