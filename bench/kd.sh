#!/usr/bin/env bash
# Knowledge distillation on Fashion-MNIST: a teacher, then the student trained alone and distilled
# from the teacher with the same recipe and epochs, for each seed; McNemar's test of each pair
# (imgclass compare, student alone as A, distilled as B).
# usage: bench/kd.sh TEACHER_MODEL TEACHER_EPOCHS STUDENT_MODEL STUDENT_EPOCHS SEED...
# e.g.   bench/kd.sh resnet56 10 resnet20 10 42 43
#        bench/kd.sh resnet20 10 mobilenetv3_small_050 5 42 43   (with OUT holding t-resnet20-e10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$(mktemp -d)}"
teacher="$1"; tepochs="$2"; student="$3"; sepochs="$4"; shift 4
grep -m1 "model name" /proc/cpuinfo
T="$OUT/t-$teacher-e$tepochs"
[ -f "$T/model.json" ] || "$ROOT/imgclass" train --data fashion-mnist --model "$teacher" \
  --epochs "$tepochs" --seed 42 --out "$T"
for seed in "$@"; do
  A="$OUT/$student-e$sepochs-s$seed"
  B="$OUT/kd-$student-e$sepochs-s$seed"
  [ -f "$A/model.json" ] || "$ROOT/imgclass" train --data fashion-mnist --model "$student" \
    --epochs "$sepochs" --seed "$seed" --out "$A"
  [ -f "$B/model.json" ] || "$ROOT/imgclass" train --data fashion-mnist --model "$student" \
    --epochs "$sepochs" --seed "$seed" --teacher "$T" --out "$B"
  echo "== seed $seed: $student alone (A) vs distilled from $teacher (B)"
  "$ROOT/imgclass" compare "$A" "$B" --data fashion-mnist
done
