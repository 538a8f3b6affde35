/**
 * Is the library build in `dist/` current with `src/`? Shared by `npm start`/`npm run labs`/`ep-lab build --check`
 * (src/jupyter/build.ts) and by the build itself: loaded from `dist/`, `warnIfStaleBuild` tells a notebook's
 * reader when `src/` was edited after the build they are running.
 *
 * A successful build writes `dist/.ep-lab-build.json` with the time the compile started, the list of sources and a
 * hash of each input's content taken before the compile. The build is stale when an input (`src/**`,
 * `tsconfig.json`, `tsconfig.build.json`, `package.json`) now has other content than it had then, or a source was
 * added or removed since. Content, not file times: a file rewritten with the same bytes (an editor's save, a
 * generator) leaves the build current, and an edit whose file time is older than the build (a copy that kept
 * times, a restored backup) still makes it stale. A stamp written before hashes were recorded falls back to file
 * times (an input modified after the compile started).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** This checkout's root: `src/util/` and `dist/util/` are both two levels below it. */
const ROOT = path.resolve(__dirname, "..", "..");

/** The folder (relative to the project root) holding the built library. */
export const DIST_DIR = "dist";
/** The stamp file a successful build writes inside `dist/`. */
export const BUILD_STAMP = ".ep-lab-build.json";

/** What `libraryBuildStatus` found. */
export interface LibraryBuildStatus {
  /** Absolute path of `dist/`. */
  distDir: string;
  /** True when a finished build exists (its stamp is there). */
  built: boolean;
  /** True when not built, or when an input changed after the build started. */
  stale: boolean;
  /** When the last successful build started (ms since the epoch), or null. */
  builtAtMs: number | null;
  /** Inputs changed after the build (paths relative to the root, at most 10), or added since; [] when fresh. */
  changed: string[];
  /** Sources that were removed since the build (their outputs are left over), at most 10. */
  removed: string[];
  /** One sentence for a person: "library build is current", or what is missing and the command that fixes it. */
  message: string;
}

/** What a successful build records in `dist/.ep-lab-build.json`. */
export interface BuildStamp {
  /** When the compile started, ms since the epoch. */
  startedAtMs: number;
  /** The sources compiled (paths relative to the root). */
  sources: string[];
  /** Content hash of each input before the compile, by relative path (see {@link inputHashes}); absent in older stamps. */
  hashes?: Record<string, string>;
}

/**
 * Every input of the build: `.ts` and `.js` files under `src/` (paths relative to `root`, sorted), plus the
 * TypeScript configs and package.json when present.
 * @param root absolute project root (default: this checkout)
 * @returns relative paths with "/" separators
 * @throws {TypeError} when `root` is not an absolute path; {RangeError} when `root` has no `src/` folder
 * @example buildInputs().includes("src/routing/route.ts") // true
 */
export function buildInputs(root: string = ROOT): string[] {
  assertAbsolute("root", root);
  const src = path.join(root, "src");
  if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) throw new RangeError(`root has no src/ folder: ${root}`);
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (/\.(ts|js)$/.test(e.name)) out.push(`src/${r}`);
    }
  };
  walk(src, "");
  out.sort();
  return out;
}

const CONFIG_INPUTS = ["tsconfig.json", "tsconfig.build.json", "package.json"];

/** Content hash of one file (SHA-256, first 16 hex digits), or null when it cannot be read. */
function hashFile(p: string): string | null {
  try {
    return createHash("sha256").update(fs.readFileSync(p)).digest("hex").slice(0, 16);
  } catch {
    return null;
  }
}

/**
 * Content hashes of the build's inputs: the given sources plus the TypeScript configs and package.json when present.
 * @param root absolute project root
 * @param sources relative paths of the sources (as {@link buildInputs} returns them)
 * @returns `{ [relativePath]: 16 hex digits of SHA-256 }`; an input that cannot be read is left out
 * @throws {TypeError} when `root` is not an absolute path or `sources` is not an array of strings
 * @example inputHashes(root, buildInputs(root))["src/routing/route.ts"]; // e.g. "3f0c9a1d2b7e4c55"
 */
export function inputHashes(root: string, sources: readonly string[]): Record<string, string> {
  assertAbsolute("root", root);
  if (!Array.isArray(sources) || sources.some((s) => typeof s !== "string")) throw new TypeError(`sources must be an array of relative paths, got ${JSON.stringify(sources)}`);
  const out: Record<string, string> = {};
  for (const rel of [...sources, ...CONFIG_INPUTS]) {
    const h = hashFile(path.join(root, rel));
    if (h !== null) out[rel] = h;
  }
  return out;
}

