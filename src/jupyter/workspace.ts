/**
 * The learner workspace: a folder of fresh copies of the labs that Jupyter serves and autosaves into, so the
 * committed `notebooks/` never change (`npm start` serves `<project>/workspace/`, gitignored).
 *
 * A workspace holds, beside the copied `.ipynb` files, the links a lab needs to run from there:
 * - `ep-lab` → the library build (`dist/`): cells import `./ep-lab/<module>`;
 * - `images` → the project's `images/` (markdown cells show `images/<file>.svg`);
 * - `node_modules` → the project's `node_modules/`, only for a workspace outside the project (imports such as
 *   `danfojs-node` or `tslab` resolve by walking up from the notebook's folder).
 * Links are relative inside the project (the checkout can move) and absolute outside it (e.g. a JupyterHub user's
 * home). `resetLab` moves a learner's notebook to `backups/` with a time stamp and puts a fresh copy back.
 */
import * as fs from "fs";
import * as path from "path";
import { DIST_DIR, LIBRARY_LINK } from "./build";
import { projectRoot } from "./kernelspec";
import { assertAbsolute, checkOptions, nearest } from "./options";

/** The workspace folder `npm start` uses, relative to the project root. */
export const WORKSPACE_DIR = "workspace";
/** Where `resetLab` keeps a learner's previous notebooks, inside the workspace. */
export const BACKUP_DIR = "backups";

/** A link inside a workspace. */
export interface WorkspaceLink {
  /** Absolute path of the link. */
  path: string;
  /** What it points at, as written (relative or absolute). */
  target: string;
}

/** What `seedWorkspace` did. */
export interface SeededWorkspace {
  /** Absolute path of the workspace. */
  dir: string;
  /** Lab file names copied fresh this time (they were not there). */
  copied: string[];
  /** Lab file names already there, left as the learner saved them. */
  kept: string[];
  /** The links the workspace has (created or already correct). */
  links: WorkspaceLink[];
}

/** Options of `seedWorkspace`. */
export interface SeedWorkspaceOptions {
  /** Project root whose `notebooks/`, `dist/`, `images/` and `node_modules/` to use (absolute). Default: this checkout. */
  root?: string;
  /** Only these labs (file names or unique prefixes, e.g. "lab3.1"). Default: every `notebooks/*.ipynb`. */
  labs?: string[];
}

/**
 * The lab notebooks of the course: `notebooks/*.ipynb` of the project (hidden files excluded), sorted.
 * @param root absolute project root (default: this checkout)
 * @returns file names, e.g. `["00-setup-check.ipynb", "lab3.1-expert-parallelism-foundations.ipynb"]`
 * @throws {TypeError} for a relative root; {RangeError} when `root` has no `notebooks/` folder
 * @example courseLabs()[0] // "00-setup-check.ipynb"
 */
export function courseLabs(root: string = projectRoot()): string[] {
  assertAbsolute("root", root);
  const dir = path.join(root, "notebooks");
  if (!fs.existsSync(dir)) throw new RangeError(`root has no notebooks/ folder: ${root}`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort();
}

/**
 * Resolve lab names a person typed to the course's file names: an exact file name, the name without `.ipynb`, or
 * a prefix that matches exactly one lab ("lab3.1", "00").
 * @param names what was typed
 * @param root absolute project root (default: this checkout)
 * @returns file names in the order given, without duplicates
 * @throws {TypeError} when `names` is not an array of strings; {RangeError} for an empty array, or a name that
 *   matches no lab (naming the nearest) or several (naming them)
 * @example resolveLabs(["lab3.1"]) // ["lab3.1-expert-parallelism-foundations.ipynb"]
 */
export function resolveLabs(names: readonly string[], root: string = projectRoot()): string[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) throw new TypeError(`labs must be an array of lab names, got ${JSON.stringify(names)}`);
  if (names.length === 0) throw new RangeError("labs must name at least one lab, got []");
  const all = courseLabs(root);
  const out: string[] = [];
  for (const n of names) {
    const exact = all.find((f) => f === n || f === `${n}.ipynb`);
    const matches = exact ? [exact] : all.filter((f) => f.startsWith(n) && n.length > 0);
    if (matches.length === 0) {
      const near = nearest(n, all.map((f) => f.replace(/\.ipynb$/, "")));
      throw new RangeError(`no lab named ${JSON.stringify(n)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; labs: ${all.join(", ")}`);
    }
    if (matches.length > 1) throw new RangeError(`lab name ${JSON.stringify(n)} matches several labs: ${matches.join(", ")}; give more of the name`);
    if (!out.includes(matches[0])) out.push(matches[0]);
  }
  return out;
}

/**
 * Create or complete a learner workspace: copy each lab that is not there yet (a learner's saved copy is never
 * overwritten) and make the `ep-lab`, `images` (and, outside the project, `node_modules`) links. Idempotent.
 * The library build itself is not made here: call `ensureLibraryBuilt()` (./build) before starting a kernel.
 * @param dir absolute workspace folder (default: `<project>/workspace`); created when missing
 * @param options see `SeedWorkspaceOptions`
 * @returns what was copied, kept and linked
 * @throws {TypeError} for a relative path or a non-object `options`; {RangeError} for an unknown option or lab
 *   name, a `dir` that is the project's `notebooks/` (or inside it), or a path in the way of a link that is not a
 *   link (it is never deleted)
 * @example
 * const ws = seedWorkspace("/home/ada/ep-lab"); // JupyterHub: one workspace per learner
 * ws.copied; // ["00-setup-check.ipynb", "lab3.1-expert-parallelism-foundations.ipynb"] the first time
 */
