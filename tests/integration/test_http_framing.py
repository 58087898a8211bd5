"""HTTP/1.1 framing as the server's own HTTP layer speaks it (server/http_head.*, http_exchange.*),
on raw sockets: keep-alive after every kind of answer, pipelined requests, chunked bodies,
HTTP/1.0, empty header values, and the answers to request lines the server cannot use."""

import boto3
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from aws_helpers import REGION, RawResponse, assert_s3_error, connect


class _Reader:
    """Reads responses off one socket, keeping what arrives beyond one response for the next
    (pipelining), and knowing as a client does that HEAD, 204 and 304 answers have no body."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _more(self):
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def read(self, head_request=False):
        while b"\r\n\r\n" not in self.buf:
            if not self._more():
                assert not self.buf, f"closed inside a response head: {self.buf[:200]!r}"
                return None
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = requests.structures.CaseInsensitiveDict()
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        length = 0 if head_request or status in (204, 304) else int(headers["Content-Length"])
        while len(self.buf) < length:
            assert self._more(), "closed inside a response body"
        body, self.buf = self.buf[:length], self.buf[length:]
        return RawResponse(status, "", headers, body)


def read_response(sock, head_request=False):
    return _Reader(sock).read(head_request)


def _signed_head(server, method, path, headers=None, body=b"", chunked=False):
    """The bytes of a SigV4-signed request for a raw socket: head and body, or with `chunked`
    only the head (Transfer-Encoding: chunked; the payload hash signed is the body's)."""
    req = AWSRequest(method=method, url=server.endpoint + path, data=body,
                     headers=dict(headers or {}))
    S3SigV4Auth(Credentials("test", "test"), "s3", REGION).add_auth(req)
    prepared = req.prepare()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {server.host}:{server.port}"]
    for name, value in prepared.headers.items():
        if name.lower() != "host":
            lines.append(f"{name}: {value}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _s3(server):
    return boto3.client("s3", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(s3={"addressing_style": "path"}))


def test_not_modified_and_errors_keep_the_connection(sealstack):
    s3 = _s3(sealstack)
    s3.create_bucket(Bucket="framing")
    etag = s3.put_object(Bucket="framing", Key="k", Body=b"hello")["ETag"]
    with connect(sealstack) as sock:
        reader = _Reader(sock)
        # 304: a length but no body; the connection carries the next request.
        sock.sendall(_signed_head(sealstack, "GET", "/framing/k", {"If-None-Match": etag}))
        resp = reader.read()
        assert resp.status == 304
        assert resp.body == b""
        assert resp.headers.get("Connection", "").lower() != "close"
        # An error answer (NoSuchKey) on the same connection, then a success.
        sock.sendall(_signed_head(sealstack, "GET", "/framing/missing"))
        resp = reader.read()
        assert_s3_error(resp.status, resp.headers, resp.body, "NoSuchKey", 404)
        sock.sendall(_signed_head(sealstack, "GET", "/framing/k"))
        resp = reader.read()
        assert (resp.status, resp.body) == (200, b"hello")
        assert resp.headers["Content-Length"] == "5"
        assert resp.headers["Date"].endswith(" GMT")
        # HEAD: the object's length, no body, and still the same connection.
        sock.sendall(_signed_head(sealstack, "HEAD", "/framing/k"))
        resp = reader.read(head_request=True)
        assert resp.status == 200 and resp.headers["Content-Length"] == "5"
        sock.sendall(_signed_head(sealstack, "GET", "/framing/k"))
        assert reader.read().body == b"hello"


def test_pipelined_requests_are_answered_in_order(sealstack):
    s3 = _s3(sealstack)
    s3.create_bucket(Bucket="pipeline")
    for key in ("a", "b"):
        s3.put_object(Bucket="pipeline", Key=key, Body=key.encode() * 3)
    with connect(sealstack) as sock:
        sock.sendall(_signed_head(sealstack, "GET", "/pipeline/a") +
                     _signed_head(sealstack, "PUT", "/pipeline/c", body=b"ccc") +
                     _signed_head(sealstack, "GET", "/pipeline/b"))
        reader = _Reader(sock)
        first, second, third = reader.read(), reader.read(), reader.read()
    assert (first.status, first.body) == (200, b"aaa")
    assert second.status == 200 and second.headers["ETag"]
    assert (third.status, third.body) == (200, b"bbb")
    assert s3.get_object(Bucket="pipeline", Key="c")["Body"].read() == b"ccc"


def test_chunked_request_body_is_stored_as_sent(sealstack):
    s3 = _s3(sealstack)
    s3.create_bucket(Bucket="chunked")
    payload = b"0123456789" * 1000
    head = _signed_head(sealstack, "PUT", "/chunked/k", body=payload, chunked=True)
    body = b""
    for at in range(0, len(payload), 4096):
        piece = payload[at:at + 4096]
        body += b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n"
    body += b"0\r\nx-trailer: ignored\r\n\r\n"
    with connect(sealstack) as sock:
        reader = _Reader(sock)
        sock.sendall(head + body)
        resp = reader.read()
        assert resp.status == 200, resp.body[:300]
        sock.sendall(_signed_head(sealstack, "GET", "/chunked/k"))
        assert reader.read().body == payload


def test_broken_chunked_framing_ends_the_connection(sealstack):
    s3 = _s3(sealstack)
    s3.create_bucket(Bucket="badchunk")
    head = _signed_head(sealstack, "PUT", "/badchunk/k", body=b"hello", chunked=True)
    with connect(sealstack) as sock:
        sock.sendall(head + b"zz\r\nhello\r\n0\r\n\r\n")  # "zz" is not a hex chunk size
        resp = read_response(sock)
        assert_s3_error(resp.status, resp.headers, resp.body, "IncompleteBody", 400)
        assert resp.headers["Connection"].lower() == "close"
        assert read_response(sock) is None  # closed: its framing could not be trusted
    assert "Contents" not in s3.list_objects_v2(Bucket="badchunk")


def test_http10_closes_unless_asked_to_keep_alive(sealstack):
    with connect(sealstack) as sock:
        sock.sendall(b"GET /_sealstack/health HTTP/1.0\r\n\r\n")
        resp = read_response(sock)
        assert resp.status == 200 and resp.headers["Connection"].lower() == "close"
        assert read_response(sock) is None
    with connect(sealstack) as sock:
        sock.sendall(b"GET /_sealstack/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        assert read_response(sock).status == 200
        sock.sendall(b"GET /_sealstack/health HTTP/1.1\r\n\r\n")
        assert read_response(sock).status == 200


def test_empty_signed_header_values_reach_the_service(sealstack):
    """An empty x-amz-server-side-encryption is an error in S3, not an absent header."""
    s3 = _s3(sealstack)
    s3.create_bucket(Bucket="emptyhdr")
    with connect(sealstack) as sock:
        sock.sendall(_signed_head(sealstack, "PUT", "/emptyhdr/k",
                                  {"x-amz-server-side-encryption": ""}, body=b"x"))
        resp = read_response(sock)
    assert_s3_error(resp.status, resp.headers, resp.body, "InvalidArgument", 400)


def test_request_lines_the_server_cannot_use(sealstack):
    cases = [
        (b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", "MethodNotAllowed", 405),
        (b"FETCH / HTTP/1.1\r\nHost: x\r\n\r\n", "BadRequest", 400),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "BadRequest", 400),
        (b"GET /\r\nHost: x\r\n\r\n", "BadRequest", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\n folded: header\r\n\r\n", "BadRequest", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "RequestURITooLong", 414),
    ]
    for request, code, status in cases:
        with connect(sealstack) as sock:
            sock.sendall(request)
            resp = read_response(sock)
            assert_s3_error(resp.status, resp.headers, resp.body, code, status)
            assert resp.headers["Connection"].lower() == "close"
            assert resp.headers["x-amz-request-id"]
            assert read_response(sock) is None
