/**
 * Small text helpers for the runner: HTML escaping, ANSI escape sequences (strip, or convert SGR colors to spans),
 * and heading slugs.
 */
import { show } from "../util/validate";

// CSI sequences (ESC [ ... final byte) and OSC sequences (ESC ] ... BEL / ESC \), plus lone two-byte escapes.
const ANSI_RE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/**
 * Remove ANSI escape sequences.
 * @param text text possibly holding terminal escapes
 * @returns the text without them
 * @throws {TypeError} when `text` is not a string
 * @example stripAnsi("\u001b[31mred\u001b[0m") // "red"
 */
export function stripAnsi(text: string): string {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${show(text)}`);
  return String(text).replace(ANSI_RE, "");
}

/**
 * Escape text for HTML element content and attribute values.
 * @param text any text
 * @returns the escaped text (`& < > " '`)
 * @throws {TypeError} when `text` is not a string (nothing is coerced: `undefined` would print as "undefined")
 * @example escapeHtml("<b>") // "&lt;b&gt;"
 */
export function escapeHtml(text: string): string {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${show(text)}`);
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

const ANSI_COLORS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/**
 * Convert terminal text to HTML: escapes it and turns SGR bold/color codes (30–37, 90–97, 40–47, 100–107) into
 * `<span class="ansi-…">`; other escape sequences are dropped.
 * @param text terminal output
 * @returns HTML-safe markup
 * @throws {TypeError} when `text` is not a string
 * @example ansiToHtml("\u001b[31mx\u001b[0m") // '<span class="ansi-red-fg">x</span>'
 */
export function ansiToHtml(text: string): string {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${show(text)}`);
  let out = "";
  let classes: string[] = [];
  let open = false;
  const re = /\u001b\[([0-9;]*)m/g;
  const src = String(text);
  let last = 0;
  const emit = (chunk: string) => {
    const clean = stripAnsi(chunk);
    if (clean === "") return;
    if (classes.length && !open) {
      out += `<span class="${classes.join(" ")}">`;
      open = true;
    }
    out += escapeHtml(clean);
  };
  const close = () => {
    if (open) out += "</span>";
    open = false;
  };
  for (let m = re.exec(src); m; m = re.exec(src)) {
    emit(src.slice(last, m.index));
    last = re.lastIndex;
    const codes = m[1] === "" ? [0] : m[1].split(";").map(Number);
    const next = new Set(classes);
    for (const c of codes) {
      if (c === 0) next.clear();
      else if (c === 1) next.add("ansi-bold");
      else if (c === 22) next.delete("ansi-bold");
      else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) {
        for (const k of [...next]) if (k.endsWith("-fg")) next.delete(k);
        next.add(`ansi-${c >= 90 ? "bright-" : ""}${ANSI_COLORS[c % 10]}-fg`);
      } else if (c === 39) {
        for (const k of [...next]) if (k.endsWith("-fg")) next.delete(k);
      } else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) {
        for (const k of [...next]) if (k.endsWith("-bg")) next.delete(k);
        next.add(`ansi-${c >= 100 ? "bright-" : ""}${ANSI_COLORS[c % 10]}-bg`);
      } else if (c === 49) {
        for (const k of [...next]) if (k.endsWith("-bg")) next.delete(k);
      }
    }
    const changed = next.size !== classes.length || [...next].some((k) => !classes.includes(k));
    if (changed) {
      close();
      classes = [...next];
    }
  }
  emit(src.slice(last));
  close();
  return out;
}

/**
 * A GitHub-style heading slug: lowercase, punctuation removed, spaces to hyphens.
 * @param text the heading's plain text
 * @returns the slug ("section" for text without word characters)
 * @throws {TypeError} when `text` is not a string
 * @example slugify("2. Top-k Routing!") // "2-top-k-routing"
 */
export function slugify(text: string): string {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${show(text)}`);
  const s = String(text)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
  return s === "" ? "section" : s;
}
