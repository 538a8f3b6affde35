/**
 * Fused router kernels: one pass per token over the logits, no per-token allocation, and
 * `Math.exp` only for the few experts that can matter. They return exactly the picks of the
 * reference (`reference.ts`) and the same weights up to float32 rounding.
 *
 * Why it is fast. On this engine `Math.exp` costs about 15 ns, so scoring all 256 experts of a
 * token costs ~4 µs while reading its 256 logits costs ~0.15 µs. The selection only needs the
 * scores of the experts near the top, so:
 *
 * - **Sigmoid (and ready-made scores), with bias and groups.** The selection score of expert j,
 *   `sel_j(x) = f32(f32(σ(x)) + bias_j)`, rises with its logit x. For a threshold `g` on selection
 *   scores we precompute, once, a logit threshold `τ_j ≈ logit(g − bias_j)` per expert and the bound
 *   `U_j = sel_j(τ_j)` (plus one float32 step, a guard against `Math.exp` not being perfectly
 *   monotonic). Every logit below `τ_j` has a selection score ≤ `U_j`. The pass over a token writes
 *   each expert index into a candidate list and advances the list only when `x ≥ τ_j` (branch free).
 *   Only candidates are scored exactly. A group whose two best candidates both reach its bound
 *   `max U_j` has an exact top-2 sum; any other group gets an upper bound for its score. Groups are
 *   ranked on these values; if the kept ones are all exact (then no unkept group can truly beat
 *   them) and the k-th pick beats every bound of the kept groups, the result is provably the
 *   reference's; otherwise the token is recomputed exactly (well under 1 % of tokens on standard-normal
 *   logits; the threshold adapts to the data). The scores themselves come from {@link sigmoid32}.
 * - **Softmax without bias or group limit.** Softmax preserves the order of the logits, so the
 *   picks are the top-k logits, except where two logits are so close that their float32 scores
 *   could round to the same value (then the lower index would win). The kernel takes the top-(k+1)
 *   logits (same candidate trick with a guessed threshold), and if no two neighbours among them are
 *   closer than 1e-6 (but not equal) and the k-th is within 60 of the maximum (no float32
 *   underflow), the order of the logits is the order of the scores; otherwise the token is
 *   recomputed exactly. Weights are `e^(x_i − max) / Σ_picks e^(x − max)` times the scaling factor:
 *   the full softmax denominator cancels in the renormalisation, so only k exponentials are needed.
 *
 * Two kernels run this algorithm (`wasm.ts` chooses; both give bit-identical results, tested
 * against each other and against the reference):
 * - **WebAssembly SIMD** (default where the engine has it; source `wasm/routing-kernel.as.ts`).
 *   The JavaScript side still does the first token, the threshold adaptation between windows of
 *   32 tokens and every token the kernel cannot prove (it returns a status per token). The kernel
 *   compares four logits with their thresholds at once and packs the candidates' indices with a
 *   byte shuffle instead of a branch per expert, then gathers and scores four candidates at a time
 *   (two float64 pairs of {@link sigmoid32}'s operations in flight, the host's `Math.exp` in the
 *   same rare cases), takes each group's two best with vector max/min and ranks the groups (four at
 *   a time) and the kept candidates without data-dependent branches. Kept candidates below
 *   the lowest exact top value of the kept groups (when those are at least k values) cannot be
 *   picks and are not ranked.
 * - **TypeScript** (fallback, or when chosen with `setRoutingKernel("typescript")` /
 *   `EP_LAB_ROUTING_KERNEL=typescript`): {@link fastRow} below, one token at a time.
 * The softmax kernel's top-(k+1) comes from `topKIntoUnchecked`, which has the same two kernels.
 *
 * Internal to the routing module: `route` / `routeScores` (route.ts) validate and call these.
 */
import type { ResolvedRouterOptions } from "./reference";
import { topKIntoUnchecked } from "./topk";
import { routingKernel, wasmSelector, WASM_SELECT_MAX_ROWS } from "./wasm";

/** Smallest logit gap (in logit units) that guarantees two softmax scores round to different float32 values (ln(1+2⁻²²) ≈ 2.4e-7, with margin). */
const SOFTMAX_TIE_GAP = 1e-6;
/** The k-th pick may be at most this far below the row max (e^-60 / experts stays a normal float32). */
const SOFTMAX_RANGE = 60;
/** Tokens per adaptation window of the sigmoid threshold. */
const WINDOW = 32;

