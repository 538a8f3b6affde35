/**
 * Image (e): EP throughput comparison — output tokens/s per GPU of Dense / standard EP / wide EP /
 * wide EP + EPLB at one interactivity target, for one or more workloads (grouped bars), with a
 * panel saying what is modelled. Bars grow in with a CSS animation (static for reduced motion).
 */
import { assertPositiveFinite, fmt } from "../figure";
import { INK, MUTED, footnote, header } from "./common";
import { el, g, line, rect, svgDocument, text } from "./svg";

/** One series (a workload), drawn as one bar per group. */
export interface ThroughputSeries {
  /** Legend name, e.g. `"mild skew (Zipf 0.6)"`. */
  name: string;
  /** Bar colour. */
  color: string;
}

/** One deployment (a group of bars). */
export interface ThroughputGroup {
  /** Deployment name, e.g. `"wide EP + EPLB"`. */
  label: string;
  /** Second line under the name, e.g. `"EP32, 288 slots"`. */
  sublabel: string;
  /** One value per series (output tokens/s per GPU); `null` = cannot reach the target. */
  values: readonly (number | null)[];
  /** Draw as a reference (hatched grey), not a real deployment. Default false. */
  reference?: boolean;
}

/** Inputs of {@link throughputSvg}. */
export interface ThroughputInputs {
  /** Subtitle under the title (what the bars are). */
  subtitle: string;
  series: readonly ThroughputSeries[];
  groups: readonly ThroughputGroup[];
  /** Group the ratios are relative to (index into `groups`). */
  baselineGroup: number;
  /** Lines of the "what is modelled" panel; lines starting with "# " are headings. */
  panel: readonly string[];
  /** Source / assumption lines. */
  notes: readonly string[];
}

const W = 1200;
const H = 660;

/**
 * Draw image (e).
 * @param inputs series, groups (values per series), baseline, side panel text, notes
 * @returns SVG text
 * @throws {RangeError|TypeError} when a group's values do not match the series, or a value is negative/NaN
 * @example throughputSvg({ subtitle: "s", series: [{ name: "a", color: "#0072B2" }], groups: [{ label: "x", sublabel: "", values: [1] }], baselineGroup: 0, panel: [], notes: [] })
 */
