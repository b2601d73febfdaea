#!/usr/bin/env bash
# Configures and builds the project (Release) in build/, or build-asan/ with --sanitize.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
args=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAS_SANITIZE=ON -DNAS_BUILD_BENCH=OFF)
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/build.sh [--sanitize]" >&2
  exit 2
fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
fi
ninja -C "$dir" ${NAS_BUILD_TARGETS:-}
