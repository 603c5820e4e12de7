#!/usr/bin/env bash
# Serving benchmarks on loopback (issue 12's "done when"), one step after another on a quiet
# machine: the server and the load generator share its cores, so nothing else may run.
#
#   [ROUNDS=3] [DUR=10] [WARM=15] bench/serve/serve_bench.sh [RUN_DIR] [SOAK_SECONDS]
#     RUN_DIR: a trained resnet20 run on Fashion-MNIST (default runs/demo-i10, from ./imgclass demo)
#     SOAK_SECONDS: length of the memory soak at 50 % load (default 600; 0 skips it)
#
# Steps: export INT8; in-process ONNX Runtime throughput (imgclass bench, batches 1..128, same
# thread counts 1 and 2); ROUNDS rounds (default 3) of: the server with dynamic batching on (store defaults) and off
# (max_batch_size 1) at saturation under wrk (1 thread, 64 connections, batch-1 V2 infer requests
# with one 28x28 image as JSON and as binary tensor data, and image-file requests on /v1 :classify); CPU seconds of server and wrk
# from /proc; open-loop latency at 50 % of the saturation rate (LoadGen.java); a hot swap under
# load; startup time; the RSS soak (before the hot swap, on the INT8 model). Raw outputs go to bench/out/serve/, a summary to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:-runs/demo-i10}
SOAK=${2:-600}
OUT=bench/out/serve
DUR=${DUR:-10}
WARM=${WARM:-15}
ROUNDS=${ROUNDS:-2}
SERVER_THREADS=${SERVER_THREADS:-"1 2"} # ONNX Runtime threads of the server in the rounds (1 is its default here)
CONNS=${CONNS:-64}
PORT=8090
ADMIN=8091
mkdir -p "$OUT"
rm -rf "$OUT"/store-*
log() { echo "== $*" >&2; }

./imgclass export --model "$RUN" --format onnx --int8 --calibration fashion-mnist --out "$OUT/model.int8.onnx" >"$OUT/export.txt"
./imgclass export --model "$RUN" --format onnx --out "$OUT/model.onnx" >>"$OUT/export.txt"
python3 bench/serve/v2_body.py 1 0.2863 0.354 "$OUT/v2_1.json"
V2BIN_LEN=$(python3 bench/serve/v2_body.py 1 0.2863 0.354 "$OUT/v2_1.bin" binary)
cp docs/samples/test0002-trouser.png "$OUT/image.png"
head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$OUT/token"; chmod 600 "$OUT/token"

for mode in on off; do
  ./imgclass store add --store "$OUT/store-$mode" --name fashion "$OUT/model.int8.onnx" >/dev/null
done
echo '{"max_batch_size": 1}' >"$OUT/store-off/fashion/config.json"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