const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);

/** The next float32 value above v (v itself for +∞ or NaN; −∞ stays −∞). */
function nextUp32(v: number): number {
  if (!(v < Infinity) || v === -Infinity) return v;
  f32buf[0] = v;
  let r = f32buf[0];
  if (r > v) return r; // v was rounded up already
  if (r === 0) return 1.401298464324817e-45;
  const bits = i32buf[0];
  i32buf[0] = r > 0 ? bits + 1 : bits - 1;
  r = f32buf[0];
  return r;
}

// ---- float32 sigmoid without Math.exp (exact: falls back to Math.exp when it cannot prove the rounding) ----
// e^z = 2^(k/64) · e^r with k = round(64 z / ln 2), |r| ≤ ln2/128, e^r by a degree-5 Taylor polynomial
// (truncation < 4e-17); ln 2 / 64 split in two (fdlibm's ln2_hi has trailing zero bits, so k·C_HI is exact).
const C_HI = 6.93147180369123816490e-01 / 64;
const C_LO = 1.90821492927058770002e-10 / 64;
const INV_C = 64 / Math.LN2;
const ROUND_MAGIC = 6755399441055744; // 1.5 · 2^52: (x + M) − M rounds x to an integer
const EXP2_FRAC = Float64Array.from({ length: 64 }, (_, i) => Math.pow(2, i / 64));
const EXP2_INT = Float64Array.from({ length: 256 }, (_, i) => Math.pow(2, i - 128));
/**
 * Relative distance within which 1/(1+e^−x) computed here and with Math.exp are guaranteed to lie
 * (measured error of this e^z: < 1e-15; the margin is ~100×). If both ends of that interval round to
 * the same float32, that float32 is the reference's value.
 */
const SIGMOID_ETA = 1e-13;

/**
 * `Math.fround(1 / (1 + Math.exp(-v)))`, bit for bit, about 2.5× faster: a polynomial e^z whose
 * error is far below float32 resolution, and `Math.exp` only when the result lies within 1e-13
 * (relative) of a float32 rounding boundary (a few in a million) or |v| > 80.
 */
export function sigmoid32(v: number): number {
  const z = -v;
  if (!(z < 80 && z > -80)) return Math.fround(1 / (1 + Math.exp(z)));
  const kf = z * INV_C + ROUND_MAGIC - ROUND_MAGIC;
  const ki = kf | 0;
  const r = z - kf * C_HI - kf * C_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  const y = 1 / (1 + EXP2_INT[(ki >> 6) + 128] * EXP2_FRAC[ki & 63] * p);
  const lo = Math.fround(y * (1 - SIGMOID_ETA));
  if (lo === Math.fround(y * (1 + SIGMOID_ETA))) return lo;
  return Math.fround(1 / (1 + Math.exp(z)));
}

/** e^z with relative error < 1e-15 (the same polynomial, no rounding guard); Math.exp outside |z| < 80. */
function fastExp(z: number): number {
  if (!(z < 80 && z > -80)) return Math.exp(z);
  const kf = z * INV_C + ROUND_MAGIC - ROUND_MAGIC;
  const ki = kf | 0;
  const r = z - kf * C_HI - kf * C_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return EXP2_INT[(ki >> 6) + 128] * EXP2_FRAC[ki & 63] * p;
}

/** Throws the reference's error for the first non-finite logit of token t. */
function throwNonFinite(x: Float32Array, t: number, E: number, name: string): never {
  const base = t * E;
  for (let j = 0; j < E; j++) {
    const v = x[base + j];
    if (!(v - v === 0)) throw new RangeError(`${name} must be finite: token ${t}, expert ${j} is ${v}`);
  }
  throw new Error("internal: non-finite value reported but not found");
}

