/**
 * Finding the user's Jupyter: JupyterLab if present, else the classic Notebook.
 *
 * A candidate counts only when `<executable> --version` succeeds, so a pyenv shim for a command
 * the active Python lacks (it exits non-zero) is skipped rather than launched.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** A Jupyter front end that `startJupyter` can launch. */
export interface JupyterInstall {
  /** "lab" (JupyterLab) or "notebook" (Jupyter Notebook, classic 6.x or 7.x). */
  kind: "lab" | "notebook";
  /** Absolute path of `jupyter-lab` or `jupyter-notebook`. */
  executable: string;
  /** What `--version` printed, e.g. "6.4.12". */
  version: string;
  /**
   * The traitlets class that takes server options: "NotebookApp" for Notebook < 7, "ServerApp" for
   * JupyterLab and Notebook ≥ 7 (both built on jupyter_server).
   */
  serverApp: "NotebookApp" | "ServerApp";
}

/** How to get Jupyter, shown when none is found. */
export const JUPYTER_MISSING_MESSAGE = [
  "No working Jupyter found (looked for jupyter-lab, then jupyter-notebook, on PATH).",
  "Install one of them, then run `npm start` again:",
  "  Debian/Ubuntu:  sudo apt-get install jupyter-notebook",
  "  any Python 3:   python3 -m pip install --user notebook      (or: pip install jupyterlab)",
  "You can also run the labs without Jupyter: `npm run labs` executes them headless.",
].join("\n");

/**
 * Parse the version a Jupyter executable printed and decide which server app takes its options.
 * @param kind which front end printed it
 * @param output stdout of `--version`
 * @returns the install description without the executable, or null when no version is found
 * @throws {RangeError} when `kind` is not "lab" or "notebook"; {TypeError} when `output` is not a string
 * @example
 * parseVersion("notebook", "6.4.12\n"); // { kind: "notebook", version: "6.4.12", serverApp: "NotebookApp" }
 */
export function parseVersion(kind: "lab" | "notebook", output: string): Omit<JupyterInstall, "executable"> | null {
  if (kind !== "lab" && kind !== "notebook") throw new RangeError(`kind must be "lab" or "notebook", got ${JSON.stringify(kind)}`);
  if (typeof output !== "string") throw new TypeError(`output must be a string, got ${typeof output}`);
  const m = /(\d+)\.(\d+)(?:\.\d+)?\S*/.exec(output);
  if (!m) return null;
  const major = Number(m[1]);
  const serverApp = kind === "notebook" && major < 7 ? "NotebookApp" : "ServerApp";
  return { kind, version: m[0], serverApp };
}

/**
 * Candidate executables for a command name: every `PATH` entry in order, without duplicates, only
 * executable files that exist.
 * @param name command name, e.g. "jupyter-lab"
 * @param envPath the `PATH` value to search (default: `process.env.PATH`); relative entries are skipped
 * @returns absolute paths in search order
 * @throws {TypeError} when `name` is not a plain command name (letters, digits, `_ . -`) or `envPath` is not a string
 * @example candidatePaths("jupyter-notebook", "/usr/local/bin:/usr/bin") // ["/usr/bin/jupyter-notebook"]
 */
export function candidatePaths(name: string, envPath: string = process.env.PATH ?? ""): string[] {
  if (typeof name !== "string" || !/^[\w.-]+$/.test(name)) throw new TypeError(`name must be a plain command name, got ${JSON.stringify(name)}`);
  if (typeof envPath !== "string") throw new TypeError(`envPath must be a PATH string, got ${JSON.stringify(envPath)}`);
  const dirs = envPath.split(path.delimiter).filter((d) => d && path.isAbsolute(d));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of dirs) {
    const p = path.join(d, name);
    if (seen.has(p)) continue;
    seen.add(p);
    try {
      const st = fs.statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) out.push(p);
    } catch {
      // not there
    }
  }
  return out;
}

/**
 * Find the user's Jupyter: the first working `jupyter-lab`, else the first working `jupyter-notebook`.
 * @param options.envPath `PATH` to search (default: `process.env.PATH`)
 * @param options.executable use exactly this executable (its basename decides lab vs notebook)
 * @param options.timeoutMs how long each `--version` probe may take, in milliseconds (default 30000)
 * @returns the install, or null when none works (print `JUPYTER_MISSING_MESSAGE`)
 * @throws {TypeError} when `options` is not an object, `executable` is not an absolute path, `envPath` is not a
 *   string; {RangeError} when `timeoutMs` is not a positive integer number of milliseconds
 * @example
 * const j = findJupyter(); // { kind: "notebook", executable: "/usr/bin/jupyter-notebook", version: "6.4.12", serverApp: "NotebookApp" }
 */
export function findJupyter(options: { envPath?: string; executable?: string; timeoutMs?: number } = {}): JupyterInstall | null {
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${JSON.stringify(options)}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (typeof timeoutMs !== "number") throw new TypeError(`timeoutMs must be a number of milliseconds, got ${JSON.stringify(timeoutMs)}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  if (!Number.isSafeInteger(timeoutMs)) throw new RangeError(`timeoutMs must be an integer number of milliseconds, got ${timeoutMs}`);
  if (options.envPath !== undefined && typeof options.envPath !== "string") {
    throw new TypeError(`envPath must be a PATH string, got ${JSON.stringify(options.envPath)}`);
  }
  const probe = (kind: "lab" | "notebook", executable: string): JupyterInstall | null => {
    const r = spawnSync(executable, ["--version"], { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
    if (r.error || r.status !== 0) return null;
    const parsed = parseVersion(kind, r.stdout);
    return parsed ? { ...parsed, executable } : null;
  };
  if (options.executable !== undefined) {
    if (typeof options.executable !== "string" || !path.isAbsolute(options.executable)) {
      throw new TypeError(`executable must be an absolute path, got ${JSON.stringify(options.executable)}`);
    }
    const kind = /lab/.test(path.basename(options.executable)) ? "lab" : "notebook";
    return probe(kind, options.executable);
  }
  for (const [kind, name] of [["lab", "jupyter-lab"], ["notebook", "jupyter-notebook"]] as const) {
    for (const exe of candidatePaths(name, options.envPath)) {
      const found = probe(kind, exe);
      if (found) return found;
    }
  }
  return null;
}
