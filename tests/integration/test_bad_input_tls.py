"""The bad-input answers of the HTTP layer (server/http_connection.*) over the HTTPS listener,
which has its own TLS stream: ranges reach S3 as sent, a stalled body is RequestTimeout, a bad
Content-Length is BadRequest; and ordinary traffic (keep-alive, 100-continue, large bodies,
aws-chunked uploads) is unchanged."""

import io
import os
import socket
import ssl

import pytest
import urllib3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from aws_helpers import boto_session, REGION, assert_s3_error, read_response

READ_TIMEOUT_S = 2
BUCKET = "tls-bucket"


@pytest.fixture
def tls(start_sealstack):
    server = start_sealstack(extra_args=["--https-port", "0", "--read-timeout",
                                         str(READ_TIMEOUT_S)])
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = boto_session(aws_access_key_id="test", aws_secret_access_key="test",
                                    region_name=REGION)
    server.s3 = session.client("s3", endpoint_url=server.https_endpoint, verify=False,
                               config=Config(retries={"total_max_attempts": 1},
                                             s3={"addressing_style": "path"}))
    server.s3.create_bucket(Bucket=BUCKET)
    server.s3.put_object(Bucket=BUCKET, Key="small", Body=b"0123456789")
    server.tls_port = int(server.https_endpoint.rsplit(":", 1)[1])
    return server


def _tls_socket(server):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", server.tls_port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def _signed_head(server, method, path, *, headers=None, body=b"", length_lines=None):
    url = server.https_endpoint + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials("test", "test"), "s3", REGION).add_auth(req)
    p = req.prepare()
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.tls_port}"]
    if length_lines is None:
        length_lines = [f"Content-Length: {len(body)}"] if body or method == "PUT" else []
    lines += length_lines
    lines += [f"{k}: {v}" for k, v in p.headers.items()
              if k.lower() not in ("host", "content-length")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_ordinary_traffic_over_tls(tls):
    s3 = tls.s3
    big = os.urandom(3 * 1024 * 1024 + 17)  # botocore sends Expect: 100-continue for this
    s3.put_object(Bucket=BUCKET, Key="big", Body=big, ServerSideEncryption="AES256")
    assert s3.get_object(Bucket=BUCKET, Key="big")["Body"].read() == big
    # A streamed upload (aws-chunked with a trailer checksum where the SDK does that).
    s3.upload_fileobj(io.BytesIO(big[:200000]), BUCKET, "streamed")
    assert s3.get_object(Bucket=BUCKET, Key="streamed")["Body"].read() == big[:200000]
    got = s3.get_object(Bucket=BUCKET, Key="big", Range="bytes=10-19")
    assert got["Body"].read() == big[10:20]
    assert got["ContentRange"] == f"bytes 10-19/{len(big)}"
    head = s3.head_object(Bucket=BUCKET, Key="big")
    assert head["ContentLength"] == len(big)
    for _ in range(5):  # keep-alive: the pooled connection carries on
        assert s3.get_object(Bucket=BUCKET, Key="small")["Body"].read() == b"0123456789"
    s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
    assert s3.get_object(Bucket=BUCKET, Key="empty")["Body"].read() == b""


@pytest.mark.parametrize("rng", ["bytes=5-2", "bytes=a-b", "items=0-1"])
def test_invalid_range_is_ignored_over_tls(tls, rng):
    with _tls_socket(tls) as sock:
        sock.sendall(_signed_head(tls, "GET", f"/{BUCKET}/small", headers={"Range": rng}))
        resp = read_response(sock, deadline_s=10)
    assert (resp.status, resp.body) == (200, b"0123456789"), resp


def test_unsatisfiable_range_over_tls(tls):
    with _tls_socket(tls) as sock:
        sock.sendall(_signed_head(tls, "GET", f"/{BUCKET}/small",
                                  headers={"Range": "bytes=10-20"}))
        resp = read_response(sock, deadline_s=10)
    assert_s3_error(resp.status, resp.headers, resp.body, "InvalidRange", 416)


def test_stalled_body_over_tls_is_request_timeout(tls):
    with _tls_socket(tls) as sock:
        sock.sendall(_signed_head(tls, "PUT", f"/{BUCKET}/slow", body=b"x" * 1000,
                                  headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
                     + b"xxxxx")
        resp = read_response(sock, deadline_s=READ_TIMEOUT_S + 8)
    assert resp is not None, "the stalled connection was closed without an answer"
    assert_s3_error(resp.status, resp.headers, resp.body, "RequestTimeout", 400)
    assert "Contents" not in tls.s3.list_objects_v2(Bucket=BUCKET, Prefix="slow")


def test_bad_content_length_over_tls(tls):
    with _tls_socket(tls) as sock:
        sock.sendall(_signed_head(tls, "PUT", f"/{BUCKET}/cl", body=b"",
                                  length_lines=["Content-Length: abc"]) + b"0123")
        resp = read_response(sock, deadline_s=10)
    assert resp is not None
    assert_s3_error(resp.status, resp.headers, resp.body, "BadRequest", 400)
    assert "Contents" not in tls.s3.list_objects_v2(Bucket=BUCKET, Prefix="cl")
    # The server stays healthy over TLS.
    assert tls.s3.get_object(Bucket=BUCKET, Key="small")["Body"].read() == b"0123456789"
