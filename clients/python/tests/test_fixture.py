"""Tests of the pytest plugin in clients/python/sealstack_fixture.py, against the real binary.

Tests of admin endpoints that a server build may not have yet (faults, seed, audit) skip with
the reason when the server answers 404 "no admin endpoint"; any other answer is asserted.
"""

import base64
import datetime
import json
import os
import re
import signal

import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import sealstack_fixture
from sealstack_fixture import (AdminEndpointMissing, SealStackAdminError, SealStackError,
                               find_binary, start_sealstack)

ROOT_ARN = "arn:aws:iam::000000000000:root"

# A seed document of the shape in docs/admin-api.md (the same as docker/seed.json).
SEED_KEY_ID = "0b7a3f6e-5c1d-4e2a-9f80-1a2b3c4d5e6f"
SEED = {
    "principals": [{
        "access_key_id": "AKIAAPPROLE", "secret_access_key": "app-role-secret",
        "arn": "arn:aws:iam::000000000000:role/app", "policies": [],
    }],
    "keys": [{
        "id": SEED_KEY_ID, "account": "000000000000", "region": "us-east-1",
        "spec": "SYMMETRIC_DEFAULT", "usage": "ENCRYPT_DECRYPT",
        "material": base64.b64encode(bytes(range(32))).decode(),
        "aliases": ["alias/fixture-test"], "description": "seeded by the fixture tests",
    }],
    "buckets": [{
        "name": "fixture-seeded", "account": "000000000000", "region": "us-east-1",
        "encryption": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": SEED_KEY_ID,
                       "BucketKeyEnabled": False},
    }],
}


def error_of(excinfo):
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


def skip_if_missing(call, what):
    """Run an admin call; skip the test (naming the endpoint) if this build lacks it."""
    try:
        return call()
    except AdminEndpointMissing as e:
        pytest.skip(f"{what} is not in this sealstack build yet (server answered: {e})")


@pytest.fixture(autouse=True)
def _no_aws_env(monkeypatch):
    """Nothing from the caller's environment may decide what the tests talk to; the fixture's
    own clients must not depend on it either (test_clients_ignore_environment sets some)."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# ---------------------------------------------------------------------------------- sample

def test_sample_encrypted_object_roundtrip(sealstack):
    """The sample test from the docs: KMS key, SSE-KMS object, read back, protection shown."""
    assert sealstack.sts.get_caller_identity()["Arn"] == ROOT_ARN
    key_arn = sealstack.kms.create_key(Description="fixture")["KeyMetadata"]["Arn"]
    blob = sealstack.kms.encrypt(KeyId=key_arn, Plaintext=b"hello")["CiphertextBlob"]
    assert sealstack.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"

    sealstack.s3.create_bucket(Bucket="fixture-bucket")
    put = sealstack.s3.put_object(Bucket="fixture-bucket", Key="dir/a.txt", Body=b"secret",
                                  ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    assert put["ServerSideEncryption"] == "aws:kms"
    got = sealstack.s3.get_object(Bucket="fixture-bucket", Key="dir/a.txt")
    assert got["Body"].read() == b"secret"
    info = sealstack.object_info("fixture-bucket", "dir/a.txt")
    assert info["mode"] == "SSE-KMS"
    assert info["kms_key_arn"] == key_arn
    assert info["encryption_context"] == {"aws:s3:arn": "arn:aws:s3:::fixture-bucket/dir/a.txt"}


def test_handle_shape(sealstack):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sealstack.endpoint)
    assert sealstack.port == int(sealstack.endpoint.rsplit(":", 1)[1]) > 0
    assert sealstack.region == "us-east-1"
    assert sealstack.credentials == {"aws_access_key_id": "test",
                                     "aws_secret_access_key": "test",
                                     "region_name": "us-east-1"}
    assert sealstack.env["AWS_ENDPOINT_URL"] == sealstack.endpoint
    health = sealstack.health()
    assert health["status"] == "ok"
    assert health["storage"] == "memory"
    assert {"kms", "s3", "sts"} <= set(health["services"])
    # The clients are cached, S3 path-style, and all point at this server.
    assert sealstack.s3 is sealstack.s3
    assert sealstack.s3.meta.config.s3["addressing_style"] == "path"
    for c in (sealstack.s3, sealstack.kms, sealstack.sts, sealstack.glue):
        assert c.meta.endpoint_url == sealstack.endpoint
        assert c.meta.region_name == "us-east-1"


def test_clients_ignore_environment(monkeypatch, sealstack):
    """An endpoint, credentials or profile in the environment do not redirect the fixture."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONG")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    sts = sealstack.client("sts")
    assert sts.meta.endpoint_url == sealstack.endpoint
    assert sts.get_caller_identity()["Arn"] == ROOT_ARN


