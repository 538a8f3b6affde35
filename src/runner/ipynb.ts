/**
 * Jupyter notebook files (nbformat 4): types, parsing with structural checks, and serialization.
 * Reference: the nbformat 4 JSON schema (https://github.com/jupyter/nbformat, nbformat/v4/nbformat.v4.schema.json).
 */
import * as fs from "fs";
import { show } from "../util/validate";

/** Text that nbformat stores either as one string or as a list of lines (each keeping its "\n"). */
export type MultilineString = string | string[];

/** A MIME bundle: mime type → content (text types as multiline strings, JSON types as objects). */
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface MarkdownCell {
  cell_type: "markdown";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, MimeBundle>;
}
export interface RawCell {
  cell_type: "raw";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, MimeBundle>;
}
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/**
 * Join a multiline string.
 * @param text a string or a list of lines; `undefined`/`null` (an absent field) count as empty
 * @returns the text as one string
 * @throws {TypeError} for anything else (a number, an object, a list holding a non-string), naming the value
 * @example joinText(["a\n", "b"]) // "a\nb"
 */
export function joinText(text: MultilineString | undefined | null): string {
  if (text === undefined || text === null) return "";
  if (typeof text === "string") return text;
  if (Array.isArray(text)) {
    const bad = text.findIndex((l) => typeof l !== "string");
    if (bad >= 0) throw new TypeError(`text[${bad}] must be a string, got ${show(text[bad])}`);
    return text.join("");
  }
  throw new TypeError(`text must be a string or a list of strings, got ${show(text)}`);
}

/**
 * Split text into nbformat lines (each but the last keeps its "\n"), the layout Jupyter writes.
 * @param text the text
 * @returns the lines; `[]` for the empty string
 * @throws {TypeError} when `text` is not a string
 * @example splitLines("a\nb") // ["a\n", "b"]
 */
export function splitLines(text: string): string[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${show(text)}`);
  if (text === "") return [];
  const lines = text.split("\n").map((l, i, all) => (i < all.length - 1 ? l + "\n" : l));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Check that a parsed JSON value is an nbformat 4 notebook (structure, not every schema detail).
 * @param value the parsed JSON
 * @param where a name for messages (e.g. the file path)
 * @returns the value typed as a Notebook (the same object, not a copy)
 * @throws {TypeError} naming the first structural problem, or when `where` is not a non-empty string
 * @example parseNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }).cells.length // 0
 */
export function parseNotebook(value: unknown, where = "notebook"): Notebook {
  if (typeof where !== "string" || where === "") throw new TypeError(`where must be a non-empty string, got ${show(where)}`);
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(value)) throw new TypeError(`${where}: not a JSON object`);
  if (value.nbformat !== 4) throw new TypeError(`${where}: nbformat must be 4, got ${JSON.stringify(value.nbformat)}`);
  if (typeof value.nbformat_minor !== "number") throw new TypeError(`${where}: nbformat_minor must be a number`);
  if (!isObj(value.metadata)) throw new TypeError(`${where}: metadata must be an object`);
  if (!Array.isArray(value.cells)) throw new TypeError(`${where}: cells must be an array`);
  value.cells.forEach((c, i) => {
    if (!isObj(c)) throw new TypeError(`${where}: cell ${i + 1} is not an object`);
    if (c.cell_type !== "code" && c.cell_type !== "markdown" && c.cell_type !== "raw") {
      throw new TypeError(`${where}: cell ${i + 1} has unknown cell_type ${JSON.stringify(c.cell_type)}`);
    }
    if (typeof c.source !== "string" && !(Array.isArray(c.source) && c.source.every((s) => typeof s === "string"))) {
      throw new TypeError(`${where}: cell ${i + 1} source must be a string or a list of strings`);
    }
    if (c.metadata !== undefined && !isObj(c.metadata)) throw new TypeError(`${where}: cell ${i + 1} metadata must be an object`);
    if (c.cell_type === "code" && c.outputs !== undefined && !Array.isArray(c.outputs)) {
      throw new TypeError(`${where}: cell ${i + 1} outputs must be an array`);
    }
  });
  return value as unknown as Notebook;
}

/**
 * Read and check a notebook file.
 * @param path the .ipynb path
 * @returns the parsed notebook
 * @throws {TypeError} for malformed JSON or structure (naming the file), or a `path` that is not a non-empty string;
 *   fs errors (ENOENT, EACCES) for unreadable files
 * @example readNotebook("notebooks/00-setup-check.ipynb").cells.length
 */
export function readNotebook(path: string): Notebook {
  if (typeof path !== "string" || path === "") throw new TypeError(`path must be a non-empty path string, got ${show(path)}`);
  const text = fs.readFileSync(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseNotebook(json, path);
}

/**
 * Serialize a notebook the way Jupyter does (1-space indent, trailing newline, sorted nothing).
 * @param nb the notebook
 * @returns the JSON text
 * @throws {TypeError} when `nb` is not an object with a cells array (it would serialize to garbage)
 * @example serializeNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }).endsWith("\n") // true
 */
export function serializeNotebook(nb: Notebook): string {
  if (typeof nb !== "object" || nb === null || !Array.isArray(nb.cells)) throw new TypeError(`nb must be a notebook with a cells array, got ${show(nb)}`);
  return JSON.stringify(nb, null, 1) + "\n";
}

/**
 * Normalize a MIME bundle received from a kernel for storage: text types become line lists, JSON types stay objects.
 * @param data the bundle (an object: mime type → content)
 * @returns a new bundle (the input is not modified)
 * @throws {TypeError} when `data` is not an object (a string, an array, null)
 * @example normalizeBundle({ "text/plain": "a\nb" })["text/plain"] // ["a\n", "b"]
 */
export function normalizeBundle(data: MimeBundle): MimeBundle {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new TypeError(`data must be a MIME bundle object, got ${show(data)}`);
  const out: MimeBundle = {};
  for (const [mime, v] of Object.entries(data)) {
    const jsonType = /(^application\/(.*\+)?json$)/.test(mime);
    if (jsonType && typeof v === "string") {
      try {
        out[mime] = JSON.parse(v); // kernels like tslab send JSON types as text; nbformat stores them as JSON
        continue;
      } catch {
        // keep the text
      }
    }
    out[mime] = !jsonType && typeof v === "string" && !mime.startsWith("image/png") && !mime.startsWith("image/jpeg") && !mime.startsWith("image/gif")
      ? splitLines(v)
      : v;
  }
  return out;
}
