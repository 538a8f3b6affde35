/**
 * `ep-lab reset [lab ...] [--dir DIR]`: restore fresh copies of labs in the learner workspace, keeping the
 * learner's copies as dated backups.
 */
import * as path from "path";
import { flagOpt, parseArgs, stringOpt } from "./args";
import { resetLab, WORKSPACE_DIR } from "../jupyter";

const HELP = `usage: ep-lab reset [lab ...] [--dir DIR]

Put a fresh copy of each lab back into your workspace (what \`npm start\` opens). Your copy is
moved to <workspace>/backups/<lab>.<date>_<time>.ipynb first, so nothing is lost.

  lab        a lab's file name or a unique start of it (e.g. lab3.1); default: every lab
  --dir DIR  the workspace folder (default: ${WORKSPACE_DIR}/ in the project)

Examples:
  npx ep-lab reset lab3.1
  npx ep-lab reset`;

/**
 * \`ep-lab reset\`: restore fresh copies of labs in the workspace.
 * @param argv the arguments after \`reset\`: \`[lab ...] [--dir DIR] [--help]\`
 * @returns 0 when restored; 0 for \`--help\`
 * @throws {UsageError} for an unknown option; {RangeError} for an unknown lab name (exit code 2)
 * @example await run(["lab3.1"]) // prints where the old copy went; 0
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["help"], ["dir", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  const dir = args.options.has("dir") ? path.resolve(stringOpt(args, "dir")) : undefined;
  const entries = resetLab(dir, args.positional.length ? { labs: args.positional } : {});
  for (const e of entries) {
    console.log(e.backup ? `Restored ${e.lab}; your copy is in ${path.relative(process.cwd(), e.backup) || e.backup}` : `Restored ${e.lab} (there was no copy to keep)`);
  }
  return 0;
}
