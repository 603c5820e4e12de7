#!/usr/bin/env bash
# Label-issues benchmark (issue 14): plant 10 % label noise in Fashion-MNIST's training set
# (bench/label_noise.py: half random, half between confusable pairs), run
# `imgclass data label-issues` on it, and score the flagged images against the planted flips,
# beside the plain "the out-of-fold model disagrees with the label" rule.
# Usage: bench/label_issues.sh [EPOCHS] [FOLDS] [OUT]   (default 3, 4, bench/out/label-noise)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"; folds="${2:-4}"; out="${3:-bench/out/label-noise}"
threads="${THREADS:-2}"
[ -f "$out/fashion-mnist-noisy/flips.csv" ] || /usr/bin/python3 bench/label_noise.py "$out/fashion-mnist-noisy"
echo "# label issues: resnet20, $folds folds x $epochs epochs, $threads threads; machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
search="$out/search-e$epochs-f$folds"
start=$(date +%s)
./imgclass data label-issues "$out/fashion-mnist-noisy" --out "$search" --folds "$folds" --epochs "$epochs" --threads "$threads" --top 20 >"$search.log" 2>&1
echo "search wall time: $(( $(date +%s) - start )) s"
grep -A 40 "images scored out of fold" "$search.log"
/usr/bin/python3 - "$out" "$search" <<'PY'
import csv, json, struct, sys
out = sys.argv[1]
search = sys.argv[2]
def tensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    res = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        fmt = {"F32": "f", "I64": "q"}[t["dtype"]]
        res[name] = (t["shape"], struct.unpack("<%d%s" % ((e - b) // struct.calcsize(fmt), fmt), data[b:e]))
    return res
t = tensors(search + "/out_of_fold.safetensors")
(n, k), probs = t["probs"]
_, labels = t["labels"]
flips = {}
for row in csv.DictReader(open(out + "/fashion-mnist-noisy/flips.csv")):
    flips[int(row["index"])] = row["kind"]
truth = set(flips)
flagged = set(int(r["index"]) for r in csv.DictReader(open(search + "/label_issues.csv")))
baseline = set()
for i in range(n):
    row = probs[i * k:(i + 1) * k]
    if row[0] < 0:
        continue
    if max(range(k), key=lambda j: row[j]) != labels[i]:
        baseline.add(i)
def score(name, s):
    tp = len(s & truth)
    p = tp / len(s) if s else 0.0
    r = tp / len(truth)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    pair = len(s & {i for i, kind in flips.items() if kind == "pair"})
    rand = len(s & {i for i, kind in flips.items() if kind == "random"})
    print("%-32s flagged %5d  precision %.3f  recall %.3f  F1 %.3f  (found %d of %d pair flips, %d of %d random)"
          % (name, len(s), p, r, f1, pair, sum(1 for v in flips.values() if v == "pair"), rand, sum(1 for v in flips.values() if v == "random")))
score("confident learning", flagged)
score("model disagrees (baseline)", baseline)
PY
