#!/usr/bin/env bash
# imgclass compress on trained Fashion-MNIST runs: pruning alone (prune + fine-tune) and the whole
# pipeline (prune, distil from the original, QAT, INT8); prints each compress.json.
# usage: bench/compress.sh RUN RECIPE [RUN RECIPE ...]
# e.g.   bench/compress.sh runs/r56 prune:0.5,finetune:5 runs/r56 prune:0.5,distill:5,qat \
#                          runs/mnv3 prune:0.7,finetune:5
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$(mktemp -d)}"
grep -m1 "model name" /proc/cpuinfo
i=0
while [ $# -ge 2 ]; do
  run="$1"; recipe="$2"; shift 2; i=$((i + 1))
  dir="$OUT/compress-$i-$(basename "$run")"
  "$ROOT/imgclass" compress --model "$run" --recipe "$recipe" --threads "${THREADS:-2}" --out "$dir"
  cat "$dir/compress.json"
done
