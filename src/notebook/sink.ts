/**
 * Where display output goes: the running tslab kernel when a notebook cell executes, else a text
 * fallback (plain node, vitest, the CLI). Tests install their own sink with `setDisplaySink`.
 *
 * tslab's public API (`display.raw(mime, data)`, `newDisplay()`) sends one MIME type per message.
 * To send a bundle with several types at once (HTML + plotly JSON + text), the sink calls the
 * function behind that API, `lastWriteDisplayData` in tslab's `dist/jupyter.js`, with the same
 * message shape `display.raw` builds. It finds that module among the modules the kernel already
 * loaded, so importing this file never loads tslab (and its bundled TypeScript) outside a kernel.
 * (If a future tslab renames that function, output falls back to text until this file is updated;
 * test/notebook/sink.test.ts checks the function is still there.)
 */
import { createRequire } from "module";
import * as path from "path";
import type { MimeBundle } from "./bundles";

/** Receives display output. */
export interface DisplaySink {
  /** True when a front end renders rich output (a kernel); false for the text fallback. */
  readonly rich: boolean;
  /**
   * Show a bundle.
   * @param bundle MIME type → data
   * @param displayId id of an updatable display (`progress`), or undefined for a one-off output
   * @param update true to replace the display with that id instead of adding a new output
   */
  emit(bundle: MimeBundle, displayId?: string, update?: boolean): void;
}

type WriteDisplayData = (content: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

let override: DisplaySink | null = null;

/**
 * Replace the display sink (for tests), or restore automatic detection with `null`.
 * @param sink the sink to use (`{ rich, emit(bundle, displayId?, update?) }`), or null
 * @returns the previous override (null when detection was active)
 * @throws {TypeError} when `sink` is neither null nor an object with an `emit` function
 * @example
 * const prev = setDisplaySink({ rich: false, emit: (b) => console.log(b["text/plain"]) });
 * setDisplaySink(prev); // restore
 */
export function setDisplaySink(sink: DisplaySink | null): DisplaySink | null {
  if (sink !== null && (typeof sink !== "object" || typeof sink.emit !== "function")) {
    throw new TypeError(`sink must be null or an object with emit(bundle, displayId?, update?), got ${String(sink)}`);
  }
  const prev = override;
  override = sink;
  return prev;
}

/**
 * The sink in effect now: the override, else the tslab kernel if a cell is executing, else text.
 * @returns the sink; `.rich` is false for the plain-text fallback
 * @throws never
 * @example currentSink() === TEXT_SINK; // true outside a kernel (plain node, vitest) with no override
 */
export function currentSink(): DisplaySink {
  if (override) return override;
  const write = findTslabWriter();
  if (write) return kernelSink(write);
  return TEXT_SINK;
}

/**
 * True when output goes to a rich front end (a tslab kernel, or a test sink that says so).
 * @returns whether the current sink is rich
 * @throws never
 * @example underKernel(); // false in plain node
 */
export function underKernel(): boolean {
  return currentSink().rich;
}

/** The fallback outside a kernel: prints the bundle's `text/plain` to stdout. */
export const TEXT_SINK: DisplaySink = Object.freeze({
  rich: false,
  emit(bundle: MimeBundle): void {
    const text = bundle["text/plain"];
    if (typeof text === "string" && text.length > 0) process.stdout.write(text + "\n");
  },
});

function kernelSink(write: WriteDisplayData): DisplaySink {
  return {
    rich: true,
    emit(bundle, displayId, update = false) {
      write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
    },
  };
}

/** Modules Node has loaded, by absolute file name. */
function loadedModules(): Record<string, NodeModule | undefined> {
  return createRequire(__filename).cache as Record<string, NodeModule | undefined>;
}

function findLoaded(suffix: string): NodeModule[] {
  const out: NodeModule[] = [];
  const cache = loadedModules();
  for (const key of Object.keys(cache)) {
    if (key.endsWith(suffix) && cache[key]) out.push(cache[key] as NodeModule);
  }
  return out;
}

function findTslabWriter(): WriteDisplayData | null {
  for (const mod of findLoaded(path.join("tslab", "dist", "jupyter.js"))) {
    const w = (mod.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof w === "function") return w as WriteDisplayData;
  }
  return null;
}
