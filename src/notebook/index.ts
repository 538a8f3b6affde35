/**
 * Display helpers for the lab notebooks (tslab kernel): one call per output.
 *
 * ```ts
 * import { show, table, md, progress } from "./ep-lab/notebook";
 * show(loadBars(load));            // a plotly figure, offline
 * table(df);                       // a danfo DataFrame (or rows) as an HTML table
 * md(`**${n}** experts moved`);    // markdown
 * const p = progress(layers, "EPLB"); for (...) { ...; p.tick(); } p.done();
 * ```
 *
 * Outside a kernel (plain node, vitest, the CLI) the helpers print a text version instead and never
 * need a front end. The MIME bundles come from pure functions in `./bundles` (tested on their own).
 */
import { warnIfStaleBuild } from "../util/build-freshness";
import { randomBytes } from "crypto";
import * as fs from "fs";
import { createRequire } from "module";
import {
  assertFigure,
  figureBundle,
  FIGURE_ID_PREFIX,
  markdownBundle,
  plotlyAssetPath,
  plotlyLoaderBundle,
  progressBundle,
  busyBundle,
  tableBundle,
  type Figure,
  type FigureOptions,
  type TableOptions,
} from "./bundles";
import { currentSink, type DisplaySink } from "./sink";

export * from "./bundles";
export { installFrontendAssets, NOTEBOOK_CUSTOM_CSS } from "./assets";
export { feedbackMark, feedbackMarkSvg, type MarkKind } from "./marks";
export type { InstalledAssets } from "./assets";
export { setDisplaySink, currentSink, underKernel, TEXT_SINK } from "./sink";
export type { DisplaySink } from "./sink";

/** Per-kernel-session display state: whether plotly.js was sent, and the figure counter. */
const state = { plotlyInjected: false, figureCount: 0 };

/**
 * Forget that plotly.js was sent and restart figure ids at 1 (tests; a fresh "session").
 * @example
 * resetDisplayState();
 */
export function resetDisplayState(): void {
  state.plotlyInjected = false;
  state.figureCount = 0;
}

let plotlyCache: { source: string; version: string } | null = null;
let versionCache: string | null = null;

/**
 * The installed plotly.js version (from `plotly.js-dist-min/package.json`; the source itself is not read).
 * @returns e.g. "4.1.1"
 * @throws {Error} when the package is not installed
 * @example plotlyVersion(); // "4.1.1"
 */
