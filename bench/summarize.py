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

# ---- h. S3 small objects: PREFIX-OP-SSE-SIZE-SERVER-cN-runR.txt (prefix s3: in memory, s3disk:
# SealStack on a --data-dir), with PREFIX-SC-SERVER-cN.status beside them
def small_object_runs(prefix):
    out = {}
    pattern = re.compile(prefix + r"-(put|get)-(s3|kms|c)-(\d+)-(sealstack|moto)-c(\d+)-run(\d+)\.txt$")
    for path in sorted(glob.glob(os.path.join(RD, prefix + "-*-c*-run*.txt"))):
        m = pattern.match(os.path.basename(path))
        if not m:
            continue
        run = parse_run(path)
        if run is None:
            continue
        op, sse, size, server, clients = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
        out.setdefault(f"{op}-{sse}-{size}", {}).setdefault(server, {}).setdefault(
            clients, {"runs": []})["runs"].append(run)
    for sc, by_server in out.items():
        for server, by_c in by_server.items():
            for c, entry in by_c.items():
                aggregate(entry, os.path.join(RD, f"{prefix}-{sc}-{server}-c{c}.status"))
    return out


summary["s3"] = small_object_runs("s3")

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

# ---- limits: limits-{openssl,memcpy,loopback,file}.json (one JSON object each)
summary["limits"] = {}
for part in ("openssl", "memcpy", "loopback", "file"):
    path = os.path.join(RD, f"limits-{part}.json")
    try:
        summary["limits"].update(json.load(open(path)))
    except (OSError, ValueError):
        pass

# ---- s3-disk: s3disk-OP-SSE-SIZE-SERVER-cN-runR.txt (as h, SealStack on a --data-dir)
summary["s3_disk"] = small_object_runs("s3disk")

# ---- s3-curl: s3curl-SSE-SIZE-SERVER-runR.json
summary["s3_curl"] = {}
for path in sorted(glob.glob(os.path.join(RD, "s3curl-*-run*.json"))):
    m = re.match(r"s3curl-(kms|c|s3)-(\d+)-(sealstack|moto)-run(\d+)\.json$", os.path.basename(path))
    if not m:
        continue
    try:
        j = json.load(open(path))
    except ValueError:
        continue
    summary["s3_curl"].setdefault(f"{m.group(1)}-{m.group(2)}", {}).setdefault(m.group(3), []).append(j)

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

# ---- physical limits (limits scenario)
L = summary["limits"]
P = "" if MD else "   "
if L:
    print(("### " if MD else "== ") + "Physical limits of this machine, same run" + ("" if MD else " =="))
    print()
    rows = []
    if L.get("openssl_mb_s"):
        rows.append(["AES-256-GCM encrypt, one core", f"{L['openssl_mb_s']:,.0f} MB/s", f"`{L.get('openssl_cmd')}` ({L.get('openssl_version', '').split(' (')[0]})"])
    if L.get("memcpy_64KiB_gb_s"):
        rows.append(["memcpy, 64 KiB block in cache", f"{L['memcpy_64KiB_gb_s']:.1f} GB/s", "memcpy.c, one core, median of 3 passes"])
        rows.append(["memcpy, 1 MiB block in cache", f"{L['memcpy_1MiB_gb_s']:.1f} GB/s", ""])
        rows.append(["memcpy, 1 MiB blocks through 64 MiB (DRAM)", f"{L['memcpy_64MiB_gb_s']:.1f} GB/s", ""])
    if L.get("loopback_up_mb_s"):
        rows.append(["loopback TCP, client → server (PUT direction)", f"{L['loopback_up_mb_s']:,.0f} MB/s",
                     f"loopback.c, {L['loopback_bytes'] >> 20} MiB in {L['loopback_chunk'] >> 10} KiB writes, median of {L['loopback_passes']}"])
        rows.append(["loopback TCP, server → client (GET direction)", f"{L['loopback_down_mb_s']:,.0f} MB/s", ""])
    if L.get("file_write_mb_s"):
        rows.append(["file write, page cache", f"{L['file_write_mb_s']:,.0f} MB/s",
                     f"filebench.c, {L['file_bytes'] >> 20} MiB in {L['file_chunk'] >> 10} KiB write()s"])
        rows.append(["file write + one fsync (the disk)", f"{L['file_write_fsync_mb_s']:,.0f} MB/s", f"the fsync alone {L['file_fsync_s'] * 1000:.0f} ms"])
        cold_note = ("pages dropped with posix_fadvise(DONTNEED)" if L.get("file_read_cold_resident_pct", 100) < 1
                     else f"WARNING: {L.get('file_read_cold_resident_pct')} % still cached: a page-cache read")
        rows.append(["file read, cold (the disk)", f"{L['file_read_cold_mb_s']:,.0f} MB/s", cold_note])
        rows.append(["file read, warm (page cache)", f"{L['file_read_warm_mb_s']:,.0f} MB/s", ""])
        rows.append(["4 KiB write + fsync, latency", f"{L['fsync4k_median_us'] / 1000:.2f} ms median",
                     f"p90 {L['fsync4k_p90_us'] / 1000:.2f} ms, max {L['fsync4k_max_us'] / 1000:.2f} ms, n={L['fsync4k_n']}"])
    print(table(["limit", "figure", "how"], rows))
    print()

