"""UpdateObjectEncryption with real clients (issue 15 item 2): an object's (or one version's)
protection changes from SSE-S3 to SSE-KMS, from one KMS key to another, and with a bucket key
on or off, without its body being rewritten: the data key is re-protected, KMS is called as the
caller (Decrypt on the old key, Encrypt on the new one, both audited), the old key no longer
matters and the new one does, and the request's errors are the API reference's.

boto3 1.43 has update_object_encryption; botocore 1.26 predates it, so with it the request is
signed and sent raw (same bytes, Content-MD5 as the model requires a checksum)."""

import base64
import hashlib
import json
import sqlite3

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, ROOT_ACCOUNT, client, signed_request
from s3_helpers import as_principal, expect, module_servers, put_policy, s3_client  # noqa: F401

XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
OTHER_ACCOUNT = "111122223333"

ROLE = {"access_key_id": "AKIAUPDATEROLE000000", "secret_access_key": "update-role-secret",
        "arn": f"arn:aws:iam::{ROOT_ACCOUNT}:role/Updater",
        "policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]}]}
CONFIG = {"principals": [ROLE]}


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start(config=CONFIG)


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(scope="module")
def kms(server):
    return client("kms", server.endpoint)


def _body(key_arn, bucket_key=None):
    inner = f"<KMSKeyArn>{key_arn}</KMSKeyArn>"
    if bucket_key is not None:
        inner += f"<BucketKeyEnabled>{str(bucket_key).lower()}</BucketKeyEnabled>"
    return f'<ObjectEncryption xmlns="{XMLNS}"><SSE-KMS>{inner}</SSE-KMS></ObjectEncryption>'


def _update_raw(endpoint, bucket, key, body, version_id=None, md5=True, creds=("test", "test")):
    data = body.encode() if isinstance(body, str) else body
    params = {"encryption": ""}
    if version_id:
        params["versionId"] = version_id
    headers = {"Content-Type": "application/xml"}
    if md5:
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(data).digest()).decode()
    return signed_request(endpoint, "PUT", f"/{bucket}/{key}", service="s3", params=params,
                          body=data, headers=headers, key=creds[0], secret=creds[1])


def update(s3, bucket, key, key_arn, bucket_key=None, version_id=None):
    """UpdateObjectEncryption through the SDK when it knows the operation, else raw."""
    if hasattr(s3, "update_object_encryption"):
        sse_kms = {"KMSKeyArn": key_arn}
        if bucket_key is not None:
            sse_kms["BucketKeyEnabled"] = bucket_key
        kwargs = {"Bucket": bucket, "Key": key, "ObjectEncryption": {"SSEKMS": sse_kms}}
        if version_id:
            kwargs["VersionId"] = version_id
        resp = s3.update_object_encryption(**kwargs)
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
        return
    creds = s3._request_signer._credentials  # the client's own principal
    resp = _update_raw(s3.meta.endpoint_url, bucket, key, _body(key_arn, bucket_key), version_id,
                       creds=(creds.access_key, creds.secret_key))
    assert resp.status_code == 200, resp.text


def _error(resp):
    assert resp.headers.get("x-amz-request-id"), resp.headers
    text = resp.text
    code = text.split("<Code>", 1)[1].split("</Code>", 1)[0]
    message = text.split("<Message>", 1)[1].split("</Message>", 1)[0]
    return resp.status_code, code, message


def _view(server, bucket, key, version_id=None):
    params = {"versionId": version_id} if version_id else None
    return requests.get(f"{server.endpoint}/_sealstack/s3/{bucket}/{key}", params=params,
                        timeout=HTTP_TIMEOUT).json()


