#!/usr/bin/env bash
# Side-by-side eager and deployed inference of trained models: imgclass on libtorch (FP32, bf16
# autocast) and on ONNX Runtime (FP32 exported on the fly, INT8 from RUN/model.int8.onnx), against
# PyTorch 1.13 eager (Debian python3-torch) running the same architecture (peer_pytorch.py
# --model ARCH, read from RUN/model.json), batch 1, 8, 64. Every round runs every system on every
# model at every thread count back to back (the model order alternates between rounds), so all
# systems see the same load from other tenants; img/s = batch / median latency of ITERS runs;
# tables take the median over rounds, and the INT8-vs-PyTorch ratio is also taken within rounds.
#
#   [THREADS="1 2"] [ITERS=50] [BF16=1] bench/inference.sh RUN_DIR [RUN_DIR ...] [ROUNDS]
#     RUN_DIR: a resnet20 or mobilenetv3_small_100 run, exported with `imgclass export --int8`
#     ROUNDS:  default 3; THREADS: intra-op thread counts, default 2; BF16=1 adds the bf16 rows
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=()
ROUNDS=3
THREADS=${THREADS:-2}
ITERS=${ITERS:-50}
TORCH_BACKENDS=torch,onnx
PEER_PRECISION=fp32
if [ "${BF16:-0}" = 1 ]; then TORCH_BACKENDS=torch,torch-bf16,onnx; PEER_PRECISION=both; fi
for a in "$@"; do
  if [[ "$a" =~ ^[0-9]+$ ]]; then ROUNDS=$a; else RUNS+=("$a"); fi
