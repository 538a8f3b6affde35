// AssemblyScript source of the WebAssembly SIMD routing kernel (src/routing/wasm.ts loads it).
// Rebuild with `npm run build:wasm` (wasm/build.mjs), which writes src/routing/wasm-bytes.ts;
// test/routing/wasm.test.ts checks that the committed bytes equal a fresh build of this file.
//
// The kernel only ever reads and writes its own linear memory; the JavaScript side copies a chunk
// of rows in, calls a function, and copies the results out. All pointers are byte offsets chosen by
// the JavaScript side (above heapBase()). Nothing here allocates.
//
// Both kernels return exactly what the plain-TypeScript kernels (src/routing/topk.ts, fused.ts)
// return: the selection rules are the same and every float operation gives the same value; only
// the work is arranged for SIMD: the candidate filter compares four float32 lanes at once (the
// comparison mask turned into a bit mask whose set bits are the candidates), and the fused router
// scores four candidates at a time and ranks without data-dependent branches.

/** Math.exp of the host, used only when the polynomial cannot prove the float32 rounding. */
@external("env", "exp") declare function hostExp(x: f64): f64;

/** First byte free for the JavaScript side. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------- top-k over rows of scores

// threshold guess carried from row to row (and from chunk to chunk): see topKInto in topk.ts
let tg: f64 = -Infinity;
let tmu: f64 = NaN;
let tdelta: f64 = 0;

/** Forget the threshold guess (call before a new batch). */
export function topkReset(): void {
  tg = -Infinity;
  tmu = NaN;
  tdelta = 0;
}

/**
 * Byte shuffles that pack the selected i32 lanes of a v128 to its front, in lane order: entry m
 * (16 bytes) for the 4-bit lane mask m. Lets the candidate filter write candidates without a branch.
 */