def test_sse_s3_to_sse_kms_and_between_keys(server, s3, kms):
    key_a = kms.create_key()["KeyMetadata"]["Arn"]
    key_b = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-basic")
    body = b"encrypted payload " * 5000
    put = s3.put_object(Bucket="uoe-basic", Key="k", Body=body, Metadata={"m": "1"},
                        ContentType="text/plain")
    assert put["ServerSideEncryption"] == "AES256"
    before = s3.head_object(Bucket="uoe-basic", Key="k")

    update(s3, "uoe-basic", "k", key_a)
    head = s3.head_object(Bucket="uoe-basic", Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key_a)
    # Nothing but the protection changed: ETag, date, metadata, type, body.
    for field in ("ETag", "LastModified", "ContentLength", "Metadata", "ContentType"):
        assert head[field] == before[field], field
    assert s3.get_object(Bucket="uoe-basic", Key="k")["Body"].read() == body
    view = _view(server, "uoe-basic", "k")
    assert (view["mode"], view["kms_key_arn"]) == ("SSE-KMS", key_a)
    assert view["encryption_context"] == {"aws:s3:arn": "arn:aws:s3:::uoe-basic/k"}

    # Key A -> key B: after it, disabling A no longer matters and disabling B does.
    update(s3, "uoe-basic", "k", key_b)
    assert s3.head_object(Bucket="uoe-basic", Key="k")["SSEKMSKeyId"] == key_b
    kms.disable_key(KeyId=key_a)
    assert s3.get_object(Bucket="uoe-basic", Key="k")["Body"].read() == body
    kms.disable_key(KeyId=key_b)
    expect(s3.get_object, "KMS.DisabledException", 400, Bucket="uoe-basic", Key="k")
    # Moving off a disabled key needs Decrypt on it: refused until it is enabled again.
    kms.enable_key(KeyId=key_a)
    resp = _update_raw(server.endpoint, "uoe-basic", "k", _body(key_a))
    assert _error(resp)[:2] == (400, "KMS.DisabledException")
    kms.enable_key(KeyId=key_b)
    update(s3, "uoe-basic", "k", key_a)
    assert s3.get_object(Bucket="uoe-basic", Key="k")["Body"].read() == body


def test_bucket_key_on_and_off(server, s3, kms):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-bk")
    s3.put_object(Bucket="uoe-bk", Key="k", Body=b"bucket key body", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    update(s3, "uoe-bk", "k", key, bucket_key=True)
    head = s3.head_object(Bucket="uoe-bk", Key="k")
    assert head["BucketKeyEnabled"] is True and head["SSEKMSKeyId"] == key
    assert _view(server, "uoe-bk", "k")["encryption_context"] == {"aws:s3:arn":
                                                                  "arn:aws:s3:::uoe-bk"}
    assert s3.get_object(Bucket="uoe-bk", Key="k")["Body"].read() == b"bucket key body"
    update(s3, "uoe-bk", "k", key, bucket_key=False)
    head = s3.head_object(Bucket="uoe-bk", Key="k")
    assert not head.get("BucketKeyEnabled") and head["SSEKMSKeyId"] == key
    assert s3.get_object(Bucket="uoe-bk", Key="k")["Body"].read() == b"bucket key body"


def test_one_version_only(server, s3, kms):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-ver")
    s3.put_bucket_versioning(Bucket="uoe-ver", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="uoe-ver", Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="uoe-ver", Key="k", Body=b"two")["VersionId"]
    update(s3, "uoe-ver", "k", key, version_id=v1)
    heads = [s3.head_object(Bucket="uoe-ver", Key="k", VersionId=v) for v in (v1, v2)]
    assert [h["ServerSideEncryption"] for h in heads] == ["aws:kms", "AES256"]
    kms.disable_key(KeyId=key)
    expect(s3.get_object, "KMS.DisabledException", 400, Bucket="uoe-ver", Key="k", VersionId=v1)
    assert s3.get_object(Bucket="uoe-ver", Key="k")["Body"].read() == b"two"
    kms.enable_key(KeyId=key)
    resp = _update_raw(server.endpoint, "uoe-ver", "k", _body(key), version_id="B" * 32)
    assert _error(resp)[:2] == (404, "NoSuchVersion")


def test_kms_calls_are_made_as_the_caller_and_audited(server, s3, kms):
    key_a = kms.create_key()["KeyMetadata"]["Arn"]
    key_b = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-audit")
    s3.put_object(Bucket="uoe-audit", Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key_a)
    role = as_principal("s3", server.endpoint, ROLE)
    update(role, "uoe-audit", "k", key_b)
    trail = client("cloudtrail", server.endpoint)
    events = []
    for name in ("Decrypt", "Encrypt"):
        found = trail.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        events += [json.loads(e["CloudTrailEvent"]) for e in found]
    by_name = {}
    for e in events:
        if e["userIdentity"].get("arn", "").endswith(":assumed-role/Updater") or \
                e["userIdentity"].get("arn", "").endswith(":role/Updater"):
            by_name.setdefault(e["eventName"], []).append(e)
    assert "Decrypt" in by_name and "Encrypt" in by_name, sorted(e["eventName"] for e in events)
    enc = by_name["Encrypt"][-1]
    assert enc["userIdentity"].get("invokedBy") == "s3.amazonaws.com"
    assert enc["requestParameters"]["encryptionContext"] == {"aws:s3:arn":
                                                            "arn:aws:s3:::uoe-audit/k"}
    assert any(r.get("ARN") == key_b for r in enc.get("resources", []))
    # A key policy that leaves the role out stops the update at KMS, as the role.
    key_c = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": ROLE["arn"]}, "Action": "kms:Encrypt",
         "Resource": "*"}]}))["KeyMetadata"]["Arn"]
    resp = _update_raw(server.endpoint, "uoe-audit", "k", _body(key_c),
                       creds=(ROLE["access_key_id"], ROLE["secret_access_key"]))
    status, code, message = _error(resp)
    assert (status, code) == (403, "AccessDenied") and "kms:Encrypt" in message
    assert s3.head_object(Bucket="uoe-audit", Key="k")["SSEKMSKeyId"] == key_b


