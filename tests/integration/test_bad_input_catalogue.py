"""Catalogue of malformed and hostile requests (issue 8, "Bad input").

One server for the module (--read-timeout 2 so that the slowloris case is quick). A canary
object is written first; after every case the server must answer /_sealstack/health and the
canary must read back byte-identical. Each case is its own test id and asserts the exact AWS
error: S3 `<Error><Code>` with its HTTP status, or JSON 1.1 `__type` with its status.

Expectations follow AWS where AWS is known (the botocore models and AWS's documented error
codes), e.g. a syntactically invalid Range is ignored by S3 (RFC 9110: 200 with the whole
object) while an unsatisfiable one is 416 InvalidRange; keys with `../` are ordinary keys.
"""

import base64
import hashlib
import json
import socket
import threading
import time
import urllib.parse

import pytest
import requests
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_helpers import (REGION, assert_json_error, assert_s3_error, client, health,
                         read_response)
from s3_helpers import module_servers, sse_c_headers  # noqa: F401 - module_servers is a fixture

BUCKET = "catalogue"
CANARY = b"canary " * 5000
SSE_C_KEY = bytes(range(32))
READ_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def srv(module_servers):
    server = module_servers.start(extra_args=["--read-timeout", str(READ_TIMEOUT_S),
                                              "--sse-c-blocked-by-default", "false"])
    s3 = client("s3", server.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="canary", Body=CANARY, ServerSideEncryption="AES256")
    s3.put_object(Bucket=BUCKET, Key="small", Body=b"0123456789")
    s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mpu")["UploadId"]
    kms = client("kms", server.endpoint)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    g = client("glue", server.endpoint)
    g.create_database(DatabaseInput={"Name": "catdb"})
    server.ctx = {"upload": upload, "key_id": key_id}
    server.s3 = s3
    return server


@pytest.fixture(autouse=True)
def _still_healthy(srv):
    yield
    health(srv)
    got = srv.s3.get_object(Bucket=BUCKET, Key="canary")["Body"].read()
    assert got == CANARY, "the canary object changed"


# ---------------------------------------------------------------- senders

def _sign(srv, method, path, *, service, headers=None, body=b"", query=""):
    url = srv.endpoint + path + (("?" + query) if query else "")
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    (S3SigV4Auth if service == "s3" else SigV4Auth)(Credentials("test", "test"), service,
                                                   REGION).add_auth(req)
    return req.prepare()


def s3_req(srv, method, path, *, headers=None, body=b"", query=""):
    p = _sign(srv, method, path, service="s3", headers=headers, body=body, query=query)
    r = requests.request(method, p.url, headers=dict(p.headers), data=p.body, timeout=15)
    return r.status_code, r.headers, r.content


def s3_raw(srv, method, path, *, headers=None, body=b"", query="", send_body=None,
           raw_path=None, extra_raw_headers=b""):
    """Signed by botocore, sent byte-exact on a socket (path as given, no normalisation)."""
    p = _sign(srv, method, path, service="s3", headers=headers, body=body, query=query)
    target = (raw_path or path) + (("?" + query) if query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {srv.host}:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() != "host"]
    if "Content-Length" not in p.headers and (body or method in ("PUT", "POST")):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    data = ("\r\n".join(lines)).encode("latin-1") + b"\r\n" + extra_raw_headers + b"\r\n"
    data += body if send_body is None else send_body
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = read_response(sock, deadline_s=10)
    assert resp is not None, "connection closed without a response"
    return resp.status, resp.headers, resp.body


def json_req(srv, target, body: bytes, service="kms"):
    ctype = "application/x-amz-json-1.1"
    p = _sign(srv, "POST", "/", service=service, body=body,
              headers={"X-Amz-Target": target, "Content-Type": ctype})
    r = requests.post(p.url, headers=dict(p.headers), data=p.body, timeout=15)
    return r.status_code, r.headers, r.content


def b64(raw):
    return base64.b64encode(raw).decode()


def md5_b64(raw):
    return b64(hashlib.md5(raw).digest())