# ---- s3-disk
if summary["s3_disk"]:
    print(("### " if MD else "== ") + "S3 PutObject / GetObject on a data directory (SealStack --data-dir; moto in memory), wrk, median of runs" + ("" if MD else " =="))
    print()
    rows = []
    for sc in sorted(summary["s3_disk"], key=lambda k: (int(k.split("-")[2]), k.split("-")[0] != "put")):
        op, sse, size = sc.split("-")
        ss, mo = summary["s3_disk"][sc].get("sealstack", {}), summary["s3_disk"][sc].get("moto", {})
        for c in sorted(set(ss) | set(mo), key=int):
            a, b = ss.get(c), mo.get(c)
            rows.append([f"{op.upper()} {size_name(size)} {SSE_NAMES[sse]}", c, f_rps(a), f_lat(a),
                         " ".join(f"{r['rps']:,.0f}" for r in a["runs"]) if a else "n/a",
                         f_rps(b) if b else "–", ratio(a and a["rps"], b and b["rps"]) if b else "–",
                         f_cpu(a), f_cores(a),
                         f"{f_mib(a.get('mid_VmRSS'))} / {f_mib(a.get('VmHWM'))}" if a else "n/a",
                         f"{a['errors'] if a else 'n/a'} / {b['errors'] if b else '–'}"])
    print(table(["request", "clients", "SealStack req/s", "SS p50/p99 ms", "SS req/s per run", "moto req/s",
                 "req/s SS/moto", "SS CPU µs/req", "SS cores server/wrk", "SS VmRSS mid-run / VmHWM",
                 "errors (non-2xx + socket) SS/moto"], rows))
    print()