/** Scratch state of {@link fusedSelect}: allocated once per call, reused by every token. */
interface SelectState {
  x: Float32Array;
  E: number;
  k: number;
  limit: boolean;
  G: number;
  keepN: number;
  m: number;
  maxMode: boolean;
  sigmoid: boolean;
  bias: Float32Array;
  /** per-expert logit thresholds `[E]` */
  tau: Float64Array;
  /** per-group bound on non-candidate selection scores `[G]` */
  ug: Float64Array;
  cand: Int32Array;
  cs: Float64Array;
  cv: Float64Array;
  gStart: Int32Array;
  gVal: Float64Array;
  gExact: Uint8Array;
  keep: Uint8Array;
  bufV: Float64Array;
  bufP: Int32Array;
  rowS: Float64Array;
  rowSel: Float64Array;
  pickE: Int32Array;
  pickS: Float64Array;
  work: Float64Array;
  /** candidates of the last fast-path token */
  lastN: number;
}

/**
 * Group-limited routing over sigmoid scores of logits (`sigmoid = true`) or over given finite scores
 * (`sigmoid = false`, weights are then those scores), with optional bias. Writes `[tokens][topK]`.
 * @throws {RangeError} for a non-finite logit (sigmoid mode) or an unnormalisable token (after the whole pass)
 */
export function fusedSelect(
  x: Float32Array,
  numTokens: number,
  o: ResolvedRouterOptions,
  sigmoid: boolean,
  outIndices: Int32Array,
  outWeights: Float32Array,
): void {
  const E = o.numExperts;
  const k = o.topK;
  const limit = o.numGroups > 1 && o.topkGroup < o.numGroups;
  const G = limit ? o.numGroups : 1;
  const keepN = limit ? o.topkGroup : 1;
  const st: SelectState = {
    x, E, k, limit, G, keepN, m: E / G, maxMode: o.groupScore === "max", sigmoid,
    bias: o.bias ?? new Float32Array(E),
    tau: new Float64Array(E), ug: new Float64Array(G), cand: new Int32Array(E), cs: new Float64Array(E), cv: new Float64Array(E),
    gStart: new Int32Array(G + 1), gVal: new Float64Array(G), gExact: new Uint8Array(G), keep: new Uint8Array(G),
    bufV: new Float64Array(k), bufP: new Int32Array(k), rowS: new Float64Array(E), rowSel: new Float64Array(E),
    pickE: new Int32Array(k), pickS: new Float64Array(k), work: new Float64Array(E), lastN: 0,
  };
  const scale = o.routedScalingFactor;
  const normalize = o.normalize;
  const pickE = st.pickE;
  const pickS = st.pickS;
  let target = Math.min(E, Math.max(k + 8, 2 * k, 3 * keepN));
  let badToken = -1;
  let badSum = 0;
  let fallbacks = 0;
  let candTotal = 0;
  let lastFallback = -1;
  /** Writes token t's weights from pickE/pickS, as the reference: float64 sum of the float32 scores in pick order. */
  const emit = (t: number): void => {
    const ob = t * k;
    let sum = 0;
    for (let q = 0; q < k; q++) sum += pickS[q];
    if (normalize && !(sum > 0) && badToken < 0) {
      badToken = t;
      badSum = sum;
    }
    const factor = normalize ? scale / sum : scale;
    for (let q = 0; q < k; q++) {
      outIndices[ob + q] = pickE[q];
      outWeights[ob + q] = pickS[q] * factor;
    }
  };
  /**
   * At the end of each window of tokens (t = its last token), adapt the threshold: lower it when
   * fallbacks are frequent, raise it when candidates are many more than needed.
   */
  const adapt = (t: number): boolean => {
    let changed = false;
    if (fallbacks * 16 > WINDOW && lastFallback >= 0) {
      // st.rowSel still holds the last fallback token (exactRow ran for it last)
      target = Math.min(E, Math.ceil(target * 1.5));
      setThreshold(st, rankValue(st, st.rowSel, E, target));
      changed = true;
    } else if (candTotal > 3 * target * WINDOW) {
      exactRow(st, t);
      setThreshold(st, rankValue(st, st.rowSel, E, target));
      changed = true;
    }
    fallbacks = 0;
    candTotal = 0;
    return changed;
  };
  exactRow(st, 0);
  setThreshold(st, rankValue(st, st.rowSel, E, target));
  emit(0);
  if (routingKernel() === "wasm-simd" && numTokens > 1) {
    // the same algorithm, with the fast path of each window of tokens on the WebAssembly kernel;
    // tokens it cannot prove (or that hold a non-finite logit) come back to exactRow here, in order
    const w = wasmSelector({
      E, k, G, keepN, limit, maxMode: st.maxMode, sigmoid, normalize, scale, bias: st.bias, exp2Frac: EXP2_FRAC, exp2Int: EXP2_INT,
    });
    w.setThresholds(st.tau, st.ug);
    const status = new Int32Array(WASM_SELECT_MAX_ROWS);
    for (let t0 = 1; t0 < numTokens; ) {
      const t1 = Math.min(numTokens, (Math.floor(t0 / WINDOW) + 1) * WINDOW, t0 + WASM_SELECT_MAX_ROWS);
      candTotal += w.run(x, t0, t1, outIndices, outWeights, status);
      for (let t = t0; t < t1; t++) {
        const code = status[t - t0];
        if (code === 0) continue;
        if (code === 2) throwNonFinite(x, t, E, "logits");
        exactRow(st, t);
        if (code === 1) {
          fallbacks++;
          lastFallback = t;
        }
        emit(t);
      }
      if (t1 % WINDOW === 0 && adapt(t1 - 1)) w.setThresholds(st.tau, st.ug);
      t0 = t1;
    }
  } else {
    for (let t = 1; t < numTokens; t++) {
      if (fastRow(st, t)) {
        candTotal += st.lastN;
      } else {
        candTotal += st.lastN;
        exactRow(st, t);
        fallbacks++;
        lastFallback = t;
      }
      emit(t);
      if (t % WINDOW === WINDOW - 1) adapt(t);
    }
  }
  if (badToken >= 0) {
    throw new RangeError(`cannot renormalise token ${badToken}: its ${k} chosen scores sum to ${badSum}; pass normalize: false or check the logits`);
  }
}

