/**
 * Routing benchmarks (`npm run bench -- --filter routing`), 65,536 tokens × 256 experts on one core.
 *
 * Every routing case runs beside two others on the same array in the same process, and its report
 * line gives the ratios (a shared, noisy machine changes the milliseconds far more than the ratios):
 * - the floor: `routing/floor-read-*`, one plain-JavaScript pass reading each value once; besides, each
 *   timed run of a fast case is preceded by its own (separately timed) single-pass read of the same
 *   array, and the report gives the median of those per-run ratios too ("paired"): the speed of a
 *   shared machine drifts by up to 2× within a minute, which moves the ratio of two medians taken
 *   seconds apart, but hardly the ratio of two calls made back to back;
 * - the naive code: the one-pass "sorted buffer of k" top-k loop, and for the router the kept
 *   reference implementation (`routeReference`: score every expert, bias into a new array, mask the
 *   dropped groups, top-k of the row), which gives exactly the same picks.
 *
 * - the other kernel: each fast case runs on the kernel chosen by default (WebAssembly SIMD where
 *   the engine has it; `EP_LAB_ROUTING_KERNEL=typescript` forces the fallback) and again, as
 *   `…-typescript`, on the plain-TypeScript kernel; the report line names the kernel that ran.
 *
 * Cases: top-k alone (softmax scores of standard-normal logits), DeepSeek-V3's router (sigmoid,
 * score-correction bias, 8 groups keep 4, top-8, scaling 2.5) and plain softmax top-8 routing on
 * standard-normal logits. `bench/routing-torch.ts` compares the router with a PyTorch gate.
 */
import type { BenchCase } from "../src/util/bench";
import { median } from "../src/util/stats";
import { topK, topKInto, softmax, route, syntheticLogits, expertPopularity, dispatchStats, routingKernel, setRoutingKernel, type RoutingKernel } from "../src/routing";
import { routeReference } from "../src/routing/route";
import { sortedTopK } from "../src/routing/reference";
import { EXPERTS, K, SOFTMAX_OPTIONS, TOKENS, dsv3Bias, dsv3Options, normalLogits, singlePassRead } from "./routing-data";

/** The baseline: one pass per row keeping a sorted buffer of k, inserting whenever a score beats the k-th. */
function naiveTopK(s: Float32Array, numTokens: number, numExperts: number, k: number): Int32Array {
  const out = new Int32Array(numTokens * k);
  sortedTopK(s, numTokens, numExperts, k, out);
  return out;
}

/** The context of the block-copy case: the scores and one block-sized destination. */
interface CopyCtx {
  s: Float32Array;
  block: Float32Array;
}
/** Copies `s` block by block into `block` (as the WebAssembly wrapper copies rows into the kernel's memory). */
function copyInBlocks(s: Float32Array, block: Float32Array): number {
  for (let i = 0; i < s.length; i += block.length) block.set(s.subarray(i, Math.min(s.length, i + block.length)));
  return block[0];
}

let cachedScores: Float32Array | undefined;
function scores(): Float32Array {
  cachedScores ??= softmax(normalLogits(TOKENS, EXPERTS, 0), TOKENS, EXPERTS);
  return cachedScores;
}
let cachedLogits: Float32Array | undefined;
function logits(): Float32Array {
  cachedLogits ??= normalLogits(TOKENS, EXPERTS, 1);
  return cachedLogits;
}
const bias = dsv3Bias(EXPERTS);
/** The context of the topKInto case: the scores and outputs allocated once. */
interface IntoCtx {
  s: Float32Array;
  out: { indices: Int32Array; values: Float32Array };
}

// Each timed call is also recorded here (the harness keeps its numbers to itself), so a case's
// report can put its median beside the floor's and the naive code's from the same run. Besides
// wall time, the process CPU time of each call is recorded: on a machine shared with other work the
// wall time includes waiting for a core, the CPU time (mostly) does not.
const samples = new Map<string, { skip: number; wall: number[]; cpu: number[] }>();
function timed<C>(name: string, warmup: number, fn: (ctx: C) => unknown): (ctx: C) => unknown {
  samples.set(name, { skip: warmup, wall: [], cpu: [] });
  return (ctx: C) => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = fn(ctx);
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    const s = samples.get(name)!;
    s.wall.push(wall);
    s.cpu.push((c.user + c.system) / 1000);
    return r;
  };
}
/**
 * As {@link timed}, and each call is preceded by a single-pass read of the same array (`data(ctx)`), timed on its own
 * and recorded as `${name} paired floor`; the harness records only the case's own time (`timedMs`).
 */
