/**
 * Builds a lab notebook (nbformat 4.5, tslab kernel, no outputs) from a readable "percent" source.
 *
 * Source format: cells separated by marker lines
 *   `%% md`  — a markdown cell
 *   `%% ts`  — a TypeScript code cell
 * optionally followed by ` id=<cell-id>` to pin a stable cell id; otherwise ids are derived from
 * the cell's position ("cell-007"). Leading and trailing blank lines of each cell are dropped.
 *
 * Run: `npx tsx src/lab/notebook-source/build.ts` (rewrites notebooks/lab3.1-…ipynb), or
 * `npx tsx src/lab/notebook-source/build.ts --check` (exit 1 when the committed notebook is stale).
 */
import * as fs from "fs";
import * as path from "path";

/** One cell of an nbformat 4 notebook, without outputs. */
export interface NotebookCell {
  cell_type: "markdown" | "code";
  id: string;
  metadata: Record<string, unknown>;
  source: string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** The kernelspec every lab notebook declares. */
export const TSLAB_KERNELSPEC = Object.freeze({ name: "tslab", display_name: "TypeScript", language: "typescript" });

/**
 * How notebook cells import the library: `import { route } from "./ep-lab/routing"`. `ep-lab` is a link beside the
 * notebook to the compiled build in `dist/` (JavaScript + `.d.ts`, made by `npm run build`), so any tslab kernel
 * loads it without a loader hook; a learner workspace gets the same link (src/jupyter/workspace.ts).
 */
export const LIBRARY_IMPORT_PREFIX = "./ep-lab/";

/** Imports of the live sources or of paths outside the notebook folder, which a plain tslab kernel cannot load. */
const FORBIDDEN_IMPORT = /\bfrom\s+["'](\.\.?\/(?:\.\.\/)*src(?:\/[^"']*)?|\.\.\/[^"']*)["']|\brequire\(\s*["'](\.\.?\/(?:\.\.\/)*src(?:\/[^"']*)?)["']/;

const MARKER = /^%% (md|ts)(?: id=([A-Za-z0-9_-]{1,64}))?\s*$/;

/**
 * Parse a percent-format source into cells.
 * @param source the whole source text
 * @returns cells in order, with nbformat's line-split `source` arrays
 * @throws {RangeError} when text precedes the first marker, a cell is empty, or ids repeat
 * @example
 * buildNotebook("%% md\n# Title\n%% ts\n1 + 1").cells.length; // 2
 */
export function buildNotebook(source: string): Notebook {
  if (typeof source !== "string") throw new TypeError(`source must be a string, got ${typeof source}`);
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  const cells: NotebookCell[] = [];
  let current: { type: "md" | "ts"; id?: string; lines: string[]; at: number } | undefined;
  const flush = () => {
    if (!current) return;
    const body = trimBlankLines(current.lines);
    if (body.length === 0) throw new RangeError(`empty cell at source line ${current.at}`);
    const id = current.id ?? `cell-${String(cells.length + 1).padStart(3, "0")}`;
    const text = body.join("\n");
    const src = text.split("\n").map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
    cells.push(
      current.type === "md"
        ? { cell_type: "markdown", id, metadata: {}, source: src }
        : { cell_type: "code", id, metadata: {}, source: src, outputs: [], execution_count: null },
    );
  };
  lines.forEach((line, i) => {
    const bad = current?.type === "ts" ? FORBIDDEN_IMPORT.exec(line) : null;
    if (bad) {
      throw new RangeError(
        `source line ${i + 1} imports ${JSON.stringify(bad[1] ?? bad[2])}: notebooks import the library's build as "${LIBRARY_IMPORT_PREFIX}<module>" (e.g. "${LIBRARY_IMPORT_PREFIX}routing")`,
      );
    }
    const m = MARKER.exec(line);
    if (m) {
      flush();
      current = { type: m[1] as "md" | "ts", id: m[2], lines: [], at: i + 1 };
    } else if (current) {
      current.lines.push(line);
    } else if (line.trim() !== "") {
      throw new RangeError(`source line ${i + 1} comes before the first "%% md" / "%% ts" marker`);
    }
  });
  flush();
  if (cells.length === 0) throw new RangeError("source has no cells");
  const seen = new Set<string>();
  for (const c of cells) {
    if (seen.has(c.id)) throw new RangeError(`duplicate cell id ${JSON.stringify(c.id)}`);
    seen.add(c.id);
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { ...TSLAB_KERNELSPEC },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    cells,
  };
}

function trimBlankLines(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === "") a++;
  while (b > a && lines[b - 1].trim() === "") b--;
  return lines.slice(a, b);
}

/** Serialise as Jupyter does (one-space indent, trailing newline). */
export function notebookJson(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** Source → target pairs this script maintains, relative to the repository root. */
export const NOTEBOOKS = Object.freeze([
  { source: "src/lab/notebook-source/lab3.1-expert-parallelism-foundations.src.md", target: "notebooks/lab3.1-expert-parallelism-foundations.ipynb" },
  { source: "src/lab/notebook-source/lab3.2-wide-ep-deployment-planning.src.md", target: "notebooks/lab3.2-wide-ep-deployment-planning.ipynb" },
]);

function main(argv: string[]): number {
  const root = path.resolve(__dirname, "..", "..", "..");
  const check = argv.includes("--check");
  let stale = 0;
  for (const { source, target } of NOTEBOOKS) {
    const text = notebookJson(buildNotebook(fs.readFileSync(path.join(root, source), "utf8")));
    const out = path.join(root, target);
    const old = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
    if (check) {
      if (old !== text) {
        console.error(`${target} is out of date with ${source}; run npx tsx src/lab/notebook-source/build.ts`);
        stale++;
      }
    } else if (old !== text) {
      fs.writeFileSync(out, text);
      console.log(`wrote ${target}`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
