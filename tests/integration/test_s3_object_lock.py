"""S3 Object Lock on versions with real clients (issue 15 item 5): buckets created with Object
Lock, default retention from the bucket's configuration, x-amz-object-lock-* headers on writes,
Get/PutObjectRetention and Get/PutObjectLegalHold, deletes of locked versions refused (COMPLIANCE
for everyone, GOVERNANCE unless bypassed by a caller allowed s3:BypassGovernanceRetention, legal
hold always), retention that may only be extended, the clock that ends a retention (the admin
clock advance), and UpdateObjectEncryption refused on locked objects.

Expectations are AWS's (S3 API reference, the user guide's "Locking objects with Object Lock")."""

import base64
import datetime
import hashlib

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, ROOT_ACCOUNT, client, signed_request
from s3_helpers import as_principal, expect, module_servers, s3_client  # noqa: F401

XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
# May do everything in S3 except bypass governance retention.
OPERATOR = {"access_key_id": "AKIALOCKOPERATOR0000", "secret_access_key": "lock-operator-secret",
            "arn": f"arn:aws:iam::{ROOT_ACCOUNT}:user/Operator",
            "policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:BypassGovernanceRetention", "Resource": "*"}]}]}
CONFIG = {"principals": [OPERATOR]}


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start(config=CONFIG)


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


def _server_now(server):
    got = requests.get(f"{server.endpoint}/_sealstack/clock", timeout=HTTP_TIMEOUT).json()
    return datetime.datetime.fromisoformat(got["now"].replace("Z", "+00:00"))


def _in(server, **delta):
    return _server_now(server) + datetime.timedelta(**delta)


def _md5(body):
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def _put(s3, bucket, key, body=b"x", **kwargs):
    """PutObject with Content-MD5, which AWS requires with Object Lock (botocore 1.26 sends no
    checksum of its own)."""
    return s3.put_object(Bucket=bucket, Key=key, Body=body, ContentMD5=_md5(body), **kwargs)


def _locked_bucket(s3, name):
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def test_bucket_created_with_object_lock(s3):
    _locked_bucket(s3, "lock-new")
    assert s3.get_bucket_versioning(Bucket="lock-new")["Status"] == "Enabled"
    conf = s3.get_object_lock_configuration(Bucket="lock-new")["ObjectLockConfiguration"]
    assert conf == {"ObjectLockEnabled": "Enabled"}
    # Without the flag there is no configuration, and no retention on objects.
    s3.create_bucket(Bucket="lock-none")
    expect(s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError", 404,
           Bucket="lock-none")
    s3.put_object(Bucket="lock-none", Key="k", Body=b"x")
    expect(s3.put_object, "InvalidRequest", 400, Bucket="lock-none", Key="k2", Body=b"x",
           ObjectLockMode="GOVERNANCE",
           ObjectLockRetainUntilDate=datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc))
    err = expect(s3.get_object_retention, "InvalidRequest", 400, Bucket="lock-none", Key="k")
    assert err["Message"] == "Bucket is missing Object Lock Configuration"


def test_compliance_retention_refuses_every_delete_until_it_ends(server, s3):
    _locked_bucket(s3, "lock-comp")
    until = _in(server, days=2)
    vid = _put(s3, "lock-comp", "k", ObjectLockMode="COMPLIANCE",
               ObjectLockRetainUntilDate=until)["VersionId"]
    head = s3.head_object(Bucket="lock-comp", Key="k")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert abs((head["ObjectLockRetainUntilDate"] - until).total_seconds()) < 1
    got = s3.get_object_retention(Bucket="lock-comp", Key="k")["Retention"]
    assert got["Mode"] == "COMPLIANCE"
    err = expect(s3.delete_object, "AccessDenied", 403, Bucket="lock-comp", Key="k", VersionId=vid)
    assert err["Message"] == "Access Denied because object protected by object lock."
    # Not even the root with the bypass header.
    expect(s3.delete_object, "AccessDenied", 403, Bucket="lock-comp", Key="k", VersionId=vid,
           BypassGovernanceRetention=True)
    # A delete without a version only adds a delete marker: allowed.
    marker = s3.delete_object(Bucket="lock-comp", Key="k")
    assert marker["DeleteMarker"] is True
    # DeleteObjects reports the locked version as an error entry.
    out = s3.delete_objects(Bucket="lock-comp", Delete={"Objects": [
        {"Key": "k", "VersionId": vid}]})
    assert [e["Code"] for e in out.get("Errors", [])] == ["AccessDenied"]
    # Shortening or switching to GOVERNANCE is refused; extending is fine.
    expect(s3.put_object_retention, "AccessDenied", 403, Bucket="lock-comp", Key="k",
           VersionId=vid, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _in(server, days=1)})
    expect(s3.put_object_retention, "AccessDenied", 403, Bucket="lock-comp", Key="k",
           VersionId=vid, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _in(server, days=3)},
           BypassGovernanceRetention=True)
    s3.put_object_retention(Bucket="lock-comp", Key="k", VersionId=vid,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _in(server, days=3)})
    # Three days later (server clock), the version may go.
    resp = requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 4 * 86400},
                         timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200, resp.text
    try:
        s3.delete_object(Bucket="lock-comp", Key="k", VersionId=vid)
    finally:
        requests.post(f"{server.endpoint}/_sealstack/clock", json={"set": "now"},
                      timeout=HTTP_TIMEOUT)
    expect(s3.head_object, "404", 404, Bucket="lock-comp", Key="k", VersionId=vid)


