/**
 * Bad input to the runner's public functions: each is rejected with a TypeError/RangeError naming the parameter
 * and showing the value. Nothing here starts a kernel: every check runs before a process is spawned.
 */
import { describe, expect, it } from "vitest";
import * as path from "path";
import MarkdownIt = require("markdown-it");
import {
  ansiToHtml,
  carriesPlotlyBundle,
  decodeMessage,
  describeCell,
  encodeMessage,
  escapeHtml,
  freePorts,
  headingAnchorPlugin,
  joinText,
  Kernel,
  liveKernelCount,
  newHeader,
  normalizeBundle,
  notebookToHtml,
  parseNotebook,
  readNotebook,
  runNotebook,
  serializeNotebook,
  sign,
  slugify,
  splitLines,
  stripAnsi,
  withSourceContext,
} from "../../src/runner";

const fixtures = path.join(__dirname, "fixtures");
const ok = path.join(fixtures, "ok.ipynb");
const empty = { nbformat: 4 as const, nbformat_minor: 5, metadata: {}, cells: [] };

describe("runNotebook option checks (before any kernel starts)", () => {
  it("rejects fractional, infinite or non-numeric timeouts, naming the option", async () => {
    await expect(runNotebook(ok, { timeoutMs: 1.5 })).rejects.toThrow(/timeoutMs must be a positive number of milliseconds \(an integer\), got 1\.5/);
    await expect(runNotebook(ok, { timeoutMs: Infinity })).rejects.toThrow(RangeError);
    await expect(runNotebook(ok, { timeoutMs: "60000" as never })).rejects.toThrow(/timeoutMs must be a number of milliseconds, got "60000"/);
  });
  it("throws for a bad startTimeoutMs instead of returning a failed run", async () => {
    await expect(runNotebook(ok, { startTimeoutMs: -1, outDir: null })).rejects.toThrow(/startTimeoutMs must be a positive number of milliseconds \(an integer\), got -1/);
    await expect(runNotebook(ok, { startTimeoutMs: NaN, outDir: null })).rejects.toThrow(RangeError);
    await expect(runNotebook(ok, { startTimeoutMs: 0.5, outDir: null })).rejects.toThrow(/startTimeoutMs/);
  });
  it("rejects an empty or non-string outDir, a non-function onCell and non-object options", async () => {
    await expect(runNotebook(ok, { outDir: "" })).rejects.toThrow(/outDir must not be empty/);
    await expect(runNotebook(ok, { outDir: 42 as never })).rejects.toThrow(/outDir must be a path string or null, got 42/);
    await expect(runNotebook(ok, { onCell: "log" as never })).rejects.toThrow(/onCell must be a function, got "log"/);
    await expect(runNotebook(ok, null as never)).rejects.toThrow(/options must be an object, got null/);
    expect(liveKernelCount()).toBe(0);
  });
});

describe("Kernel option checks (before anything is spawned)", () => {
  it("Kernel.start rejects non-object options and bad start timeouts, binaries, node args and env", async () => {
    await expect(Kernel.start(undefined as never)).rejects.toThrow(/options must be an object with a cwd, got undefined/);
    await expect(Kernel.start({ cwd: fixtures, startTimeoutMs: 1.5 })).rejects.toThrow(/startTimeoutMs must be an integer number of milliseconds, got 1\.5/);
    await expect(Kernel.start({ cwd: fixtures, startTimeoutMs: Infinity })).rejects.toThrow(/startTimeoutMs/);
    await expect(Kernel.start({ cwd: fixtures, startTimeoutMs: "5" as never })).rejects.toThrow(TypeError);
    await expect(Kernel.start({ cwd: fixtures, tslabBin: "" })).rejects.toThrow(/tslabBin must be a non-empty path string, got ""/);
    await expect(Kernel.start({ cwd: fixtures, nodeArgs: "--inspect" as never })).rejects.toThrow(/nodeArgs must be an array of strings/);
    await expect(Kernel.start({ cwd: fixtures, env: { N: 1 } as never })).rejects.toThrow(/env must be an object of string values/);
    expect(liveKernelCount()).toBe(0);
  });
  it("execute, heartbeat and shutdown check their arguments before touching the kernel", async () => {
    const k = Object.create(Kernel.prototype) as Kernel; // never started: the checks must come first
    await expect(k.execute(42 as never)).rejects.toThrow(/code must be a string, got 42/);
    await expect(k.execute("1", null as never)).rejects.toThrow(/options must be an object, got null/);
    await expect(k.execute("1", { timeoutMs: 2.5 })).rejects.toThrow(/timeoutMs must be an integer number of milliseconds, got 2\.5/);
    await expect(k.execute("1", { timeoutMs: "1" as never })).rejects.toThrow(TypeError);
    await expect(k.execute("1", { onIopub: {} as never })).rejects.toThrow(/onIopub must be a function/);
    await expect(k.heartbeat(NaN)).rejects.toThrow(/timeoutMs must be a positive integer number of milliseconds, got NaN/);
    await expect(k.heartbeat(-5)).rejects.toThrow(RangeError);
    await expect(k.shutdown(-1)).rejects.toThrow(/graceMs must be an integer number of milliseconds ≥ 0, got -1/);
    await expect(k.shutdown(NaN)).rejects.toThrow(RangeError);
    await expect(k.shutdown("0" as never)).rejects.toThrow(TypeError);
  });
  it("freePorts names a non-numeric count", async () => {
    await expect(freePorts("2" as never)).rejects.toThrow(/count must be a number, got "2"/);
  });
});