function pairedWithFloor<C>(name: string, warmup: number, data: (ctx: C) => Float32Array, fn: (ctx: C) => unknown): (ctx: C) => unknown {
  const floor = timed(`${name} paired floor`, warmup, (ctx: C) => singlePassRead(data(ctx)));
  const self = timed(name, warmup, fn);
  return (ctx: C) => {
    floor(ctx);
    const t0 = process.hrtime.bigint();
    self(ctx);
    return { timedMs: Number(process.hrtime.bigint() - t0) / 1e6 };
  };
}
/** Median of the per-call ratios of a {@link pairedWithFloor} case to the read timed just before each call. */
function pairedRatio(name: string, kind: "wall" | "cpu"): number {
  const s = samples.get(name);
  const f = samples.get(`${name} paired floor`);
  if (!s || !f) return NaN;
  const r = s[kind].slice(s.skip).map((v, i) => v / f[kind][s.skip + i]);
  return r.length === 0 ? NaN : median(r);
}
/** Median of a case's timed samples (NaN before it ran). */
function caseMedian(name: string, kind: "wall" | "cpu"): number {
  const s = samples.get(name);
  const ms = s ? s[kind].slice(s.skip) : [];
  return ms.length === 0 ? NaN : median(ms);
}
/** Runs fn on the given kernel, then goes back to the kernel chosen before. */
function onKernel<T>(kernel: RoutingKernel, fn: () => T): T {
  const before = routingKernel();
  setRoutingKernel(kernel);
  try {
    return fn();
  } finally {
    setRoutingKernel(before);
  }
}
/** Which kernel the default-choice cases ran on (set when they run). */
const ranOn = new Map<string, RoutingKernel>();
function noteKernel<C>(name: string, fn: (ctx: C) => unknown): (ctx: C) => unknown {
  return (ctx: C) => {
    ranOn.set(name, routingKernel());
    return fn(ctx);
  };
}
/** Report lines: this case against the floor and the naive code (medians of this run, wall and CPU time). */
function ratios(self: string, floor: string, naive: string, naiveLabel: string, floorLimit?: number, other?: string): string {
  const kernel = ranOn.get(self) ?? "typescript";
  const head = `kernel: ${kernel}` + (other ? `; ${(caseMedian(other, "cpu") / caseMedian(self, "cpu")).toFixed(2)}× faster (CPU time) than the typescript kernel (${caseMedian(other, "cpu").toFixed(1)} ms)` : "");
  return head + "\n" + (["wall", "cpu"] as const)
    .map((kind) => {
      const s = caseMedian(self, kind);
      const f = caseMedian(floor, kind);
      const n = caseMedian(naive, kind);
      const x = s / f;
      const p = pairedRatio(self, kind);
      const verdict = floorLimit === undefined ? "" : p <= floorLimit ? ` (≤ ${floorLimit}×: PASS)` : ` (≤ ${floorLimit}×: MISS)`;
      return `${kind === "wall" ? "wall" : "CPU "} ${s.toFixed(1)} ms = ${x.toFixed(2)}× the single-pass read (${f.toFixed(1)} ms); ` +
        `paired ${p.toFixed(2)}×${verdict}; ${(n / s).toFixed(1)}× faster than ${naiveLabel} (${n.toFixed(1)} ms)`;
    })
    .join("\n");
}

const F_SCORES = "routing/floor-read-scores-65536x256";
const F_LOGITS = "routing/floor-read-logits-65536x256";
const TOPK_NAIVE = "routing/topk-naive-reference-65536x256-k8";
const TOPK = "routing/topk-65536x256-k8";
const TOPK_INTO = "routing/topk-into-65536x256-k8";
const DSV3_REF = "routing/route-reference-dsv3-65536x256-sigmoid-g8-tg4-bias";
const DSV3 = "routing/route-dsv3-65536x256-sigmoid-g8-tg4-bias";
const SM_REF = "routing/route-reference-softmax-65536x256-k8";
const SM = "routing/route-softmax-65536x256-k8";
const COPY_BLOCKS = "routing/copy-scores-in-128KiB-blocks-65536x256";
const TOPK_TS = `${TOPK}-typescript`;
const DSV3_TS = `${DSV3}-typescript`;
const SM_TS = `${SM}-typescript`;

