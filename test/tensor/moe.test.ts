import { describe, it, expect, beforeAll, afterAll } from "vitest";
import {
  loadBackend,
  getTf,
  createMoeLayer,
  randomHidden,
  gateForward,
  moeReferenceForward,
  moeEpForward,
  planDispatch,
  epEquivalenceDemo,
  type MoeLayer,
  type BackendReport,
} from "../../src/tensor";
import { countExpertLoad, dispatchStats, REPLICA_RULES, type RoutingResult } from "../../src/routing";
import { rebalanceExperts } from "../../src/eplb";
import { createRng } from "../../src/util/rng";

let backend: BackendReport;
beforeAll(async () => {
  backend = await loadBackend();
});

const HIDDEN = 16;
const FFN = 24;
const EXPERTS = 8;
const TOP_K = 2;
const TOKENS = 20;

/** Float64 SwiGLU MoE from downloaded weights: an independent check that the reference computes the right thing. */
function naiveForward(layer: MoeLayer, x: Float32Array, routing: RoutingResult): Float64Array {
  const d = layer.hiddenSize;
  const get = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());
  const swiglu = (row: number[], w1: number[], w3: number[], w2: number[], f: number): number[] => {
    const h = new Array<number>(f).fill(0);
    for (let j = 0; j < f; j++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < d; i++) {
        a += row[i] * w1[i * f + j];
        b += row[i] * w3[i * f + j];
      }
      h[j] = (a / (1 + Math.exp(-a))) * b;
    }
    const y = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < f; j++) y[i] += h[j] * w2[j * d + i];
    return y;
  };
  const experts = layer.experts.map((e) => ({ w1: get(e.w1), w3: get(e.w3), w2: get(e.w2) }));
  const shared = layer.shared ? { w1: get(layer.shared.w1), w3: get(layer.shared.w3), w2: get(layer.shared.w2) } : null;
  const out = new Float64Array(x.length);
  for (let t = 0; t < routing.numTokens; t++) {
    const row = Array.from(x.subarray(t * d, (t + 1) * d));
    for (let k = 0; k < layer.topK; k++) {
      const e = routing.indices[t * layer.topK + k];
      const y = swiglu(row, experts[e].w1, experts[e].w3, experts[e].w2, layer.expertFfnSize);
      for (let i = 0; i < d; i++) out[t * d + i] += routing.weights[t * layer.topK + k] * y[i];
    }
    if (shared) {
      const y = swiglu(row, shared.w1, shared.w3, shared.w2, layer.sharedExpertFfnSize);
      for (let i = 0; i < d; i++) out[t * d + i] += y[i];
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** A random placement: a permutation of all experts, then `extra` random replicas, shuffled. */
function randomPlacement(seed: number, numExperts: number, numSlots: number): number[] {
  const rng = createRng(seed);
  const slots = Array.from({ length: numExperts }, (_, e) => e);
  while (slots.length < numSlots) slots.push(rng.int(0, numExperts - 1));
  for (let i = slots.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [slots[i], slots[j]] = [slots[j], slots[i]];
  }
  return slots;
}

describe("MoE layer: reference forward", () => {
  let layer: MoeLayer;
  beforeAll(() => {
    layer = createMoeLayer({ hiddenSize: HIDDEN, expertFfnSize: FFN, numExperts: EXPERTS, topK: TOP_K, sharedExpertFfnSize: 12, seed: 5 });
  });
  afterAll(() => layer.dispose());

  it("matches an independent float64 implementation within float32 rounding", () => {
    const x = randomHidden(TOKENS, HIDDEN, 11);
    const ref = moeReferenceForward(layer, x);
    expect(ref.output.length).toBe(TOKENS * HIDDEN);
    const naive = naiveForward(layer, x, ref.routing);
    // float32 products and sums of ~|1| values over ≤ 24 terms: relative error ~1e-6; 1e-4 of the output scale is generous.
    expect(maxAbsDiff(ref.output, naive)).toBeLessThan(1e-4 * Math.max(1, maxAbs(naive)));
  });

  it("is deterministic for a seed and different for another seed", () => {
    const x = randomHidden(TOKENS, HIDDEN, 12);
    const again = createMoeLayer({ hiddenSize: HIDDEN, expertFfnSize: FFN, numExperts: EXPERTS, topK: TOP_K, sharedExpertFfnSize: 12, seed: 5 });
    const other = createMoeLayer({ hiddenSize: HIDDEN, expertFfnSize: FFN, numExperts: EXPERTS, topK: TOP_K, sharedExpertFfnSize: 12, seed: 6 });
    try {
      expect(Array.from(moeReferenceForward(again, x).output)).toEqual(Array.from(moeReferenceForward(layer, x).output));
      expect(maxAbsDiff(moeReferenceForward(other, x).output, moeReferenceForward(layer, x).output)).toBeGreaterThan(1e-3);
    } finally {
      again.dispose();
      other.dispose();
    }
  });

  it("gate uses the router: topK distinct experts per token with normalised weights", () => {
    const r = gateForward(layer, randomHidden(TOKENS, HIDDEN, 13));
    expect(r.indices.length).toBe(TOKENS * TOP_K);
    for (let t = 0; t < TOKENS; t++) {
      const picks = new Set(Array.from(r.indices.subarray(t * TOP_K, (t + 1) * TOP_K)));
      expect(picks.size).toBe(TOP_K);
      const w = r.weights[t * TOP_K] + r.weights[t * TOP_K + 1];
      expect(Math.abs(w - 1)).toBeLessThan(1e-6);
    }
  });

  it("does not mutate its inputs", () => {
    const x = randomHidden(TOKENS, HIDDEN, 14);
    const copy = Float32Array.from(x);
    const routing = gateForward(layer, x);
    const idx = Int32Array.from(routing.indices);
    const w = Float32Array.from(routing.weights);
    moeReferenceForward(layer, x, routing);
    moeEpForward(layer, x, { phy2log: Object.freeze([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3]), epSize: 4, routing: Object.freeze(routing) });
    expect(Array.from(x)).toEqual(Array.from(copy));
    expect(Array.from(routing.indices)).toEqual(Array.from(idx));
    expect(Array.from(routing.weights)).toEqual(Array.from(w));
  });
});

describe("MoE layer: expert-parallel forward equals the reference", () => {
  // On cpu and wasm each output row of a matmul depends only on its own input row (the k-sum runs in the same
  // order whatever other rows are packed with it), gathers/slices/concats copy exactly, and the combine adds
  // in k order in both paths, so EP output must equal the reference BIT FOR BIT. On native TensorFlow (CPU
  // or GPU) the matmul algorithm may change with the number of rows (blocking, split-K), so there the
  // allowed difference is float32 rounding: 1e-5 × the output's largest magnitude (a few ulps of accumulated
  // error over hiddenSize + expertFfnSize ≈ 40 terms).
  const exact = () => backend.name === "wasm" || backend.name === "cpu";
  const tol = (ref: Float32Array) => (exact() ? 0 : 1e-5 * Math.max(1, maxAbs(ref)));

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: contiguous, EPLB with replicas and random placements × replica rules`, () => {
      const layer = createMoeLayer({
        hiddenSize: HIDDEN,
        expertFfnSize: FFN,
        numExperts: EXPERTS,
        topK: TOP_K,
        sharedExpertFfnSize: seed === 2 ? 0 : 12,
        seed,
      });
      try {
        const x = randomHidden(TOKENS + seed, HIDDEN, 100 + seed);
        const ref = moeReferenceForward(layer, x);
        const load = countExpertLoad(ref.routing.indices, EXPERTS);
        const eplb = rebalanceExperts([Array.from(load)], 12, 1, 1, 4);
        const placements: { name: string; phy2log: number[]; epSize: number }[] = [
          { name: "contiguous", phy2log: Array.from({ length: EXPERTS }, (_, e) => e), epSize: 4 },
          { name: "eplb", phy2log: eplb.phy2log[0], epSize: 4 },
          { name: "random-perm", phy2log: randomPlacement(seed, EXPERTS, EXPERTS), epSize: 2 },
          { name: "random-replicas", phy2log: randomPlacement(seed + 50, EXPERTS, 16), epSize: 4 },
          { name: "one-rank", phy2log: Array.from({ length: EXPERTS }, (_, e) => e), epSize: 1 },
        ];
        expect(new Set(eplb.phy2log[0]).size).toBe(EXPERTS); // EPLB covers every expert, with 4 replicas
        for (const p of placements) {
          for (const rule of REPLICA_RULES) {
            const numNodes = p.epSize % 2 === 0 ? 2 : 1;
            const ep = moeEpForward(layer, x, { phy2log: p.phy2log, epSize: p.epSize, numNodes, replicaRule: rule, routing: ref.routing });
            const diff = maxAbsDiff(ep.output, ref.output);
            expect(diff, `${p.name}/${rule}`).toBeLessThanOrEqual(tol(ref.output));
            // token counts and traffic equal the routing library's dispatch statistics, exactly
            const stats = dispatchStats(ref.routing, { phy2log: p.phy2log, numGpus: p.epSize, numNodes, replicaRule: rule });
            expect(Array.from(ep.plan.tokensPerExpert)).toEqual(Array.from(load));
            expect(Array.from(ep.plan.tokensPerSlot)).toEqual(Array.from(stats.tokensPerSlot));
            expect(Array.from(ep.plan.tokensPerRank)).toEqual(Array.from(stats.tokensPerGpu));
            expect(ep.plan.trafficTokens.flat()).toEqual(Array.from(stats.trafficTokens));
            expect(ep.plan.trafficCopies.flat()).toEqual(Array.from(stats.trafficCopies));
            // and are internally consistent: per-expert sums over replicas, per-rank sums over slots
            const perExpert = new Array<number>(EXPERTS).fill(0);
            p.phy2log.forEach((e, s) => (perExpert[e] += ep.plan.tokensPerSlot[s]));
            expect(perExpert).toEqual(Array.from(load));
            const perRank = new Array<number>(p.epSize).fill(0);
            ep.plan.tokensPerSlot.forEach((n, s) => (perRank[Math.floor(s / ep.plan.slotsPerRank)] += n));
            expect(Array.from(ep.plan.tokensPerRank)).toEqual(perRank);
            const colSums = ep.plan.trafficCopies[0].map((_, dst) => ep.plan.trafficCopies.reduce((s, row) => s + row[dst], 0));
            expect(colSums).toEqual(perRank);
            const home = new Array<number>(p.epSize).fill(0);
            ep.plan.sourceRank.forEach((r) => home[r]++);
            expect(ep.plan.trafficCopies.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(home.map((h) => h * TOP_K));
          }
        }
      } finally {
        layer.dispose();
      }
    });
  }

  it("the gate inside moeEpForward gives the same routing as the reference", () => {
    const layer = createMoeLayer({ hiddenSize: HIDDEN, expertFfnSize: FFN, numExperts: EXPERTS, topK: TOP_K, seed: 9 });
    try {
      const x = randomHidden(TOKENS, HIDDEN, 9);
      const ref = moeReferenceForward(layer, x);
      const ep = moeEpForward(layer, x, { phy2log: [7, 6, 5, 4, 3, 2, 1, 0], epSize: 2 });
      expect(Array.from(ep.routing.indices)).toEqual(Array.from(ref.routing.indices));
      expect(maxAbsDiff(ep.output, ref.output)).toBeLessThanOrEqual(tol(ref.output));
    } finally {
      layer.dispose();
    }
  });

  it("releases every intermediate tensor (tf.memory().numTensors does not grow)", () => {
    const tf = getTf();
    const layer = createMoeLayer({ hiddenSize: HIDDEN, expertFfnSize: FFN, numExperts: EXPERTS, topK: TOP_K, sharedExpertFfnSize: 8, seed: 4 });
    const x = randomHidden(TOKENS, HIDDEN, 4);
    const opts = { phy2log: [0, 1, 2, 3, 4, 5, 6, 7, 3, 5], epSize: 5, replicaRule: "least-loaded" as const };
    moeReferenceForward(layer, x);
    moeEpForward(layer, x, opts);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      moeReferenceForward(layer, x);
      moeEpForward(layer, x, opts);
      gateForward(layer, x);
    }
    expect(tf.memory().numTensors).toBe(before);
    const held = 1 + 3 * EXPERTS + 3; // gate + routed experts + shared expert
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before - held);
    layer.dispose(); // twice is safe
    expect(tf.memory().numTensors).toBe(before - held);
  });
});

describe("planDispatch", () => {
  // 4 tokens, 4 experts, top-2; slots [0 1 2 | 3 0 1] on 2 ranks: experts 0 and 1 have replicas on both ranks.
  const routing = Object.freeze({
    numTokens: 4,
    numExperts: 4,
    topK: 2,
    indices: Int32Array.from([0, 1, 0, 3, 0, 2, 1, 0]),
  });
  const phy2log = Object.freeze([0, 1, 2, 3, 0, 1]);

  it("round-robin: each source rank cycles over the replicas, rank r starting at replica r", () => {
    const p = planDispatch(routing, { phy2log, epSize: 2, replicaRule: "round-robin" });
    // tokens 0, 1 start on rank 0 and tokens 2, 3 on rank 1. Expert 0 from rank 0: pairs 0, 2 → replicas 0, 1
    // (slots 0, 4); from rank 1: pairs 4, 7 → replicas 1, 0 (slots 4, 0). Expert 1: pair 1 (rank 0) → slot 1,
    // pair 6 (rank 1) → slot 5.
    expect(Array.from(p.slotOf)).toEqual([0, 1, 4, 3, 4, 2, 5, 0]);
    expect(Array.from(p.rankOf)).toEqual([0, 0, 1, 1, 1, 0, 1, 0]);
    expect(Array.from(p.tokensPerRank)).toEqual([4, 4]);
    expect(Array.from(p.sourceRank)).toEqual([0, 0, 1, 1]);
    expect(p.trafficCopies).toEqual([
      [2, 2],
      [2, 2],
    ]);
    // tokens 0 and 1 each go to one rank (sent once); tokens 2 and 3 each go to both ranks
    expect(p.trafficTokens).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(Array.from(p.tokensPerExpert)).toEqual([4, 2, 1, 1]);
    expect(Array.from(p.activeSlotsPerRank)).toEqual([3, 3]);
    // receive buffers grouped by slot: slot 0 ← pairs 0, 7; 1 ← 1; 2 ← 5; 3 ← 3; 4 ← 2, 4; 5 ← 6
    expect(Array.from(p.rowOrder)).toEqual([0, 7, 1, 5, 3, 2, 4, 6]);
    expect(Array.from(p.slotRowStart)).toEqual([0, 2, 3, 4, 5, 7, 8]);
  });

  it("least-loaded sends each pair to the replica on the rank with the fewest pairs so far", () => {
    const p = planDispatch(routing, { phy2log, epSize: 2, replicaRule: "least-loaded" });
    // pair0 e0: 0/0 tie → slot 0 (r0=1); pair1 e1: 1 > 0 → slot 5 (r1=1); pair2 e0: tie → slot 0 (r0=2);
    // pair3 e3 → slot 3 (r1=2); pair4 e0: tie → slot 0 (r0=3); pair5 e2 → slot 2 (r0=4);
    // pair6 e1: 4 > 2 → slot 5 (r1=3); pair7 e0: 4 > 3 → slot 4 (r1=4)
    expect(Array.from(p.slotOf)).toEqual([0, 5, 0, 3, 0, 2, 5, 4]);
    expect(Array.from(p.tokensPerRank)).toEqual([4, 4]);
  });

  it("local-first keeps a pair on the token's own rank when a replica is there", () => {
    const p = planDispatch(routing, { phy2log, epSize: 2, replicaRule: "local-first" });
    expect(Array.from(p.slotOf)).toEqual([0, 1, 0, 3, 4, 2, 5, 4]);
    expect(p.trafficCopies).toEqual([
      [3, 1],
      [1, 3],
    ]);
  });

  it("least-loaded balances ranks within one pair when every expert has a replica on every rank", () => {
    const rng = createRng(77);
    const n = 50;
    const indices = Int32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? rng.int(0, 2) : 3));
    const p = planDispatch({ numTokens: n, numExperts: 4, topK: 2, indices }, { phy2log: [0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3], epSize: 3, replicaRule: "least-loaded" });
    const counts = Array.from(p.tokensPerRank);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    const rr = planDispatch({ numTokens: n, numExperts: 4, topK: 2, indices }, { phy2log: [0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3], epSize: 3, replicaRule: "round-robin" });
    // round-robin splits each source rank's pairs of an expert evenly over its replicas (within one per
    // source rank, so within 3 over the 3 source ranks)
    for (let e = 0; e < 4; e++) {
      const per = [0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3].map((x, s) => (x === e ? rr.tokensPerSlot[s] : -1)).filter((v) => v >= 0);
      expect(per).toHaveLength(3);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(3);
    }
  });

  it("rejects bad placements and options, naming the field", () => {
    expect(() => planDispatch(routing, { phy2log, epSize: 0 })).toThrow(/epSize/);
    expect(() => planDispatch(routing, { phy2log, epSize: 1.5 })).toThrow(RangeError);
    expect(() => planDispatch(routing, { phy2log, epSize: 4 })).toThrow(/divisible by epSize/);
    expect(() => planDispatch(routing, { phy2log: [], epSize: 1 })).toThrow(/phy2log must not be empty/);
    expect(() => planDispatch(routing, { phy2log: [0, 1, 2, 2], epSize: 2 })).toThrow(/no slot for expert 3/);
    expect(() => planDispatch(routing, { phy2log: [0, 1, 2, 4], epSize: 2 })).toThrow(/phy2log\[3\]/);
    expect(() => planDispatch(routing, { phy2log: [0, 1, 2, 3.5], epSize: 2 })).toThrow(/phy2log\[3\]/);
    expect(() => planDispatch(routing, { phy2log: [0, 1, 2, NaN], epSize: 2 })).toThrow(/phy2log\[3\]/);
    expect(() => planDispatch(routing, { phy2log: [[0, 1, 2, 3]] as never, epSize: 1 })).toThrow(/pass one layer's placement/);
    expect(() => planDispatch(routing, { phy2log: "0123" as unknown as number[], epSize: 2 })).toThrow(TypeError);
    expect(() => planDispatch(routing, { phy2log, epSize: 2, replicaRule: "random" as never })).toThrow(/replicaRule/);
    expect(() => planDispatch(routing, { phy2log, epSize: 2, numNodes: 0 })).toThrow(/numNodes/);
    expect(() => planDispatch(routing, { phy2log: [0, 1, 2, 3, 0, 1], epSize: 3, numNodes: 2 })).toThrow(/epSize \(3\) must be divisible by numNodes \(2\)/);
    expect(() => planDispatch({ ...routing, indices: Int32Array.from([0, 1, 0, 3, 0, 2, 1, 9]) }, { phy2log, epSize: 2 })).toThrow(/indices\[7\]/);
    expect(() => planDispatch({ ...routing, indices: new Int32Array(3) }, { phy2log, epSize: 2 })).toThrow(/routing.indices/);
    expect(() => planDispatch(null as never, { phy2log, epSize: 2 })).toThrow(TypeError);
    expect(() => planDispatch(routing, null as never)).toThrow(TypeError);
  });
});

describe("bad inputs", () => {
  let layer: MoeLayer;
  beforeAll(() => {
    layer = createMoeLayer({ hiddenSize: 8, expertFfnSize: 8, numExperts: 4, topK: 2 });
  });
  afterAll(() => layer.dispose());

  it("createMoeLayer validates every size", () => {
    const ok = { hiddenSize: 8, expertFfnSize: 8, numExperts: 4, topK: 2 };
    expect(() => createMoeLayer({ ...ok, hiddenSize: 0 })).toThrow(/hiddenSize/);
    expect(() => createMoeLayer({ ...ok, expertFfnSize: 2.5 })).toThrow(/expertFfnSize/);
    expect(() => createMoeLayer({ ...ok, numExperts: NaN })).toThrow(/numExperts/);
    expect(() => createMoeLayer({ ...ok, topK: 5 })).toThrow(/topK \(5\) must be ≤ numExperts \(4\)/);
    expect(() => createMoeLayer({ ...ok, sharedExpertFfnSize: -1 })).toThrow(/sharedExpertFfnSize/);
    expect(() => createMoeLayer({ ...ok, seed: -3 })).toThrow(/seed/);
    expect(() => createMoeLayer({ ...ok, router: 3 as never })).toThrow(/router/);
    expect(() => createMoeLayer(null as never)).toThrow(TypeError);
  });

  it("forward passes validate x, routing and the layer", () => {
    const x = randomHidden(3, 8, 1);
    expect(() => moeReferenceForward(layer, new Float32Array(0))).toThrow(/x must not be empty/);
    expect(() => moeReferenceForward(layer, new Float32Array(7))).toThrow(/divisible by hiddenSize/);
    expect(() => moeReferenceForward(layer, [1, 2] as never)).toThrow(TypeError);
    const bad = Float32Array.from(x);
    bad[5] = NaN;
    expect(() => moeEpForward(layer, bad, { phy2log: [0, 1, 2, 3], epSize: 2 })).toThrow(/x\[5\]/);
    const routing = gateForward(layer, x);
    expect(() => moeReferenceForward(layer, randomHidden(4, 8, 1), routing)).toThrow(/numTokens/);
    expect(() => moeReferenceForward(layer, x, { ...routing, topK: 1 })).toThrow(/topK/);
    const outOfRange = { ...routing, indices: Int32Array.from(routing.indices, () => 4) };
    expect(() => moeReferenceForward(layer, x, outOfRange)).toThrow(/routing.indices\[0\]/);
    expect(() => moeEpForward(layer, x, { phy2log: [0, 1, 2], epSize: 1 })).toThrow(/no slot for expert 3/);
    expect(() => moeEpForward(layer, x, null as never)).toThrow(TypeError);
    expect(() => gateForward({} as never, x)).toThrow(/layer/);
    const gone = createMoeLayer({ hiddenSize: 8, expertFfnSize: 8, numExperts: 4, topK: 2 });
    gone.dispose();
    expect(() => moeReferenceForward(gone, x)).toThrow(/disposed/);
    expect(() => randomHidden(0, 8, 1)).toThrow(/numTokens/);
    expect(() => randomHidden(2, 0, 1)).toThrow(/^hiddenSize must be ≥ 1, got 0/);
    expect(() => randomHidden(2, 8, -1)).toThrow(/^seed must be ≥ 0, got -1/);
    expect(() => randomHidden(2, 8, 0.5)).toThrow(/^seed must be an integer, got 0.5/);
    expect(() => randomHidden(2, 8, NaN)).toThrow(/^seed must be finite, got NaN/);
  });
});

describe("epEquivalenceDemo", () => {
  it("runs every placement × rule, equals the reference, and EPLB balances the ranks best", () => {
    const tf = getTf();
    const before = tf.memory().numTensors;
    const demo = epEquivalenceDemo({ hiddenSize: 16, expertFfnSize: 16, sharedExpertFfnSize: 8, numExperts: 8, topK: 2, numTokens: 96, epSize: 4, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(demo.rows).toHaveLength(3 * REPLICA_RULES.length);
    expect(demo.tokensPerExpert.reduce((a, b) => a + b, 0)).toBe(96 * 2);
    const exact = backend.name === "wasm" || backend.name === "cpu";
    for (const r of demo.rows) {
      if (exact) expect(r.bitIdentical, `${r.placement}/${r.replicaRule}`).toBe(true);
      else expect(r.maxAbsDiff).toBeLessThan(1e-4);
      expect(r.tokensPerRank.reduce((a, b) => a + b, 0)).toBe(96 * 2);
      expect(r.maxOverMean).toBeGreaterThanOrEqual(1);
    }
    const worst = (name: string) => Math.max(...demo.rows.filter((r) => r.placement.startsWith(name)).map((r) => r.maxOverMean));
    expect(worst("EPLB")).toBeLessThan(worst("contiguous"));
    expect(demo.summary).toContain(`${backend.name} backend`);
  });

  it("rejects bad options", () => {
    expect(() => epEquivalenceDemo({ skew: -1 })).toThrow(/skew/);
    expect(() => epEquivalenceDemo({ numExperts: 6, epSize: 4 })).toThrow(/numExperts \(6\) must be divisible by epSize \(4\)/);
    expect(() => epEquivalenceDemo({ numTokens: 0 })).toThrow(/numTokens/);
    expect(() => epEquivalenceDemo(null as never)).toThrow(TypeError);
    expect(() => epEquivalenceDemo(Object.freeze({ seed: 2 ** 32 - 1 }))).toThrow(/^seed must be ≤ 2\^32 − 3 .*got 4294967295/);
    expect(() => epEquivalenceDemo(Object.freeze({ seed: -1 }))).toThrow(/^seed must be ≥ 0, got -1/);
  });
});
