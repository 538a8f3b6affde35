import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { installFrontendAssets, NOTEBOOK_CUSTOM_CSS, plotlyVersion } from "../../src/notebook";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ep-assets-"));
  dirs.push(d);
  return d;
}

describe("installFrontendAssets", () => {
  it("copies plotly.js under nbextensions/ep-lab with the version in its name, and writes custom.css", () => {
    const d = tmp();
    const a = installFrontendAssets(d);
    expect(a.plotlyUrlPath).toBe(`nbextensions/ep-lab/plotly-${plotlyVersion()}.min.js`);
    expect(a.plotlyFile).toBe(path.join(d, a.plotlyUrlPath));
    expect(fs.readFileSync(a.plotlyFile, "utf8")).toBe(fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8"));
    expect(fs.readFileSync(a.customCss!, "utf8")).toContain(NOTEBOOK_CUSTOM_CSS);
    expect(a.customCss).toBe(path.join(d, "config", "custom", "custom.css"));
  });

  it("is idempotent and keeps rules someone else put in custom.css", () => {
    const d = tmp();
    const cfg = path.join(d, "cfg");
    fs.mkdirSync(path.join(cfg, "custom"), { recursive: true });
    fs.writeFileSync(path.join(cfg, "custom", "custom.css"), "body { color: red; }\n");
    const a = installFrontendAssets(d, cfg);
    installFrontendAssets(d, cfg);
    const css = fs.readFileSync(a.customCss!, "utf8");
    expect(css.startsWith("body { color: red; }\n")).toBe(true);
    expect(css.split("ep-lab: begin").length - 1).toBe(1);
  });

  it("rewrites a truncated plotly.js copy", () => {
    const d = tmp();
    const a = installFrontendAssets(d);
    fs.writeFileSync(a.plotlyFile, "broken");
    installFrontendAssets(d);
    expect(fs.statSync(a.plotlyFile).size).toBe(fs.statSync(require.resolve("plotly.js-dist-min")).size);
  });

  it("with configDir null writes only plotly.js (a user's own Jupyter config stays untouched)", () => {
    const d = tmp();
    const a = installFrontendAssets(d, null);
    expect(a.customCss).toBeNull();
    expect(fs.existsSync(a.plotlyFile)).toBe(true);
    expect(fs.readdirSync(d)).toEqual(["nbextensions"]);
  });

  it("rejects relative or non-string paths", () => {
    expect(() => installFrontendAssets("rel/dir")).toThrow(/^jupyterPath must be an absolute path string, got "rel\/dir"/);
    expect(() => installFrontendAssets(7 as never)).toThrow(TypeError);
    expect(() => installFrontendAssets(tmp(), "x")).toThrow(/^configDir must be an absolute path/);
  });
});
