import { describe, expect, it } from "vitest";
import * as util from "util";
import { feedbackMark, feedbackMarkSvg } from "../../src/notebook";
import { Exercise } from "../../src/lab/framework";

const KINDS = ["correct", "incorrect", "not attempted", "info"] as const;
/** Characters a browser draws from a colour-emoji font by default (empty boxes without one), or forced to emoji style. */
const EMOJI = /\p{Emoji_Presentation}|\uFE0F/u;

describe("feedback marks", () => {
  it("are single text characters that need no emoji font", () => {
    for (const k of KINDS) {
      const m = feedbackMark(k);
      expect([...m]).toHaveLength(1);
      expect(m).not.toMatch(EMOJI);
    }
    expect(new Set(KINDS.map(feedbackMark)).size).toBe(KINDS.length);
  });

  it("have an inline SVG form with an accessible label", () => {
    for (const k of KINDS) {
      const svg = feedbackMarkSvg(k);
      expect(svg).toMatch(new RegExp(`^<svg role="img" aria-label="${k}"`));
      expect(svg).toContain(`<title>${k}</title>`);
      expect(svg).not.toMatch(/<script|on\w+=/i);
    }
  });

  it("reject unknown kinds, naming them", () => {
    expect(() => feedbackMark("ok" as never)).toThrow(/^kind must be one of "correct", .* got "ok"/);
    expect(() => feedbackMarkSvg(undefined as never)).toThrow(RangeError);
    expect(() => feedbackMark("toString" as never)).toThrow(RangeError);
  });

  it("the lab framework's check results print them, never emoji", () => {
    const ex = new Exercise<number>({
      id: "demo",
      title: "Demo",
      prompt: "What is 2 + 2?",
      answerFormat: "a number",
      check: (a) => (a === 4 ? true : "not four"),
      hints: ["Add."],
      solution: { text: "2 + 2 = 4", answer: () => 4 },
    });
    for (const answer of [4, 5, undefined]) {
      const r = ex.check(answer as never);
      expect(util.inspect(r)).not.toMatch(EMOJI);
      expect(r.toMarkdown()).not.toMatch(EMOJI);
    }
  });
});
