#!/usr/bin/env bash
# Retraining after label-issues under the automatic policies of `data apply-corrections`
# (issue 14): a label_issues.csv's suggestions accepted when suggested_prob >= P (--accept-above
# P), the other flagged images kept or left out of training (--exclude-others). P = 1.01 with
# exclusion leaves every flagged image out and relabels none. For IDX data (no files for a
# manifest) this script writes the same decisions as new IDX files: relabelled labels, excluded
# images removed. Same recipe as bench/label_retrain.sh; tested on the clean test set.
# Usage: bench/label_retrain_policies.sh SEARCH_DIR EPOCHS POLICY...   (POLICY: P:keep or P:exclude)
# SEED=N (default 42) picks the training seed; runs with another seed get a -sN suffix.
# e.g.   bench/label_retrain_policies.sh bench/out/label-noise/search-e8-f4 5 1.01:exclude 0.5:exclude
set -euo pipefail
cd "$(dirname "$0")/.."
search="$1"; epochs="$2"; shift 2
out="${OUT:-bench/out/label-noise}"
threads="${THREADS:-2}"
seed="${SEED:-42}"
sfx=""; [ "$seed" = 42 ] || sfx="-s$seed"
echo "# retrain policies: resnet20, $epochs epochs, $threads threads, seed $seed; machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
for policy in "$@"; do
  p="${policy%%:*}"; rest="${policy##*:}"
  fixed="$out/fashion-mnist-policy-$p-$rest-$(basename "$search")"
  if [ ! -f "$fixed/train-labels-idx1-ubyte.gz" ]; then
    mkdir -p "$fixed"
    cp "$out"/fashion-mnist-noisy/t10k-* "$fixed"/
    /usr/bin/python3 - "$out/fashion-mnist-noisy" "$search/label_issues.csv" "$fixed" "$p" "$rest" "$out/fashion-mnist-noisy/flips.csv" <<'PY'
import csv, gzip, struct, sys
src, issues, dst, p, rest, flips = sys.argv[1:]
p = float(p)
names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
raw_l = gzip.open(src + "/train-labels-idx1-ubyte.gz").read()
raw_i = gzip.open(src + "/train-images-idx3-ubyte.gz").read()
n = struct.unpack(">I", raw_l[4:8])[0]
rows, cols = struct.unpack(">II", raw_i[8:16])
labels = bytearray(raw_l[8:])
orig = bytes(labels)
truth = {int(r["index"]): int(r["true"]) for r in csv.DictReader(open(flips))}
drop = set()
relabelled = fixed = broke = 0
for r in csv.DictReader(open(issues)):
    i = int(r["index"])
    if float(r["suggested_prob"]) >= p:
        new = names.index(r["suggested_label"])
        t = truth.get(i, labels[i])
        fixed += (labels[i] != t and new == t)
        broke += (labels[i] == t and new != t)
        labels[i] = new
        relabelled += 1
    elif rest == "exclude":
        drop.add(i)
keep = [i for i in range(n) if i not in drop]
size = rows * cols
images = b"".join(raw_i[16 + i * size:16 + (i + 1) * size] for i in keep)
with gzip.open(dst + "/train-images-idx3-ubyte.gz", "wb", compresslevel=1) as f:
    f.write(raw_i[:4] + struct.pack(">III", len(keep), rows, cols) + images)
with gzip.open(dst + "/train-labels-idx1-ubyte.gz", "wb") as f:
    f.write(raw_l[:4] + struct.pack(">I", len(keep)) + bytes(labels[i] for i in keep))
still = sum(1 for i in keep if labels[i] != truth.get(i, orig[i]))
print("policy accept >= %.2f, others %s: %d relabelled (%d flips fixed, %d right labels changed), %d excluded (%d of them planted flips); %d images left, %d with a wrong label"
      % (p, rest, relabelled, fixed, broke, len(drop), sum(1 for i in drop if i in truth), len(keep), still))
PY
  fi
  run="$out/retrain-policy-$p-$rest-e$epochs-$(basename "$search")$sfx"
  [ -f "$run/eval.json" ] || ./imgclass train --data "$fixed" --epochs "$epochs" --threads "$threads" --seed "$seed" --out "$run" >"$run.log" 2>&1
  echo "policy $p:$rest: test top-1 $(/usr/bin/python3 -c "import json;print('%.2f %%' % (100*json.load(open('$run/eval.json'))['top1']))") ($run)"
done