const PACK: usize = memory.data<u8>([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 16);
/** Candidate rows with at most this many candidates are ranked with SIMD comparisons; longer lists use insertion. */
const RANK_MAX: i32 = 32;
/** Per row without a miss, the top-k guess's slack shrinks by this factor (a miss grows it ×1.5). */
const DELTA_SHRINK: f64 = 0.95;

/**
 * How many of the `nv` × 4 float32 values at `vals` rank above the value v at position i: larger, or equal at a lower
 * position (so on a tie the lower position wins). Padding of −∞ past the last value never counts (it is at higher
 * positions). Branch free.
 */
// @ts-ignore: decorator
@inline function rankAbove(vals: usize, nv: i32, i: i32, v: f32): i32 {
  const vi = f32x4.splat(v);
  const pi = i32x4.splat(i);
  const four = i32x4.splat(4);
  let acc = i32x4.splat(0);
  let pw = i32x4(0, 1, 2, 3);
  for (let q = 0; q < nv; q++) {
    const w = v128.load(vals + (<usize>q << 4));
    acc = i32x4.sub(acc, v128.or(f32x4.gt(w, vi), v128.and(f32x4.eq(w, vi), i32x4.lt_s(pw, pi))));
    pw = i32x4.add(pw, four);
  }
  return i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
}

/**
 * Top-k of each of `rows` rows of E float32 values at `inp`: indices to outI `[rows][k]` (i32),
 * values to outV `[rows][k]` (f32), by value descending, ties → lower index. Scratch: 2E + 2k + 16
 * words. `finite` = 0: NaN is rejected (−∞/+∞ allowed); 1: every non-finite value is rejected.
 * Returns −1, or the first row holding a rejected value (its outputs are then not written).
 *
 * Candidates are the values not below the threshold guess (`!(v < g)`, so NaN is one too, and is
 * caught among the candidates); with `finite`, a running lane-wise minimum catches −∞, which is
 * below every finite guess. Each group of four lanes is packed into the candidate lists (indices
 * and values) with a byte shuffle, without branches. A short list is ranked without branches too:
 * the rank of candidate i is the number of candidates with a larger value, or an equal value and a
 * lower index, and ranks below k are the picks.
 */
export function topkChunk(inp: usize, rows: i32, E: i32, k: i32, outI: usize, outV: usize, scratch: usize, finite: i32): i32 {
  const cand = scratch; // [E + 4] i32
  const cval = cand + ((<usize>E + 4) << 2); // [E + 4] f32
  const slotV = cval + ((<usize>E + 4) << 2); // [k + 1] f32
  const slotI = slotV + ((<usize>k + 1) << 2); // [k + 1] i32
  const E4 = E & ~3;
  const ninf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  const four = i32x4.splat(4);
  const eight = i32x4.splat(8);
  const twelve = i32x4.splat(12);
  const sixteen = i32x4.splat(16);
  const iota = i32x4(0, 1, 2, 3);
  for (let t = 0; t < rows; t++) {
    const row = inp + ((<usize>t * <usize>E) << 2);
    const bufV = outV + ((<usize>t * <usize>k) << 2);
    const bufI = outI + ((<usize>t * <usize>k) << 2);
    // collect candidates against the guess; when fewer than k reach it, once more against a guess
    // lower by three slacks (the row is in cache by then), and only then take the whole row
    let g = <f32>tg;
    let lo = f32x4.splat(Infinity);
    let n: i32 = 0;
    let badTail = false;
    let retried = false;
    while (true) {
      const gv = f32x4.splat(g);
      n = 0;
      let j: i32 = 0;
      let jv = iota;
      // sixteen lanes per iteration (four packs); the candidates' values are gathered afterwards
      const E16 = E & ~15;
      for (; j < E16; j += 16) {
        const p = row + (<usize>j << 2);
        const v0 = v128.load(p);
        const v1 = v128.load(p, 16);
        const v2 = v128.load(p, 32);
        const v3 = v128.load(p, 48);
        const m0 = ~i32x4.bitmask(f32x4.lt(v0, gv)) & 15;
        const m1 = ~i32x4.bitmask(f32x4.lt(v1, gv)) & 15;
        const m2 = ~i32x4.bitmask(f32x4.lt(v2, gv)) & 15;
        const m3 = ~i32x4.bitmask(f32x4.lt(v3, gv)) & 15;
        v128.store(cand + (<usize>n << 2), i8x16.swizzle(jv, v128.load(PACK + (<usize>m0 << 4))));
        n += popcnt<i32>(m0);
        v128.store(cand + (<usize>n << 2), i8x16.swizzle(i32x4.add(jv, four), v128.load(PACK + (<usize>m1 << 4))));
        n += popcnt<i32>(m1);
        v128.store(cand + (<usize>n << 2), i8x16.swizzle(i32x4.add(jv, eight), v128.load(PACK + (<usize>m2 << 4))));
        n += popcnt<i32>(m2);
        v128.store(cand + (<usize>n << 2), i8x16.swizzle(i32x4.add(jv, twelve), v128.load(PACK + (<usize>m3 << 4))));
        n += popcnt<i32>(m3);
        jv = i32x4.add(jv, sixteen);
        if (finite) lo = f32x4.pmin(lo, f32x4.pmin(f32x4.pmin(v0, v1), f32x4.pmin(v2, v3)));
      }
      for (; j < E4; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        const m = ~i32x4.bitmask(f32x4.lt(v, gv)) & 15;
        v128.store(cand + (<usize>n << 2), i8x16.swizzle(jv, v128.load(PACK + (<usize>m << 4))));
        n += popcnt<i32>(m);
        jv = i32x4.add(jv, four);
        if (finite) lo = f32x4.pmin(lo, v);
      }
      for (let q = 0; q < n; q++) store<f32>(cval + (<usize>q << 2), load<f32>(row + (<usize>load<i32>(cand + (<usize>q << 2)) << 2)));
      badTail = false;
      for (; j < E; j++) {
        const v = load<f32>(row + (<usize>j << 2));
        if (finite && v == -Infinity) badTail = true;
        if (!(v < g)) {
          store<i32>(cand + (<usize>n << 2), j);
          store<f32>(cval + (<usize>n << 2), v);
          n++;
        }
      }
      if (n >= k || retried || g == -Infinity) break;
      retried = true;
      g = <f32>(tg - 3 * tdelta);
      if (!(g < <f32>tg)) g = -Infinity;
    }
    if (finite && (badTail || v128.any_true(f32x4.eq(lo, ninf)))) return t;
    // every candidate is checked where it is ranked or inserted: NaN and, with `finite`, ±∞ are
    // candidates whatever g is
    const nv = (n + 3) >> 2;
    v128.store(cval + (<usize>n << 2), ninf); // padding that ranks below every candidate
    const whole = n < k;
    const missed = whole || retried;
    if (!whole && n <= RANK_MAX) {
      // branch-free ranks; slot k collects every candidate ranked k or lower
      for (let i = 0; i < n; i++) {
        const v = load<f32>(cval + (<usize>i << 2));
        if (finite ? v - v != 0 : v != v) return t;
        let r = rankAbove(cval, nv, i, v);
        r = r < k ? r : k;
        store<f32>(slotV + (<usize>r << 2), v);
        store<i32>(slotI + (<usize>r << 2), load<i32>(cand + (<usize>i << 2)));
      }
      for (let q = 0; q < k; q++) {
        store<f32>(bufV + (<usize>q << 2), load<f32>(slotV + (<usize>q << 2)));
        store<i32>(bufI + (<usize>q << 2), load<i32>(slotI + (<usize>q << 2)));
      }
    } else {
      // bounded insertion in index order (strict comparisons keep lower indices first on ties)
      const count = whole ? E : n;
      let c: i32 = 0;
      for (let x = 0; x < count; x++) {
        const e = whole ? x : load<i32>(cand + (<usize>x << 2));
        const v = load<f32>(row + (<usize>e << 2));
        if (finite ? v - v != 0 : v != v) return t;
        let p: i32;
        if (c < k) p = c++;
        else if (v > load<f32>(bufV + (<usize>(k - 1) << 2))) p = k - 1;
        else continue;
        while (p > 0) {
          const w = load<f32>(bufV + (<usize>(p - 1) << 2));
          if (!(w < v)) break;
          store<f32>(bufV + (<usize>p << 2), w);
          store<i32>(bufI + (<usize>p << 2), load<i32>(bufI + (<usize>(p - 1) << 2)));
          p--;
        }
        store<f32>(bufV + (<usize>p << 2), v);
        store<i32>(bufI + (<usize>p << 2), e);
      }
    }
    // next row's guess (the same rule as topKInto)
    const kth = <f64>load<f32>(bufV + (<usize>(k - 1) << 2));
    if (kth - kth == 0) {
      if (tmu != tmu) {
        tmu = kth;
        tdelta = <f64>load<f32>(bufV) - kth;
      } else tmu += (kth - tmu) * 0.125;
      if (missed) {
        let d = tdelta * 1.5;
        const a = abs(tmu) * 0.01;
        if (a > d) d = a;
        if (!(d > 1e-30)) d = 1e-30;
        tdelta = d;
      } else tdelta *= DELTA_SHRINK;
      tg = tmu - tdelta;
    } else {
      tmu = NaN;
      tg = -Infinity;
    }
  }
  return -1;
}

// ---------------------------------------------------------------- fused group-limited router

// configuration (selConfig) and scratch pointers
let sE: i32 = 0;
let sK: i32 = 0;
let sG: i32 = 1;
let sKeepN: i32 = 1;
let sM: i32 = 1;
let sLimit: bool = false;
let sMaxMode: bool = false;
let sSigmoid: bool = false;
let sNormalize: bool = false;
let sScale: f64 = 1;
let pTau: usize = 0; // [E] f32 logit thresholds (largest float32 ≤ τ_j)
let pBias: usize = 0; // [E] f32
let pUg: usize = 0; // [G] f32 group bounds
let pFrac: usize = 0; // [64] f64  2^(i/64)
let pInt: usize = 0; // [256] f64 2^(i−128)
let pCand: usize = 0; // [E + 4] i32
let pCx: usize = 0; // [E + 4] f32 logits of the candidates (four at a time, for sigmoid32x4)
let pCs: usize = 0; // [E + 4] f32 scores of candidates
let pCv: usize = 0; // [E + 4] f32 selection scores of candidates
let pGStart: usize = 0; // [G+1] i32
let pGVal: usize = 0; // [G + 4] f32
let pGExact: usize = 0; // [G] i32
let pKeep: usize = 0; // [G + 4] i32
let pBufV: usize = 0; // [k + 1] f32 (slot k collects the ranks ≥ k)
let pBufP: usize = 0; // [k + 1] i32
let pRv: usize = 0; // [E + 4] f32 selection scores of the kept candidates
let pRp: usize = 0; // [E + 4] i32 their positions in the candidate list
let pGLow: usize = 0; // [G + 4] f32 per group the lowest of its exact top values (b; a in max mode)

/**
 * Configure the fused router. Memory at `tables` holds, written by the caller: tau [E] f32, bias
 * [E] f32, ug [G] f32, 2^(i/64) [64] f64, 2^(i−128) [256] f64 (8-byte aligned: E and G multiples
 * handled by padding on the caller's side), then scratch of 6E + 5G + 2k + 48 words.
 */
export function selConfig(
  E: i32, k: i32, G: i32, keepN: i32, limit: i32, maxMode: i32, sigmoid: i32, normalize: i32, scale: f64,
  tau: usize, bias: usize, ug: usize, frac: usize, int: usize, scratch: usize,
): void {
  sE = E;
  sK = k;
  sG = G;
  sKeepN = keepN;
  sM = E / G;
  sLimit = limit != 0;
  sMaxMode = maxMode != 0;
  sSigmoid = sigmoid != 0;
  sNormalize = normalize != 0;
  sScale = scale;
  pTau = tau;
  pBias = bias;
  pUg = ug;
  pFrac = frac;
  pInt = int;
  pCand = scratch;
  pCx = pCand + ((<usize>E + 4) << 2);
  pCs = pCx + ((<usize>E + 4) << 2);
  pCv = pCs + ((<usize>E + 4) << 2);
  pGStart = pCv + ((<usize>E + 4) << 2);
  pGVal = pGStart + (<usize>(G + 1) << 2);
  pGExact = pGVal + ((<usize>G + 4) << 2);
  pKeep = pGExact + (<usize>G << 2);
  pBufV = pKeep + ((<usize>G + 4) << 2);
  pBufP = pBufV + ((<usize>k + 1) << 2);
  pRv = (pBufP + ((<usize>k + 1) << 2) + 15) & ~15;
  pRp = pRv + ((<usize>E + 4) << 2);
  pGLow = pRp + ((<usize>E + 4) << 2);
}

// e^z = 2^(k/64) · e^r, as sigmoid32 in fused.ts
const C_HI: f64 = 6.93147180369123816490e-01 / 64;
const C_LO: f64 = 1.90821492927058770002e-10 / 64;
const INV_C: f64 = 64 / 0.6931471805599453;
const ROUND_MAGIC: f64 = 6755399441055744;
const ETA_LO: f64 = 1 - 1e-13;
const ETA_HI: f64 = 1 + 1e-13;

/** float32(1 / (1 + e^−v)), bit for bit what the host's Math.exp gives (it is called when not provable). */
// @ts-ignore: decorator
@inline function sigmoid32(v: f64): f32 {
  const z = -v;
  if (!(z < 80 && z > -80)) return <f32>(1 / (1 + hostExp(z)));
  const kf = z * INV_C + ROUND_MAGIC - ROUND_MAGIC;
  const ki = <i32>kf;
  const r = z - kf * C_HI - kf * C_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))));
  const y = 1 / (1 + load<f64>(pInt + (<usize>((ki >> 6) + 128) << 3)) * load<f64>(pFrac + (<usize>(ki & 63) << 3)) * p);
  const lo = <f32>(y * ETA_LO);
  if (lo == <f32>(y * ETA_HI)) return lo;
  return <f32>(1 / (1 + hostExp(z)));
}

