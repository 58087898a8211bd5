"""Routing and authentication of the JSON 1.1 services (KMS) and S3 REST through real clients:
a correctly signed request reaches the operation (and gets its answer, e.g. NotFoundException
or NoSuchBucket for a missing resource); a badly signed one is rejected first with the
service's own auth error. Presigned S3 URLs (SigV4 and SigV2) likewise.
"""

import datetime
import email.utils
import time

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import (HTTP_TIMEOUT, assert_json_error, assert_requests_s3_error, client,
                         json_target_request, presign_v2, presign_v4, signed_request,
                         tamper_query_param)

UNKNOWN_KEY = "AKIANOSUCHKEY0000000"


def _client_error(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response


# ---------------------------------------------------------------- KMS / JSON 1.1 via boto3

@pytest.mark.parametrize("key,secret,code", [
    ("test", "test", "NotFoundException"),  # auth passed; the operation itself answers
    ("test", "wrong", "InvalidSignatureException"),
    (UNKNOWN_KEY, "test", "UnrecognizedClientException"),
])
def test_kms_describe_missing_alias(sealstack, key, secret, code):
    resp = _client_error(lambda: client("kms", sealstack.endpoint, key, secret).describe_key(
        KeyId="alias/no-such-alias"))
    meta = resp["ResponseMetadata"]
    assert (resp["Error"]["Code"], meta["HTTPStatusCode"]) == (code, 400), resp
    assert resp["Error"]["Message"], resp
    assert meta.get("RequestId"), f"no x-amzn-RequestId: {resp}"
    assert meta["HTTPHeaders"].get("x-amzn-errortype", "").split(":")[0] == code, meta
    assert meta.get("RetryAttempts", 0) == 0


# ---------------------------------------------------------------- JSON 1.1 targets on the wire

@pytest.mark.parametrize("target", ["TrentService.NoSuchOp", "Foo.Bar", "AWSGlue.NoSuchOp"])
@pytest.mark.parametrize("key,secret,code", [
    ("test", "test", "UnknownOperationException"),
    ("test", "wrong", "InvalidSignatureException"),
    (UNKNOWN_KEY, "test", "UnrecognizedClientException"),
])
def test_json_target_unknown_operation(sealstack, target, key, secret, code):
    service = {"TrentService": "kms", "AWSGlue": "glue"}.get(target.split(".")[0], "kms")
    resp = json_target_request(sealstack.endpoint, target, service=service, key=key,
                               secret=secret)
    assert_json_error(resp.status_code, resp.headers, resp.content, code)


def test_json_malformed_body_serialization_exception(sealstack):
    """A KMS operation from the model with a body that is not JSON. Real KMS answers
    SerializationException; the auth check passes first (the body is correctly signed)."""
    resp = json_target_request(sealstack.endpoint, "TrentService.ListKeys",
                               body=b'{"Limit": 10,')
    assert_json_error(resp.status_code, resp.headers, resp.content, "SerializationException")


def test_json_malformed_body_bad_signature_is_auth_error(sealstack):
    resp = json_target_request(sealstack.endpoint, "TrentService.ListKeys",
                               body=b'{"Limit": 10,', secret="wrong")
    assert_json_error(resp.status_code, resp.headers, resp.content, "InvalidSignatureException")


# ---------------------------------------------------------------- S3 via boto3

@pytest.mark.parametrize("key,secret,code,status", [
    ("test", "test", "NoSuchBucket", 404),  # auth passed; the operation itself answers
    ("test", "wrong", "SignatureDoesNotMatch", 403),
    (UNKNOWN_KEY, "test", "InvalidAccessKeyId", 403),
])
def test_s3_get_bucket_location(sealstack, key, secret, code, status):
    resp = _client_error(lambda: client("s3", sealstack.endpoint, key, secret).get_bucket_location(
        Bucket="no-such-bucket"))
    meta = resp["ResponseMetadata"]
    assert (resp["Error"]["Code"], meta["HTTPStatusCode"]) == (code, status), resp
    assert resp["Error"]["Message"], resp
    assert meta.get("RequestId"), f"no request id: {resp}"
    assert meta["HTTPHeaders"].get("x-amz-request-id"), meta
    assert meta["HTTPHeaders"].get("x-amz-id-2"), meta
    assert meta.get("RetryAttempts", 0) == 0, "retries must be off, the first answer counts"


def test_s3_put_object_signed_body_reaches_service(sealstack):
    """A signed request with a body (payload hash of real bytes) passes auth and is stored; to a
    missing bucket it is NoSuchBucket."""
    s3 = client("s3", sealstack.endpoint)
    resp = _client_error(lambda: s3.put_object(Bucket="sealstack-test", Key="a/b.txt",
                                               Body=b"hello world"))
    assert (resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("NoSuchBucket", 404), resp
    s3.create_bucket(Bucket="sealstack-test")
    s3.put_object(Bucket="sealstack-test", Key="a/b.txt", Body=b"hello world")
    assert s3.get_object(Bucket="sealstack-test", Key="a/b.txt")["Body"].read() == b"hello world"


# ---------------------------------------------------------------- presigned URLs

BUCKET, KEY = "sealstack-test", "dir/some object+1.txt"


def _get(url):
    return requests.get(url, timeout=HTTP_TIMEOUT, allow_redirects=False)


def _presign(endpoint, signature_version=None, key="test", secret="test", expires=300):
    kwargs = {"signature_version": signature_version} if signature_version else {}
    s3 = client("s3", endpoint, key, secret, **kwargs)
    return s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": KEY},
                                     ExpiresIn=expires)


def _sig_param(url):
    if "X-Amz-Signature=" in url:
        return "X-Amz-Signature"
    assert "AWSAccessKeyId=" in url and "Signature=" in url and "Expires=" in url, url
    return "Signature"


@pytest.mark.parametrize("sigver", ["s3v4", "s3", None], ids=["sigv4", "sigv2", "default"])
def test_presigned_get_valid_and_tampered(sealstack, sigver):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"presigned body")
    url = _presign(sealstack.endpoint, sigver)
    if sigver == "s3v4":
        assert "X-Amz-Signature=" in url, url
    elif sigver == "s3":
        assert "AWSAccessKeyId=" in url and "X-Amz-Signature" not in url, url
    # valid: authentication passes and the object comes back
    resp = _get(url)
    assert (resp.status_code, resp.content) == (200, b"presigned body"), resp.content
    tampered = tamper_query_param(url, _sig_param(url))
    assert_requests_s3_error(_get(tampered), "SignatureDoesNotMatch", 403)


