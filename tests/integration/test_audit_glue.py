"""The audit trail of Glue: KMS calls Glue makes on a caller's or a job role's behalf (invokedBy
glue.amazonaws.com), Glue management events (eventSource glue.amazonaws.com, no secrets), and
S3 bucket management events written with their effect."""

import json

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import HTTP_TIMEOUT, ROOT_ACCOUNT, client
from test_glue_jobs import CONFIG, ROLE, ROLE_ARN, key_policy, put_script, wait_run

SCRIPT = "print('audited run')\n"
PASSWORD = "hunter2-Very-Secret-Pw"


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(CONFIG)


def events(ct, **attribute):
    name, value = next(iter(attribute.items()))
    out = ct.lookup_events(LookupAttributes=[{"AttributeKey": name, "AttributeValue": value}],
                           MaxResults=50)
    return [json.loads(e["CloudTrailEvent"]) for e in out["Events"]]


def whole_trail(server):
    resp = requests.get(f"{server.endpoint}/_sealstack/audit", timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200
    return resp.text


def run_job_with_kms_output(server, allow_role):
    g, kms = client("glue", server.endpoint), client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy(allow_role))["KeyMetadata"]["Arn"]
    loc = put_script(server, "glue-audit", "script.py", SCRIPT)
    g.create_security_configuration(Name="kms-out", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}]})
    g.create_job(Name="audited", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc},
                 SecurityConfiguration="kms-out")
    run = wait_run(g, "audited", g.start_job_run(JobName="audited")["JobRunId"])
    return key, run


