/**
 * Wide-EP cost model: cited hardware and model catalogs, roofline, memory, all-to-all, decode step,
 * sweeps/frontiers, prefill-vs-decode intensity, deployment comparison and calibration against published figures.
 * Pure functions, no I/O. Start with `decodeStep`, `memoryPerGpu`, `sweepFrontier` and `calibrationReport`.
 */
export * from "./catalog-hardware";
export * from "./catalog-models";
export * from "./roofline";
export * from "./alltoall";
export * from "./memory";
export * from "./decode";
export * from "./sweep";
export * from "./intensity";
export * from "./compare";
export * from "./calibration";
export * from "./precision";
export * from "./options";
