export * from "./validate";
export * from "./rng";
export * from "./float32";
export * from "./stats";
