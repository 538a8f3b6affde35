/**
 * The fuzz registry: every public library function the standing fuzz suite (test/fuzz/fuzz.test.ts) calls with
 * generated bad values. Each entry gives a valid call (`args`, a fresh argument list each time) and, per
 * parameter, what kind of value it takes; the suite replaces one argument (or one option) at a time by a bad value
 * of that kind and expects a RangeError/TypeError whose message names the parameter.
 *
 * Other branches extend it: `register({ module: "plan", name: "planDeployment", fn, args, params })` in a file
 * `test/fuzz/targets-<module>.ts`, imported by the suite. A known gap (a function that does not yet reject some
 * bad value) is declared with `gaps`, so the suite keeps running and reports it until it is fixed.
 */
import fc from "fast-check";

/** What a parameter takes; decides which bad values are generated for it. */
export type ParamKind =
  | "posInt" // integer ≥ 1
  | "nonNegInt" // integer ≥ 0
  | "posNum" // finite > 0
  | "nonNegNum" // finite ≥ 0
  | "finite" // any finite number
  | "unit" // finite in [0, 1]
  | "options" // a plain options object: non-objects and unknown keys are refused
  | "object" // an object (e.g. an earlier result): non-objects are refused
  | "array" // an array (or typed array)
  | "string"; // a string (an enum or a name)

/** One parameter: its name as error messages should say it, and its kind. */
export interface FuzzParam {
  name: string;
  kind: ParamKind;
  /** For an argument inside an options object: the option key it replaces (`args()[index][key]`). */
  key?: string;
  /** Position of the argument (default: the parameter's position in `params`). */
  index?: number;
}

export interface FuzzTarget {
  module: "routing" | "eplb" | "cost" | "tensor" | "plan";
  name: string;
  fn: (...args: any[]) => unknown;
  /** A valid argument list (fresh objects on each call). */
  args: () => unknown[];
  params: FuzzParam[];
  /** When the valid call itself is expected to throw (e.g. it needs a loaded backend), the message it throws. */
  validCallThrows?: RegExp;
  /** Known gaps: parameter names whose bad values are not (yet) all refused, with why. */
  gaps?: Record<string, string>;
}

export const FUZZ_TARGETS: FuzzTarget[] = [];

/** Add targets to the registry (names must be unique per module). */
export function register(...targets: FuzzTarget[]): void {
  for (const t of targets) {
    if (FUZZ_TARGETS.some((o) => o.module === t.module && o.name === t.name)) throw new Error(`fuzz target ${t.module}.${t.name} registered twice`);
    FUZZ_TARGETS.push(t);
  }
}

/** Values of the wrong type for any number parameter. */
const wrongTypeForNumber = fc.constantFrom<unknown>(null, "3", "", {}, [], [3], true, () => 3, new Date(0));
const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);

/**
 * Bad values for a kind. Bounded: nothing huge enough to make a function allocate or loop for long if it failed
 * to check (absurd sizes are covered by the CLI limits and by the named cases below).
 * @param kind the parameter's kind
 * @returns an arbitrary of values the parameter must refuse
 */
export function badValues(kind: ParamKind): fc.Arbitrary<unknown> {
  switch (kind) {
    case "posInt":
      return fc.oneof(wrongTypeForNumber, nonFinite, fc.constantFrom(0, -0, -1, 1.5, 2 ** 53 + 2), fc.integer({ min: -1e6, max: 0 }), fc.double({ min: 0.01, max: 1e3, noNaN: true }).filter((x) => !Number.isInteger(x)));
    case "nonNegInt":
      return fc.oneof(wrongTypeForNumber, nonFinite, fc.constantFrom(-1, 0.5, 2 ** 53 + 2), fc.integer({ min: -1e6, max: -1 }), fc.double({ min: 0.01, max: 1e3, noNaN: true }).filter((x) => !Number.isInteger(x)));
    case "posNum":
      return fc.oneof(wrongTypeForNumber, nonFinite, fc.constantFrom(0, -0, -1), fc.double({ min: -1e6, max: -1e-9, noNaN: true }));
    case "nonNegNum":
      return fc.oneof(wrongTypeForNumber, nonFinite, fc.double({ min: -1e6, max: -1e-9, noNaN: true }));
    case "finite":
      return fc.oneof(wrongTypeForNumber, nonFinite);
    case "unit":
      return fc.oneof(wrongTypeForNumber, nonFinite, fc.double({ min: 1.0001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -1e-9, noNaN: true }));
    case "options":
      return fc.constantFrom<unknown>(null, 3, "options", true, () => ({}));
    case "object":
      return fc.constantFrom<unknown>(null, 3, "object", true);
    case "array":
      return fc.constantFrom<unknown>(null, 3, "1,2", {}, true);
    case "string":
      return fc.constantFrom<unknown>(null, 3, {}, [], true);
  }
}

/** Option keys that no options object has (misspellings and prototype names). */
export const unknownKeys: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
  fc.stringMatching(/^[a-z][a-zA-Z]{3,12}$/).map((k) => k + "X"),
);
