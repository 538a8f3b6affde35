/**
 * GroupGEMM weight-loading experiment on the active TensorFlow.js backend.
 *
 * A device holding `L` local SwiGLU experts computes its routed tokens as a grouped GEMM: per expert, its
 * `n` tokens packed into one up-projection matmul `[n][hiddenSize] × [hiddenSize][2·expertFfnSize]` (fused
 * gate and up) and one down-projection matmul `[n][expertFfnSize] × [expertFfnSize][hiddenSize]`, with the
 * SwiGLU activation applied to all experts' rows at once. The math per token is fixed (6·hiddenSize·expertFfnSize FLOP), but every call streams all `L` experts' weights, so the
 * weight bytes read per token are `3·hiddenSize·expertFfnSize·4 B / n`: with few tokens per expert the device
 * pays for loading weights, not for the math.
 *
 * Two sweeps:
 * - `"local-experts"`: fixed routed tokens per device (T), local experts L = 1 → 64, so n = T / L falls;
 * - `"tokens-per-expert"`: fixed L, n = 1 → 128.
 *
 * The machine's own roof is calibrated: the best FLOP/s of one large square matmul, and the best bytes/s of one
 * large element-wise copy (`y = −x`: 4 B read + 4 B written per element), each sampled before the sweep and once
 * per round of it. Points are timed in interleaved rounds and reported as medians; along each sweep the time per
 * token must not rise with tokens per expert beyond noise ({@link timeRises}), else those points are re-measured.
 * On the single-threaded wasm and cpu backends runs are timed in process CPU time, which a busy shared machine
 * does not inflate.
 * The roofline time of a point is `max(FLOP / peakFlops, bytes / bandwidth)` with bytes = weights + input
 * and output activations (float32): the cost model's `rooflineTime` (src/cost) with efficiency factors of 1,
 * evaluated on this machine's calibrated peak and bandwidth.
 */
import type * as tfc from "@tensorflow/tfjs-core";
import { assertKnownKeys, assertNonNegativeInt, assertOneOf, assertPositiveInt, show } from "../util/validate";
import { median } from "../util/stats";
import { currentBackend, getTf } from "./backend";
import { BACKEND_ORDER, type BackendName } from "./backend-names";
import { GPU_NUMERIC_FIELDS, rooflineTime, type Citation, type GpuSpec } from "../cost";

/** Options of {@link measureGroupGemm}; every field is optional. */
export interface GroupGemmExperimentOptions {
  /** Model width, elements. Default 128 (64 on the plain-JS cpu backend, 1024 on tensorflow-gpu). */
  hiddenSize?: number;
  /** Expert FFN width, elements. Default 256 (128 on cpu, 2048 on tensorflow-gpu). */
  expertFfnSize?: number;
  /** Routed tokens per device in the local-experts sweep; divisible by every local expert count. Default 64 (1024 on tensorflow-gpu). */
  tokensPerDevice?: number;
  /** Local expert counts of the first sweep. Default [1, 2, 4, 8, 16, 32, 64]. */
  localExpertCounts?: number[];
  /** Local experts in the second sweep. Default 8. */
  fixedLocalExperts?: number;
  /** Tokens per expert in the second sweep. Default [1, 2, 4, 8, 16, 32, 64, 128] (up to 64 on cpu, 1024 on tensorflow-gpu). */
  tokensPerExpertValues?: number[];
  /** Timed runs per point, in interleaved rounds over all points (the median is reported, and the fastest). Default 5. */
  repeats?: number;
  /**
   * Relative rise of the median time per token allowed from one point to the next with more tokens per expert
   * before the pair is taken for noise and re-measured (0.15 = 15 %; a point's own spread widens it). Default 0.15.
   */
  noiseTolerance?: number;
  /** How many times points that fail that check are re-measured (fresh interleaved rounds). Default 2. */
  maxRemeasures?: number;
  /**
   * What a run's time is: `"cpu"` — the process's CPU time (user + system) during the run, which a busy shared
   * machine does not inflate (another process's time slice is not counted); `"wall"` — elapsed time. Default
   * `"cpu"` on the single-threaded wasm and cpu backends, `"wall"` on tensorflow (many threads) and tensorflow-gpu
   * (the work runs on the GPU).
   */
  clock?: "cpu" | "wall";
  /** Untimed warm-up rounds. Default 1. */
  warmup?: number;
  /** Side of the square calibration matmul, elements. Default 512 (256 on cpu, 4096 on tensorflow-gpu). */
  calibrationMatmulSize?: number;
  /** Elements of the calibration copy. Default 4,194,304 (16 MiB of float32 read, 16 MiB written; 1,048,576 on cpu). */
  calibrationCopyElements?: number;
  /** Seed of the random weights and inputs. Default 0. */
  seed?: number;
}

