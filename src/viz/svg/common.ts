/**
 * Shared look of the lab's SVG images: page header, footnote, group colours, GPU tiles.
 */
import { g, lines, rect, text } from "./svg";

/** Colours of the 8 expert groups (Okabe–Ito with purple instead of grey). */
export const GROUP_COLORS: readonly string[] = Object.freeze(["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#C9B800", "#6A3D9A"]);

/** Ink, muted text, hairlines and panel backgrounds. */
export const INK = "#1f2933";
export const MUTED = "#5b6675";
export const HAIRLINE = "#c9d2dc";
export const PANEL = "#f5f7fa";
export const NVLINK = "#76B900"; // NVLink domain accent (green)
export const RDMA = "#D55E00"; // scale-out network accent (vermilion)

/** Title and subtitle at the top-left of an image. */
export function header(title: string, subtitle: string, width: number): string {
  return g(
    {},
    text(32, 44, title, { size: 24, weight: 700 }),
    text(32, 70, subtitle, { size: 15, class: "muted" }),
    rect(32, 84, width - 64, 1, { fill: HAIRLINE }),
  );
}

/** Footnote lines (sources, assumptions) at the bottom-left. */
export function footnote(ss: readonly string[], height: number): string {
  return lines(32, height - 16 - (ss.length - 1) * 16, ss, { size: 12, class: "muted", lineHeight: 16 });
}
