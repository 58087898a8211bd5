#!/usr/bin/env python3
"""Summarize one bench/run results directory.

  summarize.py RESULTS_DIR [--markdown]

Prints tables of SealStack's figures, moto's, and the ratio SealStack / moto. Writes
RESULTS_DIR/summary.json as well. Medians throughout; throughput p50/p99 are the medians
of the per-run percentiles.
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

RD = sys.argv[1]
MD = "--markdown" in sys.argv[2:]


def read_tsv(name):
    path = os.path.join(RD, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def col(rows, key):
    return [float(r[key]) for r in rows if float(r[key]) >= 0]


def stats(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    r = a / b
    return f"{r:.3g}x" if r >= 0.01 else f"{r:.2g}x"


def fmt_ms(s):
    if s is None:
        return "n/a"
    return f"{s['median'] / 1000:.2f} ({s['min'] / 1000:.2f}–{s['max'] / 1000:.2f})"


summary = {"start": {}, "memory": {}, "load": {}}

# ---- a. start time
start_rows = []
for key, name, label in [("sealstack-memory", "start-sealstack-memory.tsv", "SealStack --in-memory"),
                         ("sealstack-file", "start-sealstack-file.tsv", "SealStack --data-dir (fresh)"),
                         ("moto", "start-moto.tsv", "moto")]:
    rows = read_tsv(name)
    if rows is None:
        continue
    summary["start"][key] = {"ready_us": stats(col(rows, "ready_us")),
                             "health_us": stats(col(rows, "health_us")),
                             "exit_us": stats(col(rows, "exit_us"))}
moto_start = summary["start"].get("moto", {})

# ---- b. idle memory
for key, name in [("sealstack-memory", "mem-sealstack-memory.tsv"),
                  ("sealstack-file", "mem-sealstack-file.tsv"), ("moto", "mem-moto.tsv")]:
    rows = read_tsv(name)
    if rows is None:
        continue
    summary["memory"][key] = {k: stats(col(rows, k)) if k in rows[0] else None
                              for k in ("vmrss_kb", "vmhwm_kb", "rssanon_kb", "rssfile_kb",
                                        "pss_kb", "threads")}

# ---- c. throughput (and the KMS runs, same files per run)
def parse_run(path):
    """One wrk run: PATH is BASE.txt with a WRK_JSON line; BASE.servercpu/.wrkcpu/.midstatus."""
    text = open(path).read()
    jm = re.search(r"^WRK_JSON (.*)$", text, re.M)
    if not jm:
        return None
    j = json.loads(jm.group(1))
    base = path[:-4]
    cpu = None
    if os.path.exists(base + ".servercpu"):
        parts = open(base + ".servercpu").read().split()
        cpu = int(parts[1]) / int(parts[3])
    wrk_cpu = None
    if os.path.exists(base + ".wrkcpu"):
        try:
            u, s = open(base + ".wrkcpu").read().split()[-2:]
            wrk_cpu = float(u) + float(s)
        except ValueError:
            pass
    run = {"rps": j["requests"] / (j["duration_us"] / 1e6), "requests": j["requests"],
           "p50_us": j["latency_us"]["p50"], "p99_us": j["latency_us"]["p99"],
           "p999_us": j["latency_us"]["p999"], "max_us": j["latency_us"]["max"],
           "errors": sum(j["errors"].values()), "error_detail": j["errors"],
           "server_cpu_s": cpu, "wrk_cpu_s": wrk_cpu, "duration_s": j["duration_us"] / 1e6}
    if os.path.exists(base + ".midstatus"):
        st = parse_status(open(base + ".midstatus").read())
        run["mid_VmRSS"], run["mid_VmHWM"] = st.get("VmRSS"), st.get("VmHWM")
    return run


def parse_status(text):
    out = {}
    for k in ("VmRSS", "VmHWM", "Threads"):
        mm = re.search(k + r": (\d+)", text)
        out[k] = int(mm.group(1)) if mm else None
    return out


def aggregate(entry, status_path=None):
    runs = entry["runs"]
    entry["rps"] = statistics.median(r["rps"] for r in runs)
    entry["p50_us"] = statistics.median(r["p50_us"] for r in runs)
    entry["p99_us"] = statistics.median(r["p99_us"] for r in runs)
    entry["p999_max_us"] = max(r["p999_us"] for r in runs)
    entry["max_us"] = max(r["max_us"] for r in runs)
    entry["errors"] = sum(r["errors"] for r in runs)
    cpus = [r["server_cpu_s"] / r["requests"] * 1e6 for r in runs if r["server_cpu_s"] is not None and r["requests"]]
    entry["server_cpu_us_per_req"] = statistics.median(cpus) if cpus else None
    shares = [r["wrk_cpu_s"] / r["duration_s"] for r in runs if r["wrk_cpu_s"] is not None]
    entry["wrk_cores"] = statistics.median(shares) if shares else None
    server_cores = [r["server_cpu_s"] / r["duration_s"] for r in runs if r["server_cpu_s"] is not None]
    entry["server_cores"] = statistics.median(server_cores) if server_cores else None
    mids = [r["mid_VmRSS"] for r in runs if r.get("mid_VmRSS")]
    entry["mid_VmRSS"] = statistics.median(mids) if mids else None
    if status_path and os.path.exists(status_path):
        entry.update(parse_status(open(status_path).read()))
    return entry


for path in sorted(glob.glob(os.path.join(RD, "wrk-*-c*-run*.txt"))):
    m = re.match(r"wrk-(\w+)-c(\d+)-run(\d+)\.txt$", os.path.basename(path))
    server, clients = m.group(1), int(m.group(2))
    run = parse_run(path)
    if run is None:
        continue
    summary["load"].setdefault(server, {}).setdefault(str(clients), {"runs": []})["runs"].append(run)

for server, by_c in summary["load"].items():
    for c, entry in by_c.items():
        aggregate(entry, os.path.join(RD, f"load-status-{server}-c{c}.txt"))

# ---- d/e/g. KMS operations: kms-OP-SERVER-cN-runR.txt
summary["kms"] = {}
for path in sorted(glob.glob(os.path.join(RD, "kms-*-c*-run*.txt"))):
    m = re.match(r"kms-([a-z-]+)-(sealstack|moto)-c(\d+)-run(\d+)\.txt$", os.path.basename(path))
    if not m:
        continue
    run = parse_run(path)
    if run is None:
        continue
    op, server, clients = m.group(1), m.group(2), m.group(3)
    summary["kms"].setdefault(op, {}).setdefault(server, {}).setdefault(clients, {"runs": []})["runs"].append(run)
for op, by_server in summary["kms"].items():
    for server, by_c in by_server.items():
        for c, entry in by_c.items():
            aggregate(entry, os.path.join(RD, f"kms-{op}-{server}-c{c}.status"))

# ---- f. policy enforcement: kmspolicy-MODE-cN-runR.txt, and the micro-benchmark
summary["policy"] = {}
for path in sorted(glob.glob(os.path.join(RD, "kmspolicy-*-c*-run*.txt"))):
    m = re.match(r"kmspolicy-(\w+)-c(\d+)-run(\d+)\.txt$", os.path.basename(path))
    run = parse_run(path)
    if m and run:
        run["run"] = int(m.group(3))
        summary["policy"].setdefault(m.group(1), {"runs": [], "clients": int(m.group(2))})["runs"].append(run)
for mode, entry in summary["policy"].items():
    entry["runs"].sort(key=lambda r: r["run"])
    aggregate(entry, os.path.join(RD, f"kmspolicy-{mode}.status"))
micro = {"evaluate_ns": [], "decide_ns": []}
for path in sorted(glob.glob(os.path.join(RD, "policy-micro-run*.txt"))):
    text = open(path).read()
    for key, pat in (("evaluate_ns", r"policy Evaluate, 20 statements: ([\d.]+) ns"),
                     ("decide_ns", r"policy DecideKms, 20 statements: ([\d.]+) ns")):
        mm = re.search(pat, text)
        if mm:
            micro[key].append(float(mm.group(1)))
summary["policy_micro"] = {k: stats(v) for k, v in micro.items() if v}

# ---- h. S3 small objects: s3-OP-SSE-SIZE-SERVER-cN-runR.txt
summary["s3"] = {}
for path in sorted(glob.glob(os.path.join(RD, "s3-*-c*-run*.txt"))):
    m = re.match(r"s3-(put|get)-(s3|kms|c)-(\d+)-(sealstack|moto)-c(\d+)-run(\d+)\.txt$", os.path.basename(path))
    if not m:
        continue
    run = parse_run(path)
    if run is None:
        continue
    op, sse, size, server, clients = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    summary["s3"].setdefault(f"{op}-{sse}-{size}", {}).setdefault(server, {}).setdefault(
        clients, {"runs": []})["runs"].append(run)
for sc, by_server in summary["s3"].items():
    for server, by_c in by_server.items():
        for c, entry in by_c.items():
            aggregate(entry, os.path.join(RD, f"s3-{sc}-{server}-c{c}.status"))

# ---- i. S3 large objects: s3large-KIND-SSE-SIZE-SERVER-runR.json, s3-limits.json
summary["s3_large"] = {}
for path in sorted(glob.glob(os.path.join(RD, "s3large-*-run*.json"))):
    m = re.match(r"s3large-(single|multipart)-(kms|c|s3)-(\d+)-(sealstack|moto)-run(\d+)\.json$", os.path.basename(path))
    if not m:
        continue
    j = json.load(open(path))
    db = path[:-5] + ".datadir_bytes"
    if os.path.exists(db):
        try:
            j["datadir_bytes"] = int(open(db).read().split()[0])
        except (ValueError, IndexError):
            pass
    summary["s3_large"].setdefault(f"{m.group(1)}-{m.group(2)}-{m.group(3)}", {}).setdefault(
        m.group(4), []).append(j)
lim_path = os.path.join(RD, "s3-limits.json")
summary["s3_limits"] = json.load(open(lim_path)) if os.path.exists(lim_path) else {}

with open(os.path.join(RD, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)


# ---- print
def table(headers, rows):
    if MD:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(str(x)) for x in [h] + [r[i] for r in rows]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def med(s):
    return s["median"] if s else None


machine = open(os.path.join(RD, "machine.txt")).read() if os.path.exists(os.path.join(RD, "machine.txt")) else ""
if summary["start"]:
    print(("### " if MD else "== ") + "Start time, ms: median (min–max)" + ("" if MD else " =="))
    print()
    rows = []
    for metric, label in [("ready_us", "start → Ready line"), ("health_us", "start → first health 200"),
                          ("exit_us", "SIGTERM → exited")]:
        for key, name in [("sealstack-memory", "SealStack --in-memory"), ("sealstack-file", "SealStack --data-dir (fresh dir)")]:
            s = summary["start"].get(key, {}).get(metric)
            m = moto_start.get(metric)
            n = s["n"] if s else 0
            rows.append([f"{label}, {name} (n={n})", fmt_ms(s), fmt_ms(m), ratio(med(s), med(m))])
    print(table(["scenario", "SealStack", "moto", "SealStack/moto"], rows))
    print()
    if moto_start:
        print(("" if MD else "   ") + "moto: 'Ready' = werkzeug's \"Running on\" line; health = GET /moto-api/config; "
              f"n={moto_start['health_us']['n'] if moto_start.get('health_us') else 0}. "
              "SealStack: health = GET /_sealstack/health, polled once the Ready line gave the port.")
        print()

if summary["memory"]:
    print(("### " if MD else "== ") + "Idle memory 1 s after Ready (median)" + ("" if MD else " =="))
    print()
    rows = []
    moto_mem = summary["memory"].get("moto", {})
    for key, name in [("sealstack-memory", "SealStack --in-memory"), ("sealstack-file", "SealStack --data-dir")]:
        m = summary["memory"].get(key)
        if not m:
            continue
        for metric, label in [("vmrss_kb", "VmRSS"), ("vmhwm_kb", "VmHWM"),
                              ("rssanon_kb", "  of which RssAnon"), ("rssfile_kb", "  of which RssFile (shared libs)"),
                              ("pss_kb", "Pss (shared pages split)")]:
            if not m.get(metric):
                continue
            rows.append([f"{label}, {name}", f"{med(m[metric]) / 1024:.1f} MiB",
                         f"{med(moto_mem[metric]) / 1024:.1f} MiB" if moto_mem.get(metric) else "n/a",
                         ratio(med(m[metric]), med(moto_mem.get(metric)))])
        rows.append([f"threads, {name}", f"{med(m['threads']):.0f}",
                     f"{med(moto_mem['threads']):.0f}" if moto_mem else "n/a", ""])
    print(table(["scenario", "SealStack", "moto", "SealStack/moto"], rows))
    print()

if summary["load"]:
    print(("### " if MD else "== ") + "Signed STS GetCallerIdentity, wrk keep-alive, median of runs" + ("" if MD else " =="))
    print()
    rows = []
    ss, mo = summary["load"].get("sealstack", {}), summary["load"].get("moto", {})
    for c in sorted(set(ss) | set(mo), key=int):
        a, b = ss.get(c), mo.get(c)
        def f_rps(e): return f"{e['rps']:,.0f}" if e else "n/a"
        def f_lat(e): return f"{e['p50_us'] / 1000:.2f} / {e['p99_us'] / 1000:.2f}" if e else "n/a"
        rows.append([c,
                     f_rps(a), f_lat(a), f_rps(b), f_lat(b),
                     ratio(a and a["rps"], b and b["rps"]),
                     ratio(a and a["p50_us"], b and b["p50_us"]) + " / " + ratio(a and a["p99_us"], b and b["p99_us"]),
                     f"{a['errors'] if a else 'n/a'} / {b['errors'] if b else 'n/a'}"])
    print(table(["clients", "SealStack req/s", "SealStack p50/p99 ms", "moto req/s", "moto p50/p99 ms",
                 "req/s ratio", "p50/p99 ratio", "errors SS/moto"], rows))
    print()
    rows = []
    for c in sorted(set(ss) | set(mo), key=int):
        a, b = ss.get(c), mo.get(c)
        def f_cpu(e): return f"{e['server_cpu_us_per_req']:.1f}" if e and e.get("server_cpu_us_per_req") else "n/a"
        def f_cores(e): return (f"{e['server_cores']:.2f} / {e['wrk_cores']:.2f}"
                                if e and e.get("server_cores") is not None and e.get("wrk_cores") is not None else "n/a")
        def f_hwm(e): return f"{e['VmHWM'] / 1024:.1f} MiB ({e['Threads']} thr)" if e and e.get("VmHWM") else "n/a"
        rows.append([c, f_cpu(a), f_cpu(b), ratio(a and a.get("server_cpu_us_per_req"), b and b.get("server_cpu_us_per_req")),
                     f_cores(a), f_cores(b), f_hwm(a), f_hwm(b), ratio(a and a.get("VmHWM"), b and b.get("VmHWM"))])
    print(table(["clients", "SS server CPU µs/req", "moto server CPU µs/req", "CPU/req ratio",
                 "SS cores server/wrk", "moto cores server/wrk", "SS VmHWM after load", "moto VmHWM after load",
                 "VmHWM ratio"], rows))
    print()
    print(("" if MD else "   ") + "wrk and the server share the same cores; 'cores server/wrk' shows how the CPU was split.")


# ---- KMS
def f_rps(e): return f"{e['rps']:,.0f}" if e else "n/a"
def f_lat(e): return f"{e['p50_us'] / 1000:.2f} / {e['p99_us'] / 1000:.2f}" if e else "n/a"
def f_cpu(e): return f"{e['server_cpu_us_per_req']:.1f}" if e and e.get("server_cpu_us_per_req") else "n/a"
def f_cores(e): return (f"{e['server_cores']:.2f} / {e['wrk_cores']:.2f}"
                        if e and e.get("server_cores") is not None and e.get("wrk_cores") is not None else "n/a")
def f_mib(kb): return f"{kb / 1024:.1f} MiB" if kb else "n/a"


OP_NAMES = {"encrypt": "KMS Encrypt, 1 KiB plaintext", "decrypt": "KMS Decrypt of that ciphertext",
            "generate-data-key": "KMS GenerateDataKey, AES_256"}
for op in [o for o in ("encrypt", "decrypt", "generate-data-key") if o in summary["kms"]] + \
          [o for o in summary["kms"] if o not in OP_NAMES]:
    ss, mo = summary["kms"][op].get("sealstack", {}), summary["kms"][op].get("moto", {})
    print(("### " if MD else "== ") + OP_NAMES.get(op, op) + ", wrk keep-alive, median of runs" + ("" if MD else " =="))
    print()
    rows = []
    for c in sorted(set(ss) | set(mo), key=int):
        a, b = ss.get(c), mo.get(c)
        rows.append([c, f_rps(a), f_lat(a), f_rps(b), f_lat(b),
                     ratio(a and a["rps"], b and b["rps"]),
                     ratio(a and a["p50_us"], b and b["p50_us"]) + " / " + ratio(a and a["p99_us"], b and b["p99_us"]),
                     f"{a['errors'] if a else 'n/a'} / {b['errors'] if b else 'n/a'}"])
    print(table(["clients", "SealStack ops/s", "SealStack p50/p99 ms", "moto ops/s", "moto p50/p99 ms",
                 "ops/s ratio", "p50/p99 ratio", "errors SS/moto"], rows))
    print()
    rows = []
    for c in sorted(set(ss) | set(mo), key=int):
        a, b = ss.get(c), mo.get(c)
        rows.append([c, " ".join(f"{r['rps']:,.0f}" for r in a["runs"]) if a else "n/a",
                     f"{a['p999_max_us'] / 1000:.1f} / {a['max_us'] / 1000:.1f}" if a else "n/a",
                     f_cpu(a), f_cpu(b), ratio(a and a.get("server_cpu_us_per_req"), b and b.get("server_cpu_us_per_req")),
                     f_cores(a), f_cores(b),
                     f"{f_mib(a.get('mid_VmRSS'))} / {f_mib(a.get('VmHWM'))} ({a.get('Threads')} thr)" if a else "n/a",
                     f"{f_mib(b.get('mid_VmRSS'))} / {f_mib(b.get('VmHWM'))}" if b else "n/a",
                     ratio(a and a.get("VmHWM"), b and b.get("VmHWM"))])
    print(table(["clients", "SS ops/s per run", "SS worst p99.9 / max ms", "SS CPU µs/op", "moto CPU µs/op",
                 "CPU/op ratio", "SS cores server/wrk", "moto cores server/wrk",
                 "SS VmRSS mid-run / VmHWM", "moto VmRSS mid-run / VmHWM", "VmHWM ratio"], rows))
    print()

enc8 = summary["kms"].get("encrypt", {}).get("sealstack", {}).get("8")
if enc8:
    print(("" if MD else "   ") + f"Target >= 5,000 Encrypt/s at 8 clients: {'met' if enc8['rps'] >= 5000 else 'MISSED'} "
          f"({enc8['rps']:,.0f}/s)")
    print()

pol = summary["policy"]
if pol:
    print(("### " if MD else "== ") + "Policy enforcement cost: KMS Encrypt, 8 clients, alternating runs" + ("" if MD else " =="))
    print()
    rows = []
    for mode in ("enforce", "off"):
        e = pol.get(mode)
        if not e:
            continue
        rows.append([mode, " ".join(f"{r['rps']:,.0f}" for r in e["runs"]), f_rps(e), f_lat(e), f_cpu(e),
                     f_cores(e), e["errors"]])
    print(table(["--policy-mode", "ops/s per run", "median ops/s", "p50/p99 ms", "server CPU µs/op",
                 "cores server/wrk", "errors"], rows))
    print()
    if "enforce" in pol and "off" in pol:
        e, o = pol["enforce"], pol["off"]
        d_rps = (o["rps"] - e["rps"]) / o["rps"] * 100
        d_cpu = ((e["server_cpu_us_per_req"] - o["server_cpu_us_per_req"]) / o["server_cpu_us_per_req"] * 100
                 if e.get("server_cpu_us_per_req") and o.get("server_cpu_us_per_req") else None)
        pairs = [(oo["rps"] - ee["rps"]) / oo["rps"] * 100 for ee, oo in zip(e["runs"], o["runs"])]
        summary["policy_cost"] = {"throughput_loss_pct": d_rps, "cpu_per_op_extra_pct": d_cpu,
                                  "per_pair_loss_pct": pairs}
        print(("" if MD else "   ") + f"Throughput cost of enforcement: {d_rps:+.1f} % of Encrypt/s "
              f"(median off vs median enforce; per alternating pair: {', '.join(f'{x:+.1f} %' for x in pairs)}); "
              + (f"server CPU per Encrypt {d_cpu:+.1f} %. " if d_cpu is not None else "")
              + f"Goal < 5 %: {'met' if d_rps < 5 else 'MISSED'}.")
        print()
    pm = summary.get("policy_micro", {})
    if pm:
        parts = []
        for key, label in (("evaluate_ns", "Evaluate"), ("decide_ns", "DecideKms")):
            if pm.get(key):
                st = pm[key]
                parts.append(f"{label} {st['median']:.1f} ns ({st['min']:.1f}–{st['max']:.1f}, n={st['n']})")
        print(("" if MD else "   ") + "Policy micro-benchmark (policy_tests \"[.bench]\", 20-statement key policy, "
              "1e6 evaluations, Release): " + "; ".join(parts))
        print()


# ---- S3
def size_name(b):
    b = int(b)
    return f"{b >> 30} GiB" if b >= 1 << 30 else f"{b >> 20} MiB" if b >= 1 << 20 else f"{b >> 10} KiB"


SSE_NAMES = {"s3": "SSE-S3", "kms": "SSE-KMS", "c": "SSE-C"}
if summary["s3"]:
    print(("### " if MD else "== ") + "S3 PutObject / GetObject, wrk keep-alive, median of runs" + ("" if MD else " =="))
    print()
    rows, rows2 = [], []
    order = sorted(summary["s3"], key=lambda k: (int(k.split("-")[2]), ["s3", "kms", "c"].index(k.split("-")[1]),
                                                k.split("-")[0] != "put"))
    for sc in order:
        op, sse, size = sc.split("-")
        ss, mo = summary["s3"][sc].get("sealstack", {}), summary["s3"][sc].get("moto", {})
        for c in sorted(set(ss) | set(mo), key=int):
            a, b = ss.get(c), mo.get(c)
            name = f"{op.upper()} {size_name(size)} {SSE_NAMES[sse]}"
            rows.append([name, c, f_rps(a), f_lat(a), f_rps(b) if b else "–", f_lat(b) if b else "–",
                         ratio(a and a["rps"], b and b["rps"]) if b else "–",
                         f"{a['errors'] if a else 'n/a'} / {b['errors'] if b else '–'}"])
            rows2.append([name, c, " ".join(f"{r['rps']:,.0f}" for r in a["runs"]) if a else "n/a",
                          f"{a['p999_max_us'] / 1000:.1f} / {a['max_us'] / 1000:.1f}" if a else "n/a",
                          f_cpu(a), f_cpu(b) if b else "–", f_cores(a),
                          f"{f_mib(a.get('mid_VmRSS'))} / {f_mib(a.get('VmHWM'))} ({a.get('Threads')} thr)" if a else "n/a",
                          f"{f_mib(b.get('VmHWM'))}" if b else "–"])
    print(table(["request", "clients", "SealStack req/s", "SealStack p50/p99 ms", "moto req/s", "moto p50/p99 ms",
                 "req/s SS/moto", "errors SS/moto"], rows))
    print()
    print(table(["request", "clients", "SS req/s per run", "SS worst p99.9 / max ms", "SS CPU µs/req",
                 "moto CPU µs/req", "SS cores server/wrk", "SS VmRSS mid-run / VmHWM", "moto VmHWM"], rows2))
    print()
    for sse in ("s3", "kms"):
        for op in ("put", "get"):
            e = summary["s3"].get(f"{op}-{sse}-4096", {}).get("sealstack", {}).get("8")
            if e:
                print(("" if MD else "   ") + f"Target >= 3,000 {op.upper()}/s of 4 KiB {SSE_NAMES[sse]} at 8 clients: "
                      f"{'met' if e['rps'] >= 3000 else 'MISSED'} ({e['rps']:,.0f}/s)")
    print()

lim = summary.get("s3_limits") or {}
if summary["s3_large"] or lim:
    print(("### " if MD else "== ") + "S3 large objects, streamed, median of runs (MB = 10^6 bytes)" + ("" if MD else " =="))
    print()
    ossl = lim.get("openssl_mb_s")
    if lim:
        print(("" if MD else "   ") + f"Physical limits, same run: `{lim.get('openssl_cmd')}` ({lim.get('openssl_version')}): "
              f"**{ossl:,.0f} MB/s**" if ossl else "openssl: n/a")
        if lim.get("sqlite_insert_mb_s"):
            print(("" if MD else "   ") + f"raw SQLite {lim.get('sqlite_version')} ({lim.get('sqlite_setup')}, "
                  f"{lim['sqlite_bytes'] / 1e6:,.0f} MB): insert **{lim['sqlite_insert_mb_s']:,.0f} MB/s**, "
                  f"read back {lim['sqlite_read_mb_s']:,.0f} MB/s")
        if lim.get("file_write_mb_s"):
            print(("" if MD else "   ") + f"raw file I/O ({lim.get('file_setup')}, {lim['file_bytes'] / 1e6:,.0f} MB): "
                  f"write **{lim['file_write_mb_s']:,.0f} MB/s** (page cache), "
                  f"{lim['file_write_sync_mb_s']:,.0f} MB/s with fdatasync (the disk), "
                  f"read back {lim['file_read_mb_s']:,.0f} MB/s")
        print()
    sq = lim.get("sqlite_insert_mb_s")
    fw = lim.get("file_write_mb_s")
    rows = []
    summary["s3_large_agg"] = {}

    def keyorder(k):
        kind, sse, size = k.split("-")
        return (int(size), kind != "single", sse != "kms")
    for sc in sorted(summary["s3_large"], key=keyorder):
        kind, sse, size = sc.split("-")
        for server in ("sealstack", "moto"):
            runs = summary["s3_large"][sc].get(server)
            if not runs:
                continue
            label = f"{kind} {size_name(size)} {SSE_NAMES[sse]}" + (f" ({int(runs[0].get('part_bytes') or 0) >> 20} MiB parts)" if kind == "multipart" else "")
            if any(r.get("status") == "not-implemented" for r in runs):
                http = next(r.get("http") for r in runs if r.get("status") == "not-implemented")
                rows.append([label, server, f"n/a (not implemented: CreateMultipartUpload answered {http})"] + ["–"] * 6)
                continue
            ok = [r for r in runs if r.get("status") == "ok"]
            if not ok:
                rows.append([label, server, f"failed ({len(runs)} runs)"] + ["–"] * 6)
                continue
            put = statistics.median(r["put"]["mb_s"] for r in ok)
            get = statistics.median(r["get"]["mb_s"] for r in ok)
            put_rss = max(r["put"]["peak_rss_kb"] for r in ok)
            get_rss = max(r["get"]["peak_rss_kb"] for r in ok)
            hwm = max(r["get"]["vmhwm_kb_after"] or 0 for r in ok)
            cpu_put = statistics.median(r["put"]["server_cpu_s"] / (int(size) / 1e9) for r in ok)
            cpu_get = statistics.median(r["get"]["server_cpu_s"] / (int(size) / 1e9) for r in ok)
            agg = {"put_mb_s": put, "get_mb_s": get, "put_runs": [r["put"]["mb_s"] for r in ok],
                   "get_runs": [r["get"]["mb_s"] for r in ok], "put_peak_rss_kb": put_rss,
                   "get_peak_rss_kb": get_rss, "vmhwm_kb": hwm, "server_cpu_s_per_gb_put": cpu_put,
                   "server_cpu_s_per_gb_get": cpu_get, "n": len(ok), "failed": len(runs) - len(ok)}
            summary["s3_large_agg"][f"{sc}-{server}"] = agg
            rows.append([label, server,
                         f"{put:,.0f} ({' '.join(f'{x:,.0f}' for x in agg['put_runs'])})",
                         f"{get:,.0f} ({' '.join(f'{x:,.0f}' for x in agg['get_runs'])})",
                         f"{ratio(put, ossl)} / {ratio(get, ossl)}" if server == "sealstack" else "–",
                         (f"{ratio(put, fw)}" if fw else f"{ratio(put, sq)} (SQLite)") if server == "sealstack" else "–",
                         f"{cpu_put:.2f} / {cpu_get:.2f}",
                         f"{put_rss / 1024:.1f} / {get_rss / 1024:.1f} / {hwm / 1024:.1f} MiB",
                         f"{len(ok)}" + (f" ({len(runs) - len(ok)} failed)" if len(runs) > len(ok) else "")])
    print(table(["transfer", "server", "PUT MB/s median (runs)", "GET MB/s median (runs)",
                 "PUT / GET vs openssl", "PUT vs raw file write", "server CPU s/GB PUT / GET",
                 "peak VmRSS PUT / GET / VmHWM", "runs"], rows))
    print()
    a = summary["s3_large_agg"]
    for sse in ("kms", "c"):
        e = a.get(f"single-{sse}-{1 << 30}-sealstack")
        if e and ossl:
            print(("" if MD else "   ") + f"1 GiB {SSE_NAMES[sse]}: GET {e['get_mb_s'] / ossl * 100:.1f} % of openssl "
                  f"(target 30 %: {'met' if e['get_mb_s'] >= 0.3 * ossl else 'MISSED'}), PUT {e['put_mb_s'] / ossl * 100:.1f} % "
                  f"(target 15 %: {'met' if e['put_mb_s'] >= 0.15 * ossl else 'MISSED'}); peak RSS "
                  f"{max(e['put_peak_rss_kb'], e['get_peak_rss_kb'], e['vmhwm_kb']) / 1024:.1f} MiB "
                  f"(target < 64 MiB: {'met' if max(e['put_peak_rss_kb'], e['get_peak_rss_kb'], e['vmhwm_kb']) < 64 * 1024 else 'MISSED'})")
    s64, m64 = a.get(f"single-kms-{64 << 20}-sealstack"), a.get(f"single-kms-{64 << 20}-moto")
    if s64 and m64:
        print(("" if MD else "   ") + f"64 MiB SSE-KMS vs moto: PUT {ratio(s64['put_mb_s'], m64['put_mb_s'])}, "
              f"GET {ratio(s64['get_mb_s'], m64['get_mb_s'])}, peak VmHWM {ratio(s64['vmhwm_kb'], m64['vmhwm_kb'])}")
    print()

with open(os.path.join(RD, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
