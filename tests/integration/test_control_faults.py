"""Injected faults (POST/GET/DELETE /_sealstack/faults) seen through real KMS clients."""

import time

import pytest

from control_helpers import admin, admin_error, retrying_client
from kms_helpers import expect_error, key_arn, kms


def throttle(server, **extra):
    body = {"service": "kms", "operation": "Encrypt", "error": "ThrottlingException"}
    body.update(extra)
    return admin(server, "POST", "faults", body)["id"]


def test_one_shot_throttling_fails_a_call_without_retries(start_sealstack):
    server = start_sealstack()
    client = kms(server)
    key = client.create_key()["KeyMetadata"]["KeyId"]
    fault = throttle(server, count=1)
    listed = admin(server, "GET", "faults")["faults"]
    assert [(f["id"], f["count"], f["remaining"], f["http_status"]) for f in listed] == \
        [(fault, 1, 1, 400)]
    expect_error(client.encrypt, "ThrottlingException", 400, KeyId=key, Plaintext=b"x")
    # Spent: gone from the list, and the next call goes through.
    assert admin(server, "GET", "faults")["faults"] == []
    assert client.encrypt(KeyId=key, Plaintext=b"x")["KeyId"] == key_arn(key)


def test_one_shot_throttling_is_retried_by_the_sdk(start_sealstack):
    server = start_sealstack()
    key = kms(server).create_key()["KeyMetadata"]["KeyId"]
    throttle(server, count=1)
    out = retrying_client("kms", server.endpoint).encrypt(KeyId=key, Plaintext=b"x")
    assert out["KeyId"] == key_arn(key)
    assert out["ResponseMetadata"]["RetryAttempts"] == 1


def test_persistent_fault_with_probability_one_fails_every_call(start_sealstack):
    server = start_sealstack()
    client = kms(server)
    key = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    fault = admin(server, "POST", "faults", {"service": "kms", "operation": "Decrypt",
                                            "error": "KMSInternalException",
                                            "probability": 1.0})["id"]
    for _ in range(3):
        resp = expect_error(client.decrypt, "KMSInternalException", 500, CiphertextBlob=blob)
        # Server faults say nothing about their cause, as AWS.
        assert "injected" not in resp["Error"]["Message"]
    # Other operations are untouched.
    client.encrypt(KeyId=key, Plaintext=b"x")
    [listed] = admin(server, "GET", "faults")["faults"]
    assert listed["id"] == fault and listed["remaining"] is None and listed["fired"] == 3
    # The SDK's retries do not get through a persistent fault either.
    expect_error(retrying_client("kms", server.endpoint, attempts=2).decrypt,
                 "KMSInternalException", 500, CiphertextBlob=blob)
    admin(server, "DELETE", f"faults/{fault}")
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


@pytest.mark.parametrize("code,status", [("KeyUnavailableException", 500),
                                         ("DependencyTimeoutException", 503),
                                         ("DisabledException", 400)])
def test_kms_error_codes_keep_their_aws_status(start_sealstack, code, status):
    server = start_sealstack()
    client = kms(server)
    key = client.create_key()["KeyMetadata"]["KeyId"]
    admin(server, "POST", "faults", {"service": "kms", "operation": "GenerateDataKey",
                                     "error": code, "count": 1})
    expect_error(client.generate_data_key, code, status, KeyId=key, KeySpec="AES_256")


def test_resource_scoped_fault_hits_only_that_key(start_sealstack):
    server = start_sealstack()
    client = kms(server)
    a = client.create_key()["KeyMetadata"]["KeyId"]
    b = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/faulty", TargetKeyId=a)
    throttle(server, operation="*", resource=key_arn(a))
    # By id, by ARN, by alias: all resolve to key a.
    expect_error(client.encrypt, "ThrottlingException", 400, KeyId=a, Plaintext=b"x")
    expect_error(client.encrypt, "ThrottlingException", 400, KeyId=key_arn(a), Plaintext=b"x")
    expect_error(client.encrypt, "ThrottlingException", 400, KeyId="alias/faulty",
                 Plaintext=b"x")
    expect_error(client.describe_key, "ThrottlingException", 400, KeyId=a)
    # Key b is not affected.
    blob = client.encrypt(KeyId=b, Plaintext=b"x")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["KeyId"] == key_arn(b)
    admin(server, "DELETE", "faults")
    assert admin(server, "GET", "faults") == {"faults": []}
    client.encrypt(KeyId=a, Plaintext=b"x")


