"""S3 object tagging with real clients (issue 15 item 3): x-amz-tagging on PutObject,
CreateMultipartUpload and CopyObject (with the tagging directive), Get/Put/DeleteObjectTagging
on the latest version and on named versions, x-amz-tagging-count, AWS's limits and errors, and
the s3:ExistingObjectTag/*, s3:RequestObjectTag/* and s3:RequestObjectTagKeys condition keys in
bucket policies and identity policies; both AWS CLIs.

Expectations are AWS's (S3 API reference, botocore's s3/2006-03-01 model, the S3 user guide's
"Object tagging" and "Tagging and access control policies" pages)."""

import json
import os
import subprocess
import urllib.parse

import pytest

from aws_helpers import ROOT_ACCOUNT, signed_request
from s3_helpers import (MIB, as_principal, expect, key_md5, module_servers,  # noqa: F401
                        put_policy, s3_client)

WRITER = {"access_key_id": "AKIATAGWRITER0000000", "secret_access_key": "tag-writer-secret",
          "arn": f"arn:aws:iam::{ROOT_ACCOUNT}:user/TagWriter",
          # May write and read objects, but only with project=blue tags, and read only objects
          # tagged public=yes; never tag or untag them separately.
          "policies": [{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectTagging"],
               "Resource": "*",
               "Condition": {"StringEquals": {"s3:RequestObjectTag/project": "blue"},
                             "ForAllValues:StringEquals": {
                                 "s3:RequestObjectTagKeys": ["project", "public"]}}},
              {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"],
               "Resource": "*",
               "Condition": {"StringEquals": {"s3:ExistingObjectTag/public": "yes"}}},
              {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}]}
CONFIG = {"principals": [WRITER]}


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start(config=CONFIG)


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


def _tags(s3, bucket, key, **kwargs):
    return {t["Key"]: t["Value"] for t in
            s3.get_object_tagging(Bucket=bucket, Key=key, **kwargs)["TagSet"]}


def _tag_set(**tags):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def test_put_with_tagging_header_and_read_back(s3):
    s3.create_bucket(Bucket="tag-basic")
    s3.put_object(Bucket="tag-basic", Key="k", Body=b"x",
                  Tagging=urllib.parse.urlencode({"project": "blue", "team": "data eng",
                                                  "empty": ""}))
    assert _tags(s3, "tag-basic", "k") == {"project": "blue", "team": "data eng", "empty": ""}
    # GET and HEAD tell how many tags there are.
    assert s3.head_object(Bucket="tag-basic", Key="k")["ResponseMetadata"]["HTTPHeaders"][
        "x-amz-tagging-count"] == "3"
    got = s3.get_object(Bucket="tag-basic", Key="k")
    assert got["TagCount"] == 3 and got["Body"].read() == b"x"
    # An object without tags has no count header and an empty TagSet.
    s3.put_object(Bucket="tag-basic", Key="plain", Body=b"y")
    assert "TagCount" not in s3.get_object(Bucket="tag-basic", Key="plain")
    assert s3.get_object_tagging(Bucket="tag-basic", Key="plain")["TagSet"] == []


def test_put_get_delete_object_tagging(s3):
    s3.create_bucket(Bucket="tag-ops")
    put = s3.put_object(Bucket="tag-ops", Key="k", Body=b"body", ServerSideEncryption="AES256")
    before = s3.head_object(Bucket="tag-ops", Key="k")
    s3.put_object_tagging(Bucket="tag-ops", Key="k", Tagging=_tag_set(a="1", b="2"))
    assert _tags(s3, "tag-ops", "k") == {"a": "1", "b": "2"}
    # Replaces the whole set.
    s3.put_object_tagging(Bucket="tag-ops", Key="k", Tagging=_tag_set(c="3"))
    assert _tags(s3, "tag-ops", "k") == {"c": "3"}
    # Tagging rewrites no data: ETag, Last-Modified and the body stay.
    after = s3.head_object(Bucket="tag-ops", Key="k")
    assert (after["ETag"], after["LastModified"]) == (before["ETag"], before["LastModified"])
    assert after["ETag"] == put["ETag"]
    assert s3.get_object(Bucket="tag-ops", Key="k")["Body"].read() == b"body"
    resp = s3.delete_object_tagging(Bucket="tag-ops", Key="k")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket="tag-ops", Key="k")["TagSet"] == []
    # Deleting tags of an untagged object is fine; a missing key or bucket is not.
    s3.delete_object_tagging(Bucket="tag-ops", Key="k")
    expect(s3.get_object_tagging, "NoSuchKey", 404, Bucket="tag-ops", Key="missing")
    expect(s3.put_object_tagging, "NoSuchKey", 404, Bucket="tag-ops", Key="missing",
           Tagging=_tag_set(a="1"))
    expect(s3.delete_object_tagging, "NoSuchKey", 404, Bucket="tag-ops", Key="missing")
    expect(s3.get_object_tagging, "NoSuchBucket", 404, Bucket="tag-none", Key="k")