export function plotlyVersion(): string {
  if (versionCache === null) {
    const req = createRequire(__filename);
    versionCache = (JSON.parse(fs.readFileSync(req.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string }).version;
  }
  return versionCache;
}

/**
 * The bundled plotly.js (the `plotly.js-dist-min` package): its source and version. Read once.
 * @returns `{ source, version }` (the minified source text, a few MB, and the package version)
 * @throws {Error} when the package is not installed
 * @example plotlyBundle().version; // "4.1.1" (the installed plotly.js-dist-min)
 */
export function plotlyBundle(): { source: string; version: string } {
  if (!plotlyCache) {
    const req = createRequire(__filename);
    const file = req.resolve("plotly.js-dist-min");
    const pkg = JSON.parse(fs.readFileSync(req.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string };
    plotlyCache = { source: fs.readFileSync(file, "utf8"), version: pkg.version };
  }
  return plotlyCache;
}

/**
 * Send the whole plotly.js (about 4.8 MB) to the page now, inline, as one output. `show` never does this:
 * a figure loads plotly.js from the Jupyter server (see `installFrontendAssets`). Call it only when a figure
 * says "plotly.js is not loaded in this page", e.g. in a Jupyter that `npm start` did not set up; the copy is
 * then saved with the notebook.
 * @returns nothing; outside a kernel it does nothing
 * @throws {Error} when the plotly.js package is not installed
 * @example
 * injectPlotly();
 */
export function injectPlotly(): void {
  const sink = currentSink();
  if (!sink.rich) return;
  const { source, version } = plotlyBundle();
  sink.emit(plotlyLoaderBundle(source, version));
  state.plotlyInjected = true;
}

/**
 * Show a plotly figure, offline. Each figure is a small `<div>` + script, plus the plotly JSON for
 * native renderers (JupyterLab's plotly extension, VS Code). The script draws with the page's plotly.js,
 * loading it first from the Jupyter server when the page has none (`nbextensions/ep-lab/plotly-<version>.min.js`,
 * which `npm start` installs), so figures draw again after a page reload and in a reopened notebook, and no
 * copy of plotly.js is saved in the notebook. Outside a kernel it prints a one-line summary.
 * @param figure `{ data, layout }`, as the `src/viz` functions return it
 * @param options `heightPx` (default 420 px when the layout sets no height), plotly `config`
 * @throws {TypeError} for a malformed figure or an unknown option
 * @example
 * show({ data: [{ type: "bar", x: ["gpu0", "gpu1"], y: [120, 80] }], layout: { title: { text: "Tokens per GPU" } } });
 */
export function show(figure: Figure, options: FigureOptions = {}): void {
  assertFigure(figure);
  const sink = currentSink();
  const id = FIGURE_ID_PREFIX + (state.figureCount + 1);
  const bundle = figureBundle(figure, id, { plotlyAsset: plotlyAssetPath(plotlyVersion()), ...options }); // validates options before anything is sent
  if (!sink.rich) {
    sink.emit(bundle);
    return;
  }
  state.figureCount++;
  sink.emit(bundle);
}

/**
 * Show a danfo `DataFrame` (or `Series`) or an array of row objects as an HTML table.
 * @param input the table
 * @param options `digits` (fraction digits, default 4), `maxRows` (default 50), `index` (show the row labels), `caption`
 * @throws {TypeError} for other inputs; {RangeError} for bad options
 * @example
 * table([{ gpu: 0, tokens: 120 }, { gpu: 1, tokens: 80 }]);
 * table(new dfd.DataFrame({ expert: [0, 1], load: [0.61, 0.39] }), { digits: 2 });
 */
export function table(input: unknown, options: TableOptions = {}): void {
  currentSink().emit(tableBundle(input, options));
}

/**
 * Show markdown text.
 * @param text markdown source
 * @throws {TypeError} when text is not a string
 * @example
 * md(`Balancedness: **${(0.93).toFixed(2)}**`);
 */
export function md(text: string): void {
  currentSink().emit(markdownBundle(text));
}

/** A progress display that updates in place. */
export interface Progress {
  /** Total work (same unit as the counts). */
  readonly total: number;
  /** Work done so far. */
  readonly value: number;
  /** Add `n` (default 1) to the work done. @throws {RangeError} when the result exceeds total or n < 0 */
  tick(n?: number): void;
  /** Set the work done (0 ≤ done ≤ total) and optionally a new label. @throws {RangeError} outside that range */
  update(done: number, label?: string): void;
  /** Mark finished: sets the value to total and shows the final state. Idempotent. */
  done(label?: string): void;
}

/**
 * A progress bar that updates in place (one output, replaced as work advances; like tslab's
 * `newDisplay()`). It redraws only when the whole percent or the label changes, so a loop of a
 * million ticks sends at most ~100 updates. Outside a kernel it is silent until `done()`, which
 * prints one line. A display failure never throws into the learner's loop.
 * @param total total work (> 0), e.g. layers, iterations, bytes
 * @param label text shown before the counts
 * @returns the progress handle
 * @throws {RangeError} when total is not a positive finite number; {TypeError} when label is not a string
 * @example
 * const p = progress(58, "rebalancing layers");
 * for (let l = 0; l < 58; l++) p.tick(); // one tick per rebalanced layer
 * p.done();
 */
export function progress(total: number, label = ""): Progress {
  progressBundle(0, total, label); // validates total and label
  const sink: DisplaySink = currentSink();
  const displayId = randomBytes(8).toString("hex"); // transient, never saved; unique across kernel restarts
  let value = 0;
  let currentLabel = label;
  let shown: { pct: number; label: string } | null = null;
  let finished = false;
  const render = (force: boolean) => {
    const pct = Math.floor((100 * value) / total);
    if (!force && shown && shown.pct === pct && shown.label === currentLabel) return;
    const bundle = progressBundle(value, total, currentLabel);
    try {
      if (sink.rich) sink.emit(bundle, displayId, shown !== null);
      else if (finished) sink.emit(bundle);
    } catch {
      // the display is best effort: never break the computation it reports on
    }
    shown = { pct, label: currentLabel };
  };
  const check = (name: string, next: number) => {
    if (typeof next !== "number" || !Number.isFinite(next) || next < 0 || next > total) {
      throw new RangeError(`${name} must keep the progress in [0, total=${total}], got ${String(next)}`);
    }
  };
  render(true);
  return {
    total,
    get value() {
      return value;
    },
    tick(n = 1) {
      if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new RangeError(`n must be a non-negative number, got ${String(n)}`);
      if (finished) return;
      check("tick(n)", value + n);
      value += n;
      render(false);
    },
    update(done: number, newLabel?: string) {
      if (newLabel !== undefined && typeof newLabel !== "string") throw new TypeError(`label must be a string, got ${typeof newLabel}`);
      check("update(done)", done);
      if (finished) return;
      value = done;
      if (newLabel !== undefined) currentLabel = newLabel;
      render(false);
    },
    done(newLabel?: string) {
      if (newLabel !== undefined && typeof newLabel !== "string") throw new TypeError(`label must be a string, got ${typeof newLabel}`);
      if (finished) return;
      finished = true;
      value = total;
      if (newLabel !== undefined) currentLabel = newLabel;
      render(true);
    },
  };
}

/** Handle of {@link busy}. */
export interface Busy {
  /** Replace the animated bar with a finished one, optionally with a new label. Idempotent. */
  done(label?: string): void;
}

/**
 * An animated "working…" bar for work whose size is unknown, shown at once and finished in place later,
 * possibly from a later cell: e.g. shown just before a cell that imports (and so type-checks) the whole
 * library. Outside a kernel it is silent until `done()`, which prints one line. A display failure never
 * throws.
 * @param label what is running, shown beside the bar (non-empty)
 * @returns the handle whose `done()` finishes the bar
 * @throws {TypeError|RangeError} when label is not a non-empty string
 * @example
 * const loading = busy("loading the library");
 * loading.done("library loaded"); // the same output now shows a full bar
 */
export function busy(label: string): Busy {
  busyBundle(label); // validates
  const sink: DisplaySink = currentSink();
  const displayId = randomBytes(8).toString("hex");
  let finished = false;
  try {
    if (sink.rich) sink.emit(busyBundle(label), displayId, false);
  } catch {
    // best effort
  }
  return {
    done(newLabel?: string) {
      if (newLabel !== undefined) busyBundle(newLabel); // validates
      if (finished) return;
      finished = true;
      const bundle = busyBundle(newLabel ?? label, true);
      try {
        if (sink.rich) sink.emit(bundle, displayId, true);
        else sink.emit(bundle);
      } catch {
        // best effort
      }
    },
  };
}

// Notebooks import this module first: loaded from the build (dist/), warn when src/ was edited after it was built.
warnIfStaleBuild(__dirname);
