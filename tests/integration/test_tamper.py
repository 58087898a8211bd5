"""Tamper: bytes flipped directly at rest while the server is stopped.

A server on a --data-dir stores objects in SSE-S3, SSE-KMS and SSE-C and creates KMS keys; it
is stopped (SIGTERM, exit 0) and one byte is flipped in
  (a) a stored segment of an object (its first segment, and the last segment of another), in
      the body file of a large object (storage/body_files.h) and in the segment rows of a small
      one (s3_object_segments),
  (b) with python's sqlite3, the wrapped data key (s3_objects.wrapped_key) of an object in
      each SSE mode,
  (c) the wrapped key material (kms_key_materials.wrapped, storage/migrations/0002_kms.sql) of
      a KMS key.
After a restart every affected read fails with an integrity error and never returns data: a
failure before the first body byte is a 500 InternalError (S3) / KMSInternalException (KMS);
a failure in the middle of a streamed body cuts the connection, so the client gets fewer bytes
than Content-Length said and no success. Everything not tampered with reads back unchanged.
"""

import base64
import hashlib
import json
import socket
import sqlite3
import urllib.parse

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

from aws_helpers import REGION, assert_json_error, client, health, json_target_request
from s3_helpers import sse_c, sse_c_headers

SSE_C_KEY = bytes(range(50, 82))
BUCKET = "tamper-bucket"
BIG = 300_000  # several segments


