#!/usr/bin/env bash
# docs/LABELS.md's whole loop on image files, as a user runs it: a CSV manifest of Fashion-MNIST
# PNGs with 10 % planted label noise in its training rows (bench/label_loop_data.py), then
# label-issues, apply-corrections (the automatic policy standing in for a person's review),
# training on the noisy and on the corrected manifest with the same recipe, and compare on the
# (clean) test rows. Prints every command and its output.
# Usage: bench/label_loop.sh [TRAIN] [EPOCHS] [OUT]   (default 10000, 8, bench/out/label-loop)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"; epochs="${2:-8}"; out="${3:-bench/out/label-loop}"
threads="${THREADS:-2}"
shape=(--image-size 28 --channels 1 --threads "$threads")
say() { echo "\$ $*"; "$@"; }
echo "# label loop: $n noisy training PNGs, resnet20, $epochs epochs, $threads threads; machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
[ -f "$out/labels.csv" ] || /usr/bin/python3 bench/label_loop_data.py "$out" "$n" 10000
m="$out/labels.csv"
start=$(date +%s)
say ./imgclass data label-issues "$m" --out "$out/issues" --folds 4 --epochs 6 "${shape[@]}" --top 10 | grep -v "^epoch\|step "
echo "(label-issues: $(( $(date +%s) - start )) s)"
say ./imgclass data apply-corrections "$m" "$out/issues/label_issues.csv" --accept-above 0.5 --exclude-others --out "$out/corrected.csv"
/usr/bin/python3 - "$out" <<'PY'
import csv, sys
out = sys.argv[1]
flips = {r["path"]: r for r in csv.DictReader(open(out + "/flips.csv"))}
rows = [r for r in csv.DictReader(open(out + "/corrected.csv")) if r["split"] == "train"]
truth = {}
for r in csv.DictReader(open(out + "/labels.csv")):
    if r["split"] == "train":
        truth[r["path"]] = flips[r["path"]]["true"] if r["path"] in flips else r["label"]
name = lambda p: "images/" + p.split("/images/")[-1] if "/images/" in p else p
wrong_before = len(flips)
kept = [r for r in rows if r["label_source"] != "excluded"]
wrong_after = sum(1 for r in kept if truth[name(r["path"])] != r["label"])
print("planted check: %d of %d training labels wrong before; after: %d images left, %d wrong (%d excluded)"
      % (wrong_before, len(rows), len(kept), wrong_after, len(rows) - len(kept)))
PY
for which in noisy corrected; do
  data="$m"; [ $which = corrected ] && data="$out/corrected.csv"
  run="$out/run-$which"
  if [ ! -f "$run/eval.json" ]; then
    echo "\$ ./imgclass train --data $data --epochs $epochs ${shape[*]} --out $run"
    ./imgclass train --data "$data" --epochs "$epochs" "${shape[@]}" --out "$run" | tail -3
  fi
done
say ./imgclass compare "$out/run-noisy" "$out/run-corrected" --data "$m"
