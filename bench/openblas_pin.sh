#!/usr/bin/env bash
# Eager libtorch FP32 inference with OpenBLAS pinned by the library (OPENBLAS_NUM_THREADS unset)
# against OpenBLAS's own thread pool (OPENBLAS_NUM_THREADS=2, what an unpinned process gets on 2
# cores), interleaved rounds. Usage: bench/openblas_pin.sh RUN_DIR [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
run="$1"; rounds="${2:-3}"
echo "# batch-1/8/64 eager libtorch FP32 inference, $run, 2 threads"
echo "# machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $(date -u)"
for r in $(seq 1 "$rounds"); do
  for mode in pinned unpinned; do
    if [ "$mode" = pinned ]; then set -- env -u OPENBLAS_NUM_THREADS; else set -- env OPENBLAS_NUM_THREADS=2; fi
    "$@" ./imgclass bench --model "$run" --backend torch --batch-size 1,8,64 --iters 30 --warmup 5 --threads 2 --json >/tmp/imgclass-bench.json
    python3 -c "
import json
d = json.load(open('/tmp/imgclass-bench.json'))
print('round $r $mode', ' '.join('b%d p50 %.2f ms (%.0f img/s)' % (x['batch'], x['p50_ms'], x['img_per_s']) for x in d['results']))"
  done
done
