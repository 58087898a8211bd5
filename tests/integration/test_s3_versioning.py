"""S3 versioning with real clients (issue 15 item 1): Put/GetBucketVersioning, version ids and
null versions, delete markers, ListObjectVersions (shape and boto3's paginator), GET/HEAD/DELETE
by version, CopyObject and UploadPartCopy from a version, DeleteObjects with versions, multipart
into a versioned bucket, per-version encryption (each version under its own data key, SSE mode
and KMS key: disabling one key makes exactly its versions unreadable), the admin view of one
version, a data-dir scan over every version, both AWS CLIs, rclone and s3cmd.

Expectations are AWS's (the S3 API reference and botocore's s3/2006-03-01 model), not whatever
the server does today."""

import base64
import os
import shutil
import sqlite3
import subprocess

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, client, signed_request
from s3_helpers import (MIB, expect, module_servers, need_tool,  # noqa: F401
                        rclone as run_rclone, s3_client)


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start()


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


def _versioned(s3, name, status="Enabled"):
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    return name


def _versions(s3, bucket, **kwargs):
    """(key, version id, is latest, is marker) of every listed entry, in listing order."""
    out = s3.list_object_versions(Bucket=bucket, **kwargs)
    entries = [(v["Key"], v["VersionId"], v["IsLatest"], False) for v in out.get("Versions", [])]
    entries += [(m["Key"], m["VersionId"], m["IsLatest"], True)
                for m in out.get("DeleteMarkers", [])]
    return out, entries


def test_put_and_get_bucket_versioning(s3):
    s3.create_bucket(Bucket="ver-state")
    got = s3.get_bucket_versioning(Bucket="ver-state")
    assert "Status" not in got and "MFADelete" not in got  # never versioned: empty document
    s3.put_bucket_versioning(Bucket="ver-state", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="ver-state")["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket="ver-state", VersioningConfiguration={
        "Status": "Suspended", "MFADelete": "Disabled"})
    got = s3.get_bucket_versioning(Bucket="ver-state")
    assert (got["Status"], got["MFADelete"]) == ("Suspended", "Disabled")
    # Nothing turns a bucket back to unversioned: a bad Status is malformed, not "off".
    resp = signed_request(s3.meta.endpoint_url, "PUT", "/ver-state", service="s3",
                          params={"versioning": ""},
                          body=b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/'
                               b'2006-03-01/"><Status>Disabled</Status></VersioningConfiguration>')
    assert resp.status_code == 400 and b"<Code>MalformedXML</Code>" in resp.content
    assert s3.get_bucket_versioning(Bucket="ver-state")["Status"] == "Suspended"
    expect(s3.put_bucket_versioning, "NoSuchBucket", 404, Bucket="ver-none",
           VersioningConfiguration={"Status": "Enabled"})


def test_versions_null_versions_and_suspend(s3):
    s3.create_bucket(Bucket="ver-null")
    put = s3.put_object(Bucket="ver-null", Key="k", Body=b"before")
    assert "VersionId" not in put  # never versioned: no x-amz-version-id
    s3.put_bucket_versioning(Bucket="ver-null", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="ver-null", Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="ver-null", Key="k", Body=b"two")["VersionId"]
    assert len({v1, v2, "null"}) == 3 and len(v1) == 32 and len(v2) == 32
    assert s3.get_object(Bucket="ver-null", Key="k")["Body"].read() == b"two"
    for vid, body in (("null", b"before"), (v1, b"one"), (v2, b"two")):
        got = s3.get_object(Bucket="ver-null", Key="k", VersionId=vid)
        assert (got["Body"].read(), got["VersionId"]) == (body, vid)
        assert s3.head_object(Bucket="ver-null", Key="k", VersionId=vid)["ContentLength"] == \
            len(body)
    assert s3.head_object(Bucket="ver-null", Key="k")["VersionId"] == v2
    # Suspended: a PUT replaces the null version (wherever it is) and becomes the latest.
    s3.put_bucket_versioning(Bucket="ver-null", VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket="ver-null", Key="k", Body=b"again")["VersionId"] == "null"
    _, entries = _versions(s3, "ver-null")
    assert entries == [("k", "null", True, False), ("k", v2, False, False),
                       ("k", v1, False, False)]
    assert s3.get_object(Bucket="ver-null", Key="k", VersionId="null")["Body"].read() == b"again"
    expect(s3.get_object, "NoSuchVersion", 404, Bucket="ver-null", Key="k",
           VersionId="A" * 32)
    expect(s3.get_object, "InvalidArgument", 400, Bucket="ver-null", Key="k",
           VersionId="not-a-version")


