/**
 * `ep-lab figures [--out DIR] [--check]`: regenerate the lab's images (`images/*.svg`) from the
 * library (src/viz/svg/labImages: EPLB placements from src/eplb, numbers from src/cost).
 * `--check` writes nothing and exits 1 when a file is missing or differs (stale).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { flagOpt, parseArgs, prepareOutDir, rejectPositional, rejectUnknown, stringOpt } from "./args";
import { labImages } from "../viz/svg";

const HELP = `usage: ep-lab figures [--out DIR] [--check]

Regenerates every image of the lab as SVG.
  --out DIR   output directory (default: images/ at the repository root)
  --check     do not write; exit 1 if any image is missing or out of date`;

/**
 * `ep-lab figures`: write every lab image (SVG) to `--out`, or with `--check` only compare them.
 * @param argv the arguments after `figures`: `[--out DIR] [--check] [--help]`
 * @returns the exit code: 0, or 1 with `--check` when an image is missing or stale
 * @throws {UsageError} for an unknown option, a positional argument or an empty `--out` (main: exit code 2)
 * @example await run(["--check"]) // 0 when images/ is up to date
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["check", "help"], ["out", "check", "help"]);
  rejectUnknown(args, ["out", "check", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  rejectPositional(args, "figures");
  const out = path.resolve(stringOpt(args, "out", path.resolve(__dirname, "..", "..", "images")));
  const check = flagOpt(args, "check");
  const images = labImages();
  let stale = 0;
  if (!check) prepareOutDir(out, "out"); // one folder level at a time: a bad path fails at once, never hangs
  for (const { file, svg } of images) {
    const target = path.join(out, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : null;
    if (check) {
      if (current !== svg) {
        stale++;
        console.log(`${current === null ? "missing" : "stale  "} ${target}`);
      } else console.log(`ok      ${target}`);
      continue;
    }
    if (current === svg) console.log(`same    ${target}`);
    else {
      fs.writeFileSync(target, svg);
      console.log(`wrote   ${target} (${(svg.length / 1024).toFixed(1)} KiB)`);
    }
  }
  if (check && stale > 0) {
    console.error(`${stale} image(s) out of date: run \`npm run figures\``);
    return 1;
  }
  return 0;
}
