/**
 * Image (a): small-scale vs large-scale expert parallelism — the same 256 experts on 8, 32 and 72
 * GPUs: experts per GPU, the NVLink domains, weights per GPU and tokens per expert.
 */
import { assertNumbers, assertPositiveInt } from "../figure";
import { GROUP_COLORS, HAIRLINE, MUTED, NVLINK, RDMA, footnote, header } from "./common";
import { g, rect, svgDocument, text } from "./svg";

/** One EP configuration drawn as a panel. */
export interface EpScalePanel {
  /** EP size (GPUs in the EP group). */
  epSize: number;
  /** Panel heading, e.g. `"EP8 · one 8-GPU node"`. */
  label: string;
  /** GPUs per NVLink domain (8 for HGX nodes, 72 for an NVL72 rack). */
  nvlinkDomainSize: number;
  /** Logical expert of each physical slot, `[slots]`, slots in GPU order (`slots / epSize` per GPU). */
  phy2log: readonly number[];
  /** Tiles per row in the drawing. */
  columns: number;
  /** Lines of facts under the panel (experts per GPU, GB per GPU, tokens per expert…). */
  facts: readonly string[];
}

/** Inputs of {@link epScaleSvg}. */
export interface EpScaleInputs {
  /** Routed experts per layer (256 for DeepSeek-V3). */
  numExperts: number;
  /** Expert groups, used for colours (8). */
  numGroups: number;
  /** Panels, left to right. */
  panels: readonly EpScalePanel[];
  /** Source / assumption lines at the bottom. */
  notes: readonly string[];
}

const W = 1200;
const H = 730;

/**
 * Draw image (a).
 * @param inputs experts, groups, panels (placements and facts), notes
 * @returns SVG text
 * @throws {RangeError} when a panel's slots do not divide over its GPUs or an expert id is out of range
 * @example epScaleSvg({ numExperts: 8, numGroups: 2, panels: [{ epSize: 2, label: "EP2", nvlinkDomainSize: 2, phy2log: [0,1,2,3,4,5,6,7], columns: 2, facts: [] }], notes: [] })
 */
