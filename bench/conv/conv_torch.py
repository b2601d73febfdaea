"""The PyTorch peer of the conv suite: F.conv2d in channels_last (NHWC, the
layout PyTorch is fastest in for depthwise), forward under no_grad, or
forward + autograd.grad w.r.t. input and weight (fwdbwd). No bias, padding
R/2. Timing as bench/common/bench_timing.h: warm-up, then the median of 7
samples of at least 10 ms each. Prints "CASE ms" lines like bench_conv_nas.
Run by compare.sh under each of PyTorch's run-time settings (allocator,
OpenMP wait policy); it keeps the best.
usage: conv_torch.py [--threads T] NAME:N:H:W:C:K:R:S:G:MODE ...
"""
import sys
import time

import torch
import torch.nn.functional as F


def median_ms(fn, samples=7, min_sample_s=0.010, warmup_s=0.10):
    end = time.perf_counter() + warmup_s
    calls = 0
    t0 = time.perf_counter()
    while time.perf_counter() < end or calls < 2:
        fn()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    iters = max(1, int(min_sample_s / max(per_call, 1e-9)))
    ms = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        ms.append((time.perf_counter() - start) * 1e3 / iters)
    ms.sort()
    return ms[len(ms) // 2]


def main(argv):
    threads = 2
    cases = []
    i = 0
    while i < len(argv):
        if argv[i] == "--threads":
            threads = int(argv[i + 1])
            i += 2
            continue
        cases.append(argv[i])
        i += 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    for spec in cases:
        name, n, h, w, c, k, r, s, g, mode = spec.split(":")
        n, h, w, c, k, r, s, g = map(int, (n, h, w, c, k, r, s, g))
        x = torch.randn(n, c, h, w).to(memory_format=torch.channels_last)
        wt = torch.randn(k, c // g, r, r).to(memory_format=torch.channels_last)
        pad = r // 2
        if mode == "fwd":
            def run():
                with torch.no_grad():
                    F.conv2d(x, wt, None, s, pad, 1, g)
        else:
            x.requires_grad_(True)
            wt.requires_grad_(True)
            oh = (h + 2 * pad - r) // s + 1
            ow = (w + 2 * pad - r) // s + 1
            gy = torch.randn(n, k, oh, ow).to(memory_format=torch.channels_last)

            def run():
                y = F.conv2d(x, wt, None, s, pad, 1, g)
                torch.autograd.grad(y, (x, wt), gy)
        ms = median_ms(run)
        print(f"{name}:{n}:{mode} {ms:.4f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