def test_delete_markers(s3, server):
    _versioned(s3, "ver-marker")
    v1 = s3.put_object(Bucket="ver-marker", Key="k", Body=b"one")["VersionId"]
    d = s3.delete_object(Bucket="ver-marker", Key="k")
    assert d["DeleteMarker"] is True and len(d["VersionId"]) == 32
    marker = d["VersionId"]
    # The latest is a marker: 404 NoSuchKey with x-amz-delete-marker and the marker's id.
    resp = signed_request(server.endpoint, "GET", "/ver-marker/k", service="s3")
    assert resp.status_code == 404 and b"<Code>NoSuchKey</Code>" in resp.content
    assert resp.headers["x-amz-delete-marker"] == "true"
    assert resp.headers["x-amz-version-id"] == marker
    head = signed_request(server.endpoint, "HEAD", "/ver-marker/k", service="s3")
    assert head.status_code == 404 and head.headers["x-amz-delete-marker"] == "true"
    # Naming the marker: 405 MethodNotAllowed.
    resp = signed_request(server.endpoint, "GET", "/ver-marker/k", service="s3",
                          params={"versionId": marker})
    assert resp.status_code == 405 and b"<Code>MethodNotAllowed</Code>" in resp.content
    assert b"<ResourceType>DeleteMarker</ResourceType>" in resp.content
    assert resp.headers["x-amz-delete-marker"] == "true"
    expect(s3.get_object, "MethodNotAllowed", 405, Bucket="ver-marker", Key="k", VersionId=marker)
    # The older version still reads; ListObjects hides the key.
    assert s3.get_object(Bucket="ver-marker", Key="k", VersionId=v1)["Body"].read() == b"one"
    assert "Contents" not in s3.list_objects_v2(Bucket="ver-marker")
    assert "Contents" not in s3.list_objects(Bucket="ver-marker")
    # Deleting the marker by id brings the object back.
    d = s3.delete_object(Bucket="ver-marker", Key="k", VersionId=marker)
    assert (d["DeleteMarker"], d["VersionId"]) == (True, marker)
    assert s3.get_object(Bucket="ver-marker", Key="k")["Body"].read() == b"one"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="ver-marker")["Contents"]] == ["k"]
    # Deleting a version for good; a marker on a key that never existed is still made.
    d = s3.delete_object(Bucket="ver-marker", Key="k", VersionId=v1)
    assert d["VersionId"] == v1 and not d.get("DeleteMarker")
    expect(s3.get_object, "NoSuchKey", 404, Bucket="ver-marker", Key="k")
    assert s3.delete_object(Bucket="ver-marker", Key="never")["DeleteMarker"] is True
    # A bucket with versions or markers left is not empty.
    expect(s3.delete_bucket, "BucketNotEmpty", 409, Bucket="ver-marker")
    _, entries = _versions(s3, "ver-marker")
    for key, vid, _, _ in entries:
        s3.delete_object(Bucket="ver-marker", Key=key, VersionId=vid)
    s3.delete_bucket(Bucket="ver-marker")


