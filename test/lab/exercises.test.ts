import { describe, expect, it } from "vitest";
import { NotImplemented, TODO } from "../../src/lab/framework";
import { compareWithRouter, ex1Cases, exercises, libraryTopK } from "../../src/lab/exercises";
import { throughputComparison, allToAllCrossoverEp, epSweep } from "../../src/lab/scenarios-cost";
import { minimalRedundancy, redundancyBalancedness } from "../../src/lab/scenarios-eplb";

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

  it("compareWithRouter lines the learner's picks up with the router's", () => {
    const rows = compareWithRouter(solutionTopK);
    expect(rows).toHaveLength(16);
    expect(rows.every((r) => r.same)).toBe(true);
    expect(compareWithRouter(starterTopK).every((r) => r.yours === "—")).toBe(true);
  });
});

describe("exercise 2: throughput ordering", () => {
  it("untouched → not attempted, solution → correct, the original's ordering → incorrect", () => {
    expect(exercises.ex2.check(TODO).outcome).toBe("not attempted");
    const truth = throughputComparison().ordering;
    expect(exercises.ex2.check(exercises.ex2.solutionAnswer()).outcome).toBe("correct");
    expect(exercises.ex2.check(truth.slice()).outcome).toBe("correct");
    const original = ["dense", "standard-ep", "wide-ep", "wide-ep-eplb"];
    const r = exercises.ex2.check(original);
    // Under the skewed workload the model ranks wide EP without EPLB below standard EP.
    expect(truth).not.toEqual(original);
    expect(r.outcome).toBe("incorrect");
    expect(r.message).toMatch(/pairwise/);
  });

  it("rejects malformed orderings with a clear message", () => {
    expect(exercises.ex2.check(["dense"]).message).toMatch(/exactly once/);
    expect(exercises.ex2.check(["dense", "tp", "wide-ep", "wide-ep-eplb"]).message).toMatch(/unknown id/);
    expect(exercises.ex2.check("dense" as unknown as string[]).message).toMatch(/array/);
  });

  it("the comparison is computed by the cost model with EPLB's imbalance", () => {
    const { rows } = throughputComparison();
    expect(rows.map((r) => r.id)).toEqual(["dense", "standard-ep", "wide-ep", "wide-ep-eplb"]);
    expect(rows[3].loadImbalance).toBeLessThan(rows[2].loadImbalance);
    expect(rows[0].relativeToDense).toBe(1);
  });
});

describe("exercise 3: redundant experts", () => {
  it("untouched → not attempted, solution → correct, too few / too many / uneven → incorrect", () => {
    expect(exercises.ex3.check(TODO).outcome).toBe("not attempted");
    const best = minimalRedundancy();
    expect(exercises.ex3.check(best).outcome).toBe("correct");
    expect(exercises.ex3.check(exercises.ex3.solutionAnswer()).outcome).toBe("correct");
    expect(best).toBeGreaterThan(0); // the workload is skewed enough that some replicas are needed
    const tooFew = exercises.ex3.check(best - 32);
    expect(tooFew.outcome).toBe("incorrect");
    expect(tooFew.message).toMatch(/below the target/);
    expect(exercises.ex3.check(best + 32).message).toMatch(/fewer/);
    expect(exercises.ex3.check(40).message).toMatch(/multiple of 32/);
    expect(exercises.ex3.check(-32).outcome).toBe("incorrect");
  });

  it("uses real EPLB balancedness, which rises with the first replicas", () => {
    expect(redundancyBalancedness(32)).toBeGreaterThan(redundancyBalancedness(0));
    expect(() => redundancyBalancedness(7)).toThrow(RangeError);
  });
});

describe("exercise 4: all-to-all crossover", () => {
  it("untouched → not attempted, solution → correct, inside-one-node guess → incorrect", () => {
    expect(exercises.ex4.check(TODO).outcome).toBe("not attempted");
    const ep = allToAllCrossoverEp();
    expect(exercises.ex4.check(ep).outcome).toBe("correct");
    expect(exercises.ex4.check(exercises.ex4.solutionAnswer()).outcome).toBe("correct");
    expect(exercises.ex4.check(8).outcome).toBe("incorrect");
    expect(exercises.ex4.check(8).message).toMatch(/still takes longer/);
    expect(exercises.ex4.check(256).message).toMatch(/already did/);
    expect(exercises.ex4.check(12).message).toMatch(/one of the EP sizes/);
  });

  it("the sweep shows compute shrinking and communication growing with EP", () => {
    const rows = epSweep([8, 16, 32]);
    expect(rows[0].moeMs).toBeGreaterThan(rows[2].moeMs);
    expect(rows[2].allToAllMs).toBeGreaterThan(rows[0].allToAllMs);
    expect(() => epSweep([])).toThrow(RangeError);
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
