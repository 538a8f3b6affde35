/**
 * SGLang artifacts and rules.
 *
 * Follows python/sglang/srt/server_args.py @ 469c63e (flags and the checks it enforces),
 * python/sglang/srt/eplb/expert_location.py (slot divisibility, --init-expert-location formats) and
 * python/sglang/srt/eplb/expert_distribution.py (the recorder's logical_count).
 */
import type { ModelSpec } from "../cost/catalog-models";
import type { ResolvedPlanInputs } from "./inputs";
import type { PoolPlan } from "./search";
import { finding, type Finding } from "./findings";
import type { LintContext } from "./context";
import { flagValue, intFlag, type EngineCommand } from "./commandline";

/** SGLang flags that take no value (server_args.py @ 469c63e, the ones our rules read). */
export const SGLANG_BOOLEAN_FLAGS = Object.freeze([
  "--enable-dp-attention", "--enable-eplb", "--enable-two-batch-overlap", "--disable-cuda-graph", "--trust-remote-code", "--enable-dp-lm-head",
  "--enable-expert-distribution-metrics", "--disable-radix-cache",
]);

/**
 * `--init-expert-location` file content: `{ physical_to_logical_map: [layers][physical experts] }`. SGLang's rows are
 * all hidden layers (dense ones included), so dense layers get the trivial map.
 * @param model the model (numLayers, numMoeLayers, numExperts)
 * @param phy2log `[moe layers][slots]` from EPLB
 * @returns the JSON object SGLang reads
 * @throws {RangeError} when the placement has the wrong number of layers
 */
export function sglangExpertLocation(model: ModelSpec, phy2log: number[][]): { physical_to_logical_map: number[][] } {
  if (!Array.isArray(phy2log) || phy2log.length !== model.numMoeLayers) throw new RangeError(`phy2log must have ${model.numMoeLayers} MoE layers, got ${Array.isArray(phy2log) ? phy2log.length : typeof phy2log}`);
  const slots = phy2log[0].length;
  const dense = model.numLayers - model.numMoeLayers;
  const trivial = Array.from({ length: slots }, (_, s) => s % model.numExperts);
  return { physical_to_logical_map: [...Array.from({ length: dense }, () => trivial.slice()), ...phy2log.map((r) => r.slice())] };
}

/** Launch arguments (after `python3 -m sglang.launch_server`) of one pool. */
export function sglangArgs(pool: PoolPlan, inp: ResolvedPlanInputs, modelPath: string, expertLocationFile: string): string[] {
  const a = ["--model-path", modelPath, "--trust-remote-code", "--tp", String(pool.tp), "--dp-size", String(pool.dp)];
  if (pool.dp > 1) a.push("--enable-dp-attention");
  a.push("--ep-size", String(pool.ep), "--moe-a2a-backend", "deepep", "--deepep-mode", pool.role === "aggregated" ? "auto" : pool.deepepMode);
  if (pool.redundantExperts > 0) a.push("--ep-num-redundant-experts", String(pool.redundantExperts));
  a.push("--init-expert-location", expertLocationFile);
  if (pool.eplbMode === "online") a.push("--enable-eplb");
  if (pool.twoBatchOverlap) a.push("--enable-two-batch-overlap");
  a.push("--max-running-requests", String(pool.maxBatchSize * pool.dp));
  a.push("--chunked-prefill-size", String(pool.maxNumTokens * pool.dp));
  a.push("--context-length", String(inp.isl + inp.osl));
  if (pool.role !== "aggregated") a.push("--disaggregation-mode", pool.role);
  if (pool.role === "decode" && pool.cudaGraphBatchSizes.length) a.push("--cuda-graph-bs", ...pool.cudaGraphBatchSizes.map(String));
  a.push("--kv-cache-dtype", inp.kvCacheDtype === "fp8" ? "fp8_e4m3" : "auto");
  return a;
}

function ivals(cmd: EngineCommand, names: readonly string[]): number[] {
  // --cuda-graph-bs takes several values: they are parsed as positionals after the flag.
  const v = flagValue(cmd, names);
  return v && v.value !== true ? [Number(v.value)] : [];
}

