/**
 * The project-local tslab kernelspec.
 *
 * Jupyter finds kernels in `<dir>/kernels/<name>/kernel.json` for every `<dir>` on `JUPYTER_PATH`.
 * Instead of `tslab install` (which needs IPython in some Python and writes to the user's home),
 * `npm start` writes this spec under the project (`.jupyter-local/kernels/tslab/`, gitignored) and
 * puts `.jupyter-local` first on `JUPYTER_PATH` for the Jupyter server it starts.
 */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";

/** The kernelspec name notebooks must carry in `metadata.kernelspec.name`. */
export const KERNEL_NAME = "tslab";
/** The name Jupyter shows in its kernel menu. */
export const KERNEL_DISPLAY_NAME = "TypeScript (tslab)";

/** The contents of a Jupyter `kernel.json`. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: Record<string, unknown>;
}

/**
 * Root folder of the project this file belongs to (`src/jupyter/` → two levels up). Never throws.
 * @returns the absolute path of the checkout
 * @example path.join(projectRoot(), "notebooks") // "/home/me/ep-lab/notebooks"
 */
export function projectRoot(): string {
  return path.resolve(__dirname, "..", "..");
}

/**
 * The tslab launcher script shipped in node_modules.
 * @param root project root (absolute path); default: this checkout
 * @returns absolute path of `node_modules/tslab/bin/tslab`
 * @throws {Error} when tslab is not installed (run `npm install`)
 * @example
 * tslabBin(); // "/home/me/ep-lab/node_modules/tslab/bin/tslab"
 */
export function tslabBin(root: string = projectRoot()): string {
  assertAbsolute("root", root);
  const bin = path.join(root, "node_modules", "tslab", "bin", "tslab");
  if (!fs.existsSync(bin)) {
    throw new Error(`tslab is not installed (no ${bin}); run \`npm install\` in ${root} first`);
  }
  return bin;
}

/**
 * The preload that makes tslab's iopub socket keep every message: `<root>/src/runner/iopub-flush.js`.
 *
 * zeromq.js 6 completes at most 512 sends synchronously and then defers the next one; while it is pending every
 * further send fails with EBUSY, which tslab's console swallows. Without the preload a cell that prints more than
 * about 500 messages in one go loses the rest of its output and its final `idle` status (the notebook hangs
 * "busy"). It also makes every socket bind synchronously: during zeromq.js's asynchronous bind a socket is
 * "blocked", and a kernel_info_request that arrives in that window makes tslab's reply throw EBUSY and ends its shell
 * loop (a kernel that never answers). The file is plain JavaScript in the checkout, so it needs no build.
 * @param root project root (absolute); default: this checkout
 * @returns the absolute path of `iopub-flush.js`
 * @throws {TypeError} for a relative root; {Error} when the file is missing (not an ep-lab checkout)
 * @example
 * iopubFlushPreload(); // "/home/me/ep-lab/src/runner/iopub-flush.js"
 */
export function iopubFlushPreload(root: string = projectRoot()): string {
  assertAbsolute("root", root);
  const file = path.join(root, "src", "runner", "iopub-flush.js");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${root} is not a complete ep-lab checkout (git checkout -- src/runner/iopub-flush.js)`);
  return file;
}

/**
 * Node options of the kernel that the project's kernelspecs start: `--require <root>/src/runner/iopub-flush.js`
 * (see {@link iopubFlushPreload}), nothing else.
 *
 * Notebooks import the built library (`./ep-lab/<module>` → `dist/`, JavaScript + `.d.ts`; see `./build`), which
 * tslab type-checks from the declarations and Node loads as plain CommonJS, so the labs need no loader hook: a
 * plain `tslab kernel --config-path {connection_file}` (what `tslab install`, VS Code or a JupyterHub start) runs
 * them too, only without the preload, so one cell's output is capped at about 500 messages there (and the rare
 * start-up race above is not closed).
 * @param root project root (absolute); default: this checkout
 * @returns `["--require", "<root>/src/runner/iopub-flush.js"]`
 * @throws {TypeError} when `root` is not an absolute path; {Error} when the preload file is missing
 * @example
 * spawn(process.execPath, [...kernelNodeArgs(), tslabBin(), "kernel", "--config-path", connFile]);
 */
export function kernelNodeArgs(root: string = projectRoot()): string[] {
  return ["--require", iopubFlushPreload(root)];
}

/**
 * Node options for a kernel that imports the live TypeScript sources (`./src/<module>`) instead of the build:
 * `--require <tsx/cjs>`. tslab compiles the `.ts` files a cell imports into memory but resolves a relative import
 * at run time by appending ".js" only, so a folder import (`./src/routing` → `index.ts`) needs tsx's CommonJS hook
 * to load. Used by `npm run bench` to compare the two imports; notebooks do not need it.
 * @param root project root (absolute); default: this checkout
 * @returns e.g. `["--require", "/p/node_modules/tsx/dist/cjs/index.cjs"]`
 * @throws {TypeError} for a relative root; {Error} when tsx is not installed
 * @example
 * await Kernel.start({ cwd: dirWithSrcLink, nodeArgs: liveSourceNodeArgs() });
 */
export function liveSourceNodeArgs(root: string = projectRoot()): string[] {
  assertAbsolute("root", root);
  let tsxCjs: string;
  try {
    tsxCjs = createRequire(path.join(root, "package.json")).resolve("tsx/cjs");
  } catch {
    throw new Error(`tsx is not installed under ${root}; run \`npm install\` first`);
  }
  return ["--require", tsxCjs];
}

