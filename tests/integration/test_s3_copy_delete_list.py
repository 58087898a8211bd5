"""CopyObject, DeleteObjects and delimiter listings with real clients (PROTOCOL 3.3 rule 5,
3.4, 4.2): metadata directives (user metadata byte for byte, non-ASCII included),
re-encryption, the destination bucket's default, SSE-C source keys, the copy-onto-itself rule,
copy-source conditions; DeleteObjects quiet/verbose with a per-key AccessDenied; ListObjects
V1/V2 with Prefix, Delimiter, MaxKeys paging through common prefixes, StartAfter and
encoding-type=url. One server for the module."""

import base64
import hashlib
import json
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, client, signed_request
from s3_helpers import (KEY_A, KEY_B, expect, module_servers, put_policy, s3_client,  # noqa: F401
                        signed_raw, sse_c, sse_c_bucket)


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start()


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(scope="module")
def kms(server):
    return client("kms", server.endpoint)


def _admin_view(server, bucket, key):
    r = requests.get(f"{server.endpoint}/_sealstack/s3/{bucket}/{urllib.parse.quote(key)}",
                     timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- CopyObject

NON_ASCII = "caf\u00e9 \u65e5\u672c \U0001f511"  # sent as raw UTF-8 bytes in x-amz-meta-*
ENVELOPE = json.dumps({"x-amz-key-v2": "AQIDAHh+/==", "x-amz-cek-alg": "AES/GCM/NoPadding"})


def test_copy_metadata_directive_copy_and_replace(s3, server):
    s3.create_bucket(Bucket="cp-meta")
    put = signed_raw(server.endpoint, "PUT", "/cp-meta/src", body=b"payload",
                     headers={"Content-Type": "text/x-src", "Cache-Control": "max-age=5",
                              "x-amz-meta-envelope": ENVELOPE,
                              "x-amz-meta-encoded": "=?UTF-8?B?Y2Fmw6k=?="},
                     raw_headers={"x-amz-meta-utf8": NON_ASCII})
    assert put.status_code == 200, put.text
    # Default directive COPY: metadata and content headers come along, byte for byte.
    s3.copy_object(Bucket="cp-meta", Key="copied", CopySource={"Bucket": "cp-meta", "Key": "src"})
    got = requests.get(f"{server.endpoint}/cp-meta/copied", timeout=HTTP_TIMEOUT,
                       headers=_sigv4_get_headers(server, "/cp-meta/copied"))
    assert got.status_code == 200 and got.content == b"payload"
    raw = got.raw._original_response.msg  # http.client headers: values as Latin-1 of the bytes
    assert raw["x-amz-meta-utf8"].encode("latin-1") == NON_ASCII.encode("utf-8")
    head = s3.head_object(Bucket="cp-meta", Key="copied")
    assert head["Metadata"]["envelope"] == ENVELOPE
    assert head["Metadata"]["encoded"] == "=?UTF-8?B?Y2Fmw6k=?="
    assert (head["ContentType"], head["CacheControl"]) == ("text/x-src", "max-age=5")
    # REPLACE: only what the copy request says.
    s3.copy_object(Bucket="cp-meta", Key="replaced", CopySource={"Bucket": "cp-meta", "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"new": "value"},
                   ContentType="application/x-new")
    head = s3.head_object(Bucket="cp-meta", Key="replaced")
    assert head["Metadata"] == {"new": "value"}
    assert head["ContentType"] == "application/x-new" and "CacheControl" not in head
    # COPY ignores metadata sent with the request.
    s3.copy_object(Bucket="cp-meta", Key="copy2", CopySource={"Bucket": "cp-meta", "Key": "src"},
                   MetadataDirective="COPY", Metadata={"ignored": "yes"})
    assert "ignored" not in s3.head_object(Bucket="cp-meta", Key="copy2")["Metadata"]
    expect(s3.copy_object, "InvalidArgument", 400, Bucket="cp-meta", Key="bad",
           CopySource={"Bucket": "cp-meta", "Key": "src"}, MetadataDirective="MERGE")
    expect(s3.copy_object, "NoSuchKey", 404, Bucket="cp-meta", Key="x",
           CopySource={"Bucket": "cp-meta", "Key": "missing"})
    expect(s3.copy_object, "NoSuchBucket", 404, Bucket="cp-meta", Key="x",
           CopySource={"Bucket": "no-such-bucket-cp", "Key": "src"})


def _sigv4_get_headers(server, path):
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="GET", url=server.endpoint + path)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
    return dict(req.headers)


def test_copy_reencrypts_sse_s3_to_sse_kms(s3, kms, server):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="cp-reenc")
    body = b"re-encrypt me" * 1000
    s3.put_object(Bucket="cp-reenc", Key="plain", Body=body)
    assert _admin_view(server, "cp-reenc", "plain")["mode"] == "SSE-S3"
    r = s3.copy_object(Bucket="cp-reenc", Key="kms", CopySource={"Bucket": "cp-reenc", "Key": "plain"},
                       ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    assert (r["ServerSideEncryption"], r["SSEKMSKeyId"]) == ("aws:kms", key)
    assert r["CopyObjectResult"]["ETag"] != '"%s"' % hashlib.md5(body).hexdigest()
    head = s3.head_object(Bucket="cp-reenc", Key="kms")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key)
    view = _admin_view(server, "cp-reenc", "kms")
    assert (view["mode"], view["kms_key_arn"]) == ("SSE-KMS", key)
    assert view["encryption_context"] == {"aws:s3:arn": "arn:aws:s3:::cp-reenc/kms"}
    assert s3.get_object(Bucket="cp-reenc", Key="kms")["Body"].read() == body
    # And back to SSE-S3: the ETag is the plaintext MD5 again.
    r = s3.copy_object(Bucket="cp-reenc", Key="back", CopySource={"Bucket": "cp-reenc", "Key": "kms"},
                       ServerSideEncryption="AES256")
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    assert _admin_view(server, "cp-reenc", "back")["mode"] == "SSE-S3"


