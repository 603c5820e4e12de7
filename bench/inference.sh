#!/usr/bin/env bash
# Side-by-side eager/deployed inference of one trained model: imgclass on libtorch (FP32, bf16
# autocast) and on ONNX Runtime (FP32), against PyTorch 1.13 eager (Debian python3-torch) running
# the same ResNet-20 architecture, 2 threads, batch 1, 8, 64. Rounds alternate the systems;
# img/s = batch / median latency.
#
#   bench/inference.sh RUN_DIR [ROUNDS]      (RUN_DIR: a resnet20 run, e.g. from ./imgclass demo)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:?usage: bench/inference.sh RUN_DIR [ROUNDS]}
ROUNDS=${2:-3}
OUT=bench/out
mkdir -p "$OUT"
RAW="$OUT/inference.jsonl"
: > "$RAW"
./imgclass models > /dev/null   # build first, outside the timed runs
for r in $(seq "$ROUNDS"); do
  ./imgclass bench --model "$RUN" --backend torch,torch-bf16,onnx --batch 1,8,64 --iters 50 --threads 2 --json | tr -d '\n' >> "$RAW"
  echo >> "$RAW"
  /usr/bin/python3 bench/peer_pytorch.py --threads 2 --precision both --no-train --infer-batches 1,8,64 --infer-iters 50 --json >> "$RAW"
done
/usr/bin/python3 - "$RAW" <<'PY'
import json, statistics, sys, collections, subprocess
vals = collections.defaultdict(list)
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    o = json.loads(line)
    if "results" in o:
        for r in o["results"]:
            vals[("imgclass " + r["backend"], r["batch"])].append(r["batch"] * 1000.0 / r["p50_ms"])
    elif o.get("kind") == "infer":
        vals[("pytorch " + o["precision"], o["batch"])].append(o["img_per_s"])
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"machine: {cpu}, 2 threads; ResNet-20 1x28x28; img/s = batch / median latency; median over rounds (rounds in brackets)")
print()
systems = ["imgclass torch", "imgclass torch-bf16", "imgclass onnx", "pytorch fp32", "pytorch bf16"]
names = {"imgclass torch": "imgclass libtorch FP32", "imgclass torch-bf16": "imgclass libtorch bf16",
         "imgclass onnx": "imgclass ONNX Runtime FP32", "pytorch fp32": "PyTorch 1.13 eager FP32", "pytorch bf16": "PyTorch 1.13 eager bf16"}
print("| system | batch 1 | batch 8 | batch 64 | batch 64 vs PyTorch FP32 |")
print("|---|---|---|---|---|")
for s in systems:
    cells = []
    for b in (1, 8, 64):
        v = vals.get((s, b), [])
        cells.append(f"{statistics.median(v):.0f} ({', '.join(f'{x:.0f}' for x in v)})" if v else "-")
    ref = vals.get(("pytorch fp32", 64))
    mine = vals.get((s, 64))
    ratio = f"{statistics.median(mine) / statistics.median(ref):.2f}" if ref and mine else "-"
    print(f"| {names[s]} | {' | '.join(cells)} | {ratio} |")
PY
