/**
 * The workshop load test: N simulated learners log in through the hub's REST API, start their servers and
 * run Lab 3.1 cell by cell through their own Jupyter server's REST and kernel WebSocket APIs (the messages a
 * browser sends), concurrently, each starting after a seeded random delay (jitter). It sets up its own
 * workshop (accounts `eplabload-01` …, a hub on a free port) and removes everything afterwards.
 *
 * Reported: time to first output per learner (from the learner's login request to the first output of the
 * lab's first code cell: login, server start, kernel start, first cell), per-cell latency p50/p95, whole-lab
 * time (first cell sent → last cell's reply), peak resident memory (RSS) per learner (every process running as
 * that learner: server and kernel, sampled each second) and of all learners together, and failed cells.
 */
import { setMaxListeners } from "events";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { createRng } from "../util/rng";
import { show } from "../util/validate";
import { lookupAccount } from "./accounts";
import { HubLearner, type CellRun } from "./client";
import { initWorkshop, readCredentials, hubMissing, removeWorkshop, startHub, stopHub } from "./hub";
import { isRoot } from "./accounts";
import { pidAlive, processesOfUids } from "./procs";

/** The lab the load test runs (in each learner's own workspace). */
export const LOAD_NOTEBOOK = "lab3.1-expert-parallelism-foundations.ipynb";

/** Options of {@link runLoadTest}. */
export interface LoadOptions {
  /** Simulated learners (1 … 200). */
  learners: number;
  /** Run only the first K code cells (default: all). */
  cells?: number;
  /** Each learner starts after a random delay in [0, jitterSeconds] (seconds, default 5). */
  jitterSeconds?: number;
  /** Seed of the jitter (default 1). */
  seed?: number;
  /** Per-cell timeout, milliseconds (default 300000). A learner whose cell times out stops there; its later cells count as failed. */
  cellTimeoutMs?: number;
  /** Account name prefix (default "eplabload-"). */
  prefix?: string;
  /** Progress messages (default: none). */
  log?: (line: string) => void;
  /**
   * Stops the test early (the CLI aborts it on Ctrl-C or SIGTERM): the learners stop, the hub, the accounts and
   * their files are removed as after a normal run, and the returned promise rejects with an `AbortError`.
   */
  signal?: AbortSignal;
}

/** What {@link runLoadTest} rejects with when its `signal` aborts it (after cleaning up). */
export class LoadTestAborted extends Error {
  override name = "AbortError";
  /** @param message what was cleaned up (default: everything the test had created) */
  constructor(message = "load test interrupted: the hub, the learner accounts and their files were removed") {
    super(message);
  }
}

/** One learner's measurements. */
export interface LearnerReport {
  name: string;
  /** Login request → first output of the first code cell, seconds (undefined when never reached). */
  firstOutputS?: number;
  /** Login request → server ready, seconds. */
  serverStartS?: number;
  /** First cell sent → last cell's reply, seconds. */
  wholeLabS?: number;
  cells: { index: number; status: CellRun["status"]; durationMs: number; error?: string }[];
  failedCells: number;
  /** Peak RSS of every process of this learner, MB (10^6 bytes). */
  peakMB: number;
  /** A failure outside the cells (login, server start), if any. */
  error?: string;
}

/** The whole report. */
export interface LoadReport {
  learners: number;
  codeCells: number;
  failedCells: number;
  firstOutputP50S: number;
  firstOutputP95S: number;
  wholeLabP50S: number;
  wholeLabP95S: number;
  cellP50Ms: number;
  cellP95Ms: number;
  /** Per code-cell index: p50/p95 over learners, ms. */
  perCell: { index: number; firstLine: string; p50Ms: number; p95Ms: number; failed: number }[];
  peakPerLearnerMB: number;
  peakTotalMB: number;
  cpus: number;
  loadAverage1m: number[];
  memoryTotalMB: number;
  startedAt: string;
  durationS: number;
  perLearner: LearnerReport[];
  summary: string;
}

/**
 * Nearest-rank percentile (pure).
 * @param values sample (finite numbers; may be empty)
 * @param p percentile in [0, 100]
 * @returns the value, or NaN for an empty sample
 * @throws {RangeError} for p outside [0, 100]
 * @example percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(values: readonly number[], p: number): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 100)) throw new RangeError(`p must be in [0, 100], got ${show(p)}`);
  if (!Array.isArray(values)) throw new TypeError(`values must be an array, got ${show(values)}`);
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1];
}

/**
 * The one-line summary (pure).
 * @param r the report's figures
 * @returns `N learners, F failed cells, first output p95 X s, whole lab p95 Y s, peak Z MB per learner`
 * @example summaryLine({ learners: 12, failedCells: 0, firstOutputP95S: 9.1, wholeLabP95S: 140, peakPerLearnerMB: 520 });
 */
