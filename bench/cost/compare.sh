#!/usr/bin/env bash
# bench/cost/compare.sh: CostModel::estimate() throughput on one core over 500
# networks of search_spaces/ofa_mobilenetv3.yaml built once at batch 1. Run it
# through `bench/compare cost` (which builds bench_cost and sets NAS_BENCH_BIN),
# or directly as `bench/cost/compare.sh [BUILD_DIR]`.
# There is no external peer for a cost model; the issue's target (200,000
# architectures a second with a warm LUT) is printed beside our figure.
# The warm LUT is SYNTHETIC: every signature of the 500 networks, filled with
# raspberry_pi4's roofline values. It is not a measurement; it times the lookup
# path with every node a hit. When a measured host profile exists in the nas
# cache (written by `nas profile`, batch 1), it is timed too, with its coverage
# of these networks (its LUT holds the spaces it was profiled for).
# Rates: wall clock (median of samples) and the thread's CPU time (best of
# samples; on a shared machine the wall clock includes waiting for the core).
# Each of NAS_BENCH_ROUNDS (default 3) rounds runs bench_cost (one thread;
# not pinned, so a busy core does not hold it); the best round per case is
# kept. Ends with one line:
#   cost: archs_per_s=.. (target 200000) wall_archs_per_s=.. roofline_archs_per_s=.. lut=..
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${NAS_ROOT:-$(cd "$here/../.." && pwd)}"
. "$root/bench/common/suite_program.sh"
exe=$(suite_program cost bench_cost "${1:-$root/build-bench}")
rounds="${NAS_BENCH_ROUNDS:-3}"
cache="${NAS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nas}"
host_args=()
# A 1-thread profile if there is one, else any batch-1 one (lookup speed does
# not depend on the threads the latencies were measured with).
host_yaml=$(ls "$cache"/host/*-t1-b1/host.yaml "$cache"/host/*-b1/host.yaml 2>/dev/null | head -1 || true)
[ -n "$host_yaml" ] && host_args=(--host "$host_yaml")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < rounds; ++r)); do
  "$exe" --space "$root/search_spaces/ofa_mobilenetv3.yaml" \
    --profile "$root/hardware_profiles/raspberry_pi4.yaml" --specs 500 "${host_args[@]}" >>"$out"
done
python3 - "$out" "$rounds" "${host_yaml:-}" "$load" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    name, wall, cpu, cov = line.split()
    w, c = best.get(name, (0.0, 0.0, 0.0))[:2]
    best[name] = (max(w, float(wall)), max(c, float(cpu)), float(cov))
rounds, host = sys.argv[2], sys.argv[3]
what = {
    "roofline": "raspberry_pi4, no LUT (every node analytic)",
    "lut_synthetic": "raspberry_pi4 + synthetic LUT of its roofline values (lookup path only)",
    "lut_breakdown": "as lut_synthetic, with the per-node breakdown",
    "host_measured": "measured host profile + LUT " + host,
}
print(f"CostModel::estimate on one core, 500 ofa_mobilenetv3 networks at batch 1 (best of {rounds} rounds; "
      f"load average at start {sys.argv[4]})")
print(f"| {'case':<14} | {'archs/s (cpu)':>13} | {'archs/s (wall)':>14} | {'LUT coverage':>12} | what")
print(f"|{'-'*16}|{'-'*15}|{'-'*16}|{'-'*14}|------")
for name, (w, c, cov) in best.items():
    print(f"| {name:<14} | {c:>13.0f} | {w:>14.0f} | {cov:>12.3f} | {what[name]}")
if not host:
    print("no measured host profile in the nas cache (run `nas profile --space ofa_mobilenetv3` to time one)")
w, c, _ = best["lut_synthetic"]
print(f"cost: archs_per_s={c:.0f} (target 200000) wall_archs_per_s={w:.0f} "
      f"roofline_archs_per_s={best['roofline'][1]:.0f} lut=synthetic-roofline-values")
PY
