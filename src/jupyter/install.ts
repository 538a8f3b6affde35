/**
 * Installing the tslab kernelspec where a Jupyter outside `npm start` finds it: the user's Jupyter data folder
 * (Jupyter, JupyterLab, VS Code), the `sys.prefix` of the Python that runs Jupyter (a virtualenv, conda, or a
 * JupyterHub's single-user environment), or any prefix (`<prefix>/share/jupyter/kernels/tslab`).
 *
 * The spec is a plain tslab kernel (`node <tslab> kernel --config-path {connection_file}`) — the notebooks import
 * the library's build, so no loader hook is needed. Nothing here needs Python except finding `sys.prefix`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KERNEL_NAME, kernelSpec, kernelNodeArgs, projectRoot, tslabBin, type KernelSpec } from "./kernelspec";
import { assertAbsolute, checkOptions } from "./options";
import { installFrontendAssets } from "../notebook/assets";

/** Where `installKernelspec` writes. Exactly one of the three, or none for `user`. */
export interface InstallKernelspecOptions {
  /** The user's Jupyter data folder (`jupyter --data-dir`): found by Jupyter, JupyterLab and VS Code. The default. */
  user?: boolean;
  /** `<sys.prefix>/share/jupyter` of the Python that runs Jupyter (a venv, conda env or JupyterHub's env). */
  sysPrefix?: boolean;
  /** `<prefix>/share/jupyter` for an absolute `prefix` (e.g. a shared JupyterHub environment). */
  prefix?: string;
  /** The Python whose `sys.prefix` to use with `sysPrefix` (absolute). Default: the one running `jupyter` on PATH. */
  python?: string;
  /** Project root whose tslab to run (absolute). Default: this checkout. */
  root?: string;
  /** Environment used to find the user data folder and Jupyter (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** What `installKernelspec` wrote. */
export interface InstalledKernelspec {
  /** "user", "sys-prefix" or "prefix". */
  scope: "user" | "sys-prefix" | "prefix";
  /** The Jupyter data folder that holds `kernels/` (absolute). */
  dataDir: string;
  /** `<dataDir>/kernels/tslab/kernel.json`. */
  specFile: string;
  /** The spec written. */
  spec: KernelSpec;
}

/**
 * The user's Jupyter data folder, as `jupyter --data-dir` prints it, computed without Python:
 * `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter` or `~/.local/share/jupyter` on Linux,
 * `~/Library/Jupyter` on macOS, `%APPDATA%\jupyter` on Windows.
 * @param env environment (default `process.env`)
 * @param platform `process.platform` value (default: this one)
 * @param home home folder (default `os.homedir()`)
 * @returns an absolute path
 * @throws {TypeError} for a non-object env or a relative home
 * @example userDataDir({ HOME: "/home/ada" }, "linux", "/home/ada") // "/home/ada/.local/share/jupyter"
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (typeof env !== "object" || env === null) throw new TypeError(`env must be an environment object, got ${JSON.stringify(env)}`);
  assertAbsolute("home", home);
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  if (platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (platform === "win32") return path.join(env.APPDATA || path.join(home, "AppData", "Roaming"), "jupyter");
  const xdg = env.XDG_DATA_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, ".local", "share"), "jupyter");
}

/**
 * The Python interpreter a Python console script (such as `/usr/bin/jupyter`) runs under: its `#!` line.
 * @param script absolute path of the script
 * @returns the interpreter's absolute path (resolving `#!/usr/bin/env python3` on PATH), or null when the file has
 *   no Python `#!` line or the interpreter is not found
 * @throws {TypeError} for a relative path
 * @example pythonOfScript("/usr/bin/jupyter") // "/usr/bin/python3"
 */
export function pythonOfScript(script: string, envPath: string = process.env.PATH ?? ""): string | null {
  assertAbsolute("script", script);
  let head: string;
  try {
    const fd = fs.openSync(script, "r");
    const buf = Buffer.alloc(256);
    const n = fs.readSync(fd, buf, 0, 256, 0);
    fs.closeSync(fd);
    head = buf.subarray(0, n).toString("utf8").split("\n")[0];
  } catch {
    return null;
  }
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(head);
  if (!m) return null;
  let exe = m[1];
  if (path.basename(exe) === "env" && m[2]) {
    const found = envPath
      .split(path.delimiter)
      .filter((d) => d && path.isAbsolute(d))
      .map((d) => path.join(d, m[2]!))
      .find((p) => fs.existsSync(p));
    if (!found) return null;
    exe = found;
  }
  return /python/.test(path.basename(exe)) && fs.existsSync(exe) ? exe : null;
}

/**
 * `sys.prefix` of a Python interpreter (runs `python -c "import sys; print(sys.prefix)"`).
 * @param python absolute path of the interpreter
 * @returns the prefix (absolute)
 * @throws {TypeError} for a relative path; {Error} when the interpreter does not run or prints no absolute path
 * @example sysPrefixOf("/usr/bin/python3") // "/usr"
 */
export function sysPrefixOf(python: string): string {
  assertAbsolute("python", python);
  const r = spawnSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8", timeout: 30_000 });
  const out = (r.stdout ?? "").trim();
  if (r.error || r.status !== 0 || !path.isAbsolute(out)) {
    throw new Error(`could not read sys.prefix from ${python}: ${r.error ? r.error.message : `exit code ${r.status}`} ${(r.stderr ?? "").trim()}`.trim());
  }
  return out;
}

/**
 * The Python that runs the `jupyter` command on PATH (from its `#!` line), or null when there is no `jupyter`.
 * @param envPath PATH to search (default `process.env.PATH`)
 * @returns `{ jupyter, python }` absolute paths (python null when the script has no Python `#!` line)
 * @example jupyterPython() // { jupyter: "/usr/bin/jupyter", python: "/usr/bin/python3" }
 */
export function jupyterPython(envPath: string = process.env.PATH ?? ""): { jupyter: string; python: string | null } | null {
  if (typeof envPath !== "string") throw new TypeError(`envPath must be a PATH string, got ${JSON.stringify(envPath)}`);
  for (const d of envPath.split(path.delimiter).filter((x) => x && path.isAbsolute(x))) {
    const p = path.join(d, "jupyter");
    try {
      const st = fs.statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) {
        // A pyenv shim is a shell script: follow it to the real one only through `jupyter --version` succeeding.
        const python = pythonOfScript(p, envPath);
        if (python || spawnSync(p, ["--version"], { stdio: "ignore", timeout: 30_000 }).status === 0) return { jupyter: p, python };
      }
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Write the tslab kernelspec (`kernels/tslab/kernel.json`) where Jupyter, VS Code or a JupyterHub finds it.
 * Rewrites an existing one (a moved checkout or another Node version is picked up).
 * @param options where: `user` (default), `sysPrefix`, or `prefix: DIR`; see `InstallKernelspecOptions`
 * @returns the scope, folder and spec written
 * @throws {TypeError}/{RangeError} for bad options (unknown keys name the nearest, more than one scope, a relative
 *   prefix or python); {Error} when tslab is not installed, or `sysPrefix` finds no Python running Jupyter
 * @example
 * installKernelspec({ prefix: "/opt/jupyterhub" }).specFile; // "/opt/jupyterhub/share/jupyter/kernels/tslab/kernel.json"
 */
export function installKernelspec(options: InstallKernelspecOptions = {}): InstalledKernelspec {
  checkOptions(options, ["user", "sysPrefix", "prefix", "python", "root", "env"]);
  for (const k of ["user", "sysPrefix"] as const) {
    if (options[k] !== undefined && typeof options[k] !== "boolean") throw new TypeError(`${k} must be true or false, got ${JSON.stringify(options[k])}`);
  }
  const scopes = [options.user ? "user" : null, options.sysPrefix ? "sysPrefix" : null, options.prefix !== undefined ? "prefix" : null].filter(Boolean);
  if (scopes.length > 1) throw new RangeError(`give one of user, sysPrefix, prefix; got ${scopes.join(" and ")}`);
  const root = options.root ?? projectRoot();
  assertAbsolute("root", root);
  const env = options.env ?? process.env;
  if (typeof env !== "object" || env === null) throw new TypeError(`env must be an environment object, got ${JSON.stringify(env)}`);
  if (options.python !== undefined) assertAbsolute("python", options.python);
  if (options.python !== undefined && !options.sysPrefix) throw new RangeError("python is only used with sysPrefix");
  let scope: InstalledKernelspec["scope"];
  let dataDir: string;
  if (options.prefix !== undefined) {
    assertAbsolute("prefix", options.prefix);
    scope = "prefix";
    dataDir = path.join(options.prefix, "share", "jupyter");
  } else if (options.sysPrefix) {
    let python = options.python;
    if (!python) {
      const jp = jupyterPython(env.PATH ?? "");
      if (!jp || !jp.python) {
        throw new Error(
          jp
            ? `cannot tell which Python runs ${jp.jupyter} (no Python #! line); pass the interpreter (--python /path/to/python3) or use --prefix DIR`
            : "no `jupyter` on PATH, so there is no sys.prefix to install into; activate the environment that runs Jupyter, or use --user or --prefix DIR",
        );
      }
      python = jp.python;
    }
    scope = "sys-prefix";
    dataDir = path.join(sysPrefixOf(python), "share", "jupyter");
  } else {
    scope = "user";
    dataDir = userDataDir(env);
  }
  const spec = kernelSpec(tslabBin(root), kernelNodeArgs(root));
  spec.metadata = { ...spec.metadata, generated_by: "ep-lab kernel install (src/jupyter/install.ts)", project: root };
  const specDir = path.join(dataDir, "kernels", KERNEL_NAME);
  fs.mkdirSync(specDir, { recursive: true });
  const specFile = path.join(specDir, "kernel.json");
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2) + "\n");
  installFrontendAssets(dataDir, null); // nbextensions/ep-lab/plotly-<version>.min.js: figures draw after a reload
  return { scope, dataDir, specFile, spec };
}
