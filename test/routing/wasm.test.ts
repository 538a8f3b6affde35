/**
 * The WebAssembly SIMD routing kernel: its committed bytes are a build of its source, it is chosen
 * only where the engine has WebAssembly SIMD (else the TypeScript kernels run), and both kernels
 * give bit-identical results (and the reference router's picks) on random batches and ties.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { route, routeReference, routeScores, type RouterOptions, type RoutingResult } from "../../src/routing/route";
import { topK } from "../../src/routing";
import { routingKernel, setRoutingKernel, wasmSimdSupported, floor32, ROUTING_KERNEL_ENV, type RoutingKernel } from "../../src/routing/wasm";
import { ROUTING_KERNEL_BASE64, ROUTING_KERNEL_SHA256 } from "../../src/routing/wasm-bytes";
import { createRng } from "../../src/util/rng";
import { referenceTopK, routerShapeFields, validGroupShape } from "./helpers";

const root = join(__dirname, "..", "..");

/** Runs f on the given kernel (restoring "auto"), returning its result or the message of what it threw. */
function on<T>(kernel: RoutingKernel, f: () => T): T | string {
  setRoutingKernel(kernel);
  try {
    expect(routingKernel()).toBe(kernel);
    return f();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  } finally {
    setRoutingKernel("auto");
  }
}

/** Same indices and bit-identical weights (the two kernels do the same float arithmetic). */
function expectIdentical(a: RoutingResult | string, b: RoutingResult | string): void {
  if (typeof a === "string" || typeof b === "string") {
    expect(a).toEqual(b);
    return;
  }
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
}

/** Indices identical; weights within 2⁻²¹ relative of the reference (a few float32 roundings). */
function expectReferencePicks(a: RoutingResult | string, ref: RoutingResult | string): void {
  if (typeof a === "string" || typeof ref === "string") {
    expect(a).toEqual(ref);
    return;
  }
  expect(Array.from(a.indices)).toEqual(Array.from(ref.indices));
  for (let i = 0; i < a.weights.length; i++) {
    if (!(Math.abs(a.weights[i] - ref.weights[i]) <= 2 ** -21 * Math.abs(ref.weights[i]) + 1e-37)) {
      throw new Error(`weight ${i}: ${a.weights[i]} vs reference ${ref.weights[i]}`);
    }
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  setRoutingKernel("auto");
});

