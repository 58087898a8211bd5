"""OIDC identity tokens for the web identity tests: RSA (RS256) and P-256 (ES256) signing keys
made with the `cryptography` module, their JWKS documents, and signed JWTs."""

import base64
import json
import time

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from aws_helpers import HTTP_TIMEOUT


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(n: int, size: int | None = None) -> bytes:
    return n.to_bytes(size or (n.bit_length() + 7) // 8, "big")


class SigningKey:
    """An issuer's signing key: RS256 (RSA 2048) or ES256 (P-256)."""

    def __init__(self, kid, alg="RS256"):
        self.kid, self.alg = kid, alg
        if alg == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())

    def jwk(self):
        numbers = self.private.public_key().public_numbers()
        if self.alg == "RS256":
            return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                    "n": b64url(_int_bytes(numbers.n)), "e": b64url(_int_bytes(numbers.e))}
        return {"kty": "EC", "kid": self.kid, "use": "sig", "alg": "ES256", "crv": "P-256",
                "x": b64url(_int_bytes(numbers.x, 32)), "y": b64url(_int_bytes(numbers.y, 32))}

    def sign(self, claims, header_extra=None):
        header = {"alg": self.alg, "typ": "JWT", "kid": self.kid, **(header_extra or {})}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        if self.alg == "RS256":
            sig = self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.private.sign(signing_input,
                                                          ec.ECDSA(hashes.SHA256())))
            sig = _int_bytes(r, 32) + _int_bytes(s, 32)
        return signing_input.decode() + "." + b64url(sig)


def claims(issuer, sub="repo:acme/app:ref:refs/heads/main", aud="sts.amazonaws.com",
           lifetime=600, now=None, **extra):
    """ID token claims: iss, sub, aud, iat, exp (now + lifetime), plus `extra`."""
    now = int(now if now is not None else time.time())
    return {"iss": issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + lifetime, **extra}


def put_jwks(server, issuer, *keys, expect=200):
    """PUT /_sealstack/oidc/jwks?url=ISSUER with the keys' JWKS document."""
    resp = requests.put(f"{server.endpoint}/_sealstack/oidc/jwks", params={"url": issuer},
                        data=json.dumps({"keys": [k.jwk() for k in keys]}),
                        timeout=HTTP_TIMEOUT)
    assert resp.status_code == expect, resp.text
    return resp.json()


def web_identity_trust(provider_arn, host, sub=None, aud="sts.amazonaws.com"):
    """A trust policy that lets the provider's tokens in, with aud (and sub, StringLike)."""
    condition = {"StringEquals": {f"{host}:aud": aud}}
    if sub:
        condition["StringLike"] = {f"{host}:sub": sub}
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]})