@pytest.mark.parametrize("sigver", ["s3v4", "s3"], ids=["sigv4", "sigv2"])
def test_presigned_get_wrong_secret_and_unknown_key(sealstack, sigver):
    assert_requests_s3_error(_get(_presign(sealstack.endpoint, sigver, secret="wrong")),
                             "SignatureDoesNotMatch", 403)
    assert_requests_s3_error(_get(_presign(sealstack.endpoint, sigver, key=UNKNOWN_KEY)),
                             "InvalidAccessKeyId", 403)


def test_presigned_v4_expires_in_one_second(sealstack):
    """boto3 URL with ExpiresIn=1: every answer is 404 NoSuchBucket (auth passed, the bucket
    does not exist) until it turns into 403 AccessDenied "Request has expired" (polled with a
    deadline)."""
    url = _presign(sealstack.endpoint, "s3v4", expires=1)
    deadline = time.monotonic() + 5.0
    seen = []
    while True:
        resp = _get(url)
        seen.append(resp.status_code)
        if resp.status_code != 404:
            fields = assert_requests_s3_error(resp, "AccessDenied", 403)
            assert fields.get("Message") == "Request has expired", fields
            return
        assert_requests_s3_error(resp, "NoSuchBucket", 404)
        assert time.monotonic() < deadline, f"URL with ExpiresIn=1 still valid after 5 s: {seen}"
        time.sleep(0.1)  # poll interval, not a synchronisation


def test_presigned_v4_expired_long_ago(sealstack):
    path = "/sealstack-test/key.txt"
    # control: our own signer produces a URL the server accepts (then: no such bucket)
    assert_requests_s3_error(_get(presign_v4(sealstack.endpoint, path)), "NoSuchBucket", 404)
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
    resp = _get(presign_v4(sealstack.endpoint, path, when=past, expires=60))
    fields = assert_requests_s3_error(resp, "AccessDenied", 403)
    assert fields.get("Message") == "Request has expired", fields


def test_presigned_v2_expired(sealstack):
    path = "/sealstack-test/key.txt"
    assert_requests_s3_error(_get(presign_v2(sealstack.endpoint, path)), "NoSuchBucket", 404)
    resp = _get(presign_v2(sealstack.endpoint, path, expires_at=time.time() - 3600))
    fields = assert_requests_s3_error(resp, "AccessDenied", 403)
    assert fields.get("Message") == "Request has expired", fields


