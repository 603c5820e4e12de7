#!/usr/bin/env bash
# A/B experiments, measured (issue 13): the replay harness `imgclass bench-experiments`.
#   bench/experiments/ab_bench.sh CONTROL.onnx TREATMENT.onnx SLOW.onnx
# CONTROL and TREATMENT: two Fashion-MNIST models of known accuracy (the A/B gap); SLOW: a model
# with the same classes and a higher latency (the guardrail run). Appends JSON lines to
# bench/results/$(date +%F)-experiments.jsonl. Run it alone on the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONTROL=${1:?control model}; TREATMENT=${2:?treatment model}; SLOW=${3:?slow model}
OUT=bench/results/$(date +%F)-experiments.jsonl
AA=${AA:-500} AB=${AB:-200} SERVER_AB=${SERVER_AB:-2} SERVER_AA=${SERVER_AA:-2}
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" | tee -a bench/out/ab/machine.txt

# 1. many experiments replayed in process on the models' real per-image correctness
./imgclass bench-experiments --mode offline --control "$CONTROL" --treatment "$TREATMENT" \
  --aa "$AA" --ab "$AB" --peek 100 --aa-max 20000 --ab-max 100000 --out "$OUT"

# 2. through a real server on loopback: A/B and A/A runs checked against the replay, a planted
#    45/55 split, a planted latency regression
./imgclass bench-experiments --mode server --control "$CONTROL" --treatment "$TREATMENT" \
  --slow "$SLOW" --server-ab "$SERVER_AB" --server-aa "$SERVER_AA" --server-max 100000 --out "$OUT"

# 3. kill -9 under load: a served experiment, the server killed, restarted, events counted
WORK=$(mktemp -d); STORE=$WORK/store; TOKEN=$WORK/token
umask 077; head -c 24 /dev/urandom | base64 > "$TOKEN"; umask 022
./imgclass store add --store "$STORE" --name fashion "$CONTROL" >/dev/null
./imgclass store add --store "$STORE" --name fashion "$TREATMENT" >/dev/null
start_server() {
  ./imgclass serve --store "$STORE" --port 18480 --admin-port 18481 --admin-token-file "$TOKEN" \
    --events-flush-ms 1000 > "$WORK/serve.out" 2> "$WORK/serve$1.err" &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18480/v2/health/ready >/dev/null && return; sleep 0.2; done
  echo "server did not start" >&2; exit 1
}
start_server 1
curl -sf -X POST http://127.0.0.1:18481/admin/v1/experiments -H "Authorization: Bearer $(cat "$TOKEN")" \
  -d '{"id":"kill9","model":"fashion","arms":[{"name":"control","version":1,"weight":1},{"name":"treatment","version":2,"weight":1}]}' >/dev/null
./imgclass bench-experiments --mode load --url http://127.0.0.1:18480 --seconds 45 --clients 4 \
  --acks "$WORK/acks.txt" --out "$OUT" 2> "$WORK/load.err" &
LOAD=$!
# under load until 3,000 requests are answered (or 30 s), then SIGKILL
for _ in $(seq 1 300); do [ "$(wc -l < "$WORK/acks.txt" 2>/dev/null || echo 0)" -ge 3000 ] && break; sleep 0.1; done
KILL_MS=$(date +%s%3N); kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null || true
sleep 1; kill "$LOAD" 2>/dev/null || true; wait "$LOAD" 2>/dev/null || true
./imgclass bench-experiments --mode verify --acks "$WORK/acks.txt" --events "$STORE/_events/events.db" \
  --flush-ms 1000 --kill-ms "$KILL_MS" --out "$OUT"
start_server 2
curl -sf http://127.0.0.1:18480/v1/experiments/kill9 | python3 -c '
import json,sys; r=json.load(sys.stdin)
print(json.dumps({"bench":"ab-kill9-restart","state":r["state"],"period":r["period"],
  "exposures":sum(a["exposures"] for a in r["arms"])}))' | tee -a "$OUT"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
rm -rf "$WORK"
