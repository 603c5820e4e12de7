#!/usr/bin/env bash
# Transfer experiment: pretrain MODEL on Fashion-MNIST classes 0-4, then train on classes 5-9
# with 1 %, 10 % and 100 % of their training images three ways with the same budget: from
# scratch, from that start (--init-weights, every layer at the full rate) and from that start with
# --recipe finetune (head-only warm-up, body at 0.1 x the rate, the start's mean/std); compare them
# pairwise on the 5,000 test images of classes 5-9 (McNemar).
# Usage: bench/transfer.sh [MODEL] [OUT]   (default resnet20, bench/out/transfer)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-resnet20}"; out="${2:-bench/out/transfer}"
threads="${THREADS:-1}"
[ -d "$out/data/pre" ] || /usr/bin/python3 bench/transfer_data.py "$out/data"
common=(--model "$model" --channels 1 --image-size 28 --threads "$threads")
echo "# transfer: $model; machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
pre="$out/$model-pre"
[ -f "$pre/model.json" ] || ./imgclass train --data "$out/data/pre" "${common[@]}" --epochs 5 --out "$pre" >"$pre.log" 2>&1
echo "pretrain (classes 0-4, 5 epochs): test top-1 $(python3 -c "import json;print(json.load(open('$pre/eval.json'))['top1'])")"
for pct in 1 10 100; do
  case $pct in 1) epochs=30 ;; 10) epochs=8 ;; 100) epochs=2 ;; esac
  data="$out/data/ft$pct"
  for start in scratch pretrained finetune; do
    run="$out/$model-ft$pct-$start"
    init=()
    [ $start = pretrained ] && init=(--init-weights "$pre/weights.safetensors")
    [ $start = finetune ] && init=(--init-weights "$pre/weights.safetensors" --recipe finetune)
    [ -f "$run/model.json" ] || ./imgclass train --data "$data" "${common[@]}" --epochs $epochs --batch-size 64 "${init[@]}" --out "$run" >"$run.log" 2>&1
  done
  for pair in scratch:pretrained scratch:finetune pretrained:finetune; do
    a=${pair%:*}; b=${pair#*:}
    ./imgclass compare "$out/$model-ft$pct-$a" "$out/$model-ft$pct-$b" --data "$data" --threads "$threads" --json >"$out/$model-ft$pct-$a-$b.compare.json"
    python3 - "$out/$model-ft$pct-$a-$b.compare.json" "$pct" "$epochs" "$a" "$b" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
a, b = sys.argv[4], sys.argv[5]
print("classes 5-9, %s%% of the training images, %s epochs, batch 64: %s %.2f%%, %s %.2f%% (%+.2f pt), McNemar p = %.3g (only %s right %d, only %s right %d)"
      % (sys.argv[2], sys.argv[3], a, 100 * c["a"]["accuracy"], b, 100 * c["b"]["accuracy"], 100 * (c["b"]["accuracy"] - c["a"]["accuracy"]), c["pValue"], a, c["onlyA"], b, c["onlyB"]))
PY
  done
done
