/** Shared checks for the runner tests. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { expect } from "vitest";
import { Notebook } from "../../src/runner";

/** Whether a process id no longer names a live process. */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Also no process left in the kernel's process group. */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

const PY = "/usr/bin/python3";
let nbformatAvailable: boolean | undefined;
function hasNbformat(): boolean {
  if (nbformatAvailable === undefined) {
    try {
      execFileSync(PY, ["-c", "import nbformat"], { stdio: "ignore" });
      nbformatAvailable = true;
    } catch {
      nbformatAvailable = false;
    }
  }
  return nbformatAvailable;
}

/**
 * Assert an nbformat 4 notebook's structure (the schema's required keys per cell and output type); when Debian's
 * python3-nbformat is installed (CI installs it with jupyter-notebook) also run the official schema validator.
 */
export function expectValidNbformat(file: string): Notebook {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
  expect(nb.nbformat).toBe(4);
  expect(typeof nb.nbformat_minor).toBe("number");
  for (const cell of nb.cells) {
    expect(Object.keys(cell)).toEqual(expect.arrayContaining(["cell_type", "metadata", "source"]));
    if (nb.nbformat_minor >= 5) expect(typeof cell.id).toBe("string");
    if (cell.cell_type !== "code") continue;
    expect(Object.keys(cell)).toEqual(expect.arrayContaining(["outputs", "execution_count"]));
    for (const o of cell.outputs) {
      const required: Record<string, string[]> = {
        stream: ["name", "text"],
        display_data: ["data", "metadata"],
        execute_result: ["data", "metadata", "execution_count"],
        error: ["ename", "evalue", "traceback"],
      };
      expect(Object.keys(required)).toContain(o.output_type);
      expect(Object.keys(o).sort()).toEqual(["output_type", ...required[o.output_type]].sort());
    }
  }
  if (hasNbformat()) {
    execFileSync(PY, ["-c", "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", file], { stdio: "pipe" });
  }
  return nb;
}

/** All text of a cell's stream outputs. */
export function streamText(nb: Notebook, cellIndex: number, name?: "stdout" | "stderr"): string {
  const cell = nb.cells[cellIndex];
  if (cell.cell_type !== "code") return "";
  return cell.outputs
    .filter((o) => o.output_type === "stream" && (!name || o.name === name))
    .map((o) => (o.output_type === "stream" ? (Array.isArray(o.text) ? o.text.join("") : o.text) : ""))
    .join("");
}
