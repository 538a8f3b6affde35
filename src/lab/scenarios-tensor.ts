/**
 * Lab 3.1 scenarios on real tensors (TensorFlow.js through `src/tensor`): EPLB placements and replica
 * choices leave a token's output unchanged, and the measured GroupGEMM weight-loading curve.
 */
import { loadBackend, createMoeLayer, randomHidden, moeReferenceForward, moeEpForward, measureGroupGemm, groupGemmFigureInput } from "../tensor";
// Types from the files that declare them, not "../tensor": the index's declarations import TensorFlow.js's, and a
// notebook importing the lab would type-check every cell against those too.
import type { GroupGemmExperimentOptions, GroupGemmResult, GroupGemmRow, ProgressCallback } from "../tensor/groupgemm";
import type { Figure } from "../viz";
import { planLayer } from "../eplb";
import { countExpertLoad } from "../routing";
import { groupGemmFigure } from "../viz";
import { Summary } from "./scenarios-eplb";

/** One row of {@link replicaInvarianceDemo}. */
export interface InvarianceRow {
  placement: string;
  replicaRule: string;
  /** (token, expert) pairs computed per rank */
  pairsPerRank: string;
  /** largest |EP output − reference output| over all elements */
  maxAbsDifference: number;
}

/**
 * Run one small MoE layer (16 experts, top-2, 64 tokens) on a single device and as expert-parallel
 * over 4 virtual ranks with different placements (contiguous; EPLB with 4 replicas) and replica
 * rules, and compare the outputs element by element.
 * @returns rows with the largest difference per configuration (pairs per rank, max |Δ| of the outputs), the
 *   backend name and a summary
 * @throws {Error} when no TensorFlow.js backend can be loaded
 * @example (await replicaInvarianceDemo()).rows.every((r) => r.maxAbsDifference < 1e-5); // true
 */
export async function replicaInvarianceDemo(): Promise<{ backend: string; rows: InvarianceRow[]; summary: Summary }> {
  const report = await loadBackend();
  const layer = createMoeLayer({ hiddenSize: 32, expertFfnSize: 64, numExperts: 16, topK: 2, seed: 3 });
  try {
    const x = randomHidden(64, 32, 9);
    const ref = moeReferenceForward(layer, x);
    const load = Array.from(countExpertLoad(ref.routing.indices, 16));
    const eplb = planLayer(load, { numGpus: 4, numReplicas: 20 });
    const configs = [
      { placement: "contiguous, 4 experts per rank", phy2log: Array.from({ length: 16 }, (_, i) => i), rule: "round-robin" as const },
      { placement: "EPLB, +4 replicas", phy2log: eplb.phy2log, rule: "round-robin" as const },
      { placement: "EPLB, +4 replicas", phy2log: eplb.phy2log, rule: "least-loaded" as const },
    ];
    const rows = configs.map((c) => {
      const ep = moeEpForward(layer, x, { phy2log: c.phy2log, epSize: 4, replicaRule: c.rule, routing: ref.routing });
      let max = 0;
      for (let i = 0; i < ep.output.length; i++) max = Math.max(max, Math.abs(ep.output[i] - ref.output[i]));
      return { placement: c.placement, replicaRule: c.rule, pairsPerRank: Array.from(ep.plan.tokensPerRank).join(" / "), maxAbsDifference: max };
    });
    const worst = Math.max(...rows.map((r) => r.maxAbsDifference));
    const summary = new Summary(
      `On the ${report.name} backend, the largest difference between the expert-parallel and the single-device output over all placements and replica rules is ${worst}` +
        (worst === 0 ? " — bit-identical." : " (float32 rounding)."),
    );
    return { backend: report.name, rows, summary };
  } finally {
    layer.dispose();
  }
}

/** Fewest milliseconds between two progress reports of {@link groupGemmExperiment}: a notebook's progress bar costs a
 *  few milliseconds per update, and the measurement has about 60 steps. */
export const PROGRESS_INTERVAL_MS = 150;

