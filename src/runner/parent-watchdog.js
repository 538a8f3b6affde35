// Preloaded into every kernel the runner starts (`node --require parent-watchdog.js tslab kernel ...`).
// The kernel runs in its own process group so timeouts can kill it as a whole; the flip side is that it would
// outlive a runner that is killed with SIGKILL (or a crashed test worker). This watchdog ends the kernel as soon as
// the process that started it is gone (the kernel is then re-parented, so its parent pid changes).
"use strict";
const expected = Number(process.env.EP_LAB_RUNNER_PID);
if (Number.isInteger(expected) && expected > 0) {
  const timer = setInterval(() => {
    if (process.ppid !== expected) process.kill(-process.pid, "SIGKILL"); // the whole group, as the runner would
  }, 500);
  timer.unref();
}
