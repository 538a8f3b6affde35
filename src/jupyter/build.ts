/**
 * The build of the library that notebooks import: `src/**\/*.ts` compiled by `tsc -p tsconfig.build.json` into
 * `dist/` (JavaScript + `.d.ts`, gitignored). `dist/` sits at the same depth as `src/`, so paths computed from
 * `__dirname` (images, bench, node_modules) are the same in both.
 *
 * Notebooks import `./ep-lab/<module>`, where `ep-lab` is a link to `dist/` beside the notebook (committed in
 * `notebooks/`, created by `seedWorkspace` in a learner workspace). tslab type-checks a cell against the `.d.ts`
 * files and Node loads the `.js` files, so any tslab kernel runs the labs — no loader hook, no compiling of the
 * library in the kernel.
 *
 * Freshness: a successful build writes `dist/.ep-lab-build.json` with the time the compile started. The build is
 * stale when any input (`src/**`, `tsconfig.json`, `tsconfig.build.json`, `package.json`) was modified after that
 * time, or a source was added or removed since.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./kernelspec";
import { assertAbsolute, checkOptions } from "./options";
import { BUILD_STAMP, buildInputs, DIST_DIR, inputHashes, libraryBuildStatus, type BuildStamp, type LibraryBuildStatus } from "../util/build-freshness";

/** The name of the link beside a notebook that points at `dist/`: notebooks import `./ep-lab/<module>`. */
export const LIBRARY_LINK = "ep-lab";

export { BUILD_STAMP, buildInputs, DIST_DIR, libraryBuildStatus } from "../util/build-freshness";
export type { LibraryBuildStatus } from "../util/build-freshness";

/** Options of `buildLibrary`. */
export interface BuildLibraryOptions {
  /** Where the compiler's output goes: "pipe" (collected, returned) or "inherit" (printed). Default "pipe". */
  output?: "pipe" | "inherit";
}

/** Result of `buildLibrary`. */
export interface BuildLibraryResult {
  /** Wall time of the build in milliseconds. */
  durationMs: number;
  /** What the compiler printed ("" when `output` is "inherit" or nothing was printed). */
  log: string;
}

/**
 * Compile `src/` into `dist/` with the project's TypeScript (`tsc -p tsconfig.build.json`, incremental), copy the
 * plain `.js` files of `src/`, delete outputs of removed sources, and write the build stamp.
 * @param root absolute project root (default: this checkout)
 * @param options see `BuildLibraryOptions`
 * @returns how long it took and what the compiler printed
 * @throws {TypeError} for a relative root or a non-object `options`; {RangeError} for an unknown option or a bad
 *   `output`; {Error} with the compiler's messages when the compile fails (the old stamp is removed, so the build
 *   counts as stale)
 * @example
 * const { durationMs } = buildLibrary(); // about 10 s the first time on 2 cores, less when little changed
 */