/**
 * 1 / (1 + e^z) in two float64 lanes, each lane exactly the float64 value sigmoid32 computes before
 * its rounding check (the same operations on the same values). |z| < 80 in both lanes.
 *
 * The integer k = round(64 z / ln 2) is read from the low 32 bits of z·64/ln2 + 1.5·2^52 (the sum's
 * unit in the last place is 1, so those bits are k in two's complement) instead of converting kf
 * back; 2^(k >> 6) (−116 ≤ k >> 6 ≤ 115) is built from exponent bits instead of looked up. Both
 * are exact, so the product with 2^((k & 63)/64) is the one sigmoid32 forms from its two tables.
 */
// @ts-ignore: decorator
@inline function sigmoidY2(z: v128): v128 {
  const sum = f64x2.add(f64x2.mul(z, f64x2.splat(INV_C)), f64x2.splat(ROUND_MAGIC)); // k in i32 lanes 0 and 2
  const kf = f64x2.sub(sum, f64x2.splat(ROUND_MAGIC));
  const r = f64x2.sub(f64x2.sub(z, f64x2.mul(kf, f64x2.splat(C_HI))), f64x2.mul(kf, f64x2.splat(C_LO)));
  let p = f64x2.add(f64x2.splat(1.0 / 24), f64x2.mul(r, f64x2.splat(1.0 / 120)));
  p = f64x2.add(f64x2.splat(1.0 / 6), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1), f64x2.mul(r, p));
  // 2^(k >> 6): biased exponent (k >> 6) + 1023 moved into the high word of each float64 lane
  const ex = i32x4.shl(i32x4.add(i32x4.shr_s(sum, 6), i32x4.splat(1023)), 20);
  const scale = v128.shuffle<i32>(ex, i32x4.splat(0), 4, 0, 4, 2);
  const k0 = i32x4.extract_lane(sum, 0) & 63;
  const k1 = i32x4.extract_lane(sum, 2) & 63;
  const frac = v128.load64_lane(pFrac + (<usize>k1 << 3), v128.load64_zero(pFrac + (<usize>k0 << 3)), 1);
  const tv = f64x2.mul(scale, frac);
  return f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), f64x2.mul(tv, p)));
}

