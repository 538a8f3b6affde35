/**
 * Reference tables for Lab 3.1, as plain rows ready for `table(rows)` (danfo) or markdown.
 * The wording is this project's own; engine flag names are cited to the engines' documentation.
 */

/** One row of the "parallelism strategies at a glance" table. */
export interface StrategyRow {
  strategy: string;
  splits: string;
  keyBenefit: string;
  mainCommunication: string;
  appliesTo: string;
}

/** DP, TP, PP, SP and EP: what each splits, why, what it communicates, and which models it serves. */
export const PARALLELISM_STRATEGIES: readonly StrategyRow[] = Object.freeze([
  {
    strategy: "Data parallel (DP)",
    splits: "the requests: each replica holds the whole model (or, in attention-DP, the whole attention) and serves its own batch",
    keyBenefit: "throughput grows with replicas; no communication inside a forward pass",
    mainCommunication: "none in inference (gradients all-reduce only in training)",
    appliesTo: "dense and MoE",
  },
  {
    strategy: "Tensor parallel (TP)",
    splits: "each weight matrix into column/row slices; every GPU computes part of every token",
    keyBenefit: "fits layers too big for one GPU and cuts per-token latency",
    mainCommunication: "all-reduce (or reduce-scatter/all-gather) of activations in every layer",
    appliesTo: "dense and MoE",
  },
  {
    strategy: "Pipeline parallel (PP)",
    splits: "the stack of layers into consecutive stages on different GPUs",
    keyBenefit: "fits deep models with little, point-to-point traffic",
    mainCommunication: "activations passed stage to stage",
    appliesTo: "dense and MoE",
  },
  {
    strategy: "Sequence/context parallel (SP/CP)",
    splits: "the tokens of one long sequence (for attention and norms)",
    keyBenefit: "long contexts whose activations or KV cache exceed one GPU",
    mainCommunication: "all-gather / ring exchange of keys and values",
    appliesTo: "dense and MoE",
  },
  {
    strategy: "Expert parallel (EP)",
    splits: "the experts of each MoE layer: whole experts live on different GPUs",
    keyBenefit: "expert memory and weight reads are divided among GPUs; each expert sees a larger batch",
    mainCommunication: "all-to-all dispatch of tokens to their experts' GPUs and combine of results",
    appliesTo: "MoE layers only",
  },
]);

/** One row of the "EP flavours in serving engines" table. */
export interface EpVariantRow {
  name: string;
  whatItIs: string;
  sglang: string;
  tensorrtLlm: string;
}

/**
 * Standard EP, wide EP, DeepEP and EPLB as serving engines implement them, with their knobs.
 * Sources: SGLang expert-parallelism docs (https://docs.sglang.io/advanced_features/expert_parallelism.html,
 * flags `--ep-size`, `--moe-a2a-backend deepep`, `--enable-eplb`, `--ep-num-redundant-experts`);
 * TensorRT-LLM wide-EP example (https://github.com/NVIDIA/TensorRT-LLM/tree/main/examples/wide_ep:
 * `moe_config.backend: WIDEEP`, load balancer `num_slots`, `layer_updates_per_iter`).
 */
export const EP_VARIANTS: readonly EpVariantRow[] = Object.freeze([
  {
    name: "Standard EP",
    whatItIs: "experts split evenly over the GPUs of one node (EP ≤ 8), fixed placement; NVLink carries the all-to-all",
    sglang: "--ep-size 8 (with --tp-size 8)",
    tensorrtLlm: "moe_expert_parallel_size: 8",
  },
  {
    name: "Wide EP",
    whatItIs: "the same idea over many GPUs and nodes (from a few nodes up: DeepSeek decodes at EP144): few experts per GPU, large batch per expert; usually with attention-DP and disaggregated prefill/decode",
    sglang: "--ep-size 32 … with --enable-dp-attention",
    tensorrtLlm: "moe_config.backend: WIDEEP, moe_expert_parallel_size: 32 …",
  },
  {
    name: "DeepEP",
    whatItIs: "DeepSeek's all-to-all communication library — not a kind of expert hierarchy. V1 (NVSHMEM): high-throughput kernels (NVLink + RDMA forwarding) for training and prefill, low-latency pure-RDMA kernels for decode; V2 (NCCL Gin backend): both behind one ElasticBuffer interface",
    sglang: "--moe-a2a-backend deepep (--deepep-mode normal | low_latency | auto)",
    tensorrtLlm: "its own wide-EP all-to-all kernels (MNNVL on GB200); DeepEP optional",
  },
  {
    name: "EPLB (dynamic EP)",
    whatItIs: "the load balancer: chooses where experts live and how many redundant replicas hot experts get, from measured loads — never which expert a token uses",
    sglang: "--enable-eplb --ep-num-redundant-experts 32",
    tensorrtLlm: "load_balancer: { num_slots: 288, layer_updates_per_iter: 1 }",
  },
]);