/** Sets the thresholds τ_j and the group bounds from a selection-score threshold `gs`. */
function setThreshold(st: SelectState, gs: number): void {
  const { E, m, bias, tau, ug, sigmoid } = st;
  ug.fill(-Infinity);
  for (let j = 0; j < E; j++) {
    const b = bias[j];
    let t: number;
    let u: number;
    if (sigmoid) {
      const p = gs - b;
      t = p <= 0 ? -Infinity : p >= 1 ? Infinity : Math.log(p / (1 - p));
      u = Math.fround(Math.fround(1 / (1 + Math.exp(-t))) + b);
    } else {
      t = gs - b;
      u = Math.fround(t + b);
    }
    tau[j] = t;
    u = nextUp32(u);
    const grp = (j / m) | 0;
    if (u > ug[grp]) ug[grp] = u;
  }
}

/** The `r`-th largest of vals[0..n) (1 ≤ r ≤ n). */
function rankValue(st: SelectState, vals: Float64Array, n: number, r: number): number {
  const w = st.work.subarray(0, n);
  for (let i = 0; i < n; i++) w[i] = vals[i];
  w.sort();
  return w[n - r];
}

/** The reference algorithm for one token; fills pickE/pickS (and rowS/rowSel). */
function exactRow(st: SelectState, t: number): void {
  const { x, E, k, limit, G, keepN, m, maxMode, sigmoid, bias, rowS, rowSel, gVal, keep, bufV, bufP, pickE, pickS } = st;
  const base = t * E;
  for (let j = 0; j < E; j++) {
    const v = x[base + j];
    if (!(v - v === 0)) throwNonFinite(x, t, E, "logits");
    const s = sigmoid ? sigmoid32(v) : v;
    rowS[j] = s;
    rowSel[j] = Math.fround(s + bias[j]);
  }
  if (limit) {
    for (let grp = 0; grp < G; grp++) {
      let a = -Infinity;
      let b = -Infinity;
      for (let r = grp * m; r < (grp + 1) * m; r++) {
        const v = rowSel[r];
        if (v > a) {
          b = a;
          a = v;
        } else if (v > b) b = v;
      }
      gVal[grp] = maxMode ? a : Math.fround(a + b);
      keep[grp] = 0;
    }
    for (let n = 0; n < keepN; n++) {
      let best = -1;
      for (let grp = 0; grp < G; grp++) if (!keep[grp] && (best < 0 || gVal[grp] > gVal[best])) best = grp;
      keep[best] = 1;
    }
  }
  let c = 0;
  for (let j = 0; j < E; j++) {
    const v = limit && !keep[(j / m) | 0] ? -Infinity : rowSel[j];
    let p: number;
    if (c < k) p = c++;
    else if (v > bufV[k - 1]) p = k - 1;
    else continue;
    while (p > 0 && bufV[p - 1] < v) {
      bufV[p] = bufV[p - 1];
      bufP[p] = bufP[p - 1];
      p--;
    }
    bufV[p] = v;
    bufP[p] = j;
  }
  for (let q = 0; q < k; q++) {
    pickE[q] = bufP[q];
    pickS[q] = rowS[bufP[q]];
  }
}

