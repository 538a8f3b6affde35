/**
 * Every command README.md shows, and every example on an `ep-lab … --help` page, runs and exits 0.
 *
 * Commands are taken from README's ```sh blocks and from inline code spans that start with `npm `, `npx ep-lab`,
 * `ep-lab ` or `node bin/ep-lab.js`. They run in bash from a scratch folder inside the checkout, with `ep-lab` and
 * `npx ep-lab` on PATH meaning `node bin/ep-lab.js` (the real `npx` resolves the same bin but may contact the
 * registry first). Some are run in a bounded or redirected way, and a few are not run here; `plan()` says which and
 * why, and the last test prints that list:
 * - `npm ci` (would reinstall node_modules under the running suite) and `npm test` (this suite) are run by .ci/run;
 * - system installs (`sudo apt-get`, `pip`) are not run;
 * - `npm start` / `ep-lab start` run until Jupyter is up, then get Ctrl-C (skipped without Jupyter);
 * - `npm run build:watch` runs until its first compile finishes, then gets Ctrl-C;
 * - `npm run bench` runs one case (`--filter eplb/hierarchical`); `ep-lab figures` writes to a scratch `--out`;
 * - `kernel install` writes into scratch folders (user data dir, a fake Python's sys.prefix, the --prefix DIR);
 * - `ep-lab reset` gets `--dir <scratch workspace>`;
 * - `ep-lab workshop …` (needs root and a hub) is not run here: test/workshop runs it; a bare `ep-lab plan` or
 *   `ep-lab labs` named in prose runs as `--help`;
 * - a synopsis with placeholders (`FILE.json`, `[--out DIR]`, `…`) runs as `<command> --help`.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { findJupyter } from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "ep-lab.js");
const SCRATCH = path.join(ROOT, "build", "readme-test");
fs.rmSync(SCRATCH, { recursive: true, force: true });
fs.mkdirSync(path.join(SCRATCH, "bin"), { recursive: true });
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

// `ep-lab` and `npx ep-lab` → this checkout's bin; any other npx call goes to the real one.
const realNpx = spawnSync("bash", ["-lc", "command -v npx"], { encoding: "utf8" }).stdout.trim() || "npx";
fs.writeFileSync(path.join(SCRATCH, "bin", "ep-lab"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
fs.writeFileSync(
  path.join(SCRATCH, "bin", "npx"),
  `#!/bin/sh\nif [ "$1" = "ep-lab" ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\nexec "${realNpx}" "$@"\n`,
  { mode: 0o755 },
);
// A stand-in Python for `kernel install --sys-prefix`: its sys.prefix is a scratch folder.
const fakePrefix = path.join(SCRATCH, "sys-prefix");
fs.writeFileSync(path.join(SCRATCH, "bin", "python3-fake"), `#!/bin/sh\necho "${fakePrefix}"\n`, { mode: 0o755 });
fs.writeFileSync(path.join(SCRATCH, "bin", "jupyter"), `#!${path.join(SCRATCH, "bin", "python3-fake")}\n`, { mode: 0o755 });

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${path.join(SCRATCH, "bin")}${path.delimiter}${process.env.PATH ?? ""}`,
  JUPYTER_DATA_DIR: path.join(SCRATCH, "user-data"), // kernel install --user
  BROWSER: "true", // npm start without --no-browser: "open" the URL with a no-op
  NO_COLOR: "1",
};

/** A command as shown, and where. */
interface Shown {
  command: string;
  where: string;
}

/** What the test does with a command. */
type Plan =
  | { kind: "run"; command: string; note?: string; timeoutMs?: number }
  | { kind: "bounded"; command: string; until: RegExp; note: string; needsJupyter?: boolean }
  | { kind: "skip"; reason: string };

