/**
 * A small SwiGLU Mixture-of-Experts layer on TensorFlow.js, with seeded weights, a gate that uses the
 * library's router, and a reference forward pass that runs every expert on one device.
 *
 * Shapes (row-major, float32): hidden states `x: [tokens][hiddenSize]`; gate `[hiddenSize][numExperts]`;
 * per expert `w1, w3: [hiddenSize][expertFfnSize]` (gate and up projections) and
 * `w2: [expertFfnSize][hiddenSize]` (down projection). One expert computes
 * `y = (silu(x·w1) ⊙ (x·w3))·w2` with `silu(a) = a·sigmoid(a)`.
 *
 * The layer output for token t is `Σ_k weight[t][k] · y_{expert[t][k]}(x_t)` (+ the shared expert's output
 * when enabled), summed in k order by {@link combineExpertOutputs}, which the expert-parallel forward pass
 * (ep-forward.ts) shares so both paths add in the same order.
 */
import type * as tfc from "@tensorflow/tfjs-core";
import { createRng } from "../util/rng";
import { assertFinite, assertKnownKeys, assertNonNegativeInt, assertPositiveInt, show } from "../util/validate";
import { route } from "../routing";
import type { RouterOptions, RoutingResult } from "../routing";
import { getTf } from "./backend";

/** Options of {@link createMoeLayer}. */
export interface MoeLayerOptions {
  /** Model (hidden) dimension, elements per token. Required. */
  hiddenSize: number;
  /** Intermediate size of one routed expert's FFN, elements. Required. */
  expertFfnSize: number;
  /** Number of routed experts. Required. */
  numExperts: number;
  /** Routed experts per token (≤ numExperts). Required. */
  topK: number;
  /** Intermediate size of the always-on shared expert, elements; 0 disables it. Default 0. */
  sharedExpertFfnSize?: number;
  /** Seed of the weight generator (integer in [0, 2^32)). Default 0. */
  seed?: number;
  /** Router settings beyond numExperts/topK (scoring, numGroups, topkGroup, bias, normalize, routedScalingFactor). Default: softmax, normalized top-k. */
  router?: Omit<RouterOptions, "numExperts" | "topK" | "numSharedExperts">;
}

/** One SwiGLU expert's weights. */
export interface SwigluWeights {
  /** Gate projection `[hiddenSize][ffnSize]`. */
  readonly w1: tfc.Tensor2D;
  /** Up projection `[hiddenSize][ffnSize]`. */
  readonly w3: tfc.Tensor2D;
  /** Down projection `[ffnSize][hiddenSize]`. */
  readonly w2: tfc.Tensor2D;
}

/** A MoE layer: options, weights held as tensors (free them with `dispose()`). */
export interface MoeLayer {
  readonly hiddenSize: number;
  readonly expertFfnSize: number;
  readonly numExperts: number;
  readonly topK: number;
  readonly sharedExpertFfnSize: number;
  readonly seed: number;
  /** Full router options passed to `route`. */
  readonly routerOptions: RouterOptions;
  /** Gate weight `[hiddenSize][numExperts]`. */
  readonly gate: tfc.Tensor2D;
  /** Routed experts, index = logical expert id. */
  readonly experts: readonly SwigluWeights[];
  /** The shared expert, or null. */
  readonly shared: SwigluWeights | null;
  /** Parameters of one routed expert (3·hiddenSize·expertFfnSize). */
  readonly paramsPerExpert: number;
  /** Release every weight tensor. Safe to call twice. */
  dispose(): void;
  /** True after dispose(). */
  readonly disposed: boolean;
}

/** Result of a forward pass; plain arrays, no tensors left alive. */
export interface MoeForwardResult {
  /** Layer output `[tokens][hiddenSize]`. */
  output: Float32Array;
  /** The routing used (computed by the gate unless passed in). */
  routing: RoutingResult;
}

/**
 * Build a SwiGLU MoE layer with seeded random weights (normal, scaled by 1/√fanIn).
 * Needs an initialised backend (`await loadBackend()` first).
 *
 * @param options sizes and seed, see {@link MoeLayerOptions}
 * @returns the layer; call `layer.dispose()` when done to free its tensors
 * @throws {TypeError|RangeError} naming the option and value when a size is not a positive integer,
 *   topK > numExperts, or the seed is invalid; {Error} when the backend is not loaded
 * @example
 * await loadBackend();
 * const layer = createMoeLayer({ hiddenSize: 32, expertFfnSize: 64, numExperts: 8, topK: 2, seed: 1 });
 * const { output } = moeReferenceForward(layer, randomHidden(16, 32, 7));
 * layer.dispose();
 */
