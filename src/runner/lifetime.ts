/**
 * Process lifetime: no process the runner (or `ep-lab start`) starts may outlive it.
 *
 * Two mechanisms, both in `reaper.js`:
 * - {@link killProcessTree}: SIGKILL a process, all its descendants (found through Linux /proc and frozen first) and
 *   the process groups they lead, so a child a cell started with `detached: true` goes too;
 * - {@link watchProcessTree}: a small separate watchdog process (one per owner process, started on first use) that
 *   kills the watched trees when its stdin pipe from the owner closes, i.e. when the owner exits in any way,
 *   including SIGKILL. It runs outside the kernel's event loop, so a kernel stuck in `while (true) {}` dies too.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { show } from "../util/validate";

/** One process of a tree snapshot: its pid and start time (to tell a reused pid apart). */
export interface TreeEntry {
  pid: number;
  start: string;
}

const impl = require("./reaper.js") as {
  treeOf(pid: number): TreeEntry[];
  killTree(pid: number, start?: string): void;
  killEntries(entries: TreeEntry[]): void;
};

/** Path of the watchdog script (`node reaper.js`). */
export const REAPER_SCRIPT = path.join(__dirname, "reaper.js");

function assertPid(name: string, pid: unknown): asserts pid is number {
  if (typeof pid !== "number") throw new TypeError(`${name} must be a process id (number), got ${show(pid)}`);
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new RangeError(`${name} must be a process id (an integer > 1), got ${show(pid)}`);
}

/**
 * A process and all its descendants now (parents first). Linux: read from /proc; elsewhere just the process.
 * @param pid the root process id (integer > 1)
 * @returns the snapshot; `[]` when `pid` is not running
 * @throws {TypeError|RangeError} for a pid that is not an integer > 1
 * @example processTree(kernel.pid).length // 1 + the number of processes the kernel started
 */
export function processTree(pid: number): TreeEntry[] {
  assertPid("pid", pid);
  return impl.treeOf(pid);
}

/**
 * SIGKILL a process, every descendant and every process group they lead (synchronous; never throws for a process
 * that is gone).
 * @param pid the root process id (integer > 1)
 * @returns nothing
 * @throws {TypeError|RangeError} for a pid that is not an integer > 1
 * @example killProcessTree(kernel.pid)
 */
export function killProcessTree(pid: number): void {
  assertPid("pid", pid);
  impl.killTree(pid);
}

/**
 * SIGKILL the processes of an earlier {@link processTree} snapshot that still run (a pid reused since by another
 * process is skipped), and the groups they lead. Used after a polite shutdown: the kernel is gone, its detached
 * children are not (they were re-parented), but the snapshot still names them. Never throws.
 * @param entries the snapshot
 * @returns nothing
 * @throws {TypeError} when `entries` is not an array of `{ pid, start }`
 * @example const before = processTree(pid); await politeStop(); killSnapshot(before);
 */
export function killSnapshot(entries: readonly TreeEntry[]): void {
  if (!Array.isArray(entries) || entries.some((e) => typeof e !== "object" || e === null || typeof e.pid !== "number" || typeof e.start !== "string")) {
    throw new TypeError(`entries must be an array of { pid, start } from processTree, got ${show(entries)}`);
  }
  impl.killEntries(entries as TreeEntry[]);
}

let reaper: ChildProcess | null = null;
const watched = new Set<number>();

function reaperStdin(): NodeJS.WritableStream | null {
  if (reaper && reaper.exitCode === null && reaper.signalCode === null && reaper.stdin && !reaper.stdin.destroyed) return reaper.stdin;
  reaper = spawn(process.execPath, [REAPER_SCRIPT], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
  const child = reaper;
  child.on("error", () => undefined);
  child.stdin?.on("error", () => undefined);
  child.once("exit", () => {
    if (reaper === child) reaper = null;
  });
  // Neither the watchdog nor its pipe keeps this process alive; the pipe closes when this process ends.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  // A new watchdog (the previous one died): hand it every tree still watched.
  for (const pid of watched) child.stdin?.write(`watch ${pid}\n`);
  return child.stdin;
}

/**
 * Have the watchdog process kill this process tree when the current process ends in any way (even SIGKILL).
 * @param pid the root process id (integer > 1)
 * @returns nothing
 * @throws {TypeError|RangeError} for a pid that is not an integer > 1
 * @example const k = spawn(...); watchProcessTree(k.pid!); k.once("exit", () => releaseProcessTree(k.pid!));
 */
export function watchProcessTree(pid: number): void {
  assertPid("pid", pid);
  watched.add(pid);
  reaperStdin()?.write(`watch ${pid}\n`); // a repeat (fresh watchdog) is harmless
}

/**
 * Stop watching a tree (its owner stopped it). Never throws for a pid not watched.
 * @param pid the root process id (integer > 1)
 * @returns nothing
 * @throws {TypeError|RangeError} for a pid that is not an integer > 1
 * @example releaseProcessTree(kernel.pid)
 */
export function releaseProcessTree(pid: number): void {
  assertPid("pid", pid);
  if (!watched.delete(pid)) return;
  if (reaper && reaper.exitCode === null && reaper.stdin && !reaper.stdin.destroyed) reaper.stdin.write(`release ${pid}\n`);
}

/**
 * Process id of the watchdog, or null when none runs (for tests). Never throws.
 * @returns the pid or null
 * @example watchProcessTree(pid); reaperPid() // e.g. 4242
 */
export function reaperPid(): number | null {
  return reaper && reaper.exitCode === null ? (reaper.pid ?? null) : null;
}