export function seedWorkspace(dir: string = path.join(projectRoot(), WORKSPACE_DIR), options: SeedWorkspaceOptions = {}): SeededWorkspace {
  assertAbsolute("dir", dir);
  checkOptions(options, ["root", "labs"]);
  const root = options.root ?? projectRoot();
  assertAbsolute("root", root);
  const labs = options.labs === undefined ? courseLabs(root) : resolveLabs(options.labs, root);
  const ws = path.resolve(dir);
  const notebooks = path.join(root, "notebooks");
  if (isInside(ws, notebooks)) throw new RangeError(`dir must not be the course's notebooks/ folder or inside it (a learner's saves would change the course), got ${dir}`);
  fs.mkdirSync(ws, { recursive: true });
  const copied: string[] = [];
  const kept: string[] = [];
  for (const lab of labs) {
    const to = path.join(ws, lab);
    if (fs.existsSync(to)) {
      kept.push(lab);
      continue;
    }
    copyFresh(path.join(notebooks, lab), to);
    copied.push(lab);
  }
  const links: WorkspaceLink[] = [];
  const inside = isInside(ws, root);
  const want: [string, string][] = [
    [LIBRARY_LINK, path.join(root, DIST_DIR)],
    ["images", path.join(root, "images")],
  ];
  if (!inside) want.push(["node_modules", path.join(root, "node_modules")]);
  for (const [name, targetAbs] of want) {
    const at = path.join(ws, name);
    const target = inside ? path.relative(ws, targetAbs) : targetAbs;
    ensureLink(at, target);
    links.push({ path: at, target });
  }
  return { dir: ws, copied, kept, links };
}

/** One lab put back by `resetLab`. */
export interface ResetEntry {
  /** The lab's file name. */
  lab: string;
  /** Absolute path of the fresh copy. */
  path: string;
  /** Where the learner's previous copy went (absolute), or null when there was none. */
  backup: string | null;
}

/**
 * Restore fresh copies of labs in a workspace, moving each learner's copy to `<dir>/backups/<name>.<stamp>.ipynb`
 * first (the stamp is the local date and time, `YYYY-MM-DD_HHMMSS`; a counter is added when that name is taken).
 * Also re-creates the workspace's links (see `seedWorkspace`).
 * @param dir absolute workspace folder (default: `<project>/workspace`)
 * @param options.labs lab names or unique prefixes (default: every lab of the course)
 * @param options.root project root (absolute; default: this checkout)
 * @param options.now the time for the backup names (default: now)
 * @returns one entry per lab restored
 * @throws {TypeError}/{RangeError} as `seedWorkspace`, and for an invalid `now`
 * @example
 * resetLab(undefined, { labs: ["lab3.1"] });
 * // [{ lab: "lab3.1-….ipynb", path: "…/workspace/lab3.1-….ipynb", backup: "…/workspace/backups/lab3.1-….2026-12-01_153000.ipynb" }]
 */
export function resetLab(
  dir: string = path.join(projectRoot(), WORKSPACE_DIR),
  options: { labs?: string[]; root?: string; now?: Date } = {},
): ResetEntry[] {
  assertAbsolute("dir", dir);
  checkOptions(options, ["labs", "root", "now"]);
  const root = options.root ?? projectRoot();
  assertAbsolute("root", root);
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError(`now must be a valid Date, got ${String(now)}`);
  const labs = options.labs === undefined ? courseLabs(root) : resolveLabs(options.labs, root);
  const ws = path.resolve(dir);
  const entries: ResetEntry[] = [];
  for (const lab of labs) {
    const at = path.join(ws, lab);
    let backup: string | null = null;
    if (fs.existsSync(at)) {
      const backups = path.join(ws, BACKUP_DIR);
      fs.mkdirSync(backups, { recursive: true });
      const base = lab.replace(/\.ipynb$/, "");
      backup = path.join(backups, `${base}.${stamp(now)}.ipynb`);
      for (let i = 2; fs.existsSync(backup); i++) backup = path.join(backups, `${base}.${stamp(now)}-${i}.ipynb`);
      fs.renameSync(at, backup);
    }
    entries.push({ lab, path: at, backup });
  }
  // Copy the fresh labs and (re)make the links.
  seedWorkspace(ws, { root, labs });
  return entries;
}

function copyFresh(from: string, to: string): void {
  const text = fs.readFileSync(from, "utf8");
  const tmp = `${to}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, to);
}

function ensureLink(at: string, target: string): void {
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(at);
  } catch {
    st = null;
  }
  if (st) {
    if (!st.isSymbolicLink()) throw new RangeError(`${at} exists and is not a link; move it away so the workspace can link it to ${target}`);
    if (fs.readlinkSync(at) === target) return;
    fs.unlinkSync(at);
  }
  fs.symlinkSync(target, at, "dir");
}

function isInside(p: string, dir: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(p));
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function stamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}_${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}
