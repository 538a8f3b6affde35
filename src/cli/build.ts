/**
 * `ep-lab build [--watch | --check]` (`npm run build`, `npm run build:watch`): compile the library in src/ into
 * dist/ (JavaScript + .d.ts), which the notebooks import as `./ep-lab/<module>`.
 */
import { flagOpt, parseArgs, rejectPositional } from "./args";
import { buildLibrary, libraryBuildStatus, watchLibrary } from "../jupyter/build";

const HELP = `usage: ep-lab build [--watch | --check]

Compile the library in src/ into dist/ (JavaScript and .d.ts type declarations). The notebooks
import this build (\`import { route } from "./ep-lab/routing"\`), so after you edit src/, rebuild
and restart the notebook's kernel. \`npm ci\`, \`npm start\` and \`npm run labs\` build it when needed.

  --watch   rebuild on every change in src/ until Ctrl-C (npm run build:watch)
  --check   build nothing; exit 0 when dist/ is current, 1 when it is missing or stale

Example:
  npm run build`;

/**
 * `ep-lab build`: compile src/ into dist/, or watch, or check freshness.
 * @param argv the arguments after `build`: `[--watch | --check] [--help]`
 * @returns 0 when built (or current with `--check`), 1 when the compile failed (or stale with `--check`)
 * @throws {UsageError} for an unknown option, a positional argument, or both `--watch` and `--check` (exit code 2)
 * @example await run([]) // prints "Built dist/ in 9.8 s"; 0
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["watch", "check", "help"], ["watch", "check", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  rejectPositional(args, "build");
  if (flagOpt(args, "watch") && flagOpt(args, "check")) throw new RangeError("--watch and --check exclude each other; give one");
  if (flagOpt(args, "check")) {
    const s = libraryBuildStatus();
    (s.stale ? console.error : console.log)(s.message);
    return s.stale ? 1 : 0;
  }
  if (flagOpt(args, "watch")) {
    const w = watchLibrary();
    let stopped = false;
    const stop = () => {
      stopped = true;
      w.stop();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const code = await w.done;
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    return stopped ? 0 : code; // 0 after Ctrl-C; the compiler's code when it ended on its own
  }
  try {
    const r = buildLibrary(undefined, { output: "pipe" });
    console.log(`Built dist/ in ${(r.durationMs / 1000).toFixed(1)} s (notebooks import it as ./ep-lab/<module>).`);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}
