import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { buildInputs, buildLibrary, ensureLibraryBuilt, libraryBuildStatus } from "../../src/jupyter";
import { warnIfStaleBuild } from "../../src/util/build-freshness";

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-build-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A miniature project with the real tsconfig files and node_modules. */
function miniProject(): string {
  const root = path.join(tmp, "proj");
  fs.mkdirSync(path.join(root, "src", "util"), { recursive: true });
  for (const f of ["tsconfig.json", "tsconfig.build.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  fs.writeFileSync(path.join(root, "src", "util", "index.ts"), "export const answer: number = 42;\n");
  fs.writeFileSync(path.join(root, "src", "util", "old.ts"), "export const old = 1;\n");
  fs.writeFileSync(path.join(root, "src", "util", "plain.js"), "module.exports = 7;\n");
  return root;
}

describe("the library build (dist/)", () => {
  it("this checkout's build is current and notebooks/ep-lab leads to it", () => {
    const s = libraryBuildStatus();
    expect(s.stale).toBe(false);
    expect(s.message).toBe("the library build in dist/ is current");
    expect(fs.realpathSync(path.join(ROOT, "notebooks", "ep-lab"))).toBe(fs.realpathSync(path.join(ROOT, "dist")));
    for (const m of ["notebook", "routing", "eplb", "lab", "tensor", "util", "viz", "cost"]) {
      expect(fs.existsSync(path.join(ROOT, "dist", m, "index.js")), m).toBe(true);
      expect(fs.existsSync(path.join(ROOT, "dist", m, "index.d.ts")), m).toBe(true);
    }
    expect(fs.existsSync(path.join(ROOT, "dist", "runner", "parent-watchdog.js"))).toBe(true);
    expect(buildInputs()).toContain("src/routing/route.ts");
  });

  it("builds, then names an edited, added or removed source as stale, and a rebuild drops outputs of removed files", () => {
    const root = miniProject();
    const missing = libraryBuildStatus(root);
    expect(missing).toMatchObject({ built: false, stale: true });
    expect(missing.message).toMatch(/not built .* run `npm run build`/);

    const first = ensureLibraryBuilt(root, { log: () => {} });
    expect(first.rebuilt).toBe(true);
    expect(first.status.stale).toBe(false);
    expect(require(path.join(root, "dist", "util", "index.js")).answer).toBe(42);
    expect(fs.readFileSync(path.join(root, "dist", "util", "index.d.ts"), "utf8")).toContain("answer: number");
    expect(fs.existsSync(path.join(root, "dist", "util", "plain.js"))).toBe(true);
    expect(ensureLibraryBuilt(root, { log: () => {} }).rebuilt).toBe(false);
    expect(warnIfStaleBuild(path.join(root, "dist", "util"))).toBeNull(); // current: silent

    // Rewritten with the same bytes (a newer file time): still current.
    const later = new Date(Date.now() + 5000);
    fs.writeFileSync(path.join(root, "src", "util", "index.ts"), "export const answer: number = 42;\n");
    fs.utimesSync(path.join(root, "src", "util", "index.ts"), later, later);
    expect(libraryBuildStatus(root).stale).toBe(false);
    // Edited, with a file time older than the build (a copy that kept times): stale.
    const longAgo = new Date("2001-01-01T00:00:00Z");
    fs.writeFileSync(path.join(root, "src", "util", "index.ts"), "export const answer: number = 43;\n");
    fs.utimesSync(path.join(root, "src", "util", "index.ts"), longAgo, longAgo);
    const edited = libraryBuildStatus(root);
    expect(edited.stale).toBe(true);
    expect(edited.changed).toEqual(["src/util/index.ts"]);
    expect(edited.message).toMatch(/predates the current src\/util\/index.ts; run `npm run build`/);
    // What a notebook importing the build prints (once per kernel); silent when loaded from src/.
    expect(warnIfStaleBuild(path.join(root, "src", "util"))).toBeNull();
    const warning = warnIfStaleBuild(path.join(root, "dist", "util"));
    expect(warning).toMatch(/predates the current src\/util\/index\.ts\. To run the edited code: `npm run build` in .*, then restart the kernel\./);
    expect(warnIfStaleBuild(path.join(root, "dist", "util"))).toBeNull();

    fs.rmSync(path.join(root, "src", "util", "old.ts"));
    fs.writeFileSync(path.join(root, "src", "util", "added.ts"), "export const added = 2;\n");
    const moved = libraryBuildStatus(root);
    expect(moved.removed).toEqual(["src/util/old.ts"]);
    expect(moved.changed).toContain("src/util/added.ts");

    buildLibrary(root);
    expect(libraryBuildStatus(root).stale).toBe(false);
    expect(fs.readFileSync(path.join(root, "dist", "util", "index.js"), "utf8")).toContain("43");
    expect(fs.existsSync(path.join(root, "dist", "util", "old.js"))).toBe(false);
    expect(fs.existsSync(path.join(root, "dist", "util", "old.d.ts"))).toBe(false);
    expect(fs.existsSync(path.join(root, "dist", "util", "added.js"))).toBe(true);
  }, 120_000);

  it("a stamp from before content hashes were recorded goes by file times", () => {
    const root = path.join(tmp, "proj");
    const stampFile = path.join(root, "dist", ".ep-lab-build.json");
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8"));
    expect(Object.keys(stamp.hashes)).toContain("src/util/index.ts");
    expect(stamp.hashes["src/util/index.ts"]).toMatch(/^[0-9a-f]{16}$/);
    delete stamp.hashes;
    fs.writeFileSync(stampFile, JSON.stringify(stamp));
    expect(libraryBuildStatus(root).stale).toBe(false); // every input is older than the stamp's start
    const later = new Date(stamp.startedAtMs + 5000);
    fs.utimesSync(path.join(root, "src", "util", "added.ts"), later, later);
    expect(libraryBuildStatus(root).changed).toEqual(["src/util/added.ts"]);
    fs.writeFileSync(stampFile, JSON.stringify({ ...stamp, hashes: [] }));
    expect(libraryBuildStatus(root)).toMatchObject({ built: false, stale: true }); // a malformed stamp is no build
    buildLibrary(root);
  }, 120_000);

  it("a compile error fails with the compiler's message and leaves the build stale", () => {
    const root = path.join(tmp, "proj");
    fs.writeFileSync(path.join(root, "src", "util", "broken.ts"), "export const x: number = 'not a number';\n");
    expect(() => buildLibrary(root)).toThrow(/building the library failed[\s\S]*broken\.ts/);
    expect(libraryBuildStatus(root).stale).toBe(true);
  }, 120_000);

  it("rejects bad arguments", () => {
    expect(() => libraryBuildStatus("relative")).toThrow(TypeError);
    expect(() => libraryBuildStatus(tmp)).toThrow(/no src/);
    expect(() => buildLibrary(ROOT, { outpt: "pipe" } as never)).toThrow(/did you mean "output"/);
    expect(() => buildLibrary(ROOT, { output: "loud" as never })).toThrow(RangeError);
    expect(() => ensureLibraryBuilt(ROOT, { log: "x" as never })).toThrow(TypeError);
  });
});
