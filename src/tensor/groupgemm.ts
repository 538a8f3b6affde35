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
 * First, the machine's own roof is calibrated: the best FLOP/s of one large square matmul, and the best
 * bytes/s of one large element-wise copy (`y = −x`: 4 B read + 4 B written per element).
 * The roofline time of a point is `max(FLOP / peakFlops, bytes / bandwidth)` with bytes = weights + input
 * and output activations (float32): the cost model's `rooflineTime` (src/cost) with efficiency factors of 1,
 * evaluated on this machine's calibrated peak and bandwidth.
 */
import type * as tfc from "@tensorflow/tfjs-core";
import { assertKnownKeys, assertNonNegativeInt, assertOneOf, assertPositiveInt, show } from "../util/validate";
import { BACKEND_ORDER, currentBackend, getTf, type BackendName } from "./backend";
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
  /** Timed runs per point, in interleaved rounds over all points (the fastest is reported, and the median). Default 5. */
  repeats?: number;
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
   * Wall time of the grouped SwiGLU, milliseconds: the fastest of the timed runs (other processes on a shared
   * machine only ever make a run slower, so the minimum is the steadiest estimate of what the device can do).
   */
  timeMs: number;
  /** Median of the timed runs, milliseconds (shows how noisy the machine was). */
  medianTimeMs: number;
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
    /** Best FLOP/s of a `matmulSize³` matmul. */
    peakFlops: number;
    matmulSize: number;
    /** Best bytes/s of an element-wise copy (read + write). */
    bandwidthBytesPerSec: number;
    copyBytes: number;
  };
  /** Ridge point peakFlops / bandwidth, FLOP per byte. */
  ridgeFlopsPerByte: number;
  /** Tokens per expert where the roofline turns compute-bound (weights only: b·F / (2·B) with b = 4 B). */
  crossoverTokensPerExpert: number;
  /** Where the roofline formula came from. */
  rooflineSource: string;
  rows: GroupGemmRow[];
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

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
    "repeats", "warmup", "calibrationMatmulSize", "calibrationCopyElements", "seed",
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
  assertNonNegativeInt("warmup", r.warmup);
  assertPositiveInt("calibrationMatmulSize", r.calibrationMatmulSize);
  assertPositiveInt("calibrationCopyElements", r.calibrationCopyElements);
  assertNonNegativeInt("seed", r.seed);
  return r;
}

/** Wait until `t` is computed (reads one element, which syncs asynchronous GPU streams). */
function syncOn(tf: typeof tfc, t: tfc.Tensor): void {
  tf.tidy(() => tf.slice(tf.reshape(t, [-1]), [0], [1]).dataSync());
}

