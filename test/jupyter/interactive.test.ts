/**
 * The interactive path as a learner meets it: the Jupyter server `npm start` launches (same
 * function, localhost + token), the smoke notebook opened in headless Chromium, "Run All" through
 * the notebook's menu, and the plot and the table must appear. Saves build/jupyter-smoke.png.
 *
 * The notebooks are served from a learner workspace made by `seedWorkspace` (the function `npm start`
 * uses), here a scratch one in build/jupyter-smoke/: Jupyter autosaves a notebook it runs, and the
 * committed notebooks/ must stay without outputs. The Lab 3.1 test waits for an autosave and checks
 * that `git status` did not change.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidatePaths, findJupyter, seedWorkspace, startJupyter, type JupyterInstall, type RunningJupyter } from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = "/usr/bin/chromium";
const NOTEBOOK = "00-setup-check.ipynb";
const LAB = "lab3.1-expert-parallelism-foundations.ipynb";
const LAB_SCREENSHOT = path.join(ROOT, "build", "jupyter-lab3.1.png");
const SCREENSHOT = path.join(ROOT, "build", "jupyter-smoke.png");

/**
 * The classic Notebook (6.x, Debian's jupyter-notebook): this test drives its UI (menus, the
 * `Jupyter.notebook` global). `startJupyter` itself prefers JupyterLab when a learner has it.
 */
function classicNotebook(): JupyterInstall | null {
  for (const exe of candidatePaths("jupyter-notebook")) {
    const found = findJupyter({ executable: exe });
    if (found && found.serverApp === "NotebookApp") return found;
  }
  return null;
}

