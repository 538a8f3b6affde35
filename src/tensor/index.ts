/**
 * Tensor domain: the only folder that imports TensorFlow.js. Everything goes through `loadBackend()`.
 */
export * from "./backend";
export * from "./moe-layer";
export * from "./ep-forward";
export * from "./groupgemm";