/** One measured point. */
export interface GroupGemmRow {
  /** Which sweep the point belongs to. */
  sweep: "local-experts" | "tokens-per-expert";
  /** Experts held by the device (L). */
  localExperts: number;
  /** Tokens routed to each expert (n). */
  tokensPerExpert: number;
  /** Routed tokens on the device (L·n). */
  tokensPerDevice: number;
  /**
   * Wall time of the grouped SwiGLU, milliseconds: the median of the timed runs (interleaved with the other
   * points' runs, so a burst of load from other processes hits every point alike; the median ignores it).
   */
  timeMs: number;
  /** Same as timeMs (the median), kept under this name for readers of older results. */
  medianTimeMs: number;
  /** Fastest of the timed runs, milliseconds. */
  minTimeMs: number;
  /** Timed runs behind the median (more when the point was re-measured). */
  runs: number;
  /** timeMs / tokensPerDevice, microseconds per token. */
  timePerTokenUs: number;
  /** FLOP / time, FLOP/s. */
  achievedFlops: number;
  /** Weight bytes streamed per routed token (3·hiddenSize·expertFfnSize·4 / n), bytes. */
  weightBytesPerToken: number;
  /** FLOP per byte moved (weights + activations). */
  arithmeticIntensity: number;
  /** Roofline time on this machine's calibrated roof, milliseconds. */
  rooflineTimeMs: number;
  /** Which roof limits the roofline time. */
  bound: "compute" | "memory";
  /** rooflineTimeMs / timeMs: fraction of the roof achieved (0–1, can exceed 1 when caches beat the copy bandwidth). */
  rooflineFraction: number;
}

/** Result of {@link measureGroupGemm}. */
export interface GroupGemmResult {
  /** Backend the experiment ran on. */
  backend: BackendName;
  hiddenSize: number;
  expertFfnSize: number;
  /** Bytes per weight / activation element (float32). */
  bytesPerElement: 4;
  /** 6·hiddenSize·expertFfnSize, FLOP per routed token. */
  flopsPerToken: number;
  /** 3·hiddenSize·expertFfnSize·4, bytes of one expert's weights. */
  weightBytesPerExpert: number;
  /** The machine's calibrated roof. */
  calibration: {
    /** Best FLOP/s of a `matmulSize³` matmul, over samples spread through the whole experiment. */
    peakFlops: number;
    matmulSize: number;
    /** Best bytes/s of an element-wise copy (read + write), over samples spread through the whole experiment. */
    bandwidthBytesPerSec: number;
    /** Median of the same samples, bytes/s. */
    medianBandwidthBytesPerSec: number;
    copyBytes: number;
    /** Calibration samples taken of each (matmul and copy). */
    samples: number;
    /** Lowest and highest copy bandwidth sampled, bytes/s (how noisy the machine was). */
    bandwidthRangeBytesPerSec: [number, number];
    /** Lowest and highest matmul FLOP/s sampled. */
    peakFlopsRange: [number, number];
  };
  /**
   * The sanity check: along each sweep, ordered by tokens per expert, the median time per token must not rise by
   * more than the noise tolerance. Points that fail are re-measured; what still fails after `maxRemeasures` is listed.
   */
  sanity: {
    /** Re-measurement passes run. */
    remeasures: number;
    /** Pairs that still rose beyond the tolerance: time per token at `tokensPerExpert` over that at `fromTokensPerExpert`. */
    violations: { sweep: GroupGemmRow["sweep"]; fromTokensPerExpert: number; tokensPerExpert: number; ratio: number }[];
  };
  /** Ridge point peakFlops / bandwidth, FLOP per byte. */
  ridgeFlopsPerByte: number;
  /** Tokens per expert where the roofline turns compute-bound (weights only: b·F / (2·B) with b = 4 B). */
  crossoverTokensPerExpert: number;
  /** Where the roofline formula came from. */
  rooflineSource: string;
  rows: GroupGemmRow[];
  /** The clock the runs were timed with (see {@link GroupGemmExperimentOptions.clock}). */
  clock: "cpu" | "wall";
  /** Total wall time of the experiment, milliseconds. */
  elapsedMs: number;
  /** One sentence saying what was measured on which backend. */
  summary: string;
}

/** Progress callback: `done` of `total` steps finished; `label` names the step that just finished. */
export type ProgressCallback = (done: number, total: number, label: string) => void;

