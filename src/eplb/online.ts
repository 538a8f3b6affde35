/**
 * Online EPLB: serve a drifting workload for many iterations, collect expert-load statistics over a sliding
 * window, and periodically re-run EPLB — paying for every expert copy that has to move.
 *
 * Per iteration t: (1) draw the load; (2) measure GPU balancedness of the placement in force (and of the
 * initial placement kept forever, the "static" baseline); (3) push the load into the window; (4) every
 * `rebalanceInterval` iterations, if no threshold is set or the windowed balancedness is below it, compute a
 * new placement from the window's summed load for all layers and queue the layers; (5) apply up to
 * `layersPerIteration` queued layers (layer-by-layer updates spread the copying over iterations). New
 * placements take effect from iteration t + 1.
 *
 * Moving cost: a slot whose expert changes must receive that expert's weights, `expertBytes` each. Bytes per
 * iteration = changed slots × expertBytes; GPUs copy in parallel over their own link, so the seconds are
 * `max over GPUs of (changed slots on it × expertBytes) / (linkBandwidthGBps · 1e9)`.
 * With `preservePlacement`, each GPU's new experts are re-ordered inside the GPU so an expert that stays on
 * the GPU keeps its old slot (the GPU load is unchanged; fewer slots change). With `placementAware`, each
 * rebalance is computed by `placementAwareRebalance` against the placement in force (same replica counts as the
 * re-plan, GPU sets matched to the old GPUs or the old placement kept and repaired; see placement-aware.ts).
 */
import { assertInRange, assertKnownKeys, assertPositive, assertPositiveInt } from "../util/validate";
import { placementAwareRebalance, resolvePlacementAwareOptions } from "./placement-aware";
import type { PlacementAwareOptions } from "./placement-aware";
import { rebalanceExpertsFlat } from "./rebalance";
import { createDriftingWorkload, DriftingWorkloadOptions } from "./workload";
import { checkIndexMatrix, checkLoadMatrix } from "./validate";

/** Default expert size: one DeepSeek-V3 routed expert in FP8, 3 matrices × 7168 × 2048 × 1 byte. */
export const DEFAULT_EXPERT_BYTES = 3 * 7168 * 2048;

/** Options for {@link simulateOnlineEplb}. Sizes are per layer; durations in iterations. */
export interface OnlineEplbOptions {
  /** MoE layers. Required. */
  numLayers: number;
  /** Logical experts per layer. Required. */
  numExperts: number;
  /** GPUs. Required. */
  numGpus: number;
  /** Physical slots per layer; default numExperts (no replicas). */
  numReplicas?: number;
  /** Expert groups; default 1. */
  numGroups?: number;
  /** Server nodes; default 1. */
  numNodes?: number;
  /** Iterations to simulate. Required. */
  iterations: number;
  /** Iterations of load statistics EPLB sees (sliding window); default 16. */
  windowSize?: number;
  /** Iterations between rebalance checks; default 16. */
  rebalanceInterval?: number;
  /** Only rebalance when the windowed balancedness (mean/max, mean over layers) is below this, in (0, 1]; default: always. */
  threshold?: number;
  /** Layers whose new placement is installed per iteration; default numLayers (all at once). */
  layersPerIteration?: number;
  /** Bytes of one expert's weights; default {@link DEFAULT_EXPERT_BYTES} (44,040,192). */
  expertBytes?: number;
  /** Per-GPU link bandwidth for copying experts, GB/s (1e9 bytes/s); default 50 (a 400 Gb/s NIC). */
  linkBandwidthGBps?: number;
  /** Keep experts that stay on a GPU in their old slot; default false. */
  preservePlacement?: boolean;
  /** Rebalance placement-aware (see placementAwareRebalance: same replica counts as the re-plan, fewest moved slots); `true` or its options; default false. Not together with preservePlacement. */
  placementAware?: boolean | PlacementAwareOptions;
  /** Drifting workload parameters (see createDriftingWorkload: tokensPerIteration, popularity, driftSigma, reversion, shiftEvery, noise, seed); ignored when `loads` is given. */
  workload?: Omit<DriftingWorkloadOptions, "numLayers" | "numExperts" | "numIterations">;
  /** Explicit loads `[iterations][layers][experts]` (tokens) instead of the generated workload. */
  loads?: ArrayLike<ArrayLike<ArrayLike<number>>>;
}

