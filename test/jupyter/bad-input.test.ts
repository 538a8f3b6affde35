/**
 * Bad input to the Jupyter helpers: rejected with a TypeError/RangeError naming the parameter and the value, before
 * anything is spawned or written. No Jupyter server starts here.
 */
import { describe, expect, it } from "vitest";
import { candidatePaths, findJupyter, jupyterArgs, jupyterEnv, startJupyter, type JupyterInstall } from "../../src/jupyter";

const nb6: JupyterInstall = Object.freeze({ kind: "notebook", executable: "/usr/bin/jupyter-notebook", version: "6.4.12", serverApp: "NotebookApp" });
const base = { port: 8888, notebookDir: "/p/notebooks" };

describe("discovery", () => {
  it("candidatePaths and findJupyter name a non-string PATH, non-object options and a fractional timeout", () => {
    expect(() => candidatePaths("jupyter-lab", 42 as never)).toThrow(/envPath must be a PATH string, got 42/);
    expect(() => findJupyter({ envPath: null as never })).toThrow(/envPath must be a PATH string, got null/);
    expect(() => findJupyter(null as never)).toThrow(/options must be an object, got null/);
    expect(() => findJupyter({ timeoutMs: 1.5 })).toThrow(/timeoutMs must be an integer number of milliseconds, got 1\.5/);
    expect(() => findJupyter({ timeoutMs: "30000" as never })).toThrow(TypeError);
  });
});

describe("server arguments and environment", () => {
  it("jupyterArgs names missing options and non-boolean switches", () => {
    expect(() => jupyterArgs(nb6, undefined as never)).toThrow(/options must be an object with port and notebookDir/);
    expect(() => jupyterArgs(nb6, { ...base, openBrowser: "no" as never })).toThrow(/openBrowser must be true or false, got "no"/);
    expect(() => jupyterArgs(nb6, { ...base, allowRoot: 1 as never })).toThrow(/allowRoot must be true or false, got 1/);
  });
  it("jupyterEnv names a non-object base environment", () => {
    expect(() => jupyterEnv(null as never, "/s")).toThrow(/baseEnv must be an environment object/);
  });
});

describe("startJupyter option checks (nothing is started)", () => {
  it("rejects a fractional ready timeout, a non-boolean openBrowser, a malformed install and non-object options", async () => {
    await expect(startJupyter({ readyTimeoutMs: 0.5, install: nb6 })).rejects.toThrow(/readyTimeoutMs must be an integer number of milliseconds, got 0\.5/);
    await expect(startJupyter({ openBrowser: "yes" as never, install: nb6 })).rejects.toThrow(/openBrowser must be true or false, got "yes"/);
    await expect(startJupyter({ install: {} as never })).rejects.toThrow(/install must be a JupyterInstall/);
    await expect(startJupyter({ install: { ...nb6, executable: "jupyter-notebook" } })).rejects.toThrow(/install\.executable must be an absolute path, got "jupyter-notebook"/);
    await expect(startJupyter(null as never)).rejects.toThrow(/options must be an object, got null/);
  });
});