/**
 * sigmoid32 of the four float32 values at `src`, written as float32 to `dst`: two independent
 * float64 pairs (sigmoidY2, so the same values bit for bit; two chains of dependent operations in
 * flight at once instead of one), scalar sigmoid32 when a lane is out of range, the host's exp for
 * a lane whose rounding the polynomial cannot prove. Reads and writes four values (the candidate
 * buffers have room for three past the end).
 */
// @ts-ignore: decorator
@inline function sigmoid32x4(src: usize, dst: usize): void {
  const x = v128.load(src);
  const zl = f64x2.neg(f64x2.promote_low_f32x4(x));
  const zh = f64x2.neg(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)));
  const lim = f64x2.splat(80);
  if (!i64x2.all_true(v128.and(f64x2.lt(f64x2.abs(zl), lim), f64x2.lt(f64x2.abs(zh), lim)))) {
    for (let i: usize = 0; i < 16; i += 4) store<f32>(dst + i, sigmoid32(<f64>load<f32>(src + i)));
    return;
  }
  const yl = sigmoidY2(zl);
  const yh = sigmoidY2(zh);
  // float32 roundings of both ends of the error interval, four lanes
  const eLo = f64x2.splat(ETA_LO);
  const eHi = f64x2.splat(ETA_HI);
  const lo = v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.mul(yl, eLo)), f32x4.demote_f64x2_zero(f64x2.mul(yh, eLo)), 0, 1, 4, 5);
  const hi = v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.mul(yl, eHi)), f32x4.demote_f64x2_zero(f64x2.mul(yh, eHi)), 0, 1, 4, 5);
  const same = i32x4.bitmask(f32x4.eq(lo, hi));
  v128.store(dst, lo);
  if (same != 15) {
    for (let i = 0; i < 4; i++) {
      if ((same >> i) & 1) continue;
      const z = -<f64>load<f32>(src + (<usize>i << 2));
      store<f32>(dst + (<usize>i << 2), <f32>(1 / (1 + hostExp(z))));
    }
  }
}