export function summaryLine(r: Pick<LoadReport, "learners" | "failedCells" | "firstOutputP95S" | "wholeLabP95S" | "peakPerLearnerMB">): string {
  const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  return `${r.learners} learners, ${r.failedCells} failed cells, first output p95 ${f(r.firstOutputP95S, 1)} s, whole lab p95 ${f(r.wholeLabP95S, 1)} s, peak ${f(r.peakPerLearnerMB, 0)} MB per learner`;
}

function rssKbOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Run the load test (needs root and Debian's JupyterHub). Creates and removes its own accounts and hub.
 * @param options see {@link LoadOptions}
 * @returns the report (also see `summary`)
 * @throws {RangeError} for bad options; {TypeError} for a `signal` that is not an AbortSignal; {Error} when not root,
 *   JupyterHub is missing, or the workshop cannot start; {@link LoadTestAborted} when `signal` aborted it (after cleanup)
 * @example const r = await runLoadTest({ learners: 2, cells: 4 }); console.log(r.summary);
 */
export async function runLoadTest(options: LoadOptions): Promise<LoadReport> {
  const knownKeys = ["learners", "cells", "jitterSeconds", "seed", "cellTimeoutMs", "prefix", "log", "signal"];
  for (const k of Object.keys(options)) if (!knownKeys.includes(k)) throw new RangeError(`unknown option ${JSON.stringify(k)}; known: ${knownKeys.join(", ")}`);
  const n = options.learners;
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new RangeError(`learners must be an integer in [1, 200], got ${show(n)}`);
  const cellsLimit = options.cells;
  if (cellsLimit !== undefined && (!Number.isInteger(cellsLimit) || cellsLimit < 1)) throw new RangeError(`cells must be a positive integer, got ${show(cellsLimit)}`);
  const jitter = options.jitterSeconds ?? 5;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 600)) throw new RangeError(`jitterSeconds must be in [0, 600], got ${show(jitter)}`);
  const cellTimeoutMs = options.cellTimeoutMs ?? 300_000;
  if (!Number.isInteger(cellTimeoutMs) || cellTimeoutMs < 1000) throw new RangeError(`cellTimeoutMs must be an integer ≥ 1000, got ${show(cellTimeoutMs)}`);
  const prefix = options.prefix ?? "eplabload-";
  if (!/^[a-z][a-z0-9-]{0,20}$/.test(prefix)) throw new RangeError(`prefix must be a short lower-case account prefix, got ${show(prefix)}`);
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, got ${show(signal)}`);
  if (signal?.aborted) throw new LoadTestAborted("load test interrupted before it started: nothing was created");
  if (!isRoot()) throw new Error("the load test creates learner accounts and a hub: run it as root");
  const missing = hubMissing();
  if (missing) throw new Error(missing);

  const names = Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-load-"));
  fs.chmodSync(stateDir, 0o755);
  const rosterFile = path.join(stateDir, "roster.txt");
  fs.writeFileSync(rosterFile, names.join("\n") + "\n");
  const rng = createRng(options.seed ?? 1);
  const delays = names.map(() => rng.next() * jitter * 1000);
  const startedAt = new Date();
  const t0 = performance.now();
  const peaks = new Map<string, number>(names.map((nm) => [nm, 0]));
  let peakTotalKb = 0;
  let sampler: NodeJS.Timeout | undefined;
  const reports: LearnerReport[] = [];
  // Settles (rejects) only when the signal aborts; racing against it ends the waits below at once.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new LoadTestAborted());
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  const unlessAborted = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);
  // One listener here and up to two per learner (its start delay, its open kernel): no leak warning for a big class.
  if (signal) setMaxListeners(2 * n + 4, signal);
  // What may still be starting or running when an abort ends the waits: settled before the cleanup below.
  const pending: Promise<unknown>[] = [];
  let interrupted = false;
  let leftover: number[] = []; // PIDs of the test's hub and learners still alive after the cleanup
  try {
    const init = initWorkshop({ roster: rosterFile, instructor: `${prefix}i`, stateDir: path.join(stateDir, "state") });
    const creds = readCredentials(init.paths.credentialsFile);
    const uids = new Map(names.map((nm) => [nm, lookupAccount(nm)!.uid]));
    const port = await (async () => {
      return new Promise<number>((resolve) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
          const a = s.address();
          s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
        });
      });
    })();
    if (signal?.aborted) throw new LoadTestAborted();
    const hubStart = startHub({ stateDir: init.paths.root, port });
    pending.push(hubStart);
    const hub = await unlessAborted(hubStart);
    log(`hub at ${hub.url}; ${n} learners, jitter ${jitter} s`);
    sampler = setInterval(() => {
      let total = 0;
      for (const nm of names) {
        const kb = processesOfUids([uids.get(nm)!]).reduce((s, pid) => s + rssKbOf(pid), 0);
        total += kb;
        if (kb > peaks.get(nm)!) peaks.set(nm, kb);
      }
      if (total > peakTotalKb) peakTotalKb = total;
    }, 1000);
    const one = async (name: string, delayMs: number): Promise<LearnerReport> => {
      await sleep(delayMs, undefined, signal ? { signal } : {}).catch(() => {}); // an abort ends the wait early
      const rep: LearnerReport = { name, cells: [], failedCells: 0, peakMB: 0 };
      if (signal?.aborted) return { ...rep, error: "interrupted before starting" };
      const learner = new HubLearner(hub.url, name);
      const tLogin = performance.now();
      let codeCells: string[] = [];
      try {
        await learner.login(creds.get(name)!);
        await learner.startServer();
        rep.serverStartS = (performance.now() - tLogin) / 1000;
        codeCells = await learner.codeCells(LOAD_NOTEBOOK);
        if (cellsLimit !== undefined) codeCells = codeCells.slice(0, cellsLimit);
        const kernel = await learner.openNotebook(LOAD_NOTEBOOK);
        // an abort closes the connection, which ends a running cell as "disconnected" at once
        const closeOnAbort = () => kernel.close();
        signal?.addEventListener("abort", closeOnAbort, { once: true });
        const tLab = performance.now();
        try {
          for (let i = 0; i < codeCells.length; i++) {
            if (signal?.aborted) break;
            const tCell = performance.now();
            const r = await kernel.execute(codeCells[i], cellTimeoutMs);
            if (i === 0 && r.firstOutputMs !== undefined) rep.firstOutputS = (tCell + r.firstOutputMs - tLogin) / 1000;
            rep.cells.push({ index: i, status: r.status, durationMs: r.durationMs, error: r.error });
            if (r.status !== "ok") {
              rep.failedCells++;
              log(`${name}: cell ${i + 1} ${r.status}${r.error ? `: ${r.error}` : ""}`);
              // the kernel is gone, or still busy with this cell: every later cell would queue behind it and time out
              // too (counted as failed below), so this learner stops here
              if (r.status === "disconnected" || r.status === "timeout") break;
            }
          }
        } finally {
          signal?.removeEventListener("abort", closeOnAbort);
        }
        rep.wholeLabS = (performance.now() - tLab) / 1000;
        kernel.close();
        log(`${name}: ${rep.cells.length === codeCells.length ? "" : `${rep.cells.length} of `}${codeCells.length} cells in ${rep.wholeLabS.toFixed(1)} s, ${rep.failedCells} failed`);
      } catch (e) {
        rep.error = (e as Error).message;
        log(`${name}: ${rep.error}`);
      }
      const expected = codeCells.length || (cellsLimit ?? 0);
      rep.failedCells += Math.max(0, expected - rep.cells.length);
      if (rep.error && expected === 0) rep.failedCells += 1;
      return rep;
    };
    const learnerRuns = Promise.all(names.map((nm, i) => one(nm, delays[i])));
    pending.push(learnerRuns);
    reports.push(...(await unlessAborted(learnerRuns)));
  } catch (e) {
    if (!(e instanceof LoadTestAborted)) throw e;
    interrupted = true;
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    if (signal?.aborted) {
      log("interrupted: stopping the hub and removing the learner accounts …");
      // A hub still starting would be spawned after the cleanup, and learners still logging in would race it: let
      // them settle first (their kernels are closed already, so this is short; at most a minute).
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(pending), new Promise((r) => (bound = setTimeout(r, 60_000)))]);
      clearTimeout(bound);
    }
    if (sampler) clearInterval(sampler);
    try {
      // stopHub knows the workshop's processes (the hub's descendants and everything running as a learner account);
      // what it could not end is checked again once the accounts are gone.
      const stopped = await stopHub({ stateDir: path.join(stateDir, "state") });
      await removeWorkshop({ stateDir: path.join(stateDir, "state") });
      leftover = stopped.remaining.map((p) => p.pid).filter(pidAlive);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }
  const stillRunning = `${leftover.length} of its processes still run (PIDs ${leftover.join(", ")})`;
  if (interrupted) throw new LoadTestAborted(leftover.length === 0 ? undefined : `load test interrupted; accounts and files removed, but ${stillRunning}`);
  if (leftover.length > 0) log(`warning: accounts and files removed, but ${stillRunning}`);
  for (const r of reports) r.peakMB = (peaks.get(r.name)! * 1024) / 1e6;
  const allCells = reports.flatMap((r) => r.cells.filter((c) => c.status === "ok").map((c) => c.durationMs));
  const first = reports.map((r) => r.firstOutputS).filter((x): x is number => x !== undefined);
  const whole = reports.map((r) => r.wholeLabS).filter((x): x is number => x !== undefined);
  const maxCells = Math.max(0, ...reports.map((r) => r.cells.length));
  const perCell: LoadReport["perCell"] = [];
  for (let i = 0; i < maxCells; i++) {
    const d = reports.map((r) => r.cells[i]).filter((c) => c !== undefined);
    perCell.push({ index: i, firstLine: "", p50Ms: percentile(d.map((c) => c.durationMs), 50), p95Ms: percentile(d.map((c) => c.durationMs), 95), failed: d.filter((c) => c.status !== "ok").length });
  }
  const base = {
    learners: n,
    failedCells: reports.reduce((s, r) => s + r.failedCells, 0),
    firstOutputP95S: first.length === n ? percentile(first, 95) : NaN,
    wholeLabP95S: whole.length === n ? percentile(whole, 95) : NaN,
    peakPerLearnerMB: Math.max(0, ...reports.map((r) => r.peakMB)),
  };
  return {
    ...base,
    codeCells: maxCells,
    firstOutputP50S: percentile(first, 50),
    wholeLabP50S: percentile(whole, 50),
    cellP50Ms: percentile(allCells, 50),
    cellP95Ms: percentile(allCells, 95),
    perCell,
    peakTotalMB: (peakTotalKb * 1024) / 1e6,
    cpus: os.cpus().length,
    loadAverage1m: os.loadavg(),
    memoryTotalMB: os.totalmem() / 1e6,
    startedAt: startedAt.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    perLearner: reports,
    summary: summaryLine(base),
  };
}

/**
 * The report as text (pure): per learner, per cell, then the summary line.
 * @param r the report
 * @returns lines joined by "\n"
 * @example console.log(reportText(report));
 */
export function reportText(r: LoadReport): string {
  const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(d));
  const lines = [
    `load test: ${r.learners} learners, ${r.codeCells} code cells each, on ${r.cpus} CPUs / ${(r.memoryTotalMB / 1000).toFixed(1)} GB; load average at the end ${r.loadAverage1m.map((x) => x.toFixed(2)).join(" ")}`,
    "",
    "learner          server ready  first output  whole lab  failed  peak RSS",
    ...r.perLearner.map((l) => `${l.name.padEnd(16)} ${f(l.serverStartS).padStart(10)} s ${f(l.firstOutputS).padStart(10)} s ${f(l.wholeLabS).padStart(8)} s ${String(l.failedCells).padStart(7)} ${f(l.peakMB, 0).padStart(6)} MB${l.error ? `  (${l.error})` : ""}`),
    "",
    "cell   p50 (ms)   p95 (ms)  failed",
    ...r.perCell.map((c) => `${String(c.index + 1).padStart(4)} ${f(c.p50Ms, 0).padStart(10)} ${f(c.p95Ms, 0).padStart(10)} ${String(c.failed).padStart(7)}`),
    "",
    `per-cell latency p50 ${f(r.cellP50Ms, 0)} ms, p95 ${f(r.cellP95Ms, 0)} ms; first output p50 ${f(r.firstOutputP50S)} s; whole lab p50 ${f(r.wholeLabP50S)} s; peak total ${f(r.peakTotalMB, 0)} MB; took ${f(r.durationS)} s`,
    r.summary,
  ];
  return lines.join("\n");
}