# ---- s3-curl
ossl_now = L.get("openssl_mb_s") or (summary.get("s3_limits") or {}).get("openssl_mb_s")
summary["s3_curl_agg"] = {}
if summary["s3_curl"]:
    print(("### " if MD else "== ") + "S3 large objects with curl (data directory; MB = 10^6 bytes), median of runs" + ("" if MD else " =="))
    print()
    rows = []
    for sc in sorted(summary["s3_curl"], key=lambda k: int(k.split("-")[1])):
        sse, size = sc.split("-")
        for server in ("sealstack", "moto"):
            runs = summary["s3_curl"][sc].get(server)
            if not runs:
                continue
            label = f"{size_name(size)} {SSE_NAMES[sse]}"
            ok = [r for r in runs if r.get("status") == "ok"]
            if not ok:
                why = "; ".join(f"PUT HTTP {r.get('put', {}).get('http')} up {r.get('put', {}).get('size_upload')}"
                                + (f", GET HTTP {r['get'].get('http')} down {r['get'].get('size_download')}" if "get" in r else "")
                                for r in runs[:1])
                rows.append([label, server, f"failed ({len(runs)} runs: {why})"] + ["–"] * 6)
                continue
            agg = {}
            for ph in ("put", "get"):
                agg[ph + "_mb_s"] = statistics.median(r[ph]["mb_s"] for r in ok)
                agg[ph + "_runs"] = [r[ph]["mb_s"] for r in ok]
                agg[ph + "_cpu_s_per_gb"] = statistics.median(r[ph]["server_cpu_s"] / (int(size) / 1e9) for r in ok)
                agg[ph + "_server_cores"] = statistics.median(r[ph]["server_cpu_s"] / r[ph]["seconds"] for r in ok)
                agg[ph + "_curl_cores"] = statistics.median(r[ph]["client_cpu_s"] / r[ph]["seconds"] for r in ok)
                agg[ph + "_peak_rss_kb"] = max(r[ph]["peak_rss_kb"] for r in ok)
            agg["vmhwm_kb"] = max(r["get"]["vmhwm_kb_after"] or 0 for r in ok)
            agg["n"], agg["failed"] = len(ok), len(runs) - len(ok)
            summary["s3_curl_agg"][f"{sc}-{server}"] = agg
            pct = (lambda x: f"{x / ossl_now * 100:.1f} %" if ossl_now else "n/a")
            rows.append([label, server,
                         f"{agg['put_mb_s']:,.0f} ({' '.join(f'{x:,.0f}' for x in agg['put_runs'])})",
                         f"{agg['get_mb_s']:,.0f} ({' '.join(f'{x:,.0f}' for x in agg['get_runs'])})",
                         f"{pct(agg['put_mb_s'])} / {pct(agg['get_mb_s'])}",
                         f"{agg['put_cpu_s_per_gb']:.2f} / {agg['get_cpu_s_per_gb']:.2f}",
                         f"{agg['put_server_cores']:.2f} / {agg['get_server_cores']:.2f} (curl {agg['put_curl_cores']:.2f} / {agg['get_curl_cores']:.2f})",
                         f"{agg['put_peak_rss_kb'] / 1024:.1f} / {agg['get_peak_rss_kb'] / 1024:.1f} / {agg['vmhwm_kb'] / 1024:.1f} MiB",
                         f"{len(ok)}" + (f" ({len(runs) - len(ok)} failed)" if len(runs) > len(ok) else "")])
    print(table(["transfer", "server", "PUT MB/s median (runs)", "GET MB/s median (runs)",
                 "PUT / GET vs openssl one core", "server CPU s/GB PUT / GET", "cores server PUT / GET (curl)",
                 "peak VmRSS PUT / GET / VmHWM", "runs"], rows))
    print()
    sign = {r.get("sign") for runs in summary["s3_curl"].values() for rs in runs.values() for r in rs}
    print(P + f"curl: {next(iter(r.get('curl_version') for runs in summary['s3_curl'].values() for rs in runs.values() for r in rs), '?')}; "
          f"signing: {', '.join(sorted(x for x in sign if x))} (curl = --aws-sigv4, python = pre-signed headers); "
          "PUT body from a sparse file (-T), GET to /dev/null; HTTP 200 and full byte counts checked per run.")
    print()

# ---- Issue 20 targets
def hit(ok):
    return "n/a" if ok is None else ("met" if ok else "MISSED")


i20 = []
kms8 = summary["kms"].get("encrypt", {})
a, b = kms8.get("sealstack", {}).get("8"), kms8.get("moto", {}).get("8")
if a or b:
    i20.append(["KMS Encrypt 1 KiB, 8 connections (wrk)", f_rps(a) + "/s" if a else "n/a", f_rps(b) + "/s" if b else "n/a",
                ">= 25,000/s", hit(a["rps"] >= 25000 if a else None)])
