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
//
// It also makes every socket bind synchronously. tslab binds its five sockets with zeromq.js's asynchronous `bind()`,
// which marks a socket "blocked" until the bind's completion callback runs on the main thread. A client that connected
// before the kernel started (the runner, nbconvert) has its kernel_info_request queued, and libzmq delivers it as soon
// as the bind is done in the worker thread, i.e. possibly before that callback: tslab's reply and its next receive then
// throw EBUSY ("Socket is blocked by a bind or unbind operation"), its shell loop ends, and the kernel never answers.
// `bindSync()` leaves no such window.

"use strict";
const fs = require("fs");
const path = require("path");

/**
 * A promise-returning bind that binds synchronously (no "blocked" window). Every error rejects the promise (the native
 * `bind()` throws a bad argument at once and rejects the rest; tslab awaits it, so both end the same way there).
 */
function bindNow(address) {
  try {
    this.bindSync(address);
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Defines an own method on a socket class's prototype (the native ones up the chain are read-only). */
function own(proto, name, value) {
  Object.defineProperty(proto, name, { configurable: true, writable: true, value });
}

/** The publisher's bind: first its options (set before binding, so the subscriber's pipe gets them), then bindNow. */
function publisherBind(address) {
  try {
    this.sendHighWaterMark = 0;
    this.sendTimeout = 0;
  } catch {
    // an older zeromq without these options: keep its defaults
  }
  return bindNow.call(this, address);
}

/** Patch every socket class zeromq exports (Router, Dealer, Publisher, Reply, ...); patching again changes nothing. */
function patch(zmq) {
  const Socket = zmq && zmq.Socket;
  const Publisher = zmq && zmq.Publisher;
  if (!Socket || !Publisher || typeof Socket.prototype.bindSync !== "function") return;
  for (const cls of Object.values(zmq)) {
    if (typeof cls === "function" && cls.prototype instanceof Socket) own(cls.prototype, "bind", cls === Publisher ? publisherBind : bindNow);
  }
}

try {
  // The zeromq that tslab (the main script, argv[1]) resolves: patch that very module instance.
  const main = process.argv[1] ? fs.realpathSync(process.argv[1]) : __filename;
  patch(require(require.resolve("zeromq", { paths: [path.dirname(main), __dirname] })));
} catch {
  // no zeromq next to the kernel: nothing to patch
}
