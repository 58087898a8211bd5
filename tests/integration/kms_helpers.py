"""Shared helpers for the KMS real-client tests (test_kms_*.py).

The expectations follow AWS KMS (botocore's kms/2014-11-01 model and the KMS API reference,
summarised in PROTOCOL.md section 5), not whatever the server currently does."""

import datetime
import json
import re

import botocore.compat
import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import REGION, ROOT_ACCOUNT, client, json_target_request

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
KEY_ID_RE = re.compile(rf"^{UUID_RE}$")
KEY_ARN_PREFIX = f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/"
KEY_ARN_RE = re.compile(rf"^arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/({UUID_RE})$")
KEY_MATERIAL_ID_RE = re.compile(r"^[0-9a-f]{64}$")

# A second account (config principal, account root so that it needs no IAM policy).
OTHER_ACCOUNT = "111122223333"
OTHER = {
    "access_key_id": "AKIAOTHERACCOUNT0001",
    "secret_access_key": "other-account-secret",
    "arn": f"arn:aws:iam::{OTHER_ACCOUNT}:root",
}
OTHER_CONFIG = {"principals": [OTHER]}


# RSA-3072/4096 generation takes seconds and has a long tail (a prime search); on a loaded
# 2-core machine one CreateKey outlasted the default 10 s read timeout. Tests that create such
# keys give their client this much; the timeout is there to catch hangs, not to time keygen.
KEYGEN_READ_TIMEOUT = 60


def kms(server, key="test", secret="test", **config_kwargs):
    return client("kms", server.endpoint, key, secret, **config_kwargs)


def key_arn(key_id, account=ROOT_ACCOUNT):
    return f"arn:aws:kms:{REGION}:{account}:key/{key_id}"


def assert_key_arn(value, key_id=None):
    m = KEY_ARN_RE.match(value or "")
    assert m, f"not a key ARN in account {ROOT_ACCOUNT}/{REGION}: {value!r}"
    if key_id is not None:
        assert m.group(1) == key_id, f"{value!r} is not the ARN of key {key_id}"


