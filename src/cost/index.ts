/**
 * Wide-EP cost model: cited hardware and model catalogs, precision axes (with block scales), roofline, memory,
 * fabric-aware all-to-all, decode and prefill steps, EP load imbalance, sweeps/frontiers, prefill-vs-decode
 * intensity, deployment comparison and the calibration report against published figures (with leave-one-out errors,
 * the NVL72 ratio by mechanism and its sensitivity). Pure functions, no I/O. Start with `decodeStep`, `prefillStep`,
 * `memoryPerGpu`, `sweepFrontier`, `calibrationReport`, `wideEpRatioByMechanism` and `sensitivity`.
 */
export * from "./catalog-hardware";
export * from "./catalog-models";
export * from "./roofline";
export * from "./alltoall";
export * from "./memory";
export * from "./decode";
export * from "./prefill";
export * from "./imbalance";
export * from "./published";
export * from "./sweep";
export * from "./intensity";
export * from "./compare";
export * from "./calibration";
export * from "./precision";
export * from "./options";
