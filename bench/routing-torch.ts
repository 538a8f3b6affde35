/**
 * Optional comparison with PyTorch (`npm run bench:torch`): times `route` and an equivalent PyTorch
 * gate (`bench/routing_gate.py`, written from the formulas in src/routing/route.ts, one thread) on
 * the same seeded 65,536 × 256 logits, handed over as raw float32 files, and prints the ratios and
 * how many tokens got the same experts. Without an importable `torch` (Debian's python3-torch for
 * /usr/bin/python3, or $PYTHON) it prints that it was skipped and exits 0.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { route, type RouterOptions } from "../src/routing";
import { median } from "../src/util/stats";
import { EXPERTS, K, SOFTMAX_OPTIONS, TOKENS, dsv3Bias, dsv3Options, normalLogits } from "./routing-data";

const RUNS = 7;

/** Median wall and process CPU time of `fn` in milliseconds (after one warm-up call). */
function medianMs(fn: () => unknown, runs: number): { wall: number; cpu: number } {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** Tokens whose k picks (in order) are identical in both. */
function sameTokens(a: Int32Array, b: Int32Array, k: number): number {
  let same = 0;
  for (let t = 0; t < a.length / k; t++) {
    let ok = true;
    for (let x = 0; x < k; x++) if (a[t * k + x] !== b[t * k + x]) ok = false;
    if (ok) same++;
  }
  return same;
}

function main(): number {
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  const probe = spawnSync(python, ["-c", "import torch, numpy"], { encoding: "utf8" });
  if (probe.status !== 0) {
    console.log(`routing-torch: skipped (${python} cannot import torch and numpy${probe.error ? `: ${probe.error.message}` : ""})`);
    return 0;
  }
  const logits = normalLogits(TOKENS, EXPERTS, 1);
  const bias = dsv3Bias(EXPERTS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-torch-"));
  try {
    const lp = path.join(dir, "logits.f32");
    const bp = path.join(dir, "bias.f32");
    fs.writeFileSync(lp, Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength));
    fs.writeFileSync(bp, Buffer.from(bias.buffer, bias.byteOffset, bias.byteLength));
    const gate = path.join(__dirname, "routing_gate.py");
    const out = path.join(dir, "picks");
    const r = spawnSync(python, [gate, lp, bp, String(TOKENS), String(EXPERTS), String(RUNS), out], { encoding: "utf8" });
    if (r.status !== 0) {
      console.log(`routing-torch: the PyTorch gate failed (exit ${r.status}):\n${r.stderr}`);
      return 1;
    }
    const torchRes = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      torch: string; threads: number; dsv3Ms: number; dsv3CpuMs: number; softmaxMs: number; softmaxCpuMs: number;
    };
    const rows: [string, RouterOptions, { wall: number; cpu: number }, string][] = [
      ["DeepSeek-V3 router (sigmoid, bias, 8 groups keep 4, top-8, ×2.5)", dsv3Options(bias), { wall: torchRes.dsv3Ms, cpu: torchRes.dsv3CpuMs }, "dsv3"],
      ["softmax top-8 routing", SOFTMAX_OPTIONS, { wall: torchRes.softmaxMs, cpu: torchRes.softmaxCpuMs }, "softmax"],
    ];
    console.log(`PyTorch ${torchRes.torch}, ${torchRes.threads} thread; ${TOKENS} tokens × ${EXPERTS} experts, medians of ${RUNS} runs`);
    for (const [label, opts, torchMs, tag] of rows) {
      const ours = medianMs(() => route(logits, opts), RUNS);
      const mine = route(logits, opts).indices;
      const theirs = new Int32Array(new Uint8Array(fs.readFileSync(`${out}.${tag}.i32`)).buffer);
      const same = sameTokens(mine, theirs, K);
      console.log(
        `${label}: wall ep-lab ${ours.wall.toFixed(1)} ms, PyTorch ${torchMs.wall.toFixed(1)} ms → ${(torchMs.wall / ours.wall).toFixed(2)}×; ` +
          `CPU ep-lab ${ours.cpu.toFixed(1)} ms, PyTorch ${torchMs.cpu.toFixed(1)} ms → ${(torchMs.cpu / ours.cpu).toFixed(2)}× faster than PyTorch; ` +
          `same experts for ${same} of ${TOKENS} tokens`,
      );
    }
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
