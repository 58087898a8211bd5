"""Shared helpers for the SealStack client tests: boto3 clients, raw signed requests, presigners,
error-body parsers and a minimal raw-socket HTTP/1.1 client."""

import base64
import datetime
import hashlib
import hmac
import json
import socket
import time
import urllib.parse
import xml.etree.ElementTree as ET

import boto3
import botocore.session
import requests
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REGION = "us-east-1"
ROOT_ARN = "arn:aws:iam::000000000000:root"
ROOT_ACCOUNT = "000000000000"
HTTP_TIMEOUT = 10


_SHARED_LOADER = []


def boto_session(aws_access_key_id="test", aws_secret_access_key="test", aws_session_token=None,
                 region_name=REGION):
    """A boto3 session with these credentials. Every session shares one botocore data loader,
    as the clients of one application do: the service models (glue's and s3's are large) are
    parsed once per test process instead of once per client, about 0.1 s a client."""
    botocore_session = botocore.session.get_session()
    if _SHARED_LOADER:
        botocore_session.register_component("data_loader", _SHARED_LOADER[0])
    else:
        _SHARED_LOADER.append(botocore_session.get_component("data_loader"))
    return boto3.session.Session(botocore_session=botocore_session,
                                 aws_access_key_id=aws_access_key_id,
                                 aws_secret_access_key=aws_secret_access_key,
                                 aws_session_token=aws_session_token, region_name=region_name)


def client(service, endpoint, key="test", secret="test", **config_kwargs):
    """A boto3 client against the server, with no retries (a retried 5xx would hide the
    first answer and slow the test down) and bounded timeouts."""
    config_kwargs.setdefault("read_timeout", HTTP_TIMEOUT)
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5, **config_kwargs)
    return boto_session(key, secret).client(service, endpoint_url=endpoint, config=config)


# ---------------------------------------------------------------- raw signed requests

def signed_request(endpoint, method, path, *, service, headers=None, body=b"", key="test",
                   secret="test", params=None):
    """Sign with botocore's own SigV4 signer (S3 variant for service 's3') and send with
    requests, so a test can control exactly what goes on the wire."""
    url = endpoint + path
    if params:
        url += "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    signer_cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer_cls(Credentials(key, secret), service, REGION).add_auth(req)
    prepared = req.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers),
                            data=prepared.body, timeout=HTTP_TIMEOUT, allow_redirects=False)


def json_target_request(endpoint, target, body=b"{}", *, service="kms", key="test",
                        secret="test"):
    return signed_request(endpoint, "POST", "/", service=service, key=key, secret=secret,
                          body=body, headers={"X-Amz-Target": target,
                                              "Content-Type": "application/x-amz-json-1.1"})


# ---------------------------------------------------------------- error-body parsing

def _local(tag):
    return tag.rsplit("}", 1)[-1]


def xml_children(elem):
    """{local-name: text} of the direct children of elem (namespaces ignored)."""
    return {_local(c.tag): (c.text or "") for c in elem}


def parse_s3_error(body: bytes):
    """Parse `<Error><Code/><Message/>...<RequestId/></Error>`; returns dict of fields."""
    root = ET.fromstring(body)
    assert _local(root.tag) == "Error", f"S3 error root is {root.tag!r}, body {body[:500]!r}"
    return xml_children(root)


def parse_query_error(body: bytes):
    """Parse `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`."""
    root = ET.fromstring(body)
    assert _local(root.tag) == "ErrorResponse", f"root is {root.tag!r}, body {body[:500]!r}"
    top = {_local(c.tag): c for c in root}
    assert "Error" in top, f"no <Error> in {body[:500]!r}"
    fields = xml_children(top["Error"])
    fields["RequestId"] = top["RequestId"].text if "RequestId" in top else None
    return fields


def assert_json_error(status, headers, body, code, http_status=400):
    """A JSON 1.1 error: status, `__type` (botocore's normalisation), `message`, and the
    x-amzn-ErrorType / x-amzn-RequestId headers. headers: case-insensitive mapping."""
    assert status == http_status, f"expected HTTP {http_status} {code}, got {status}: {body[:500]!r}"
    try:
        doc = json.loads(body)
    except ValueError:
        raise AssertionError(f"JSON error body is not JSON: {body[:500]!r}") from None
    assert isinstance(doc, dict), doc
    type_ = str(doc.get("__type", ""))
    assert type_.split(":")[0].rsplit("#", 1)[-1] == code, f"__type {type_!r}, expected {code}"
    assert isinstance(doc.get("message", doc.get("Message")), str), f"no message in {doc}"
    err_type = headers.get("x-amzn-ErrorType")
    assert err_type is not None, f"no x-amzn-ErrorType header: {dict(headers)}"
    assert err_type.split(":")[0] == code, f"x-amzn-ErrorType {err_type!r}, expected {code}"
    assert headers.get("x-amzn-RequestId"), f"no x-amzn-RequestId header: {dict(headers)}"


def assert_s3_error(status, headers, body, code, http_status):
    assert status == http_status, f"expected HTTP {http_status} {code}, got {status}: {body[:500]!r}"
    fields = parse_s3_error(body)
    assert fields.get("Code") == code, f"S3 error Code {fields.get('Code')!r}, expected {code}: {body[:800]!r}"
    assert "Message" in fields, f"no <Message> in {body[:500]!r}"
    assert fields.get("RequestId"), f"no <RequestId> in {body[:500]!r}"
    assert headers.get("x-amz-request-id"), f"no x-amz-request-id header: {dict(headers)}"
    assert headers.get("x-amz-id-2"), f"no x-amz-id-2 header: {dict(headers)}"
    return fields