export function epScaleSvg(inputs: EpScaleInputs): string {
  assertPositiveInt("inputs.numExperts", inputs.numExperts);
  assertPositiveInt("inputs.numGroups", inputs.numGroups);
  const perGroup = inputs.numExperts / inputs.numGroups;
  const n = inputs.panels.length;
  const gap = 28;
  const pw = (W - 64 - gap * (n - 1)) / n;
  const top = 112;
  const gridH = 360;
  const parts: string[] = [];
  inputs.panels.forEach((p, i) => {
    assertPositiveInt(`panels[${i}].epSize`, p.epSize);
    assertNumbers(`panels[${i}].phy2log`, p.phy2log, 0);
    if (p.phy2log.length % p.epSize !== 0) throw new RangeError(`panels[${i}].phy2log.length (${p.phy2log.length}) must be divisible by epSize (${p.epSize})`);
    const x0 = 32 + i * (pw + gap);
    const slots = p.phy2log.length / p.epSize;
    const cols = p.columns;
    const rows = Math.ceil(p.epSize / cols);
    const tileGap = slots >= 16 ? 10 : slots >= 8 ? 7 : 5;
    const domainPad = 6;
    const nodesGap = p.nvlinkDomainSize < p.epSize ? 14 : 0; // extra space between node rows
    const rowsPerDomain = Math.max(1, Math.round(p.nvlinkDomainSize / cols));
    const numDomainGaps = p.nvlinkDomainSize < p.epSize ? Math.ceil(rows / rowsPerDomain) - 1 : 0;
    const tw = (pw - 2 * domainPad - tileGap * (cols - 1)) / cols;
    const th = (gridH - 2 * domainPad - tileGap * (rows - 1) - nodesGap * numDomainGaps) / rows;
    const sqCols = slots >= 16 ? 4 : 2;
    const sqRows = Math.ceil(slots / sqCols);
    const sq = Math.min((tw - 8) / sqCols - 2, (th - 16) / sqRows - 2, 13);
    const seen = new Set<number>();
    const tiles: string[] = [];
    const tileY = (r: number) => top + 34 + domainPad + r * (th + tileGap) + Math.floor(r / rowsPerDomain) * (p.nvlinkDomainSize < p.epSize ? nodesGap : 0);
    for (let gpu = 0; gpu < p.epSize; gpu++) {
      const r = Math.floor(gpu / cols);
      const c = gpu % cols;
      const tx = x0 + domainPad + c * (tw + tileGap);
      const ty = tileY(r);
      tiles.push(rect(tx, ty, tw, th, { rx: 3, fill: "#ffffff", stroke: "#9aa5b1", "stroke-width": 0.8 }));
      if (tw > 30) tiles.push(text(tx + 4, ty + 10, `GPU ${gpu}`, { size: 8.5, class: "muted" }));
      const gridW = sqCols * (sq + 2) - 2;
      const gridHh = sqRows * (sq + 2) - 2;
      const sx0 = tx + (tw - gridW) / 2;
      const sy0 = ty + (tw > 30 ? 13 : 0) + (th - (tw > 30 ? 13 : 0) - gridHh) / 2;
      for (let s = 0; s < slots; s++) {
        const e = p.phy2log[gpu * slots + s];
        if (!Number.isInteger(e) || e >= inputs.numExperts) throw new RangeError(`panels[${i}].phy2log[${gpu * slots + s}] must be an expert id < ${inputs.numExperts}, got ${e}`);
        const color = GROUP_COLORS[Math.floor(e / perGroup) % GROUP_COLORS.length];
        const x = sx0 + (s % sqCols) * (sq + 2);
        const y = sy0 + Math.floor(s / sqCols) * (sq + 2);
        const replica = seen.has(e);
        seen.add(e);
        tiles.push(
          replica
            ? rect(x + 0.75, y + 0.75, sq - 1.5, sq - 1.5, { rx: 1.5, fill: "#ffffff", stroke: color, "stroke-width": 1.5 })
            : rect(x, y, sq, sq, { rx: 1.5, fill: color }),
        );
      }
    }
    // NVLink domain outlines: one per group of rows (nodes), or around everything.
    const outlines: string[] = [];
    const domains = p.nvlinkDomainSize >= p.epSize ? 1 : Math.ceil(rows / rowsPerDomain);
    for (let d = 0; d < domains; d++) {
      const r0 = d * (domains === 1 ? rows : rowsPerDomain);
      const r1 = domains === 1 ? rows - 1 : Math.min(rows - 1, r0 + rowsPerDomain - 1);
      const y0 = tileY(r0) - domainPad + 1;
      const y1 = tileY(r1) + th + domainPad - 1;
      outlines.push(rect(x0 + 1, y0, pw - 2, y1 - y0, { rx: 7, fill: "#f3f9e8", stroke: NVLINK, "stroke-width": 1.6 }));
      if (domains > 1) outlines.push(text(x0 + pw - 6, y0 - 3, `node ${d}`, { size: 9.5, anchor: "end", fill: MUTED }));
    }
    const legend =
      domains === 1
        ? text(x0, top + 24, p.nvlinkDomainSize >= 72 ? "one NVLink domain: all-to-all stays on NVLink" : "one NVLink domain (8-GPU node)", { size: 12, fill: "#4a7a00" })
        : text(x0, top + 24, `${domains} nodes: all-to-all crosses RDMA between nodes`, { size: 12, fill: RDMA });
    parts.push(
      g(
        {},
        text(x0, top + 4, p.label, { size: 17, weight: 700 }),
        legend,
        outlines.join(""),
        tiles.join(""),
        rect(x0, top + 34 + gridH + 16, pw, 1, { fill: HAIRLINE }),
        p.facts.map((f, k) => text(x0, top + 34 + gridH + 40 + k * 22, f, { size: k === 0 ? 15 : 13.5, weight: k === 0 ? 700 : 400 })).join(""),
      ),
    );
  });
  // Legend: groups and replicas.
  const ly = H - 86;
  const legend: string[] = [text(32, ly, "expert groups:", { size: 12, class: "muted" })];
  for (let k = 0; k < inputs.numGroups; k++) {
    const lx = 124 + k * 64;
    legend.push(rect(lx, ly - 10, 11, 11, { rx: 1.5, fill: GROUP_COLORS[k % GROUP_COLORS.length] }), text(lx + 15, ly, `G${k}`, { size: 12, class: "muted" }));
  }
  const rx = 124 + inputs.numGroups * 64 + 16;
  legend.push(
    rect(rx + 0.75, ly - 9.25, 9.5, 9.5, { rx: 1.5, fill: "#ffffff", stroke: GROUP_COLORS[0], "stroke-width": 1.5 }),
    text(rx + 16, ly, "redundant replica of a hot expert (EPLB)", { size: 12, class: "muted" }),
  );
  return svgDocument(
    {
      width: W,
      height: H,
      title: "Small-scale vs large-scale expert parallelism",
      desc:
        `The same ${inputs.numExperts} routed experts of one MoE layer spread over ` +
        inputs.panels.map((p) => `${p.epSize} GPUs`).join(", ") +
        ". The wider the EP group, the fewer experts each GPU holds, the less memory their weights take and the more tokens each expert processes per step. " +
        inputs.panels.map((p) => `${p.label}: ${p.facts.join("; ")}.`).join(" "),
    },
    header("Small-scale vs large-scale expert parallelism", `${inputs.numExperts} routed experts per MoE layer in ${inputs.numGroups} groups, one square per expert slot, placed on the GPUs of one EP group`, W),
    parts.join(""),
    legend.join(""),
    footnote(inputs.notes, H),
  );
}
