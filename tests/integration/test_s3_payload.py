"""S3 request bodies are verified against what was signed, as they stream in: the hex payload
hash, and aws-chunked bodies with their trailer checksums. A body that fails verification is
refused with the verification error and nothing is stored."""

import base64
import zlib

import pytest
import requests
from botocore.exceptions import ClientError
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_helpers import HTTP_TIMEOUT, REGION, assert_requests_s3_error, client


class _StreamingSigner(S3SigV4Auth):
    """botocore's S3 signer with the payload hash fixed to the aws-chunked mode (botocore
    picks that mode itself only for its own streaming uploads over HTTPS)."""

    def payload(self, request):
        return "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def _signed(endpoint, path, body, headers=None, signer=S3SigV4Auth):
    req = AWSRequest(method="PUT", url=endpoint + path, data=body, headers=dict(headers or {}))
    signer(Credentials("test", "test"), "s3", REGION).add_auth(req)
    return req.prepare()


@pytest.fixture
def bucket(sealstack):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="payloads")
    return s3


def _stored(s3, key):
    try:
        return s3.get_object(Bucket="payloads", Key=key)["Body"].read()
    except ClientError as e:
        assert e.response["Error"]["Code"] == "NoSuchKey"
        return None


def test_body_matching_its_signed_hash_is_stored(sealstack, bucket):
    p = _signed(sealstack.endpoint, "/payloads/key", b"hello world")
    resp = requests.put(p.url, headers=dict(p.headers), data=p.body, timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200, resp.content
    assert _stored(bucket, "key") == b"hello world"


def test_body_differing_from_its_signed_hash_is_refused(sealstack, bucket):
    p = _signed(sealstack.endpoint, "/payloads/key", b"hello world")
    # Same length, one byte changed: the signature covers the header, not these bytes.
    resp = requests.put(p.url, headers=dict(p.headers), data=b"hello worle", timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "XAmzContentSHA256Mismatch", 400)
    assert _stored(bucket, "key") is None


def _aws_chunked(payload, trailer_value):
    body = b"%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % (
        len(payload), payload, trailer_value.encode())
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(payload)),
        "X-Amz-Trailer": "x-amz-checksum-crc32",
    }
    return body, headers


def _crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_aws_chunked_body_with_correct_trailer_checksum_is_stored(sealstack, bucket):
    payload = b"streamed by an SDK" * 100
    body, headers = _aws_chunked(payload, _crc32_b64(payload))
    p = _signed(sealstack.endpoint, "/payloads/streamed", b"", headers, _StreamingSigner)
    resp = requests.put(p.url, headers=dict(p.headers), data=body, timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200, resp.content
    assert resp.headers["x-amz-checksum-crc32"] == _crc32_b64(payload)
    assert _stored(bucket, "streamed") == payload


def test_aws_chunked_body_with_wrong_trailer_checksum_is_bad_digest(sealstack, bucket):
    payload = b"streamed by an SDK" * 100
    body, headers = _aws_chunked(payload, _crc32_b64(payload + b"!"))
    p = _signed(sealstack.endpoint, "/payloads/streamed", b"", headers, _StreamingSigner)
    resp = requests.put(p.url, headers=dict(p.headers), data=body, timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "BadDigest", 400)
    assert _stored(bucket, "streamed") is None
