/**
 * `ep-lab kernel doctor`: check what a setup lacks to run the labs in Jupyter, and say how to fix each gap.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DIST_DIR, LIBRARY_LINK, libraryBuildStatus } from "./build";
import { findJupyter, JUPYTER_MISSING_MESSAGE } from "./discover";
import { jupyterPython } from "./install";
import { KERNEL_NAME, projectRoot } from "./kernelspec";
import { assertAbsolute, checkOptions } from "./options";
import { WORKSPACE_DIR } from "./workspace";

/** One finding. "fail" stops the labs from running; "warn" is worth knowing but not blocking. */
export interface DoctorCheck {
  /** Short stable id, e.g. "library-build". */
  id: string;
  status: "ok" | "warn" | "fail";
  /** What was found, one line. */
  summary: string;
  /** The command or step that fixes it (absent when ok). */
  fix?: string;
}

/** The report of `kernelDoctor`. */
export interface DoctorReport {
  checks: DoctorCheck[];
  /** True when no check failed. */
  ok: boolean;
}

/** What `checkKernelspec` found in one kernel.json. */
export interface KernelspecCheck {
  /** True when the spec would start a tslab kernel. */
  valid: boolean;
  /** The problems found (empty when valid). */
  problems: string[];
  /** The tslab script the spec runs, when found in its argv. */
  tslab: string | null;
}

/**
 * Check that a kernel.json would start a tslab kernel: valid JSON with an `argv` of strings holding
 * `{connection_file}` and `kernel`, its program exists, its tslab script exists, and every `--require`d file exists.
 * @param specFile absolute path of a `kernel.json`
 * @returns whether it is valid, and the problems
 * @throws {TypeError} for a relative path
 * @example checkKernelspec("/home/ada/.local/share/jupyter/kernels/tslab/kernel.json").valid // true
 */
export function checkKernelspec(specFile: string): KernelspecCheck {
  assertAbsolute("specFile", specFile);
  const problems: string[] = [];
  let spec: { argv?: unknown; language?: unknown };
  try {
    spec = JSON.parse(fs.readFileSync(specFile, "utf8"));
  } catch (e) {
    return { valid: false, problems: [`cannot read ${specFile}: ${e instanceof Error ? e.message : String(e)}`], tslab: null };
  }
  const argv = spec.argv;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== "string")) {
    return { valid: false, problems: ["argv is not a non-empty array of strings"], tslab: null };
  }
  const args = argv as string[];
  if (!args.includes("{connection_file}")) problems.push("argv has no {connection_file}");
  if (!args.includes("kernel")) problems.push('argv does not run "tslab kernel"');
  const exe = args[0];
  if (path.isAbsolute(exe) && !fs.existsSync(exe)) problems.push(`the program ${exe} does not exist`);
  const tslab = args.find((a) => /(^|[\\/])tslab$/.test(a) && path.isAbsolute(a)) ?? null;
  if (!tslab) problems.push("argv names no tslab script by absolute path");
  else if (!fs.existsSync(tslab)) problems.push(`the tslab script ${tslab} does not exist (moved or deleted checkout?)`);
  args.forEach((a, i) => {
    if (a === "--require" || a === "-r") {
      const f = args[i + 1];
      if (f && path.isAbsolute(f) && !fs.existsSync(f)) problems.push(`argv requires ${f}, which does not exist`);
    }
  });
  return { valid: problems.length === 0, problems, tslab };
}

/**
 * Check a setup for running the labs: Node version, tslab, the library build, the `ep-lab` links, Jupyter, the
 * Python running it, and the tslab kernelspecs Jupyter sees.
 * @param options.root project root (absolute; default: this checkout)
 * @param options.env environment to look in (default `process.env`)
 * @returns every check with its fix, and whether none failed
 * @throws {TypeError}/{RangeError} for bad options
 * @example
 * for (const c of kernelDoctor().checks) console.log(c.status, c.summary, c.fix ?? "");
 */