/** A fact from a public source: where, and what it says (in this project's words). */
export interface SourceNote {
  url: string;
  says: string;
}

/** One row of a "serving techniques" table: a topic, what it does, the knobs, and its source. */
export interface TechniqueRow {
  topic: string;
  whatItDoes: string;
  knobs: string;
  source: SourceNote;
}

const DYNAMO_DISAGG = "https://github.com/ai-dynamo/dynamo/blob/main/docs/architecture/disagg_serving.md";
const LMSYS_96 = "https://lmsys.org/blog/2025-05-05-large-scale-ep/";
const DEEPSEEK_DAY6 = "https://github.com/deepseek-ai/open-infra-index/blob/main/202502OpenSourceWeek/day_6_one_more_thing_deepseekV3R1_inference_system_overview.md";
const DSV3_REPORT = "https://arxiv.org/abs/2412.19437";
const SGLANG_EP = "https://docs.sglang.io/advanced_features/expert_parallelism.html";
const TRTLLM_EPLB = "https://github.com/NVIDIA/TensorRT-LLM/blob/main/examples/wide_ep/ep_load_balancer/README.md";
const VLLM_EP = "https://docs.vllm.ai/en/latest/serving/expert_parallel_deployment/";
const VLLM_EPLB_CONFIG = "https://docs.vllm.ai/en/stable/api/vllm/config/parallel/";

/**
 * Prefill/decode disaggregation, what Dynamo adds, two-batch overlap and multi-token prediction: the serving
 * techniques that wide-EP deployments combine. Each row cites where the claim comes from.
 */
export const SERVING_TECHNIQUES: readonly TechniqueRow[] = Object.freeze([
  {
    topic: "Prefill/decode disaggregation",
    whatItDoes:
      "prefill (compute-bound) and decode (memory-bound) run on separate GPU pools, each with its own parallelism; the prompt's KV cache is sent from the prefill pool to the decode pool",
    knobs: "SGLang: --disaggregation-mode prefill | decode; TensorRT-LLM: disaggregated serving with context and generation servers",
    source: { url: LMSYS_96, says: "SGLang's 96-H100 DeepSeek deployment runs prefill and decode as separate pools (prefill EP32 on 4 nodes, decode EP72 on 9 nodes) and transfers KV between them." },
  },
  {
    topic: "What Dynamo adds",
    whatItDoes:
      "orchestration above the engines: a router that sends requests to workers by KV-cache overlap, disaggregated prefill/decode workers with KV transfer over NIXL, and a planner that resizes the pools with load",
    knobs: "Dynamo graphs/deployments choosing SGLang, TensorRT-LLM or vLLM workers; the EP flags stay the engine's",
    source: { url: DYNAMO_DISAGG, says: "Dynamo's disaggregated-serving design: separate prefill and decode workers, KV blocks moved between them with NIXL, and a conditional decision whether a prefill runs remotely or locally." },
  },
  {
    topic: "Two-batch overlap (TBO)",
    whatItDoes:
      "splits a batch into two micro-batches so one micro-batch's dispatch/combine all-to-all runs while the other computes; hides communication at the price of smaller GEMMs",
    knobs: "SGLang: --enable-two-batch-overlap; DeepSeek's own system: dual micro-batch overlap in prefill and decode",
    source: { url: DEEPSEEK_DAY6, says: "DeepSeek's inference overview: two micro-batches are interleaved so communication of one is hidden behind computation of the other, in both prefill and decode." },
  },
  {
    topic: "Multi-token prediction (MTP)",
    whatItDoes:
      "an extra MTP module proposes the next token's successor; the main model verifies it in the same step, so one step can emit ~1.8 tokens per user when the draft is accepted 85–90% of the time",
    knobs: "SGLang: --speculative-algorithm EAGLE (NEXTN) with the model's MTP layer; TensorRT-LLM: speculative_config decoding_type MTP, num_nextn_predict_layers",
    source: { url: DSV3_REPORT, says: "DeepSeek-V3 technical report: MTP depth 1; the second token's acceptance rate is 85–90% across topics, giving about 1.8× tokens per second in decoding." },
  },
]);

