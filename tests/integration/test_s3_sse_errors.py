"""Every SSE error row of PROTOCOL 3.4 that test_s3_objects.py does not already cover, by code
and HTTP status (and message where AWS's text is captured), plus KMS key state through S3
(disable / enable / pending deletion / rotation) and --sse-c-require-tls. The multipart rows
(SSE-C missing or different on UploadPart) are in test_s3_multipart.py; "caller lacks
kms:GenerateDataKey/Decrypt" is in test_s3_policies.py."""

import base64
import hashlib
import uuid

import pytest
import requests
import urllib3

from aws_helpers import (HTTP_TIMEOUT, REGION, ROOT_ACCOUNT, assert_requests_s3_error, client,
                         presign_v2, signed_request)
from s3_helpers import (KEY_A, b64, expect, key_md5, module_servers, s3_client,  # noqa: F401
                        sse_c, sse_c_bucket, sse_c_headers)


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start()


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(scope="module")
def kms(server):
    return client("kms", server.endpoint)


@pytest.fixture(scope="module")
def bucket(s3, server):
    """SSE-C unblocked, so that each SSE-C row is reached rather than the block."""
    return sse_c_bucket(s3, server.endpoint, "sse-errors")


def _put_raw(server, key, headers, body=b"x", bucket="sse-errors"):
    return signed_request(server.endpoint, "PUT", f"/{bucket}/{key}", service="s3",
                          headers=headers, body=body)


# ---------------------------------------------------------------- SSE-C header rows

def test_sse_c_together_with_sse_header(s3, bucket):
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket=bucket, Key="k", Body=b"x",
                 ServerSideEncryption="AES256", **sse_c())
    assert err["Message"] == ("Server Side Encryption with Customer provided key is incompatible "
                              "with the encryption method specified")
    assert err.get("ArgumentName") == "x-amz-server-side-encryption"
    assert err.get("ArgumentValue") == "AES256"


def test_sse_c_algorithm_not_aes256(s3, bucket):
    err = expect(s3.put_object, "InvalidEncryptionAlgorithmError", 400, Bucket=bucket, Key="k",
                 Body=b"x", SSECustomerAlgorithm="AES128", SSECustomerKey=KEY_A)
    assert err["Message"] == "The Encryption request you specified is not valid. Supported value: AES256."


def test_sse_c_key_without_algorithm(server, bucket):
    headers = sse_c_headers()
    del headers["x-amz-server-side-encryption-customer-algorithm"]
    r = _put_raw(server, "k", headers)
    f = assert_requests_s3_error(r, "InvalidArgument", 400)
    assert f["Message"] == ("Requests specifying Server Side Encryption with Customer provided "
                            "keys must provide a valid encryption algorithm.")


def test_sse_c_algorithm_without_key(s3, bucket):
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket=bucket, Key="k", Body=b"x",
                 SSECustomerAlgorithm="AES256")
    assert err["Message"] == ("Requests specifying Server Side Encryption with Customer provided "
                              "keys must provide an appropriate secret key.")


def test_sse_c_bad_key_md5(server, bucket):
    headers = sse_c_headers()
    headers["x-amz-server-side-encryption-customer-key-MD5"] = key_md5(b"another key")
    f = assert_requests_s3_error(_put_raw(server, "k", headers), "InvalidArgument", 400)
    assert f["Message"] == "The calculated MD5 hash of the key did not match the hash that was provided."
    # MD5 is checked before the length: a short key with a wrong MD5 is still the MD5 error.
    headers = sse_c_headers(b"short")
    headers["x-amz-server-side-encryption-customer-key-MD5"] = key_md5(b"another key")
    f = assert_requests_s3_error(_put_raw(server, "k", headers), "InvalidArgument", 400)
    assert "calculated MD5 hash of the key" in f["Message"]


def test_sse_c_key_not_32_bytes(s3, bucket):
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket=bucket, Key="k", Body=b"x",
                 SSECustomerAlgorithm="AES256", SSECustomerKey=b"0123456789abcdef")
    assert err["Message"] == "The secret key was invalid for the specified algorithm."


