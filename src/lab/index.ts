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
export * from "./headers";
// Only what the notebook needs: the functions that compute the exercises' answers stay out of the namespace.
export {
  LAB_WORKLOAD, labExpertLoad, EX2_CONFIG_IDS, EX2_SETTING, ex2Reveal, ex2SkewRows, EX3_SETTING, policySweep, EX4_SETTING, perUserSweep,
} from "./scenarios-exercises";
export type { ThroughputRow, PolicyRow, PerUserRow } from "./scenarios-exercises";
