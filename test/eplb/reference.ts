/**
 * A second, deliberately slow and obvious EPLB for cross-checking src/eplb on random inputs.
 * Written from the algorithm's description (DeepSeek's eplb.py semantics): plain arrays, linear scans,
 * Array.prototype.sort (stable since ES2019), and the permutation/inverse formulation of the hierarchical
 * policy. No typed arrays, heaps or scratch buffers, so it shares no code paths with the library.
 */
const f = Math.fround;

/** Balanced packing: heaviest first into the lightest non-full pack (first such pack on ties). */
export function refPack(weights: number[], numPacks: number): { pack: number[]; rank: number[] } {
  const n = weights.length;
  const per = n / numPacks;
  if (per === 1) return { pack: weights.map((_, i) => i), rank: weights.map(() => 0) };
  const order = weights.map((_, i) => i).sort((a, b) => weights[b] - weights[a]);
  const packLoad: number[] = Array(numPacks).fill(0);
  const packItems: number[] = Array(numPacks).fill(0);
  const pack: number[] = Array(n).fill(-1);
  const rank: number[] = Array(n).fill(-1);
  for (const i of order) {
    let best = -1;
    for (let p = 0; p < numPacks; p++) {
      if (packItems[p] < per && (best === -1 || packLoad[p] < packLoad[best])) best = p;
    }
    pack[i] = best;
    rank[i] = packItems[best];
    packLoad[best] = f(packLoad[best] + weights[i]);
    packItems[best]++;
  }
  return { pack, rank };
}

/** Replication: each extra slot to the first expert with the largest float32 load/count. */
export function refReplicate(w: number[], numPhy: number): { phy2log: number[]; rank: number[]; cnt: number[] } {
  const n = w.length;
  const phy2log = w.map((_, i) => i);
  const rank: number[] = w.map(() => 0);
  const cnt: number[] = w.map(() => 1);
  for (let i = n; i < numPhy; i++) {
    let best = 0;
    for (let e = 1; e < n; e++) if (f(w[e] / cnt[e]) > f(w[best] / cnt[best])) best = e;
    phy2log.push(best);
    rank.push(cnt[best]);
    cnt[best]++;
  }
  return { phy2log, rank, cnt };
}

function inverse(perm: number[]): number[] {
  const inv: number[] = Array(perm.length).fill(-1);
  perm.forEach((v, i) => (inv[v] = i));
  return inv;
}

function refHierarchical(w: number[], R: number, G: number, N: number, P: number) {
  const E = w.length;
  const gs = E / G;
  const gpn = G / N;
  const perGpu = R / P;
  const epn = E / N;
  const spn = R / N;
  const groupLoads: number[] = [];
  for (let g = 0; g < G; g++) groupLoads.push(w.slice(g * gs, (g + 1) * gs).reduce((a, b) => f(a + b), 0));
  const gp = refPack(groupLoads, N);
  const log2mlog = w.map((_, e) => {
    const g = Math.floor(e / gs);
    return (gp.pack[g] * gpn + gp.rank[g]) * gs + (e % gs);
  });
  const mlog2log = inverse(log2mlog);
  const phy2log: number[] = [];
  const phyRank: number[] = [];
  const mlogcnt: number[] = [];
  for (let n = 0; n < N; n++) {
    const tokens = mlog2log.slice(n * epn, (n + 1) * epn).map((e) => f(w[e]));
    const rep = refReplicate(tokens, spn);
    mlogcnt.push(...rep.cnt);
    const slotTokens = rep.phy2log.map((m) => f(tokens[m] / rep.cnt[m]));
    const sp = refPack(slotTokens, P / N);
    const pphy2phy = inverse(sp.pack.map((p, k) => p * perGpu + sp.rank[k]));
    for (let q = 0; q < spn; q++) {
      const k = pphy2phy[q];
      phy2log.push(mlog2log[n * epn + rep.phy2log[k]]);
      phyRank.push(rep.rank[k]);
    }
  }
  const logcnt = w.map((_, e) => mlogcnt[log2mlog[e]]);
  return { phy2log, phyRank, logcnt };
}

/** The whole EPLB entry point, nested arrays in and out. */
export function refRebalance(weight: number[][], R: number, G: number, N: number, P: number) {
  const layers = weight.map((row) => {
    const w = row.map((x) => f(x));
    return G % N === 0 ? refHierarchical(w, R, G, N, P) : refHierarchical(w, R, 1, 1, P);
  });
  const maxcnt = Math.max(...layers.map((l) => Math.max(...l.logcnt)));
  const log2phy = layers.map((l) => {
    const t = l.logcnt.map(() => Array(maxcnt).fill(-1) as number[]);
    l.phy2log.forEach((e, s) => (t[e][l.phyRank[s]] = s));
    return t;
  });
  return {
    phy2log: layers.map((l) => l.phy2log),
    phyRank: layers.map((l) => l.phyRank),
    logcnt: layers.map((l) => l.logcnt),
    log2phy,
  };
}