describe("routing kernel: shipped bytes", () => {
  it("the committed bytes equal a fresh build of wasm/routing-kernel.as.ts (npm run build:wasm)", () => {
    const out = execFileSync(process.execPath, [join(root, "wasm", "build.mjs"), "--check"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/committed bytes match the source/);
  }, 120_000);
  it("a rebuild of an unchanged kernel leaves src/routing/wasm-bytes.ts untouched (tsc --watch and editors see no change)", () => {
    const file = join(root, "src", "routing", "wasm-bytes.ts");
    const before = statSync(file).mtimeMs;
    const out = execFileSync(process.execPath, [join(root, "wasm", "build.mjs")], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/is already current/);
    expect(statSync(file).mtimeMs).toBe(before);
  }, 120_000);
  it("the check fails on bytes that differ from the source", () => {
    const dir = mkdtempSync(join(tmpdir(), "ep-lab-wasm-test-"));
    try {
      const text = readFileSync(join(root, "src", "routing", "wasm-bytes.ts"), "utf8");
      const tampered = join(dir, "wasm-bytes.ts");
      // flip one base64 character inside the bytes
      const at = text.indexOf('"', text.indexOf("ROUTING_KERNEL_BASE64 =")) + 40;
      writeFileSync(tampered, text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1));
      const r = spawnSync(process.execPath, [join(root, "wasm", "build.mjs"), "--check", "--against", tampered], { cwd: root, encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/differs from a fresh build/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  it("the recorded SHA-256 is that of the bytes, and the module imports only Math.exp", () => {
    const bytes = Buffer.from(ROUTING_KERNEL_BASE64, "base64");
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(ROUTING_KERNEL_SHA256);
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: "env", name: "exp", kind: "function" }]);
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(["heapBase", "memory", "selChunk", "selConfig", "topkChunk", "topkReset"]);
  });
});

describe("routing kernel: choice and fallback", () => {
  it("uses WebAssembly SIMD by default on this engine", () => {
    expect(wasmSimdSupported()).toBe(true);
    setRoutingKernel("auto");
    expect(routingKernel()).toBe("wasm-simd");
  });
  it("falls back to TypeScript automatically when the engine does not validate SIMD modules", () => {
    const validate = vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    expect(wasmSimdSupported()).toBe(false);
    expect(routingKernel()).toBe("typescript");
    expect(validate).toHaveBeenCalled();
    expect(() => setRoutingKernel("wasm-simd")).toThrow(/"wasm-simd" is not available/);
    const logits = new Float32Array([2, 1, 0, 3]);
    expect(Array.from(route(logits, { numExperts: 4, topK: 2 }).indices)).toEqual([3, 0]);
    vi.restoreAllMocks();
    expect(routingKernel()).toBe("wasm-simd");
  });
  it("setRoutingKernel chooses, and rejects unknown values naming the parameter", () => {
    setRoutingKernel("typescript");
    expect(routingKernel()).toBe("typescript");
    setRoutingKernel("wasm-simd");
    expect(routingKernel()).toBe("wasm-simd");
    setRoutingKernel("auto");
    expect(routingKernel()).toBe("wasm-simd");
    for (const bad of ["wasm", "", null, undefined, 1, "TypeScript"]) {
      expect(() => setRoutingKernel(bad as never)).toThrow(RangeError);
      expect(() => setRoutingKernel(bad as never)).toThrow(/kernel must be one of auto, wasm-simd, typescript, got/);
    }
  });
  it(`${ROUTING_KERNEL_ENV} sets the initial choice, and an unknown value is an error naming the variable`, () => {
    const code = 'import("./src/routing/wasm.ts").then((ns) => { const m = ns.routingKernel ? ns : ns.default; try { console.log(m.routingKernel()); } catch (e) { console.log(e.name + ": " + e.message); } })';
    const run = (value: string) =>
      execFileSync(process.execPath, ["--import", "tsx", "-e", code], { cwd: root, encoding: "utf8", env: { ...process.env, [ROUTING_KERNEL_ENV]: value } }).trim();
    expect(run("typescript")).toBe("typescript");
    expect(run("wasm-simd")).toBe("wasm-simd");
    expect(run("simd")).toBe(`RangeError: ${ROUTING_KERNEL_ENV} must be one of auto, wasm-simd, typescript, got "simd"`);
  }, 60_000);
  it("floor32 gives the largest float32 ≤ its argument", () => {
    const f = new Float32Array(1);
    const rng = createRng(5);
    for (let i = 0; i < 5000; i++) {
      const v = (rng.normal() * 10) ** 3 * (i % 7 === 0 ? 1e-40 : 1);
      const r = floor32(v);
      f[0] = r;
      expect(f[0]).toBe(r); // a float32
      expect(r <= v).toBe(true);
      // the next float32 up is > v
      const next = new Float32Array(1);
      const bits = new Int32Array(next.buffer);
      next[0] = r;
      if (r === 0) next[0] = Object.is(r, -0) ? 1.401298464324817e-45 : 1.401298464324817e-45;
      else bits[0] += r > 0 ? 1 : -1;
      expect(next[0] > v).toBe(true);
    }
    for (const v of [Infinity, -Infinity, 0, 1, -1]) expect(floor32(v)).toBe(v);
    expect(Number.isNaN(floor32(NaN))).toBe(true);
  });
});

// Random batches: float logits (not only grids), bias, groups, long enough to cross the kernel's
// 32-token windows; both kernels and the reference.
const arbBatch = fc
  .record({
    ...routerShapeFields(90, 12),
    spread: fc.constantFrom(0.01, 1, 4, 30),
    grid: fc.constantFrom(0, 0.25),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  })
  .filter(validGroupShape)
  .chain((c) =>
    fc.record({ c: fc.constant(c), topkGroup: fc.integer({ min: 1, max: c.numGroups }) }).chain((x) =>
      fc.record({ x: fc.constant(x), topK: fc.integer({ min: 1, max: x.topkGroup * c.groupSize }) }),
    ),
  );

function buildBatch({ x, topK: k }: typeof arbBatch extends fc.Arbitrary<infer T> ? T : never) {
  const { c } = x;
  const E = c.numGroups * c.groupSize;
  const rng = createRng(c.seed);
  const q = (v: number) => (c.grid ? Math.round(v / c.grid) * c.grid : v); // a grid makes exact ties
  const logits = new Float32Array(c.numTokens * E);
  for (let t = 0; t < c.numTokens; t++) {
    const shift = t % 11 === 5 ? -5 * c.spread : 0; // rows far below the others: thresholds must adapt
    for (let j = 0; j < E; j++) logits[t * E + j] = q(c.spread * rng.normal() + shift);
  }
  const bias = c.useBias ? new Float32Array(E).map(() => q(0.05 * c.spread * rng.normal())) : undefined;
  const opts: RouterOptions = {
    numExperts: E, topK: k, scoring: c.scoring, numGroups: c.numGroups, topkGroup: x.topkGroup, groupScore: c.groupScore,
    bias, normalize: c.normalize, routedScalingFactor: c.scale,
  };
  return { logits, opts, E };
}

describe("routing kernel: WebAssembly SIMD = TypeScript = reference", () => {
  it("route and routeScores: identical results on 1,200 random batches (and the reference's picks)", () => {
    fc.assert(
      fc.property(arbBatch, (cs) => {
        const { logits, opts } = buildBatch(cs);
        const w = on("wasm-simd", () => route(logits, opts));
        const t = on("typescript", () => route(logits, opts));
        expectIdentical(w, t);
        expectReferencePicks(w, on("typescript", () => routeReference(logits, opts)));
        expectIdentical(on("wasm-simd", () => routeScores(logits, opts)), on("typescript", () => routeScores(logits, opts)));
      }),
      { numRuns: 1200, seed: 20261215 },
    );
  });

  it("topK: identical results on 1,000 random batches with ties, −∞ and wide scales", () => {
    const arb = fc.record({
      numTokens: fc.integer({ min: 1, max: 70 }),
      numExperts: fc.integer({ min: 1, max: 70 }),
      kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      grid: fc.constantFrom(0, 1),
      masked: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1 << 30 }),
    });
    fc.assert(
      fc.property(arb, ({ numTokens, numExperts, kFrac, grid, masked, seed }) => {
        const rng = createRng(seed);
        const k = 1 + Math.min(numExperts - 1, Math.floor(kFrac * numExperts));
        const s = new Float32Array(numTokens * numExperts);
        for (let t = 0; t < numTokens; t++) {
          const scale = 10 ** ((t % 5) - 2);
          for (let j = 0; j < numExperts; j++) {
            const v = rng.normal() * scale;
            s[t * numExperts + j] = masked && rng.next() < 0.3 ? -Infinity : grid ? Math.round(v / scale) : v;
          }
        }
        const a = on("wasm-simd", () => topK(s, numTokens, numExperts, k));
        const b = on("typescript", () => topK(s, numTokens, numExperts, k));
        if (typeof a === "string" || typeof b === "string") throw new Error(`unexpected error: ${a} / ${b}`);
        expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
        expect(Array.from(a.values)).toEqual(Array.from(b.values));
        const ref = referenceTopK(s, numTokens, numExperts, k);
        expect(Array.from(a.indices)).toEqual(ref.indices);
      }),
      { numRuns: 1000, seed: 99 },
    );
  });

  it("DeepSeek-V3 settings on 4,096 tokens × 256 experts, smooth and on a coarse grid (many exact ties)", () => {
    const T = 4096;
    const E = 256;
    const rng = createRng(21);
    for (const grid of [0, 0.5]) {
      const logits = new Float32Array(T * E);
      for (let t = 0; t < T; t++) {
        const s = t < 1500 ? 1 : 0.1 + (t % 40) / 8;
        for (let j = 0; j < E; j++) {
          const v = s * rng.normal() + (t % 101 === 0 ? -9 : 0);
          logits[t * E + j] = grid ? Math.round(v / grid) * grid : v;
        }
      }
      const bias = new Float32Array(E).map(() => (grid ? Math.round(rng.normal()) * 0.01 : 0.01 * rng.normal()));
      for (const opts of [
        { numExperts: E, topK: 8, scoring: "sigmoid" as const, numGroups: 8, topkGroup: 4, bias, routedScalingFactor: 2.5 },
        { numExperts: E, topK: 8, scoring: "sigmoid" as const, numGroups: 8, topkGroup: 4, groupScore: "max" as const },
        { numExperts: E, topK: 8 },
        { numExperts: E, topK: 6, numGroups: 8, topkGroup: 3, bias },
      ]) {
        const w = on("wasm-simd", () => route(logits, opts));
        expectIdentical(w, on("typescript", () => route(logits, opts)));
        expectReferencePicks(w, routeReference(logits, opts));
      }
    }
  });

  it("the kernel's sigmoid is Math.fround(1 / (1 + Math.exp(−x))) bit for bit (every expert picked, weights unscaled)", () => {
    // topK = numExperts and normalize off: each weight is the float32 sigmoid of a logit
    const E = 64;
    const T = 3200;
    const logits = new Float32Array(T * E);
    for (let i = 0; i < logits.length; i++) logits[i] = -20 + (40 * i) / logits.length;
    const edges = [0, -0, 79.9, -79.9, 80, -80, 80.1, -80.1, 88.7, -88.7, 103, -103, 1e30, -1e30, 1e-30, -1e-30];
    logits.set(edges, 5 * E);
    const opts: RouterOptions = { numExperts: E, topK: E, scoring: "sigmoid", normalize: false };
    for (const kernel of ["wasm-simd", "typescript"] as const) {
      const r = on(kernel, () => route(logits, opts));
      if (typeof r === "string") throw new Error(r);
      const bad: string[] = [];
      for (let t = 0; t < T; t++) {
        for (let q = 0; q < E; q++) {
          const x = logits[t * E + r.indices[t * E + q]];
          const want = Math.fround(1 / (1 + Math.exp(-x)));
          if (!Object.is(r.weights[t * E + q], want)) bad.push(`${kernel}: x = ${x}: ${r.weights[t * E + q]} vs ${want}`);
        }
      }
      expect(bad.slice(0, 5)).toEqual([]);
    }
  });

  it("ties: equal logits pick the lowest indices on both kernels", () => {
    const E = 64;
    const flat = new Float32Array(40 * E).fill(0.5);
    for (const opts of [
      { numExperts: E, topK: 5 },
      { numExperts: E, topK: 5, scoring: "sigmoid" as const, numGroups: 8, topkGroup: 2 },
      { numExperts: E, topK: 5, scoring: "sigmoid" as const, numGroups: 8, topkGroup: 2, bias: new Float32Array(E).fill(0.125) },
    ]) {
      for (const kernel of ["wasm-simd", "typescript"] as const) {
        const r = on(kernel, () => route(flat, opts));
        if (typeof r === "string") throw new Error(r);
        for (let t = 0; t < 40; t++) expect(Array.from(r.indices.subarray(t * 5, t * 5 + 5))).toEqual([0, 1, 2, 3, 4]);
      }
    }
    const s = new Float32Array(40 * E).fill(1);
    const r = on("wasm-simd", () => topK(s, 40, E, 3));
    if (typeof r === "string") throw new Error(r);
    expect(Array.from(r.indices.subarray(39 * 3))).toEqual([0, 1, 2]);
  });

  it("bad values keep their named errors on the WebAssembly kernel, wherever they are", () => {
    const E = 40;
    for (const bad of [NaN, Infinity, -Infinity]) {
      const l = new Float32Array(100 * E).map((_, i) => Math.sin(i));
      l[77 * E + 37] = bad; // in the scalar tail after the 16- and 4-wide blocks
      l[78 * E + 1] = NaN;
      for (const opts of [{ numExperts: E, topK: 2, scoring: "sigmoid" as const, numGroups: 4, topkGroup: 2 }, { numExperts: E, topK: 2 }]) {
        expect(on("wasm-simd", () => route(l, opts))).toBe(`RangeError: logits must be finite: token 77, expert 37 is ${bad}`);
      }
    }
    const s = new Float32Array(100 * E).fill(1);
    s[50 * E + 3] = NaN;
    s[50 * E + 30] = NaN;
    expect(on("wasm-simd", () => topK(s, 100, E, 4))).toBe("RangeError: scores must not contain NaN: token 50, expert 3 is NaN");
  });
});
