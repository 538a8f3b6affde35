/**
 * The one place the lab kit chooses a TensorFlow.js backend.
 *
 * Order of preference (first that works wins):
 *   1. `tensorflow-gpu` — `@tensorflow/tfjs-node-gpu` with its native binding present AND libtensorflow
 *      reporting a CUDA device;
 *   2. `tensorflow`     — native libtensorflow on the CPU (`@tensorflow/tfjs-node`, or the GPU package when
 *      it loads but finds no usable GPU);
 *   3. `wasm`           — `@tensorflow/tfjs-backend-wasm`, loading the `.wasm` files shipped inside the
 *      package (works offline; SIMD when the runtime supports it, no threads in Node);
 *   4. `cpu`            — `@tensorflow/tfjs-backend-cpu`, plain JavaScript.
 *
 * Native packages are never `require`d on a guess. A failed native require leaves kernels registered
 * for the `tensorflow` backend, and the next attempt then prints one "kernel already registered" line per
 * kernel. So the loader first inspects the package on disk (is it installed, is it the real package and
 * not an npm alias, does `lib/napi-v*\/tfjs_binding.node` exist), then loads it once in a short-lived
 * child process (which also survives a crash or a hang during CUDA initialisation) and only requires it
 * in this process when the child succeeded.
 *
 * Set `EP_LAB_BACKEND=wasm` (or `cpu`, `tensorflow`) to cap the choice, e.g. to compare backends.
 */
import * as tfc from "@tensorflow/tfjs-core";
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { BACKEND_ORDER, type BackendName } from "./backend-names";

export { BACKEND_ORDER, type BackendName } from "./backend-names";

/** The TensorFlow.js core API (`@tensorflow/tfjs-core`) as used by the lab kit. */
export type Tf = typeof tfc;

/** A better backend that was not used, and why. */
export interface SkippedBackend {
  name: BackendName;
  reason: string;
}

/** What {@link loadBackend} chose. */
export interface BackendReport {
  /** The active backend. */
  readonly name: BackendName;
  /** Every better backend that was skipped, best first, with the reason. */
  readonly skipped: readonly SkippedBackend[];
  /** The TensorFlow.js core API, with the backend above active. */
  readonly tf: Tf;
  /** The backend id registered with tfjs-core: `"tensorflow"`, `"wasm"` or `"cpu"`. */
  readonly tfBackend: string;
  /** npm package that provides the backend, e.g. `@tensorflow/tfjs-backend-wasm`. */
  readonly packageName: string;
  /** Version of that package. */
  readonly packageVersion: string;
  /** Version of `@tensorflow/tfjs-core`. */
  readonly coreVersion: string;
  /** wasm: SIMD / threads in use; tensorflow: whether libtensorflow placed ops on a GPU. */
  readonly features: { readonly simd?: boolean; readonly threads?: boolean; readonly gpuDevice?: boolean };
  /** Console output captured while the backend initialised (normally empty). */
  readonly messages: readonly string[];
  /** Wall-clock time spent choosing and initialising, in milliseconds. */
  readonly loadMs: number;
}

/** Result of looking at a native package on disk, without loading it. */
export interface NativePackageInfo {
  /** `"ok"`: the real package with a binding file; otherwise the reason it cannot be used. */
  status: "ok" | "not-installed" | "alias" | "binding-missing";
  /** Human-readable explanation (empty for `"ok"`). */
  reason: string;
  /** Absolute package folder (when installed). */
  dir?: string;
  /** Version from its package.json (when installed). */
  version?: string;
  /** Absolute path of the native binding (when found). */
  bindingPath?: string;
}

const GLOBAL_KEY = Symbol.for("ep-lab.tensor.backend");
type GlobalSlot = { promise?: Promise<BackendReport>; report?: BackendReport };
function slot(): GlobalSlot {
  const g = globalThis as unknown as Record<symbol, GlobalSlot | undefined>;
  let s = g[GLOBAL_KEY];
  if (!s) {
    s = {};
    g[GLOBAL_KEY] = s;
  }
  return s;
}

/**
 * Look at a native TensorFlow.js package (`@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`) on disk,
 * without requiring it.
 *
 * @param packageName npm name to inspect
 * @param searchFrom folder to resolve from (default: this library's folder, i.e. the project's node_modules)
 * @returns the status and, when unusable, a reason naming what is missing
 * @throws {TypeError} when packageName or searchFrom is not a non-empty string
 * @example
 * inspectNativePackage("@tensorflow/tfjs-node").status; // "alias" on the lab machine (danfo's pure-JS alias)
 */
