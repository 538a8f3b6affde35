/**
 * Lab 3.1 knowledge check: five questions and a bonus, each answerable in
 * code and checked (`quiz.q1.check(answer)`, `quiz.q1.hint()`, `quiz.q1.solution()`).
 *
 * Where a common answer is wrong or misleading, the questions are posed so that their answer is a
 * checkable fact, and the solution says what the misconception gets wrong:
 * - q1: a token costs ≈ 2 FLOPs per active parameter (≈ 74 GFLOPs for 37B active), not "37B FLOPs".
 * - q3: EP 72 is perfectly possible with redundant experts (256 + 32 = 288 slots = 72 × 4); "power-of-two
 *   collectives" and "8×8 islands" are not the reason — NVL72's NVSwitch fabric connects all 72 GPUs alike.
 *   (TensorRT-LLM's examples use 288 slots too, but at EP32 = 9 per GPU and at EP36 = 8 per GPU.)
 * - q5: wide EP helps the GroupGEMM because each expert sees more tokens per weight byte read
 *   (higher arithmetic intensity), not because weights are "swapped in" less often.
 * - bonus: 7.2× is the gain over ONE EP8 instance; the fair comparison on the same 32 GPUs is four
 *   EP8 instances, against which EP32 gains the same 1.8× — nothing super-linear.
 */
import { Exercise, choiceLetter, collection, expectNumber, relativeError, yesNo, TODO } from "./framework";

/**
 * Published DeepSeek-V3 sizes used by the questions.
 * Source: DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv:2412.19437 (2024), §1 and §2.1:
 * 671B total parameters, 37B activated per token; 256 routed experts + 1 shared, 8 routed per token.
 */
export const DEEPSEEK_V3_FACTS = Object.freeze({
  totalParams: 671e9,
  activeParams: 37e9,
  routedExperts: 256,
  sharedExperts: 1,
  topK: 8,
  source: "DeepSeek-V3 Technical Report, arXiv:2412.19437",
});

/** GB200 NVL72: 72 GPUs in one NVLink domain. Source: NVIDIA GB200 NVL72 product page. */
export const NVL72_GPUS = 72;

/** NVIDIA's published wide-EP result: EP32 vs EP8, up to 1.8× output tokens/s per GPU at 100 tokens/s per user. */
export const NVIDIA_WIDE_EP_GAIN = 1.8;

const q1 = new Exercise<number>({
  id: "q1",
  title: "Q1 · Active parameters",
  prompt:
    "DeepSeek-V3 stores 671B parameters but activates about 37B per token. Roughly how many FLOPs does the " +
    "forward pass of one decode token cost in its weight matmuls (ignore attention over the context)?",
  answerFormat: "a number of FLOPs, e.g. 1.2e9",
  check: (a) => {
    const bad = expectNumber("the FLOP count", a);
    if (bad) return bad;
    const expected = 2 * DEEPSEEK_V3_FACTS.activeParams;
    if (relativeError(a, expected) <= 0.15) return true;
    if (relativeError(a, DEEPSEEK_V3_FACTS.activeParams) <= 0.15)
      return "that is the number of active parameters; how many floating-point operations does each parameter take part in per token?";
    if (a >= DEEPSEEK_V3_FACTS.totalParams)
      return "that counts every parameter, but only the chosen experts (plus attention, dense and shared parts) compute for a token";
    return "not the right order of magnitude: start from the active parameter count";
  },
  hints: [
    "Only the active parameters do work for a token: the 8 chosen routed experts, the shared expert, attention and the dense layers.",
    "In a matmul, each weight is used in one multiply and one add per token.",
  ],
  solution: {
    text:
      "About 2 × 37e9 ≈ 7.4e10 FLOPs (74 GFLOPs) per token: every active weight contributes one multiply and one add. " +
      "A common slip is \"~37B FLOPs\", which confuses parameters with FLOPs. Sparse activation is efficient because " +
      "compute follows the 37B active parameters while capacity follows the 671B total (all of which must still sit in GPU memory).",
    code: "quiz.q1.check(2 * 37e9)",
    answer: () => 2 * DEEPSEEK_V3_FACTS.activeParams,
  },
});

