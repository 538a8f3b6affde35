/**
 * The standing fuzz suite: every function in the registry (registry.ts; targets-*.ts) is called with generated
 * bad values, one parameter at a time (fast-check, fixed seed, a bounded number of values per parameter), and
 * must throw a RangeError or TypeError whose message names the parameter (or, for an unknown option key, the key).
 * Known gaps are declared in the registry and reported, not hidden; a gap that got fixed fails the suite until it
 * is removed from the registry.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { badValues, FUZZ_TARGETS, unknownKeys, type FuzzParam, type FuzzTarget } from "./registry";
import "./targets-core";
import "./targets-cost";
import "./targets-plan";

/** Bad values tried per parameter, and unknown keys per options object. */
export const RUNS_PER_PARAM = 16;
export const UNKNOWN_KEYS_PER_OPTIONS = 6;
const SEED = 20261201;

type Verdict = "handled" | "unnamed" | "wrong-error" | "accepted";

function call(t: FuzzTarget, p: FuzzParam, position: number, bad: unknown, asKey?: string): { verdict: Verdict; detail: string } {
  const args = t.args();
  const index = p.index ?? position;
  if (asKey !== undefined) {
    const holder = p.key !== undefined ? (args[index] as Record<string, unknown>)[p.key] : args[index];
    const target = (holder ?? {}) as Record<string, unknown>;
    Object.defineProperty(target, asKey, { value: 1, enumerable: true, configurable: true, writable: true });
    if (p.key !== undefined) (args[index] as Record<string, unknown>)[p.key] = target;
    else args[index] = target;
  } else if (p.key !== undefined) {
    (args[index] as Record<string, unknown>)[p.key] = bad;
  } else {
    args[index] = bad;
  }
  try {
    t.fn(...args);
    return { verdict: "accepted", detail: "returned normally" };
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof TypeError)) return { verdict: "wrong-error", detail: `${(e as Error)?.name}: ${(e as Error)?.message}` };
    const want = asKey ?? p.name;
    return e.message.includes(want) ? { verdict: "handled", detail: "" } : { verdict: "unnamed", detail: `${e.name}: ${e.message}` };
  }
}

const tally = new Map<string, { tried: number; handled: number; gaps: number }>();
const gapReport: string[] = [];

function show(v: unknown): string {
  if (typeof v === "function") return "a function";
  try {
    return typeof v === "number" ? String(v) : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

describe("fuzz: bad values are refused with an error naming the parameter", () => {
  for (const t of FUZZ_TARGETS) {
    it(`${t.module}.${t.name}`, () => {
      // the valid call works (so a refusal below is about the bad value, not another argument)
      if (t.validCallThrows) expect(() => t.fn(...t.args())).toThrow(t.validCallThrows);
      else expect(() => t.fn(...t.args())).not.toThrow();
      const failures: string[] = [];
      let tried = 0;
      let handled = 0;
      t.params.forEach((p, position) => {
        const cases: Array<{ bad: unknown; key?: string }> = fc
          .sample(badValues(p.kind), { seed: SEED + position, numRuns: RUNS_PER_PARAM })
          .map((bad) => ({ bad }));
        if (p.kind === "options") {
          for (const key of fc.sample(unknownKeys, { seed: SEED + 1000 + position, numRuns: UNKNOWN_KEYS_PER_OPTIONS })) cases.push({ bad: undefined, key });
        }
        const paramFailures: string[] = [];
        for (const c of cases) {
          tried++;
          const r = call(t, p, position, c.bad, c.key);
          if (r.verdict === "handled") handled++;
          else paramFailures.push(`${p.name}${p.key ? "" : ""} = ${c.key !== undefined ? `{ ${c.key}: 1 }` : show(c.bad)}: ${r.verdict}${r.detail ? ` (${r.detail.slice(0, 160)})` : ""}`);
        }
        const gap = t.gaps?.[p.name];
        if (gap !== undefined) {
          // a declared gap must still exist; otherwise the registry is stale
          expect(paramFailures.length, `${t.module}.${t.name} ${p.name} is declared a gap (${gap}) but every case is handled now: remove the gap`).toBeGreaterThan(0);
          gapReport.push(`${t.module}.${t.name}(${p.name}): ${paramFailures.length} of ${cases.length} not handled (${gap}); e.g. ${paramFailures[0]}`);
        } else failures.push(...paramFailures);
      });
      const m = tally.get(t.module) ?? { tried: 0, handled: 0, gaps: 0 };
      m.tried += tried;
      m.handled += handled;
      m.gaps += tried - handled - failures.length;
      tally.set(t.module, m);
      expect(failures).toEqual([]);
    });
  }

  it("the registry covers routing, eplb, cost, tensor and plan", () => {
    expect(new Set(FUZZ_TARGETS.map((t) => t.module))).toEqual(new Set(["routing", "eplb", "cost", "tensor", "plan"]));
  });
});

afterAll(() => {
  const rows = [...tally].map(([m, c]) => `${m}: ${c.handled}/${c.tried} handled${c.gaps ? `, ${c.gaps} in declared gaps` : ""}`);
  const total = [...tally.values()].reduce((a, c) => ({ tried: a.tried + c.tried, handled: a.handled + c.handled }), { tried: 0, handled: 0 });
  console.log(`fuzz suite: ${FUZZ_TARGETS.length} functions, ${total.handled}/${total.tried} cases handled\n  ${rows.join("\n  ")}${gapReport.length ? `\nknown gaps:\n  ${gapReport.join("\n  ")}` : ""}`);
});
