/**
 * Small statistics shared by the library and the benchmarks.
 */
import { show } from "./validate";

/**
 * The median of a list of numbers (the mean of the two middle values for an even count); the input is not changed.
 * @param xs finite numbers, in any unit (the result has the same unit)
 * @returns the middle value of `xs` sorted ascending
 * @throws {TypeError} when `xs` is not an array; {RangeError} when it is empty or holds a value that is not a finite number
 * @example median([3, 1, 2]); // 2
 * @example median([4, 1, 3, 2]); // 2.5
 */
export function median(xs: readonly number[]): number {
  if (!Array.isArray(xs)) throw new TypeError(`xs must be an array of finite numbers, got ${show(xs)}`);
  if (xs.length === 0) throw new RangeError("xs must not be empty");
  xs.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new RangeError(`xs[${i}] must be a finite number, got ${show(x)}`);
  });
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
