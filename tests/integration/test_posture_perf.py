"""The read-only views over 10,000 objects (issue 18 asks every page to take under 100 ms of
server time): 10,000 object versions in two buckets under three KMS keys (and SSE-S3); the test
asserts what each view answers and prints each endpoint's server time (best of three, from the
request log). Timing never decides pass or fail: the figures go to bench/README.md."""

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from aws_helpers import HTTP_TIMEOUT, client

OBJECTS = 10_000


def server_ms(server, path, params=None):
    """The server time of GET /_sealstack/<path> (from its request log line), best of three."""
    best = None
    for _ in range(3):
        resp = requests.get(f"{server.endpoint}/_sealstack/{path}", params=params,
                            timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text[:500]
        rid = resp.headers["x-amzn-RequestId"] if "x-amzn-RequestId" in resp.headers else \
            resp.headers.get("x-amz-request-id")
        deadline = time.monotonic() + 5
        ms = None
        while ms is None and time.monotonic() < deadline:
            for line in server.stderr_text().splitlines():
                if rid and f"req={rid}" in line:
                    ms = float(re.search(r" ([0-9.]+)ms ", line).group(1))
        assert ms is not None, f"no log line for {path}"
        best = ms if best is None else min(best, ms)
    return best, resp


def test_views_answer_over_10000_objects(sealstack):
    s3 = client("s3", sealstack.endpoint, s3={"addressing_style": "path"},
                max_pool_connections=16)
    kms = client("kms", sealstack.endpoint)
    keys = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(3)]
    for b in ("perf-a", "perf-b"):
        s3.create_bucket(Bucket=b)
    s3.put_bucket_encryption(Bucket="perf-a", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": keys[0]},
        "BucketKeyEnabled": True}]})

    def put(i):
        extra = {}
        if i % 4 == 1:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": keys[1]}
        elif i % 4 == 2:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": keys[2],
                     "BucketKeyEnabled": True}
        s3.put_object(Bucket="perf-a" if i % 2 else "perf-b", Key=f"obj/{i:05d}", Body=b"x",
                      **extra)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(OBJECTS)))
    kms.disable_key(KeyId=keys[1])

    timings = {}
    timings["posture"], resp = server_ms(sealstack, "posture")
    report = resp.json()
    assert report["scanned"]["object_versions"] == OBJECTS
    assert any(f["id"] == "kms-disabled-in-use" for f in report["findings"])
    timings["dependents"], resp = server_ms(sealstack, f"keys/{keys[2]}/dependents")
    assert resp.json()["counts"]["object_versions"] == OBJECTS // 4
    timings["keys"], _ = server_ms(sealstack, "keys")
    timings["key"], _ = server_ms(sealstack, f"keys/{keys[0]}")
    timings["buckets"], _ = server_ms(sealstack, "buckets")
    timings["objects"], _ = server_ms(sealstack, "buckets/perf-a/objects")
    timings["glue"], _ = server_ms(sealstack, "glue")
    timings["audit"], _ = server_ms(sealstack, "console/audit", {"attribute": "ResourceName",
                                                                 "value": keys[0]})
    # A lookup attribute that matches nothing reads only the index (migration 0010).
    timings["audit-name-none"], _ = server_ms(sealstack, "console/audit",
                                              {"attribute": "EventName", "value": "NoSuchEvent"})
    timings["console"], _ = server_ms(sealstack, "console/")
    print("server ms with", OBJECTS, "objects:", json.dumps(timings))
