/**
 * The names of the TensorFlow.js backends the loader (`./backend`) can choose, in a file of their own: it imports
 * nothing, so modules that only name a backend (the GroupGEMM results, the lab's scenarios) do not pull
 * TensorFlow.js's type declarations into a notebook's program (each tslab cell is checked against that program).
 */

/** Backends in order of preference, best first. */
export const BACKEND_ORDER = Object.freeze(["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const);

/** Name of a backend the loader can choose. */
export type BackendName = (typeof BACKEND_ORDER)[number];
