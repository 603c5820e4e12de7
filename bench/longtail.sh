#!/usr/bin/env bash
# Class-imbalance remedies on long-tailed Fashion-MNIST (imbalance ratio 100: 6,000 -> 60 training
# images per class; the 10,000 test images untouched). Every remedy trains with the same recipe and
# budget; the score is balanced accuracy (mean per-class recall) on the test set.
# Usage: bench/longtail.sh [EPOCHS] [SEEDS...]   (default: 5 epochs, seeds 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-5}
shift || true
SEEDS=${*:-1 2}
OUT=bench/out/longtail
DATA=$OUT/fashion-mnist-lt100   # "fashion" in the name gives the Fashion-MNIST class names
mkdir -p "$OUT"
/usr/bin/python3 bench/longtail_data.py "$DATA" 100
declare -A REMEDY=(
  [ce]=""
  [inverse]="--class-weights inverse"
  [sqrt-inverse]="--class-weights sqrt-inverse"
  [effective-0.999]="--class-weights effective:0.999"
  [balanced-sampler]="--sampler balanced"
  [logit-adjust-1]="--logit-adjust 1"
)
RESULTS=$OUT/results.jsonl
for seed in $SEEDS; do
  for name in ce inverse sqrt-inverse effective-0.999 balanced-sampler logit-adjust-1; do
    run=$OUT/$name-s$seed
    if [ -f "$run/eval.json" ]; then continue; fi
    rm -rf "$run"
    # shellcheck disable=SC2086
    ./imgclass train --data "$DATA" --model resnet20 --epochs "$EPOCHS" --seed "$seed" \
      --out "$run" ${REMEDY[$name]} > "$run.log" 2>&1
    /usr/bin/python3 - "$run" "$name" "$seed" >> "$RESULTS" <<'PY'
import json, sys
run, name, seed = sys.argv[1:4]
e = json.load(open(run + "/eval.json"))
print(json.dumps({"remedy": name, "seed": int(seed), "top1": e["top1"],
                  "balanced": e["balancedAccuracy"],
                  "recall": [c["recall"] for c in e["perClass"]]}))
PY
    tail -1 "$RESULTS"
  done
done
