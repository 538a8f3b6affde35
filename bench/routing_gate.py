"""PyTorch gate for bench/routing-torch.ts: DeepSeek-V3's router and plain softmax top-k routing,
written from the formulas in src/routing/route.ts's doc comment, timed on one thread.

usage: python3 routing_gate.py LOGITS.f32 BIAS.f32 TOKENS EXPERTS RUNS OUT_PREFIX
Reads raw little-endian float32 arrays, prints one JSON line with median wall and CPU milliseconds, and writes
the chosen expert ids ([tokens][8], int32) to OUT_PREFIX.dsv3.i32 and OUT_PREFIX.softmax.i32.
"""
import json
import sys
import time

import numpy as np
import torch


def dsv3_gate(logits, bias, groups=8, topk_groups=4, k=8, scale=2.5):
    scores = logits.sigmoid()                      # 1. sigmoid scores
    sel = scores + bias                            # 2. bias steers the selection only
    t = sel.shape[0]
    grouped = sel.view(t, groups, -1)              # 3. groups scored by their top-2 sum
    group_scores = grouped.topk(2, dim=-1)[0].sum(dim=-1)
    keep = group_scores.topk(topk_groups, dim=-1)[1]
    mask = torch.ones(t, groups, dtype=torch.bool).scatter_(1, keep, False)
    sel = grouped.masked_fill(mask.unsqueeze(-1), float("-inf")).flatten(1)
    idx = sel.topk(k, dim=-1)[1]                   # 4. top-k of the masked selection scores
    w = scores.gather(1, idx)                      #    weights from the unbiased scores
    w = w / w.sum(dim=-1, keepdim=True) * scale    # 5. renormalise, then scale
    return idx, w


def softmax_gate(logits, k=8):
    scores = logits.softmax(dim=-1, dtype=torch.float32)
    w, idx = scores.topk(k, dim=-1)
    return idx, w / w.sum(dim=-1, keepdim=True)


def median(xs):
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def median_ms(fn, runs):
    """(wall, process CPU) medians in milliseconds."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return median(wall), median(cpu)


def main():
    logits_path, bias_path, tokens, experts, runs, out = sys.argv[1:7]
    tokens, experts, runs = int(tokens), int(experts), int(runs)
    torch.set_num_threads(1)
    logits = torch.from_numpy(np.fromfile(logits_path, dtype="<f4").reshape(tokens, experts))
    bias = torch.from_numpy(np.fromfile(bias_path, dtype="<f4"))
    with torch.no_grad():
        dsv3 = median_ms(lambda: dsv3_gate(logits, bias), runs)
        soft = median_ms(lambda: softmax_gate(logits), runs)
        dsv3_idx = dsv3_gate(logits, bias)[0].to(torch.int32).numpy()
        soft_idx = softmax_gate(logits)[0].to(torch.int32).numpy()
    dsv3_idx.astype("<i4").tofile(out + ".dsv3.i32")
    soft_idx.astype("<i4").tofile(out + ".softmax.i32")
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "dsv3Ms": dsv3[0], "dsv3CpuMs": dsv3[1], "softmaxMs": soft[0], "softmaxCpuMs": soft[1]}))


if __name__ == "__main__":
    main()