/** Plot-ready per-iteration series (all arrays have length `iterations`). */
export interface OnlineEplbResult {
  /** 0, 1, …, iterations − 1. */
  iteration: number[];
  /** Balancedness (mean/max GPU load, mean over layers) of the placement in force. */
  balancedness: number[];
  /** Same for the initial placement never updated. */
  staticBalancedness: number[];
  /** Imbalance ((max − mean)/mean, mean over layers) of the placement in force. */
  imbalance: number[];
  /** Slots whose expert changed at the end of this iteration. */
  movedSlots: number[];
  /** Bytes copied at the end of this iteration. */
  movedBytes: number[];
  /** Running total of movedBytes. */
  cumulativeMovedBytes: number[];
  /** Copy time at the end of this iteration, seconds (slowest GPU). */
  moveSeconds: number[];
  /** Iterations at which a rebalance was decided. */
  rebalanceIterations: number[];
  totalMovedSlots: number;
  totalMovedBytes: number;
  totalMoveSeconds: number;
  /** Mean of `balancedness` over iterations. */
  meanBalancedness: number;
  /** Mean of `staticBalancedness` over iterations. */
  meanStaticBalancedness: number;
}

/**
 * Re-order each GPU's experts so that experts already on that GPU keep their old slots.
 * GPU g owns slots g·S … (g+1)·S − 1 with S = slots/numGpus; the multiset of experts per GPU is unchanged.
 * @param oldPhy2log `[slots]` (or `[layers][slots]`) placement in force
 * @param newPhy2log `[slots]` (or `[layers][slots]`) placement to install
 * @param numGpus GPUs; must divide the slot count
 * @returns `{ phy2log, movedSlots }`: the re-ordered placement and how many slots still change
 * @throws {TypeError|RangeError} for mismatched shapes, negative/non-integer ids (or ids ≥ 2^31), or slots not divisible by numGpus
 * @example
 * preservePlacement([0, 1, 2, 3], [1, 0, 3, 2], 2); // { phy2log: [0, 1, 2, 3], movedSlots: 0 }
 */
export function preservePlacement(oldPhy2log: number[], newPhy2log: number[], numGpus: number): { phy2log: number[]; movedSlots: number };
export function preservePlacement(oldPhy2log: number[][], newPhy2log: number[][], numGpus: number): { phy2log: number[][]; movedSlots: number };
export function preservePlacement(oldPhy2log: unknown, newPhy2log: unknown, numGpus: number): { phy2log: number[] | number[][]; movedSlots: number } {
  const single = Array.isArray(oldPhy2log) && typeof oldPhy2log[0] === "number";
  const o = single ? [oldPhy2log as number[]] : (oldPhy2log as number[][]);
  const n = single ? [newPhy2log as number[]] : (newPhy2log as number[][]);
  // Ids are copied into Int32Arrays below, so they must be < 2^31 (larger ones would wrap silently).
  const [L, R] = checkIndexMatrix("oldPhy2log", o, 2 ** 31, "2^31");
  const [Ln, Rn] = checkIndexMatrix("newPhy2log", n, 2 ** 31, "2^31");
  if (L !== Ln || R !== Rn) throw new RangeError(`newPhy2log shape [${Ln}][${Rn}] must equal oldPhy2log shape [${L}][${R}]`);
  assertPositiveInt("numGpus", numGpus);
  if (R % numGpus !== 0) throw new RangeError(`slot count (${R}) must be divisible by numGpus (${numGpus})`);
  let moved = 0;
  const out: number[][] = [];
  for (let l = 0; l < L; l++) {
    const row = new Int32Array(R);
    moved += preserveRow(Int32Array.from(o[l]), Int32Array.from(n[l]), 0, row, R / numGpus);
    out.push(Array.from(row));
  }
  return { phy2log: single ? out[0] : out, movedSlots: moved };
}

