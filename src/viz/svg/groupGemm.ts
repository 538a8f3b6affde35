/**
 * Image (b): GroupGEMM token packing — the tokens routed to one expert are packed into one matrix
 * and multiplied by that expert's weights in one problem of a grouped GEMM; with few tokens per
 * expert the weights are read for little work (weight-load bound).
 */
import { assertNumbers, assertPositiveFinite, assertPositiveInt, fmt } from "../figure";
import { assertNonNegative } from "../../util/validate";
import { GROUP_COLORS, HAIRLINE, INK, MUTED, PANEL, RDMA, footnote, header } from "./common";
import { arrowMarker, el, g, line, path, rect, svgDocument, text } from "./svg";

/** Inputs of {@link groupGemmSvg}. */
export interface GroupGemmInputs {
  /** Model width H. */
  hiddenSize: number;
  /** Expert intermediate size I. */
  expertFfnSize: number;
  /** Bytes per weight (FP8 = 1). */
  bytesPerWeight: number;
  /** Bytes per activation element moved in and out (e.g. 1 in FP8 + 2 out BF16 → 3 per H element; 0 counts weight bytes only). */
  activationBytesPerElement: number;
  /** GPU name for the ridge label. */
  gpuName: string;
  /** Peak dense FLOP/s at the weight precision. */
  peakFlops: number;
  /** HBM bandwidth, bytes/s. */
  bandwidthBytesPerSec: number;
  /** Tokens routed to each of the example experts in the left panel (e.g. [6, 2, 1]). */
  exampleTokens: readonly number[];
  /** Operating points marked on the curve, e.g. EP8 / EP32 / EP72 tokens per expert. */
  markers: readonly { label: string; tokensPerExpert: number }[];
  /** Source / assumption lines. */
  notes: readonly string[];
}

const W = 1200;
const H = 660;

/**
 * Arithmetic intensity (FLOP per HBM byte) of one expert's SwiGLU GEMMs for `n` tokens:
 * FLOPs = 2·n·3·H·I; bytes = 3·H·I·bytesPerWeight (weights) + n·H·activationBytesPerElement.
 * @example groupGemmIntensity(1, { hiddenSize: 7168, expertFfnSize: 2048, bytesPerWeight: 1, activationBytesPerElement: 3 }) // ≈ 2
 */
export function groupGemmIntensity(n: number, m: Pick<GroupGemmInputs, "hiddenSize" | "expertFfnSize" | "bytesPerWeight" | "activationBytesPerElement">): number {
  const flops = 2 * n * 3 * m.hiddenSize * m.expertFfnSize;
  const bytes = 3 * m.hiddenSize * m.expertFfnSize * m.bytesPerWeight + n * m.hiddenSize * m.activationBytesPerElement;
  return flops / bytes;
}

/**
 * Draw image (b).
 * @param inputs model sizes, GPU roofs, example token counts and marked operating points
 * @returns SVG text
 * @throws {RangeError|TypeError} on non-positive sizes or empty examples
 * @example groupGemmSvg({ hiddenSize: 7168, expertFfnSize: 2048, bytesPerWeight: 1, activationBytesPerElement: 3, gpuName: "GB200", peakFlops: 5e15, bandwidthBytesPerSec: 8e12, exampleTokens: [6, 2, 1], markers: [], notes: [] })
 */
