/**
 * Largest sizes the command line accepts. Each is far above any published model or cluster, yet small enough
 * that a typo (an extra three zeros) is refused at once with a message instead of allocating gigabytes or running
 * for minutes. The library functions take larger values when called directly.
 *
 * For scale: DeepSeek-V3 routes 8 of 256 experts per token over 61 layers; Kimi K2 has 384 experts; the largest
 * NVLink domain sold today (GB200 NVL72) has 72 GPUs.
 */
import type { Bounds } from "./args";

/** One limit: inclusive bounds and what they mean. */
export interface Limit extends Bounds {
  /** What the number counts, with units. */
  what: string;
}

const lim = (min: number, max: number, what: string, why?: string): Limit => ({ min, max, what, why });

/** Limits by command and flag. */
export const CLI_LIMITS = {
  route: {
    experts: lim(1, 65_536, "routed experts", "(real models have at most a few hundred)"),
    "top-k": lim(1, 1024, "experts per token (and at most --experts)"),
    tokens: lim(1, 1_048_576, "tokens in the batch"),
    seed: lim(0, 2 ** 32 - 1, "seed"),
    groups: lim(1, 65_536, "expert groups (and at most --experts)"),
    "topk-group": lim(1, 65_536, "groups kept per token (and at most --groups)"),
    shared: lim(0, 64, "shared experts"),
    hot: lim(1, 65_536, "hot experts (and at most --experts)"),
    gpus: lim(1, 65_536, "GPUs (and at most --experts)"),
    nodes: lim(1, 65_536, "nodes (and at most --gpus)"),
    "zipf-s": lim(0, 100, "Zipf exponent"),
    "hot-share": lim(0, 1, "traffic share of the hot experts"),
    scaling: lim(0, 1e6, "routed scaling factor"),
  },
  eplb: {
    replicas: lim(1, 1_048_576, "physical expert slots per layer"),
    groups: lim(1, 65_536, "expert groups"),
    nodes: lim(1, 65_536, "nodes"),
    gpus: lim(1, 65_536, "GPUs"),
  },
  labs: {
    "timeout-ms": lim(1, 2 ** 31 - 1, "per-cell timeout in milliseconds", "(2^31 − 1, about 24.8 days: the longest a Node timer can wait)"),
  },
} as const satisfies Record<string, Record<string, Limit>>;

/**
 * Largest number of gate logits `route` materializes (tokens × experts, float64): 2^25 ≈ 33.5 million, about
 * 270 MB. The default 4,096 tokens × 256 experts uses 1 million.
 */
export const MAX_ROUTE_LOGITS = 2 ** 25;

/** Largest placement `eplb` prints: layers × replicas slots (2^22 ≈ 4.2 million numbers, tens of MB of JSON). */
export const MAX_EPLB_SLOTS = 2 ** 22;

/** Largest weights file `eplb` reads, in bytes (64 MiB). */
export const MAX_EPLB_WEIGHTS_BYTES = 64 * 2 ** 20;

/**
 * The limits as text lines for a command's --help ("--experts ≤ 65536").
 * @param command a key of {@link CLI_LIMITS}
 * @returns one line per flag
 * @throws {RangeError} for an unknown command
 * @example limitsHelp("route")[0] // "  --experts         1 … 65536 routed experts"
 */
export function limitsHelp(command: keyof typeof CLI_LIMITS): string[] {
  const table = CLI_LIMITS[command] as Record<string, Limit> | undefined;
  if (!table) throw new RangeError(`command must be one of ${Object.keys(CLI_LIMITS).join(", ")}, got ${JSON.stringify(command)}`);
  return Object.entries(table).map(([flag, l]) => `  --${flag.padEnd(14)} ${l.min} … ${l.max}  ${l.what}`);
}