def test_copy_takes_the_destination_bucket_default(s3, kms, server):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="cp-src-kms")
    s3.create_bucket(Bucket="cp-dst-plain")
    s3.create_bucket(Bucket="cp-dst-kms")
    rule = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                              "KMSMasterKeyID": key}}]}
    s3.put_bucket_encryption(Bucket="cp-src-kms", ServerSideEncryptionConfiguration=rule)
    s3.put_bucket_encryption(Bucket="cp-dst-kms", ServerSideEncryptionConfiguration=rule)
    s3.put_object(Bucket="cp-src-kms", Key="k", Body=b"from a kms bucket")
    assert s3.head_object(Bucket="cp-src-kms", Key="k")["SSEKMSKeyId"] == key
    r = s3.copy_object(Bucket="cp-dst-plain", Key="k", CopySource={"Bucket": "cp-src-kms", "Key": "k"})
    assert r["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in r
    assert _admin_view(server, "cp-dst-plain", "k")["mode"] == "SSE-S3"
    s3.put_object(Bucket="cp-dst-plain", Key="p", Body=b"plain source")
    r = s3.copy_object(Bucket="cp-dst-kms", Key="p", CopySource={"Bucket": "cp-dst-plain", "Key": "p"})
    assert (r["ServerSideEncryption"], r["SSEKMSKeyId"]) == ("aws:kms", key)
    assert s3.get_object(Bucket="cp-dst-kms", Key="p")["Body"].read() == b"plain source"


def test_copy_of_sse_c_source_needs_the_copy_source_key(s3, server):
    sse_c_bucket(s3, server.endpoint, "cp-ssec")
    s3.put_object(Bucket="cp-ssec", Key="c", Body=b"customer data", **sse_c())
    src = {"Bucket": "cp-ssec", "Key": "c"}
    expect(s3.copy_object, "InvalidRequest", 400, Bucket="cp-ssec", Key="d", CopySource=src)
    expect(s3.copy_object, "AccessDenied", 403, Bucket="cp-ssec", Key="d", CopySource=src,
           CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY_B)
    # Right source key, destination SSE-C under another key.
    r = s3.copy_object(Bucket="cp-ssec", Key="d", CopySource=src,
                       CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY_A,
                       **sse_c(KEY_B))
    assert r["SSECustomerAlgorithm"] == "AES256"
    assert s3.get_object(Bucket="cp-ssec", Key="d", **sse_c(KEY_B))["Body"].read() == \
        b"customer data"
    expect(s3.get_object, "AccessDenied", 403, Bucket="cp-ssec", Key="d", **sse_c(KEY_A))
    # Right source key, no destination encryption: the bucket default (SSE-S3).
    r = s3.copy_object(Bucket="cp-ssec", Key="e", CopySource=src,
                       CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY_A)
    assert r["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket="cp-ssec", Key="e")["Body"].read() == b"customer data"
    # Copy-source SSE-C key for a source that is not SSE-C.
    expect(s3.copy_object, "InvalidRequest", 400, Bucket="cp-ssec", Key="f",
           CopySource={"Bucket": "cp-ssec", "Key": "e"},
           CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY_A)


def test_copy_onto_itself(s3, kms):
    s3.create_bucket(Bucket="cp-self")
    s3.put_object(Bucket="cp-self", Key="k", Body=b"self", Metadata={"a": "1"})
    src = {"Bucket": "cp-self", "Key": "k"}
    err = expect(s3.copy_object, "InvalidRequest", 400, Bucket="cp-self", Key="k", CopySource=src)
    assert "copy an object to itself without changing" in err["Message"]
    key = kms.create_key()["KeyMetadata"]["Arn"]
    r = s3.copy_object(Bucket="cp-self", Key="k", CopySource=src, ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key)
    assert r["SSEKMSKeyId"] == key
    head = s3.head_object(Bucket="cp-self", Key="k")
    assert head["SSEKMSKeyId"] == key and head["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket="cp-self", Key="k", CopySource=src, MetadataDirective="REPLACE",
                   Metadata={"a": "2"})
    assert s3.head_object(Bucket="cp-self", Key="k")["Metadata"] == {"a": "2"}
    assert s3.get_object(Bucket="cp-self", Key="k")["Body"].read() == b"self"


ILLEGAL_COPY = ("This copy request is illegal because it is trying to copy an object to itself "
                "without changing the object's metadata, storage class, website redirect location "
                "or encryption attributes.")


def test_copy_in_place_allowed_when_aws_allows_it(s3, kms):
    """CopyObject (API Reference): a copy onto itself must change the metadata, storage class,
    website redirect location or encryption. Which requests count as changing the encryption
    follows LocalStack's CopyObject, whose snapshots are AWS captures: any SSE header (even the
    object's own value), a bucket default encryption that was configured, or a source that is
    not SSE-S3 (it becomes the bucket's SSE-S3 default)."""
    b = "cp-in-place"
    s3.create_bucket(Bucket=b)
    src = {"Bucket": b, "Key": "k"}
    s3.put_object(Bucket=b, Key="k", Body=b"data")
    err = expect(s3.copy_object, "InvalidRequest", 400, Bucket=b, Key="k", CopySource=src)
    assert err["Message"] == ILLEGAL_COPY
    # Naming the current encryption, a storage class or a redirect counts as a change.
    assert s3.copy_object(Bucket=b, Key="k", CopySource=src,
                          ServerSideEncryption="AES256")["ServerSideEncryption"] == "AES256"
    s3.copy_object(Bucket=b, Key="k", CopySource=src, StorageClass="STANDARD")
    s3.copy_object(Bucket=b, Key="k", CopySource=src, WebsiteRedirectLocation="/other")
    # An SSE-KMS object copied in place becomes SSE-S3 (the bucket default): allowed.
    s3.put_object(Bucket=b, Key="k", Body=b"data", ServerSideEncryption="aws:kms")
    r = s3.copy_object(Bucket=b, Key="k", CopySource=src)
    assert r["ServerSideEncryption"] == "AES256"
    expect(s3.copy_object, "InvalidRequest", 400, Bucket=b, Key="k", CopySource=src)
    # A configured default encryption (even SSE-S3) allows it; deleting it refuses again.
    s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.copy_object(Bucket=b, Key="k", CopySource=src)
    s3.delete_bucket_encryption(Bucket=b)
    err = expect(s3.copy_object, "InvalidRequest", 400, Bucket=b, Key="k", CopySource=src)
    assert err["Message"] == ILLEGAL_COPY
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"data"


def test_copy_object_result_carries_checksum_and_type(s3):
    """AWS computes a CRC64NVME for every new object that arrives without a checksum (S3 User
    Guide, "Checking object integrity"), and CopyObjectResult carries the new object's checksum
    with its ChecksumType (LocalStack's AWS captures: ChecksumCRC32 + ChecksumType FULL_OBJECT
    for a copy that asked for CRC32)."""
    s3.create_bucket(Bucket="cp-checksum")
    s3.put_object(Bucket="cp-checksum", Key="k", Body=b"checksummed")
    # Raw, so that no SDK default (boto3 >= 1.36 names CRC32) reaches the server.
    r = signed_request(server_endpoint(s3), "PUT", "/cp-checksum/d", service="s3",
                       headers={"x-amz-copy-source": "/cp-checksum/k"})
    assert r.status_code == 200, r.text
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    root = ET.fromstring(r.content)
    # The source's algorithm (boto3 >= 1.36 put it with CRC32; older ones with none: CRC64NVME).
    sums = {e.tag[len(ns):]: e.text for e in root if e.tag.startswith(ns + "Checksum")}
    assert sums.pop("ChecksumType") == "FULL_OBJECT" and len(sums) == 1, r.text
    stored = ET.fromstring(signed_request(
        server_endpoint(s3), "GET", "/cp-checksum/d", service="s3",
        params={"attributes": ""}, headers={"x-amz-object-attributes": "Checksum"}).content)
    (name, value), = sums.items()
    assert stored.findtext(f"{ns}Checksum/{ns}{name}") == value
    r = s3.copy_object(Bucket="cp-checksum", Key="e", ChecksumAlgorithm="CRC32",
                       CopySource={"Bucket": "cp-checksum", "Key": "k"})
    crc = base64.b64encode(zlib.crc32(b"checksummed").to_bytes(4, "big")).decode()
    assert r["CopyObjectResult"]["ChecksumCRC32"] == crc
    if "ChecksumType" not in s3.meta.service_model.shape_for("CopyObjectResult").members:
        pytest.skip("this botocore predates CopyObjectResult.ChecksumType (Nov 2024)")
    assert r["CopyObjectResult"]["ChecksumType"] == "FULL_OBJECT"


def server_endpoint(s3):
    return s3.meta.endpoint_url


def test_copy_source_conditions(s3):
    s3.create_bucket(Bucket="cp-cond")
    etag = s3.put_object(Bucket="cp-cond", Key="k", Body=b"cond")["ETag"]
    src = {"Bucket": "cp-cond", "Key": "k"}
    expect(s3.copy_object, "PreconditionFailed", 412, Bucket="cp-cond", Key="d", CopySource=src,
           CopySourceIfMatch='"%s"' % hashlib.md5(b"other").hexdigest())
    expect(s3.copy_object, "PreconditionFailed", 412, Bucket="cp-cond", Key="d", CopySource=src,
           CopySourceIfNoneMatch=etag)
    s3.copy_object(Bucket="cp-cond", Key="d", CopySource=src, CopySourceIfMatch=etag)
    assert s3.get_object(Bucket="cp-cond", Key="d")["Body"].read() == b"cond"
    expect(s3.get_object, "NoSuchKey", 404, Bucket="cp-cond", Key="never")


# ---------------------------------------------------------------- DeleteObjects

def test_delete_objects_quiet_verbose_and_denied_key(s3):
    s3.create_bucket(Bucket="del-many")
    for k in ("a", "b", "c", "keep/me", "d"):
        s3.put_object(Bucket="del-many", Key=k, Body=b"x")
    verbose = s3.delete_objects(Bucket="del-many", Delete={"Objects": [
        {"Key": "a"}, {"Key": "b"}, {"Key": "never-existed"}]})
    assert sorted(d["Key"] for d in verbose["Deleted"]) == ["a", "b", "never-existed"]
    assert verbose.get("Errors", []) == []
    quiet = s3.delete_objects(Bucket="del-many", Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet and quiet.get("Errors", []) == []
    put_policy(s3, "del-many", [{
        "Sid": "KeepOne", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
        "Resource": "arn:aws:s3:::del-many/keep/me"}])
    mixed = s3.delete_objects(Bucket="del-many", Delete={"Objects": [{"Key": "keep/me"},
                                                                     {"Key": "d"}]})
    assert [d["Key"] for d in mixed["Deleted"]] == ["d"]
    assert [(e["Key"], e["Code"]) for e in mixed["Errors"]] == [("keep/me", "AccessDenied")]
    assert mixed["Errors"][0]["Message"]
    quiet = s3.delete_objects(Bucket="del-many", Delete={"Objects": [{"Key": "keep/me"}],
                                                         "Quiet": True})
    assert "Deleted" not in quiet
    assert [(e["Key"], e["Code"]) for e in quiet["Errors"]] == [("keep/me", "AccessDenied")]
    expect(s3.delete_object, "AccessDenied", 403, Bucket="del-many", Key="keep/me")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="del-many")["Contents"]] == ["keep/me"]
    expect(s3.delete_objects, "NoSuchBucket", 404, Bucket="no-such-del",
           Delete={"Objects": [{"Key": "a"}]})
    s3.delete_bucket_policy(Bucket="del-many")


def test_delete_objects_malformed_xml(server, s3):
    s3.create_bucket(Bucket="del-bad")
    body = b"<Delete><Object><Key>a</Key></Object>"  # not closed
    import base64
    r = signed_request(server.endpoint, "POST", "/del-bad", service="s3", params={"delete": ""},
                       body=body, headers={"Content-MD5": base64.b64encode(
                           hashlib.md5(body).digest()).decode()})
    assert r.status_code == 400, r.text
    assert ET.fromstring(r.content).find("Code").text == "MalformedXML"


# ---------------------------------------------------------------- listings

KEYS = ["a/b/1", "a/b/2", "a/c", "a/d/x", "b", "c/1", "c/2", "c/3/z", "d", "e f/\u00fc ber",
        "e f/x+y", "\u65e5\u672c/1", "z"]
TOP = ({"b", "d", "z"}, {"a/", "c/", "e f/", "\u65e5\u672c/"})


@pytest.fixture(scope="module")
def listed_bucket(s3):
    s3.create_bucket(Bucket="list-delim")
    for k in KEYS:
        s3.put_object(Bucket="list-delim", Key=k, Body=b"")
    return "list-delim"


def _collect(pages):
    keys, prefixes, n = [], [], 0
    for page in pages:
        n += 1
        keys += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    return keys, prefixes, n


@pytest.mark.parametrize("op", ["list_objects", "list_objects_v2"])
def test_delimiter_paging_through_common_prefixes(s3, listed_bucket, op):
    pages = s3.get_paginator(op).paginate(Bucket=listed_bucket, Delimiter="/",
                                          PaginationConfig={"PageSize": 1})
    keys, prefixes, n = _collect(pages)
    assert (set(keys), set(prefixes)) == TOP
    assert len(keys) + len(prefixes) == 7 and n == 7  # one entry per page, no repeats
    pages = s3.get_paginator(op).paginate(Bucket=listed_bucket, Delimiter="/", Prefix="a/",
                                          PaginationConfig={"PageSize": 2})
    keys, prefixes, n = _collect(pages)
    assert (keys, prefixes, n) == (["a/c"], ["a/b/", "a/d/"], 2)
    one = getattr(s3, op)(Bucket=listed_bucket, Delimiter="/", MaxKeys=3)
    assert one["IsTruncated"] is True and one["MaxKeys"] == 3 and one["Delimiter"] == "/"
    assert [o["Key"] for o in one.get("Contents", [])] == ["b"]
    assert [p["Prefix"] for p in one.get("CommonPrefixes", [])] == ["a/", "c/"]
    if op == "list_objects":
        assert one["NextMarker"] == "c/"  # the last key or common prefix returned
    else:
        assert one["KeyCount"] == 3 and one["NextContinuationToken"]
    full = getattr(s3, op)(Bucket=listed_bucket, Delimiter="/")
    assert full["IsTruncated"] is False
    assert [o["Key"] for o in full["Contents"]] == ["b", "d", "z"]
    assert [p["Prefix"] for p in full["CommonPrefixes"]] == ["a/", "c/", "e f/", "\u65e5\u672c/"]


def test_list_v2_start_after_and_prefix(s3, listed_bucket):
    r = s3.list_objects_v2(Bucket=listed_bucket, StartAfter="c/2")
    assert [o["Key"] for o in r["Contents"]] == ["c/3/z", "d", "e f/x+y", "e f/\u00fc ber",
                                                "z", "\u65e5\u672c/1"]
    assert r["StartAfter"] == "c/2"
    r = s3.list_objects_v2(Bucket=listed_bucket, Prefix="c/", StartAfter="c/1", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["c/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["c/3/"]
    r = s3.list_objects_v2(Bucket=listed_bucket, Prefix="nothing/")
    assert r["KeyCount"] == 0 and "Contents" not in r
    r = s3.list_objects(Bucket=listed_bucket, Marker="d", MaxKeys=2)
    assert [o["Key"] for o in r["Contents"]] == ["e f/x+y", "e f/\u00fc ber"]


@pytest.mark.parametrize("list_type", ["1", "2"])
def test_encoding_type_url(server, listed_bucket, list_type, s3):
    params = {"encoding-type": "url", "prefix": "e f/", "delimiter": "/"}
    if list_type == "2":
        params["list-type"] = "2"
    r = signed_request(server.endpoint, "GET", f"/{listed_bucket}", service="s3", params=params)
    assert r.status_code == 200, r.text
    assert b"e f/" not in r.content and "\u00fc".encode() not in r.content  # encoded on the wire
    root = ET.fromstring(r.content)
    ns = {"s": "http://s3.amazonaws.com/doc/2006-03-01/"}
    assert root.find("s:EncodingType", ns).text == "url"
    raw_keys = [c.find("s:Key", ns).text for c in root.findall("s:Contents", ns)]
    assert [urllib.parse.unquote_plus(k) for k in raw_keys] == ["e f/x+y", "e f/\u00fc ber"]  # UTF-8 byte order
    assert urllib.parse.unquote_plus(root.find("s:Prefix", ns).text) == "e f/"
    # boto3 asks for encoding-type=url itself and decodes: keys with "+", spaces and
    # non-ASCII come back intact.
    listed = s3.list_objects_v2(Bucket=listed_bucket) if list_type == "2" else \
        s3.list_objects(Bucket=listed_bucket)
    assert [o["Key"] for o in listed["Contents"]] == sorted(KEYS, key=lambda k: k.encode())
    grouped = s3.list_objects_v2(Bucket=listed_bucket, Delimiter="/", Prefix="e f/")
    assert [o["Key"] for o in grouped["Contents"]] == ["e f/x+y", "e f/\u00fc ber"]  # UTF-8 byte order
