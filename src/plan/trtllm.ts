/**
 * TensorRT-LLM artifacts and rules.
 *
 * Follows tensorrt_llm/llmapi/llm_args.py @ fcd3f31 (TorchLlmArgs, MoeConfig, MoeLoadBalancerConfig,
 * KvCacheConfig, CudaGraphConfig, CacheTransceiverConfig — all pydantic models with extra="forbid"),
 * examples/wide_ep/ep_load_balancer/README.md @ 2a595f8 (load-balancer file, static vs online, moe max_num_tokens)
 * and tensorrt_llm/commands/serve.py @ 00209af (trtllm-serve flags). The schema below is ours, written from
 * those field lists; it covers the fields the wide-EP recipes use in detail and accepts the rest by name.
 */
import Ajv, { type ErrorObject } from "ajv";
import { Document, LineCounter, isScalar, isSeq, parseAllDocuments, visit } from "yaml";
import type { ModelSpec } from "../cost/catalog-models";
import type { ResolvedPlanInputs } from "./inputs";
import type { PoolPlan } from "./search";
import { sourceHeader } from "./sources";
import { finding, lineOf, type Finding } from "./findings";
import type { LintContext } from "./context";
import { nearestKey } from "./validate";
import { flagValue, intFlag, type EngineCommand } from "./commandline";

/** Top-level fields of BaseLlmArgs + TorchLlmArgs (llm_args.py @ fcd3f31). */
export const TRTLLM_TOP_LEVEL_FIELDS = Object.freeze([
  "model", "tokenizer", "tokenizer_mode", "custom_tokenizer", "skip_tokenizer_init", "trust_remote_code", "tensor_parallel_size", "dtype",
  "revision", "tokenizer_revision", "model_kwargs", "pipeline_parallel_size", "context_parallel_size", "gpus_per_node",
  "moe_cluster_parallel_size", "moe_tensor_parallel_size", "moe_expert_parallel_size", "enable_attention_dp", "enable_lm_head_tp_in_adp",
  "pp_partition", "cp_config", "load_format", "enable_lora", "lora_config", "kv_cache_config", "enable_chunked_prefill",
  "guided_decoding_backend", "batched_logits_processor", "iter_stats_max_iterations", "request_stats_max_iterations", "peft_cache_config",
  "scheduler_config", "cache_transceiver_config", "sparse_attention_config", "speculative_config", "max_batch_size", "max_input_len",
  "max_seq_len", "max_beam_width", "max_num_tokens", "gather_generation_logits", "num_postprocess_workers", "postprocess_tokenizer_dir",
  "reasoning_parser", "decoding_config", "otlp_traces_endpoint", "backend", "return_perf_metrics", "perf_metrics_max_requests",
  "orchestrator_type", "env_overrides",
  // TorchLlmArgs
  "garbage_collection_gen0_threshold", "cuda_graph_config", "attention_dp_config", "disable_overlap_scheduler", "moe_config",
  "nvfp4_gemm_config", "attn_backend", "sampler_type", "sampler_force_async_worker", "enable_iter_perf_stats", "enable_iter_req_stats",
  "print_iter_log", "batch_wait_timeout_ms", "batch_wait_timeout_iters", "batch_wait_max_tokens_ratio", "torch_compile_config",
  "enable_autotuner", "enable_layerwise_nvtx_marker", "enable_min_latency", "stream_interval", "force_dynamic_quantization",
  "allreduce_strategy", "checkpoint_loader", "checkpoint_format", "kv_connector_config", "mm_encoder_only", "ray_worker_extension_cls",
  "ray_placement_config", "enable_sleep", "use_cute_dsl_blockscaling_mm", "use_cute_dsl_blockscaling_bmm", "disable_flashinfer_sampling",
  "max_stats_len", "layer_wise_benchmarks_config",
]);

const intMin = (min: number) => ({ type: "integer", minimum: min });
/** MoeLoadBalancerConfig (extra forbidden). */
const LOAD_BALANCER_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    num_slots: intMin(1),
    layer_updates_per_iter: intMin(0),
    initial_global_assignments: { type: "object", propertyNames: { pattern: "^[0-9]+$" }, additionalProperties: { type: "array", items: intMin(0) } },
  },
};

