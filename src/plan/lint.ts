/**
 * `ep-lab plan lint`: check TensorRT-LLM YAML, DynamoGraphDeployment YAML (and the engine arguments inside it),
 * SGLang placement JSON and shell/text files with `python3 -m sglang.launch_server …`, `vllm serve …` or
 * `trtllm-serve …` lines against the engines' own invariants. Each rule cites where the engine enforces it.
 */
import { getModel } from "../cost/catalog-models";
import { findEngineCommands } from "./commandline";
import type { LintContext } from "./context";
import { KNOWN_MODELS } from "./context";
import { lintDynamoYaml } from "./dynamo";
import type { Finding } from "./findings";
import { lintSglangCommand, lintSglangExpertLocation, SGLANG_BOOLEAN_FLAGS } from "./sglang";
import { lintTrtllmCommand, lintTrtllmYaml, TRTLLM_BOOLEAN_FLAGS } from "./trtllm";
import { lintVllmCommand, VLLM_BOOLEAN_FLAGS } from "./vllm";

export type { Finding } from "./findings";
export type { LintContext } from "./context";

/** Rules the linter applies: id → what it checks. */
export const LINT_RULES: Readonly<Record<string, string>> = Object.freeze({
  "trtllm/strict-keys": "unknown keys in TensorRT-LLM's strict (extra=\"forbid\") configs, naming the nearest known key",
  "trtllm/types": "field types and ranges of the TensorRT-LLM configs (schema)",
  "trtllm/num-slots-required": "a load balancer needs num_slots",
  "trtllm/num-slots-ge-experts": "num_slots ≥ the model's experts",
  "trtllm/num-slots-divisible": "num_slots % EP size == 0",
  "trtllm/assignment-length": "each initial_global_assignments list has num_slots entries",
  "trtllm/assignment-ids": "assignment ids are valid experts",
  "trtllm/assignment-coverage": "every expert has a slot in every layer",
  "trtllm/static-without-placement": "layer_updates_per_iter 0 (static) with no initial_global_assignments",
  "trtllm/cuda-graph-max-batch": "cuda_graph_config.max_batch_size equals max(batch_sizes)",
  "trtllm/cuda-graph-above-batch": "CUDA graphs captured above max_batch_size",
  "trtllm/moe-max-num-tokens": "decode moe_config.max_num_tokens ≥ max_batch_size × EP",
  "trtllm/load-balancer-file": "moe_config.load_balancer names a file that is present",
  "trtllm/load-balancer-backend": "a load balancer with a MoE backend other than WIDEEP",
  "trtllm/serve-flags": "trtllm-serve flags exist",
  "trtllm/tp-ep": "--tp_size and --ep_size compatible",
  "plan/prefill-token-budget": "prefill token budget (max_num_tokens / chunked prefill per rank) ≥ the prompt length",
  "sglang/deepep-ep-equals-tp": "SGLang's DeepEP backend needs ep == tp",
  "sglang/deepep-normal-no-cuda-graph": "DeepEP normal mode disables CUDA graphs",
  "sglang/prefill-no-cuda-graph": "a prefill server runs without CUDA graphs",
  "sglang/dp-attention-divides-tp": "DP attention needs tp % dp == 0",
  "sglang/dp-attention-needs-dp": "DP attention with dp 1 is switched off",
  "sglang/eplb-needs-ep": "EPLB needs ep > 1",
  "sglang/slots-divide-ep": "(experts + redundant) % ep == 0",
  "sglang/init-expert-location": "--init-expert-location file format and shape",
  "vllm/eplb-needs-expert-parallel": "vLLM's --enable-eplb needs --enable-expert-parallel",
  "vllm/eplb-needs-ranks": "vLLM EPLB needs TP × DP > 1",
  "vllm/redundant-needs-eplb": "redundant experts without EPLB",
  "vllm/eplb-config": "--eplb-config fields (unknown fields are errors)",
  "vllm/all2all-backend": "--all2all-backend is a known backend",
  "vllm/ep-size": "vLLM's EP size is TP × DP and must divide experts + redundant",
  "dynamo/schema": "DynamoGraphDeployment fields (unknown fields are errors, naming the nearest)",
  "dynamo/world-size": "nodeCount × limits.gpu equals the engine's world size",
  "dynamo/name-length": "generated names stay within Grove's 45 characters",
  "dynamo/sub-component-type": "subComponentType matches the worker's disaggregation mode",
  "yaml/syntax": "YAML parses",
});

/**
 * Context for a file from the plan.json of its folder (isl, experts, layers), if any.
 * @param files path → text of the folder
 * @returns what plan.json says, or {}
 */