const q2 = new Exercise<string>({
  id: "q2",
  title: "Q2 · EP vs TP",
  prompt: [
    "Which statement is true?",
    "A) TP gives each GPU whole experts; EP splits every weight matrix into slices.",
    "B) TP splits each weight matrix across GPUs, so every GPU works on every token; EP places whole experts on GPUs and moves each token to the GPUs holding its chosen experts.",
    "C) EP applies to every layer of any transformer, dense or MoE.",
    "D) EP and TP need the same communication: an all-reduce after every layer.",
  ].join("\n"),
  answerFormat: 'a letter, e.g. "A"',
  check: (a) => {
    const letter = choiceLetter(a);
    if (!letter || !"ABCD".includes(letter)) return 'answer with one letter, "A" to "D"';
    if (letter === "B") return true;
    if (letter === "A") return "that swaps the two: which one keeps experts whole?";
    if (letter === "C") return "EP needs experts to distribute; a dense model has none";
    return "EP's characteristic communication is different: think about how a token reaches an expert on another GPU";
  },
  hints: ["Ask of each scheme: what does one GPU hold, and which tokens does it see?", "EP's traffic is an all-to-all dispatch and combine of tokens; TP's is an all-reduce of partial sums."],
  solution: {
    text:
      "B. TP slices each matrix (every GPU computes a part of every token's matmul, then an all-reduce sums the parts); " +
      "EP keeps each expert whole on some GPU and sends each token there and back (all-to-all dispatch and combine). " +
      "EP only exists for MoE layers; attention and dense layers are served by DP/TP alongside it.",
    answer: () => "B",
  },
});

const q3 = new Exercise<number>({
  id: "q3",
  title: "Q3 · EP 64 or EP 72 on NVL72?",
  prompt:
    "An NVL72 rack has 72 GPUs; DeepSeek-V3 has 256 routed experts, so EP 64 places exactly 4 per GPU. " +
    "What is the smallest number of redundant experts (extra replicas chosen by EPLB) that lets EP 72 give " +
    "every GPU the same number of expert slots?",
  answerFormat: "a whole number of redundant experts",
  check: (a) => {
    const bad = expectNumber("the number of redundant experts", a);
    if (bad) return bad;
    if (!Number.isInteger(a) || a < 0) return "a count of redundant experts is a whole number ≥ 0";
    const slots = DEEPSEEK_V3_FACTS.routedExperts + a;
    if (slots % NVL72_GPUS !== 0) return `with ${a} redundant experts there are ${slots} slots, which do not split evenly over ${NVL72_GPUS} GPUs`;
    const min = Math.ceil(DEEPSEEK_V3_FACTS.routedExperts / NVL72_GPUS) * NVL72_GPUS - DEEPSEEK_V3_FACTS.routedExperts;
    if (a > min) return "that works, but fewer redundant experts would also split evenly";
    return true;
  },
  hints: ["Total slots = 256 + redundant; it must be a multiple of 72.", "What is the smallest multiple of 72 that is ≥ 256?"],
  solution: {
    text:
      "32: 256 + 32 = 288 = 72 × 4 slots. EP 72 is a normal wide-EP configuration once EPLB adds redundant experts, " +
      "and the spare replicas are exactly what lets EPLB even out hot experts. The same 288 appears elsewhere with other EP sizes: " +
      "TensorRT-LLM's wide-EP README gives it as experts + EP size at EP32 (9 slots per GPU), its load-balancer example uses it at EP36 " +
      "(8 per GPU), and DeepSeek's inference overview uses 32 redundant experts at EP32 (prefill) and EP144 (decode). Reasons often given for EP 64 instead (power-of-two collectives, " +
      "8×8 topology islands) are not the constraint: NVL72's NVSwitch connects all 72 GPUs with the same bandwidth. Choosing EP 64 " +
      "is a simplicity choice (no redundancy needed; 8 GPUs left for other work), not a requirement.",
    answer: () => 32,
  },
});

const q4 = new Exercise<boolean | string>({
  id: "q4",
  title: "Q4 · EPLB mechanics",
  prompt: "Does EPLB change which (logical) expert processes a token?",
  answerFormat: 'true/false or "yes"/"no"',
  check: (a) => {
    const v = yesNo(a);
    if (v === undefined) return 'answer true/false or "yes"/"no"';
    if (v) return "look at what EPLB's output (phy2log) maps: physical slots to logical experts — which side does the router decide?";
    return true;
  },
  hints: ["The router's choice comes from the model's weights; EPLB runs outside the model.", "EPLB outputs phy2log: which logical expert sits in which physical slot."],
  solution: {
    text:
      "No. The router (model weights) decides the logical experts; EPLB only decides where those experts live and how many " +
      "replicas each has. With replicas, the serving engine picks which copy (which GPU) serves a token, but every copy has the " +
      "same weights, so the token's output is unchanged. Section 6.4 checks this on real tensors.",
    answer: () => false,
  },
});

