/**
 * Where every field name and rule of the deployment planner comes from: one entry per engine source file,
 * with the version (stored commit) that was read, and what it says in our words.
 *
 * Artifacts carry these in a comment at the top; lint findings carry the `rule`'s source.
 */
import type { Citation } from "../cost/catalog-hardware";

/** A source file of an engine, at the version that was read. */
export interface EngineSource extends Citation {
  /** Engine: "trtllm", "sglang", "vllm" or "dynamo". */
  engine: "trtllm" | "sglang" | "vllm" | "dynamo";
  /** Path inside the engine's repository. */
  file: string;
  /** Commit (or branch) of the version read. */
  version: string;
}

function src(engine: EngineSource["engine"], repo: string, file: string, version: string, says: string): EngineSource {
  return Object.freeze({ engine, file, version, url: `https://github.com/${repo}/blob/${version}/${file}`, says });
}

const TRT = "NVIDIA/TensorRT-LLM";
const SGL = "sgl-project/sglang";
const VLLM = "vllm-project/vllm";
const DYN = "ai-dynamo/dynamo";

/** The sources, keyed by a short id used in artifacts and lint rules. */
export const SOURCES = Object.freeze({
  trtllmLlmArgs: src("trtllm", TRT, "tensorrt_llm/llmapi/llm_args.py", "fcd3f31682808ae56118ae43c1d7864a3a945e6f",
    "BaseLlmArgs/TorchLlmArgs are pydantic models with extra=\"forbid\" (unknown keys are rejected); fields include tensor_parallel_size, moe_expert_parallel_size, enable_attention_dp, max_batch_size, max_num_tokens, kv_cache_config (KvCacheConfig: dtype, free_gpu_memory_fraction, …), cuda_graph_config (CudaGraphConfig: batch_sizes, max_batch_size, enable_padding; max_batch_size must equal max(batch_sizes) when both are set), moe_config (MoeConfig: backend incl. WIDEEP, max_num_tokens, load_balancer as a MoeLoadBalancerConfig, dict or YAML path), cache_transceiver_config (backend DEFAULT/UCX/NIXL/MOONCAKE/MPI). MoeLoadBalancerConfig has num_slots, initial_global_assignments {layer: [slot → expert]} and layer_updates_per_iter (default 0); setup() raises unless num_slots % ep_size == 0, and each layer's assignment list must have num_slots entries. All of these are StrictBaseModel (extra forbidden)."),
  trtllmEplbReadme: src("trtllm", TRT, "examples/wide_ep/ep_load_balancer/README.md", "2a595f8157669fce7999f2098fbe32d8263981f0",
    "The offline (static) load balancer file holds num_slots, layer_updates_per_iter: 0 and initial_global_assignments keyed by MoE layer index (3…60 for DeepSeek-R1), each a list of num_slots expert ids with every successive num_slots/ep slots on one rank; layer_updates_per_iter > 0 updates that many layers per iteration online and makes initial_global_assignments optional. moe_config.max_num_tokens chunks MoE tokens; max_batch_size × ep_size lets all decode tokens go in one chunk (36 × 256 = 9216). Statistics are dumped when EXPERT_STATISTIC_PATH and EXPERT_STATISTIC_ITER_RANGE are set; imbalance ratio = (max − mean) / mean."),
  trtllmMoeLbLegacy: src("trtllm", TRT, "tensorrt_llm/_torch/model_config.py", "main",
    "The MoE load balancer's setup asserted num_slots ≥ num_experts and num_slots % ep_size == 0 (every expert needs a slot; slots split evenly over EP ranks)."),
  trtllmExpertStatistic: src("trtllm", TRT, "tensorrt_llm/_torch/expert_statistic.py", "0fccc5b97dd7b23c438e740b3bf4dcde607266c4",
    "With EXPERT_STATISTIC_ITER_RANGE=start-stop, each rank writes rank{N}.safetensors whose tensors are keyed \"{iter}_{layer}\" and hold torch.bincount of the selected expert ids (int64, length num_experts); rank 0 writes meta_info.json with num_experts and num_experts_per_token."),
  trtllmStatisticUtils: src("trtllm", TRT, "examples/wide_ep/ep_load_balancer/utils.py", "7ce477f3c73bffd52edebf6ffbd10d530dff2e6f",
    "load_expert_statistic reads meta_info.json, sums the same key over all rank*.safetensors files (skipping *_raw), parses keys as (iter, layer) and asserts the iterations are contiguous and every (iter, layer) pair is present."),
  trtllmServe: src("trtllm", TRT, "tensorrt_llm/commands/serve.py", "00209af149e7774406881a37283dce303571eb11",
    "trtllm-serve MODEL takes --host, --port, --backend (pytorch default), --max_batch_size, --max_num_tokens, --max_seq_len, --tp_size/--tensor_parallel_size, --pp_size, --ep_size/--moe_expert_parallel_size, --gpus_per_node, --kv_cache_free_gpu_memory_fraction, --trust_remote_code, --config/--extra_llm_api_options (a YAML of LlmArgs fields), --server_role …"),
  sglangServerArgs: src("sglang", SGL, "python/sglang/srt/server_args.py", "469c63e54e7d94591617ef9590c6aa26d54dc1bb",
    "Flags --tp-size/--tp, --dp-size/--dp, --enable-dp-attention, --expert-parallel-size/--ep-size, --moe-a2a-backend, --deepep-mode (auto, normal, low_latency), --enable-eplb, --ep-num-redundant-experts, --init-expert-location, --enable-two-batch-overlap, --disaggregation-mode, --cuda-graph-bs, --chunked-prefill-size. Checks: dp_size 1 turns DP attention off; with DP attention, assert tp_size % dp_size == 0 and chunked_prefill_size is divided by dp_size; moe-a2a-backend deepep sets ep_size = tp_size and deepep-mode normal sets disable_cuda_graph; enable_eplb asserts ep_size > 1; a prefill disaggregation server disables CUDA graphs."),
  sglangExpertLocation: src("sglang", SGL, "python/sglang/srt/eplb/expert_location.py", "main",
    "num_physical_experts = num_logical_experts + ep_num_redundant_experts and asserts num_physical_experts % ep_size == 0. --init-expert-location takes \"trivial\", a .pt or .json file or inline JSON: a dict with physical_to_logical_map ([layers][physical experts], passed as keyword arguments to init_by_mapping, so no other keys) or with logical_count (per-layer per-expert token counts, which EPLB turns into a placement)."),
  sglangExpertDistribution: src("sglang", SGL, "python/sglang/srt/eplb/expert_distribution.py", "main",
    "The expert distribution recorder in stat mode dumps {rank, logical_count, …} where logical_count is the token count per buffered step, layer and logical expert ([steps][layers][experts]), summed over ranks; init_expert_location accepts the same logical_count key."),
  vllmParallel: src("vllm", VLLM, "vllm/config/parallel.py", "00193b82b0e2d4faea5d3b4ea4f6c4c2bd9d057a",
    "ParallelConfig: tensor_parallel_size, data_parallel_size (MoE layers are sharded over TP × PCP × DP ranks), enable_expert_parallel, enable_eplb, eplb_config (EPLBConfig: window_size > 0, step_interval > 0, num_redundant_experts ≥ 0, log_balancedness, log_balancedness_interval, use_async, policy, communicator), all2all_backend (naive, pplx, deepep_high_throughput, deepep_low_latency, deepep_v2, mori_*, nixl_ep, allgather_reducescatter, flashinfer_*). With enable_eplb: enable_expert_parallel must be True and TP × DP > 1; without it num_redundant_experts must be 0. Configs use the @config decorator, which forbids unknown fields."),
  dynamoComponentTypes: src("dynamo", DYN, "deploy/operator/api/v1alpha1/dynamocomponentdeployment_types.go", "main",
    "A service (DynamoComponentDeploymentSharedSpec) has annotations, labels, serviceName, componentType, subComponentType (e.g. prefill), dynamoNamespace, globalDynamoNamespace, resources (requests/limits: cpu, memory, gpu, gpuType, custom), envs, envFromSecret, volumeMounts (referencing spec.pvcs), ingress, modelRef, sharedMemory (disabled, size), extraPodMetadata, extraPodSpec (a PodSpec plus mainContainer), livenessProbe, readinessProbe, replicas, multinode (nodeCount ≥ 2: total GPUs = nodeCount × GPU limit), scalingAdapter, …"),
  dynamoGraphTypes: src("dynamo", DYN, "deploy/cloud/operator/api/v1alpha1/dynamographdeployment_types.go", "039eb630ece354bf2208c1cb1c7140f4f1b041f5",
    "DynamoGraphDeployment (nvidia.com/v1alpha1) spec: dynamoGraph, pvcs, services (map of service name → component spec), envs, backendFramework (sglang, vllm or trtllm)."),
  dynamoWebhook: src("dynamo", DYN, "deploy/operator/internal/webhook/validation/dynamographdeployment.go", "main",
    "validateServiceNameLength: Grove names pods from the PodCliqueSet name (derived from the DynamoGraphDeployment name), the scaling-group name (the lower-cased service name, for multinode services) and the PodClique name (service name, or service + \"-ldr\"/\"-wkr\" for multinode); their combined length must not exceed 45 characters."),
  dynamoSglangBackend: src("dynamo", DYN, "deploy/cloud/operator/internal/dynamo/backend_sglang.go", "020073063688f0288505ac584654b1802822cdb0",
    "For a multinode SGLang service the operator appends --dist-init-addr <leader-host>:29500 --nnodes <nodeCount> --node-rank <0 on the leader, the worker's rank otherwise> to the python sglang command, and drops the probes of worker pods."),
  dynamoTrtllmBackend: src("dynamo", DYN, "deploy/cloud/operator/internal/dynamo/backend_trtllm.go", "02b3bad02e1a9fe6478ae3a7afdd4fa6372ccaa1",
    "For a multinode TensorRT-LLM service the leader runs `mpirun --oversubscribe -n <nodeCount × GPUs per node> -H <leader,workers…>` around `trtllm-llmapi-launch <original command>` (SSH keys mounted at /ssh-pk, port 2222); worker pods only run sshd. GPUs per node are read from resources.requests.gpu, else resources.limits.gpu."),
  dynamoVllmBackend: src("dynamo", DYN, "deploy/cloud/operator/internal/dynamo/backend_vllm.go", "039eb630ece354bf2208c1cb1c7140f4f1b041f5",
    "For a multinode vLLM service the leader's args are prefixed with `ray start --head --port=6379 &&` and worker pods run only `ray start --address=<leader-host>:6379 --block`."),
  dynamoGroveNames: src("dynamo", DYN, "deploy/cloud/operator/internal/dynamo/grove.go", "3ecb210f4de10d9e09db8c38e85dd102106bf172",
    "With Grove, the operator finds a service's PodClique (single-node) or PodCliqueScalingGroup (multinode) under the name <deployment>-0-<lower-case service>; a multinode service's leader host is $(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<service>-ldr-0.$(GROVE_HEADLESS_SERVICE) and its workers' are …-wkr-<i> (i from 0)."),
  groveHostnames: src("dynamo", "ai-dynamo/grove", "docs/user-guide/03_environment-variables-for-pod-discovery/02_env_var_reference.md", "5816c94abcdb456e3863f40c6da24ede5f181b1a",
    "Grove (the scheduler layer Dynamo deploys through) gives each pod the hostname <PodClique>-<pod index> and the name <PodClique>-<random 5-character suffix>; a standalone PodClique is <PodCliqueSet>-<replica>-<clique>, one in a scaling group <PodCliqueSet>-<replica>-<group>-<group replica>-<clique>; each PodCliqueSet replica gets a headless service <PodCliqueSet>-<replica>, which is the pods' subdomain."),
  dynamoWorkers: src("dynamo", DYN, "components/src/dynamo/vllm/args.py", "main",
    "Dynamo workers: python3 -m dynamo.trtllm --model-path … --served-model-name … --extra-engine-args <YAML> --disaggregation-mode prefill|decode; python3 -m dynamo.sglang takes SGLang's own arguments; python3 -m dynamo.vllm --model … takes vLLM's arguments and --disaggregation-mode agg|prefill|decode (--is-prefill-worker is deprecated)."),
} satisfies Record<string, EngineSource>);

/** Key of {@link SOURCES}. */
export type SourceId = keyof typeof SOURCES;

/**
 * Header comment lines (without the comment marker) naming the sources an artifact follows.
 * @param ids source ids
 * @returns one line per source: "engine file @ version — url"
 * @throws {RangeError} for an unknown id
 * @example sourceHeader(["vllmParallel"])[0].startsWith("vllm vllm/config/parallel.py @ 00193b8") // true
 */
export function sourceHeader(ids: readonly SourceId[]): string[] {
  if (!Array.isArray(ids) || ids.length === 0) throw new RangeError("ids must be a non-empty array of source ids");
  return ids.map((id) => {
    const s = (SOURCES as Record<string, EngineSource>)[id];
    if (!s) throw new RangeError(`unknown source id ${JSON.stringify(id)}; known: ${Object.keys(SOURCES).join(", ")}`);
    return `${s.engine} ${s.file} @ ${s.version.slice(0, 7)} — ${s.url}`;
  });
}
