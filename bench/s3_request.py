#!/usr/bin/env python3
"""S3 load-test setup for bench/run: a bucket, pre-signed PUT/GET requests for wrk.

  s3_request.py setup ENDPOINT STATE.json
      Creates the bucket "bench" (path-style) and one symmetric KMS key through boto3 (for
      SSE-KMS with an explicit key id). Writes {bucket, key_arn} to STATE.json.

  s3_request.py wrk ENDPOINT STATE.json OP SSE SIZE NKEYS OUT.lua [--check]
      OP put | get; SSE s3 | kms | c; SIZE bytes. Signs NKEYS requests (SigV4 header form,
      test/test, us-east-1, service s3) for the keys bench/<size>-<sse>-<i> and writes a wrk
      Lua script that cycles through them. PUT carries x-amz-content-sha256: UNSIGNED-PAYLOAD and
      a fixed body (the same bytes for every request: AES-GCM's speed does not depend on them).
      GET first uploads the NKEYS objects once (signed PUTs from here). SSE-C sends the
      customer-key trio on PUT and GET. --check sends one request and fails unless it answers
      200 (GET: with the uploaded body). A signature is valid for 5 minutes of clock skew and
      may be replayed, so bench/run signs again per scenario.

The signer is written out here (not botocore's) so that the payload hash, the signed header set
and the SSE headers are exactly what is intended. s3_transfer.py uses the same functions.
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign_request import LUA_DONE, lua_str  # noqa: E402

REGION = "us-east-1"
ACCESS, SECRET = "test", "test"
BUCKET = "bench"
UNSIGNED = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# A fixed SSE-C customer key (32 bytes), base64 and its MD5, as the SDKs send them.
SSE_C_KEY = bytes(range(32))
SSE_C_HEADERS = {
    "x-amz-server-side-encryption-customer-algorithm": "AES256",
    "x-amz-server-side-encryption-customer-key": base64.b64encode(SSE_C_KEY).decode(),
    "x-amz-server-side-encryption-customer-key-md5": base64.b64encode(hashlib.md5(SSE_C_KEY).digest()).decode(),
}


def body_bytes(size):
    """The PUT body: the same pattern wrk's Lua builds with string.rep."""
    pattern = b"0123456789abcdef"
    return (pattern * (size // 16 + 1))[:size]


def host_of(endpoint):
    return endpoint.split("://", 1)[1].rstrip("/")


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sign(method, endpoint, path, query=None, headers=None, payload_hash=UNSIGNED):
    """SigV4 header auth for s3. PATH is already URI-encoded ('/bucket/key'). Returns the
    headers to send (Host included)."""
    query = query or {}
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    hdrs = {k.lower(): str(v).strip() for k, v in (headers or {}).items()}
    hdrs["host"] = host_of(endpoint)
    hdrs["x-amz-date"] = amz_date
    hdrs["x-amz-content-sha256"] = payload_hash
    signed = sorted(h for h in hdrs if h not in ("content-length", "user-agent"))
    cq = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(str(v), safe='-_.~')}"
                  for k, v in sorted(query.items()))
    creq = "\n".join([method, path, cq, "".join(f"{h}:{hdrs[h]}\n" for h in signed),
                      ";".join(signed), payload_hash])
    scope = f"{day}/{REGION}/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = _hmac(_hmac(_hmac(_hmac(("AWS4" + SECRET).encode(), day), REGION), "s3"), "aws4_request")
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    hdrs["authorization"] = (f"AWS4-HMAC-SHA256 Credential={ACCESS}/{scope}, "
                             f"SignedHeaders={';'.join(signed)}, Signature={sig}")
    return hdrs


def sse_headers(sse, state):
    if sse == "s3":
        return {"x-amz-server-side-encryption": "AES256"}
    if sse == "kms":
        return {"x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id": state["key_arn"]}
    if sse == "c":
        return dict(SSE_C_HEADERS)
    raise ValueError(sse)


def read_headers(sse):
    """Headers a GET needs: only SSE-C sends any."""
    return dict(SSE_C_HEADERS) if sse == "c" else {}


def object_path(key):
    return f"/{BUCKET}/" + urllib.parse.quote(key, safe="-_.~/")


