/**
 * `ep-lab bench [--filter SUBSTRING] [--out build/bench.json]`: runs every `cases` export of the
 * files in `bench/`, prints a table and writes `[{name, medianMs, minMs, runs}]` as JSON.
 * Wall-clock times on a shared machine are noisy: compare ratios from one run, not absolute numbers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { flagOpt, parseArgs, prepareOutFile, rejectPositional, rejectUnknown, stringOpt } from "./args";
import { runBenchCase, type BenchCase, type BenchResult } from "../util/bench";

const HELP = `usage: ep-lab bench [--filter SUBSTRING] [--out FILE]

Run the benchmarks in bench/*.bench.ts warm in this process, print a table (median and min wall time
in milliseconds per case, and each case's target) and write the results as JSON.
  --filter S   only cases whose name contains S (default: all)
  --out FILE   JSON output [{name, medianMs, minMs, runs}] (default build/bench.json)
Wall-clock times on a shared machine are noisy: compare ratios from one run.`;

/**
 * `ep-lab bench`: run the benchmark cases, print a table, write `[{name, medianMs, minMs, runs}]` (milliseconds) as JSON.
 * @param argv the arguments after `bench`: `[--filter S] [--out FILE] [--help]`
 * @returns the exit code: 0 (also when a case misses its target: the table says so), 0 for `--help`
 * @throws {UsageError} for an unknown option, a positional argument, an empty `--filter`/`--out` (main: exit code 2)
 * @example await run(["--filter", "eplb/", "--out", "build/bench-eplb.json"]) // 0
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["help"], ["filter", "out", "help"]);
  rejectUnknown(args, ["filter", "out", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  rejectPositional(args, "bench");
  const filter = stringOpt(args, "filter", "");
  const outArg = stringOpt(args, "out", path.join("build", "bench.json"));
  const out = prepareOutFile(outArg, "out"); // before the (long) run: a bad path fails at once
  const dir = path.resolve(__dirname, "..", "..", "bench");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).sort();
  const results: BenchResult[] = [];
  let failed = 0;
  console.log(`${"benchmark".padEnd(44)} ${"median ms".padStart(10)} ${"min ms".padStart(10)} ${"runs".padStart(5)}  target`);
  for (const f of files) {
    let mod: { cases?: BenchCase[] };
    try {
      mod = require(path.join(dir, f)) as { cases?: BenchCase[] };
    } catch (err) {
      failed++;
      console.log(`${f}: could not load: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    for (const c of mod.cases ?? []) {
      if (filter && !c.name.includes(filter)) continue;
      let r;
      try {
        r = await runBenchCase(c);
      } catch (err) {
        failed++;
        console.log(`${c.name.padEnd(44)} ERROR ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const verdict = r.targetMs === undefined ? "" : r.medianMs <= r.targetMs ? `≤ ${r.targetMs} ms PASS` : `≤ ${r.targetMs} ms MISS`;
      if (r.targetMs !== undefined && r.medianMs > r.targetMs) failed++;
      console.log(`${r.name.padEnd(44)} ${r.medianMs.toFixed(3).padStart(10)} ${r.minMs.toFixed(3).padStart(10)} ${String(r.runs).padStart(5)}  ${verdict}`);
      if (c.report) console.log((await c.report(r.ctx)).replace(/^/gm, "    "));
      results.push({ name: r.name, medianMs: r.medianMs, minMs: r.minMs, runs: r.runs });
    }
  }
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`\nwrote ${outArg} (${results.length} results${failed ? `, ${failed} failed or over target` : ""})`);
  return 0;
}