def test_job_run_key_use_is_attributed_to_the_role_via_glue(server):
    key, run = run_job_with_kms_output(server, allow_role=True)
    assert run["JobRunState"] in ("SUCCEEDED", "FAILED"), run
    assert "kms:GenerateDataKey" not in run.get("ErrorMessage", "")
    ct = client("cloudtrail", server.endpoint)
    gdk = [e for e in events(ct, ResourceName=key) if e["eventName"] == "GenerateDataKey"]
    assert len(gdk) == 1, gdk
    e = gdk[0]
    assert e["eventSource"] == "kms.amazonaws.com" and e["readOnly"] is True
    assert e["userIdentity"]["invokedBy"] == "glue.amazonaws.com"
    assert e["userIdentity"]["type"] == "AssumedRole"
    assert e["userIdentity"]["arn"].startswith(
        f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{ROLE}/{run['Id'][:20]}")
    assert e["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == ROLE_ARN
    assert e["sourceIPAddress"] == "glue.amazonaws.com"
    assert e["requestParameters"]["keyId"] == key
    assert e["requestParameters"]["keySpec"] == "AES_256"
    assert [r["ARN"] for r in e["resources"]] == [key]
    assert "errorCode" not in e


def test_denied_job_run_key_use_is_recorded_with_the_kms_error(server):
    key, run = run_job_with_kms_output(server, allow_role=False)
    assert run["JobRunState"] == "FAILED" and "kms:GenerateDataKey" in run["ErrorMessage"]
    ct = client("cloudtrail", server.endpoint)
    denied = [e for e in events(ct, EventName="GenerateDataKey") if e.get("errorCode")]
    assert len(denied) == 1, denied
    assert denied[0]["errorCode"] == "AccessDeniedException"
    assert denied[0]["userIdentity"]["invokedBy"] == "glue.amazonaws.com"
    assert denied[0]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == ROLE_ARN
    assert key in json.dumps(denied[0])


def test_catalog_encryption_key_use_carries_the_encryption_context(server):
    g, kms = client("glue", server.endpoint), client("kms", server.endpoint)
    ct = client("cloudtrail", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key}})
    g.create_database(DatabaseInput={"Name": "sealed"})
    assert g.get_database(Name="sealed")["Database"]["Name"] == "sealed"
    used = [e for e in events(ct, ResourceName=key) if e["eventName"] != "CreateKey"]
    names = sorted(e["eventName"] for e in used)
    assert names == ["Decrypt", "GenerateDataKey"], names
    for e in used:
        assert e["userIdentity"]["invokedBy"] == "glue.amazonaws.com"
        assert e["userIdentity"]["arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"
        assert e["requestParameters"]["encryptionContext"] == {"glue_catalog_id": ROOT_ACCOUNT}
    # The management calls themselves, with the Glue request's id on the KMS records.
    create_db = events(ct, EventName="CreateDatabase")
    assert len(create_db) == 1 and create_db[0]["eventSource"] == "glue.amazonaws.com"
    gen = [e for e in used if e["eventName"] == "GenerateDataKey"][0]
    assert gen["requestID"] == create_db[0]["requestID"]
    # A disabled key: the catalog write fails, and the KMS record says why.
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as info:
        g.create_database(DatabaseInput={"Name": "refused"})
    assert info.value.response["Error"]["Code"] == "GlueEncryptionException"
    failed = [e for e in events(ct, ResourceName=key) if e.get("errorCode")]
    assert [e["errorCode"] for e in failed] == ["DisabledException"], failed
    create_db = events(ct, EventName="CreateDatabase")
    assert create_db[0]["errorCode"] == "GlueEncryptionException"


def test_management_events_are_recorded_without_secrets(server):
    g, kms = client("glue", server.endpoint), client("kms", server.endpoint)
    ct = client("cloudtrail", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    g.create_security_configuration(Name="sc", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}]})
    g.create_job(Name="j", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": "s3://b/k"},
                 DefaultArguments={"--db-password": PASSWORD, "--Mode": "x"})
    g.create_database(DatabaseInput={"Name": "db"})
    g.create_table(DatabaseName="db", TableInput={"Name": "t", "Parameters": {"classification":
                                                                               "csv"}})
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "DISABLED"},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True,
                                         "AwsKmsKeyId": key}})
    g.create_connection(ConnectionInput={
        "Name": "pg", "ConnectionType": "JDBC", "ConnectionProperties": {
            "JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/x", "USERNAME": "app",
            "PASSWORD": PASSWORD}})
    g.get_job(JobName="j")
    with pytest.raises(ClientError):
        g.get_table(DatabaseName="db", Name="missing")

    recorded = events(ct, EventSource="glue.amazonaws.com")
    by_name = {}
    for e in recorded:
        by_name.setdefault(e["eventName"], e)
    assert set(by_name) >= {"CreateSecurityConfiguration", "CreateJob", "CreateDatabase",
                            "CreateTable", "CreateConnection", "GetJob", "GetTable",
                            "PutDataCatalogEncryptionSettings"}, sorted(by_name)
    for name in ("CreateSecurityConfiguration", "CreateJob", "CreateTable", "CreateConnection"):
        e = by_name[name]
        assert e["readOnly"] is False and "errorCode" not in e, e
        assert e["eventCategory"] == "Management" and e["awsRegion"] == "us-east-1"
        assert e["userIdentity"]["arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"
        assert "invokedBy" not in e["userIdentity"]
        assert e["userAgent"].startswith(("Boto3", "aws-cli", "Botocore", "boto3")), e["userAgent"]
    job = by_name["CreateJob"]
    assert job["requestParameters"]["name"] == "j"
    assert job["requestParameters"]["command"]["scriptLocation"] == "s3://b/k"
    assert job["requestParameters"]["defaultArguments"]["--Mode"] == "x"
    assert job["responseElements"] == {"name": "j"}
    sc = by_name["CreateSecurityConfiguration"]
    assert sc["requestParameters"]["encryptionConfiguration"]["s3Encryption"][0][
        "kmsKeyArn"] == key
    assert sc["responseElements"]["name"] == "sc"
    table = by_name["CreateTable"]
    assert table["requestParameters"]["tableInput"]["parameters"] == {"classification": "csv"}
    conn = by_name["CreateConnection"]
    props = conn["requestParameters"]["connectionInput"]["connectionProperties"]
    assert props["USERNAME"] == "app" and props["PASSWORD"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert by_name["GetJob"]["readOnly"] is True and by_name["GetJob"]["responseElements"] is None
    missing = by_name["GetTable"]
    assert missing["errorCode"] == "EntityNotFoundException" and missing["readOnly"] is True
    # The password reaches KMS (ReturnConnectionPasswordEncrypted) but no record holds it.
    encrypts = [e for e in events(ct, ResourceName=key) if e["eventName"] == "Encrypt"]
    assert len(encrypts) == 1 and encrypts[0]["userIdentity"]["invokedBy"] == "glue.amazonaws.com"
    assert PASSWORD not in whole_trail(server)


def test_denied_management_call_is_recorded(server):
    reader = client("glue", server.endpoint, key="READER", secret="reader-secret")
    with pytest.raises(ClientError) as info:
        reader.create_job(Name="nope", Role=ROLE,
                          Command={"Name": "pythonshell", "ScriptLocation": "s3://b/k"})
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
    ct = client("cloudtrail", server.endpoint)
    denied = events(ct, EventName="CreateJob")
    assert len(denied) == 1
    assert denied[0]["errorCode"] == "AccessDeniedException"
    assert denied[0]["userIdentity"]["arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:user/reader"
    assert denied[0]["readOnly"] is False and denied[0]["responseElements"] is None
    assert events(ct, Username="reader")[0]["eventName"] == "CreateJob"


def test_bucket_policy_change_is_recorded_with_its_effect(server):
    s3, ct = client("s3", server.endpoint), client("cloudtrail", server.endpoint)
    s3.create_bucket(Bucket="governed")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyPlain", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::governed/*",
         "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}
    s3.put_bucket_policy(Bucket="governed", Policy=json.dumps(policy))
    with pytest.raises(ClientError) as info:
        s3.put_bucket_policy(Bucket="missing-bucket", Policy=json.dumps(policy))
    assert info.value.response["Error"]["Code"] == "NoSuchBucket"
    s3.delete_bucket_policy(Bucket="governed")
    recorded = events(ct, EventName="PutBucketPolicy")
    assert [e.get("errorCode") for e in recorded] == ["NoSuchBucket", None], recorded
    ok = recorded[1]
    assert ok["eventSource"] == "s3.amazonaws.com" and ok["readOnly"] is False
    assert ok["requestParameters"]["bucketName"] == "governed"
    assert ok["requestParameters"]["bucketPolicy"] == policy
    assert ok["resources"][0]["ARN"] == "arn:aws:s3:::governed"
    assert ok["userIdentity"]["arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"
    names = [e["eventName"] for e in events(ct, EventSource="s3.amazonaws.com")]
    assert names == ["DeleteBucketPolicy", "PutBucketPolicy", "PutBucketPolicy",
                     "CreateBucket"], names
