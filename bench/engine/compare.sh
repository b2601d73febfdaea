#!/usr/bin/env bash
# bench/engine/compare.sh: the search engine's overhead per candidate with an
# instant evaluator and no cost models, measured between candidates 10,000 and
# 11,000 of one run (so the history holds 10,000). Run it through
# `bench/compare engine` (which builds bench_engine and sets NAS_BENCH_BIN), or
# directly as `bench/engine/compare.sh [BUILD_DIR]`.
# No external peer: the issue's target (< 1 ms) is printed beside our figure,
# with the physical floor of a durable journal on this disk (one appended line
# + fdatasync) and the share that is decode + NetworkSpec (the space's work).
# Each of NAS_BENCH_ROUNDS (default 3) rounds runs bench_engine; the best round
# per figure is kept. Ends with one line:
#   engine: overhead_ms_per_candidate=.. (target < 1) nosync_ms=.. fsync_ms=.. decode_ms=.. replay_ms=..
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${NAS_ROOT:-$(cd "$here/../.." && pwd)}"
. "$root/bench/common/suite_program.sh"
exe=$(suite_program engine bench_engine "${1:-$root/build-bench}")
rounds="${NAS_BENCH_ROUNDS:-3}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
  "$exe" --space "$root/search_spaces/mobilenet_tiny.yaml" >>"$out"
done
python3 - "$out" "$rounds" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    best[k] = min(best.get(k, float("inf")), float(v))
r = sys.argv[2]
print(f"engine overhead per candidate, history {int(best['history'])} (best of {r} rounds, ms)")
print(f"| {'figure':<34} | {'ms':>8} |")
print(f"|{'-'*36}|{'-'*10}|")
for k, label in [("overhead_ms_per_candidate", "engine, journal fsync on"),
                 ("overhead_ms_nosync", "engine, journal fsync off"),
                 ("decode_ms_per_candidate", "decode + NetworkSpec alone, 1 thread"),
                 ("fsync_ms", "disk floor: one line + fdatasync"),
                 ("replay_ms_per_candidate", "resume replay, per journaled cand.")]:
    print(f"| {label:<34} | {best[k]:>8.4f} |")
print(f"engine: overhead_ms_per_candidate={best['overhead_ms_per_candidate']:.3f} (target < 1) "
      f"nosync_ms={best['overhead_ms_nosync']:.3f} fsync_ms={best['fsync_ms']:.3f} "
      f"decode_ms={best['decode_ms_per_candidate']:.3f} replay_ms={best['replay_ms_per_candidate']:.3f}")
PY