def test_tag_limits_and_errors(s3, server):
    s3.create_bucket(Bucket="tag-limits")
    s3.put_object(Bucket="tag-limits", Key="k", Body=b"x")
    eleven = {f"k{i}": "v" for i in range(11)}
    err = expect(s3.put_object_tagging, "BadRequest", 400, Bucket="tag-limits", Key="k",
                 Tagging=_tag_set(**eleven))
    assert err["Message"] == "Object tags cannot be greater than 10"
    expect(s3.put_object, "BadRequest", 400, Bucket="tag-limits", Key="k2", Body=b"x",
           Tagging=urllib.parse.urlencode(eleven))
    ten = {f"k{i}": "v" for i in range(10)}
    s3.put_object_tagging(Bucket="tag-limits", Key="k", Tagging=_tag_set(**ten))
    assert len(_tags(s3, "tag-limits", "k")) == 10
    cases = [
        ({"TagSet": [{"Key": "a" * 129, "Value": "v"}]},
         "The TagKey you have provided is too long, max 128"),
        ({"TagSet": [{"Key": "k", "Value": "v" * 257}]},
         "The TagValue you have provided is too long, max 256"),
        ({"TagSet": [{"Key": "aws:owner", "Value": "v"}]},
         "System tags cannot be added/updated by requester"),
        ({"TagSet": [{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}]},
         "Cannot provide multiple Tags with the same key"),
    ]
    for tagging, message in cases:
        err = expect(s3.put_object_tagging, "InvalidTag", 400, Bucket="tag-limits", Key="k",
                     Tagging=tagging)
        assert err["Message"] == message
    # 128 and 256 characters are fine (counted as characters, not bytes).
    s3.put_object_tagging(Bucket="tag-limits", Key="k",
                          Tagging=_tag_set(**{"é" * 128: "ü" * 256}))
    # The header: URL query parameters without duplicate names.
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket="tag-limits", Key="k3", Body=b"x",
                 Tagging="a=1&a=2")
    assert "x-amz-tagging" in err["Message"]
    assert err.get("ArgumentName") == "x-amz-tagging"
    expect(s3.put_object, "InvalidTag", 400, Bucket="tag-limits", Key="k3", Body=b"x",
           Tagging="aws%3Akey=1")
    # PutObjectTagging needs a body checksum (the model marks it required) and a Tagging body.
    body = b"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"
    resp = signed_request(server.endpoint, "PUT", "/tag-limits/k", service="s3",
                          params={"tagging": ""}, body=body)
    assert resp.status_code == 400 and b"<Code>InvalidRequest</Code>" in resp.content
    resp = signed_request(server.endpoint, "PUT", "/tag-limits/k", service="s3",
                          params={"tagging": ""}, body=b"<Tagging/>",
                          headers={"Content-MD5": key_md5(b"<Tagging/>")})
    assert resp.status_code == 400 and b"<Code>MalformedXML</Code>" in resp.content
    resp = signed_request(server.endpoint, "PUT", "/tag-limits/k", service="s3",
                          params={"tagging": ""}, body=body,
                          headers={"Content-MD5": key_md5(body)})
    assert resp.status_code == 200, resp.text
    assert _tags(s3, "tag-limits", "k") == {"a": "1"}