def request(endpoint, method, path, headers, body=b"", query=None, timeout=60):
    """One plain request; returns (status, body bytes)."""
    conn = http.client.HTTPConnection(host_of(endpoint), timeout=timeout)
    url = path + ("?" + urllib.parse.urlencode(query) if query else "")
    conn.request(method, url, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def put_object(endpoint, state, key, sse, body):
    path = object_path(key)
    h = sign("PUT", endpoint, path, headers=sse_headers(sse, state), payload_hash=UNSIGNED)
    return request(endpoint, "PUT", path, h, body)


def setup(endpoint, state_path):
    import boto3

    kms = boto3.client("kms", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id=ACCESS, aws_secret_access_key=SECRET)
    meta = kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT",
                          Description="bench-s3")["KeyMetadata"]
    h = sign("PUT", endpoint, f"/{BUCKET}", payload_hash=EMPTY_SHA256)
    status, data = request(endpoint, "PUT", f"/{BUCKET}", h)
    if status != 200:
        sys.exit(f"s3_request: CreateBucket: HTTP {status}: {data[:300]!r}")
    with open(state_path, "w") as f:
        json.dump({"bucket": BUCKET, "key_arn": meta["Arn"], "key_id": meta["KeyId"]}, f, indent=1)


def write_lua(out, method, size, signed):
    """wrk script cycling through pre-formatted requests (one per key)."""
    pattern = lua_str("0123456789abcdef")
    body = "nil" if method == "GET" else f"string.rep({pattern}, {size // 16})"
    lines = ["local reqs = {}", "local n = 0", "local i = 0", f"local body = {body}",
             "local signed = {"]
    for path, hdrs in signed:
        # "Host" capitalised: wrk.format adds its own Host unless that exact key is present.
        hs = ", ".join(f"[{lua_str('Host' if k == 'host' else k)}] = {lua_str(v)}"
                       for k, v in hdrs.items())
        lines.append(f"  {{{lua_str(path)}, {{{hs}}}}},")
    lines += ["}",
              "function init(args)",
              "  for _, s in ipairs(signed) do",
              f"    n = n + 1; reqs[n] = wrk.format({lua_str(method)}, s[1], s[2], body)",
              "  end",
              "  i = math.random(n) - 1",
              "end",
              "function request()",
              "  i = i % n + 1",
              "  return reqs[i]",
              "end",
              LUA_DONE]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def wrk_script(endpoint, state_path, op, sse, size, nkeys, out, check):
    with open(state_path) as f:
        state = json.load(f)
    keys = [f"{size}-{sse}-{i}" for i in range(nkeys)]
    body = body_bytes(size)
    if size % 16:
        sys.exit("s3_request: SIZE must be a multiple of 16")
    signed = []
    if op == "put":
        for k in keys:
            path = object_path(k)
            h = sign("PUT", endpoint, path, headers=sse_headers(sse, state), payload_hash=UNSIGNED)
            signed.append((path, h))
        if check:
            status, data = request(endpoint, "PUT", signed[0][0], signed[0][1], body)
            if status != 200:
                sys.exit(f"s3_request: PUT {sse}: HTTP {status}: {data[:400]!r}")
    else:
        for k in keys:  # the objects the GETs read
            status, data = put_object(endpoint, state, k, sse, body)
            if status != 200:
                sys.exit(f"s3_request: PUT {sse} (for GET): HTTP {status}: {data[:400]!r}")
        for k in keys:
            path = object_path(k)
            signed.append((path, sign("GET", endpoint, path, headers=read_headers(sse),
                                      payload_hash=EMPTY_SHA256)))
        if check:
            status, data = request(endpoint, "GET", signed[0][0], signed[0][1])
            if status != 200 or data != body:
                sys.exit(f"s3_request: GET {sse}: HTTP {status}, {len(data)} bytes: {data[:300]!r}")
    write_lua(out, op.upper(), size, signed)


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "setup":
        setup(a[1], a[2])
    elif len(a) in (8, 9) and a[0] == "wrk" and a[3] in ("put", "get") and a[4] in ("s3", "kms", "c"):
        wrk_script(a[1], a[2], a[3], a[4], int(a[5]), int(a[6]), a[7], "--check" in a[8:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