/** The fast path for one token; fills pickE/pickS and returns true when the result is proven exact. */
function fastRow(st: SelectState, t: number): boolean {
  const { x, E, k, limit, G, keepN, m, maxMode, sigmoid, bias, tau, ug, cand, cs, cv, gStart, gVal, gExact, keep, bufV, bufP } = st;
  const base = t * E;
  // 1. Branch-free compaction against the per-expert logit thresholds. The float64 row sum is
  //    finite exactly when every logit is (256 float32 values cannot overflow a float64).
  let n = 0;
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  const E4 = E - (E & 3);
  for (; j < E4; j += 4) {
    const q = base + j;
    const v0 = x[q];
    const v1 = x[q + 1];
    const v2 = x[q + 2];
    const v3 = x[q + 3];
    cand[n] = j;
    n += +!(v0 < tau[j]);
    cand[n] = j + 1;
    n += +!(v1 < tau[j + 1]);
    cand[n] = j + 2;
    n += +!(v2 < tau[j + 2]);
    cand[n] = j + 3;
    n += +!(v3 < tau[j + 3]);
    s0 += v0 + v1;
    s1 += v2 + v3;
  }
  for (; j < E; j++) {
    const v = x[base + j];
    cand[n] = j;
    n += +!(v < tau[j]);
    s0 += v;
  }
  const rowSum = s0 + s1;
  if (!(rowSum - rowSum === 0)) throwNonFinite(x, t, E, "logits");
  st.lastN = n;
  // 2. Exact scores of the candidates.
  for (let p = 0; p < n; p++) {
    const e = cand[p];
    const s = sigmoid ? sigmoid32(x[base + e]) : x[base + e];
    cs[p] = s;
    cv[p] = Math.fround(s + bias[e]);
  }
  // 3. Group scores (exact, or an upper bound) and the greedy group choice of the reference.
  let bound = -Infinity; // largest selection score a non-candidate of a kept group can have
  if (limit) {
    let p = 0;
    for (let grp = 0; grp < G; grp++) {
      const end = (grp + 1) * m;
      gStart[grp] = p;
      let a = -Infinity;
      let b = -Infinity;
      while (p < n && cand[p] < end) {
        const v = cv[p];
        if (v > a) {
          b = a;
          a = v;
        } else if (v > b) b = v;
        p++;
      }
      const u = ug[grp];
      if (maxMode) {
        if (a >= u) {
          gVal[grp] = a;
          gExact[grp] = 1;
        } else {
          gVal[grp] = u;
          gExact[grp] = 0;
        }
      } else if (b >= u) {
        gVal[grp] = Math.fround(a + b);
        gExact[grp] = 1;
      } else {
        gVal[grp] = Math.fround((a > u ? a : u) + u);
        gExact[grp] = 0;
      }
      keep[grp] = 0;
    }
    gStart[G] = n;
    // Keep the keepN best groups by (score descending, index ascending), what the reference's
    // greedy loop picks, via branch-free ranks over exact scores and bounds. The choice stands if
    // every kept group is exact: each kept group then beats every unkept group u on the bounds,
    // and u's true score is ≤ its bound, so it also beats u on the true scores (equal values: the
    // lower index, in both rankings).
    for (let grp = 0; grp < G; grp++) {
      const v = gVal[grp];
      if (v !== v) return false; // NaN group score (±∞ selection scores): leave it to the reference loop
      let rank = 0;
      for (let h = 0; h < G; h++) rank += +(gVal[h] > v) | (+(gVal[h] === v) & +(h < grp));
      if (rank < keepN) {
        if (!gExact[grp]) return false;
        keep[grp] = 1;
        if (ug[grp] > bound) bound = ug[grp];
      }
    }
  } else {
    gStart[0] = 0;
    gStart[1] = n;
    keep[0] = 1;
    bound = ug[0];
  }
  // 4. Top-k among the candidates of the kept groups (index order; ties → lower index).
  let c = 0;
  for (let grp = 0; grp < G; grp++) {
    if (!keep[grp]) continue;
    const stop = gStart[grp + 1];
    for (let p = gStart[grp]; p < stop; p++) {
      const v = cv[p];
      let q: number;
      if (c < k) q = c++;
      else if (v > bufV[k - 1]) q = k - 1;
      else continue;
      while (q > 0 && bufV[q - 1] < v) {
        bufV[q] = bufV[q - 1];
        bufP[q] = bufP[q - 1];
        q--;
      }
      bufV[q] = v;
      bufP[q] = p;
    }
  }
  if (c < k || !(bufV[k - 1] > bound)) return false;
  const { pickE, pickS } = st;
  for (let q = 0; q < k; q++) {
    pickE[q] = cand[bufP[q]];
    pickS[q] = cs[bufP[q]];
  }
  return true;
}