# ---------------------------------------------------------------- bad XML bodies

DEEP_XML = b"<a>" * 20000 + b"</a>" * 20000
BAD_XML = {
    "not-xml": b"this is not xml",
    "unclosed": b"<CreateBucketConfiguration><LocationConstraint>",
    "wrong-root": b"<Foo><Bar/></Foo>",
    "deep": DEEP_XML,
    "entity-bomb": (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Delete>&c;</Delete>'),
    "external-entity": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                        b'"file:///etc/passwd">]><Delete><Object><Key>&e;</Key></Object></Delete>'),
    "invalid-utf8": b"<Delete><Object><Key>\xff\xfe</Key></Object></Delete>",
    "nul-bytes": b"<Delete>\x00\x00</Delete>",
}


def _xml_op(srv, op, body):
    if op == "CreateBucket":
        name = "cat-" + hashlib.md5(body).hexdigest()[:12]
        return s3_req(srv, "PUT", f"/{name}", body=body)
    if op == "PutBucketEncryption":
        return s3_req(srv, "PUT", f"/{BUCKET}", query="encryption=", body=body,
                      headers={"Content-MD5": md5_b64(body)})
    if op == "DeleteObjects":
        return s3_req(srv, "POST", f"/{BUCKET}", query="delete=", body=body,
                      headers={"Content-MD5": md5_b64(body)})
    upload = srv.ctx["upload"]
    return s3_req(srv, "POST", "/" + BUCKET + "/mpu", query=f"uploadId={upload}", body=body)


XML_OPS = ["CreateBucket", "PutBucketEncryption", "DeleteObjects", "CompleteMultipartUpload"]


@pytest.mark.parametrize("body_id", list(BAD_XML))
@pytest.mark.parametrize("op", XML_OPS)
def test_bad_xml(srv, op, body_id):
    status, headers, body = _xml_op(srv, op, BAD_XML[body_id])
    assert_s3_error(status, headers, body, "MalformedXML", 400)
    assert b"root:" not in body  # no external entity was resolved


# ---------------------------------------------------------------- bad JSON bodies

DEEP_JSON = b"[" * 100000 + b"]" * 100000
DEEP_OBJ = b'{"a":' * 50000 + b"1" + b"}" * 50000


SHALLOW_UNKNOWN = b'{"a":' * 100 + b"1" + b"}" * 100


@pytest.mark.parametrize("service,target,code", [
    ("kms", "TrentService.Encrypt", "ValidationException"),
    ("glue", "AWSGlue.CreateTable", "InvalidInputException"),
])
def test_nested_unknown_member_is_ignored(srv, service, target, code):
    """A nested object under an unknown member is valid JSON: AWS ignores unknown members, so
    the answer is the validation error for the missing required ones."""
    status, headers, body = json_req(srv, target, SHALLOW_UNKNOWN, service=service)
    assert_json_error(status, headers, body, code, 400)


@pytest.mark.parametrize("service,target", [("kms", "TrentService.Encrypt"),
                                            ("glue", "AWSGlue.CreateTable")])
def test_too_deep_json_is_refused(srv, service, target):
    """50,000 nested objects: refused before parsing (a recursive parser would run out of
    stack), as a malformed body."""
    status, headers, body = json_req(srv, target, DEEP_OBJ, service=service)
    assert_json_error(status, headers, body, "SerializationException", 400)
BAD_JSON = {
    "not-json": b"not json",
    "truncated": b'{"KeyId": "abc"',
    "top-level-array": b"[]",
    "deep-array": DEEP_JSON,
    "trailing-garbage": b'{} {}',
    "bad-escape": b'{"Description": "\\uZZZZ"}',
    "lone-surrogate": b'{"Description": "\\ud800"}',
}
JSON_TARGETS = [("kms", "TrentService.CreateKey"), ("kms", "TrentService.Encrypt"),
                ("glue", "AWSGlue.CreateTable"), ("glue", "AWSGlue.GetDatabases")]