function checkList(name: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of positive integers, got ${show(v)}`);
  if (v.length === 0) throw new RangeError(`${name} must not be empty`);
  v.forEach((x, i) => assertPositiveInt(`${name}[${i}]`, x));
  return v.slice();
}

/**
 * The experiment's options with the defaults for a backend filled in (see {@link GroupGemmExperimentOptions}).
 * @param options user options (all optional)
 * @param backend the backend the sizes are chosen for (one of {@link BACKEND_ORDER})
 * @returns every option, validated (sizes in elements, token counts per expert / device, repeats)
 * @throws {TypeError|RangeError} naming the option: non-positive or fractional sizes, empty sweeps,
 *   tokensPerDevice not divisible by a local expert count, negative warmup or seed; an unknown `backend`
 * @example resolveGroupGemmOptions({}, "wasm").hiddenSize; // 128
 */
export function resolveGroupGemmOptions(options: GroupGemmExperimentOptions | undefined, backend: BackendName): Required<GroupGemmExperimentOptions> {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`options must be an object, got ${show(options)}`);
  }
  assertKnownKeys("options", options, [
    "hiddenSize", "expertFfnSize", "tokensPerDevice", "localExpertCounts", "fixedLocalExperts", "tokensPerExpertValues",
    "repeats", "noiseTolerance", "maxRemeasures", "clock", "warmup", "calibrationMatmulSize", "calibrationCopyElements", "seed",
  ]);
  assertOneOf("backend", backend, BACKEND_ORDER);
  const o = options ?? {};
  // Three size classes: a GPU; native/wasm CPU kernels (~10–20 GFLOP/s on one core); plain-JS cpu (~0.5 GFLOP/s).
  const gpu = backend === "tensorflow-gpu";
  const js = backend === "cpu";
  const r: Required<GroupGemmExperimentOptions> = {
    hiddenSize: o.hiddenSize ?? (gpu ? 1024 : js ? 64 : 128),
    expertFfnSize: o.expertFfnSize ?? (gpu ? 2048 : js ? 128 : 256),
    tokensPerDevice: o.tokensPerDevice ?? (gpu ? 1024 : 64),
    localExpertCounts: o.localExpertCounts ?? [1, 2, 4, 8, 16, 32, 64],
    fixedLocalExperts: o.fixedLocalExperts ?? 8,
    tokensPerExpertValues:
      o.tokensPerExpertValues ?? (gpu ? [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] : js ? [1, 2, 4, 8, 16, 32, 64] : [1, 2, 4, 8, 16, 32, 64, 128]),
    repeats: o.repeats ?? 5,
    noiseTolerance: o.noiseTolerance ?? 0.15,
    maxRemeasures: o.maxRemeasures ?? 2,
    clock: o.clock ?? (backend === "wasm" || backend === "cpu" ? "cpu" : "wall"),
    warmup: o.warmup ?? 1,
    calibrationMatmulSize: o.calibrationMatmulSize ?? (gpu ? 4096 : js ? 256 : 512),
    calibrationCopyElements: o.calibrationCopyElements ?? (js ? 1024 * 1024 : 4 * 1024 * 1024),
    seed: o.seed ?? 0,
  };
  assertPositiveInt("hiddenSize", r.hiddenSize);
  assertPositiveInt("expertFfnSize", r.expertFfnSize);
  assertPositiveInt("tokensPerDevice", r.tokensPerDevice);
  r.localExpertCounts = checkList("localExpertCounts", r.localExpertCounts);
  r.tokensPerExpertValues = checkList("tokensPerExpertValues", r.tokensPerExpertValues);
  for (const L of r.localExpertCounts) {
    if (r.tokensPerDevice % L !== 0) {
      throw new RangeError(`tokensPerDevice (${r.tokensPerDevice}) must be divisible by every localExpertCounts entry, not by ${L}`);
    }
  }
  assertPositiveInt("fixedLocalExperts", r.fixedLocalExperts);
  assertPositiveInt("repeats", r.repeats);
  if (typeof r.noiseTolerance !== "number" || !Number.isFinite(r.noiseTolerance) || r.noiseTolerance < 0 || r.noiseTolerance > 10) {
    throw new RangeError(`noiseTolerance must be a relative rise in [0, 10] (0.15 = 15 %), got ${show(r.noiseTolerance)}`);
  }
  assertNonNegativeInt("maxRemeasures", r.maxRemeasures);
  assertOneOf("clock", r.clock, ["cpu", "wall"] as const);
  if (r.maxRemeasures > 10) throw new RangeError(`maxRemeasures must be at most 10, got ${r.maxRemeasures}`);
  assertNonNegativeInt("warmup", r.warmup);
  assertPositiveInt("calibrationMatmulSize", r.calibrationMatmulSize);
  assertPositiveInt("calibrationCopyElements", r.calibrationCopyElements);
  assertNonNegativeInt("seed", r.seed);
  return r;
}

/** One measured point as {@link timeRises} reads it. */
export interface TimedPoint {
  sweep: GroupGemmRow["sweep"];
  /** Tokens per expert (n). */
  tokensPerExpert: number;
  /** Routed tokens of the point (L·n). */
  tokensPerDevice: number;
  /** Timed runs, milliseconds. */
  samplesMs: number[];
}

/**
 * The sanity check of {@link measureGroupGemm}: along each sweep, ordered by tokens per expert, the median time per
 * token must not rise from one point to the next by more than `tolerance` (widened to twice either point's relative
 * median absolute deviation, its own noise). More tokens per expert share the same weight reads, so a rise is noise.
 * @param points measured points (any order; indexes in the result refer to this array)
 * @param tolerance allowed relative rise, e.g. 0.15 for 15 % (finite, ≥ 0)
 * @returns each rising pair: indexes `from` (fewer tokens per expert) and `to`, and the ratio of their times per token
 * @throws {TypeError} when points is not an array of points with non-empty positive samples; {RangeError} for a bad tolerance
 * @example
 * timeRises([
 *   { sweep: "tokens-per-expert", tokensPerExpert: 1, tokensPerDevice: 8, samplesMs: [0.8, 0.8, 0.8] },
 *   { sweep: "tokens-per-expert", tokensPerExpert: 8, tokensPerDevice: 64, samplesMs: [9, 9, 9] },
 * ], 0.15); // [{ from: 0, to: 1, ratio: 1.40625 }]
 */
export function timeRises(points: TimedPoint[], tolerance: number): { from: number; to: number; ratio: number }[] {
  if (!Array.isArray(points)) throw new TypeError(`points must be an array of measured points, got ${show(points)}`);
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0) throw new RangeError(`tolerance must be a finite relative rise ≥ 0, got ${show(tolerance)}`);
  points.forEach((p, i) => {
    if (p === null || typeof p !== "object") throw new TypeError(`points[${i}] must be a measured point, got ${show(p)}`);
    assertPositiveInt(`points[${i}].tokensPerExpert`, p.tokensPerExpert);
    assertPositiveInt(`points[${i}].tokensPerDevice`, p.tokensPerDevice);
    if (!Array.isArray(p.samplesMs) || p.samplesMs.length === 0 || p.samplesMs.some((x) => typeof x !== "number" || !(x > 0) || !Number.isFinite(x))) {
      throw new TypeError(`points[${i}].samplesMs must be a non-empty array of positive milliseconds, got ${show(p.samplesMs)}`);
    }
  });
  const out: { from: number; to: number; ratio: number }[] = [];
  const perToken = (i: number) => median(points[i].samplesMs) / points[i].tokensPerDevice;
  for (const sweep of [...new Set(points.map((p) => p.sweep))]) {
    const idx = points.map((_, i) => i).filter((i) => points[i].sweep === sweep).sort((x, y) => points[x].tokensPerExpert - points[y].tokensPerExpert);
    for (let k = 1; k < idx.length; k++) {
      const [a, b] = [idx[k - 1], idx[k]];
      const tol = Math.max(tolerance, 2 * relativeMad(points[a].samplesMs), 2 * relativeMad(points[b].samplesMs));
      const ratio = perToken(b) / perToken(a);
      if (ratio > 1 + tol) out.push({ from: a, to: b, ratio });
    }
  }
  return out;
}

/** Median absolute deviation over the median (0 for fewer than 2 samples): a point's own noise. */
function relativeMad(xs: number[]): number {
  if (xs.length < 2) return 0;
  const med = median(xs);
  return med > 0 ? median(xs.map((x) => Math.abs(x - med))) / med : 0;
}

/**
 * The sentence about the tokens-per-expert sweep, from the measured medians: how far the time per token fell from
 * the first to the last point, whether it fell all along, and which steps still rose after re-measuring.
 */
function trendSentence(perExpert: GroupGemmRow[], fixedL: number, violations: GroupGemmResult["sanity"]["violations"]): string {
  const sorted = perExpert.slice().sort((a, b) => a.tokensPerExpert - b.tokensPerExpert);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || first === last) return ".";
  const us = (r: GroupGemmRow) => `${r.timePerTokenUs.toFixed(2)} µs`;
  const ratio = first.timePerTokenUs / last.timePerTokenUs;
  const rises = violations.filter((v) => v.sweep === "tokens-per-expert");
  let sentence =
    `; with ${fixedL} local experts the median time per token ` +
    (ratio > 1
      ? `fell ${ratio.toFixed(1)}× from ${us(first)} at ${first.tokensPerExpert} token${first.tokensPerExpert === 1 ? "" : "s"} per expert to ${us(last)} at ${last.tokensPerExpert}`
      : `did not fall (${us(first)} at ${first.tokensPerExpert} token${first.tokensPerExpert === 1 ? "" : "s"} per expert, ${us(last)} at ${last.tokensPerExpert}): ` +
        `on this backend even one token per expert is bound by compute, not by loading weights`);
  if (ratio > 1 && rises.length === 0) {
    // Where most of the fall happens: the first step that reaches half of the total fall (in log terms).
    const target = Math.sqrt(first.timePerTokenUs * last.timePerTokenUs);
    const half = sorted.find((r) => r.timePerTokenUs <= target);
    sentence += half && half !== first ? `, half of that fall (in ratio) by ${half.tokensPerExpert} tokens per expert.` : ".";
  } else if (rises.length > 0) {
    sentence +=
      `. It still rose between ${rises.map((v) => `${v.fromTokensPerExpert} and ${v.tokensPerExpert}`).join(", ")} tokens per expert after re-measuring ` +
      `(×${rises.map((v) => v.ratio.toFixed(2)).join(", ×")}): the machine was busy; run the cell again for a cleaner curve.`;
  } else {
    sentence += ".";
  }
  return sentence;
}

/** Wait until `t` is computed (reads one element, which syncs asynchronous GPU streams). */
function syncOn(tf: typeof tfc, t: tfc.Tensor): void {
  tf.tidy(() => tf.slice(tf.reshape(t, [-1]), [0], [1]).dataSync());
}

/** Milliseconds on the chosen clock: the process's CPU time (user + system) or elapsed wall time. */
function now(clock: "cpu" | "wall"): number {
  if (clock === "wall") return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

/** Run `fn` warm-up + repeat times; returns the median and min milliseconds. `fn` returns a tensor to sync and dispose. */
function timeIt(tf: typeof tfc, fn: () => tfc.Tensor, repeats: number, warmup: number, clock: "cpu" | "wall" = "wall"): { median: number; min: number } {
  const times: number[] = [];
  for (let i = 0; i < warmup + repeats; i++) {
    const t0 = now(clock);
    const out = fn();
    syncOn(tf, out);
    // CPU time is counted in microseconds: a run too short to register counts as 1 µs, never 0.
    const dt = Math.max(now(clock) - t0, 1e-3);
    out.dispose();
    if (i >= warmup) times.push(dt);
  }
  return { median: repeats > 0 ? median(times) : NaN, min: Math.min(...times) };
}

/**
 * This machine's calibrated roof as a cost-model GPU spec, so the cost model's `rooflineTime` (with efficiency
 * factors of 1) gives `max(FLOP / peakFlops, bytes / bandwidth)` for it. Only the compute and memory figures
 * matter; the network fields are placeholders.
 */
function machineSpec(peakFlops: number, bandwidthBytesPerSec: number, backend: BackendName): GpuSpec {
  const says: Citation = { url: "measured", says: `calibrated on the ${backend} backend by measureGroupGemm (one large matmul, one large copy)` };
  const sources = {} as Record<(typeof GPU_NUMERIC_FIELDS)[number], Citation>;
  for (const f of GPU_NUMERIC_FIELDS) sources[f] = says;
  return {
    name: "this-machine",
    label: `this machine (${backend}, calibrated)`,
    bf16Tflops: peakFlops / 1e12,
    fp8Tflops: peakFlops / 1e12,
    hbmGB: 1,
    hbmTBps: bandwidthBytesPerSec / 1e12,
    nvlinkGBps: 1,
    nicGBps: 1,
    nvlinkDomainSize: 1,
    sources,
  };
}

/**
 * One grouped SwiGLU over local experts: per expert one up-projection matmul `x_e·w13_e` (its tokens packed
 * in one matmul), the activation over all experts' rows at once, then per expert one down-projection matmul.
 * (tfjs has no grouped-GEMM kernel, and its batched 3-D matmul is much slower than a loop of 2-D matmuls on
 * wasm, so the group is a loop; the per-call overhead is part of what a real GroupGEMM kernel saves.)
 * Returns the concatenated outputs `[Σ n_e][hiddenSize]`.
 */
function groupedSwiglu(tf: typeof tfc, xs: tfc.Tensor2D[], w13: tfc.Tensor2D[], w2: tfc.Tensor2D[]): tfc.Tensor2D {
  return tf.tidy(() => {
    const f = w2[0].shape[0];
    const up = xs.map((x, e) => tf.matMul(x, w13[e]));
    const h = up.length === 1 ? up[0] : tf.concat(up, 0);
    const gate = tf.slice(h, [0, 0], [-1, f]);
    const lin = tf.slice(h, [0, f], [-1, f]);
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), lin);
    const parts = xs.length === 1 ? [act] : tf.split(act, xs.map((x) => x.shape[0]), 0);
    const down = parts.map((p, e) => tf.matMul(p, w2[e]));
    return (down.length === 1 ? down[0] : tf.concat(down, 0)) as tfc.Tensor2D;
  });
}

/**
 * Measure the GroupGEMM weight-loading curve on the active backend (see the module comment).
 * Default sizes finish in a few seconds on a 2-core CPU; larger defaults apply on tensorflow-gpu.
 *
 * @param options sizes, sweeps and repeats ({@link GroupGemmExperimentOptions}); all optional
 * @param onProgress called after each calibration step and each timed run with (done, total, label);
 *   total = 2 + points × (warmup + repeats)
 * @returns calibration, one row per point (time, µs/token, FLOP/s, weight bytes/token, roofline) and a summary
 * @throws {TypeError|RangeError} naming the option on invalid sizes, empty sweeps or tokensPerDevice not
 *   divisible by a local expert count; {Error} when the backend is not loaded
 * @example
 * await loadBackend();
 * const r = await measureGroupGemm({ repeats: 3 }, (done, total) => console.log(`${done}/${total}`));
 * console.log(formatGroupGemmTable(r));
 */
export async function measureGroupGemm(options?: GroupGemmExperimentOptions, onProgress?: ProgressCallback): Promise<GroupGemmResult> {
  if (onProgress !== undefined && typeof onProgress !== "function") throw new TypeError(`onProgress must be a function, got ${show(onProgress)}`);
  const tf = getTf();
  const backend = currentBackend()!.name;
  const o = resolveGroupGemmOptions(options, backend);
  const started = performance.now();
  const d = o.hiddenSize;
  const f = o.expertFfnSize;
  const points: { sweep: GroupGemmRow["sweep"]; L: number; n: number }[] = [
    ...o.localExpertCounts.map((L) => ({ sweep: "local-experts" as const, L, n: o.tokensPerDevice / L })),
    ...o.tokensPerExpertValues.map((n) => ({ sweep: "tokens-per-expert" as const, L: o.fixedLocalExperts, n })),
  ];
  let total = 2 + points.length * (o.warmup + o.repeats); // grows when points are re-measured
  let done = 0;
  const tick = async (label: string) => {
    done++;
    if (onProgress) onProgress(done, total, label);
    await new Promise<void>((res) => setImmediate(res)); // let a notebook repaint its progress bar
  };

  // Calibration: one large matmul (peak FLOP/s) and one large copy (y = −x: 4 B read + 4 B written per element),
  // sampled before the sweep and again once per round of it, so the roof is measured under the same load as the
  // points; the medians are reported (one lucky or unlucky sample cannot move the ridge).
  const m = o.calibrationMatmulSize;
  const c = o.calibrationCopyElements;
  const calA = tf.randomUniform([m, m], -1, 1, "float32", o.seed);
  const calB = tf.randomUniform([m, m], -1, 1, "float32", o.seed + 1);
  const calX = tf.randomUniform([c], -1, 1, "float32", o.seed + 2);
  const flopsSamples: number[] = [];
  const bwSamples: number[] = [];
  const calibrate = () => {
    flopsSamples.push((2 * m * m * m) / (timeIt(tf, () => tf.matMul(calA, calB), 1, 0, o.clock).min / 1e3));
    bwSamples.push((8 * c) / (timeIt(tf, () => tf.neg(calX), 1, 0, o.clock).min / 1e3));
  };
  const flopsPerToken = 6 * d * f;
  const weightBytesPerExpert = 3 * d * f * 4;
  const rows: GroupGemmRow[] = [];
  // Per-expert weights of the largest expert count, created once: fused gate+up `[hiddenSize][2·expertFfnSize]`
  // (the usual `w13` layout) and down `[expertFfnSize][hiddenSize]`; a point with L local experts uses the first L.
  // Points are measured in interleaved rounds (every point once per round), so a burst of load from other
  // processes hits all points alike instead of bending one part of the curve.
  const maxL = Math.max(o.fixedLocalExperts, ...o.localExpertCounts);
  const w13: tfc.Tensor2D[] = [];
  const w2: tfc.Tensor2D[] = [];
  const inputs: tfc.Tensor2D[][] = [];
  let times: number[][] = points.map(() => []);
  let remeasures = 0;
  let violations: GroupGemmResult["sanity"]["violations"] = [];
  try {
    timeIt(tf, () => tf.matMul(calA, calB), 0, 1); // warm-up, untimed
    timeIt(tf, () => tf.neg(calX), 0, 2);
    for (let k = 0; k < 3; k++) calibrate();
    await tick(`calibrated matmul ${m}³`);
    await tick(`calibrated copy ${((8 * c) / 2 ** 20).toFixed(0)} MiB`);
    for (let e = 0; e < maxL; e++) {
      w13.push(tf.randomUniform([d, 2 * f], -0.05, 0.05, "float32", o.seed + 10 + 2 * e) as tfc.Tensor2D);
      w2.push(tf.randomUniform([f, d], -0.05, 0.05, "float32", o.seed + 11 + 2 * e) as tfc.Tensor2D);
    }
    points.forEach((pt, i) => {
      inputs.push(Array.from({ length: pt.L }, (_, e) => tf.randomUniform([pt.n, d], -1, 1, "float32", o.seed + 100003 * i + e) as tfc.Tensor2D));
    });
    // A short point is run several times back to back within one timed run (at least MIN_RUN_MS in all), so the
    // clock's granularity and timer overhead do not dominate it; its time is the run's time divided by that count.
    const MIN_RUN_MS = 4;
    const inner = points.map((pt, i) => {
      const once = timeIt(tf, () => groupedSwiglu(tf, inputs[i], w13.slice(0, pt.L), w2.slice(0, pt.L)), 1, 1, "wall").min;
      return Math.min(64, Math.max(1, Math.ceil(MIN_RUN_MS / Math.max(once, 1e-3))));
    });
    const runPoint = (i: number) => {
      const pt = points[i];
      const t0 = now(o.clock);
      for (let r = 0; r < inner[i]; r++) {
        const out = groupedSwiglu(tf, inputs[i], w13.slice(0, pt.L), w2.slice(0, pt.L));
        syncOn(tf, out);
        out.dispose();
      }
      return Math.max(now(o.clock) - t0, 1e-3) / inner[i];
    };
    const runRounds = async (which: number[], rounds: number, warmup: number, label: string) => {
      for (let round = 0; round < rounds; round++) {
        for (const i of which) {
          const pt = points[i];
          const ms = runPoint(i);
          if (round >= warmup) times[i].push(ms);
          await tick(`${label}round ${round + 1}/${rounds}: ${pt.sweep}, ${pt.L} experts × ${pt.n} tokens`);
        }
        calibrate();
      }
    };
    await runRounds(points.map((_, i) => i), o.warmup + o.repeats, o.warmup, "");

    // Sanity check: along each sweep, more tokens per expert must not cost more time per token (beyond noise).
    const check = () =>
      timeRises(points.map((p, i) => ({ sweep: p.sweep, tokensPerExpert: p.n, tokensPerDevice: p.L * p.n, samplesMs: times[i] })), o.noiseTolerance).map((v) => ({
        pair: [v.from, v.to] as [number, number],
        ratio: v.ratio,
      }));
    let bad = check();
    while (bad.length > 0 && remeasures < o.maxRemeasures) {
      remeasures++;
      const which = [...new Set(bad.flatMap((v) => v.pair))].sort((x, y) => x - y);
      total += which.length * o.repeats;
      for (const i of which) times[i] = [];
      await runRounds(which, o.repeats, 0, `re-measure ${remeasures}: `);
      bad = check();
    }
    violations = bad.map((v) => ({ sweep: points[v.pair[1]].sweep, fromTokensPerExpert: points[v.pair[0]].n, tokensPerExpert: points[v.pair[1]].n, ratio: v.ratio }));
  } finally {
    for (const t of [...w13, ...w2, calA, calB, calX]) t.dispose();
    for (const xs of inputs) for (const t of xs) t.dispose();
  }
  // The roof is what the machine can do: the fastest sample. On the CPU-time clock other processes do not steal
  // time from a run, they can only slow it (shared caches and memory), so the fastest sample is the steadiest.
  const peakFlops = Math.max(...flopsSamples);
  const bandwidthBytesPerSec = Math.max(...bwSamples);
  const spec = machineSpec(peakFlops, bandwidthBytesPerSec, backend);
  points.forEach((pt, i) => {
    const ms = median(times[i]);
    const tokens = pt.L * pt.n;
    const flops = flopsPerToken * tokens;
    const bytes = pt.L * weightBytesPerExpert + 2 * tokens * d * 4;
    const roof = rooflineTime(flops, bytes, spec, "bf16", { computeFraction: 1, memoryFraction: 1 });
    rows.push({
      sweep: pt.sweep,
      localExperts: pt.L,
      tokensPerExpert: pt.n,
      tokensPerDevice: tokens,
      timeMs: ms,
      medianTimeMs: ms,
      minTimeMs: Math.min(...times[i]),
      runs: times[i].length,
      timePerTokenUs: (ms * 1e3) / tokens,
      achievedFlops: flops / (ms / 1e3),
      weightBytesPerToken: weightBytesPerExpert / pt.n,
      arithmeticIntensity: flops / bytes,
      rooflineTimeMs: roof.timeUs / 1e3,
      bound: roof.bound,
      rooflineFraction: roof.timeUs / 1e3 / ms,
    });
  });
  const ridge = peakFlops / bandwidthBytesPerSec;
  const crossover = (4 * peakFlops) / (2 * bandwidthBytesPerSec);
  const fmt = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)} G` : `${(v / 1e6).toFixed(1)} M`);
  const perExpert = rows.filter((r) => r.sweep === "tokens-per-expert");
  const first = perExpert[0];
  const last = perExpert[perExpert.length - 1];
  const trend = trendSentence(perExpert, o.fixedLocalExperts, violations);
  const summary =
    `Measured on the ${backend} backend (${o.clock === "cpu" ? "CPU time of this process, which other processes' load does not inflate" : "wall time"}): SwiGLU experts of ${d}×${f} (float32), calibrated peak ${fmt(peakFlops)}FLOP/s and ` +
    `${fmt(bandwidthBytesPerSec)}B/s copy bandwidth (best of ${bwSamples.length} samples spread through the run; ridge ${ridge.toFixed(2)} FLOP/B)` +
    trend;
  return {
    backend,
    hiddenSize: d,
    expertFfnSize: f,
    bytesPerElement: 4,
    flopsPerToken,
    weightBytesPerExpert,
    calibration: {
      peakFlops,
      matmulSize: m,
      bandwidthBytesPerSec,
      copyBytes: 8 * c,
      medianBandwidthBytesPerSec: median(bwSamples),
      samples: bwSamples.length,
      bandwidthRangeBytesPerSec: [Math.min(...bwSamples), Math.max(...bwSamples)],
      peakFlopsRange: [Math.min(...flopsSamples), Math.max(...flopsSamples)],
    },
    sanity: { remeasures, violations },
    clock: o.clock,
    ridgeFlopsPerByte: ridge,
    crossoverTokensPerExpert: crossover,
    rooflineSource:
      "src/cost rooflineTime with efficiency 1 on this machine's calibrated peak FLOP/s and copy bandwidth " +
      "(max(FLOP / peak, bytes / bandwidth); bytes = weights + input and output activations)",
    rows,
    elapsedMs: performance.now() - started,
    summary,
  };
}

