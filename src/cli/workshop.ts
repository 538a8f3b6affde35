/**
 * `ep-lab workshop <init|start|stop|status|progress|render|remove|cull|load>`: an instructor-led class on
 * Debian's JupyterHub (src/workshop). Run by the instructor, as root for anything that touches accounts or
 * the hub.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { flagOpt, numberOpt, parseArgs, rejectPositional, stringOpt, UsageError, type ParsedArgs } from "./args";
import * as labsCmd from "./labs";
import { projectRoot } from "../jupyter/kernelspec";
import { lookupAccount } from "../workshop/accounts";
import { readState, workshopPaths, type WorkshopPaths } from "../workshop/config";
import { runCuller } from "../workshop/cull";
import { hubUrl, initWorkshop, removeWorkshop, startHub, stopHub, workshopProcesses } from "../workshop/hub";
import { parseMemorySize, writeWorkshopKernelspec } from "../workshop/kernel-adapter";
import { boardFromFiles, boardText, learnerRecordFile, writeBoardHtml } from "../workshop/progress";
import { PROGRESS_ENV } from "../workshop/record";
import { LoadTestAborted, reportText, runLoadTest } from "../workshop/load";

const HELP = `usage: ep-lab workshop <command> [options]

An instructor-led class on Debian's JupyterHub (apt-get install jupyterhub): one Linux account per learner,
each learner's Jupyter server and kernels running as that learner, a progress board.

  init --roster FILE [--instructor NAME] [--idle-timeout S] [--mem-limit SIZE]
        create one account per roster name (one per line) plus the instructor (the hub's only admin),
        with generated passwords in <state>/private/credentials.txt (mode 0600). Needs root.
        --idle-timeout: stop a learner's server after S seconds without activity (default 3600)
        --mem-limit: memory limit of each learner kernel, e.g. 2G (default 2G; enforced as RLIMIT_DATA)
  start [--roster FILE] [--ip 127.0.0.1] [--port 8000] [--ssl-cert PEM --ssl-key PEM]
        start the hub in the background (with --roster, run init first). Needs root.
  stop  stop the hub, the proxy, every learner server and kernel (checked by PID)
  status   print whether the hub runs, its URL and its processes
  progress [--html FILE] [--file RECORD]
        the class table, learner × exercise (latest check); --html also writes a page with counts.
        --file RECORD (or ${PROGRESS_ENV} set, outside a workshop): one learner's own record
  render [--out DIR]   pre-render every lab to .ipynb + .html (default <state>/public/rendered)
  remove   after the class: stop, delete the workshop's accounts, their homes and the state folder
  kernelspec --prefix DIR [--mem-limit SIZE]   write the workshop kernelspec into DIR/share/jupyter
        (what init does for the local hub, and what the Zero to JupyterHub image runs)
  cull --idle-timeout S --every S   the idle culler (run by the hub as a managed service)
  load [--learners N] ...   load test (see ep-lab workshop load --help)

Every command takes --state DIR (default <kit>/.workshop).`;

function statePaths(args: ParsedArgs): WorkshopPaths {
  return workshopPaths(path.resolve(stringOpt(args, "state", path.join(projectRoot(), ".workshop"))));
}

function known(args: ParsedArgs, names: string[]): void {
  for (const k of args.options.keys()) if (!names.includes(k)) throw new UsageError(`unknown option --${k}; known: ${names.map((n) => "--" + n).join(", ")}`);
}

function runInit(args: ParsedArgs, paths: WorkshopPaths): void {
  const idle = numberOpt(args, "idle-timeout", 3600, true);
  const mem = args.options.has("mem-limit") ? parseMemorySize(stringOpt(args, "mem-limit")) : undefined;
  const r = initWorkshop({
    roster: path.resolve(stringOpt(args, "roster")),
    instructor: stringOpt(args, "instructor", "instructor"),
    stateDir: paths.root,
    idleTimeoutSeconds: idle,
    memoryLimitBytes: mem,
  });
  console.log(`workshop configured in ${r.paths.root}: ${r.state.learners.length} learner(s), instructor ${r.state.instructor}`);
  if (r.created.length) console.log(`  created accounts: ${r.created.join(", ")}`);
  if (r.reused.length) console.log(`  kept existing workshop accounts: ${r.reused.join(", ")}`);
  console.log(`  credentials (root only, mode 0600): ${r.paths.credentialsFile}`);
  console.log(`  idle servers stop after ${r.state.idleTimeoutSeconds} s; each kernel may use ${(r.state.memoryLimitBytes / 1024 ** 3).toFixed(2)} GiB`);
}

/**
 * `ep-lab workshop …`.
 * @param argv arguments after `workshop`
 * @returns exit code (0 ok, 1 failure, 2 usage)
 * @throws {UsageError} for bad usage (main: exit code 2)
 * @example await run(["status"]);
 */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h" || rest.includes("--help")) {
    if (sub === "load") return runLoadCli(["--help"]);
    console.log(HELP);
    return sub ? 0 : 2;
  }
  try {
    return await runSub(sub, rest);
  } catch (e) {
    // Failures of the machine (not root, no JupyterHub, a port taken, a tool failing): a message, exit code 1.
    if (e instanceof Error && !(e instanceof UsageError) && !(e instanceof RangeError) && !(e instanceof TypeError)) {
      console.error(`ep-lab workshop ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function runSub(sub: string, rest: string[]): Promise<number> {
  if (sub === "load") return runLoadCli(rest);
  const args = parseArgs(rest, ["json"]);
  const paths = statePaths(args);
  switch (sub) {
    case "init": {
      known(args, ["state", "roster", "instructor", "idle-timeout", "mem-limit"]);
      rejectPositional(args, "workshop init");
      runInit(args, paths);
      return 0;
    }
    case "start": {
      known(args, ["state", "roster", "instructor", "idle-timeout", "mem-limit", "ip", "port", "ssl-cert", "ssl-key"]);
      rejectPositional(args, "workshop start");
      if (args.options.has("roster")) runInit(args, paths);
      const hub = await startHub({
        stateDir: paths.root,
        ip: stringOpt(args, "ip", "127.0.0.1"),
        port: numberOpt(args, "port", 8000, true),
        sslCert: args.options.has("ssl-cert") ? path.resolve(stringOpt(args, "ssl-cert")) : undefined,
        sslKey: args.options.has("ssl-key") ? path.resolve(stringOpt(args, "ssl-key")) : undefined,
      });
      console.log(`JupyterHub runs at ${hub.url} (PID ${hub.pid}) for ${hub.state.learners.length} learner(s); admin: ${hub.state.instructor}`);
      console.log(`  hand out ${paths.credentialsFile}, one line per learner; log: ${paths.logFile}`);
      console.log("  progress board: ep-lab workshop progress [--html FILE]; stop: ep-lab workshop stop");
      return 0;
    }
    case "stop": {
      known(args, ["state"]);
      rejectPositional(args, "workshop stop");
      const r = await stopHub({ stateDir: paths.root });
      console.log(`stopped ${r.ended.length} process(es)`);
      if (r.remaining.length) {
        console.error(`still running: ${r.remaining.map((p) => `${p.pid} (${p.role})`).join(", ")}`);
        return 1;
      }
      return 0;
    }
    case "status": {
      known(args, ["state", "json"]);
      rejectPositional(args, "workshop status");
      const url = hubUrl(paths);
      const procs = workshopProcesses(paths);
      if (flagOpt(args, "json")) console.log(JSON.stringify({ running: !!url, url: url ?? null, processes: procs }, null, 2));
      else {
        console.log(url ? `hub running at ${url}` : "hub not running");
        for (const p of procs) console.log(`  ${String(p.pid).padStart(7)}  ${p.role.padEnd(22)} ${p.command.slice(0, 100)}`);
      }
      return 0;
    }
    case "progress": {
      known(args, ["state", "html", "file"]);
      rejectPositional(args, "workshop progress");
      let learners: { learner: string; file: string }[];
      if (args.options.has("file")) learners = [{ learner: os.userInfo().username, file: path.resolve(stringOpt(args, "file")) }];
      else if (fs.existsSync(paths.stateFile)) {
        const state = readState(paths);
        learners = state.learners.map((name) => {
          const acct = lookupAccount(name);
          return { learner: name, file: learnerRecordFile(acct ? acct.home : path.join("/home", name)) };
        });
      } else if (process.env[PROGRESS_ENV]) learners = [{ learner: os.userInfo().username, file: path.resolve(process.env[PROGRESS_ENV] as string) }];
      else throw new UsageError(`no workshop in ${paths.root} and no --file: give --file RECORD (your own record, the file ${PROGRESS_ENV} names)`);
      const board = boardFromFiles(learners);
      console.log(boardText(board));
      if (args.options.has("html")) console.log(`\nwrote ${writeBoardHtml(board, stringOpt(args, "html"))}`);
      return 0;
    }
    case "render": {
      known(args, ["state", "out"]);
      rejectPositional(args, "workshop render");
      const out = path.resolve(stringOpt(args, "out", path.join(paths.publicDir, "rendered")));
      const kit = projectRoot();
      const notebooks = fs.readdirSync(path.join(kit, "notebooks")).filter((f) => f.endsWith(".ipynb") && !f.startsWith(".")).sort().map((f) => path.join(kit, "notebooks", f));
      const code = await labsCmd.run([...notebooks, "--out", out]);
      if (code === 0) {
        fs.chmodSync(out, 0o755);
        for (const f of fs.readdirSync(out)) fs.chmodSync(path.join(out, f), 0o644);
        console.log(`rendered labs for learners who fall behind: ${out} (readable by every account)`);
      }
      return code;
    }
    case "remove": {
      known(args, ["state"]);
      rejectPositional(args, "workshop remove");
      const removed = await removeWorkshop({ stateDir: paths.root });
      console.log(`removed ${removed.length} account(s) (${removed.join(", ") || "none"}) and ${paths.root}`);
      return 0;
    }
    case "kernelspec": {
      known(args, ["state", "prefix", "mem-limit"]);
      rejectPositional(args, "workshop kernelspec");
      const prefix = path.resolve(stringOpt(args, "prefix"));
      const mem = parseMemorySize(stringOpt(args, "mem-limit", "2G"));
      const w = writeWorkshopKernelspec(prefix, mem);
      console.log(`wrote ${w.specFile} (tslab kernel, RLIMIT_DATA ${mem} bytes); put ${w.jupyterPath} on JUPYTER_PATH`);
      return 0;
    }
    case "cull": {
      known(args, ["state", "idle-timeout", "every"]);
      rejectPositional(args, "workshop cull");
      const idle = numberOpt(args, "idle-timeout", undefined, true);
      const every = numberOpt(args, "every", 60, true);
      if (idle < 0) throw new UsageError(`--idle-timeout must be ≥ 0 seconds, got ${idle}`);
      if (every < 1) throw new UsageError(`--every must be ≥ 1 second, got ${every}`);
      const apiUrl = process.env.JUPYTERHUB_API_URL;
      const token = process.env.JUPYTERHUB_API_TOKEN;
      if (!apiUrl || !token) throw new UsageError("workshop cull runs as a JupyterHub service: JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN must be set");
      await runCuller({ apiUrl, token, idleTimeoutSeconds: idle, everySeconds: every });
      return 0;
    }
    default:
      throw new UsageError(`unknown workshop command ${JSON.stringify(sub)}; known: init, start, stop, status, progress, render, remove, kernelspec, cull, load`);
  }
}

const LOAD_HELP = `usage: ep-lab workshop load [--learners N] [--cells K] [--jitter S] [--seed N] [--out FILE]

Load test (needs root and Debian's JupyterHub): N simulated learners log in through the hub, start their
servers and run Lab 3.1 cell by cell over the Jupyter REST and kernel WebSocket APIs, concurrently.
It creates its own accounts (eplabload-01 …) and hub and removes them afterwards, also when stopped with
Ctrl-C or SIGTERM (exit code 130).

  --learners N   class size (default 12)
  --cells K      run only the first K code cells (default: all)
  --jitter S     each learner starts after a random delay of up to S seconds (default 5)
  --seed N       seed of the delays (default 1)
  --out FILE     JSON report (default build/workshop-load.json)`;

/**
 * `npm run workshop:load --learners 12` (without `--`) hands `--learners` to npm, which sets
 * `npm_config_learners` ("true", with 12 left as a positional argument, or "12" for `--learners=12`).
 * Turn that back into `--learners 12` (pure).
 * @param argv the arguments after `load`
 * @param env the environment npm set
 * @returns argv, with `--learners N` added when npm took it
 * @example npmForwardedLearners(["12"], { npm_config_learners: "true" }); // ["--learners", "12"]
 */
export function npmForwardedLearners(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const v = env.npm_config_learners;
  if (v === undefined || argv.some((a) => a === "--learners" || a.startsWith("--learners="))) return argv;
  if (v === "true" && argv.length > 0 && /^\d+$/.test(argv[0])) return ["--learners", argv[0], ...argv.slice(1)];
  if (/^\d+$/.test(v)) return ["--learners", v, ...argv];
  return argv;
}

/**
 * `ep-lab workshop load …` (and `npm run workshop:load`).
 * @param argv options after `load`
 * @returns exit code: 0 when no cell failed, 1 otherwise, 130 when stopped by Ctrl-C or SIGTERM (after cleaning up)
 * @throws {RangeError} for bad options (exit code 2)
 * @example await runLoadCli(["--learners", "2", "--cells", "3"]);
 */
export async function runLoadCli(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(LOAD_HELP);
    return 0;
  }
  argv = npmForwardedLearners(argv, process.env);
  const args = parseArgs(argv, [], ["learners", "cells", "jitter", "seed", "out"]);
  rejectPositional(args, "workshop load");
  // Ctrl-C or SIGTERM: stop the learners and clean up (hub, accounts, files) before exiting; a second signal only
  // says that the cleanup is under way.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) console.error(`${sig}: still cleaning up, please wait`);
    else {
      console.error(`${sig}: stopping the load test and cleaning up …`);
      stop.abort();
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let report;
  try {
    report = await runLoadTest({
      learners: numberOpt(args, "learners", 12, true),
      cells: args.options.has("cells") ? numberOpt(args, "cells", undefined, true) : undefined,
      jitterSeconds: numberOpt(args, "jitter", 5),
      seed: numberOpt(args, "seed", 1, true),
      log: (l) => console.log(l),
      signal: stop.signal,
    });
  } catch (e) {
    if (e instanceof LoadTestAborted) {
      console.error(e.message);
      return 130;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const out = path.resolve(stringOpt(args, "out", path.join("build", "workshop-load.json")));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log("\n" + reportText(report));
  console.log(`\nreport: ${out}`);
  return report.failedCells === 0 ? 0 : 1;
}
