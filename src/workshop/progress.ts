/**
 * The progress board: learner × exercise, from each learner's own progress record (see record.ts).
 * `ep-lab workshop progress` prints it; `--html` writes a page with the same table and per-exercise counts.
 */
import * as fs from "fs";
import * as path from "path";
import { exercises } from "../lab/exercises";
import { quiz } from "../lab/quiz";
import { show } from "../util/validate";
import { OUTCOMES, readProgress, type ProgressEntry, type RecordedOutcome } from "./record";

/** One column of the board. */
export interface BoardExercise {
  id: string;
  title: string;
}

/** One learner's latest outcome per exercise. */
export interface BoardRow {
  learner: string;
  /** Latest check per exercise id (exercises never checked are absent). */
  latest: Record<string, { outcome: RecordedOutcome; time: string }>;
  /** When the learner last ran any check (ISO), or undefined. */
  lastActivity?: string;
  /** Record lines that could not be read. */
  skipped: number;
}

/** The whole board. */
export interface Board {
  exercises: BoardExercise[];
  rows: BoardRow[];
  /** Per exercise id: how many learners are at each outcome, and how many never checked it. */
  counts: Record<string, Record<RecordedOutcome | "no check", number>>;
  generatedAt: string;
}

/**
 * The Lab 3.1 exercises and quiz questions, in lab order (the board's columns). Never throws.
 * @returns ids and titles
 * @example labExercises()[0].id; // "ex1"
 */
export function labExercises(): BoardExercise[] {
  return [...Object.values(exercises), ...Object.values(quiz)].map((e) => ({ id: e.id, title: e.title }));
}

/**
 * Where a learner's record lives in a workshop (learner-start.sh sets the same path).
 * @param home the learner's home folder (absolute)
 * @returns `<home>/ep-lab/.ep-lab/progress.jsonl`
 * @throws {TypeError} for a relative path
 * @example learnerRecordFile("/home/alice"); // "/home/alice/ep-lab/.ep-lab/progress.jsonl"
 */
export function learnerRecordFile(home: string): string {
  if (typeof home !== "string" || !path.isAbsolute(home)) throw new TypeError(`home must be an absolute path, got ${show(home)}`);
  return path.join(home, "ep-lab", ".ep-lab", "progress.jsonl");
}

/**
 * Fold records into a board (pure).
 * @param records per learner: name and entries (from `readProgress`), in the order the board lists learners
 * @param columns the exercises to show (default: Lab 3.1's); entries for other ids are ignored
 * @param now the board's time stamp
 * @returns the board
 * @throws {TypeError} for malformed records; {RangeError} for a repeated learner or no columns
 * @example buildBoard([{ learner: "alice", entries: [{ exercise: "ex1", outcome: "correct", time: "2026-05-04T10:00:00Z" }] }]).rows[0].latest.ex1.outcome; // "correct"
 */
export function buildBoard(
  records: readonly { learner: string; entries: readonly ProgressEntry[]; skipped?: number }[],
  columns: readonly BoardExercise[] = labExercises(),
  now: Date = new Date(),
): Board {
  if (!Array.isArray(records)) throw new TypeError(`records must be an array, got ${show(records)}`);
  if (!Array.isArray(columns) || columns.length === 0) throw new RangeError("columns must list at least one exercise");
  const ids = new Set(columns.map((c) => c.id));
  const seen = new Set<string>();
  const rows: BoardRow[] = records.map((r, i) => {
    if (typeof r !== "object" || r === null || typeof r.learner !== "string" || !Array.isArray(r.entries)) throw new TypeError(`records[${i}] must be { learner, entries }, got ${show(r)}`);
    if (seen.has(r.learner)) throw new RangeError(`learner ${JSON.stringify(r.learner)} appears twice`);
    seen.add(r.learner);
    const latest: BoardRow["latest"] = {};
    let lastActivity: string | undefined;
    for (const e of r.entries) {
      if (!lastActivity || Date.parse(e.time) >= Date.parse(lastActivity)) lastActivity = e.time;
      if (!ids.has(e.exercise)) continue;
      const prev = latest[e.exercise];
      if (!prev || Date.parse(e.time) >= Date.parse(prev.time)) latest[e.exercise] = { outcome: e.outcome, time: e.time };
    }
    return { learner: r.learner, latest, lastActivity, skipped: r.skipped ?? 0 };
  });
  const counts: Board["counts"] = {};
  for (const c of columns) {
    const k = { correct: 0, incorrect: 0, "not attempted": 0, "no check": 0 };
    for (const row of rows) k[row.latest[c.id]?.outcome ?? "no check"]++;
    counts[c.id] = k;
  }
  return { exercises: [...columns], rows, counts, generatedAt: now.toISOString() };
}

/**
 * Read every learner's record and build the board.
 * @param learners name and record file of each learner
 * @returns the board
 * @throws {Error} when a record exists but cannot be read
 * @example boardFromFiles([{ learner: "alice", file: "/home/alice/ep-lab/.ep-lab/progress.jsonl" }]);
 */
export function boardFromFiles(learners: readonly { learner: string; file: string }[]): Board {
  return buildBoard(learners.map((l) => ({ learner: l.learner, ...readProgress(l.file) })));
}