export function kernelDoctor(options: { root?: string; env?: NodeJS.ProcessEnv } = {}): DoctorReport {
  checkOptions(options, ["root", "env"]);
  const root = options.root ?? projectRoot();
  assertAbsolute("root", root);
  const env = options.env ?? process.env;
  const checks: DoctorCheck[] = [];

  const major = Number(process.versions.node.split(".")[0]);
  checks.push(
    major >= 20
      ? { id: "node", status: "ok", summary: `Node.js ${process.versions.node} (${process.execPath})` }
      : { id: "node", status: "fail", summary: `Node.js ${process.versions.node} is too old`, fix: "install Node.js 20 or newer" },
  );

  const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");
  checks.push(
    fs.existsSync(tslab)
      ? { id: "tslab", status: "ok", summary: `tslab ${packageVersion(root, "tslab")} installed (${tslab})` }
      : { id: "tslab", status: "fail", summary: "tslab is not installed", fix: `cd ${root} && npm ci` },
  );

  const build = libraryBuildStatus(root);
  checks.push(
    build.stale
      ? { id: "library-build", status: "fail", summary: build.message.replace(/; run .*$/, ""), fix: `cd ${root} && npm run build   (then restart the kernel)` }
      : { id: "library-build", status: "ok", summary: `library build in ${DIST_DIR}/ is current (built ${new Date(build.builtAtMs ?? 0).toISOString()})` },
  );

  for (const folder of ["notebooks", WORKSPACE_DIR]) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    const link = path.join(dir, LIBRARY_LINK);
    let ok = false;
    try {
      ok = fs.realpathSync(link) === fs.realpathSync(path.join(root, DIST_DIR));
    } catch {
      ok = false;
    }
    checks.push(
      ok
        ? { id: `link-${folder}`, status: "ok", summary: `${folder}/${LIBRARY_LINK} → ${DIST_DIR}/` }
        : {
            id: `link-${folder}`,
            status: "fail",
            summary: `${folder}/${LIBRARY_LINK} does not lead to ${DIST_DIR}/ (notebooks there cannot import ./${LIBRARY_LINK}/…)`,
            fix: folder === "notebooks" ? `cd ${root} && git checkout -- notebooks/${LIBRARY_LINK} && npm run build` : `cd ${root} && node bin/ep-lab.js reset   (re-creates the workspace links)`,
          },
    );
  }

  const jupyter = findJupyter({ envPath: env.PATH ?? "" });
  checks.push(
    jupyter
      ? { id: "jupyter", status: "ok", summary: `Jupyter ${jupyter.kind === "lab" ? "Lab" : "Notebook"} ${jupyter.version} (${jupyter.executable})` }
      : { id: "jupyter", status: "warn", summary: "no working Jupyter on PATH (the headless `npm run labs` still works)", fix: JUPYTER_MISSING_MESSAGE.split("\n").slice(1, 4).join(" ").replace(/\s+/g, " ") },
  );

  const jp = jupyterPython(env.PATH ?? "");
  if (jp) {
    let pyVersion = "";
    if (jp.python) {
      const r = spawnSync(jp.python, ["--version"], { encoding: "utf8", timeout: 30_000 });
      pyVersion = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
    }
    checks.push(
      jp.python
        ? { id: "python", status: "ok", summary: `${jp.jupyter} runs on ${jp.python}${pyVersion ? ` (${pyVersion})` : ""}; \`--sys-prefix\` installs into its prefix` }
        : { id: "python", status: "warn", summary: `cannot tell which Python runs ${jp.jupyter}`, fix: "use `ep-lab kernel install --user` or `--prefix DIR` instead of --sys-prefix" },
    );
    const specs = listKernelspecs(jp.jupyter, env);
    if (specs === null) {
      checks.push({ id: "kernelspec", status: "warn", summary: `\`${jp.jupyter} --paths --json\` failed, so the installed kernels are unknown`, fix: "run `jupyter --paths` to see why" });
    } else if (!specs[KERNEL_NAME]) {
      checks.push({
        id: "kernelspec",
        status: "warn",
        summary: `no "${KERNEL_NAME}" kernelspec installed for your Jupyter (\`npm start\` brings its own; VS Code or another Jupyter need one)`,
        fix: `cd ${root} && node bin/ep-lab.js kernel install --user`,
      });
    } else {
      const specFile = path.join(specs[KERNEL_NAME], "kernel.json");
      const c = checkKernelspec(specFile);
      const other = c.tslab && !c.tslab.startsWith(path.join(root, "node_modules"));
      checks.push(
        c.valid
          ? {
              id: "kernelspec",
              status: other ? "warn" : "ok",
              summary: `kernelspec "${KERNEL_NAME}" at ${specFile} runs ${c.tslab}${other ? " (another checkout's tslab)" : ""}`,
              ...(other ? { fix: `cd ${root} && node bin/ep-lab.js kernel install --user   (to run this checkout's)` } : {}),
            }
          : { id: "kernelspec", status: "fail", summary: `kernelspec "${KERNEL_NAME}" at ${specFile} is broken: ${c.problems.join("; ")}`, fix: `cd ${root} && node bin/ep-lab.js kernel install --user` },
      );
    }
  } else {
    checks.push({ id: "python", status: "warn", summary: "no `jupyter` command on PATH, so no Python runs Jupyter here", fix: "install Jupyter (see the jupyter check), or use the headless `npm run labs`" });
  }
  return { checks, ok: checks.every((c) => c.status !== "fail") };
}

/**
 * The kernelspecs a Jupyter sees, by name → folder: `kernels/<name>/kernel.json` in each data path that
 * `jupyter --paths --json` lists, first match winning (as Jupyter searches). Needs only jupyter_core, not
 * jupyter_client's `jupyter kernelspec`.
 * @returns the map, or null when the command fails
 */
function listKernelspecs(jupyter: string, env: NodeJS.ProcessEnv): Record<string, string> | null {
  const r = spawnSync(jupyter, ["--paths", "--json"], { encoding: "utf8", env, timeout: 60_000 });
  if (r.error || r.status !== 0) return null;
  let data: unknown;
  try {
    data = (JSON.parse(r.stdout) as { data?: unknown }).data;
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  const out: Record<string, string> = {};
  for (const d of data) {
    if (typeof d !== "string") continue;
    const kernels = path.join(d, "kernels");
    let names: string[] = [];
    try {
      names = fs.readdirSync(kernels);
    } catch {
      continue;
    }
    for (const n of names) if (!(n in out) && fs.existsSync(path.join(kernels, n, "kernel.json"))) out[n] = path.join(kernels, n);
  }
  return out;
}

function packageVersion(root: string, name: string): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version);
  } catch {
    return "?";
  }
}
