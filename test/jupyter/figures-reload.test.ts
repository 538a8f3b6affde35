/**
 * Figures survive a page reload and reopening, offline, in the real classic Notebook UI (headless Chromium):
 * run the smoke notebook, save it (no copy of plotly.js in the file), reload the page (the saved figure draws
 * again, plotly.js loaded from the server's nbextensions folder), re-run the figure cell in the same kernel
 * session (the new figure draws), and open the saved notebook in a fresh page. No request leaves 127.0.0.1.
 * Also: plain-text outputs wrap at spaces (custom.css), table prose cells are left-aligned.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidatePaths, findJupyter, startJupyter, type JupyterInstall, type RunningJupyter } from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = "/usr/bin/chromium";
const NOTEBOOK = "00-setup-check.ipynb";
const SHOTS = path.join(ROOT, "build", "screenshots");

function classicNotebook(): JupyterInstall | null {
  for (const exe of candidatePaths("jupyter-notebook")) {
    const found = findJupyter({ executable: exe });
    if (found && found.serverApp === "NotebookApp") return found;
  }
  return null;
}

const install = fs.existsSync(CHROMIUM) ? classicNotebook() : null;
const skipReason = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} is missing` : !install ? "no classic Jupyter Notebook 6 on PATH" : null;
if (skipReason) console.warn(`skipping the figure-reload Jupyter test: ${skipReason}`);

type Cell = { cell_type: string; input_prompt_number?: number | string | null; get_text(): string };
type NotebookWindow = Window & {
  Jupyter?: {
    notebook?: {
      kernel?: { is_connected(): boolean; id?: string } | null;
      get_cells(): Cell[];
      execute_all_cells(): void;
      execute_cells(indices: number[]): void;
      save_checkpoint(): void;
      dirty: boolean;
    };
  };
};

async function waitKernel(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const nb = (window as NotebookWindow).Jupyter?.notebook;
    return !!nb && !!nb.kernel && nb.kernel.is_connected();
  }, undefined, { timeout: 90_000 });
}

async function waitIdleAllRun(page: Page, minCount = 0): Promise<void> {
  await page.waitForFunction((min: number) => {
    const nb = (window as NotebookWindow).Jupyter?.notebook;
    if (!nb) return false;
    const code = nb.get_cells().filter((c) => c.cell_type === "code");
    return code.length > 0 && code.every((c) => typeof c.input_prompt_number === "number" && c.input_prompt_number > min) &&
      document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
  }, minCount, { timeout: 180_000, polling: 250 });
}

describe.skipIf(skipReason !== null)("figures after a reload, in a reopened notebook, offline (Notebook 6 UI)", () => {
  let jup: RunningJupyter;
  let browser: Browser;
  let stateDir: string;
  let serveDir: string;
  const pageErrors: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    serveDir = path.join(ROOT, "build", "jupyter-reload");
    fs.rmSync(serveDir, { recursive: true, force: true });
    fs.mkdirSync(serveDir, { recursive: true });
    fs.copyFileSync(path.join(ROOT, "notebooks", NOTEBOOK), path.join(serveDir, NOTEBOOK));
    // The same links notebooks/ has (the library build, images), pointing at the same targets.
    for (const name of fs.readdirSync(path.join(ROOT, "notebooks"))) {
      const from = path.join(ROOT, "notebooks", name);
      if (fs.lstatSync(from).isSymbolicLink()) fs.symlinkSync(path.resolve(path.dirname(from), fs.readlinkSync(from)), path.join(serveDir, name));
    }
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-reload-"));
    jup = await startJupyter({ port: 0, openBrowser: false, notebookDir: serveDir, stateDir, install: install!, readyTimeoutMs: 110_000 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 200_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await jup?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  async function openPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (err) => pageErrors.push(String(err)));
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (!["127.0.0.1", "localhost"].includes(u.hostname) && u.protocol.startsWith("http")) foreign.push(r.url());
    });
    return page;
  }

  it("installs plotly.js under nbextensions and Notebook's custom.css", async () => {
    const file = path.join(stateDir, "nbextensions", "ep-lab");
    const names = fs.readdirSync(file);
    expect(names.some((n) => /^plotly-\d+\.\d+\.\d+\.min\.js$/.test(n))).toBe(true);
    const res = await fetch(`${jup.baseUrl}nbextensions/ep-lab/${names[0]}`, { headers: { Authorization: `token ${jup.token}` } });
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBeGreaterThan(1_000_000);
    const css = await (await fetch(`${jup.baseUrl}custom/custom.css`)).text();
    expect(css).toContain("word-break: normal");
  });

  it("run, save, reload, re-run the figure cell, reopen: every figure draws and the file holds no plotly.js", async () => {
    const page = await openPage();
    await page.goto(jup.notebookUrl(NOTEBOOK), { waitUntil: "domcontentloaded" });
    await waitKernel(page);
    await page.evaluate(() => (window as NotebookWindow).Jupyter!.notebook!.execute_all_cells());
    await waitIdleAllRun(page);
    await page.waitForSelector(".output_area .ep-plot .main-svg", { timeout: 60_000 });
    expect(await page.locator(".output_area .output_error").count()).toBe(0);

    // Plain text wraps at spaces: Notebook's pre rule is overridden by custom.css.
    const wordBreak = await page.evaluate(() => {
      const pre = document.querySelector(".output_area pre");
      return pre ? getComputedStyle(pre).wordBreak : null;
    });
    expect(wordBreak).toBe("normal");
    // Table cells: prose left, numbers right (despite Notebook's right-aligning CSS).
    const align = await page.evaluate(() => {
      const row = document.querySelector(".output_area table.ep-table tbody tr");
      return row ? Array.from(row.querySelectorAll("td")).map((td) => getComputedStyle(td).textAlign) : [];
    });
    expect(align[0]).toBe("left"); // expert name "E0"
    expect(align).toContain("right"); // tokens

    // Save: the file holds the figure's JSON, not plotly.js.
    await page.evaluate(() => (window as NotebookWindow).Jupyter!.notebook!.save_checkpoint());
    await page.waitForFunction(() => (window as NotebookWindow).Jupyter?.notebook?.dirty === false, undefined, { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    const saved = fs.readFileSync(path.join(serveDir, NOTEBOOK), "utf8");
    expect(saved).toContain("application/vnd.plotly.v1+json");
    expect(saved).not.toMatch(/plotly\.js v\d/);
    expect(Buffer.byteLength(saved)).toBeLessThan(300_000);

    // Reload: the saved output's figure draws again (plotly.js fetched from the server).
    await page.reload({ waitUntil: "domcontentloaded" });
    await waitKernel(page);
    await page.waitForSelector(".output_area .ep-plot .main-svg", { timeout: 60_000 });
    expect(await page.evaluate(() => typeof (window as unknown as { Plotly?: unknown }).Plotly)).toBe("object");

    // Re-run only the figure cell in the same kernel session: the new output draws.
    const figureCell = await page.evaluate(() =>
      (window as NotebookWindow).Jupyter!.notebook!.get_cells().findIndex((c) => c.cell_type === "code" && c.get_text().includes("show(")),
    );
    expect(figureCell).toBeGreaterThan(0);
    const before = await page.evaluate((i: number) => Number((window as NotebookWindow).Jupyter!.notebook!.get_cells()[i].input_prompt_number), figureCell);
    await page.evaluate((i: number) => (window as NotebookWindow).Jupyter!.notebook!.execute_cells([i]), figureCell);
    await page.waitForFunction(
      ([i, b]: number[]) => {
        const c = (window as NotebookWindow).Jupyter?.notebook?.get_cells()[i];
        return !!c && typeof c.input_prompt_number === "number" && c.input_prompt_number > b && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
      },
      [figureCell, before],
      { timeout: 60_000 },
    );
    await page.waitForSelector(".output_area .ep-plot[data-ep-drawn] .main-svg", { timeout: 60_000 });
    expect(await page.locator(".output_area .ep-plot").count()).toBe(1); // the re-run replaced the old output
    expect(await page.locator(".output_area .ep-plot[data-ep-drawn]").count()).toBe(1);
    expect(await page.locator(".output_area").filter({ hasText: "plotly.js is not loaded" }).count()).toBe(0);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "notebook-after-reload.png") });
    await page.evaluate(() => (window as NotebookWindow).Jupyter!.notebook!.save_checkpoint());
    await page.waitForFunction(() => (window as NotebookWindow).Jupyter?.notebook?.dirty === false, undefined, { timeout: 30_000 });
    await page.close();

    // Reopen in a fresh page: the saved figure draws without running anything.
    const again = await openPage();
    await again.goto(jup.notebookUrl(NOTEBOOK), { waitUntil: "domcontentloaded" });
    await again.waitForSelector(".output_area .ep-plot .main-svg", { timeout: 60_000 });
    expect(await again.locator(".output_area .ep-plot .main-svg .bars path").count()).toBeGreaterThanOrEqual(8);
    await again.close();

    expect(pageErrors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 400_000);
});
