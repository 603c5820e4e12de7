#!/usr/bin/env bash
# The INT8 calibration methods side by side on one trained run: export with minmax, percentile and
# entropy ranges (RUN/model.int8.METHOD.onnx), then each INT8 file against the FP32 one on the
# data's test split: top-1, top-1 agreement with FP32 (printed by export) and McNemar's exact test
# on the paired predictions (imgclass compare). 2 threads.
#
#   bench/int8_calibration.sh RUN_DIR [DATA]      (DATA: default fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:?usage: bench/int8_calibration.sh RUN_DIR [DATA]}
DATA=${2:-fashion-mnist}
OUT=bench/out/int8_calibration-$(basename "$RUN")
mkdir -p "$OUT"
./imgclass models > /dev/null # build first
for m in minmax percentile entropy; do
  ./imgclass export --model "$RUN" --int8 --calibration "$DATA" --calibration-method "$m" --threads 2 > "$OUT/$m.export.txt"
  cp "$RUN/model.int8.onnx" "$RUN/model.int8.$m.onnx"
  ./imgclass compare "$RUN/model.onnx" "$RUN/model.int8.$m.onnx" --data "$DATA" --threads 2 --json > "$OUT/$m.compare.json"
done
/usr/bin/python3 - "$OUT" "$RUN" <<'PY'
import json, re, sys
out, run = sys.argv[1], sys.argv[2]
print(f"run: {run}; test split; agreement: share of test images where INT8 and FP32 predict the same class")
print()
print("| ranges | FP32 top-1 | INT8 top-1 | INT8 - FP32 | top-1 agreement | only FP32 right / only INT8 right | McNemar p |")
print("|---|---|---|---|---|---|---|")
for m in ("minmax", "percentile", "entropy"):
    text = open(f"{out}/{m}.export.txt").read()
    fp32, int8, delta, agree = re.search(
        r"FP32 top-1 ([0-9.]+)%, INT8 top-1 ([0-9.]+)% \(([-+0-9.]+) pt\), top-1 agreement ([0-9.]+)%", text).groups()
    c = json.load(open(f"{out}/{m}.compare.json"))
    print(f"| {m} | {fp32} % | {int8} % | {delta} pt | {agree} % | {c['onlyA']} / {c['onlyB']} | {c['pValue']:.3f} |")
PY
