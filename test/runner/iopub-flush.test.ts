/**
 * The kernel preload src/runner/iopub-flush.js makes every zeromq socket bind synchronously. With zeromq.js's own
 * asynchronous bind a socket is "blocked" until the bind's completion callback runs, and a receive or send in that
 * window throws EBUSY; a client's kernel_info_request queued before the kernel started can land there and leave
 * tslab's shell loop dead (a kernel that never becomes ready).
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "../..");
const script = path.join(__dirname, "fixtures", "bind-check.js");
const preload = path.join(root, "src", "runner", "iopub-flush.js");

function run(nodeArgs: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync(process.execPath, [...nodeArgs, script], { cwd: root, encoding: "utf8", timeout: 30_000 }));
}

describe("iopub-flush.js preload: sockets bind without a blocked window", () => {
  it("without it, a Router or Reply socket right after bind() throws EBUSY (the race the preload removes)", () => {
    const out = run([]);
    expect(out.Router).toBe("EBUSY");
    expect(out.Reply).toBe("EBUSY");
  });

  it("with it, Router, Reply and Publisher are usable at once, bound to their endpoint, and a bad address still rejects", () => {
    const out = run(["--require", preload]);
    expect(out).toEqual({
      Router: "open",
      RouterEndpoint: true,
      Publisher: "open",
      PublisherEndpoint: true,
      Reply: "open",
      ReplyEndpoint: true,
      badAddress: "EPROTONOSUPPORT",
    });
  });

  it("a second copy of it (another path, so Node runs it again on the same zeromq) patches once and still binds", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-preload-"));
    try {
      const copy = path.join(dir, "iopub-flush.js");
      fs.copyFileSync(preload, copy);
      const out = run(["--require", preload, "--require", copy]);
      expect(out).toMatchObject({ Router: "open", RouterEndpoint: true, Publisher: "open", Reply: "open", badAddress: "EPROTONOSUPPORT" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