def test_suspended_delete_makes_a_null_marker(s3):
    _versioned(s3, "ver-susp")
    v1 = s3.put_object(Bucket="ver-susp", Key="k", Body=b"one")["VersionId"]
    s3.put_bucket_versioning(Bucket="ver-susp", VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket="ver-susp", Key="k", Body=b"null body")
    d = s3.delete_object(Bucket="ver-susp", Key="k")
    assert (d["DeleteMarker"], d["VersionId"]) == (True, "null")
    _, entries = _versions(s3, "ver-susp")
    # The null version was replaced by the null marker; v1 stays.
    assert sorted(entries) == sorted([("k", "null", True, True), ("k", v1, False, False)])


def test_unversioned_bucket_lists_null_versions(s3):
    s3.create_bucket(Bucket="ver-plain")
    s3.put_object(Bucket="ver-plain", Key="a", Body=b"1")
    s3.put_object(Bucket="ver-plain", Key="a", Body=b"22")  # replaces, as always
    s3.put_object(Bucket="ver-plain", Key="b", Body=b"333")
    out, entries = _versions(s3, "ver-plain")
    assert entries == [("a", "null", True, False), ("b", "null", True, False)]
    assert [v["Size"] for v in out["Versions"]] == [2, 3]
    assert all(v["StorageClass"] == "STANDARD" and v["Owner"]["ID"] for v in out["Versions"])
    assert out["IsTruncated"] is False and out["Name"] == "ver-plain"
    d = s3.delete_object(Bucket="ver-plain", Key="a")
    assert "VersionId" not in d and "DeleteMarker" not in d  # really gone, no marker
    _, entries = _versions(s3, "ver-plain")
    assert entries == [("b", "null", True, False)]


