// Process-tree reaping for the runner and `ep-lab start`, in plain JavaScript so it also runs as its own tiny process.
//
// As a module: `treeOf(pid)` lists a process and all its descendants (Linux /proc), `killTree(pid)` freezes and
// SIGKILLs them all, including children that started their own process group or session (`detached: true`), which
// a kill of the kernel's group alone would miss.
//
// As a process (`node reaper.js`): a watchdog outside the kernel's event loop. Its owner sends lines on its stdin:
//   "watch <pid>"    kill this process tree when the owner goes away
//   "release <pid>"  forget it (the owner stopped it itself)
// When stdin closes — the owner exited, crashed or was SIGKILLed (Node has no PR_SET_PDEATHSIG; a pipe's end is
// how a process learns reliably that its owner is gone) — every tree still watched is killed, then the reaper exits.
// A kernel spinning in `while (true) {}` cannot run its own timers, but this separate process can.
"use strict";
const fs = require("fs");

/** Start time of a process (clock ticks since boot, /proc/<pid>/stat field 22) and its parent pid, or null. */
function statOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
    return { ppid: Number(rest[1]), start: rest[19] };
  } catch {
    return null;
  }
}

function hasProc() {
  try {
    return fs.existsSync("/proc/self/stat");
  } catch {
    return false;
  }
}

/** `[{ pid, start }]` for `pid` and every descendant (parents before children); `[]` when pid is gone. */
function treeOf(pid) {
  const root = statOf(pid);
  if (!root) return [];
  const children = new Map();
  let entries = [];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [{ pid, start: root.start }];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const p = Number(name);
    const st = statOf(p);
    if (!st) continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push({ pid: p, start: st.start });
  }
  const out = [{ pid, start: root.start }];
  for (let i = 0; i < out.length; i++) for (const c of children.get(out[i].pid) || []) out.push(c);
  return out;
}

function signal(target, sig) {
  try {
    process.kill(target, sig);
    return true;
  } catch {
    return false; // ESRCH (gone) or EPERM
  }
}

/** Whether `entry` still names the same process (pid not reused since it was listed). */
function same(entry) {
  const st = statOf(entry.pid);
  return st !== null && st.start === entry.start;
}

/**
 * SIGKILL the processes of a snapshot taken with treeOf (skipping pids reused since), and their process groups.
 * @param {{pid:number,start:string}[]} entries
 */
function killEntries(entries) {
  for (const e of entries) if (same(e)) signal(e.pid, "SIGSTOP"); // freeze first: no new children while we kill
  for (const e of entries) {
    if (!same(e)) continue;
    signal(-e.pid, "SIGKILL"); // its group, when it leads one (ESRCH otherwise)
    signal(e.pid, "SIGKILL");
  }
}

/**
 * Kill a process, every descendant (found through /proc, frozen with SIGSTOP so none can fork meanwhile) and the
 * process group each of them leads. Synchronous; never throws. Without /proc: the process group and the process.
 * @param {number} pid
 * @param {string} [start] the start time treeOf recorded: when given and the pid now names another process, nothing is killed
 */
function killTree(pid, start) {
  if (!hasProc()) {
    signal(-pid, "SIGKILL");
    signal(pid, "SIGKILL");
    return;
  }
  const root = statOf(pid);
  if (!root || (start !== undefined && root.start !== start)) {
    return;
  }
  // Freeze until no new descendant appears (a fork between listing and stopping), then kill all.
  const seen = new Map();
  for (let round = 0; round < 5; round++) {
    let added = 0;
    for (const e of treeOf(pid)) {
      if (seen.has(e.pid)) continue;
      seen.set(e.pid, e);
      signal(e.pid, "SIGSTOP");
      added++;
    }
    if (added === 0) break;
  }
  killEntries([...seen.values()]);
  signal(-pid, "SIGKILL");
}

module.exports = { treeOf, killTree, killEntries, statOf };

if (require.main === module) {
  const watched = new Map(); // pid -> start
  let buf = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const [cmd, arg] = buf.slice(0, nl).trim().split(/\s+/);
      buf = buf.slice(nl + 1);
      const pid = Number(arg);
      if (!Number.isInteger(pid) || pid <= 1) continue;
      if (cmd === "watch") {
        const st = statOf(pid);
        if (st) watched.set(pid, st.start);
      } else if (cmd === "release") {
        watched.delete(pid);
      }
    }
  });
  const reap = () => {
    for (const [pid, start] of watched) killTree(pid, start);
    process.exit(0);
  };
  process.stdin.on("end", reap);
  process.stdin.on("error", reap);
  process.stdin.on("close", reap);
  // A hang-up or Ctrl-C meant for the owner's terminal must not end the reaper before it has done its job.
  for (const sig of ["SIGINT", "SIGHUP"]) process.on(sig, () => {});
  process.stdin.resume();
}
