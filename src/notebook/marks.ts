/**
 * Feedback marks that render without an emoji font. Emoji such as ✅ ❌ ✏️ show as empty boxes where no colour-emoji
 * font is installed (Debian's Chromium out of the box); these marks are plain text, from Unicode's Dingbats and
 * Geometric Shapes blocks, which the common text fonts (DejaVu Sans, Liberation, Noto Sans, Segoe UI Symbol)
 * cover, and never carry the emoji variation selector (U+FE0F). For HTML there is also an inline-SVG form.
 */

/** The kinds of feedback a check reports. */
export type MarkKind = "correct" | "incorrect" | "not attempted" | "info";

const TEXT: Record<MarkKind, string> = {
  correct: "\u2714", // ✔ heavy check mark
  incorrect: "\u2718", // ✘ heavy ballot x
  "not attempted": "\u25CB", // ○ white circle
  info: "\u2139", // ℹ information source (letterlike symbol, text style)
};

const COLOR: Record<MarkKind, string> = { correct: "#1a7f37", incorrect: "#cf222e", "not attempted": "#9a6700", info: "#0969da" };

const SVG_PATH: Record<MarkKind, string> = {
  correct: '<path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>',
  incorrect: '<path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>',
  "not attempted": '<circle cx="8" cy="8" r="5" fill="none" stroke="currentColor" stroke-width="1.8"/>',
  info: '<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 7v4M8 4.6v.2" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>',
};

function check(kind: unknown): asserts kind is MarkKind {
  if (typeof kind !== "string" || !Object.prototype.hasOwnProperty.call(TEXT, kind)) {
    throw new RangeError(`kind must be one of ${Object.keys(TEXT).map((k) => JSON.stringify(k)).join(", ")}, got ${JSON.stringify(kind)}`);
  }
}

/**
 * The text mark of a feedback kind, for plain-text and markdown output.
 * @param kind "correct" | "incorrect" | "not attempted" | "info"
 * @returns one character: ✔ ✘ ○ ℹ
 * @throws {RangeError} for another kind
 * @example `${feedbackMark("correct")} Exercise 1 — CORRECT`; // "✔ Exercise 1 — CORRECT"
 */
export function feedbackMark(kind: MarkKind): string {
  check(kind);
  return TEXT[kind];
}

/**
 * The same mark as a small inline SVG (1 em, coloured, with an accessible label), for HTML output.
 * @param kind "correct" | "incorrect" | "not attempted" | "info"
 * @returns an `<svg role="img" aria-label="correct" …>` element
 * @throws {RangeError} for another kind
 * @example feedbackMarkSvg("incorrect").startsWith("<svg"); // true
 */
export function feedbackMarkSvg(kind: MarkKind): string {
  check(kind);
  return (
    `<svg role="img" aria-label="${kind}" width="1em" height="1em" viewBox="0 0 16 16" style="vertical-align:-0.125em;color:${COLOR[kind]}">` +
    `<title>${kind}</title>${SVG_PATH[kind]}</svg>`
  );
}