def test_governance_retention_and_bypass(server, s3):
    _locked_bucket(s3, "lock-gov")
    vid = _put(s3, "lock-gov", "k", ObjectLockMode="GOVERNANCE",
               ObjectLockRetainUntilDate=_in(server, days=1))["VersionId"]
    expect(s3.delete_object, "AccessDenied", 403, Bucket="lock-gov", Key="k", VersionId=vid)
    # Shortening needs the bypass too.
    expect(s3.put_object_retention, "AccessDenied", 403, Bucket="lock-gov", Key="k",
           VersionId=vid, Retention={"Mode": "GOVERNANCE",
                                     "RetainUntilDate": _in(server, hours=1)})
    # A caller denied s3:BypassGovernanceRetention cannot bypass even with the header.
    operator = as_principal("s3", server.endpoint, OPERATOR)
    expect(operator.delete_object, "AccessDenied", 403, Bucket="lock-gov", Key="k", VersionId=vid,
           BypassGovernanceRetention=True)
    # The root may: shorten with the bypass, then delete with it.
    s3.put_object_retention(Bucket="lock-gov", Key="k", VersionId=vid,
                            Retention={"Mode": "GOVERNANCE",
                                       "RetainUntilDate": _in(server, hours=1)},
                            BypassGovernanceRetention=True)
    s3.delete_object(Bucket="lock-gov", Key="k", VersionId=vid, BypassGovernanceRetention=True)
    expect(s3.head_object, "404", 404, Bucket="lock-gov", Key="k", VersionId=vid)


def test_default_retention_and_legal_hold(server, s3):
    _locked_bucket(s3, "lock-def")
    s3.put_object_lock_configuration(Bucket="lock-def", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    vid = _put(s3, "lock-def", "k")["VersionId"]
    got = s3.get_object_retention(Bucket="lock-def", Key="k", VersionId=vid)["Retention"]
    assert got["Mode"] == "GOVERNANCE"
    delta = got["RetainUntilDate"] - _server_now(server)
    assert datetime.timedelta(hours=23) < delta <= datetime.timedelta(days=1)
    # With a default retention every PUT needs a body checksum (Content-MD5 or x-amz-checksum-*).
    resp = signed_request(server.endpoint, "PUT", "/lock-def/nomd5", service="s3", body=b"x")
    assert resp.status_code == 400 and b"<Code>InvalidRequest</Code>" in resp.content
    # Legal hold: none at first, then ON refuses deletes whatever the retention says.
    expect(s3.get_object_legal_hold, "NoSuchObjectLockConfiguration", 404, Bucket="lock-def",
           Key="k")
    s3.put_object_legal_hold(Bucket="lock-def", Key="k", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket="lock-def", Key="k")["LegalHold"] == {"Status": "ON"}
    assert s3.head_object(Bucket="lock-def", Key="k")["ObjectLockLegalHoldStatus"] == "ON"
    s3.put_object_retention(Bucket="lock-def", Key="k", Retention={},
                            BypassGovernanceRetention=True)
    expect(s3.get_object_retention, "NoSuchObjectLockConfiguration", 404, Bucket="lock-def",
           Key="k")
    expect(s3.delete_object, "AccessDenied", 403, Bucket="lock-def", Key="k", VersionId=vid,
           BypassGovernanceRetention=True)
    s3.put_object_legal_hold(Bucket="lock-def", Key="k", LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket="lock-def", Key="k", VersionId=vid)
    # Legal hold as a header on PutObject.
    vid2 = _put(s3, "lock-def", "held", ObjectLockLegalHoldStatus="ON")["VersionId"]
    expect(s3.delete_object, "AccessDenied", 403, Bucket="lock-def", Key="held", VersionId=vid2,
           BypassGovernanceRetention=True)


def test_header_and_body_errors(server, s3):
    _locked_bucket(s3, "lock-err")
    future = _in(server, days=1)
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket="lock-err", Key="k", Body=b"x",
                 ContentMD5=_md5(b"x"), ObjectLockMode="GOVERNANCE")
    assert err["Message"] == ("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode "
                              "must both be supplied")
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket="lock-err", Key="k", Body=b"x",
                 ContentMD5=_md5(b"x"), ObjectLockMode="GOVERNANCE",
                 ObjectLockRetainUntilDate=_in(server, days=-1))
    assert err["Message"] == "The retain until date must be in the future!"
    # Raw requests: a mode the model does not know, Content-MD5 missing.
    headers = {"x-amz-object-lock-mode": "FOREVER",
               "x-amz-object-lock-retain-until-date": future.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "Content-MD5": _md5(b"x")}
    resp = signed_request(server.endpoint, "PUT", "/lock-err/k", service="s3", body=b"x",
                          headers=headers)
    assert resp.status_code == 400 and b"Unknown wormMode directive." in resp.content
    headers["x-amz-object-lock-mode"] = "GOVERNANCE"
    del headers["Content-MD5"]
    resp = signed_request(server.endpoint, "PUT", "/lock-err/k", service="s3", body=b"x",
                          headers=headers)
    assert resp.status_code == 400 and b"<Code>InvalidRequest</Code>" in resp.content
    assert b"Content-MD5 OR x-amz-checksum- HTTP header is required" in resp.content
    _put(s3, "lock-err", "k")
    body = f'<LegalHold xmlns="{XMLNS}"><Status>MAYBE</Status></LegalHold>'.encode()
    resp = signed_request(server.endpoint, "PUT", "/lock-err/k", service="s3",
                          params={"legal-hold": ""}, body=body, headers={"Content-MD5": _md5(body)})
    assert resp.status_code == 400 and b"<Code>MalformedXML</Code>" in resp.content
    expect(s3.get_object_retention, "NoSuchObjectLockConfiguration", 404, Bucket="lock-err",
           Key="k")
    expect(s3.get_object_retention, "NoSuchKey", 404, Bucket="lock-err", Key="missing")
    # Suspending versioning is refused while Object Lock is on.
    expect(s3.put_bucket_versioning, "InvalidBucketState", 409, Bucket="lock-err",
           VersioningConfiguration={"Status": "Suspended"})


