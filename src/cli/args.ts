/**
 * Tiny argument parser shared by the `ep-lab` subcommands: `--name value`, `--name=value`, `--flag`.
 * Errors are `UsageError`s, which `main` turns into a message and exit code 2.
 */
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

/** A numeric option (must parse as a finite number; `integer` also rejects fractions). @throws {UsageError} */
export function numberOpt(args: ParsedArgs, name: string, fallback?: number, integer = false): number {
  const v = args.options.get(name);
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  const n = v === true ? NaN : Number(v);
  if (v === true || v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  if (integer && !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

/** A boolean flag. */
export function flagOpt(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}
