#!/usr/bin/env python3
"""Large S3 transfers for bench/run: one object streamed up and down, MB/s and server memory.

  s3_transfer.py single ENDPOINT STATE.json SSE SIZE KEY --pid PID [--out JSON]
      PutObject of SIZE bytes (UNSIGNED-PAYLOAD, Content-Length, streamed from a 1 MiB pattern
      buffer sent again and again: nothing of SIZE is ever held in memory, on either side), then
      GetObject of it read into a reused 1 MiB buffer and dropped (byte count checked, the
      first 1 MiB compared with what was sent).
  s3_transfer.py multipart ENDPOINT STATE.json SSE SIZE KEY --pid PID [--part BYTES] [--out JSON]
      CreateMultipartUpload; if that does not answer 200 the result is
      {"status": "not-implemented", "http": N} and the exit code 0 (bench/run reports n/a).
      Otherwise UploadPart of SIZE/part parts (default 64 MiB), CompleteMultipartUpload, then the
      same GetObject as above.
  s3_transfer.py openssl [--seconds N] [--out JSON]
      Only the openssl speed figure of `limits` (bench/run's `limits` scenario).
  s3_transfer.py limits DIR [--mb N]
      The physical limits of the same run: `openssl speed -evp aes-256-gcm -bytes 16384
      -seconds 3` (one core), and a raw SQLite insert of 64 KiB blobs into one table (WAL,
      synchronous=NORMAL as the server, 256 blobs per transaction, N MB in total, default 512)
      and reading them back; the database lives in DIR and is removed after. Also raw file I/O
      as the server's body files do it: N MB written with writev into a new file (page cache),
      the same plus fdatasync (the disk), and read back.

SSE is kms | c | s3. While a transfer runs a thread samples the server's VmRSS every 20 ms
(/proc/PID/status); VmHWM is read after each phase (it is the high-water mark of the server's
whole life, so bench/run starts a fresh server per object size). Prints one JSON line.
MB = 10^6 bytes throughout.
"""
import hashlib
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_request import (EMPTY_SHA256, UNSIGNED, host_of, object_path, read_headers,  # noqa: E402
                        sign, sse_headers)

