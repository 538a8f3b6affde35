/**
 * Model catalog for the cost model: MoE architectures as their public `config.json` files give them,
 * every number with a source, plus pure helpers that count parameters and KV-cache elements.
 *
 * Shapes the helpers assume (standard for every model here):
 * - a SwiGLU expert (routed or shared) and a dense FFN have 3 matrices: gate and up `[H][I]`, down `[I][H]`,
 *   so `3·H·I` parameters;
 * - MLA attention (DeepSeek, Kimi) caches one compressed latent of `kvLoraRank + qkRopeHeadDim` elements per
 *   token per layer; GQA attention caches K and V, `2·numKvHeads·headDim` elements per token per layer;
 *   sliding-window/chunked layers cache at most `slidingWindow` tokens;
 * - input embedding and output head are separate (untied) `[vocab][H]` matrices.
 */
import { assertNonNegativeInt, assertOneOf, assertPositiveInt, show } from "../util/validate";
import type { Citation } from "./catalog-hardware";
import { ownEntry } from "./options";
import type { Precision } from "./precision";

/** Multi-head latent attention (DeepSeek-V2/V3, Kimi K2). */
export interface MlaAttention {
  readonly kind: "mla";
  readonly numHeads: number;
  /** Query low-rank dimension (`q_lora_rank`). */
  readonly qLoraRank: number;
  /** Compressed KV latent dimension (`kv_lora_rank`), cached. */
  readonly kvLoraRank: number;
  /** Per-head query/key dimension without RoPE (`qk_nope_head_dim`). */
  readonly qkNopeHeadDim: number;
  /** Decoupled RoPE key dimension (`qk_rope_head_dim`), cached once per token. */
  readonly qkRopeHeadDim: number;
  /** Per-head value dimension (`v_head_dim`). */
  readonly vHeadDim: number;
}

/** Grouped-query attention, optionally with sliding-window (or chunked) layers. */
export interface GqaAttention {
  readonly kind: "gqa";
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  /** Window (tokens) of the local-attention layers; 0 when every layer is global. */
  readonly slidingWindow: number;
  /** How many of the layers are local (window-limited). */
  readonly numSlidingLayers: number;
}

export type AttentionSpec = MlaAttention | GqaAttention;

/** Numeric top-level fields of a {@link ModelSpec}; each must carry a citation in `sources`. */
export const MODEL_NUMERIC_FIELDS = [
  "numLayers",
  "numMoeLayers",
  "hiddenSize",
  "expertFfnSize",
  "denseFfnSize",
  "numExperts",
  "numSharedExperts",
  "sharedExpertFfnSize",
  "topK",
  "numGroups",
  "topkGroup",
  "vocabSize",
  "mtpLayers",
  "totalParamsB",
  "activeParamsB",
] as const;
export type ModelNumericField = (typeof MODEL_NUMERIC_FIELDS)[number] | "attention";

/** One MoE model. */
export interface ModelSpec {
  /** Catalog key (`"deepseek-v3"`). */
  readonly name: string;
  readonly label: string;
  /** Transformer layers (`num_hidden_layers`). */
  readonly numLayers: number;
  /** Layers whose FFN is an MoE block; the others have a dense FFN of `denseFfnSize`. */
  readonly numMoeLayers: number;
  /** Model width H (`hidden_size`). */
  readonly hiddenSize: number;
  /** Routed expert intermediate size I (`moe_intermediate_size`). */
  readonly expertFfnSize: number;
  /** Intermediate size of the dense-FFN layers (0 when every layer is MoE). */
  readonly denseFfnSize: number;
  /** Routed experts per MoE layer. */
  readonly numExperts: number;
  /** Shared (always-on) experts per MoE layer. */
  readonly numSharedExperts: number;
  /** Intermediate size of one shared expert (0 when there is none). */
  readonly sharedExpertFfnSize: number;
  /** Routed experts per token. */
  readonly topK: number;
  /** Expert groups for group-limited routing (1 = none). */
  readonly numGroups: number;
  /** Groups a token may use (equals numGroups when unrestricted). */
  readonly topkGroup: number;
  readonly vocabSize: number;
  /** Multi-token-prediction modules shipped with the model (DeepSeek-V3: 1). */
  readonly mtpLayers: number;
  /** Published total parameters, billions (for cross-checking the counts). */
  readonly totalParamsB: number;
  /** Published activated parameters per token, billions. */
  readonly activeParamsB: number;
  readonly attention: AttentionSpec;
  /** A citation for every numeric field and for `attention`. */
  readonly sources: Readonly<Record<ModelNumericField, Citation>>;
}

type Cfg = Record<string, string | number>;

