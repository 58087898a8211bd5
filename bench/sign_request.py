#!/usr/bin/env python3
"""Pre-sign one STS GetCallerIdentity request for ENDPOINT and write a wrk Lua script that
replays it (a SigV4 signature stays valid for 5 minutes of clock skew and may be replayed).

  sign_request.py ENDPOINT OUT.lua [--check]

--check first sends the signed request once and fails unless the answer is 200 with an
<Arn> in the XML. The Lua script's done() prints one JSON line (prefixed "WRK_JSON ") with
the request count, errors (status = non-2xx/3xx answers) and latency percentiles, which bench/run collects.
"""
import json
import sys
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BODY = "Action=GetCallerIdentity&Version=2011-06-15"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


def signed_headers(endpoint):
    req = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=BODY,
                     headers={"Content-Type": CONTENT_TYPE})
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    headers["Host"] = endpoint.split("://", 1)[1].rstrip("/")
    return headers


def lua_str(s):
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal for ASCII


def main():
    endpoint, out = sys.argv[1], sys.argv[2]
    headers = signed_headers(endpoint)
    if "--check" in sys.argv[3:]:
        req = urllib.request.Request(endpoint.rstrip("/") + "/", data=BODY.encode(),
                                     headers=headers, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
            if resp.status != 200 or "<Arn>" not in text:
                sys.exit(f"sign_request: unexpected answer {resp.status}: {text[:300]}")
    write_wrk_script(out, "POST", BODY, headers)


LUA_DONE = r'''
-- No response() callback: it would make wrk parse every body in Lua and take CPU from the
-- server (they share the cores). summary.errors.status counts non-2xx/3xx answers.
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
'''


def write_wrk_script(out, method, body, headers):
    """Write a wrk Lua script that replays one fixed request (also used by kms_request.py)."""
    lines = [f"wrk.method = {lua_str(method)}", f"wrk.body = {lua_str(body)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_str(name)}] = {lua_str(value)}")
    lines.append(LUA_DONE)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
