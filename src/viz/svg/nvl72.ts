/**
 * Image (c): MoE deployment on a GB200 NVL72 rack — 72 GPUs in one NVLink domain with the experts
 * spread over them, vs the same 72 GPUs as nine 8-GPU nodes where most of the all-to-all crosses
 * the RDMA network. One token's top-8 experts are traced in both.
 */
import { assertNumbers, assertPositiveFinite, assertPositiveInt } from "../figure";
import { GROUP_COLORS, INK, NVLINK, RDMA, footnote, header } from "./common";
import { arrowMarker, g, packet, path, pathData, rect, svgDocument, text } from "./svg";

/** Inputs of {@link nvl72Svg}. */
export interface Nvl72Inputs {
  /** Routed experts (256). */
  numExperts: number;
  /** Expert groups for colours (8). */
  numGroups: number;
  /** `[slots]` logical expert of each slot; `slots / 72` per GPU (e.g. 288 = 4 per GPU). */
  phy2log: readonly number[];
  /** The experts one example token is routed to (top-8). */
  tokenExperts: readonly number[];
  /** GPU the example token starts on. */
  sourceGpu: number;
  /** NVLink bandwidth per GPU, one direction, GB/s. */
  nvlinkGBps: number;
  /** Scale-out NIC bandwidth per GPU, one direction, GB/s. */
  nicGBps: number;
  /** GPUs per node in the scale-out comparison (8). */
  gpusPerNode: number;
  /** Source / assumption lines. */
  notes: readonly string[];
}

const W = 1200;
const H = 750;
const NUM_GPUS = 72;

/**
 * For each expert, the GPU of its first slot.
 * @throws {RangeError} when an expert has no slot
 */
function hostOf(phy2log: readonly number[], numExperts: number, expert: number): number {
  const per = phy2log.length / NUM_GPUS;
  const s = phy2log.indexOf(expert);
  if (s < 0 || expert >= numExperts) throw new RangeError(`inputs.tokenExperts contains expert ${expert}, which has no slot in inputs.phy2log`);
  return Math.floor(s / per);
}

/**
 * Draw image (c).
 * @param inputs placement on 72 GPUs, one token's experts, bandwidths
 * @returns SVG text
 * @throws {RangeError|TypeError} when the placement does not split over 72 GPUs or an expert is missing
 * @example nvl72Svg({ numExperts: 72, numGroups: 8, phy2log: [...Array(72).keys()], tokenExperts: [1, 9], sourceGpu: 0, nvlinkGBps: 900, nicGBps: 50, gpusPerNode: 8, notes: [] })
 */