def test_latency_only_fault_delays_then_proceeds(start_sealstack):
    server = start_sealstack()
    client = kms(server)
    key = client.create_key()["KeyMetadata"]["KeyId"]
    admin(server, "POST", "faults", {"service": "kms", "operation": "Encrypt",
                                     "latency_ms": 300, "count": 2})
    started = time.monotonic()
    assert client.encrypt(KeyId=key, Plaintext=b"x")["KeyId"] == key_arn(key)
    # The injected latency is a lower bound, whatever the machine's speed.
    assert time.monotonic() - started >= 0.3
    [f] = admin(server, "GET", "faults")["faults"]
    assert (f["remaining"], f["fired"], f.get("error")) == (1, 1, None)


def test_probability_zero_never_fires(start_sealstack):
    server = start_sealstack()
    client = kms(server)
    key = client.create_key()["KeyMetadata"]["KeyId"]
    throttle(server, probability=0)
    for _ in range(5):
        client.encrypt(KeyId=key, Plaintext=b"x")
    [f] = admin(server, "GET", "faults")["faults"]
    assert f["fired"] == 0


@pytest.mark.parametrize("body,field", [
    ({"operation": "Encrypt", "error": "ThrottlingException"}, "service"),
    ({"service": "ec2", "error": "ThrottlingException"}, "service"),
    ({"service": "kms", "operation": "Encrypt", "error": "NoSuchThing"}, "error"),
    ({"service": "kms", "operation": "Encrypt"}, "error"),
    ({"service": "kms", "operation": "Encrypt", "error": "ThrottlingException", "count": 0},
     "count"),
    ({"service": "kms", "operation": "Encrypt", "error": "ThrottlingException",
      "probability": 1.5}, "probability"),
    ({"service": "kms", "operation": "Encrypt", "latency_ms": -1}, "latency_ms"),
    ({"service": "kms", "operation": "NotAnOperation", "error": "ThrottlingException"},
     "operation"),
    ({"service": "kms", "operation": "Encrypt", "error": "ThrottlingException",
      "resource": "key-1"}, "resource"),
    ({"service": "kms", "operation": "Encrypt", "error": "ThrottlingException",
      "colour": "red"}, "colour"),
    ({"service": "s3", "operation": "PutObject", "error": "ThrottlingException"}, "error"),
])
def test_bad_fault_is_400_naming_the_field(start_sealstack, body, field):
    server = start_sealstack()
    doc = admin_error(server, "POST", "faults", body)
    assert doc["error"] == "InvalidRequest"
    assert doc["message"].startswith(field + ":"), doc
    assert admin(server, "GET", "faults") == {"faults": []}


def test_s3_and_glue_faults_are_accepted_with_their_status(start_sealstack):
    server = start_sealstack()
    admin(server, "POST", "faults", {"service": "s3", "operation": "PutObject",
                                     "error": "SlowDown", "resource": "arn:aws:s3:::b"})
    admin(server, "POST", "faults", {"service": "glue", "operation": "*",
                                     "error": "InternalServiceException"})
    statuses = {f["error"]: f["http_status"] for f in admin(server, "GET", "faults")["faults"]}
    assert statuses == {"SlowDown": 503, "InternalServiceException": 500}
    assert admin(server, "GET", "health")["faults"] == 2
    admin_error(server, "DELETE", "faults/f-0000000000000000", None, status=404)


def test_admin_plane_is_never_faulted(start_sealstack):
    server = start_sealstack()
    admin(server, "POST", "faults", {"service": "kms", "operation": "*",
                                     "error": "KMSInternalException"})
    health = admin(server, "GET", "health")
    assert health["status"] == "ok"
    assert set(health["services"]) >= {"kms", "s3", "sts"}
    assert health["version"]
    admin(server, "POST", "reset", {})
    # Reset keeps faults (they are test setup, cleared explicitly).
    assert len(admin(server, "GET", "faults")["faults"]) == 1
    expect_error(kms(server).list_keys, "KMSInternalException", 500)
