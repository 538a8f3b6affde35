/**
 * Image (d): EPLB balancing — GPU loads before (contiguous placement), with greedy packing, and
 * after EPLB with redundant replicas of the hot experts; each expert's load is split evenly over
 * its replicas.
 */
import { assertNumbers, fmt, loadSummary } from "../figure";
import { placementLoads } from "../loads";
import { INK, MUTED, footnote, header } from "./common";
import { el, g, line, rect, svgDocument, text } from "./svg";

/** One placement drawn as a panel. */
export interface EplbBalancePanel {
  /** Heading, e.g. `"Before: contiguous (standard EP)"`. */
  label: string;
  /** Logical experts on each GPU, `[gpus][slots]`; an expert listed twice has two replicas. */
  gpuExperts: number[][];
}

/** Inputs of {@link eplbBalanceSvg}. */
export interface EplbBalanceInputs {
  /** Tokens routed to each logical expert, `[experts]`. */
  expertLoad: readonly number[];
  /** Panels, left to right; the first is the baseline for speed-ups. */
  panels: readonly EplbBalancePanel[];
  /** Source / assumption lines. */
  notes: readonly string[];
}

/** Colours of up to 8 experts (distinct, readable with white labels). */
const EXPERT_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6A3D9A", "#8C6D31"];

const W = 1200;
const H = 640;

/**
 * Draw image (d).
 * @param inputs expert loads and placements
 * @returns SVG text
 * @throws {RangeError|TypeError} on empty loads/panels or a placement that misses a loaded expert
 * @example eplbBalanceSvg({ expertLoad: [3, 1], panels: [{ label: "a", gpuExperts: [[0], [1]] }], notes: [] })
 */
