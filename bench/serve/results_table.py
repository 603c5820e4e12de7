"""Markdown tables from serve_bench.sh's JSON lines: python3 bench/serve/results_table.py RUN.jsonl"""
import json, statistics, sys, collections

rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = collections.defaultdict(list)
for r in rows:
    by[r["label"]].append(r)
inproc = {r["label"]: r for r in rows if r["label"].startswith("inprocess")}
med = lambda xs: statistics.median(xs)

print("In-process ONNX Runtime (`imgclass bench`, INT8 resnet20, 28x28), img/s by batch size:\n")
print("| threads | " + " | ".join(f"batch {b}" for b in inproc["inprocess-threads-1"]["all"]) + " | best |")
print("|---|" + "---|" * (len(inproc["inprocess-threads-1"]["all"]) + 1))
for t in (1, 2):
    r = inproc[f"inprocess-threads-{t}"]
    print(f"| {t} | " + " | ".join(str(v) for v in r["all"].values()) + f" | {r['img_per_s']:.0f} (batch {r['best_batch']}) |")
ref32 = {t: inproc[f"inprocess-threads-{t}"]["all"]["32"] for t in (1, 2)}
best2 = inproc["inprocess-threads-2"]["img_per_s"]

print("\nServer at saturation (wrk, 1 thread, 64 connections, batch-1 requests; median of rounds, each round in brackets):\n")
print("| endpoint | server threads | batching | req/s | vs in-process batch 32, same threads | vs in-process best (2 threads) | server CPU µs/request | wrk CPU share | cores busy | p99 ms (closed loop) |")
print("|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for ep, name in (("v2", "V2 infer (JSON tensor)"), ("v2bin", "V2 infer (binary tensor)"), ("v1-png", "V1 :classify (PNG file)")):
    for t in (1, 2):
        for mode in ("on", "off"):
            rs = by.get(f"{ep}-batching-{mode}-t{t}", [])
            if not rs:
                continue
            rps = med([r["rps"] for r in rs])
            ratios[(ep, t, mode)] = rps
            each = ", ".join(f"{r['rps']:.0f}" for r in rs)
            print(f"| {name} | {t} | {mode} | {rps:.0f} ({each}) | {rps / ref32[t]:.2f} | {rps / best2:.2f} | "
                  f"{med([r['server_cpu_us_per_request'] for r in rs]):.0f} | {med([r['wrk_cpu_share'] for r in rs]):.3f} | "
                  f"{med([r['cores_busy'] for r in rs]):.2f} | {med([r['p99_ms'] for r in rs]):.1f} |")
print("\nDynamic batching on / off at saturation:\n")
print("| endpoint | server threads | on / off |")
print("|---|---|---|")
for ep in ("v2", "v2bin", "v1-png"):
    for t in (1, 2):
        if (ep, t, "on") in ratios and (ep, t, "off") in ratios:
            print(f"| {ep} | {t} | {ratios[(ep, t, 'on')] / ratios[(ep, t, 'off')]:.2f} |")
print("\nOpen-loop latency at 50 % of the saturation rate (LoadGen, 32 connections, 30 s after 5 s warm-up; server defaults):\n")
print("| endpoint | rate req/s | achieved | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |")
print("|---|---|---|---|---|---|---|---|---|")
for lab in ("latency-v2-at-50pct", "latency-v1-png-at-50pct"):
    for r in by.get(lab, []):
        print(f"| {lab.split('-')[1]} | {r['rate_target']:.0f} | {r['achieved_per_s']:.0f} | {r['errors']} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['p999_ms']:.2f} | {r['max_ms']:.2f} |")
for r in by.get("hotswap", []):
    w = r["wrk"]
    print(f"\nHot swap under load (wrk 16 connections, 16 s, swap at 4 s, damaged version at 7 s): {w['requests']} requests, "
          f"{w['non2xx']} non-2xx, {w['errors_connect'] + w['errors_read'] + w['errors_timeout']} socket errors; load took "
          f"{r['swap']['load_ms']} ms; served after: version {r['served_after']}; damaged version answer: `{r['corrupt_v3'][:120]}…`")
for r in by.get("soak", []):
    l = r["load"]
    print(f"\nSoak: {r['samples']} RSS samples over the run at {l['rate_target']:.0f} req/s ({l['sent']} requests, {l['errors']} errors, "
          f"p99 {l['p99_ms']:.1f} ms): RSS after 1 minute {r['rss_after_warmup_mb']} MB, min {r['rss_min_mb']}, max {r['rss_max_mb']}, "
          f"last {r['rss_last_mb']} MB — largest change {r['max_change_pct']} % of the post-warm-up value.")
st = [r["ready_after_ms"] for r in rows if r["label"].startswith("startup")]
js = [r["server"]["startup_ms"] for r in rows if r["label"].startswith("startup")]
if st:
    print(f"\nStartup with one model: ready (first 200 from /v2/health/ready, from launching `./imgclass serve`, JVM start included) "
          f"median {med(st):.0f} ms (max {max(st)}); inside the JVM (store open, load, warm-up, both ports) median {med(js):.0f} ms.")