for op, tgt in (("put", 10000), ("get", 15000)):
    e = summary["s3"].get(f"{op}-kms-4096", {})
    a, b = e.get("sealstack", {}).get("8"), e.get("moto", {}).get("8")
    if a or b:
        i20.append([f"S3 {op.upper()} 4 KiB SSE-KMS, 8 connections, --in-memory (wrk)",
                    f_rps(a) + "/s" + (f" ({a['errors']} errors)" if a and a["errors"] else "") if a else "n/a",
                    f_rps(b) + "/s" if b else "n/a", f">= {tgt:,}/s", hit(a["rps"] >= tgt if a else None)])
for op, tgt in (("put", 6000), ("get", None)):
    e = summary["s3_disk"].get(f"{op}-kms-4096", {})
    a, b = e.get("sealstack", {}).get("8"), e.get("moto", {}).get("8")
    if a or b:
        i20.append([f"S3 {op.upper()} 4 KiB SSE-KMS, 8 connections, data directory (wrk)",
                    f_rps(a) + "/s" + (f" ({a['errors']} errors)" if a and a["errors"] else "") if a else "n/a",
                    (f_rps(b) + "/s (in memory)") if b else "n/a",
                    f">= {tgt:,}/s" if tgt else "(no target)", hit(a["rps"] >= tgt if a and tgt else None) if tgt else "–"])
# the curl transfer size below 4 GiB (256 MiB unless S3_CURL_SIZE says otherwise)
curl_sizes = sorted({int(k.split("-")[1]) for k in summary["s3_curl_agg"] if k.startswith("kms-")
                     and int(k.split("-")[1]) < 4 << 30})
for ph, pct_t in (("put", 25), ("get", 50)):
    if not curl_sizes:
        break
    k = f"kms-{curl_sizes[-1]}-sealstack"
    km = k.replace("-sealstack", "-moto")
    a, b = summary["s3_curl_agg"].get(k), summary["s3_curl_agg"].get(km)
    if a or b:
        pct = a[ph + "_mb_s"] / ossl_now * 100 if a and ossl_now else None
        i20.append([f"{size_name(curl_sizes[-1])} SSE-KMS {ph.upper()}, curl, data directory",
                    (f"{a[ph + '_mb_s']:,.0f} MB/s = {pct:.1f} % of openssl ({ossl_now:,.0f} MB/s)" if pct is not None
                     else (f"{a[ph + '_mb_s']:,.0f} MB/s" if a else "n/a")),
                    f"{b[ph + '_mb_s']:,.0f} MB/s (in memory)" if b else "n/a",
                    f">= {pct_t} % of one core's AES-256-GCM", hit(pct >= pct_t if pct is not None else None)])
moto_mem = summary["memory"].get("moto", {})
for key, name in (("sealstack-memory", "--in-memory"), ("sealstack-file", "data directory")):
    m = summary["memory"].get(key)
    if not m:
        continue
    def memtxt(mm):
        if not mm or not mm.get("vmrss_kb"):
            return "n/a"
        t = f"{med(mm['vmrss_kb']) / 1024:.1f} MiB"
        if mm.get("rssanon_kb") and mm.get("rssfile_kb"):
            t += f" (RssAnon {med(mm['rssanon_kb']) / 1024:.1f} + RssFile {med(mm['rssfile_kb']) / 1024:.1f})"
        return t
    i20.append([f"idle VmRSS 1 s after Ready, {name}", memtxt(m), memtxt(moto_mem), "<= 8 MiB",
                hit(med(m["vmrss_kb"]) <= 8 * 1024)])
