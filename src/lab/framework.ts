/**
 * A small learntools-style exercise framework for the labs.
 *
 * An exercise (or quiz question) is declarative: a prompt, a checker, tiered hints and a solution.
 * `check(answer)` returns a {@link CheckResult} whose outcome is one of
 * - `"correct"`,
 * - `"incorrect"` (the message names what is wrong without giving the answer away),
 * - `"not attempted"` (the starter is untouched: `undefined`, the {@link TODO} sentinel, or a
 *   starter function that still returns `TODO` / throws {@link NotImplemented}).
 *
 * Every value returned to a notebook cell prints clearly under tslab (which shows a cell's last
 * value with Node's `util.inspect`): results, hints and solutions carry a `util.inspect.custom`
 * method and a `toString()`, and `toMarkdown()` for the display helpers (`md(result.toMarkdown())`).
 */
import * as util from "util";
import { assertFinite, show } from "../util";
import { feedbackMark } from "../notebook/marks";
import { recordOutcome } from "../workshop/record";

/** The three possible outcomes of a check. */
export type Outcome = "correct" | "incorrect" | "not attempted";

/**
 * Sentinel a learner replaces: starter code says `const answer = TODO;` or `return TODO;`.
 * Typed `any` so a starter type-checks under tslab wherever it stands.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TODO: any = (() => {
  const sentinel = { __todo__: true, toString: () => "TODO" };
  Object.defineProperty(sentinel, util.inspect.custom, { value: () => "TODO", enumerable: false });
  return Object.freeze(sentinel);
})();

/** Thrown by starter functions (`throw new NotImplemented()`); a check treats it as "not attempted". */
export class NotImplemented extends Error {
  constructor(message = "not implemented yet") {
    super(message);
    this.name = "NotImplemented";
  }
}

/**
 * True when `value` is the untouched starter: `undefined` or the {@link TODO} sentinel.
 * @param value a learner's answer (any value)
 * @returns whether the answer is still the starter
 * @throws never (any value is accepted)
 * @example isBlank(TODO); // true
 */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === TODO;
}

// Text marks, not emoji: they render where no emoji font is installed.
const ICON: Record<Outcome, string> = { correct: feedbackMark("correct"), incorrect: feedbackMark("incorrect"), "not attempted": feedbackMark("not attempted") };

/** Plain text → the same text, a printable object → its text, used by the printers below. */
function inspectable<T extends object>(obj: T, text: () => string): T {
  Object.defineProperty(obj, util.inspect.custom, { value: text, enumerable: false });
  return obj;
}

/** The outcome of one `check()`: prints as one or a few lines of text in a notebook. */
export class CheckResult {
  /** Which exercise or question this result is for (its title). */
  readonly title: string;
  readonly outcome: Outcome;
  /** One-sentence verdict. For "incorrect" it names what is wrong, never the expected answer. */
  readonly message: string;
  /** Optional supporting lines (e.g. the computed quantity the answer was compared with). */
  readonly details: readonly string[];

  constructor(title: string, outcome: Outcome, message: string, details: readonly string[] = []) {
    this.title = title;
    this.outcome = outcome;
    this.message = message;
    this.details = Object.freeze([...details]);
    inspectable(this, () => this.toString());
  }

  /** `true` only for "correct". */
  get ok(): boolean {
    return this.outcome === "correct";
  }

  toString(): string {
    const head = `${ICON[this.outcome]} ${this.title} — ${this.outcome.toUpperCase()}: ${this.message}`;
    return [head, ...this.details.map((d) => `   • ${d}`)].join("\n");
  }

  toMarkdown(): string {
    const head = `${ICON[this.outcome]} **${this.title} — ${this.outcome}**: ${this.message}`;
    return [head, ...this.details.map((d) => `- ${d}`)].join("\n");
  }
}

/** A piece of guidance (a hint or a solution) that prints as text. */
export class Guidance {
  readonly title: string;
  readonly text: string;
  /** Code that solves the exercise, when there is any (TypeScript, runnable in the notebook). */
  readonly code?: string;

  constructor(title: string, text: string, code?: string) {
    this.title = title;
    this.text = text;
    this.code = code;
    inspectable(this, () => this.toString());
  }

  toString(): string {
    return [this.title, this.text, ...(this.code ? ["", this.code] : [])].join("\n");
  }

  toMarkdown(): string {
    return [`**${this.title}**`, "", this.text, ...(this.code ? ["", "```typescript", this.code, "```"] : [])].join("\n");
  }
}

/**
 * What a checker returns: `undefined`/`true` means correct, a string (or `{message, details}`)
 * names what is wrong; the framework wraps it into a {@link CheckResult}.
 */
export type Verdict = true | undefined | string | { message: string; details?: string[]; correct?: boolean };