/** Kernel: write into `out[0..R)` the re-ordered `next[off..off+R)`; returns slots that differ from `prev`. */
function preserveRow(prev: Int32Array, next: Int32Array, off: number, out: Int32Array, perGpu: number): number {
  const R = out.length;
  const need = new Map<number, number>();
  let moved = 0;
  for (let g = 0; g < R; g += perGpu) {
    need.clear();
    for (let k = g; k < g + perGpu; k++) need.set(next[off + k], (need.get(next[off + k]) ?? 0) + 1);
    for (let k = g; k < g + perGpu; k++) {
      const c = need.get(prev[k]) ?? 0;
      if (c > 0) {
        out[k] = prev[k];
        need.set(prev[k], c - 1);
      } else out[k] = -1;
    }
    let k = g;
    for (let j = g; j < g + perGpu; j++) {
      const e = next[off + j];
      const c = need.get(e) ?? 0;
      if (c === 0) continue;
      need.set(e, c - 1);
      while (out[k] !== -1) k++;
      out[k] = e;
      moved++;
    }
  }
  return moved;
}

function layerBalance(load: Float64Array, off: number, E: number, phy: Int32Array, R: number, P: number, loadsOut: Float64Array, cnt: Int32Array): [number, number] {
  cnt.fill(0);
  for (let s = 0; s < R; s++) cnt[phy[s]]++;
  loadsOut.fill(0);
  const per = R / P;
  for (let s = 0; s < R; s++) {
    const e = phy[s];
    loadsOut[(s / per) | 0] += load[off + e] / cnt[e];
  }
  let sum = 0;
  let max = 0;
  for (let g = 0; g < P; g++) {
    sum += loadsOut[g];
    if (loadsOut[g] > max) max = loadsOut[g];
  }
  if (max === 0) return [1, 0];
  const mean = sum / P;
  return [mean / max, (max - mean) / mean];
}

const ONLINE_EPLB_KEYS = [
  "numLayers", "numExperts", "numGpus", "numReplicas", "numGroups", "numNodes", "iterations", "windowSize",
  "rebalanceInterval", "threshold", "layersPerIteration", "expertBytes", "linkBandwidthGBps", "preservePlacement",
  "placementAware", "workload", "loads",
] as const;

/**
 * Simulate online EPLB over a drifting workload (see the file comment for the exact timeline).
 * The initial placement is EPLB on a uniform load (what a server does before it has statistics).
 * @param options see {@link OnlineEplbOptions}
 * @returns plot-ready per-iteration series and totals (see {@link OnlineEplbResult})
 * @throws {TypeError|RangeError} naming the bad option and value
 * @example
 * const r = simulateOnlineEplb({ numLayers: 2, numExperts: 16, numGpus: 4, numReplicas: 20, iterations: 64 });
 * r.balancedness.length; // 64 — plot r.iteration against r.balancedness and r.cumulativeMovedBytes
 */