def assert_requests_s3_error(resp, code, http_status):
    return assert_s3_error(resp.status_code, resp.headers, resp.content, code, http_status)


# ---------------------------------------------------------------- presigners (own implementations)
# Used where boto3 cannot produce the URL we need (a correctly signed URL that is already
# expired). Each is also checked with a still-valid URL, so a signing bug here shows up as a
# failing control case rather than a false "expired" pass.

def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def presign_v4(endpoint, path, *, key="test", secret="test", when=None, expires=3600,
               method="GET"):
    when = when or datetime.datetime.now(datetime.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = when.strftime("%Y%m%d")
    scope = f"{day}/{REGION}/s3/aws4_request"
    host = urllib.parse.urlsplit(endpoint).netloc
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{key}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    q = lambda s: urllib.parse.quote(s, safe="-_.~")  # noqa: E731
    canonical_query = "&".join(f"{q(k)}={q(v)}" for k, v in sorted(params.items()))
    canonical_request = "\n".join([method, path, canonical_query, f"host:{host}\n", "host",
                                   "UNSIGNED-PAYLOAD"])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    k = _hmac(("AWS4" + secret).encode(), day)
    for part in (REGION, "s3", "aws4_request"):
        k = _hmac(k, part)
    signature = hmac.new(k, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{endpoint}{path}?{canonical_query}&X-Amz-Signature={signature}"


def presign_v2(endpoint, path, *, key="test", secret="test", expires_at=None, method="GET"):
    expires_at = int(expires_at if expires_at is not None else time.time() + 3600)
    string_to_sign = f"{method}\n\n\n{expires_at}\n{path}"
    sig = base64.b64encode(hmac.new(secret.encode(), string_to_sign.encode(),
                                    hashlib.sha1).digest()).decode()
    query = urllib.parse.urlencode({"AWSAccessKeyId": key, "Signature": sig,
                                    "Expires": str(expires_at)})
    return f"{endpoint}{path}?{query}"


def tamper_query_param(url, name):
    """Replace the value of query parameter `name` with a different, well-formed value of
    the same kind (hex for SigV4, base64 for SigV2), leaving the rest of the URL byte-identical."""
    base, _, query = url.partition("?")
    parts = query.split("&")
    for i, part in enumerate(parts):
        k, _, v = part.partition("=")
        if k == name:
            raw = urllib.parse.unquote(v)
            if name == "X-Amz-Signature":
                new = raw[:-1] + ("0" if raw[-1] != "0" else "1")
            else:
                digest = base64.b64decode(raw)
                new = base64.b64encode(bytes(b ^ 0xFF for b in digest)).decode()
            assert new != raw
            parts[i] = f"{k}={urllib.parse.quote(new, safe='')}"
            return f"{base}?{'&'.join(parts)}"
    raise AssertionError(f"no {name} in {url}")


# ---------------------------------------------------------------- raw socket HTTP

class RawResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # CaseInsensitiveDict
        self.body = body

    def __repr__(self):
        return f"RawResponse({self.status} {self.reason}, {dict(self.headers)}, {self.body[:300]!r})"


def connect(server, timeout=5.0):
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def read_response(sock, deadline_s=10.0):
    """Read one HTTP/1.1 response. Returns None if the server closed the connection without
    sending anything; raises socket.timeout (fails the test) if nothing complete arrives
    before the deadline."""
    deadline = time.monotonic() + deadline_s
    buf = b""

    def recv_more():
        nonlocal buf
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout(f"response incomplete after {deadline_s}s: {buf[:300]!r}")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        buf += chunk
        return bool(chunk)

    while b"\r\n\r\n" not in buf:
        if not recv_more():
            if not buf:
                return None
            raise AssertionError(f"connection closed inside the response head: {buf[:300]!r}")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    proto, status, *reason = lines[0].split(" ", 2)
    assert proto.startswith("HTTP/1."), f"bad status line {lines[0]!r}"
    headers = requests.structures.CaseInsensitiveDict()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    buf = rest
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(buf) < n:
            if not recv_more():
                raise AssertionError(f"body shorter than Content-Length {n}: {buf[:300]!r}")
        body = buf[:n]
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buf:
                if not recv_more():
                    raise AssertionError("connection closed inside a chunked body")
            size_line, _, buf = buf.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                if not recv_more():
                    raise AssertionError("connection closed inside a chunk")
            body += buf[:size]
            buf = buf[size + 2:]
            if size == 0:
                break
    else:
        while recv_more():
            pass
        body = buf
    return RawResponse(int(status), reason[0] if reason else "", headers, body)


def raw_exchange(server, data: bytes, deadline_s=10.0):
    with connect(server) as sock:
        sock.sendall(data)
        return read_response(sock, deadline_s)


def health(server, timeout=5.0):
    """GET /_sealstack/health over a fresh connection; asserts 200 + {"status":"ok"}."""
    resp = requests.get(server.endpoint + "/_sealstack/health", timeout=timeout)
    assert resp.status_code == 200, f"health: {resp.status_code} {resp.text[:300]}"
    assert resp.json().get("status") == "ok", resp.text[:300]
    return resp
