"""The audit trail of S3: KMS calls S3 makes for a caller (invokedBy s3.amazonaws.com), bucket
management events, and injected KMS faults seen through S3 in the trail (issue 7's proof)."""

import json

import pytest

from aws_helpers import client
from control_helpers import admin, retrying_client
from kms_helpers import advance_clock


@pytest.fixture
def server(start_sealstack):
    return start_sealstack()


def events(ct, **attribute):
    name, value = next(iter(attribute.items()))
    out = ct.lookup_events(LookupAttributes=[{"AttributeKey": name, "AttributeValue": value}],
                           MaxResults=50)
    return [json.loads(e["CloudTrailEvent"]) for e in out["Events"]]


def test_get_object_decrypt_is_attributed_to_the_caller_via_s3(server):
    s3, kms, ct = (client(n, server.endpoint) for n in ("s3", "kms", "cloudtrail"))
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="audited")
    s3.put_object(Bucket="audited", Key="doc", Body=b"secret", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    assert s3.get_object(Bucket="audited", Key="doc")["Body"].read() == b"secret"

    decrypts = [e for e in events(ct, ResourceName=key) if e["eventName"] == "Decrypt"]
    assert len(decrypts) == 1, decrypts
    d = decrypts[0]
    assert d["eventSource"] == "kms.amazonaws.com"
    assert d["userIdentity"]["arn"] == "arn:aws:iam::000000000000:root"
    assert d["userIdentity"]["invokedBy"] == "s3.amazonaws.com"
    assert d["sourceIPAddress"] == "s3.amazonaws.com"
    assert d["requestParameters"]["encryptionContext"] == {"aws:s3:arn": "arn:aws:s3:::audited/doc"}
    assert [r["ARN"] for r in d["resources"]] == [key]
    assert "errorCode" not in d
    gdk = [e for e in events(ct, EventName="GenerateDataKey")
           if e["userIdentity"].get("invokedBy") == "s3.amazonaws.com"]
    assert len(gdk) == 1 and gdk[0]["requestParameters"]["keySpec"] == "AES_256"
    # No plaintext, data key or ciphertext in any record.
    trail = json.dumps(events(ct, EventSource="kms.amazonaws.com"))
    assert "secret" not in trail


def test_denied_s3_read_is_recorded_with_the_kms_error(start_sealstack):
    server = start_sealstack(config={"principals": [
        {"access_key_id": "READER", "secret_access_key": "reader-secret",
         "arn": "arn:aws:iam::000000000000:user/reader",
         "policies": [{"Version": "2012-10-17", "Statement": [
             {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}]}]})
    s3, kms, ct = (client(n, server.endpoint) for n in ("s3", "kms", "cloudtrail"))
    # The default key policy delegates to the account: the user has no kms:Decrypt of its own.
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="audited")
    s3.put_object(Bucket="audited", Key="doc", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    reader = client("s3", server.endpoint, key="READER", secret="reader-secret")
    with pytest.raises(reader.exceptions.ClientError) as info:
        reader.get_object(Bucket="audited", Key="doc")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    denied = [e for e in events(ct, EventName="Decrypt") if e.get("errorCode")]
    assert len(denied) == 1, denied
    assert denied[0]["userIdentity"]["arn"] == "arn:aws:iam::000000000000:user/reader"
    assert denied[0]["userIdentity"]["invokedBy"] == "s3.amazonaws.com"
    assert denied[0]["errorCode"] == "AccessDeniedException"


def test_bucket_management_events(server):
    s3, ct = client("s3", server.endpoint), client("cloudtrail", server.endpoint)
    s3.create_bucket(Bucket="managed")
    s3.put_bucket_encryption(Bucket="managed", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket="managed")
    s3.put_object(Bucket="managed", Key="k", Body=b"x")  # a data event: not in LookupEvents
    recorded = events(ct, EventSource="s3.amazonaws.com")
    names = [e["eventName"] for e in recorded]
    assert names == ["GetBucketPolicy", "PutBucketEncryption", "CreateBucket"], names
    failed = recorded[0]
    assert failed["errorCode"] == "NoSuchBucketPolicy" and failed["readOnly"] is True
    assert recorded[2]["requestParameters"]["bucketName"] == "managed"
    assert recorded[2]["resources"][0]["ARN"] == "arn:aws:s3:::managed"


def test_one_shot_throttled_generate_data_key_is_retried_and_visible(server):
    kms, ct = client("kms", server.endpoint), client("cloudtrail", server.endpoint)
    client("s3", server.endpoint).create_bucket(Bucket="retried")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    admin(server, "POST", "faults", {"service": "kms", "operation": "GenerateDataKey",
                                     "error": "ThrottlingException", "count": 1})
    out = retrying_client("s3", server.endpoint).put_object(
        Bucket="retried", Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    via_s3 = [e for e in events(ct, EventName="GenerateDataKey")
              if e["userIdentity"].get("invokedBy") == "s3.amazonaws.com"]
    # Newest first: the retried success, then the throttled attempt.
    assert [e.get("errorCode") for e in via_s3] == [None, "ThrottlingException"]


def test_objects_become_unreadable_after_the_deletion_window(server, monkeypatch):
    s3, kms = client("s3", server.endpoint), client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    s3.create_bucket(Bucket="expiring")
    s3.put_object(Bucket="expiring", Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.get_object(Bucket="expiring", Key="k")
    assert info.value.response["Error"]["Code"] == "KMS.KMSInvalidStateException"
    # Past the window the key is gone, and with it every object it protected.
    advance_clock(server, 7 * 86400 + 60, monkeypatch)
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.get_object(Bucket="expiring", Key="k")
    err = info.value.response
    assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("AccessDenied", 403)  # KMS cannot tell a deleted key from a foreign one