/** The float32 values at base[e_i] for the four i32 indices e_i of `e`. */
// @ts-ignore: decorator
@inline function gather4(base: usize, e: v128): v128 {
  let r = v128.load32_zero(base + (<usize>i32x4.extract_lane(e, 0) << 2));
  r = v128.load32_lane(base + (<usize>i32x4.extract_lane(e, 1) << 2), r, 1);
  r = v128.load32_lane(base + (<usize>i32x4.extract_lane(e, 2) << 2), r, 2);
  return v128.load32_lane(base + (<usize>i32x4.extract_lane(e, 3) << 2), r, 3);
}

/**
 * The fast path of fusedSelect (fused.ts, fastRow) for `rows` tokens at `inp`. Per token writes
 * status[t]: 0 = proven exact, picks and weights written to outI/outW `[rows][k]`; 1 = not proven
 * (the caller recomputes the token); 2 = a non-finite logit; 3 = picks proven but the chosen scores
 * do not sum to > 0 with normalize on (the caller reports it). Returns the candidates scored.
 */
export function selChunk(inp: usize, rows: i32, outI: usize, outW: usize, status: usize): i32 {
  const E = sE;
  const k = sK;
  const G = sG;
  const m = sM;
  const E4 = E & ~3;
  const zero = f32x4.splat(0);
  const four = i32x4.splat(4);
  const iota = i32x4(0, 1, 2, 3);
  const ninf = f32x4.splat(-Infinity);
  let candTotal: i32 = 0;
  // the pass's pointers in locals (a global is read from the instance at every use)
  const tauP = pTau;
  const candP = pCand;
  const cxP = pCx;
  for (let t = 0; t < rows; t++) {
    const row = inp + ((<usize>t * <usize>E) << 2);
    const st = status + (<usize>t << 2);
    // 1. candidates: logits ≥ their expert's threshold, packed four lanes at a time (indices and logits)
    let bad = i32x4.splat(0); // OR of x − x over the row: all bits zero exactly when every x is finite (NaN otherwise)
    let n: i32 = 0;
    let j: i32 = 0;
    let jv = iota;
    let gNext: i32 = 0; // the next group's first expert (its candidates start at n; used when groups are whole vectors)
    let gi: i32 = 0;
    for (; j < E4; j += 4) {
      if (j >= gNext) {
        store<i32>(pGStart + (<usize>gi << 2), n);
        gi++;
        gNext += m;
      }
      const off = <usize>j << 2;
      const v = v128.load(row + off);
      bad = v128.or(bad, f32x4.sub(v, v));
      const mask = i32x4.bitmask(f32x4.ge(v, v128.load(tauP + off)));
      v128.store(candP + (<usize>n << 2), i8x16.swizzle(jv, v128.load(PACK + (<usize>mask << 4))));
      n += popcnt<i32>(mask);
      jv = i32x4.add(jv, four);
    }
    let badTail = false;
    for (; j < E; j++) {
      while (j >= gNext) {
        store<i32>(pGStart + (<usize>gi << 2), n);
        gi++;
        gNext += m;
      }
      const v = load<f32>(row + (<usize>j << 2));
      if (v - v != 0) badTail = true;
      if (v >= load<f32>(pTau + (<usize>j << 2))) {
        store<i32>(pCand + (<usize>n << 2), j);
        n++;
      }
    }
    if (badTail || v128.any_true(bad)) {
      store<i32>(st, 2);
      continue;
    }
    candTotal += n;
    // 2. exact scores and selection scores of the candidates, four at a time: their logits and
    //    biases gathered by index (cheaper than packing every vector's logits in the pass). Lanes
    //    past the last candidate get index 0 and logit 0 (a sigmoid that is provable, and reads
    //    that stay inside the row and the bias table).
    v128.store(candP + (<usize>n << 2), zero);
    const nv = i32x4.splat(n);
    for (let p = 0; p < n; p += 4) {
      const e = v128.load(candP + (<usize>p << 2));
      const live = i32x4.lt_s(i32x4.add(i32x4.splat(p), iota), nv);
      const x = v128.and(gather4(row, e), live);
      const cs = pCs + (<usize>p << 2);
      if (sSigmoid) {
        v128.store(cxP + (<usize>p << 2), x);
        sigmoid32x4(cxP + (<usize>p << 2), cs);
      } else {
        v128.store(cs, x);
      }
      v128.store(pCv + (<usize>p << 2), f32x4.add(v128.load(cs), gather4(pBias, e)));
    }
    // 3. group scores (exact or an upper bound) and the reference's greedy group choice
    let bound: f32 = -Infinity;
    // the lowest exact top value of the kept groups; with at least k of them (2 per kept group, 1
    // in max mode), each of them a kept candidate, the k-th pick is at least this
    let low: f32 = Infinity;
    let ok = true;
    if (sLimit) {
      if ((m & 3) == 0) {
        // group starts as recorded by the pass (groups are whole vectors)
        store<i32>(pGStart + (<usize>G << 2), n);
      } else {
        // groups that are not whole vectors: find where each group's candidates start
        let p: i32 = 0;
        for (let grp = 0; grp < G; grp++) {
          store<i32>(pGStart + (<usize>grp << 2), p);
          const end = (grp + 1) * m;
          while (p < n && load<i32>(pCand + (<usize>p << 2)) < end) p++;
        }
        store<i32>(pGStart + (<usize>G << 2), n);
      }
      for (let grp = 0; grp < G; grp++) {
        // the two best selection scores among the group's candidates, kept in lane 0 of two
        // vectors: pmax/pmin are single instructions without branches (which random scores would
        // mispredict), and give the same values as fastRow's loop (no NaN, no −0 among them)
        let av = ninf;
        let bv = ninf;
        const stop = load<i32>(pGStart + (<usize>(grp + 1) << 2));
        for (let p = load<i32>(pGStart + (<usize>grp << 2)); p < stop; p++) {
          const v = v128.load32_zero(pCv + (<usize>p << 2));
          bv = f32x4.pmax(bv, f32x4.pmin(av, v));
          av = f32x4.pmax(av, v);
        }
        // the group's score if exact (its second best, in max mode its best, reaches the bound u
        // of its non-candidates), else the upper bound (max(a, u) + u; u in max mode), chosen
        // by a lane mask instead of a branch; lane 0 holds the values
        const uv = v128.load32_zero(pUg + (<usize>grp << 2));
        const top = sMaxMode ? av : bv;
        const exact = f32x4.ge(top, uv);
        const exactScore = sMaxMode ? av : f32x4.add(av, bv);
        const boundScore = sMaxMode ? uv : f32x4.add(f32x4.pmax(uv, av), uv);
        store<f32>(pGVal + (<usize>grp << 2), f32x4.extract_lane(v128.bitselect(exactScore, boundScore, exact), 0));
        store<i32>(pGExact + (<usize>grp << 2), i32x4.extract_lane(exact, 0) & 1);
        store<f32>(pGLow + (<usize>grp << 2), f32x4.extract_lane(top, 0));
      }
      // ranks by (score descending, index ascending), four groups at a time and without
      // branches: the rank of group g counts the groups h with a larger score, or an equal one
      // and h < g. The kept groups (rank < keepN) must all be exact; `bound` is the largest u and
      // `low` the lowest exact top value among them. Padding lanes (score −∞, index ≥ G) rank at
      // least G, so they are never kept. A NaN group score (±∞ selection scores) is left to the
      // reference loop.
      v128.store(pGVal + (<usize>G << 2), ninf);
      const keepN = i32x4.splat(sKeepN);
      let boundV = ninf;
      let lowV = f32x4.splat(Infinity);
      let fail = i32x4.splat(0);
      for (let q = 0; q < G; q += 4) {
        const w = v128.load(pGVal + (<usize>q << 2));
        const idx = i32x4.add(i32x4.splat(q), iota);
        let rank = i32x4.splat(0);
        for (let h = 0; h < G; h++) {
          const vh = f32x4.splat(load<f32>(pGVal + (<usize>h << 2)));
          rank = i32x4.sub(rank, v128.or(f32x4.gt(vh, w), v128.and(f32x4.eq(vh, w), i32x4.lt_s(i32x4.splat(h), idx))));
        }
        const kept = i32x4.lt_s(rank, keepN);
        v128.store(pKeep + (<usize>q << 2), v128.and(kept, i32x4.splat(1)));
        fail = v128.or(fail, v128.or(f32x4.ne(w, w), v128.andnot(kept, i32x4.ne(v128.load(pGExact + (<usize>q << 2)), i32x4.splat(0)))));
        boundV = f32x4.pmax(boundV, v128.bitselect(v128.load(pUg + (<usize>q << 2)), ninf, kept));
        lowV = f32x4.pmin(lowV, v128.bitselect(v128.load(pGLow + (<usize>q << 2)), f32x4.splat(Infinity), kept));
      }
      ok = !v128.any_true(fail);
      boundV = f32x4.pmax(boundV, v128.shuffle<f32>(boundV, boundV, 1, 0, 3, 2));
      bound = f32x4.extract_lane(f32x4.pmax(boundV, v128.shuffle<f32>(boundV, boundV, 2, 3, 0, 1)), 0);
      lowV = f32x4.pmin(lowV, v128.shuffle<f32>(lowV, lowV, 1, 0, 3, 2));
      low = f32x4.extract_lane(f32x4.pmin(lowV, v128.shuffle<f32>(lowV, lowV, 2, 3, 0, 1)), 0);
    } else {
      store<i32>(pGStart, 0);
      store<i32>(pGStart + 4, n);
      store<i32>(pKeep, 1);
      bound = load<f32>(pUg);
    }
    if (!sLimit || (sMaxMode ? sKeepN : 2 * sKeepN) < k) low = -Infinity;
    if (!ok) {
      store<i32>(st, 1);
      continue;
    }
    // 4. top-k among the candidates of the kept groups (index order; ties → lower index): the kept
    //    candidates above the bound are gathered (without a branch), then ranked without branches
    //    (or inserted, for a long list). The result is proven only if the k-th pick beats the bound,
    //    so a candidate at or below it can never be a proven pick: leaving it out changes nothing.
    //    Nor can one below `low` (k kept candidates reach it): when low > bound, those k are gathered
    //    and the k-th pick is still at least low; otherwise the bound already leaves them out.
    let nk: i32 = 0;
    for (let grp = 0; grp < G; grp++) {
      if (load<i32>(pKeep + (<usize>grp << 2)) == 0) continue;
      const stop = load<i32>(pGStart + (<usize>(grp + 1) << 2));
      for (let p = load<i32>(pGStart + (<usize>grp << 2)); p < stop; p++) {
        const v = load<f32>(pCv + (<usize>p << 2));
        store<f32>(pRv + (<usize>nk << 2), v);
        store<i32>(pRp + (<usize>nk << 2), p);
        nk += <i32>(v > bound) & <i32>(v >= low);
      }
    }
    if (nk < k) {
      store<i32>(st, 1);
      continue;
    }
    if (nk <= RANK_MAX) {
      v128.store(pRv + (<usize>nk << 2), f32x4.splat(-Infinity));
      const nv = (nk + 3) >> 2;
      for (let i = 0; i < nk; i++) {
        const v = load<f32>(pRv + (<usize>i << 2));
        let r = rankAbove(pRv, nv, i, v);
        r = r < k ? r : k;
        store<f32>(pBufV + (<usize>r << 2), v);
        store<i32>(pBufP + (<usize>r << 2), load<i32>(pRp + (<usize>i << 2)));
      }
    } else {
      let c: i32 = 0;
      for (let i = 0; i < nk; i++) {
        const v = load<f32>(pRv + (<usize>i << 2));
        let q: i32;
        if (c < k) q = c++;
        else if (v > load<f32>(pBufV + (<usize>(k - 1) << 2))) q = k - 1;
        else continue;
        while (q > 0) {
          const w = load<f32>(pBufV + (<usize>(q - 1) << 2));
          if (!(w < v)) break;
          store<f32>(pBufV + (<usize>q << 2), w);
          store<i32>(pBufP + (<usize>q << 2), load<i32>(pBufP + (<usize>(q - 1) << 2)));
          q--;
        }
        store<f32>(pBufV + (<usize>q << 2), v);
        store<i32>(pBufP + (<usize>q << 2), load<i32>(pRp + (<usize>i << 2)));
      }
    }
    if (!(load<f32>(pBufV + (<usize>(k - 1) << 2)) > bound)) {
      store<i32>(st, 1);
      continue;
    }
    // 5. weights, as the reference: float64 sum of the float32 scores in pick order
    let sum: f64 = 0;
    for (let q = 0; q < k; q++) sum += <f64>load<f32>(pCs + (<usize>load<i32>(pBufP + (<usize>q << 2)) << 2));
    if (sNormalize && !(sum > 0)) {
      store<i32>(st, 3);
      continue;
    }
    const factor = sNormalize ? sScale / sum : sScale;
    const o = (<usize>t * <usize>k) << 2;
    for (let q = 0; q < k; q++) {
      const pp = load<i32>(pBufP + (<usize>q << 2));
      store<i32>(outI + o + (<usize>q << 2), load<i32>(pCand + (<usize>pp << 2)));
      store<f32>(outW + o + (<usize>q << 2), <f32>(<f64>load<f32>(pCs + (<usize>pp << 2)) * factor));
    }
    store<i32>(st, 0);
  }
  return candTotal;
}