/**
 * Softmax routing without bias or group limit, renormalised: picks = top-k logits (proven equal to
 * the top-k softmax scores, else recomputed exactly), weights from k exponentials. Writes `[tokens][topK]`.
 * @throws {RangeError} for a non-finite logit, naming token and expert
 */
export function fusedSoftmaxTopK(
  x: Float32Array,
  numTokens: number,
  E: number,
  k: number,
  scale: number,
  outIndices: Int32Array,
  outWeights: Float32Array,
): void {
  const need = Math.min(E, k + 1);
  const topI = new Int32Array(numTokens * need);
  const topV = new Float32Array(numTokens * need);
  topKIntoUnchecked(x, numTokens, E, need, topI, topV, true); // throws the router's error on a non-finite logit
  const rowE = new Float64Array(E);
  const bufV = new Float64Array(k);
  const bufI = new Int32Array(k);
  for (let t = 0; t < numTokens; t++) {
    const b = t * need;
    const max = topV[b];
    let exact = topV[b + k - 1] - max >= -SOFTMAX_RANGE;
    for (let q = 0; q < need - 1 && exact; q++) {
      const d = topV[b + q] - topV[b + q + 1];
      if (d > 0 && d <= SOFTMAX_TIE_GAP) exact = false;
    }
    const ob = t * k;
    if (exact) {
      let sum = 0;
      for (let q = 0; q < k; q++) {
        const ex = fastExp(topV[b + q] - max);
        rowE[q] = ex;
        sum += ex;
      }
      const factor = scale / sum;
      for (let q = 0; q < k; q++) {
        outIndices[ob + q] = topI[b + q];
        outWeights[ob + q] = rowE[q] * factor;
      }
    } else {
      exactSoftmaxRow(x, t * E, E, k, scale, rowE, bufV, bufI, outIndices, outWeights, ob);
    }
  }
}

/** The reference softmax + top-k + renormalisation for one token (rowE: scratch `[E]`, buffers ≥ k). */
function exactSoftmaxRow(
  x: Float32Array, base: number, E: number, k: number, scale: number,
  rowE: Float64Array, bufV: Float64Array, bufI: Int32Array, outIndices: Int32Array, outWeights: Float32Array, ob: number,
): void {
  let max = -Infinity;
  for (let j = 0; j < E; j++) if (x[base + j] > max) max = x[base + j];
  let sum = 0;
  for (let j = 0; j < E; j++) sum += Math.exp(x[base + j] - max);
  const inv = 1 / sum;
  for (let j = 0; j < E; j++) rowE[j] = Math.fround(Math.exp(x[base + j] - max) * inv);
  let c = 0;
  for (let j = 0; j < E; j++) {
    const v = rowE[j];
    let q: number;
    if (c < k) q = c++;
    else if (v > bufV[k - 1]) q = k - 1;
    else continue;
    while (q > 0 && bufV[q - 1] < v) {
      bufV[q] = bufV[q - 1];
      bufI[q] = bufI[q - 1];
      q--;
    }
    bufV[q] = v;
    bufI[q] = j;
  }
  let s = 0;
  for (let q = 0; q < k; q++) s += bufV[q];
  const factor = scale / s;
  for (let q = 0; q < k; q++) {
    outIndices[ob + q] = bufI[q];
    outWeights[ob + q] = bufV[q] * factor;
  }
}