CHUNK = 1 << 20
PATTERN = (b"0123456789abcdef" * (CHUNK // 16))


def proc_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(field + r":\s+(\d+)", f.read())
            return int(m.group(1)) if m else None
    except OSError:
        return None


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Max VmRSS of PID while the block runs."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self):
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            v = proc_kb(self.pid, "VmRSS")
            if v:
                self.peak = max(self.peak, v)
            self._stop.wait(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def measured(pid, fn):
    """Runs fn() -> (status, detail); returns a dict with seconds, CPU and memory."""
    c0, s0, t0 = time.process_time(), cpu_s(pid), time.perf_counter()
    with Sampler(pid) as smp:
        status, detail = fn()
    t1 = time.perf_counter()
    return {"http": status, "detail": detail, "seconds": t1 - t0,
            "client_cpu_s": time.process_time() - c0, "server_cpu_s": cpu_s(pid) - s0,
            "peak_rss_kb": smp.peak, "vmhwm_kb_after": proc_kb(pid, "VmHWM")}


def send_streamed(endpoint, method, path, query, headers, size):
    conn = http.client.HTTPConnection(host_of(endpoint), timeout=600)
    url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    conn.putrequest(method, url, skip_host=True, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    mv = memoryview(PATTERN)
    left = size
    try:
        while left > 0:
            n = min(left, CHUNK)
            conn.sock.sendall(mv[:n])
            left -= n
    except OSError as e:  # the server answered early (an error) and closed
        pass
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheader("ETag"), data


def put_single(endpoint, state, sse, size, key):
    path = object_path(key)
    h = sign("PUT", endpoint, path, headers=sse_headers(sse, state), payload_hash=UNSIGNED)
    status, etag, data = send_streamed(endpoint, "PUT", path, None, h, size)
    return status, (etag if status == 200 else data[:300].decode(errors="replace"))


def get_streamed(endpoint, sse, size, key):
    path = object_path(key)
    h = sign("GET", endpoint, path, headers=read_headers(sse), payload_hash=EMPTY_SHA256)
    conn = http.client.HTTPConnection(host_of(endpoint), timeout=600)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for k, v in h.items():
        conn.putheader(k, v)
    conn.endheaders()
    resp = conn.getresponse()
    if resp.status != 200:
        return resp.status, resp.read()[:300].decode(errors="replace")
    buf = bytearray(CHUNK)
    mv = memoryview(buf)
    got, head = 0, bytearray()
    while True:
        n = resp.readinto(mv)
        if not n:
            break
        if len(head) < CHUNK:
            head += mv[:min(n, CHUNK - len(head))]
        got += n
    conn.close()
    if got != size:
        return 599, f"GET returned {got} bytes, expected {size}"
    if bytes(head) != PATTERN[:len(head)]:
        return 598, "GET returned other bytes than were PUT"
    return 200, None


def multipart_put(endpoint, state, sse, size, key, part):
    path = object_path(key)
    h = sign("POST", endpoint, path, query={"uploads": ""}, headers=sse_headers(sse, state),
             payload_hash=EMPTY_SHA256)
    conn = http.client.HTTPConnection(host_of(endpoint), timeout=60)
    conn.request("POST", path + "?uploads=", headers=h)
    resp = conn.getresponse()
    body = resp.read().decode(errors="replace")
    conn.close()
    if resp.status != 200:
        return "not-implemented", resp.status, body[:300]
    m = re.search(r"<UploadId>([^<]+)</UploadId>", body)
    if not m:
        return "error", resp.status, "no UploadId: " + body[:300]
    upload_id = m.group(1)
    etags = []
    n = (size + part - 1) // part
    part_headers = read_headers(sse)  # SSE-C: the trio again on every UploadPart
    for i in range(1, n + 1):
        q = {"partNumber": str(i), "uploadId": upload_id}
        ph = sign("PUT", endpoint, path, query=q, headers=part_headers, payload_hash=UNSIGNED)
        from urllib.parse import quote
        qs = {k: quote(v, safe="-_.~") for k, v in q.items()}
        status, etag, data = send_streamed(endpoint, "PUT", path, qs, ph, min(part, size - (i - 1) * part))
        if status != 200:
            return "error", status, f"UploadPart {i}: " + data[:300].decode(errors="replace")
        etags.append(etag)
    xml = "<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{i}</PartNumber><ETag>{e}</ETag></Part>" for i, e in enumerate(etags, 1)
    ) + "</CompleteMultipartUpload>"
    xb = xml.encode()
    from urllib.parse import quote
    ch = sign("POST", endpoint, path, query={"uploadId": upload_id}, headers=part_headers,
              payload_hash=hashlib.sha256(xb).hexdigest())
    conn = http.client.HTTPConnection(host_of(endpoint), timeout=600)
    conn.request("POST", path + "?uploadId=" + quote(upload_id, safe="-_.~"), body=xb, headers=ch)
    resp = conn.getresponse()
    body = resp.read().decode(errors="replace")
    conn.close()
    if resp.status != 200 or "<Error>" in body:
        return "error", resp.status, "Complete: " + body[:300]
    return "ok", 200, None


def transfer(kind, endpoint, state_path, sse, size, key, pid, part):
    with open(state_path) as f:
        state = json.load(f)
    out = {"kind": kind, "sse": sse, "bytes": size, "part_bytes": part if kind == "multipart" else None,
           "vmhwm_kb_before": proc_kb(pid, "VmHWM")}
    if kind == "single":
        put = measured(pid, lambda: put_single(endpoint, state, sse, size, key))
    else:
        res = {}

        def mp():
            st, code, detail = multipart_put(endpoint, state, sse, size, key, part)
            res["status"] = st
            return code, detail
        put = measured(pid, mp)
        if res["status"] == "not-implemented":
            out.update(status="not-implemented", http=put["http"], detail=put["detail"])
            return out
    out["put"] = put
    if put["http"] != 200:
        out["status"] = "error"
        return out
    out["get"] = measured(pid, lambda: get_streamed(endpoint, sse, size, key))
    out["status"] = "ok" if out["get"]["http"] == 200 else "error"
    for ph in ("put", "get"):
        p = out[ph]
        p["mb_s"] = size / p["seconds"] / 1e6
    return out


def openssl_speed(seconds=3):
    """One core's AES-256-GCM encryption rate per openssl speed, MB/s."""
    out = {}
    cmd = ["openssl", "speed", "-evp", "aes-256-gcm", "-bytes", "16384", "-seconds", str(seconds)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"^(?:AES-256-GCM|aes-256-gcm)\s+([\d.]+)k", r.stdout, re.M | re.I)
    out["openssl_cmd"] = " ".join(cmd)
    out["openssl_version"] = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    out["openssl_mb_s"] = float(m.group(1)) * 1000 / 1e6 if m else None
    if not m:
        out["openssl_raw"] = r.stdout[-500:] + r.stderr[-500:]
    return out


def limits(directory, mb):
    out = openssl_speed()
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "raw.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE seg (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    blob = os.urandom(64 * 1024)
    n = mb * 1000 * 1000 // len(blob)
    batch = 256
    t0 = time.perf_counter()
    i = 0
    while i < n:
        k = min(batch, n - i)
        db.execute("BEGIN")
        db.executemany("INSERT INTO seg (data) VALUES (?)", ((blob,) for _ in range(k)))
        db.execute("COMMIT")
        i += k
    t1 = time.perf_counter()
    total = 0
    for (d,) in db.execute("SELECT data FROM seg ORDER BY id"):
        total += len(d)
    t2 = time.perf_counter()
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    # Raw file I/O as the server's body files do it: 4 x (64 KiB + 16) per writev into a new
    # file, no fsync (page cache; the kernel throttles writers to the disk's speed once enough
    # dirty data piles up), then fdatasync (what the disk sustains), then reading it back.
    fpath = os.path.join(directory, "raw.seg")
    chunk = [os.urandom(64 * 1024 + 16)] * 4
    fbytes = mb * 1000 * 1000
    fd = os.open(fpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    written = 0
    f0 = time.perf_counter()
    while written < fbytes:
        written += os.writev(fd, chunk)
    f1 = time.perf_counter()
    os.fdatasync(fd)
    f2 = time.perf_counter()
    os.close(fd)
    rfd = os.open(fpath, os.O_RDONLY)
    rbuf = bytearray(16 * (64 * 1024 + 16))
    got = 0
    f3 = time.perf_counter()
    while True:
        k = os.readv(rfd, [rbuf])
        if k <= 0:
            break
        got += k
    f4 = time.perf_counter()
    os.close(rfd)
    os.remove(fpath)
    out.update(file_bytes=written, file_write_mb_s=written / (f1 - f0) / 1e6,
               file_write_sync_mb_s=written / (f2 - f0) / 1e6, file_read_mb_s=got / (f4 - f3) / 1e6,
               file_setup="writev of 4 x (64 KiB + 16) into a new file; then fdatasync; read back "
                          "in 1 MiB reads (page cache)")
    out.update(sqlite_version=sqlite3.sqlite_version, sqlite_bytes=n * len(blob),
               sqlite_insert_mb_s=n * len(blob) / (t1 - t0) / 1e6,
               sqlite_read_mb_s=total / (t2 - t1) / 1e6,
               sqlite_setup="64 KiB blobs, one table, WAL, synchronous=NORMAL, 256 per transaction")
    return out


def main():
    a = sys.argv[1:]

    def opt(name, default=None):
        return a[a.index(name) + 1] if name in a else default
    if len(a) >= 1 and a[0] == "openssl":
        res = openssl_speed(int(opt("--seconds", "3")))
    elif len(a) >= 2 and a[0] == "limits":
        res = limits(a[1], int(opt("--mb", "512")))
    elif len(a) >= 6 and a[0] in ("single", "multipart"):
        res = transfer(a[0], a[1], a[2], a[3], int(a[4]), a[5], int(opt("--pid")),
                       int(opt("--part", str(64 << 20))))
    else:
        sys.exit(__doc__)
    line = json.dumps(res)
    print(line)
    if opt("--out"):
        with open(opt("--out"), "w") as f:
            f.write(line + "\n")
    if res.get("status") == "error":
        sys.exit(1)


if __name__ == "__main__":
    main()
