"""S3 request bodies are verified against what was signed, as they stream in, before any
operation runs: the hex payload hash, and aws-chunked bodies with their trailer checksums.
(S3 operations themselves answer 501 NotImplemented until the S3 issue lands, so a body that
passes verification gets 501 and one that fails gets the verification error.)"""

import base64
import zlib

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_helpers import HTTP_TIMEOUT, REGION, assert_requests_s3_error


class _StreamingSigner(S3SigV4Auth):
    """botocore's S3 signer with the payload hash fixed to the aws-chunked mode (botocore
    picks that mode itself only for its own streaming uploads over HTTPS)."""

    def payload(self, request):
        return "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def _signed(endpoint, path, body, headers=None, signer=S3SigV4Auth):
    req = AWSRequest(method="PUT", url=endpoint + path, data=body, headers=dict(headers or {}))
    signer(Credentials("test", "test"), "s3", REGION).add_auth(req)
    return req.prepare()


def test_body_matching_its_signed_hash_passes_verification(sealstack):
    p = _signed(sealstack.endpoint, "/bucket/key", b"hello world")
    resp = requests.put(p.url, headers=dict(p.headers), data=p.body, timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "NotImplemented", 501)


def test_body_differing_from_its_signed_hash_is_refused(sealstack):
    p = _signed(sealstack.endpoint, "/bucket/key", b"hello world")
    # Same length, one byte changed: the signature covers the header, not these bytes.
    resp = requests.put(p.url, headers=dict(p.headers), data=b"hello worle", timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "XAmzContentSHA256Mismatch", 400)


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


def test_aws_chunked_body_with_correct_trailer_checksum_passes(sealstack):
    payload = b"streamed by an SDK" * 100
    body, headers = _aws_chunked(payload, _crc32_b64(payload))
    p = _signed(sealstack.endpoint, "/bucket/streamed", b"", headers, _StreamingSigner)
    resp = requests.put(p.url, headers=dict(p.headers), data=body, timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "NotImplemented", 501)


def test_aws_chunked_body_with_wrong_trailer_checksum_is_bad_digest(sealstack):
    payload = b"streamed by an SDK" * 100
    body, headers = _aws_chunked(payload, _crc32_b64(payload + b"!"))
    p = _signed(sealstack.endpoint, "/bucket/streamed", b"", headers, _StreamingSigner)
    resp = requests.put(p.url, headers=dict(p.headers), data=body, timeout=HTTP_TIMEOUT)
    assert_requests_s3_error(resp, "BadDigest", 400)
