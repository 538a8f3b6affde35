/**
 * vLLM artifacts and rules. Follows vllm/config/parallel.py @ 00193b8 (ParallelConfig, EPLBConfig and
 * their validation; configs forbid unknown fields).
 */
import Ajv from "ajv";
import type { ResolvedPlanInputs } from "./inputs";
import type { PoolPlan } from "./search";
import { finding, type Finding } from "./findings";
import type { LintContext } from "./context";
import { nearestKey } from "./validate";
import { flagValue, intFlag, type EngineCommand } from "./commandline";

/** EPLBConfig fields (parallel.py @ 00193b8). */
export const VLLM_EPLB_FIELDS = Object.freeze(["window_size", "step_interval", "num_redundant_experts", "log_balancedness", "log_balancedness_interval", "use_async", "policy", "communicator"]);
/** all2all_backend values (parallel.py @ 00193b8). */
export const VLLM_ALL2ALL_BACKENDS = Object.freeze([
  "naive", "pplx", "deepep_high_throughput", "deepep_low_latency", "deepep_v2", "mori_high_throughput", "mori_low_latency", "nixl_ep",
  "allgather_reducescatter", "flashinfer_all2allv", "flashinfer_nvlink_two_sided", "flashinfer_nvlink_one_sided",
]);
/** vLLM flags that take no value (the ones our rules read). */
export const VLLM_BOOLEAN_FLAGS = Object.freeze(["--enable-expert-parallel", "-ep", "--enable-eplb", "--trust-remote-code", "--enable-dbo", "--enforce-eager", "--is-prefill-worker", "--is-decode-worker"]);

/** Our schema of --eplb-config (EPLBConfig). */
export const VLLM_EPLB_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    window_size: { type: "integer", minimum: 1 },
    step_interval: { type: "integer", minimum: 1 },
    num_redundant_experts: { type: "integer", minimum: 0 },
    log_balancedness: { type: "boolean" },
    log_balancedness_interval: { type: "integer", minimum: 1 },
    use_async: { type: "boolean" },
    policy: { enum: ["default"] },
    communicator: { enum: ["torch_nccl", "torch_gloo", "nixl", "pynccl", null] },
  },
} as const;
const validateEplb = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(VLLM_EPLB_SCHEMA);

/** `vllm serve` arguments (after the model) of one pool: EP over TP × DP ranks, EPLB config JSON. */
export function vllmArgs(pool: PoolPlan, inp: ResolvedPlanInputs): string[] {
  const a = ["--tensor-parallel-size", "1", "--data-parallel-size", String(pool.dp), "--enable-expert-parallel"];
  a.push("--all2all-backend", pool.role === "prefill" ? "deepep_high_throughput" : "deepep_low_latency");
  if (pool.eplbMode === "online" || pool.redundantExperts > 0) {
    a.push("--enable-eplb", "--eplb-config", JSON.stringify({ num_redundant_experts: pool.redundantExperts, window_size: 1000, step_interval: pool.eplbMode === "online" ? 3000 : 1_000_000_000, log_balancedness: true }));
  }
  a.push("--max-num-seqs", String(pool.maxBatchSize), "--max-num-batched-tokens", String(pool.maxNumTokens), "--max-model-len", String(inp.isl + inp.osl));
  a.push("--kv-cache-dtype", inp.kvCacheDtype === "fp8" ? "fp8" : "auto", "--trust-remote-code");
  return a;
}

/**
 * Lint a `vllm serve …` / `python3 -m dynamo.vllm …` command line.
 * @returns findings citing parallel.py
 */
export function lintVllmCommand(file: string, cmd: EngineCommand, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const tp = intFlag(cmd, ["--tensor-parallel-size", "-tp"]) ?? 1;
  const dp = intFlag(cmd, ["--data-parallel-size", "-dp"]) ?? 1;
  const epOn = flagValue(cmd, ["--enable-expert-parallel", "-ep"]);
  const eplb = flagValue(cmd, ["--enable-eplb"]);
  const cfgFlag = flagValue(cmd, ["--eplb-config"]);
  let red = 0;
  if (cfgFlag && cfgFlag.value !== true) {
    let cfg: unknown;
    try {
      cfg = JSON.parse(cfgFlag.value);
    } catch (e) {
      out.push(finding("vllm/eplb-config", "error", file, cfgFlag.line, `--eplb-config is not JSON: ${(e as Error).message}`, "vllmParallel"));
    }
    if (cfg !== undefined) {
      validateEplb(cfg);
      for (const e of validateEplb.errors ?? []) {
        if (e.keyword === "additionalProperties") {
          const k = String((e.params as { additionalProperty: string }).additionalProperty);
          out.push(finding("vllm/eplb-config", "error", file, cfgFlag.line, `--eplb-config has unknown field ${JSON.stringify(k)} (vLLM configs forbid extra fields; did you mean ${JSON.stringify(nearestKey(k, VLLM_EPLB_FIELDS))}?)`, "vllmParallel"));
        } else out.push(finding("vllm/eplb-config", "error", file, cfgFlag.line, `--eplb-config${e.instancePath.replace(/\//g, ".")} ${e.message}`, "vllmParallel"));
      }
      const r = (cfg as Record<string, unknown>)?.num_redundant_experts;
      if (typeof r === "number") red = r;
    }
  }
  if (eplb && !epOn) out.push(finding("vllm/eplb-needs-expert-parallel", "error", file, eplb.line, "--enable-eplb needs --enable-expert-parallel (\"enable_expert_parallel must be True to use EPLB\")", "vllmParallel"));
  if (eplb && tp * dp <= 1) out.push(finding("vllm/eplb-needs-ranks", "error", file, eplb.line, `EPLB needs TP × DP > 1, got TP ${tp} × DP ${dp}`, "vllmParallel"));
  if (!eplb && red !== 0) out.push(finding("vllm/redundant-needs-eplb", "error", file, cfgFlag!.line, `num_redundant_experts is ${red} but EPLB is not enabled (add --enable-eplb or drop it)`, "vllmParallel"));
  const be = flagValue(cmd, ["--all2all-backend"]);
  if (be && be.value !== true && !VLLM_ALL2ALL_BACKENDS.includes(be.value)) out.push(finding("vllm/all2all-backend", "error", file, be.line, `--all2all-backend ${be.value} is not one of ${VLLM_ALL2ALL_BACKENDS.join(", ")} (did you mean ${nearestKey(be.value, VLLM_ALL2ALL_BACKENDS)}?)`, "vllmParallel"));
  const ep = tp * dp;
  if (epOn && ctx.numExperts !== undefined && (ctx.numExperts + red) % ep !== 0) {
    out.push(finding("vllm/ep-size", "error", file, (cfgFlag ?? epOn).line, `the EP size is TP × DP = ${tp} × ${dp} = ${ep}; ${ctx.numExperts} experts + ${red} redundant = ${ctx.numExperts + red} do not divide over it`, "vllmParallel"));
  }
  const dep = flagValue(cmd, ["--disaggregation-mode"]);
  const mnbt = intFlag(cmd, ["--max-num-batched-tokens"]);
  if (ctx.isl !== undefined && mnbt !== undefined && dep && dep.value === "prefill" && mnbt < ctx.isl) {
    out.push(finding("plan/prefill-token-budget", "error", file, flagValue(cmd, ["--max-num-batched-tokens"])!.line, `prefill --max-num-batched-tokens ${mnbt} is below the ${ctx.isl}-token prompt`, "vllmParallel"));
  }
  return out;
}