@pytest.mark.parametrize("body_id", list(BAD_JSON))
@pytest.mark.parametrize("service,target", JSON_TARGETS, ids=[t for _, t in JSON_TARGETS])
def test_bad_json(srv, service, target, body_id):
    status, headers, body = json_req(srv, target, BAD_JSON[body_id], service=service)
    assert_json_error(status, headers, body, "SerializationException", 400)


@pytest.mark.parametrize("service,target", [("kms", "TrentService.Encrypt"),
                                            ("glue", "AWSGlue.CreateTable")])
def test_json_body_over_max_rpc_body(srv, service, target):
    big = b'{"Description": "' + b"x" * (9 << 20) + b'"}'
    status, headers, body = json_req(srv, target, big, service=service)
    assert (status, json.loads(body)["__type"].rsplit("#")[-1]) in \
        {(413, "RequestEntityTooLargeException"), (400, "SerializationException")}, body[:300]


@pytest.mark.parametrize("field,value,code", [
    ("KeyId", 5, "SerializationException"),
    ("Plaintext", 12, "SerializationException"),
    ("EncryptionContext", "str", "SerializationException"),
    ("GrantTokens", {"a": 1}, "SerializationException"),
])
def test_json_wrong_types(srv, field, value, code):
    req = {"KeyId": srv.ctx["key_id"], "Plaintext": b64(b"x")}
    req[field] = value
    status, headers, body = json_req(srv, "TrentService.Encrypt", json.dumps(req).encode())
    assert_json_error(status, headers, body, code, 400)


# ---------------------------------------------------------------- invalid base64

BAD_B64 = ["!!!!", "abc", "ab=c", "====", "a" * 5, "\u00e9\u00e9\u00e9\u00e9"]


@pytest.mark.parametrize("value", BAD_B64, ids=["bang", "short", "inner-pad", "pads", "len5",
                                                "non-ascii"])
@pytest.mark.parametrize("op,field", [("Encrypt", "Plaintext"), ("Decrypt", "CiphertextBlob"),
                                      ("ReEncrypt", "CiphertextBlob")])
def test_kms_invalid_base64(srv, op, field, value):
    req = {field: value}
    if op == "Encrypt":
        req["KeyId"] = srv.ctx["key_id"]
    if op == "ReEncrypt":
        req["DestinationKeyId"] = srv.ctx["key_id"]
    status, headers, body = json_req(srv, f"TrentService.{op}", json.dumps(req).encode())
    assert_json_error(status, headers, body, "SerializationException", 400)


@pytest.mark.parametrize("header,value,code", [
    ("x-amz-server-side-encryption-customer-key", "!!!not-base64!!!", "InvalidArgument"),
    ("x-amz-server-side-encryption-customer-key-MD5", "!!!", "InvalidArgument"),
    ("Content-MD5", "!!!", "InvalidDigest"),
    ("Content-MD5", "abc", "InvalidDigest"),
    ("x-amz-checksum-crc32", "!!!", "InvalidRequest"),
    ("x-amz-checksum-crc32c", "@@@@", "InvalidRequest"),
    ("x-amz-checksum-sha1", "abc", "InvalidRequest"),
    ("x-amz-checksum-sha256", "====", "InvalidRequest"),
], ids=["sse-c-key", "sse-c-key-md5", "content-md5-bang", "content-md5-short", "crc32",
        "crc32c", "sha1", "sha256"])
def test_s3_invalid_base64_header(srv, header, value, code):
    headers = {}
    if header.startswith("x-amz-server-side-encryption-customer"):
        headers = sse_c_headers(SSE_C_KEY)
    headers[header] = value
    status, h, body = s3_req(srv, "PUT", f"/{BUCKET}/b64-case", headers=headers, body=b"data")
    assert_s3_error(status, h, body, code, 400)


# ---------------------------------------------------------------- huge headers