def test_bucket_policy_sees_the_new_encryption(server, s3, kms):
    allowed = kms.create_key()["KeyMetadata"]["Arn"]
    other = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-pol")
    s3.put_object(Bucket="uoe-pol", Key="k", Body=b"x")
    put_policy(s3, "uoe-pol", [
        {"Sid": "OnlyAllowedKey", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:PutObject", "s3:UpdateObjectEncryption"],
         "Resource": "arn:aws:s3:::uoe-pol/*",
         "Condition": {"StringNotEquals": {
             "s3:x-amz-server-side-encryption-aws-kms-key-id": allowed}}},
        {"Sid": "NoUpdatesOfSecret", "Effect": "Deny", "Principal": "*",
         "Action": "s3:UpdateObjectEncryption", "Resource": "arn:aws:s3:::uoe-pol/secret"}])
    resp = _update_raw(server.endpoint, "uoe-pol", "k", _body(other))
    assert _error(resp)[:2] == (403, "AccessDenied")
    update(s3, "uoe-pol", "k", allowed)
    assert s3.head_object(Bucket="uoe-pol", Key="k")["SSEKMSKeyId"] == allowed
    s3.put_object(Bucket="uoe-pol", Key="secret", Body=b"s", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=allowed)
    status, code, message = _error(_update_raw(server.endpoint, "uoe-pol", "secret",
                                               _body(allowed)))
    assert (status, code) == (403, "AccessDenied") and "s3:UpdateObjectEncryption" in message
    s3.delete_bucket_policy(Bucket="uoe-pol")