/**
 * A progress callback that passes on at most one report per `intervalMs` (by the wall clock), and always the last one
 * (`done === total`), so a bar ends full.
 * @param onProgress the callback to throttle
 * @param intervalMs fewest milliseconds between reports (finite, ≥ 0)
 * @returns the throttled callback
 * @throws {TypeError} when `onProgress` is not a function; {RangeError} for a negative or non-finite interval
 * @example
 * const seen: number[] = [];
 * const p = throttleProgress((done) => seen.push(done), 1e9);
 * p(1, 3, "a"); p(2, 3, "b"); p(3, 3, "c"); // seen: [1, 3]
 */
export function throttleProgress(onProgress: ProgressCallback, intervalMs: number): ProgressCallback {
  if (typeof onProgress !== "function") throw new TypeError(`onProgress must be a function, got ${typeof onProgress}`);
  if (typeof intervalMs !== "number" || !Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError(`intervalMs must be a finite number of milliseconds ≥ 0, got ${String(intervalMs)}`);
  let last = -Infinity;
  return (done, total, label) => {
    const now = performance.now();
    if (done >= total || now - last >= intervalMs) {
      last = now;
      onProgress(done, total, label);
    }
  };
}

/**
 * Measure the GroupGEMM curve on this machine (time per token vs tokens per expert, and vs local
 * experts for a fixed token count), sized for a few seconds on a 2-core CPU.
 * @param onProgress called with (done, total, label) as the measurement advances, at most every
 *   {@link PROGRESS_INTERVAL_MS} ms and always at the end (e.g. to drive a progress bar)
 * @param options overrides of the tensor layer's defaults (sizes in elements, token counts, repeats; see
 *   `GroupGemmExperimentOptions`); `repeats` defaults to 3 here
 * @returns the raw result (times in ms, µs per token, FLOP/s), the figure, a summary naming the backend and
 *   the local-experts sweep rows
 * @throws {TypeError|RangeError} naming the option on bad options or a non-function `onProgress`; {Error}
 *   when no backend loads
 * @example (await groupGemmExperiment(undefined, { tokensPerExpertValues: [1, 8], localExpertCounts: [1, 2], hiddenSize: 16, expertFfnSize: 32, tokensPerDevice: 8, fixedLocalExperts: 2 })).result.rows.length; // 4
 */
export async function groupGemmExperiment(
  onProgress?: ProgressCallback,
  options?: GroupGemmExperimentOptions,
): Promise<{ result: GroupGemmResult; figure: Figure; summary: Summary; localExpertRows: GroupGemmRow[] }> {
  if (onProgress !== undefined && typeof onProgress !== "function") throw new TypeError(`onProgress must be a function, got ${typeof onProgress}`);
  await loadBackend();
  const result = await measureGroupGemm({ repeats: 3, ...options }, onProgress && throttleProgress(onProgress, PROGRESS_INTERVAL_MS));
  const { measured, options: figOptions } = groupGemmFigureInput(result);
  const figure = groupGemmFigure(measured, { ...figOptions, title: `GroupGEMM on this machine (${result.backend}): time per token vs tokens per expert` });
  const local = result.rows.filter((r) => r.sweep === "local-experts").sort((a, b) => a.localExperts - b.localExperts);
  const first = local[0];
  const last = local[local.length - 1];
  const ratio = last.timePerTokenUs / first.timePerTokenUs;
  const localRises = result.sanity.violations.filter((v) => v.sweep === "local-experts");
  const summary = new Summary(
    `${result.summary} Spreading the same ${first.tokensPerDevice} tokens from ${first.localExperts} to ${last.localExperts} local experts ` +
      (ratio > 1 ? "raises" : "changes") +
      ` the median time per token from ${first.timePerTokenUs.toFixed(2)} µs to ${last.timePerTokenUs.toFixed(2)} µs (${ratio.toFixed(1)}×)` +
      (localRises.length > 0 ? ", though not at every step after re-measuring (a busy machine): run the cell again for a cleaner curve." : "."),
  );
  return { result, figure, summary, localExpertRows: local };
}
