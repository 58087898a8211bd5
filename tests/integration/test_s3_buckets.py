"""S3 buckets with real clients: create/head/list/delete, location, default encryption
(PROTOCOL 4.1, 3.7). Object operations arrive with the S3 issue."""

import json
import os
import subprocess

import pytest
from botocore.exceptions import ClientError

from aws_helpers import client

OTHER = {"principals": [{"access_key_id": "AKIAOTHERACCOUNT0001", "secret_access_key": "other",
                         "arn": "arn:aws:iam::111122223333:root"}]}


def _error(call):
    with pytest.raises(ClientError) as e:
        call()
    r = e.value.response
    return r["Error"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_bucket_lifecycle(sealstack):
    s3 = client("s3", sealstack.endpoint)
    created = s3.create_bucket(Bucket="life-cycle-bucket")
    assert created["Location"] == "/life-cycle-bucket"
    head = s3.head_bucket(Bucket="life-cycle-bucket")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    listed = s3.list_buckets()
    assert [b["Name"] for b in listed["Buckets"]] == ["life-cycle-bucket"]
    assert len(listed["Owner"]["ID"]) == 64
    assert s3.get_bucket_location(Bucket="life-cycle-bucket").get("LocationConstraint") is None
    assert s3.list_objects_v2(Bucket="life-cycle-bucket")["KeyCount"] == 0
    err, status = _error(lambda: s3.create_bucket(Bucket="life-cycle-bucket"))
    assert (err["Code"], status) == ("BucketAlreadyOwnedByYou", 409)
    assert s3.delete_bucket(Bucket="life-cycle-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 204
    err, status = _error(lambda: s3.head_bucket(Bucket="life-cycle-bucket"))
    assert (err["Code"], status) == ("404", 404)  # HEAD errors have no body
    err, status = _error(lambda: s3.get_bucket_location(Bucket="life-cycle-bucket"))
    assert (err["Code"], status) == ("NoSuchBucket", 404)
    assert err["BucketName"] == "life-cycle-bucket"


def test_location_constraint_and_invalid_names(sealstack):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="eu-bucket",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket="eu-bucket")["LocationConstraint"] == "eu-west-1"
    for bad in ("ab", "has..dots", "192.168.1.1", "ends-with-", "a" * 64):
        err, status = _error(lambda: s3.create_bucket(Bucket=bad))
        assert (err["Code"], status) == ("InvalidBucketName", 400), bad


def test_default_encryption_configuration(sealstack):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="enc-bucket")
    rule = s3.get_bucket_encryption(Bucket="enc-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert rule["BucketKeyEnabled"] is False
    s3.put_bucket_encryption(Bucket="enc-bucket", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": "alias/orders"},
        "BucketKeyEnabled": True}]})
    rule = s3.get_bucket_encryption(Bucket="enc-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                          "KMSMasterKeyID": "alias/orders"}
    assert rule["BucketKeyEnabled"] is True
    err, status = _error(lambda: s3.put_bucket_encryption(
        Bucket="enc-bucket", ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256",
                                                   "KMSMasterKeyID": "alias/orders"}}]}))
    assert (err["Code"], status) == ("InvalidArgument", 400)
    assert err["Message"].startswith("a KMSMasterKeyID is not applicable")
    err, status = _error(lambda: s3.put_bucket_encryption(
        Bucket="enc-bucket", ServerSideEncryptionConfiguration={"Rules": []}))
    assert (err["Code"], status) == ("MalformedXML", 400)
    assert s3.delete_bucket_encryption(Bucket="enc-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 204
    rule = s3.get_bucket_encryption(Bucket="enc-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    err, status = _error(lambda: s3.get_bucket_encryption(Bucket="no-such-enc-bucket"))
    assert (err["Code"], status) == ("NoSuchBucket", 404)


def test_new_buckets_block_sse_c_by_default(sealstack, start_sealstack):
    s3 = client("s3", sealstack.endpoint)
    if "BlockedEncryptionTypes" not in s3.meta.service_model.shape_for(
            "ServerSideEncryptionRule").members:
        pytest.skip("this botocore predates BlockedEncryptionTypes")
    s3.create_bucket(Bucket="blocked-bucket")
    rule = s3.get_bucket_encryption(Bucket="blocked-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["BlockedEncryptionTypes"] == {"EncryptionType": ["SSE-C"]}
    legacy = start_sealstack(extra_args=["--sse-c-blocked-by-default", "false"])
    s3_legacy = client("s3", legacy.endpoint)
    s3_legacy.create_bucket(Bucket="open-bucket")
    rule = s3_legacy.get_bucket_encryption(Bucket="open-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert "BlockedEncryptionTypes" not in rule


def test_buckets_belong_to_their_account(start_sealstack):
    server = start_sealstack(config=OTHER)
    mine = client("s3", server.endpoint)
    other = client("s3", server.endpoint, "AKIAOTHERACCOUNT0001", "other")
    mine.create_bucket(Bucket="owned-bucket")
    assert other.list_buckets()["Buckets"] == []
    err, status = _error(lambda: other.get_bucket_location(Bucket="owned-bucket"))
    assert (err["Code"], status) == ("AccessDenied", 403)
    err, status = _error(lambda: other.create_bucket(Bucket="owned-bucket"))
    assert (err["Code"], status) == ("BucketAlreadyExists", 409)


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_mb_ls_rb(sealstack, cli):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1")
    def run(*args):
        return subprocess.run([cli, "--endpoint-url", sealstack.endpoint, *args], env=env,
                              capture_output=True, text=True, timeout=60)
    made = run("s3", "mb", "s3://cli-bucket")
    assert made.returncode == 0, made.stderr
    listed = run("s3", "ls")
    assert listed.returncode == 0 and "cli-bucket" in listed.stdout, listed.stderr
    loc = run("s3api", "get-bucket-location", "--bucket", "cli-bucket", "--output", "json")
    assert loc.returncode == 0 and json.loads(loc.stdout).get("LocationConstraint") is None
    removed = run("s3", "rb", "s3://cli-bucket")
    assert removed.returncode == 0, removed.stderr
    missing = run("s3api", "head-bucket", "--bucket", "cli-bucket")
    assert missing.returncode != 0 and "404" in missing.stderr
