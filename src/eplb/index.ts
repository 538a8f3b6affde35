/**
 * Expert-parallelism load balancing (EPLB): DeepSeek's static algorithm (hierarchical / global), its
 * building blocks, baselines without replicas, balance metrics, and an online-rebalancing simulation.
 *
 * Shapes: loads are `[layers][experts]` in tokens; placements are `phy2log[layers][slots]` with slot s on
 * GPU `floor(s / (numReplicas / numGpus))`.
 */
export { balancedPacking } from "./packing";
export type { PackingResult } from "./packing";
export { replicateExperts } from "./replicate";
export type { ReplicationResult } from "./replicate";
export { rebalanceExperts, rebalanceExpertsFlat, toNested, eplbPolicy } from "./rebalance";
export type { EplbConfig, EplbPolicy, FlatPlacement, Placement } from "./rebalance";
export { contiguousPlacement, greedyPlacement } from "./baselines";
export type { ExpertAssignment, GreedyOptions, GreedyPlacement } from "./baselines";
export { gpuLoads, balancedness, imbalance, balancednessPerLayer, imbalancePerLayer, placementMetrics } from "./metrics";
export type { PlacementMetrics } from "./metrics";
export { planLayer, compareStrategies } from "./layer";
export type { LayerPlan, LayerPlanOptions, StrategyRow } from "./layer";
export { createDriftingWorkload } from "./workload";
export type { DriftingWorkload, DriftingWorkloadOptions } from "./workload";
export {
  dsv3LikeWorkload, dsv3LikePopularity, expertLoadStats, createPresetWorkload, DSV3_LOAD_STATISTICS, DSV3_LIKE_DEFAULTS, WORKLOAD_PRESETS,
} from "./dsv3-like";
export type { Dsv3LikeOptions, ExpertLoadStats, ExpertLoadStatsOptions, WorkloadPreset, PublishedRange } from "./dsv3-like";
export { simulateOnlineEplb, preservePlacement, DEFAULT_EXPERT_BYTES } from "./online";
export type { OnlineEplbOptions, OnlineEplbResult } from "./online";
export { placementAwareRebalance, resolvePlacementAwareOptions, hungarianMax } from "./placement-aware";
export type { PlacementAwareOptions, PlacementAwareResult } from "./placement-aware";