export const cases: BenchCase[] = [
  { name: F_SCORES, setup: () => scores(), run: timed(F_SCORES, 3, (s: Float32Array) => singlePassRead(s)), runs: 20 },
  { name: TOPK_NAIVE, setup: () => scores(), run: timed(TOPK_NAIVE, 3, (s: Float32Array) => naiveTopK(s, TOKENS, EXPERTS, K)), runs: 10 },
  { name: TOPK_TS, setup: () => scores(), run: timed(TOPK_TS, 2, (s: Float32Array) => onKernel("typescript", () => topK(s, TOKENS, EXPERTS, K))), runs: 10, warmup: 2 },
  {
    name: TOPK,
    setup: () => scores(),
    run: noteKernel(TOPK, pairedWithFloor(TOPK, 3, (s: Float32Array) => s, (s: Float32Array) => topK(s, TOKENS, EXPERTS, K))),
    runs: 20,
    report: () => ratios(TOPK, F_SCORES, TOPK_NAIVE, "the naive loop", undefined, TOPK_TS),
  },
  {
    // The same top-k into outputs allocated once (topKInto): the computation without two fresh 2 MiB arrays per call.
    name: TOPK_INTO,
    setup: () => ({ s: scores(), out: { indices: new Int32Array(TOKENS * K), values: new Float32Array(TOKENS * K) } }),
    run: noteKernel(
      TOPK_INTO,
      pairedWithFloor(TOPK_INTO, 3, (c: IntoCtx) => c.s, (c: IntoCtx) => topKInto(c.s, TOKENS, EXPERTS, K, c.out)),
    ),
    runs: 20,
    report: () => ratios(TOPK_INTO, F_SCORES, TOPK_NAIVE, "the naive loop", 2, TOPK_TS),
  },
  {
    // Where part of top-k's time goes: the wrapper copies the scores into the WebAssembly kernel's memory in blocks of
    // about 128 KiB before the kernel reads them. The same copies into a plain block-sized buffer.
    name: COPY_BLOCKS,
    setup: () => ({ s: scores(), block: new Float32Array(Math.floor(131072 / 4)) }),
    run: pairedWithFloor(COPY_BLOCKS, 3, (c: CopyCtx) => c.s, (c: CopyCtx) => copyInBlocks(c.s, c.block)),
    runs: 20,
    report: () => `paired ${pairedRatio(COPY_BLOCKS, "wall").toFixed(2)}× the single-pass read (wall), ${pairedRatio(COPY_BLOCKS, "cpu").toFixed(2)}× (CPU)`,
  },
  { name: F_LOGITS, setup: () => logits(), run: timed(F_LOGITS, 3, (l: Float32Array) => singlePassRead(l)), runs: 20 },
  { name: DSV3_REF, setup: () => logits(), run: timed(DSV3_REF, 1, (l: Float32Array) => routeReference(l, dsv3Options(bias))), runs: 5, warmup: 1 },
  { name: DSV3_TS, setup: () => logits(), run: timed(DSV3_TS, 2, (l: Float32Array) => onKernel("typescript", () => route(l, dsv3Options(bias)))), runs: 10, warmup: 2 },
  {
    name: DSV3,
    setup: () => logits(),
    run: noteKernel(DSV3, pairedWithFloor(DSV3, 3, (l: Float32Array) => l, (l: Float32Array) => route(l, dsv3Options(bias)))),
    runs: 20,
    targetMs: 110,
    report: () => ratios(DSV3, F_LOGITS, DSV3_REF, "the reference router", undefined, DSV3_TS),
  },
  { name: SM_REF, setup: () => logits(), run: timed(SM_REF, 1, (l: Float32Array) => routeReference(l, SOFTMAX_OPTIONS)), runs: 5, warmup: 1 },
  { name: SM_TS, setup: () => logits(), run: timed(SM_TS, 2, (l: Float32Array) => onKernel("typescript", () => route(l, SOFTMAX_OPTIONS))), runs: 10, warmup: 2 },
  {
    name: SM,
    setup: () => logits(),
    run: noteKernel(SM, pairedWithFloor(SM, 3, (l: Float32Array) => l, (l: Float32Array) => route(l, SOFTMAX_OPTIONS))),
    runs: 20,
    targetMs: 60,
    report: () => ratios(SM, F_LOGITS, SM_REF, "the reference router", undefined, SM_TS),
  },
  {
    name: "routing/dispatch-8192x256-k8-32gpus-4nodes",
    setup: () => {
      const pop = expertPopularity(EXPERTS, { kind: "zipf", zipfS: 1.1, seed: 3 });
      const r = route(syntheticLogits(pop, { numTokens: 8192, seed: 4 }), { numExperts: EXPERTS, topK: K });
      const phy2log = Array.from({ length: 288 }, (_, s) => s % EXPERTS); // 32 redundant slots
      return { r, phy2log };
    },
    run: ({ r, phy2log }: { r: ReturnType<typeof route>; phy2log: number[] }) => dispatchStats(r, { phy2log, numGpus: 32, numNodes: 4 }),
    runs: 10,
    warmup: 2,
  },
];
