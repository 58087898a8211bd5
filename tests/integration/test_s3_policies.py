"""Bucket policies and identity policies through S3 with real clients (PROTOCOL 3.8, 8.1, 3.6):
the standard "deny unencrypted uploads", "deny other KMS keys" and "deny insecure transport"
policies deny exactly what they deny on AWS; the bucket policy API and its errors; the owner's
root can always remove a policy; a key policy that leaves out role B makes B's SSE-KMS writes
and reads fail while role A succeeds; identity policies of users; cross-account access through
a bucket policy. One server (HTTP + HTTPS listener, config principals) for the module."""

import json

import pytest
import urllib3

from aws_helpers import ROOT_ACCOUNT, ROOT_ARN, client
from s3_helpers import as_principal, expect, module_servers, put_policy, s3_client  # noqa: F401

OTHER_ACCOUNT = "111122223333"


def _principal(name, arn, policies=None):
    p = {"access_key_id": f"AKIA{name.upper():0<16}"[:20], "secret_access_key": f"{name}-secret",
         "arn": arn}
    if policies is not None:
        p["policies"] = policies
    return p


def _allow(actions, resource="*"):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


ROLE_A = _principal("s3rolea", f"arn:aws:iam::{ROOT_ACCOUNT}:role/S3RoleA",
                    [_allow(["s3:*", "kms:*"])])
ROLE_B = _principal("s3roleb", f"arn:aws:iam::{ROOT_ACCOUNT}:role/S3RoleB",
                    [_allow(["s3:*", "kms:*"])])
READER = _principal("s3reader", f"arn:aws:iam::{ROOT_ACCOUNT}:user/Reader",
                    [_allow(["s3:GetObject", "s3:ListBucket"])])
NOBODY = _principal("s3nobody", f"arn:aws:iam::{ROOT_ACCOUNT}:user/Nobody")
OTHER_ROOT = _principal("s3other", f"arn:aws:iam::{OTHER_ACCOUNT}:root")
CONFIG = {"principals": [ROLE_A, ROLE_B, READER, NOBODY, OTHER_ROOT]}


@pytest.fixture(scope="module")
def server(module_servers):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    server = module_servers.start(config=CONFIG, extra_args=["--https-port", "0"])
    assert server.https_endpoint
    return server


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(scope="module")
def kms(server):
    return client("kms", server.endpoint)