/**
 * Whether `dist/` holds a current build of `src/` (hashes the inputs' content: about 1.8 MB, under 10 ms here).
 * @param root absolute project root (default: this checkout)
 * @returns the status, with a `message` that names the fix (`npm run build`) when the build is missing or stale
 * @throws {TypeError} when `root` is not an absolute path; {RangeError} when `root` has no `src/` folder
 * @example
 * const s = libraryBuildStatus();
 * if (s.stale) console.error(s.message); // "the library build in dist/ predates the current src/routing/route.ts …"
 */
export function libraryBuildStatus(root: string = ROOT): LibraryBuildStatus {
  const sources = buildInputs(root);
  const distDir = path.join(root, DIST_DIR);
  const stamp = readBuildStamp(distDir);
  if (!stamp) {
    return {
      distDir,
      built: false,
      stale: true,
      builtAtMs: null,
      changed: [],
      removed: [],
      message: `the library is not built (no ${DIST_DIR}/${BUILD_STAMP}); run \`npm run build\` in ${root}`,
    };
  }
  const before = new Set(stamp.sources);
  const now = new Set(sources);
  const changed: string[] = [];
  // Every input present now (an absent optional config is left out), in order: the sources, then the configs.
  for (const [rel, hash] of Object.entries(inputHashes(root, sources))) {
    if (rel.startsWith("src/") && !before.has(rel)) changed.push(rel);
    else if (stamp.hashes && rel in stamp.hashes) {
      if (hash !== stamp.hashes[rel]) changed.push(rel);
    } else {
      // an older stamp without hashes, or a config that appeared since: file times
      let mtime: number;
      try {
        mtime = fs.statSync(path.join(root, rel)).mtimeMs;
      } catch {
        continue;
      }
      if (mtime > stamp.startedAtMs) changed.push(rel);
    }
    if (changed.length >= 10) break;
  }
  const removed = stamp.sources.filter((s) => !now.has(s)).slice(0, 10);
  const stale = changed.length > 0 || removed.length > 0;
  const what = [...changed, ...removed.map((r) => `${r} (removed)`)];
  return {
    distDir,
    built: true,
    stale,
    builtAtMs: stamp.startedAtMs,
    changed,
    removed,
    message: stale
      ? `the library build in ${DIST_DIR}/ predates the current ${what.slice(0, 3).join(", ")}${what.length > 3 ? " and more" : ""}; run \`npm run build\` in ${root} (then restart the kernel)`
      : `the library build in ${DIST_DIR}/ is current`,
  };
}


export function readBuildStamp(distDir: string): BuildStamp | null {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(distDir, BUILD_STAMP), "utf8")) as BuildStamp;
    if (typeof s.startedAtMs !== "number" || !Array.isArray(s.sources)) return null;
    if (s.hashes !== undefined && (s.hashes === null || typeof s.hashes !== "object" || Array.isArray(s.hashes))) return null;
    return s;
  } catch {
    return null;
  }
}


let warned = false;

/**
 * When called from the build (`dist/<module>/`), print once per process a warning naming the sources edited after
 * the build and the command that rebuilds it. Does nothing when run from `src/` (tests, the CLI) or when the build
 * is current. Never throws.
 * @param moduleDir the caller's `__dirname` (e.g. `<project>/dist/notebook`)
 * @returns the warning printed, or null
 * @example warnIfStaleBuild(__dirname); // in src/notebook/index.ts: notebooks import it first
 */
export function warnIfStaleBuild(moduleDir: string): string | null {
  try {
    if (warned || typeof moduleDir !== "string" || path.basename(path.dirname(moduleDir)) !== DIST_DIR) return null;
    const root = path.resolve(moduleDir, "..", "..");
    if (!fs.existsSync(path.join(root, "src"))) return null; // a build shipped without its sources
    const s = libraryBuildStatus(root);
    if (!s.stale || !s.built) return null;
    warned = true;
    const what = [...s.changed, ...s.removed.map((r) => `${r} (removed)`)];
    const text =
      `ep-lab: this notebook runs the library build in ${root}/${DIST_DIR}/, which predates the current ` +
      `${what.slice(0, 3).join(", ")}${what.length > 3 ? " and more" : ""}. ` +
      `To run the edited code: \`npm run build\` in ${root}, then restart the kernel.`;
    console.error(text);
    return text;
  } catch {
    return null;
  }
}

function assertAbsolute(name: string, p: unknown): asserts p is string {
  if (typeof p !== "string" || p.length === 0) throw new TypeError(`${name} must be a non-empty path string, got ${JSON.stringify(p)}`);
  if (!path.isAbsolute(p)) throw new TypeError(`${name} must be an absolute path, got ${JSON.stringify(p)}`);
}
