#!/usr/bin/env bash
# README command (a): install what is missing, build, run the main job: a
# hardware-aware search (experiments/quickstart.yaml) into runs/quickstart/,
# then the extraction of its best feasible subnet, retrained for 3 epochs,
# into runs/quickstart/best_subnet/. A re-run replaces both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
NAS_BUILD_TARGETS=nas scripts/build.sh
build/bin/nas search experiments/quickstart.yaml --force
build/bin/nas extract runs/quickstart --select best --epochs 3 --out runs/quickstart/best_subnet --force
