/**
 * MoE routing over typed arrays: gate scoring, fast top-k, DeepSeek-V3 group-limited routing with
 * score-correction bias, seeded workloads, expert-load counting and dispatch accounting.
 * No TensorFlow.js here: the tensor gate (src/tensor) builds on {@link route} / {@link routeScores}.
 */
export { topK, topKInto, type TopKResult } from "./topk";
export {
  routingKernel, setRoutingKernel, wasmSimdSupported, ROUTING_KERNEL_CHOICES, ROUTING_KERNEL_ENV,
  type RoutingKernel, type RoutingKernelChoice,
} from "./wasm";
export { softmax, sigmoid, scoreLogits, SCORING_FUNCTIONS, type ScoringFunction } from "./scoring";
export { route, routeScores, type RouterOptions, type RoutingResult, type GroupScore } from "./route";
export { countExpertLoad, loadStats, type LoadStats } from "./load";
export {
  expertPopularity, driftingPopularity, sampleRouting, syntheticLogits, loadMatrix, POPULARITY_KINDS,
  type PopularityKind, type PopularityOptions, type DriftOptions, type SampleOptions, type LogitOptions, type LoadMatrixOptions,
} from "./workload";
export {
  assignReplicas, dispatchStats, sharedExpertLoad, REPLICA_RULES,
  type ReplicaRule, type DispatchPlacement, type DispatchStats, type RoutingIndices, type ReplicaAssignment,
} from "./dispatch";