export function inspectNativePackage(packageName: string, searchFrom: string = __dirname): NativePackageInfo {
  if (typeof packageName !== "string" || packageName.length === 0) {
    throw new TypeError(`packageName must be a non-empty string, got ${String(packageName)}`);
  }
  if (typeof searchFrom !== "string" || searchFrom.length === 0) {
    throw new TypeError(`searchFrom must be a non-empty string, got ${String(searchFrom)}`);
  }
  let pkgJsonPath: string;
  try {
    pkgJsonPath = require.resolve(`${packageName}/package.json`, { paths: [searchFrom] });
  } catch {
    return { status: "not-installed", reason: `${packageName} is not installed` };
  }
  const dir = path.dirname(pkgJsonPath);
  let pkg: { name?: string; version?: string; binary?: { module_name?: string; module_path?: string } };
  try {
    pkg = JSON.parse(fs.readFileSync(pkgJsonPath, "utf8"));
  } catch (e) {
    return { status: "not-installed", reason: `${packageName}: cannot read ${pkgJsonPath} (${(e as Error).message})`, dir };
  }
  const version = String(pkg.version ?? "?");
  if (pkg.name !== packageName) {
    return {
      status: "alias",
      reason:
        `node_modules/${packageName} is an npm alias of ${pkg.name}@${version} (pure JavaScript, ` +
        `no native binding; installed for danfojs-node), not the native package`,
      dir,
      version,
    };
  }
  // node-pre-gyp layout: binary.module_path "./lib/napi-v{napi_build_version}", module_name "tfjs_binding".
  const moduleName = pkg.binary?.module_name ?? "tfjs_binding";
  const libDir = path.join(dir, "lib");
  let candidates: string[] = [];
  try {
    candidates = fs
      .readdirSync(libDir)
      .filter((d) => /^napi-v\d+$/.test(d))
      .sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)))
      .map((d) => path.join(libDir, d, `${moduleName}.node`))
      .filter((f) => fs.existsSync(f));
  } catch {
    candidates = [];
  }
  if (candidates.length === 0) {
    return {
      status: "binding-missing",
      reason:
        `${packageName}@${version} is installed but its native binding lib/napi-v*/${moduleName}.node is missing ` +
        `(its install script downloads libtensorflow and builds it; see docs/gpu.md)`,
      dir,
      version,
    };
  }
  return { status: "ok", reason: "", dir, version, bindingPath: candidates[0] };
}

/** Outcome of loading a native package in a child process. */
interface NativeProbe {
  ok: boolean;
  reason: string;
  gpuDevice: boolean;
}

const PROBE_MARK = "@@ep-lab-probe@@";

/** Load `dir` (a native tfjs package) in a child Node process and report whether it ran an op and saw a GPU. */
function probeNativeInChild(dir: string, timeoutMs: number): Promise<NativeProbe> {
  const script =
    `const tf = require(${JSON.stringify(dir)});` +
    `const a = tf.ones([4, 4]); const v = tf.matMul(a, a).dataSync()[0];` +
    `const b = tf.backend();` +
    `process.stdout.write(${JSON.stringify(PROBE_MARK)} + JSON.stringify({ backend: tf.getBackend(), ok: v === 4, gpu: !!b.isUsingGpuDevice }) + "\\n");`;
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    let settled = false;
    const child = spawn(process.execPath, ["-e", script], {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2" },
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const done = (p: NativeProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(p);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done({ ok: false, reason: `loading it timed out after ${timeoutMs} ms`, gpuDevice: false });
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => done({ ok: false, reason: `could not start a probe process: ${e.message}`, gpuDevice: false }));
    child.on("close", (code, signal) => {
      const line = out.split("\n").find((l) => l.startsWith(PROBE_MARK));
      if (line) {
        try {
          const r = JSON.parse(line.slice(PROBE_MARK.length)) as { backend: string; ok: boolean; gpu: boolean };
          if (r.ok && r.backend === "tensorflow") return done({ ok: true, reason: "", gpuDevice: r.gpu });
          return done({ ok: false, reason: `it loaded but a test op failed (backend ${r.backend})`, gpuDevice: false });
        } catch {
          /* fall through */
        }
      }
      const lastErr = err
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("at "))
        .slice(-2)
        .join(" | ");
      done({
        ok: false,
        reason: `loading it failed (${signal ? `signal ${signal}` : `exit code ${code}`})${lastErr ? `: ${lastErr.slice(0, 300)}` : ""}`,
        gpuDevice: false,
      });
    });
  });
}