/**
 * A fixed-width text table of a GroupGEMM result (for `npm run bench` and plain-text notebooks).
 * @param result what {@link measureGroupGemm} returned
 * @returns the table, one line per row, preceded by the summary
 * @throws {TypeError} when result has no rows array
 * @example console.log(formatGroupGemmTable(await measureGroupGemm()));
 */
export function formatGroupGemmTable(result: GroupGemmResult): string {
  if (result === null || typeof result !== "object" || !Array.isArray(result.rows)) {
    throw new TypeError(`result must be a GroupGemmResult, got ${show(result)}`);
  }
  const head = ["sweep", "experts", "tok/exp", "tok/dev", "ms", "median", "µs/tok", "GFLOP/s", "KB w/tok", "roof ms", "bound", "of roof"];
  const w = [17, 7, 7, 7, 9, 9, 9, 8, 9, 9, 7, 7];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" ");
  const out = [result.summary, line(head)];
  for (const r of result.rows) {
    out.push(
      line([
        r.sweep,
        String(r.localExperts),
        String(r.tokensPerExpert),
        String(r.tokensPerDevice),
        r.timeMs.toFixed(3),
        r.medianTimeMs.toFixed(3),
        r.timePerTokenUs.toFixed(2),
        (r.achievedFlops / 1e9).toFixed(2),
        (r.weightBytesPerToken / 1024).toFixed(1),
        r.rooflineTimeMs.toFixed(3),
        r.bound,
        `${(r.rooflineFraction * 100).toFixed(0)}%`,
      ]),
    );
  }
  return out.join("\n");
}

