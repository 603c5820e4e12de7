#!/usr/bin/env bash
# What logging every prediction costs the server: batch-1 V2 infer requests at saturation (wrk, 1
# thread, 64 connections) with the events store on (SQLite, the default) and off (--events none),
# alternating, ROUNDS rounds. Needs wrk (Debian package). Run it alone on the machine.
#   bench/serve/events_overhead.sh MODEL.onnx [ROUNDS] [DUR]
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:?model .onnx}; ROUNDS=${2:-2}; DUR=${3:-20}
OUT=bench/out/serve-events; rm -rf "$OUT"; mkdir -p "$OUT"
./imgclass store add --store "$OUT/store" --name fashion "$MODEL" >/dev/null
python3 bench/serve/v2_body.py 1 0.2863 0.354 "$OUT/v2_1.json"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p')), $(nproc) cores"
for r in $(seq 1 "$ROUNDS"); do
  for mode in on off; do
    extra=(); [ "$mode" = off ] && extra=(--events none)
    rm -rf "$OUT/store/_events"
    ./imgclass serve --store "$OUT/store" --port 18580 --threads 1 "${extra[@]}" > "$OUT/serve-$mode.out" 2> "$OUT/serve-$mode.err" &
    pid=$!
    for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18580/v2/health/ready >/dev/null && break; sleep 0.2; done
    BODY="$OUT/v2_1.json" TYPE=application/json wrk -t1 -c64 -d15s -s bench/serve/post.lua http://127.0.0.1:18580/v2/models/fashion/infer >/dev/null
    BODY="$OUT/v2_1.json" TYPE=application/json wrk -t1 -c64 -d"${DUR}s" -s bench/serve/post.lua http://127.0.0.1:18580/v2/models/fashion/infer > "$OUT/wrk-$mode-$r.txt"
    rps=$(sed -n 's/^Requests\/sec: *//p' "$OUT/wrk-$mode-$r.txt")
    answered=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$OUT/wrk-$mode-$r.txt")
    sleep 2
    metrics=$(curl -s http://127.0.0.1:18580/metrics)
    written=$(echo "$metrics" | sed -n 's/^imgclass_events_written \(.*\)/\1/p'); written=${written:-0}
    dropped=$(echo "$metrics" | sed -n 's/^imgclass_events_dropped \(.*\)/\1/p'); dropped=${dropped:-0}
    echo "{\"bench\":\"serve-events\",\"round\":$r,\"events\":\"$mode\",\"requests_per_second\":$rps,\"measured_requests\":$answered,\"events_written_incl_warmup\":$written,\"events_dropped\":$dropped}" | tee -a bench/results/$(date +%F)-serve-events.jsonl
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
