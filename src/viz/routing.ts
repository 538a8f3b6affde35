/**
 * Routing figures: which experts each token chose, with what gate weight, and how many nodes a
 * token's experts live on (plain top-k vs group-limited routing).
 *
 * Inputs are plain arrays shaped like the routing team's `RoutingResult`
 * (`indices`/`weights` flattened `[tokens][topK]`), so any object with those fields works.
 */
import {
  COLORS,
  Figure,
  BaseOptions,
  Trace,
  assertDivisible,
  assertIndex,
  assertNumbers,
  assertPositiveFinite,
  assertPositiveInt,
  assertStrings,
  show,
  axis,
  baseLayout,
  categoricalColor,
  escapeHtml,
  hline,
  round,
} from "./figure";

/** The routing decision for a batch of tokens (structurally compatible with `RoutingResult`). */
export interface RoutingLike {
  /** Number of tokens in the batch. */
  numTokens: number;
  /** Number of routed experts. */
  numExperts: number;
  /** Experts chosen per token. */
  topK: number;
  /** Chosen expert ids, flattened `[tokens][topK]`, each in `[0, numExperts)`. */
  indices: ArrayLike<number>;
  /** Gate weights, flattened `[tokens][topK]`, each finite and ≥ 0. */
  weights: ArrayLike<number>;
}

/**
 * Validate a `RoutingLike`; `name` is the parameter name used in messages.
 * @param name parameter name for the messages, e.g. "routing" or "panels[1].routing"
 * @param routing the routing to check (`indices`/`weights` flattened `[tokens][topK]`)
 * @throws {TypeError|RangeError} naming `${name}.field`: counts not positive integers, topK > numExperts,
 *   arrays of the wrong length, non-finite or negative weights, expert ids outside [0, numExperts)
 * @example assertRouting("routing", { numTokens: 1, numExperts: 4, topK: 1, indices: [2], weights: [1] }) // ok
 */
export function assertRouting(name: string, routing: RoutingLike): void {
  if (routing === null || typeof routing !== "object") throw new TypeError(`${name} must be an object with indices and weights, got ${String(routing)}`);
  assertPositiveInt(`${name}.numTokens`, routing.numTokens);
  assertPositiveInt(`${name}.numExperts`, routing.numExperts);
  assertPositiveInt(`${name}.topK`, routing.topK);
  if (routing.topK > routing.numExperts) {
    throw new RangeError(`${name}.topK (${routing.topK}) must be ≤ ${name}.numExperts (${routing.numExperts})`);
  }
  assertNumbers(`${name}.indices`, routing.indices);
  assertNumbers(`${name}.weights`, routing.weights, 0);
  const expected = routing.numTokens * routing.topK;
  if (routing.indices.length !== expected) {
    throw new RangeError(`${name}.indices must have numTokens × topK = ${expected} entries, got ${routing.indices.length}`);
  }
  if (routing.weights.length !== expected) {
    throw new RangeError(`${name}.weights must have numTokens × topK = ${expected} entries, got ${routing.weights.length}`);
  }
  for (let i = 0; i < expected; i++) assertIndex(`${name}.indices[${i}]`, routing.indices[i], routing.numExperts, "numExperts");
}

/** Options of {@link routingFigure}. */
export interface RoutingFigureOptions extends BaseOptions {
  /** Labels of the tokens, one per token. Default: `"token 0"`, `"token 1"`, … */
  tokenLabels?: readonly string[];
  /** Number of expert groups to shade as alternating bands (DeepSeek-V3: 8). Default 1 (no bands). */
  numGroups?: number;
  /** Marker diameter for the largest gate weight, in px. Default 26. */
  maxMarkerSize?: number;
  /** Marker diameter for a zero gate weight, in px. Default 8. */
  minMarkerSize?: number;
}

/**
 * Chosen experts per token: one marker per (token, chosen expert), sized and coloured by gate weight.
 * @param routing `[tokens][topK]` indices and weights (e.g. 5 tokens × 256 experts, top-8)
 * @param options see {@link RoutingFigureOptions}
 * @returns a plotly figure: x = expert id, y = token, colour bar = gate weight
 * @throws {RangeError|TypeError} naming the bad field (`routing.indices[3]`, `options.tokenLabels`, …)
 * @example
 * routingFigure({ numTokens: 2, numExperts: 8, topK: 2, indices: [1, 5, 0, 7], weights: [0.6, 0.4, 0.9, 0.1] })
 */