def test_s3_single_header_over_8_kib(srv):
    """One line over 8 KiB (the HTTP layer's line limit): the same error as a large section."""
    status, h, body = s3_req(srv, "GET", f"/{BUCKET}/small", headers={"x-amz-meta-big": "a" * 9000})
    fields = assert_s3_error(status, h, body, "RequestHeaderSectionTooLarge", 400)
    assert fields.get("MaxSizeAllowed") == "8192", fields
    assert h.get("Connection") == "close", dict(h)


def test_s3_single_header_over_8_kib_on_put_stores_nothing(srv):
    status, h, body = s3_req(srv, "PUT", f"/{BUCKET}/big-line", body=b"x" * 100,
                             headers={"x-amz-meta-big": "a" * 9000})
    assert_s3_error(status, h, body, "RequestHeaderSectionTooLarge", 400)
    assert "Contents" not in srv.s3.list_objects_v2(Bucket=BUCKET, Prefix="big-line")


@pytest.mark.parametrize("service,target", [("kms", "TrentService.ListKeys"),
                                            ("glue", "AWSGlue.GetDatabases")])
def test_json_single_header_over_8_kib(srv, service, target):
    p = _sign(srv, "POST", "/", service=service, body=b"{}",
              headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1",
                       "X-Big": "b" * 9000})
    r = requests.post(p.url, headers=dict(p.headers), data=p.body, timeout=15)
    assert_json_error(r.status_code, r.headers, r.content, "RequestHeaderSectionTooLarge", 400)


def test_head_over_the_server_bound(srv):
    """A head that never ends within the server's bound (80 KiB of header lines, each under
    8 KiB): answered, not read forever."""
    extra = b"".join(b"x-pad-%d: %s\r\n" % (i, b"p" * 1000) for i in range(90))
    status, h, body = s3_raw(srv, "GET", f"/{BUCKET}/small", extra_raw_headers=extra)
    assert_s3_error(status, h, body, "RequestHeaderSectionTooLarge", 400)


def test_s3_many_headers_over_8_kib(srv):
    headers = {f"x-amz-meta-h{i}": "v" * 100 for i in range(90)}
    status, h, body = s3_req(srv, "PUT", f"/{BUCKET}/hdrs", headers=headers, body=b"x")
    assert_s3_error(status, h, body, "RequestHeaderSectionTooLarge", 400)


def test_s3_metadata_over_2_kib(srv):
    status, h, body = s3_req(srv, "PUT", f"/{BUCKET}/meta", body=b"x",
                             headers={"x-amz-meta-m": "m" * 2100})
    assert_s3_error(status, h, body, "MetadataTooLarge", 400)


# ---------------------------------------------------------------- keys

@pytest.mark.parametrize("key", ["k" * 1025, "\u00e9" * 513, "\u4e2d" * 342],
                         ids=["ascii-1025", "2byte-1026", "3byte-1026"])
def test_overlong_key_put(srv, key):
    status, h, body = s3_req(srv, "PUT", f"/{BUCKET}/" + urllib.parse.quote(key), body=b"x")
    fields = assert_s3_error(status, h, body, "KeyTooLongError", 400)
    assert (fields.get("Size"), fields.get("MaxSizeAllowed")) == \
        (str(len(key.encode())), "1024"), body


def test_key_of_exactly_1024_bytes_is_fine(srv):
    key = "k" * 1024
    s3 = srv.s3
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"max")
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"max"
    s3.delete_object(Bucket=BUCKET, Key=key)


TRAVERSAL = {
    "dotdot": ("../escape", "/../escape"),
    "dotdot-deep": ("../../../../etc/passwd", "/../../../../etc/passwd"),
    "encoded-dots": ("%2e%2e/x", "/%2e%2e/x"),
    "encoded-slash": ("..%2f..%2fsealstack.db", "/..%2f..%2fsealstack.db"),
    "middle": ("a/../b", "/a/../b"),
    "dot": ("./c", "/./c"),
    "backslash": ("..\\..\\win", "/..%5C..%5Cwin"),
}


