import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { courseLabs, resetLab, resolveLabs, seedWorkspace } from "../../src/jupyter";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-ws-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A miniature project: two labs, dist/, images/, node_modules/. */
function fakeRoot(name: string): string {
  const root = path.join(tmp, name);
  for (const d of ["notebooks", "dist/notebook", "images", "node_modules"]) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, "notebooks", "00-setup-check.ipynb"), '{"cells":[],"v":"setup"}\n');
  fs.writeFileSync(path.join(root, "notebooks", "lab3.1-foundations.ipynb"), '{"cells":[],"v":"lab"}\n');
  fs.writeFileSync(path.join(root, "notebooks", ".hidden.ipynb"), "{}");
  fs.writeFileSync(path.join(root, "dist", "notebook", "index.js"), "");
  return root;
}

let n = 0;
let root: string;
beforeEach(() => {
  root = fakeRoot(`p${n++}`);
});

describe("seedWorkspace", () => {
  it("copies every lab and links ep-lab, images relatively inside the project", () => {
    const ws = seedWorkspace(path.join(root, "workspace"), { root });
    expect(ws.copied).toEqual(["00-setup-check.ipynb", "lab3.1-foundations.ipynb"]);
    expect(fs.readFileSync(path.join(ws.dir, "lab3.1-foundations.ipynb"), "utf8")).toContain('"lab"');
    expect(fs.readlinkSync(path.join(ws.dir, "ep-lab"))).toBe(path.join("..", "dist"));
    expect(fs.readlinkSync(path.join(ws.dir, "images"))).toBe(path.join("..", "images"));
    expect(fs.existsSync(path.join(ws.dir, "ep-lab", "notebook", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(ws.dir, "node_modules"))).toBe(false);
    expect(fs.existsSync(path.join(ws.dir, ".hidden.ipynb"))).toBe(false);
  });

  it("never overwrites a learner's saved lab; a second call only keeps", () => {
    const dir = path.join(root, "workspace");
    seedWorkspace(dir, { root });
    fs.writeFileSync(path.join(dir, "lab3.1-foundations.ipynb"), "MY ANSWERS");
    const again = seedWorkspace(dir, { root });
    expect(again.copied).toEqual([]);
    expect(again.kept).toEqual(["00-setup-check.ipynb", "lab3.1-foundations.ipynb"]);
    expect(fs.readFileSync(path.join(dir, "lab3.1-foundations.ipynb"), "utf8")).toBe("MY ANSWERS");
  });

  it("outside the project links absolutely and adds node_modules (for bare imports like danfojs-node)", () => {
    const dir = path.join(tmp, `home-${n}`, "ep-lab");
    const ws = seedWorkspace(dir, { root, labs: ["lab3.1"] });
    expect(ws.copied).toEqual(["lab3.1-foundations.ipynb"]);
    expect(fs.readlinkSync(path.join(dir, "ep-lab"))).toBe(path.join(root, "dist"));
    expect(fs.readlinkSync(path.join(dir, "node_modules"))).toBe(path.join(root, "node_modules"));
  });

  it("repairs a stale link but never deletes a real file in the way", () => {
    const dir = path.join(root, "workspace");
    fs.mkdirSync(dir);
    fs.symlinkSync("/nonexistent", path.join(dir, "ep-lab"));
    seedWorkspace(dir, { root });
    expect(fs.readlinkSync(path.join(dir, "ep-lab"))).toBe(path.join("..", "dist"));
    fs.unlinkSync(path.join(dir, "images"));
    fs.mkdirSync(path.join(dir, "images"));
    expect(() => seedWorkspace(dir, { root })).toThrow(/images exists and is not a link/);
  });

  it("refuses the committed notebooks/ folder, bad paths, options and lab names", () => {
    expect(() => seedWorkspace(path.join(root, "notebooks"), { root })).toThrow(RangeError);
    expect(() => seedWorkspace(path.join(root, "notebooks", "sub"), { root })).toThrow(/notebooks/);
    expect(() => seedWorkspace("workspace", { root })).toThrow(TypeError);
    expect(() => seedWorkspace(path.join(root, "w"), { root, lab: ["x"] } as never)).toThrow(/did you mean "labs"/);
    expect(() => seedWorkspace(path.join(root, "w"), null as never)).toThrow(TypeError);
    expect(() => seedWorkspace(path.join(root, "w"), { root: "rel" })).toThrow(TypeError);
    expect(() => seedWorkspace(path.join(root, "w"), { root, labs: ["lab9"] })).toThrow(RangeError);
  });
});

describe("resolveLabs and courseLabs", () => {
  it("accepts file names, names without .ipynb and unique prefixes", () => {
    expect(courseLabs(root)).toEqual(["00-setup-check.ipynb", "lab3.1-foundations.ipynb"]);
    expect(resolveLabs(["lab3.1", "00-setup-check", "lab3.1-foundations.ipynb"], root)).toEqual(["lab3.1-foundations.ipynb", "00-setup-check.ipynb"]);
  });

  it("names the nearest lab for a typo and the candidates for an ambiguous prefix", () => {
    expect(() => resolveLabs(["lab3.1-foundatoins"], root)).toThrow(/did you mean "lab3.1-foundations"/);
    fs.writeFileSync(path.join(root, "notebooks", "lab3.2-plan.ipynb"), "{}");
    expect(() => resolveLabs(["lab3"], root)).toThrow(/several labs: lab3.1-foundations.ipynb, lab3.2-plan.ipynb/);
    expect(() => resolveLabs([], root)).toThrow(RangeError);
    expect(() => resolveLabs([""], root)).toThrow(RangeError);
    expect(() => resolveLabs("lab3.1" as never, root)).toThrow(TypeError);
    expect(() => courseLabs(path.join(tmp, "nowhere"))).toThrow(/no notebooks/);
  });
});

describe("resetLab", () => {
  it("moves the learner's copy to backups/ with the date and time, and restores a fresh one", () => {
    const dir = path.join(root, "workspace");
    seedWorkspace(dir, { root });
    fs.writeFileSync(path.join(dir, "lab3.1-foundations.ipynb"), "MY ANSWERS");
    const now = new Date(2026, 11, 1, 15, 30, 5);
    const [e] = resetLab(dir, { root, labs: ["lab3.1"], now });
    expect(e.lab).toBe("lab3.1-foundations.ipynb");
    expect(e.backup).toBe(path.join(dir, "backups", "lab3.1-foundations.2026-12-01_153005.ipynb"));
    expect(fs.readFileSync(e.backup!, "utf8")).toBe("MY ANSWERS");
    expect(fs.readFileSync(path.join(dir, "lab3.1-foundations.ipynb"), "utf8")).toContain('"lab"');
    // The other lab is untouched; a second reset in the same second gets its own backup name.
    fs.writeFileSync(path.join(dir, "lab3.1-foundations.ipynb"), "SECOND TRY");
    const [e2] = resetLab(dir, { root, labs: ["lab3.1"], now });
    expect(e2.backup).toBe(path.join(dir, "backups", "lab3.1-foundations.2026-12-01_153005-2.ipynb"));
    expect(fs.readFileSync(e2.backup!, "utf8")).toBe("SECOND TRY");
  });

  it("restores every lab by default, also when the workspace had none, and re-creates links", () => {
    const dir = path.join(root, "fresh");
    const entries = resetLab(dir, { root });
    expect(entries.map((e) => [e.lab, e.backup])).toEqual([
      ["00-setup-check.ipynb", null],
      ["lab3.1-foundations.ipynb", null],
    ]);
    expect(fs.readlinkSync(path.join(dir, "ep-lab"))).toBe(path.join("..", "dist"));
  });

  it("rejects a bad time, unknown options and labs", () => {
    const dir = path.join(root, "workspace");
    expect(() => resetLab(dir, { root, now: new Date(NaN) })).toThrow(TypeError);
    expect(() => resetLab(dir, { root, when: new Date() } as never)).toThrow(RangeError);
    expect(() => resetLab(dir, { root, labs: ["nope"] })).toThrow(/no lab named "nope"/);
  });
});
