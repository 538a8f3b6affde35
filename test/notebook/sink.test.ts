import { createRequire } from "module";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { currentSink, md, resetDisplayState, setDisplaySink, show, underKernel, TEXT_SINK } from "../../src/notebook";

// The kernel sink calls the function behind tslab's public display API. This loads tslab's real
// module (as the kernel does) and stands in for the kernel's writer, so a tslab upgrade that moves
// or renames it fails here rather than silently turning notebook output into text.
const req = createRequire(path.join(__dirname, "..", "..", "package.json"));
const jupyter = req("tslab/dist/jupyter.js") as { lastWriteDisplayData: unknown };

afterEach(() => {
  jupyter.lastWriteDisplayData = null;
  setDisplaySink(null);
  resetDisplayState();
});

describe("kernel detection", () => {
  it("tslab still exposes lastWriteDisplayData (null outside an executing cell)", () => {
    expect(Object.keys(jupyter)).toContain("lastWriteDisplayData");
    expect(jupyter.lastWriteDisplayData).toBeNull();
  });

  it("falls back to text when no cell is executing", () => {
    expect(currentSink()).toBe(TEXT_SINK);
    expect(underKernel()).toBe(false);
  });

  it("sends whole MIME bundles through tslab's writer while a cell executes", () => {
    const sent: { content: { data: Record<string, unknown>; metadata: unknown; transient: unknown }; update: boolean }[] = [];
    jupyter.lastWriteDisplayData = (content: never, update: boolean) => void sent.push({ content, update });
    expect(underKernel()).toBe(true);
    md("# hi");
    show({ data: [{ type: "bar", y: [1] }] });
    expect(sent).toHaveLength(2); // markdown, figure (plotly.js is loaded by the page from the server, never sent)
    expect(sent[0]).toEqual({ content: { data: { "text/markdown": "# hi", "text/plain": "# hi" }, metadata: {}, transient: {} }, update: false });
    expect(Object.keys(sent[1].content.data).sort()).toEqual(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    currentSink().emit({ "text/plain": "x" }, "abc", true);
    expect(sent[2]).toEqual({ content: { data: { "text/plain": "x" }, metadata: {}, transient: { display_id: "abc" } }, update: true });
  });
});