export function createMoeLayer(options: MoeLayerOptions): MoeLayer {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, got ${show(options)}`);
  assertKnownKeys("options", options, ["hiddenSize", "expertFfnSize", "numExperts", "topK", "sharedExpertFfnSize", "seed", "router"]);
  const { hiddenSize, expertFfnSize, numExperts, topK } = options;
  assertPositiveInt("hiddenSize", hiddenSize);
  assertPositiveInt("expertFfnSize", expertFfnSize);
  assertPositiveInt("numExperts", numExperts);
  assertPositiveInt("topK", topK);
  if (topK > numExperts) throw new RangeError(`topK (${topK}) must be ≤ numExperts (${numExperts})`);
  const sharedExpertFfnSize = options.sharedExpertFfnSize ?? 0;
  assertNonNegativeInt("sharedExpertFfnSize", sharedExpertFfnSize);
  const seed = options.seed ?? 0;
  assertNonNegativeInt("seed", seed);
  if (seed > 0xffffffff) throw new RangeError(`seed must be < 2^32, got ${seed}`);
  if (options.router !== undefined && (options.router === null || typeof options.router !== "object")) {
    throw new TypeError(`router must be an object, got ${show(options.router)}`);
  }
  // The layer sets numExperts, topK and numSharedExperts itself: a different value in `router` would be ignored.
  assertKnownKeys("options.router", options.router, ["scoring", "numGroups", "topkGroup", "groupScore", "bias", "normalize", "routedScalingFactor"]);
  const routerOptions: RouterOptions = {
    ...(options.router ?? {}),
    numExperts,
    topK,
    numSharedExperts: sharedExpertFfnSize > 0 ? 1 : 0,
  };
  // Check the router settings now (grouping, bias length, scaling…), not at the first forward pass: route one
  // token of zero logits, which runs every check of the router.
  try {
    route(new Float32Array(numExperts), routerOptions);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`options.router: ${e.message}`);
    if (e instanceof TypeError) throw new TypeError(`options.router: ${e.message}`);
    throw e;
  }

  const tf = getTf();
  const rng = createRng(seed);
  const normal = (n: number, scale: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
    return a;
  };
  const owned: tfc.Tensor[] = [];
  const t2 = (rows: number, cols: number, scale: number) => {
    const t = tf.tensor2d(normal(rows * cols, scale), [rows, cols], "float32");
    owned.push(t);
    return t;
  };
  const swiglu = (ffn: number): SwigluWeights =>
    Object.freeze({
      w1: t2(hiddenSize, ffn, 1 / Math.sqrt(hiddenSize)),
      w3: t2(hiddenSize, ffn, 1 / Math.sqrt(hiddenSize)),
      w2: t2(ffn, hiddenSize, 1 / Math.sqrt(ffn)),
    });
  const gate = t2(hiddenSize, numExperts, 1 / Math.sqrt(hiddenSize));
  const experts: SwigluWeights[] = [];
  for (let e = 0; e < numExperts; e++) experts.push(swiglu(expertFfnSize));
  const shared = sharedExpertFfnSize > 0 ? swiglu(sharedExpertFfnSize) : null;
  let disposed = false;
  const layer: MoeLayer = {
    hiddenSize,
    expertFfnSize,
    numExperts,
    topK,
    sharedExpertFfnSize,
    seed,
    routerOptions: Object.freeze(routerOptions),
    gate,
    experts: Object.freeze(experts),
    shared,
    paramsPerExpert: 3 * hiddenSize * expertFfnSize,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of owned) t.dispose();
    },
    get disposed() {
      return disposed;
    },
  };
  return Object.freeze(layer);
}

/**
 * Seeded random hidden states for experiments: `numTokens × hiddenSize` standard normals.
 * @param numTokens tokens (≥ 1)
 * @param hiddenSize elements per token (≥ 1)
 * @param seed integer in [0, 2^32)
 * @returns `Float32Array [tokens][hiddenSize]`
 * @throws {TypeError|RangeError} naming the parameter when not a valid integer
 * @example randomHidden(4, 8, 0).length; // 32
 */
export function randomHidden(numTokens: number, hiddenSize: number, seed: number): Float32Array {
  assertPositiveInt("numTokens", numTokens);
  assertPositiveInt("hiddenSize", hiddenSize);
  const rng = createRng(seed);
  const a = new Float32Array(numTokens * hiddenSize);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

/** Check a layer is usable. */
export function assertLayer(layer: MoeLayer): void {
  if (layer === null || typeof layer !== "object" || !Array.isArray(layer.experts) || typeof layer.hiddenSize !== "number") {
    throw new TypeError(`layer must be a MoeLayer from createMoeLayer(), got ${show(layer)}`);
  }
  if (layer.disposed) throw new RangeError("layer has been disposed");
}

/**
 * Validate hidden states against a layer.
 * @returns the number of tokens
 */
export function checkHidden(x: Float32Array, hiddenSize: number): number {
  if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array [tokens][hiddenSize], got ${show(x)}`);
  if (x.length === 0) throw new RangeError("x must not be empty");
  if (x.length % hiddenSize !== 0) {
    throw new RangeError(`x.length (${x.length}) must be divisible by hiddenSize (${hiddenSize})`);
  }
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) assertFinite(`x[${i}]`, x[i]);
  return x.length / hiddenSize;
}

