/**
 * Axis labels are not clipped when plotly draws the figure (headless Chromium): the 5-token routing figure's token
 * labels ("entanglement", "phenomenon") fit inside the figure, at a wide and a narrow width.
 */
import * as fs from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { routingFigure } from "../../src/viz";
import { DEMO_TOKENS } from "../../src/lab/scenarios-routing";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe("y tick labels fit inside the figure", { timeout: 60_000 }, () => {
  for (const width of [1100, 420]) {
    it(`routing figure with the lab's five tokens at ${width} px`, async () => {
      const tokens = DEMO_TOKENS.slice();
      const indices: number[] = [];
      const weights: number[] = [];
      for (let t = 0; t < tokens.length; t++) for (let k = 0; k < 8; k++) (indices.push((t * 37 + k * 29) % 256), weights.push(1 / 8));
      const fig = routingFigure({ numTokens: tokens.length, numExperts: 256, topK: 8, indices, weights }, { tokenLabels: tokens, numGroups: 8, title: "Chosen experts per token" });
      const page = await browser.newPage({ viewport: { width, height: 700 } });
      await page.setContent(`<!DOCTYPE html><div id="f" style="width:100%"></div>`);
      await page.addScriptTag({ content: fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8") });
      const boxes = await page.evaluate(async (spec) => {
        const P = (window as unknown as { Plotly: { newPlot(el: Element, d: unknown, l: unknown, c: unknown): Promise<unknown> } }).Plotly;
        const el = document.getElementById("f")!;
        const layout = { ...(spec.layout as Record<string, unknown>) };
        delete layout.width;
        await P.newPlot(el, spec.data, layout, { responsive: true });
        const svg = el.querySelector("svg.main-svg")!.getBoundingClientRect();
        return Array.from(el.querySelectorAll(".ytick text")).map((t) => {
          const b = t.getBoundingClientRect();
          return { text: t.textContent, left: b.left - svg.left };
        });
      }, fig as unknown as { data: unknown; layout: unknown });
      await page.close();
      expect(boxes.map((b) => b.text).sort()).toEqual(tokens.slice().sort());
      for (const b of boxes) expect(b.left, `${b.text} starts inside the figure`).toBeGreaterThanOrEqual(0);
    });
  }
});