def test_other_principal_client(sealstack_factory):
    server = sealstack_factory(config={"principals": [{
        "access_key_id": "AKIAALICE", "secret_access_key": "alice-secret",
        "arn": "arn:aws:iam::111122223333:user/alice", "policies": []}]})
    sts = server.client("sts", access_key="AKIAALICE", secret_key="alice-secret")
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::111122223333:user/alice"
    with pytest.raises(ClientError) as excinfo:
        server.client("sts", access_key="AKIAALICE", secret_key="wrong",
                      retries={"total_max_attempts": 1}).get_caller_identity()
    assert error_of(excinfo) == ("SignatureDoesNotMatch", 403)


@pytest.mark.sealstack(args=["--policy-mode", "off"], region="eu-central-1")
def test_marker_configures_the_server(sealstack):
    assert "--policy-mode" in sealstack.args and "off" in sealstack.args
    assert sealstack.region == "eu-central-1"
    assert sealstack.health()["region"] == "eu-central-1"
    arn = sealstack.kms.create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-central-1:000000000000:key/")


# ---------------------------------------------------------------------------------- admin

def test_reset_drops_keys_and_buckets(sealstack):
    key_id = sealstack.kms.create_key()["KeyMetadata"]["KeyId"]
    sealstack.s3.create_bucket(Bucket="to-be-reset")
    sealstack.s3.put_object(Bucket="to-be-reset", Key="k", Body=b"x")
    assert sealstack.reset() is None
    assert sealstack.s3.list_buckets()["Buckets"] == []
    with pytest.raises(ClientError) as excinfo:
        sealstack.client("kms", retries={"total_max_attempts": 1}).describe_key(KeyId=key_id)
    assert error_of(excinfo) == ("NotFoundException", 400)


def test_clock_advance_runs_a_key_deletion(sealstack):
    """Advancing 7 days + 1 h deletes a key scheduled for deletion in 7 days; clients keep
    signing with the real time and keep working."""
    before = sealstack.clock()
    assert before["offset_seconds"] == 0
    kms = sealstack.client("kms", retries={"total_max_attempts": 1})
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    doc = sealstack.advance_clock(7 * 86400 + 3600)
    assert doc["offset_seconds"] == pytest.approx(7 * 86400 + 3600, abs=1)
    assert sealstack.clock()["offset_seconds"] == pytest.approx(doc["offset_seconds"], abs=1)
    # The ciphertext names a key that no longer exists: AccessDenied, as KMS answers.
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo) == ("AccessDeniedException", 400)
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId=key_id)
    assert error_of(excinfo) == ("NotFoundException", 400)
    # A signed call that is not about the deleted key works, from a client made after the move
    # and from one made before it.
    assert sealstack.sts.get_caller_identity()["Arn"] == ROOT_ARN
    assert sealstack.client("sts").get_caller_identity()["Arn"] == ROOT_ARN


def test_set_clock(sealstack):
    target = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
    doc = sealstack.set_clock(target)
    now = datetime.datetime.fromisoformat(doc["now"].replace("Z", "+00:00"))
    assert abs((now - target).total_seconds()) < 60
    assert doc["offset_seconds"] == pytest.approx(30 * 86400, abs=60)
    assert sealstack.kms.list_keys()["Keys"] == []


def test_reset_returns_the_clock_to_real_time_unless_kept(sealstack):
    sealstack.advance_clock(86400)
    sealstack.reset(keep_clock=True)
    assert sealstack.clock()["offset_seconds"] == pytest.approx(86400, abs=1)
    sealstack.reset()
    assert sealstack.clock()["offset_seconds"] == 0
    sealstack.advance_clock(3600)
    assert sealstack.set_clock("now")["offset_seconds"] == 0
    assert sealstack.sts.get_caller_identity()["Arn"] == ROOT_ARN


def test_admin_errors_are_exceptions(sealstack):
    with pytest.raises(SealStackAdminError) as excinfo:
        sealstack.object_info("no-such-bucket", "k")
    assert excinfo.value.status == 404
    assert not isinstance(excinfo.value, AdminEndpointMissing)
    with pytest.raises(AdminEndpointMissing) as excinfo:
        sealstack.admin("GET", "no-such-endpoint")
    assert excinfo.value.status == 404 and excinfo.value.code == "NotFound"