/** Build per-field citations that quote the config.json key each value comes from. */
function cite(url: string, map: Partial<Record<ModelNumericField, string>>): Partial<Record<ModelNumericField, Citation>> {
  const out: Partial<Record<ModelNumericField, Citation>> = {};
  for (const [field, says] of Object.entries(map)) out[field as ModelNumericField] = { url, says: says as string };
  return out;
}

function q(cfg: Cfg): string {
  return "config.json: " + Object.entries(cfg).map(([k, v]) => `"${k}": ${v}`).join(", ");
}

function model(spec: Omit<ModelSpec, "sources"> & { sources: Partial<Record<ModelNumericField, Citation>> }): ModelSpec {
  return Object.freeze({
    ...spec,
    attention: Object.freeze({ ...spec.attention }),
    sources: Object.freeze({ ...spec.sources }) as Readonly<Record<ModelNumericField, Citation>>,
  });
}

const DSV3 = "https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json";
const DSV3_CARD = "https://huggingface.co/deepseek-ai/DeepSeek-V3";
const KIMI = "https://huggingface.co/moonshotai/Kimi-K2-Instruct/blob/main/config.json";
const KIMI_CARD = "https://huggingface.co/moonshotai/Kimi-K2-Instruct";
const QWEN235 = "https://huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json";
const QWEN235_CARD = "https://huggingface.co/Qwen/Qwen3-235B-A22B";
const QWEN30 = "https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json";
const QWEN30_CARD = "https://huggingface.co/Qwen/Qwen3-30B-A3B";
const MIX7 = "https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json";
const MIX7_BLOG = "https://mistral.ai/news/mixtral-of-experts";
const MIX22 = "https://huggingface.co/mistralai/Mixtral-8x22B-v0.1/blob/main/config.json";
const MIX22_BLOG = "https://mistral.ai/news/mixtral-8x22b";
const GPTOSS = "https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json";
const GPTOSS_CARD = "https://huggingface.co/openai/gpt-oss-120b";
const MAV = "https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E-Instruct/blob/main/config.json";
const MAV_CARD = "https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E-Instruct";

