import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import {
  candidatePaths,
  findJupyter,
  JUPYTER_MISSING_MESSAGE,
  jupyterArgs,
  jupyterEnv,
  isPortFree,
  freePort,
  kernelNodeArgs,
  iopubFlushPreload,
  liveSourceNodeArgs,
  kernelSpec,
  parseVersion,
  projectRoot,
  startJupyter,
  tslabBin,
  writeKernelspec,
  type JupyterInstall,
} from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-jupyter-unit-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const nb6: JupyterInstall = Object.freeze({ kind: "notebook", executable: "/usr/bin/jupyter-notebook", version: "6.4.12", serverApp: "NotebookApp" });
const lab: JupyterInstall = Object.freeze({ kind: "lab", executable: "/opt/bin/jupyter-lab", version: "4.2.0", serverApp: "ServerApp" });
const TOKEN = "0123456789abcdef0123";

/** A fake executable shell script in a fresh directory. */
function fakeExe(dir: string, name: string, body: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

describe("kernelspec", () => {
  it("runs tslab's kernel under the pinned node with the given node args, named as notebooks expect", () => {
    const spec = kernelSpec("/p/node_modules/tslab/bin/tslab", ["--require", "/p/tsx.cjs"], "/usr/bin/node");
    expect(spec.argv).toEqual(["/usr/bin/node", "--require", "/p/tsx.cjs", "/p/node_modules/tslab/bin/tslab", "kernel", "--config-path", "{connection_file}"]);
    expect(spec.display_name).toBe("TypeScript (tslab)");
    expect(spec.language).toBe("typescript");
  });

  it("rejects relative or missing paths and non-string node args", () => {
    expect(() => kernelSpec("node_modules/tslab/bin/tslab")).toThrow(TypeError);
    expect(() => kernelSpec("/p/tslab", [], "node")).toThrow(/nodePath/);
    expect(() => kernelSpec("/p/tslab", [3 as never])).toThrow(/nodeArgs/);
    expect(() => kernelNodeArgs("relative")).toThrow(TypeError);
    expect(() => tslabBin(tmp)).toThrow(/npm install/);
    expect(() => liveSourceNodeArgs("relative")).toThrow(TypeError);
    expect(() => liveSourceNodeArgs(tmp)).toThrow(/npm install/);
  });

  it("points at this checkout's tslab; the labs' kernel preloads only iopub-flush.js, the live-source one tsx", () => {
    expect(projectRoot()).toBe(ROOT);
    expect(tslabBin()).toBe(path.join(ROOT, "node_modules", "tslab", "bin", "tslab"));
    expect(kernelNodeArgs()).toEqual(["--require", path.join(ROOT, "src", "runner", "iopub-flush.js")]);
    expect(iopubFlushPreload()).toBe(path.join(ROOT, "src", "runner", "iopub-flush.js"));
    expect(() => kernelNodeArgs(tmp)).toThrow(/iopub-flush\.js is missing/);
    const args = liveSourceNodeArgs();
    expect(args[0]).toBe("--require");
    expect(fs.existsSync(args[1])).toBe(true);
  });

  it("writes kernels/tslab/kernel.json under the given directory, idempotently", () => {
    const dir = path.join(tmp, "state");
    const a = writeKernelspec(dir);
    const b = writeKernelspec(dir);
    expect(a.specFile).toBe(path.join(dir, "kernels", "tslab", "kernel.json"));
    expect(b).toEqual(a);
    const onDisk = JSON.parse(fs.readFileSync(a.specFile, "utf8"));
    expect(onDisk).toEqual(a.spec);
    expect(onDisk.argv[0]).toBe(process.execPath);
    expect(fs.readdirSync(path.join(dir, "kernels"))).toEqual(["tslab"]);
  });

  it("the kernel argv actually starts tslab (it answers --version)", () => {
    const { spec } = writeKernelspec(path.join(tmp, "state2"));
    const argv = spec.argv.slice(0, spec.argv.indexOf("kernel"));
    const r = spawnSync(argv[0], [...argv.slice(1), "--version"], { encoding: "utf8", timeout: 55_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1\.0\.\d+/);
  }, 60_000);
});

describe("Jupyter discovery", () => {
  it("parses versions and picks the server app that takes the options", () => {
    expect(parseVersion("notebook", "6.4.12\n")).toEqual({ kind: "notebook", version: "6.4.12", serverApp: "NotebookApp" });
    expect(parseVersion("notebook", "7.2.2\n")?.serverApp).toBe("ServerApp");
    expect(parseVersion("lab", "4.1.0\n")?.serverApp).toBe("ServerApp");
    expect(parseVersion("lab", "no version here")).toBeNull();
    expect(() => parseVersion("hub" as never, "1.0")).toThrow(RangeError);
    expect(() => parseVersion("lab", 3 as never)).toThrow(TypeError);
  });

  it("lists executables on PATH in order, skipping non-executables and duplicates", () => {
    const a = path.join(tmp, "path-a");
    const b = path.join(tmp, "path-b");
    fakeExe(a, "jupyter-lab", "exit 0");
    fs.mkdirSync(b, { recursive: true });
    fs.writeFileSync(path.join(b, "jupyter-lab"), "not executable", { mode: 0o644 });
    const found = candidatePaths("jupyter-lab", [a, b, a, "relative/dir"].join(path.delimiter));
    expect(found).toEqual([path.join(a, "jupyter-lab")]);
    expect(() => candidatePaths("../evil")).toThrow(TypeError);
  });

  it("prefers a working JupyterLab, skips a broken shim, else takes Notebook", () => {
    const broken = path.join(tmp, "broken");
    const works = path.join(tmp, "works");
    fakeExe(broken, "jupyter-lab", 'echo "pyenv: jupyter-lab: command not found" >&2; exit 127');
    fakeExe(works, "jupyter-notebook", "echo 7.0.6");
    expect(findJupyter({ envPath: [broken, works].join(path.delimiter) })).toEqual({
      kind: "notebook",
      executable: path.join(works, "jupyter-notebook"),
      version: "7.0.6",
      serverApp: "ServerApp",
    });
    fakeExe(works, "jupyter-lab", "echo 4.2.5");
    expect(findJupyter({ envPath: [broken, works].join(path.delimiter) })?.kind).toBe("lab");
    expect(findJupyter({ envPath: broken })).toBeNull();
    expect(findJupyter({ executable: path.join(broken, "jupyter-lab") })).toBeNull();
    expect(() => findJupyter({ executable: "jupyter-lab" })).toThrow(TypeError);
    expect(() => findJupyter({ timeoutMs: 0 })).toThrow(RangeError);
  });

  it("says how to get Jupyter when it is missing", () => {
    expect(JUPYTER_MISSING_MESSAGE).toContain("apt-get install jupyter-notebook");
    expect(JUPYTER_MISSING_MESSAGE).toContain("pip install");
  });
});

describe("server arguments and environment", () => {
  it("binds 127.0.0.1 on a fixed port and no browser (Notebook 6); the token is not on the command line", () => {
    const args = jupyterArgs(nb6, { port: 8888, notebookDir: "/p/notebooks", allowRoot: false });
    expect(args).toEqual([
      "--no-browser",
      "--NotebookApp.ip=127.0.0.1",
      "--NotebookApp.port=8888",
      "--NotebookApp.port_retries=0",
      "--NotebookApp.notebook_dir=/p/notebooks",
    ]);
    expect(() => jupyterArgs(nb6, { port: 8888, notebookDir: "/p", token: TOKEN } as never)).toThrow(/token goes in the environment/);
    expect(jupyterEnv({}, "/p/.jupyter-local", TOKEN).JUPYTER_TOKEN).toBe(TOKEN);
    expect("JUPYTER_TOKEN" in jupyterEnv({}, "/p/.jupyter-local")).toBe(false);
  });

  it("uses ServerApp options for JupyterLab, opens the browser on request, allows root when asked", () => {
    const args = jupyterArgs(lab, { port: 9000, notebookDir: "/p/nb", openBrowser: true, allowRoot: true });
    expect(args).not.toContain("--no-browser");
    expect(args).toContain("--ServerApp.ip=127.0.0.1");
    expect(args.join(" ")).not.toContain("token");
    expect(args).toContain("--ServerApp.root_dir=/p/nb");
    expect(args).toContain("--allow-root");
    expect(args.join(" ")).not.toMatch(/0\.0\.0\.0|NotebookApp/);
  });

  it("refuses token-less, short or unsafe tokens and bad ports", () => {
    const base = { port: 8888, notebookDir: "/p" };
    expect(() => jupyterEnv({}, "/p", "")).toThrow(RangeError);
    expect(() => jupyterEnv({}, "/p", "short")).toThrow(RangeError);
    expect(() => jupyterEnv({}, "/p", "0123456789abcdef&x=1")).toThrow(RangeError);
    expect(() => jupyterArgs(nb6, { ...base, port: 0 })).toThrow(RangeError);
    expect(() => jupyterArgs(nb6, { ...base, port: 65536 })).toThrow(RangeError);
    expect(() => jupyterArgs(nb6, { ...base, port: 80.5 })).toThrow(RangeError);
    expect(() => jupyterArgs(nb6, { ...base, notebookDir: "notebooks" })).toThrow(TypeError);
    expect(() => jupyterArgs({ ...nb6, serverApp: "Other" } as never, base)).toThrow(TypeError);
  });

  it("keeps Jupyter's state under the state dir and the kernelspec first on JUPYTER_PATH", () => {
    const base = Object.freeze({ HOME: "/home/u", JUPYTER_PATH: "/opt/jupyter" });
    const env = jupyterEnv(base, "/p/.jupyter-local");
    expect(env.JUPYTER_PATH).toBe(`/p/.jupyter-local${path.delimiter}/opt/jupyter`);
    expect(env.JUPYTER_CONFIG_DIR).toBe("/p/.jupyter-local/config");
    expect(env.JUPYTER_DATA_DIR).toBe("/p/.jupyter-local/data");
    expect(env.JUPYTER_RUNTIME_DIR).toBe("/p/.jupyter-local/runtime");
    expect(env.IPYTHONDIR).toBe("/p/.jupyter-local/ipython");
    expect(env.HOME).toBe("/home/u");
    expect(base).toEqual({ HOME: "/home/u", JUPYTER_PATH: "/opt/jupyter" });
    expect(jupyterEnv({}, "/s").JUPYTER_PATH).toBe("/s");
    expect(() => jupyterEnv({}, "rel")).toThrow(TypeError);
  });
});

describe("ports", () => {
  it("isPortFree tells a free port from a taken one", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortFree(port)).toBe(true);
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(port, "127.0.0.1", () => r()));
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
    expect(() => isPortFree(0)).toThrow(RangeError);
  });
});

