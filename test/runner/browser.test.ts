/**
 * The HTML export in a real browser (Debian's headless Chromium through playwright-core): plotly figures drawn by
 * the display helpers' style (bundle injected once as an HTML output, then div+script per figure) and by the
 * export itself (plotly JSON only → bundle embedded once) all draw an SVG, with no page error, no request leaving
 * the page, and a working `#anchor` table of contents. The smoke notebook gets the same check in notebooks.test.ts,
 * right after it executes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BrowserContext } from "playwright-core";
import { Notebook, notebookToHtml, Output } from "../../src/runner";
import { expectedFigures, inspectPage, openBrowser } from "./browser";

const plotlyJs = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
let dir: string;
let browser: { context: BrowserContext; close: () => Promise<void> };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-html-"));
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
  it("draws figures that follow an injected plotly bundle (display-helper style), offline, without errors", async () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# Figures\n\n[first](#first-figure) · [second](#second-figure)\n\n![dot](images/dot.svg)" },
        codeCell([display({ "text/html": `<script>${plotlyJs}</script>`, "text/plain": "plotly loaded" })], 1),
        { cell_type: "markdown", metadata: {}, source: "## First figure" },
        codeCell([display({ "text/html": `<div id="f1" class="fixture-figure"></div><script>Plotly.newPlot("f1", ${JSON.stringify(fig("one").data)}, {});</script>`, "application/vnd.plotly.v1+json": fig("one") })], 2),
        { cell_type: "markdown", metadata: {}, source: "## Second figure" },
        codeCell([display({ "application/vnd.plotly.v1+json": fig("two") })], 3), // JSON only: drawn by the export
      ],
    };
    const file = write("bundle-injected", nb);
    const html = fs.readFileSync(file, "utf8");
    expect(html.split("plotly.js v4").length - 1).toBe(1); // the bundle appears once: not embedded again
    const report = await inspectPage(browser.context, file, expectedFigures(nb));
    expect(expectedFigures(nb)).toBe(2);
    expect(report.drawnFigures).toBe(2);
    expect(report.undrawn).toEqual([]);
    expect(report.pageErrors).toEqual([]);
    expect(report.externalRequests).toEqual([]);
    expect(report.brokenAnchors).toEqual([]);
  });

  it("embeds plotly once when outputs carry only plotly JSON, and every figure draws", async () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [codeCell([display({ "application/vnd.plotly.v1+json": fig("a") }), display({ "application/vnd.plotly.v1+json": JSON.stringify(fig("b")) })], 1)],
    };
    const file = write("json-only", nb);
    expect(fs.readFileSync(file, "utf8").split("plotly.js v4").length - 1).toBe(1);
    const report = await inspectPage(browser.context, file, 2);
    expect(report.drawnFigures).toBe(2);
    expect(report.pageErrors).toEqual([]);
    expect(report.externalRequests).toEqual([]);
  });

  it("catches what it should: an undrawn figure, a page error and a remote request are all reported", async () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: {}, source: "![remote](https://example.invalid/x.png) [dangling](#nowhere)" },
        codeCell([display({ "text/html": '<div id="g" class="fixture-figure"></div><script>Plotly.newPlot("g", [], {});</script>' })], 1),
      ],
    };
    const report = await inspectPage(browser.context, write("broken", nb), 1, 2_000);
    expect(report.drawnFigures).toBe(0);
    expect(report.undrawn).toEqual(["g"]);
    expect(report.pageErrors.join("\n")).toMatch(/Plotly is not defined/);
    expect(report.externalRequests).toEqual(["https://example.invalid/x.png"]);
    expect(report.brokenAnchors).toEqual(["nowhere"]);
  });
});
