/**
 * Tiny argument parser shared by the `ep-lab` subcommands: `--name value`, `--name=value`, `--flag`.
 * Errors are `UsageError`s, which `main` turns into a message and exit code 2.
 */
import * as fs from "fs";
import * as path from "path";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedArgs {
  /** Options by name without the leading dashes; flags map to `true`. */
  options: Map<string, string | true>;
  /** Arguments that are not options, in order. */
  positional: string[];
}

/**
 * Parse argv. `flags` lists the options that take no value.
 * @param argv the arguments after the subcommand name
 * @param flags names (without dashes) of the options that take no value
 * @param known when given, every option name the command accepts (flags included): any other is rejected as unknown
 *   as soon as it is seen, so a trailing `--bogus` reads "unknown option --bogus", not "--bogus needs a value"
 * @returns the options by name and the positional arguments
 * @throws {TypeError} when `argv` is not an array of strings;
 *   {UsageError} for an unknown option (with `known`), an option given twice, a value-taking option without a value,
 *   or a flag given a value (`--check=no`)
 * @example parseArgs(["--ep", "32", "--overlap", "x"], ["overlap"]) // options {ep: "32", overlap: true}, positional ["x"]
 */
export function parseArgs(argv: readonly string[], flags: readonly string[] = [], known?: readonly string[]): ParsedArgs {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== "string")) {
    throw new TypeError(`argv must be an array of strings, got ${Array.isArray(argv) ? JSON.stringify(argv) : String(argv)}`);
  }
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    let name = a.slice(2);
    let value: string | true;
    const eq = name.indexOf("=");
    if (known) rejectUnknown({ options: new Map([[eq >= 0 ? name.slice(0, eq) : name, true]]), positional: [] }, known);
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
      if (flags.includes(name)) throw new UsageError(`--${name} takes no value, got ${JSON.stringify(value)}`);
    } else if (flags.includes(name)) {
      value = true;
    } else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    if (options.has(name)) throw new UsageError(`--${name} given twice`);
    options.set(name, value);
  }
  return { options, positional };
}

/** Reject options not in `known`. @throws {UsageError} naming the unknown option and listing the known ones */
export function rejectUnknown(args: ParsedArgs, known: readonly string[]): void {
  for (const k of args.options.keys()) {
    if (!known.includes(k)) throw new UsageError(`unknown option --${k}; known: ${known.map((n) => "--" + n).join(", ")}`);
  }
}

/**
 * A string option.
 * @returns the value, or `fallback` when the option is absent
 * @throws {UsageError} when required and missing, or given as an empty string (`--out=`)
 */
export function stringOpt(args: ParsedArgs, name: string, fallback?: string): string {
  const v = args.options.get(name);
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  if (v === true) throw new UsageError(`--${name} needs a value`);
  if (v === "") throw new UsageError(`--${name} must not be empty, got ""`);
  return v;
}

/**
 * Refuse positional arguments for a subcommand that takes none (they would otherwise be ignored silently).
 * @throws {UsageError} naming the first one
 */