def _data(tag, size):
    unit = hashlib.sha256(tag.encode()).digest()
    return (unit * (size // len(unit) + 1))[:size]


# name -> (mode, size, what is tampered)
OBJECTS = {
    "seg-first": ("sse-s3", BIG, "first-segment"),
    "seg-last": ("sse-kms", BIG, "last-segment"),
    "seg-small": ("sse-c", 1000, "first-segment"),
    "wk-s3": ("sse-s3", 5000, "wrapped-key"),
    "wk-kms": ("sse-kms", BIG, "wrapped-key"),
    "wk-c": ("sse-c", 5000, "wrapped-key"),
    "ok-s3": ("sse-s3", BIG, None),
    "ok-kms": ("sse-kms", 70000, None),
    "ok-c": ("sse-c", BIG, None),
    "ok-empty": ("sse-s3", 0, None),
}


def _flip(blob: bytes, index: int) -> bytes:
    b = bytearray(blob)
    b[index] ^= 0x01
    return bytes(b)


def _signed_get(server, key, headers=None):
    """A raw signed GET whose response is read incrementally, so that a body cut short is
    observable (requests would raise on it without telling how many bytes came)."""
    url = f"{server.endpoint}/{BUCKET}/{urllib.parse.quote(key)}"
    req = AWSRequest(method="GET", url=url, headers=dict(headers or {}))
    S3SigV4Auth(Credentials("test", "test"), "s3", REGION).add_auth(req)
    prepared = req.prepare()
    lines = [f"GET /{BUCKET}/{urllib.parse.quote(key)} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in prepared.headers.items()]
    lines += [f"Host: {server.host}:{server.port}", "Connection: close"]
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
    status = int(status_line.split(" ")[1])
    hdrs = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        hdrs[name.strip().lower()] = value.strip()
    return status, hdrs, body


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    """Stores everything, stops, tampers, restarts; yields (server, bodies, key ids)."""
    import conftest
    from s3_helpers import clean_env_for_module
    mp = pytest.MonkeyPatch()
    clean_env_for_module(mp)
    tmp = tmp_path_factory.mktemp("tamper")
    data_dir = tmp / "data"
    data_dir.mkdir()
    args = ["--data-dir", str(data_dir), "--sse-c-blocked-by-default", "false"]
    servers = []
    try:
        server = conftest._start(tmp, "before", None, args)
        servers.append(server)
        s3 = client("s3", server.endpoint)
        kms = client("kms", server.endpoint)
        s3.create_bucket(Bucket=BUCKET)
        good_key = kms.create_key(Description="untouched")["KeyMetadata"]["KeyId"]
        bodies = {}
        for name, (mode, size, _) in OBJECTS.items():
            body = _data(name, size)
            bodies[name] = body
            kw = {}
            if mode == "sse-s3":
                kw = dict(ServerSideEncryption="AES256")
            elif mode == "sse-kms":
                kw = dict(ServerSideEncryption="aws:kms", SSEKMSKeyId=good_key)
            else:
                kw = sse_c(SSE_C_KEY)
            s3.put_object(Bucket=BUCKET, Key=name, Body=body, **kw)
        server.stop()

        conn = sqlite3.connect(str(data_dir / "sealstack.db"))
        tampered_files, tampered_rows = set(), set()
        try:
            with conn:
                for name, (_, _, what) in OBJECTS.items():
                    if what in ("first-segment", "last-segment"):
                        oid = conn.execute(
                            "SELECT e.object_id FROM s3_object_extents e JOIN s3_objects o "
                            "ON o.seq = e.version_seq WHERE o.bucket=? AND o.key=?",
                            (BUCKET, name)).fetchone()[0]
                        path = data_dir / "bodies" / f"{oid % 256:02x}" / f"{oid}.seg"
                        if path.exists():
                            # A large body is a file (storage/body_files.h): segment k at
                            # k * (64 KiB + 16-byte tag).
                            sealed = bytearray(path.read_bytes())
                            stride = 64 * 1024 + 16
                            count = (len(sealed) + stride - 1) // stride
                            seq = 0 if what == "first-segment" else count - 1
                            at = seq * stride + min(stride, len(sealed) - seq * stride) // 2
                            sealed[at] ^= 0x01
                            path.write_bytes(bytes(sealed))
                            tampered_files.add(name)
                            continue
                        # A small body is rows of s3_object_segments.
                        seq = conn.execute(
                            f"SELECT {'min' if what == 'first-segment' else 'max'}(seq) "
                            "FROM s3_object_segments WHERE object_id=?", (oid,)).fetchone()[0]
                        sealed = conn.execute(
                            "SELECT sealed FROM s3_object_segments WHERE object_id=? AND seq=?",
                            (oid, seq)).fetchone()[0]
                        assert len(sealed) > 16
                        conn.execute("UPDATE s3_object_segments SET sealed=? "
                                     "WHERE object_id=? AND seq=?",
                                     (_flip(sealed, len(sealed) // 2), oid, seq))
                        tampered_rows.add(name)
                    elif what == "wrapped-key":
                        wk, doc = conn.execute("SELECT wrapped_key, doc FROM s3_objects "
                                               "WHERE bucket=? AND key=?",
                                               (BUCKET, name)).fetchone()
                        if wk:  # SSE-S3, SSE-C: wrapped under a root/customer-derived key
                            conn.execute("UPDATE s3_objects SET wrapped_key=? "
                                         "WHERE bucket=? AND key=?",
                                         (_flip(wk, len(wk) - 5), BUCKET, name))
                        else:  # SSE-KMS: the data key is a KMS ciphertext blob in the doc
                            d = json.loads(doc)
                            blob = base64.b64decode(d["sse"]["kms_blob"])
                            d["sse"]["kms_blob"] = base64.b64encode(
                                _flip(blob, len(blob) - 5)).decode()
                            conn.execute("UPDATE s3_objects SET doc=? WHERE bucket=? AND key=?",
                                         (json.dumps(d), BUCKET, name))
        finally:
            conn.close()
        # Both places bodies live were tampered with.
        assert tampered_files == {"seg-first", "seg-last"} and tampered_rows == {"seg-small"}

        server = conftest._start(tmp, "after", None, args)
        servers.append(server)
        yield server, bodies, good_key
        health(server)
        conftest._stop(server)
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait(timeout=10)
        mp.undo()


def _headers_for(name):
    return sse_c_headers(SSE_C_KEY) if OBJECTS[name][0] == "sse-c" else {}


def _assert_no_data(name, status, hdrs, body, original):
    """The read failed without presenting data as success."""
    assert body != original or not original, f"{name}: the original bytes came back"
    if status == 200:
        length = int(hdrs.get("content-length", "-1"))
        assert length >= 0, f"{name}: 200 without Content-Length: {hdrs}"
        assert len(body) < length, \
            f"{name}: 200 with a complete body of {len(body)} bytes: tampered data as success"
    elif name == "wk-kms":
        # The SSE-KMS data key is a KMS ciphertext: KMS refuses it as S3 relays KMS errors.
        assert status == 400, f"{name}: status {status}: {body[:300]!r}"
        assert b"<Code>KMS.InvalidCiphertextException</Code>" in body, body[:500]
    else:
        assert status == 500, f"{name}: status {status}: {body[:300]!r}"
        # S3's own integrity failure, or KMS's (a key whose material failed at load), which
        # S3 passes on with the KMS. prefix.
        assert (b"<Code>InternalError</Code>" in body or
                b"<Code>KMS.KMSInternalException</Code>" in body), body[:500]


@pytest.mark.parametrize("name", [n for n, v in OBJECTS.items() if v[2] is not None])
def test_tampered_object_read_fails(tampered, name):
    server, bodies, _ = tampered
    status, hdrs, body = _signed_get(server, name, _headers_for(name))
    _assert_no_data(name, status, hdrs, body, bodies[name])
    # boto3: an error, never the bytes.
    s3 = client("s3", server.endpoint)
    kw = sse_c(SSE_C_KEY) if OBJECTS[name][0] == "sse-c" else {}
    with pytest.raises((ClientError, BotoCoreError)):
        s3.get_object(Bucket=BUCKET, Key=name, **kw)["Body"].read()
    health(server)


@pytest.mark.parametrize("name", [n for n, v in OBJECTS.items()
                                  if v[0] == "sse-s3" and v[2] is None] + ["seg-first"])
def test_tampered_object_head_still_answers(tampered, name):
    """Metadata is not what was tampered with: HEAD answers 200 with the original size."""
    server, bodies, _ = tampered
    r = client("s3", server.endpoint).head_object(Bucket=BUCKET, Key=name)
    assert r["ContentLength"] == len(bodies[name])


@pytest.mark.parametrize("name", [n for n, v in OBJECTS.items() if v[2] is None])
def test_untouched_objects_read_back(tampered, name):
    server, bodies, _ = tampered
    s3 = client("s3", server.endpoint)
    kw = sse_c(SSE_C_KEY) if OBJECTS[name][0] == "sse-c" else {}
    assert s3.get_object(Bucket=BUCKET, Key=name, **kw)["Body"].read() == bodies[name]


# ---------------------------------------------------------------- (c) KMS key material

def test_tampered_kms_key_material_fails_only_that_key(start_sealstack, tmp_path):
    data_dir = tmp_path / "kmsdata"
    data_dir.mkdir()
    args = ["--data-dir", str(data_dir)]
    server = start_sealstack(extra_args=args)
    kms = client("kms", server.endpoint)
    s3 = client("s3", server.endpoint)
    good = kms.create_key(Description="untouched")["KeyMetadata"]["KeyId"]
    bad = kms.create_key(Description="tampered")["KeyMetadata"]["KeyId"]
    good_ct = kms.encrypt(KeyId=good, Plaintext=b"good secret")["CiphertextBlob"]
    bad_ct = kms.encrypt(KeyId=bad, Plaintext=b"bad secret")["CiphertextBlob"]
    s3.create_bucket(Bucket=BUCKET)
    body = _data("kms-obj", 70000)
    s3.put_object(Bucket=BUCKET, Key="under-bad", Body=body, ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=bad)
    s3.put_object(Bucket=BUCKET, Key="plain", Body=body, ServerSideEncryption="AES256")
    server.stop()

    conn = sqlite3.connect(str(data_dir / "sealstack.db"))
    try:
        with conn:
            rows = conn.execute("SELECT material_id, wrapped FROM kms_key_materials "
                                "WHERE key_id=?", (bad,)).fetchall()
            assert rows, "no key material row for the KMS key"
            for material_id, wrapped in rows:
                conn.execute("UPDATE kms_key_materials SET wrapped=? WHERE key_id=? AND "
                             "material_id=?", (_flip(wrapped, len(wrapped) - 3), bad, material_id))
    finally:
        conn.close()

    server = start_sealstack(extra_args=args)
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    for target, req in [
            ("Encrypt", {"KeyId": bad, "Plaintext": b64(b"x")}),
            ("Decrypt", {"CiphertextBlob": b64(bad_ct)}),
            ("GenerateDataKey", {"KeyId": bad, "KeySpec": "AES_256"}),
            ("ReEncrypt", {"CiphertextBlob": b64(bad_ct), "DestinationKeyId": good})]:
        r = json_target_request(server.endpoint, f"TrentService.{target}", json.dumps(req).encode())
        assert_json_error(r.status_code, r.headers, r.content, "KMSInternalException", 500)
        assert b"bad secret" not in r.content
    status, hdrs, got = _signed_get(server, "under-bad")
    _assert_no_data("under-bad", status, hdrs, got, body)
    # Everything else is unaffected.
    kms = client("kms", server.endpoint)
    assert kms.decrypt(CiphertextBlob=good_ct)["Plaintext"] == b"good secret"
    assert kms.describe_key(KeyId=bad)["KeyMetadata"]["KeyState"] == "Enabled"
    s3 = client("s3", server.endpoint)
    assert s3.get_object(Bucket=BUCKET, Key="plain")["Body"].read() == body

