#!/usr/bin/env bash
# The training suite (run it through bench/compare train [--profile]). For the
# reference CNN (small_cnn of shapes.yaml) and the MobileNetV2-like stack
# (mbv2_stack), batch 128, 1x28x28 random data, SGD momentum 0.9, 2 threads:
# our trainer (bench_train_nas: Trainer::fit over the architecture YAML) and
# PyTorch (torch_train.py, the same layers and parameter counts, under its best
# setting: jemalloc retaining pages, passive OpenMP waits, channels_last).
# Each program: 5 warm-up steps, then 3 runs of NAS_TRAIN_STEPS (default 20)
# steps, the median run kept. The programs alternate network by network in
# NAS_BENCH_ROUNDS rounds (default 1 here: an MBv2 round takes minutes) and
# the best round is kept for each, the same rule for both.
# Prints a table and one summary line:
#   train: small_cnn_vs_pytorch=R1 mbv2_stack_vs_pytorch=R2
# (ratio = our images/s / PyTorch's). --profile also prints where our step
# spends its time (bench/train/train_profile.h).
set -euo pipefail

root=${NAS_ROOT:?run through bench/compare}
bin=${NAS_BENCH_BIN:?run through bench/compare}
rounds=${NAS_BENCH_ROUNDS:-1}
steps=${NAS_TRAIN_STEPS:-20}
threads=2
profile=0
for arg in "$@"; do
  case $arg in
    --profile) profile=1 ;;
    *) echo "error: unknown argument '$arg' (bench/compare train [--profile])" >&2; exit 2 ;;
  esac
done

ours="$bin/train/bench_train_nas"
[ -x "$ours" ] || { echo "error: $ours not built" >&2; exit 1; }
# name in the summary | architecture file | PyTorch model | parameter count (anchors.md section 5)
networks=(
  "small_cnn|$root/experiments/architectures/reference_cnn.yaml|reference_cnn|94186"
  "mbv2_stack|$root/experiments/architectures/mbv2_stack.yaml|mbv2_stack|119322"
)

torch_ok=0
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  torch_ok=1
else
  echo "# pytorch: /usr/bin/python3 cannot import torch (apt-get install python3-torch): column skipped" >&2
fi
torch_env=(OMP_WAIT_POLICY=passive)
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1 || true)
if [ -n "$jemalloc" ]; then
  torch_env+=(LD_PRELOAD="$jemalloc" MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1)
else
  echo "# pytorch: libjemalloc.so.2 not found (apt-get install libjemalloc2): running with glibc malloc" >&2
fi

load=$(awk '{ print $1 }' /proc/loadavg 2>/dev/null || echo 0)
echo "# load average before starting: $load (2 cores; above ~1 other processes share them and wall-time figures are noisy)"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
declare -A img cpu runs params
keep() {  # keep PROG NET LINE: the best round's median images/s
  local key="$1|$2" line=$3 v
  v=$(echo "$line" | field img_s)
  [ -n "$v" ] || return 0
  if [ -z "${img[$key]:-}" ] || awk -v a="$v" -v b="${img[$key]}" 'BEGIN { exit !(a > b) }'; then
    img[$key]=$v
    cpu[$key]=$(echo "$line" | field cpu_ms_per_step)
    runs[$key]=$(echo "$line" | field runs_img_s)
    params[$key]=$(echo "$line" | field params)
  fi
}

profile_out=""
for ((r = 1; r <= rounds; r++)); do
  for n in "${networks[@]}"; do
    IFS='|' read -r name yaml model count <<<"$n"
    line=$("$ours" --threads $threads --steps "$steps" "$yaml" | grep '^train ' || true)
    [ -n "$line" ] || { echo "error: bench_train_nas failed on $yaml" >&2; exit 1; }
    keep nas "$name" "$line"
    if [ $torch_ok = 1 ]; then
      line=$(env "${torch_env[@]}" /usr/bin/python3 "$root/bench/train/torch_train.py" \
        --threads $threads --steps "$steps" --expect-params "$count" "$model" | grep '^train ' || true)
      [ -n "$line" ] || { echo "error: torch_train.py failed on $model" >&2; exit 1; }
      keep torch "$name" "$line"
    fi
  done
done
if [ $profile = 1 ]; then
  for n in "${networks[@]}"; do
    IFS='|' read -r name yaml model count <<<"$n"
    profile_out+=$("$ours" --threads $threads --steps "$steps" --runs 1 --profile "$yaml" | grep '^profile')$'\n'
  done
fi

printf '\n%-11s %8s %11s %12s %7s %13s %14s %9s\n' network params ours_img_s pytorch_img_s ratio \
  ours_cpu_ms pytorch_cpu_ms cpu_ratio
summary="train:"
for n in "${networks[@]}"; do
  IFS='|' read -r name yaml model count <<<"$n"
  o=${img[nas|$name]:-}
  t=${img[torch|$name]:-}
  oc=${cpu[nas|$name]:-}
  tc=${cpu[torch|$name]:-}
  [ "${params[nas|$name]:-}" = "$count" ] ||
    echo "# warning: $name: ours has ${params[nas|$name]:-?} parameters, expected $count" >&2
  ratio=$(awk -v o="$o" -v t="$t" 'BEGIN { if (o == "" || t == "" || t == 0) print "-"; else printf "%.2f", o / t }')
  # CPU time per step: the work done, less sensitive to other processes than wall time.
  cratio=$(awk -v o="$oc" -v t="$tc" 'BEGIN { if (o == "" || t == "" || o == 0) print "-"; else printf "%.2f", t / o }')
  printf '%-11s %8s %11s %12s %7s %13s %14s %9s\n' "$name" "${params[nas|$name]:--}" "${o:--}" "${t:--}" \
    "$ratio" "${oc:--}" "${tc:--}" "$cratio"
  summary+=" ${name}_vs_pytorch=$ratio"
done
echo "# runs (images/s): ours small_cnn ${runs[nas|small_cnn]:--}, mbv2_stack ${runs[nas|mbv2_stack]:--};" \
  "pytorch small_cnn ${runs[torch|small_cnn]:--}, mbv2_stack ${runs[torch|mbv2_stack]:--}"
echo "# cpu_ratio = PyTorch CPU ms per step / ours (> 1: we do the step with less CPU time)"
echo "# load average after: $(awk '{ print $1 }' /proc/loadavg 2>/dev/null || echo '?')"
if [ -n "$profile_out" ]; then
  echo
  printf '%s' "$profile_out"
fi
echo
echo "$summary"