/**
 * The measured curve and roofline in the shape of the viz team's `groupGemmFigure(measured, options)`.
 * @param result what {@link measureGroupGemm} returned
 * @param sweep which sweep to plot. Default "tokens-per-expert".
 * @returns `{ measured, options }` ready for `groupGemmFigure(measured, options)`
 * @throws {TypeError|RangeError} on a bad result or a sweep with no rows
 * @example
 * await loadBackend();
 * const { measured, options } = groupGemmFigureInput(await measureGroupGemm());
 * groupGemmFigure(measured, options); // from src/viz: time per token and FLOP/s vs tokens per expert
 */
export function groupGemmFigureInput(
  result: GroupGemmResult,
  sweep: GroupGemmRow["sweep"] = "tokens-per-expert",
): {
  measured: { tokensPerExpert: number[]; timePerTokenUs: number[]; label: string };
  options: { flopsPerToken: number; roofline: { peakFlops: number; bandwidthBytesPerSec: number; weightBytes: number; name: string } };
} {
  if (result === null || typeof result !== "object" || !Array.isArray(result.rows)) {
    throw new TypeError(`result must be a GroupGemmResult, got ${show(result)}`);
  }
  if (sweep !== "tokens-per-expert" && sweep !== "local-experts") {
    throw new RangeError(`sweep must be "tokens-per-expert" or "local-experts", got ${show(sweep)}`);
  }
  const rows = result.rows.filter((r) => r.sweep === sweep).sort((a, b) => a.tokensPerExpert - b.tokensPerExpert);
  if (rows.length === 0) throw new RangeError(`result has no rows for sweep ${JSON.stringify(sweep)}`);
  return {
    measured: {
      tokensPerExpert: rows.map((r) => r.tokensPerExpert),
      timePerTokenUs: rows.map((r) => r.timePerTokenUs),
      label: `tfjs ${result.backend} (this machine)`,
    },
    options: {
      flopsPerToken: result.flopsPerToken,
      roofline: {
        peakFlops: result.calibration.peakFlops,
        bandwidthBytesPerSec: result.calibration.bandwidthBytesPerSec,
        weightBytes: result.weightBytesPerExpert,
        name: `${result.backend}, calibrated`,
      },
    },
  };
}