def test_s3_no_auth_is_access_denied(sealstack):
    resp = requests.get(f"{sealstack.endpoint}/{BUCKET}/plain.txt", timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "AccessDenied", 403)


def test_s3_sigv2_header_auth_is_invalid_request(sealstack):
    """botocore's signature_version='s3' signs with SigV2 in the Authorization header
    ("AWS AKID:signature"). S3 answers it, where SigV2 is not taken, with 400 InvalidRequest
    and this text (AWS S3 API Reference, "Authenticating Requests (AWS Signature Version 4)";
    the answer every Region opened after 2014 gives)."""
    s3 = client("s3", sealstack.endpoint, signature_version="s3")
    resp = _client_error(lambda: s3.get_object(Bucket=BUCKET, Key="plain.txt"))
    assert (resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("InvalidRequest", 400), resp
    assert resp["Error"]["Message"] == ("The authorization mechanism you have provided is not "
                                        "supported. Please use AWS4-HMAC-SHA256.")
    resp = _client_error(lambda: s3.head_object(Bucket=BUCKET, Key="plain.txt"))
    assert (resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]) == ("400", 400)


def test_responses_are_never_compressed_even_when_the_client_accepts_gzip(sealstack):
    """AWS answers S3's XML and the JSON protocols uncompressed. requests (like Go's transport)
    sends Accept-Encoding: gzip on its own; the HTTP library used to gzip XML and JSON bodies
    for it, so such clients saw Content-Encoding: gzip where AWS sends none."""
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="uncompressed")
    s3.put_object(Bucket="uncompressed", Key="a.txt", Body=b"text " * 2000,
                  ContentType="text/plain")
    gzip_please = {"Accept-Encoding": "gzip, deflate, br"}
    answers = {
        "ListObjectsV2": signed_request(sealstack.endpoint, "GET", "/uncompressed", service="s3",
                                        params={"list-type": "2"}, headers=gzip_please),
        "GetObject": signed_request(sealstack.endpoint, "GET", "/uncompressed/a.txt",
                                    service="s3", headers=gzip_please),
        "NoSuchBucket": signed_request(sealstack.endpoint, "GET", "/no-such-bucket-here",
                                       service="s3", headers=gzip_please),
        "ListKeys": signed_request(sealstack.endpoint, "POST", "/", service="kms",
                                   body=b"{}", headers={**gzip_please,
                                                        "X-Amz-Target": "TrentService.ListKeys",
                                                        "Content-Type":
                                                            "application/x-amz-json-1.1"}),
    }
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {"ListObjectsV2": 200, "GetObject": 200, "NoSuchBucket": 404,
                        "ListKeys": 200}
    for name, r in answers.items():
        assert "Content-Encoding" not in r.headers, (name, r.headers)
        assert int(r.headers["Content-Length"]) == len(r.content), name
    assert answers["GetObject"].content == b"text " * 2000


def test_every_response_carries_the_wall_clock_date(sealstack):
    """AWS stamps every response with Date (RFC 7231, the wall clock); SDKs read it to correct a
    skewed local clock. Success and error, every protocol, HEAD too."""
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="dated")
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    answers = [
        signed_request(sealstack.endpoint, "GET", "/dated", service="s3"),
        signed_request(sealstack.endpoint, "HEAD", "/dated", service="s3"),
        signed_request(sealstack.endpoint, "GET", "/dated/missing", service="s3"),
        json_target_request(sealstack.endpoint, "TrentService.ListKeys"),
        json_target_request(sealstack.endpoint, "TrentService.NoSuchOperation"),
        signed_request(sealstack.endpoint, "POST", "/", service="sts",
                       body=b"Action=GetCallerIdentity&Version=2011-06-15",
                       headers={"Content-Type": "application/x-www-form-urlencoded"}),
        requests.get(sealstack.endpoint + "/_sealstack/health", timeout=HTTP_TIMEOUT),
    ]
    after = datetime.datetime.now(datetime.timezone.utc)
    assert [r.status_code for r in answers] == [200, 200, 404, 200, 400, 200, 200]
    for r in answers:
        stamped = email.utils.parsedate_to_datetime(r.headers["Date"])
        assert r.headers["Date"].endswith(" GMT"), r.headers["Date"]
        assert before <= stamped <= after, (r.url, r.headers["Date"])