const q5 = new Exercise<string>({
  id: "q5",
  title: "Q5 · Why wide EP helps the GroupGEMM",
  prompt: [
    "Why does wide EP (fewer experts per GPU, same batch per GPU) make the expert GroupGEMM more efficient in decode?",
    "A) Experts are swapped in from CPU memory less often.",
    "B) Each token activates fewer experts when each GPU holds fewer of them.",
    "C) Each expert now receives more tokens per step, so every weight byte read from HBM feeds more FLOPs (higher arithmetic intensity).",
    "D) NVLink makes reading an expert's weights from another GPU faster than from local HBM.",
  ].join("\n"),
  answerFormat: 'a letter, e.g. "A"',
  check: (a) => {
    const letter = choiceLetter(a);
    if (!letter || !"ABCD".includes(letter)) return 'answer with one letter, "A" to "D"';
    if (letter === "C") return true;
    if (letter === "A") return "all experts stay resident in GPU memory in serving; nothing is swapped in from the CPU";
    if (letter === "B") return "top-k is fixed by the model: every token still uses 8 routed experts";
    return "in EP serving each GPU reads the weights of the experts it holds from its own HBM; what crosses NVLink every step is tokens (weights move only when EPLB relocates an expert)";
  },
  hints: [
    "Tokens per expert per step = (batch per GPU × EP size × top-k) / number of experts.",
    "A decode GroupGEMM is memory-bound: its time is set by weight bytes read, so more tokens per expert means more useful work per byte.",
  ],
  solution: {
    text:
      "C. With the batch per GPU held fixed, the EP group's total batch grows with EP size while the number of experts does not, " +
      "so each expert sees EP-times more tokens; and each GPU reads only its own few experts' weights per step. The same bytes " +
      "serve more tokens (higher FLOPs per byte), and the memory freed by holding fewer experts leaves room for more KV cache and a " +
      "larger batch. Section 8.2 measures this curve.",
    answer: () => "C",
  },
});

/** Answer shape for the bonus question. */
export interface BonusAnswer {
  /** total tokens/s of 32 GPUs at EP32 ÷ total tokens/s of ONE EP8 instance (8 GPUs) */
  vsOneEp8: number;
  /** total tokens/s of 32 GPUs at EP32 ÷ total tokens/s of FOUR EP8 instances on the same 32 GPUs */
  vsFourEp8: number;
}

const bonus = new Exercise<BonusAnswer>({
  id: "bonus",
  title: "Bonus · Throughput math",
  prompt:
    "Take round numbers: EP8 serves 1,000 output tokens/s per GPU, and EP32 serves 1.8× more per GPU at the same tokens/s per user. " +
    "(a) How much more total throughput does the 32-GPU EP32 deployment give than ONE EP8 instance (8 GPUs)? " +
    "(b) How much more than FOUR EP8 instances on the same 32 GPUs?",
  answerFormat: "{ vsOneEp8: number, vsFourEp8: number }",
  isUntouched: (a) => a === undefined || a === TODO || (typeof a === "object" && a !== null && (a as BonusAnswer).vsOneEp8 === TODO && (a as BonusAnswer).vsFourEp8 === TODO),
  check: (a) => {
    if (typeof a !== "object" || a === null) return "answer with an object { vsOneEp8, vsFourEp8 }";
    const one = expectNumber("vsOneEp8", a.vsOneEp8);
    if (one) return one;
    const four = expectNumber("vsFourEp8", a.vsFourEp8);
    if (four) return four;
    const gpuRatio = 32 / 8;
    const problems: string[] = [];
    if (relativeError(a.vsOneEp8, gpuRatio * NVIDIA_WIDE_EP_GAIN) > 0.02) problems.push("vsOneEp8 is off: account for both the 4× GPUs and the per-GPU gain");
    if (relativeError(a.vsFourEp8, NVIDIA_WIDE_EP_GAIN) > 0.02) problems.push("vsFourEp8 is off: both sides now use 32 GPUs");
    if (problems.length === 0) return true;
    return { message: problems.join("; ") };
  },
  hints: ["Total throughput = GPUs × tokens/s per GPU.", "Four EP8 instances use 32 GPUs at 1,000 tokens/s each."],
  solution: {
    text:
      "(a) 32 × 1,800 / (8 × 1,000) = 7.2×. (b) 32 × 1,800 / (32 × 1,000) = 1.8×. Calling (a) \"super-linear scaling\" is a common mistake: " +
      "with 4× the GPUs you could always run four EP8 copies and get 4×; the gain that wide EP itself brings is the per-GPU " +
      "1.8×, and NVIDIA states it as \"up to\", at one operating point (100 tokens/s per user, GB200 NVL72, disaggregated serving with MTP).",
    code: "quiz.bonus.check({ vsOneEp8: (32 * 1800) / (8 * 1000), vsFourEp8: (32 * 1800) / (32 * 1000) })",
    answer: () => ({ vsOneEp8: 7.2, vsFourEp8: 1.8 }),
  },
});

/** The knowledge check: `quiz.q1` … `quiz.q5`, `quiz.bonus`. */
export const quiz = collection({ q1, q2, q3, q4, q5, bonus });
