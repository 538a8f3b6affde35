/**
 * Column headers in words, with units, for the tables Lab 3.1 shows. Scenario functions return rows with short
 * camelCase keys (easy to use in code and tests); `worded(rows)` renames the keys to these headers for `table(...)`.
 * Every key a lab table uses must have a header here: `worded` throws on an unknown key, so a new column cannot
 * appear in the lab with a code-style name.
 */
import { labeledRows } from "../notebook";
import type { LabeledRows } from "../notebook";
import { show } from "../util";

/** camelCase row key → the column header a learner reads (words, and the unit in brackets where there is one). */
export const COLUMN_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  // §1 intensity
  phase: "Phase",
  tokens: "Tokens in the step",
  intensity: "Arithmetic intensity (FLOP per byte)",
  ridgePoint: "GPU ridge point (FLOP per byte)",
  bound: "Bound by",
  // §3 parameters
  quantity: "Quantity",
  published: "Published",
  fromArchitecture: "Computed from the architecture",
  // §2 / §5 content tables
  strategy: "Strategy",
  splits: "What it splits",
  keyBenefit: "Key benefit",
  mainCommunication: "Main communication",
  appliesTo: "Applies to",
  name: "Name",
  whatItIs: "What it is",
  sglang: "SGLang",
  tensorrtLlm: "TensorRT-LLM",
  vllm: "vLLM",
  engine: "Engine",
  topic: "Topic",
  whatItDoes: "What it does",
  knobs: "Knobs",
  staticEplb: "Static EPLB (placement from recorded load)",
  onlineEplb: "Online EPLB (re-planned while serving)",
  recordExpertLoad: "Recording expert load",
  source: "Source",
  // §3.2 router
  expert: "Expert",
  group: "Group",
  sigmoidScore: "Sigmoid score",
  correctionBias: "Correction bias (selection only)",
  selectionScore: "Score used to select",
  gateWeight: "Gate weight (× 2.5)",
  experts: "Experts",
  weights: "Weights",
  // §6.3 DeepEP bytes
  direction: "Direction",
  precision: "Precision",
  bytesPerTokenPerLayer: "Bytes per token per MoE layer",
  kbPerTokenAllLayers: "KB per token, all MoE layers",
  // §6.4 placements
  placement: "Placement",
  slots: "Expert slots",
  expertsOnGpu: "Experts on each GPU",
  gpuLoads: "Tokens per GPU",
  maxGpuLoad: "Busiest GPU (tokens)",
  balancedness: "Balancedness (mean ÷ max GPU load)",
  speedupVsContiguous: "Speed-up over contiguous (×)",
  replicaRule: "Replica choice rule",
  pairsPerRank: "(Token, expert) pairs per rank",
  maxAbsDifference: "Largest |difference| from one device",
  // online EPLB comparison
  rebalance: "Rebalance method",
  meanBalancedness: "Mean balancedness while serving",
  slotsMovedPerRebalance: "Slots moved per later rebalance (share)",
  gbMovedPerRebalance: "Weights copied per later rebalance (GB, simulated layers)",
  secondsPerRebalance: "Copy time per later rebalance at link bandwidth (s)",
  totalGbMoved: "Weights copied in total, every rebalance (GB, simulated layers)",
  // workload statistics
  statistic: "Statistic",
  thisWorkload: "This workload",
  publishedRange: "Published (DeepSeek-V3)",
  // Exercise 1
  token: "Token",
  yours: "Your experts",
  router: "Router's experts",
  routerWeights: "Router's weights",
  same: "Same?",
  // Exercise 2
  configuration: "Configuration",
  epSize: "EP size (GPUs)",
  expertSlots: "Expert slots",
  batchPerGpu: "Batch (sequences per GPU)",
  batchLimitedBy: "Batch limited by",
  loadImbalance: "Busiest ÷ mean GPU expert load",
  stepTimeMs: "Step time (ms)",
  tokensPerSecPerUser: "Tokens/s per user",
  outputTokensPerSecPerGpu: "Output tokens/s per GPU",
  relativeToNoEp: "Relative to no EP (×)",
  workload: "Expert popularity",
  ordering: "Ordering, lowest throughput first",
  // Exercise 3
  redundantExperts: "Redundant experts",
  slotsPerGpu: "Slots per GPU",
  hierarchicalBalancedness: "Balancedness, hierarchical policy",
  hierarchicalNodeBalancedness: "Node balancedness, hierarchical policy",
  globalBalancedness: "Balancedness, global policy",
  extraExpertGBPerGpu: "Extra expert weights per GPU (GB)",
  // Exercise 4
  expertsPerGpu: "Experts per GPU",
  tokensPerSecPerGpuOverlapOff: "Output tokens/s per GPU, overlap off",
  tokensPerSecPerGpuOverlapOn: "Output tokens/s per GPU, two-batch overlap",
  batchOverlapOff: "Batch, overlap off (sequences per GPU)",
  batchOverlapOn: "Batch, overlap on (sequences per GPU)",
  moeMs: "Expert compute (ms per step)",
  allToAllMs: "Dispatch + combine (ms per step)",
  // §8
  deepseekV3ExpertWeightsPerGpuGB: "DeepSeek-V3 expert weights per GPU (GB)",
  gpu: "GPU",
  ridgePointFlopPerByte: "Ridge point (FLOP per byte)",
  crossoverTokensPerExpert: "Crossover (tokens per expert)",
  expertWeightsGB: "Expert weights (GB)",
  otherWeightsGB: "Other weights (attention, dense FFN, shared expert, embeddings; GB)",
  feasible: "Fits on the GPU",
  infeasibleReason: "Why it does not fit",
  kvGBPerSequence: "KV cache per sequence (GB)",
  maxBatchPerGpu: "Largest batch that fits (sequences per GPU)",
  tokensPerExpertAtMaxBatch: "Tokens per expert at that batch",
  gb200Nvl72Us: "GB200 NVL72 (µs per layer)",
  gb200Link: "GB200 bottleneck link",
  h100NodesUs: "H100 nodes, 400 Gb/s (µs per layer)",
  h100Link: "H100 bottleneck link",
  // Lab 3.2
  input: "Input",
  value: "Value",
  meaning: "What it means",
  gpusPerInstance: "GPUs per engine instance",
  note: "Note",
  ep: "EP size (GPUs)",
  contiguousBalancedness: "Balancedness, contiguous (mean ÷ max)",
  eplbBalancedness: "Balancedness, EPLB (mean ÷ max)",
  weightsGBPerGpu: "Weights per GPU (GB)",
  item: "Item",
  reason: "Why it was rejected",
  file: "File",
  lines: "Lines",
  bytes: "Size (bytes)",
  line: "Line",
  severity: "Severity",
  rule: "Rule",
  message: "Message",
  pod: "Pod",
  role: "Role",
  gpus: "GPUs",
  operatorAdds: "What the operator adds",
  command: "Command",
  turnOn: "How to turn it on",
  symptom: "Symptom",
  check: "What to check",
  flag: "Flag or field",
  ep8BatchPerGpu: "EP8 batch (sequences per GPU)",
  ep32BatchPerGpu: "EP32 batch (sequences per GPU)",
  ep8TokensPerSecPerGpu: "EP8 output tokens/s per GPU",
  ep32TokensPerSecPerGpu: "EP32 output tokens/s per GPU",
  ratio: "EP32 ÷ EP8 (×)",
  assumption: "Assumption",
  versusNvidia: "Versus NVIDIA's 1.8×",
  baseValue: "In the base case",
  lowValue: "Low value",
  ratioAtLow: "EP32 ÷ EP8 at the low value (×)",
  highValue: "High value",
  ratioAtHigh: "EP32 ÷ EP8 at the high value (×)",
});

