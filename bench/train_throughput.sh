#!/usr/bin/env bash
# Side-by-side training throughput: imgclass (libtorch 2.10 via JavaCPP) against PyTorch eager
# (Debian python3-torch), same ResNet-20, batch 128, 1x28x28, SGD+Nesterov, label-smoothed CE,
# same thread count, FP32 against FP32 and bf16 autocast against bf16 autocast. Rounds alternate
# the two systems so that drift on a shared machine hits both alike; the summary gives medians
# and the ratio imgclass / PyTorch. With --loop it also measures what the full training loop
# (real Fashion-MNIST data, augmentation, progress, metrics, checkpoints) costs over bare steps.
#
#   bench/train_throughput.sh [ROUNDS] [--loop]      (needs: apt-get install python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
LOOP=${2:-}
OUT=bench/out
mkdir -p "$OUT"
RAW="$OUT/train_throughput.jsonl"
: > "$RAW"
./imgclass models > /dev/null   # build first, outside the timed runs
# The peer runs under the allocator settings imgclass sets for itself (engine.NativeAllocator):
# glibc's defaults mmap and unmap large activations on every step, which once slowed the peer by
# up to 4x (issue 15). Each JSON row records the settings it ran with.
source bench/malloc_env.sh # FORCE
# each system in both memory layouts: NCHW (the default of both) and channels-last
for r in $(seq "$ROUNDS"); do
  for p in fp32 bf16; do
    ./imgclass bench-train --precision "$p" --threads 2 --steps 60 >> "$RAW"
    "${FORCE[@]}" /usr/bin/python3 bench/peer_pytorch.py --threads 2 --precision "$p" --train-steps 60 --warmup-steps 10 --infer-batches "" --json >> "$RAW"
    IMGCLASS_JAVA_OPTS=-Dimgclass.channelsLast=true ./imgclass bench-train --precision "$p" --threads 2 --steps 60 >> "$RAW"
    "${FORCE[@]}" /usr/bin/python3 bench/peer_pytorch.py --threads 2 --precision "$p" --train-steps 60 --warmup-steps 10 --infer-batches "" --json --channels-last >> "$RAW"
  done
done
if [ "$LOOP" = "--loop" ]; then
  for p in fp32 bf16; do
    ./imgclass bench-train --precision "$p" --threads 2 --steps 5 --loop 12800 | grep loop-overhead >> "$RAW"
  done
fi
/usr/bin/python3 - "$RAW" <<'PY'
import json, statistics, sys, platform, subprocess
text, rows, pos, dec = open(sys.argv[1]).read(), [], 0, json.JSONDecoder()
while True:  # a stream of JSON objects, one per line or pretty-printed
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    obj, pos = dec.raw_decode(text, pos)
    rows.append(obj)
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; threads 2; batch 128; ResNet-20 1x28x28")
allocs = sorted({(r.get("system"), r.get("native_allocator") or r.get("allocator") or "?") for r in rows if r.get("kind") == "train"})
print("allocator: " + "; ".join(f"{s}: {a}" for s, a in allocs))
print()
def runs(system, p, cl):
    # batch / median step time: one burst of load from another tenant moves a mean, not a median
    return [r["batch"] * 1000.0 / r["median_ms"] for r in rows if r.get("system") == system and r.get("precision") == p
            and r.get("kind") == "train" and bool(r.get("channels_last")) == cl]
def cell(v):
    return f"{statistics.median(v):.0f} ({', '.join(f'{x:.0f}' for x in v)})" if v else "-"
print("Training img/s = batch / median step time; median over rounds (each round in brackets):")
print()
print("| precision | layout | imgclass | PyTorch 1.13 | imgclass / PyTorch |")
print("|---|---|---|---|---|")
for p in ("fp32", "bf16"):
    for cl in (False, True):
        j, t = runs("imgclass", p, cl), runs("pytorch", p, cl)
        ratio = f"{statistics.median(j)/statistics.median(t):.2f}" if j and t else "-"
        print(f"| {p} | {'channels-last' if cl else 'NCHW'} | {cell(j)} | {cell(t)} | {ratio} |")
    j = runs("imgclass", p, False)
    best_t = max((statistics.median(runs("pytorch", p, c)) for c in (False, True) if runs("pytorch", p, c)), default=None)
    if j and best_t:
        print(f"| {p} | imgclass default (NCHW) vs PyTorch's faster layout | {statistics.median(j):.0f} | {best_t:.0f} | {statistics.median(j)/best_t:.2f} |")
loops = [r for r in rows if r.get("kind") == "loop-overhead"]
if loops:
    print()
    print("Training loop cost: wall time of Trainer.fit (2 epochs of real Fashion-MNIST data with augmentation,")
    print("progress, metrics files, checkpoints) against the time spent inside the training step:")
    print()
    print("| precision | steps | time in step (s) | loop wall (s) | loop overhead |")
    print("|---|---|---|---|---|")
    for r in loops:
        print(f"| {r['precision']} | {r['steps']} | {r['step_seconds']:.1f} | {r['loop_seconds']:.1f} | {100*r['overhead']:.1f}% |")
PY