def test_sse_c_headers_on_objects_that_are_not_sse_c(s3, kms, bucket):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_object(Bucket=bucket, Key="s3", Body=b"x")
    s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    for k in ("s3", "kms"):
        err = expect(s3.get_object, "InvalidRequest", 400, Bucket=bucket, Key=k, **sse_c())
        assert err["Message"] == "The encryption parameters are not applicable to this object."
        expect(s3.head_object, "400", 400, Bucket=bucket, Key=k, **sse_c())  # HEAD: no body


def test_sse_c_object_without_key_on_head_and_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"x", **sse_c())
    expect(s3.head_object, "400", 400, Bucket=bucket, Key="c")
    expect(s3.head_object, "403", 403, Bucket=bucket, Key="c", **sse_c(bytes(32)))
    err = expect(s3.copy_object, "InvalidRequest", 400, Bucket=bucket, Key="c2",
                 CopySource={"Bucket": bucket, "Key": "c"})
    assert err["Message"].startswith("The object was stored using a form of Server Side Encryption.")
    err = expect(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="c", **sse_c(bytes(32)))
    assert err["Message"] == ("Requests specifying Server Side Encryption with Customer provided "
                              "keys must provide the correct secret key.")


WRONG_KEY_MESSAGE = ("Requests specifying Server Side Encryption with Customer provided keys "
                     "must provide the correct secret key.")
MISSING_MD5_MESSAGE = ("Requests specifying Server Side Encryption with Customer provided keys "
                       "must provide the client calculated MD5 of the secret key.")


def test_sse_c_write_without_key_md5_is_refused(server, bucket):
    """AWS answers 400 to a PutObject with the SSE-C algorithm and key but no key-MD5 (an
    S3 compliance suite run against AWS); the message is MinIO's (api-errors.go
    ErrMissingSSECustomerKeyMD5), as AWS's text is not published."""
    headers = sse_c_headers()
    del headers["x-amz-server-side-encryption-customer-key-MD5"]
    f = assert_requests_s3_error(_put_raw(server, "no-md5", headers), "InvalidArgument", 400)
    assert f["Message"] == MISSING_MD5_MESSAGE
    assert (f["ArgumentName"], f["ArgumentValue"]) == ("x-amz-server-side-encryption", "null")
    r = signed_request(server.endpoint, "POST", f"/{bucket}/no-md5", service="s3",
                       headers=headers, params={"uploads": ""})
    f = assert_requests_s3_error(r, "InvalidArgument", 400)
    assert f["Message"] == MISSING_MD5_MESSAGE


def test_sse_c_read_without_key_md5_is_served(s3, server, bucket):
    """GetObject does not need the key-MD5 header (the same suite: AWS answers 200)."""
    s3.put_object(Bucket=bucket, Key="read-no-md5", Body=b"secret", **sse_c())
    headers = sse_c_headers()
    del headers["x-amz-server-side-encryption-customer-key-MD5"]
    r = signed_request(server.endpoint, "GET", f"/{bucket}/read-no-md5", service="s3",
                       headers=headers)
    assert (r.status_code, r.content) == (200, b"secret")