/** JSON schema (ours) of a TensorRT-LLM extra-engine-args / --config YAML. */
export const TRTLLM_ENGINE_ARGS_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...Object.fromEntries(TRTLLM_TOP_LEVEL_FIELDS.map((k) => [k, {}])),
    tensor_parallel_size: intMin(1),
    pipeline_parallel_size: intMin(1),
    moe_expert_parallel_size: intMin(-1),
    moe_tensor_parallel_size: intMin(-1),
    enable_attention_dp: { type: "boolean" },
    max_batch_size: intMin(1),
    max_num_tokens: intMin(1),
    max_seq_len: intMin(1),
    disable_overlap_scheduler: { type: "boolean" },
    print_iter_log: { type: "boolean" },
    kv_cache_config: {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(
        ["enable_block_reuse", "max_tokens", "max_attention_window", "sink_token_length", "free_gpu_memory_fraction", "host_cache_size", "onboard_blocks",
          "cross_kv_cache_fraction", "secondary_offload_min_priority", "event_buffer_max_size", "attention_dp_events_gather_period_ms", "enable_partial_reuse",
          "copy_on_partial_reuse", "use_uvm", "max_gpu_total_bytes", "dtype", "mamba_ssm_cache_dtype", "tokens_per_block", "use_kv_cache_manager_v2",
          "max_util_for_resume"].map((k) => [k, k === "free_gpu_memory_fraction" ? { type: "number", minimum: 0, maximum: 1 } : k === "dtype" ? { type: "string" } : {}]),
      ),
    },
    cuda_graph_config: {
      type: ["object", "null"],
      additionalProperties: false,
      properties: { batch_sizes: { type: "array", items: intMin(1), minItems: 1 }, max_batch_size: intMin(0), enable_padding: { type: "boolean" } },
    },
    cache_transceiver_config: {
      type: "object",
      additionalProperties: false,
      properties: {
        backend: { enum: ["DEFAULT", "UCX", "NIXL", "MOONCAKE", "MPI"] },
        transceiver_runtime: { enum: ["CPP", "PYTHON"] },
        max_tokens_in_buffer: intMin(1),
        kv_transfer_timeout_ms: intMin(1),
        kv_transfer_sender_future_timeout_ms: intMin(1),
      },
    },
    attention_dp_config: {
      type: "object",
      additionalProperties: false,
      properties: { enable_balance: { type: "boolean" }, timeout_iters: { type: "integer" }, batching_wait_iters: { type: "integer" } },
    },
    moe_config: {
      type: "object",
      additionalProperties: false,
      properties: {
        backend: { type: "string", pattern: "^(?i:AUTO|CUTLASS|CUTEDSL|WIDEEP|TRTLLM|DEEPGEMM|VANILLA|TRITON)$".replace("(?i:", "(") },
        max_num_tokens: intMin(1),
        // A MoeLoadBalancerConfig (checked with LOAD_BALANCER_SCHEMA) or the path of a YAML file holding one.
        load_balancer: { type: ["string", "object"] },
        disable_finalize_fusion: { type: "boolean" },
        use_low_precision_moe_combine: { type: "boolean" },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
// Pydantic Literal values are compared after our case-folding (the README writes "WideEP").
const validateEngineArgs = ajv.compile({ ...TRTLLM_ENGINE_ARGS_SCHEMA, properties: { ...TRTLLM_ENGINE_ARGS_SCHEMA.properties, moe_config: { ...TRTLLM_ENGINE_ARGS_SCHEMA.properties.moe_config, properties: { ...TRTLLM_ENGINE_ARGS_SCHEMA.properties.moe_config.properties, backend: { type: "string", pattern: "^([Aa][Uu][Tt][Oo]|[Cc][Uu][Tt][Ll][Aa][Ss][Ss]|[Cc][Uu][Tt][Ee][Dd][Ss][Ll]|[Ww][Ii][Dd][Ee][Ee][Pp]|[Tt][Rr][Tt][Ll][Ll][Mm]|[Dd][Ee][Ee][Pp][Gg][Ee][Mm][Mm]|[Vv][Aa][Nn][Ii][Ll][Ll][Aa]|[Tt][Rr][Ii][Tt][Oo][Nn])$" } } } } });
const validateLoadBalancer = ajv.compile(LOAD_BALANCER_SCHEMA);

/** The extra-engine-args of one pool. */
export function trtllmEngineArgs(pool: PoolPlan, inp: ResolvedPlanInputs, loadBalancerFile: string): Record<string, unknown> {
  const args: Record<string, unknown> = {
    tensor_parallel_size: pool.tp,
    moe_expert_parallel_size: pool.ep,
    enable_attention_dp: pool.dp > 1,
    max_batch_size: pool.maxBatchSize,
    max_num_tokens: pool.maxNumTokens,
    max_seq_len: inp.isl + inp.osl,
    kv_cache_config: { dtype: inp.kvCacheDtype === "fp8" ? "fp8" : "auto", free_gpu_memory_fraction: 0.85, enable_block_reuse: false },
    moe_config: { backend: "WIDEEP", max_num_tokens: pool.moeMaxNumTokens, load_balancer: loadBalancerFile },
    cache_transceiver_config: { backend: "DEFAULT" },
    print_iter_log: true,
  };
  if (pool.role === "prefill") args.disable_overlap_scheduler = true;
  else args.cuda_graph_config = { enable_padding: true, batch_sizes: pool.cudaGraphBatchSizes };
  if (pool.role === "aggregated") args.enable_chunked_prefill = true;
  return args;
}

/** TensorRT-LLM layer index of MoE layer `l` (dense layers come first: DeepSeek-V3's MoE layers are 3…60). */
export function trtllmLayerIndex(model: ModelSpec, l: number): number {
  return model.numLayers - model.numMoeLayers + l;
}

/** The MoeLoadBalancerConfig of one pool: num_slots, layer_updates_per_iter (0 static, 2 online), initial_global_assignments from our EPLB. */
export function trtllmLoadBalancer(pool: PoolPlan, model: ModelSpec, phy2log: number[][]): Record<string, unknown> {
  const assignments: Record<string, number[]> = {};
  phy2log.forEach((row, l) => (assignments[String(trtllmLayerIndex(model, l))] = row.slice()));
  return { num_slots: pool.numSlots, layer_updates_per_iter: pool.eplbMode === "online" ? Math.min(2, model.numMoeLayers) : 0, initial_global_assignments: assignments };
}

/** A YAML file with our source header. */
export function trtllmYaml(body: Record<string, unknown>, title: string): string {
  const header = [`# ${title}`, "# Field names and rules follow:", ...sourceHeader(["trtllmLlmArgs", "trtllmEplbReadme"]).map((l) => `#   ${l}`)];
  return `${header.join("\n")}\n${toYaml(body)}`;
}

/** YAML text of a value, with lists of scalars on one line (placement rows stay readable). */
export function toYaml(body: unknown): string {
  const doc = new Document(body);
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** trtllm-serve command line (words) for one pool. */
export function trtllmServeCommand(pool: PoolPlan, modelPath: string, configFile: string): string[] {
  return ["trtllm-serve", modelPath, "--backend", "pytorch", "--host", "0.0.0.0", "--port", "8000", "--tp_size", String(pool.tp), "--ep_size", String(pool.ep), "--max_batch_size", String(pool.maxBatchSize), "--max_num_tokens", String(pool.maxNumTokens), "--trust_remote_code", "--config", configFile];
}

/** trtllm-serve flags (serve.py @ 00209af). */
export const TRTLLM_SERVE_FLAGS = Object.freeze([
  "--tokenizer", "--custom_tokenizer", "--host", "--port", "--backend", "--custom_module_dirs", "--log_level", "--max_beam_width", "--max_batch_size",
  "--max_num_tokens", "--max_seq_len", "--tensor_parallel_size", "--tp_size", "--pipeline_parallel_size", "--pp_size", "--context_parallel_size", "--cp_size",
  "--moe_expert_parallel_size", "--ep_size", "--moe_cluster_parallel_size", "--cluster_size", "--gpus_per_node", "--free_gpu_memory_fraction",
  "--kv_cache_free_gpu_memory_fraction", "--num_postprocess_workers", "--trust_remote_code", "--revision", "--config", "--extra_llm_api_options",
  "--reasoning_parser", "--tool_parser", "--metadata_server_config_file", "--server_role", "--fail_fast_on_attention_window_too_large",
  "--otlp_traces_endpoint", "--disagg_cluster_uri", "--enable_chunked_prefill", "--media_io_kwargs", "--chat_template",
]);
/** trtllm-serve flags that take no value. */
export const TRTLLM_BOOLEAN_FLAGS = Object.freeze(["--trust_remote_code", "--fail_fast_on_attention_window_too_large", "--enable_chunked_prefill"]);

function ajvFindings(errors: ErrorObject[] | null | undefined, file: string, at: (path: (string | number)[]) => number, prefix: (string | number)[]): Finding[] {
  const out: Finding[] = [];
  for (const e of errors ?? []) {
    const path = [...prefix, ...e.instancePath.split("/").filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
    if (e.keyword === "additionalProperties") {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      const parentSchema = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parentSchema?.properties ?? {});
      const where = path.filter((p) => typeof p === "string").join(".") || "the top level";
      out.push(finding("trtllm/strict-keys", "error", file, at([...path, extra]), `unknown key ${JSON.stringify(extra)} in ${where}: TensorRT-LLM's config models forbid extra keys${known.length ? ` (did you mean ${JSON.stringify(nearestKey(extra, known))}?)` : ""}`, "trtllmLlmArgs"));
    } else if (e.keyword !== "anyOf") {
      out.push(finding("trtllm/types", "error", file, at(path), `${path.join(".") || "config"} ${e.message}`, "trtllmLlmArgs"));
    }
  }
  return out;
}

/**
 * Lint a TensorRT-LLM YAML: an extra-engine-args / --config file or a standalone load-balancer file.
 * @param file path used in findings (and to resolve `load_balancer: <file>` among ctx.files)
 * @param text YAML text
 * @param ctx what else is known (isl, numExperts, other files); role is read from the file name ("prefill"/"decode")
 * @returns findings (empty when clean)
 * @throws {TypeError} when text is not a string
 * @example lintTrtllmYaml("decode.yaml", "moe_config:\n  load_balancer:\n    num_slot: 288\n", {})[0].rule // "trtllm/strict-keys"
 */
export function lintTrtllmYaml(file: string, text: string, ctx: LintContext, roleHint?: "prefill" | "decode" | "aggregated"): Finding[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  const out: Finding[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    for (const err of doc.errors) out.push(finding("yaml/syntax", "error", file, lc.linePos(err.pos[0]).line, err.message, "trtllmLlmArgs"));
    const obj = doc.toJS() as unknown;
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) continue;
    const at = (p: (string | number)[]) => lineOf(doc, lc, p);
    const o = obj as Record<string, unknown>;
    const isLbFile = "num_slots" in o || "initial_global_assignments" in o || "layer_updates_per_iter" in o;
    if (isLbFile && !("moe_config" in o)) {
      validateLoadBalancer(o);
      out.push(...ajvFindings(validateLoadBalancer.errors, file, at, []));
      out.push(...loadBalancerRules(file, o, at, [], ctx, undefined));
      continue;
    }
    validateEngineArgs(o);
    out.push(...ajvFindings(validateEngineArgs.errors, file, at, []));
    out.push(...engineArgRules(file, o, at, ctx, roleHint ?? roleFromName(file)));
  }
  return out;
}

function roleFromName(file: string): "prefill" | "decode" | undefined {
  const base = file.split("/").pop() ?? file;
  if (/prefill|context|ctx/i.test(base)) return "prefill";
  if (/decode|gen/i.test(base)) return "decode";
  return undefined;
}

function num(x: unknown): number | undefined {
  return typeof x === "number" && Number.isFinite(x) ? x : undefined;
}

function engineArgRules(file: string, o: Record<string, unknown>, at: (p: (string | number)[]) => number, ctx: LintContext, role: "prefill" | "decode" | "aggregated" | undefined): Finding[] {
  const out: Finding[] = [];
  const tp = num(o.tensor_parallel_size) ?? 1;
  const epRaw = num(o.moe_expert_parallel_size);
  const ep = epRaw !== undefined && epRaw > 0 ? epRaw : tp;
  const maxBatch = num(o.max_batch_size);
  const maxTokens = num(o.max_num_tokens);
  const moe = (o.moe_config ?? {}) as Record<string, unknown>;
  const cg = o.cuda_graph_config as Record<string, unknown> | null | undefined;
  if (cg && Array.isArray(cg.batch_sizes) && cg.batch_sizes.length > 0) {
    const mx = Math.max(...(cg.batch_sizes as number[]));
    const cgMax = num(cg.max_batch_size);
    if (cgMax !== undefined && cgMax !== 0 && cgMax !== mx) {
      out.push(finding("trtllm/cuda-graph-max-batch", "error", file, at(["cuda_graph_config", "max_batch_size"]), `cuda_graph_config.max_batch_size (${cgMax}) must equal max(batch_sizes) (${mx}) when both are set`, "trtllmLlmArgs"));
    }
    if (maxBatch !== undefined && mx > maxBatch) {
      out.push(finding("trtllm/cuda-graph-above-batch", "warning", file, at(["cuda_graph_config", "batch_sizes"]), `CUDA graphs are captured up to batch ${mx} but max_batch_size is ${maxBatch}: the larger graphs cost memory (up to 200 MB each) and are never used`, "trtllmLlmArgs"));
    }
  }
  if (role === "prefill" && ctx.isl !== undefined && maxTokens !== undefined && maxTokens < ctx.isl) {
    out.push(finding("plan/prefill-token-budget", "error", file, at(["max_num_tokens"]), `prefill max_num_tokens (${maxTokens}) is below the ${ctx.isl}-token prompt: every prompt is split into ${Math.ceil(ctx.isl / maxTokens)} chunks, multiplying the time to first token`, "trtllmLlmArgs"));
  }
  const moeMax = num(moe.max_num_tokens);
  if (role === "decode" && moeMax !== undefined && maxBatch !== undefined && moeMax < maxBatch * ep) {
    out.push(finding("trtllm/moe-max-num-tokens", "warning", file, at(["moe_config", "max_num_tokens"]), `moe_config.max_num_tokens (${moeMax}) < max_batch_size × EP (${maxBatch} × ${ep} = ${maxBatch * ep}): a busy step is split into MoE chunks`, "trtllmEplbReadme"));
  }
  let lb: unknown = moe.load_balancer;
  let lbFile = file;
  let lbPrefix: (string | number)[] = ["moe_config", "load_balancer"];
  let lbAt = at;
  if (typeof lb === "string") {
    const resolved = resolveSibling(file, lb);
    const text = ctx.files?.get(resolved);
    if (text === undefined) {
      if (ctx.files) out.push(finding("trtllm/load-balancer-file", "warning", file, at(lbPrefix), `moe_config.load_balancer names ${JSON.stringify(lb)}, which is not among the linted files (${resolved}); its slots could not be checked`, "trtllmLlmArgs"));
      lb = undefined;
    } else {
      const lc = new LineCounter();
      const d = parseAllDocuments(text, { lineCounter: lc })[0];
      lb = d?.toJS();
      lbFile = resolved;
      lbPrefix = [];
      lbAt = (p) => (d ? lineOf(d, lc, p) : 1);
    }
  }
  if (lb && typeof lb === "object" && !Array.isArray(lb)) {
    validateLoadBalancer(lb);
    out.push(...ajvFindings(validateLoadBalancer.errors, lbFile, lbAt, lbPrefix));
    out.push(...loadBalancerRules(lbFile, lb as Record<string, unknown>, lbAt, lbPrefix, ctx, ep));
    const backend = String(moe.backend ?? "AUTO").toUpperCase();
    if (backend !== "WIDEEP") out.push(finding("trtllm/load-balancer-backend", "warning", file, at(["moe_config", "backend"]), `a load balancer is configured but moe_config.backend is ${backend}; the wide-EP recipes pair load_balancer with backend WIDEEP`, "trtllmEplbReadme"));
  }
  return out;
}

function resolveSibling(file: string, ref: string): string {
  if (ref.startsWith("/")) return ref;
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const parts = (dir + ref).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return (file.startsWith("/") ? "/" : "") + out.join("/");
}

function loadBalancerRules(file: string, lb: Record<string, unknown>, at: (p: (string | number)[]) => number, prefix: (string | number)[], ctx: LintContext, ep: number | undefined): Finding[] {
  const out: Finding[] = [];
  const slots = num(lb.num_slots);
  const lpi = num(lb.layer_updates_per_iter) ?? 0;
  const iga = lb.initial_global_assignments as Record<string, unknown> | undefined;
  if (slots === undefined) {
    out.push(finding("trtllm/num-slots-required", "error", file, at(prefix), "the load balancer needs num_slots: setup() raises when it is None", "trtllmLlmArgs"));
  } else {
    if (ctx.numExperts !== undefined && slots < ctx.numExperts) {
      out.push(finding("trtllm/num-slots-ge-experts", "error", file, at([...prefix, "num_slots"]), `num_slots (${slots}) < the model's ${ctx.numExperts} experts: every expert needs at least one slot`, "trtllmMoeLbLegacy"));
    }
    if (ep !== undefined && slots % ep !== 0) {
      out.push(finding("trtllm/num-slots-divisible", "error", file, at([...prefix, "num_slots"]), `num_slots (${slots}) must be divisible by the EP size (${ep}); ${Math.ceil(slots / ep) * ep - slots} more (or ${slots % ep} fewer) slots would divide evenly`, "trtllmLlmArgs"));
    }
    if (iga && typeof iga === "object") {
      for (const [layer, row] of Object.entries(iga)) {
        if (!Array.isArray(row)) continue;
        if (row.length !== slots) {
          out.push(finding("trtllm/assignment-length", "error", file, at([...prefix, "initial_global_assignments", layer]), `initial_global_assignments[${layer}] has ${row.length} entries; it must have num_slots (${slots})`, "trtllmLlmArgs"));
        }
        if (ctx.numExperts !== undefined) {
          const seen = new Set(row as number[]);
          const bad = (row as number[]).find((e) => !(Number.isInteger(e) && e >= 0 && e < (ctx.numExperts as number)));
          if (bad !== undefined) out.push(finding("trtllm/assignment-ids", "error", file, at([...prefix, "initial_global_assignments", layer]), `initial_global_assignments[${layer}] holds expert ${bad}; ids must be 0 … ${(ctx.numExperts as number) - 1}`, "trtllmEplbReadme"));
          else if (seen.size < (ctx.numExperts as number)) out.push(finding("trtllm/assignment-coverage", "error", file, at([...prefix, "initial_global_assignments", layer]), `initial_global_assignments[${layer}] gives no slot to ${(ctx.numExperts as number) - seen.size} expert(s): tokens routed to them would have nowhere to go`, "trtllmEplbReadme"));
        }
      }
    }
  }
  if (lpi === 0 && !iga) {
    out.push(finding("trtllm/static-without-placement", "warning", file, at([...prefix, "layer_updates_per_iter"]), "layer_updates_per_iter 0 is the static balancer, but there are no initial_global_assignments: the redundant slots cost memory and balance nothing", "trtllmEplbReadme"));
  }
  return out;
}

/**
 * Lint a trtllm-serve or dynamo.trtllm command line.
 * @returns findings (unknown flags for trtllm-serve name the nearest one; the referenced --config / --extra-engine-args
 *   file is linted when it is among ctx.files)
 */
export function lintTrtllmCommand(file: string, cmd: EngineCommand, ctx: LintContext, role?: "prefill" | "decode" | "aggregated"): Finding[] {
  const out: Finding[] = [];
  if (cmd.launcher === "trtllm-serve") {
    for (const f of cmd.flags) {
      if (!TRTLLM_SERVE_FLAGS.includes(f.name)) out.push(finding("trtllm/serve-flags", "error", file, f.line, `trtllm-serve has no flag ${f.name} (did you mean ${nearestKey(f.name, TRTLLM_SERVE_FLAGS)}?)`, "trtllmServe"));
    }
  }
  const cfg = flagValue(cmd, cmd.launcher === "trtllm-serve" ? ["--config", "--extra_llm_api_options"] : ["--extra-engine-args"]);
  const mode = flagValue(cmd, ["--disaggregation-mode"]);
  const r = role ?? (mode && mode.value !== true ? (mode.value as "prefill" | "decode") : undefined);
  if (cfg && cfg.value !== true && ctx.files) {
    const path = resolveSibling(file, cfg.value);
    const text = ctx.files.get(path) ?? [...ctx.files.entries()].find(([k]) => k.endsWith(`/${cfg.value.toString().split("/").pop()}`))?.[1];
    if (text !== undefined) out.push(...lintTrtllmYaml(path, text, ctx, r));
  }
  const tp = intFlag(cmd, ["--tp_size", "--tensor_parallel_size"]);
  const ep = intFlag(cmd, ["--ep_size", "--moe_expert_parallel_size"]);
  if (tp !== undefined && ep !== undefined && tp % ep !== 0 && ep % tp !== 0) {
    out.push(finding("trtllm/tp-ep", "warning", file, cmd.line, `--tp_size ${tp} and --ep_size ${ep}: the MoE split needs moe_tp × moe_ep = tp`, "trtllmLlmArgs"));
  }
  return out;
}
