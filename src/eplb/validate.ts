/**
 * Fast input checks for the EPLB hot paths: one tight loop per matrix, and an error message (naming the
 * parameter, the index and the value) is only built when something is wrong. Same wording as src/util/validate.
 */
import { show } from "../util/validate";

/** Throw the TypeError/RangeError that describes why `value` is not a finite number ≥ 0. */
function badLoad(name: string, value: unknown): never {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${show(value)}`);
  throw new RangeError(`${name} must be ≥ 0, got ${show(value)}`);
}

function checkArrayLike(name: string, value: unknown): ArrayLike<unknown> {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new TypeError(`${name} must be an array, got ${show(value)}`);
  }
  const arr = value as ArrayLike<unknown>;
  if (arr.length === 0) throw new RangeError(`${name} must not be empty`);
  return arr;
}

/**
 * A non-empty array of finite numbers ≥ 0.
 * @returns its length
 * @throws {TypeError|RangeError} naming `name[i]` and the value
 */
export function checkLoadVector(name: string, value: unknown): number {
  const arr = checkArrayLike(name, value);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    // `v >= 0` is false for NaN and non-numbers; `v - v === 0` is false for ±Infinity.
    if (typeof v !== "number" || !(v >= 0) || v - v !== 0) badLoad(`${name}[${i}]`, v);
  }
  return arr.length;
}

/**
 * A non-empty rectangular matrix `[rows][cols]` of finite numbers ≥ 0.
 * @returns `[rows, cols]`
 * @throws {TypeError|RangeError} naming `name[r]` / `name[r][c]` and the value
 */
export function checkLoadMatrix(name: string, value: unknown): [number, number] {
  const rows = checkArrayLike(name, value);
  let cols = -1;
  for (let r = 0; r < rows.length; r++) {
    const len = checkLoadVector(`${name}[${r}]`, rows[r]);
    if (cols === -1) cols = len;
    else if (len !== cols) {
      throw new RangeError(`${name} must be rectangular: ${name}[0] has ${cols} entries but ${name}[${r}] has ${len}`);
    }
  }
  return [rows.length, cols];
}

/**
 * A non-empty array of integers in `[0, limit)` (expert ids).
 * @returns its length
 * @throws {TypeError|RangeError} naming `name[i]` and the value
 */
export function checkIndexVector(name: string, value: unknown, limit: number, limitName: string): number {
  const row = checkArrayLike(name, value);
  for (let c = 0; c < row.length; c++) {
    const v = row[c];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= limit) {
      if (typeof v !== "number") throw new TypeError(`${name}[${c}] must be a number, got ${show(v)}`);
      throw new RangeError(`${name}[${c}] must be an integer in [0, ${limitName} = ${limit}), got ${show(v)}`);
    }
  }
  return row.length;
}

/**
 * A non-empty rectangular matrix `[rows][cols]` of integers in `[0, limit)` (expert ids).
 * @returns `[rows, cols]`
 * @throws {TypeError|RangeError} naming `name[r][c]` and the value
 */
export function checkIndexMatrix(name: string, value: unknown, limit: number, limitName: string): [number, number] {
  const rows = checkArrayLike(name, value);
  let cols = -1;
  for (let r = 0; r < rows.length; r++) {
    const len = checkIndexVector(`${name}[${r}]`, rows[r], limit, limitName);
    if (cols === -1) cols = len;
    else if (len !== cols) {
      throw new RangeError(`${name} must be rectangular: ${name}[0] has ${cols} entries but ${name}[${r}] has ${len}`);
    }
  }
  return [rows.length, cols];
}

/** True when `value` is an array-like whose first entry is itself array-like (a matrix rather than a vector). */
export function isMatrix(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  const first = value[0];
  return Array.isArray(first) || (ArrayBuffer.isView(first) && !(first instanceof DataView));
}
