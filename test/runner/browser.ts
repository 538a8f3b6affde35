/**
 * Open exported notebook HTML in Debian's headless Chromium (driven by playwright-core) and report what a reader
 * would see: how many plotly figures drew (an SVG exists), page errors, and any request that left the page.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type BrowserContext } from "playwright-core";
import { joinText, Notebook } from "../../src/runner";

/** Chromium binary: $CHROMIUM_PATH or Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface PageReport {
  /** Plotly figures whose graph div holds an SVG. */
  drawnFigures: number;
  /** Ids (or indexes) of plotly graph divs without an SVG. */
  undrawn: string[];
  pageErrors: string[];
  consoleErrors: string[];
  /** Requests to anything but file:, data:, blob: or about: URLs (all of them are blocked). */
  externalRequests: string[];
  /** Number of <table> elements. */
  tables: number;
  /** In-page `#anchor` links whose target id is missing. */
  brokenAnchors: string[];
}

/** Figures a notebook's exported page should draw: outputs with plotly JSON (the export draws them from it). */
export function expectedFigures(nb: Notebook): number {
  let n = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const o of cell.outputs) {
      if (o.output_type !== "display_data" && o.output_type !== "execute_result") continue;
      if (o.data["application/vnd.plotly.v1+json"] !== undefined) n++;
    }
  }
  return n;
}

/** A headless Chromium with a fresh profile; call `close()` when done (removes the profile). */
export async function openBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (or set CHROMIUM_PATH)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, offline: true });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Load an HTML file and wait until `expected` plotly figures drew (or `timeoutMs` passed).
 * @param context a browser context from {@link openBrowser}
 * @param file absolute path of the HTML file
 * @param expected number of figures to wait for
 * @param timeoutMs how long to wait for the figures, in milliseconds
 */
export async function inspectPage(context: BrowserContext, file: string, expected: number, timeoutMs = 30_000): Promise<PageReport> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  const local = (url: string) => /^(file|data|blob|about):/.test(url);
  page.on("request", (r) => {
    if (!local(r.url())) externalRequests.push(r.url());
  });
  await page.route("**/*", (route) => (local(route.request().url()) ? route.continue() : route.abort()));
  try {
    await page.goto("file://" + file, { waitUntil: "load", timeout: timeoutMs });
    const drawnCount = () => page.evaluate(() => Array.from(document.querySelectorAll(".js-plotly-plot")).filter((d) => d.querySelector("svg.main-svg")).length);
    const deadline = Date.now() + timeoutMs;
    while ((await drawnCount()) < expected && Date.now() < deadline) await page.waitForTimeout(200);
    return await page.evaluate(
      ({ pageErrors, consoleErrors, externalRequests }) => {
        const graphs = Array.from(document.querySelectorAll(".js-plotly-plot, .ep-plot, .plotly-graph-div, .fixture-figure"));
        const drawn = graphs.filter((d) => d.querySelector("svg.main-svg"));
        const ids = new Set(Array.from(document.querySelectorAll("[id]")).map((e) => e.id));
        const brokenAnchors = Array.from(document.querySelectorAll('a[href^="#"]'))
          .map((a) => decodeURIComponent((a.getAttribute("href") ?? "").slice(1)))
          .filter((id) => !ids.has(id));
        return {
          drawnFigures: drawn.length,
          undrawn: graphs.filter((d) => !d.querySelector("svg.main-svg")).map((d, i) => d.id || `#${i}`),
          pageErrors,
          consoleErrors,
          externalRequests,
          tables: document.querySelectorAll("table").length,
          brokenAnchors,
        };
      },
      { pageErrors, consoleErrors, externalRequests },
    );
  } finally {
    await page.close();
  }
}
