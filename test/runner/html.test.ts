import { describe, expect, it } from "vitest";
import * as path from "path";
import { carriesPlotlyBundle, Notebook, notebookToHtml, sharedPlotlyName } from "../../src/runner";

const fixtures = path.join(__dirname, "fixtures");

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    Object.values(o as object).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}

function notebook(cells: Notebook["cells"]): Notebook {
  return deepFreeze({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
}

const FAKE_PLOTLY = "/* plotly.js v0.0.0 stand-in */ window.Plotly = { newPlot() {} };";

describe("notebookToHtml: markdown", () => {
  it("gives headings slug ids (de-duplicated), Jupyter-style aliases and keeps a #anchor table of contents working", () => {
    const nb = notebook([
      { cell_type: "markdown", metadata: {}, source: "# Lab 1: Routing\n\n- [Top-k](#top-k-selection)\n- [Again](#top-k-selection-1)\n" },
      { cell_type: "markdown", metadata: {}, source: ["## Top-k selection\n", "text\n"] },
      { cell_type: "markdown", metadata: {}, source: "## Top-k selection" },
    ]);
    const html = notebookToHtml(nb);
    expect(html).toContain('<h1 id="lab-1-routing">');
    expect(html).toContain('<h2 id="top-k-selection"><a class="anchor-alias" id="Top-k-selection"></a>');
    expect(html).toContain('<h2 id="top-k-selection-1">');
    expect(html).toContain('<a href="#top-k-selection">Top-k</a>');
    expect(html).toContain("<title>Lab 1: Routing</title>");
    // every in-page link has a target
    const targets = new Set([...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1]));
    for (const m of html.matchAll(/href="#([^"]+)"/g)) expect(targets.has(m[1])).toBe(true);
  });

  it("inlines relative images from markdown, HTML <img> and attachments as data URIs, leaving remote ones alone", () => {
    const nb = notebook([
      {
        cell_type: "markdown",
        metadata: {},
        source: '![dot](images/dot.svg)\n\n![up a folder](../fixtures/images/dot.svg)\n\n<img src="images/dot.svg">\n\n![att](attachment:p.png)\n\n![remote](https://example.org/x.png)\n\n![missing](images/none.svg)',
        attachments: { "p.png": { "image/png": "iVBORw0KGgo=" } },
      },
    ]);
    const html = notebookToHtml(nb, { baseDir: fixtures });
    expect(html.match(/src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/g)).toHaveLength(3);
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(html).toContain('src="https://example.org/x.png"');
    expect(html).not.toContain('src="images/none.svg"'); // a missing file becomes a blank image, not a path to guess at
    expect(html).not.toContain('src="images/dot.svg"');
  });
});

describe("notebookToHtml: code and outputs", () => {
  it("renders source, streams (ANSI converted), errors, rich outputs and raw HTML", () => {
    const nb = notebook([
      {
        cell_type: "code",
        metadata: {},
        execution_count: 3,
        source: "const a = 1 < 2;",
        outputs: [
          { output_type: "stream", name: "stdout", text: ["\u001b[32mgreen\u001b[0m\n"] },
          { output_type: "stream", name: "stderr", text: "warn\n" },
          { output_type: "display_data", data: { "text/html": ["<b id=\"raw\">", "raw</b><script>var ran = 1;</script>"], "text/plain": "x" }, metadata: {} },
          { output_type: "display_data", data: { "text/markdown": "*em*" }, metadata: {} },
          { output_type: "display_data", data: { "image/png": "iVBOR\nw0K" }, metadata: {} },
          { output_type: "display_data", data: { "image/svg+xml": "<svg id=\"s\"></svg>" }, metadata: {} },
          { output_type: "execute_result", execution_count: 3, data: { "text/plain": "<42>" }, metadata: {} },
          { output_type: "error", ename: "Error", evalue: "boom", traceback: ["\u001b[31mError: boom\u001b[0m", "    at cell"] },
        ],
      },
    ]);
    const html = notebookToHtml(nb);
    expect(html).toContain("In&nbsp;[3]:");
    expect(html).toContain("const a = 1 &lt; 2;");
    expect(html).toContain('<span class="ansi-green-fg">green</span>');
    expect(html).toContain('class="output-stream stderr">warn');
    expect(html).toContain('<b id="raw">raw</b>'); // HTML outputs are kept, sanitized: no script
    expect(html).not.toContain("var ran = 1");
    expect(html).toContain("<em>em</em>");
    expect(html).toContain('<img alt="" src="data:image/png;base64,iVBORw0K">');
    expect(html).toContain(`<img alt="" src="data:image/svg+xml;base64,${Buffer.from('<svg id="s"></svg>').toString("base64")}">`); // an SVG as an image: its scripts never run
    expect(html).toContain("&lt;42&gt;");
    expect(html).toContain('<span class="ansi-red-fg">Error: boom</span>\n    at cell');
    expect(html).not.toContain("\u001b");
  });

  it("draws plotly JSON outputs from script-safe JSON with the shared plotly.js file (or inline when asked)", () => {
    const fig = { data: [{ y: [1, 2], type: "scatter", name: "</script><script>alert(1)</script>" }], layout: { width: 900, height: 300 } };
    const nb = notebook([
      { cell_type: "code", metadata: {}, execution_count: 1, source: "", outputs: [
        { output_type: "display_data", data: { "application/vnd.plotly.v1+json": fig, "text/html": "<div>ignored</div><script>bad()</script>", "text/plain": "fig" }, metadata: {} },
        { output_type: "display_data", data: { "application/vnd.plotly.v1+json": JSON.stringify(fig) }, metadata: {} },
      ] },
    ]);
    const html = notebookToHtml(nb, { plotlyJs: FAKE_PLOTLY });
    expect(html).not.toContain(FAKE_PLOTLY);
    expect(html.match(new RegExp(`<script src="${sharedPlotlyName().replace(/\./g, "\\.")}"></script>`, "g"))).toHaveLength(1);
    const specs = [...html.matchAll(/<script type="application\/json" class="ep-figure-spec" data-for="(ep-lab-plotly-\d)">(.*?)<\/script>/g)];
    expect(specs.map((m) => m[1])).toEqual(["ep-lab-plotly-1", "ep-lab-plotly-2"]);
    const spec = JSON.parse(specs[0][2]);
    expect(spec.layout).toEqual({ height: 300, autosize: true }); // no fixed width: the figure follows the window
    expect(spec.config.responsive).toBe(true);
    expect(html).not.toContain("</script><script>alert(1)");
    expect(html).not.toContain("bad()");
    expect(notebookToHtml(nb, { plotlyJs: FAKE_PLOTLY, plotly: "inline" }).split(FAKE_PLOTLY)).toHaveLength(2);
  });

  it("renders a malformed plotly JSON output as an error block instead of failing the export", () => {
    const nb = notebook([
      { cell_type: "code", metadata: {}, execution_count: 1, source: 'tslab.display.raw("application/vnd.plotly.v1+json", "{not json")', outputs: [
        { output_type: "display_data", data: { "application/vnd.plotly.v1+json": "{not json" }, metadata: {} },
        { output_type: "display_data", data: { "application/vnd.plotly.v1+json": "[1, 2]" }, metadata: {} },
        { output_type: "display_data", data: { "application/vnd.plotly.v1+json": { data: "x" } }, metadata: {} },
      ] },
      { cell_type: "markdown", metadata: {}, source: "## After" },
    ]);
    const html = notebookToHtml(nb);
    expect(html.match(/<pre class="output-error">This figure could not be drawn: /g)).toHaveLength(3);
    expect(html).toContain("is not valid JSON");
    expect(html).toContain('<h2 id="after">'); // the rest of the page is there
    expect(html).not.toContain('class="ep-figure-spec"');
  });

  it("does not load plotly when no figure needs it", () => {
    const plain = notebook([{ cell_type: "code", metadata: {}, execution_count: 1, source: "1", outputs: [] }]);
    const html = notebookToHtml(plain, { plotlyJs: FAKE_PLOTLY });
    expect(html).not.toContain(FAKE_PLOTLY);
    expect(html).not.toContain(sharedPlotlyName() + '"');
  });

  it("marks failed cells and leaves the notebook untouched (frozen input)", () => {
    const nb = notebook([{ cell_type: "code", metadata: { ep_lab: { status: "timeout" } }, execution_count: null, source: "while(true){}", outputs: [] }]);
    expect(notebookToHtml(nb)).toContain('class="cell code status-timeout"');
  });

  it("titles the page with the first heading, else the fallback, unless a title is given", () => {
    const headed = notebook([{ cell_type: "markdown", metadata: {}, source: "intro\n\n## Lab <2>" }]);
    expect(notebookToHtml(headed, { fallbackTitle: "file" })).toContain("<title>Lab &lt;2&gt;</title>");
    expect(notebookToHtml(headed, { title: "Given" })).toContain("<title>Given</title>");
    expect(notebookToHtml(notebook([]), { fallbackTitle: "lab-1" })).toContain("<title>lab-1</title>");
    expect(notebookToHtml(notebook([]))).toContain("<title>Notebook</title>");
  });

  it("rejects a value that is not a notebook", () => {
    expect(() => notebookToHtml({} as Notebook)).toThrow(/cells array/);
  });
});

describe("carriesPlotlyBundle", () => {
  it("recognizes the plotly.js banner", () => {
    expect(carriesPlotlyBundle("<script>/**\n* plotly.js v4.1.1\n*/</script>")).toBe(true);
    expect(carriesPlotlyBundle("<div>Plotly.newPlot(...)</div>")).toBe(false);
  });
});

describe("notebookToHtml: run status", () => {
  it("shows a banner linking to the failed cell when the run failed", () => {
    const nb = deepFreeze({
      nbformat: 4 as const,
      nbformat_minor: 5,
      metadata: { ep_lab: { status: "failed", reason: "timeout", cell: 2, message: 'cell 2 ("while(true){}") did not finish <in time>' } },
      cells: [
        { cell_type: "markdown" as const, metadata: {}, source: "# t" },
        { cell_type: "code" as const, metadata: {}, execution_count: null, source: "while(true){}", outputs: [] },
      ],
    });
    const html = notebookToHtml(nb);
    expect(html).toContain('<div class="run-failed" role="alert"><strong>This notebook did not run to the end.</strong> cell 2 (&quot;while(true){}&quot;) did not finish &lt;in time&gt;');
    expect(html).toContain('<a href="#nb-cell-2">Go to the cell</a>');
    expect(html).toContain('<div id="nb-cell-2" class="cell code">');
    expect(notebookToHtml({ ...nb, metadata: { ep_lab: { status: "ok" } } })).not.toContain("run-failed\"");
  });
});
