/**
 * Wide-EP deployment planner: inputs → search (cost + EPLB) → per-engine artifacts → lint → dry run.
 * Pure: no file I/O (the CLI and the lab decide where files go).
 */
export * from "./sources";
export * from "./inputs";
export * from "./search";
export * from "./artifacts";
export * from "./lint";
export * from "./readers";
export { dryRunDynamo, dynamoDeployment, lintDynamoYaml, DGD_SCHEMA, GROVE_NAME_LIMIT, type DryRunPod } from "./dynamo";
export { lintTrtllmYaml, TRTLLM_ENGINE_ARGS_SCHEMA, TRTLLM_TOP_LEVEL_FIELDS } from "./trtllm";
export { lintSglangExpertLocation, sglangExpertLocation } from "./sglang";
export { VLLM_EPLB_SCHEMA } from "./vllm";
export { splitShell, findEngineCommands } from "./commandline";
export { nearestKey } from "./validate";
