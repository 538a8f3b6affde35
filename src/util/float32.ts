/** float32 helpers: round-after-every-operation arithmetic to match float32 reference code bit for bit. */

/** Round a double to the nearest float32 value. */
export const f32 = Math.fround;

/** float32 sum of a and b (rounded after the add). */
export function add32(a: number, b: number): number {
  return Math.fround(Math.fround(a) + Math.fround(b));
}

/** float32 quotient a / b (rounded after the divide). */
export function div32(a: number, b: number): number {
  return Math.fround(Math.fround(a) / Math.fround(b));
}
