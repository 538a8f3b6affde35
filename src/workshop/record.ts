/**
 * The learner's progress record: every exercise or quiz `check()` appends one line
 * `{"exercise": "ex1", "outcome": "correct", "time": "2026-05-04T10:15:00.000Z"}` (JSON Lines) to the file
 * named by the environment variable {@link PROGRESS_ENV}. In a workshop, the learner's server sets it to
 * `<workspace>/.ep-lab/progress.jsonl` (learner-start.sh), so the record lives in the learner's own,
 * private workspace; outside a hub a learner can set it to keep their own record. Unset: nothing is written.
 *
 * This file has no dependencies beyond Node's `fs`, so the exercise framework can call it cheaply.
 */
import * as fs from "fs";
import * as path from "path";

/** The environment variable naming the record file. */
export const PROGRESS_ENV = "EP_LAB_PROGRESS_FILE";

/** The outcomes a check can have (same strings as the exercise framework). */
export const OUTCOMES = ["correct", "incorrect", "not attempted"] as const;
export type RecordedOutcome = (typeof OUTCOMES)[number];

/** One line of the record. */
export interface ProgressEntry {
  /** Exercise or question id, e.g. "ex1", "q3". */
  exercise: string;
  outcome: RecordedOutcome;
  /** When the check ran (ISO 8601, UTC). */
  time: string;
}

let warned = false;

/**
 * Append one check outcome to the learner's record, when {@link PROGRESS_ENV} names a file. A failure to
 * write never breaks the learner's check: it prints one warning (once per kernel) and carries on.
 * @param exercise exercise id (non-empty string)
 * @param outcome the check's outcome
 * @param env environment to read the file name from (default `process.env`)
 * @param now the time of the check (default: now)
 * @returns the entry written, or undefined when recording is off or failed
 * @throws {TypeError|RangeError} for an empty id or an unknown outcome (a programming error, not a learner's)
 * @example recordOutcome("ex1", "correct", { EP_LAB_PROGRESS_FILE: "/tmp/p.jsonl" });
 */
export function recordOutcome(exercise: string, outcome: RecordedOutcome, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): ProgressEntry | undefined {
  if (typeof exercise !== "string" || exercise === "") throw new TypeError(`exercise must be a non-empty id string, got ${JSON.stringify(exercise)}`);
  if (!OUTCOMES.includes(outcome)) throw new RangeError(`outcome must be one of ${OUTCOMES.join(", ")}, got ${JSON.stringify(outcome)}`);
  const file = env[PROGRESS_ENV];
  if (!file) return undefined;
  const entry: ProgressEntry = { exercise, outcome, time: now.toISOString() };
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(file, JSON.stringify(entry) + "\n", { mode: 0o600 });
    return entry;
  } catch (e) {
    if (!warned) {
      warned = true;
      console.warn(`(your progress could not be saved to ${file}: ${(e as Error).message})`);
    }
    return undefined;
  }
}

/**
 * Read a progress record (JSON Lines). Lines that are not valid entries are skipped and counted.
 * @param file the record file
 * @returns the entries in file order and the number of skipped lines; no entries when the file does not exist
 * @throws {TypeError} for a non-string path; {Error} when the file exists but cannot be read
 * @example readProgress("/home/alice/ep-lab/.ep-lab/progress.jsonl").entries.length;
 */
export function readProgress(file: string): { entries: ProgressEntry[]; skipped: number } {
  if (typeof file !== "string" || file === "") throw new TypeError(`file must be a non-empty path string, got ${JSON.stringify(file)}`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], skipped: 0 };
    throw new Error(`cannot read progress record ${file}: ${(e as Error).message}`);
  }
  const entries: ProgressEntry[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const e = JSON.parse(line) as ProgressEntry;
      if (typeof e.exercise === "string" && e.exercise !== "" && OUTCOMES.includes(e.outcome) && typeof e.time === "string" && !Number.isNaN(Date.parse(e.time))) {
        entries.push({ exercise: e.exercise, outcome: e.outcome, time: e.time });
      } else skipped++;
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}