def test_sse_c_wrong_or_malformed_key_on_get_and_head(s3, server, bucket):
    """A wrong key is 403 AccessDenied on GET and HEAD (LocalStack's AWS captures); a key of the
    wrong length is 403 too on a read (400 only on a write), as the compliance suite recorded
    on AWS; an empty key and a key that does not match its MD5 stay 400."""
    s3.put_object(Bucket=bucket, Key="wrong-key", Body=b"x", **sse_c())
    err = expect(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="wrong-key",
                 **sse_c(b"\x02" * 32))
    assert err["Message"] == WRONG_KEY_MESSAGE
    expect(s3.head_object, "403", 403, Bucket=bucket, Key="wrong-key", **sse_c(b"\x02" * 32))
    # 10 bytes, with its own correct MD5 (botocore adds it).
    err = expect(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="wrong-key",
                 **sse_c(b"0123456789"))
    assert err["Message"] == WRONG_KEY_MESSAGE
    expect(s3.head_object, "403", 403, Bucket=bucket, Key="wrong-key", **sse_c(b"0123456789"))
    headers = sse_c_headers(b"")
    r = signed_request(server.endpoint, "GET", f"/{bucket}/wrong-key", service="s3",
                       headers=headers)
    f = assert_requests_s3_error(r, "InvalidArgument", 400)
    assert f["Message"] == "The secret key was invalid for the specified algorithm."
    headers = sse_c_headers()
    headers["x-amz-server-side-encryption-customer-key-MD5"] = key_md5(b"another key")
    r = signed_request(server.endpoint, "GET", f"/{bucket}/wrong-key", service="s3",
                       headers=headers)
    f = assert_requests_s3_error(r, "InvalidArgument", 400)
    assert f["Message"] == ("The calculated MD5 hash of the key did not match the hash that was "
                            "provided.")


def test_sse_c_blocked_message_says_how_to_unblock(s3):
    """AWS's text (UG "Troubleshoot access denied (403 Forbidden) errors"), then how to unblock
    the bucket and SealStack's flag."""
    s3.create_bucket(Bucket="sse-c-blocked")
    err = expect(s3.put_object, "AccessDenied", 403, Bucket="sse-c-blocked", Key="k", Body=b"x",
                 **sse_c())
    assert err["Message"] == (
        f"User: arn:aws:iam::{ROOT_ACCOUNT}:root is not authorized to perform: s3:PutObject on "
        'resource: "arn:aws:s3:::sse-c-blocked/k" because this bucket has blocked upload '
        "requests that specify Server Side Encryption with Customer provided keys (SSE-C). "
        "Please specify a different server-side encryption type. To allow SSE-C uploads, put a "
        "bucket encryption configuration whose rule has BlockedEncryptionTypes NONE "
        "(PutBucketEncryption), or start SealStack with --sse-c-blocked-by-default false so "
        "that new buckets do not block SSE-C.")


# ---------------------------------------------------------------- SSE / KMS header rows

@pytest.mark.parametrize("value", ["AES512", "aws:kms:foo", ""])
def test_unsupported_sse_value(server, bucket, value):
    r = _put_raw(server, "k", {"x-amz-server-side-encryption": value})
    f = assert_requests_s3_error(r, "InvalidArgument", 400)
    assert f["Message"] == "The encryption method specified is not supported"
    assert f.get("ArgumentName") == "x-amz-server-side-encryption"


def test_kms_key_id_without_aws_kms(s3, kms, bucket):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    want = ("Server Side Encryption with AWS KMS managed key requires HTTP header "
            "x-amz-server-side-encryption : aws:kms")
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket=bucket, Key="k", Body=b"x",
                 SSEKMSKeyId=key)
    assert err["Message"] == want
    err = expect(s3.put_object, "InvalidArgument", 400, Bucket=bucket, Key="k", Body=b"x",
                 ServerSideEncryption="AES256", SSEKMSKeyId=key)
    assert err["Message"] == want
    expect(s3.create_multipart_upload, "InvalidArgument", 400, Bucket=bucket, Key="k",
           SSEKMSKeyId=key)


def test_unknown_kms_keys(s3, bucket):
    err = expect(s3.put_object, "KMS.NotFoundException", 400, Bucket=bucket, Key="k", Body=b"x",
                 ServerSideEncryption="aws:kms", SSEKMSKeyId="fake-key-id")
    assert err["Message"] == "Invalid keyId 'fake-key-id'"
    missing = f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/{uuid.uuid4()}"
    err = expect(s3.put_object, "KMS.NotFoundException", 400, Bucket=bucket, Key="k", Body=b"x",
                 ServerSideEncryption="aws:kms", SSEKMSKeyId=missing)
    assert err["Message"] == f"Key '{missing}' does not exist"
    err = expect(s3.put_object, "KMS.NotFoundException", 400, Bucket=bucket, Key="k", Body=b"x",
                 ServerSideEncryption="aws:kms", SSEKMSKeyId=str(uuid.uuid4()))
    elsewhere = f"arn:aws:kms:eu-west-3:{ROOT_ACCOUNT}:key/{uuid.uuid4()}"
    err = expect(s3.put_object, "KMS.NotFoundException", 400, Bucket=bucket, Key="k", Body=b"x",
                 ServerSideEncryption="aws:kms", SSEKMSKeyId=elsewhere)
    assert err["Message"] == "Invalid arn eu-west-3"
    expect(s3.get_object, "NoSuchKey", 404, Bucket=bucket, Key="k")


