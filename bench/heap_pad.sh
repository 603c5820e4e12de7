#!/usr/bin/env bash
# The top pad (issue 15): imgclass's training and eager inference with the product's allocator
# settings (engine.NativeAllocator: mmap and trim thresholds 2 GiB and M_TOP_PAD 64 MiB) against
# the settings it had before the top pad, the two thresholds alone, forced from outside
# (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_; with any MALLOC_* variable set the product leaves
# malloc alone). Every measurement is its own process, because the failure this measures is per
# process: a Java thread allocates from a per-thread arena of 64 MiB heaps, and glibc unmaps an
# emptied heap whatever the trim threshold says. Each process also records its page faults and
# munmap calls (perf stat; "-" when perf is missing or not permitted). Rounds alternate the order.
# Usage: [STEPS=60] bench/heap_pad.sh [ROUNDS] [RUN_DIR]   (RUN_DIR: a resnet20 run, adds eager
#        inference at batch 1, 8 and 64)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-6}"; run="${2:-}"; steps="${STEPS:-60}"
out=bench/out/heap_pad.jsonl
mkdir -p bench/out; : > "$out"
./imgclass models > /dev/null # build outside the timed runs
OLD=(env MALLOC_MMAP_THRESHOLD_=2147483647 MALLOC_TRIM_THRESHOLD_=2147483647)
PERF=()
if command -v perf > /dev/null && perf stat -e page-faults,syscalls:sys_enter_munmap -o /dev/null true 2> /dev/null; then
  PERF=(perf stat -x, -e page-faults,syscalls:sys_enter_munmap -o bench/out/heap_pad.perf)
fi
echo "# heap pad: resnet20, batch 128 training ($steps steps) at fp32 and bf16${run:+, eager FP32 inference of $run}, 2 threads; $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), family $(lscpu | sed -n 's/^CPU family: *//p'), $(nproc) cores; $(git describe --always --dirty); $(date -u)"
one() { # system kind(precision|infer) -> one JSON line
  local sys=$1 kind=$2 cmd
  if [ "$kind" = infer ]; then
    cmd=(./imgclass bench --model "$run" --backend torch --batch 1,8,64 --iters 200 --threads 2 --json)
  else
    cmd=(./imgclass bench-train --precision "$kind" --threads 2 --steps "$steps")
  fi
  [ "$sys" = thresholds ] && cmd=("${OLD[@]}" "${cmd[@]}")
  local res
  res=$("${PERF[@]}" "${cmd[@]}" | tr -d '\n')
  local faults=null munmaps=null
  if [ ${#PERF[@]} -gt 0 ]; then
    faults=$(awk -F, '$3=="page-faults"{print $1}' bench/out/heap_pad.perf)
    munmaps=$(awk -F, '$3 ~ /munmap/{print $1}' bench/out/heap_pad.perf)
  fi
  echo "{\"round\":$r,\"system\":\"$sys\",\"kind\":\"$kind\",\"page_faults\":${faults:-null},\"munmaps\":${munmaps:-null},\"r\":$res}"
}
kinds="fp32 bf16"; [ -n "$run" ] && kinds="$kinds infer"
for r in $(seq 1 "$rounds"); do
  order="product thresholds"; [ $((r % 2)) = 0 ] && order="thresholds product"
  for k in $kinds; do for s in $order; do one "$s" "$k" >> "$out"; done; done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def speed(row):
    r = row["r"]
    if row["kind"] == "infer":
        return {b["batch"]: b["img_per_s"] for b in r["results"]}
    return {"train": r["img_per_s"]}
alloc = {row["system"]: row["r"].get("native_allocator") for row in rows}
fmt = lambda xs: "%.0f (%s)" % (statistics.median(xs), ", ".join("%.0f" % x for x in xs)) if xs else "-"
label = lambda kind, m: "train %s" % kind if m == "train" else "eager FP32 batch %s" % m
print("| system | allocator | measure | img/s median (each process) | page faults median (each) | munmap calls median (each) |")
print("|---|---|---|---|---|---|")
med = {}
for kind in ("fp32", "bf16", "infer"):
    for sys_ in ("product", "thresholds"):
        sel = [r for r in rows if r["kind"] == kind and r["system"] == sys_]
        if not sel:
            continue
        faults = fmt([r["page_faults"] for r in sel if r["page_faults"] is not None])
        munmaps = fmt([r["munmaps"] for r in sel if r["munmaps"] is not None])
        for m in sorted({m for r in sel for m in speed(r)}, key=str):
            v = [speed(r)[m] for r in sel]
            med[(kind, m, sys_)] = statistics.median(v)
            print("| %s | %s | %s | %s | %s | %s |" % (sys_, alloc[sys_], label(kind, m), fmt(v), faults, munmaps))
for (kind, m, s), v in sorted(med.items(), key=str):
    if s == "product" and (kind, m, "thresholds") in med:
        print("%s: product / thresholds alone %.2f" % (label(kind, m), v / med[(kind, m, "thresholds")]))
PY
