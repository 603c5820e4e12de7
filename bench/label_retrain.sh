#!/usr/bin/env bash
# Retraining after label-issues (issue 14): the same recipe trained on clean Fashion-MNIST, on the
# planted-noise copy (bench/label_noise.py) and on that copy with every label-issues suggestion
# accepted (what `data apply-corrections` does for image files; for IDX data the corrected label
# file is written here). All are tested on the clean Fashion-MNIST test set.
# SEED=N (default 42) picks the training seed; runs with another seed get a -sN suffix. NAMES="clean noisy"
# runs only those.
# Usage: bench/label_retrain.sh SEARCH_DIR [EPOCHS] [OUT]   (default 5, bench/out/label-noise)
set -euo pipefail
cd "$(dirname "$0")/.."
search="$1"; epochs="${2:-5}"; out="${3:-bench/out/label-noise}"
threads="${THREADS:-2}"
seed="${SEED:-42}"
sfx=""; [ "$seed" = 42 ] || sfx="-s$seed"
fixed="$out/fashion-mnist-corrected-$(basename "$search")"
if [ ! -f "$fixed/train-labels-idx1-ubyte.gz" ]; then
  mkdir -p "$fixed"
  cp "$out"/fashion-mnist-noisy/*images* "$out"/fashion-mnist-noisy/t10k-labels-idx1-ubyte.gz "$fixed"/
  /usr/bin/python3 - "$out/fashion-mnist-noisy" "$search/label_issues.csv" "$fixed" <<'PY'
import csv, gzip, sys
src, issues, dst = sys.argv[1:]
names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
raw = gzip.open(src + "/train-labels-idx1-ubyte.gz").read()
labels = bytearray(raw[8:])
n = 0
for r in csv.DictReader(open(issues)):
    s = r["suggested_label"]
    labels[int(r["index"])] = names.index(s) if s in names else int(s)
    n += 1
with gzip.open(dst + "/train-labels-idx1-ubyte.gz", "wb") as f:
    f.write(raw[:8] + bytes(labels))
print("accepted %d suggestions -> %s" % (n, dst))
PY
fi
echo "# retrain: resnet20, $epochs epochs, $threads threads, seed $seed; machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
for name in ${NAMES:-clean noisy corrected}; do
  case $name in clean) data=fashion-mnist ;; noisy) data="$out/fashion-mnist-noisy" ;; corrected) data="$fixed" ;; esac
  run="$out/retrain-$name-e$epochs-$(basename "$search")$sfx"
  [ $name = clean ] && run="$out/retrain-clean-e$epochs$sfx"
  [ $name = noisy ] && run="$out/retrain-noisy-e$epochs$sfx"
  [ -f "$run/eval.json" ] || ./imgclass train --data "$data" --epochs "$epochs" --threads "$threads" --seed "$seed" --out "$run" >"$run.log" 2>&1
  echo "$name: test top-1 $(/usr/bin/python3 -c "import json;print('%.2f %%' % (100*json.load(open('$run/eval.json'))['top1']))") ($run)"
done
