/**
 * loadDanfo: danfojs-node with mathjs, xlsx and request deferred until first use. Run in a fresh Node process (the
 * stand-ins live in Node's module cache), through tsx's CommonJS hook on the sources.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { liveSourceNodeArgs } from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");

function inFreshNode(code: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...liveSourceNodeArgs(ROOT), "-e", code], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe("loadDanfo", { timeout: 180_000 }, () => {
  it("returns danfo without loading mathjs, xlsx or request; each loads when danfo first uses it and gives the same results", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-danfo-"));
    try {
      const out = inFreshNode(`
        const { loadDanfo } = require("./src/notebook/danfo.ts");
        const files = (name) => Object.keys(require.cache).filter((k) => k.includes("/node_modules/" + name + "/")).length;
        const dfd = loadDanfo();
        const df = new dfd.DataFrame([{ name: "x", v: 3 }, { name: "y", v: 1 }, { name: "z", v: 2 }]);
        const picked = df.query(df["name"].eq("y"));
        const sorted = df.sortValues("v");
        const before = { mathjs: files("mathjs"), xlsx: files("xlsx"), request: files("request") };
        const stats = { std: df["v"].std(), median: df["v"].median(), mean: df["v"].mean() };
        const afterStats = files("mathjs");
        const file = ${JSON.stringify(path.join(tmp, "t.xlsx"))};
        dfd.toExcel(df, { filePath: file });
        dfd.readExcel(file).then((back) => {
          console.log(JSON.stringify({
            same: loadDanfo() === dfd, danfoIsReal: typeof dfd.DataFrame === "function" && typeof dfd.readCSV === "function",
            picked: picked.values, sorted: sorted["v"].values, before, stats, afterStats, xlsxAfter: files("xlsx"),
            back: back.values, requestAfter: files("request"),
          }));
        });
      `);
      expect(out.same).toBe(true);
      expect(out.danfoIsReal).toBe(true);
      expect(out.picked).toEqual([["y", 1]]);
      expect(out.sorted).toEqual([1, 2, 3]);
      // Only each stand-in's own cache entry: the real modules (mathjs has about 900 files) are not loaded yet.
      expect(out.before).toEqual({ mathjs: 1, xlsx: 1, request: 1 });
      expect(out.stats).toEqual({ std: 1, median: 2, mean: 2 });
      expect(out.afterStats as number).toBeGreaterThan(100);
      expect(out.xlsxAfter as number).toBeGreaterThan(1);
      expect(out.back).toEqual([["x", 3], ["y", 1], ["z", 2]]);
      expect(out.requestAfter).toBe(1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("installDeferred forwards calls, property tests and listing to the real module, and rejects bad input", () => {
    const out = inFreshNode(`
      const { installDeferred } = require("./src/notebook/danfo.ts");
      const path = require("path");
      const file = require.resolve("pure-rand");
      const m = installDeferred(file, true);
      const loadedEarly = Object.keys(require.cache).filter((k) => k.includes("/node_modules/pure-rand/")).length;
      const esm = m.__esModule;
      const stillStub = Object.keys(require.cache).filter((k) => k.includes("/node_modules/pure-rand/")).length;
      const hasXo = "xoroshiro128plus" in m;
      const keys = Object.keys(m).includes("xoroshiro128plus");
      const gen = m.xoroshiro128plus(42);
      const errors = [];
      for (const [f, e] of [["relative/x.js", true], [file, "yes"], [require.resolve("yaml"), false]]) {
        try { if (f === require.resolve("yaml")) require("yaml"); installDeferred(f, e); errors.push("none"); } catch (err) { errors.push(err.constructor.name + ": " + err.message); }
      }
      console.log(JSON.stringify({ loadedEarly, esm, stillStub, hasXo, keys, next: typeof gen.next, errors }));
    `);
    expect(out.loadedEarly).toBe(1);
    expect(out.esm).toBe(true);
    expect(out.stillStub).toBe(1);
    expect(out.hasXo).toBe(true);
    expect(out.keys).toBe(true);
    expect(out.next).toBe("function");
    const errors = out.errors as string[];
    expect(errors[0]).toMatch(/^TypeError: file must be an absolute path/);
    expect(errors[1]).toMatch(/^TypeError: esModule must be true or false/);
    expect(errors[2]).toMatch(/^RangeError: file .* is already loaded/);
  });
});
