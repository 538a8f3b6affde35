import { describe, it, expect, afterEach, vi } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import {
  loadBackend,
  getTf,
  currentBackend,
  describeBackend,
  inspectNativePackage,
  BACKEND_ORDER,
  type BackendReport,
} from "../../src/tensor";

const ROOT = path.resolve(__dirname, "..", "..");

describe("loadBackend", () => {
  afterEach(() => vi.restoreAllMocks());

  it("chooses wasm or better on this machine, prints nothing, and is idempotent", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
    const stderr = vi.spyOn(process.stderr, "write");
    const first = await loadBackend();
    const second = await loadBackend();
    expect(second).toBe(first);
    // wasm or better, unless the environment caps the choice lower (EP_LAB_BACKEND=cpu); the fresh-process
    // test below checks "wasm or better" with the variable removed.
    const cap = process.env.EP_LAB_BACKEND ? BACKEND_ORDER.indexOf(process.env.EP_LAB_BACKEND as never) : 0;
    expect(BACKEND_ORDER.indexOf(first.name)).toBeLessThanOrEqual(Math.max(cap, BACKEND_ORDER.indexOf("wasm")));
    expect(first.tf.getBackend()).toBe(first.tfBackend);
    expect(currentBackend()).toBe(first);
    expect(getTf()).toBe(first.tf);
    // each better backend appears in `skipped` with a reason
    const better = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(first.name));
    expect(first.skipped.map((s) => s.name)).toEqual(better);
    for (const s of first.skipped) expect(s.reason.length).toBeGreaterThan(10);
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(first.messages).toEqual([]);
    expect(Object.isFrozen(first)).toBe(true);
    // the backend computes
    const tf = getTf();
    const v = tf.tidy(() => tf.matMul(tf.ones([3, 4]), tf.ones([4, 2])).dataSync()[0]);
    expect(v).toBe(4);
  });

  it("explains the danfo alias of @tensorflow/tfjs-node when it is present", async () => {
    const r = await loadBackend();
    const info = inspectNativePackage("@tensorflow/tfjs-node");
    expect(["alias", "not-installed", "binding-missing", "ok"]).toContain(info.status);
    if (info.status === "alias") {
      expect(info.reason).toMatch(/alias of @tensorflow\/tfjs@/);
      // the report carries that reason (unless EP_LAB_BACKEND capped the choice before it was looked at)
      if (!process.env.EP_LAB_BACKEND) expect(r.skipped.find((x) => x.name === "tensorflow")?.reason).toBe(info.reason);
    }
  });

  it("describeBackend names the backend and each skipped one", async () => {
    const r = await loadBackend();
    const text = describeBackend(r);
    expect(text).toContain(`TensorFlow.js backend: ${r.name}`);
    for (const s of r.skipped) expect(text).toContain(`skipped ${s.name}:`);
  });

  it("describeBackend rejects a non-report", () => {
    expect(() => describeBackend(null as unknown as BackendReport)).toThrow(TypeError);
    expect(() => describeBackend({ name: "gpu", skipped: [] } as unknown as BackendReport)).toThrow(/report/);
  });
});

