/**
 * Lab layer: exercise framework, exercises, knowledge check and the scenarios Lab 3.1 runs.
 * Notebooks import from here: `import { exercises, quiz, TODO } from "./src/lab";`.
 */
export * from "./framework";
export * from "./quiz";
export * from "./content";
export * from "./scenarios-eplb";
export * from "./scenarios-routing";
export * from "./scenarios-cost";
export * from "./exercises";
export * from "./scenarios-tensor";
