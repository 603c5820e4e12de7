#!/usr/bin/env python3
"""Scores variants of confident learning on a label-issues search of planted noise, from its
out_of_fold.safetensors (no retraining). Usage: bench/label_variants.py OUT SEARCH_DIR
(bench/label_issues.sh writes both: OUT=bench/out/label-noise, SEARCH_DIR=OUT/search-eE-fF)."""
import json, struct, csv, numpy as np, sys
out = sys.argv[1]
search = sys.argv[2]
raw = open(search + "/out_of_fold.safetensors", "rb").read()
n0 = struct.unpack("<Q", raw[:8])[0]; h = json.loads(raw[8:8+n0]); d = raw[8+n0:]
def get(name, dt):
    b, e = h[name]["data_offsets"]; return np.frombuffer(d[b:e], dtype=dt).reshape(h[name]["shape"])
P = get("probs", np.float32).astype(np.float64); y = get("labels", np.int64)
n, K = P.shape
truth = set(int(r["index"]) for r in csv.DictReader(open(out + "/fashion-mnist-noisy/flips.csv")))
def score(name, s):
    s = set(int(i) for i in s); tp = len(s & truth); p = tp/len(s) if s else 0; r = tp/len(truth)
    print("%-34s %6d  P %.3f R %.3f F1 %.3f" % (name, len(s), p, r, 2*p*r/(p+r) if p+r else 0))
t = np.array([P[y == j, j].mean() for j in range(K)])
above = P >= t
Pm = np.where(above, P, -1)
jstar = Pm.argmax(1); has = above.any(1)
C = np.zeros((K, K))
for i in range(n):
    if has[i]: C[y[i], jstar[i]] += 1
cnt = np.bincount(y, minlength=K)
Cc = C / C.sum(1, keepdims=True) * cnt[:, None]
Q = Cc / Cc.sum()
offdiag = [i for i in range(n) if has[i] and jstar[i] != y[i]]
score("confident joint off-diagonal", offdiag)
# prune by noise rate, no backfill (cleanlab-like: union of per-pair picks)
flag = set(); flag_bf = set()
for i in range(K):
    idx = np.where(y == i)[0]
    for j in range(K):
        if j == i: continue
        m = int(round(n * Q[i, j]))
        if m == 0: continue
        margin = P[idx, j] - P[idx, i]
        order = idx[np.argsort(-margin, kind="stable")]
        flag.update(order[:m].tolist())
        c = 0
        for e in order:
            if c >= m: break
            if e in flag_bf: continue
            flag_bf.add(int(e)); c += 1
score("prune by noise rate (backfill)", flag_bf)
score("prune by noise rate (no backfill)", flag)
score("both (no backfill & off-diagonal)", flag & set(offdiag))
score("disagrees", np.where(P.argmax(1) != y)[0])
print("estimated noise", 1 - np.trace(Q))
