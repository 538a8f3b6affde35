import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  el,
  eplbBalanceSvg,
  epScaleSvg,
  escapeXml,
  groupGemmIntensity,
  groupGemmSvg,
  labImages,
  num,
  nvl72Svg,
  packet,
  pathData,
  svgDocument,
  text,
} from "../../src/viz/svg";
import { skewedLoad } from "../../src/viz/svg/labImages";
import { checkXml } from "./xml";

const IMAGES = path.resolve(__dirname, "..", "..", "images");

describe("xml checker (test helper)", () => {
  it("accepts well-formed and rejects broken documents", () => {
    expect(checkXml('<?xml version="1.0"?>\n<a x="1"><b/>t &amp; u</a>').errors).toEqual([]);
    expect(checkXml("<a><b></a>").errors.length).toBeGreaterThan(0);
    expect(checkXml("<a>x & y</a>").errors[0]).toMatch(/bare &/);
    expect(checkXml('<a x="1" x="2"/>').errors[0]).toMatch(/duplicate attribute/);
    expect(checkXml("<a/><b/>").errors[0]).toMatch(/one root/);
    expect(checkXml("<a x=1/>").errors[0]).toMatch(/malformed attributes/);
  });
});

describe("svg builder", () => {
  it("escapes text and attributes", () => {
    expect(escapeXml(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&#39;");
    expect(text(1, 2, "x < y & z", { size: 12 })).toBe('<text x="1" y="2" font-size="12">x &lt; y &amp; z</text>');
    expect(el("rect", { x: 0.123456, y: -0, title: 'say "hi"', hidden: false, missing: undefined })).toBe('<rect x="0.12" y="0" title="say &quot;hi&quot;"/>');
  });
  it("prints numbers deterministically and rejects non-finite coordinates", () => {
    expect(num(1 / 3)).toBe("0.33");
    expect(num(-0.001)).toBe("0");
    expect(num(2.5, 0)).toBe("3");
    expect(() => num(NaN)).toThrow(/finite/);
    expect(() => el("rect", { x: Infinity })).toThrow(/finite/);
  });
  it("pathData and packet: formatted path data, hidden-until-animated dot, validated timing", () => {
    expect(pathData(["M", 0, 0, "L", 1.234, 2])).toBe("M 0 0 L 1.23 2");
    const dot = packet("M 0 0 L 10 0", 1.5, "#000");
    expect(dot).toContain('visibility="hidden"');
    expect(dot).toContain('<animateMotion dur="1.5s" begin="0s" repeatCount="indefinite" path="M 0 0 L 10 0" calcMode="linear"/>');
    expect(checkXml(dot).errors).toEqual([]);
    expect(() => packet("M 0 0", 0, "#000")).toThrow(/durSeconds must be a finite number > 0/);
    expect(() => packet("M 0 0", 1, "#000", 3, -1)).toThrow(/beginSeconds/);
  });
  it("rejects bad tag and attribute names", () => {
    expect(() => el("a b")).toThrow(/invalid SVG tag/);
    expect(() => el("rect", { 'x"': 1 })).toThrow(/invalid SVG attribute/);
  });
  it("svgDocument is accessible, scalable and well-formed", () => {
    const doc = svgDocument({ width: 100, height: 50, title: "A & B", desc: "Two <things>" }, text(5, 20, "hi"));
    expect(doc).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg /);
    expect(doc).toContain('viewBox="0 0 100 50"');
    expect(doc).toContain('role="img"');
    expect(doc).toContain('<title id="title">A &amp; B</title>');
    expect(doc).toContain('<desc id="desc">Two &lt;things&gt;</desc>');
    expect(checkXml(doc).errors).toEqual([]);
  });
  it("svgDocument rejects missing title/desc and bad sizes", () => {
    expect(() => svgDocument({ width: 0, height: 5, title: "t", desc: "d" })).toThrow(/width and height/);
    expect(() => svgDocument({ width: 5, height: 5, title: " ", desc: "d" })).toThrow(/title/);
    expect(() => svgDocument({ width: 5, height: 5, title: "t", desc: "" })).toThrow(/desc/);
  });
});

describe("image drawings: small fixed inputs and bad input", () => {
  it("epScaleSvg draws one square per slot and validates the placement", () => {
    const svg = epScaleSvg({
      numExperts: 8,
      numGroups: 2,
      panels: [{ epSize: 2, label: "EP2", nvlinkDomainSize: 2, phy2log: [0, 1, 2, 3, 4, 5, 6, 7], columns: 2, facts: ["4 per GPU"] }],
      notes: ["n"],
    });
    expect(checkXml(svg).errors).toEqual([]);
    expect(svg).toContain("4 per GPU");
    expect(() => epScaleSvg({ numExperts: 8, numGroups: 2, panels: [{ epSize: 3, label: "x", nvlinkDomainSize: 3, phy2log: [0, 1, 2, 3], columns: 3, facts: [] }], notes: [] })).toThrow(
      /panels\[0\]\.phy2log\.length \(4\) must be divisible by epSize \(3\)/,
    );
    expect(() => epScaleSvg({ numExperts: 4, numGroups: 2, panels: [{ epSize: 2, label: "x", nvlinkDomainSize: 2, phy2log: [0, 1, 2, 9], columns: 2, facts: [] }], notes: [] })).toThrow(
      /panels\[0\]\.phy2log\[3\] must be an expert id < 4/,
    );
    expect(() => epScaleSvg({ numExperts: 4, numGroups: 2, panels: [{ epSize: 2, label: "x", nvlinkDomainSize: 2, phy2log: [0, NaN], columns: 2, facts: [] }], notes: [] })).toThrow(
      /panels\[0\]\.phy2log\[1\] must be finite/,
    );
  });

  it("groupGemmIntensity: ≈ 2 FLOP/byte at one token in FP8, rising with tokens", () => {
    const m = { hiddenSize: 7168, expertFfnSize: 2048, bytesPerWeight: 1, activationBytesPerElement: 3 };
    expect(groupGemmIntensity(1, m)).toBeCloseTo((2 * 3 * 7168 * 2048) / (3 * 7168 * 2048 + 7168 * 3), 10);
    expect(groupGemmIntensity(64, m)).toBeGreaterThan(groupGemmIntensity(8, m));
    const base = { ...m, gpuName: "X", peakFlops: 1e15, bandwidthBytesPerSec: 1e12, exampleTokens: [2, 1], markers: [{ label: "EP8", tokensPerExpert: 16 }], notes: [] };
    const svg = groupGemmSvg(base);
    expect(checkXml(svg).errors).toEqual([]);
    expect(svg).toContain("X ridge: 1000 FLOP/byte");
    expect(() => groupGemmSvg({ ...base, peakFlops: NaN })).toThrow(/inputs\.peakFlops must be finite/);
    expect(() => groupGemmSvg({ ...base, exampleTokens: [] })).toThrow(/inputs\.exampleTokens must not be empty/);
    expect(() => groupGemmSvg({ ...base, markers: [{ label: "a", tokensPerExpert: 0 }] })).toThrow(/inputs\.markers\[0\]\.tokensPerExpert must be > 0/);
  });

  it("nvl72Svg counts destinations across nodes", () => {
    const phy2log = Array.from({ length: 72 }, (_, i) => i);
    const base = { numExperts: 72, numGroups: 8, phy2log, tokenExperts: [1, 9, 17], sourceGpu: 0, nvlinkGBps: 900, nicGBps: 50, gpusPerNode: 8, notes: [] };
    const svg = nvl72Svg(base);
    expect(checkXml(svg).errors).toEqual([]);
    expect(svg).toContain("2 of the token&#39;s 3 destination GPUs are in other nodes");
    expect(() => nvl72Svg({ ...base, phy2log: phy2log.slice(0, 70) })).toThrow(/inputs\.phy2log\.length \(70\) must be divisible by 72/);
    expect(() => nvl72Svg({ ...base, tokenExperts: [80] })).toThrow(/expert 80/);
    expect(() => nvl72Svg({ ...base, gpusPerNode: 7 })).toThrow(/inputs\.gpusPerNode \(7\)/);
  });

  it("eplbBalanceSvg reports balancedness and speed-up", () => {
    const svg = eplbBalanceSvg({ expertLoad: [30, 10, 10, 10], panels: [{ label: "before", gpuExperts: [[0, 1], [2, 3]] }, { label: "after", gpuExperts: [[0], [1, 2, 3]] }], notes: [] });
    expect(checkXml(svg).errors).toEqual([]);
    // before: 40 / 20 → balancedness 0.75; after: 30 / 30 → 1.00, 40/30 = 1.33× faster
    expect(svg).toContain("balancedness 0.75");
    expect(svg).toContain("balancedness 1.00 · 1.33× faster than before");
    expect(() => eplbBalanceSvg({ expertLoad: [], panels: [], notes: [] })).toThrow(/inputs\.expertLoad must not be empty/);
    expect(() => eplbBalanceSvg({ expertLoad: [1, 2], panels: [], notes: [] })).toThrow(/inputs\.panels must be a non-empty array/);
    expect(() => eplbBalanceSvg({ expertLoad: [1, 2], panels: [{ label: "x", gpuExperts: [[0]] }], notes: [] })).toThrow(/expert 1 has load 2 but no slot/);
  });

  it("drawings do not mutate their (frozen) inputs", () => {
    const freeze = <T>(o: T): T => {
      if (o && typeof o === "object") {
        Object.freeze(o);
        for (const v of Object.values(o as object)) freeze(v);
      }
      return o;
    };
    const eplbIn = freeze({ expertLoad: [30, 10, 10, 10], panels: [{ label: "a", gpuExperts: [[0, 1], [2, 3]] }], notes: ["n"] });
    expect(() => eplbBalanceSvg(eplbIn)).not.toThrow();
    const nvIn = freeze({ numExperts: 72, numGroups: 8, phy2log: Array.from({ length: 72 }, (_, i) => i), tokenExperts: [1, 9], sourceGpu: 0, nvlinkGBps: 900, nicGBps: 50, gpusPerNode: 8, notes: [] });
    expect(() => nvl72Svg(nvIn)).not.toThrow();
    expect(eplbIn.expertLoad).toEqual([30, 10, 10, 10]);
  });

  it("skewedLoad: deterministic expected Zipf counts", () => {
    expect(skewedLoad(4, 100, 0)).toEqual([25, 25, 25, 25]);
    const a = skewedLoad(16, 1000, 1, 7);
    expect(a).toEqual(skewedLoad(16, 1000, 1, 7));
    expect(Math.max(...a)).toBe(Math.round(1000 / [...Array(16)].reduce((s, _, r) => s + 1 / (r + 1), 0)));
  });
});

describe("images/ (npm run figures)", () => {
  const images = labImages();

  it("has the four lab images, each well-formed with a <title> and <desc>", () => {
    expect(images.map((i) => i.file)).toEqual([
      "small-vs-large-ep.svg",
      "groupgemm-packing.svg",
      "nvl72-deployment.svg",
      "eplb-balancing.svg",
    ]);
    for (const { file, svg } of images) {
      const { errors, elements } = checkXml(svg);
      expect(errors, file).toEqual([]);
      expect(elements[0], file).toBe("svg");
      expect(elements[1], file).toBe("title");
      expect(elements[2], file).toBe("desc");
      expect(svg, file).toMatch(/<title id="title">[^<]{10,}<\/title>/);
      expect(svg, file).toContain('viewBox="0 0 ');
      expect(svg, file).not.toMatch(/NaN|undefined|Infinity/);
      // captions speak of what a figure shows, not of where an example came from
      expect(svg, file).not.toMatch(/original lab|the original/i);
    }
    expect(images.find((i) => i.file === "eplb-balancing.svg")!.svg).toContain("a toy example (8 experts, 1000 … 50 tokens, 4 GPUs)");
  });

  it("is deterministic", () => {
    expect(labImages()).toEqual(images);
  });

  it("committed images/ equal what the generator produces now (run `npm run figures` if this fails)", () => {
    for (const { file, svg } of images) {
      const p = path.join(IMAGES, file);
      expect(fs.existsSync(p), `${file} is missing: run npm run figures`).toBe(true);
      expect(fs.readFileSync(p, "utf8") === svg, `${file} is stale: run npm run figures`).toBe(true);
    }
    const extra = fs.readdirSync(IMAGES).filter((f) => f.endsWith(".svg") && !images.some((i) => i.file === f));
    expect(extra, "SVGs in images/ that the generator does not produce").toEqual([]);
  });
});
