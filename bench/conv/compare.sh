#!/usr/bin/env bash
# The conv suite (run it through bench/compare conv). For the conv_forward and
# conv_forward_backward cases of shapes.yaml, at 2 threads: our conv2d
# (autotuned), PyTorch's F.conv2d (channels_last; best of its settings
# [jemalloc] and [jemalloc+passive], see shared/bench/anchors.md) and oneDNN's
# convolution_forward (format any, convolution_auto; forward cases only; best of
# default and passive OpenMP waiting).
# Each program reports medians; programs run in NAS_BENCH_ROUNDS interleaved
# rounds (default 2), twice per round (ours twice as is, each peer once per
# run-time setting), and the best is kept for each: the same number of
# chances for every program on a shared machine. Ratios are time ratios, ours / peer: < 1 means we are faster.
# "% of peak" divides by peak_fma's measured 2-thread FP32 peak (fwdbwd counts
# 3x the forward FLOPs).
set -euo pipefail

root=${NAS_ROOT:?run through bench/compare}
bin=${NAS_BENCH_BIN:?run through bench/compare}
rounds=${NAS_BENCH_ROUNDS:-2}
threads=2
py=/usr/bin/python3  # Debian's python3-torch is only seen by Debian's interpreter

shapes=${NAS_SHAPES:-}
if [ -z "$shapes" ]; then
  for f in "$root/../shared/bench/shapes.yaml" "$root/bench/shapes.yaml"; do
    [ -f "$f" ] && { shapes=$f; break; }
  done
fi
[ -n "$shapes" ] && [ -f "$shapes" ] || { echo "error: shapes.yaml not found (set NAS_SHAPES)" >&2; exit 1; }