/** The model catalog, keyed by lower-case name. Frozen. */
export const MODELS: Readonly<Record<string, ModelSpec>> = Object.freeze({
  "deepseek-v3": model({
    name: "deepseek-v3",
    label: "DeepSeek-V3 / R1 (671B, 37B active)",
    numLayers: 61,
    numMoeLayers: 58,
    hiddenSize: 7168,
    expertFfnSize: 2048,
    denseFfnSize: 18432,
    numExperts: 256,
    numSharedExperts: 1,
    sharedExpertFfnSize: 2048,
    topK: 8,
    numGroups: 8,
    topkGroup: 4,
    vocabSize: 129280,
    mtpLayers: 1,
    totalParamsB: 671,
    activeParamsB: 37,
    attention: { kind: "mla", numHeads: 128, qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    sources: {
      ...cite(DSV3, {
        numLayers: q({ num_hidden_layers: 61 }),
        numMoeLayers: q({ num_hidden_layers: 61, first_k_dense_replace: 3, moe_layer_freq: 1 }) + " → 58 MoE layers",
        hiddenSize: q({ hidden_size: 7168 }),
        expertFfnSize: q({ moe_intermediate_size: 2048 }),
        denseFfnSize: q({ intermediate_size: 18432 }) + " (the 3 dense layers)",
        numExperts: q({ n_routed_experts: 256 }),
        numSharedExperts: q({ n_shared_experts: 1 }),
        sharedExpertFfnSize: q({ n_shared_experts: 1, moe_intermediate_size: 2048 }),
        topK: q({ num_experts_per_tok: 8 }),
        numGroups: q({ n_group: 8 }),
        topkGroup: q({ topk_group: 4 }),
        vocabSize: q({ vocab_size: 129280 }),
        mtpLayers: q({ num_nextn_predict_layers: 1 }),
        attention: q({ num_attention_heads: 128, q_lora_rank: 1536, kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128 }),
      }),
      ...cite(DSV3_CARD, {
        totalParamsB: "Model card: 671B total parameters (685B on the Hub including the 14B multi-token-prediction module).",
        activeParamsB: "Model card: 37B activated parameters per token.",
      }),
    },
  }),
  "kimi-k2": model({
    name: "kimi-k2",
    label: "Kimi K2 (1T, 32B active)",
    numLayers: 61,
    numMoeLayers: 60,
    hiddenSize: 7168,
    expertFfnSize: 2048,
    denseFfnSize: 18432,
    numExperts: 384,
    numSharedExperts: 1,
    sharedExpertFfnSize: 2048,
    topK: 8,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 163840,
    mtpLayers: 0,
    totalParamsB: 1000,
    activeParamsB: 32,
    attention: { kind: "mla", numHeads: 64, qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    sources: {
      ...cite(KIMI, {
        numLayers: q({ num_hidden_layers: 61 }),
        numMoeLayers: q({ num_hidden_layers: 61, first_k_dense_replace: 1 }) + " → 60 MoE layers",
        hiddenSize: q({ hidden_size: 7168 }),
        expertFfnSize: q({ moe_intermediate_size: 2048 }),
        denseFfnSize: q({ intermediate_size: 18432 }),
        numExperts: q({ n_routed_experts: 384 }),
        numSharedExperts: q({ n_shared_experts: 1 }),
        sharedExpertFfnSize: q({ n_shared_experts: 1, moe_intermediate_size: 2048 }),
        topK: q({ num_experts_per_tok: 8 }),
        numGroups: q({ n_group: 1 }),
        topkGroup: q({ topk_group: 1 }),
        vocabSize: q({ vocab_size: 163840 }),
        mtpLayers: q({ num_nextn_predict_layers: 0 }),
        attention: q({ num_attention_heads: 64, q_lora_rank: 1536, kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128 }),
      }),
      ...cite(KIMI_CARD, {
        totalParamsB: "Model card: 1 trillion total parameters (the count from the config is ~1.03T).",
        activeParamsB: "Model card: 32 billion activated parameters.",
      }),
    },
  }),
  "qwen3-235b-a22b": model({
    name: "qwen3-235b-a22b",
    label: "Qwen3-235B-A22B",
    numLayers: 94,
    numMoeLayers: 94,
    hiddenSize: 4096,
    expertFfnSize: 1536,
    denseFfnSize: 0,
    numExperts: 128,
    numSharedExperts: 0,
    sharedExpertFfnSize: 0,
    topK: 8,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 151936,
    mtpLayers: 0,
    totalParamsB: 235,
    activeParamsB: 22,
    attention: { kind: "gqa", numHeads: 64, numKvHeads: 4, headDim: 128, slidingWindow: 0, numSlidingLayers: 0 },
    sources: {
      ...cite(QWEN235, {
        numLayers: q({ num_hidden_layers: 94 }),
        numMoeLayers: q({ decoder_sparse_step: 1, mlp_only_layers: "[]" }) + " → all 94 layers are MoE",
        hiddenSize: q({ hidden_size: 4096 }),
        expertFfnSize: q({ moe_intermediate_size: 1536 }),
        denseFfnSize: "config.json: no dense-FFN layers (mlp_only_layers is empty), so 0",
        numExperts: q({ num_experts: 128 }),
        numSharedExperts: "Qwen3 MoE has no shared expert (no shared_expert field in config.json)",
        sharedExpertFfnSize: "no shared expert → 0",
        topK: q({ num_experts_per_tok: 8 }),
        numGroups: "no group-limited routing → 1",
        topkGroup: "no group-limited routing → 1",
        vocabSize: q({ vocab_size: 151936 }),
        mtpLayers: "no multi-token-prediction module → 0",
        attention: q({ num_attention_heads: 64, num_key_value_heads: 4, head_dim: 128 }),
      }),
      ...cite(QWEN235_CARD, {
        totalParamsB: "Model card: 235B parameters in total.",
        activeParamsB: "Model card: 22B activated.",
      }),
    },
  }),
  "qwen3-30b-a3b": model({
    name: "qwen3-30b-a3b",
    label: "Qwen3-30B-A3B",
    numLayers: 48,
    numMoeLayers: 48,
    hiddenSize: 2048,
    expertFfnSize: 768,
    denseFfnSize: 0,
    numExperts: 128,
    numSharedExperts: 0,
    sharedExpertFfnSize: 0,
    topK: 8,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 151936,
    mtpLayers: 0,
    totalParamsB: 30.5,
    activeParamsB: 3.3,
    attention: { kind: "gqa", numHeads: 32, numKvHeads: 4, headDim: 128, slidingWindow: 0, numSlidingLayers: 0 },
    sources: {
      ...cite(QWEN30, {
        numLayers: q({ num_hidden_layers: 48 }),
        numMoeLayers: q({ decoder_sparse_step: 1, mlp_only_layers: "[]" }) + " → all 48 layers are MoE",
        hiddenSize: q({ hidden_size: 2048 }),
        expertFfnSize: q({ moe_intermediate_size: 768 }),
        denseFfnSize: "config.json: no dense-FFN layers, so 0",
        numExperts: q({ num_experts: 128 }),
        numSharedExperts: "Qwen3 MoE has no shared expert → 0",
        sharedExpertFfnSize: "no shared expert → 0",
        topK: q({ num_experts_per_tok: 8 }),
        numGroups: "no group-limited routing → 1",
        topkGroup: "no group-limited routing → 1",
        vocabSize: q({ vocab_size: 151936 }),
        mtpLayers: "no multi-token-prediction module → 0",
        attention: q({ num_attention_heads: 32, num_key_value_heads: 4, head_dim: 128 }),
      }),
      ...cite(QWEN30_CARD, {
        totalParamsB: "Model card: 30.5B parameters in total.",
        activeParamsB: "Model card: 3.3B activated.",
      }),
    },
  }),
  "mixtral-8x7b": model({
    name: "mixtral-8x7b",
    label: "Mixtral 8x7B",
    numLayers: 32,
    numMoeLayers: 32,
    hiddenSize: 4096,
    expertFfnSize: 14336,
    denseFfnSize: 0,
    numExperts: 8,
    numSharedExperts: 0,
    sharedExpertFfnSize: 0,
    topK: 2,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 32000,
    mtpLayers: 0,
    totalParamsB: 46.7,
    activeParamsB: 12.9,
    attention: { kind: "gqa", numHeads: 32, numKvHeads: 8, headDim: 128, slidingWindow: 0, numSlidingLayers: 0 },
    sources: {
      ...cite(MIX7, {
        numLayers: q({ num_hidden_layers: 32 }),
        numMoeLayers: "every layer's FFN is a sparse MoE block → 32",
        hiddenSize: q({ hidden_size: 4096 }),
        expertFfnSize: q({ intermediate_size: 14336 }),
        denseFfnSize: "no dense-FFN layers → 0",
        numExperts: q({ num_local_experts: 8 }),
        numSharedExperts: "no shared expert → 0",
        sharedExpertFfnSize: "no shared expert → 0",
        topK: q({ num_experts_per_tok: 2 }),
        numGroups: "no group-limited routing → 1",
        topkGroup: "no group-limited routing → 1",
        vocabSize: q({ vocab_size: 32000 }),
        mtpLayers: "no multi-token-prediction module → 0",
        attention: q({ num_attention_heads: 32, num_key_value_heads: 8 }) + "; head_dim = 4096/32 = 128",
      }),
      ...cite(MIX7_BLOG, {
        totalParamsB: "Mistral: 46.7B total parameters.",
        activeParamsB: "Mistral: uses 12.9B parameters per token.",
      }),
    },
  }),
  "mixtral-8x22b": model({
    name: "mixtral-8x22b",
    label: "Mixtral 8x22B",
    numLayers: 56,
    numMoeLayers: 56,
    hiddenSize: 6144,
    expertFfnSize: 16384,
    denseFfnSize: 0,
    numExperts: 8,
    numSharedExperts: 0,
    sharedExpertFfnSize: 0,
    topK: 2,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 32000,
    mtpLayers: 0,
    totalParamsB: 141,
    activeParamsB: 39,
    attention: { kind: "gqa", numHeads: 48, numKvHeads: 8, headDim: 128, slidingWindow: 0, numSlidingLayers: 0 },
    sources: {
      ...cite(MIX22, {
        numLayers: q({ num_hidden_layers: 56 }),
        numMoeLayers: "every layer's FFN is a sparse MoE block → 56",
        hiddenSize: q({ hidden_size: 6144 }),
        expertFfnSize: q({ intermediate_size: 16384 }),
        denseFfnSize: "no dense-FFN layers → 0",
        numExperts: q({ num_local_experts: 8 }),
        numSharedExperts: "no shared expert → 0",
        sharedExpertFfnSize: "no shared expert → 0",
        topK: q({ num_experts_per_tok: 2 }),
        numGroups: "no group-limited routing → 1",
        topkGroup: "no group-limited routing → 1",
        vocabSize: q({ vocab_size: 32000 }) + " (the Instruct v0.1 release uses 32768)",
        mtpLayers: "no multi-token-prediction module → 0",
        attention: q({ num_attention_heads: 48, num_key_value_heads: 8 }) + "; head_dim = 6144/48 = 128",
      }),
      ...cite(MIX22_BLOG, {
        totalParamsB: "Mistral: 141B total parameters.",
        activeParamsB: "Mistral: only 39B active parameters.",
      }),
    },
  }),
  "gpt-oss-120b": model({
    name: "gpt-oss-120b",
    label: "gpt-oss-120b",
    numLayers: 36,
    numMoeLayers: 36,
    hiddenSize: 2880,
    expertFfnSize: 2880,
    denseFfnSize: 0,
    numExperts: 128,
    numSharedExperts: 0,
    sharedExpertFfnSize: 0,
    topK: 4,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 201088,
    mtpLayers: 0,
    totalParamsB: 117,
    activeParamsB: 5.1,
    attention: { kind: "gqa", numHeads: 64, numKvHeads: 8, headDim: 64, slidingWindow: 128, numSlidingLayers: 18 },
    sources: {
      ...cite(GPTOSS, {
        numLayers: q({ num_hidden_layers: 36 }),
        numMoeLayers: "every layer's MLP is an MoE block → 36",
        hiddenSize: q({ hidden_size: 2880 }),
        expertFfnSize: q({ intermediate_size: 2880 }),
        denseFfnSize: "no dense-FFN layers → 0",
        numExperts: q({ num_local_experts: 128 }),
        numSharedExperts: "no shared expert → 0",
        sharedExpertFfnSize: "no shared expert → 0",
        topK: q({ num_experts_per_tok: 4 }),
        numGroups: "no group-limited routing → 1",
        topkGroup: "no group-limited routing → 1",
        vocabSize: q({ vocab_size: 201088 }),
        mtpLayers: "no multi-token-prediction module → 0",
        attention:
          q({ num_attention_heads: 64, num_key_value_heads: 8, head_dim: 64, sliding_window: 128 }) +
          "; layer_types alternate sliding_attention / full_attention → 18 sliding layers",
      }),
      ...cite(GPTOSS_CARD, {
        totalParamsB: "Model card: 117B parameters (116.8B in the model card's table).",
        activeParamsB: "Model card: 5.1B active parameters.",
      }),
    },
  }),
  "llama4-maverick": model({
    name: "llama4-maverick",
    label: "Llama 4 Maverick 17B-128E",
    numLayers: 48,
    numMoeLayers: 24,
    hiddenSize: 5120,
    expertFfnSize: 8192,
    denseFfnSize: 16384,
    numExperts: 128,
    numSharedExperts: 1,
    sharedExpertFfnSize: 8192,
    topK: 1,
    numGroups: 1,
    topkGroup: 1,
    vocabSize: 202048,
    mtpLayers: 0,
    totalParamsB: 400,
    activeParamsB: 17,
    attention: { kind: "gqa", numHeads: 40, numKvHeads: 8, headDim: 128, slidingWindow: 8192, numSlidingLayers: 36 },
    sources: {
      ...cite(MAV, {
        numLayers: "config.json text_config: \"num_hidden_layers\": 48",
        numMoeLayers: "config.json text_config: \"interleave_moe_layer_step\": 2 → every other layer is MoE, 24 of 48",
        hiddenSize: "config.json text_config: \"hidden_size\": 5120",
        expertFfnSize: "config.json text_config: \"intermediate_size\": 8192 (per expert)",
        denseFfnSize: "config.json text_config: \"intermediate_size_mlp\": 16384 (dense layers)",
        numExperts: "config.json text_config: \"num_local_experts\": 128",
        numSharedExperts: "Llama 4 MoE blocks add one shared expert to the routed one (transformers Llama4TextMoe.shared_expert)",
        sharedExpertFfnSize: "the shared expert uses intermediate_size 8192",
        topK: "config.json text_config: \"num_experts_per_tok\": 1",
        numGroups: "no group-limited routing → 1",
        topkGroup: "no group-limited routing → 1",
        vocabSize: "config.json text_config: \"vocab_size\": 202048",
        mtpLayers: "no multi-token-prediction module → 0",
        attention:
          "config.json text_config: \"num_attention_heads\": 40, \"num_key_value_heads\": 8, \"head_dim\": 128, \"attention_chunk_size\": 8192; " +
          "3 of every 4 layers use chunked (local) attention → 36 window-limited layers",
      }),
      ...cite(MAV_CARD, {
        totalParamsB: "Model card: 400B total parameters.",
        activeParamsB: "Model card: 17B activated parameters.",
      }),
    },
  }),
});

/**
 * Catalog keys of {@link MODELS}, sorted.
 * @returns a new array of model names (takes no input, so it never throws)
 * @throws never
 * @example modelNames().includes("deepseek-v3") // true
 */
export function modelNames(): string[] {
  return Object.keys(MODELS).sort();
}

/**
 * Look a model up by name (case-insensitive, own catalog keys only; `deepseek-r1` is an alias of `deepseek-v3`).
 * @param name catalog key, e.g. `"deepseek-v3"`, `"qwen3-235b-a22b"`
 * @returns the frozen {@link ModelSpec}
 * @throws {TypeError} when `name` is not a string; {RangeError} for an unknown name, listing the known ones
 * @example getModel("deepseek-v3").numExperts // 256
 */
export function getModel(name: string): ModelSpec {
  if (typeof name !== "string") throw new TypeError(`model must be a string, got ${typeof name} ${show(name)}`);
  const key = name.toLowerCase() === "deepseek-r1" ? "deepseek-v3" : name.toLowerCase();
  const spec = ownEntry(MODELS, key);
  if (!spec) throw new RangeError(`unknown model ${JSON.stringify(name)}; known: ${modelNames().join(", ")}`);
  return spec;
}

/**
 * Parameters of one SwiGLU expert (gate, up and down projections): `3·H·I`.
 * @param model a catalog model
 * @returns parameter count of one routed expert
 * @throws {TypeError|RangeError} when `model` is not a valid ModelSpec (see {@link checkModel})
 * @example expertParams(getModel("deepseek-v3")) // 3·7168·2048 = 44,040,192
 */
export function expertParams(model: ModelSpec): number {
  checkModel(model);
  return 3 * model.hiddenSize * model.expertFfnSize;
}

/**
 * Attention projection parameters of one layer.
 * MLA: `H·qLora + qLora·heads·(nope+rope) + H·(kvLora+rope) + kvLora·heads·(nope+v) + heads·v·H`.
 * GQA: `H·heads·d + 2·H·kvHeads·d + heads·d·H`.
 * @param model a catalog model
 * @returns parameters per layer (norms and biases ignored)
 * @throws {TypeError|RangeError} when `model` is not a valid ModelSpec (see {@link checkModel})
 * @example attentionParamsPerLayer(getModel("mixtral-8x7b")) // 41,943,040
 */
export function attentionParamsPerLayer(model: ModelSpec): number {
  checkModel(model);
  const H = model.hiddenSize;
  const a = model.attention;
  if (a.kind === "mla") {
    const qk = a.qkNopeHeadDim + a.qkRopeHeadDim;
    return (
      H * a.qLoraRank +
      a.qLoraRank * a.numHeads * qk +
      H * (a.kvLoraRank + a.qkRopeHeadDim) +
      a.kvLoraRank * a.numHeads * (a.qkNopeHeadDim + a.vHeadDim) +
      a.numHeads * a.vHeadDim * H
    );
  }
  return H * a.numHeads * a.headDim + 2 * H * a.numKvHeads * a.headDim + a.numHeads * a.headDim * H;
}

/** Parameter counts of a model, split the way the memory model places them. */
export interface ParamCounts {
  /** All routed experts of all MoE layers. */
  routedExpertParams: number;
  /** Shared experts of all MoE layers. */
  sharedExpertParams: number;
  /** Dense-FFN layers. */
  denseFfnParams: number;
  /** Attention projections of all layers. */
  attentionParams: number;
  /** Input embedding + output head. */
  embeddingParams: number;
  /** Sum of the above (MTP module excluded). */
  totalParams: number;
  /** Parameters a token touches: topK routed experts per MoE layer + everything else (embedding row excluded). */
  activeParams: number;
}

/**
 * Count parameters from the architecture (norms, biases and routers ignored; < 0.1%).
 * @param model a catalog model
 * @returns the split counts (parameters); compare `totalParams / 1e9` with `model.totalParamsB`
 * @throws {TypeError|RangeError} when `model` is not a valid ModelSpec (see {@link checkModel})
 * @example Math.round(paramCounts(getModel("deepseek-v3")).totalParams / 1e9) // 671
 */
export function paramCounts(model: ModelSpec): ParamCounts {
  checkModel(model);
  const H = model.hiddenSize;
  const e = expertParams(model);
  const routedExpertParams = model.numMoeLayers * model.numExperts * e;
  const sharedExpertParams = model.numMoeLayers * model.numSharedExperts * 3 * H * model.sharedExpertFfnSize;
  const denseFfnParams = (model.numLayers - model.numMoeLayers) * 3 * H * model.denseFfnSize;
  const attentionParams = model.numLayers * attentionParamsPerLayer(model);
  const embeddingParams = 2 * model.vocabSize * H;
  const totalParams = routedExpertParams + sharedExpertParams + denseFfnParams + attentionParams + embeddingParams;
  const activeParams =
    model.numMoeLayers * model.topK * e + sharedExpertParams + denseFfnParams + attentionParams + model.vocabSize * H;
  return { routedExpertParams, sharedExpertParams, denseFfnParams, attentionParams, embeddingParams, totalParams, activeParams };
}

/**
 * KV-cache elements one token adds in one layer: MLA `kvLoraRank + qkRopeHeadDim`; GQA `2·kvHeads·headDim`.
 * @param model a catalog model
 * @returns elements per token per layer (multiply by bytes per element)
 * @throws {TypeError|RangeError} when `model` is not a valid ModelSpec (see {@link checkModel})
 * @example kvElementsPerTokenPerLayer(getModel("deepseek-v3")) // 576
 */
export function kvElementsPerTokenPerLayer(model: ModelSpec): number {
  checkModel(model);
  const a = model.attention;
  return a.kind === "mla" ? a.kvLoraRank + a.qkRopeHeadDim : 2 * a.numKvHeads * a.headDim;
}

/**
 * Sum over layers of the KV positions a sequence of `kvLen` tokens keeps (window-limited layers keep at most
 * `slidingWindow`). Multiply by {@link kvElementsPerTokenPerLayer} and bytes per element to get bytes.
 * @param model a catalog model
 * @param kvLen tokens in the sequence's context (≥ 0)
 * @returns layer-token positions
 * @throws {RangeError|TypeError} when kvLen is not a finite number ≥ 0
 * @example kvPositions(getModel("gpt-oss-120b"), 1000) // 18·1000 + 18·128
 */
export function kvPositions(model: ModelSpec, kvLen: number): number {
  checkModel(model);
  if (typeof kvLen !== "number") throw new TypeError(`kvLen must be a number, got ${typeof kvLen}`);
  if (!Number.isFinite(kvLen) || kvLen < 0) throw new RangeError(`kvLen must be a finite number ≥ 0, got ${kvLen}`);
  const a = model.attention;
  if (a.kind === "gqa" && a.slidingWindow > 0) {
    const global = model.numLayers - a.numSlidingLayers;
    return global * kvLen + a.numSlidingLayers * Math.min(kvLen, a.slidingWindow);
  }
  return model.numLayers * kvLen;
}

/**
 * Check that `model` is a usable {@link ModelSpec} (the helpers and the cost model call this on every spec,
 * so a hand-built or edited spec fails loudly instead of producing NaN or negative parameter counts).
 * @param model a catalog model or a hand-built spec of the same shape
 * @returns nothing; narrows `model` to ModelSpec
 * @throws {TypeError} when `model` is not an object, a required size (`numLayers`, `numMoeLayers`, `hiddenSize`,
 *   `expertFfnSize`, `numExperts`, `topK`, `vocabSize`) is not a positive integer, or `attention` is not an object;
 *   {TypeError|RangeError} naming the field and value for a negative / non-integer optional size
 *   (`denseFfnSize`, `numSharedExperts`, `sharedExpertFfnSize`), an attention dimension, numMoeLayers > numLayers,
 *   topK > numExperts, or an unknown attention kind
 * @example checkModel(getModel("deepseek-v3")); // passes; checkModel({ ...getModel("deepseek-v3"), topK: 0 }) throws
 */
export function checkModel(model: unknown): asserts model is ModelSpec {
  if (model === null || typeof model !== "object") throw new TypeError(`model must be a ModelSpec object, got ${model === null ? "null" : typeof model}`);
  // A frozen spec (every catalog entry, every denseEquivalent) cannot change after it passed once.
  if (CHECKED.has(model)) return;
  checkModelFields(model);
  const a = (model as { attention?: unknown }).attention;
  if (Object.isFrozen(model) && (a === null || typeof a !== "object" || Object.isFrozen(a))) CHECKED.add(model);
}

const CHECKED = new WeakSet<object>();

function checkModelFields(model: object): asserts model is ModelSpec {
  const m = model as Record<string, unknown>;
  for (const f of ["numLayers", "numMoeLayers", "hiddenSize", "expertFfnSize", "numExperts", "topK", "vocabSize"]) {
    const v = m[f];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new TypeError(`model.${f} must be a positive integer, got ${String(v)}`);
  }
  if (!m.attention || typeof m.attention !== "object") throw new TypeError("model.attention must be an object");
  // Sizes that may be 0 (no dense layers, no shared expert): integers ≥ 0.
  for (const f of ["denseFfnSize", "numSharedExperts", "sharedExpertFfnSize"]) assertNonNegativeInt(`model.${f}`, m[f]);
  if ((m.numMoeLayers as number) > (m.numLayers as number)) {
    throw new RangeError(`model.numMoeLayers (${m.numMoeLayers}) must be ≤ model.numLayers (${m.numLayers})`);
  }
  if ((m.topK as number) > (m.numExperts as number)) throw new RangeError(`model.topK (${m.topK}) must be ≤ model.numExperts (${m.numExperts})`);
  const a = m.attention as Record<string, unknown>;
  assertOneOf("model.attention.kind", a.kind, ["mla", "gqa"] as const);
  if (a.kind === "mla") {
    for (const f of ["numHeads", "qLoraRank", "kvLoraRank", "qkNopeHeadDim", "qkRopeHeadDim", "vHeadDim"]) assertPositiveInt(`model.attention.${f}`, a[f]);
  } else {
    for (const f of ["numHeads", "numKvHeads", "headDim"]) assertPositiveInt(`model.attention.${f}`, a[f]);
    assertNonNegativeInt("model.attention.slidingWindow", a.slidingWindow);
    assertNonNegativeInt("model.attention.numSlidingLayers", a.numSlidingLayers);
    if ((a.numSlidingLayers as number) > (m.numLayers as number)) {
      throw new RangeError(`model.attention.numSlidingLayers (${a.numSlidingLayers}) must be ≤ model.numLayers (${m.numLayers})`);
    }
  }
}

/** One published checkpoint of a model: the precision its routed experts and its other weights ship in. */
export interface Checkpoint {
  /** Hub name of the checkpoint. */
  readonly name: string;
  /** Routed-expert weights. */
  readonly moePrecision: Precision;
  /** Attention, dense-FFN and shared-expert weights. */
  readonly densePrecision: Precision;
  readonly source: Citation;
}

/**
 * Published checkpoints per catalog model (first = the default the lab uses), cited. Frozen.
 * DeepSeek-V3/R1 ship FP8 (128×128 block scales); NVIDIA's DeepSeek-R1-FP4 quantizes the MoE layers to NVFP4 and
 * keeps attention in FP8; gpt-oss ships MXFP4 experts with BF16 attention.
 */
export const MODEL_CHECKPOINTS: Readonly<Record<string, readonly Checkpoint[]>> = Object.freeze({
  "deepseek-v3": Object.freeze([
    { name: "deepseek-ai/DeepSeek-V3", moePrecision: "fp8", densePrecision: "fp8", source: { url: DSV3_CARD, says: "Model card: the released weights are FP8 (E4M3) with 128×128 block-wise scales; the model was trained natively in FP8." } },
    {
      name: "nvidia/DeepSeek-R1-FP4",
      moePrecision: "nvfp4",
      densePrecision: "fp8",
      source: {
        url: "https://huggingface.co/nvidia/DeepSeek-R1-FP4",
        says: "NVIDIA's FP4 checkpoint of DeepSeek-R1 (TensorRT Model Optimizer): the MoE layers' weights are NVFP4, the rest stays as in the FP8 original; about 400 GB instead of about 640 GB (TensorRT-LLM Blackwell throughput blog).",
      },
    },
  ] as Checkpoint[]),
  "kimi-k2": Object.freeze([{ name: "moonshotai/Kimi-K2-Instruct", moePrecision: "fp8", densePrecision: "fp8", source: { url: KIMI_CARD, says: "Model card: weights released in block-FP8 format." } }] as Checkpoint[]),
  "qwen3-235b-a22b": Object.freeze([{ name: "Qwen/Qwen3-235B-A22B", moePrecision: "bf16", densePrecision: "bf16", source: { url: QWEN235_CARD, says: "Model card: BF16 weights (an FP8 variant is published separately)." } }] as Checkpoint[]),
  "qwen3-30b-a3b": Object.freeze([{ name: "Qwen/Qwen3-30B-A3B", moePrecision: "bf16", densePrecision: "bf16", source: { url: QWEN30_CARD, says: "Model card: BF16 weights." } }] as Checkpoint[]),
  "mixtral-8x7b": Object.freeze([{ name: "mistralai/Mixtral-8x7B-v0.1", moePrecision: "bf16", densePrecision: "bf16", source: { url: MIX7, says: "config.json: torch_dtype bfloat16." } }] as Checkpoint[]),
  "mixtral-8x22b": Object.freeze([{ name: "mistralai/Mixtral-8x22B-v0.1", moePrecision: "bf16", densePrecision: "bf16", source: { url: MIX22, says: "config.json: torch_dtype bfloat16." } }] as Checkpoint[]),
  "gpt-oss-120b": Object.freeze([
    { name: "openai/gpt-oss-120b", moePrecision: "mxfp4", densePrecision: "bf16", source: { url: GPTOSS_CARD, says: "Model card: the MoE weights are quantized to MXFP4 after training; attention and other weights stay BF16, so the model fits one 80 GB GPU." } },
  ] as Checkpoint[]),
  "llama4-maverick": Object.freeze([{ name: "meta-llama/Llama-4-Maverick-17B-128E-Instruct", moePrecision: "bf16", densePrecision: "bf16", source: { url: MAV_CARD, says: "Model card: BF16 weights (an FP8-quantized variant is published separately)." } }] as Checkpoint[]),
});

/**
 * Published checkpoints of a catalog model (first = default), see {@link MODEL_CHECKPOINTS}.
 * @param name catalog name or alias
 * @returns the checkpoints (frozen), empty for a model without an entry
 * @throws {TypeError|RangeError} for an unknown model
 * @example modelCheckpoints("deepseek-r1")[1].moePrecision // "nvfp4"
 */
export function modelCheckpoints(name: string): readonly Checkpoint[] {
  const m = getModel(name);
  return ownEntry(MODEL_CHECKPOINTS, m.name) ?? [];
}