/** Run `fn` warm-up + repeat times; returns the median and min milliseconds. `fn` returns a tensor to sync and dispose. */
function timeIt(tf: typeof tfc, fn: () => tfc.Tensor, repeats: number, warmup: number): { median: number; min: number } {
  const times: number[] = [];
  for (let i = 0; i < warmup + repeats; i++) {
    const t0 = performance.now();
    const out = fn();
    syncOn(tf, out);
    const dt = performance.now() - t0;
    out.dispose();
    if (i >= warmup) times.push(dt);
  }
  return { median: median(times), min: Math.min(...times) };
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
  const total = 2 + points.length * (o.warmup + o.repeats);
  let done = 0;
  const tick = async (label: string) => {
    done++;
    if (onProgress) onProgress(done, total, label);
    await new Promise<void>((res) => setImmediate(res)); // let a notebook repaint its progress bar
  };

  // Calibration 1: one large matmul.
  const m = o.calibrationMatmulSize;
  const peakFlops = (() => {
    const a = tf.randomUniform([m, m], -1, 1, "float32", o.seed);
    const b = tf.randomUniform([m, m], -1, 1, "float32", o.seed + 1);
    try {
      const ms = timeIt(tf, () => tf.matMul(a, b), 5, 1).min;
      return (2 * m * m * m) / (ms / 1e3);
    } finally {
      a.dispose();
      b.dispose();
    }
  })();
  await tick(`calibrated matmul ${m}³`);
  // Calibration 2: one large copy (y = −x: 4 B read + 4 B written per element).
  const c = o.calibrationCopyElements;
  const bandwidthBytesPerSec = (() => {
    const x = tf.randomUniform([c], -1, 1, "float32", o.seed + 2);
    try {
      const ms = timeIt(tf, () => tf.neg(x), 5, 1).min;
      return (8 * c) / (ms / 1e3);
    } finally {
      x.dispose();
    }
  })();
  await tick(`calibrated copy ${((8 * c) / 2 ** 20).toFixed(0)} MiB`);

  const flopsPerToken = 6 * d * f;
  const weightBytesPerExpert = 3 * d * f * 4;
  const spec = machineSpec(peakFlops, bandwidthBytesPerSec, backend);
  const rows: GroupGemmRow[] = [];
  // Per-expert weights, created once per local-expert count: fused gate+up `[hiddenSize][2·expertFfnSize]`
  // (the usual `w13` layout) and down `[expertFfnSize][hiddenSize]`.
  // Weights of the largest expert count, created once; a point with L local experts uses the first L of them.
  // Points are measured in interleaved rounds (every point once per round), so a burst of load from other
  // processes hits all points alike instead of bending one part of the curve.
  const maxL = Math.max(o.fixedLocalExperts, ...o.localExpertCounts);
  const w13: tfc.Tensor2D[] = [];
  const w2: tfc.Tensor2D[] = [];
  const inputs: tfc.Tensor2D[][] = [];
  const times: number[][] = points.map(() => []);
  try {
    for (let e = 0; e < maxL; e++) {
      w13.push(tf.randomUniform([d, 2 * f], -0.05, 0.05, "float32", o.seed + 10 + 2 * e) as tfc.Tensor2D);
      w2.push(tf.randomUniform([f, d], -0.05, 0.05, "float32", o.seed + 11 + 2 * e) as tfc.Tensor2D);
    }
    points.forEach((pt, i) => {
      inputs.push(Array.from({ length: pt.L }, (_, e) => tf.randomUniform([pt.n, d], -1, 1, "float32", o.seed + 100003 * i + e) as tfc.Tensor2D));
    });
    const rounds = o.warmup + o.repeats;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < points.length; i++) {
        const pt = points[i];
        const ws13 = w13.slice(0, pt.L);
        const ws2 = w2.slice(0, pt.L);
        const ms = timeIt(tf, () => groupedSwiglu(tf, inputs[i], ws13, ws2), 1, 0).min;
        if (round >= o.warmup) times[i].push(ms);
        await tick(`round ${round + 1}/${rounds}: ${pt.sweep}, ${pt.L} experts × ${pt.n} tokens`);
      }
    }
  } finally {
    for (const t of [...w13, ...w2]) t.dispose();
    for (const xs of inputs) for (const t of xs) t.dispose();
  }
  points.forEach((pt, i) => {
    const ms = Math.min(...times[i]);
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
      medianTimeMs: median(times[i]),
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
  let trend = ".";
  if (first && last && first !== last) {
    const ratio = first.timePerTokenUs / last.timePerTokenUs;
    trend =
      `; with ${o.fixedLocalExperts} local experts the time per token ` +
      (ratio > 1
        ? `fell ${ratio.toFixed(1)}× from ${first.timePerTokenUs.toFixed(2)} µs at ${first.tokensPerExpert} token(s)/expert to ` +
          `${last.timePerTokenUs.toFixed(2)} µs at ${last.tokensPerExpert}.`
        : `did not fall (${first.timePerTokenUs.toFixed(2)} µs at ${first.tokensPerExpert} token(s)/expert, ` +
          `${last.timePerTokenUs.toFixed(2)} µs at ${last.tokensPerExpert}): this backend is compute-bound even at one token per ` +
          `expert, or the machine was busy (rerun to check).`);
  }
  const summary =
    `Measured on the ${backend} backend: SwiGLU experts of ${d}×${f} (float32), calibrated peak ${fmt(peakFlops)}FLOP/s and ` +
    `${fmt(bandwidthBytesPerSec)}B/s copy bandwidth (ridge ${ridge.toFixed(2)} FLOP/B)` +
    trend;
  return {
    backend,
    hiddenSize: d,
    expertFfnSize: f,
    bytesPerElement: 4,
    flopsPerToken,
    weightBytesPerExpert,
    calibration: { peakFlops, matmulSize: m, bandwidthBytesPerSec, copyBytes: 8 * c },
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