/** Validate a routing result against a layer and token count. */
export function checkRouting(routing: RoutingResult, layer: MoeLayer, numTokens: number): void {
  if (routing === null || typeof routing !== "object") throw new TypeError(`routing must be a RoutingResult, got ${show(routing)}`);
  if (routing.numTokens !== numTokens) throw new RangeError(`routing.numTokens (${routing.numTokens}) must equal the tokens in x (${numTokens})`);
  if (routing.numExperts !== layer.numExperts) {
    throw new RangeError(`routing.numExperts (${routing.numExperts}) must equal layer.numExperts (${layer.numExperts})`);
  }
  if (routing.topK !== layer.topK) throw new RangeError(`routing.topK (${routing.topK}) must equal layer.topK (${layer.topK})`);
  const n = numTokens * layer.topK;
  if (!(routing.indices instanceof Int32Array) || routing.indices.length !== n) {
    throw new RangeError(`routing.indices must be an Int32Array of length tokens·topK = ${n}, got ${show(routing.indices)}`);
  }
  if (!(routing.weights instanceof Float32Array) || routing.weights.length !== n) {
    throw new RangeError(`routing.weights must be a Float32Array of length tokens·topK = ${n}, got ${show(routing.weights)}`);
  }
  for (let i = 0; i < n; i++) {
    const e = routing.indices[i];
    if (e < 0 || e >= layer.numExperts) throw new RangeError(`routing.indices[${i}] must be in [0, ${layer.numExperts}), got ${e}`);
    if (!Number.isFinite(routing.weights[i])) throw new RangeError(`routing.weights[${i}] must be finite, got ${routing.weights[i]}`);
  }
}

/**
 * The gate: router logits `x·gate` on the backend, then the library's `route` (top-k selection and weights).
 * @param layer the MoE layer
 * @param x hidden states `Float32Array [tokens][hiddenSize]`
 * @returns the routing (`indices`, `weights`: `[tokens][topK]`)
 * @throws {TypeError|RangeError} on a bad layer or bad x (wrong type, empty, length not divisible by hiddenSize, non-finite)
 * @example
 * await loadBackend();
 * const layer = createMoeLayer({ hiddenSize: 32, expertFfnSize: 64, numExperts: 8, topK: 2, seed: 1 });
 * gateForward(layer, randomHidden(8, layer.hiddenSize, 3)).indices.length; // 16 (8 tokens × top-2)
 */
export function gateForward(layer: MoeLayer, x: Float32Array): RoutingResult {
  assertLayer(layer);
  const numTokens = checkHidden(x, layer.hiddenSize);
  const tf = getTf();
  const logits = tf.tidy(() => tf.matMul(tf.tensor2d(x, [numTokens, layer.hiddenSize]), layer.gate).dataSync() as Float32Array);
  return route(logits, layer.routerOptions);
}