/** One row of the "static vs online EPLB, per engine" table. */
export interface EplbKnobRow {
  engine: string;
  staticEplb: string;
  onlineEplb: string;
  recordExpertLoad: string;
  source: SourceNote;
}

/**
 * How each engine sets static (placement fixed from recorded statistics) and online (re-planned while serving) EPLB,
 * and how it records the expert load that EPLB needs.
 */
export const EPLB_KNOBS: readonly EplbKnobRow[] = Object.freeze([
  {
    engine: "TensorRT-LLM",
    staticEplb: "moe_config.load_balancer: a YAML with num_slots (e.g. 288) and initial_global_assignments, layer_updates_per_iter: 0",
    onlineEplb: "load_balancer: { num_slots: 288, layer_updates_per_iter: 1 or 2 } — that many layers' weights updated per iteration, copied from expert weights kept in host shared memory",
    recordExpertLoad: "EXPERT_STATISTIC_PATH and EXPERT_STATISTIC_ITER_RANGE=100-200 dump routed-expert counts; report_load_statistics.py prints the imbalance ratio",
    source: { url: TRTLLM_EPLB, says: "TensorRT-LLM's load-balancer example: offline EPLB from dumped statistics (layer_updates_per_iter 0) and online EPLB (layer_updates_per_iter > 0); counting routed experts is enabled with EXPERT_STATISTIC_ITER_RANGE and slows inference." },
  },
  {
    engine: "SGLang",
    staticEplb: "--init-expert-location <recorded distribution> with --ep-num-redundant-experts 32",
    onlineEplb: "--enable-eplb --ep-num-redundant-experts 32 --eplb-rebalance-num-iterations N (rebalance every N iterations)",
    recordExpertLoad: "expert-distribution recorder: --expert-distribution-recorder-mode stat, then /start_expert_distribution_record, /stop_expert_distribution_record, /dump_expert_distribution_record (per-layer logical_count)",
    source: { url: SGLANG_EP, says: "SGLang's expert-parallelism docs: EPLB flags (--enable-eplb, --ep-num-redundant-experts, --init-expert-location, --eplb-rebalance-num-iterations) and the expert-distribution recorder and its HTTP endpoints." },
  },
  {
    engine: "vLLM",
    staticEplb: "no recorded-placement file in the upstream engine; redundant experts come with EPLB itself",
    onlineEplb: "--enable-eplb --eplb-config '{\"window_size\": 1000, \"step_interval\": 3000, \"num_redundant_experts\": 32}' (window of recorded steps, steps between rearrangements)",
    recordExpertLoad: "EPLB records expert load over window_size steps itself; log_balancedness prints balancedness each step (costs communication)",
    source: { url: VLLM_EPLB_CONFIG, says: "vLLM's EPLBConfig: window_size (default 1000) steps of expert-load recording, step_interval (default 3000) between rearrangements, num_redundant_experts, log_balancedness." },
  },
]);

/** The vLLM expert-parallel deployment guide (flags --enable-expert-parallel, --enable-eplb). */
export const VLLM_EP_GUIDE: SourceNote = Object.freeze({
  url: VLLM_EP,
  says: "vLLM's expert-parallel deployment guide: EP is enabled with --enable-expert-parallel, EPLB with --enable-eplb and --eplb-config; DeepEP's high-throughput kernels for prefill, low-latency kernels for decode.",
});

/**
 * Rows of {@link SERVING_TECHNIQUES} or {@link EPLB_KNOBS} with the source flattened to a short form of its URL
 * (host/…/last path segment), for tables.
 * @param rows rows that each carry a `source: { url, says }`
 * @returns copies with `source` replaced by the short URL
 * @throws {TypeError} when `rows` is not an array
 * @example withSourceUrl(EPLB_KNOBS)[0].source; // "github.com/…/README.md"
 */
export function withSourceUrl<T extends { source: SourceNote }>(rows: readonly T[]): (Omit<T, "source"> & { source: string })[] {
  if (!Array.isArray(rows)) throw new TypeError("rows must be an array of rows with a source");
  return rows.map((r) => ({ ...r, source: shortUrl(r.source.url) }));
}

/** A URL without its scheme and with long paths shortened to host/…/last-segment, for narrow table cells. */
function shortUrl(url: string): string {
  const m = /^https?:\/\/([^/]+)(\/.*)?$/.exec(url);
  if (!m) return url;
  const parts = (m[2] ?? "").split("/").filter(Boolean);
  return parts.length <= 2 ? `${m[1]}/${parts.join("/")}` : `${m[1]}/…/${parts[parts.length - 1]}`;
}