def test_list_object_versions_paging_prefixes_and_paginator(s3):
    _versioned(s3, "ver-page")
    expected = []
    for key in ("a/1", "a/2", "b", "c/x/y"):
        ids = [s3.put_object(Bucket="ver-page", Key=key, Body=key.encode() * n)["VersionId"]
               for n in (1, 2, 3)]
        expected += [(key, vid) for vid in reversed(ids)]  # newest first within a key
    marker = s3.delete_object(Bucket="ver-page", Key="b")["VersionId"]
    expected.insert(6, ("b", marker))
    # Manual paging with max-keys 2: KeyMarker / VersionIdMarker pairs, across keys.
    seen, kwargs = [], {}
    while True:
        page = s3.list_object_versions(Bucket="ver-page", MaxKeys=2, **kwargs)
        items = [(v["Key"], v["VersionId"], v["LastModified"])
                 for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        assert len(items) <= 2
        seen += sorted(items, key=lambda i: expected.index(i[:2]))
        if not page["IsTruncated"]:
            assert "NextKeyMarker" not in page
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"],
                  "VersionIdMarker": page["NextVersionIdMarker"]}
    assert [s[:2] for s in seen] == expected
    # boto3's paginator agrees.
    pages = s3.get_paginator("list_object_versions").paginate(
        Bucket="ver-page", PaginationConfig={"PageSize": 3})
    versions = [(v["Key"], v["VersionId"]) for p in pages for v in p.get("Versions", [])]
    assert versions == [e for e in expected if e != ("b", marker)]
    latest = [(v["Key"], v["IsLatest"]) for p in s3.get_paginator("list_object_versions")
              .paginate(Bucket="ver-page") for v in p.get("Versions", [])]
    assert [k for k, is_latest in latest if is_latest] == ["a/1", "a/2", "c/x/y"]
    # Prefix and delimiter: common prefixes, once each, count toward max-keys.
    page = s3.list_object_versions(Bucket="ver-page", Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/", "c/"]
    assert {v["Key"] for v in page["Versions"]} == {"b"}
    page = s3.list_object_versions(Bucket="ver-page", Delimiter="/", MaxKeys=1)
    assert page["IsTruncated"] and page["CommonPrefixes"] == [{"Prefix": "a/"}]
    page = s3.list_object_versions(Bucket="ver-page", Delimiter="/", MaxKeys=1,
                                   KeyMarker=page["NextKeyMarker"])
    assert [(v["Key"]) for v in page.get("Versions", []) + page.get("DeleteMarkers", [])] == ["b"]
    page = s3.list_object_versions(Bucket="ver-page", Prefix="c/x/")
    assert [v["Key"] for v in page["Versions"]] == ["c/x/y"] * 3
    # ListObjects still shows one entry per live key.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="ver-page")["Contents"]] == \
        ["a/1", "a/2", "c/x/y"]


def test_copy_from_a_version_and_upload_part_copy(s3):
    _versioned(s3, "ver-copy")
    v1 = s3.put_object(Bucket="ver-copy", Key="src", Body=b"first" * 1000)["VersionId"]
    s3.put_object(Bucket="ver-copy", Key="src", Body=b"second")
    out = s3.copy_object(Bucket="ver-copy", Key="dst",
                         CopySource={"Bucket": "ver-copy", "Key": "src", "VersionId": v1})
    assert out["CopySourceVersionId"] == v1 and len(out["VersionId"]) == 32
    assert s3.get_object(Bucket="ver-copy", Key="dst")["Body"].read() == b"first" * 1000
    # Restoring an old version onto its own key is a change, and adds a version.
    out = s3.copy_object(Bucket="ver-copy", Key="src",
                         CopySource={"Bucket": "ver-copy", "Key": "src", "VersionId": v1})
    assert s3.get_object(Bucket="ver-copy", Key="src")["Body"].read() == b"first" * 1000
    assert len(_versions(s3, "ver-copy", Prefix="src")[1]) == 3
    # UploadPartCopy from a version.
    part_src = os.urandom(5 * MIB + 11)
    pv = s3.put_object(Bucket="ver-copy", Key="big", Body=part_src)["VersionId"]
    s3.put_object(Bucket="ver-copy", Key="big", Body=b"small now")
    up = s3.create_multipart_upload(Bucket="ver-copy", Key="joined")["UploadId"]
    part = s3.upload_part_copy(Bucket="ver-copy", Key="joined", UploadId=up, PartNumber=1,
                               CopySource={"Bucket": "ver-copy", "Key": "big", "VersionId": pv})
    assert part["CopySourceVersionId"] == pv
    done = s3.complete_multipart_upload(
        Bucket="ver-copy", Key="joined", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert len(done["VersionId"]) == 32
    assert s3.get_object(Bucket="ver-copy", Key="joined")["Body"].read() == part_src
    expect(s3.copy_object, "NoSuchVersion", 404, Bucket="ver-copy", Key="x",
           CopySource={"Bucket": "ver-copy", "Key": "src", "VersionId": "B" * 32})


def test_delete_objects_with_versions(s3):
    _versioned(s3, "ver-multi")
    v1 = s3.put_object(Bucket="ver-multi", Key="a", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket="ver-multi", Key="a", Body=b"2")["VersionId"]
    s3.put_object(Bucket="ver-multi", Key="b", Body=b"b")
    out = s3.delete_objects(Bucket="ver-multi", Delete={"Objects": [
        {"Key": "a", "VersionId": v1}, {"Key": "b"}, {"Key": "a", "VersionId": "bad"}]})
    deleted = {(d["Key"], d.get("VersionId")): d for d in out["Deleted"]}
    assert deleted[("a", v1)].get("DeleteMarker") is None
    marker = deleted[("b", None)]
    assert marker["DeleteMarker"] is True and len(marker["DeleteMarkerVersionId"]) == 32
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("a", "InvalidArgument")]
    # Deleting the marker itself by version reports DeleteMarker and its id.
    out = s3.delete_objects(Bucket="ver-multi", Delete={"Objects": [
        {"Key": "b", "VersionId": marker["DeleteMarkerVersionId"]}]})
    assert out["Deleted"][0]["DeleteMarker"] is True
    assert out["Deleted"][0]["VersionId"] == marker["DeleteMarkerVersionId"]
    assert s3.get_object(Bucket="ver-multi", Key="b")["Body"].read() == b"b"
    _, entries = _versions(s3, "ver-multi", Prefix="a")
    assert entries == [("a", v2, True, False)]


def test_multipart_into_versioned_bucket(s3):
    _versioned(s3, "ver-mpu")
    v1 = s3.put_object(Bucket="ver-mpu", Key="k", Body=b"single")["VersionId"]
    parts, bodies = [], [os.urandom(5 * MIB), os.urandom(1000)]
    up = s3.create_multipart_upload(Bucket="ver-mpu", Key="k")["UploadId"]
    for n, body in enumerate(bodies, 1):
        etag = s3.upload_part(Bucket="ver-mpu", Key="k", UploadId=up, PartNumber=n,
                              Body=body)["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    done = s3.complete_multipart_upload(Bucket="ver-mpu", Key="k", UploadId=up,
                                        MultipartUpload={"Parts": parts})
    v2 = done["VersionId"]
    assert v2 != v1
    assert s3.get_object(Bucket="ver-mpu", Key="k")["Body"].read() == b"".join(bodies)
    assert s3.get_object(Bucket="ver-mpu", Key="k", VersionId=v1)["Body"].read() == b"single"
    got = s3.get_object(Bucket="ver-mpu", Key="k", VersionId=v2, PartNumber=2)
    assert got["Body"].read() == bodies[1] and got["VersionId"] == v2


def test_each_version_keeps_its_own_encryption(s3, server):
    kms = client("kms", server.endpoint)
    key_a = kms.create_key()["KeyMetadata"]["Arn"]
    key_b = kms.create_key()["KeyMetadata"]["Arn"]
    _versioned(s3, "ver-sse")
    v1 = s3.put_object(Bucket="ver-sse", Key="k", Body=b"v1 sse-s3")
    v2 = s3.put_object(Bucket="ver-sse", Key="k", Body=b"v2 key a", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key_a)
    v3 = s3.put_object(Bucket="ver-sse", Key="k", Body=b"v3 key b", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key_b)
    assert v1["ServerSideEncryption"] == "AES256"
    assert (v2["SSEKMSKeyId"], v3["SSEKMSKeyId"]) == (key_a, key_b)
    ids = [v["VersionId"] for v in (v1, v2, v3)]
    heads = [s3.head_object(Bucket="ver-sse", Key="k", VersionId=v) for v in ids]
    assert [h["ServerSideEncryption"] for h in heads] == ["AES256", "aws:kms", "aws:kms"]
    assert [h.get("SSEKMSKeyId") for h in heads] == [None, key_a, key_b]
    # The admin view of each version: its own mode, key and context.
    views = [requests.get(f"{server.endpoint}/_sealstack/s3/ver-sse/k",
                          params={"versionId": v}, timeout=HTTP_TIMEOUT).json() for v in ids]
    assert [(v["version_id"], v["mode"], v.get("kms_key_arn")) for v in views] == [
        (ids[0], "SSE-S3", None), (ids[1], "SSE-KMS", key_a), (ids[2], "SSE-KMS", key_b)]
    assert views[1]["encryption_context"] == {"aws:s3:arn": "arn:aws:s3:::ver-sse/k"}
    latest = requests.get(f"{server.endpoint}/_sealstack/s3/ver-sse/k", timeout=HTTP_TIMEOUT)
    assert latest.json()["version_id"] == ids[2] and latest.json()["is_latest"] is True
    missing = requests.get(f"{server.endpoint}/_sealstack/s3/ver-sse/k",
                           params={"versionId": "C" * 32}, timeout=HTTP_TIMEOUT)
    assert missing.status_code == 404
    # Disabling key A makes exactly v2 unreadable.
    kms.disable_key(KeyId=key_a)
    expect(s3.get_object, "KMS.DisabledException", 400, Bucket="ver-sse", Key="k",
           VersionId=ids[1])
    assert s3.get_object(Bucket="ver-sse", Key="k", VersionId=ids[0])["Body"].read() == \
        b"v1 sse-s3"
    assert s3.get_object(Bucket="ver-sse", Key="k")["Body"].read() == b"v3 key b"
    # Copying v2 needs key A too; copying v3 does not.
    expect(s3.copy_object, "KMS.DisabledException", 400, Bucket="ver-sse", Key="c2",
           CopySource={"Bucket": "ver-sse", "Key": "k", "VersionId": ids[1]})
    s3.copy_object(Bucket="ver-sse", Key="c3",
                   CopySource={"Bucket": "ver-sse", "Key": "k", "VersionId": ids[2]})
    kms.enable_key(KeyId=key_a)
    assert s3.get_object(Bucket="ver-sse", Key="k", VersionId=ids[1])["Body"].read() == \
        b"v2 key a"


def test_version_actions_in_bucket_policies(s3, server):
    """GET/DELETE by version and ListObjectVersions are their own IAM actions."""
    _versioned(s3, "ver-policy")
    vid = s3.put_object(Bucket="ver-policy", Key="k", Body=b"x")["VersionId"]
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":'
              '["s3:GetObjectVersion","s3:DeleteObjectVersion"],"Resource":'
              '"arn:aws:s3:::ver-policy/*"},{"Effect":"Deny","Principal":"*","Action":'
              '"s3:ListBucketVersions","Resource":"arn:aws:s3:::ver-policy"}]}')
    s3.put_bucket_policy(Bucket="ver-policy", Policy=policy)
    assert s3.get_object(Bucket="ver-policy", Key="k")["Body"].read() == b"x"
    expect(s3.get_object, "AccessDenied", 403, Bucket="ver-policy", Key="k", VersionId=vid)
    expect(s3.delete_object, "AccessDenied", 403, Bucket="ver-policy", Key="k", VersionId=vid)
    expect(s3.list_object_versions, "AccessDenied", 403, Bucket="ver-policy")
    s3.list_objects_v2(Bucket="ver-policy")
    s3.delete_bucket_policy(Bucket="ver-policy")