@pytest.mark.parametrize("case", list(TRAVERSAL))
def test_path_traversal_key_is_a_literal_key(srv, case):
    """The raw path carries the dot segments; S3 keys are not paths, so each is stored under
    the literal (percent-decoded) key and reads back only under that key."""
    literal_key = urllib.parse.unquote(TRAVERSAL[case][1][1:])
    raw = f"/{BUCKET}" + TRAVERSAL[case][1]
    body = f"traversal {case}".encode()
    status, h, rbody = s3_raw(srv, "PUT", raw, body=body)
    assert status == 200, (status, rbody[:300])
    s3 = srv.s3
    assert s3.get_object(Bucket=BUCKET, Key=literal_key)["Body"].read() == body
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=literal_key[:2])
              .get("Contents", [])]
    assert literal_key in listed, listed
    s3.delete_object(Bucket=BUCKET, Key=literal_key)


@pytest.mark.parametrize("raw", ["%FF", "%C0%AF", "a%ED%A0%80b", "%F8%88%80%80%80"],
                         ids=["ff", "overlong-slash", "surrogate", "5-byte"])
def test_invalid_utf8_key(srv, raw):
    status, h, body = s3_raw(srv, "PUT", f"/{BUCKET}/{raw}", body=b"x")
    assert_s3_error(status, h, body, "InvalidURI", 400)


def test_invalid_utf8_metadata(srv):
    status, h, body = s3_raw(srv, "PUT", f"/{BUCKET}/meta-utf8", body=b"x",
                             extra_raw_headers=b"x-amz-meta-bad: \xff\xfe\r\n")
    # The raw-byte x-amz-meta header is not signed: AWS refuses unsigned x-amz-* headers
    # (AccessDenied, HeadersNotSigned) before it looks at the metadata.
    fields = assert_s3_error(status, h, body, "AccessDenied", 403)
    assert fields.get("HeadersNotSigned") == "x-amz-meta-bad", fields


# ---------------------------------------------------------------- ranges

@pytest.mark.parametrize("rng,status,code", [
    ("bytes=100-", 416, "InvalidRange"),
    ("bytes=10-20", 416, "InvalidRange"),
    ("bytes=-0", 416, "InvalidRange"),
], ids=["start-past-end", "start-at-end", "suffix-zero"])
def test_unsatisfiable_range(srv, rng, status, code):
    s, h, body = s3_req(srv, "GET", f"/{BUCKET}/small", headers={"Range": rng})
    assert_s3_error(s, h, body, code, status)


INVALID_RANGES = ["bytes=5-2", "bytes=-5-3", "bytes=a-b", "bytes=--1", "items=0-1",
                  "bytes=1-2-3"]


@pytest.mark.parametrize("rng", INVALID_RANGES)
def test_invalid_range_is_ignored(srv, rng):
    """Syntactically invalid or inverted ranges are ignored (RFC 9110 14.2; S3 does so)."""
    s, h, body = s3_req(srv, "GET", f"/{BUCKET}/small", headers={"Range": rng})
    assert (s, body) == (200, b"0123456789"), (s, body[:200])
    assert "Content-Range" not in h, dict(h)
    assert h.get("Content-Length") == "10", dict(h)


@pytest.mark.parametrize("rng", ["bytes=5-2", "bytes=a-b"])
def test_invalid_range_is_ignored_by_head_and_put(srv, rng):
    s, h, body = s3_req(srv, "HEAD", f"/{BUCKET}/small", headers={"Range": rng})
    assert (s, body, h.get("Content-Length")) == (200, b"", "10"), (s, dict(h))
    s, h, body = s3_req(srv, "PUT", f"/{BUCKET}/range-put", headers={"Range": rng}, body=b"put")
    assert s == 200, (s, body[:300])
    assert srv.s3.get_object(Bucket=BUCKET, Key="range-put")["Body"].read() == b"put"
    srv.s3.delete_object(Bucket=BUCKET, Key="range-put")


def test_valid_range_still_applies_once(srv):
    s, h, body = s3_req(srv, "GET", f"/{BUCKET}/small", headers={"Range": "bytes=2-4"})
    assert (s, body, h.get("Content-Range")) == (206, b"234", "bytes 2-4/10"), (s, dict(h))


