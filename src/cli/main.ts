/**
 * `ep-lab` command line: thin parsing over the library and the runner.
 * Each subcommand lives in its own module exporting `run(argv): Promise<number>` (the exit code).
 * Usage errors and bad numbers exit with code 2 and a message naming the problem.
 */
import { UsageError } from "./args";
import * as startCmd from "./start";
import * as labsCmd from "./labs";
import * as benchCmd from "./bench";
import * as figuresCmd from "./figures";
import * as routeCmd from "./route";
import * as eplbCmd from "./eplb";
import * as costCmd from "./cost";
import * as planCmd from "./plan";

type Runner = (argv: string[]) => Promise<number>;

// Subcommands are imported statically: a lazy `require` of a .ts file works under tsx (bin/ep-lab.js) but not
// under vitest, and tsx's ESM hook cannot be registered programmatically on Node 20. None of them does work
// at import time, so loading all of them costs little.

const COMMANDS: Record<string, { summary: string; run: Runner }> = {
  start: { summary: "start Jupyter on notebooks/ with the project-local tslab kernel", run: startCmd.run },
  labs: { summary: "execute every notebook headless; write build/labs/*.ipynb and *.html", run: labsCmd.run },
  bench: { summary: "run the benchmarks in bench/; print a table and write build/bench.json", run: benchCmd.run },
  figures: { summary: "regenerate the lab figures in images/", run: figuresCmd.run },
  route: { summary: "generate a routing workload and print expert loads (JSON)", run: routeCmd.run },
  eplb: { summary: "run DeepSeek-style EPLB on a weights file (JSON)", run: eplbCmd.run },
  cost: { summary: "Wide-EP cost model: decode | alltoall | sweep (JSON)", run: costCmd.run },
  plan: { summary: "plan a wide-EP deployment into engine files; lint | dry-run them", run: planCmd.run },
};

export function usage(): string {
  const lines = ["usage: ep-lab <command> [options]", "", "commands:"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${c.summary}`);
  lines.push("", "Run `ep-lab <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(usage());
    return cmd ? 0 : 2;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    console.error(`ep-lab: unknown command ${JSON.stringify(cmd)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await entry.run(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError || err instanceof TypeError) {
      console.error(`ep-lab ${cmd}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