/**
 * Build the tslab kernelspec (pure).
 *
 * The kernel is `node [nodeArgs] <tslab> kernel --config-path {connection_file}`; the node binary is
 * pinned to the one that generated the spec, so a Jupyter started from a desktop launcher with
 * another `PATH` still runs the kernel on the same Node version as `npm start`.
 * @param tslabPath absolute path of tslab's `bin/tslab` script
 * @param nodeArgs options for node before the script (see `kernelNodeArgs`); default none
 * @param nodePath absolute path of the node binary (default: `process.execPath`)
 * @returns the `kernel.json` object
 * @throws {TypeError} when a path is not an absolute path string or nodeArgs is not a string array
 * @example
 * kernelSpec("/p/node_modules/tslab/bin/tslab", ["--require", "/p/src/runner/iopub-flush.js"], "/usr/bin/node").argv;
 * // ["/usr/bin/node", "--require", "/p/src/runner/iopub-flush.js", "/p/node_modules/tslab/bin/tslab", "kernel", "--config-path", "{connection_file}"]
 */
export function kernelSpec(tslabPath: string, nodeArgs: readonly string[] = [], nodePath: string = process.execPath): KernelSpec {
  assertAbsolute("tslabPath", tslabPath);
  assertAbsolute("nodePath", nodePath);
  if (!Array.isArray(nodeArgs) || nodeArgs.some((a) => typeof a !== "string")) {
    throw new TypeError(`nodeArgs must be an array of strings, got ${JSON.stringify(nodeArgs)}`);
  }
  return {
    argv: [nodePath, ...nodeArgs, tslabPath, "kernel", "--config-path", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { generated_by: "ep-lab start (src/jupyter/kernelspec.ts)" },
  };
}

/** Where a written kernelspec lives. */
export interface WrittenKernelspec {
  /** The directory to put on `JUPYTER_PATH` (it contains `kernels/tslab/`). */
  jupyterPath: string;
  /** `<jupyterPath>/kernels/tslab`. */
  specDir: string;
  /** `<specDir>/kernel.json`. */
  specFile: string;
  spec: KernelSpec;
}

/**
 * Write the tslab kernelspec under `jupyterPath/kernels/tslab/kernel.json` (idempotent; rewrites
 * the file so a moved checkout or a new Node version is picked up).
 * @param jupyterPath absolute directory to hold `kernels/` (default: `<project>/.jupyter-local`)
 * @param root project root whose node_modules holds tslab (default: this checkout)
 * @returns the paths written and the spec
 * @throws {TypeError} for a relative path; {Error} when tslab is not installed
 * @example
 * const { jupyterPath } = writeKernelspec();
 * // start Jupyter with JUPYTER_PATH=jupyterPath
 */
export function writeKernelspec(
  jupyterPath: string = path.join(projectRoot(), ".jupyter-local"),
  root: string = projectRoot(),
): WrittenKernelspec {
  assertAbsolute("jupyterPath", jupyterPath);
  const spec = kernelSpec(tslabBin(root), kernelNodeArgs(root));
  const specDir = path.join(jupyterPath, "kernels", KERNEL_NAME);
  fs.mkdirSync(specDir, { recursive: true });
  const specFile = path.join(specDir, "kernel.json");
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2) + "\n");
  return { jupyterPath, specDir, specFile, spec };
}

function assertAbsolute(name: string, p: unknown): asserts p is string {
  if (typeof p !== "string" || p.length === 0) throw new TypeError(`${name} must be a non-empty path string, got ${JSON.stringify(p)}`);
  if (!path.isAbsolute(p)) throw new TypeError(`${name} must be an absolute path, got ${JSON.stringify(p)}`);
}