done
[ ${#RUNS[@]} -gt 0 ] || { echo "usage: bench/inference.sh RUN_DIR [RUN_DIR ...] [ROUNDS]" >&2; exit 2; }
for run in "${RUNS[@]}"; do
  [ -f "$run/model.int8.onnx" ] || {
    echo "$run/model.int8.onnx is missing: ./imgclass export --model $run --int8 --calibration fashion-mnist" >&2
    exit 1
  }
done
arch() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["spec"]["architecture"])' "$1/model.json"; }
OUT=bench/out
mkdir -p "$OUT"
RAW="$OUT/inference.jsonl"
: > "$RAW"
./imgclass models > /dev/null # build first, outside the timed runs
# The peer runs under the allocator settings imgclass sets for itself (engine.NativeAllocator);
# with glibc's defaults it mmaps and unmaps its activations on every batch and was up to 4x slower
# (issue 15: the ratios published before 2026-12-02 compared against that slowed peer).
source bench/malloc_env.sh # FORCE
record() { # round run threads system-json-line
  printf '{"round": %d, "run": "%s", "threads": %d, "load1": %s, "result": %s}\n' \
    "$1" "$2" "$3" "$(cut -d' ' -f1 /proc/loadavg)" "$4" >> "$RAW"
}
for r in $(seq "$ROUNDS"); do
  order=("${RUNS[@]}")
  if (( r % 2 == 0 )); then order=(); for ((i = ${#RUNS[@]} - 1; i >= 0; i--)); do order+=("${RUNS[i]}"); done; fi
  for t in $THREADS; do
    for run in "${order[@]}"; do
      a=$(arch "$run")
      echo "round $r/$ROUNDS, $t threads: $run ($a), load $(cut -d' ' -f1 /proc/loadavg)" >&2
      record "$r" "$run" "$t" "$(./imgclass bench --model "$run" --backend $TORCH_BACKENDS --batch-size 1,8,64 --iters "$ITERS" --threads "$t" --json | tr -d '\n')"
      record "$r" "$run" "$t" "$(./imgclass bench --model "$run/model.int8.onnx" --batch-size 1,8,64 --iters "$ITERS" --threads "$t" --json | tr -d '\n')"
      for cl in "" --channels-last; do # the peer in both layouts; its faster one is the reference
        "${FORCE[@]}" /usr/bin/python3 bench/peer_pytorch.py --model "$a" --threads "$t" --precision $PEER_PRECISION --no-train --infer-batches 1,8,64 --infer-iters "$ITERS" --json $cl |
          while read -r line; do record "$r" "$run" "$t" "$line"; done
      done
    done
  done
done
/usr/bin/python3 - "$RAW" <<'PY'
import collections, json, statistics, subprocess, sys

vals = collections.defaultdict(list)  # ((run, threads), system, batch) -> img/s, in round order
per_round = collections.defaultdict(dict)  # ((run, threads), system, batch) -> {round: img/s}
loads, archs, allocs = [], {}, set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    run, res = (o["run"], o["threads"]), o["result"]
    loads.append(o["load1"])
    if "results" in res:  # imgclass bench
        int8 = res["model"].endswith(".int8.onnx")
        for row in res["results"]:
            system = "onnx-int8" if int8 else row["backend"]
            allocs.add("imgclass: " + str(res.get("native_allocator")))
            key = (run, system, row["batch"])
            ips = row["batch"] * 1000.0 / row["p50_ms"]
            vals[key].append(ips)
            per_round[key][o["round"]] = ips
    elif res.get("kind") == "infer":
        archs[run] = res["model"]
        key = (run, "pytorch-" + res["precision"] + ("-cl" if res.get("channels_last") else ""), res["batch"])
        allocs.add("PyTorch: " + res.get("allocator", "glibc defaults"))
        vals[key].append(res["img_per_s"])
        per_round[key][o["round"]] = res["img_per_s"]

cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"], capture_output=True, text=True).stdout.strip()
cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
print(f"machine: {cpu}, {cores} cores; input 1x28x28, 10 classes; "
      f"img/s = batch / median latency; median over rounds (rounds in brackets); "
      f"1-minute load average during the rounds: {min(loads):.1f}-{max(loads):.1f}")
print("allocator: " + "; ".join(sorted(allocs)))
def best_peer(run, b):  # PyTorch's faster layout at this batch size, by median over rounds
    c = [k for k in ((run, "pytorch-fp32", b), (run, "pytorch-fp32-cl", b)) if vals.get(k)]
    return max(c, key=lambda k: statistics.median(vals[k])) if c else None
names = [("torch", "imgclass libtorch eager FP32"), ("torch-bf16", "imgclass libtorch eager bf16"),
         ("onnx", "imgclass ONNX Runtime FP32"), ("onnx-int8", "imgclass ONNX Runtime INT8"),
         ("pytorch-fp32", "PyTorch 1.13 eager FP32 NCHW"), ("pytorch-fp32-cl", "PyTorch 1.13 eager FP32 channels-last"),
         ("pytorch-bf16", "PyTorch 1.13 eager bf16 NCHW"), ("pytorch-bf16-cl", "PyTorch 1.13 eager bf16 channels-last")]
med = lambda k: statistics.median(vals[k]) if vals.get(k) else None
for run in dict.fromkeys(k[0] for k in vals):
    print()
    print(f"{archs.get(run, '?')} ({run[0]}), {run[1]} thread{'s' if run[1] > 1 else ''} per system")
    print()
    print("| system | batch 1 | batch 8 | batch 64 | batch 64 vs PyTorch eager FP32, faster layout |")
    print("|---|---|---|---|---|")
    ref = med(best_peer(run, 64)) if best_peer(run, 64) else None
    for system, name in names:
        if not any(vals.get((run, system, b)) for b in (1, 8, 64)):
            continue
        cells = []
        for b in (1, 8, 64):
            v = vals.get((run, system, b), [])
            cells.append(f"{statistics.median(v):.0f} ({', '.join(f'{x:.0f}' for x in v)})" if v else "-")
        mine = med((run, system, 64))
        ratio = f"{mine / ref:.2f}" if mine and ref else "-"
        print(f"| {name} | {' | '.join(cells)} | {ratio} |")
    for b in (1, 8, 64):
        k = best_peer(run, b)
        if k and med((run, "torch", b)):
            print(f"batch {b}: imgclass libtorch FP32 / PyTorch FP32 ({'channels-last' if k[1].endswith('-cl') else 'NCHW'}, its faster layout here) = {med((run, 'torch', b)) / med(k):.2f}")
    k = best_peer(run, 64)
    a, p = per_round[(run, "onnx-int8", 64)], per_round[k] if k else {}
    ratios = [a[r] / p[r] for r in sorted(a) if r in p]
    if ratios:
        m = statistics.median(ratios)
        print()
        print(f"ONNX Runtime INT8 / PyTorch eager FP32 at batch 64, within each round: "
              f"{', '.join(f'{x:.2f}' for x in ratios)}; median {m:.2f}; "
              f"target >= 2: {'met' if m >= 2 else 'NOT met'}")
PY
