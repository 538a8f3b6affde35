import { describe, expect, it } from "vitest";
import * as util from "util";
import {
  CheckResult,
  Exercise,
  NotImplemented,
  TODO,
  choiceLetter,
  collection,
  isBlank,
  relativeError,
  yesNo,
} from "../../src/lab/framework";

function demo() {
  return new Exercise<number>({
    id: "demo",
    title: "Demo",
    prompt: "What is 2 + 2?",
    answerFormat: "a number",
    check: (a) => (typeof a !== "number" ? "should be a number" : a === 4 ? true : "that is not the sum of 2 and 2"),
    hints: ["Count on your fingers.", "Two and two."],
    solution: { text: "2 + 2 = 4", answer: () => 4 },
  });
}

describe("Exercise.check", () => {
  it("reports not attempted for undefined and the TODO sentinel", () => {
    const ex = demo();
    expect(ex.check(undefined as unknown as number).outcome).toBe("not attempted");
    expect(ex.check(TODO).outcome).toBe("not attempted");
    expect(isBlank(TODO)).toBe(true);
    expect(isBlank(0)).toBe(false);
  });

  it("reports correct for the solution and incorrect with a message for a wrong answer", () => {
    const ex = demo();
    const good = ex.check(ex.solutionAnswer());
    expect(good.outcome).toBe("correct");
    expect(good.ok).toBe(true);
    const bad = ex.check(5);
    expect(bad.outcome).toBe("incorrect");
    expect(bad.message).toContain("not the sum");
    expect(bad.message).not.toContain("4");
  });

  it("turns a thrown NotImplemented into not attempted and other errors into incorrect", () => {
    const ex = new Exercise<() => number>({
      id: "f",
      title: "F",
      prompt: "write f",
      answerFormat: "function",
      check: (f) => (f() === 1 ? true : "f should return one"),
      hints: ["h"],
      solution: { text: "() => 1", answer: () => () => 1 },
    });
    expect(ex.check(() => { throw new NotImplemented(); }).outcome).toBe("not attempted");
    const r = ex.check(() => { throw new Error("boom"); });
    expect(r.outcome).toBe("incorrect");
    expect(r.message).toContain("boom");
    expect(ex.check(ex.solutionAnswer()).outcome).toBe("correct");
  });

  it("prints clearly through util.inspect (what tslab shows)", () => {
    const ex = demo();
    expect(util.inspect(ex.check(5))).toMatch(/^✘ Demo — INCORRECT: /);
    expect(util.inspect(ex.check(4))).toMatch(/^✔ Demo — CORRECT/);
    expect(util.inspect(ex.check(TODO))).toMatch(/NOT ATTEMPTED/);
    expect(util.inspect(ex)).toContain("What is 2 + 2?");
    expect(ex.check(5).toMarkdown()).toContain("**Demo — incorrect**");
  });
});

describe("hints and solutions", () => {
  it("gives hints in order, then stays on the last; hint(n) picks a level", () => {
    const ex = demo();
    expect(ex.hint().text).toBe("Count on your fingers.");
    expect(ex.hint().text).toBe("Two and two.");
    expect(ex.hint().text).toBe("Two and two.");
    expect(ex.hint(1).title).toContain("Hint 1/2");
    expect(util.inspect(ex.hint(2))).toContain("Two and two.");
  });

  it("rejects out-of-range hint levels", () => {
    const ex = demo();
    expect(() => ex.hint(0)).toThrow(RangeError);
    expect(() => ex.hint(3)).toThrow(/1…2/);
    expect(() => ex.hint(1.5)).toThrow(RangeError);
  });

  it("prints the solution with its code block in markdown", () => {
    const ex = new Exercise<number>({
      id: "s", title: "S", prompt: "p", answerFormat: "n", check: () => true, hints: ["h"],
      solution: { text: "explained", code: "const x = 1;", answer: () => 1 },
    });
    expect(ex.solution().toMarkdown()).toContain("```typescript\nconst x = 1;\n```");
    expect(util.inspect(ex.solution())).toContain("explained");
  });

  it("rejects specs without hints or ids", () => {
    const base = { id: "x", title: "X", prompt: "", answerFormat: "", check: (): true => true, solution: { text: "", answer: () => 0 } };
    expect(() => new Exercise({ ...base, hints: [] })).toThrow(RangeError);
    expect(() => new Exercise({ ...base, id: "", hints: ["h"] })).toThrow(TypeError);
  });
});

describe("answer helpers", () => {
  it("normalises choices and yes/no", () => {
    expect(choiceLetter(" b ")).toBe("B");
    expect(choiceLetter("(c)")).toBe("C");
    expect(choiceLetter("AB")).toBeUndefined();
    expect(choiceLetter(3)).toBeUndefined();
    expect(yesNo("No")).toBe(false);
    expect(yesNo(true)).toBe(true);
    expect(yesNo("maybe")).toBeUndefined();
  });

  it("computes relative error", () => {
    expect(relativeError(1.1, 1)).toBeCloseTo(0.1, 12);
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1, 0)).toBe(Infinity);
  });

  it("collection lists its items", () => {
    const c = collection({ demo: demo() });
    expect(util.inspect(c)).toContain("demo: Demo");
    expect(new CheckResult("t", "correct", "m", ["d"]).toString()).toContain("• d");
  });
});
