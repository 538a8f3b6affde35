/**
 * Input checks shared by the routing module (typed-array shapes). Scalar checks come from
 * `src/util/validate`; these add the typed-array and `[tokens][experts]` shape rules.
 */
import { assertPositiveInt, show } from "../util/validate";

/**
 * `value` is a `Float32Array` holding `rows × cols` entries.
 * @param name parameter name for the error message
 * @throws {TypeError} when not a Float32Array; {RangeError} when the length is wrong
 */
export function assertFloat32Matrix(name: string, value: unknown, rows: number, cols: number, rowsName: string, colsName: string): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array, got ${show(value)}`);
  if (value.length !== rows * cols) {
    throw new RangeError(`${name} must hold ${rowsName} × ${colsName} = ${rows} × ${cols} = ${rows * cols} values, got length ${value.length}`);
  }
}

/**
 * `value` is an `Int32Array` whose length is a positive multiple of `cols`; returns the row count.
 * @throws {TypeError} when not an Int32Array; {RangeError} for an empty array or a ragged length
 */
export function assertInt32Rows(name: string, value: unknown, cols: number, colsName: string): number {
  if (!(value instanceof Int32Array)) throw new TypeError(`${name} must be an Int32Array, got ${show(value)}`);
  if (value.length === 0) throw new RangeError(`${name} must not be empty`);
  if (value.length % cols !== 0) throw new RangeError(`${name} length (${value.length}) must be a multiple of ${colsName} (${cols})`);
  return value.length / cols;
}

/** Every entry of `indices` is an integer in [0, numExperts). @throws {RangeError} naming the first bad entry */
export function assertExpertIds(name: string, indices: ArrayLike<number>, numExperts: number): void {
  for (let i = 0; i < indices.length; i++) {
    const e = indices[i];
    if (!(e >= 0 && e < numExperts) || e !== Math.floor(e)) {
      throw new RangeError(`${name}[${i}] must be an expert id in [0, ${numExperts}), got ${show(e)}`);
    }
  }
}

/** A positive integer `k` with k ≤ `limit`. @throws {TypeError|RangeError} naming both */
export function assertTopK(name: string, k: unknown, limit: number, limitName: string): asserts k is number {
  assertPositiveInt(name, k);
  if (k > limit) throw new RangeError(`${name} (${k}) must be ≤ ${limitName} (${limit})`);
}