def _deny(sid, action, resource, condition=None):
    st = {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def test_deny_unencrypted_uploads(s3, kms):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="pol-unenc")
    put_policy(s3, "pol-unenc", [_deny(
        "DenyWrongSSE", "s3:PutObject", "arn:aws:s3:::pol-unenc/*",
        {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})])
    err = expect(s3.put_object, "AccessDenied", 403, Bucket="pol-unenc", Key="none", Body=b"x")
    assert "explicit deny in a resource-based policy" in err["Message"]
    expect(s3.put_object, "AccessDenied", 403, Bucket="pol-unenc", Key="aes", Body=b"x",
           ServerSideEncryption="AES256")
    expect(s3.put_object, "AccessDenied", 403, Bucket="pol-unenc", Key="dsse", Body=b"x",
           ServerSideEncryption="aws:kms:dsse", SSEKMSKeyId=key)
    ok = s3.put_object(Bucket="pol-unenc", Key="kms", Body=b"x", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key)
    assert ok["SSEKMSKeyId"] == key
    s3.put_object(Bucket="pol-unenc", Key="managed", Body=b"x", ServerSideEncryption="aws:kms")
    # A KMS bucket default does not put the header into the request: still denied, as on AWS.
    s3.put_bucket_encryption(Bucket="pol-unenc", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    expect(s3.put_object, "AccessDenied", 403, Bucket="pol-unenc", Key="default", Body=b"x")
    # The same rule guards CopyObject and CreateMultipartUpload (both s3:PutObject).
    expect(s3.copy_object, "AccessDenied", 403, Bucket="pol-unenc", Key="copy",
           CopySource={"Bucket": "pol-unenc", "Key": "kms"})
    s3.copy_object(Bucket="pol-unenc", Key="copy", CopySource={"Bucket": "pol-unenc", "Key": "kms"},
                   ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    expect(s3.create_multipart_upload, "AccessDenied", 403, Bucket="pol-unenc", Key="mp")
    s3.create_multipart_upload(Bucket="pol-unenc", Key="mp", ServerSideEncryption="aws:kms")
    # Reads are not affected.
    assert s3.get_object(Bucket="pol-unenc", Key="kms")["Body"].read() == b"x"


def test_deny_other_kms_keys(s3, kms):
    good = kms.create_key()["KeyMetadata"]["Arn"]
    other = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="pol-key")
    put_policy(s3, "pol-key", [_deny(
        "DenyOtherKey", "s3:PutObject", "arn:aws:s3:::pol-key/*",
        {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": good}})])
    assert s3.put_object(Bucket="pol-key", Key="good", Body=b"x", ServerSideEncryption="aws:kms",
                         SSEKMSKeyId=good)["SSEKMSKeyId"] == good
    expect(s3.put_object, "AccessDenied", 403, Bucket="pol-key", Key="other", Body=b"x",
           ServerSideEncryption="aws:kms", SSEKMSKeyId=other)
    # IfExists with a negated operator: a request without the key-id header makes the
    # condition true (IAM "...IfExists": a missing key evaluates to true), so SSE-S3 uploads
    # and aws:kms without a key id (the managed key) are denied too, as on AWS.
    for extra in ({"ServerSideEncryption": "AES256"}, {}, {"ServerSideEncryption": "aws:kms"}):
        expect(s3.put_object, "AccessDenied", 403, Bucket="pol-key", Key="nokeyid", Body=b"x",
               **extra)
    # Reads are not PutObject: unaffected.
    assert s3.get_object(Bucket="pol-key", Key="good")["Body"].read() == b"x"
    expect(s3.get_object, "NoSuchKey", 404, Bucket="pol-key", Key="other")


def test_deny_insecure_transport(s3, server):
    s3.create_bucket(Bucket="pol-tls")
    tls = s3_client(server.https_endpoint)
    tls.put_object(Bucket="pol-tls", Key="before", Body=b"x")
    put_policy(s3, "pol-tls", [_deny(
        "DenyInsecureTransport", "s3:*", ["arn:aws:s3:::pol-tls", "arn:aws:s3:::pol-tls/*"],
        {"Bool": {"aws:SecureTransport": "false"}})])
    expect(s3.put_object, "AccessDenied", 403, Bucket="pol-tls", Key="k", Body=b"x")
    expect(s3.get_object, "AccessDenied", 403, Bucket="pol-tls", Key="before")
    expect(s3.list_objects_v2, "AccessDenied", 403, Bucket="pol-tls")
    tls.put_object(Bucket="pol-tls", Key="k", Body=b"over tls")
    assert tls.get_object(Bucket="pol-tls", Key="k")["Body"].read() == b"over tls"
    assert [o["Key"] for o in tls.list_objects_v2(Bucket="pol-tls")["Contents"]] == ["before", "k"]
    # The owner's root still manages the policy over HTTP (lockout rule).
    s3.delete_bucket_policy(Bucket="pol-tls")
    assert s3.get_object(Bucket="pol-tls", Key="k")["Body"].read() == b"over tls"


def test_bucket_policy_api_and_errors(s3):
    s3.create_bucket(Bucket="pol-api")
    s3.create_bucket(Bucket="pol-api-other")
    expect(s3.get_bucket_policy, "NoSuchBucketPolicy", 404, Bucket="pol-api")
    expect(s3.get_bucket_policy, "NoSuchBucket", 404, Bucket="pol-api-missing")
    expect(s3.put_bucket_policy, "MalformedPolicy", 400, Bucket="pol-api", Policy="{not json")
    expect(s3.put_bucket_policy, "MalformedPolicy", 400, Bucket="pol-api",
           Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
               "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::pol-api-other/*"}]}))
    expect(s3.put_bucket_policy, "MalformedPolicy", 400, Bucket="pol-api",
           Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
               "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-api/*"}]}))
    expect(s3.put_bucket_policy, "MalformedPolicy", 400, Bucket="pol-api",
           Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
               "Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::pol-api/*"}]}))
    expect(s3.get_bucket_policy, "NoSuchBucketPolicy", 404, Bucket="pol-api")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        _deny("DenyAll", "s3:*", ["arn:aws:s3:::pol-api", "arn:aws:s3:::pol-api/*"])]})
    put = s3.put_bucket_policy(Bucket="pol-api", Policy=policy)
    assert put["ResponseMetadata"]["HTTPStatusCode"] in (200, 204)
    assert json.loads(s3.get_bucket_policy(Bucket="pol-api")["Policy"]) == json.loads(policy)
    # Denies everything else, even to the owner's root...
    expect(s3.put_object, "AccessDenied", 403, Bucket="pol-api", Key="k", Body=b"x")
    expect(s3.list_objects_v2, "AccessDenied", 403, Bucket="pol-api")
    # ...but the root of the owning account can still read and delete the policy.
    r = s3.delete_bucket_policy(Bucket="pol-api")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect(s3.get_bucket_policy, "NoSuchBucketPolicy", 404, Bucket="pol-api")
    s3.put_object(Bucket="pol-api", Key="k", Body=b"x")
    # DeleteBucketPolicy without a policy is 204 too.
    assert s3.delete_bucket_policy(Bucket="pol-api")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_key_policy_excluding_role_b(s3, kms, server):
    a = as_principal("s3", server.endpoint, ROLE_A)
    b = as_principal("s3", server.endpoint, ROLE_B)
    # No account delegation: only role A (and nobody's identity policy) may use the key.
    key_policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyRoleA", "Effect": "Allow", "Principal": {"AWS": ROLE_A["arn"]},
        "Action": "kms:*", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(key_policy),
                         BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="pol-roles")
    put = a.put_object(Bucket="pol-roles", Key="by-a", Body=b"role a data",
                       ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    assert put["SSEKMSKeyId"] == key
    assert a.get_object(Bucket="pol-roles", Key="by-a")["Body"].read() == b"role a data"
    expect(b.put_object, "AccessDenied", 403, Bucket="pol-roles", Key="by-b", Body=b"x",
           ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    expect(b.get_object, "AccessDenied", 403, Bucket="pol-roles", Key="by-a")
    expect(b.create_multipart_upload, "AccessDenied", 403, Bucket="pol-roles", Key="mp",
           ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    # B's S3 permissions are fine: SSE-S3 objects work, HEAD needs no KMS call.
    b.put_object(Bucket="pol-roles", Key="b-plain", Body=b"plain")
    assert b.get_object(Bucket="pol-roles", Key="b-plain")["Body"].read() == b"plain"
    assert b.head_object(Bucket="pol-roles", Key="by-a")["SSEKMSKeyId"] == key
    expect(b.put_object, "KMS.NotFoundException", 400, Bucket="pol-roles", Key="nf", Body=b"x",
           ServerSideEncryption="aws:kms",
           SSEKMSKeyId=f"arn:aws:kms:us-east-1:{ROOT_ACCOUNT}:key/"
                       "00000000-0000-0000-0000-000000000000")


def test_identity_policies_of_users(s3, server):
    s3.create_bucket(Bucket="pol-users")
    s3.put_object(Bucket="pol-users", Key="k", Body=b"readable")
    reader = as_principal("s3", server.endpoint, READER)
    nobody = as_principal("s3", server.endpoint, NOBODY)
    assert reader.get_object(Bucket="pol-users", Key="k")["Body"].read() == b"readable"
    assert [o["Key"] for o in reader.list_objects_v2(Bucket="pol-users")["Contents"]] == ["k"]
    err = expect(reader.put_object, "AccessDenied", 403, Bucket="pol-users", Key="w", Body=b"x")
    assert READER["arn"] in err["Message"]
    expect(reader.delete_object, "AccessDenied", 403, Bucket="pol-users", Key="k")
    expect(nobody.get_object, "AccessDenied", 403, Bucket="pol-users", Key="k")
    expect(nobody.put_object, "AccessDenied", 403, Bucket="pol-users", Key="w", Body=b"x")
    # A bucket policy Allow naming the user is enough in the same account.
    put_policy(s3, "pol-users", [{"Effect": "Allow", "Principal": {"AWS": NOBODY["arn"]},
                                  "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pol-users/*"}])
    nobody.put_object(Bucket="pol-users", Key="w", Body=b"x")
    expect(nobody.get_object, "AccessDenied", 403, Bucket="pol-users", Key="k")


def test_cross_account_root_through_bucket_policy(s3, server):
    other = as_principal("s3", server.endpoint, OTHER_ROOT)
    s3.create_bucket(Bucket="pol-xacct")
    s3.create_bucket(Bucket="pol-xacct-closed")
    s3.put_object(Bucket="pol-xacct", Key="shared", Body=b"shared")
    s3.put_object(Bucket="pol-xacct-closed", Key="k", Body=b"x")
    expect(other.get_object, "AccessDenied", 403, Bucket="pol-xacct", Key="shared")
    put_policy(s3, "pol-xacct", [{
        "Sid": "OtherAccount", "Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
        "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::pol-xacct/*"}])
    assert other.get_object(Bucket="pol-xacct", Key="shared")["Body"].read() == b"shared"
    other.put_object(Bucket="pol-xacct", Key="from-other", Body=b"hello")
    assert s3.get_object(Bucket="pol-xacct", Key="from-other")["Body"].read() == b"hello"
    expect(other.list_objects_v2, "AccessDenied", 403, Bucket="pol-xacct")
    expect(other.delete_object, "AccessDenied", 403, Bucket="pol-xacct", Key="shared")
    expect(other.get_object, "AccessDenied", 403, Bucket="pol-xacct-closed", Key="k")
    expect(other.get_bucket_policy, "AccessDenied", 403, Bucket="pol-xacct")
    assert ROOT_ARN.startswith("arn:aws:iam::")
