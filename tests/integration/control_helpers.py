"""Helpers for the test-control plane tests (test_control_*.py): plain JSON calls to
/_sealstack/* (no signature) and boto3 clients with or without retries."""

import base64
import subprocess

import requests
from botocore.config import Config

from aws_helpers import boto_session, HTTP_TIMEOUT, REGION


def admin(server, method, path, body=None, expect=200, **kwargs):
    """Calls /_sealstack/<path>; asserts the status and returns the parsed JSON body."""
    resp = requests.request(method, f"{server.endpoint}/_sealstack/{path}", json=body,
                            timeout=HTTP_TIMEOUT, **kwargs)
    assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text[:800]}"
    return resp.json()


def admin_error(server, method, path, body, status=400):
    """The error document of a failing admin call: {"error", "message"}."""
    doc = admin(server, method, path, body, expect=status)
    assert set(doc) >= {"error", "message"}, doc
    return doc


def retrying_client(service, endpoint, key="test", secret="test", attempts=5):
    """A boto3 client with the SDK's standard retry behaviour (throttling errors retried)."""
    config = Config(retries={"mode": "standard", "max_attempts": attempts}, connect_timeout=5,
                    read_timeout=HTTP_TIMEOUT)
    session = boto_session(aws_access_key_id=key, aws_secret_access_key=secret,
                                    region_name=REGION)
    return session.client(service, endpoint_url=endpoint, config=config)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def pem_private_key(kind: str) -> str:
    """A fresh unencrypted PKCS#8 PEM private key from the openssl CLI ("rsa2048" or "p256")."""
    if kind == "rsa2048":
        args = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    elif kind == "p256":
        args = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    else:
        raise ValueError(kind)
    out = subprocess.run(["openssl", "genpkey", *args], check=True, capture_output=True,
                         timeout=60)
    return out.stdout.decode()
