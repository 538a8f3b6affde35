/**
 * How fast a learner gets a working kernel, measured with the headless runner (src/runner), in one run:
 *
 * - kernel start + Lab 3.1's two setup cells, importing the library's build (`./ep-lab/…`, a plain tslab kernel)
 *   vs the live TypeScript sources (`./src/…`, tslab with tsx's loader hook, as the labs did before the build),
 *   sessions interleaved (built, live, built, live, …) so machine noise hits both alike;
 * - where the setup time goes: kernel start, a trivial cell (tslab's per-cell compile), danfo alone (plain import and
 *   through `loadDanfo`, as Lab 3.1 §2 loads it), the library alone, TensorFlow.js's backend;
 * - the whole of Lab 3.1 headless, and the Python reference notebook (bench/fixtures/python-lab-reference.ipynb,
 *   5 code cells) through Debian's `jupyter nbconvert --execute` with the python3 kernel, when ipykernel is
 *   importable by /usr/bin/python3 (else that case reports why it is skipped).
 *
 * Each case's `run` returns `{ timedMs }` (see src/util/bench.ts): the times were measured in `setup`, interleaved.
 * Rounds: `EP_LAB_BENCH_ROUNDS` (default 3).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { BenchCase } from "../src/util/bench";
import { ensureLibraryBuilt, liveSourceNodeArgs } from "../src/jupyter";
import { Kernel, readNotebook, runNotebook } from "../src/runner";

const ROOT = path.resolve(__dirname, "..");
const LAB = path.join(ROOT, "notebooks", "lab3.1-expert-parallelism-foundations.ipynb");
const PY_LAB = path.join(ROOT, "bench", "fixtures", "python-lab-reference.ipynb");
const NBCONVERT = "/usr/bin/jupyter-nbconvert";
const ROUNDS = Number(process.env.EP_LAB_BENCH_ROUNDS ?? 3);

interface Session {
  startMs: number;
  cellMs: number[];
}

interface Measured {
  built: Session[];
  live: Session[];
  /** Why the live-source sessions failed (then `live` stays empty and the other cases still report). */
  liveError?: string;
  parts: { name: string; ms: number[] }[];
  lab: { totalMs: number; startMs: number; cells: { firstLine: string; durationMs: number }[] }[];
  python: number[] | string;
}

function cellText(id: string): string {
  const nb = readNotebook(LAB);
  const c = nb.cells.find((x) => (x as { id?: string }).id === id);
  if (!c) throw new Error(`Lab 3.1 has no cell with id ${id}`);
  return Array.isArray(c.source) ? c.source.join("") : c.source;
}

async function session(cwd: string, cells: string[], nodeArgs?: string[]): Promise<Session> {
  const t0 = performance.now();
  const k = await Kernel.start({ cwd, ...(nodeArgs ? { nodeArgs } : {}) });
  const startMs = performance.now() - t0;
  const cellMs: number[] = [];
  try {
    for (const code of cells) {
      const said: string[] = [];
      const onIopub = (m: { header: { msg_type: string }; content: unknown }) => {
        const c = m.content as { name?: string; text?: string; ename?: string; evalue?: string };
        if (m.header.msg_type === "stream" && c.name === "stderr" && c.text) said.push(c.text.trim());
        if (m.header.msg_type === "error") said.push(`${c.ename}: ${c.evalue}`);
      };
      const r = await k.execute(code, { timeoutMs: 120_000, onIopub });
      if (r.status !== "ok") throw new Error(`bench cell failed (${r.status}) in ${cwd}: ${said.slice(0, 2).join(" | ")}\n${code}\n${k.log()}`);
      cellMs.push(r.durationMs);
    }
  } finally {
    await k.shutdown();
  }
  return { startMs, cellMs };
}

function ipykernelAvailable(): string | null {
  if (!fs.existsSync(NBCONVERT)) return `${NBCONVERT} is missing (Debian: apt-get install jupyter-nbconvert)`;
  const r = spawnSync("/usr/bin/python3", ["-c", "import ipykernel"], { encoding: "utf8" });
  return r.status === 0 ? null : "ipykernel is not importable by /usr/bin/python3 (Debian: apt-get install python3-ipykernel)";
}

