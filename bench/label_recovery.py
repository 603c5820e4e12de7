#!/usr/bin/env python3
"""Share of the accuracy lost to planted label noise that a correction policy recovers (issue 14).

Reads the eval.json of the retrain runs written by bench/label_retrain.sh (clean, noisy) and
bench/label_retrain_policies.sh (one policy), per seed, and prints test top-1 per run, the
recovery per seed, (corrected - noisy) / (clean - noisy), and the recovery of the seed means.
Usage: bench/label_recovery.py OUT_DIR SEARCH_NAME POLICY EPOCHS SEED...
e.g.   bench/label_recovery.py bench/out/label-noise search-e8-f4 0.5-exclude 5 42 43
"""
import json, os, sys

out, search, policy, epochs = sys.argv[1:5]
seeds = sys.argv[5:]


def top1(run):
    with open(os.path.join(out, run, "eval.json")) as f:
        return 100.0 * json.load(f)["top1"]


rows = []
print("| seed | clean | noisy | %s | lost (pt) | recovered (pt) | share |" % policy)
print("|---|---|---|---|---|---|---|")
for s in seeds:
    sfx = "" if s == "42" else "-s" + s
    c = top1("retrain-clean-e%s%s" % (epochs, sfx))
    n = top1("retrain-noisy-e%s%s" % (epochs, sfx))
    p = top1("retrain-policy-%s-e%s-%s%s" % (policy, epochs, search, sfx))
    rows.append((c, n, p))
    print("| %s | %.2f %% | %.2f %% | %.2f %% | %.2f | %.2f | %.0f %% |" % (s, c, n, p, c - n, p - n, 100 * (p - n) / (c - n)))
m = [sum(r[i] for r in rows) / len(rows) for i in range(3)]
print("| mean | %.2f %% | %.2f %% | %.2f %% | %.2f | %.2f | **%.0f %%** |" % (m[0], m[1], m[2], m[0] - m[1], m[2] - m[1], 100 * (m[2] - m[1]) / (m[0] - m[1])))
