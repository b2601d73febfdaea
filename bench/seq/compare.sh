#!/usr/bin/env bash
# bench/seq/compare.sh: sequence ops beside PyTorch, in one run. Run it through
# `bench/compare seq` (which builds bench_seq and sets NAS_BENCH_BIN), or
# directly as `bench/seq/compare.sh [BUILD_DIR]` (builds bench_seq there).
# Each of NAS_BENCH_ROUNDS (default 3) interleaved rounds runs bench_seq and
# the PyTorch peer (Debian python3-torch, 2 threads, jemalloc page-retaining,
# OMP_WAIT_POLICY=passive: its best setting, ../shared/bench/anchors.md sec. 4);
# each keeps its best round's median per case. Prints a table, then one line:
#   seq: geomean_vs_pytorch=.. worst_vs_pytorch=.. tiled_mem_ratio_n2048=..
# (time ratios are ours / PyTorch's; tiled_mem_ratio = tiled / plain peak
# extra bytes of attention forward + backward at n = 2048, d_model 256, 8 heads).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${NAS_ROOT:-$(cd "$here/../.." && pwd)}"
. "$root/bench/common/interleaved_rounds.sh"
run_interleaved_rounds seq bench_seq "$here/torch_seq.py" "${1:-}"
python3 - "$ours" "$peer" "$rounds" <<'PY'
import math, sys

def best(path):
    out = {}
    for line in open(path):
        if line.strip():
            k, v = line.split()
            out[k] = min(out.get(k, float("inf")), float(v))
    return out

ours, peer, rounds = best(sys.argv[1]), best(sys.argv[2]), sys.argv[3]

# FLOP per case (anchors.md section 4 formulas; fwd+bwd = 3x fwd).
def flop(name):
    base = name.rsplit("_", 1)[0]
    mult = 3 if name.endswith("fwdbwd") else 1
    if base.startswith("attention"):
        s = int(base.rsplit("_s", 1)[1])
        return mult * (8 * 8 * s * 256**2 + 4 * 8 * s * s * 256)
    if base in ("lstm", "gru"):
        return mult * 100 * 32 * 2 * (4 if base == "lstm" else 3) * 256 * 512
    return None

print(f"bench_seq vs PyTorch (best of {rounds} rounds, median ms each; 2 threads)")
print(f"| {'op':<28} | {'ours ms':>8} | {'torch ms':>8} | {'ratio':>5} | {'ours GFLOP/s':>12} |")
print(f"|{'-'*30}|{'-'*10}|{'-'*10}|{'-'*7}|{'-'*14}|")
ratios = []
for name, v in ours.items():
    if name.startswith("mem_"):
        continue
    t = peer.get(name.replace("attention_tiled_", "attention_"))
    if t is None:
        continue
    r = v / t
    ratios.append(r)
    f = flop(name)
    gf = f"{f / v / 1e6:.1f}" if f else "-"
    print(f"| {name:<28} | {v:>8.3f} | {t:>8.3f} | {r:>5.2f} | {gf:>12} |")
plain, tiled = ours["mem_plain_n2048_bytes"], ours["mem_tiled_n2048_bytes"]
print(f"attention fwd+bwd peak extra bytes, n=2048 d=256 h=8: plain {plain:.0f}, tiled {tiled:.0f}")
geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
print(f"seq: geomean_vs_pytorch={geo:.2f} worst_vs_pytorch={max(ratios):.2f} "
      f"tiled_mem_ratio_n2048={tiled / plain:.4f}")
PY