/** The declarative description of one exercise or quiz question. */
export interface ExerciseSpec<A> {
  /** Short stable id, e.g. "ex1" or "q3". */
  id: string;
  /** Title shown in every printed result. */
  title: string;
  /** The task, in a sentence or two (markdown allowed). */
  prompt: string;
  /** The form the answer takes, e.g. "a function (scores: number[][], k: number) => number[][]". */
  answerFormat: string;
  /**
   * Decide whether the answer is still the untouched starter. Default: {@link isBlank}. May throw
   * {@link NotImplemented}, which also counts as untouched.
   */
  isUntouched?: (answer: unknown) => boolean;
  /**
   * Check an attempted answer. Return `true`/`undefined` when correct, otherwise a message naming
   * what is wrong (never the expected value). A thrown {@link NotImplemented} means "not attempted";
   * any other thrown error is reported as "incorrect" with the error's message.
   */
  check: (answer: A) => Verdict;
  /** Hints from gentle to explicit; `hint()` gives the next one, `hint(n)` the n-th (1-based). */
  hints: readonly string[];
  /** The worked solution: explanation, code when useful, and the answer value for tests. */
  solution: { text: string; code?: string; answer: () => A };
}

/**
 * One exercise or quiz question: `check(answer)`, `hint(level?)`, `solution()`.
 * @example
 * const ex = new Exercise<number>({ id: "demo", title: "Demo", prompt: "2+2?", answerFormat: "a number",
 *   check: (a) => (a === 4 ? true : "not the sum of 2 and 2"), hints: ["add"], solution: { text: "4", answer: () => 4 } });
 * ex.check(undefined).outcome; // "not attempted"
 * ex.check(5).outcome;         // "incorrect"
 * ex.check(4).outcome;         // "correct"
 */
export class Exercise<A = unknown> {
  readonly spec: ExerciseSpec<A>;
  private nextHint = 0;

  constructor(spec: ExerciseSpec<A>) {
    if (!spec.id || !spec.title) throw new TypeError(`an exercise needs an id and a title, got ${JSON.stringify(spec.id)}`);
    if (spec.hints.length === 0) throw new RangeError(`exercise ${spec.id} must have at least one hint`);
    this.spec = spec;
    inspectable(this, () => this.toString());
  }

  get id(): string {
    return this.spec.id;
  }

  get title(): string {
    return this.spec.title;
  }

  /**
   * Check an answer.
   * @param answer the learner's answer, in the form `answerFormat` describes
   * @returns a printable {@link CheckResult}; never throws for a bad answer
   *
   * The outcome is also appended to the learner's progress record when `EP_LAB_PROGRESS_FILE` names one
   * (src/workshop/record.ts; a workshop's progress board reads it).
   */
  check(answer: A): CheckResult {
    const result = this.evaluate(answer);
    recordOutcome(this.spec.id, result.outcome);
    return result;
  }

  private evaluate(answer: A): CheckResult {
    const title = this.spec.title;
    const untouched = this.spec.isUntouched ?? isBlank;
    try {
      if (untouched(answer)) return notAttempted(title);
    } catch (e) {
      if (e instanceof NotImplemented) return notAttempted(title);
      return new CheckResult(title, "incorrect", `your answer could not be evaluated: ${errorText(e)}`);
    }
    let verdict: Verdict;
    try {
      verdict = this.spec.check(answer);
    } catch (e) {
      if (e instanceof NotImplemented) return notAttempted(title);
      return new CheckResult(title, "incorrect", `your answer raised an error: ${errorText(e)}`);
    }
    if (verdict === true || verdict === undefined) return new CheckResult(title, "correct", "well done.");
    if (typeof verdict === "string") return new CheckResult(title, "incorrect", verdict);
    if (verdict.correct) return new CheckResult(title, "correct", verdict.message, verdict.details);
    return new CheckResult(title, "incorrect", verdict.message, verdict.details);
  }

  /**
   * A hint. Without `level`, each call gives the next, more explicit hint (staying on the last).
   * @param level 1-based hint level, 1 … hints.length
   * @throws {RangeError} when level is not an integer in range
   */
  hint(level?: number): Guidance {
    const n = this.spec.hints.length;
    let index: number;
    if (level === undefined) {
      index = Math.min(this.nextHint, n - 1);
      this.nextHint = index + 1;
    } else {
      if (typeof level !== "number" || !Number.isInteger(level) || level < 1 || level > n) {
        throw new RangeError(`level must be an integer in 1…${n}, got ${String(level)}`);
      }
      index = level - 1;
    }
    return new Guidance(`Hint ${index + 1}/${n} — ${this.spec.title}`, this.spec.hints[index]);
  }

