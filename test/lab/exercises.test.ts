import { describe, expect, it } from "vitest";
import { NotImplemented, TODO } from "../../src/lab/framework";
import { compareWithRouter, ex1Cases, exercises, usesLibraryTopK } from "../../src/lab/exercises";
import { libraryTopK } from "../../src/lab/reference";
import {
  ex2Reveal, ex2SkewRows, ex2Truth, ex3Truth, ex4Truth, perUserSweep, policySweep, resetEx2Prediction, EX3_SETTING,
} from "../../src/lab/scenarios-exercises";

const starterTopK = (_scores: number[][], _k: number): number[][] => TODO;
const solutionTopK = exercises.ex1.solutionAnswer();

describe("exercise 1: top-k routing", () => {
  it("untouched starter → not attempted (TODO return, NotImplemented, TODO value)", () => {
    expect(exercises.ex1.check(starterTopK).outcome).toBe("not attempted");
    expect(exercises.ex1.check(() => { throw new NotImplemented(); }).outcome).toBe("not attempted");
    expect(exercises.ex1.check(TODO).outcome).toBe("not attempted");
  });

  it("the solution → correct", () => {
    expect(exercises.ex1.check(solutionTopK).outcome).toBe("correct");
  });

  it("plausible wrong answers → incorrect, naming the mistake", () => {
    // ascending instead of descending
    const ascending = (s: number[][], k: number) => s.map((row) => row.map((_, e) => e).sort((a, b) => row[a] - row[b]).slice(0, k));
    const r1 = exercises.ex1.check(ascending);
    expect(r1.outcome).toBe("incorrect");
    expect(r1.message).toMatch(/higher-scoring expert was left out/);
    // ties broken towards the higher index
    const highTies = (s: number[][], k: number) => s.map((row) => row.map((_, e) => e).sort((a, b) => row[b] - row[a] || b - a).slice(0, k));
    const r2 = exercises.ex1.check(highTies);
    expect(r2.outcome).toBe("incorrect");
    expect(r2.message).toMatch(/tie|equal scores/);
    // returns values instead of indices
    const values = (s: number[][], k: number) => s.map((row) => [...row].sort((a, b) => b - a).slice(0, k));
    expect(exercises.ex1.check(values).outcome).toBe("incorrect");
    // sorts the caller's rows in place
    const mutating = (s: number[][], k: number) => s.map((row) => { const idx = row.map((_, e) => e).sort((a, b) => row[b] - row[a] || a - b).slice(0, k); row.sort(); return idx; });
    expect(exercises.ex1.check(mutating).message).toMatch(/changed the scores/);
    // not a function at all
    expect(exercises.ex1.check([[0, 1]] as unknown as never).message).toMatch(/function itself/);
    // wrong number of experts per token
    expect(exercises.ex1.check((s) => s.map(() => [0])).message).toMatch(/k = 2/);
  });

  it("checks on seeded cases that include ties, against the library", () => {
    const cases = ex1Cases();
    expect(cases).toHaveLength(3);
    const tied = cases[1].scores.some((row) => new Set(row).size < row.length);
    expect(tied).toBe(true);
    expect(libraryTopK([[0.1, 0.7, 0.2, 0.7]], 2)).toEqual([[1, 3]]);
    expect(ex1Cases()).toEqual(cases); // deterministic
  });

  it("refuses a function that calls the library's top-k or router, even though it would give the right indices", () => {
    const viaLibrary = (scores: number[][], k: number) => libraryTopK(scores, k);
    const r = exercises.ex1.check(viaLibrary);
    expect(r.outcome).toBe("incorrect");
    expect(r.message).toMatch(/library's function is not an answer/);
    expect(usesLibraryTopK(viaLibrary)).toBe("libraryTopK(…)");
    expect(usesLibraryTopK((s: number[][]) => (globalThis as never as { route: (x: unknown) => number[][] }).route(s))).toBe("route(…)");
    expect(exercises.ex1.check(libraryTopK.bind(null)).message).toMatch(/not an answer/);
    expect(usesLibraryTopK(solutionTopK)).toBeUndefined();
    expect(usesLibraryTopK(function myTopK(s: number[][], k: number) { return s.map((r) => r.slice(0, k)); })).toBeUndefined();
  });

  it("compareWithRouter lines the learner's picks up with the router's", () => {
    const rows = compareWithRouter(solutionTopK);
    expect(rows).toHaveLength(16);
    expect(rows.every((r) => r.same)).toBe(true);
    expect(compareWithRouter(starterTopK).every((r) => r.yours === "—")).toBe(true);
  });
});

describe("exercise 2: throughput ordering, predicted before it is revealed", () => {
  it("reveals nothing before a prediction is recorded; the first well-formed answer is the recorded prediction", () => {
    resetEx2Prediction();
    expect(ex2Reveal().revealed).toBe(false);
    expect(JSON.stringify(ex2Reveal().rows)).toMatch(/Hidden until you record a prediction/);
    expect(ex2SkewRows()[0].workload).toMatch(/hidden/);
    expect(exercises.ex2.solution().code).toMatch(/Record your own prediction first/);
    expect(exercises.ex2.check(TODO).outcome).toBe("not attempted");
    expect(exercises.ex2.check(["no-ep"]).message).toMatch(/exactly once/);
    expect(ex2Reveal().revealed).toBe(false); // a malformed answer is not a prediction
    const wrong = ["wide-ep-eplb", "wide-ep", "standard-ep", "no-ep"];
    const r = exercises.ex2.check(wrong);
    expect(r.outcome).toBe("incorrect");
    expect(r.message).toMatch(/Prediction recorded/);
    const shown = ex2Reveal();
    expect(shown.revealed).toBe(true);
    expect(String(shown.summary)).toContain(`Your recorded prediction: ${wrong.join(" < ")}`);
    const again = exercises.ex2.check(ex2Truth());
    expect(again.outcome).toBe("correct");
    expect(again.message).toMatch(/already recorded/);
    expect(exercises.ex2.solution().code).toBe(`exercises.ex2.check(${JSON.stringify(ex2Truth())})`);
    resetEx2Prediction();
  });

  it("rejects malformed orderings with a clear message", () => {
    expect(exercises.ex2.check(["no-ep", "tp", "wide-ep", "wide-ep-eplb"]).message).toMatch(/unknown id/);
    expect(exercises.ex2.check("no-ep" as unknown as string[]).message).toMatch(/array/);
    resetEx2Prediction();
  });

  it("is memory-limited: holding fewer experts buys batch, and EPLB removes the wide-EP imbalance", () => {
    exercises.ex2.check(["no-ep", "standard-ep", "wide-ep", "wide-ep-eplb"]);
    const rows = ex2Reveal().rows as { batchPerGpu: number; loadImbalance: number; relativeToNoEp: number; expertSlots: number }[];
    expect(rows).toHaveLength(4);
    expect(rows[1].batchPerGpu).toBeGreaterThan(rows[0].batchPerGpu); // EP frees memory for KV cache
    expect(rows[2].batchPerGpu).toBeGreaterThanOrEqual(rows[1].batchPerGpu);
    expect(rows[3].loadImbalance).toBeLessThan(rows[2].loadImbalance);
    expect(rows[2].loadImbalance).toBeGreaterThan(1.5);
    expect(rows[0].relativeToNoEp).toBe(1);
    // the ordering depends on the skew: uniform and Zipf orders differ
    const skew = ex2SkewRows();
    expect(skew).toHaveLength(3);
    expect(new Set(skew.map((x) => x.ordering)).size).toBeGreaterThan(1);
    resetEx2Prediction();
  });
});

describe("exercise 3: EPLB policy and redundancy from raw numbers", () => {
  it("the hierarchical policy plateaus at its node balancedness; the global one reaches the target", () => {
    const rows = policySweep([0, 32, 64, 128]);
    expect(rows.every((r) => r.hierarchicalBalancedness <= r.hierarchicalNodeBalancedness + 1e-9)).toBe(true);
    expect(Math.max(...rows.map((r) => r.hierarchicalBalancedness))).toBeLessThan(EX3_SETTING.target);
    expect(rows[1].globalBalancedness).toBeGreaterThan(rows[0].globalBalancedness);
    expect(Object.keys(rows[0])).not.toContain("reachesTarget");
    const t = ex3Truth();
    expect(t.hierarchical).toBeNull();
    expect(t.global).not.toBeNull();
  });

  it("untouched → not attempted, solution → correct, wrong policy / too few / too many / uneven → incorrect", () => {
    expect(exercises.ex3.check(TODO).outcome).toBe("not attempted");
    expect(exercises.ex3.check({ policy: TODO, redundantExperts: TODO }).outcome).toBe("not attempted");
    const best = ex3Truth().global!;
    expect(exercises.ex3.check({ policy: "global", redundantExperts: best }).outcome).toBe("correct");
    expect(exercises.ex3.check(exercises.ex3.solutionAnswer()).outcome).toBe("correct");
    const hier = exercises.ex3.check({ policy: "hierarchical", redundantExperts: 256 });
    expect(hier.outcome).toBe("incorrect");
    expect(hier.message).toMatch(/below the target/);
    if (best > 0) expect(exercises.ex3.check({ policy: "global", redundantExperts: best - 32 }).message).toMatch(/below the target/);
    expect(exercises.ex3.check({ policy: "global", redundantExperts: best + 32 }).message).toMatch(/fewer/);
    expect(exercises.ex3.check({ policy: "global", redundantExperts: 40 }).message).toMatch(/multiple of 32/);
    expect(exercises.ex3.check({ policy: "local" as never, redundantExperts: 32 }).message).toMatch(/policy must be/);
    expect(exercises.ex3.check(32 as never).outcome).toBe("incorrect");
  });
});

describe("exercise 4: the EP size that serves the most tokens per GPU at a per-user speed", () => {
  it("prints raw numbers, no verdict column", () => {
    const rows = perUserSweep([8, 16, 32]);
    expect(Object.keys(rows[0])).not.toContain("allToAllDominates");
    expect(rows[0].moeMs! > rows[2].moeMs!).toBe(true);
    expect(rows[2].allToAllMs! > rows[0].allToAllMs!).toBe(true);
  });

  it("untouched → not attempted, solution → correct, other sizes → incorrect", () => {
    expect(exercises.ex4.check(TODO).outcome).toBe("not attempted");
    expect(exercises.ex4.check({ overlapOff: TODO, overlapOn: 8 }).outcome).toBe("not attempted");
    const t = ex4Truth();
    expect(exercises.ex4.check({ overlapOff: t.overlapOff[0], overlapOn: t.overlapOn[0] }).outcome).toBe("correct");
    expect(exercises.ex4.check(exercises.ex4.solutionAnswer()).outcome).toBe("correct");
    const worst = [8, 16, 32, 64, 128, 256].find((e) => !t.overlapOff.includes(e))!;
    expect(exercises.ex4.check({ overlapOff: worst, overlapOn: t.overlapOn[0] }).message).toMatch(/without overlap, another EP size/);
    expect(exercises.ex4.check({ overlapOff: 12, overlapOn: 8 }).message).toMatch(/one of the EP sizes/);
    // the best EP size without overlap leaves the 8-GPU NVLink domain although its all-to-all outweighs its expert compute there
    const best = perUserSweep([t.overlapOff[0]])[0];
    expect(best.epSize).toBeGreaterThan(8);
    expect(best.allToAllMs!).toBeGreaterThan(best.moeMs!);
  });
});

describe("every exercise has tiered hints and a solution", () => {
  for (const [id, ex] of Object.entries(exercises)) {
    it(id, () => {
      expect(ex.spec.hints.length).toBeGreaterThanOrEqual(2);
      expect(ex.solution().text.length).toBeGreaterThan(40);
    });
  }
});