# peak RSS during a 4 GiB transfer: curl's 4 GiB run (s3-curl, S3_CURL_LONG=1), else s3-large's
big = next((v for k, v in summary["s3_curl_agg"].items() if k.endswith("-sealstack") and int(k.split("-")[1]) >= 4 << 30), None)
small = summary["s3_curl_agg"].get(f"kms-{curl_sizes[-1]}-sealstack") if curl_sizes else None
src = "curl"
if not big:
    big = next((v for k, v in summary.get("s3_large_agg", {}).items() if k.startswith("single-kms-") and k.endswith("-sealstack")
                and int(k.split("-")[2]) >= 4 << 30), None)
    small = next((v for k, v in summary.get("s3_large_agg", {}).items() if k == f"single-kms-{1 << 30}-sealstack"), None)
    src = "s3_transfer.py"
if big:
    pk = max(big["put_peak_rss_kb"], big["get_peak_rss_kb"], big["vmhwm_kb"])
    ref = max(small["put_peak_rss_kb"], small["get_peak_rss_kb"], small["vmhwm_kb"]) if small else None
    flat = ref is None or pk <= ref * 1.1 + 1024
    i20.append(["peak RSS during a 4 GiB SSE-KMS transfer (PUT + GET)",
                f"{pk / 1024:.1f} MiB" + (f" (smaller transfer: {ref / 1024:.1f} MiB)" if ref else "") + f", {src}",
                "–", "flat, <= 32 MiB", hit(pk <= 32 * 1024 and flat)])
elif i20:
    i20.append(["peak RSS during a 4 GiB SSE-KMS transfer (PUT + GET)", "not run (S3_CURL_LONG=1 / BENCH_LONG=1)", "–",
                "flat, <= 32 MiB", "n/a"])
for metric, key, name, tgt in (("ready_us", "sealstack-memory", "start → Ready, --in-memory", 5),
                               ("ready_us", "sealstack-file", "start → Ready, fresh data directory", 10)):
    st = summary["start"].get(key, {}).get(metric)
    if st:
        mo = moto_start.get(metric)
        i20.append([name, f"{st['median'] / 1000:.2f} ms (max {st['max'] / 1000:.2f}, n={st['n']})",
                    f"{mo['median'] / 1000:.0f} ms" if mo else "n/a", f"< {tgt} ms", hit(st["median"] / 1000 < tgt)])
summary["issue20"] = [dict(zip(["figure", "sealstack", "moto", "target", "verdict"], r)) for r in i20]
if i20:
    print(("### " if MD else "== ") + "Issue 20 targets" + ("" if MD else " =="))
    print()
    print(table(["figure", "SealStack", "moto", "target", "met?"], i20))
    print()
    lim_bits = []
    if L.get("openssl_mb_s"):
        lim_bits.append(f"AES-256-GCM one core {L['openssl_mb_s']:,.0f} MB/s")
    if L.get("memcpy_1MiB_gb_s"):
        lim_bits.append(f"memcpy {L['memcpy_64KiB_gb_s']:.1f} / {L['memcpy_1MiB_gb_s']:.1f} / {L['memcpy_64MiB_gb_s']:.1f} GB/s (64 KiB / 1 MiB / DRAM)")
    if L.get("loopback_up_mb_s"):
        lim_bits.append(f"loopback {L['loopback_up_mb_s']:,.0f} up / {L['loopback_down_mb_s']:,.0f} down MB/s")
    if L.get("file_write_mb_s"):
        lim_bits.append(f"file write {L['file_write_mb_s']:,.0f} MB/s (cache), {L['file_write_fsync_mb_s']:,.0f} MB/s with fsync, "
                        f"read {L['file_read_cold_mb_s']:,.0f} cold / {L['file_read_warm_mb_s']:,.0f} warm MB/s, "
                        f"4 KiB write+fsync {L['fsync4k_median_us'] / 1000:.2f} ms")
    if lim_bits:
        print(P + "Physical limits, same run: " + "; ".join(lim_bits) + ".")
        print()
    if "issue20" not in machine and any(r[4] == "n/a" for r in i20):
        print(P + "(rows n/a: their scenario was not run; SCENARIOS=issue20 runs them all)")
        print()

with open(os.path.join(RD, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