def test_range_on_empty_object(srv):
    s, h, body = s3_req(srv, "GET", f"/{BUCKET}/empty", headers={"Range": "bytes=0-0"})
    assert_s3_error(s, h, body, "InvalidRange", 416)


# ---------------------------------------------------------------- content lengths

def test_content_length_longer_than_body(srv):
    """The body ends (half-close) before Content-Length: IncompleteBody, nothing stored."""
    p = _sign(srv, "PUT", f"/{BUCKET}/short-body", service="s3", body=b"0123456789",
              headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    lines = [f"PUT /{BUCKET}/short-body HTTP/1.1", f"Host: {srv.host}:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() != "host"]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + b"01234"
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        resp = read_response(sock, deadline_s=10)
    if resp is not None:
        assert_s3_error(resp.status, resp.headers, resp.body, "IncompleteBody", 400)
    s3 = srv.s3
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="short-body")


def test_content_length_shorter_than_body(srv):
    """Content-Length says 5, 10 bytes follow: the object is the first 5 bytes (the signed
    payload hash covers them) and the rest is parsed as the next request: a 400."""
    body = b"01234"
    p = _sign(srv, "PUT", f"/{BUCKET}/long-body", service="s3", body=body)
    lines = [f"PUT /{BUCKET}/long-body HTTP/1.1", f"Host: {srv.host}:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() != "host"]
    lines.append("Connection: close")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body + b"GARBAGE!\r\n\r\n"
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(data)
        first = read_response(sock, deadline_s=10)
    assert first is not None and first.status == 200, first
    s3 = srv.s3
    assert s3.get_object(Bucket=BUCKET, Key="long-body")["Body"].read() == body


BAD_LENGTHS = {
    "abc": ["abc"],
    "negative": ["-1"],
    "plus": ["+5"],
    "inner-space": ["1 2"],
    "hex": ["0x5"],
    "too-many-digits": ["1" * 20],
    "conflicting": ["5", "6"],
}


def _send_bad_length(srv, path, lengths, signed_headers, body=b"", keep_alive=False):
    lines = [f"PUT {path} HTTP/1.1" if path != "/" else "POST / HTTP/1.1",
             f"Host: {srv.host}:{srv.port}"]
    lines += [f"Content-Length: {v}" for v in lengths]
    if not keep_alive:
        lines.append("Connection: close")
    lines += [f"{k}: {v}" for k, v in signed_headers.items() if k.lower() not in (
        "content-length", "host")]
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        resp = read_response(sock, deadline_s=10)
        # The framing is not trusted: the server closes the connection after its answer.
        sock.settimeout(10)
        assert sock.recv(1) == b"", "connection left open after a bad Content-Length"
    return resp


@pytest.mark.parametrize("case", list(BAD_LENGTHS))
def test_content_length_not_a_number(srv, case):
    """A lenient parser would read Content-Length: abc as 0 and store an empty object."""
    p = _sign(srv, "PUT", f"/{BUCKET}/cl-nan", service="s3", body=b"")
    resp = _send_bad_length(srv, f"/{BUCKET}/cl-nan", BAD_LENGTHS[case], p.headers,
                            body=b"01234", keep_alive=True)
    assert resp is not None, "no answer to a bad Content-Length"
    assert_s3_error(resp.status, resp.headers, resp.body, "BadRequest", 400)
    s3 = srv.s3
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="cl-nan")


def test_content_length_not_a_number_json(srv):
    p = _sign(srv, "POST", "/", service="kms", body=b"{}",
              headers={"X-Amz-Target": "TrentService.ListKeys",
                       "Content-Type": "application/x-amz-json-1.1"})
    resp = _send_bad_length(srv, "/", ["abc"], p.headers, body=b"{}")
    assert resp is not None
    assert_json_error(resp.status, resp.headers, resp.body, "BadRequest", 400)


def test_repeated_equal_content_length_is_fine(srv):
    body = b"same"
    p = _sign(srv, "PUT", f"/{BUCKET}/cl-twice", service="s3", body=body)
    lines = [f"PUT /{BUCKET}/cl-twice HTTP/1.1", f"Host: {srv.host}:{srv.port}",
             "Content-Length: 4", "Content-Length: 4", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() not in (
        "content-length", "host")]
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        resp = read_response(sock, deadline_s=10)
    assert resp is not None and resp.status == 200, resp
    assert srv.s3.get_object(Bucket=BUCKET, Key="cl-twice")["Body"].read() == body
    srv.s3.delete_object(Bucket=BUCKET, Key="cl-twice")


def test_signed_payload_hash_mismatch(srv):
    status, h, body = s3_raw(srv, "PUT", f"/{BUCKET}/hash", body=b"signed",
                             send_body=b"sent!!")
    assert_s3_error(status, h, body, "XAmzContentSHA256Mismatch", 400)


# ---------------------------------------------------------------- slowloris

def test_slowloris_body_times_out_while_others_are_served(srv):
    p = _sign(srv, "PUT", f"/{BUCKET}/slow", service="s3", body=b"x" * 1000,
              headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    lines = [f"PUT /{BUCKET}/slow HTTP/1.1", f"Host: {srv.host}:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() != "host"]
    sock = socket.create_connection((srv.host, srv.port), timeout=10)
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"xxxxx")
        # Others are served while the slow connection stalls.
        s3 = srv.s3
        for i in range(5):
            assert s3.get_object(Bucket=BUCKET, Key="small")["Body"].read() == b"0123456789"
        # The server answers the stalled body itself after its read timeout: S3's
        # RequestTimeout (read_response fails the test if nothing arrives in time).
        resp = read_response(sock, deadline_s=READ_TIMEOUT_S + 8)
        assert resp is not None, "the stalled connection was closed without an answer"
        assert_s3_error(resp.status, resp.headers, resp.body, "RequestTimeout", 400)
        assert resp.headers.get("Connection") == "close", dict(resp.headers)
    finally:
        sock.close()
    s3 = srv.s3
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="slow")


@pytest.mark.parametrize("service,target", [("kms", "TrentService.Encrypt"),
                                            ("glue", "AWSGlue.CreateDatabase")])
def test_slowloris_json_body(srv, service, target):
    body = json.dumps({"KeyId": srv.ctx["key_id"], "Plaintext": b64(b"p")}).encode()
    p = _sign(srv, "POST", "/", service=service, body=body,
              headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    lines = ["POST / HTTP/1.1", f"Host: {srv.host}:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() != "host"]
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body[:5])
        resp = read_response(sock, deadline_s=READ_TIMEOUT_S + 8)
    assert resp is not None, "the stalled connection was closed without an answer"
    assert_json_error(resp.status, resp.headers, resp.body, "RequestTimeoutException", 408)


def test_body_cut_short_is_incomplete_not_timeout(srv):
    """The client closes its side mid-body: IncompleteBody (told apart from a stall)."""
    p = _sign(srv, "PUT", f"/{BUCKET}/cut", service="s3", body=b"x" * 100,
              headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    lines = [f"PUT /{BUCKET}/cut HTTP/1.1", f"Host: {srv.host}:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in p.headers.items() if k.lower() != "host"]
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"x" * 10)
        sock.shutdown(socket.SHUT_WR)
        resp = read_response(sock, deadline_s=10)
    assert resp is not None
    assert_s3_error(resp.status, resp.headers, resp.body, "IncompleteBody", 400)
    assert "Contents" not in srv.s3.list_objects_v2(Bucket=BUCKET, Prefix="cut")


def test_slow_headers_time_out(srv):
    """Headers that never end: the connection is closed by the server (or answered 408/400)."""
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(f"GET /{BUCKET}/small HTTP/1.1\r\nHost: x\r\nX-Slow: a".encode())
        resp = read_response(sock, deadline_s=READ_TIMEOUT_S + 8)
    assert resp is None or resp.status in (400, 408), resp
