/**
 * `ep-lab` command line: thin parsing over the library and the runner.
 * Each subcommand lives in its own module exporting `run(argv): Promise<number>` (the exit code).
 * Usage errors and bad numbers exit with code 2 and a message naming the problem.
 */
import { UsageError } from "./args";

type Runner = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Runner }> = {
  start: { summary: "start Jupyter on notebooks/ with the project-local tslab kernel", load: () => require("./start").run },
  labs: { summary: "execute every notebook headless; write build/labs/*.ipynb and *.html", load: () => require("./labs").run },
  bench: { summary: "run the benchmarks in bench/; print a table and write build/bench.json", load: () => require("./bench").run },
  figures: { summary: "regenerate the lab figures in images/", load: () => require("./figures").run },
  route: { summary: "generate a routing workload and print expert loads (JSON)", load: () => require("./route").run },
  eplb: { summary: "run DeepSeek-style EPLB on a weights file (JSON)", load: () => require("./eplb").run },
  cost: { summary: "Wide-EP cost model: decode | alltoall | sweep (JSON)", load: () => require("./cost").run },
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
    return await entry.load()(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError || err instanceof TypeError) {
      console.error(`ep-lab ${cmd}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