/** README commands: lines of ```sh blocks, and inline spans that start like a command. */
function readmeCommands(): Shown[] {
  const text = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const out: Shown[] = [];
  const lines = text.split("\n");
  let inSh = false;
  lines.forEach((line, i) => {
    if (/^```sh\s*$/.test(line)) return void (inSh = true);
    if (/^```/.test(line)) return void (inSh = false);
    if (inSh) {
      const cmd = line.replace(/\s+#.*$/, "").trim();
      if (cmd && !cmd.startsWith("#")) out.push({ command: cmd, where: `README.md:${i + 1} (sh block)` });
      return;
    }
    for (const m of line.matchAll(/`([^`]+)`/g)) {
      const span = m[1].replace(/\\\|/g, "|").trim();
      if (/^(npm (ci|test|start|run)\b|npx ep-lab\b|ep-lab\b|node bin\/ep-lab\.js\b)/.test(span) && span !== "ep-lab") {
        out.push({ command: span, where: `README.md:${i + 1}` });
      }
    }
  });
  return out;
}

/** The subcommands `ep-lab --help` lists. */
function subcommands(): string[] {
  const r = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return [...r.stdout.matchAll(/^  (\w+)\s{2,}/gm)].map((m) => m[1]);
}

/** Example lines of one `--help` page (after "Example:", "Examples:" or "example:"). */
function helpExamples(page: string): string[] {
  const out: string[] = [];
  const lines = page.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*examples?:\s*(.*)$/i.exec(lines[i]);
    if (!m) continue;
    if (m[1].trim()) out.push(m[1].trim());
    for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]); j++) out.push(lines[j].trim());
  }
  return out;
}

const isSynopsis = (c: string) => /…|\[|<|\bFILE\b|\bFILE\.json\b|\bDIR\b|(--\S+ [A-Z](\s|$))/.test(c);

function plan(command: string): Plan {
  const c = command.trim();
  if (/^(sudo |apt-get |pip |python3? -m pip )/.test(c)) return { kind: "skip", reason: "installs system packages" };
  if (/^(echo|printf) /.test(c)) return { kind: "run", command: c }; // e.g. writes the --help example's input file
  if (/^npm ci\b/.test(c)) return { kind: "skip", reason: "reinstalls node_modules under the running suite; .ci/run runs `npm ci` before the tests" };
  if (/^npm test\b/.test(c)) return { kind: "skip", reason: "is the suite this test belongs to" };
  if (/--help\b/.test(c)) return { kind: "run", command: c };
  if (/^(npm start|(npx )?ep-lab start|node bin\/ep-lab\.js start)\b/.test(c)) {
    if (isSynopsis(c)) return { kind: "run", command: `${c.replace(/\s.*$/, "")} ${c.startsWith("npm") ? "-- " : "start "}--help`.replace("ep-lab --help", "ep-lab start --help") };
    return { kind: "bounded", command: c, until: /is running with the TypeScript \(tslab\) kernel/, note: "runs until Jupyter is up, then Ctrl-C", needsJupyter: true };
  }
  if (/build:watch|build --watch/.test(c)) return { kind: "bounded", command: c, until: /Found 0 errors/, note: "runs until the first compile, then Ctrl-C" };
  if (/^npm run bench(\s|$)/.test(c)) return { kind: "run", command: `npm run bench -- --filter eplb/hierarchical --out ${path.join(SCRATCH, "bench.json")}`, note: "one case (--filter)" };
  if (/^npm run figures(\s|$)/.test(c)) return { kind: "run", command: `npm run figures -- --out ${path.join(SCRATCH, "figures")}`, note: "into a scratch --out" };
  const epl = /^(?:npx ep-lab|ep-lab|node bin\/ep-lab\.js)\s+(.*)$/.exec(c);
  if (epl) {
    const rest = epl[1];
    // A command named in prose (`ep-lab plan`, `ep-lab plan lint`, `ep-lab labs`): its --help page.
    if (/^(plan|plan lint|plan dry-run|labs|workshop)$/.test(rest)) return { kind: "run", command: `ep-lab ${rest} --help`, note: "a mention in prose: runs --help" };
    if (/^workshop\s/.test(rest)) return { kind: "skip", reason: "needs root, Debian's JupyterHub and a running hub; test/workshop runs the workshop commands" };
    if (isSynopsis(rest)) return { kind: "run", command: `ep-lab ${rest.split(/\s+/).filter((w) => /^[a-z]/.test(w)).slice(0, 2).filter((w, i) => i === 0 || ["decode", "alltoall", "sweep", "install", "doctor"].includes(w)).join(" ")} --help`, note: "synopsis: runs --help" };
    if (/^figures\b/.test(rest)) return { kind: "run", command: `ep-lab ${rest} --out ${path.join(SCRATCH, "figures")}`, note: "into a scratch --out" };
    if (/^bench(\s|$)/.test(rest)) return { kind: "run", command: `ep-lab bench --filter eplb/hierarchical --out ${path.join(SCRATCH, "bench.json")}`, note: "one case (--filter)" };
    if (/^reset\b/.test(rest)) return { kind: "run", command: `ep-lab ${rest} --dir ${path.join(SCRATCH, "workspace")}`, note: "into a scratch --dir" };
    if (/^kernel install .*--prefix\s+\S+/.test(rest)) return { kind: "run", command: `ep-lab ${rest.replace(/--prefix\s+\S+/, `--prefix ${path.join(SCRATCH, "prefix")}`)}`, note: "into a scratch --prefix" };
    if (/^kernel install\b/.test(rest)) return { kind: "run", command: `ep-lab ${rest}`, note: "into scratch data folders" };
    if (/^labs\b/.test(rest)) return { kind: "run", command: `ep-lab ${rest}`, timeoutMs: 600_000 };
    return { kind: "run", command: `ep-lab ${rest}` };
  }
  if (/^npm run labs\b/.test(c)) return { kind: "run", command: c, timeoutMs: 600_000 };
  if (/^npm (run|start)\b/.test(c)) return { kind: "run", command: c };
  throw new Error(`no plan for ${JSON.stringify(c)}: teach test/cli/readme.test.ts how to run it`);
}

function runShell(command: string, timeoutMs = 240_000): { status: number | null; output: string } {
  const r = spawnSync("bash", ["-c", command], { cwd: SCRATCH, env: ENV, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** Start a long-running command, wait for `until` in its output, send SIGINT to its process group, expect exit 0. */
function runBounded(command: string, until: RegExp, timeoutMs = 180_000): Promise<{ status: number | null; signal: NodeJS.Signals | null; output: string; reached: boolean }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", `exec ${command}`], { cwd: SCRATCH, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let reached = false;
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, timeoutMs);
    const onData = (b: Buffer) => {
      output += b.toString("utf8");
      if (!reached && until.test(output)) {
        reached = true;
        setTimeout(() => process.kill(-child.pid!, "SIGINT"), 500);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code, signal, output, reached });
    });
  });
}

const shown: Shown[] = readmeCommands();
const helpShown: Shown[] = [];
for (const sub of subcommands()) {
  const r = spawnSync(process.execPath, [BIN, sub, "--help"], { encoding: "utf8" });
  helpShown.push({ command: `ep-lab ${sub} --help`, where: "ep-lab --help" });
  for (const ex of helpExamples(`${r.stdout}${r.stderr}`)) helpShown.push({ command: ex, where: `ep-lab ${sub} --help` });
}
const hasJupyter = findJupyter() !== null;
const report: string[] = [];

describe("README.md and --help commands", () => {
  it("finds the commands: the two main ones, npm start, the kernel and reset commands, --help examples", () => {
    const all = [...shown, ...helpShown].map((s) => s.command);
    for (const c of ["npm ci && npm run labs", "npm ci && npm test", "npm start", "npm run build", "npx ep-lab kernel doctor", "npx ep-lab reset lab3.1"]) {
      expect(all).toContain(c);
    }
    expect(helpShown.some((s) => s.where === "ep-lab eplb --help" && s.command.includes("--summary"))).toBe(true);
    expect(helpShown.length).toBeGreaterThan(10);
  });

  const cases = [...shown, ...helpShown].flatMap((s) => s.command.split(/\s*&&\s*/).map((part) => ({ ...s, command: part })));
  // One run per distinct command, keeping the first place it is shown.
  const seen = new Set<string>();
  const unique = cases.filter((c) => (seen.has(c.command) ? false : (seen.add(c.command), true)));

  // Shell sequences from one --help page (e.g. `echo … > w.json` then `ep-lab eplb --weights w.json`) run in order.
  it.each(unique.map((u) => [u.command, u.where] as const))("%s  (%s)", async (command, where) => {
    const p = plan(command);
    if (p.kind === "skip") {
      report.push(`not run: ${command} (${where}): ${p.reason}`);
      return;
    }
    if (p.kind === "bounded") {
      if (p.needsJupyter && !hasJupyter) {
        report.push(`not run: ${command} (${where}): no Jupyter on PATH`);
        return;
      }
      const r = await runBounded(p.command, p.until);
      report.push(`bounded: ${command} (${where}): ${p.note}`);
      expect(r.reached, r.output.slice(-3000)).toBe(true);
      // Ctrl-C is how these stop: ep-lab exits 0; npm passes the interrupt on, then ends by it (SIGINT, or code 130).
      const ended = r.signal ?? r.status;
      expect(p.command.startsWith("npm ") ? [0, 130, "SIGINT"] : [0], r.output.slice(-3000)).toContain(ended);
      return;
    }
    const r = runShell(p.command, p.timeoutMs);
    if (p.command !== command || p.note) report.push(`ran as \`${p.command.replace(SCRATCH, "<scratch>")}\`: ${command} (${where})${p.note ? `: ${p.note}` : ""}`);
    expect(r.status, `${p.command}\n${r.output.slice(-3000)}`).toBe(0);
  }, 660_000);

  it("ep-lab --version prints package.json's version; kernel install wrote only into scratch folders", () => {
    const r = spawnSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
    expect(fs.existsSync(path.join(SCRATCH, "user-data", "kernels", "tslab", "kernel.json"))).toBe(true);
    expect(fs.existsSync(path.join(fakePrefix, "share", "jupyter", "kernels", "tslab", "kernel.json"))).toBe(true);
    expect(fs.existsSync(path.join(SCRATCH, "prefix", "share", "jupyter", "kernels", "tslab", "kernel.json"))).toBe(true);
    console.log(`README/--help commands handled specially:\n  ${report.join("\n  ")}`);
  });
});
