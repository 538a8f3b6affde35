/**
 * `ep-lab kernel install [--user | --sys-prefix | --prefix DIR]` and `ep-lab kernel doctor`.
 */
import * as path from "path";
import { flagOpt, parseArgs, rejectPositional, stringOpt, UsageError } from "./args";
import { installKernelspec, kernelDoctor } from "../jupyter";

const HELP = `usage: ep-lab kernel install [--user | --sys-prefix | --prefix DIR] [--python PATH]
       ep-lab kernel doctor

install   write the TypeScript (tslab) kernelspec, kernels/tslab/kernel.json, where a Jupyter
          outside \`npm start\` finds it. It runs this checkout's tslab on this Node.js.
  --user         your Jupyter data folder (the default): Jupyter, JupyterLab and VS Code find it
  --sys-prefix   <sys.prefix>/share/jupyter of the Python that runs \`jupyter\` (a venv, conda
                 env, or a JupyterHub's single-user environment); --python PATH picks that Python
  --prefix DIR   DIR/share/jupyter (e.g. a JupyterHub environment shared by every user)
doctor    check what this setup lacks (Node.js, tslab, the library build, Jupyter, which Python
          runs it, the installed kernelspec) and print the fix for each gap; exit code 1 when a
          check fails

Examples:
  npx ep-lab kernel install --user
  npx ep-lab kernel doctor`;

/**
 * \`ep-lab kernel\`: install the kernelspec or run the doctor.
 * @param argv the arguments after \`kernel\`: \`install [--user | --sys-prefix | --prefix DIR] [--python PATH]\`, or \`doctor\`
 * @returns 0 on success; 1 when the install fails or a doctor check fails; 0 for \`--help\`
 * @throws {UsageError} for a missing or unknown subcommand, an unknown option, or two scopes (exit code 2)
 * @example await run(["install", "--prefix", "/opt/hub"]) // prints the kernel.json path; 0
 */
export async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    console.log(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const [sub, ...rest] = argv;
  if (sub === "install") {
    const args = parseArgs(rest, ["user", "sys-prefix", "help"], ["user", "sys-prefix", "prefix", "python", "help"]);
    if (flagOpt(args, "help")) {
      console.log(HELP);
      return 0;
    }
    rejectPositional(args, "kernel install");
    const scopes = ["user", "sys-prefix", "prefix"].filter((s) => args.options.has(s));
    if (scopes.length > 1) throw new UsageError(`give one of --user, --sys-prefix, --prefix; got ${scopes.map((s) => "--" + s).join(" and ")}`);
    const python = args.options.has("python") ? stringOpt(args, "python") : undefined;
    if (python !== undefined && !flagOpt(args, "sys-prefix")) throw new UsageError("--python only goes with --sys-prefix");
    const prefix = args.options.has("prefix") ? stringOpt(args, "prefix") : undefined;
    let result;
    try {
      result = installKernelspec({
        ...(prefix !== undefined ? { prefix: path.resolve(prefix) } : {}),
        ...(flagOpt(args, "sys-prefix") ? { sysPrefix: true } : {}),
        ...(python !== undefined ? { python: path.resolve(python) } : {}),
      });
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      console.error(`ep-lab kernel install: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    console.log(`Installed the TypeScript (tslab) kernel (${result.scope}): ${result.specFile}`);
    console.log(`  argv: ${result.spec.argv.join(" ")}`);
    if (result.scope !== "user") console.log(`  Jupyter finds it when ${result.dataDir} is one of its data paths (\`jupyter --paths\`).`);
    return 0;
  }
  if (sub === "doctor") {
    const args = parseArgs(rest, ["help"], ["help"]);
    if (flagOpt(args, "help")) {
      console.log(HELP);
      return 0;
    }
    rejectPositional(args, "kernel doctor");
    const report = kernelDoctor();
    const mark = { ok: "✓", warn: "!", fail: "✗" } as const;
    for (const c of report.checks) {
      console.log(`${mark[c.status]} ${c.summary}`);
      if (c.fix) console.log(`    fix: ${c.fix}`);
    }
    console.log(report.ok ? "\nReady to run the labs." : "\nSomething above is missing: apply the fixes marked ✗, then run `ep-lab kernel doctor` again.");
    return report.ok ? 0 : 1;
  }
  throw new UsageError(`unknown kernel subcommand ${JSON.stringify(sub)}; use install or doctor`);
}