def test_locked_object_keeps_its_encryption(server, s3):
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    _locked_bucket(s3, "lock-uoe")
    _put(s3, "lock-uoe", "k", ObjectLockMode="GOVERNANCE",
         ObjectLockRetainUntilDate=_in(server, days=1))
    xml = (f'<ObjectEncryption xmlns="{XMLNS}"><SSE-KMS><KMSKeyArn>{key}</KMSKeyArn>'
           f"</SSE-KMS></ObjectEncryption>").encode()
    resp = signed_request(server.endpoint, "PUT", "/lock-uoe/k", service="s3",
                          params={"encryption": ""}, body=xml, headers={"Content-MD5": _md5(xml)})
    assert resp.status_code == 403 and b"protected by S3 Object Lock" in resp.content
    assert s3.head_object(Bucket="lock-uoe", Key="k")["ServerSideEncryption"] == "AES256"


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_object_lock(server, s3, cli, tmp_path):
    import json
    import os
    import subprocess
    bucket = "lock-cli-v1" if cli == "aws" else "lock-cli-v2"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")

    def run(*args):
        p = subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json", *args],
                           env=env, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    rc, _, err = run("s3api", "create-bucket", "--bucket", bucket,
                     "--object-lock-enabled-for-bucket")
    assert rc == 0, err
    body = tmp_path / "f"
    body.write_bytes(b"cli lock")
    until = _in(server, days=1).strftime("%Y-%m-%dT%H:%M:%SZ")
    rc, out, err = run("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body",
                       str(body), "--content-md5", _md5(b"cli lock"), "--object-lock-mode",
                       "COMPLIANCE", "--object-lock-retain-until-date", until)
    assert rc == 0, err
    vid = json.loads(out)["VersionId"]
    rc, out, err = run("s3api", "get-object-retention", "--bucket", bucket, "--key", "k")
    assert rc == 0, err
    assert json.loads(out)["Retention"]["Mode"] == "COMPLIANCE"
    rc, out, err = run("s3api", "delete-object", "--bucket", bucket, "--key", "k",
                       "--version-id", vid, "--bypass-governance-retention")
    assert rc != 0 and "AccessDenied" in err and "protected by object lock" in err
    rc, out, err = run("s3api", "put-object-legal-hold", "--bucket", bucket, "--key", "k",
                       "--legal-hold", "Status=ON")
    assert rc == 0, err
    rc, out, err = run("s3api", "get-object-legal-hold", "--bucket", bucket, "--key", "k")
    assert rc == 0 and json.loads(out)["LegalHold"]["Status"] == "ON", err