export function buildLibrary(root: string = projectRoot(), options: BuildLibraryOptions = {}): BuildLibraryResult {
  assertAbsolute("root", root);
  checkOptions(options, ["output"]);
  const output = options.output ?? "pipe";
  if (output !== "pipe" && output !== "inherit") throw new RangeError(`output must be "pipe" or "inherit", got ${JSON.stringify(output)}`);
  const sources = buildInputs(root);
  // the content tsc is about to compile (an edit during the compile then counts as a change)
  const hashes = inputHashes(root, sources);
  const distDir = path.join(root, DIST_DIR);
  const t0 = Date.now();
  // Sub-millisecond file times: start a little earlier so an edit during the compile counts as newer.
  const startedAtMs = t0 - 1;
  // The previous stamp stays while tsc runs: if the sources did not change it is still true, and removing it would
  // make a concurrent reader (a notebook, the doctor, another build) see "no build" for the length of the compile.
  const r = spawnSync(process.execPath, [tscPath(root), "-p", path.join(root, "tsconfig.build.json")], {
    cwd: root,
    encoding: "utf8",
    stdio: output === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  const log = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.error || r.status !== 0) {
    fs.rmSync(path.join(distDir, BUILD_STAMP), { force: true }); // outputs may be half written: stale until rebuilt
    throw new Error(`building the library failed (tsc -p tsconfig.build.json, ${r.error ? r.error.message : `exit code ${r.status}`})${log.trim() ? `:\n${log.trim()}` : ""}`);
  }
  finishBuild(root, { startedAtMs, sources, hashes });
  return { durationMs: Date.now() - t0, log };
}

/**
 * Make sure `dist/` is current: build it when missing or stale (see `libraryBuildStatus`), else do nothing.
 * @param root absolute project root (default: this checkout)
 * @param options.output compiler output "pipe" | "inherit" (default "pipe")
 * @param options.log where to say that a build is starting (default: `console.error`); pass `() => {}` for silence
 * @returns the status after the call (`stale` is false) and whether a build ran
 * @throws as `buildLibrary` when the compile fails; {TypeError}/{RangeError} for bad arguments
 * @example
 * ensureLibraryBuilt(); // `npm start` and `npm run labs` call this first
 */
export function ensureLibraryBuilt(
  root: string = projectRoot(),
  options: { output?: "pipe" | "inherit"; log?: (line: string) => void } = {},
): { status: LibraryBuildStatus; rebuilt: boolean } {
  assertAbsolute("root", root);
  checkOptions(options, ["output", "log"]);
  if (options.log !== undefined && typeof options.log !== "function") throw new TypeError(`log must be a function, got ${JSON.stringify(options.log)}`);
  const log = options.log ?? ((l: string) => console.error(l));
  const before = libraryBuildStatus(root);
  if (!before.stale) return { status: before, rebuilt: false };
  log(before.built ? `Rebuilding the library: ${before.message.replace(/; run .*$/, "")}.` : "Building the library into dist/ (first run; about 10 s)…");
  buildLibrary(root, { output: options.output ?? "pipe" });
  return { status: libraryBuildStatus(root), rebuilt: true };
}

/**
 * Watch `src/` and rebuild `dist/` on every change (`tsc --watch`), refreshing the build stamp after each
 * successful compile. Runs until the returned `stop()` is called or the process ends.
 * @param root absolute project root (default: this checkout)
 * @param onLine called with each line the compiler prints (default: `console.log`)
 * @returns `stop()` (ends the compiler) and `done` (resolves with its exit code)
 * @throws {TypeError} for a relative root or a non-function `onLine`
 * @example
 * const w = watchLibrary(); // `npm run build:watch`
 * process.on("SIGINT", () => w.stop());
 */
export function watchLibrary(root: string = projectRoot(), onLine: (line: string) => void = (l) => console.log(l)): { stop: () => void; done: Promise<number> } {
  assertAbsolute("root", root);
  if (typeof onLine !== "function") throw new TypeError(`onLine must be a function, got ${JSON.stringify(onLine)}`);
  const child = spawn(process.execPath, [tscPath(root), "-p", path.join(root, "tsconfig.build.json"), "--watch", "--preserveWatchOutput"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let startedAtMs = Date.now() - 1;
  let sources = buildInputs(root);
  let hashes = inputHashes(root, sources);
  let buf = "";
  const onData = (b: Buffer) => {
    buf += b.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      // tsc --watch prints ANSI colours and a time prefix; strip the colours before matching.
      const line = buf.slice(0, i).replace(/\x1b\[[0-9;]*m/g, "");
      buf = buf.slice(i + 1);
      if (/Starting compilation|File change detected/.test(line)) {
        startedAtMs = Date.now() - 1;
        sources = buildInputs(root);
        hashes = inputHashes(root, sources);
      }
      if (/Found 0 errors/.test(line)) finishBuild(root, { startedAtMs, sources, hashes });
      else if (/Found [1-9]\d* errors?/.test(line)) fs.rmSync(path.join(root, DIST_DIR, BUILD_STAMP), { force: true });
      onLine(line);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const done = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  return { stop: () => void child.kill("SIGTERM"), done };
}

function finishBuild(root: string, stamp: BuildStamp): void {
  const { sources } = stamp;
  const distDir = path.join(root, DIST_DIR);
  fs.mkdirSync(distDir, { recursive: true });
  const now = new Set(sources);
  // Plain .js sources (e.g. runner/parent-watchdog.js) are not compiled: copy them.
  for (const rel of sources) {
    if (!rel.endsWith(".js")) continue;
    const to = path.join(distDir, rel.slice("src/".length));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(root, rel), to);
  }
  // Outputs whose source was removed would still be importable: delete them.
  const walk = (dir: string, rel: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        walk(path.join(dir, e.name), r);
        continue;
      }
      const m = /^(.*?)(\.d\.ts|\.js)$/.exec(r);
      if (!m) continue;
      if (!now.has(`src/${m[1]}.ts`) && !now.has(`src/${m[1]}.js`)) fs.rmSync(path.join(dir, e.name), { force: true });
    }
  };
  walk(distDir, "");
  fs.writeFileSync(path.join(distDir, BUILD_STAMP), JSON.stringify(stamp) + "\n");
}

function tscPath(root: string): string {
  const p = path.join(root, "node_modules", "typescript", "bin", "tsc");
  if (!fs.existsSync(p)) throw new Error(`TypeScript is not installed (no ${p}); run \`npm ci\` in ${root} first`);
  return p;
}
