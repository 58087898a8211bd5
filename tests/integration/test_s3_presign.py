"""Presigned URLs made by boto3 (PROTOCOL 2.5, 2.6): GET and PUT with SigV4 query auth, the
SSE headers bound into a presigned PUT, boto3's default presigner (SigV2 in us-east-1 for
older botocore), expiry after the admin clock moves, and GetObject's If-Modified-Since /
If-Unmodified-Since. One server for the module."""

import datetime
import hashlib
import urllib.parse

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, assert_requests_s3_error, client
from s3_helpers import expect, module_servers, restore_clock, s3_client  # noqa: F401


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start()


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(scope="module")
def s3v4(server):
    return s3_client(server.endpoint, signature_version="s3v4")


@pytest.fixture(scope="module")
def bucket(s3):
    s3.create_bucket(Bucket="presign")
    s3.put_object(Bucket="presign", Key="a b/obj.txt", Body=b"presigned content")
    return "presign"


@pytest.mark.parametrize("which", ["default", "s3v4"])
def test_presigned_get(s3, s3v4, bucket, which):
    signer = s3 if which == "default" else s3v4
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a b/obj.txt"},
                                        ExpiresIn=300)
    if which == "s3v4":
        assert "X-Amz-Signature=" in url
    r = requests.get(url, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200 and r.content == b"presigned content", r.text
    assert r.headers["x-amz-server-side-encryption"] == "AES256"
    url = signer.generate_presigned_url("get_object", ExpiresIn=300, Params={
        "Bucket": bucket, "Key": "a b/obj.txt", "ResponseContentType": "text/x-override",
        "ResponseContentDisposition": 'attachment; filename="x.txt"'})
    r = requests.get(url, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/x-override"
    assert r.headers["Content-Disposition"] == 'attachment; filename="x.txt"'
    # Tampering with the key path breaks the signature.
    bad = url.replace("obj.txt", "obj2.txt")
    assert_requests_s3_error(requests.get(bad, timeout=HTTP_TIMEOUT), "SignatureDoesNotMatch", 403)


def test_presigned_put_with_sse_kms_bound(server, s3, s3v4, bucket):
    key = client("kms", server.endpoint).create_key()["KeyMetadata"]["Arn"]
    url = s3v4.generate_presigned_url("put_object", ExpiresIn=300, Params={
        "Bucket": bucket, "Key": "put-kms", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key})
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    signed = query["X-Amz-SignedHeaders"].split(";")
    assert "x-amz-server-side-encryption" in signed, signed
    headers = {"x-amz-server-side-encryption": "aws:kms",
               "x-amz-server-side-encryption-aws-kms-key-id": key}
    r = requests.put(url, data=b"uploaded by url", headers=headers, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert r.headers["x-amz-server-side-encryption"] == "aws:kms"
    assert r.headers["x-amz-server-side-encryption-aws-kms-key-id"] == key
    head = s3.head_object(Bucket=bucket, Key="put-kms")
    assert head["SSEKMSKeyId"] == key
    assert s3.get_object(Bucket=bucket, Key="put-kms")["Body"].read() == b"uploaded by url"
    # Without the bound header, or with another value, the signature does not match.
    r = requests.put(url, data=b"x", timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(r, "SignatureDoesNotMatch", 403)
    r = requests.put(url, data=b"x", timeout=HTTP_TIMEOUT,
                     headers={**headers, "x-amz-server-side-encryption": "AES256"})
    assert_requests_s3_error(r, "SignatureDoesNotMatch", 403)


def test_presigned_put_plain(s3, s3v4, bucket):
    url = s3v4.generate_presigned_url("put_object", ExpiresIn=300,
                                      Params={"Bucket": bucket, "Key": "put-plain"})
    body = b"plain presigned put"
    r = requests.put(url, data=body, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    assert s3.get_object(Bucket=bucket, Key="put-plain")["Body"].read() == body


@pytest.mark.parametrize("which", ["default", "s3v4"])
def test_presigned_url_expires(server, s3, s3v4, bucket, which):
    signer = s3 if which == "default" else s3v4
    url = signer.generate_presigned_url("get_object", ExpiresIn=60,
                                        Params={"Bucket": bucket, "Key": "a b/obj.txt"})
    assert requests.get(url, timeout=HTTP_TIMEOUT).status_code == 200
    try:
        r = requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 120},
                          timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text
        r = requests.get(url, timeout=HTTP_TIMEOUT)
        if which == "default":
            # botocore's default presigner here is SigV2, whose absolute Expires has no signing
            # time to map to server time: it expires by the real clock, which did not move
            # (docs/admin-api.md); the auth unit tests check that expiry.
            assert "Signature=" in url and r.status_code == 200, r.content
            return
        f = assert_requests_s3_error(r, "AccessDenied", 403)
        assert f["Message"] == "Request has expired"
        assert "ServerTime" in f and "Expires" in f
    finally:
        restore_clock(server)


def test_if_modified_since_and_unmodified_since(s3, bucket):
    head = s3.head_object(Bucket=bucket, Key="a b/obj.txt")
    modified = head["LastModified"]
    before = modified - datetime.timedelta(hours=1)
    after = modified + datetime.timedelta(hours=1)
    got = s3.get_object(Bucket=bucket, Key="a b/obj.txt", IfModifiedSince=before)
    assert got["Body"].read() == b"presigned content"
    err = expect(s3.get_object, "304", 304, Bucket=bucket, Key="a b/obj.txt", IfModifiedSince=after)
    assert err
    err = expect(s3.get_object, "PreconditionFailed", 412, Bucket=bucket, Key="a b/obj.txt",
                 IfUnmodifiedSince=before)
    assert s3.get_object(Bucket=bucket, Key="a b/obj.txt",
                         IfUnmodifiedSince=after)["Body"].read() == b"presigned content"
    expect(s3.head_object, "304", 304, Bucket=bucket, Key="a b/obj.txt", IfModifiedSince=after)
    expect(s3.head_object, "412", 412, Bucket=bucket, Key="a b/obj.txt", IfUnmodifiedSince=before)
    # If-Match wins over If-Unmodified-Since (RFC 7232 / S3 docs): a matching ETag reads.
    got = s3.get_object(Bucket=bucket, Key="a b/obj.txt", IfMatch=head["ETag"],
                        IfUnmodifiedSince=before)
    assert got["Body"].read() == b"presigned content"
    # If-None-Match fails (304) even when If-Modified-Since would pass.
    expect(s3.get_object, "304", 304, Bucket=bucket, Key="a b/obj.txt",
           IfNoneMatch=head["ETag"], IfModifiedSince=before)