def test_no_plaintext_in_any_version_at_rest(start_sealstack, tmp_path):
    data_dir = tmp_path / "data"
    server = start_sealstack(extra_args=["--data-dir", str(data_dir)])
    s3 = s3_client(server.endpoint)
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    _versioned(s3, "ver-rest")
    canaries = [b"VERSION-ONE-CANARY-", b"VERSION-TWO-CANARY-", b"VERSION-THREE-CANARY-"]
    s3.put_object(Bucket="ver-rest", Key="k", Body=canaries[0] * 5000)
    s3.put_object(Bucket="ver-rest", Key="k", Body=canaries[1] * 5000,
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    s3.put_object(Bucket="ver-rest", Key="k", Body=canaries[2] * 10)
    s3.delete_object(Bucket="ver-rest", Key="k")
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket="ver-rest")["Versions"]]
    assert len(ids) == 3
    for vid in ids:
        assert s3.get_object(Bucket="ver-rest", Key="k", VersionId=vid)["Body"].read()
    server.stop()
    raw = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    for c in canaries:
        assert c not in raw, c
    db = sqlite3.connect(f"file:{data_dir / 'sealstack.db'}?mode=ro", uri=True)
    assert db.execute("SELECT count(*) FROM s3_objects WHERE bucket='ver-rest'").fetchone()[0] == 4
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in db.execute(f"SELECT * FROM {table}"):
            for cell in row:
                data = cell.encode() if isinstance(cell, str) else cell
                if isinstance(data, bytes):
                    for c in canaries:
                        assert c not in data and base64.b64encode(c) not in data, (table, c)