  /** The worked solution (explanation and, where useful, code). */
  solution(): Guidance {
    return new Guidance(`Solution — ${this.spec.title}`, this.spec.solution.text, this.spec.solution.code);
  }

  /** The solution's answer value (what `check` accepts as correct); used by tests and instructors. */
  solutionAnswer(): A {
    return this.spec.solution.answer();
  }

  toString(): string {
    return [`▸ ${this.spec.title}`, this.spec.prompt, `Answer format: ${this.spec.answerFormat}`].join("\n");
  }

  toMarkdown(): string {
    return [`**${this.spec.title}**`, "", this.spec.prompt, "", `*Answer format:* ${this.spec.answerFormat}`].join("\n");
  }
}

function notAttempted(title: string): CheckResult {
  return new CheckResult(title, "not attempted", "replace the TODO with your answer, then run the check again.");
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Helpers for writing checkers. */

/**
 * Relative difference |a−b| / |b| (∞ when b = 0 and a ≠ 0).
 * @param actual the value to judge (finite, same unit as `expected`)
 * @param expected the reference value (finite)
 * @returns the relative difference, ≥ 0 (a fraction: 0.05 = 5%)
 * @throws {TypeError|RangeError} naming `actual` or `expected` when not a finite number
 * @example relativeError(105, 100); // 0.05
 */
export function relativeError(actual: number, expected: number): number {
  assertFinite("actual", actual);
  assertFinite("expected", expected);
  if (actual === expected) return 0;
  if (expected === 0) return Infinity;
  return Math.abs(actual - expected) / Math.abs(expected);
}

/**
 * Checks that `value` is a finite number; returns a message naming `what` otherwise.
 * @param what description of the value for the message, e.g. "the EP size"
 * @param value the learner's answer (any value)
 * @returns undefined when `value` is a finite number, else a message for the learner
 * @throws {TypeError} when `what` is not a string
 * @example expectNumber("the EP size", "32"); // "the EP size should be a number, got string"
 */
export function expectNumber(what: string, value: unknown): string | undefined {
  if (typeof what !== "string") throw new TypeError(`what must be a string, got ${show(what)}`);
  if (typeof value !== "number") return `${what} should be a number, got ${typeof value}`;
  if (!Number.isFinite(value)) return `${what} should be a finite number, got ${String(value)}`;
  return undefined;
}

/**
 * Normalises a multiple-choice answer ("a", " B ", "c)") to an upper-case letter, or undefined.
 * @param value the learner's answer (any value; non-strings give undefined)
 * @returns the letter, or undefined when the answer is not a single choice letter
 * @throws never (any value is accepted; the checker reports unusable answers)
 * @example choiceLetter(" c) "); // "C"
 */
export function choiceLetter(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\s*\(?([A-Za-z])\)?[.)]?\s*$/.exec(value);
  return m ? m[1].toUpperCase() : undefined;
}

/**
 * Normalises yes/no answers: true/false, "yes"/"no", "y"/"n", "true"/"false" (any case, trimmed).
 * @param value the learner's answer (any value; others give undefined)
 * @returns true, false, or undefined when the answer is neither
 * @throws never (any value is accepted; the checker reports unusable answers)
 * @example yesNo(" Yes "); // true
 */
export function yesNo(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const v = value.trim().toLowerCase();
  if (v === "yes" || v === "true" || v === "y") return true;
  if (v === "no" || v === "false" || v === "n") return false;
  return undefined;
}

/**
 * A group of questions or exercises addressable by id, printing a one-line-per-item overview.
 * @param items exercises by id (a non-empty object whose values are {@link Exercise}s); it gets a printer
 *   (`toString`, `util.inspect`) as non-enumerable properties
 * @returns the same object
 * @throws {TypeError} when `items` is not an object or a value is not an Exercise; {RangeError} when empty
 * @example String(exercises).split("\n")[0]; // "• ex1: Exercise 1 · Top-k routing" (exercises = collection({ ex1, ex2, ex3, ex4 }))
 */
export function collection<T extends Record<string, Exercise<any>>>(items: T): T {
  if (items === null || typeof items !== "object" || Array.isArray(items)) throw new TypeError(`items must be an object of exercises by id, got ${show(items)}`);
  const keys = Object.keys(items);
  if (keys.length === 0) throw new RangeError("items must not be empty");
  for (const key of keys) if (!(items[key] instanceof Exercise)) throw new TypeError(`items.${key} must be an Exercise, got ${show(items[key])}`);
  const list = () => Object.values(items).map((e) => `• ${e.id}: ${e.title}`).join("\n");
  Object.defineProperty(items, util.inspect.custom, { value: list, enumerable: false });
  Object.defineProperty(items, "toString", { value: list, enumerable: false });
  return items;
}
