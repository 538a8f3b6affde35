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
    whatItIs: "the same idea over many GPUs and nodes (EP 32–320): few experts per GPU, large batch per expert; usually with attention-DP and disaggregated prefill/decode",
    sglang: "--ep-size 32 … with --enable-dp-attention",
    tensorrtLlm: "moe_config.backend: WIDEEP, moe_expert_parallel_size: 32 …",
  },
  {
    name: "DeepEP",
    whatItIs: "DeepSeek's all-to-all communication library: high-throughput kernels (NVLink + RDMA forwarding) for prefill, low-latency pure-RDMA kernels for decode — not a kind of expert hierarchy",
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