export function nvl72Svg(inputs: Nvl72Inputs): string {
  assertPositiveInt("inputs.numExperts", inputs.numExperts);
  assertPositiveInt("inputs.numGroups", inputs.numGroups);
  assertNumbers("inputs.phy2log", inputs.phy2log, 0);
  assertNumbers("inputs.tokenExperts", inputs.tokenExperts, 0);
  assertPositiveFinite("inputs.nvlinkGBps", inputs.nvlinkGBps);
  assertPositiveFinite("inputs.nicGBps", inputs.nicGBps);
  assertPositiveInt("inputs.gpusPerNode", inputs.gpusPerNode);
  if (inputs.phy2log.length % NUM_GPUS !== 0) throw new RangeError(`inputs.phy2log.length (${inputs.phy2log.length}) must be divisible by 72 GPUs`);
  if (NUM_GPUS % inputs.gpusPerNode !== 0) throw new RangeError(`inputs.gpusPerNode (${inputs.gpusPerNode}) must divide 72`);
  const perGpu = inputs.phy2log.length / NUM_GPUS;
  const perGroup = inputs.numExperts / inputs.numGroups;
  const colorOf = (e: number) => GROUP_COLORS[Math.floor(e / perGroup) % GROUP_COLORS.length];
  const dests = Array.from(new Set(inputs.tokenExperts.map((e) => hostOf(inputs.phy2log, inputs.numExperts, e))));
  const src = inputs.sourceGpu;

  // Expert dots inside a GPU box.
  const dots = (gpu: number, x: number, y: number, w: number, h: number, size: number, cols: number): string => {
    const out: string[] = [];
    const rows = Math.ceil(perGpu / cols);
    const gw = cols * (size + 2) - 2;
    const gh = rows * (size + 2) - 2;
    for (let s = 0; s < perGpu; s++) {
      const e = inputs.phy2log[gpu * perGpu + s];
      out.push(rect(x + (w - gw) / 2 + (s % cols) * (size + 2), y + (h - gh) / 2 + Math.floor(s / cols) * (size + 2), size, size, { rx: 1, fill: colorOf(e) }));
    }
    return out.join("");
  };
  const gpuBox = (gpu: number, x: number, y: number, w: number, h: number, size: number, cols: number): string => {
    const isSrc = gpu === src;
    const isDest = dests.includes(gpu);
    return g(
      {},
      rect(x, y, w, h, {
        rx: 2,
        fill: isSrc ? "#fff4cc" : isDest ? "#e9f5d6" : "#ffffff",
        stroke: isSrc ? INK : isDest ? "#4a7a00" : "#9aa5b1",
        "stroke-width": isSrc || isDest ? 1.8 : 0.7,
      }),
      dots(gpu, x, y, w, h, size, cols),
    );
  };

  // ---- left: the NVL72 rack ------------------------------------------------------------------
  const rackX = 40;
  const rackY = 150;
  const rackW = 240;
  const trayH = 12;
  const trayGap = 2;
  const layout: ("compute" | "switch")[] = [...Array(10).fill("compute"), ...Array(9).fill("switch"), ...Array(8).fill("compute")];
  const rackH = layout.length * (trayH + trayGap) + 14;
  const left: string[] = [];
  left.push(text(rackX, 118, "GB200 NVL72: one rack, one NVLink domain", { size: 16, weight: 700 }));
  left.push(text(rackX, 138, "18 compute trays × 4 GPUs, 9 NVLink switch trays", { size: 12, class: "muted" }));
  left.push(rect(rackX - 8, rackY - 8, rackW + 16, rackH + 2, { rx: 8, fill: "#2b3440" }));
  const gpuCenter: { x: number; y: number }[] = [];
  let tray = 0;
  let switchTop = 0;
  let switchBottom = 0;
  layout.forEach((kind, i) => {
    const y = rackY + i * (trayH + trayGap);
    if (kind === "switch") {
      if (switchTop === 0) switchTop = y;
      switchBottom = y + trayH;
      left.push(rect(rackX, y, rackW, trayH, { rx: 2, fill: NVLINK, opacity: 0.9 }));
      left.push(text(rackX + rackW / 2, y + 9.5, "NVLink Switch", { size: 8.5, anchor: "middle", fill: "#ffffff", "font-weight": 700 }));
      return;
    }
    const gw = (rackW - 3 * 4) / 4;
    for (let k = 0; k < 4; k++) {
      const gpu = tray * 4 + k;
      const x = rackX + k * (gw + 4);
      left.push(gpuBox(gpu, x, y, gw, trayH, 5.5, 4));
      gpuCenter[gpu] = { x: x + gw / 2, y: y + trayH / 2 };
    }
    tray++;
  });
  // One-hop paths: source → switch → each destination, drawn beside the rack.
  const busX = rackX + rackW + 26;
  const swMid = (switchTop + switchBottom) / 2;
  const rackRight = rackX + rackW;
  const arrows: string[] = [];
  arrows.push(path(["M", rackRight, gpuCenter[src].y, "C", busX, gpuCenter[src].y, busX, swMid, rackRight + 2, swMid], { fill: "none", stroke: INK, "stroke-width": 2.2, "marker-end": "url(#arrow-ink)" }));
  const nvlinkTrip = 1.6; // seconds per packet trip over NVLink; RDMA trips take nvlink/nic times longer
  const packets: string[] = [];
  dests.forEach((d, k) => {
    if (d === src) return;
    const dy = gpuCenter[d].y;
    arrows.push(path(["M", rackRight, swMid, "C", busX + 14, swMid, busX + 14, dy, rackRight + 2, dy], { fill: "none", stroke: "#4a7a00", "stroke-width": 1.6, "marker-end": "url(#arrow-green)" }));
    const trip = pathData(["M", rackRight, gpuCenter[src].y, "C", busX, gpuCenter[src].y, busX, swMid, rackRight + 2, swMid, "C", busX + 14, swMid, busX + 14, dy, rackRight + 2, dy]);
    packets.push(packet(trip, nvlinkTrip, "#4a7a00", 3.5, (k * nvlinkTrip) / dests.length));
  });
  left.push(g({}, arrows.join("")), g({}, packets.join("")));
  const tx = rackX + rackW + 64;
  const bullets = [
    ["72 GPUs, every pair one hop apart", 700],
    ["through the NVLink switch trays", 400],
    ["", 400],
    [`${inputs.phy2log.length / NUM_GPUS} expert slots per GPU (EP72)`, 700],
    ["the token's 8 experts sit on", 400],
    [`${dests.filter((d) => d !== src).length} other GPUs: all reached over NVLink`, 400],
    ["", 400],
    [`${inputs.nvlinkGBps} GB/s per GPU each way`, 700],
    ["for dispatch and combine", 400],
  ] as const;
  bullets.forEach(([s, w], i) => left.push(text(tx, 220 + i * 20, s, { size: 13.5, weight: w })));

  // ---- right: nine 8-GPU nodes ---------------------------------------------------------------
  const rx = 650;
  const ry = 166;
  const numNodes = NUM_GPUS / inputs.gpusPerNode;
  const nodeCols = 3;
  const nodeRows = Math.ceil(numNodes / nodeCols);
  const nodeGap = 22;
  const nodeW = (W - 32 - rx - nodeGap * (nodeCols - 1)) / nodeCols;
  const nodeH = 100;
  const right: string[] = [];
  right.push(text(rx, 118, `The same GPUs as ${numNodes} nodes of ${inputs.gpusPerNode}`, { size: 16, weight: 700 }));
  right.push(text(rx, 138, "NVLink inside a node, RDMA (InfiniBand / RoCE) between nodes", { size: 12, class: "muted" }));
  const fabricH = nodeRows * nodeH + (nodeRows - 1) * nodeGap + 24;
  right.push(rect(rx - 12, ry - 12, W - 32 - rx + 24, fabricH, { rx: 10, fill: "#fdf0e8", stroke: RDMA, "stroke-width": 1.2, "stroke-dasharray": "5 4" }));
  const centers: { x: number; y: number }[] = [];
  for (let n = 0; n < numNodes; n++) {
    const nx = rx + (n % nodeCols) * (nodeW + nodeGap);
    const ny = ry + Math.floor(n / nodeCols) * (nodeH + nodeGap);
    right.push(rect(nx, ny, nodeW, nodeH, { rx: 6, fill: "#f3f9e8", stroke: NVLINK, "stroke-width": 1.5 }));
    right.push(text(nx + 6, ny + 13, `node ${n}`, { size: 10, class: "muted" }));
    const cols = 4;
    const gw = (nodeW - 12 - 3 * 5) / cols;
    const gh = (nodeH - 24 - 6) / 2;
    for (let k = 0; k < inputs.gpusPerNode; k++) {
      const gpu = n * inputs.gpusPerNode + k;
      const x = nx + 6 + (k % cols) * (gw + 5);
      const y = ny + 19 + Math.floor(k / cols) * (gh + 6);
      right.push(gpuBox(gpu, x, y, gw, gh, 8, 2));
      centers[gpu] = { x: x + gw / 2, y: y + gh / 2 };
    }
  }
  let inter = 0;
  const rArrows: string[] = [];
  const rPackets: string[] = [];
  dests.forEach((d) => {
    if (d === src) return;
    const sameNode = Math.floor(d / inputs.gpusPerNode) === Math.floor(src / inputs.gpusPerNode);
    if (!sameNode) inter++;
    const a = centers[src];
    const b = centers[d];
    const mx = (a.x + b.x) / 2;
    const my = Math.min(a.y, b.y) - 30;
    const dur = sameNode ? nvlinkTrip : nvlinkTrip * (inputs.nvlinkGBps / inputs.nicGBps);
    rPackets.push(packet(pathData(["M", a.x, a.y, "Q", mx, my, b.x, b.y]), dur, sameNode ? "#4a7a00" : RDMA, 3.5, 0));
    rArrows.push(
      path(["M", a.x, a.y, "Q", mx, my, b.x, b.y], {
        fill: "none",
        stroke: sameNode ? "#4a7a00" : RDMA,
        "stroke-width": sameNode ? 1.5 : 1.4,
        "stroke-dasharray": sameNode ? undefined : "6 4",
        "marker-end": sameNode ? "url(#arrow-green)" : "url(#arrow-rdma)",
        opacity: 0.9,
      }),
    );
  });
  right.push(g({}, rArrows.join("")), g({}, rPackets.join("")));
  const intra = dests.filter((d) => d !== src).length - inter;
  const nDest = dests.filter((d) => d !== src).length;
  right.push(text(rx, ry + fabricH + 8, `${inter} of the token's ${nDest} destination GPUs are in other nodes (dashed):`, { size: 13, weight: 700, fill: RDMA }));
  right.push(text(rx, ry + fabricH + 26, `those bytes cross a ${inputs.nicGBps} GB/s NIC; ${intra === 0 ? "none stays" : `${intra} stay${intra === 1 ? "s" : ""}`} on NVLink inside node ${Math.floor(src / inputs.gpusPerNode)}.`, { size: 13 }));

  // ---- bottom: bandwidth bars -----------------------------------------------------------------
  const by = 640;
  const maxBw = Math.max(inputs.nvlinkGBps, inputs.nicGBps);
  const barMax = 520;
  const bottom: string[] = [];
  bottom.push(text(40, by - 14, "Per-GPU bandwidth available to the all-to-all (one direction)", { size: 13, weight: 700 }));
  bottom.push(rect(200, by - 4, (inputs.nvlinkGBps / maxBw) * barMax, 16, { rx: 3, fill: NVLINK }));
  bottom.push(text(40, by + 8, "NVLink (in the rack)", { size: 12.5 }));
  bottom.push(text(200 + (inputs.nvlinkGBps / maxBw) * barMax + 8, by + 8, `${inputs.nvlinkGBps} GB/s`, { size: 12.5, weight: 700 }));
  bottom.push(rect(200, by + 18, Math.max(2, (inputs.nicGBps / maxBw) * barMax), 16, { rx: 3, fill: RDMA }));
  bottom.push(text(40, by + 30, "RDMA NIC (400 Gb/s)", { size: 12.5 }));
  bottom.push(
    text(200 + (inputs.nicGBps / maxBw) * barMax + 8, by + 30, `${inputs.nicGBps} GB/s: ${Math.round(inputs.nvlinkGBps / inputs.nicGBps)}× less`, { size: 12.5, weight: 700, fill: RDMA }),
  );
  // legend
  const lx = 820;
  bottom.push(rect(lx, by - 6, 14, 12, { rx: 2, fill: "#fff4cc", stroke: INK, "stroke-width": 1.5 }), text(lx + 20, by + 4, "GPU holding the token", { size: 12, class: "muted" }));
  bottom.push(rect(lx, by + 14, 14, 12, { rx: 2, fill: "#e9f5d6", stroke: "#4a7a00", "stroke-width": 1.5 }), text(lx + 20, by + 24, "GPU hosting one of its top-8 experts", { size: 12, class: "muted" }));

  bottom.push(
    text(lx, by + 44, `moving dots: speed ∝ link bandwidth (RDMA ${Math.round(inputs.nvlinkGBps / inputs.nicGBps)}× slower)`, { size: 12, class: "muted" }),
  );
  const defs = arrowMarker("arrow-green", "#4a7a00", 7) + arrowMarker("arrow-rdma", RDMA, 8) + arrowMarker("arrow-ink", INK, 8);
  return svgDocument(
    {
      width: W,
      height: H,
      title: "MoE deployment on a GB200 NVL72 rack",
      desc:
        `Left: a GB200 NVL72 rack, 72 GPUs in 18 compute trays joined by 9 NVLink switch trays into one NVLink domain, each GPU holding ${perGpu} expert slots. ` +
        `One token's top-8 experts live on ${dests.filter((d) => d !== src).length} other GPUs, all one NVLink hop away at ${inputs.nvlinkGBps} GB/s per GPU. ` +
        `Right: the same 72 GPUs as ${numNodes} nodes of ${inputs.gpusPerNode}; ${inter} of those destinations are in other nodes and must cross the RDMA network at ${inputs.nicGBps} GB/s per GPU.`,
      defs,
      css: "@media (prefers-reduced-motion: reduce){.packet{display:none}}",
    },
    header("MoE on a GB200 NVL72 rack", "Wide EP across 72 GPUs works because the whole rack is one NVLink domain: the all-to-all never touches the slower scale-out network", W),
    g({}, left.join("")),
    g({}, right.join("")),
    g({}, bottom.join("")),
    footnote(inputs.notes, H),
  );
}