/**
 * Lint an SGLang launch (`python3 -m sglang.launch_server …` or `python3 -m dynamo.sglang …`).
 * @param file path for findings
 * @param cmd the parsed command
 * @param ctx isl / numExperts / files when known
 * @returns findings, each citing where SGLang enforces the rule
 */
export function lintSglangCommand(file: string, cmd: EngineCommand, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const tp = intFlag(cmd, ["--tp-size", "--tp", "--tensor-parallel-size"]) ?? 1;
  const dp = intFlag(cmd, ["--dp-size", "--dp", "--data-parallel-size"]) ?? 1;
  const epFlag = flagValue(cmd, ["--expert-parallel-size", "--ep-size", "--ep"]);
  const epGiven = intFlag(cmd, ["--expert-parallel-size", "--ep-size", "--ep"]);
  const a2a = flagValue(cmd, ["--moe-a2a-backend"]);
  const deepep = a2a && a2a.value === "deepep";
  const mode = flagValue(cmd, ["--deepep-mode"]);
  const dpAttn = flagValue(cmd, ["--enable-dp-attention"]);
  const eplb = flagValue(cmd, ["--enable-eplb"]);
  const red = intFlag(cmd, ["--ep-num-redundant-experts"]) ?? 0;
  const cg = flagValue(cmd, ["--cuda-graph-bs", "--cuda-graph-max-bs"]);
  const disagg = flagValue(cmd, ["--disaggregation-mode"]);
  const ep = deepep ? tp : epGiven ?? 1;
  if (deepep && epGiven !== undefined && epGiven !== tp) {
    out.push(finding("sglang/deepep-ep-equals-tp", "error", file, epFlag!.line, `--moe-a2a-backend deepep sets the EP size to --tp (${tp}); --ep-size ${epGiven} is overridden, so the slots and placement written for EP ${epGiven} do not match the ${tp} ranks`, "sglangServerArgs"));
  }
  if (deepep && mode && mode.value === "normal" && cg) {
    out.push(finding("sglang/deepep-normal-no-cuda-graph", "error", file, cg.line, "--deepep-mode normal disables CUDA graphs, so the CUDA-graph batch sizes are ignored; use low_latency for decode (or drop the CUDA-graph flags)", "sglangServerArgs"));
  }
  if (disagg && disagg.value === "prefill" && cg) {
    out.push(finding("sglang/prefill-no-cuda-graph", "warning", file, cg.line, "a prefill server (--disaggregation-mode prefill) runs without CUDA graphs; the CUDA-graph batch sizes have no effect", "sglangServerArgs"));
  }
  if (dpAttn && dp > 1 && tp % dp !== 0) {
    out.push(finding("sglang/dp-attention-divides-tp", "error", file, dpAttn.line, `--enable-dp-attention needs tp % dp == 0, got tp ${tp} and dp ${dp}`, "sglangServerArgs"));
  }
  if (dpAttn && dp === 1) {
    out.push(finding("sglang/dp-attention-needs-dp", "warning", file, dpAttn.line, "--enable-dp-attention with --dp-size 1 is switched off by SGLang; set --dp-size to the number of attention-DP ranks (usually --tp)", "sglangServerArgs"));
  }
  if (eplb && ep <= 1) {
    out.push(finding("sglang/eplb-needs-ep", "error", file, eplb.line, `--enable-eplb asserts ep_size > 1, but the EP size is ${ep}${deepep ? "" : " (set --ep-size or --moe-a2a-backend deepep)"}`, "sglangServerArgs"));
  }
  if (ctx.numExperts !== undefined && ep > 0 && (ctx.numExperts + red) % ep !== 0) {
    const fix = (ep - ((ctx.numExperts + red) % ep)) % ep;
    out.push(finding("sglang/slots-divide-ep", "error", file, flagValue(cmd, ["--ep-num-redundant-experts"])?.line ?? cmd.line, `${ctx.numExperts} experts + ${red} redundant = ${ctx.numExperts + red} physical experts do not divide over EP ${ep}; ${red + fix} redundant experts would`, "sglangExpertLocation"));
  }
  const chunk = intFlag(cmd, ["--chunked-prefill-size"]);
  if (ctx.isl !== undefined && chunk !== undefined && (disagg?.value === "prefill" || !disagg)) {
    const perRank = dpAttn && dp > 1 ? Math.floor(chunk / dp) : chunk;
    if (perRank < ctx.isl) out.push(finding("plan/prefill-token-budget", disagg?.value === "prefill" ? "error" : "warning", file, flagValue(cmd, ["--chunked-prefill-size"])!.line, `--chunked-prefill-size ${chunk}${dpAttn && dp > 1 ? ` is divided by --dp-size ${dp} to ${perRank} per rank, which` : ""} is below the ${ctx.isl}-token prompt: each prompt takes ${Math.ceil(ctx.isl / perRank)} chunks`, "sglangServerArgs"));
  }
  const loc = flagValue(cmd, ["--init-expert-location"]);
  if (loc && loc.value !== true && loc.value !== "trivial" && ctx.files) {
    const name = loc.value.split("/").pop() as string;
    const hit = [...ctx.files.entries()].find(([k]) => k === loc.value || k.endsWith(`/${name}`));
    if (hit) out.push(...lintSglangExpertLocation(hit[0], hit[1], ctx, ep, red, loc.line, file));
  }
  void ivals;
  return out;
}

