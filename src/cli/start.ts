/**
 * `ep-lab start` (`npm start`): open the learner workspace (fresh copies of the labs) in the user's Jupyter with the project-local
 * TypeScript (tslab) kernel. JupyterLab if installed, else Jupyter Notebook; bound to 127.0.0.1
 * with a random token; Jupyter's state lives in `.jupyter-local/` (nothing written to the home dir).
 * Stops the server (and its kernels) on Ctrl-C.
 */
import { flagOpt, numberOpt, parseArgs, rejectUnknown, UsageError } from "./args";
import { ensureLibraryBuilt } from "../jupyter/build";
import { isPortFree, JupyterMissingError, seedWorkspace, startJupyter, type RunningJupyter } from "../jupyter";

const HELP = `usage: ep-lab start [--port N] [--no-browser]

Start Jupyter on your workspace (workspace/, not tracked by git) with the TypeScript (tslab)
kernel registered project-locally. The first time, the workspace gets fresh copies of the labs;
later your saved work is kept. \`ep-lab reset [lab]\` restores a fresh copy (yours is backed up).
  --port N        port on 127.0.0.1 (default 8888, or any free port when 8888 is taken; 0 = any free port)
  --no-browser    do not open a browser; just print the URL (with its token)
Stop with Ctrl-C.

Example:
  npm start -- --port 8899 --no-browser`;

/**
 * `ep-lab start` (`npm start`): start Jupyter on notebooks/ with the project-local tslab kernel and wait for Ctrl-C.
 * @param argv the arguments after `start`: `[--port N] [--no-browser] [--help]`; `--port` is a TCP port on
 *   127.0.0.1, an integer in 0..65535 (0 = any free port; default 8888, or a free port when 8888 is taken)
 * @returns the exit code once the server stopped: 0 after Ctrl-C, 1 when Jupyter is missing or fails, 2 for a
 *   positional argument, 0 for `--help`
 * @throws {UsageError|RangeError} for an unknown option or a bad `--port` (main: exit code 2)
 * @example await run(["--port", "8899", "--no-browser"]) // prints the URL with its token; 0 after Ctrl-C
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["no-browser", "help"], ["port", "no-browser", "help"]);
  if (flagOpt(args, "help")) {
    console.log(HELP);
    return 0;
  }
  rejectUnknown(args, ["port", "no-browser", "help"]);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0])}`);
  let port = numberOpt(args, "port", 8888, true);
  if (port < 0 || port > 65535) throw new RangeError(`--port must be in 0..65535, got ${port}`);
  if (!args.options.has("port") && !(await isPortFree(port))) {
    console.log(`Port ${port} is taken (another Jupyter?); using a free port instead.`);
    port = 0;
  }

  try {
    ensureLibraryBuilt(undefined, { log: (l) => console.log(l) });
  } catch (err) {
    console.error(`ep-lab start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }

  const ws = seedWorkspace();
  if (ws.copied.length) console.log(`Workspace ${ws.dir}: fresh copies of ${ws.copied.join(", ")}.`);
  else console.log(`Workspace ${ws.dir}: your saved labs (\`npx ep-lab reset <lab>\` restores a fresh copy).`);

  let jup: RunningJupyter;
  try {
    jup = await startJupyter({ port, notebookDir: ws.dir, openBrowser: !flagOpt(args, "no-browser"), output: "inherit" });
  } catch (err) {
    if (err instanceof JupyterMissingError) {
      console.error(err.message);
      return 1;
    }
    console.error(`ep-lab start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const notebookUrl = jup.notebookUrl("00-setup-check.ipynb");
  console.log(
    [
      "",
      `Jupyter ${jup.install.kind === "lab" ? "Lab" : "Notebook"} ${jup.install.version} is running with the TypeScript (tslab) kernel:`,
      `  ${jup.url}`,
      `Start with the setup check: ${notebookUrl}`,
      "Press Ctrl-C to stop the server and its kernels.",
      "",
    ].join("\n"),
  );
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      console.log("\nStopping Jupyter…");
      jup.stop().then(() => {
        clearInterval(watch);
        resolve(0);
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("SIGHUP", onSignal);
    // Under `npm start`, a signal to npm alone may end npm (and its shell) without reaching us: we are then
    // re-parented, and stop as if signalled. (SIGKILL to this process is covered by the watchdog that startJupyter
    // arranges: Jupyter and its kernels die with us.)
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) onSignal();
    }, 500);
    jup.process.on("exit", (code) => {
      clearInterval(watch);
      if (!stopping) resolve(code === 0 ? 0 : 1);
    });
  });
}
