/**
 * Tensor domain: the only folder that imports TensorFlow.js. Everything goes through `loadBackend()`.
 */
export * from "./backend";
