#!/usr/bin/env python3
"""Large S3 transfers with curl (a C client) for bench/run: one PUT and one GET, MB/s and memory.

  s3_curl.py ENDPOINT STATE.json SSE SIZE KEY --pid PID --src FILE [--sign python|curl] [--out JSON]

PUT: `curl -T FILE` of SIZE bytes (Content-Length, `x-amz-content-sha256: UNSIGNED-PAYLOAD`, the
SSE headers of s3_request.sse_headers), then GET with `-o /dev/null`. FILE is created as a
*sparse* file of SIZE bytes if it is missing or of another size (zeros: reading it costs curl
no disk I/O and no page cache, only the copy out of the kernel; AES-GCM's speed does not depend
on the bytes). Both transfers must answer 200 with the full byte count
(`-w '%{http_code} %{size_upload} %{size_download}'`), or the result is status "error".

Signing (--sign, default python): `python` signs the headers here with s3_request.sign (the
signer of the wrk scenarios and s3_transfer.py: the same SSE headers, the key ARN included) and
hands them to curl with -H; curl only does the transfer. `curl` lets curl sign itself with
`--aws-sigv4 aws:amz:us-east-1:s3 --user test:test` (the -H x-amz-content-sha256 value becomes
the payload hash of the canonical request, so UNSIGNED-PAYLOAD works). But Debian 12's curl
7.88.1 sorts the canonical headers as "name:value" strings, so a header whose name is a prefix of
another (x-amz-server-side-encryption vs x-amz-server-side-encryption-aws-kms-key-id) lands in the
wrong order and the signature does not match (403 SignatureDoesNotMatch); with --sign curl the
SSE-KMS PUT therefore sends only `x-amz-server-side-encryption: aws:kms` (the account's default
aws/s3 key) and no key id. It also signs the empty "Expect:" that turns 100-continue off.

While each transfer runs a thread samples the server's VmRSS every 20 ms; VmHWM is read after
each phase; server CPU time per phase from /proc/PID/stat; curl's own CPU time from wait4().
MB/s = SIZE / curl's %{time_total} / 10^6 (connect to last byte). Prints one JSON line.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_request import (ACCESS, EMPTY_SHA256, REGION, SECRET, UNSIGNED, object_path,  # noqa: E402
                        read_headers, sign, sse_headers)
from s3_transfer import Sampler, cpu_s, proc_kb  # noqa: E402

WFORMAT = "\\n%{http_code} %{size_upload} %{size_download} %{time_total} %{time_starttransfer}"


def ensure_sparse(path, size):
    if not os.path.exists(path) or os.path.getsize(path) != size:
        with open(path, "wb") as f:
            f.truncate(size)


def curl_cmd(method, endpoint, path, headers, how, extra):
    url = endpoint.rstrip("/") + path
    cmd = ["curl", "-sS", "--http1.1", "-w", WFORMAT]
    if how == "curl":
        cmd += ["--aws-sigv4", f"aws:amz:{REGION}:s3", "--user", f"{ACCESS}:{SECRET}"]
        hdrs = {k: v for k, v in headers.items() if k != "x-amz-server-side-encryption-aws-kms-key-id"}
        hdrs["x-amz-content-sha256"] = UNSIGNED if method == "PUT" else EMPTY_SHA256
    else:
        hdrs = sign(method, endpoint, path, headers=headers,
                    payload_hash=UNSIGNED if method == "PUT" else EMPTY_SHA256)
        hdrs.pop("host", None)  # curl sends the same Host itself
    for k, v in hdrs.items():
        cmd += ["-H", f"{k}: {v}"]
    # No "Expect: 100-continue" round trip (the SDKs' default varies; the server answers it, but
    # the wait would be part of the time).
    if method == "PUT":
        cmd += ["-H", "Expect:"]
    return cmd + extra + [url]


def run_curl(cmd, pid):
    """Runs curl; returns a dict with the -w fields, seconds, CPU and the server's memory."""
    c0 = cpu_s(pid)
    t0 = time.perf_counter()
    with Sampler(pid) as smp:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out, err = p.stdout.read().decode(errors="replace"), p.stderr.read().decode(errors="replace")
        p.stdout.close()
        p.stderr.close()
    wall = time.perf_counter() - t0
    res = {"curl_rc": p.returncode, "wall_s": wall, "server_cpu_s": cpu_s(pid) - c0,
           "client_cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_kb": smp.peak,
           "vmhwm_kb_after": proc_kb(pid, "VmHWM")}
    w = out.strip().split("\n")[-1].split() if out.strip() else []
    if len(w) == 5:
        res.update(http=int(w[0]), size_upload=int(float(w[1])), size_download=int(float(w[2])),
                   seconds=float(w[3]), ttfb_s=float(w[4]))
        res["body"] = "\n".join(out.strip().split("\n")[:-1])[-400:] if res["http"] != 200 else None
    else:
        res.update(http=0, output=out[-400:])
    if err.strip():
        res["stderr"] = err[-400:]
    return res


def main():
    a = sys.argv[1:]

    def opt(name, default=None):
        return a[a.index(name) + 1] if name in a else default
    if len(a) < 5 or not opt("--pid") or not opt("--src"):
        sys.exit(__doc__)
    endpoint, state_path, sse, size, key = a[0], a[1], a[2], int(a[3]), a[4]
    pid, src, how = int(opt("--pid")), opt("--src"), opt("--sign", "python")
    with open(state_path) as f:
        state = json.load(f)
    ensure_sparse(src, size)
    path = object_path(key)
    out = {"sse": sse, "bytes": size, "sign": how, "client": "curl",
           "curl_version": subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0],
           "vmhwm_kb_before": proc_kb(pid, "VmHWM"), "vmrss_kb_before": proc_kb(pid, "VmRSS")}
    put = run_curl(curl_cmd("PUT", endpoint, path, sse_headers(sse, state), how,
                            ["-T", src]), pid)
    out["put"] = put
    ok = put.get("http") == 200 and put.get("size_upload") == size and put["curl_rc"] == 0
    if ok:
        get = run_curl(curl_cmd("GET", endpoint, path, read_headers(sse), how, ["-o", "/dev/null"]), pid)
        out["get"] = get
        ok = get.get("http") == 200 and get.get("size_download") == size and get["curl_rc"] == 0
    for ph in ("put", "get"):
        if ph in out and out[ph].get("seconds"):
            out[ph]["mb_s"] = size / out[ph]["seconds"] / 1e6
    out["status"] = "ok" if ok else "error"
    line = json.dumps(out)
    print(line)
    if opt("--out"):
        with open(opt("--out"), "w") as f:
            f.write(line + "\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
