/**
 * Class rosters: one learner account name per line.
 *
 * A roster file is plain text: one name per line; blank lines and lines starting with `#` are ignored;
 * surrounding spaces are trimmed. Every name becomes a Linux account, so names follow the portable
 * account-name rule Debian's `useradd` enforces by default: a lower-case letter or `_` first, then lower-case
 * letters, digits, `_` or `-`, at most 32 characters. The whole roster is checked before anything is
 * changed, so a bad roster changes nothing.
 */
import * as fs from "fs";
import { show } from "../util/validate";

/** Most learners one roster may list (a classroom, not a directory service). */
export const MAX_ROSTER_SIZE = 500;
/** Longest account name Linux tools accept portably (characters). */
export const MAX_NAME_LENGTH = 32;
/** The account-name rule (Debian's default `NAME_REGEX` without the trailing `$` for Samba machine accounts). */
export const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]*$/;

/**
 * Names that must never be workshop learners: system accounts every Debian machine has, and words that
 * would be confusing as accounts. (Existing accounts are refused separately at account creation.)
 */
export const RESERVED_NAMES: readonly string[] = Object.freeze([
  "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
  "backup", "list", "irc", "gnats", "nobody", "systemd-network", "systemd-resolve", "messagebus", "sshd",
  "admin", "jupyterhub", "hub", "user", "users",
]);

/** A roster that cannot be used; `problems` lists every issue found, one line each (1-based line numbers). */
export class RosterError extends RangeError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`}`);
    this.name = "RosterError";
    this.problems = Object.freeze([...problems]);
  }
}

/**
 * Why `name` is not a valid learner account name, or undefined when it is.
 * @param name a candidate account name
 * @returns a short reason, e.g. `starts with a digit`, or undefined
 * @throws never (any value is accepted)
 * @example accountNameProblem("Alice"); // "has upper-case letters (account names are lower case)"
 */
export function accountNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `is not a string (${show(name)})`;
  if (name.length === 0) return "is empty";
  if (name.length > MAX_NAME_LENGTH) return `is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`;
  if (/[A-Z]/.test(name)) return "has upper-case letters (account names are lower case)";
  if (/^[0-9-]/.test(name)) return "must start with a lower-case letter or _";
  if (/\s/.test(name)) return "contains white space";
  if (!ACCOUNT_NAME.test(name)) return "may only contain a-z, 0-9, _ and - (after a letter or _)";
  if (RESERVED_NAMES.includes(name)) return "is a reserved system name";
  return undefined;
}

/**
 * Parse and check a roster's text (pure).
 * @param text the roster: one name per line, `#` comments and blank lines ignored
 * @param source what to call the roster in errors (e.g. its file name); default "roster"
 * @returns the names in file order (at least one, at most {@link MAX_ROSTER_SIZE})
 * @throws {TypeError} when `text` or `source` is not a string; {RosterError} (a RangeError) listing every
 *   invalid name, every duplicate (with both line numbers) and an empty or oversized roster
 * @example parseRoster("# class of May\nalice\nbob\n"); // ["alice", "bob"]
 */
export function parseRoster(text: string, source = "roster"): string[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${show(text)}`);
  if (typeof source !== "string") throw new TypeError(`source must be a string, got ${show(source)}`);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const names: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const bad = accountNameProblem(line);
    if (bad) {
      problems.push(`line ${i + 1}: ${JSON.stringify(line)} ${bad}`);
      return;
    }
    const first = seen.get(line);
    if (first !== undefined) {
      problems.push(`line ${i + 1}: ${JSON.stringify(line)} is a duplicate of line ${first}`);
      return;
    }
    seen.set(line, i + 1);
    names.push(line);
  });
  if (names.length === 0 && problems.length === 0) problems.push("the roster lists no learners (one account name per line; # starts a comment)");
  if (names.length > MAX_ROSTER_SIZE) problems.push(`the roster lists ${names.length} learners; at most ${MAX_ROSTER_SIZE} fit one hub`);
  if (problems.length > 0) throw new RosterError(source, problems);
  return names;
}

/**
 * Read and check a roster file.
 * @param file path of the roster
 * @returns the names (see {@link parseRoster})
 * @throws {TypeError} for a non-string path; {RangeError} when the file cannot be read or is not a usable roster
 * @example readRoster("learners.txt"); // ["alice", "bob"]
 */
export function readRoster(file: string): string[] {
  if (typeof file !== "string" || file === "") throw new TypeError(`file must be a non-empty path string, got ${show(file)}`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new RangeError(`roster ${file} cannot be read: ${(e as Error).message}`);
  }
  return parseRoster(text, file);
}