export function routingFigure(routing: RoutingLike, options: RoutingFigureOptions = {}): Figure {
  assertRouting("routing", routing);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const { numTokens, numExperts, topK } = routing;
  const labels = tokenLabelsOf(options.tokenLabels, numTokens);
  const maxSize = options.maxMarkerSize ?? 26;
  const minSize = options.minMarkerSize ?? 8;
  assertPositiveFinite("options.maxMarkerSize", maxSize);
  assertPositiveFinite("options.minMarkerSize", minSize);
  const numGroups = options.numGroups ?? 1;
  assertDivisible("numExperts", numExperts, "options.numGroups", numGroups);

  let wMax = 0;
  for (let i = 0; i < routing.weights.length; i++) wMax = Math.max(wMax, routing.weights[i]);
  const x: number[] = [];
  const y: string[] = [];
  const size: number[] = [];
  const color: number[] = [];
  const text: string[] = [];
  for (let t = 0; t < numTokens; t++) {
    for (let k = 0; k < topK; k++) {
      const e = routing.indices[t * topK + k];
      const w = routing.weights[t * topK + k];
      x.push(e);
      y.push(labels[t]);
      size.push(round(minSize + (wMax === 0 ? 0 : (w / wMax) * (maxSize - minSize)), 3));
      color.push(round(w, 6));
      text.push(`${labels[t]} → expert ${e}<br>gate weight ${w.toFixed(3)} (rank ${k + 1} of ${topK})`);
    }
  }
  const trace: Trace = {
    type: "scatter",
    mode: "markers",
    name: "chosen expert",
    x,
    y,
    text,
    hovertemplate: "%{text}<extra></extra>",
    marker: {
      size,
      color,
      colorscale: "Viridis",
      cmin: 0,
      cmax: round(wMax, 6),
      line: { width: 0.5, color: "#ffffff" },
      colorbar: { title: { text: "gate<br>weight" }, thickness: 14 },
    },
  };
  const layout = baseLayout(`Top-${topK} routing: ${numTokens} tokens over ${numExperts} experts`, options, 120 + 48 * numTokens + 60);
  layout.xaxis = axis("expert id", { range: [-0.5, numExperts - 0.5], zeroline: false });
  layout.yaxis = axis("", { categoryorder: "array", categoryarray: labels.slice().reverse(), ticks: "", automargin: true });
  // Room for the longest token label on the left (plotly's automargin also grows it when it can; a fixed
  // margin alone cut words such as "entanglement" to "anglement").
  const base = (layout.margin as { l: number; r: number; t: number; b: number } | undefined) ?? { l: 64, r: 24, t: 64, b: 56 };
  layout.margin = { ...base, l: Math.max(base.l, labelMarginPx(labels)) };
  layout.showlegend = false;
  if (numGroups > 1) layout.shapes = groupBands(numExperts, numGroups);
  return { data: [trace], layout };
}

/**
 * Left margin, in pixels, that holds the longest of `labels` as a y tick label: about 7.5 px per character at
 * plotly's default 12 px font (wide glyphs included), plus the gap to the axis.
 */
export function labelMarginPx(labels: readonly string[]): number {
  if (!Array.isArray(labels)) throw new TypeError(`labels must be an array of strings, got ${show(labels)}`);
  const longest = labels.reduce((m, l) => Math.max(m, String(l).length), 0);
  return Math.ceil(16 + 7.5 * longest);
}

/** Options of {@link routingComparisonFigure}. */
export interface RoutingComparisonOptions extends BaseOptions {
  /** Expert groups (experts `[g·E/G, (g+1)·E/G)` form group g); markers are coloured by group. Default 8. */
  numGroups?: number;
  /** Nodes the experts are spread over, contiguously (`numExperts / numNodes` per node). Default `numGroups`. */
  numNodes?: number;
  /** Labels of the tokens. Default `"token 0"`, … */
  tokenLabels?: readonly string[];
}

/** One panel of {@link routingComparisonFigure}. */
export interface RoutingPanel {
  /** Panel title, e.g. `"plain top-8"` or `"group-limited (top-4 groups)"`. */
  label: string;
  /** The routing to draw. */
  routing: RoutingLike;
}

/**
 * Plain vs group-limited routing, one panel above the other on a shared expert axis: chosen
 * experts coloured by their group, with the
 * number of nodes each token touches in the token's label.
 * @param panels one or more routings of the same shape (usually two)
 * @param options see {@link RoutingComparisonOptions}
 * @returns a plotly figure with one subplot per panel (stacked), shared x (expert id)
 * @throws {RangeError|TypeError} on empty `panels`, mismatched shapes or bad options
 * @example
 * const r = { numTokens: 1, numExperts: 8, topK: 2, indices: [0, 7], weights: [0.5, 0.5] };
 * routingComparisonFigure([{ label: "plain", routing: r }], { numGroups: 4 })
 */
