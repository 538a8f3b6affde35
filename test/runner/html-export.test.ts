/**
 * The exported HTML in headless Chromium, as a reader meets it:
 * - safety: what a notebook's markdown (or an HTML output) contains does not run: `<script>`, `<img onerror>`,
 *   `<iframe src=javascript:>`, `javascript:` links, SVG scripts; images outside the notebook's folder are not
 *   inlined; the display helpers' figures, tables and progress bars still work;
 * - layout: contents sidebar with working anchors, prev/next links, copy buttons that copy the cell's code,
 *   figures that resize with the window, at 420 px and 1280 px (screenshots in build/screenshots/).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type Browser } from "playwright-core";
import { Notebook, notebookToHtml, Output, sanitizeNotebookHtml, siblingLinks, writeSharedPlotly } from "../../src/runner";
import { figureBundle, progressBundle, tableBundle } from "../../src/notebook";
import { CHROMIUM } from "./browser";
import { prefillDecodeFigure } from "../../src/lab";

const SHOTS = path.resolve(__dirname, "..", "..", "build", "screenshots");
let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-export-"));
  writeSharedPlotly(dir);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const display = (data: Record<string, unknown>): Output => ({ output_type: "display_data", data, metadata: {} });
const code = (source: string, outputs: Output[], n: number) => ({ cell_type: "code" as const, metadata: {}, execution_count: n, source, outputs });
const md = (source: string) => ({ cell_type: "markdown" as const, metadata: {}, source });
const nbOf = (cells: Notebook["cells"]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

describe("exported HTML does not run what a notebook contains", { timeout: 90_000 }, () => {
  it("injected script, onerror, javascript: iframes and links do not run; outside images are not inlined; helpers' outputs work", async () => {
    const notebookDir = path.join(dir, "nbdir");
    fs.mkdirSync(path.join(notebookDir, "images"), { recursive: true });
    fs.writeFileSync(path.join(notebookDir, "images", "ok.svg"), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>');
    fs.writeFileSync(path.join(dir, "secret.svg"), '<svg xmlns="http://www.w3.org/2000/svg"><text>SECRET-CONTENT</text></svg>');
    const attack = [
      "# Attack",
      "<script>window.__pwned = (window.__pwned || []).concat('script')</script>",
      `<img src="nope.png" onerror="window.__pwned = (window.__pwned || []).concat('onerror')">`,
      `<iframe src="javascript:parent.__pwned = (parent.__pwned || []).concat('iframe')"></iframe>`,
      `<a id="jslink" href="javascript:window.__pwned = (window.__pwned || []).concat('link')">click</a>`,
      `<svg><script>window.__pwned = (window.__pwned || []).concat('svg')</script></svg>`,
      `<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)"><form action="javascript:alert(1)"><button id="fb">go</button></form>`,
      `<div style="background:url(javascript:alert(1))" onmouseover="window.__pwned=['hover']">hover</div>`,
      "![secret](../secret.svg)",
      "![ok](images/ok.svg)",
      "<details><summary>More</summary>hidden <b>text</b></details>",
      "| a | b |\n|---|--:|\n| x | 1 |",
      "[anchor](#attack)",
    ].join("\n\n");
    const nb = nbOf([
      md(attack),
      code("show(fig)", [display(figureBundle({ data: [{ type: "bar", x: ["a"], y: [1] }] }, "ep-plot-1", { plotlyAsset: "nbextensions/ep-lab/plotly-4.1.1.min.js" }))], 1),
      code("table(rows)", [display(tableBundle([{ name: "alpha", tokens: 12 }]))], 2),
      code("progress", [display(progressBundle(3, 4, "layers"))], 3),
      code("html", [display({ "text/html": `<b>bold</b><img src=x onerror="window.__pwned=['output']"><script>window.__pwned=['output-script']</script>` })], 4),
      code("svg", [display({ "image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=['svg-output']"><script>window.__pwned=['svg-output']</script></svg>` })], 5),
      code("md", [display({ "text/markdown": "<script>window.__pwned=['md-output']</script>\n\n**fine**" })], 6),
    ]);
    const html = notebookToHtml(nb, { baseDir: notebookDir });
    expect(html).not.toContain("SECRET-CONTENT");
    expect(html).not.toContain(fs.readFileSync(path.join(dir, "secret.svg")).toString("base64"));
    expect(html).not.toMatch(/onerror|onmouseover|javascript:|<iframe|<object|<embed|<form/i);
    const file = path.join(dir, "attack.html");
    fs.writeFileSync(file, html);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const dialogs: string[] = [];
    page.on("dialog", (d) => (dialogs.push(d.message()), void d.dismiss()));
    await page.goto("file://" + file, { waitUntil: "load" });
    await page.waitForSelector(".ep-figure .main-svg", { timeout: 30_000 });
    if ((await page.locator("#jslink").count()) > 0) await page.locator("#jslink").click();
    await page.locator("text=hover").hover();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string[] }).__pwned ?? [])).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.locator("iframe, object, embed, form").count()).toBe(0);
    // What the labs use still renders: details, tables, images from the notebook's folder, anchors.
    expect(await page.locator("details summary").first().innerText()).toBe("Contents");
    expect(await page.locator(".cell.markdown details summary").innerText()).toBe("More");
    expect(await page.locator(".cell.markdown table td").count()).toBe(2);
    const imgs = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLImageElement>(".cell.markdown img")).map((i) => ({ alt: i.alt, data: i.src.startsWith("data:image/svg"), w: i.naturalWidth })));
    expect(imgs.find((i) => i.alt === "ok")).toMatchObject({ data: true, w: 4 });
    expect(imgs.find((i) => i.alt === "secret")?.data).toBe(false);
    // The display helpers' outputs keep working: figure drawn, table aligned, progress bar.
    expect(await page.locator(".ep-figure .main-svg").count()).toBeGreaterThan(0);
    expect(await page.locator("table.ep-table td").last().evaluate((td) => getComputedStyle(td).textAlign)).toBe("right");
    expect(await page.locator("table.ep-table tbody th").first().evaluate((td) => getComputedStyle(td).textAlign)).toBe("left");
    expect(await page.locator("table.ep-table tbody th").first().evaluate((td) => getComputedStyle(td).position)).toBe("sticky");
    expect(await page.locator(".output-html progress").getAttribute("value")).toBe("3");
    expect(await page.locator(".output-html b").first().innerText()).toBe("bold");
    expect(await page.locator(".output-markdown strong").innerText()).toBe("fine");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("sanitizeNotebookHtml keeps headings' anchors and links, drops handlers", () => {
    expect(sanitizeNotebookHtml('<h2 id="x"><a class="anchor-link" href="#x">¶</a></h2><a href="lab.html">next</a>', "markdown")).toBe(
      '<h2 id="x"><a class="anchor-link" href="#x">¶</a></h2><a href="lab.html">next</a>',
    );
    expect(sanitizeNotebookHtml('<p onclick="x()">p</p>', "markdown")).toBe("<p>p</p>");
    expect(() => sanitizeNotebookHtml(1 as never, "markdown")).toThrow(TypeError);
    expect(() => sanitizeNotebookHtml("", "other" as never)).toThrow(/kind must be/);
  });
});

describe("exported HTML layout", { timeout: 120_000 }, () => {
  it("contents sidebar, prev/next, copy buttons, readable lines, figures that follow the window at 420 and 1280 px", async () => {
    const src = path.join(dir, "labs");
    fs.mkdirSync(src, { recursive: true });
    const lab = (title: string) => nbOf([md(`# ${title}`)]);
    for (const [n, t] of [["00-a.ipynb", "Lab A"], ["01-b.ipynb", "Lab B"], ["02-c.ipynb", "Lab C"]]) fs.writeFileSync(path.join(src, n), JSON.stringify(lab(t)));
    const links = siblingLinks(path.join(src, "01-b.ipynb"));
    expect(links).toEqual({ prev: { href: "00-a.html", title: "Lab A" }, next: { href: "02-c.html", title: "Lab C" } });
    expect(siblingLinks(path.join(src, "00-a.ipynb")).prev).toBeUndefined();

    const long = "Expert parallelism places each expert on one GPU and sends every token to the GPUs holding its experts. ".repeat(6);
    const fig = { data: [{ type: "scatter", x: [1, 2, 3, 4], y: [3, 1, 2, 4], name: "roofline" }], layout: { title: { text: "Roofline" }, width: 1100, height: 380, xaxis: { title: { text: "intensity (FLOP/B)" } } } };
    const nb = nbOf([
      md("# Lab B\n\n" + long),
      md("## Routing\n\nText with a long inline call: `strategies.query(strategies[\"appliesTo\"].eq(\"MoE layers only\")).sortValues(\"name\")`."),
      code("const answer = 42;\nconsole.log(answer);", [{ output_type: "stream", name: "stdout", text: "42\n" }], 1),
      md("### Top-k"),
      code("show(fig)", [display({ "application/vnd.plotly.v1+json": fig, "text/plain": "fig" })], 2),
      md("## Summary"),
    ]);
    const file = path.join(dir, "01-b.html");
    fs.writeFileSync(file, notebookToHtml(nb, links));
    fs.mkdirSync(SHOTS, { recursive: true });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]).catch(() => undefined);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto("file://" + file, { waitUntil: "load" });
    await page.waitForSelector(".ep-figure .main-svg", { timeout: 30_000 });

    // Contents: one link per h1–h3, each pointing at a heading that exists.
    const toc = await page.locator("nav.toc a").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
    expect(toc).toEqual([["Lab B", "#lab-b"], ["Routing", "#routing"], ["Top-k", "#top-k"], ["Summary", "#summary"]]);
    for (const [, href] of toc) expect(await page.locator(href as string).count()).toBe(1);
    // The sidebar sits beside the text at 1280 px.
    const side = await page.evaluate(() => {
      const t = document.querySelector("nav.toc")!.getBoundingClientRect();
      const m = document.querySelector("main")!.getBoundingClientRect();
      return { tocRight: t.right, mainLeft: m.left };
    });
    expect(side.tocRight).toBeLessThanOrEqual(side.mainLeft);
    // prev/next at top and bottom.
    expect(await page.locator("nav.pager.top a.prev").getAttribute("href")).toBe("00-a.html");
    expect(await page.locator("nav.pager.bottom a.next").innerText()).toContain("Lab C");
    // Readable line length: a prose paragraph is at most ~46rem (about 80 characters) wide.
    const pWidth = await page.locator(".cell.markdown p").first().evaluate((p) => p.getBoundingClientRect().width);
    expect(pWidth).toBeLessThanOrEqual(46 * 16 + 1);
    // Copy button copies the cell's code.
    await page.locator(".cell.code button.copy").first().click();
    await expect.poll(() => page.locator(".cell.code button.copy").first().innerText()).toMatch(/Copied|Select and copy/);
    const copied = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    if (copied !== null) expect(copied).toBe("const answer = 42;\nconsole.log(answer);");
    // The figure fills its box at 1280 px (the fixed layout width is dropped).
    const wide = await page.evaluate(() => [document.querySelector(".ep-figure .main-svg")!.getBoundingClientRect().width, document.querySelector(".output-plotly")!.getBoundingClientRect().width]);
    expect(Math.abs(wide[0] - wide[1])).toBeLessThan(4);
    await page.screenshot({ path: path.join(SHOTS, "export-1280.png"), fullPage: true });

    // At 420 px: contents collapse above the text, figure shrinks with the window, nothing overflows sideways.
    await page.setViewportSize({ width: 420, height: 900 });
    await page.waitForFunction(() => document.querySelector(".ep-figure .main-svg")!.getBoundingClientRect().width <= 420, undefined, { timeout: 10_000 });
    const narrow = await page.evaluate(() => ({
      fig: document.querySelector(".ep-figure .main-svg")!.getBoundingClientRect().right,
      scroll: document.documentElement.scrollWidth,
    }));
    expect(narrow.fig).toBeLessThanOrEqual(420);
    expect(narrow.scroll).toBeLessThanOrEqual(420);
    await page.screenshot({ path: path.join(SHOTS, "export-420-resized.png"), fullPage: true });
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector(".ep-figure .main-svg", { timeout: 30_000 });
    expect(await page.evaluate(() => (document.querySelector("nav.toc details") as HTMLDetailsElement).open)).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await page.screenshot({ path: path.join(SHOTS, "export-420.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("exported figures fit a phone-sized window", { timeout: 120_000 }, () => {
  it("the lab's roofline and a long-titled four-panel figure keep every title, label and legend entry inside the figure at 420 and 1280 px", async () => {
    const long = "A figure title that is much longer than a phone screen is wide, about the placement of experts on GPUs";
    const panels = {
      data: [0, 1, 2, 3].map((i) => ({ type: "bar", x: ["GPU 0", "GPU 1"], y: [3, 1 + i], xaxis: `x${i + 1}`, yaxis: `y${i + 1}`, name: `placement number ${i} with a long legend name that wraps` })),
      layout: {
        title: { text: long },
        height: 380,
        grid: { rows: 1, columns: 4, pattern: "independent" },
        annotations: [0, 1, 2, 3].map((i) => ({ text: `<b>EPLB, +${i} redundant experts</b><br>balancedness 0.9${i}`, xref: "paper", yref: "paper", x: 0.125 + 0.25 * i, y: 1, xanchor: "center", yanchor: "bottom", showarrow: false })),
      },
    };
    const nb = nbOf([
      md("# Figures"),
      code("show(lab.prefillDecodeFigure())", [display({ "application/vnd.plotly.v1+json": prefillDecodeFigure(), "text/plain": "fig" })], 1),
      code("show(panels)", [display({ "application/vnd.plotly.v1+json": panels, "text/plain": "fig" })], 2),
    ]);
    const file = path.join(dir, "figures-fit.html");
    fs.writeFileSync(file, notebookToHtml(nb));
    fs.mkdirSync(SHOTS, { recursive: true });
    const outside = () =>
      Array.from(document.querySelectorAll(".ep-figure")).flatMap((fig) => {
        const box = fig.querySelector(".main-svg")!.getBoundingClientRect();
        const out: string[] = [];
        fig.querySelectorAll("svg text").forEach((t: Element) => {
          const r = t.getBoundingClientRect();
          if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)) out.push(t.textContent ?? "");
        });
        return out;
      });
    for (const width of [1280, 420]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto("file://" + file, { waitUntil: "load" });
      await page.waitForSelector(".ep-figure .main-svg", { timeout: 30_000 });
      // Wrapping happens after the first draw and redraws: wait until nothing sticks out (or time out and show what does).
      await expect.poll(() => page.evaluate(outside), { timeout: 10_000, message: `text outside its figure at ${width} px` }).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      if (width === 420) {
        // The long title was wrapped (two or more lines), not shrunk away.
        expect(await page.locator(".ep-figure").nth(1).locator(".gtitle tspan.line").count()).toBeGreaterThanOrEqual(2);
      }
      await page.screenshot({ path: path.join(SHOTS, `figures-fit-${width}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
