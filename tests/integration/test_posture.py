"""The encryption posture report, a key's dependents and client-side encryption made visible
(docs/posture.md): state made with boto3, then GET /_sealstack/posture, GET
/_sealstack/keys/<key>/dependents, GET /_sealstack/s3/<bucket>/<key> and `sealstack posture`."""

import base64
import hashlib
import json
import os
import subprocess

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aws_helpers import HTTP_TIMEOUT, REGION, ROOT_ACCOUNT, client, signed_request
from conftest import sealstack_bin
from control_helpers import admin

ROLE = "GlueJobRole"
ROLE_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{ROLE}"
ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]})
CONFIG = {"principals": [{"arn": ROLE_ARN, "policies": [ROLE_POLICY]}]}
SCRIPT = {"Name": "pythonshell", "ScriptLocation": "s3://scripts-bucket/job.py"}


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(config=CONFIG)


def clients(server):
    s3 = client("s3", server.endpoint, s3={"addressing_style": "path"})
    return s3, client("kms", server.endpoint), client("glue", server.endpoint)


def put_bucket_encryption(server, bucket, algorithm, key=None, bucket_key=None, blocked=None):
    """PutBucketEncryption as XML (Debian's boto3 1.26 does not know BlockedEncryptionTypes)."""
    default = f"<SSEAlgorithm>{algorithm}</SSEAlgorithm>"
    if key:
        default += f"<KMSMasterKeyID>{key}</KMSMasterKeyID>"
    rule = f"<ApplyServerSideEncryptionByDefault>{default}</ApplyServerSideEncryptionByDefault>"
    if bucket_key is not None:
        rule += f"<BucketKeyEnabled>{str(bucket_key).lower()}</BucketKeyEnabled>"
    if blocked:
        rule += "<BlockedEncryptionTypes>" + "".join(
            f"<EncryptionType>{t}</EncryptionType>" for t in blocked) + "</BlockedEncryptionTypes>"
    body = ("<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            f"<Rule>{rule}</Rule></ServerSideEncryptionConfiguration>").encode()
    resp = signed_request(server.endpoint, "PUT", f"/{bucket}", service="s3", body=body,
                          params={"encryption": ""}, headers={
                              "Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})
    assert resp.status_code == 200, resp.text


def posture(server, **params):
    return admin(server, "GET", "posture", params=params)


def found(report, rule, resource=None):
    return [f for f in report["findings"]
            if f["id"] == rule and (resource is None or f["resource"] == resource)]


def cli(server, *args):
    return subprocess.run([str(sealstack_bin()), "posture", "--endpoint", server.endpoint, *args],
                          capture_output=True, text=True, timeout=HTTP_TIMEOUT)


def test_bad_posture_reported_then_fixed(server):
    s3, kms, glue = clients(server)
    key = kms.create_key(Description="data")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="data-bucket")
    s3.put_public_access_block(Bucket="data-bucket", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    put_bucket_encryption(server, "data-bucket", "AES256", blocked=["NONE"])
    s3.put_object(Bucket="data-bucket", Key="old.csv", Body=b"a,b\n")
    glue.create_security_configuration(Name="weak", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "DISABLED"}]})
    glue.create_job(Name="etl", Role=ROLE, Command=SCRIPT)
    glue.create_database(DatabaseInput={"Name": "sales"})

    report = posture(server)
    bucket = "arn:aws:s3:::data-bucket"
    expected = {
        ("s3-public-access-block-off", "high", bucket),
        ("s3-default-encryption-not-kms", "medium", bucket),
        ("s3-sse-c-not-blocked", "medium", bucket),
        ("s3-policy-allows-insecure-transport", "medium", bucket),
        ("s3-policy-allows-unencrypted-uploads", "low", bucket),
        ("kms-rotation-disabled", "medium", key),
        ("glue-security-configuration-s3-disabled", "high",
         f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:securityConfiguration/weak"),
        ("glue-job-bookmarks-not-encrypted", "low",
         f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:securityConfiguration/weak"),
        ("glue-job-without-security-configuration", "medium",
         f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:job/etl"),
        ("glue-catalog-not-encrypted", "medium", f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:catalog"),
        ("glue-connection-passwords-not-encrypted", "medium",
         f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:catalog"),
    }
    got = {(f["id"], f["severity"], f["resource"]) for f in report["findings"]}
    assert got == expected, got ^ expected
    assert report["summary"] == {"critical": 0, "high": 2, "medium": 7, "low": 2, "total": 11}
    assert report["scanned"]["buckets"] == 1 and report["scanned"]["object_versions"] == 1
    for f in report["findings"]:
        assert f["reason"] and f["fix"] and f["account"] == ROOT_ACCOUNT
    # Most severe first.
    order = ["critical", "high", "medium", "low"]
    assert [order.index(f["severity"]) for f in report["findings"]] == sorted(
        order.index(f["severity"]) for f in report["findings"])
    # Another account sees none of it.
    assert posture(server, account="111122223333")["findings"] == []

    bad = cli(server, "--fail-on", "high")
    assert bad.returncode == 1, bad.stderr
    assert "HIGH" in bad.stdout and "s3-public-access-block-off" in bad.stdout
    assert "11 finding(s): 0 critical, 2 high, 7 medium, 2 low" in bad.stdout
    assert cli(server, "--fail-on", "critical").returncode == 0
    as_json = cli(server, "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["summary"]["total"] == 11

    # The fixes.
    kms.enable_key_rotation(KeyId=key)
    s3.put_public_access_block(Bucket="data-bucket", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    put_bucket_encryption(server, "data-bucket", "aws:kms", key=key, bucket_key=True,
                          blocked=["SSE-C"])
    # Written under the old default: s3-objects-under-older-default, until copied in place.
    older = found(posture(server), "s3-objects-under-older-default", bucket)
    assert older[0]["counts"] == {"SSE-S3 (default SSE-KMS)": 1}
    assert older[0]["examples"] == ["s3://data-bucket/old.csv"]
    # The weak security configuration is still there (high).
    assert cli(server, "--fail-on", "high").returncode == 1
    s3.copy_object(Bucket="data-bucket", Key="old.csv",
                   CopySource={"Bucket": "data-bucket", "Key": "old.csv"},
                   ServerSideEncryption="aws:kms", SSEKMSKeyId=key, BucketKeyEnabled=True)
    # Plain HTTP from here on is denied by the bucket policy (aws:SecureTransport false).
    s3.put_bucket_policy(Bucket="data-bucket", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [bucket, bucket + "/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "KmsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": bucket + "/*",
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}))
    glue.delete_security_configuration(Name="weak")
    glue.create_security_configuration(Name="strong", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}],
        "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key}})
    glue.update_job(JobName="etl", JobUpdate={"Role": ROLE, "Command": SCRIPT,
                                              "SecurityConfiguration": "strong"})
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True,
                                         "AwsKmsKeyId": key}})

    report = posture(server)
    assert report["findings"] == [], report["findings"]
    assert report["summary"] == {"critical": 0, "high": 0, "medium": 0, "low": 0, "total": 0}
    good = cli(server, "--fail-on", "low")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 finding(s)" in good.stdout


def test_cli_usage_and_connection_errors(server):
    assert cli(server, "--fail-on", "severe").returncode == 2
    assert cli(server, "--bogus").returncode == 2
    no_endpoint = subprocess.run([str(sealstack_bin()), "posture"], capture_output=True,
                                 text=True, timeout=HTTP_TIMEOUT)
    assert no_endpoint.returncode == 2 and "--endpoint is required" in no_endpoint.stderr
    # Nothing listens on port 1.
    down = subprocess.run([str(sealstack_bin()), "posture", "--endpoint", "http://127.0.0.1:1"],
                          capture_output=True, text=True, timeout=HTTP_TIMEOUT)
    assert down.returncode == 2 and "cannot reach" in down.stderr


def test_dependents_and_unusable_keys(server):
    s3, kms, glue = clients(server)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    key_id = key.split("/")[-1]
    other = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key)
    s3.create_bucket(Bucket="app-data")
    s3.put_bucket_versioning(Bucket="app-data", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="app-data", Key="report.csv", Body=b"1", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId="alias/app")["VersionId"]
    v2 = s3.put_object(Bucket="app-data", Key="report.csv", Body=b"2", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key, BucketKeyEnabled=True)["VersionId"]
    s3.put_object(Bucket="app-data", Key="other.csv", Body=b"3", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=other)
    s3.put_object(Bucket="app-data", Key="plain.csv", Body=b"4")
    s3.create_bucket(Bucket="more-data")
    s3.put_object(Bucket="more-data", Key="x", Body=b"5", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key_id)
    grant = kms.create_grant(KeyId=key, GranteePrincipal=ROLE_ARN, Operations=["Decrypt"])
    glue.create_security_configuration(Name="kms-sc", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}]})
    glue.create_job(Name="etl", Role=ROLE, Command=SCRIPT, SecurityConfiguration="kms-sc")
    glue.create_job(Name="plain-job", Role=ROLE, Command=SCRIPT)
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": "alias/app"}})
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})

    for ref in (key, key_id, "alias/app"):
        deps = admin(server, "GET", f"keys/{ref}/dependents")
        assert deps["key_arn"] == key and deps["aliases"] == ["alias/app"]
    assert deps["counts"] == {"object_versions": 3, "client_side_objects": 0, "catalog_entries": 2,
                              "glue_security_configurations": 1, "glue_jobs": 1,
                              "catalog_settings": 1, "glue_run_logs": 0, "grants": 1}
    assert deps["total"] == 9 and deps["truncated"] is False
    versions = {(o["bucket"], o["key"], o["version_id"], o["mode"], o["bucket_key"])
                for o in deps["object_versions"]}
    assert versions == {("app-data", "report.csv", v1, "SSE-KMS", False),
                        ("app-data", "report.csv", v2, "SSE-KMS", True),
                        ("more-data", "x", "null", "SSE-KMS", False)}
    assert {(e["kind"], e["name"]) for e in deps["catalog_entries"]} == {
        ("database", "sales"), ("table", "orders")}
    assert [j["name"] for j in deps["glue_jobs"]] == ["etl"]
    assert deps["glue_security_configurations"][0]["fields"] == ["S3Encryption"]
    assert deps["grants"][0]["grant_id"] == grant["GrantId"]
    assert deps["grants"][0]["constrained"] is False
    assert "token" not in json.dumps(deps["grants"]).lower()
    limited = admin(server, "GET", f"keys/{key}/dependents", params={"limit": "1"})
    assert len(limited["object_versions"]) == 1 and limited["truncated"] is True
    assert limited["counts"]["object_versions"] == 3
    admin(server, "GET", "keys/alias/nope/dependents", expect=404)

    # The other key: one object; nothing else.
    odeps = admin(server, "GET", f"keys/{other}/dependents")
    assert odeps["total"] == 1 and odeps["object_versions"][0]["key"] == "other.csv"

    unconstrained = found(posture(server), "kms-grant-without-constraints", key)
    assert unconstrained[0]["severity"] == "medium" and unconstrained[0]["examples"] == [ROLE_ARN]

    kms.disable_key(KeyId=key)
    disabled = found(posture(server), "kms-disabled-in-use", key)
    assert len(disabled) == 1 and disabled[0]["severity"] == "high"
    assert disabled[0]["counts"] == {"object_versions": 3, "catalog_entries": 2,
                                     "glue_security_configurations": 1, "glue_jobs": 1,
                                     "catalog_settings": 1}
    assert "s3://app-data/report.csv?versionId=" + v1 in disabled[0]["examples"]
    assert cli(server, "--fail-on", "high").returncode == 1
    assert cli(server, "--fail-on", "critical").returncode == 0

    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    report = posture(server)
    pending = found(report, "kms-pending-deletion-in-use", key)
    assert len(pending) == 1 and pending[0]["severity"] == "critical"
    assert report["findings"][0]["severity"] == "critical"
    assert cli(server, "--fail-on", "critical").returncode == 1
    # A key nothing needs, pending deletion: low.
    spare = kms.create_key()["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=spare, PendingWindowInDays=7)
    assert found(posture(server), "kms-pending-deletion", spare)[0]["severity"] == "low"


def test_key_policy_findings(server):
    _, kms, _ = clients(server)
    root = f"arn:aws:iam::{ROOT_ACCOUNT}:root"
    public = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}),
        BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["Arn"]
    shared = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [root, "arn:aws:iam::111122223333:root"]},
         "Action": "kms:*", "Resource": "*"}]}))["KeyMetadata"]["Arn"]
    report = posture(server)
    assert found(report, "kms-policy-allows-everyone", public)[0]["severity"] == "critical"
    cross = found(report, "kms-policy-allows-other-accounts", shared)
    assert cross[0]["severity"] == "high" and cross[0]["examples"] == ["111122223333"]
    assert found(report, "kms-policy-allows-everyone", shared) == []


def s3ec_v2_put(s3, kms, key_arn, bucket, key, plaintext):
    """An object as the S3 Encryption Client v2 writes it with a KMS keyring (kms+context):
    the data key from GenerateDataKey with the content cipher in the encryption context, the body
    AES-GCM under it, the wrapped key and algorithms in x-amz-meta-*."""
    context = {"aws:x-amz-cek-alg": "AES/GCM/NoPadding"}
    dk = kms.generate_data_key(KeyId=key_arn, KeySpec="AES_256", EncryptionContext=context)
    iv = os.urandom(12)
    body = AESGCM(dk["Plaintext"]).encrypt(iv, plaintext, None)
    s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata={
        "x-amz-key-v2": base64.b64encode(dk["CiphertextBlob"]).decode(),
        "x-amz-wrap-alg": "kms+context",
        "x-amz-cek-alg": "AES/GCM/NoPadding",
        "x-amz-matdesc": json.dumps(context),
        "x-amz-iv": base64.b64encode(iv).decode(),
        "x-amz-tag-len": "128",
        "x-amz-unencrypted-content-length": str(len(plaintext))})


def s3ec_v2_get(s3, kms, bucket, key):
    obj = s3.get_object(Bucket=bucket, Key=key)
    meta = obj["Metadata"]
    data_key = kms.decrypt(CiphertextBlob=base64.b64decode(meta["x-amz-key-v2"]),
                           EncryptionContext=json.loads(meta["x-amz-matdesc"]))["Plaintext"]
    return AESGCM(data_key).decrypt(base64.b64decode(meta["x-amz-iv"]), obj["Body"].read(), None)


def test_s3_encryption_client_v2_object_is_recognised(server):
    s3, kms, _ = clients(server)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="cse-bucket")
    s3ec_v2_put(s3, kms, key, "cse-bucket", "secret.bin", b"client-side secret")
    assert s3ec_v2_get(s3, kms, "cse-bucket", "secret.bin") == b"client-side secret"
    s3.put_object(Bucket="cse-bucket", Key="plain.bin", Body=b"\x01\x80 not an ESDK message")

    view = admin(server, "GET", "s3/cse-bucket/secret.bin")
    assert view["mode"] == "SSE-S3"  # the server-side layer, beside the client-side one
    assert view["client_side"] == {
        "format": "s3-encryption-client-v2", "algorithm": "AES/GCM/NoPadding",
        "wrap_algorithm": "kms+context", "kms_keys": [key], "other_providers": [],
        "context": {"aws:x-amz-cek-alg": "AES/GCM/NoPadding"}}
    assert admin(server, "GET", "s3/cse-bucket/plain.bin")["client_side"] is None
    deps = admin(server, "GET", f"keys/{key}/dependents")
    assert deps["counts"]["client_side_objects"] == 1
    assert deps["object_versions"][0]["layer"] == "client-side"
    assert deps["object_versions"][0]["client_side_format"] == "s3-encryption-client-v2"
    # A copy keeps the metadata, so the layer.
    s3.copy_object(Bucket="cse-bucket", Key="copy.bin",
                   CopySource={"Bucket": "cse-bucket", "Key": "secret.bin"})
    assert admin(server, "GET", "s3/cse-bucket/copy.bin")["client_side"]["kms_keys"] == [key]

    assert found(posture(server), "s3-client-side-key-unusable") == []
    kms.disable_key(KeyId=key)
    unusable = found(posture(server), "s3-client-side-key-unusable", key)
    assert len(unusable) == 1 and unusable[0]["severity"] == "high"
    assert unusable[0]["counts"] == {"client_side_objects": 2}
    assert sorted(unusable[0]["examples"]) == ["s3://cse-bucket/copy.bin",
                                              "s3://cse-bucket/secret.bin"]


def test_admin_views_never_show_secrets(server):
    s3, kms, glue = clients(server)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_grant(KeyId=key, GranteePrincipal=ROLE_ARN, Operations=["Decrypt"])
    s3.create_bucket(Bucket="ssec-bucket")
    put_bucket_encryption(server, "ssec-bucket", "AES256", blocked=["NONE"])
    customer_key = os.urandom(32)
    s3.put_object(Bucket="ssec-bucket", Key="c", Body=b"x", SSECustomerAlgorithm="AES256",
                  SSECustomerKey=customer_key)
    glue.create_connection(ConnectionInput={
        "Name": "db", "ConnectionType": "JDBC", "ConnectionProperties": {
            "JDBC_CONNECTION_URL": "jdbc:postgresql://h/db", "USERNAME": "u",
            "PASSWORD": "hunter2-password"}})
    texts = [json.dumps(admin(server, "GET", p)) for p in (
        "keys", f"keys/{key}", "buckets", "buckets/ssec-bucket/objects", "glue", "posture",
        f"keys/{key}/dependents")]
    everything = "\n".join(texts)
    assert "hunter2-password" not in everything
    assert base64.b64encode(customer_key).decode() not in everything
    assert "secret" not in everything.lower()
    glue_view = admin(server, "GET", "glue")
    assert glue_view["connections"][0]["password"] == "plain"
    objects = admin(server, "GET", "buckets/ssec-bucket/objects")
    assert objects["versions"][0]["mode"] == "SSE-C"
    assert set(objects["versions"][0]) >= {"customer_key_md5"}


def finished_run(glue, job, run_id, deadline_s=60):
    """GetJobRun until the run is terminal (each call is a round trip; no sleeping)."""
    import time
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] in ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"):
            return run
    raise AssertionError(f"run {run_id} did not finish")


def test_glue_run_log_needs_its_key(server):
    s3, kms, glue = clients(server)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="scripts-bucket")
    s3.put_object(Bucket="scripts-bucket", Key="job.py", Body=b"print('hello')\n")
    glue.create_security_configuration(Name="cw", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}],
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key}})
    glue.create_job(Name="logged", Role=ROLE, Command=SCRIPT, SecurityConfiguration="cw")
    run_id = glue.start_job_run(JobName="logged")["JobRunId"]
    assert finished_run(glue, "logged", run_id)["JobRunState"] == "SUCCEEDED"
    deps = admin(server, "GET", f"keys/{key}/dependents")
    assert deps["glue_run_logs"] == [{"run_id": run_id, "job_name": "logged",
                                      "account": ROOT_ACCOUNT, "region": REGION}]
    assert deps["glue_security_configurations"][0]["fields"] == ["S3Encryption",
                                                                 "CloudWatchEncryption"]
    assert deps["counts"]["glue_run_logs"] == 1 and deps["counts"]["glue_jobs"] == 1
    kms.disable_key(KeyId=key)
    disabled = found(posture(server), "kms-disabled-in-use", key)[0]
    assert disabled["counts"] == {"glue_run_logs": 1, "glue_jobs": 1,
                                  "glue_security_configurations": 1}


def import_material(kms, key_id, valid_to):
    """BYOK: 32 random bytes wrapped under the import parameters' RSA key (RSAES_OAEP_SHA_256)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    wrapped = serialization.load_der_public_key(params["PublicKey"]).encrypt(
        os.urandom(32), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                                     label=None))
    kms.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                            EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_EXPIRES",
                            ValidTo=valid_to)


def test_deleted_expiring_and_missing_things(server):
    import datetime
    s3, kms, glue = clients(server)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="kms-bucket")
    put_bucket_encryption(server, "kms-bucket", "aws:kms", key=key, blocked=["SSE-C"])
    s3.put_object(Bucket="kms-bucket", Key="a", Body=b"a")
    report = posture(server)
    assert found(report, "s3-bucket-key-disabled", "arn:aws:s3:::kms-bucket")[0]["severity"] == "low"
    assert found(report, "s3-sse-c-not-blocked") == []

    # Deleted: the deletion window passes on the server clock; the version still names the key.
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    admin(server, "POST", "clock", {"advance_seconds": 8 * 86400})
    try:
        gone = found(posture(server), "kms-deleted-key-in-use", key)
        assert len(gone) == 1 and gone[0]["severity"] == "critical"
        assert gone[0]["counts"] == {"object_versions": 1}
        assert gone[0]["examples"] == ["s3://kms-bucket/a"]
        admin(server, "GET", f"keys/{key}/dependents", expect=404)
    finally:
        admin(server, "POST", "clock", {"set": "now"})

    # Imported material expiring in 5 days (high) and in 20 days (medium).
    soon = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    later = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    now = datetime.datetime.now(datetime.timezone.utc)
    import_material(kms, soon, now + datetime.timedelta(days=5))
    import_material(kms, later, now + datetime.timedelta(days=20))
    report = posture(server)
    expiring = {f["resource"].split("/")[-1]: f for f in found(report, "kms-imported-material-expiring")}
    assert expiring[soon]["severity"] == "high" and expiring[later]["severity"] == "medium"
    assert 4 * 24 < expiring[soon]["counts"]["hours_left"] <= 5 * 24
    # EXTERNAL keys cannot rotate automatically: not reported for rotation.
    assert [f for f in found(report, "kms-rotation-disabled") if soon in f["resource"]] == []

    # A job whose security configuration was deleted.
    glue.create_security_configuration(Name="gone", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-S3"}]})
    glue.create_job(Name="orphan", Role=ROLE, Command=SCRIPT, SecurityConfiguration="gone")
    glue.delete_security_configuration(Name="gone")
    missing = found(posture(server), "glue-job-security-configuration-missing",
                    f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:job/orphan")
    assert len(missing) == 1 and missing[0]["severity"] == "high"