def test_faults_helpers(sealstack):
    """A one-shot ThrottlingException on GenerateDataKey: an SDK without retries sees it once,
    the next call succeeds; list and clear work."""
    key_id = sealstack.kms.create_key()["KeyMetadata"]["KeyId"]
    fault_id = skip_if_missing(
        lambda: sealstack.add_fault("kms", "GenerateDataKey", "ThrottlingException", count=1),
        "POST /_sealstack/faults")
    assert isinstance(fault_id, str) and fault_id
    listed = sealstack.faults()
    assert fault_id in str(listed)
    kms = sealstack.client("kms", retries={"total_max_attempts": 1})
    with pytest.raises(ClientError) as excinfo:
        kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert error_of(excinfo) == ("ThrottlingException", 400)
    assert len(kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"]) == 32
    # A persistent fault, deleted by id; then all cleared.
    other = sealstack.add_fault("kms", "Encrypt", "KMSInternalException")
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_of(excinfo) == ("KMSInternalException", 500)
    sealstack.delete_fault(other)
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    sealstack.add_fault("kms", "Encrypt", "KMSInternalException")
    sealstack.clear_faults()
    kms.encrypt(KeyId=key_id, Plaintext=b"x")


def test_seed_helper_fixed_material_across_servers(sealstack_factory):
    """The same seed document in two servers: a ciphertext of one decrypts in the other, the
    alias and the bucket default exist, and reset() applies the seed again."""
    try:
        first = sealstack_factory(seed=SEED)
    except AdminEndpointMissing as e:
        pytest.skip(f"POST /_sealstack/seed is not in this sealstack build yet ({e})")
    blob = first.kms.encrypt(KeyId="alias/fixture-test", Plaintext=b"same")["CiphertextBlob"]
    second = sealstack_factory(seed=SEED)
    assert second.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"same"
    rule = second.s3.get_bucket_encryption(Bucket="fixture-seeded")[
        "ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "aws:kms"
    assert rule["KMSMasterKeyID"].endswith(SEED_KEY_ID)
    role = second.client("sts", access_key="AKIAAPPROLE", secret_key="app-role-secret")
    arn = role.get_caller_identity()["Arn"]
    assert arn == "arn:aws:iam::000000000000:role/app" \
        or arn.startswith("arn:aws:sts::000000000000:assumed-role/app/"), arn
    second.seed(SEED)  # idempotent
    assert len(second.kms.list_aliases(KeyId=SEED_KEY_ID)["Aliases"]) == 1
    second.reset()
    assert second.kms.describe_key(KeyId=SEED_KEY_ID)["KeyMetadata"]["KeyId"] == SEED_KEY_ID


def test_audit_helper(sealstack):
    key_id = sealstack.kms.create_key()["KeyMetadata"]["KeyId"]
    sealstack.kms.encrypt(KeyId=key_id, Plaintext=b"audited")
    events = skip_if_missing(sealstack.audit, "GET /_sealstack/audit")
    encrypts = [e for e in events if e.get("eventName") == "Encrypt"]
    assert len(encrypts) == 1, events
    assert encrypts[0]["eventSource"] == "kms.amazonaws.com"
    assert encrypts[0]["userIdentity"]["arn"] == ROOT_ARN


# ---------------------------------------------------------------------------------- lifetime

def test_session_fixture_is_shared(sealstack_session, request):
    sealstack_session.reset()
    sealstack_session.s3.create_bucket(Bucket="session-bucket")
    assert [b["Name"] for b in sealstack_session.s3.list_buckets()["Buckets"]] == ["session-bucket"]
    assert request.getfixturevalue("sealstack_session") is sealstack_session
    sealstack_session.reset()


def test_context_manager_stops_with_sigterm(tmp_path):
    with start_sealstack(workdir=tmp_path) as server:
        assert server.sts.get_caller_identity()["Arn"] == ROOT_ARN
        proc = server.proc
    assert server.stopped
    assert proc.returncode == 0


def test_server_that_died_is_reported(tmp_path):
    server = start_sealstack(workdir=tmp_path)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=10)
    with pytest.raises(SealStackError, match="exited on its own with code -9"):
        server.stop()


def test_bad_flag_fails_with_stderr(tmp_path):
    with pytest.raises(SealStackError) as excinfo:
        start_sealstack(args=["--no-such-flag"], workdir=tmp_path)
    text = str(excinfo.value)
    assert "--no-such-flag" in text and "--- sealstack stderr ---" in text
    assert "exit code: " in text and "exit code: 0" not in text


def test_binary_lookup(monkeypatch, tmp_path):
    real = find_binary()
    monkeypatch.setenv("SEALSTACK_BIN", str(tmp_path / "missing"))
    with pytest.raises(SealStackError, match="SEALSTACK_BIN"):
        find_binary()
    assert find_binary(real) == real
    # Without SEALSTACK_BIN: PATH first.
    monkeypatch.delenv("SEALSTACK_BIN")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "sealstack").symlink_to(real)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    assert find_binary() == bindir / "sealstack"


def test_explain_last_denial_and_simulate(sealstack):
    kms = sealstack.client("kms", retries={"total_max_attempts": 1})
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "NoDisable", "Effect": "Deny", "Principal": {"AWS": ROOT_ARN},
         "Action": "kms:DisableKey", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(policy),
                         BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["Arn"]
    assert sealstack.explain_last_denial() is None
    with pytest.raises(ClientError) as excinfo:
        kms.disable_key(KeyId=key)
    assert error_of(excinfo) == ("AccessDeniedException", 400)
    why = sealstack.explain_last_denial(principal=ROOT_ARN)
    assert (why["action"], why["result"], why["decided_by"]["sid"]) == \
        ("kms:DisableKey", "explicit_deny", "NoDisable")
    sim = sealstack.simulate(ROOT_ARN, "kms:EnableKey", key)
    assert (sim["result"], sim["decided_by"]["sid"]) == ("allow", "Root")