export function contextFromPlanJson(files: ReadonlyMap<string, string>): LintContext {
  const entry = [...files.entries()].find(([k]) => k === "plan.json" || k.endsWith("/plan.json"));
  if (!entry) return {};
  try {
    const j = JSON.parse(entry[1]) as { inputs?: { isl?: unknown }; model?: { numExperts?: unknown; numLayers?: unknown; numMoeLayers?: unknown } };
    const n = (x: unknown) => (typeof x === "number" && Number.isInteger(x) && x > 0 ? x : undefined);
    return { isl: n(j.inputs?.isl), numExperts: n(j.model?.numExperts), numLayers: n(j.model?.numLayers), numMoeLayers: n(j.model?.numMoeLayers) };
  } catch {
    return {};
  }
}

function modelContext(text: string): LintContext {
  for (const [k, v] of Object.entries(KNOWN_MODELS)) {
    if (text.includes(v.hf) || new RegExp(`(^|[\\s/])${k}([\\s"']|$)`, "i").test(text)) {
      const m = getModel(v.catalog);
      return { numExperts: m.numExperts, numLayers: m.numLayers, numMoeLayers: m.numMoeLayers };
    }
  }
  return {};
}

const BOOLS = { sglang: SGLANG_BOOLEAN_FLAGS, vllm: VLLM_BOOLEAN_FLAGS, trtllm: TRTLLM_BOOLEAN_FLAGS };

/**
 * Lint one file.
 * @param path its path (extension and name select the checks: .yaml/.yml → TensorRT-LLM or DynamoGraphDeployment;
 *   .json → SGLang placement; anything else → engine command lines)
 * @param text its content
 * @param ctx isl / numExperts / other files; a model named in the file fills numExperts when unset
 * @returns findings, empty when clean
 * @throws {TypeError} for a non-string path or text
 * @example lintText("run.sh", "vllm serve deepseek-ai/DeepSeek-V3 --enable-eplb", {})[0].rule // "vllm/eplb-needs-expert-parallel"
 */
export function lintText(path: string, text: string, ctx: LintContext = {}): Finding[] {
  if (typeof path !== "string" || path === "") throw new TypeError(`path must be a non-empty string, got ${typeof path}`);
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
  const c: LintContext = { ...modelContext(text), ...Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined)) };
  if (/\.ya?ml$/i.test(path)) {
    if (/^\s*kind:\s*DynamoGraphDeployment\s*$/m.test(text)) return lintDynamoYaml(path, text, c);
    return lintTrtllmYaml(path, text, c);
  }
  if (/\.json$/i.test(path)) {
    if (/"(physical_to_logical_map|logical_count)"/.test(text)) return lintSglangExpertLocation(path, text, c);
    return [];
  }
  const out: Finding[] = [];
  for (const cmd of findEngineCommands(text, BOOLS)) {
    if (cmd.engine === "sglang") out.push(...lintSglangCommand(path, cmd, c));
    else if (cmd.engine === "vllm") out.push(...lintVllmCommand(path, cmd, c));
    else out.push(...lintTrtllmCommand(path, cmd, c));
  }
  return out;
}

/** Result of {@link lintFiles}. */
export interface LintReport {
  files: number;
  errors: number;
  warnings: number;
  findings: Finding[];
}

/**
 * Lint a set of files together (a folder): references between them (load_balancer files, --config YAML,
 * --init-expert-location JSON) are followed, and plan.json supplies the prompt length and the model.
 * Placement JSON and load-balancer YAML referenced from another file are checked through that file.
 * @param files path → text
 * @param ctx overrides (e.g. isl, numExperts from the command line)
 * @returns the report; `errors > 0` means the folder is not clean
 * @throws {TypeError} when files is not a Map of strings
 */
export function lintFiles(files: ReadonlyMap<string, string>, ctx: LintContext = {}): LintReport {
  if (!(files instanceof Map)) throw new TypeError("files must be a Map of path → text");
  const base = { ...contextFromPlanJson(files), ...Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined)), files };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const [path, text] of files) {
    if (typeof text !== "string") throw new TypeError(`files[${path}] must be a string`);
    if (/(^|\/)plan\.json$/.test(path) || /\.md$/i.test(path)) continue;
    for (const f of lintText(path, text, base)) {
      const key = `${f.rule}|${f.file}|${f.line}|${f.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        findings.push(f);
      }
    }
  }
  return { files: files.size, errors: findings.filter((f) => f.severity === "error").length, warnings: findings.filter((f) => f.severity === "warning").length, findings };
}

/**
 * Findings as text lines `file:line: severity rule: message (source)`.
 * @example formatFindings([]) // "no findings"
 */
export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return "no findings";
  return findings.map((f) => `${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}\n    enforced in ${f.source}`).join("\n");
}
