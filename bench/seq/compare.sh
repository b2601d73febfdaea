#!/usr/bin/env bash
# bench/seq/compare.sh [BUILD_DIR]: sequence ops beside PyTorch, in one run.
# Builds bench_seq in BUILD_DIR (default: $NAS_BUILD_DIR or build), runs it and
# the PyTorch peer (Debian python3-torch, 2 threads, jemalloc page-retaining,
# OMP_WAIT_POLICY=passive: its best setting, ../shared/bench/anchors.md sec. 4),
# prints a table, then one summary line:
#   seq: geomean_vs_pytorch=.. worst_vs_pytorch=.. tiled_mem_ratio_n2048=..
# (ratios are our time / PyTorch's; tiled_mem_ratio = tiled / plain peak
# extra bytes of attention fwd+bwd at n = 2048, d_model 256, 8 heads).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-${NAS_BUILD_DIR:-$root/build}}"
ninja -C "$build" -j2 bench_seq >/dev/null
ours="$(mktemp)"; peer="$(mktemp)"
trap 'rm -f "$ours" "$peer"' EXIT
"$build/bench/seq/bench_seq" > "$ours"
jemalloc="$(ldconfig -p | awk '/libjemalloc.so.2/ {p = $NF} END {print p}')"
LD_PRELOAD="${jemalloc}" MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 \
  OMP_WAIT_POLICY=passive /usr/bin/python3 "$here/torch_seq.py" > "$peer"
python3 - "$ours" "$peer" <<'PY'
import math, sys
ours = dict(l.split() for l in open(sys.argv[1]) if l.strip())
peer = dict(l.split() for l in open(sys.argv[2]) if l.strip())
print(f"| {'op':<32} | {'ours ms':>9} | {'torch ms':>9} | {'ratio':>6} |")
print(f"|{'-'*34}|{'-'*11}|{'-'*11}|{'-'*8}|")
ratios = []
for name, v in ours.items():
    if name.startswith("mem_"):
        continue
    key = name.replace("attention_tiled_", "attention_")
    t = peer.get(key)
    if t is None:
        continue
    r = float(v) / float(t)
    ratios.append(r)
    print(f"| {name:<32} | {float(v):>9.3f} | {float(t):>9.3f} | {r:>6.2f} |")
mem = int(ours["mem_tiled_n2048_bytes"]) / int(ours["mem_plain_n2048_bytes"])
print(f"attention fwd+bwd peak extra bytes at n=2048: plain {ours['mem_plain_n2048_bytes']}, "
      f"tiled {ours['mem_tiled_n2048_bytes']}")
geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
print(f"seq: geomean_vs_pytorch={geo:.2f} worst_vs_pytorch={max(ratios):.2f} "
      f"tiled_mem_ratio_n2048={mem:.4f}")
PY
