# Sourced by a suite's compare.sh (which sets $root): the path of one of the
# suite's benchmark programs.
#   exe=$(suite_program SUITE PROGRAM BUILD_DIR)
# Under bench/compare the program is already built in $NAS_BENCH_BIN/SUITE/;
# run directly, it is built in BUILD_DIR (configured first if it is not).
suite_program() {
  local suite="$1" program="$2" build="$3"
  if [ -n "${NAS_BENCH_BIN:-}" ]; then
    echo "$NAS_BENCH_BIN/$suite/$program"
    return
  fi
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DNAS_BUILD_TESTS=OFF >/dev/null || return 1
  fi
  cmake --build "$build" -j2 --target "$program" >/dev/null || return 1
  echo "$build/bench/$suite/$program"
}