/**
 * Lint an `--init-expert-location` JSON file: one of physical_to_logical_map or logical_count (SGLang passes the
 * map's dict as keyword arguments, so other keys fail), and the map's shape `[layers][experts + redundant]`.
 */
export function lintSglangExpertLocation(file: string, text: string, ctx: LintContext, ep?: number, redundant?: number, refLine?: number, refFile?: string): Finding[] {
  const out: Finding[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return [finding("sglang/init-expert-location", "error", file, 1, `not JSON: ${(e as Error).message}`, "sglangExpertLocation")];
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return [finding("sglang/init-expert-location", "error", file, 1, "must be a JSON object", "sglangExpertLocation")];
  const o = data as Record<string, unknown>;
  if ("physical_to_logical_map" in o) {
    const extra = Object.keys(o).filter((k) => k !== "physical_to_logical_map");
    if (extra.length && !("logical_count" in o)) out.push(finding("sglang/init-expert-location", "error", file, 1, `keys ${extra.join(", ")} are passed to init_by_mapping as keyword arguments and rejected; keep only physical_to_logical_map`, "sglangExpertLocation"));
    const m = o.physical_to_logical_map;
    if (!Array.isArray(m) || !m.every((r) => Array.isArray(r))) {
      out.push(finding("sglang/init-expert-location", "error", file, 1, "physical_to_logical_map must be [layers][physical experts]", "sglangExpertLocation"));
      return out;
    }
    if (ctx.numLayers !== undefined && m.length !== ctx.numLayers) out.push(finding("sglang/init-expert-location", "error", file, 1, `physical_to_logical_map has ${m.length} layers; the model has ${ctx.numLayers} hidden layers`, "sglangExpertLocation"));
    if (ctx.numExperts !== undefined && redundant !== undefined) {
      const want = ctx.numExperts + redundant;
      const bad = (m as unknown[][]).findIndex((r) => r.length !== want);
      if (bad >= 0) out.push(finding("sglang/init-expert-location", "error", refFile ?? file, refLine ?? 1, `${file}: layer ${bad} has ${(m as unknown[][])[bad].length} physical experts; --ep-num-redundant-experts ${redundant} means ${want}`, "sglangExpertLocation"));
    }
    if (ep !== undefined && ep > 0 && m.length && (m[0] as unknown[]).length % ep !== 0) out.push(finding("sglang/slots-divide-ep", "error", file, 1, `${(m[0] as unknown[]).length} physical experts do not divide over EP ${ep}`, "sglangExpertLocation"));
  } else if (!("logical_count" in o)) {
    out.push(finding("sglang/init-expert-location", "error", file, 1, `needs physical_to_logical_map or logical_count, got keys ${Object.keys(o).join(", ") || "(none)"}`, "sglangExpertLocation"));
  }
  return out;
}