export function eplbBalanceSvg(inputs: EplbBalanceInputs): string {
  assertNumbers("inputs.expertLoad", inputs.expertLoad, 0);
  if (!Array.isArray(inputs.panels as unknown) || inputs.panels.length === 0) throw new RangeError("inputs.panels must be a non-empty array");
  const placed = inputs.panels.map((p) => placementLoads(inputs.expertLoad, p.gpuExperts, p.label));
  const totals = placed.map((p) => p.loads.map((row) => row.reduce((a, b) => a + b, 0)));
  const yMax = Math.max(...totals.flat());
  const baseMax = Math.max(...totals[0]);
  const n = placed.length;
  const gap = 40;
  const pw = (W - 64 - gap * (n - 1)) / n;
  const top = 172;
  const ph = 320;
  const Y = (v: number) => top + ph - (v / (yMax * 1.05)) * ph;
  const parts: string[] = [];
  placed.forEach((p, i) => {
    const x0 = 32 + i * (pw + gap) + 44;
    const w = pw - 44;
    const s = loadSummary(totals[i]);
    const speed = baseMax / s.max;
    parts.push(text(x0 - 44, top - 52, p.label, { size: 15.5, weight: 700 }));
    const slots = p.experts.reduce((a, r) => a + r.length, 0);
    parts.push(text(x0 - 44, top - 32, `${slots} slots · busiest GPU ${fmt(s.max)} tokens · mean ${fmt(s.mean)} (dashed)`, { size: 12.5, class: "muted" }));
    parts.push(
      text(x0 - 44, top - 14, `balancedness ${s.balancedness.toFixed(2)}${i > 0 ? ` · ${speed.toFixed(2)}× faster than before` : " (mean ÷ max)"}`, {
        size: 12.5,
        weight: 700,
        fill: i > 0 && speed > 1.001 ? "#2f6b00" : INK,
      }),
    );
    // axis + gridlines
    const step = yMax > 1000 ? 500 : yMax > 200 ? 100 : yMax > 20 ? 10 : 1;
    for (let v = 0; v <= yMax * 1.05; v += step) {
      parts.push(line(x0, Y(v), x0 + w, Y(v), { stroke: "#e4e8ee", "stroke-width": 1 }));
      if (i === 0) parts.push(text(x0 - 8, Y(v) + 4, fmt(v), { size: 11, anchor: "end", class: "muted" }));
    }
    parts.push(line(x0, Y(s.mean), x0 + w, Y(s.mean), { stroke: INK, "stroke-width": 1.5, "stroke-dasharray": "6 4" }));
    const numGpus = p.experts.length;
    const bw = (w / numGpus) * 0.62;
    const replicas = new Map<number, number>();
    for (const row of p.experts) for (const e of row) replicas.set(e, (replicas.get(e) ?? 0) + 1);
    p.experts.forEach((row, gpu) => {
      const bx = x0 + (gpu + 0.5) * (w / numGpus) - bw / 2;
      let acc = 0;
      row.forEach((e, k) => {
        const v = p.loads[gpu][k];
        const y1 = Y(acc);
        const y0 = Y(acc + v);
        const color = EXPERT_COLORS[e % EXPERT_COLORS.length];
        const r = replicas.get(e) ?? 1;
        parts.push(
          rect(bx, y0, bw, y1 - y0, {
            fill: r > 1 ? `url(#rep${e % EXPERT_COLORS.length})` : color,
            stroke: "#ffffff",
            "stroke-width": 1.2,
          }),
        );
        if (y1 - y0 >= 15) {
          parts.push(text(bx + bw / 2, (y0 + y1) / 2 + 4.5, r > 1 ? `E${e} ×${r}` : `E${e}`, { size: 11.5, anchor: "middle", fill: "#ffffff", "font-weight": 700 }));
        }
        acc += v;
      });
      parts.push(text(bx + bw / 2, Y(acc) - 6, fmt(acc), { size: 11.5, anchor: "middle", weight: 700, stroke: "#ffffff", "stroke-width": 4, "paint-order": "stroke", "stroke-linejoin": "round" }));
      parts.push(text(bx + bw / 2, top + ph + 18, `GPU ${gpu}`, { size: 12, anchor: "middle", class: "muted" }));
    });
    parts.push(line(x0, top + ph, x0 + w, top + ph, { stroke: "#9aa5b1" }));
  });
  parts.push(el("text", { x: 22, y: top + ph / 2, "font-size": 12.5, "text-anchor": "middle", transform: `rotate(-90 22 ${top + ph / 2})` }, "tokens per GPU"));
  // legend
  const ly = top + ph + 52;
  const legend: string[] = [text(32, ly, "experts:", { size: 12, class: "muted" })];
  inputs.expertLoad.forEach((l, e) => {
    const lx = 96 + e * 112;
    legend.push(rect(lx, ly - 10, 12, 12, { rx: 2, fill: EXPERT_COLORS[e % EXPERT_COLORS.length] }), text(lx + 17, ly, `E${e}: ${fmt(l)}`, { size: 12, class: "muted" }));
  });
  legend.push(rect(96, ly + 12, 12, 12, { rx: 2, fill: "url(#rep0)" }), text(113, ly + 22, "hatched = a replica: the expert's tokens are split evenly over its copies", { size: 12, class: "muted" }));
  const defs = EXPERT_COLORS.map((c, k) =>
    el(
      "pattern",
      { id: `rep${k}`, width: 7, height: 7, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      rect(0, 0, 7, 7, { fill: c }),
      line(0, 0, 0, 7, { stroke: "#ffffff", "stroke-width": 2.2, "stroke-opacity": 0.45 }),
    ),
  ).join("");
  return svgDocument(
    {
      width: W,
      height: H,
      title: "EPLB balancing: GPU loads before and after",
      desc:
        `${inputs.expertLoad.length} experts with loads ${inputs.expertLoad.join(", ")} tokens on ${placed[0].experts.length} GPUs. ` +
        placed
          .map((p, i) => {
            const s = loadSummary(totals[i]);
            return `${p.label}: GPU loads ${totals[i].map((v) => fmt(v)).join(", ")}, max ${fmt(s.max)}, balancedness ${s.balancedness.toFixed(2)}${i > 0 ? `, ${(baseMax / s.max).toFixed(2)} times faster than the first` : ""}.`;
          })
          .join(" "),
      defs,
    },
    header("EPLB: balancing experts over GPUs", "A MoE layer finishes when its busiest GPU does: EPLB packs experts by load and replicates the hot ones", W),
    g({}, parts.join("")),
    g({}, legend.join("")),
    footnote(inputs.notes, H),
  );
}