def expect_error(call, code, status=400, **kwargs):
    """call(**kwargs) must raise ClientError with exactly this code and HTTP status.
    Returns the botocore error response."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    resp = info.value.response
    err, meta = resp.get("Error", {}), resp.get("ResponseMetadata", {})
    assert (err.get("Code"), meta.get("HTTPStatusCode")) == (code, status), \
        f"expected {code} ({status}), got {err.get('Code')} ({meta.get('HTTPStatusCode')}): {resp}"
    assert meta.get("RequestId"), f"no request id on {code}: {resp}"
    return resp


def raw_error(server, op, body, code, status=400):
    """A raw signed TrentService call (for values botocore would reject client-side, e.g.
    below a model minimum) that must fail with `code`."""
    resp = json_target_request(server.endpoint, f"TrentService.{op}",
                               json.dumps(body).encode())
    assert resp.status_code == status, \
        f"{op} {body}: expected {status} {code}, got {resp.status_code}: {resp.text[:500]}"
    doc = resp.json()
    type_ = str(doc.get("__type", ""))
    assert type_.split(":")[0].rsplit("#", 1)[-1] == code, f"{op}: __type {type_!r}, want {code}"
    assert resp.headers.get("x-amzn-RequestId"), dict(resp.headers)
    return doc


def raw_ok(server, op, body):
    resp = json_target_request(server.endpoint, f"TrentService.{op}",
                               json.dumps(body).encode())
    assert resp.status_code == 200, f"{op} {body}: {resp.status_code} {resp.text[:500]}"
    return resp.json() if resp.content else {}


# ---------------------------------------------------------------- model capabilities
# Debian's botocore 1.29 lacks newer operations and members; tests for them skip there.

def has_op(kms_client, op):
    return op in kms_client.meta.service_model.operation_names


def has_input(kms_client, op, member):
    return has_op(kms_client, op) and \
        member in kms_client.meta.service_model.operation_model(op).input_shape.members


def has_output(kms_client, op, member):
    if not has_op(kms_client, op):
        return False
    out = kms_client.meta.service_model.operation_model(op).output_shape
    return out is not None and member in out.members


def shape_members(kms_client, shape):
    return set(kms_client.meta.service_model.shape_for(shape).members)


def require_op(kms_client, op):
    if not has_op(kms_client, op):
        pytest.skip(f"this botocore's KMS model has no {op}")


def require_input(kms_client, op, member):
    if not has_input(kms_client, op, member):
        pytest.skip(f"this botocore's KMS model has no {op}.{member}")


def known(kms_client, shape, expected: dict):
    """`expected` restricted to the members this botocore's model knows (older models drop
    unknown response members while parsing)."""
    members = shape_members(kms_client, shape)
    return {k: v for k, v in expected.items() if k in members}


# ---------------------------------------------------------------- server clock

def advance_clock(server, seconds, monkeypatch=None):
    """Advance the server's clock via the admin API; returns the answer
    `{"now": ..., "offset_seconds": N}`.

    The server's clock is also what it checks SigV4 request times against, so after a jump of
    days a client signing with the real time would be rejected as skewed. With `monkeypatch`,
    botocore's signer is moved by the same offset for the rest of the test, but only if the
    server really rejects an unshifted request (so either server design works)."""
    resp = requests.post(server.endpoint + "/_sealstack/clock",
                         json={"advance_seconds": seconds}, timeout=10)
    assert resp.status_code == 200, f"clock API: {resp.status_code} {resp.text[:300]}"
    doc = resp.json()
    assert "now" in doc and "offset_seconds" in doc, doc
    if monkeypatch is not None:
        probe = json_target_request(server.endpoint, "TrentService.ListKeys", b"{}")
        if probe.status_code != 200:
            assert "InvalidSignatureException" in probe.text, probe.text[:300]
            shift_signing_clock(monkeypatch, doc["offset_seconds"])
    return doc


class _ShiftedDatetime(datetime.datetime):
    offset = datetime.timedelta(0)

    @classmethod
    def utcnow(cls):
        return datetime.datetime.utcnow() + cls.offset

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.now(tz) + cls.offset


class _ShiftedDatetimeModule:
    """Stands in for the `datetime` module inside botocore.auth (botocore < 1.31)."""

    def __init__(self, dt_class):
        self.datetime = dt_class

    def __getattr__(self, name):
        return getattr(datetime, name)


def shift_signing_clock(monkeypatch, offset_seconds):
    """Make botocore sign (SigV4 X-Amz-Date) with real time + offset_seconds, in both its
    pure-Python signer (botocore.auth) and its CRT signer (botocore.crt.auth, used when awscrt
    is importable, e.g. through Debian's dist-packages)."""
    import botocore.auth
    modules = [botocore.auth]
    try:
        import botocore.crt.auth
        modules.append(botocore.crt.auth)
    except ImportError:
        pass
    offset = datetime.timedelta(seconds=offset_seconds)
    real = getattr(botocore.compat, "get_current_datetime", None)
    shifted_cls = type("ShiftedDatetime", (_ShiftedDatetime,), {"offset": offset})
    for module in modules:
        if real is not None and hasattr(module, "get_current_datetime"):
            monkeypatch.setattr(module, "get_current_datetime",
                                lambda *a, **k: real(*a, **k) + offset)
        if getattr(module, "datetime", None) is datetime or \
                isinstance(getattr(module, "datetime", None), _ShiftedDatetimeModule):
            monkeypatch.setattr(module, "datetime", _ShiftedDatetimeModule(shifted_cls))


def server_now(server):
    resp = requests.get(server.endpoint + "/_sealstack/health", timeout=10)
    assert resp.status_code == 200, resp.text[:300]
    return parse_iso(resp.json()["now"])


def parse_iso(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_close(when, expected, tolerance_s=300):
    assert isinstance(when, datetime.datetime), when
    delta = abs((when - expected).total_seconds())
    assert delta <= tolerance_s, f"{when.isoformat()} is {delta:.0f}s from {expected.isoformat()}"


# ---------------------------------------------------------------- keys

def create_key(kms_client, **kwargs):
    md = kms_client.create_key(**kwargs)["KeyMetadata"]
    assert KEY_ID_RE.match(md["KeyId"]), md
    assert md["Arn"] == key_arn(md["KeyId"]), md
    return md


def symmetric_key(kms_client, **kwargs):
    return create_key(kms_client, **kwargs)["KeyId"]


def default_policy(account=ROOT_ACCOUNT):
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }
