#!/usr/bin/env bash
# Two imgclass builds side by side with the fair PyTorch peer, eager libtorch FP32 inference
# (`imgclass bench --backend torch`) at batch 1, 8 and 64: for changes to the eager inference path
# (e.g. NoGradGuard -> InferenceMode). Each build is a checkout built with `mvn package`; both run
# with the product's allocator, the peer with MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_/MALLOC_TOP_PAD_ forced
# (ANCHORS.md "The allocator"), in NCHW and channels-last. Rounds alternate the order.
# OLD_OPTS / NEW_OPTS are IMGCLASS_JAVA_OPTS for each side, so one checkout can be A/B'd against
# itself under two settings (e.g. NEW_OPTS=-Dimgclass.channelsLast=true).
# Usage: [THREADS=2] [ITERS=200] [OLD_OPTS=..] [NEW_OPTS=..] bench/eager_ab.sh OLD_CHECKOUT NEW_CHECKOUT RUN_DIR [ROUNDS]
set -euo pipefail
old="$1"; new="$2"; run="$(realpath "$3")"; rounds="${4:-3}"
threads="${THREADS:-2}"; iters="${ITERS:-200}"
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/bench/out/eager_ab.jsonl"; mkdir -p "$here/bench/out"; : > "$out"
for c in "$old" "$new"; do "$c/imgclass" models > /dev/null; done # build outside the timed runs
source "$here/bench/malloc_env.sh" # FORCE
echo "# eager A/B: old $(git -C "$old" log --oneline -1 | cut -c1-60) ${OLD_OPTS:-} | new $(git -C "$new" log --oneline -1 | cut -c1-60) ${NEW_OPTS:-}"
echo "# $run, FP32 eager, batch 1,8,64, $threads threads, $iters iters; $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), family $(grep -m1 'cpu family' /proc/cpuinfo | awk '{print $NF}'), $(nproc) cores; $(date -u)"
ours() { IMGCLASS_JAVA_OPTS="$2" "$1/imgclass" bench --model "$run" --backend torch --batch 1,8,64 --iters "$iters" --threads "$threads" --json | tr -d '\n'; }
peer() {
  local cl=(); [ "$1" = channels_last ] && cl=(--channels-last)
  "${FORCE[@]}" /usr/bin/python3 "$here/bench/peer_pytorch.py" --model resnet20 --threads "$threads" --precision fp32 \
    --no-train --infer-batches 1,8,64 --infer-iters "$iters" --json "${cl[@]}"
}
for r in $(seq 1 "$rounds"); do
  order="old new peer-nchw peer-cl"
  [ $((r % 2)) = 0 ] && order="peer-cl peer-nchw new old"
  for s in $order; do
    case $s in
      old) echo "{\"round\":$r,\"system\":\"imgclass-old\",\"r\":$(ours "$old" "${OLD_OPTS:-}")}" >> "$out" ;;
      new) echo "{\"round\":$r,\"system\":\"imgclass-new\",\"r\":$(ours "$new" "${NEW_OPTS:-}")}" >> "$out" ;;
      peer-nchw) peer nchw | while read -r l; do echo "{\"round\":$r,\"system\":\"pytorch-nchw\",\"r\":$l}"; done >> "$out" ;;
      peer-cl) peer channels_last | while read -r l; do echo "{\"round\":$r,\"system\":\"pytorch-channels-last\",\"r\":$l}"; done >> "$out" ;;
    esac
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
ips = {}
for row in (json.loads(l) for l in open(sys.argv[1]) if l.strip()):
    s, r = row["system"], row["r"]
    if s.startswith("imgclass"):
        for res in r["results"]:
            ips.setdefault((s, res["batch"]), []).append(res["img_per_s"])
    elif r.get("kind", "infer") == "infer" and "batch" in r:
        ips.setdefault((s, r["batch"]), []).append(r["img_per_s"])
systems = ["imgclass-old", "imgclass-new", "pytorch-nchw", "pytorch-channels-last"]
print("| system | batch 1 img/s | batch 8 img/s | batch 64 img/s |")
print("|---|---|---|---|")
med = lambda s, b: statistics.median(ips[(s, b)]) if ips.get((s, b)) else float("nan")
for s in systems:
    print("| %s | %s |" % (s, " | ".join("%.0f (%s)" % (med(s, b), ", ".join("%.0f" % x for x in ips.get((s, b), [])))
                                          for b in (1, 8, 64))))
for b in (1, 8, 64):
    best = max(med("pytorch-nchw", b), med("pytorch-channels-last", b))
    print("batch %d: new / old %.2f, old / best PyTorch layout %.2f, new / best PyTorch layout %.2f"
          % (b, med("imgclass-new", b) / med("imgclass-old", b), med("imgclass-old", b) / best, med("imgclass-new", b) / best))
PY
