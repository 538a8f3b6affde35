/**
 * The HTML export in a real browser (Debian's headless Chromium through playwright-core): plotly figures, as the
 * display helpers send them (div + script + plotly JSON) and as plotly JSON alone, are drawn by the export from
 * their JSON with the shared plotly.js file beside the page; each draws an SVG, with no page error, no request
 * leaving the page, and a working `#anchor` table of contents. The smoke notebook gets the same check in
 * notebooks.test.ts, right after it executes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BrowserContext } from "playwright-core";
import { Notebook, notebookToHtml, Output, writeSharedPlotly } from "../../src/runner";
import { figureBundle } from "../../src/notebook";
import { expectedFigures, inspectPage, openBrowser } from "./browser";

const plotlyJs = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
let dir: string;
let browser: { context: BrowserContext; close: () => Promise<void> };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-html-"));
  writeSharedPlotly(dir);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const display = (data: Record<string, unknown>): Output => ({ output_type: "display_data", data, metadata: {} });
const codeCell = (outputs: Output[], n: number) => ({ cell_type: "code" as const, metadata: {}, execution_count: n, source: `// cell ${n}`, outputs });
const fig = (title: string) => ({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: title } } });

function write(name: string, nb: Notebook): string {
  const file = path.join(dir, `${name}.html`);
  fs.writeFileSync(file, notebookToHtml(nb, { baseDir: path.join(__dirname, "fixtures") }));
  return file;
}

describe("exported HTML in headless Chromium", { timeout: 90_000 }, () => {
  it("draws the display helpers' figures and JSON-only figures from one shared plotly.js file, offline, without errors", async () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# Figures\n\n[first](#first-figure) · [second](#second-figure)\n\n![dot](images/dot.svg)" },
        { cell_type: "markdown", metadata: {}, source: "## First figure" },
        codeCell([display(figureBundle(fig("one"), "ep-plot-1", { plotlyAsset: "nbextensions/ep-lab/plotly-4.1.1.min.js" }))], 2),
        { cell_type: "markdown", metadata: {}, source: "## Second figure" },
        codeCell([display({ "application/vnd.plotly.v1+json": fig("two") }), display({ "application/vnd.plotly.v1+json": JSON.stringify(fig("b")) })], 3),
      ],
    };
    const file = write("figures", nb);
    const html = fs.readFileSync(file, "utf8");
    expect(html).not.toContain("plotly.js v4"); // not embedded: loaded from the file beside the page
    expect(html.length).toBeLessThan(100_000);
    const report = await inspectPage(browser.context, file, expectedFigures(nb));
    expect(expectedFigures(nb)).toBe(3);
    expect(report.drawnFigures).toBe(3);
    expect(report.undrawn).toEqual([]);
    expect(report.pageErrors).toEqual([]);
    expect(report.externalRequests).toEqual([]);
    expect(report.brokenAnchors).toEqual([]);
  });

  it("an inline export carries plotly.js itself and draws when opened alone", async () => {
    const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [codeCell([display({ "application/vnd.plotly.v1+json": fig("a") })], 1)] };
    const alone = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-alone-"));
    try {
      const file = path.join(alone, "alone.html");
      fs.writeFileSync(file, notebookToHtml(nb, { plotly: "inline", plotlyJs }));
      const report = await inspectPage(browser.context, file, 1);
      expect(report.drawnFigures).toBe(1);
      expect(report.pageErrors).toEqual([]);
    } finally {
      fs.rmSync(alone, { recursive: true, force: true });
    }
  });

  it("a shared-plotly page opened without plotly.js beside it says which file it needs", async () => {
    const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [codeCell([display({ "application/vnd.plotly.v1+json": fig("a") })], 1)] };
    const alone = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-alone-"));
    try {
      const file = path.join(alone, "alone.html");
      fs.writeFileSync(file, notebookToHtml(nb));
      const report = await inspectPage(browser.context, file, 1, 1_500);
      expect(report.drawnFigures).toBe(0);
      expect(report.pageErrors).toEqual([]);
      const page = await browser.context.newPage();
      await page.goto("file://" + file);
      expect(await page.locator(".ep-figure-missing").innerText()).toMatch(/needs plotly-\d+\.\d+\.\d+\.min\.js/);
      await page.close();
    } finally {
      fs.rmSync(alone, { recursive: true, force: true });
    }
  });

  it("catches what it should: an undrawn figure, a page error and a remote request are all reported", async () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: {}, source: "![remote](https://example.invalid/x.png) [dangling](#nowhere)" },
        codeCell([display({ "text/html": '<div id="g" class="fixture-figure"></div>' })], 1),
      ],
    };
    const file = write("broken", nb);
    fs.appendFileSync(file, "<script>notDefinedAnywhere()</script>");
    const report = await inspectPage(browser.context, file, 1, 2_000);
    expect(report.drawnFigures).toBe(0);
    expect(report.undrawn).toEqual(["g"]);
    expect(report.pageErrors.join("\n")).toMatch(/notDefinedAnywhere is not defined/);
    expect(report.externalRequests).toEqual(["https://example.invalid/x.png"]);
    expect(report.brokenAnchors).toEqual(["nowhere"]);
  });
});
