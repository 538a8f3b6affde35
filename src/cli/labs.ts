/**
 * `ep-lab labs [notebooks...] [--timeout-ms N] [--out DIR]`: execute notebooks headless through the tslab kernel,
 * print one line per code cell and a summary, write `<out>/<name>.ipynb` and `<out>/<name>.html`.
 * Default: every `notebooks/*.ipynb`, per-cell timeout 120000 ms, out `build/labs`. Exit code 1 when any notebook
 * failed, 2 for usage errors.
 */
import * as fs from "fs";
import * as path from "path";
import { fsMessage, intOpt, parseArgs, prepareOutDir, rejectUnknown, stringOpt, UsageError } from "./args";
import { CLI_LIMITS } from "./limits";
import { ensureLibraryBuilt } from "../jupyter/build";
import { CellReport, DEFAULT_CELL_TIMEOUT_MS, killAllKernels, NotebookRunResult, runNotebook } from "../runner";

const HELP = `usage: ep-lab labs [notebook.ipynb ...] [--timeout-ms N] [--out DIR]

Execute notebooks through the tslab kernel (no Python needed) and write the executed
.ipynb and a self-contained .html per notebook. Source notebooks are never modified.

  notebook.ipynb   notebooks to run (default: every notebooks/*.ipynb)
  --timeout-ms N   per-cell timeout in milliseconds, 1 … ${CLI_LIMITS.labs["timeout-ms"].max} (default ${DEFAULT_CELL_TIMEOUT_MS});
                   the kernel is killed on expiry
  --out DIR        output folder (default build/labs); notebooks must have distinct file names

Ctrl-C stops the kernel and still writes what ran so far. A notebook that cannot be read is reported and
the others still run.`;

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
 * @returns the exit code: 0 when every notebook ran, 1 when any failed or could not be read (the others still
 *   run), 130/143 after SIGINT/SIGTERM (outputs so far written), 0 for `--help`
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
  const timeoutMs = intOpt(args, "timeout-ms", DEFAULT_CELL_TIMEOUT_MS, CLI_LIMITS.labs["timeout-ms"]);
  const outArg = stringOpt(args, "out", path.join("build", "labs"));
  const notebooks = args.positional.length ? args.positional : defaultNotebooks();
  if (notebooks.length === 0) throw new UsageError("no notebooks given and none found in notebooks/");
  const byName = new Map<string, string>();
  for (const nb of notebooks) {
    if (!nb.endsWith(".ipynb")) throw new UsageError(`not a notebook (.ipynb): ${nb}`);
    let st: fs.Stats;
    try {
      st = fs.statSync(nb);
    } catch (e) {
      throw new UsageError((e as NodeJS.ErrnoException).code === "ENOENT" ? `notebook not found: ${nb}` : `cannot read ${nb}: ${fsMessage(e)}`);
    }
    if (st.isDirectory()) throw new UsageError(`${nb} is a directory, not a notebook file`);
    // Outputs are named after the file: two notebooks with one name would overwrite each other's results.
    const name = path.basename(nb, ".ipynb");
    const other = byName.get(name);
    if (other !== undefined) {
      throw new UsageError(
        path.resolve(other) === path.resolve(nb)
          ? `${nb} is given twice`
          : `${other} and ${nb} have the same name and would both be written to ${name}.ipynb/.html; run them with different --out folders`,
      );
    }
    byName.set(name, nb);
  }
  // Checked before any notebook runs (a run can take minutes).
  const outDir = prepareOutDir(outArg, "out");

  // The notebooks import the build in dist/: make sure it is current (rebuilds after an edit in src/).
  try {
    ensureLibraryBuilt(undefined, { log: (l) => console.log(l) });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }

  // On Ctrl-C/SIGTERM: stop the kernel, let the current run write what it executed, then summarize and exit.
  // A second signal exits at once (the kernels are killed on exit).
  const abort = new AbortController();
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      killAllKernels();
      process.exit(sig === "SIGINT" ? 130 : 143);
    }
    signalled = sig;
    console.log(`\n${sig}: stopping the kernel; writing the outputs executed so far…`);
    abort.abort(sig);
    killAllKernels();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const results: NotebookRunResult[] = [];
  const unreadable: { path: string; message: string }[] = [];
  try {
    for (const nb of notebooks) {
      if (signalled) break;
      console.log(`▶ ${nb}`);
      let result: NotebookRunResult;
      try {
        result = await runNotebook(nb, {
          timeoutMs,
          outDir,
          signal: abort.signal,
          onCell: (c: CellReport) => {
            const status = c.status.toUpperCase().padEnd(7);
            console.log(`  [${String(c.codeNumber).padStart(2)}] ${status}${fmtSeconds(c.durationMs)}  cell ${c.index + 1}: ${c.firstLine}`);
          },
        });
      } catch (e) {
        // A malformed notebook or an output that cannot be written: report it and go on with the others.
        const message = e instanceof TypeError || e instanceof RangeError ? e.message : fsMessage(e);
        unreadable.push({ path: nb, message });
        console.log(`  ✗ ${message}`);
        continue;
      }
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
  const total = results.length + unreadable.length;
  const notRun = notebooks.length - total;
  const failures = [
    ...failed.map((r) => `${r.path} (${r.failure?.reason} in ${r.failure && r.failure.cellIndex >= 0 ? "cell " + (r.failure.cellIndex + 1) : "start-up"})`),
    ...unreadable.map((u) => `${u.path} (not run: ${u.message})`),
  ];
  console.log(
    `\n${results.length - failed.length}/${total} notebooks passed` +
      (failures.length ? `; failed: ${failures.join(", ")}` : "") +
      (notRun > 0 ? `; ${notRun} not started (interrupted)` : "") +
      `; output in ${shown(outDir)}`,
  );
  if (signalled) return signalled === "SIGINT" ? 130 : 143;
  return failures.length ? 1 : 0;
}
