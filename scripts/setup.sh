#!/usr/bin/env bash
# Installs, with apt-get, every Debian package the project needs and does not
# find. Idempotent; a quick dpkg check when nothing is missing.
#   scripts/setup.sh           build + test dependencies
#   scripts/setup.sh --bench   also the peers of bench/compare (oneDNN, OpenBLAS, PyTorch, jemalloc)
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost-program-options-dev libboost-graph-dev
  libtbb-dev libyaml-cpp-dev nlohmann-json3-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  python3  # scripts/history_to_table.py and its test
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(libdnnl-dev libopenblas-dev python3-torch libjemalloc2 python3-yaml)
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/setup.sh [--bench]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are absent or a first attempt fails.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
  apt-get update -qq
fi
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
