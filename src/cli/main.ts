/**
 * `ep-lab` command line: thin parsing over the library and the runner.
 * Each subcommand lives in its own module exporting `run(argv): Promise<number>` (the exit code).
 * Usage errors and bad numbers exit with code 2 and a message naming the problem.
 */
import { fsMessage, UsageError } from "./args";
import { nearestName } from "../util/validate";
import * as startCmd from "./start";
import * as labsCmd from "./labs";
import * as benchCmd from "./bench";
import * as figuresCmd from "./figures";
import * as routeCmd from "./route";
import * as eplbCmd from "./eplb";
import * as costCmd from "./cost";
import * as buildCmd from "./build";
import * as kernelCmd from "./kernel";
import * as resetCmd from "./reset";
import * as workshopCmd from "./workshop";
import * as planCmd from "./plan";

type Runner = (argv: string[]) => Promise<number>;

// Subcommands are imported statically: a lazy `require` of a .ts file works under tsx (bin/ep-lab.js) but not
// under vitest, and tsx's ESM hook cannot be registered programmatically on Node 20. None of them does work
// at import time, so loading all of them costs little.

const COMMANDS: Record<string, { summary: string; run: Runner }> = {
  start: { summary: "start Jupyter on your workspace (fresh copies of the labs) with the tslab kernel", run: startCmd.run },
  labs: { summary: "execute every notebook headless; write build/labs/*.ipynb and *.html", run: labsCmd.run },
  bench: { summary: "run the benchmarks in bench/; print a table and write build/bench.json", run: benchCmd.run },
  figures: { summary: "regenerate the lab figures in images/", run: figuresCmd.run },
  route: { summary: "generate a routing workload and print expert loads (JSON)", run: routeCmd.run },
  eplb: { summary: "run DeepSeek-style EPLB on a weights file (JSON)", run: eplbCmd.run },
  build: { summary: "compile src/ into dist/, the build the notebooks import (--watch, --check)", run: buildCmd.run },
  kernel: { summary: "install the tslab kernelspec for any Jupyter (install), or check a setup (doctor)", run: kernelCmd.run },
  reset: { summary: "restore fresh copies of labs in your workspace, keeping yours as dated backups", run: resetCmd.run },
  cost: { summary: "Wide-EP cost model: decode | alltoall | sweep (JSON)", run: costCmd.run },
  workshop: { summary: "instructor-led class on JupyterHub: init | start | stop | progress | render | load", run: workshopCmd.run },
  plan: { summary: "plan a wide-EP deployment into engine files; lint | dry-run them", run: planCmd.run },
};

/**
 * The version of ep-lab, from package.json. Never throws.
 * @returns e.g. "0.1.0"
 * @example version() // "0.1.0"
 */
export function version(): string {
  return String(require("../../package.json").version);
}

/** The one line after a usage error. */
const HINT = (cmd: string): string => (cmd ? `Run \`ep-lab ${cmd} --help\` for its options.` : "Run `ep-lab --help` for the commands.");

export function usage(): string {
  const lines = ["usage: ep-lab <command> [options]", "       ep-lab --version", "", "commands:"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${c.summary}`);
  lines.push("", "Run `ep-lab <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === "--version" || cmd === "-V") {
    console.log(version());
    return 0;
  }
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(usage());
    return cmd ? 0 : 2;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    const near = nearestName(cmd, Object.keys(COMMANDS));
    console.error(`ep-lab: unknown command ${JSON.stringify(cmd)}${near ? `; did you mean ${near}?` : ""}\n${HINT("")}`);
    return 2;
  }
  try {
    return await entry.run(rest);
  } catch (err) {
    // Usage errors, bad values and filesystem errors: the message and a one-line hint, never a stack or the usage.
    if (err instanceof UsageError || err instanceof RangeError || err instanceof TypeError) {
      console.error(`ep-lab ${cmd}: ${err.message}\n${HINT(cmd)}`);
      return 2;
    }
    if (typeof (err as NodeJS.ErrnoException)?.code === "string" && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!)) {
      console.error(`ep-lab ${cmd}: ${fsMessage(err)}`);
      return 2;
    }
    throw err;
  }
}