const install = fs.existsSync(CHROMIUM) ? classicNotebook() : null;
const skipReason = !fs.existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (Debian: apt-get install chromium)`
  : !install
    ? "no classic Jupyter Notebook 6 on PATH (Debian: apt-get install jupyter-notebook)"
    : null;
if (skipReason) console.warn(`skipping the interactive Jupyter test: ${skipReason}`);

/** Browser-side view of Jupyter Notebook's global (classic Notebook 6 / NbClassic). */
type NotebookWindow = Window & {
  Jupyter?: {
    notebook?: {
      kernel?: { is_connected(): boolean; name?: string } | null;
      get_cells(): { cell_type: string; input_prompt_number?: number | string | null }[];
      execute_all_cells(): void;
    };
  };
};

/** `git status --porcelain` of the checkout (what a learner's saves must not change). */
function gitStatus(): string {
  const r = spawnSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe.skipIf(skipReason !== null)("Jupyter + tslab in a real browser", () => {
  let jup: RunningJupyter;
  let browser: Browser;
  let page: Page;
  let stateDir: string;
  const pageErrors: string[] = [];
  let kernelIds: string[] = [];
  let serveDir: string;
  let gitStatusBefore: string;

  beforeAll(async () => {
    // A scratch learner workspace: fresh copies of the two labs with the ep-lab and images links.
    serveDir = path.join(ROOT, "build", "jupyter-smoke");
    fs.rmSync(serveDir, { recursive: true, force: true });
    seedWorkspace(serveDir, { labs: [NOTEBOOK, LAB] });
    gitStatusBefore = gitStatus();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-jupyter-"));

    jup = await startJupyter({ port: 0, openBrowser: false, notebookDir: serveDir, stateDir, install: install!, readyTimeoutMs: 110_000 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (err) => pageErrors.push(String(err)));
  }, 200_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await jup?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it("serves on 127.0.0.1 with a token and refuses requests without it", async () => {
    expect(jup.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(jup.url).toContain(`token=${jup.token}`);
    expect(jup.token).toMatch(/^[0-9a-f]{48}$/);
    const anonymous = await fetch(`${jup.baseUrl}api/contents`);
    expect(anonymous.status).toBe(403);
    const specs = await (await fetch(`${jup.baseUrl}api/kernelspecs`, { headers: { Authorization: `token ${jup.token}` } })).json();
    expect(specs.kernelspecs.tslab.spec.display_name).toBe("TypeScript (tslab)");
  });

  it("runs the smoke notebook through the UI and shows the plot and the table", async () => {
    await page.goto(jup.notebookUrl(NOTEBOOK), { waitUntil: "domcontentloaded" });
    // The tslab kernel starts (TypeScript loads) and connects.
    await page.waitForFunction(() => {
      const nb = (window as NotebookWindow).Jupyter?.notebook;
      return !!nb && !!nb.kernel && nb.kernel.is_connected();
    }, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as NotebookWindow).Jupyter?.notebook?.kernel?.name)).toBe("tslab");

    // Cell → Run All, as a learner does it.
    await page.locator("#menus a.dropdown-toggle").filter({ hasText: /^\s*Cell\s*$/ }).click();
    await page.locator("#run_all_cells > a").click();

    // Done when every code cell has an execution count (not "*") and the kernel is idle.
    await page.waitForFunction(() => {
      const nb = (window as NotebookWindow).Jupyter?.notebook;
      if (!nb) return false;
      const code = nb.get_cells().filter((c) => c.cell_type === "code");
      const finished = code.every((c) => typeof c.input_prompt_number === "number");
      return finished && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    }, undefined, { timeout: 120_000, polling: 250 });

    // The plot: plotly drew SVG into the figure's div.
    await page.waitForSelector(".output_area .ep-plot .main-svg", { timeout: 30_000 });
    const bars = await page.locator(".output_area .ep-plot .main-svg .bars path").count();
    expect(bars).toBeGreaterThanOrEqual(8); // 8 experts → 8 bar segments
    // The table: 8 rows, one per expert.
    const rows = await page.locator(".output_area table.ep-table tbody tr").count();
    expect(rows).toBe(8);
    expect(await page.locator(".output_area table.ep-table").innerText()).toContain("E7");
    // Versions printed; no error output, no stderr, no page error.
    expect(await page.locator(".output_area .output_stdout").first().innerText()).toMatch(/tslab 1\.0\.\d+/);
    expect(await page.locator(".output_area .output_error, .output_area .output_stderr").count()).toBe(0);
    expect(pageErrors).toEqual([]);

    // Run All again in the same kernel session: plotly.js is not sent twice, the new figure gets
    // the next id, and it draws (re-running a cell is safe).
    const firstCounts = await page.evaluate(() =>
      (window as NotebookWindow).Jupyter!.notebook!.get_cells().filter((c) => c.cell_type === "code").map((c) => Number(c.input_prompt_number)),
    );
    await page.evaluate(() => (window as NotebookWindow).Jupyter!.notebook!.execute_all_cells());
    await page.waitForFunction((before: number) => {
      const nb = (window as NotebookWindow).Jupyter?.notebook;
      const code = nb ? nb.get_cells().filter((c) => c.cell_type === "code") : [];
      return code.length > 0 && code.every((c) => typeof c.input_prompt_number === "number" && c.input_prompt_number > before) &&
        document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    }, Math.max(...firstCounts), { timeout: 120_000, polling: 250 });
    await page.waitForSelector(".output_area #ep-plot-2 .main-svg", { timeout: 30_000 });
    expect(await page.locator(".output_area .ep-plot").count()).toBe(1);
    expect(await page.locator(".output_area table.ep-table tbody tr").count()).toBe(8);
    expect(await page.locator(".output_area .output_error, .output_area .output_stderr").count()).toBe(0);
    expect(pageErrors).toEqual([]);

    // Jupyter's kernel list, to check after stop() that none is left running.
    const res = await fetch(`${jup.baseUrl}api/kernels`, { headers: { Authorization: `token ${jup.token}` } });
    kernelIds = ((await res.json()) as { id: string }[]).map((k) => k.id);
    expect(kernelIds).toHaveLength(1);

    // Notebook 6 scrolls inside #site, not the document: grow the viewport to the whole notebook.
    const height = await page.evaluate(() => {
      const site = document.querySelector("#site");
      if (site) site.scrollTop = 0;
      return (document.querySelector("#header")?.clientHeight ?? 0) + (document.querySelector("#notebook")?.scrollHeight ?? 900);
    });
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height + 40, 900), 8000) });
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  }, 240_000);

  it("Kernel → Restart & Run All on Lab 3.1: every cell runs, every figure draws, every image loads", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(jup.notebookUrl(LAB), { waitUntil: "domcontentloaded" });
    await page.waitForFunction(() => {
      const nb = (window as NotebookWindow).Jupyter?.notebook;
      return !!nb && !!nb.kernel && nb.kernel.is_connected();
    }, undefined, { timeout: 60_000 });

    // Autosave every 2 s instead of Notebook's 120 s, and note each save.
    await page.evaluate(() => {
      const w = window as NotebookWindow & { __saves?: number };
      w.__saves = 0;
      const nb = w.Jupyter!.notebook! as unknown as { set_autosave_interval(ms: number): void; events: { on(ev: string, f: () => void): void } };
      nb.events.on("notebook_saved.Notebook", () => void (w.__saves = (w.__saves ?? 0) + 1));
      nb.set_autosave_interval(2000);
    });
    const savedSize = fs.statSync(path.join(serveDir, LAB)).size;

    await page.locator("#menus a.dropdown-toggle").filter({ hasText: /^\s*Kernel\s*$/ }).click();
    await page.locator("#restart_run_all > a").click();
    await page.locator(".modal-dialog button.btn-danger").click(); // "Restart and Run All Cells"

    await page.waitForFunction(() => {
      const nb = (window as NotebookWindow).Jupyter?.notebook;
      if (!nb) return false;
      const code = nb.get_cells().filter((c) => c.cell_type === "code");
      return code.length > 0 && code.every((c) => typeof c.input_prompt_number === "number") &&
        document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    }, undefined, { timeout: 240_000, polling: 500 });

    expect(await page.locator(".output_area .output_error, .output_area .output_stderr").count()).toBe(0);
    // Every figure drew its SVG (plotly loaded once, offline, in this notebook too).
    const plots = await page.locator(".output_area .ep-plot").count();
    expect(plots).toBeGreaterThanOrEqual(10);
    await page.waitForFunction((n: number) => document.querySelectorAll(".output_area .ep-plot .main-svg").length >= n, plots, { timeout: 30_000 });
    // The lab's own figures (markdown images under notebooks/images) load from the server.
    const images = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>(".rendered_html img")).map((img) => ({ src: img.getAttribute("src"), ok: img.complete && img.naturalWidth > 0 })),
    );
    // As many as the lab's markdown references (each one must load).
    const referenced = (fs.readFileSync(path.join(ROOT, "notebooks", LAB), "utf8").match(/!\[[^\]]*\]\(images\//g) ?? []).length;
    expect(referenced).toBeGreaterThanOrEqual(3);
    expect(images.length).toBe(referenced);
    expect(images.filter((i) => !i.ok)).toEqual([]);
    // Exercises start untouched: their checks say so instead of failing.
    expect(await page.locator(".output_area").filter({ hasText: "NOT ATTEMPTED" }).count()).toBeGreaterThanOrEqual(4);
    expect(pageErrors).toEqual([]);

    await page.evaluate(() => {
      const site = document.querySelector("#site");
      if (site) site.scrollTop = 0;
    });
    await page.setViewportSize({ width: 1280, height: 4000 });
    await page.screenshot({ path: LAB_SCREENSHOT });
    expect(fs.statSync(LAB_SCREENSHOT).size).toBeGreaterThan(10_000);

    // An autosave (not a save we trigger) wrote the run's outputs into the workspace copy …
    const deadline = Date.now() + 150_000;
    let savedOutputs = 0;
    while (Date.now() < deadline) {
      try {
        const saved = JSON.parse(fs.readFileSync(path.join(serveDir, LAB), "utf8")) as { cells: { outputs?: unknown[] }[] };
        savedOutputs = saved.cells.filter((c) => (c.outputs ?? []).length > 0).length;
      } catch {
        savedOutputs = 0; // caught mid-write
      }
      if (savedOutputs >= 10) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(savedOutputs).toBeGreaterThanOrEqual(10);
    expect(await page.evaluate(() => (window as Window & { __saves?: number }).__saves ?? 0)).toBeGreaterThan(0);
    // … and the course did not change.
    expect(fs.statSync(path.join(serveDir, LAB)).size).toBeGreaterThan(savedSize);
    expect(gitStatus()).toBe(gitStatusBefore);
  }, 480_000);

  it("stop() ends the server and its kernel", async () => {
    await browser.close();
    await jup.stop();
    expect(jup.process.exitCode !== null || jup.process.signalCode !== null).toBe(true);
    const leftovers = fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((pid) => {
        try {
          const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
          return kernelIds.some((id) => cmd.includes(id)) || cmd.includes(stateDir);
        } catch {
          return false;
        }
      });
    expect(leftovers).toEqual([]);
  }, 60_000);
});
