"""PyTorch peer for bench_seq: same shapes, same 'name ms' lines.

Run by compare.sh with /usr/bin/python3 (Debian python3-torch), 2 threads,
jemalloc page-retaining and OMP_WAIT_POLICY=passive (anchors.md section 4).
"""
import sys
import time

import torch

torch.set_num_threads(2)
torch.manual_seed(0)


def median_ms(fn, reps):
    for _ in range(2):
        fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
    t.sort()
    return t[len(t) // 2]


def run(name, module, x, reps, call=None):
    call = call or (lambda m, v: m(v))
    out0 = call(module, x)
    dy = torch.randn_like(out0)

    def fwd():
        with torch.no_grad():
            call(module, x)

    def fwdbwd():
        xg = x.detach().requires_grad_(True)
        y = call(module, xg)
        torch.autograd.backward(y, dy)

    print(f"{name}_fwd {median_ms(fwd, reps):.4f}", flush=True)
    print(f"{name}_fwdbwd {median_ms(fwdbwd, reps):.4f}", flush=True)


only = sys.argv[1] if len(sys.argv) > 1 else ""
for s in (128, 512):
    if only in ("", "attention"):
        mha = torch.nn.MultiheadAttention(256, 8, batch_first=True)
        x = torch.randn(8, s, 256)
        run(f"attention_s{s}", mha, x, 15 if s == 128 else 7,
            lambda m, v: m(v, v, v, need_weights=False)[0])
for kind in ("lstm", "gru"):
    if only in ("", kind):
        cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
        m = cls(256, 256, batch_first=True)
        run(kind, m, torch.randn(32, 100, 256), 7, lambda mod, v: mod(v)[0])
if only in ("", "layer_norm"):
    run("layer_norm", torch.nn.LayerNorm(768), torch.randn(32, 512, 768), 15)