describe("startJupyter failures", () => {
  it("rejects bad options before starting anything", async () => {
    await expect(startJupyter({ port: -1, install: nb6 })).rejects.toThrow(RangeError);
    await expect(startJupyter({ token: "abc", install: nb6 })).rejects.toThrow(/token/);
    await expect(startJupyter({ readyTimeoutMs: 0, install: nb6 })).rejects.toThrow(RangeError);
    await expect(startJupyter({ notebookDir: path.join(tmp, "nope"), install: nb6 })).rejects.toThrow(/does not exist/);
    await expect(startJupyter({ output: "file" as never, install: nb6 })).rejects.toThrow(RangeError);
  });

  it("reports a server that dies at start-up with its output", async () => {
    const exe = fakeExe(path.join(tmp, "dies"), "jupyter-notebook", 'echo "ERROR: config is broken" >&2; exit 3');
    const install: JupyterInstall = { kind: "notebook", executable: exe, version: "6.4.12", serverApp: "NotebookApp" };
    await expect(startJupyter({ install, stateDir: path.join(tmp, "dies-state"), notebookDir: tmp })).rejects.toThrow(
      /exited before it was ready \(exit code 3\)[\s\S]*config is broken/,
    );
  });
});

describe("ep-lab start", () => {
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [path.join(ROOT, "bin", "ep-lab.js"), "start", ...args], { encoding: "utf8", env, timeout: 120_000 });

  it("without Jupyter on PATH, says how to get it and exits non-zero", () => {
    const r = run(["--no-browser"], { ...process.env, PATH: path.join(tmp, "empty-path") });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("apt-get install jupyter-notebook");
    expect(r.stderr).toContain("pip install");
  }, 150_000);

  it("rejects unknown options and bad ports with exit code 2", () => {
    expect(run(["--bogus"], process.env).status).toBe(2);
    const bad = run(["--port", "70000"], process.env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--port");
  }, 250_000);
});