export function throughputSvg(inputs: ThroughputInputs): string {
  if (inputs.series.length === 0) throw new RangeError("inputs.series must not be empty");
  if (inputs.groups.length === 0) throw new RangeError("inputs.groups must not be empty");
  if (!Number.isInteger(inputs.baselineGroup) || inputs.baselineGroup < 0 || inputs.baselineGroup >= inputs.groups.length) {
    throw new RangeError(`inputs.baselineGroup must be an index into inputs.groups, got ${inputs.baselineGroup}`);
  }
  let max = 0;
  inputs.groups.forEach((gr, i) => {
    if (gr.values.length !== inputs.series.length) {
      throw new RangeError(`inputs.groups[${i}].values must have one value per series (${inputs.series.length}), got ${gr.values.length}`);
    }
    gr.values.forEach((v, k) => {
      if (v === null) return;
      if (v !== 0) assertPositiveFinite(`inputs.groups[${i}].values[${k}]`, v);
      max = Math.max(max, v);
    });
  });
  if (max === 0) throw new RangeError("inputs.groups must contain at least one positive value");
  const px = 96;
  const py = 150;
  const pw = 700;
  const ph = 360;
  const niceStep = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(max / 5))).find((s) => max / s <= 6) ?? max / 5;
  const yTop = Math.ceil((max * 1.12) / niceStep) * niceStep;
  const Y = (v: number) => py + ph - (v / yTop) * ph;
  const parts: string[] = [];
  for (let v = 0; v <= yTop + 1e-9; v += niceStep) {
    parts.push(line(px, Y(v), px + pw, Y(v), { stroke: "#e4e8ee" }));
    parts.push(text(px - 10, Y(v) + 4, fmt(v), { size: 11.5, anchor: "end", class: "muted" }));
  }
  parts.push(el("text", { x: px - 62, y: py + ph / 2, "font-size": 13, "text-anchor": "middle", transform: `rotate(-90 ${px - 62} ${py + ph / 2})` }, "output tokens/s per GPU"));
  const gw = pw / inputs.groups.length;
  const base = inputs.groups[inputs.baselineGroup].values;
  inputs.groups.forEach((gr, i) => {
    const gx = px + i * gw;
    const nBars = gr.reference ? 1 : inputs.series.length;
    const bw = Math.min(64, (gw * 0.72) / nBars);
    const x0 = gx + (gw - bw * nBars - 6 * (nBars - 1)) / 2;
    for (let k = 0; k < nBars; k++) {
      const v = gr.values[k];
      const bx = x0 + k * (bw + 6);
      if (v === null) {
        parts.push(text(bx + bw / 2, Y(0) - 8, "n/a", { size: 11.5, anchor: "middle", class: "muted" }));
        continue;
      }
      const delay = (0.15 * i + 0.08 * k).toFixed(2);
      parts.push(
        rect(bx, Y(v), bw, Y(0) - Y(v), {
          fill: gr.reference ? "url(#refhatch)" : inputs.series[k].color,
          rx: 3,
          class: "bar",
          style: `animation-delay:${delay}s`,
        }),
      );
      parts.push(text(bx + bw / 2, Y(v) - 22, fmt(v), { size: 12, anchor: "middle", weight: 700, class: "label", style: `animation-delay:${delay}s` }));
      const b = base[gr.reference ? 0 : k];
      if (i !== inputs.baselineGroup && b !== null && b > 0 && !gr.reference) {
        parts.push(text(bx + bw / 2, Y(v) - 7, `${(v / b).toFixed(2)}×`, { size: 11.5, anchor: "middle", fill: v >= b ? "#2f6b00" : "#b34700", class: "label", style: `animation-delay:${delay}s` }));
      }
    }
    parts.push(text(gx + gw / 2, py + ph + 22, gr.label, { size: 14, anchor: "middle", weight: 700 }));
    parts.push(text(gx + gw / 2, py + ph + 40, gr.sublabel, { size: 12, anchor: "middle", class: "muted" }));
  });
  parts.push(line(px, Y(0), px + pw, Y(0), { stroke: "#9aa5b1" }));
  // legend
  const ly = py - 22;
  let lx = px;
  inputs.series.forEach((s) => {
    parts.push(rect(lx, ly - 10, 13, 13, { rx: 2, fill: s.color }), text(lx + 19, ly + 1, s.name, { size: 12.5 }));
    lx += 30 + s.name.length * 7.2;
  });
  parts.push(
    text(px + pw, ly + 1, `ratios: × vs ${inputs.groups[inputs.baselineGroup].label}, same workload`, { size: 12, anchor: "end", class: "muted" }),
  );
  // side panel
  const sx = 850;
  const side: string[] = [rect(sx - 18, py - 40, W - 32 - sx + 18, ph + 96, { rx: 10, fill: "#f5f7fa", stroke: "#dde3ea" })];
  let sy = py - 12;
  inputs.panel.forEach((l) => {
    if (l.startsWith("# ")) {
      sy += 6;
      side.push(text(sx, sy, l.slice(2), { size: 13.5, weight: 700 }));
    } else if (l === "") {
      sy -= 8;
    } else {
      side.push(text(sx, sy, l, { size: 12.5, fill: l.startsWith("•") ? INK : MUTED }));
    }
    sy += 20;
  });
  const css =
    "@keyframes grow{from{transform:scaleY(0)}to{transform:scaleY(1)}}@keyframes fade{from{opacity:0}to{opacity:1}}" +
    ".bar{transform-box:fill-box;transform-origin:50% 100%;animation:grow .9s cubic-bezier(.2,.7,.2,1) both}" +
    ".label{animation:fade .5s ease-out both}" +
    "@media (prefers-reduced-motion: reduce){.bar,.label{animation:none}}";
  const defs = el(
    "pattern",
    { id: "refhatch", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    rect(0, 0, 8, 8, { fill: "#c9d0d8" }),
    line(0, 0, 0, 8, { stroke: "#ffffff", "stroke-width": 3, "stroke-opacity": 0.6 }),
  );
  return svgDocument(
    {
      width: W,
      height: H,
      title: "Expert-parallel throughput comparison",
      desc:
        `${inputs.subtitle}. ` +
        inputs.groups
          .map((gr) => `${gr.label} (${gr.sublabel}): ${gr.values.map((v, k) => (gr.reference && k > 0 ? "" : `${inputs.series[k].name} ${v === null ? "cannot reach the target" : `${fmt(v)} tokens/s per GPU`}`)).filter(Boolean).join(", ")}`)
          .join("; ") +
        ".",
      css,
      defs,
    },
    header("Expert-parallel throughput comparison", inputs.subtitle, W),
    g({}, parts.join("")),
    g({}, side.join("")),
    footnote(inputs.notes, H),
  );
}