def test_tagging_of_versions(s3):
    s3.create_bucket(Bucket="tag-ver")
    s3.put_bucket_versioning(Bucket="tag-ver", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="tag-ver", Key="k", Body=b"1", Tagging="gen=one")["VersionId"]
    v2 = s3.put_object(Bucket="tag-ver", Key="k", Body=b"2", Tagging="gen=two")["VersionId"]
    got = s3.get_object_tagging(Bucket="tag-ver", Key="k")
    assert got["VersionId"] == v2 and got["TagSet"] == [{"Key": "gen", "Value": "two"}]
    assert _tags(s3, "tag-ver", "k", VersionId=v1) == {"gen": "one"}
    put = s3.put_object_tagging(Bucket="tag-ver", Key="k", VersionId=v1,
                                Tagging=_tag_set(gen="first"))
    assert put["VersionId"] == v1
    assert _tags(s3, "tag-ver", "k", VersionId=v1) == {"gen": "first"}
    assert _tags(s3, "tag-ver", "k") == {"gen": "two"}  # the latest is untouched
    deleted = s3.delete_object_tagging(Bucket="tag-ver", Key="k", VersionId=v2)
    assert deleted["VersionId"] == v2
    assert _tags(s3, "tag-ver", "k", VersionId=v2) == {}
    assert s3.get_object(Bucket="tag-ver", Key="k", VersionId=v1)["TagCount"] == 1
    # Behind a delete marker the key has no tags to show; unknown versions are NoSuchVersion.
    s3.delete_object(Bucket="tag-ver", Key="k")
    expect(s3.get_object_tagging, "NoSuchKey", 404, Bucket="tag-ver", Key="k")
    expect(s3.get_object_tagging, "NoSuchVersion", 404, Bucket="tag-ver", Key="k",
           VersionId="A" * 32)
    assert _tags(s3, "tag-ver", "k", VersionId=v1) == {"gen": "first"}


