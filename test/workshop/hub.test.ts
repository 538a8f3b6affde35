/**
 * The workshop on Debian's JupyterHub, end to end (needs root and `apt-get install jupyterhub`; skipped with a
 * message otherwise): bad rosters change nothing; `init` creates two learners and an instructor; both learners
 * log in in headless Chromium, open Lab 3.1 in their own workspace and run the setup cells and a quiz check;
 * learner A cannot open B's server or read B's files; the memory limit ends an oversized allocation; the
 * progress board shows each learner's check; a token with the culler's scopes stops idle servers; `stop`
 * leaves no hub, proxy, server or kernel process; `remove` deletes the test accounts.
 * Test accounts: eplabtest-a, eplabtest-b, eplabtest-i (created and removed here).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { groupMembers, isRoot, lookupAccount, removeAccount, WORKSHOP_GROUP } from "../../src/workshop/accounts";
import { HubLearner } from "../../src/workshop/client";
import { CULLER_SERVICE, workshopPaths } from "../../src/workshop/config";
import { cullOnce } from "../../src/workshop/cull";
import { hubMissing, initWorkshop, readCredentials, removeWorkshop, startHub, stopHub, workshopProcesses, type StartedHub } from "../../src/workshop/hub";
import { boardFromFiles, learnerRecordFile } from "../../src/workshop/progress";
import { pidAlive, processesOfUids, processTable } from "../../src/workshop/procs";
import { main } from "../../src/cli/main";

const CHROMIUM = "/usr/bin/chromium";
const LAB = "lab3.1-expert-parallelism-foundations.ipynb";
const A = "eplabtest-a";
const B = "eplabtest-b";
const I = "eplabtest-i";
const skipReason = !isRoot()
  ? "not root (the workshop creates Linux accounts)"
  : hubMissing() ?? (!fs.existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium)` : null);
if (skipReason) console.warn(`skipping the JupyterHub workshop test: ${skipReason}`);

type NotebookWindow = Window & {
  Jupyter?: {
    notebook?: {
      kernel?: { is_connected(): boolean; name?: string } | null;
      get_cells(): { cell_type: string; input_prompt_number?: number | string | null; get_text(): string; set_text(t: string): void }[];
      execute_cells(indices: number[]): void;
    };
  };
};

function testAccountsLeft(): string[] {
  return [A, B, I, "eplabtest-x"].filter((n) => lookupAccount(n) !== undefined);
}

describe.skipIf(skipReason !== null)("workshop on JupyterHub (two learners)", () => {
  let dir: string;
  let stateDir: string;
  let hub: StartedHub;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages = new Map<string, Page>();
  let creds: Map<string, string>;

  beforeAll(() => {
    // Leftovers of an interrupted earlier run (only workshop-group accounts are ever removed).
    const members = groupMembers(WORKSHOP_GROUP);
    for (const n of [A, B, I, "eplabtest-x"]) if (members.includes(n)) removeAccount(n);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-workshop-test-"));
    fs.chmodSync(dir, 0o755);
    stateDir = path.join(dir, "state");
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (fs.existsSync(workshopPaths(stateDir).stateFile)) await removeWorkshop({ stateDir }).catch(() => undefined);
    for (const n of [A, B, I, "eplabtest-x"]) if (groupMembers(WORKSHOP_GROUP).includes(n)) removeAccount(n);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("bad rosters get a clear error and change nothing", async () => {
    const cases: [string, string, RegExp][] = [
      ["dupes.txt", `eplabtest-x\n${A}\n${A}\n`, /line 3: "eplabtest-a" is a duplicate of line 2/],
      ["invalid.txt", "eplabtest-x\nBad.Name\n9lives\n", /"Bad\.Name" has upper-case letters[\s\S]*"9lives" must start with a lower-case letter/],
      ["empty.txt", "", /lists no learners/],
      ["comments.txt", "# nobody\n\n", /lists no learners/],
    ];
    if (lookupAccount("_apt")) cases.push(["existing.txt", "eplabtest-x\n_apt\n", /account "_apt" already exists and was not created by ep-lab workshop/]);
    for (const [name, text, message] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      expect(() => initWorkshop({ roster: file, instructor: I, stateDir }), name).toThrow(message);
      // The same through the command line: exit code 2 and the message.
      const out = await cli(["workshop", "init", "--roster", file, "--instructor", I, "--state", stateDir]);
      expect(out.result, name).toBe(2);
      expect(out.stderr, name).toMatch(message);
      expect(testAccountsLeft(), name).toEqual([]);
      expect(fs.existsSync(stateDir), name).toBe(false);
    }
    expect(() => initWorkshop({ roster: path.join(dir, "missing.txt"), stateDir })).toThrow(/cannot be read/);
    expect(() => initWorkshop({ roster: path.join(dir, "dupes.txt"), stateDir, instructer: "x" } as never)).toThrow(/unknown key "instructer"/);
    expect(testAccountsLeft()).toEqual([]);
  });

  it("init creates one account per learner and the instructor: private homes, root-only credentials", () => {
    const roster = path.join(dir, "roster.txt");
    fs.writeFileSync(roster, `# test class\n${A}\n${B}\n`);
    const r = initWorkshop({ roster, instructor: I, stateDir, idleTimeoutSeconds: 600 });
    expect(r.created.sort()).toEqual([A, B, I]);
    for (const n of [A, B, I]) {
      const acct = lookupAccount(n)!;
      const st = fs.statSync(acct.home);
      expect(st.mode & 0o777, n).toBe(0o700);
      expect(st.uid, n).toBe(acct.uid);
    }
    const cf = fs.statSync(r.paths.credentialsFile);
    expect(cf.mode & 0o777).toBe(0o600);
    expect(cf.uid).toBe(0);
    expect(fs.statSync(r.paths.privateDir).mode & 0o777).toBe(0o700);
    creds = readCredentials(r.paths.credentialsFile);
    expect([...creds.keys()].sort()).toEqual([A, B, I]);
    expect(new Set(creds.values()).size).toBe(3);
    for (const pw of creds.values()) expect(pw).toMatch(/^[A-Za-z2-9]{16}$/);
    const spec = JSON.parse(fs.readFileSync(path.join(r.paths.jupyterPath, "kernels", "tslab", "kernel.json"), "utf8"));
    expect(spec.argv.slice(0, 2)).toEqual(["/usr/bin/prlimit", `--data=${2 * 1024 ** 3}`]);
  }, 300_000); // init rebuilds the library (dist/) when src/ changed since the last build

  it("both learners log in in Chromium, open Lab 3.1 in their own workspace, run the setup cells and check a quiz answer", async () => {
    hub = await startHub({ stateDir, port: await freePort() });
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    const answers: Record<string, [string, RegExp]> = { [A]: ["quiz.q1.check(2 * 37e9)", /— CORRECT/], [B]: ["quiz.q1.check(1)", /— INCORRECT/] };
    await Promise.all(
      [A, B].map(async (name) => {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        contexts.push(ctx);
        const page = await ctx.newPage();
        pages.set(name, page);
        await page.goto(`${hub.url}hub/login`, { waitUntil: "domcontentloaded", timeout: 120_000 });
        await page.fill("#username_input", name);
        await page.fill("#password_input", creds.get(name)!);
        await Promise.all([page.waitForNavigation({ waitUntil: "domcontentloaded", timeout: 180_000 }).catch(() => undefined), page.click("#login_submit")]);
        await page.waitForURL(new RegExp(`/user/${name}/tree`), { timeout: 180_000 });
        // The workspace is the learner's own copy of the labs.
        await page.locator("#notebook_list .item_link", { hasText: LAB }).waitFor({ timeout: 60_000 });
        await page.goto(`${hub.url}user/${name}/notebooks/${LAB}`, { waitUntil: "domcontentloaded", timeout: 180_000 });
        await page.waitForFunction(() => {
          const nb = (window as NotebookWindow).Jupyter?.notebook;
          return !!nb && !!nb.kernel && nb.kernel.is_connected();
        }, undefined, { timeout: 240_000 });
        expect(await page.evaluate(() => (window as NotebookWindow).Jupyter!.notebook!.kernel!.name)).toBe("tslab");
        // The two setup cells, then the q1 check cell with this learner's answer.
        const idx = await page.evaluate((answer: string) => {
          const cells = (window as NotebookWindow).Jupyter!.notebook!.get_cells();
          const code = cells.map((c, i) => [c, i] as const).filter(([c]) => c.cell_type === "code");
          const q1 = code.find(([c]) => c.get_text().startsWith("quiz.q1.check("))![1];
          cells[q1].set_text(answer);
          return [code[0][1], code[1][1], q1];
        }, answers[name][0]);
        await page.evaluate((ix: number[]) => (window as NotebookWindow).Jupyter!.notebook!.execute_cells(ix), idx);
        await page.waitForFunction((ix: number[]) => {
          const cells = (window as NotebookWindow).Jupyter!.notebook!.get_cells();
          return ix.every((i) => typeof cells[i].input_prompt_number === "number") && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
        }, idx, { timeout: 300_000, polling: 500 });
        expect(await page.locator(".output_area .output_error").count(), name).toBe(0);
        expect(await page.locator(".output_area").filter({ hasText: "Library loaded:" }).count(), name).toBe(1);
        expect(await page.locator(".output_area").filter({ hasText: answers[name][1] }).count(), name).toBe(1);
      }),
    );
    // Each learner's server and kernel run as that learner.
    for (const name of [A, B]) {
      const uid = lookupAccount(name)!.uid;
      const cmds = processTable().filter((p) => p.uid === uid).map((p) => p.command);
      expect(cmds.some((c) => c.includes("jupyterhub-singleuser")), name).toBe(true);
      expect(cmds.some((c) => c.includes("tslab") && c.includes("kernel")), name).toBe(true);
    }
  }, 600_000);

  it("learner A cannot open B's server or read B's files; only the instructor is admin", async () => {
    const page = pages.get(A)!;
    const res = await page.goto(`${hub.url}user/${B}/tree`, { waitUntil: "domcontentloaded", timeout: 120_000 });
    // Refused (JupyterHub 3.0 answers 403 or 404 depending on the route); no file list of B's is shown.
    expect([403, 404]).toContain(res?.status());
    expect(await page.locator("#notebook_list").count()).toBe(0);
    expect(await page.content()).not.toContain(LAB);
    const a = new HubLearner(hub.url, A);
    await a.login(creds.get(A)!);
    expect((await a.request(`${hub.url}user/${B}/api/contents`)).status).toBe(403);
    expect((await a.request(`${hub.url}user/${A}/api/contents`)).status).toBe(200);
    expect((await a.request(`${hub.url}hub/api/users`)).status).toBe(403);
    // In A's own kernel (the notebook's session), B's home is closed; A's own workspace is open.
    const kernel = await a.openNotebook(LAB);
    const own = await kernel.execute(`import * as fsA from "fs";\nfsA.readdirSync("/home/${A}/ep-lab").includes("${LAB}")`, 120_000);
    expect(own.status, own.error).toBe("ok");
    expect(own.text.trim()).toBe("true");
    const other = await kernel.execute(`fsA.readFileSync("/home/${B}/ep-lab/${LAB}", "utf8").length`, 120_000);
    expect(other.status).toBe("error");
    expect(other.error).toMatch(/EACCES/);
    kernel.close();
    expect(fs.statSync(`/home/${B}`).mode & 0o077).toBe(0);
    const i = new HubLearner(hub.url, I);
    await i.login(creds.get(I)!);
    const users = (await (await i.request(`${hub.url}hub/api/users`)).json()) as { name: string; admin: boolean }[];
    expect(users.filter((u) => u.admin).map((u) => u.name)).toEqual([I]);
  }, 300_000);

  it("a learner kernel cannot allocate past the memory limit (RLIMIT_DATA through prlimit)", async () => {
    const a = new HubLearner(hub.url, A);
    await a.login(creds.get(A)!);
    const kernel = await a.openNotebook("00-setup-check.ipynb");
    const limit = await kernel.execute(`import * as fsM from "fs";\n/^Max data size\\s+(\\d+)/m.exec(fsM.readFileSync("/proc/self/limits", "utf8"))![1]`, 240_000);
    expect(limit.status, limit.error).toBe("ok");
    expect(limit.text.trim()).toBe(String(2 * 1024 ** 3));
    // 4 GiB of untouched buffers: refused by the Linux kernel at the limit, so no real memory is used.
    const big = await kernel.execute(`{ const big: Buffer[] = []; for (let i = 0; i < 64; i++) big.push(Buffer.allocUnsafe(64 * 2 ** 20)); big.length }`, 120_000);
    expect(big.status).not.toBe("ok");
    if (big.status === "error") expect(big.error).toMatch(/allocation failed|out of memory/i);
    kernel.close();
  }, 300_000);

  it("the progress board shows each learner's checked exercise", async () => {
    const board = boardFromFiles([A, B].map((n) => ({ learner: n, file: learnerRecordFile(lookupAccount(n)!.home) })));
    expect(board.rows.find((r) => r.learner === A)!.latest.q1.outcome).toBe("correct");
    expect(board.rows.find((r) => r.learner === B)!.latest.q1.outcome).toBe("incorrect");
    const rec = fs.statSync(learnerRecordFile(lookupAccount(A)!.home));
    expect(rec.uid).toBe(lookupAccount(A)!.uid);
    expect(rec.mode & 0o077).toBe(0);
    const html = path.join(dir, "board.html");
    const out = await cli(["workshop", "progress", "--state", stateDir, "--html", html]);
    expect(out.result).toBe(0);
    const lines = out.stdout.split("\n");
    const q1Column = lines[0].indexOf(" q1 ") + 1;
    expect(q1Column).toBeGreaterThan(0);
    expect(lines.find((l) => l.startsWith(A))![q1Column]).toBe("✓");
    expect(lines.find((l) => l.startsWith(B))![q1Column]).toBe("✗");
    const page = fs.readFileSync(html, "utf8");
    expect(page).toMatch(new RegExp(`data-learner="${A}">.*data-exercise="q1" data-outcome="correct"`));
    expect(page).toMatch(new RegExp(`data-learner="${B}">.*data-exercise="q1" data-outcome="incorrect"`));
    expect(page).toMatch(/<tr data-exercise="q1"><th>q1<\/th><td>[^<]*<\/td><td data-outcome="correct">1<\/td><td data-outcome="incorrect">1<\/td>/);
  }, 120_000);

  it("the idle culler runs as a hub service, and a token with only its scopes stops idle servers", async () => {
    const procs = workshopProcesses(workshopPaths(stateDir));
    expect(procs.some((p) => p.command.includes("workshop cull --idle-timeout 600"))).toBe(true);
    const i = new HubLearner(hub.url, I);
    await i.login(creds.get(I)!);
    const services = (await (await i.request(`${hub.url}hub/api/services`)).json()) as Record<string, unknown>;
    expect(Object.keys(services)).toContain(CULLER_SERVICE);
    const res = await i.request(`${hub.url}hub/api/users/${I}/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scopes: ["list:users", "read:users:activity", "read:servers", "delete:servers"], note: "culler scopes test" }),
    });
    expect(res.status).toBe(201);
    const token = ((await res.json()) as { token: string }).token;
    const stopped = await cullOnce({ apiUrl: `${hub.url}hub/api`, token, idleTimeoutSeconds: 0 });
    expect(stopped.map((s) => s.user).sort()).toEqual([A, B]);
    for (const name of [A, B]) {
      const deadline = Date.now() + 60_000;
      let running = true;
      while (running && Date.now() < deadline) {
        const u = (await (await i.request(`${hub.url}hub/api/users/${name}`)).json()) as { servers: Record<string, unknown> };
        running = Object.keys(u.servers ?? {}).length > 0;
        if (running) await new Promise((r) => setTimeout(r, 500));
      }
      expect(running, name).toBe(false);
    }
    // Servers stop again from here on: start A's once more so `stop` has a server and a kernel to end.
    const a = new HubLearner(hub.url, A);
    await a.login(creds.get(A)!);
    await a.startServer();
    const k = await a.openNotebook("00-setup-check.ipynb");
    expect((await k.execute("1 + 1", 240_000)).text.trim()).toBe("2");
    k.close();
  }, 400_000);

  it("workshop stop leaves no hub, proxy, server or kernel process", async () => {
    for (const c of contexts.splice(0)) await c.close();
    const paths = workshopPaths(stateDir);
    const before = workshopProcesses(paths);
    expect(before.some((p) => p.role === "hub")).toBe(true);
    expect(before.some((p) => p.command.includes("configurable-http-proxy"))).toBe(true);
    expect(before.some((p) => p.command.includes("tslab"))).toBe(true);
    const out = await cli(["workshop", "stop", "--state", stateDir]);
    expect(out.result).toBe(0);
    expect(workshopProcesses(paths)).toEqual([]);
    for (const p of before) expect(pidAlive(p.pid), `${p.pid} ${p.command}`).toBe(false);
    for (const n of [A, B, I]) expect(processesOfUids([lookupAccount(n)!.uid]), n).toEqual([]);
  }, 120_000);

  it("workshop remove deletes the workshop's accounts, their homes and the state", async () => {
    const homes = [A, B, I].map((n) => lookupAccount(n)!.home);
    const out = await cli(["workshop", "remove", "--state", stateDir]);
    expect(out.result).toBe(0);
    expect(testAccountsLeft()).toEqual([]);
    for (const h of homes) expect(fs.existsSync(h)).toBe(false);
    expect(fs.existsSync(stateDir)).toBe(false);
  }, 120_000);
});

async function freePort(): Promise<number> {
  const net = await import("net");
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** Run `ep-lab …` in process, capturing what it prints. */
async function cli(argv: string[]): Promise<{ result: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    const result = await main(argv);
    return { result, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