export function rejectPositional(args: ParsedArgs, command: string): void {
  if (args.positional.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0])}; see ep-lab ${command} --help`);
  }
}

/**
 * A numeric option, parsed strictly: a decimal number (`1.5`, `2e-3`); with `integer`, decimal digits only. Hex
 * (`0x10`), padding (`"  16  "`), `Infinity` and empty values are rejected instead of being read by `Number()`.
 * @returns the value, or `fallback` when the option is absent
 * @throws {UsageError} naming the flag and the value
 */
export function numberOpt(args: ParsedArgs, name: string, fallback?: number, integer = false): number {
  const v = args.options.get(name);
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  if (v === true) throw new UsageError(`--${name} must be a number, got no value`);
  if (integer) {
    if (DECIMAL_NUMBER.test(v) && !DECIMAL_INTEGER.test(v) && Number.isFinite(Number(v)) && !Number.isInteger(Number(v))) {
      throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(v)}`);
    }
    if (!DECIMAL_INTEGER.test(v)) {
      throw new UsageError(`--${name} must be a decimal integer, got ${JSON.stringify(v)}`);
    }
  } else if (!DECIMAL_NUMBER.test(v) || !Number.isFinite(Number(v))) {
    throw new UsageError(`--${name} must be a decimal number, got ${JSON.stringify(v)}`);
  }
  const n = Number(v);
  if (integer && !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer below 2^53, got ${JSON.stringify(v)}`);
  return Object.is(n, -0) ? 0 : n;
}

/** A boolean flag. */
export function flagOpt(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

const DECIMAL_INTEGER = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Bounds of {@link intOpt} / {@link numOpt}: both inclusive. */
export interface Bounds {
  min: number;
  max: number;
  /** Words after the maximum in the message, e.g. "(the largest model has 384)". */
  why?: string;
}

function raw(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/**
 * A strictly parsed decimal integer option within bounds: `16`, `-3`, `1e3`; not `0x10`, `" 16 "`, `16.5`, `""`.
 * The bounds are checked on the text's value before anything is allocated from it.
 * @returns the value, or `fallback` when the option is absent
 * @throws {UsageError} naming the flag and the value for a missing required option, a malformed integer, or one
 *   outside `[min, max]` ("must be ≥ 1", "must be at most 65536 …")
 * @example intOpt(parseArgs(["--experts", "256"]), "experts", 256, { min: 1, max: 65536 }) // 256
 */
export function intOpt(args: ParsedArgs, name: string, fallback: number | undefined, bounds: Bounds): number {
  const v = raw(args, name);
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  // Decimal notation only (1e3 is 1000; 0x10, padding and 16.0-style fractions that are not whole are refused).
  if (!DECIMAL_INTEGER.test(v)) {
    const fraction = DECIMAL_NUMBER.test(v) && Number.isFinite(Number(v));
    throw new UsageError(`--${name} must be ${fraction ? "an integer" : "a decimal integer"}, got ${JSON.stringify(v)}`);
  }
  return inBounds(name, Number(v), v, bounds);
}

/**
 * A strictly parsed decimal number option within bounds: `1.1`, `.5`, `2e-3`; not `0x10`, `" 1 "`, `Infinity`, `""`.
 * @returns the value, or `fallback` when the option is absent
 * @throws {UsageError} naming the flag and the value for a missing required option, a malformed number or one
 *   outside `[min, max]`
 * @example numOpt(parseArgs(["--zipf-s", "1.1"]), "zipf-s", 1.1, { min: 0, max: 100 }) // 1.1
 */
export function numOpt(args: ParsedArgs, name: string, fallback: number | undefined, bounds: Bounds): number {
  const v = raw(args, name);
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  if (!DECIMAL_NUMBER.test(v) || !Number.isFinite(Number(v))) throw new UsageError(`--${name} must be a decimal number, got ${JSON.stringify(v)}`);
  return inBounds(name, Number(v), v, bounds);
}

function inBounds(name: string, n: number, text: string, { min, max, why }: Bounds): number {
  if (n < min) throw new UsageError(`--${name} must be ≥ ${min}, got ${text}`);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}${why ? " " + why : ""}, got ${text}`);
  return Object.is(n, -0) ? 0 : n;
}

/** A filesystem error as one line: "EISDIR: is a directory: /x". */
export function fsMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === "string") {
    const text = String(e.message ?? "").replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
    return `${e.code}: ${text}${e.path ? `: ${e.path}` : ""}`;
  }
  return String((err as Error)?.message ?? err);
}

/**
 * Make sure `dir` is a directory that can be written, creating missing folders one level at a time (never
 * `mkdir -p`, which loops for ever under /proc). Checked before any long work starts.
 * @param dir the directory (relative to the current directory or absolute)
 * @param flag the option it came from, for messages (e.g. "out")
 * @returns the absolute path
 * @throws {UsageError} one line naming the flag and the path: an existing file in the way, a folder that cannot
 *   be created or written
 * @example prepareOutDir("build/labs", "out") // "/p/build/labs"
 */
export function prepareOutDir(dir: string, flag: string): string {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`--${flag} ${dir}: ${fsMessage(e)}`);
    }
    if (st) {
      if (!st.isDirectory()) {
        throw new UsageError(cur === abs ? `--${flag} ${dir} is a file, not a directory` : `--${flag} ${dir}: ${cur} is a file, not a directory`);
      }
      break;
    }
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const m of missing) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      throw new UsageError(`--${flag} ${dir}: cannot create ${m}: ${fsMessage(e)}`);
    }
  }
  try {
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`--${flag} ${dir}: not writable: ${fsMessage(e)}`);
  }
  return abs;
}

/**
 * Make sure `file` can be written: its folder exists or can be created ({@link prepareOutDir}) and the path is
 * not a directory. Checked before any long work starts.
 * @param file the output file path
 * @param flag the option it came from, for messages
 * @returns the absolute path
 * @throws {UsageError} one line naming the flag and the path
 * @example prepareOutFile("build/bench.json", "out") // "/p/build/bench.json"
 */
export function prepareOutFile(file: string, flag: string): string {
  const abs = path.resolve(file);
  if (file.endsWith("/") || file.endsWith(path.sep)) throw new UsageError(`--${flag} ${file} names a directory; give a file name`);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(abs);
  } catch {
    st = null;
  }
  if (st?.isDirectory()) throw new UsageError(`--${flag} ${file} is a directory; give a file name`);
  prepareOutDir(path.dirname(abs), flag);
  return abs;
}
