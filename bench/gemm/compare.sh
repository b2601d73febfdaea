#!/usr/bin/env bash
# The sgemm suite (run it through bench/compare gemm). For every sgemm case of
# shapes.yaml, at 2 threads (NAS_BENCH_THREADS=1 for one): our sgemm, oneDNN's dnnl_sgemm and OpenBLAS's
# cblas_sgemm, each a separate program timing the same row-major C = A*B.
# Each program reports the median of 11 timed samples after a warm-up; the
# programs are run in NAS_BENCH_ROUNDS rounds (default 3), interleaved case by
# case, and the best round's median is kept for each, the same rule for every
# peer, so a round disturbed by other processes on a shared machine is dropped.
# "% of peak" divides by peak_fma's measured FP32 peak at the same thread count.
set -euo pipefail

root=${NAS_ROOT:?run through bench/compare}
bin=${NAS_BENCH_BIN:?run through bench/compare}
rounds=${NAS_BENCH_ROUNDS:-3}
threads=${NAS_BENCH_THREADS:-2}  # 1 or 2 (peak_fma measures both)

shapes=${NAS_SHAPES:-}
if [ -z "$shapes" ]; then
  for f in "$root/../shared/bench/shapes.yaml" "$root/bench/shapes.yaml"; do
    [ -f "$f" ] && { shapes=$f; break; }
  done
fi
[ -n "$shapes" ] && [ -f "$shapes" ] || { echo "error: shapes.yaml not found (set NAS_SHAPES)" >&2; exit 1; }

# The sgemm: section's "- {m: M, n: N, k: K}" lines, as MxNxK.
mapfile -t cases < <(awk '
  /^[A-Za-z_]+:/ { in_sgemm = ($1 == "sgemm:") ; next }
  in_sgemm && /^[[:space:]]*-[[:space:]]*\{/ {
    line = $0; m = n = k = ""
    if (match(line, /m:[[:space:]]*[0-9]+/)) { s = substr(line, RSTART, RLENGTH); sub(/m:[[:space:]]*/, "", s); m = s }
    if (match(line, /n:[[:space:]]*[0-9]+/)) { s = substr(line, RSTART, RLENGTH); sub(/n:[[:space:]]*/, "", s); n = s }
    if (match(line, /k:[[:space:]]*[0-9]+/)) { s = substr(line, RSTART, RLENGTH); sub(/k:[[:space:]]*/, "", s); k = s }
    if (m != "" && n != "" && k != "") print m "x" n "x" k
  }' "$shapes")
[ ${#cases[@]} -gt 0 ] || { echo "error: no sgemm cases in $shapes" >&2; exit 1; }

load=$(awk '{ print $1 }' /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
  echo "# warning: load average $load before starting: other processes share the cores," \
    "expect noisy figures (raise NAS_BENCH_ROUNDS)" >&2
fi

programs=(nas dnnl openblas)
declare -A best
for prog in "${programs[@]}"; do
  exe="$bin/gemm/bench_gemm_$prog"
  if [ ! -x "$exe" ]; then
    echo "# $prog: $exe not built (library missing at configure time): column skipped" >&2
  fi
done
peak1=0
peak2=0
for ((r = 1; r <= rounds; r++)); do
  # The peak is measured in every round too, and its best kept, like the timings.
  peak_out=$("$bin/common/peak_fma")
  p1=$(echo "$peak_out" | awk '/isa=best threads=1/ { sub(/.*gflops=/, ""); print }')
  p2=$(echo "$peak_out" | awk '/isa=best threads=2/ { sub(/.*gflops=/, ""); print }')
  [ -n "$p2" ] || { echo "error: peak_fma gave no 2-thread figure" >&2; exit 1; }
  peak1=$(awk -v a="$p1" -v b="$peak1" 'BEGIN { print (a > b ? a : b) }')
  peak2=$(awk -v a="$p2" -v b="$peak2" 'BEGIN { print (a > b ? a : b) }')
  # Case by case, the three programs back to back, so that each case's
  # figures are taken under the same machine conditions.
  for c in "${cases[@]}"; do
    for prog in "${programs[@]}"; do
      exe="$bin/gemm/bench_gemm_$prog"
      [ -x "$exe" ] || continue
      ms=$(OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads "$exe" --threads $threads "$c" 2>/dev/null |
        awk '{ print $2 }')
      [ -n "$ms" ] || continue
      key="$prog|$c"
      if [ -z "${best[$key]:-}" ] || awk -v a="$ms" -v b="${best[$key]}" 'BEGIN { exit !(a < b) }'; then
        best[$key]=$ms
      fi
    done
  done
done
echo "# peak_fma (best of $rounds rounds): 1 thread ${peak1} GFLOP/s, 2 threads ${peak2} GFLOP/s"
peak=$([ "$threads" = 1 ] && echo "$peak1" || echo "$peak2")
printf '\n%-16s %10s %10s %11s %9s %9s %9s %7s\n' "MxNxK" "ours_ms" "onednn_ms" "openblas_ms" "vs_onednn" "vs_oblas" "GFLOP/s" "%peak"
for c in "${cases[@]}"; do
  ours=${best[nas|$c]:-}
  dnnl=${best[dnnl|$c]:-}
  oblas=${best[openblas|$c]:-}
  awk -v c="$c" -v o="$ours" -v d="$dnnl" -v b="$oblas" -v peak="$peak" 'BEGIN {
    split(c, s, "x"); flop = 2 * s[1] * s[2] * s[3]
    gf = o != "" ? flop / (o * 1e6) : 0
    printf "%-16s %10s %10s %11s %9s %9s %9s %7s\n", c,
      o != "" ? o : "-", d != "" ? d : "-", b != "" ? b : "-",
      (o != "" && d != "") ? sprintf("%.2f", d / o) : "-",
      (o != "" && b != "") ? sprintf("%.2f", b / o) : "-",
      o != "" ? sprintf("%.1f", gf) : "-", o != "" ? sprintf("%.1f", 100 * gf / peak) : "-"
  }'
done
echo "(vs_X = X's time / ours: throughput ratio, > 1 means we are faster; ${threads} threads;" \
  "peak ${peak} GFLOP/s measured by peak_fma; best of ${rounds} rounds of medians)"

# The summary line: geometric means of the ratios and the worst % of peak.
for c in "${cases[@]}"; do
  echo "$c ${best[nas|$c]:--} ${best[dnnl|$c]:--} ${best[openblas|$c]:--}"
done | awk -v peak="$peak" '
  { split($1, s, "x"); flop = 2 * s[1] * s[2] * s[3]
    if ($2 == "-") next
    pct = 100 * flop / ($2 * 1e6) / peak; if (min == "" || pct < min) min = pct
    if ($3 != "-") { ld += log($3 / $2); nd++ }
    if ($4 != "-") { lb += log($4 / $2); nb++ } }
  END {
    printf "gemm: geomean_vs_onednn=%s geomean_vs_openblas=%s min_pct_of_peak=%s\n",
      nd ? sprintf("%.2f", exp(ld / nd)) : "skipped", nb ? sprintf("%.2f", exp(lb / nb)) : "skipped",
      min == "" ? "-" : sprintf("%.0f", min) }'
