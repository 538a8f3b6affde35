import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { checkKernelspec, installKernelspec, kernelDoctor, pythonOfScript, sysPrefixOf, userDataDir } from "../../src/jupyter";
import { run as kernelCli } from "../../src/cli/kernel";
import { captureConsole } from "../helpers/console";

const ROOT = path.resolve(__dirname, "..", "..");
const io = captureConsole();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-install-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, body, { mode: 0o755 });
  return p;
}

describe("userDataDir", () => {
  it("follows Jupyter's rules per platform", () => {
    expect(userDataDir({ JUPYTER_DATA_DIR: "/x/data" }, "linux", "/home/ada")).toBe("/x/data");
    expect(userDataDir({}, "linux", "/home/ada")).toBe("/home/ada/.local/share/jupyter");
    expect(userDataDir({ XDG_DATA_HOME: "/xdg" }, "linux", "/home/ada")).toBe("/xdg/jupyter");
    expect(userDataDir({}, "darwin", "/Users/ada")).toBe("/Users/ada/Library/Jupyter");
    expect(() => userDataDir({}, "linux", "home")).toThrow(TypeError);
  });
});

describe("pythonOfScript / sysPrefixOf", () => {
  it("reads the interpreter from the #! line, also through /usr/bin/env", () => {
    const py = script("python3", `#!/bin/sh\necho ${path.join(tmp, "prefix")}\n`);
    const direct = script("jupyter-a", `#!${py}\nimport sys\n`);
    const viaEnv = script("jupyter-b", "#!/usr/bin/env python3\nimport sys\n");
    expect(pythonOfScript(direct)).toBe(py);
    expect(pythonOfScript(viaEnv, tmp)).toBe(py);
    expect(pythonOfScript(script("notpy", "#!/bin/sh\n"))).toBeNull();
    expect(pythonOfScript(path.join(tmp, "missing"))).toBeNull();
    expect(sysPrefixOf(py)).toBe(path.join(tmp, "prefix"));
    expect(() => sysPrefixOf(script("bad-python", "#!/bin/sh\nexit 3\n"))).toThrow(/sys.prefix/);
    expect(() => pythonOfScript("jupyter")).toThrow(TypeError);
  });
});

describe("installKernelspec", () => {
  it("--prefix writes <prefix>/share/jupyter/kernels/tslab/kernel.json running this checkout's tslab, no hook, with the iopub-flush preload", () => {
    const r = installKernelspec({ prefix: path.join(tmp, "hub") });
    expect(r.scope).toBe("prefix");
    expect(r.specFile).toBe(path.join(tmp, "hub", "share", "jupyter", "kernels", "tslab", "kernel.json"));
    const spec = JSON.parse(fs.readFileSync(r.specFile, "utf8"));
    const flush = path.join(ROOT, "src", "runner", "iopub-flush.js");
    expect(spec.argv).toEqual([process.execPath, "--require", flush, path.join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"]);
    expect(spec.language).toBe("typescript");
    expect(checkKernelspec(r.specFile)).toEqual({ valid: true, problems: [], tslab: spec.argv[3] });
  });

  it("--user goes to the user's data folder; --sys-prefix to the prefix of the Python running jupyter", () => {
    const u = installKernelspec({ user: true, env: { JUPYTER_DATA_DIR: path.join(tmp, "userdata") } });
    expect(u.specFile).toBe(path.join(tmp, "userdata", "kernels", "tslab", "kernel.json"));
    const py = script("python3", `#!/bin/sh\necho ${path.join(tmp, "venv")}\n`);
    const s = installKernelspec({ sysPrefix: true, python: py });
    expect(s.scope).toBe("sys-prefix");
    expect(s.specFile).toBe(path.join(tmp, "venv", "share", "jupyter", "kernels", "tslab", "kernel.json"));
    // Found through the jupyter script on PATH when no python is given.
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "jupyter"), `#!${py}\n`, { mode: 0o755 });
    expect(installKernelspec({ sysPrefix: true, env: { PATH: bin } }).dataDir).toBe(path.join(tmp, "venv", "share", "jupyter"));
    expect(() => installKernelspec({ sysPrefix: true, env: { PATH: path.join(tmp, "nothing") } })).toThrow(/no `jupyter` on PATH/);
  });

  it("rejects two scopes, unknown keys (naming the nearest), relative paths", () => {
    expect(() => installKernelspec({ user: true, prefix: "/x" })).toThrow(/one of user, sysPrefix, prefix/);
    expect(() => installKernelspec({ sysprefix: true } as never)).toThrow(/did you mean "sysPrefix"/);
    expect(() => installKernelspec({ prefix: "rel/dir" })).toThrow(TypeError);
    expect(() => installKernelspec({ user: "yes" } as never)).toThrow(TypeError);
    expect(() => installKernelspec({ python: "/usr/bin/python3" })).toThrow(/only used with sysPrefix/);
  });
});

