#!/usr/bin/python3
"""Summarises bench/out/longtail/results.jsonl (written by bench/longtail.sh) as a Markdown table:
balanced accuracy (mean per-class recall) per remedy and seed, the mean, the gain over plain
cross-entropy, top-1, and the mean recall of the three rarest classes."""
import json
import sys
from collections import OrderedDict

path = sys.argv[1] if len(sys.argv) > 1 else "bench/out/longtail/results.jsonl"
rows = [json.loads(line) for line in open(path) if line.strip()]
by = OrderedDict()
for r in rows:
    by.setdefault(r["remedy"], []).append(r)
base = sum(r["balanced"] for r in by["ce"]) / len(by["ce"]) if "ce" in by else None
print("| remedy | balanced acc. per seed | mean balanced acc. | vs plain CE | mean top-1 | rarest 3 classes' recall |")
print("|---|---|---|---|---|---|")
for name, rs in by.items():
    rs.sort(key=lambda r: r["seed"])
    bal = [r["balanced"] for r in rs]
    mean = sum(bal) / len(bal)
    top1 = sum(r["top1"] for r in rs) / len(rs)
    tail = sum(sum(r["recall"][7:]) / 3 for r in rs) / len(rs)
    per_seed = ", ".join("%.2f%% (seed %d)" % (100 * r["balanced"], r["seed"]) for r in rs)
    delta = "—" if base is None or name == "ce" else "%+.2f pt" % (100 * (mean - base))
    print("| %s | %s | %.2f%% | %s | %.2f%% | %.2f%% |" % (name, per_seed, 100 * mean, delta, 100 * top1, 100 * tail))