describe("inspectNativePackage", () => {
  function fakeModules(pkgs: Record<string, { json: object; files?: string[] }>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-native-"));
    for (const [name, p] of Object.entries(pkgs)) {
      const dir = path.join(root, "node_modules", ...name.split("/"));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(p.json));
      for (const f of p.files ?? []) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), "");
      }
    }
    return root;
  }

  it("distinguishes not installed, alias, missing binding and ok", () => {
    const root = fakeModules({
      "@tensorflow/tfjs-node": { json: { name: "@tensorflow/tfjs", version: "4.22.0" } },
      "@tensorflow/tfjs-node-gpu": { json: { name: "@tensorflow/tfjs-node-gpu", version: "4.22.0" } },
      "@x/native": {
        json: { name: "@x/native", version: "1.0.0", binary: { module_name: "tfjs_binding" } },
        files: ["lib/napi-v8/tfjs_binding.node"],
      },
    });
    try {
      expect(inspectNativePackage("@nope/absent", root).status).toBe("not-installed");
      const alias = inspectNativePackage("@tensorflow/tfjs-node", root);
      expect(alias.status).toBe("alias");
      expect(alias.reason).toContain("@tensorflow/tfjs@4.22.0");
      const missing = inspectNativePackage("@tensorflow/tfjs-node-gpu", root);
      expect(missing.status).toBe("binding-missing");
      expect(missing.reason).toContain("tfjs_binding.node");
      const ok = inspectNativePackage("@x/native", root);
      expect(ok.status).toBe("ok");
      expect(ok.bindingPath).toBe(path.join(root, "node_modules", "@x", "native", "lib", "napi-v8", "tfjs_binding.node"));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("rejects bad arguments", () => {
    expect(() => inspectNativePackage("")).toThrow(TypeError);
    expect(() => inspectNativePackage(3 as unknown as string)).toThrow(/packageName/);
    expect(() => inspectNativePackage("x", "")).toThrow(/searchFrom/);
  });
});

describe("loadBackend in a fresh process", () => {
  function runFresh(env: Record<string, string | undefined>): { status: number | null; stdout: string; stderr: string } {
    const code =
      `const t = require(${JSON.stringify(path.join(ROOT, "src", "tensor"))});` +
      `let early = ""; try { t.getTf(); } catch (e) { early = e.message; }` +
      `t.loadBackend()` +
      `.then(r => { process.stdout.write(JSON.stringify({ name: r.name, skipped: r.skipped, messages: r.messages, early })); ` +
      `const tf = r.tf; tf.tidy(() => tf.sum(tf.ones([2, 2])).dataSync()); })` +
      `.catch(e => { process.stdout.write("ERR " + e.constructor.name + ": " + e.message); process.exitCode = 3; });`;
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
      cwd: ROOT,
      env: childEnv as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("chooses wasm or better by default and writes nothing to stderr", () => {
    const r = runFresh({ EP_LAB_BACKEND: undefined });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(BACKEND_ORDER.indexOf(rep.name)).toBeLessThanOrEqual(BACKEND_ORDER.indexOf("wasm"));
    expect(rep.messages).toEqual([]);
  });

  it("writes nothing to stderr, even when capped to the cpu backend", () => {
    const r = runFresh({ EP_LAB_BACKEND: "cpu" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.name).toBe("cpu");
    expect(rep.skipped.map((s: { name: string }) => s.name)).toEqual(["tensorflow-gpu", "tensorflow", "wasm"]);
    expect(rep.skipped[2].reason).toContain("EP_LAB_BACKEND=cpu");
    expect(rep.messages).toEqual([]);
    // getTf() before loadBackend() finished is an error that says what to do
    expect(rep.early).toMatch(/await loadBackend\(\)/);
  });

});

describe("native packages (simulated with a stand-in @tensorflow/tfjs-node-gpu)", () => {
  const core = require.resolve("@tensorflow/tfjs-core");
  const cpu = require.resolve("@tensorflow/tfjs-backend-cpu");
  /**
   * A stand-in for tfjs-node-gpu: registers every cpu kernel under the 'tensorflow' backend (as the real package
   * registers its kernels before loading its binding) and a 'tensorflow' backend reporting `isUsingGpuDevice`;
   * or throws after registering the kernels, like a binding whose CUDA libraries are missing.
   */
  function fakeGpuPackage(mode: "gpu" | "no-gpu" | "throw"): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-fake-gpu-"));
    const dir = path.join(root, "node_modules", "@tensorflow", "tfjs-node-gpu");
    fs.mkdirSync(path.join(dir, "lib", "napi-v8"), { recursive: true });
    fs.writeFileSync(path.join(dir, "lib", "napi-v8", "tfjs_binding.node"), "");
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "@tensorflow/tfjs-node-gpu", version: "0.0.0-fake", main: "index.js", binary: { module_name: "tfjs_binding" } }),
    );
    fs.writeFileSync(
      path.join(dir, "index.js"),
      [
        `const tf = require(${JSON.stringify(core)});`,
        `const cpu = require(${JSON.stringify(cpu)});`,
        `for (const k of tf.getKernelsForBackend("cpu")) tf.registerKernel({ ...k, backendName: "tensorflow" });`,
        mode === "throw" ? `throw new Error("libcudart.so.11.0: cannot open shared object file");` : "",
        `class Fake extends cpu.MathBackendCPU { constructor() { super(); this.firstUse = false; this.isGPUPackage = true; this.isUsingGpuDevice = ${mode === "gpu"}; } }`,
        `tf.registerBackend("tensorflow", () => new Fake(), 3);`,
        `tf.setBackend("tensorflow");`,
        `module.exports = tf;`,
      ].join("\n"),
    );
    return root;
  }

  function select(root: string): { status: number | null; stdout: string; stderr: string } {
    const code =
      `const t = require(${JSON.stringify(path.join(ROOT, "src", "tensor"))});` +
      `t.selectBackend({ searchFrom: ${JSON.stringify(root)}, cap: "tensorflow-gpu" }).then(r => {` +
      ` const tf = r.tf; const v = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0]);` +
      ` process.stdout.write(JSON.stringify({ name: r.name, tfBackend: r.tfBackend, packageName: r.packageName, features: r.features, skipped: r.skipped, messages: r.messages, v })); })` +
      `.catch(e => { process.stdout.write("ERR " + e.message); process.exitCode = 3; });`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("uses tensorflow-gpu when the binding loads and libtensorflow reports a GPU", () => {
    const root = fakeGpuPackage("gpu");
    try {
      const r = select(root);
      expect(r.stderr).toBe("");
      const rep = JSON.parse(r.stdout);
      expect(rep).toMatchObject({ name: "tensorflow-gpu", tfBackend: "tensorflow", packageName: "@tensorflow/tfjs-node-gpu", skipped: [], messages: [], v: 3 });
      expect(rep.features.gpuDevice).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("falls back to the GPU package's CPU TensorFlow when CUDA initialisation found no GPU", () => {
    const root = fakeGpuPackage("no-gpu");
    try {
      const r = select(root);
      expect(r.stderr).toBe("");
      const rep = JSON.parse(r.stdout);
      expect(rep).toMatchObject({ name: "tensorflow", packageName: "@tensorflow/tfjs-node-gpu", v: 3 });
      expect(rep.skipped.map((s: { name: string }) => s.name)).toEqual(["tensorflow-gpu"]);
      expect(rep.skipped[0].reason).toMatch(/CUDA initialisation failed/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("falls back to wasm when the package fails to load, quoting the error, with no 'already registered' noise", () => {
    const root = fakeGpuPackage("throw");
    try {
      const r = select(root);
      expect(r.stderr).toBe("");
      const rep = JSON.parse(r.stdout);
      expect(BACKEND_ORDER.indexOf(rep.name)).toBeGreaterThanOrEqual(BACKEND_ORDER.indexOf("wasm"));
      expect(rep.skipped[0].name).toBe("tensorflow-gpu");
      expect(rep.skipped[0].reason).toMatch(/loading it failed .*libcudart\.so\.11\.0/);
      expect(rep.messages).toEqual([]);
      expect(rep.v).toBe(3);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("selectBackend rejects bad options and an unknown EP_LAB_BACKEND", async () => {
    const { selectBackend } = await import("../../src/tensor");
    const saved = process.env.EP_LAB_BACKEND;
    process.env.EP_LAB_BACKEND = "tpu";
    try {
      await expect(selectBackend()).rejects.toThrow(/EP_LAB_BACKEND must be one of .*"tpu"/);
    } finally {
      if (saved === undefined) delete process.env.EP_LAB_BACKEND;
      else process.env.EP_LAB_BACKEND = saved;
    }
    await expect(selectBackend({ cap: "tpu" as never })).rejects.toThrow(/cap must be one of/);
    await expect(selectBackend({ searchFrom: "" })).rejects.toThrow(/searchFrom/);
    await expect(selectBackend(null as never)).rejects.toThrow(TypeError);
  });
});
