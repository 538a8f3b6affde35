// Preloaded into every kernel the runner starts and into the kernelspecs `ep-lab kernel install` and `npm start`
// write (`node --require <checkout>/src/runner/iopub-flush.js tslab kernel ...`; see jupyter.kernelNodeArgs). A plain
// tslab kernelspec lacks it.
//
// tslab publishes each console.log as one iopub message with a fire-and-forget `send()`. zeromq.js 6 completes at
// most 512 sends synchronously before it defers the next one to the event loop; while that deferred send is pending,
// every further `send()` throws EBUSY ("Socket is busy writing"), which Node's console swallows. A cell that prints
// more than ~500 lines in one go therefore lost the rest of its output AND the kernel's final `status: idle` message.
// A publisher never blocks (it drops at its high-water mark instead), so this preload makes tslab's iopub socket
// send synchronously (sendTimeout 0 bypasses the deferral) and never drop (sendHighWaterMark 0 = no limit), set
// before the socket binds so the subscriber's pipe is created with them.
"use strict";
const fs = require("fs");
const path = require("path");

function patch(zmq) {
  const Publisher = zmq && zmq.Publisher;
  if (!Publisher || Publisher.prototype.__epLabIopubFlush) return;
  const bind = Publisher.prototype.bind;
  Object.defineProperty(Publisher.prototype, "__epLabIopubFlush", { value: true });
  // The native method is read-only on the prototype chain: define an own property instead of assigning.
  Object.defineProperty(Publisher.prototype, "bind", {
    configurable: true,
    writable: true,
    value: function (address) {
      try {
        this.sendHighWaterMark = 0;
        this.sendTimeout = 0;
      } catch {
        // an older zeromq without these options: keep its defaults
      }
      return bind.call(this, address);
    },
  });
}

try {
  // The zeromq that tslab (the main script, argv[1]) resolves: patch that very module instance.
  const main = process.argv[1] ? fs.realpathSync(process.argv[1]) : __filename;
  patch(require(require.resolve("zeromq", { paths: [path.dirname(main), __dirname] })));
} catch {
  // no zeromq next to the kernel: nothing to patch
}
