#!/usr/bin/env bash
# Input pipeline throughput: images/s of imgclass's data pipeline (safe decode, resize, augment,
# normalize on a worker pool; and from the in-memory cache) against one thread of plain ImageIO
# decoding the same files. The folder of 224x224 JPEGs (quality 90) is made reproducibly from
# Fashion-MNIST by data_pipeline_images.py under bench/out/. Measurements are interleaved round by
# round inside one JVM; the raw JSON, the machine and the load before and after go to results/.
#
#   bench/data_pipeline.sh [ROUNDS] [IMAGES]     (needs: python3-pil, python3-numpy,
#                                                 dataset-fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
COUNT=${2:-2000}
DATA=bench/out/jpeg224-$COUNT
STAMP=$(date +%Y-%m-%d-%H%M)
RAW=bench/results/$STAMP-data_pipeline.json
LOG=bench/results/$STAMP-data_pipeline.txt
if [ ! -f "$DATA/.done" ]; then
  rm -rf "$DATA"
  /usr/bin/python3 bench/data_pipeline_images.py "$DATA" "$COUNT"
  touch "$DATA/.done"
fi
./imgclass models > /dev/null   # build first, outside the timed runs
CMD=(./imgclass bench-data --data "$DATA" --size 224 --batch-size 64 --workers 1,2
     --augment standard --rounds "$ROUNDS" --json)
{
  echo "date: $(date -Iseconds)"
  echo "command: ${CMD[*]}"
  echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "uptime before: $(uptime)"
} > "$LOG"
"${CMD[@]}" > "$RAW"
echo "uptime after: $(uptime)" >> "$LOG"
/usr/bin/python3 - "$RAW" >> "$LOG" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["cache"]
print(f"\n{d['images']} JPEGs ({d['file_bytes'] / d['images'] / 1024:.1f} KiB on average), read at "
      f"{'x'.join(map(str, d['shape']))}; batch {d['batch_size']}; augment {d['augment']}; "
      f"{d['cores']} cores; ImageIO.read's reader: {d['imageio_reader']}")
print(f"cache built once on {c['workers']} workers: {c['seconds']:.1f} s ({c['img_per_s']:.0f} img/s); "
      f"{d['warmup_rounds']} untimed warm-up round(s), {d['rounds']} timed\n")
print("| measurement | threads | median img/s | vs ImageIO.read | cores used | img per CPU-s | per CPU-s vs ImageIO | rounds (img/s) |")
print("|---|---|---|---|---|---|---|---|")
base_cpu = d["results"][0]["median_img_per_cpu_s"]
med = lambda v: sorted(v)[len(v) // 2] if len(v) % 2 else sum(sorted(v)[len(v) // 2 - 1:len(v) // 2 + 1]) / 2
for r in d["results"]:
    each = ", ".join(f"{x:.0f}" for x in r["img_per_s"])
    print(f"| {r['what']} | {r['threads']} | {r['median']:.0f} | {r['vs_imageio']:.2f} | "
          f"{med(r['cores_used']):.2f} | {r['median_img_per_cpu_s']:.0f} | "
          f"{r['median_img_per_cpu_s'] / base_cpu:.2f} | {each} |")
PY
cat "$LOG"
