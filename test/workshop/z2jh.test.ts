/**
 * What can be checked here of the Zero to JupyterHub recipe (no cluster, no image build): the Helm values
 * parse and start the same script the local workshop starts; the Dockerfile's steps call the kit's scripts,
 * which exist; install-kit.sh writes the very kernelspec `ep-lab workshop init` writes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hubConfig, workshopPaths } from "../../src/workshop/config";
import { workshopKernelSpec } from "../../src/workshop/kernel-adapter";

const ROOT = path.resolve(__dirname, "..", "..");
const Z2JH = path.join(ROOT, "src", "workshop", "z2jh");
const KIT = path.join(ROOT, "src", "workshop", "kit");

describe("Zero to JupyterHub recipe", () => {
  const values = parse(fs.readFileSync(path.join(Z2JH, "values.yaml"), "utf8"));
  const dockerfile = fs.readFileSync(path.join(Z2JH, "Dockerfile"), "utf8");

  it("the Helm values parse and start the learner's server through the local workshop's start script", () => {
    expect(values.singleuser.cmd).toEqual(["/bin/sh", "/opt/ep-lab/src/workshop/kit/learner-start.sh"]);
    expect(values.singleuser.extraEnv.EP_LAB_KIT).toBe("/opt/ep-lab");
    expect(values.singleuser.extraEnv.JUPYTER_PATH).toBe("/usr/local/share/jupyter");
    expect(values.hub.config.Authenticator.admin_users).toEqual(["instructor"]);
    expect(values.cull).toEqual({ enabled: true, timeout: 3600, every: 300 });
    expect(values.singleuser.memory.limit).toMatch(/^\d+[MG]$/);
    // The local hub's spawner runs the same script (relative to its kit).
    const state = { version: 1 as const, kit: ROOT, learners: ["a"], instructor: "i", idleTimeoutSeconds: 3600, cullEverySeconds: 60, memoryLimitBytes: 2 * 1024 ** 3, createdAt: "2026-01-01T00:00:00Z" };
    const local = hubConfig(state, workshopPaths("/srv/w"), { ip: "127.0.0.1", port: 8000, hubPort: 8081, proxyApiPort: 8001 });
    const rel = values.singleuser.cmd[1].replace("/opt/ep-lab/", "");
    expect(local).toContain(`"/bin/sh", "${path.join(ROOT, rel)}"`);
    expect(fs.existsSync(path.join(ROOT, rel))).toBe(true);
  });

  it("the image recipe copies the kit and runs its install script, then starts learner-start.sh", () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm$/m);
    expect(dockerfile).toMatch(/apt-get install [^\n]*jupyterhub jupyter-notebook/);
    expect(dockerfile).toMatch(/^COPY \. \/opt\/ep-lab$/m);
    expect(dockerfile).toContain("RUN sh /opt/ep-lab/src/workshop/kit/install-kit.sh /opt/ep-lab /usr/local 2G");
    expect(dockerfile).toContain('CMD ["/bin/sh", "/opt/ep-lab/src/workshop/kit/learner-start.sh"]');
    for (const f of ["install-kit.sh", "learner-start.sh", "seed-workspace.sh"]) expect(fs.existsSync(path.join(KIT, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(KIT, "learner-start.sh"), "utf8")).toContain('sh "$EP_LAB_KIT/src/workshop/kit/seed-workspace.sh"');
  });

  it("install-kit.sh writes the same kernelspec as the local workshop", () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-prefix-"));
    const r = spawnSync("sh", [path.join(KIT, "install-kit.sh"), ROOT, prefix, "2G"], { encoding: "utf8", env: { ...process.env, EP_LAB_SKIP_NPM: "1" }, timeout: 120_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const spec = JSON.parse(fs.readFileSync(path.join(prefix, "share", "jupyter", "kernels", "tslab", "kernel.json"), "utf8"));
    expect(spec).toEqual(JSON.parse(JSON.stringify(workshopKernelSpec(ROOT, 2 * 1024 ** 3))));
    const bad = spawnSync("sh", [path.join(KIT, "install-kit.sh"), ROOT], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/usage: install-kit.sh KIT PREFIX/);
    fs.rmSync(prefix, { recursive: true, force: true });
  });

  it("seed-workspace.sh seeds through the kit's seedWorkspace: labs copied once, privately, edits kept", () => {
    const ws = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-seed-")), "ep-lab");
    const seed = () => spawnSync("sh", [path.join(KIT, "seed-workspace.sh"), ROOT, ws], { encoding: "utf8" });
    expect(seed().status).toBe(0);
    const lab = path.join(ws, "lab3.1-expert-parallelism-foundations.ipynb");
    expect(fs.readFileSync(lab, "utf8")).toBe(fs.readFileSync(path.join(ROOT, "notebooks", path.basename(lab)), "utf8"));
    expect(fs.statSync(lab).mode & 0o077).toBe(0);
    expect(fs.statSync(ws).mode & 0o077).toBe(0);
    expect(fs.readlinkSync(path.join(ws, "ep-lab"))).toBe(path.join(ROOT, "dist"));
    expect(fs.readlinkSync(path.join(ws, "node_modules"))).toBe(path.join(ROOT, "node_modules"));
    fs.writeFileSync(lab, "my edits");
    expect(seed().status).toBe(0);
    expect(fs.readFileSync(lab, "utf8")).toBe("my edits");
    const bad = spawnSync("sh", [path.join(KIT, "seed-workspace.sh"), "/nonexistent", ws], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
  });
});
