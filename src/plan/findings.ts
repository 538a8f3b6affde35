/**
 * Lint findings and the YAML position helpers the linters share.
 */
import { LineCounter, isMap, isSeq, type Document } from "yaml";
import { SOURCES, type SourceId } from "./sources";

/** One violation of an engine invariant. */
export interface Finding {
  /** Rule id, e.g. "sglang/deepep-ep-equals-tp". */
  rule: string;
  severity: "error" | "warning";
  file: string;
  /** 1-based line. */
  line: number;
  message: string;
  /** Where the engine enforces it. */
  source: string;
}

/** Build a finding citing a source. */
export function finding(rule: string, severity: Finding["severity"], file: string, line: number, message: string, source: SourceId): Finding {
  const s = SOURCES[source];
  return { rule, severity, file, line, message, source: `${s.file} @ ${s.version.slice(0, 7)} (${s.url})` };
}

/**
 * 1-based line of the key at `path` in a YAML document (or of its value when the path ends at a list index).
 * @returns the line, or the line of the deepest existing ancestor, or 1
 */
export function lineOf(doc: Document, lc: LineCounter, path: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let line = 1;
  for (const k of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const key = (p.key as { value?: unknown } | null)?.value ?? p.key;
        return String(key) === String(k);
      });
      if (!pair) return line;
      const r = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (r) line = lc.linePos(r[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof k === "number") {
      const item = node.items[k] as { range?: [number, number, number] } | undefined;
      if (!item) return line;
      if (item.range) line = lc.linePos(item.range[0]).line;
      node = item;
    } else return line;
  }
  return line;
}