def test_kms_key_with_wrong_usage(s3, kms, bucket):
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    for key in (rsa, hmac_key):
        expect(s3.put_object, "KMS.InvalidKeyUsageException", 400, Bucket=bucket, Key="k",
               Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)


def test_bad_encryption_context_header(s3, server, kms, bucket):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    for bad in ("not base64!", b64(b"not json"), b64(b'{"a": 1}'), b64(b'["a"]')):
        r = _put_raw(server, "k", {"x-amz-server-side-encryption": "aws:kms",
                                   "x-amz-server-side-encryption-aws-kms-key-id": key,
                                   "x-amz-server-side-encryption-context": bad})
        f = assert_requests_s3_error(r, "InvalidArgument", 400)
        assert "x-amz-server-side-encryption-context" in f["Message"], bad
    good = b64(b'{"tenant":"t1"}')
    r = _put_raw(server, "ctx", {"x-amz-server-side-encryption": "aws:kms",
                                 "x-amz-server-side-encryption-aws-kms-key-id": key,
                                 "x-amz-server-side-encryption-context": good})
    assert r.status_code == 200, r.text
    assert r.headers.get("x-amz-server-side-encryption-context")
    head = s3.head_object(Bucket=bucket, Key="ctx")
    assert "SSEKMSEncryptionContext" not in head  # never on GET/HEAD