describe("checkKernelspec", () => {
  it("names what is broken", () => {
    const dir = path.join(tmp, "specs");
    fs.mkdirSync(dir, { recursive: true });
    const write = (name: string, content: string) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, content);
      return p;
    };
    expect(checkKernelspec(write("bad.json", "{")).problems[0]).toMatch(/cannot read/);
    expect(checkKernelspec(write("noargv.json", "{}")).problems).toEqual(["argv is not a non-empty array of strings"]);
    const moved = checkKernelspec(write("moved.json", JSON.stringify({ argv: ["/old/node_modules/.bin/tslab", "kernel", "--config-path", "{connection_file}"] })));
    expect(moved.valid).toBe(false);
    expect(moved.problems.join(" ")).toMatch(/\/old\/node_modules\/.bin\/tslab does not exist/);
    const hook = checkKernelspec(write("hook.json", JSON.stringify({ argv: [process.execPath, "--require", "/gone/tsx.cjs", path.join(ROOT, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"] })));
    expect(hook.problems).toEqual(["argv requires /gone/tsx.cjs, which does not exist"]);
    const plain = checkKernelspec(write("plain.json", JSON.stringify({ argv: [path.join(ROOT, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"] })));
    expect(plain.valid).toBe(true);
    expect(() => checkKernelspec("kernel.json")).toThrow(TypeError);
  });
});

describe("kernelDoctor", () => {
  it("finds this checkout ready and says what is missing without Jupyter on PATH", () => {
    const r = kernelDoctor({ env: { PATH: path.join(tmp, "empty") } });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by.node.status).toBe("ok");
    expect(by.tslab.status).toBe("ok");
    expect(by["library-build"].status).toBe("ok");
    expect(by["link-notebooks"].status).toBe("ok");
    expect(by.jupyter.status).toBe("warn");
    expect(by.jupyter.fix).toMatch(/apt-get install jupyter-notebook/);
    expect(r.ok).toBe(true);
  });

  it("fails a project without tslab or build, with the commands that fix them", () => {
    const root = path.join(tmp, "bare");
    fs.mkdirSync(path.join(root, "src"), { recursive: true });
    fs.writeFileSync(path.join(root, "src", "a.ts"), "export const a = 1;\n");
    const r = kernelDoctor({ root, env: { PATH: "" } });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(r.ok).toBe(false);
    expect(by.tslab.fix).toBe(`cd ${root} && npm ci`);
    expect(by["library-build"].status).toBe("fail");
    expect(by["library-build"].fix).toMatch(/npm run build/);
    expect(() => kernelDoctor({ roots: root } as never)).toThrow(/did you mean "root"/);
  });

  it("sees an installed tslab kernelspec through jupyter --paths and checks it", () => {
    const fakeJupyter = path.join(tmp, "jbin");
    fs.mkdirSync(fakeJupyter, { recursive: true });
    const data = path.join(tmp, "jdata");
    fs.mkdirSync(path.join(data, "kernels", "tslab"), { recursive: true });
    fs.writeFileSync(path.join(data, "kernels", "tslab", "kernel.json"), JSON.stringify({ argv: ["/moved/tslab", "kernel", "--config-path", "{connection_file}"] }));
    // A stand-in `jupyter` (a shell script, so no Python #! line) that lists one data path.
    fs.writeFileSync(path.join(fakeJupyter, "jupyter"), `#!/bin/sh\necho '{"data": ["${data}"]}'\n`, { mode: 0o755 });
    const r = kernelDoctor({ env: { PATH: fakeJupyter } });
    const spec = r.checks.find((c) => c.id === "kernelspec")!;
    expect(spec.status).toBe("fail");
    expect(spec.summary).toMatch(/\/moved\/tslab does not exist/);
    expect(spec.fix).toMatch(/kernel install --user/);
  });
});

describe("ep-lab kernel (CLI)", () => {
  it("install --prefix prints the file; two scopes or an unknown subcommand exit 2 through main", async () => {
    expect(await kernelCli(["install", "--prefix", path.join(tmp, "cli")])).toBe(0);
    expect(io.out.join("\n")).toContain(path.join(tmp, "cli", "share", "jupyter", "kernels", "tslab", "kernel.json"));
    await expect(kernelCli(["install", "--user", "--prefix", "/x"])).rejects.toThrow(/one of --user, --sys-prefix, --prefix/);
    await expect(kernelCli(["uninstall"])).rejects.toThrow(/install or doctor/);
    await expect(kernelCli(["install", "--python", "/usr/bin/python3"])).rejects.toThrow(/--sys-prefix/);
  });
});
