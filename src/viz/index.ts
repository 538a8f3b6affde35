/**
 * Figure specs for the lab: pure functions `(data, options) → { data: traces, layout }` that return
 * plotly figure JSON (no DOM, no plotly import, no randomness). `src/notebook`'s `show(figure)`
 * renders them; the snapshot tests compare them; `src/viz/svg` draws the static images in `images/`.
 *
 * @example
 * import { routingFigure } from "./src/viz";
 * const fig = routingFigure({ numTokens: 2, numExperts: 8, topK: 2, indices: [1, 5, 0, 7], weights: [0.6, 0.4, 0.9, 0.1] });
 */
export { COLORS, FONT_FAMILY, PALETTE, categoricalColor, fmt } from "./figure";
export type { BaseOptions, Figure, Layout, Trace } from "./figure";
export * from "./routing";
export * from "./loads";
export * from "./traffic";
export * from "./eplb";
export * from "./throughput";
export * from "./compute";
export * from "./memory";
