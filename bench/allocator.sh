#!/usr/bin/env bash
# The native allocator (issue 15), side by side in one run: imgclass's eager libtorch inference
# (`imgclass bench --backend torch`, FP32) with
#   product  - what imgclass now does by itself (engine.NativeAllocator: mallopt at engine start),
#   env      - the same settings forced from outside (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_/MALLOC_TOP_PAD_),
#   glibc    - glibc's defaults (-Dimgclass.allocator=glibc), what every earlier result ran with,
# and the fair PyTorch 1.13 peer (bench/peer_pytorch.py, Debian python3-torch) under the forced
# settings, in NCHW and channels-last (its best layout is what counts). Rounds alternate the order
# of the systems. img/s = batch / median latency over ITERS runs.
# Usage: [THREADS=2] [ITERS=200] bench/allocator.sh RUN_DIR [ROUNDS]   (RUN_DIR: a resnet20 run)
set -euo pipefail
cd "$(dirname "$0")/.."
run="$1"; rounds="${2:-3}"
threads="${THREADS:-2}"; iters="${ITERS:-200}"
out=bench/out/allocator.jsonl
mkdir -p bench/out; : > "$out"
./imgclass models > /dev/null # build outside the timed runs
source bench/malloc_env.sh # FORCE
echo "# allocator: $run, FP32 eager, batch 1,8,64, $threads threads, $iters iters; machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
ours() { # mode
  case $1 in
    product) ./imgclass bench --model "$run" --backend torch --batch 1,8,64 --iters "$iters" --threads "$threads" --json ;;
    env) "${FORCE[@]}" ./imgclass bench --model "$run" --backend torch --batch 1,8,64 --iters "$iters" --threads "$threads" --json ;;
    glibc) IMGCLASS_JAVA_OPTS=-Dimgclass.allocator=glibc ./imgclass bench --model "$run" --backend torch --batch 1,8,64 --iters "$iters" --threads "$threads" --json ;;
  esac
}
peer() { # layout
  local cl=(); [ "$1" = channels_last ] && cl=(--channels-last)
  "${FORCE[@]}" /usr/bin/python3 bench/peer_pytorch.py --model resnet20 --threads "$threads" --precision fp32 \
    --no-train --infer-batches 1,8,64 --infer-iters "$iters" --json "${cl[@]}"
}
for r in $(seq 1 "$rounds"); do
  order="product env glibc peer-nchw peer-cl"
  [ $((r % 2)) = 0 ] && order="peer-cl peer-nchw glibc env product"
  for s in $order; do
    case $s in
      peer-nchw) peer nchw | while read -r l; do echo "{\"round\":$r,\"system\":\"pytorch-nchw\",\"r\":$l}"; done >> "$out" ;;
      peer-cl) peer channels_last | while read -r l; do echo "{\"round\":$r,\"system\":\"pytorch-channels-last\",\"r\":$l}"; done >> "$out" ;;
      *) echo "{\"round\":$r,\"system\":\"imgclass-$s\",\"r\":$(ours "$s" | tr -d '\n')}" >> "$out" ;;
    esac
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ips = {}
alloc = {}
for row in rows:
    s, r = row["system"], row["r"]
    if s.startswith("imgclass"):
        alloc[s] = r.get("native_allocator")
        for res in r["results"]:
            ips.setdefault((s, res["batch"]), []).append(res["img_per_s"])
    elif r.get("kind") == "infer" or "batch" in r:
        if r.get("kind", "infer") != "infer":
            continue
        ips.setdefault((s, r["batch"]), []).append(r["img_per_s"])
systems = ["imgclass-product", "imgclass-env", "imgclass-glibc", "pytorch-nchw", "pytorch-channels-last"]
print("| system | allocator | batch 1 img/s | batch 8 img/s | batch 64 img/s |")
print("|---|---|---|---|---|")
for s in systems:
    a = alloc.get(s, "MALLOC_MMAP_THRESHOLD_=MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=67108864")
    cells = []
    for b in (1, 8, 64):
        v = ips.get((s, b), [])
        cells.append("%.0f (%s)" % (statistics.median(v), ", ".join("%.0f" % x for x in v)) if v else "-")
    print("| %s | %s | %s |" % (s, a, " | ".join(cells)))
def med(s, b):
    v = ips.get((s, b), [])
    return statistics.median(v) if v else float("nan")
for b in (1, 8, 64):
    best_peer = max(med("pytorch-nchw", b), med("pytorch-channels-last", b))
    print("batch %d: product / env %.2f, product / glibc %.2f, product / best PyTorch layout %.2f"
          % (b, med("imgclass-product", b) / med("imgclass-env", b), med("imgclass-product", b) / med("imgclass-glibc", b),
             med("imgclass-product", b) / best_peer))
PY