/** Run `fn` with console.log/info/warn/error/debug captured; returns its result and the captured lines. */
async function captureConsole<T>(fn: () => Promise<T> | T): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  const c = console as unknown as Record<string, (...a: unknown[]) => void>;
  for (const m of methods) c[m] = (...a: unknown[]) => void lines.push(a.map(String).join(" ").trim());
  try {
    return { value: await fn(), lines };
  } finally {
    methods.forEach((m, i) => (c[m] = saved[i] as (...a: unknown[]) => void));
  }
}

function packageVersion(name: string): string {
  try {
    return String(JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")).version);
  } catch {
    return "?";
  }
}

/** Backend cap requested through the EP_LAB_BACKEND environment variable (default: none). */
function requestedCap(): BackendName {
  const v = process.env.EP_LAB_BACKEND;
  if (v === undefined || v === "") return "tensorflow-gpu";
  if (!(BACKEND_ORDER as readonly string[]).includes(v)) {
    throw new RangeError(`EP_LAB_BACKEND must be one of ${BACKEND_ORDER.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v as BackendName;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Folder the native packages are resolved from. Default: this library's folder (the project's node_modules). */
  searchFrom?: string;
  /** Best backend allowed. Default: the EP_LAB_BACKEND environment variable, else "tensorflow-gpu". */
  cap?: BackendName;
}

/**
 * Choose and initialise a backend without the process-wide cache of {@link loadBackend}: for diagnostics and
 * tests (e.g. pointing `searchFrom` at a folder with another native package). It changes tfjs-core's global
 * active backend; library code calls {@link loadBackend} instead.
 * @param options where to look for native packages and the best backend allowed
 * @returns the report (see {@link BackendReport})
 * @throws {TypeError|RangeError} on bad options or an unknown EP_LAB_BACKEND; {Error} when no backend loads
 * @example (await selectBackend({ cap: "cpu" })).name; // "cpu"
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${String(options)}`);
  const searchFrom = options.searchFrom ?? __dirname;
  if (typeof searchFrom !== "string" || searchFrom.length === 0) throw new TypeError(`searchFrom must be a non-empty string, got ${String(searchFrom)}`);
  const cap = options.cap ?? requestedCap();
  if (!(BACKEND_ORDER as readonly string[]).includes(cap)) {
    throw new RangeError(`cap must be one of ${BACKEND_ORDER.join(", ")}, got ${JSON.stringify(cap)}`);
  }
  const t0 = Date.now();
  const capIndex = BACKEND_ORDER.indexOf(cap);
  const skipped: SkippedBackend[] = [];
  const messages: string[] = [];
  // One entry per backend: a second reason for the same backend is appended to the first.
  const skip = (name: BackendName, reason: string) => {
    const prev = skipped.find((x) => x.name === name);
    if (prev) prev.reason += `; ${reason}`;
    else skipped.push({ name, reason });
  };
  const capped = (name: BackendName) => {
    if (BACKEND_ORDER.indexOf(name) < capIndex) {
      skip(name, `${options.cap ? "cap" : "EP_LAB_BACKEND"}=${cap} caps the choice`);
      return true;
    }
    return false;
  };
  const finish = (
    name: BackendName,
    tfBackend: string,
    packageName: string,
    version: string,
    features: BackendReport["features"],
  ): BackendReport =>
    Object.freeze({
      name,
      skipped: Object.freeze(skipped.map((s) => Object.freeze(s))),
      tf: tfc,
      tfBackend,
      packageName,
      packageVersion: version,
      coreVersion: tfc.version_core,
      features: Object.freeze(features),
      messages: Object.freeze(messages.slice()),
      loadMs: Date.now() - t0,
    });

  // 1 + 2: native TensorFlow. At most one native package is ever required in this process.
  const gpuPkg = "@tensorflow/tfjs-node-gpu";
  const cpuPkg = "@tensorflow/tfjs-node";
  let cpuFallbackFromGpuPkg: NativePackageInfo | undefined;
  let nativeTried = false;
  if (!capped("tensorflow-gpu")) {
    const info = inspectNativePackage(gpuPkg, searchFrom);
    if (info.status !== "ok") skip("tensorflow-gpu", info.reason);
    else {
      const probe = await probeNativeInChild(info.dir!, 180_000);
      if (!probe.ok) skip("tensorflow-gpu", `${gpuPkg}@${info.version}: ${probe.reason}`);
      else if (!probe.gpuDevice) {
        skip(
          "tensorflow-gpu",
          `${gpuPkg}@${info.version} loads, but CUDA initialisation failed: libtensorflow found no usable GPU ` +
            `(driver, CUDA 11.2 or cuDNN 8.1 libraries missing; see docs/gpu.md)`,
        );
        cpuFallbackFromGpuPkg = info;
      } else {
        nativeTried = true;
        const r = await requireNative(info.dir!);
        messages.push(...r.lines);
        if (r.ok) return finish("tensorflow-gpu", "tensorflow", gpuPkg, info.version!, { gpuDevice: true });
        skip("tensorflow-gpu", `${gpuPkg}@${info.version}: ${r.reason}`);
      }
    }
  }
  if (!capped("tensorflow")) {
    const info = inspectNativePackage(cpuPkg, searchFrom);
    let used: { info: NativePackageInfo; pkg: string } | undefined;
    if (info.status === "ok") {
      const probe = await probeNativeInChild(info.dir!, 120_000);
      if (probe.ok) used = { info, pkg: cpuPkg };
      else skip("tensorflow", `${cpuPkg}@${info.version}: ${probe.reason}`);
    } else {
      skip("tensorflow", info.reason);
    }
    if (!used && cpuFallbackFromGpuPkg) used = { info: cpuFallbackFromGpuPkg, pkg: gpuPkg };
    if (used && nativeTried) {
      // A native package already failed to load in this process; loading a second one would re-register every
      // 'tensorflow' kernel and print a warning for each.
      skip("tensorflow", `${used.pkg}: not tried after ${gpuPkg} failed to load in this process`);
      used = undefined;
    }
    if (used) {
      const r = await requireNative(used.info.dir!);
      messages.push(...r.lines);
      if (r.ok) {
        // Drop the skip entry for this rung: it is in use.
        for (let i = skipped.length - 1; i >= 0; i--) if (skipped[i].name === "tensorflow") skipped.splice(i, 1);
        return finish("tensorflow", "tensorflow", used.pkg, used.info.version!, { gpuDevice: false });
      }
      skip("tensorflow", `${used.pkg}@${used.info.version}: ${r.reason}`);
    }
  }

  // 3: wasm, from the package's own dist folder (no network).
  if (!capped("wasm")) {
    const r = await captureConsole(async () => {
      try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
        const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
        for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"]) {
          if (!fs.existsSync(path.join(dist, f))) return `missing ${path.join(dist, f)}`;
        }
        wasm.setWasmPaths(dist + path.sep);
        // Threads need SharedArrayBuffer workers that tfjs-backend-wasm does not support in Node.
        tfc.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
        const ok = await tfc.setBackend("wasm");
        if (!ok || tfc.getBackend() !== "wasm") return "initialisation failed";
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    });
    messages.push(...r.lines);
    if (r.value === "") {
      const simd = Boolean(await tfc.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
      return finish("wasm", "wasm", "@tensorflow/tfjs-backend-wasm", packageVersion("@tensorflow/tfjs-backend-wasm"), {
        simd,
        threads: false,
      });
    }
    const detail = [r.value, ...r.lines].filter(Boolean).join(" | ");
    skip("wasm", `@tensorflow/tfjs-backend-wasm: ${detail}`.slice(0, 400));
  }

  // 4: plain JavaScript.
  const r = await captureConsole(async () => {
    require("@tensorflow/tfjs-backend-cpu");
    const ok = await tfc.setBackend("cpu");
    // The cpu backend prints a "install our node backend" banner on first use; this report already says
    // why nothing faster is active, so mark it as used.
    const b = tfc.backend() as unknown as { firstUse?: boolean };
    if (typeof b.firstUse === "boolean") b.firstUse = false;
    return ok;
  });
  messages.push(...r.lines);
  if (!r.value) throw new Error(`no TensorFlow.js backend could be initialised: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`);
  return finish("cpu", "cpu", "@tensorflow/tfjs-backend-cpu", packageVersion("@tensorflow/tfjs-backend-cpu"), {});
}

async function requireNative(dir: string): Promise<{ ok: boolean; reason: string; lines: string[] }> {
  if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = "2";
  const r = await captureConsole(async () => {
    try {
      require(dir);
      const ok = await tfc.setBackend("tensorflow");
      return ok && tfc.getBackend() === "tensorflow" ? "" : "setBackend('tensorflow') failed";
    } catch (e) {
      return (e as Error).message;
    }
  });
  return { ok: r.value === "", reason: r.value, lines: r.lines };
}

/**
 * Choose and initialise the best available TensorFlow.js backend (see the module comment for the order).
 * Idempotent: every call in a process returns the same report (the first call does the work).
 *
 * @returns the active backend, the reasons better ones were skipped, and the tfjs-core API
 * @throws {RangeError} when EP_LAB_BACKEND holds an unknown name; {Error} when not even the cpu backend loads
 * @example
 * const report = await loadBackend();
 * console.log(describeBackend(report)); // "TensorFlow.js backend: wasm (SIMD, no threads) …"
 * const tf = report.tf;
 */
export function loadBackend(): Promise<BackendReport> {
  const s = slot();
  if (!s.promise) {
    s.promise = selectBackend().then(
      (report) => {
        s.report = report;
        return report;
      },
      (e) => {
        s.promise = undefined; // allow a retry after fixing the environment
        throw e;
      },
    );
  }
  return s.promise;
}

/**
 * The tfjs-core API with the chosen backend active.
 * @returns the `@tensorflow/tfjs-core` module
 * @throws {Error} when {@link loadBackend} has not finished yet (await it first)
 * @example
 * await loadBackend();
 * const tf = getTf();
 * tf.tidy(() => tf.sum(tf.ones([2, 2])).dataSync()); // Float32Array [4] (tfjs-core has no chained ops: use tf.sum(x), not x.sum())
 */
export function getTf(): Tf {
  if (!slot().report) throw new Error("TensorFlow.js backend not loaded yet: call `await loadBackend()` first");
  return tfc;
}

/**
 * The report of the finished {@link loadBackend} call, or `undefined` before it finished.
 * @returns the active backend's report, or `undefined`
 * @throws never
 * @example (await loadBackend(), currentBackend()?.name) // "wasm" on the lab machine
 */
export function currentBackend(): BackendReport | undefined {
  return slot().report;
}

/**
 * A short, human-readable summary of a backend report (for the setup-check notebook and the CLI).
 * @param report what {@link loadBackend} returned
 * @returns a few lines of text: the active backend, its package, and why each better one was skipped
 * @throws {TypeError} when report is not a backend report
 * @example
 * describeBackend(await loadBackend());
 * // TensorFlow.js backend: wasm (@tensorflow/tfjs-backend-wasm 4.22.0, SIMD, no threads), tfjs-core 4.22.0
 * //   skipped tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed
 * //   skipped tensorflow: node_modules/@tensorflow/tfjs-node is an npm alias of @tensorflow/tfjs@4.22.0 …
 */
export function describeBackend(report: BackendReport): string {
  if (
    report === null ||
    typeof report !== "object" ||
    !(BACKEND_ORDER as readonly string[]).includes((report as BackendReport).name) ||
    !Array.isArray((report as BackendReport).skipped)
  ) {
    throw new TypeError(`report must be a BackendReport from loadBackend(), got ${String(report)}`);
  }
  const f = report.features;
  const extras: string[] = [];
  if (report.name === "wasm") extras.push(f.simd ? "SIMD" : "no SIMD", f.threads ? "threads" : "no threads");
  if (report.name === "tensorflow-gpu") extras.push("CUDA GPU");
  if (report.name === "tensorflow") extras.push("libtensorflow on the CPU");
  const head =
    `TensorFlow.js backend: ${report.name} (${report.packageName} ${report.packageVersion}` +
    `${extras.length ? ", " + extras.join(", ") : ""}), tfjs-core ${report.coreVersion}`;
  const lines = [head, ...report.skipped.map((s) => `  skipped ${s.name}: ${s.reason}`)];
  if (report.messages.length) lines.push(`  (${report.messages.length} console message(s) captured while loading)`);
  return lines.join("\n");
}