/** `(silu(x·w1) ⊙ (x·w3))·w2` for rows `x: [n][hiddenSize]` → `[n][hiddenSize]`. Call inside tf.tidy. */
export function swigluForward(tf: typeof tfc, x: tfc.Tensor2D, w: SwigluWeights): tfc.Tensor2D {
  const a = tf.matMul(x, w.w1);
  const b = tf.matMul(x, w.w3);
  return tf.matMul(tf.mul(tf.mul(a, tf.sigmoid(a)), b), w.w2);
}

/**
 * Weighted sum of expert outputs back into token order: `out[t] = Σ_k weights[t][k] · y[t·topK + k]`
 * (+ `sharedOut[t]`). Both forward passes call this, so they add in the same order. Call inside tf.tidy.
 * @param y expert outputs `[tokens·topK][hiddenSize]`, row `t·topK + k` for the k-th choice of token t
 * @param weights routing weights `[tokens][topK]`
 * @param sharedOut shared-expert output `[tokens][hiddenSize]` or null
 */
export function combineExpertOutputs(
  tf: typeof tfc,
  y: tfc.Tensor2D,
  weights: Float32Array,
  numTokens: number,
  topK: number,
  hiddenSize: number,
  sharedOut: tfc.Tensor2D | null,
): tfc.Tensor2D {
  const w = tf.tensor3d(weights, [numTokens, topK, 1], "float32");
  const yk = tf.reshape(y, [numTokens, topK, hiddenSize]);
  let out = tf.sum(tf.mul(yk, w), 1) as tfc.Tensor2D;
  if (sharedOut) out = tf.add(out, sharedOut);
  return out;
}

/**
 * Reference forward pass: every expert on one device. For each expert, the rows routed to it (in token
 * order) are packed into one matmul; outputs are put back in `(token, k)` order and combined.
 *
 * @param layer the MoE layer
 * @param x hidden states `Float32Array [tokens][hiddenSize]`
 * @param routing optional precomputed routing (default: {@link gateForward})
 * @returns the output `[tokens][hiddenSize]` and the routing used
 * @throws {TypeError|RangeError} on a bad layer, x or routing (shape, expert ids out of range)
 * @example
 * await loadBackend();
 * const layer = createMoeLayer({ hiddenSize: 32, expertFfnSize: 64, numExperts: 8, topK: 2, seed: 1 });
 * const { output, routing } = moeReferenceForward(layer, randomHidden(16, layer.hiddenSize, 1));
 * output.length; // 512 (16 tokens × hiddenSize 32)
 */
export function moeReferenceForward(layer: MoeLayer, x: Float32Array, routing?: RoutingResult): MoeForwardResult {
  assertLayer(layer);
  const numTokens = checkHidden(x, layer.hiddenSize);
  const r = routing ?? gateForward(layer, x);
  checkRouting(r, layer, numTokens);
  const { topK, hiddenSize, numExperts } = layer;
  const n = numTokens * topK;
  // Rows of each expert, in (token, k) order.
  const rowsOf: number[][] = Array.from({ length: numExperts }, () => []);
  for (let p = 0; p < n; p++) rowsOf[r.indices[p]].push(p);
  const order: number[] = [];
  for (const rows of rowsOf) for (const p of rows) order.push(p);
  const tf = getTf();
  const output = tf.tidy(() => {
    const xt = tf.tensor2d(x, [numTokens, hiddenSize]);
    const parts: tfc.Tensor2D[] = [];
    for (let e = 0; e < numExperts; e++) {
      const rows = rowsOf[e];
      if (rows.length === 0) continue;
      const tokens = tf.tensor1d(Int32Array.from(rows, (p) => Math.floor(p / topK)), "int32");
      parts.push(swigluForward(tf, tf.gather(xt, tokens) as tfc.Tensor2D, layer.experts[e]));
    }
    const packed = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tfc.Tensor2D);
    const y = tf.gather(packed, tf.tensor1d(inversePermutation(order), "int32")) as tfc.Tensor2D;
    const sharedOut = layer.shared ? swigluForward(tf, xt, layer.shared) : null;
    return combineExpertOutputs(tf, y, r.weights, numTokens, topK, hiddenSize, sharedOut).dataSync() as Float32Array;
  });
  return { output: Float32Array.from(output), routing: r };
}

/** `inv[order[i]] = i` for a permutation `order` of 0..n−1. */
export function inversePermutation(order: ArrayLike<number>): Int32Array {
  const inv = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) inv[order[i]] = i;
  return inv;
}
