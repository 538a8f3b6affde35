/**
 * Processes of a workshop, found and ended by PID (never by name): the hub's process tree read from
 * /proc, and every process running as a workshop account.
 */
import * as fs from "fs";
import * as path from "path";
import { show } from "../util/validate";

/** One row of the process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** The command line, arguments joined by spaces (may be empty for kernel threads). */
  command: string;
}

/**
 * A snapshot of the process table (from /proc). Never throws for a process that ends meanwhile.
 * @returns one row per process, by ascending PID
 * @example processTable().find((p) => p.pid === process.pid)?.ppid; // this process's parent
 */
export function processTable(): ProcessInfo[] {
  const rows: ProcessInfo[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(path.join("/proc", entry, "stat"), "utf8");
      const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (after[0] === "Z" || after[0] === "X") continue;
      const status = fs.readFileSync(path.join("/proc", entry, "status"), "utf8");
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const command = fs.readFileSync(path.join("/proc", entry, "cmdline"), "utf8").split("\0").filter(Boolean).join(" ");
      rows.push({ pid: Number(entry), ppid: Number(after[1]), uid, command });
    } catch {
      // ended while we looked
    }
  }
  return rows.sort((a, b) => a.pid - b.pid);
}

/**
 * PIDs of every descendant of `pid` in a process-table snapshot (children, grandchildren, …).
 * @param pid the ancestor (positive integer)
 * @param table a snapshot (default: now)
 * @returns descendant PIDs, ascending (the ancestor itself excluded)
 * @throws {RangeError} for a PID that is not a positive integer
 * @example descendants(hubPid); // [proxy, culler, learner servers, their kernels]
 */
export function descendants(pid: number, table: readonly ProcessInfo[] = processTable()): number[] {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`pid must be a positive integer, got ${show(pid)}`);
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const c = stack.pop() as number;
    out.push(c);
    stack.push(...(children.get(c) ?? []));
  }
  return out.sort((a, b) => a - b);
}

/**
 * PIDs of the processes whose real user id is one of `uids` (read from /proc). Never throws for a vanished process.
 * @param uids user ids (non-negative integers)
 * @returns PIDs, ascending
 * @throws {TypeError} when `uids` is not an array of non-negative integers
 * @example processesOfUids([1001]); // [4242, 4250]
 */
export function processesOfUids(uids: readonly number[]): number[] {
  if (!Array.isArray(uids) || uids.some((u) => !Number.isInteger(u) || u < 0)) throw new TypeError(`uids must be an array of non-negative integers, got ${show(uids)}`);
  const want = new Set(uids);
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(path.join("/proc", entry, "status"), "utf8");
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && want.has(Number(m[1]))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids.sort((a, b) => a - b);
}

/**
 * Send a signal to one process by PID; a process that is already gone is not an error.
 * @param pid process id (positive integer)
 * @param signal e.g. "SIGTERM"
 * @returns true when the signal was delivered
 * @throws {RangeError} for a PID that is not a positive integer (0 or negative would signal process groups)
 * @example killPid(4242, "SIGTERM");
 */
export function killPid(pid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`pid must be a positive integer, got ${show(pid)}`);
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process with this PID exists (and is not a zombie).
 * @param pid process id (positive integer)
 * @returns true while it runs
 * @throws {RangeError} for a PID that is not a positive integer
 * @example pidAlive(process.pid); // true
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`pid must be a positive integer, got ${show(pid)}`);
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

