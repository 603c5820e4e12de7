#!/usr/bin/env bash
# Zoo leaderboard on Fashion-MNIST: every listed model trained with one short recipe (same data
# subset, epochs, seed, threads, precision), then its test accuracy, parameters, MACs at 28x28,
# training img/s (from the run) and eager inference img/s at batch 64 (imgclass bench).
#
#   bench/zoo_leaderboard.sh [LIMIT] [EPOCHS] [MODEL...]
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${1:-10000}
EPOCHS=${2:-2}
shift 2 || true
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(resnet20 se_resnet20 resnet32 mobilenetv3_small_050 mobilenetv3_small_100 resnet56)
OUT=bench/out/zoo
rm -rf "$OUT"; mkdir -p "$OUT"
./imgclass models > /dev/null
for m in "${MODELS[@]}"; do
  ./imgclass train --data fashion-mnist --model "$m" --limit "$LIMIT" --epochs "$EPOCHS" --threads 2 --out "$OUT/$m" > "$OUT/$m.log"
  ./imgclass bench --model "$OUT/$m" --backend torch --batch-size 64 --iters 20 --threads 2 --json > "$OUT/$m.bench.json"
done
/usr/bin/python3 - "$OUT" "$LIMIT" "$EPOCHS" "${MODELS[@]}" <<'PY'
import json, re, sys, subprocess
out, limit, epochs, models = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"machine: {cpu}, 2 threads; recipe: --limit {limit} --epochs {epochs} (defaults otherwise: sgd, bf16, light augmentation, seed 42); test set: 10,000 images")
print()
print("| model | test top-1 | params | MACs (1x28x28) | train img/s | infer img/s (batch 64, FP32) |")
print("|---|---|---|---|---|---|")
for m in models:
    card = json.load(open(f"{out}/{m}/model.json"))
    log = open(f"{out}/{m}.log").read()
    p = re.search(r"model: \S+, ([\d,]+) parameters, ([\d,]+) MACs", log)
    params, macs = int(p.group(1).replace(",", "")), int(p.group(2).replace(",", ""))
    inf = json.load(open(f"{out}/{m}.bench.json"))["results"][0]["img_per_s"]
    met = card["metrics"]
    print(f"| {m} | {100*met['test_top1']:.2f}% | {params/1e6:.3f} M | {macs/1e6:.1f} M | {met['train_images_per_second']:.0f} | {inf:.0f} |")
PY