def test_multipart_and_copy_carry_tags(s3):
    s3.create_bucket(Bucket="tag-copy")
    up = s3.create_multipart_upload(Bucket="tag-copy", Key="mp", Tagging="source=multipart")
    parts = []
    for n, chunk in enumerate((b"a" * (5 * MIB), b"tail"), start=1):
        etag = s3.upload_part(Bucket="tag-copy", Key="mp", UploadId=up["UploadId"], PartNumber=n,
                              Body=chunk)["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    s3.complete_multipart_upload(Bucket="tag-copy", Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})
    assert _tags(s3, "tag-copy", "mp") == {"source": "multipart"}
    # COPY (the default) keeps the source's tags; REPLACE takes the request's.
    s3.copy_object(Bucket="tag-copy", Key="c1", CopySource={"Bucket": "tag-copy", "Key": "mp"})
    assert _tags(s3, "tag-copy", "c1") == {"source": "multipart"}
    s3.copy_object(Bucket="tag-copy", Key="c2", CopySource={"Bucket": "tag-copy", "Key": "mp"},
                   TaggingDirective="REPLACE", Tagging="copied=yes")
    assert _tags(s3, "tag-copy", "c2") == {"copied": "yes"}
    s3.copy_object(Bucket="tag-copy", Key="c3", CopySource={"Bucket": "tag-copy", "Key": "mp"},
                   TaggingDirective="REPLACE")
    assert _tags(s3, "tag-copy", "c3") == {}
    err = expect(s3.copy_object, "InvalidArgument", 400, Bucket="tag-copy", Key="c4",
                 CopySource={"Bucket": "tag-copy", "Key": "mp"}, TaggingDirective="MERGE")
    assert err["Message"] == "Unknown tagging directive."


def test_tag_condition_keys_in_identity_policies(server, s3):
    """The writer's identity policy allows writes only with project=blue (and no tag key other
    than project and public), reads only of objects tagged public=yes."""
    s3.create_bucket(Bucket="tag-iam")
    writer = as_principal("s3", server.endpoint, WRITER)
    writer.put_object(Bucket="tag-iam", Key="ok", Body=b"x", Tagging="project=blue&public=yes")
    expect(writer.put_object, "AccessDenied", 403, Bucket="tag-iam", Key="red", Body=b"x",
           Tagging="project=red")
    expect(writer.put_object, "AccessDenied", 403, Bucket="tag-iam", Key="none", Body=b"x")
    expect(writer.put_object, "AccessDenied", 403, Bucket="tag-iam", Key="extra", Body=b"x",
           Tagging="project=blue&cost=1")
    assert writer.get_object(Bucket="tag-iam", Key="ok")["Body"].read() == b"x"
    assert {t["Key"] for t in writer.get_object_tagging(Bucket="tag-iam", Key="ok")["TagSet"]} \
        == {"project", "public"}
    # The owner makes the object private by retagging it: the writer can no longer read it.
    s3.put_object_tagging(Bucket="tag-iam", Key="ok", Tagging=_tag_set(project="blue"))
    expect(writer.get_object, "AccessDenied", 403, Bucket="tag-iam", Key="ok")
    expect(writer.head_object, "403", 403, Bucket="tag-iam", Key="ok")
    # Tagging on its own is another action (s3:DeleteObjectTagging is not allowed at all).
    expect(writer.delete_object_tagging, "AccessDenied", 403, Bucket="tag-iam", Key="ok")
    # A missing object has no tags to test: the condition fails (AccessDenied, as on AWS).
    expect(writer.get_object, "AccessDenied", 403, Bucket="tag-iam", Key="missing")


def test_tag_condition_keys_in_bucket_policies(server, s3):
    s3.create_bucket(Bucket="tag-pol")
    s3.put_object(Bucket="tag-pol", Key="secret", Body=b"s", Tagging="class=secret")
    s3.put_object(Bucket="tag-pol", Key="open", Body=b"o", Tagging="class=open")
    put_policy(s3, "tag-pol", [
        {"Sid": "NoSecretReads", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:GetObject", "s3:GetObjectTagging"], "Resource": "arn:aws:s3:::tag-pol/*",
         "Condition": {"StringEquals": {"s3:ExistingObjectTag/class": "secret"}}},
        {"Sid": "TagOnWrite", "Effect": "Deny", "Principal": "*",
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tag-pol/*",
         "Condition": {"Null": {"s3:RequestObjectTag/class": "true"}}},
    ])
    err = expect(s3.get_object, "AccessDenied", 403, Bucket="tag-pol", Key="secret")
    assert "explicit deny in a resource-based policy" in err["Message"]
    expect(s3.get_object_tagging, "AccessDenied", 403, Bucket="tag-pol", Key="secret")
    assert s3.get_object(Bucket="tag-pol", Key="open")["Body"].read() == b"o"
    expect(s3.put_object, "AccessDenied", 403, Bucket="tag-pol", Key="untagged", Body=b"x")
    s3.put_object(Bucket="tag-pol", Key="tagged", Body=b"x", Tagging="class=open")
    # Retagging the secret object opens it; the policy reads the tags at each request.
    s3.put_object_tagging(Bucket="tag-pol", Key="secret", Tagging=_tag_set(**{"class": "open"}))
    assert s3.get_object(Bucket="tag-pol", Key="secret")["Body"].read() == b"s"
    s3.delete_bucket_policy(Bucket="tag-pol")


def _cli(server, cli, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    p = subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json", *args],
                       env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_object_tagging(server, s3, cli, tmp_path):
    bucket = "tag-cli-v1" if cli == "aws" else "tag-cli-v2"
    s3.create_bucket(Bucket=bucket)
    src = tmp_path / "f.txt"
    src.write_bytes(b"cli body")
    rc, out, err = _cli(server, cli, "s3api", "put-object", "--bucket", bucket, "--key", "k",
                        "--body", str(src), "--tagging", "env=test&owner=ci")
    assert rc == 0, err
    rc, out, err = _cli(server, cli, "s3api", "get-object-tagging", "--bucket", bucket,
                        "--key", "k")
    assert rc == 0, err
    assert sorted((t["Key"], t["Value"]) for t in json.loads(out)["TagSet"]) == [
        ("env", "test"), ("owner", "ci")]
    rc, out, err = _cli(server, cli, "s3api", "put-object-tagging", "--bucket", bucket,
                        "--key", "k", "--tagging", "TagSet=[{Key=stage,Value=prod}]")
    assert rc == 0, err
    rc, out, err = _cli(server, cli, "s3api", "get-object-tagging", "--bucket", bucket,
                        "--key", "k")
    assert json.loads(out)["TagSet"] == [{"Key": "stage", "Value": "prod"}]
    rc, out, err = _cli(server, cli, "s3api", "delete-object-tagging", "--bucket", bucket,
                        "--key", "k")
    assert rc == 0, err
    rc, out, err = _cli(server, cli, "s3api", "get-object-tagging", "--bucket", bucket,
                        "--key", "missing")
    assert rc != 0 and "NoSuchKey" in err
