"""Injected faults as S3 callers see them: S3's own (SlowDown, InternalError) and KMS failures
met by S3 on the caller's behalf (KMS throttling surfaces as S3's SlowDown, which SDKs retry)."""

import botocore.exceptions
import pytest

from aws_helpers import client
from control_helpers import admin, retrying_client


def s3_error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def server_with_bucket(start_sealstack):
    server = start_sealstack()
    client("s3", server.endpoint).create_bucket(Bucket="faulty")
    return server


def test_s3_fault_answers_its_error_and_is_scoped_to_its_bucket(server_with_bucket):
    server = server_with_bucket
    s3 = client("s3", server.endpoint)
    s3.create_bucket(Bucket="healthy")
    admin(server, "POST", "faults", {"service": "s3", "operation": "PutObject",
                                     "error": "SlowDown", "resource": "arn:aws:s3:::faulty"})
    assert s3_error(s3.put_object, Bucket="faulty", Key="k", Body=b"x") == ("SlowDown", 503)
    s3.put_object(Bucket="healthy", Key="k", Body=b"x")  # another bucket: untouched
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_object(Bucket="faulty", Key="k")  # nothing was stored by the failed PUT
    admin(server, "POST", "faults", {"service": "s3", "operation": "*",
                                     "error": "InternalError", "count": 1})
    assert s3_error(s3.list_objects_v2, Bucket="healthy") == ("InternalError", 500)
    assert s3.list_objects_v2(Bucket="healthy")["KeyCount"] == 1


def test_one_shot_s3_slowdown_is_retried_by_the_sdk(server_with_bucket):
    server = server_with_bucket
    admin(server, "POST", "faults", {"service": "s3", "operation": "PutObject",
                                     "error": "SlowDown", "count": 1})
    out = retrying_client("s3", server.endpoint).put_object(Bucket="faulty", Key="k", Body=b"x")
    assert out["ResponseMetadata"]["RetryAttempts"] == 1


def test_kms_throttling_behind_an_sse_kms_put(server_with_bucket):
    server = server_with_bucket
    key = client("kms", server.endpoint).create_key()["KeyMetadata"]["Arn"]
    put = dict(Bucket="faulty", Key="k", Body=b"secret", ServerSideEncryption="aws:kms",
               SSEKMSKeyId=key)
    # One-shot: the SDK retries S3's SlowDown and the second GenerateDataKey goes through.
    admin(server, "POST", "faults", {"service": "kms", "operation": "GenerateDataKey",
                                     "error": "ThrottlingException", "count": 1})
    out = retrying_client("s3", server.endpoint).put_object(**put)
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    assert out["SSEKMSKeyId"] == key
    # Persistent: every attempt fails as S3 fails it.
    admin(server, "POST", "faults", {"service": "kms", "operation": "GenerateDataKey",
                                     "error": "ThrottlingException"})
    assert s3_error(client("s3", server.endpoint).put_object, **put) == ("SlowDown", 503)
    # Reads of the stored object call Decrypt, which is not faulted.
    body = client("s3", server.endpoint).get_object(Bucket="faulty", Key="k")["Body"].read()
    assert body == b"secret"


def test_kms_unavailable_behind_a_get(server_with_bucket):
    server = server_with_bucket
    s3 = client("s3", server.endpoint)
    key = client("kms", server.endpoint).create_key()["KeyMetadata"]["Arn"]
    s3.put_object(Bucket="faulty", Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    admin(server, "POST", "faults", {"service": "kms", "operation": "Decrypt",
                                     "error": "KeyUnavailableException", "resource": key})
    assert s3_error(s3.get_object, Bucket="faulty", Key="k") == \
        ("KMS.KeyUnavailableException", 500)
