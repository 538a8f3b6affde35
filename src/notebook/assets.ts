/**
 * Files the Jupyter server serves to the notebook page, so figures and text display well offline:
 *
 * - `<jupyterPath>/nbextensions/ep-lab/plotly-<version>.min.js`: the bundled plotly.js. Jupyter Notebook serves
 *   every `nbextensions/` folder on `JUPYTER_PATH` at `<base URL>nbextensions/`, so a figure's script loads it from
 *   there when the page has no plotly.js yet (after a reload, in a reopened notebook). Nothing of plotly.js is
 *   stored in the notebook.
 * - `<configDir>/custom/custom.css`: a few rules for classic Notebook (plain-text outputs wrap at word
 *   boundaries instead of mid-word). Notebook loads `custom/custom.css` from its config folder on every page.
 *
 * `npm start` (src/jupyter/launch.ts) calls {@link installFrontendAssets} with the project-local `.jupyter-local/`.
 */
import * as fs from "fs";
import * as path from "path";
import { createRequire } from "module";
import { PLOTLY_ASSET_DIR, plotlyAssetPath } from "./bundles";

/**
 * CSS for classic Notebook's pages. Bootstrap's `pre { word-break: break-all }` breaks plain-text outputs
 * (quiz text, summaries, feedback) in the middle of words; these rules break at spaces and only split a word
 * longer than the line.
 */
export const NOTEBOOK_CUSTOM_CSS =
  "div.output_area pre, div.output_subarea pre, div.output_text pre {\n" +
  "  word-break: normal;\n" +
  "  overflow-wrap: break-word;\n" +
  "  white-space: pre-wrap;\n" +
  "}\n";

const BEGIN = "/* ep-lab: begin (written by ep-lab start; edits between these markers are replaced) */";
const END = "/* ep-lab: end */";

/** What {@link installFrontendAssets} wrote. */
export interface InstalledAssets {
  /** Absolute path of the plotly.js copy. */
  plotlyFile: string;
  /** The same file's path under the Jupyter base URL (what figures load). */
  plotlyUrlPath: string;
  /** Absolute path of custom.css, or null when no config folder was given. */
  customCss: string | null;
}

/**
 * Write the offline plotly.js file and Notebook's custom.css (see the module comment). Idempotent: the
 * plotly.js copy is rewritten only when its size differs; in custom.css only the ep-lab block is replaced, so
 * rules someone else added stay.
 * @param jupyterPath absolute folder on the Jupyter server's `JUPYTER_PATH` (e.g. `<project>/.jupyter-local`)
 * @param configDir absolute `JUPYTER_CONFIG_DIR` of that server, default `<jupyterPath>/config`; null writes no
 *   custom.css (e.g. into a user's own Jupyter, whose config is theirs)
 * @returns the paths written
 * @throws {TypeError} when a path is not an absolute path string; {Error} when plotly.js is not installed
 * @example
 * installFrontendAssets("/home/me/ep-lab/.jupyter-local").plotlyUrlPath; // "nbextensions/ep-lab/plotly-4.1.1.min.js"
 */
export function installFrontendAssets(jupyterPath: string, configDir: string | null = path.join(String(jupyterPath), "config")): InstalledAssets {
  for (const [name, p] of [["jupyterPath", jupyterPath], ["configDir", configDir]] as const) {
    if (name === "configDir" && p === null) continue;
    if (typeof p !== "string" || p === "" || !path.isAbsolute(p)) throw new TypeError(`${name} must be an absolute path string${name === "configDir" ? " or null" : ""}, got ${JSON.stringify(p)}`);
  }
  const req = createRequire(__filename);
  const source = req.resolve("plotly.js-dist-min");
  const version = (JSON.parse(fs.readFileSync(req.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string }).version;
  const urlPath = plotlyAssetPath(version);
  const dir = path.join(jupyterPath, "nbextensions", PLOTLY_ASSET_DIR);
  const plotlyFile = path.join(dir, path.basename(urlPath));
  fs.mkdirSync(dir, { recursive: true });
  const want = fs.statSync(source).size;
  let have = -1;
  try {
    have = fs.statSync(plotlyFile).size;
  } catch {
    // not there yet
  }
  if (have !== want) {
    const tmp = `${plotlyFile}.${process.pid}.tmp`;
    fs.copyFileSync(source, tmp);
    fs.renameSync(tmp, plotlyFile);
  }

  if (configDir === null) return { plotlyFile, plotlyUrlPath: urlPath, customCss: null };
  const customDir = path.join(configDir, "custom");
  const customCss = path.join(customDir, "custom.css");
  fs.mkdirSync(customDir, { recursive: true });
  let css = "";
  try {
    css = fs.readFileSync(customCss, "utf8");
  } catch {
    // none yet
  }
  const block = `${BEGIN}\n${NOTEBOOK_CUSTOM_CSS}${END}\n`;
  const start = css.indexOf(BEGIN);
  const end = css.indexOf(END);
  const next = start >= 0 && end > start ? css.slice(0, start) + block + css.slice(end + END.length).replace(/^\n/, "") : css + (css && !css.endsWith("\n") ? "\n" : "") + block;
  if (next !== css) fs.writeFileSync(customCss, next);
  return { plotlyFile, plotlyUrlPath: urlPath, customCss };
}