# ---- Other clients

def _run_cli(server, cli, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    p = subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json", *args],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"{cli} {' '.join(args)}: rc {p.returncode}\n{p.stderr}"
    return p.stdout


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_put_bucket_versioning_and_list_object_versions(server, s3, cli):
    import json
    bucket = "ver-cli-v1" if cli == "aws" else "ver-cli-v2"
    s3.create_bucket(Bucket=bucket)
    _run_cli(server, cli, "s3api", "put-bucket-versioning", "--bucket", bucket,
             "--versioning-configuration", "Status=Enabled")
    got = json.loads(_run_cli(server, cli, "s3api", "get-bucket-versioning", "--bucket", bucket))
    assert got["Status"] == "Enabled"
    for body in (b"1", b"22"):
        s3.put_object(Bucket=bucket, Key="k", Body=body)
    s3.delete_object(Bucket=bucket, Key="k")
    out = json.loads(_run_cli(server, cli, "s3api", "list-object-versions", "--bucket", bucket))
    assert [v["Size"] for v in out["Versions"]] == [2, 1]
    assert [m["IsLatest"] for m in out["DeleteMarkers"]] == [True]
    # The CLI pages on its own with a small page size.
    out = json.loads(_run_cli(server, cli, "s3api", "list-object-versions", "--bucket", bucket,
                              "--page-size", "1"))
    assert len(out["Versions"]) == 2 and len(out["DeleteMarkers"]) == 1


def test_rclone_versions_and_purge(server, s3, tmp_path):
    need_tool("rclone")
    _versioned(s3, "ver-rclone")
    s3.put_object(Bucket="ver-rclone", Key="dir/a.txt", Body=b"old a")
    s3.put_object(Bucket="ver-rclone", Key="dir/a.txt", Body=b"new a!")
    s3.put_object(Bucket="ver-rclone", Key="b.txt", Body=b"bb")
    def rclone(*args):
        return run_rclone(server.endpoint, *args)

    plain = rclone("ls", "ss:ver-rclone")
    assert sorted(plain.split()) == sorted(["6", "dir/a.txt", "2", "b.txt"]), plain
    listing = rclone("ls", "--s3-versions", "ss:ver-rclone")
    # rclone shows older versions as name-vYYYY-MM-DD-HHMMSS-mmm.ext beside the current one.
    names = [line.split(None, 1)[1] for line in listing.splitlines()]
    assert "dir/a.txt" in names and "b.txt" in names and len(names) == 3, listing
    assert any(n.startswith("dir/a-v") and n.endswith(".txt") for n in names), listing
    rclone("purge", "ss:ver-rclone")
    assert "ver-rclone" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_s3cmd_lists_a_versioned_bucket(server, s3, tmp_path):
    need_tool("s3cmd")
    _versioned(s3, "ver-s3cmd")
    s3.put_object(Bucket="ver-s3cmd", Key="x/one", Body=b"1")
    s3.put_object(Bucket="ver-s3cmd", Key="x/one", Body=b"11")
    s3.put_object(Bucket="ver-s3cmd", Key="gone", Body=b"g")
    s3.delete_object(Bucket="ver-s3cmd", Key="gone")
    host = server.endpoint.split("://", 1)[1]
    cfg = tmp_path / "s3cfg"
    cfg.write_text(f"[default]\naccess_key = test\nsecret_key = test\nhost_base = {host}\n"
                   f"host_bucket = {host}\nuse_https = False\nsignature_v2 = False\n"
                   "bucket_location = us-east-1\n")
    p = subprocess.run(["s3cmd", "-c", str(cfg), "ls", "--recursive", "s3://ver-s3cmd"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "ERROR" not in p.stdout + p.stderr, p.stdout + p.stderr
    assert "s3://ver-s3cmd/x/one" in p.stdout and "gone" not in p.stdout, p.stdout
    p = subprocess.run(["s3cmd", "-c", str(cfg), "info", "s3://ver-s3cmd"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "ERROR" not in p.stdout + p.stderr, p.stdout + p.stderr