export function simulateOnlineEplb(options: OnlineEplbOptions): OnlineEplbResult {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${String(options)}`);
  assertKnownKeys("options", options, ONLINE_EPLB_KEYS);
  const L = options.numLayers;
  const E = options.numExperts;
  const P = options.numGpus;
  const T = options.iterations;
  assertPositiveInt("options.numLayers", L);
  assertPositiveInt("options.numExperts", E);
  assertPositiveInt("options.numGpus", P);
  assertPositiveInt("options.iterations", T);
  const R = options.numReplicas ?? E;
  const config = { numReplicas: R, numGroups: options.numGroups ?? 1, numNodes: options.numNodes ?? 1, numGpus: P };
  const windowSize = options.windowSize ?? 16;
  const interval = options.rebalanceInterval ?? 16;
  const layersPerIteration = options.layersPerIteration ?? L;
  const expertBytes = options.expertBytes ?? DEFAULT_EXPERT_BYTES;
  const bandwidth = options.linkBandwidthGBps ?? 50;
  const preserve = options.preservePlacement ?? false;
  assertPositiveInt("options.windowSize", windowSize);
  assertPositiveInt("options.rebalanceInterval", interval);
  assertPositiveInt("options.layersPerIteration", layersPerIteration);
  assertPositive("options.expertBytes", expertBytes);
  assertPositive("options.linkBandwidthGBps", bandwidth);
  if (options.threshold !== undefined) {
    assertInRange("options.threshold", options.threshold, 0, 1);
    if (options.threshold === 0) throw new RangeError("options.threshold must be in (0, 1], got 0");
  }
  if (typeof preserve !== "boolean") throw new TypeError(`options.preservePlacement must be a boolean, got ${String(preserve)}`);
  const pa = options.placementAware ?? false;
  if (typeof pa !== "boolean" && (pa === null || typeof pa !== "object")) {
    throw new TypeError(`options.placementAware must be a boolean or an options object, got ${String(pa)}`);
  }
  if (pa !== false && preserve) throw new RangeError("give options.placementAware or options.preservePlacement, not both (placement-aware already keeps slots)");
  const paOptions: PlacementAwareOptions | null = pa === false ? null : pa === true ? {} : pa;
  if (paOptions) resolvePlacementAwareOptions(paOptions, "options.placementAware");
  if (options.workload !== undefined && (options.workload === null || typeof options.workload !== "object")) {
    throw new TypeError(`options.workload must be an object, got ${String(options.workload)}`);
  }
  // numLayers, numExperts and numIterations come from the simulation itself.
  assertKnownKeys("options.workload", options.workload, ["tokensPerIteration", "popularity", "zipfS", "driftSigma", "driftStd", "reversion", "shiftEvery", "noise", "seed"]);

  // Loads source: explicit series or the drifting generator.
  let nextLoad: (t: number) => ArrayLike<ArrayLike<number>>;
  if (options.loads !== undefined) {
    const loads = options.loads;
    if (!Array.isArray(loads) || loads.length !== T) {
      throw new RangeError(`options.loads must be an array of ${T} iterations, got ${Array.isArray(loads) ? `length ${loads.length}` : String(loads)}`);
    }
    for (let t = 0; t < T; t++) {
      const [l, e] = checkLoadMatrix(`options.loads[${t}]`, loads[t]);
      if (l !== L || e !== E) throw new RangeError(`options.loads[${t}] must be [${L}][${E}], got [${l}][${e}]`);
    }
    nextLoad = (t) => loads[t];
  } else {
    const wl = createDriftingWorkload({ ...(options.workload ?? {}), numLayers: L, numExperts: E, numIterations: T });
    nextLoad = () => wl.next();
  }

  // Initial placement (validates the cluster configuration too).
  const initial = rebalanceExpertsFlat(new Float64Array(L * E).fill(1), L, config).phy2log;
  const current = Int32Array.from(initial);
  const window = new Float64Array(windowSize * L * E);
  const windowSum = new Float64Array(L * E);
  const load = new Float64Array(L * E);
  const pending = new Int32Array(L * R);
  const isPending = new Uint8Array(L);
  let pendingCount = 0;
  let nextPendingLayer = 0;
  const gpuBuf = new Float64Array(P);
  const cnt = new Int32Array(E);
  const perGpu = R / P;
  const rowOut = new Int32Array(R);
  const movedPerGpu = new Int32Array(P);

  const res: OnlineEplbResult = {
    iteration: [], balancedness: [], staticBalancedness: [], imbalance: [], movedSlots: [], movedBytes: [],
    cumulativeMovedBytes: [], moveSeconds: [], rebalanceIterations: [],
    totalMovedSlots: 0, totalMovedBytes: 0, totalMoveSeconds: 0, meanBalancedness: 0, meanStaticBalancedness: 0,
  };
  for (let t = 0; t < T; t++) {
    const m = nextLoad(t);
    for (let l = 0; l < L; l++) for (let e = 0; e < E; e++) load[l * E + e] = m[l][e];
    let bal = 0;
    let imb = 0;
    let sbal = 0;
    for (let l = 0; l < L; l++) {
      const [b, i] = layerBalance(load, l * E, E, current.subarray(l * R, (l + 1) * R), R, P, gpuBuf, cnt);
      bal += b;
      imb += i;
      sbal += layerBalance(load, l * E, E, initial.subarray(l * R, (l + 1) * R), R, P, gpuBuf, cnt)[0];
    }
    res.iteration.push(t);
    res.balancedness.push(bal / L);
    res.imbalance.push(imb / L);
    res.staticBalancedness.push(sbal / L);

    // Sliding window of the last `windowSize` iterations.
    const slot = (t % windowSize) * L * E;
    for (let i = 0; i < L * E; i++) {
      windowSum[i] += load[i] - window[slot + i];
      window[slot + i] = load[i];
    }
    // Clean up accumulated rounding so integer loads stay exact.
    if (t % windowSize === windowSize - 1) {
      windowSum.fill(0);
      for (let w = 0; w < windowSize; w++) for (let i = 0; i < L * E; i++) windowSum[i] += window[w * L * E + i];
    }

    if ((t + 1) % interval === 0) {
      let trigger = true;
      if (options.threshold !== undefined) {
        let wb = 0;
        for (let l = 0; l < L; l++) wb += layerBalance(windowSum, l * E, E, current.subarray(l * R, (l + 1) * R), R, P, gpuBuf, cnt)[0];
        trigger = wb / L < options.threshold;
      }
      if (trigger) {
        res.rebalanceIterations.push(t);
        if (paOptions) {
          const wNested: number[][] = [];
          const cNested: number[][] = [];
          for (let l = 0; l < L; l++) {
            wNested.push(Array.from(windowSum.subarray(l * E, (l + 1) * E)));
            cNested.push(Array.from(current.subarray(l * R, (l + 1) * R)));
          }
          const plan = placementAwareRebalance(wNested, cNested, config, paOptions);
          for (let l = 0; l < L; l++) pending.set(plan.phy2log[l], l * R);
        } else pending.set(rebalanceExpertsFlat(windowSum, L, config).phy2log);
        isPending.fill(1);
        pendingCount = L;
        nextPendingLayer = 0;
      }
    }

    let movedSlots = 0;
    movedPerGpu.fill(0);
    for (let k = 0; k < layersPerIteration && pendingCount > 0; k++) {
      while (!isPending[nextPendingLayer]) nextPendingLayer++;
      const l = nextPendingLayer;
      isPending[l] = 0;
      pendingCount--;
      const cur = current.subarray(l * R, (l + 1) * R);
      if (preserve) preserveRow(cur, pending, l * R, rowOut, perGpu);
      else rowOut.set(pending.subarray(l * R, (l + 1) * R));
      for (let s = 0; s < R; s++) {
        if (rowOut[s] !== cur[s]) {
          movedSlots++;
          movedPerGpu[(s / perGpu) | 0]++;
        }
      }
      cur.set(rowOut);
    }
    let maxGpu = 0;
    for (let g = 0; g < P; g++) if (movedPerGpu[g] > maxGpu) maxGpu = movedPerGpu[g];
    const bytes = movedSlots * expertBytes;
    const seconds = (maxGpu * expertBytes) / (bandwidth * 1e9);
    res.movedSlots.push(movedSlots);
    res.movedBytes.push(bytes);
    res.totalMovedSlots += movedSlots;
    res.totalMovedBytes += bytes;
    res.totalMoveSeconds += seconds;
    res.cumulativeMovedBytes.push(res.totalMovedBytes);
    res.moveSeconds.push(seconds);
  }
  res.meanBalancedness = res.balancedness.reduce((a, b) => a + b, 0) / T;
  res.meanStaticBalancedness = res.staticBalancedness.reduce((a, b) => a + b, 0) / T;
  return res;
}