export function groupGemmSvg(inputs: GroupGemmInputs): string {
  assertPositiveInt("inputs.hiddenSize", inputs.hiddenSize);
  assertPositiveInt("inputs.expertFfnSize", inputs.expertFfnSize);
  assertPositiveFinite("inputs.bytesPerWeight", inputs.bytesPerWeight);
  assertNonNegative("inputs.activationBytesPerElement", inputs.activationBytesPerElement);
  assertPositiveFinite("inputs.peakFlops", inputs.peakFlops);
  assertPositiveFinite("inputs.bandwidthBytesPerSec", inputs.bandwidthBytesPerSec);
  assertNumbers("inputs.exampleTokens", inputs.exampleTokens, "positive");

  // ---- left: packing -------------------------------------------------------------------------
  const left: string[] = [];
  const experts = inputs.exampleTokens.map((n, i) => ({ n, id: [3, 17, 42, 99][i % 4], color: [GROUP_COLORS[0], GROUP_COLORS[1], GROUP_COLORS[2], GROUP_COLORS[3]][i % 4] }));
  const total = experts.reduce((a, e) => a + e.n, 0);
  // Tokens in arrival order, interleaved across experts (round-robin), as a batch looks before dispatch.
  const order: number[] = [];
  const remaining = experts.map((e) => e.n);
  while (order.length < total) for (let i = 0; i < experts.length; i++) if (remaining[i]-- > 0) order.push(i);
  const tokX = 40;
  const tokTop = 140;
  const tokH = 22;
  const tokGap = 6;
  left.push(text(tokX, 122, "decode batch", { size: 13, weight: 700 }));
  order.forEach((ei, k) => {
    const y = tokTop + k * (tokH + tokGap);
    left.push(rect(tokX, y, 86, tokH, { rx: 11, fill: "#ffffff", stroke: experts[ei].color, "stroke-width": 2 }));
    left.push(text(tokX + 43, y + 15, `token ${k} → E${experts[ei].id}`, { size: 10.5, anchor: "middle" }));
  });
  // Packed GEMM problems.
  const gx = 230;
  const rowH = 14;
  const xW = 130; // width of X_e (hidden dimension)
  const wSize = 84; // W_e drawn square (hidden × ffn), the same for every expert
  let gy = 128;
  left.push(text(gx, 122, "one GroupGEMM launch: a GEMM problem per expert", { size: 13, weight: 700 }));
  const problems: string[] = [];
  experts.forEach((e, i) => {
    const boxY = gy + 12;
    const xH = e.n * rowH;
    const blockH = Math.max(wSize, xH) + 30;
    problems.push(rect(gx - 8, gy, 436, blockH, { rx: 8, fill: PANEL, stroke: HAIRLINE }));
    // X_e rows
    for (let r = 0; r < e.n; r++) problems.push(rect(gx, boxY + 18 + r * rowH, xW, rowH - 2, { rx: 2, fill: e.color, opacity: 0.85 }));
    problems.push(text(gx, boxY + 10, `X(E${e.id}): ${e.n} × ${inputs.hiddenSize}`, { size: 11, class: "mono" }));
    problems.push(text(gx + xW + 12, boxY + 18 + wSize / 2 + 5, "×", { size: 20, weight: 700 }));
    const wx = gx + xW + 34;
    problems.push(rect(wx, boxY + 18, wSize, wSize, { rx: 3, fill: "url(#hatch)", stroke: INK, "stroke-width": 1 }));
    problems.push(text(wx, boxY + 10, `W(E${e.id}): ${inputs.hiddenSize} × ${inputs.expertFfnSize}`, { size: 11, class: "mono" }));
    const reuse = e.n === 1 ? "weights used by 1 token" : `weights used by ${e.n} tokens`;
    problems.push(text(wx + wSize + 10, boxY + 36, reuse, { size: 11.5, weight: 700, fill: e.n <= 2 ? RDMA : INK }));
    const ai = groupGemmIntensity(e.n, inputs);
    problems.push(text(wx + wSize + 10, boxY + 54, `≈ ${fmt(ai)} FLOP/byte`, { size: 11.5, class: "muted" }));
    // arrows from tokens
    order.forEach((ei, k) => {
      if (ei !== i) return;
      const ty = tokTop + k * (tokH + tokGap) + tokH / 2;
      problems.push(
        path(["M", tokX + 88, ty, "C", tokX + 140, ty, gx - 50, boxY + 24 + (order.slice(0, k).filter((o) => o === i).length) * rowH, gx - 4, boxY + 24 + (order.slice(0, k).filter((o) => o === i).length) * rowH], {
          fill: "none",
          stroke: e.color,
          "stroke-width": 1.2,
          opacity: 0.7,
          "marker-end": "url(#arrow-muted)",
        }),
      );
    });
    gy += blockH + 12;
  });
  left.push(problems.join(""));
  left.push(
    text(gx - 8, gy + 12, "Every problem reads its expert's full weight matrix once;", { size: 12.5 }),
    text(gx - 8, gy + 30, "the work grows with the tokens packed into it.", { size: 12.5 }),
  );

  // ---- right: intensity vs tokens per expert --------------------------------------------------
  const px = 740;
  const py = 150;
  const pw = 420;
  const ph = 330;
  const xMin = 0;
  const xMax = 12; // log2 1 … 4096
  const yMin = 0;
  const yMax = 4; // log10 1 … 10^4
  const X = (n: number) => px + ((Math.log2(n) - xMin) / (xMax - xMin)) * pw;
  const Y = (v: number) => py + ph - ((Math.log10(v) - yMin) / (yMax - yMin)) * ph;
  const ridge = inputs.peakFlops / inputs.bandwidthBytesPerSec;
  // crossover tokens: smallest n with intensity ≥ ridge (bisection on a monotone function)
  let lo = 1;
  let hi = 1 << 20;
  const maxAi = groupGemmIntensity(1e12, inputs);
  const crosses = maxAi > ridge;
  if (crosses) {
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (groupGemmIntensity(mid, inputs) >= ridge) hi = mid;
      else lo = mid;
    }
  }
  const crossover = hi;
  const chart: string[] = [];
  chart.push(text(px - 60, 122, "Arithmetic intensity of one expert's GEMMs", { size: 13, weight: 700 }));
  if (crosses && crossover < 4096) {
    chart.push(rect(px, py, X(crossover) - px, ph, { fill: "#fdf0e8" }));
    chart.push(rect(X(crossover), py, px + pw - X(crossover), ph, { fill: "#eef6e4" }));
    chart.push(text(px + 8, py + 18, "weight-load bound", { size: 12, weight: 700, fill: RDMA }));
    chart.push(text(px + pw - 8, py + 18, "compute bound", { size: 12, weight: 700, fill: "#4a7a00", anchor: "end" }));
  }
  for (let e = 0; e <= 12; e += 2) {
    chart.push(line(X(2 ** e), py, X(2 ** e), py + ph, { stroke: "#ffffff", "stroke-width": 1 }));
    chart.push(text(X(2 ** e), py + ph + 18, String(2 ** e), { size: 11, anchor: "middle", class: "muted" }));
  }
  for (let d = 0; d <= 4; d++) {
    chart.push(line(px, Y(10 ** d), px + pw, Y(10 ** d), { stroke: "#ffffff", "stroke-width": 1 }));
    chart.push(text(px - 8, Y(10 ** d) + 4, fmt(10 ** d), { size: 11, anchor: "end", class: "muted" }));
  }
  chart.push(rect(px, py, pw, ph, { fill: "none", stroke: "#9aa5b1" }));
  chart.push(text(px + pw / 2, py + ph + 40, "tokens per expert (log scale)", { size: 12.5, anchor: "middle" }));
  chart.push(el("text", { x: px - 44, y: py + ph / 2, "font-size": 12.5, "text-anchor": "middle", transform: `rotate(-90 ${px - 44} ${py + ph / 2})` }, "FLOP per byte from HBM"));
  // ridge line
  chart.push(line(px, Y(ridge), px + pw, Y(ridge), { stroke: INK, "stroke-width": 1.5, "stroke-dasharray": "6 4" }));
  chart.push(text(px + 8, Y(ridge) - 7, `${inputs.gpuName} ridge: ${fmt(ridge)} FLOP/byte`, { size: 11.5 }));
  // curve
  const pts: (string | number)[] = [];
  for (let s = 0; s <= 96; s++) {
    const n = 2 ** ((s / 96) * 12);
    pts.push(s === 0 ? "M" : "L", X(n), Y(groupGemmIntensity(n, inputs)));
  }
  chart.push(path(pts, { fill: "none", stroke: GROUP_COLORS[0], "stroke-width": 3 }));
  if (crosses && crossover < 4096) {
    chart.push(line(X(crossover), py, X(crossover), py + ph, { stroke: MUTED, "stroke-dasharray": "2 3" }));
    chart.push(text(X(crossover) + 6, py + ph - 10, `≈ ${Math.round(crossover)} tokens`, { size: 11.5, class: "muted" }));
  }
  inputs.markers.forEach((mk, i) => {
    assertPositiveFinite(`inputs.markers[${i}].tokensPerExpert`, mk.tokensPerExpert);
    const cx = X(mk.tokensPerExpert);
    const cy = Y(groupGemmIntensity(mk.tokensPerExpert, inputs));
    chart.push(el("circle", { cx, cy, r: 6, fill: "#ffffff", stroke: INK, "stroke-width": 2 }));
    chart.push(text(cx - 8, cy - 12 - (i % 2) * 0, `${mk.label}: ${fmt(mk.tokensPerExpert)}`, { size: 11.5, weight: 700, anchor: "end" }));
  });
  chart.push(text(px - 60, py + ph + 66, "Below the ridge the GPU waits for weights: more tokens per expert", { size: 12.5 }));
  chart.push(text(px - 60, py + ph + 84, "(a wider EP group, a bigger batch) buys FLOPs almost for free.", { size: 12.5 }));

  const defs =
    arrowMarker("arrow-muted", "#7b8794", 7) +
    el(
      "pattern",
      { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      rect(0, 0, 6, 6, { fill: "#eef1f5" }),
      line(0, 0, 0, 6, { stroke: "#9aa5b1", "stroke-width": 2 }),
    );
  return svgDocument(
    {
      width: W,
      height: H,
      title: "GroupGEMM token packing",
      desc:
        `Tokens of a decode batch are grouped by the expert they were routed to; each expert's tokens form one matrix X that is multiplied by that expert's ${inputs.hiddenSize} × ${inputs.expertFfnSize} weights in one problem of a grouped GEMM. ` +
        `Arithmetic intensity grows with tokens per expert: about ${fmt(groupGemmIntensity(1, inputs))} FLOP/byte at one token, crossing the ${inputs.gpuName} ridge of ${fmt(ridge)} FLOP/byte near ${Math.round(crossover)} tokens per expert. ` +
        `Marked operating points: ${inputs.markers.map((m) => `${m.label} ${fmt(m.tokensPerExpert)} tokens per expert`).join(", ")}.`,
      defs,
    },
    header("GroupGEMM: packing tokens per expert", "The weights are read once per expert per layer; how many tokens share that read decides whether the GPU computes or waits", W),
    g({}, left.join("")),
    g({}, chart.join("")),
    footnote(inputs.notes, H),
  );
}