const SYMBOL: Record<RecordedOutcome | "no check", string> = { correct: "✓", incorrect: "✗", "not attempted": "·", "no check": " " };

/**
 * The board as a text table: one row per learner, one column per exercise (✓ correct, ✗ incorrect,
 * · not attempted, blank: never checked), then a row of correct counts.
 * @param board from {@link buildBoard}
 * @returns the table, lines joined by "\n"
 * @throws {TypeError} when board is not a board
 * @example console.log(boardText(board));
 */
export function boardText(board: Board): string {
  if (typeof board !== "object" || board === null || !Array.isArray(board.rows)) throw new TypeError(`board must be a Board, got ${show(board)}`);
  const w = Math.max(7, ...board.rows.map((r) => r.learner.length));
  const colW = board.exercises.map((e) => Math.max(e.id.length, 3));
  const head = "learner".padEnd(w) + "  " + board.exercises.map((e, i) => e.id.padEnd(colW[i])).join(" ") + "  last check (UTC)";
  const lines = [head, "-".repeat(head.length)];
  for (const r of board.rows) {
    const cells = board.exercises.map((e, i) => SYMBOL[r.latest[e.id]?.outcome ?? "no check"].padEnd(colW[i])).join(" ");
    lines.push(r.learner.padEnd(w) + "  " + cells + "  " + (r.lastActivity ? r.lastActivity.slice(0, 19).replace("T", " ") : "—"));
  }
  lines.push("-".repeat(head.length));
  lines.push("correct".padEnd(w) + "  " + board.exercises.map((e, i) => String(board.counts[e.id].correct).padEnd(colW[i])).join(" ") + `  of ${board.rows.length}`);
  lines.push("", "✓ correct   ✗ incorrect   · not attempted   (blank) never checked");
  lines.push(...board.exercises.map((e) => `${e.id}: ${e.title}`));
  return lines.join("\n");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * The board as a self-contained HTML page (no scripts, no external resources): the learner × exercise table
 * and a table of per-exercise counts.
 * @param board from {@link buildBoard}
 * @param title the page title (default "Workshop progress")
 * @returns the HTML document
 * @throws {TypeError} when board is not a board or title not a string
 * @example fs.writeFileSync("progress.html", boardHtml(board));
 */
export function boardHtml(board: Board, title = "Workshop progress"): string {
  if (typeof board !== "object" || board === null || !Array.isArray(board.rows)) throw new TypeError(`board must be a Board, got ${show(board)}`);
  if (typeof title !== "string") throw new TypeError(`title must be a string, got ${show(title)}`);
  const cls: Record<RecordedOutcome | "no check", string> = { correct: "ok", incorrect: "bad", "not attempted": "na", "no check": "none" };
  const headCells = board.exercises.map((e) => `<th title="${esc(e.title)}">${esc(e.id)}</th>`).join("");
  const body = board.rows
    .map((r) => {
      const cells = board.exercises
        .map((e) => {
          const l = r.latest[e.id];
          const o = l?.outcome ?? "no check";
          return `<td class="${cls[o]}" data-exercise="${esc(e.id)}" data-outcome="${esc(o)}" title="${esc(l ? `${o} at ${l.time}` : "never checked")}">${SYMBOL[o]}</td>`;
        })
        .join("");
      return `<tr data-learner="${esc(r.learner)}"><th>${esc(r.learner)}</th>${cells}<td>${esc(r.lastActivity ?? "—")}</td></tr>`;
    })
    .join("\n");
  const countRows = board.exercises
    .map((e) => {
      const c = board.counts[e.id];
      return `<tr data-exercise="${esc(e.id)}"><th>${esc(e.id)}</th><td>${esc(e.title)}</td>${[...OUTCOMES, "no check" as const].map((o) => `<td data-outcome="${esc(o)}">${c[o]}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:center}
td.ok{background:#d9f2d9}td.bad{background:#f7d4d4}td.na{background:#f2f2f2}td.none{background:#fff}</style></head>
<body><h1>${esc(title)}</h1><p>Generated ${esc(board.generatedAt)} · ${board.rows.length} learner(s) · latest check per exercise: ✓ correct, ✗ incorrect, · not attempted, blank never checked.</p>
<table id="board"><thead><tr><th>learner</th>${headCells}<th>last check (UTC)</th></tr></thead><tbody>
${body}
</tbody></table>
<h2>Per exercise</h2>
<table id="counts"><thead><tr><th>id</th><th>exercise</th><th>correct</th><th>incorrect</th><th>not attempted</th><th>never checked</th></tr></thead><tbody>
${countRows}
</tbody></table></body></html>
`;
}

/**
 * Write the HTML board to a file (creating its folder).
 * @param board the board
 * @param file destination path
 * @returns the absolute path written
 * @throws {TypeError} for an empty path
 * @example writeBoardHtml(board, "build/progress.html");
 */
export function writeBoardHtml(board: Board, file: string): string {
  if (typeof file !== "string" || file === "") throw new TypeError(`file must be a non-empty path, got ${show(file)}`);
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, boardHtml(board));
  return abs;
}