# NAME:N:H:W:C:K:R:S:G:MODE for every case and batch size.
mapfile -t cases < <("$py" - "$shapes" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for section, mode in (("conv_forward", "fwd"), ("conv_forward_backward", "fwdbwd")):
    for c in doc.get(section) or []:
        ns = c["n"] if isinstance(c["n"], list) else [c["n"]]
        for n in ns:
            print(":".join(str(v) for v in (c["name"], n, c["h"], c["w"], c["c"], c["k"], c["r"], c["s"], c["g"], mode)))
PY
)
[ ${#cases[@]} -gt 0 ] || { echo "error: no conv cases in $shapes" >&2; exit 1; }

load=$(awk '{ print $1 }' /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
  echo "# warning: load average $load before starting: other processes share the cores," \
    "expect noisy figures (raise NAS_BENCH_ROUNDS)" >&2
fi

jemalloc=$(ldconfig -p 2>/dev/null | awk '/libjemalloc.so.2/ && !found { print $NF; found = 1 }' || true)
[ -n "$jemalloc" ] || echo "# note: libjemalloc2 not found: PyTorch runs with glibc malloc only" >&2
have_torch=1
"$py" -c "import torch" 2>/dev/null || { have_torch=0; echo "# python3-torch missing: PyTorch column skipped" >&2; }

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
peak2=0
for ((r = 1; r <= rounds; r++)); do
  p2=$("$bin/common/peak_fma" | awk '/isa=best threads=2/ { sub(/.*gflops=/, ""); print }')
  [ -n "$p2" ] || { echo "error: peak_fma gave no 2-thread figure" >&2; exit 1; }
  peak2=$(awk -v a="$p2" -v b="$peak2" 'BEGIN { print (a > b ? a : b) }')
  # Twice per round, like each peer (two run-time settings each), so every
  # program gets the same number of chances at a quiet moment.
  for _ in 1 2; do
    "$bin/conv/bench_conv_nas" --threads $threads "${cases[@]}" | sed 's/^/nas /' >>"$raw"
  done
  if [ -x "$bin/conv/bench_conv_dnnl" ]; then
    # oneDNN's OpenMP threads spin by default; passive waiting is far better
    # when anything else shares the cores. Best of both, like PyTorch.
    for policy in active passive; do
      env OMP_NUM_THREADS=$threads $([ $policy = passive ] && echo OMP_WAIT_POLICY=passive) \
        "$bin/conv/bench_conv_dnnl" --threads $threads "${cases[@]}" | sed 's/^/dnnl /' >>"$raw"
    done
  elif [ $r -eq 1 ]; then
    echo "# oneDNN peer not built (libdnnl-dev missing at configure time): column skipped" >&2
  fi
  if [ $have_torch = 1 ]; then
    for policy in active passive; do
      env ${jemalloc:+LD_PRELOAD=$jemalloc MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1} \
        OMP_NUM_THREADS=$threads $([ $policy = passive ] && echo OMP_WAIT_POLICY=passive) \
        "$py" "$root/bench/conv/conv_torch.py" --threads $threads "${cases[@]}" |
        sed "s/^/torch /" >>"$raw"
    done
  fi
done

"$py" - "$raw" "$peak2" $threads $rounds "${cases[@]}" <<'PY'
import math, sys
raw, peak, threads, rounds, cases = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
best, algo = {}, {}
for line in open(raw):
    f = line.split()
    prog, key, ms = f[0], f[1], float(f[2])
    if (prog, key) not in best or ms < best[(prog, key)]:
        best[(prog, key)] = ms
        if prog == "nas": algo[key] = f[3].split("=", 1)[1]
print(f"# peak_fma (best of {rounds} rounds): {threads} threads {peak:g} GFLOP/s")
hdr = f"{'case':<17}{'n':>3} {'pass':<7}{'ours_ms':>9} {'algo':<26}{'torch_ms':>9}{'onednn_ms':>10}{'vs_torch':>9}{'vs_onednn':>10}{'GFLOP/s':>8}{'%peak':>6}"
print(hdr)
fwd, fwd_dnnl, dw, fb = [], [], [], []
fmt = lambda v, p="%.3f": (p % v) if v is not None else "-"
for spec in cases:
    name, n, h, w, c, k, r, s, g, mode = spec.split(":")
    n, h, w, c, k, r, s, g = map(int, (n, h, w, c, k, r, s, g))
    key = f"{name}:{n}:{mode}"
    ours, torch, dnnl = best.get(("nas", key)), best.get(("torch", key)), best.get(("dnnl", key))
    oh, ow = (h + 2 * (r // 2) - r) // s + 1, (w + 2 * (r // 2) - r) // s + 1
    flop = 2.0 * n * oh * ow * k * r * r * (c // g) * (3 if mode == "fwdbwd" else 1)
    gf = flop / (ours * 1e6) if ours else None
    vt = ours / torch if ours and torch else None
    vd = ours / dnnl if ours and dnnl else None
    print(f"{name:<17}{n:>3} {mode:<7}{fmt(ours):>9} {algo.get(key, '-'):<26}{fmt(torch):>9}{fmt(dnnl):>10}"
          f"{fmt(vt, '%.2f'):>9}{fmt(vd, '%.2f'):>10}{fmt(gf, '%.1f'):>8}{fmt(gf and 100 * gf / peak, '%.1f'):>6}")
    if mode == "fwd":
        if vt: fwd.append(vt)
        if vd: fwd_dnnl.append(vd)
        if vt and g == c and g > 1: dw.append(vt)
    elif vt:
        fb.append(vt)
gm = lambda v: "%.2f" % math.exp(sum(map(math.log, v)) / len(v)) if v else "skipped"
print(f"(vs_X = our time / X's time: < 1 means we are faster; {threads} threads; best of {rounds} rounds of medians;")
print(f" algo = autotuned algorithm per pass: fwd[,bwd_data,bwd_weights]; torch = best of [jemalloc], [jemalloc+passive])")
print(f"conv: geomean_vs_pytorch={gm(fwd)} geomean_vs_onednn={gm(fwd_dnnl)} depthwise_vs_pytorch={gm(dw)} fwdbwd_vs_pytorch={gm(fb)}")
PY
