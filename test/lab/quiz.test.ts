import { describe, expect, it } from "vitest";
import * as util from "util";
import { Exercise, TODO } from "../../src/lab/framework";
import { quiz } from "../../src/lab/quiz";

// A plausible wrong answer for each question (the mistake a learner is likely to make).
const wrong: Record<string, unknown> = {
  q1: 37e9, // parameters mistaken for FLOPs (a common misconception)
  q2: "A",
  q3: 0, // "256 does not divide by 72, so EP 72 is impossible"
  q4: "yes",
  q5: "A", // the "weight swaps" misconception
  bonus: { vsOneEp8: 7.2, vsFourEp8: 7.2 }, // the "super-linear" reading
};

describe("quiz", () => {
  for (const [id, q] of Object.entries(quiz)) {
    const question = q as unknown as Exercise<unknown>;
    it(`${id}: untouched → not attempted, solution → correct, plausible wrong → incorrect`, () => {
      expect(question.check(TODO).outcome).toBe("not attempted");
      expect(question.check(undefined).outcome).toBe("not attempted");
      expect(question.check(question.solutionAnswer()).outcome).toBe("correct");
      const bad = question.check(wrong[id]);
      expect(bad.outcome).toBe("incorrect");
      expect(bad.message.length).toBeGreaterThan(10);
      expect(question.hint(1).text.length).toBeGreaterThan(10);
      expect(question.solution().text.length).toBeGreaterThan(20);
    });
  }

  it("covers the five questions plus the bonus", () => {
    expect(Object.keys(quiz)).toEqual(["q1", "q2", "q3", "q4", "q5", "bonus"]);
    expect(util.inspect(quiz)).toContain("q5: Q5");
  });

  it("q1 names the parameters-vs-FLOPs confusion without revealing the answer", () => {
    const r = quiz.q1.check(37e9);
    expect(r.message).toMatch(/active parameters/);
    expect(r.message).not.toMatch(/74|7\.4/);
    expect(quiz.q1.check(2 * 37e9 * 1.1).outcome).toBe("correct");
    expect(quiz.q1.check(Number.NaN).outcome).toBe("incorrect");
    expect(quiz.q1.check(1342e9).message).toMatch(/every parameter/);
  });

  it("q3 distinguishes uneven splits from non-minimal ones", () => {
    expect(quiz.q3.check(16).message).toMatch(/do not split evenly/);
    expect(quiz.q3.check(104).message).toMatch(/fewer/);
    expect(quiz.q3.check(2.5).outcome).toBe("incorrect");
  });

  it("multiple-choice and yes/no answers are normalised", () => {
    expect(quiz.q2.check(" b ").outcome).toBe("correct");
    expect(quiz.q5.check("(c)").outcome).toBe("correct");
    expect(quiz.q5.check("E").message).toMatch(/one letter/);
    expect(quiz.q4.check(false).outcome).toBe("correct");
    expect(quiz.q4.check("No").outcome).toBe("correct");
    expect(quiz.q4.check("perhaps").outcome).toBe("incorrect");
  });

  it("bonus: a starter object of TODOs is not attempted; each wrong field is named", () => {
    expect(quiz.bonus.check({ vsOneEp8: TODO, vsFourEp8: TODO }).outcome).toBe("not attempted");
    const r = quiz.bonus.check({ vsOneEp8: 4, vsFourEp8: 1.8 });
    expect(r.message).toMatch(/vsOneEp8/);
    expect(r.message).not.toMatch(/vsFourEp8/);
    expect(quiz.bonus.check({ vsOneEp8: 7.2, vsFourEp8: TODO }).message).toMatch(/vsFourEp8/);
  });
});