start_server() { # store, extra args...
  local store=$1; shift
  local t0; t0=$(date +%s%N)
  ./imgclass serve --store "$store" --port $PORT --admin-port $ADMIN --admin-token-file "$OUT/token" --json "$@" >"$OUT/server.json" 2>"$OUT/server.err" &
  SERVER=$!
  until curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null; do
    kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.err" >&2; exit 1; }
    sleep 0.05
  done
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop_server() { kill -TERM "$SERVER"; wait "$SERVER" || true; }

saturate() { # label url body type [json header length] -> one JSON line
  local label=$1 url=$2 body=$3 type=$4
  export HEADER_LEN=${5:-}
  BODY=$body TYPE=$type wrk -t1 -c"$CONNS" -d"$WARM"s -s bench/serve/post.lua "$url" >/dev/null # JIT warm-up
  local s0 w0; s0=$(ticks "$SERVER")
  BODY=$body TYPE=$type wrk -t1 -c"$CONNS" -d"${DUR}s" -s bench/serve/post.lua "$url" >"$OUT/wrk-$label.txt" &
  local W=$!
  sleep 0.2; w0=$(ticks "$W")
  local w1; while kill -0 "$W" 2>/dev/null; do w1=$(ticks "$W" 2>/dev/null || echo "$w1"); sleep 0.5; done
  wait "$W"
  local s1; s1=$(ticks "$SERVER")
  local j; j=$(grep '^wrk_json' "$OUT/wrk-$label.txt" | cut -d' ' -f2-)
  python3 - "$label" "$j" "$(( s1 - s0 ))" "$(( w1 - w0 ))" "$HZ" "$DUR" <<'PY'
import json, sys
label, j, s, w, hz, dur = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
srv, gen = s / hz, w / hz
j.update(label=label, server_cpu_s=srv, wrk_cpu_s=gen, wrk_cpu_share=gen / (srv + gen),
         server_cpu_us_per_request=1e6 * srv / j["requests"], cores_busy=(srv + gen) / dur)
print(json.dumps(j))
PY
}

log "in-process ONNX Runtime (imgclass bench), INT8, 1 and 2 threads"
for t in 1 2; do
  ./imgclass bench --model "$OUT/model.int8.onnx" --batch 1,8,16,32,64,128 --iters 300 --warmup 30 --threads $t --json >"$OUT/inprocess-$t.json"
  python3 -c "
import json; d=json.load(open('$OUT/inprocess-$t.json'))
rows=d['results']; best=max(rows, key=lambda r: r['img_per_s'])
print(json.dumps({'label':'inprocess-threads-$t','best_batch':best['batch'],'img_per_s':round(best['img_per_s'],1),'all':{r['batch']:round(r['img_per_s']) for r in rows}}))"
done

for round in $(seq 1 "$ROUNDS"); do
  for threads in $SERVER_THREADS; do
    for mode in on off; do
      log "round $round: server, --threads $threads, dynamic batching $mode"
      start_server "$OUT/store-$mode" --threads "$threads"
      echo "{\"label\":\"startup-$mode\",\"round\":$round,\"ready_after_ms\":$STARTUP_MS,\"server\":$(cat "$OUT/server.json")}"
      saturate "v2-batching-$mode-t$threads" "http://127.0.0.1:$PORT/v2/models/fashion/infer" "$OUT/v2_1.json" application/json
      saturate "v2bin-batching-$mode-t$threads" "http://127.0.0.1:$PORT/v2/models/fashion/infer" "$OUT/v2_1.bin" application/octet-stream "$V2BIN_LEN"
      saturate "v1-png-batching-$mode-t$threads" "http://127.0.0.1:$PORT/v1/models/fashion:classify" "$OUT/image.png" image/png
      curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^imgclass_batch_size_(sum|count)' | sed "s/^/t$threads round $round: /" >>"$OUT/batch-$mode.txt"
      stop_server
    done
  done
done

log "open-loop latency at 50 % of the last round's saturation"
start_server "$OUT/store-on"
BODY="$OUT/v2_1.json" TYPE=application/json wrk -t1 -c"$CONNS" -d15s -s bench/serve/post.lua "http://127.0.0.1:$PORT/v2/models/fashion/infer" >/dev/null
RATE=$(python3 -c "import json;print(round(0.5*json.loads(open('$OUT/wrk-v2-batching-on-t1.txt').read().split('wrk_json ')[1])['rps']))")
java bench/serve/LoadGen.java "http://127.0.0.1:$PORT/v2/models/fashion/infer" "$OUT/v2_1.json" application/json "$RATE" 30 5 | sed 's/^{/{"label":"latency-v2-at-50pct",/'
RATE1=$(python3 -c "import json;print(round(0.5*json.loads(open('$OUT/wrk-v1-png-batching-on-t1.txt').read().split('wrk_json ')[1])['rps']))")
java bench/serve/LoadGen.java "http://127.0.0.1:$PORT/v1/models/fashion:classify" "$OUT/image.png" image/png "$RATE1" 30 5 | sed 's/^{/{"label":"latency-v1-png-at-50pct",/'

if [ "$SOAK" -gt 0 ]; then
  log "soak: $SOAK s at 50 % load, RSS every 10 s"
  java bench/serve/LoadGen.java "http://127.0.0.1:$PORT/v2/models/fashion/infer" "$OUT/v2_1.json" application/json "$RATE" "$SOAK" 5 >"$OUT/soak-load.json" &
  L=$!
  : >"$OUT/rss.txt"
  while kill -0 "$L" 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/{print $2}' "/proc/$SERVER/status")" >>"$OUT/rss.txt"; sleep 10
  done
  wait "$L"
  python3 - "$OUT/rss.txt" "$(cat "$OUT/soak-load.json")" <<'PY'
import json, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
t0 = rows[0][0]
after = [r for r in rows if r[0] - t0 >= 60]  # after a minute of warm-up
base = after[0][1]
rest = [r[1] for r in after]
print(json.dumps({"label": "soak", "samples": len(rows), "rss_after_warmup_mb": round(base / 1024, 1),
                  "rss_min_mb": round(min(rest) / 1024, 1), "rss_max_mb": round(max(rest) / 1024, 1),
                  "rss_last_mb": round(rest[-1] / 1024, 1),
                  "max_change_pct": round(100 * max(abs(x - base) for x in rest) / base, 2),
                  "load": json.loads(sys.argv[2])}))
PY
fi

log "hot swap under load"
BODY="$OUT/image.png" TYPE=image/png wrk -t1 -c16 -d16s -s bench/serve/post.lua "http://127.0.0.1:$PORT/v1/models/fashion:classify" >"$OUT/wrk-hotswap.txt" &
W=$!
sleep 4
./imgclass store add --store "$OUT/store-on" --name fashion "$OUT/model.int8.onnx" >/dev/null
SWAP=$(curl -s -X POST -H "Authorization: Bearer $(cat "$OUT/token")" "http://127.0.0.1:$ADMIN/admin/v1/models/fashion/load" -d '{}')
sleep 3
./imgclass store add --store "$OUT/store-on" --name fashion "$OUT/model.onnx" >/dev/null
chmod u+w "$OUT/store-on/fashion/3/model.onnx"; printf 'x' >>"$OUT/store-on/fashion/3/model.onnx"
BAD=$(curl -s -w ' %{http_code}' -X POST -H "Authorization: Bearer $(cat "$OUT/token")" "http://127.0.0.1:$ADMIN/admin/v1/models/fashion/load" -d '{"version": 3}')
wait "$W"
AFTER=$(curl -s -X POST -H 'Content-Type: image/png' --data-binary @"$OUT/image.png" "http://127.0.0.1:$PORT/v1/models/fashion:classify")
python3 - "$SWAP" "$BAD" "$AFTER" "$(grep '^wrk_json' "$OUT/wrk-hotswap.txt" | cut -d' ' -f2-)" <<'PY'
import json, sys
print(json.dumps({"label": "hotswap", "swap": json.loads(sys.argv[1]), "corrupt_v3": sys.argv[2][:200],
                  "served_after": json.loads(sys.argv[3])["model_version"], "wrk": json.loads(sys.argv[4])}))
PY
stop_server
