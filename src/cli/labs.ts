/**
 * `ep-lab labs [notebooks...] [--timeout-ms N] [--out DIR]`: execute notebooks headless through the tslab kernel,
 * print one line per code cell and a summary, write `<out>/<name>.ipynb` and `<out>/<name>.html`.
 * Default: every `notebooks/*.ipynb`, per-cell timeout 120000 ms, out `build/labs`. Exit code 1 when any notebook
 * failed, 2 for usage errors.
 */
import * as fs from "fs";
import * as path from "path";
import { numberOpt, parseArgs, rejectUnknown, stringOpt, UsageError } from "./args";
import { ensureLibraryBuilt } from "../jupyter/build";
import { CellReport, DEFAULT_CELL_TIMEOUT_MS, killAllKernels, NotebookRunResult, runNotebook } from "../runner";

const HELP = `usage: ep-lab labs [notebook.ipynb ...] [--timeout-ms N] [--out DIR]

Execute notebooks through the tslab kernel (no Python needed) and write the executed
.ipynb and a self-contained .html per notebook. Source notebooks are never modified.

  notebook.ipynb   notebooks to run (default: every notebooks/*.ipynb)
  --timeout-ms N   per-cell timeout in milliseconds (default ${DEFAULT_CELL_TIMEOUT_MS}); the kernel is killed on expiry
  --out DIR        output folder (default build/labs)`;

/** A path for display: relative to the current directory when inside it, else absolute. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

function fmtSeconds(ms: number): string {
  return (ms / 1000).toFixed(2).padStart(7) + " s";
}

/**
 * List the default notebooks: `notebooks/*.ipynb` (hidden files excluded, as the shell glob does), sorted.
 * @param root folder holding `notebooks/` (default: the current directory)
 * @returns paths `notebooks/<name>.ipynb` relative to `root`; `[]` when there is no `notebooks/` folder
 * @throws {TypeError} when `root` is not a non-empty string
 * @example defaultNotebooks() // ["notebooks/00-setup-check.ipynb", "notebooks/lab3.1-expert-parallelism-foundations.ipynb"]
 */
export function defaultNotebooks(root = process.cwd()): string[] {
  if (typeof root !== "string" || root === "") throw new TypeError(`root must be a non-empty path string, got ${JSON.stringify(root)}`);
  const dir = path.join(root, "notebooks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith(".")) // like the shell glob: hidden files are not labs
    .sort()
    .map((f) => path.join("notebooks", f));
}

/**
 * `ep-lab labs`: execute notebooks headless through the tslab kernel and write `<out>/<name>.ipynb` and `.html`.
 * @param argv the arguments after `labs`: `[notebook.ipynb ...] [--timeout-ms N] [--out DIR] [--help]`;
 *   `--timeout-ms` is the per-cell timeout in milliseconds (positive integer, default 120000)
 * @returns the exit code: 0 when every notebook ran, 1 when any failed, 0 for `--help`
 * @throws {UsageError} for an unknown option, a bad `--timeout-ms`, an empty `--out`, a path that is not an
 *   existing `.ipynb` (main: exit code 2)
 * @example await run(["notebooks/00-setup-check.ipynb", "--timeout-ms", "60000", "--out", "build/labs"]) // 0
 */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const args = parseArgs(argv, [], ["timeout-ms", "out"]);
  rejectUnknown(args, ["timeout-ms", "out"]);
  const timeoutMs = numberOpt(args, "timeout-ms", DEFAULT_CELL_TIMEOUT_MS, true);
  if (timeoutMs <= 0) throw new UsageError(`--timeout-ms must be positive, got ${timeoutMs}`);
  const outDir = path.resolve(stringOpt(args, "out", path.join("build", "labs")));
  const notebooks = args.positional.length ? args.positional : defaultNotebooks();
  if (notebooks.length === 0) throw new UsageError("no notebooks given and none found in notebooks/");
  for (const nb of notebooks) {
    if (!nb.endsWith(".ipynb")) throw new UsageError(`not a notebook (.ipynb): ${nb}`);
    if (!fs.existsSync(nb)) throw new UsageError(`notebook not found: ${nb}`);
  }

  // The notebooks import the build in dist/: make sure it is current (rebuilds after an edit in src/).
  try {
    ensureLibraryBuilt(undefined, { log: (l) => console.log(l) });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }

  // The kernel runs in its own process group, so Ctrl-C would not reach it: kill it ourselves.
  const onSignal = (sig: NodeJS.Signals) => {
    killAllKernels();
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const results: NotebookRunResult[] = [];
  try {
    for (const nb of notebooks) {
      console.log(`▶ ${nb}`);
      const result = await runNotebook(nb, {
        timeoutMs,
        outDir,
        onCell: (c: CellReport) => {
          const status = c.status.toUpperCase().padEnd(7);
          console.log(`  [${String(c.codeNumber).padStart(2)}] ${status}${fmtSeconds(c.durationMs)}  cell ${c.index + 1}: ${c.firstLine}`);
        },
      });
      results.push(result);
      if (result.failure) {
        console.log(`  ✗ ${result.failure.message}`);
        if (result.failure.detail.trim()) console.log(result.failure.detail.trim().split("\n").map((l) => "    │ " + l).join("\n"));
      }
      console.log(`  ${result.ok ? "✓" : "✗"} ${fmtSeconds(result.durationMs).trim()} → ${shown(result.htmlPath ?? "")}`);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const failed = results.filter((r) => !r.ok);
  console.log(
    `\n${results.length - failed.length}/${results.length} notebooks passed` +
      (failed.length ? `; failed: ${failed.map((r) => `${r.path} (${r.failure?.reason} in ${r.failure && r.failure.cellIndex >= 0 ? "cell " + (r.failure.cellIndex + 1) : "start-up"})`).join(", ")}` : "") +
      `; output in ${shown(outDir)}`,
  );
  return failed.length ? 1 : 0;
}
