#!/usr/bin/env python3
"""KMS load-test setup for bench/run: one key per server, pre-signed requests for wrk.

  kms_request.py setup ENDPOINT STATE.json
      CreateKey (symmetric, default key policy) through boto3, Encrypt 1 KiB of random bytes
      once (the ciphertext the Decrypt scenario replays), Decrypt it back and compare. Writes
      {key_id, key_arn, plaintext_b64, ciphertext_b64} to STATE.json.

  kms_request.py sign ENDPOINT STATE.json OP OUT.lua [--check]
      OP is encrypt | decrypt | generate-data-key. Signs one request with botocore's SigV4Auth
      (test/test, us-east-1, service kms) on an AWSRequest with the JSON 1.1 body and the
      X-Amz-Target / Content-Type headers, and writes a wrk Lua script that replays it (as
      sign_request.py does for STS; a signature stays valid for 5 minutes and may be replayed,
      so bench/run signs again before every scenario). --check sends it once first and fails
      unless the answer is 200 with the expected fields (Decrypt: the original plaintext).

Works against SealStack and moto alike (moto does not verify signatures; SealStack does).
"""
import base64
import json
import os
import sys
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign_request import write_wrk_script  # noqa: E402

REGION = "us-east-1"
CONTENT_TYPE = "application/x-amz-json-1.1"
PLAINTEXT_BYTES = 1024

OPS = {  # OP -> (X-Amz-Target, body builder, fields the answer must carry)
    "encrypt": ("TrentService.Encrypt",
                lambda st: {"KeyId": st["key_id"], "Plaintext": st["plaintext_b64"]},
                ("CiphertextBlob", "KeyId")),
    "decrypt": ("TrentService.Decrypt",
                lambda st: {"CiphertextBlob": st["ciphertext_b64"]},
                ("Plaintext", "KeyId")),
    "generate-data-key": ("TrentService.GenerateDataKey",
                          lambda st: {"KeyId": st["key_id"], "KeySpec": "AES_256"},
                          ("CiphertextBlob", "Plaintext", "KeyId")),
}


def setup(endpoint, state_path):
    import boto3

    kms = boto3.client("kms", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="test", aws_secret_access_key="test")
    meta = kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT",
                          Description="bench")["KeyMetadata"]
    plaintext = os.urandom(PLAINTEXT_BYTES)
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=plaintext)["CiphertextBlob"]
    back = kms.decrypt(CiphertextBlob=blob)["Plaintext"]
    if back != plaintext:
        sys.exit("kms_request: Decrypt did not return the plaintext")
    state = {"key_id": meta["KeyId"], "key_arn": meta["Arn"],
             "plaintext_b64": base64.b64encode(plaintext).decode(),
             "ciphertext_b64": base64.b64encode(blob).decode(),
             "ciphertext_bytes": len(blob)}
    with open(state_path, "w") as f:
        json.dump(state, f, indent=1)


def sign(endpoint, state_path, op, out, check):
    with open(state_path) as f:
        state = json.load(f)
    target, body_of, fields = OPS[op]
    body = json.dumps(body_of(state), separators=(",", ":"))
    url = endpoint.rstrip("/") + "/"
    req = AWSRequest(method="POST", url=url, data=body,
                     headers={"X-Amz-Target": target, "Content-Type": CONTENT_TYPE})
    SigV4Auth(Credentials("test", "test"), "kms", REGION).add_auth(req)
    headers = dict(req.headers.items())
    headers["Host"] = endpoint.split("://", 1)[1].rstrip("/")
    if check:
        creq = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(creq, timeout=10) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode(errors="replace")
        if status != 200:
            sys.exit(f"kms_request: {op}: HTTP {status}: {text[:400]}")
        answer = json.loads(text)
        missing = [k for k in fields if k not in answer]
        if missing:
            sys.exit(f"kms_request: {op}: answer lacks {missing}: {text[:400]}")
        if op == "decrypt" and answer["Plaintext"] != state["plaintext_b64"]:
            sys.exit("kms_request: decrypt: wrong plaintext")
        if op == "generate-data-key" and len(base64.b64decode(answer["Plaintext"])) != 32:
            sys.exit("kms_request: generate-data-key: data key is not 32 bytes")
    write_wrk_script(out, "POST", body, headers)


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "setup":
        setup(a[1], a[2])
    elif len(a) in (5, 6) and a[0] == "sign" and a[3] in OPS:
        sign(a[1], a[2], a[3], a[4], "--check" in a[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
