/**
 * Minimal benchmark harness for `npm run bench`: each file in `bench/` exports `cases: BenchCase[]`.
 * Results are wall-clock milliseconds measured warm in one process; compare them as ratios.
 */
import { median } from "./stats";

export interface BenchCase {
  /** Stable name, e.g. `eplb/hierarchical-58x256-288x32` (used across commits in build/bench.json). */
  name: string;
  /** Builds the inputs once, outside the timed region. */
  setup?: () => unknown | Promise<unknown>;
  /**
   * The timed work; receives what `setup` returned. A case whose call includes untimed work (starting or shutting
   * down a process) may return `{ timedMs }`: that measured duration in milliseconds is recorded instead of the
   * call's wall time.
   */
  run: (ctx: any) => unknown | Promise<unknown>;
  /** Timed runs after warm-up (default 20). */
  runs?: number;
  /** Untimed warm-up runs (default 3). */
  warmup?: number;
  /** Optional target in ms; the report marks the case PASS/FAIL against it. */
  targetMs?: number;
  /** Optional free-form rows printed after the timing line (e.g. a measured curve). */
  report?: (ctx: any) => string | Promise<string>;
}

export interface BenchResult {
  name: string;
  medianMs: number;
  minMs: number;
  runs: number;
  targetMs?: number;
}

/** Run one case: warm-up, then `runs` timed runs; returns median and min in ms. */
export async function runBenchCase(c: BenchCase): Promise<BenchResult & { ctx: unknown }> {
  const ctx = c.setup ? await c.setup() : undefined;
  const runs = c.runs ?? 20;
  const warmup = c.warmup ?? 3;
  for (let i = 0; i < warmup; i++) await c.run(ctx);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const ret = await c.run(ctx);
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const own = ret && typeof ret === "object" ? (ret as { timedMs?: unknown }).timedMs : undefined;
    if (own !== undefined && (typeof own !== "number" || !Number.isFinite(own) || own < 0)) {
      throw new RangeError(`${c.name}: run() returned timedMs ${String(own)}; it must be a finite number of milliseconds ≥ 0`);
    }
    times.push(typeof own === "number" ? own : wall);
  }
  return { name: c.name, medianMs: median(times), minMs: Math.min(...times), runs, targetMs: c.targetMs, ctx };
}
