"""No request that names an S3 sub-resource ever reaches PutObject, GetObject or DeleteObject.

The list of sub-resources is read from the S3 API model of the boto3 running the test
(botocore's s3/2006-03-01 service model: the query-string names of every operation's
requestUri), so a sub-resource added to the model is covered as soon as boto3 knows it. Each
one is sent, signed, with its operation's method to an existing object (object-level) and to its
bucket (bucket-level); afterwards the object is byte-for-byte what it was, still under the same
key, no other object exists, and the request answered either an emulated operation or
501 NotImplemented naming the sub-resource, never the object's bytes. Unknown query parameters
are ignored, as AWS ignores them.
"""

import base64
import hashlib
import os

import botocore.loaders
import pytest

from aws_helpers import assert_requests_s3_error, client, parse_s3_error, signed_request

# Sub-resources SealStack serves today, per level; every other one answers 501.
SERVED_ON_BUCKETS = {"encryption", "policy", "location", "uploads", "delete",
                     "versioning", "versions",  # test_s3_versioning.py
                     # bucket configurations (test_s3_bucket_config.py)
                     "acl", "cors", "lifecycle", "tagging", "logging", "website", "notification",
                     "requestPayment", "accelerate", "replication", "object-lock",
                     "ownershipControls", "publicAccessBlock", "analytics", "metrics",
                     "inventory", "intelligent-tiering"}
SERVED_ON_OBJECTS = {"uploads", "attributes", "acl",
                     "tagging", "encryption",  # test_s3_tagging.py, test_s3_update_encryption.py
                     "retention", "legal-hold"}  # test_s3_object_lock.py
# Served for one method only: none today (versioning is served for GET and PUT).
SERVED_FOR_METHOD = {}
# Query literals of the model that select a variant rather than name a sub-resource.
NOT_SUB_RESOURCES = {"list-type", "select-type", "x-id"}


def _model_sub_resources():
    """[(level, sub_resource, method, operation)] from boto3's S3 model."""
    model = botocore.loaders.Loader().load_service_model("s3", "service-2")
    out = []
    for name, op in model["operations"].items():
        path, _, query = op["http"]["requestUri"].partition("?")
        level = "object" if "{Key+}" in path else ("bucket" if "{Bucket}" in path else None)
        if level is None:
            continue
        for part in filter(None, query.split("&")):
            sub = part.split("=")[0]
            if sub not in NOT_SUB_RESOURCES:
                out.append((level, sub, op["http"]["method"], name))
    # UpdateObjectEncryption (2026) is newer than Debian's boto3 1.26: walk it there too.
    out.append(("object", "encryption", "PUT", "UpdateObjectEncryption"))
    return sorted(set(out))


SUB_RESOURCES = _model_sub_resources()


def test_the_model_lists_the_sub_resources_this_test_relies_on():
    subs = {(level, sub) for level, sub, _, _ in SUB_RESOURCES}
    # tagging/acl/versioning/torrent are the everyday ones (UpdateObjectEncryption, which
    # replaced objects with the request's XML body before this check existed, is added above
    # for older models).
    for expected in [("object", "tagging"), ("object", "acl"),
                     ("bucket", "versioning"), ("bucket", "tagging"), ("object", "torrent")]:
        assert expected in subs, f"{expected} missing from the boto3 S3 model"


def _snapshot(s3, bucket):
    listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    keys = sorted(o["Key"] for o in listing)
    body = s3.get_object(Bucket=bucket, Key="victim")["Body"].read()
    return keys, hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("level,sub,method,operation", SUB_RESOURCES,
                         ids=[f"{lvl}-{sub}-{m}-{op}" for lvl, sub, m, op in SUB_RESOURCES])
def test_a_sub_resource_never_reaches_the_object(sealstack, level, sub, method, operation):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="subres")
    secret = os.urandom(1000)
    s3.put_object(Bucket="subres", Key="victim", Body=secret)
    before = _snapshot(s3, "subres")

    path = "/subres/victim" if level == "object" else "/subres"
    body = b"<Tagging><TagSet/></Tagging>" if method in ("PUT", "POST") else b""
    resp = signed_request(sealstack.endpoint, method, path + "?" + sub, service="s3", body=body)

    served = sub in (SERVED_ON_OBJECTS if level == "object" else SERVED_ON_BUCKETS)
    served = served or SERVED_FOR_METHOD.get((level, sub)) == method
    if not served:
        fields = assert_requests_s3_error(resp, "NotImplemented", 501)
        assert f"?{sub} sub-resource" in fields["Message"], fields["Message"]
    else:
        # An emulated operation answers as itself (its own success or error), never with the
        # object's bytes.
        assert resp.status_code != 501, resp.content[:300]
    assert secret not in resp.content, f"{operation} returned the object's bytes"
    assert _snapshot(s3, "subres") == before, f"{method} ?{sub} changed the bucket"


def test_update_object_encryption_leaves_the_object_as_it_was(sealstack):
    """The data-loss case: PUT /bucket/key?encryption used to fall through to PutObject and
    store the request's XML as the object. It is UpdateObjectEncryption: a failed one (the KMS
    key does not exist) leaves the object exactly as it was."""
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="enc")
    s3.put_object(Bucket="enc", Key="k", Body=b"precious", ServerSideEncryption="AES256")
    xml = (b'<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><SSE-KMS>'
           b"<KMSKeyArn>arn:aws:kms:us-east-1:000000000000:key/x</KMSKeyArn></SSE-KMS>"
           b"</ObjectEncryption>")
    md5 = base64.b64encode(hashlib.md5(xml).digest()).decode()
    resp = signed_request(sealstack.endpoint, "PUT", "/enc/k?encryption", service="s3", body=xml,
                          headers={"Content-MD5": md5})
    assert_requests_s3_error(resp, "KMS.NotFoundException", 400)
    got = s3.get_object(Bucket="enc", Key="k")
    assert got["Body"].read() == b"precious"
    assert got["ServerSideEncryption"] == "AES256"


def test_unknown_query_parameters_are_ignored(sealstack):
    """AWS ignores query parameters it does not know; clients rely on it (the MinIO JS client
    repeats SSE-C options in the query string)."""
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="plain")
    put = signed_request(sealstack.endpoint, "PUT", "/plain/k?made-up-param=1&another",
                         service="s3", body=b"hello")
    assert put.status_code == 200, put.content[:300]
    get = signed_request(sealstack.endpoint, "GET", "/plain/k?made-up-param=1", service="s3")
    assert get.status_code == 200 and get.content == b"hello"
    listing = signed_request(sealstack.endpoint, "GET", "/plain?made-up-param=1", service="s3")
    assert listing.status_code == 200 and b"<Key>k</Key>" in listing.content
    head = signed_request(sealstack.endpoint, "DELETE", "/plain/k?whatever=x", service="s3")
    assert head.status_code == 204
    missing = signed_request(sealstack.endpoint, "GET", "/plain/k?made-up-param=1", service="s3")
    assert parse_s3_error(missing.content).get("Code") == "NoSuchKey"
