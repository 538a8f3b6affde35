/**
 * Pure parts of the workshop kit: roster parsing, hub configuration, kernelspec with the memory limit,
 * progress record and board, idle-server selection, load-test statistics. No root, no hub needed
 * (except the RLIMIT_DATA check, which only needs util-linux prlimit).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it, vi } from "vitest";
import { parseRoster, accountNameProblem, RosterError } from "../../src/workshop/roster";
import { hubConfig, validateState, workshopPaths, type WorkshopState } from "../../src/workshop/config";
import { parseMemorySize, workshopKernelSpec, PRLIMIT } from "../../src/workshop/kernel-adapter";
import { readProgress, recordOutcome, PROGRESS_ENV } from "../../src/workshop/record";
import { boardHtml, boardText, buildBoard, labExercises } from "../../src/workshop/progress";
import { idleServers, type HubUserModel } from "../../src/workshop/cull";
import { percentile, summaryLine } from "../../src/workshop/load";
import { hubEnv } from "../../src/workshop/hub";
import { KernelConnection } from "../../src/workshop/client";
import { exercises, quiz, TODO } from "../../src/lab";

const ROOT = path.resolve(__dirname, "..", "..");

describe("roster", () => {
  it("reads names, skipping comments and blank lines", () => {
    expect(parseRoster("# May class\n\n alice \nbob\r\n_carol-2\n")).toEqual(["alice", "bob", "_carol-2"]);
  });
  it("lists every problem with line numbers: duplicates, invalid names, reserved names", () => {
    let err: unknown;
    try {
      parseRoster("alice\nAlice\n1bob\nalice\nroot\nal ice\n" + "x".repeat(33) + "\n", "learners.txt");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RosterError);
    expect(err).toBeInstanceOf(RangeError);
    const problems = (err as RosterError).problems;
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/line 2: "Alice" has upper-case/);
    expect(problems[1]).toMatch(/line 3: "1bob" must start with a lower-case letter/);
    expect(problems[2]).toMatch(/line 4: "alice" is a duplicate of line 1/);
    expect(problems[3]).toMatch(/line 5: "root" is a reserved system name/);
    expect(problems[4]).toMatch(/line 6: "al ice" contains white space/);
    expect(problems[5]).toMatch(/33 characters long/);
    expect((err as Error).message).toMatch(/^learners\.txt: 6 problems/);
  });
  it("refuses an empty roster (or one with only comments)", () => {
    expect(() => parseRoster("")).toThrow(/lists no learners/);
    expect(() => parseRoster("# nobody yet\n\n")).toThrow(/lists no learners/);
  });
  it("refuses non-strings and oversized rosters", () => {
    expect(() => parseRoster(42 as unknown as string)).toThrow(TypeError);
    expect(() => parseRoster(Array.from({ length: 501 }, (_, i) => `u${i}`).join("\n"))).toThrow(/at most 500/);
    expect(accountNameProblem("ok-name_1")).toBeUndefined();
    expect(accountNameProblem("bad/name")).toMatch(/may only contain/);
  });
});

const STATE: WorkshopState = {
  version: 1,
  kit: ROOT,
  learners: ["alice", "bob"],
  instructor: "teacher",
  idleTimeoutSeconds: 1800,
  cullEverySeconds: 60,
  memoryLimitBytes: 2 * 1024 ** 3,
  createdAt: "2026-05-04T10:00:00.000Z",
};

describe("hub configuration", () => {
  const paths = workshopPaths("/srv/class");
  const cfg = hubConfig(STATE, paths, { ip: "127.0.0.1", port: 8000, hubPort: 18081, proxyApiPort: 18001 }, "/usr/bin/node");

  it("uses PAM, the roster as allowed users, the instructor as the only admin", () => {
    expect(cfg).toContain('c.JupyterHub.authenticator_class = "pam"');
    expect(cfg).toContain('c.Authenticator.allowed_users = set(["alice","bob","teacher"])');
    expect(cfg).toContain('c.Authenticator.admin_users = set(["teacher"])');
  });
  it("spawns each learner's server as the learner through the kit's start script, with the kernelspec path", () => {
    expect(cfg).toContain('c.JupyterHub.spawner_class = "localprocess"');
    expect(cfg).toContain(`c.Spawner.cmd = ["/bin/sh", "${ROOT}/src/workshop/kit/learner-start.sh"]`);
    expect(cfg).toContain(`"JUPYTER_PATH": "/srv/class/public/share/jupyter"`);
    expect(cfg).toContain(`"EP_LAB_NODE": "/usr/bin/node"`);
    expect(fs.existsSync(path.join(ROOT, "src/workshop/kit/learner-start.sh"))).toBe(true);
  });
  it("binds the given address, keeps hub and proxy APIs on localhost, keeps state private", () => {
    expect(cfg).toContain('c.JupyterHub.ip = "127.0.0.1"');
    expect(cfg).toContain("c.JupyterHub.port = 8000");
    expect(cfg).toContain('c.JupyterHub.hub_ip = "127.0.0.1"');
    expect(cfg).toContain('c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:18001"');
    expect(cfg).toContain('"sqlite:////srv/class/private/jupyterhub.sqlite"');
    expect(cfg).toContain("c.JupyterHub.cleanup_servers = True");
    expect(cfg).not.toContain("ssl_cert");
    const tls = hubConfig(STATE, paths, { ip: "0.0.0.0", port: 443, hubPort: 18081, proxyApiPort: 18001, sslCert: "/etc/c.pem", sslKey: "/etc/k.pem" });
    expect(tls).toContain('c.JupyterHub.ssl_cert = "/etc/c.pem"');
    expect(tls).toContain('c.JupyterHub.ssl_key = "/etc/k.pem"');
  });
  it("runs the idle culler as a managed service with only the scopes it needs", () => {
    expect(cfg).toContain(`"command": ["/usr/bin/node","${ROOT}/bin/ep-lab.js","workshop","cull","--idle-timeout","1800","--every","60"]`);
    expect(cfg).toContain('"scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]');
  });
  it("is valid Python", () => {
    const py = spawnSync("/usr/bin/python3", ["-c", "import sys, ast; ast.parse(sys.stdin.read())"], { input: cfg, encoding: "utf8" });
    expect(py.stderr).toBe("");
    expect(py.status).toBe(0);
  });
  it("rejects bad settings naming them", () => {
    expect(() => hubConfig(STATE, paths, { ip: "127.0.0.1", port: 8000, hubPort: 8000, proxyApiPort: 8001 })).toThrow(/must differ/);
    expect(() => hubConfig(STATE, paths, { ip: "127.0.0.1", port: 70000, hubPort: 8081, proxyApiPort: 8001 })).toThrow(/port must be an integer port/);
    expect(() => hubConfig(STATE, paths, { ip: "evil\"; import os", port: 8000, hubPort: 8081, proxyApiPort: 8001 })).toThrow(/ip must be/);
    expect(() => hubConfig(STATE, paths, { ip: "127.0.0.1", port: 8000, hubPort: 8081, proxyApiPort: 8001, sslCert: "/c.pem" })).toThrow(/sslCert and sslKey/);
    expect(() => validateState({ ...STATE, instructor: "alice" })).toThrow(/must not also be a learner/);
    expect(() => validateState({ ...STATE, idleTimeoutSeconds: 10 })).toThrow(/idleTimeoutSeconds/);
    expect(() => validateState({ ...STATE, learners: ["alice", "alice"] })).toThrow(/repeat/);
    expect(() => validateState({ ...STATE, learnrs: [] })).toThrow(/unknown key "learnrs"/);
    expect(() => workshopPaths("relative/dir")).toThrow(TypeError);
  });
  it("gives JupyterHub Debian's Node module folders (for configurable-http-proxy)", () => {
    expect(hubEnv({ NODE_PATH: "/x" }).NODE_PATH).toBe("/usr/share/nodejs:/usr/lib/nodejs:/x");
  });
});

describe("kernelspec with the memory limit", () => {
  it("starts the project's tslab kernel under prlimit --data", () => {
    const spec = workshopKernelSpec(ROOT, 1536 * 1024 ** 2);
    expect(spec.argv.slice(0, 3)).toEqual([PRLIMIT, `--data=${1536 * 1024 ** 2}`, "--"]);
    expect(spec.argv).toContain(path.join(ROOT, "node_modules", "tslab", "bin", "tslab"));
    expect(spec.argv.slice(-3)).toEqual(["kernel", "--config-path", "{connection_file}"]);
  });
  it("parses sizes and rejects absurd ones", () => {
    expect(parseMemorySize("2G")).toBe(2 * 1024 ** 3);
    expect(parseMemorySize("1536M")).toBe(1536 * 1024 ** 2);
    expect(() => parseMemorySize("100M")).toThrow(/256 MiB/);
    expect(() => parseMemorySize("lots")).toThrow(/must look like/);
    expect(() => workshopKernelSpec(ROOT, 1.5e9 + 0.5)).toThrow(RangeError);
  });
  it.skipIf(!fs.existsSync(PRLIMIT))("the limit is enforced by Linux: node cannot allocate past it, and can below it", () => {
    const limit = 768 * 1024 ** 2;
    const prefix = workshopKernelSpec(ROOT, limit).argv.slice(0, 3);
    // allocUnsafe maps memory without touching it: the test needs no real RAM, RLIMIT_DATA still counts it.
    const alloc = (mb: number) =>
      spawnSync(prefix[0], [...prefix.slice(1), process.execPath, "-e", `const a=[];for(let i=0;i<${mb / 64};i++)a.push(Buffer.allocUnsafe(64*2**20));console.log("ok")`], { encoding: "utf8" });
    const small = alloc(256);
    expect(small.stdout.trim()).toBe("ok");
    const big = alloc(1024);
    expect(big.stdout.trim()).not.toBe("ok");
    expect(big.status !== 0 || /allocation failed/i.test(big.stderr)).toBe(true);
    expect(big.stderr).toMatch(/Array buffer allocation failed|out of memory|bad_alloc|Allocation failed/i);
  });
});

describe("progress record and board", () => {
  it("Exercise.check appends the outcome to the learner's record when EP_LAB_PROGRESS_FILE is set", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-progress-"));
    const file = path.join(dir, "ws", ".ep-lab", "progress.jsonl");
    const before = process.env[PROGRESS_ENV];
    process.env[PROGRESS_ENV] = file;
    try {
      expect(quiz.q1.check(TODO).outcome).toBe("not attempted");
      expect(quiz.q1.check(1).outcome).toBe("incorrect");
      expect(exercises.ex3.check(exercises.ex3.solutionAnswer()).outcome).toBe("correct");
    } finally {
      if (before === undefined) delete process.env[PROGRESS_ENV];
      else process.env[PROGRESS_ENV] = before;
    }
    const { entries, skipped } = readProgress(file);
    expect(skipped).toBe(0);
    expect(entries.map((e) => [e.exercise, e.outcome])).toEqual([["q1", "not attempted"], ["q1", "incorrect"], ["ex3", "correct"]]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Without the variable, nothing is written.
    expect(recordOutcome("ex1", "correct", {})).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it("skips malformed lines and rejects bad outcomes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-progress-"));
    const file = path.join(dir, "p.jsonl");
    fs.writeFileSync(file, '{"exercise":"ex1","outcome":"correct","time":"2026-05-04T10:00:00Z"}\nnot json\n{"exercise":"ex2","outcome":"maybe","time":"x"}\n');
    expect(readProgress(file)).toEqual({ entries: [{ exercise: "ex1", outcome: "correct", time: "2026-05-04T10:00:00Z" }], skipped: 2 });
    expect(readProgress(path.join(dir, "missing.jsonl"))).toEqual({ entries: [], skipped: 0 });
    expect(() => recordOutcome("ex1", "great" as "correct", {})).toThrow(RangeError);
    expect(() => recordOutcome("", "correct", {})).toThrow(TypeError);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it("builds learner × exercise with the latest outcome and per-exercise counts", () => {
    const t = (m: number) => new Date(Date.UTC(2026, 4, 4, 10, m)).toISOString();
    const board = buildBoard([
      { learner: "alice", entries: [{ exercise: "ex1", outcome: "incorrect", time: t(1) }, { exercise: "ex1", outcome: "correct", time: t(5) }, { exercise: "q2", outcome: "not attempted", time: t(6) }] },
      { learner: "bob", entries: [{ exercise: "ex1", outcome: "incorrect", time: t(3) }] },
      { learner: "carol", entries: [] },
    ], labExercises(), new Date(t(10)));
    expect(labExercises().map((e) => e.id)).toEqual(["ex1", "ex2", "ex3", "ex4", "q1", "q2", "q3", "q4", "q5", "bonus"]);
    expect(board.rows[0].latest.ex1.outcome).toBe("correct");
    expect(board.rows[1].latest.ex1.outcome).toBe("incorrect");
    expect(board.counts.ex1).toEqual({ correct: 1, incorrect: 1, "not attempted": 0, "no check": 1 });
    expect(board.counts.q2["not attempted"]).toBe(1);
    const text = boardText(board).split("\n");
    expect(text[0]).toMatch(/^learner\s+ex1 ex2 ex3 ex4 q1\s+q2\s+q3\s+q4\s+q5\s+bonus/);
    expect(text[2]).toMatch(/^alice\s+✓\s+·/);
    expect(text[3]).toMatch(/^bob\s+✗/);
    expect(text[4]).toMatch(/^carol\s+—?/);
    const html = boardHtml(board);
    expect(html).toContain('<tr data-learner="alice"><th>alice</th><td class="ok" data-exercise="ex1" data-outcome="correct"');
    expect(html).toMatch(/<tr data-exercise="ex1"><th>ex1<\/th><td>[^<]+<\/td><td data-outcome="correct">1<\/td><td data-outcome="incorrect">1<\/td>/);
    expect(html).not.toContain("<script");
    expect(() => buildBoard([{ learner: "a", entries: [] }, { learner: "a", entries: [] }])).toThrow(/twice/);
  });
  it("escapes names in the HTML page", () => {
    const html = boardHtml(buildBoard([{ learner: "<b>x</b>", entries: [] }]));
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(html).not.toContain("<b>x</b>");
  });
});

describe("idle culling", () => {
  const now = new Date("2026-05-04T12:00:00Z");
  it("picks ready servers idle longer than the threshold, skips pending ones", () => {
    const users: HubUserModel[] = [
      { name: "a", servers: { "": { ready: true, last_activity: "2026-05-04T10:00:00Z" } } },
      { name: "b", servers: { "": { ready: true, last_activity: "2026-05-04T11:59:00.000000Z" } } },
      { name: "c", servers: { "": { ready: false, pending: "spawn", last_activity: "2026-05-04T09:00:00Z" } } },
      { name: "d", servers: {} },
      { name: "e", servers: { "": { ready: true, last_activity: null, started: "2026-05-04T11:00:00Z" } } },
    ];
    expect(idleServers(users, 1800, now)).toEqual([{ user: "a", server: "", idleSeconds: 7200 }, { user: "e", server: "", idleSeconds: 3600 }]);
    expect(idleServers(users, 30, now).map((s) => s.user)).toEqual(["a", "b", "e"]);
    expect(() => idleServers(users, -1, now)).toThrow(RangeError);
    expect(() => idleServers({} as never, 10, now)).toThrow(TypeError);
  });
});

describe("load-test statistics", () => {
  it("nearest-rank percentiles and the one-line summary", () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95)).toBe(19);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(summaryLine({ learners: 12, failedCells: 0, firstOutputP95S: 9.14, wholeLabP95S: 140.26, peakPerLearnerMB: 519.6 })).toBe(
      "12 learners, 0 failed cells, first output p95 9.1 s, whole lab p95 140.3 s, peak 520 MB per learner",
    );
  });
});

describe("without root", () => {
  const canDrop = typeof process.getuid === "function" && process.getuid() === 0 && fs.existsSync("/usr/sbin/runuser");
  it.skipIf(!canDrop)("init and start refuse a multi-learner hub and say why (run as the unprivileged account nobody)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-noroot-"));
    fs.chmodSync(dir, 0o777);
    fs.writeFileSync(path.join(dir, "roster.txt"), "eplabtest-nr\n");
    for (const sub of [["init", "--roster", path.join(dir, "roster.txt")], ["start"]]) {
      const r = spawnSync("/usr/sbin/runuser", ["-u", "nobody", "--", process.execPath, path.join(ROOT, "bin", "ep-lab.js"), "workshop", ...sub, "--state", path.join(dir, "state")], { encoding: "utf8", timeout: 120_000 });
      expect(r.status, sub[0]).toBe(1);
      expect(r.stderr, sub[0]).toMatch(new RegExp(`^ep-lab workshop ${sub[0]}: a multi-learner workshop needs root: .*setuid.*use \`npm start\``));
    }
    expect(fs.existsSync(path.join(dir, "state"))).toBe(false);
    expect(spawnSync("getent", ["passwd", "eplabtest-nr"]).status).not.toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});

describe("KernelConnection.ready: both channels answer before the first cell", () => {
  /** A fake notebook-server WebSocket whose kernel loses iopub messages until `joinAfter` requests have arrived. */
  function fakeKernel(joinAfter: number) {
    let onMsg: (d: string) => void = () => {};
    let requests = 0;
    const ws = {
      send(text: string) {
        const m = JSON.parse(text);
        if (m.header.msg_type !== "kernel_info_request") return;
        requests++;
        const parent = { msg_id: m.header.msg_id };
        const reply = (msg_type: string, channel: string) =>
          setTimeout(() => onMsg(JSON.stringify({ header: { msg_id: `${msg_type}-${requests}`, msg_type }, parent_header: parent, content: {}, channel })), 1);
        reply("kernel_info_reply", "shell");
        if (requests > joinAfter) reply("status", "iopub"); // before that, the subscriber has not joined: status lost
      },
      close() {},
      onMessage(h: (d: string | Buffer) => void) {
        onMsg = h as (d: string) => void;
      },
      onClose() {},
    };
    return { ws, requests: () => requests };
  }

  it("keeps asking until a kernel_info request gets its reply and its iopub status", async () => {
    vi.useFakeTimers(); // resends at exact times, whatever the machine's load
    try {
      const k = fakeKernel(2);
      const conn = new KernelConnection(k.ws, "s", "k", "alice");
      const p = conn.ready(5000, 20);
      await vi.advanceTimersByTimeAsync(100);
      await expect(p).resolves.toBeGreaterThanOrEqual(0);
      expect(k.requests()).toBe(3); // the first two lose their iopub status; the third gets both answers
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects at once on a closed connection and sends nothing afterwards", async () => {
    let sent = 0;
    const ws = { send: () => void sent++, close() {}, onMessage() {}, onClose: (h: (r: string) => void) => h("server went away") };
    const conn = new KernelConnection(ws, "s", "k", "carol");
    vi.useFakeTimers();
    try {
      const p = conn.ready(5000, 10);
      expect(vi.getTimerCount()).toBe(0); // neither the deadline nor a resend interval is left running
      await expect(p).rejects.toThrow(/carol's kernel connection closed: server went away/);
    } finally {
      vi.useRealTimers();
    }
    expect(sent).toBe(0);
  });

  it("gives up with the user's name when iopub never answers", async () => {
    // Fake timers: on a loaded machine real 20 ms intervals can fire late, so a wall-clock count of resends is flaky.
    vi.useFakeTimers();
    try {
      const k = fakeKernel(Infinity);
      const conn = new KernelConnection(k.ws, "s", "k", "bob");
      const p = conn.ready(120, 20);
      const settled = expect(p).rejects.toThrow(/bob's kernel did not answer kernel_info_request on shell and iopub within 120 ms/);
      await vi.advanceTimersByTimeAsync(120);
      await settled;
      expect(k.requests()).toBe(6); // at 0, 20, 40, 60, 80 and 100 ms; the deadline at 120 ms ends it before a seventh
      expect(vi.getTimerCount()).toBe(0); // neither the deadline nor the resend interval is left behind
    } finally {
      vi.useRealTimers();
    }
  });
});
