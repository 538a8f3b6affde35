/** What a linter knows beyond the file itself (from plan.json next to it, or from the command line). */
export interface LintContext {
  /** Prompt length the deployment serves, tokens (enables the prefill token-budget rule). */
  isl?: number;
  /** Logical routed experts of the model (enables the slot rules). */
  numExperts?: number;
  /** Layers of the model (all layers, dense included) and MoE layers, for placement-file shapes. */
  numLayers?: number;
  numMoeLayers?: number;
  /** Other files of the folder being linted, path → text (to follow references like load_balancer: file.yaml). */
  files?: ReadonlyMap<string, string>;
}

/** Experts of models by Hugging Face id or catalog name (for command lines that name the model). */
export const KNOWN_MODELS: Readonly<Record<string, { catalog: string; hf: string }>> = Object.freeze({
  "deepseek-v3": { catalog: "deepseek-v3", hf: "deepseek-ai/DeepSeek-V3" },
  "deepseek-r1": { catalog: "deepseek-v3", hf: "deepseek-ai/DeepSeek-R1" },
  "kimi-k2": { catalog: "kimi-k2", hf: "moonshotai/Kimi-K2-Instruct" },
  "qwen3-235b-a22b": { catalog: "qwen3-235b-a22b", hf: "Qwen/Qwen3-235B-A22B" },
  "qwen3-30b-a3b": { catalog: "qwen3-30b-a3b", hf: "Qwen/Qwen3-30B-A3B" },
  "mixtral-8x7b": { catalog: "mixtral-8x7b", hf: "mistralai/Mixtral-8x7B-Instruct-v0.1" },
  "mixtral-8x22b": { catalog: "mixtral-8x22b", hf: "mistralai/Mixtral-8x22B-Instruct-v0.1" },
  "gpt-oss-120b": { catalog: "gpt-oss-120b", hf: "openai/gpt-oss-120b" },
  "llama4-maverick": { catalog: "llama4-maverick", hf: "meta-llama/Llama-4-Maverick-17B-128E-Instruct" },
});
