import { describe, expect, it } from "vitest";
import { ansiToHtml, escapeHtml, slugify, stripAnsi, withSourceContext } from "../../src/runner";

describe("stripAnsi", () => {
  it("removes color, cursor and OSC sequences and keeps the text", () => {
    expect(stripAnsi("\u001b[1;31mError\u001b[0m: x\u001b[2K\u001b]0;title\u0007!")).toBe("Error: x!");
    expect(stripAnsi("plain")).toBe("plain");
  });
});

describe("escapeHtml", () => {
  it("escapes the five HTML-special characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});

describe("ansiToHtml", () => {
  it("turns SGR colors and bold into spans and escapes the text", () => {
    expect(ansiToHtml("\u001b[31m<red>\u001b[0m ok")).toBe('<span class="ansi-red-fg">&lt;red&gt;</span> ok');
    expect(ansiToHtml("\u001b[1;92mhi\u001b[22m there\u001b[39m.")).toBe(
      '<span class="ansi-bold ansi-bright-green-fg">hi</span><span class="ansi-bright-green-fg"> there</span>.',
    );
  });
  it("drops non-SGR escapes and leaves plain text unchanged", () => {
    expect(ansiToHtml("a\u001b[2Kb")).toBe("ab");
    expect(ansiToHtml("x & y")).toBe("x &amp; y");
  });
});

describe("slugify", () => {
  it("makes GitHub-style slugs", () => {
    expect(slugify("2. Top-k Routing!")).toBe("2-top-k-routing");
    expect(slugify("  Expert  Parallelism ")).toBe("expert--parallelism");
    expect(slugify("Débit & Latence")).toBe("débit--latence");
  });
  it("never returns an empty id", () => {
    expect(slugify("!!!")).toBe("section");
  });
});

describe("withSourceContext", () => {
  it("puts the offending cell line and a caret under a cell diagnostic, and leaves other lines alone", () => {
    const code = "const a = 1;\nconst notANumber: number = \"oops\";";
    expect(withSourceContext("2:7 - Type 'string' is not assignable to type 'number'.\nsrc/x.ts 1:1 - other", code)).toBe(
      "2:7 - Type 'string' is not assignable to type 'number'.\n    const notANumber: number = \"oops\";\n          ^\nsrc/x.ts 1:1 - other",
    );
    expect(withSourceContext("9:1 - beyond the cell", code)).toBe("9:1 - beyond the cell");
  });
});
