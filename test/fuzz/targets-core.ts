/** Fuzz targets of src/routing, src/eplb and src/tensor (see registry.ts). */
import * as R from "../../src/routing";
import * as E from "../../src/eplb";
import * as T from "../../src/tensor";
import { register } from "./registry";

const f32 = (a: number[]) => new Float32Array(a);
const routing2 = () => ({ numTokens: 2, numExperts: 4, topK: 2, indices: new Int32Array([0, 2, 1, 3]), weights: f32([0.5, 0.5, 0.5, 0.5]) });
const cfg = () => ({ numReplicas: 4, numGroups: 1, numNodes: 1, numGpus: 2 });

register(
  // ---- routing
  { module: "routing", name: "softmax", fn: R.softmax, args: () => [f32([0, 1, 2, 3]), 1, 4], params: [{ name: "logits", kind: "array" }, { name: "numTokens", kind: "posInt" }, { name: "numExperts", kind: "posInt" }] },
  { module: "routing", name: "sigmoid", fn: R.sigmoid, args: () => [f32([0, 1, 2, 3]), 1, 4], params: [{ name: "logits", kind: "array" }, { name: "numTokens", kind: "posInt" }, { name: "numExperts", kind: "posInt" }] },
  { module: "routing", name: "scoreLogits", fn: R.scoreLogits, args: () => [f32([0, 1, 2, 3]), 1, 4, "softmax"], params: [{ name: "logits", kind: "array" }, { name: "numTokens", kind: "posInt" }, { name: "numExperts", kind: "posInt" }, { name: "scoring", kind: "string" }] },
  { module: "routing", name: "setRoutingKernel", fn: R.setRoutingKernel, args: () => ["auto"], params: [{ name: "kernel", kind: "string" }] },
  {
    module: "routing", name: "topKInto", fn: R.topKInto,
    args: () => [f32([0.1, 0.7, 0.2, 0.7]), 1, 4, 2, { indices: new Int32Array(2), values: new Float32Array(2) }],
    params: [{ name: "scores", kind: "array" }, { name: "numTokens", kind: "posInt" }, { name: "numExperts", kind: "posInt" }, { name: "k", kind: "posInt" }, { name: "out", kind: "options" }],
  },
  { module: "routing", name: "topK", fn: R.topK, args: () => [f32([0.1, 0.7, 0.2, 0.7]), 1, 4, 2], params: [{ name: "scores", kind: "array" }, { name: "numTokens", kind: "posInt" }, { name: "numExperts", kind: "posInt" }, { name: "k", kind: "posInt" }] },
  {
    module: "routing", name: "route", fn: R.route, args: () => [f32([2, 1, 0, 3]), { numExperts: 4, topK: 2 }],
    params: [{ name: "logits", kind: "array" }, { name: "options", kind: "options" }, { name: "numExperts", kind: "posInt", index: 1, key: "numExperts" }, { name: "topK", kind: "posInt", index: 1, key: "topK" }, { name: "numGroups", kind: "posInt", index: 1, key: "numGroups" }, { name: "routedScalingFactor", kind: "posNum", index: 1, key: "routedScalingFactor" }, { name: "numSharedExperts", kind: "nonNegInt", index: 1, key: "numSharedExperts" }],
  },
  { module: "routing", name: "countExpertLoad", fn: R.countExpertLoad, args: () => [new Int32Array([0, 2, 2, 1]), 4], params: [{ name: "indices", kind: "array" }, { name: "numExperts", kind: "posInt" }] },
  { module: "routing", name: "loadStats", fn: R.loadStats, args: () => [[2, 2, 4]], params: [{ name: "load", kind: "array" }] },
  { module: "routing", name: "sharedExpertLoad", fn: R.sharedExpertLoad, args: () => [4096, 1], params: [{ name: "numTokens", kind: "nonNegInt" }, { name: "numSharedExperts", kind: "nonNegInt" }] },
  {
    module: "routing", name: "expertPopularity", fn: R.expertPopularity, args: () => [8, { kind: "zipf", zipfS: 1 }],
    params: [{ name: "numExperts", kind: "posInt" }, { name: "options", kind: "options" }, { name: "zipfS", kind: "nonNegNum", index: 1, key: "zipfS" }, { name: "seed", kind: "nonNegInt", index: 1, key: "seed" }],
  },
  {
    module: "routing", name: "driftingPopularity", fn: R.driftingPopularity, args: () => [8, { numIterations: 4, seed: 1 }],
    params: [{ name: "numExperts", kind: "posInt" }, { name: "options", kind: "options" }, { name: "numIterations", kind: "posInt", index: 1, key: "numIterations" }, { name: "seed", kind: "nonNegInt", index: 1, key: "seed" }, { name: "driftSigma", kind: "nonNegNum", index: 1, key: "driftSigma" }],
  },
  {
    module: "routing", name: "sampleRouting", fn: R.sampleRouting, args: () => [R.expertPopularity(16, { kind: "zipf", zipfS: 1.1 }), { numTokens: 4, topK: 2, seed: 7 }],
    params: [{ name: "popularity", kind: "array" }, { name: "options", kind: "options" }, { name: "numTokens", kind: "posInt", index: 1, key: "numTokens" }, { name: "topK", kind: "posInt", index: 1, key: "topK" }, { name: "seed", kind: "nonNegInt", index: 1, key: "seed" }],
  },
  {
    module: "routing", name: "syntheticLogits", fn: R.syntheticLogits, args: () => [R.expertPopularity(8, { kind: "uniform" }), { numTokens: 2, seed: 3 }],
    params: [{ name: "popularity", kind: "array" }, { name: "options", kind: "options" }, { name: "numTokens", kind: "posInt", index: 1, key: "numTokens" }, { name: "seed", kind: "nonNegInt", index: 1, key: "seed" }],
  },
  {
    module: "routing", name: "loadMatrix", fn: R.loadMatrix, args: () => [{ numLayers: 2, numExperts: 12, numTokens: 100, topK: 2, seed: 1 }],
    params: [{ name: "options", kind: "options" }, { name: "numLayers", kind: "posInt", index: 0, key: "numLayers" }, { name: "numExperts", kind: "posInt", index: 0, key: "numExperts" }, { name: "numTokens", kind: "posInt", index: 0, key: "numTokens" }, { name: "topK", kind: "posInt", index: 0, key: "topK" }],
  },
  {
    module: "routing", name: "assignReplicas", fn: R.assignReplicas, args: () => [routing2(), { phy2log: [0, 1, 2, 3, 0, 1], numGpus: 2 }],
    params: [{ name: "routing", kind: "object" }, { name: "placement", kind: "options" }, { name: "numGpus", kind: "posInt", index: 1, key: "numGpus" }, { name: "phy2log", kind: "array", index: 1, key: "phy2log" }],
  },
  {
    module: "routing", name: "dispatchStats", fn: R.dispatchStats, args: () => [routing2(), { phy2log: [0, 1, 2, 3], numGpus: 2, numNodes: 1 }],
    params: [{ name: "routing", kind: "object" }, { name: "placement", kind: "options" }, { name: "numGpus", kind: "posInt", index: 1, key: "numGpus" }, { name: "numNodes", kind: "posInt", index: 1, key: "numNodes" }, { name: "phy2log", kind: "array", index: 1, key: "phy2log" }],
  },
  // ---- eplb
  { module: "eplb", name: "balancedPacking", fn: E.balancedPacking, args: () => [[5, 1, 4, 2], 2], params: [{ name: "weight", kind: "array" }, { name: "numPacks", kind: "posInt" }] },
  { module: "eplb", name: "replicateExperts", fn: E.replicateExperts, args: () => [[6, 1, 2], 5], params: [{ name: "weight", kind: "array" }, { name: "numReplicas", kind: "posInt" }] },
  { module: "eplb", name: "rebalanceExperts", fn: E.rebalanceExperts, args: () => [[[3, 1, 2, 2]], 4, 1, 1, 2], params: [{ name: "weight", kind: "array" }, { name: "numReplicas", kind: "posInt" }, { name: "numGroups", kind: "posInt" }, { name: "numNodes", kind: "posInt" }, { name: "numGpus", kind: "posInt" }] },
  {
    module: "eplb", name: "rebalanceExpertsFlat", fn: E.rebalanceExpertsFlat, args: () => [f32([3, 1, 2, 2]), 1, cfg()],
    params: [{ name: "weight", kind: "array" }, { name: "numLayers", kind: "posInt" }, { name: "config", kind: "options" }, { name: "numReplicas", kind: "posInt", index: 2, key: "numReplicas" }, { name: "numGpus", kind: "posInt", index: 2, key: "numGpus" }],
  },
  { module: "eplb", name: "eplbPolicy", fn: E.eplbPolicy, args: () => [8, 4], params: [{ name: "numGroups", kind: "posInt" }, { name: "numNodes", kind: "posInt" }] },
  { module: "eplb", name: "gpuLoads", fn: E.gpuLoads, args: () => [[6, 2, 2, 2], [0, 0, 1, 2, 3, 0], 3], params: [{ name: "load", kind: "array" }, { name: "phy2log", kind: "array" }, { name: "numGpus", kind: "posInt" }] },
  { module: "eplb", name: "balancedness", fn: E.balancedness, args: () => [[4, 2, 2, 0]], params: [{ name: "gpuLoads", kind: "array" }] },
  { module: "eplb", name: "imbalance", fn: E.imbalance, args: () => [[4, 2, 2, 0]], params: [{ name: "gpuLoads", kind: "array" }] },
  { module: "eplb", name: "balancednessPerLayer", fn: E.balancednessPerLayer, args: () => [[[1, 1], [3, 1]]], params: [{ name: "gpuLoads", kind: "array" }] },
  { module: "eplb", name: "imbalancePerLayer", fn: E.imbalancePerLayer, args: () => [[[1, 1], [3, 1]]], params: [{ name: "gpuLoads", kind: "array" }] },
  { module: "eplb", name: "placementMetrics", fn: E.placementMetrics, args: () => [[[3, 1]], [[0, 1]], 2], params: [{ name: "load", kind: "array" }, { name: "phy2log", kind: "array" }, { name: "numGpus", kind: "posInt" }] },
  { module: "eplb", name: "preservePlacement", fn: E.preservePlacement, args: () => [[0, 1, 2, 3], [1, 0, 3, 2], 2], params: [{ name: "oldPhy2log", kind: "array" }, { name: "newPhy2log", kind: "array" }, { name: "numGpus", kind: "posInt" }] },
  { module: "eplb", name: "contiguousPlacement", fn: E.contiguousPlacement, args: () => [8, 4], params: [{ name: "numExperts", kind: "posInt" }, { name: "numGpus", kind: "posInt" }] },
  { module: "eplb", name: "greedyPlacement", fn: E.greedyPlacement, args: () => [[8, 1, 1, 1, 1, 4], 2], params: [{ name: "load", kind: "array" }, { name: "numGpus", kind: "posInt" }] },
  { module: "eplb", name: "hungarianMax", fn: E.hungarianMax, args: () => [[[1, 5], [4, 1]]], params: [{ name: "value", kind: "array" }] },
  {
    module: "eplb", name: "planLayer", fn: E.planLayer, args: () => [[10, 2, 3, 1, 6, 2, 1, 7], { numGpus: 4, numReplicas: 12 }],
    params: [{ name: "load", kind: "array" }, { name: "options", kind: "options" }, { name: "numGpus", kind: "posInt", index: 1, key: "numGpus" }, { name: "numReplicas", kind: "posInt", index: 1, key: "numReplicas" }],
  },
  {
    module: "eplb", name: "compareStrategies", fn: E.compareStrategies, args: () => [[10, 2, 3, 1, 6, 2, 1, 7], { numGpus: 4, numReplicas: 12 }],
    params: [{ name: "load", kind: "array" }, { name: "options", kind: "options" }, { name: "numGpus", kind: "posInt", index: 1, key: "numGpus" }],
  },
  {
    module: "eplb", name: "expertLoadStats", fn: E.expertLoadStats, args: () => [[8, 4, 2, 2, 1, 1, 1, 1], { epSizes: [2] }],
    params: [{ name: "load", kind: "array" }, { name: "options", kind: "options" }],
  },
  {
    module: "eplb", name: "createDriftingWorkload", fn: E.createDriftingWorkload, args: () => [{ numLayers: 2, numExperts: 8, numIterations: 4, seed: 1 }],
    params: [{ name: "options", kind: "options" }, { name: "numLayers", kind: "posInt", index: 0, key: "numLayers" }, { name: "numExperts", kind: "posInt", index: 0, key: "numExperts" }, { name: "numIterations", kind: "posInt", index: 0, key: "numIterations" }, { name: "tokensPerIteration", kind: "posInt", index: 0, key: "tokensPerIteration" }, { name: "seed", kind: "nonNegInt", index: 0, key: "seed" }, { name: "driftSigma", kind: "nonNegNum", index: 0, key: "driftSigma" }],
  },
  {
    module: "eplb", name: "simulateOnlineEplb", fn: E.simulateOnlineEplb, args: () => [{ numLayers: 1, numExperts: 8, numGpus: 2, numReplicas: 8, iterations: 4 }],
    params: [{ name: "options", kind: "options" }, { name: "numLayers", kind: "posInt", index: 0, key: "numLayers" }, { name: "numGpus", kind: "posInt", index: 0, key: "numGpus" }, { name: "iterations", kind: "posInt", index: 0, key: "iterations" }, { name: "windowSize", kind: "posInt", index: 0, key: "windowSize" }, { name: "expertBytes", kind: "posNum", index: 0, key: "expertBytes" }, { name: "linkBandwidthGBps", kind: "posNum", index: 0, key: "linkBandwidthGBps" }],
  },
  {
    module: "eplb", name: "dsv3LikePopularity", fn: E.dsv3LikePopularity, args: () => [{ numLayers: 2, numExperts: 16, numGroups: 4, seed: 1 }],
    params: [{ name: "options", kind: "options" }, { name: "numLayers", kind: "posInt", index: 0, key: "numLayers" }, { name: "numExperts", kind: "posInt", index: 0, key: "numExperts" }, { name: "seed", kind: "nonNegInt", index: 0, key: "seed" }],
  },
  { module: "eplb", name: "resolvePlacementAwareOptions", fn: E.resolvePlacementAwareOptions, args: () => [{ moveBudget: 0.25 }], params: [{ name: "options", kind: "options" }, { name: "moveBudget", kind: "unit", index: 0, key: "moveBudget" }] },
  // ---- tensor (functions that need no loaded backend)
  {
    module: "tensor", name: "resolveGroupGemmOptions", fn: T.resolveGroupGemmOptions, args: () => [{}, "cpu"],
    params: [{ name: "options", kind: "options" }, { name: "backend", kind: "string" }, { name: "hiddenSize", kind: "posInt", index: 0, key: "hiddenSize" }, { name: "repeats", kind: "posInt", index: 0, key: "repeats" }, { name: "warmup", kind: "nonNegInt", index: 0, key: "warmup" }, { name: "localExpertCounts", kind: "array", index: 0, key: "localExpertCounts" }],
  },
  {
    module: "tensor", name: "createMoeLayer", fn: T.createMoeLayer, args: () => [{ hiddenSize: 4, expertFfnSize: 4, numExperts: 4, topK: 1, router: {} }],
    validCallThrows: /backend|loadBackend/i,
    // Only the checks before the weights are made (the fuzz suite loads no backend): a valid call throws "backend not loaded".
    params: [{ name: "options", kind: "options" }, { name: "hiddenSize", kind: "posInt", index: 0, key: "hiddenSize" }, { name: "numExperts", kind: "posInt", index: 0, key: "numExperts" }, { name: "topK", kind: "posInt", index: 0, key: "topK" }, { name: "seed", kind: "nonNegInt", index: 0, key: "seed" }, { name: "router", kind: "options", index: 0, key: "router" }],
  },
  { module: "tensor", name: "randomHidden", fn: T.randomHidden, args: () => [4, 8, 0], params: [{ name: "numTokens", kind: "posInt" }, { name: "hiddenSize", kind: "posInt" }, { name: "seed", kind: "nonNegInt" }] },
);
