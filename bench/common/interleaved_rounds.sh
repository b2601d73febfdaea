# Sourced by a suite's compare.sh: interleaved rounds of our program and its
# PyTorch peer, each round's output appended to "$ours" and "$peer" (temporary
# files, removed on exit). PyTorch runs at its best setting here (Debian
# python3-torch, jemalloc page-retaining, OMP_WAIT_POLICY=passive;
# ../shared/bench/anchors.md).
#   run_interleaved_rounds SUITE PROGRAM TORCH_SCRIPT [BUILD_DIR]
# PROGRAM is found in $NAS_BENCH_BIN/SUITE/ (set by bench/compare) or built in
# BUILD_DIR (default build/). Rounds: $NAS_BENCH_ROUNDS (default 3).
. "$root/bench/common/suite_program.sh"

run_interleaved_rounds() {
  local suite="$1" program="$2" script="$3" build="${4:-$root/build}" bin
  bin=$(suite_program "$suite" "$program" "$build")
  rounds="${NAS_BENCH_ROUNDS:-3}"
  ours="$(mktemp)"; peer="$(mktemp)"
  trap 'rm -f "$ours" "$peer"' EXIT
  local jemalloc r
  jemalloc="$(ldconfig -p | awk '/libjemalloc.so.2/ {p = $NF} END {print p}')"
  for ((r = 0; r < rounds; ++r)); do
    "$bin" >> "$ours"
    LD_PRELOAD="${jemalloc}" MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 \
      OMP_WAIT_POLICY=passive /usr/bin/python3 "$script" >> "$peer"
  done
}
