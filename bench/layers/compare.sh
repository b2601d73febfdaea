#!/usr/bin/env bash
# bench/layers/compare.sh: memory-bound layer ops beside PyTorch (channels_last)
# in one run. Run it through `bench/compare layers` (which builds bench_layers
# and sets NAS_BENCH_BIN), or directly as `bench/layers/compare.sh [BUILD_DIR]`.
# Each of NAS_BENCH_ROUNDS (default 3) interleaved rounds runs bench_layers and
# the PyTorch peer (Debian python3-torch, 2 threads, jemalloc page-retaining,
# OMP_WAIT_POLICY=passive: its best setting, ../shared/bench/anchors.md); each
# keeps its best round's median per case. Prints a table, then one line:
#   layers: geomean_vs_pytorch=.. worst_vs_pytorch=..   (time ratios, ours / PyTorch's)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${NAS_ROOT:-$(cd "$here/../.." && pwd)}"
. "$root/bench/common/interleaved_rounds.sh"
run_interleaved_rounds layers bench_layers "$here/torch_layers.py" "${1:-}"
python3 - "$ours" "$peer" "$rounds" <<'PY'
import math, sys

def best(path, pick):
    out = {}
    for line in open(path):
        if line.strip():
            k, v = line.split()
            out[k] = pick(out.get(k), float(v))
    return out

low = lambda a, b: b if a is None else min(a, b)
high = lambda a, b: b if a is None else max(a, b)
ours = best(sys.argv[1], low)
gbps = best(sys.argv[1], high)
peer = best(sys.argv[2], low)
print(f"bench_layers vs PyTorch channels_last (best of {sys.argv[3]} rounds, median ms; 2 threads)")
print(f"| {'op':<32} | {'ours ms':>8} | {'torch ms':>8} | {'ratio':>5} | {'fwd GB/s':>8} |")
print(f"|{'-'*34}|{'-'*10}|{'-'*10}|{'-'*7}|{'-'*10}|")
ratios = []
for name, v in ours.items():
    if name.endswith("_gbps") or name not in peer:
        continue
    r = v / peer[name]
    ratios.append(r)
    g = gbps.get(name.rsplit("_", 1)[0] + "_gbps") if name.endswith("_fwd") else None
    gs = f"{g:.1f}" if g is not None else ""
    print(f"| {name:<32} | {v:>8.3f} | {peer[name]:>8.3f} | {r:>5.2f} | {gs:>8} |")
geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
print("(fwd GB/s: io_cost bytes / forward time; 2-thread triad on this VM: 33-51 GB/s)")
print(f"layers: geomean_vs_pytorch={geo:.2f} worst_vs_pytorch={max(ratios):.2f}")
PY