/**
 * The header of every column of `rows` from {@link COLUMN_HEADERS}.
 * @param rows non-empty array of row objects, as scenario functions return them
 * @returns `{ key: header }` for the keys the rows use
 * @throws {TypeError} when `rows` is not an array of objects; {RangeError} when it is empty or a key has no header
 * @example headersFor([{ epSize: 8 }]); // { epSize: "EP size (GPUs)" }
 */
export function headersFor(rows: readonly object[]): Record<string, string> {
  if (!Array.isArray(rows)) throw new TypeError(`rows must be an array of row objects, got ${show(rows)}`);
  if (rows.length === 0) throw new RangeError("rows must not be empty");
  const out: Record<string, string> = {};
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object") throw new TypeError(`rows[${i}] must be an object, got ${show(row)}`);
    for (const k of Object.keys(row)) {
      const h = COLUMN_HEADERS[k];
      if (h === undefined) throw new RangeError(`rows[${i}] has a column "${k}" with no header in words (add it to COLUMN_HEADERS)`);
      out[k] = h;
    }
  });
  return out;
}

/**
 * Rows with their headers in words and units, for `table(...)`: the rows keep their short keys (for code), the table
 * shows {@link COLUMN_HEADERS}.
 * @param rows non-empty array of row objects, as scenario functions return them
 * @returns the notebook's labelled rows (`labeledRows(rows, headersFor(rows))`)
 * @throws {TypeError} when `rows` is not an array of objects; {RangeError} when it is empty or a key has no header
 * @example worded([{ epSize: 8, stepTimeMs: 12.5 }]).columns; // { epSize: "EP size (GPUs)", stepTimeMs: "Step time (ms)" }
 */
export function worded(rows: readonly object[]): LabeledRows {
  return labeledRows(rows as Record<string, unknown>[], headersFor(rows));
}