export function routingComparisonFigure(panels: readonly RoutingPanel[], options: RoutingComparisonOptions = {}): Figure {
  assertPanels(panels);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  const first = panels[0].routing;
  const numGroups = options.numGroups ?? 8;
  const numNodes = options.numNodes ?? numGroups;
  assertDivisible("numExperts", first.numExperts, "options.numGroups", numGroups);
  assertDivisible("numExperts", first.numExperts, "options.numNodes", numNodes);
  const labels = tokenLabelsOf(options.tokenLabels, first.numTokens);
  const perGroup = first.numExperts / numGroups;
  const n = panels.length;
  const gap = n > 1 ? 0.16 : 0;
  const h = (1 - gap * (n - 1)) / n;
  const data: Trace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout = baseLayout("Where each token's experts live: plain vs group-limited routing", options, 110 + n * (40 * first.numTokens + 70));
  let longestLabelMargin = 0;
  const shapes: Record<string, unknown>[] = [];
  panels.forEach((panel, p) => {
    const r = panel.routing;
    const nodes = countNodesTouched(r, numNodes);
    const xs = p === 0 ? "x" : `x${p + 1}`;
    const ys = p === 0 ? "y" : `y${p + 1}`;
    const yLabels = labels.map((l, t) => `${l} · ${nodes[t]} node${nodes[t] === 1 ? "" : "s"}`);
    for (let g = 0; g < numGroups; g++) {
      const x: number[] = [];
      const y: string[] = [];
      const text: string[] = [];
      for (let t = 0; t < r.numTokens; t++) {
        for (let k = 0; k < r.topK; k++) {
          const e = r.indices[t * r.topK + k];
          if (Math.floor(e / perGroup) !== g) continue;
          x.push(e);
          y.push(yLabels[t]);
          text.push(`${labels[t]} → expert ${e} (group ${g})<br>gate weight ${r.weights[t * r.topK + k].toFixed(3)}`);
        }
      }
      data.push({
        type: "scatter",
        mode: "markers",
        name: `group ${g}`,
        legendgroup: `group ${g}`,
        showlegend: p === 0,
        x,
        y,
        text,
        hovertemplate: "%{text}<extra></extra>",
        xaxis: xs,
        yaxis: ys,
        marker: { size: 12, color: categoricalColor(g), line: { width: 0.5, color: "#ffffff" } },
      });
    }
    // Panel p from the top: y domain [y0, y1].
    const y1 = round(1 - p * (h + gap), 6);
    const y0 = round(y1 - h, 6);
    const xAxis = axis(p === n - 1 ? "expert id" : "", { domain: [0, 1], range: [-0.5, r.numExperts - 0.5], zeroline: false, anchor: ys });
    if (p > 0) xAxis.matches = "x";
    layout[p === 0 ? "xaxis" : `xaxis${p + 1}`] = xAxis;
    longestLabelMargin = Math.max(longestLabelMargin, labelMarginPx(yLabels));
    layout[p === 0 ? "yaxis" : `yaxis${p + 1}`] = axis("", {
      domain: [y0, y1],
      categoryorder: "array",
      categoryarray: yLabels.slice().reverse(),
      ticks: "",
      anchor: xs,
      automargin: true,
    });
    annotations.push({
      text: `<b>${escapeHtml(panel.label)}</b>`,
      x: 0,
      y: y1,
      xref: "paper",
      yref: "paper",
      xanchor: "left",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 13 },
    });
    for (const band of groupBands(r.numExperts, numGroups)) shapes.push({ ...band, xref: xs, yref: `${ys} domain` });
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  layout.margin = { l: Math.max(110, longestLabelMargin), r: 24, t: 72, b: 56 };
  layout.legend = { orientation: "h", x: 0, y: -0.12, xanchor: "left", yanchor: "top" };
  return { data, layout };
}

/** Options of {@link nodesTouchedFigure}. */
export interface NodesTouchedOptions extends BaseOptions {
  /** Nodes the experts are spread over, contiguously. Required (e.g. 8). */
  numNodes: number;
  /** Labels of the tokens. Default `"token 0"`, … */
  tokenLabels?: readonly string[];
  /** A dashed reference line at this many nodes (e.g. the group limit M = 4). Default: none. */
  limit?: number;
}

/**
 * Nodes touched per token, grouped bars per routing (plain vs group-limited side by side).
 * @param panels routings of the same shape, each with a label
 * @param options `numNodes` (required), `limit`, labels
 * @returns a plotly grouped bar chart: x = token, y = nodes touched
 * @throws {RangeError|TypeError} on bad input, naming the parameter
 * @example
 * const r = { numTokens: 1, numExperts: 8, topK: 2, indices: [0, 7], weights: [0.5, 0.5] };
 * nodesTouchedFigure([{ label: "plain", routing: r }], { numNodes: 4 })
 */
export function nodesTouchedFigure(panels: readonly RoutingPanel[], options: NodesTouchedOptions): Figure {
  assertPanels(panels);
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object with numNodes, got ${show(options)}`);
  const first = panels[0].routing;
  assertDivisible("numExperts", first.numExperts, "options.numNodes", options.numNodes);
  const labels = tokenLabelsOf(options.tokenLabels, first.numTokens);
  const data: Trace[] = panels.map((p, i) => {
    const nodes = countNodesTouched(p.routing, options.numNodes);
    const mean = nodes.reduce((a, b) => a + b, 0) / nodes.length;
    return {
      type: "bar",
      name: `${p.label} (mean of these ${nodes.length}: ${mean.toFixed(2)})`,
      x: labels.slice(),
      y: nodes,
      marker: { color: categoricalColor(i) },
      hovertemplate: `${escapeHtml(p.label)}<br>%{x}: %{y} nodes<extra></extra>`,
    };
  });
  const layout = baseLayout(`Nodes touched per token (experts spread over ${options.numNodes} nodes)`, options, 380);
  layout.barmode = "group";
  layout.xaxis = axis("");
  layout.yaxis = axis("nodes touched", { range: [0, options.numNodes + 0.5], dtick: 1 });
  if (options.limit !== undefined) {
    assertPositiveFinite("options.limit", options.limit);
    layout.shapes = [hline(options.limit, COLORS.capacity, "dash")];
    layout.annotations = [
      {
        text: `limit M = ${options.limit}`,
        x: 1,
        xref: "paper",
        y: options.limit,
        yref: "y",
        xanchor: "right",
        yanchor: "bottom",
        showarrow: false,
        font: { color: COLORS.capacity },
      },
    ];
  }
  return { data, layout };
}

/**
 * Distinct nodes each token's experts live on, with experts spread contiguously over `numNodes`.
 * @param routing `[tokens][topK]` indices
 * @param numNodes nodes; must divide `numExperts`
 * @returns `[tokens]` count of distinct nodes (1 … min(topK, numNodes))
 * @throws {RangeError} when `numNodes` does not divide `numExperts`, or on bad routing
 * @example countNodesTouched({ numTokens: 1, numExperts: 8, topK: 2, indices: [0, 7], weights: [1, 1] }, 4) // [2]
 */
export function countNodesTouched(routing: RoutingLike, numNodes: number): number[] {
  assertRouting("routing", routing);
  assertDivisible("routing.numExperts", routing.numExperts, "numNodes", numNodes);
  const perNode = routing.numExperts / numNodes;
  const out: number[] = [];
  for (let t = 0; t < routing.numTokens; t++) {
    const seen = new Set<number>();
    for (let k = 0; k < routing.topK; k++) seen.add(Math.floor(routing.indices[t * routing.topK + k] / perNode));
    out.push(seen.size);
  }
  return out;
}

function assertPanels(panels: readonly RoutingPanel[]): void {
  if (!Array.isArray(panels as unknown)) throw new TypeError(`panels must be an array of { label, routing }, got ${String(panels)}`);
  if (panels.length === 0) throw new RangeError("panels must not be empty");
  panels.forEach((p, i) => {
    if (p === null || typeof p !== "object") throw new TypeError(`panels[${i}] must be { label, routing }`);
    if (typeof p.label !== "string") throw new TypeError(`panels[${i}].label must be a string, got ${String(p.label)}`);
    assertRouting(`panels[${i}].routing`, p.routing);
    const r0 = panels[0].routing;
    if (p.routing.numTokens !== r0.numTokens || p.routing.numExperts !== r0.numExperts) {
      throw new RangeError(
        `panels[${i}].routing must have the same numTokens/numExperts as panels[0] (${r0.numTokens}/${r0.numExperts}), got ${p.routing.numTokens}/${p.routing.numExperts}`,
      );
    }
  });
}

function tokenLabelsOf(labels: readonly string[] | undefined, numTokens: number): string[] {
  if (labels === undefined) return Array.from({ length: numTokens }, (_, t) => `token ${t}`);
  assertStrings("options.tokenLabels", labels);
  if (labels.length !== numTokens) throw new RangeError(`options.tokenLabels must have numTokens = ${numTokens} entries, got ${labels.length}`);
  return labels.slice();
}

/** Alternating light bands marking expert groups (layout shapes in x data units, full height). */
function groupBands(numExperts: number, numGroups: number): Record<string, unknown>[] {
  const per = numExperts / numGroups;
  const shapes: Record<string, unknown>[] = [];
  for (let g = 0; g < numGroups; g += 2) {
    shapes.push({
      type: "rect",
      xref: "x",
      yref: "paper",
      x0: g * per - 0.5,
      x1: (g + 1) * per - 0.5,
      y0: 0,
      y1: 1,
      fillcolor: "#eef2f7",
      line: { width: 0 },
      layer: "below",
    });
  }
  return shapes;
}