describe("notebook files and text helpers", () => {
  it("reject wrong types instead of coercing them", () => {
    expect(() => joinText(42 as never)).toThrow(/text must be a string or a list of strings, got 42/);
    expect(() => joinText(["a", 1] as never)).toThrow(/text\[1\] must be a string, got 1/);
    expect(() => splitLines(undefined as never)).toThrow(/text must be a string, got undefined/);
    expect(() => normalizeBundle("text/plain" as never)).toThrow(/data must be a MIME bundle object, got "text\/plain"/);
    expect(() => normalizeBundle(null as never)).toThrow(TypeError);
    expect(() => serializeNotebook(undefined as never)).toThrow(/nb must be a notebook with a cells array, got undefined/);
    expect(() => readNotebook("")).toThrow(/path must be a non-empty path string, got ""/);
    expect(() => parseNotebook(empty, "")).toThrow(/where must be a non-empty string/);
    for (const f of [stripAnsi, escapeHtml, ansiToHtml, slugify]) expect(() => f(undefined as never)).toThrow(/text must be a string, got undefined/);
    expect(() => carriesPlotlyBundle(null as never)).toThrow(/html must be a string, got null/);
    expect(() => describeCell(-1, "x")).toThrow(/index must be an integer ≥ 0, got -1/);
    expect(() => describeCell(1.5, "x")).toThrow(RangeError);
    expect(() => describeCell(0, null as never)).toThrow(/source must be a string, got null/);
    expect(() => withSourceContext(null as never, "x")).toThrow(/detail must be a string/);
    expect(() => withSourceContext("1:1 - x", 3 as never)).toThrow(/code must be a string, got 3/);
  });
  it("notebookToHtml and headingAnchorPlugin name a bad option or argument", () => {
    expect(() => notebookToHtml(empty, { title: 3 as never })).toThrow(/title must be a string, got 3/);
    expect(() => notebookToHtml(empty, { baseDir: "" })).toThrow(/baseDir must not be empty/);
    expect(() => notebookToHtml(empty, { plotlyJs: null as never })).toThrow(/plotlyJs must be a string, got null/);
    expect(() => notebookToHtml(empty, null as never)).toThrow(/options must be an object/);
    expect(() => notebookToHtml({} as never)).toThrow(/nb must be a notebook with a cells array, got \[object Object\]/);
    expect(() => headingAnchorPlugin({} as never)).toThrow(/md must be a markdown-it instance/);
    const md = new MarkdownIt().use(headingAnchorPlugin);
    expect(md.render("## Top-k routing", {})).toContain('<h2 id="top-k-routing">');
  });
});

describe("wire protocol", () => {
  it("rejects frames and headers that would be signed or sent as garbage", () => {
    expect(() => sign("k", ["{}", "{}", "{}", 4] as never)).toThrow(/frames\[3\] must be a string or a Buffer, got 4/);
    expect(() => encodeMessage("k", undefined as never, {})).toThrow(/header must be a message header/);
    expect(() => encodeMessage(7 as never, newHeader("status", "s"), {})).toThrow(/key must be a string/);
    expect(() => encodeMessage("k", newHeader("status", "s"), undefined)).toThrow(/content must be JSON-serializable, got undefined/);
    expect(() => encodeMessage("k", newHeader("status", "s"), {}, null as never)).toThrow(/parent must be an object/);
    expect(() => encodeMessage("k", newHeader("status", "s"), {}, {}, [] as never)).toThrow(/metadata must be an object/);
    expect(() => decodeMessage("k", "frames" as never)).toThrow(/frames must be an array of Buffers, got "frames"/);
    expect(() => decodeMessage("k", ["<IDS|MSG>"] as never)).toThrow(/frames\[0\] must be a Buffer/);
    expect(() => decodeMessage(undefined as never, [])).toThrow(/key must be a string/);
  });
});