def test_request_errors(server, s3, kms):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-err")
    s3.put_object(Bucket="uoe-err", Key="k", Body=b"x")
    ep = server.endpoint

    def err(body, key_name="k", bucket="uoe-err", **kw):
        return _error(_update_raw(ep, bucket, key_name, body, **kw))

    status, code, message = err(_body(""))
    assert (status, code) == (400, "InvalidRequest") and "require an AWS KMS key" in message
    for bad in ("alias/aws/s3", key.split("/")[-1], "arn:aws:kms:us-east-1:12:key/x",
                "arn:aws:kms:us-east-1:000000000000:alias/x"):
        status, code, message = err(_body(bad))
        assert (status, code) == (400, "InvalidRequest"), bad
        assert "valid AWS KMS key Amazon Resource Name" in message
    status, code, message = err(f'<ObjectEncryption xmlns="{XMLNS}"><SSE-S3/></ObjectEncryption>')
    assert (status, code) == (400, "InvalidRequest") and "Valid values are SSEKMS" in message
    status, code, message = err(_body(key).replace("</KMSKeyArn>",
                                                   "</KMSKeyArn><BucketKeyEnabled>yes"
                                                   "</BucketKeyEnabled>"))
    assert (status, code) == (400, "InvalidRequest") and "BucketKeyEnabled" in message
    assert err("<ObjectEncryption")[:2] == (400, "MalformedXML")
    # The model requires a body checksum.
    assert err(_body(key), md5=False)[:2] == (400, "InvalidRequest")
    other_account_key = key.replace(ROOT_ACCOUNT, OTHER_ACCOUNT)
    status, code, message = err(_body(other_account_key))
    assert (status, code) == (403, "AccessDenied") and "same account as the bucket" in message
    assert err(_body(key), key_name="missing")[:2] == (404, "NoSuchKey")
    assert err(_body(key), bucket="uoe-none")[:2] == (404, "NoSuchBucket")
    missing_key = key.rsplit("/", 1)[0] + "/11111111-2222-3333-4444-555555555555"
    assert err(_body(missing_key))[:2] == (400, "KMS.NotFoundException")
    # DSSE-KMS and SSE-C sources are refused.
    s3.put_object(Bucket="uoe-err", Key="dsse", Body=b"x", ServerSideEncryption="aws:kms:dsse",
                  SSEKMSKeyId=key)
    status, code, message = err(_body(key), key_name="dsse")
    assert (status, code) == (400, "InvalidRequest") and "DSSE-KMS or SSE-C" in message
    # Nothing changed on the failed attempts.
    assert s3.head_object(Bucket="uoe-err", Key="k")["ServerSideEncryption"] == "AES256"


def test_no_plaintext_key_at_rest_after_update(start_sealstack, tmp_path):
    data_dir = tmp_path / "data"
    server = start_sealstack(extra_args=["--data-dir", str(data_dir)])
    s3 = s3_client(server.endpoint)
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-rest")
    canary = b"UPDATE-ENCRYPTION-CANARY-" * 4000
    s3.put_object(Bucket="uoe-rest", Key="k", Body=canary)
    update(s3, "uoe-rest", "k", key)
    assert s3.get_object(Bucket="uoe-rest", Key="k")["Body"].read() == canary
    server.stop()
    raw = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert b"UPDATE-ENCRYPTION-CANARY-" not in raw
    db = sqlite3.connect(f"file:{data_dir / 'sealstack.db'}?mode=ro", uri=True)
    doc = json.loads(db.execute("SELECT doc FROM s3_objects WHERE bucket='uoe-rest'").fetchone()[0])
    assert doc["sse"]["mode"] == "aws:kms" and doc["sse"]["kms_key_arn"] == key


@pytest.mark.cli
def test_cli_update_object_encryption(server, s3, kms, tmp_path):
    """The AWS CLI v1 of the image knows the operation (the Debian CLI v2 2.9 predates it)."""
    import os
    import subprocess
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="uoe-cli")
    s3.put_object(Bucket="uoe-cli", Key="k", Body=b"cli")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    p = subprocess.run(["aws", "--endpoint-url", server.endpoint, "s3api",
                        "update-object-encryption", "--bucket", "uoe-cli", "--key", "k",
                        "--object-encryption",
                        json.dumps({"SSEKMS": {"KMSKeyArn": key, "BucketKeyEnabled": True}})],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    head = s3.head_object(Bucket="uoe-cli", Key="k")
    assert (head["SSEKMSKeyId"], head["BucketKeyEnabled"]) == (key, True)
    p = subprocess.run(["aws", "--endpoint-url", server.endpoint, "s3api",
                        "update-object-encryption", "--bucket", "uoe-cli", "--key", "k",
                        "--object-encryption", json.dumps({"SSEKMS": {"KMSKeyArn": "alias/not-a-key-arn-at-all"}})],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode != 0 and "InvalidRequest" in p.stderr