function nbconvert(nb: string, outDir: string): number {
  const t0 = performance.now();
  const r = spawnSync(NBCONVERT, ["--to", "notebook", "--execute", nb, "--output-dir", outDir], { encoding: "utf8", env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`nbconvert failed on ${nb}:\n${r.stderr}`);
  return ms;
}

let measured: Promise<Measured> | null = null;

/** Run every session once per round, interleaved; cached so all cases share one measurement. */
function measure(): Promise<Measured> {
  measured ??= (async () => {
    ensureLibraryBuilt(ROOT, { log: () => {} });
    const setupCells = [cellText("setup-status"), cellText("setup")];
    // The live-source variant: the same cells importing ./src/… from a folder with a src link, run under tsx's hook.
    const liveDir = path.join(ROOT, "build", "bench-live-source");
    fs.rmSync(liveDir, { recursive: true, force: true });
    fs.mkdirSync(liveDir, { recursive: true });
    fs.symlinkSync(path.join("..", "..", "src"), path.join(liveDir, "src"));
    const liveCells = setupCells.map((c) => c.replace(/from "\.\/ep-lab\//g, 'from "./src/'));
    const nbDir = path.join(ROOT, "notebooks");
    const partCells: [string, string][] = [
      ["trivial cell (tslab compile of one line)", "const one = 1 + 1;"],
      ["danfojs-node alone, plain import", 'import * as dfd from "danfojs-node";\nconst dfReady = typeof dfd.DataFrame;'],
      ["danfojs-node through loadDanfo (Lab 3.1 §2)", 'import { loadDanfo } from "./ep-lab/notebook/danfo";\nconst dfd = loadDanfo();\nconst dfReady = typeof dfd.DataFrame;'],
      ["library alone (./ep-lab/notebook, routing, eplb, lab)", 'import { show, table, md, progress } from "./ep-lab/notebook";\nimport { route } from "./ep-lab/routing";\nimport { rebalanceExperts } from "./ep-lab/eplb";\nimport * as lab from "./ep-lab/lab";\nconst libReady = typeof lab;'],
      ["TensorFlow.js backend (loadBackend)", 'import { loadBackend } from "./ep-lab/tensor";\nconst be = await loadBackend();'],
    ];
    const pyWhy = ipykernelAvailable();
    const out: Measured = { built: [], live: [], parts: partCells.map(([name]) => ({ name, ms: [] })), lab: [], python: pyWhy ?? [] };
    const pyOut = path.join(ROOT, "build", "bench-python");
    for (let round = 0; round < ROUNDS; round++) {
      out.built.push(await session(nbDir, setupCells));
      if (out.liveError === undefined) {
        try {
          out.live.push(await session(liveDir, liveCells, liveSourceNodeArgs(ROOT)));
        } catch (e) {
          out.liveError = (e as Error).message.split("\n")[0];
        }
      }
      // Each part in a fresh kernel after a trivial first cell, so it is measured cold like in the lab.
      for (let i = 0; i < partCells.length; i++) {
        const s = await session(nbDir, i === 0 ? [partCells[0][1]] : [partCells[0][1], partCells[i][1]]);
        out.parts[i].ms.push(s.cellMs[s.cellMs.length - 1]);
      }
      const r = await runNotebook(LAB, { outDir: null });
      if (!r.ok) throw new Error(`Lab 3.1 failed headless: ${r.failure?.message}`);
      const cellSum = r.cells.reduce((a, c) => a + c.durationMs, 0);
      out.lab.push({ totalMs: r.durationMs, startMs: r.durationMs - cellSum, cells: r.cells.map((c) => ({ firstLine: c.firstLine, durationMs: c.durationMs })) });
      if (Array.isArray(out.python)) out.python.push(nbconvert(PY_LAB, pyOut));
    }
    return out;
  })();
  return measured;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A case that replays the i-th interleaved measurement of `pick`. */
function replay(name: string, pick: (m: Measured) => number[], extra: Partial<BenchCase> = {}): BenchCase {
  return {
    name,
    runs: ROUNDS,
    warmup: 0,
    setup: async () => ({ m: await measure(), i: 0 }),
    run: (ctx: { m: Measured; i: number }) => ({ timedMs: pick(ctx.m)[ctx.i++] }),
    ...extra,
  };
}

/** The live-source sessions, or an error naming why they failed (tslab type-checks `src/` itself there). */
function liveOf(m: Measured): Session[] {
  if (m.liveError !== undefined) throw new Error(`the live-source kernel failed: ${m.liveError}`);
  return m.live;
}

export const cases: BenchCase[] = [
  replay("kernel/start-plain-tslab", (m) => m.built.map((s) => s.startMs)),
  replay("kernel/setup-cells-built", (m) => m.built.map((s) => sum(s.cellMs)), { targetMs: 1500 }),
  replay("kernel/setup-cells-live-source", (m) => liveOf(m).map((s) => sum(s.cellMs)), {
    report: async () => {
      const m = await measure();
      if (m.liveError !== undefined) return `live sources: ${m.liveError}`;
      const b = median(m.built.map((s) => sum(s.cellMs)));
      const l = median(m.live.map((s) => sum(s.cellMs)));
      const bs = median(m.built.map((s) => s.startMs + sum(s.cellMs)));
      const ls = median(m.live.map((s) => s.startMs + sum(s.cellMs)));
      return [
        `two setup cells: built ${sec(b)} vs live sources ${sec(l)} → ${(l / b).toFixed(2)}× faster with the build`,
        `kernel start + setup cells: built ${sec(bs)} vs live ${sec(ls)} (live kernel start ${sec(median(m.live.map((s) => s.startMs)))})`,
        `setup cell 1 / cell 2 (built): ${sec(median(m.built.map((s) => s.cellMs[0])))} / ${sec(median(m.built.map((s) => s.cellMs[1])))}`,
      ].join("\n");
    },
  }),
  replay("kernel/start+setup-built", (m) => m.built.map((s) => s.startMs + sum(s.cellMs))),
  replay("kernel/start+setup-live-source", (m) => liveOf(m).map((s) => s.startMs + sum(s.cellMs))),
  replay("kernel/part-trivial-cell", (m) => m.parts[0].ms),
  replay("kernel/part-danfo-import", (m) => m.parts[1].ms),
  replay("kernel/part-danfo-loadDanfo", (m) => m.parts[2].ms),
  replay("kernel/part-library-import", (m) => m.parts[3].ms),
  replay("kernel/part-tfjs-backend", (m) => m.parts[4].ms, {
    report: async () => {
      const m = await measure();
      return m.parts.map((p) => `${p.name}: ${sec(median(p.ms))} (fresh kernel, after one trivial cell)`).join("\n");
    },
  }),
  replay("kernel/lab3.1-headless", (m) => m.lab.map((l) => l.totalMs), {
    report: async () => {
      const m = await measure();
      const last = m.lab[m.lab.length - 1];
      const cells = last.cells;
      const setup = cells[0].durationMs + cells[1].durationMs;
      const rest = cells.slice(2);
      const perCell = median(rest.map((c) => c.durationMs));
      const slow = [...rest].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
      const trivial = median(m.parts[0].ms);
      const restMs = sum(rest.map((c) => c.durationMs));
      const slowMs = sum(slow.map((c) => c.durationMs));
      const others = rest.filter((c) => !slow.includes(c));
      const lines = [
        `Lab 3.1 (${cells.length} code cells): ${sec(median(m.lab.map((l) => l.totalMs)))} median; last run: kernel start ${sec(last.startMs)}, setup cells ${sec(setup)}, ` +
          `other ${rest.length} cells ${sec(restMs)} (median ${perCell.toFixed(0)} ms per cell)`,
        `slowest cells: ${slow.map((c) => `${c.firstLine.slice(0, 40)} ${sec(c.durationMs)}`).join("; ")}`,
        `where the other cells' time goes (last run): the ${slow.length} slowest ${sec(slowMs)}; the remaining ${others.length} ${sec(restMs - slowMs)} ` +
          `(median ${median(others.map((c) => c.durationMs)).toFixed(0)} ms each, mostly tslab type-checking each cell against the whole program: ` +
          `a one-line cell costs ${trivial.toFixed(0)} ms in a fresh kernel)`,
      ];
      if (Array.isArray(m.python)) {
        const py = median(m.python);
        // Each round runs Lab 3.1 and then the Python notebook back to back, so a round's own ratio is the least
        // affected by this machine's drifting speed; the verdict goes by their median (the ratio of the two medians,
        // taken over minutes, is printed too).
        const pyRuns = m.python;
        const paired = median(m.lab.map((l, i) => l.totalMs / pyRuns[i]));
        lines.push(
          `Python reference (5 code cells, nbconvert + python3 kernel): ${sec(py)} → Lab 3.1 headless takes ${(median(m.lab.map((l) => l.totalMs)) / py).toFixed(2)}× as long ` +
            `(ratio of medians); per round ${m.lab.map((l, i) => (l.totalMs / pyRuns[i]).toFixed(2)).join(", ")}×, median ${paired.toFixed(2)}× — target ≤ 2×: ${paired <= 2 ? "PASS" : "FAIL"}`,
        );
      } else {
        lines.push(`Python reference skipped: ${m.python}`);
      }
      return lines.join("\n");
    },
  }),
  {
    name: "kernel/python-reference-nbconvert",
    runs: ROUNDS,
    warmup: 0,
    setup: async () => ({ m: await measure(), i: 0 }),
    run: (ctx: { m: Measured; i: number }) => {
      if (!Array.isArray(ctx.m.python)) throw new Error(`skipped: ${ctx.m.python}`);
      return { timedMs: ctx.m.python[ctx.i++] };
    },
  },
];
