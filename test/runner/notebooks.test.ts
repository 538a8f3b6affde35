/**
 * Every notebook in notebooks/ executes without error through the `npm run labs` runner (real tslab kernel), writes
 * a valid executed .ipynb, leaves the source untouched and no kernel behind; and its exported HTML, opened in
 * headless Chromium, draws every plotly figure (an SVG exists) with no page error and no request leaving the page.
 * One test per notebook; the smoke notebook 00-setup-check must be among them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BrowserContext } from "playwright-core";
import { runNotebook } from "../../src/runner";
import { defaultNotebooks } from "../../src/cli/labs";
import { expectedFigures, inspectPage, openBrowser } from "./browser";
import { expectValidNbformat, groupGone, pidGone } from "./helpers";

const root = path.resolve(__dirname, "..", "..");
const notebooks = defaultNotebooks(root);
let outDir: string;
let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-notebooks-"));
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe("notebooks/", () => {
  it("holds the smoke notebook 00-setup-check.ipynb", () => {
    expect(notebooks).toContain(path.join("notebooks", "00-setup-check.ipynb"));
  });

  for (const rel of notebooks) {
    it(`${path.basename(rel)} executes without error and its HTML renders offline in Chromium`, { timeout: 600_000 }, async () => {
      const file = path.join(root, rel);
      const before = fs.readFileSync(file, "utf8");
      const lines: string[] = [];
      const result = await runNotebook(file, {
        timeoutMs: 300_000,
        outDir,
        onCell: (c) => lines.push(`[${c.codeNumber}] ${c.status} ${c.durationMs} ms cell ${c.index + 1}: ${c.firstLine}`),
      });
      // On failure the message names the cell and carries the diagnostic or stack.
      expect(result.failure && `${result.failure.message}\n${result.failure.detail}\n${lines.join("\n")}`).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.cells.length).toBeGreaterThan(0);
      expect(result.cells.every((c) => c.status === "ok")).toBe(true);
      expect(fs.readFileSync(file, "utf8")).toBe(before);
      expect(pidGone(result.kernelPid!) && groupGone(result.kernelPid!)).toBe(true);
      const nb = expectValidNbformat(result.ipynbPath!);
      for (const c of nb.cells) if (c.cell_type === "code" && c.source.length) expect(c.execution_count).toBeGreaterThan(0);

      browser ??= await openBrowser();
      const figures = expectedFigures(nb);
      const report = await inspectPage(browser.context, result.htmlPath!, figures, 60_000);
      expect(report.undrawn).toEqual([]);
      expect(report.drawnFigures).toBe(figures);
      expect(report.pageErrors).toEqual([]);
      expect(report.externalRequests).toEqual([]);
      expect(report.brokenAnchors).toEqual([]);
      if (path.basename(rel) === "00-setup-check.ipynb") {
        expect(figures).toBeGreaterThanOrEqual(1); // the smoke notebook draws a plotly figure
        expect(report.tables).toBeGreaterThanOrEqual(1); // and a danfo table
      }
    });
  }
});