def test_sse_headers_on_get_and_head(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain-get", Body=b"x")
    r = signed_request(server.endpoint, "GET", f"/{bucket}/plain-get", service="s3",
                       headers={"x-amz-server-side-encryption": "AES256"})
    assert_requests_s3_error(r, "InvalidArgument", 400)
    r = signed_request(server.endpoint, "HEAD", f"/{bucket}/plain-get", service="s3",
                       headers={"x-amz-server-side-encryption": "aws:kms"})
    assert r.status_code == 400 and r.content == b""


def test_sse_kms_object_with_sigv2_presign(server, s3, kms, bucket):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_object(Bucket=bucket, Key="kms-v2", Body=b"kms", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    s3.put_object(Bucket=bucket, Key="s3-v2", Body=b"aes")
    ok = requests.get(presign_v2(server.endpoint, f"/{bucket}/s3-v2"), timeout=HTTP_TIMEOUT)
    assert ok.status_code == 200 and ok.content == b"aes"  # the presigner is right
    r = requests.get(presign_v2(server.endpoint, f"/{bucket}/kms-v2"), timeout=HTTP_TIMEOUT)
    f = assert_requests_s3_error(r, "InvalidArgument", 400)
    assert f["Message"] == ("Requests specifying Server Side Encryption with AWS KMS managed keys "
                            "require AWS Signature Version 4.")
    assert f.get("ArgumentName") == "Authorization"


# ---------------------------------------------------------------- KMS key state through S3

def test_key_state_governs_writes_and_reads(s3, kms, bucket):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_object(Bucket=bucket, Key="state", Body=b"v1", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    kms.disable_key(KeyId=key)
    err = expect(s3.put_object, "KMS.DisabledException", 400, Bucket=bucket, Key="state2",
                 Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    assert err["Message"] == f"{key} is disabled."
    expect(s3.get_object, "KMS.DisabledException", 400, Bucket=bucket, Key="state")
    expect(s3.copy_object, "KMS.DisabledException", 400, Bucket=bucket, Key="state-copy",
           CopySource={"Bucket": bucket, "Key": "state"})
    assert s3.head_object(Bucket=bucket, Key="state")["SSEKMSKeyId"] == key  # HEAD: no KMS
    kms.enable_key(KeyId=key)
    assert s3.get_object(Bucket=bucket, Key="state")["Body"].read() == b"v1"
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    err = expect(s3.get_object, "KMS.KMSInvalidStateException", 400, Bucket=bucket, Key="state")
    assert err["Message"] == f"{key} is pending deletion."
    expect(s3.put_object, "KMS.KMSInvalidStateException", 400, Bucket=bucket, Key="state3",
           Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    kms.cancel_key_deletion(KeyId=key)  # back to Disabled
    expect(s3.get_object, "KMS.DisabledException", 400, Bucket=bucket, Key="state")
    kms.enable_key(KeyId=key)
    assert s3.get_object(Bucket=bucket, Key="state")["Body"].read() == b"v1"


def test_rotation_keeps_old_objects_readable(s3, kms, server, bucket):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_object(Bucket=bucket, Key="rot-old", Body=b"old", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    old_view = requests.get(f"{server.endpoint}/_sealstack/s3/{bucket}/rot-old",
                            timeout=HTTP_TIMEOUT).json()
    if "rotate_key_on_demand" not in kms.meta.method_to_api_mapping:
        r = signed_request(server.endpoint, "POST", "/", service="kms",
                           body=('{"KeyId": "%s"}' % key).encode(),
                           headers={"X-Amz-Target": "TrentService.RotateKeyOnDemand",
                                    "Content-Type": "application/x-amz-json-1.1"})
        assert r.status_code == 200, r.text
    else:
        kms.rotate_key_on_demand(KeyId=key)
    s3.put_object(Bucket=bucket, Key="rot-new", Body=b"new", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    new_view = requests.get(f"{server.endpoint}/_sealstack/s3/{bucket}/rot-new",
                            timeout=HTTP_TIMEOUT).json()
    assert new_view["key_material_id"] != old_view["key_material_id"]
    assert new_view["kms_key_arn"] == old_view["kms_key_arn"] == key
    assert s3.get_object(Bucket=bucket, Key="rot-old")["Body"].read() == b"old"
    assert s3.get_object(Bucket=bucket, Key="rot-new")["Body"].read() == b"new"


# ---------------------------------------------------------------- --sse-c-require-tls

def test_sse_c_require_tls(start_sealstack):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    server = start_sealstack(extra_args=["--https-port", "0", "--sse-c-require-tls", "true",
                                         "--sse-c-blocked-by-default", "false"])
    http = s3_client(server.endpoint)
    tls = s3_client(server.https_endpoint)
    http.create_bucket(Bucket="tls-only")
    err = expect(http.put_object, "InvalidRequest", 400, Bucket="tls-only", Key="c", Body=b"x",
                 **sse_c())
    assert err["Message"] == ("Requests specifying Server Side Encryption with Customer provided "
                              "keys must be made over a secure connection.")
    tls.put_object(Bucket="tls-only", Key="c", Body=b"over tls", **sse_c())
    assert tls.get_object(Bucket="tls-only", Key="c", **sse_c())["Body"].read() == b"over tls"
    expect(http.get_object, "InvalidRequest", 400, Bucket="tls-only", Key="c", **sse_c())
    # Non-SSE-C requests over HTTP are unaffected.
    http.put_object(Bucket="tls-only", Key="p", Body=b"plain")
    assert http.get_object(Bucket="tls-only", Key="p")["Body"].read() == b"plain"


def test_sse_c_allowed_over_http_by_default_flag_off(start_sealstack):
    server = start_sealstack(extra_args=["--sse-c-blocked-by-default", "false"])
    s3 = s3_client(server.endpoint)
    s3.create_bucket(Bucket="http-ok")
    s3.put_object(Bucket="http-ok", Key="c", Body=b"x", **sse_c())
    assert s3.get_object(Bucket="http-ok", Key="c", **sse_c())["Body"].read() == b"x"
    assert hashlib.md5(KEY_A).digest() == base64.b64decode(key_md5(KEY_A))
