#!/usr/bin/env bash
# QAT against PTQ on Fashion-MNIST: for each run directory, 1 QAT epoch (imgclass qat, percentile
# start, EMA observers) and INT8 export with minmax, percentile and entropy ranges; prints each
# model's qat.json and the export lines (test top-1, agreement with FP32).
# usage: bench/qat.sh RUN... (run directories trained on fashion-mnist)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$(mktemp -d)}"
grep -m1 "model name" /proc/cpuinfo
for run in "$@"; do
  name="$(basename "$run")"
  "$ROOT/imgclass" qat --model "$run" --epochs "${EPOCHS:-1}" --out "$OUT/qat-$name"
  cat "$OUT/qat-$name/qat.json"
  for m in minmax percentile entropy; do
    echo "== $name PTQ $m"
    "$ROOT/imgclass" export --model "$run" --int8 --calibration fashion-mnist \
      --calibration-method "$m" --out "$OUT/ptq-$name-$m.onnx" | grep -E "test split|wrote .*int8|wrote .*ptq"
  done
done
