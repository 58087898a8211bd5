"""S3 browser-based uploads (POST Object) with boto3's generate_presigned_post and `requests`
posting the multipart/form-data form, as a browser would: the policy's signature authenticates
the upload, its conditions are enforced with AWS's codes (403 AccessDenied "Invalid according to
Policy: ...", 400 EntityTooSmall / EntityTooLarge, 403 SignatureDoesNotMatch), and the upload is
a PutObject in every other respect (SSE-S3, SSE-KMS with key id and context, SSE-C, metadata,
success_action_status / redirect). Codes follow AWS's documentation and ceph's s3-tests
test_post_object_* (docs/s3.md, "Browser uploads (POST Object)")."""

import base64
import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, client, parse_s3_error
from s3_helpers import (KEY_A, b64, key_md5, module_servers, restore_clock,  # noqa: F401
                        s3_client, unblock_sse_c)

BUCKET = "post-uploads"


@pytest.fixture(scope="module")
def server(module_servers):
    srv = module_servers.start()
    s3 = s3_client(srv.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    unblock_sse_c(srv.endpoint, BUCKET)
    return srv


@pytest.fixture
def s3(server):
    """Signs presigned POSTs with SigV4 (boto3 signs them with SigV2 unless told s3v4)."""
    return s3_client(server.endpoint, signature_version="s3v4")


@pytest.fixture
def s3_v2(server):
    """boto3's default: a SigV2 policy signature (AWSAccessKeyId + signature)."""
    return s3_client(server.endpoint)


def post(presigned, body=b"hello", filename="hello.txt", extra=None, drop=(), file_type=None):
    """POSTs the presigned form with `body` as its file part (fields first, file last)."""
    fields = {k: v for k, v in presigned["fields"].items() if k not in drop}
    fields.update(extra or {})
    files = [(k, (None, v)) for k, v in fields.items()]
    files.append(("file", (filename, body, file_type or "application/octet-stream")))
    return requests.post(presigned["url"], files=files, timeout=HTTP_TIMEOUT,
                         allow_redirects=False)


def error_of(resp):
    err = parse_s3_error(resp.content)
    return resp.status_code, err.get("Code"), err.get("Message")


def test_sigv2_form_as_boto3_signs_it_by_default(s3_v2, s3):
    p = s3_v2.generate_presigned_post(BUCKET, "v2.txt")
    assert "AWSAccessKeyId" in p["fields"] and "signature" in p["fields"]
    r = post(p, b"v2 body")
    assert r.status_code == 204, r.text
    assert s3.get_object(Bucket=BUCKET, Key="v2.txt")["Body"].read() == b"v2 body"
    forged = dict(p, fields=dict(p["fields"], signature="AAAA" + p["fields"]["signature"][4:]))
    assert error_of(post(forged))[:2] == (403, "SignatureDoesNotMatch")
    # As on AWS, SSE-KMS needs SigV4.
    fields = {"x-amz-server-side-encryption": "aws:kms"}
    p = s3_v2.generate_presigned_post(BUCKET, "v2-kms.txt", Fields=fields, Conditions=[fields])
    assert error_of(post(p))[:2] == (400, "InvalidArgument")


def test_plain_upload_answers_204_and_stores_the_file(s3):
    p = s3.generate_presigned_post(BUCKET, "plain.txt")
    r = post(p, b"plain body")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert r.headers["ETag"].strip('"')
    assert r.headers["x-amz-server-side-encryption"] == "AES256"
    got = s3.get_object(Bucket=BUCKET, Key="plain.txt")
    assert got["Body"].read() == b"plain body"
    assert got["ETag"] == r.headers["ETag"]
    assert got["ServerSideEncryption"] == "AES256"


def test_filename_variable_metadata_and_content_type(s3):
    p = s3.generate_presigned_post(
        BUCKET, "user/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "alice"},
        Conditions=[["starts-with", "$key", "user/"], {"Content-Type": "text/plain"},
                    ["starts-with", "$x-amz-meta-owner", ""]])
    r = post(p, b"named", filename="report.txt")
    assert r.status_code == 204, r.text
    head = s3.head_object(Bucket=BUCKET, Key="user/report.txt")
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"owner": "alice"}


def test_sse_kms_with_key_and_context(server, s3):
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]
    context = b64(json.dumps({"tenant": "t1"}).encode())
    fields = {"x-amz-server-side-encryption": "aws:kms",
              "x-amz-server-side-encryption-aws-kms-key-id": key["KeyId"],
              "x-amz-server-side-encryption-context": context}
    p = s3.generate_presigned_post(BUCKET, "kms.bin", Fields=fields,
                                   Conditions=[{k: v} for k, v in fields.items()])
    r = post(p, b"secret kms data")
    assert r.status_code == 204, r.text
    assert r.headers["x-amz-server-side-encryption"] == "aws:kms"
    assert r.headers["x-amz-server-side-encryption-aws-kms-key-id"] == key["Arn"]
    head = s3.head_object(Bucket=BUCKET, Key="kms.bin")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key["Arn"]
    assert s3.get_object(Bucket=BUCKET, Key="kms.bin")["Body"].read() == b"secret kms data"
    # The context is bound: the data key was made with it (and the object ARN).
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(Exception) as info:
        s3.get_object(Bucket=BUCKET, Key="kms.bin")
    assert "Disabled" in str(info.value)


def test_sse_s3_asked_for(s3):
    p = s3.generate_presigned_post(BUCKET, "sse-s3.bin",
                                   Fields={"x-amz-server-side-encryption": "AES256"},
                                   Conditions=[{"x-amz-server-side-encryption": "AES256"}])
    r = post(p, b"aes body")
    assert r.status_code == 204, r.text
    assert s3.head_object(Bucket=BUCKET, Key="sse-s3.bin")["ServerSideEncryption"] == "AES256"


def test_sse_c(s3):
    fields = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
              "x-amz-server-side-encryption-customer-key": b64(KEY_A),
              "x-amz-server-side-encryption-customer-key-MD5": key_md5(KEY_A)}
    p = s3.generate_presigned_post(BUCKET, "ssec.bin", Fields=fields,
                                   Conditions=[{k: v} for k, v in fields.items()])
    r = post(p, b"customer keyed")
    assert r.status_code == 204, r.text
    assert r.headers["x-amz-server-side-encryption-customer-algorithm"] == "AES256"
    with pytest.raises(Exception):
        s3.get_object(Bucket=BUCKET, Key="ssec.bin")  # no key: refused
    got = s3.get_object(Bucket=BUCKET, Key="ssec.bin", SSECustomerAlgorithm="AES256",
                        SSECustomerKey=KEY_A)
    assert got["Body"].read() == b"customer keyed"


def test_success_action_status_201_answers_post_response(s3):
    p = s3.generate_presigned_post(BUCKET, "created.txt",
                                   Fields={"success_action_status": "201"},
                                   Conditions=[{"success_action_status": "201"}])
    r = post(p, b"created")
    assert r.status_code == 201, r.text
    doc = ET.fromstring(r.content)
    tags = {child.tag.split("}")[-1]: child.text for child in doc}
    assert doc.tag.split("}")[-1] == "PostResponse"
    assert tags["Bucket"] == BUCKET
    assert tags["Key"] == "created.txt"
    assert tags["ETag"] == r.headers["ETag"]
    assert tags["Location"].endswith(f"/{BUCKET}/created.txt")


def test_success_action_status_200(s3):
    p = s3.generate_presigned_post(BUCKET, "ok200.txt", Fields={"success_action_status": "200"},
                                   Conditions=[{"success_action_status": "200"}])
    r = post(p)
    assert r.status_code == 200 and r.content == b"", r.text


def test_success_action_redirect(s3):
    target = "https://example.com/done?from=form"
    p = s3.generate_presigned_post(BUCKET, "redirected.txt",
                                   Fields={"success_action_redirect": target},
                                   Conditions=[{"success_action_redirect": target}])
    r = post(p, b"go")
    assert r.status_code == 303, r.text
    location = urlparse(r.headers["Location"])
    assert location.netloc == "example.com" and location.path == "/done"
    q = parse_qs(location.query)
    etag = s3.head_object(Bucket=BUCKET, Key="redirected.txt")["ETag"]
    assert q == {"from": ["form"], "bucket": [BUCKET], "key": ["redirected.txt"], "etag": [etag]}


def test_content_length_range(s3):
    p = s3.generate_presigned_post(BUCKET, "sized.bin",
                                   Conditions=[["content-length-range", 10, 20]])
    status, code, _ = error_of(post(p, b"short"))
    assert (status, code) == (400, "EntityTooSmall")
    status, code, _ = error_of(post(p, b"x" * 100_000))
    assert (status, code) == (400, "EntityTooLarge")
    with pytest.raises(Exception):
        s3.head_object(Bucket=BUCKET, Key="sized.bin")  # neither upload left an object
    assert post(p, b"just right!").status_code == 204


def test_starts_with_condition_failed(s3):
    p = s3.generate_presigned_post(BUCKET, "other/x.txt",
                                   Conditions=[["starts-with", "$key", "user/"]])
    status, code, message = error_of(post(p))
    assert (status, code) == (403, "AccessDenied")
    assert message == ('Invalid according to Policy: Policy Condition failed: '
                       '["starts-with", "$key", "user/"]')


def test_extra_field_is_refused(s3):
    p = s3.generate_presigned_post(BUCKET, "extra.txt")
    status, code, message = error_of(post(p, extra={"x-amz-meta-sneaky": "1"}))
    assert (status, code) == (403, "AccessDenied")
    assert message == "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky"
    # x-ignore-* fields need no condition.
    assert post(p, extra={"x-ignore-note": "1"}).status_code == 204


def test_bad_signature(s3):
    p = s3.generate_presigned_post(BUCKET, "badsig.txt")
    sig = p["fields"]["x-amz-signature"]
    forged = ("0" if sig[0] != "0" else "1") + sig[1:]
    status, code, _ = error_of(post(p, extra={"x-amz-signature": forged}))
    assert (status, code) == (403, "SignatureDoesNotMatch")
    # A policy changed after signing does not match its signature either.
    doc = json.loads(base64.b64decode(p["fields"]["policy"]))
    doc["conditions"].append(["starts-with", "$x-amz-meta-a", ""])
    status, code, _ = error_of(post(p, extra={"policy": b64(json.dumps(doc).encode())}))
    assert (status, code) == (403, "SignatureDoesNotMatch")


def test_unknown_access_key(server):
    other = s3_client(server.endpoint, key="AKIDUNKNOWN", secret="nope", signature_version="s3v4")
    p = other.generate_presigned_post(BUCKET, "unknown.txt")
    status, code, _ = error_of(post(p))
    assert (status, code) == (403, "InvalidAccessKeyId")


def test_missing_key_and_missing_signature_fields(s3):
    p = s3.generate_presigned_post(BUCKET, "k.txt")
    status, code, message = error_of(post(p, drop=("key",)))
    assert (status, code) == (400, "InvalidArgument")
    assert message.startswith("Bucket POST must contain a field named 'key'.")
    status, code, message = error_of(post(p, drop=("x-amz-signature",)))
    assert (status, code) == (400, "InvalidArgument")
    assert "x-amz-signature" in message
    status, code, _ = error_of(post(p, drop=("policy", "x-amz-signature")))
    assert (status, code) == (403, "AccessDenied")


def test_fields_after_the_file_are_ignored_and_no_file_is_an_error(s3):
    p = s3.generate_presigned_post(BUCKET, "after.txt")
    files = [(k, (None, v)) for k, v in p["fields"].items()]
    no_file = requests.post(p["url"], files=files, timeout=HTTP_TIMEOUT)
    assert error_of(no_file)[:2] == (400, "IncorrectNumberOfFilesInPostRequest")
    files.append(("file", ("a.txt", b"data", "text/plain")))
    files.append(("x-amz-meta-late", (None, "ignored")))
    r = requests.post(p["url"], files=files, timeout=HTTP_TIMEOUT)
    assert r.status_code == 204, r.text
    assert s3.head_object(Bucket=BUCKET, Key="after.txt")["Metadata"] == {}


def test_fields_before_the_file_are_bounded(s3):
    p = s3.generate_presigned_post(BUCKET, "big-fields.txt",
                                   Conditions=[["starts-with", "$x-ignore-pad", ""]])
    status, code, _ = error_of(post(p, extra={"x-ignore-pad": "p" * 30_000}))
    assert (status, code) == (400, "MaxPostPreDataLengthExceededError")


def test_large_file_streams(s3):
    body = bytes(range(256)) * 40_000  # ~10 MiB, crossing many buffer refills
    p = s3.generate_presigned_post(BUCKET, "large.bin")
    r = post(p, body)
    assert r.status_code == 204, r.text
    assert s3.get_object(Bucket=BUCKET, Key="large.bin")["Body"].read() == body


def test_bucket_policy_applies(server, s3):
    s3.create_bucket(Bucket="post-denied")
    s3.put_bucket_policy(Bucket="post-denied", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": "arn:aws:s3:::post-denied/*",
                       "Condition": {"StringNotEquals": {
                           "s3:x-amz-server-side-encryption": "aws:kms"}}}]}))
    p = s3.generate_presigned_post("post-denied", "x.txt")
    status, code, _ = error_of(post(p))
    assert (status, code) == (403, "AccessDenied")
    fields = {"x-amz-server-side-encryption": "aws:kms"}
    p = s3.generate_presigned_post("post-denied", "y.txt", Fields=fields,
                                   Conditions=[fields])
    assert post(p).status_code == 204


def test_expired_policy_after_clock_advance(server, s3):
    p = s3.generate_presigned_post(BUCKET, "expiring.txt", ExpiresIn=60)
    try:
        r = requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 120},
                          timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text
        status, code, message = error_of(post(p))
        assert (status, code) == (403, "AccessDenied")
        assert message == "Invalid according to Policy: Policy expired."
        # A policy signed after the advance lives its whole minute of server time.
        fresh = s3.generate_presigned_post(BUCKET, "expiring.txt", ExpiresIn=60)
        assert post(fresh).status_code == 204
    finally:
        restore_clock(server)


def test_no_plaintext_at_rest(start_sealstack, tmp_path):
    data_dir = tmp_path / "data"
    srv = start_sealstack(extra_args=["--data-dir", str(data_dir)])
    s3 = s3_client(srv.endpoint, signature_version="s3v4")
    kms = client("kms", srv.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="rest")
    canary = b"POST-PLAINTEXT-CANARY-" * 4000
    fields = {"x-amz-server-side-encryption": "aws:kms",
              "x-amz-server-side-encryption-aws-kms-key-id": key}
    p = s3.generate_presigned_post("rest", "kms", Fields=fields,
                                   Conditions=[{k: v} for k, v in fields.items()])
    assert post(p, canary).status_code == 204
    p = s3.generate_presigned_post("rest", "s3")
    assert post(p, canary).status_code == 204
    assert s3.get_object(Bucket="rest", Key="kms")["Body"].read() == canary
    srv.stop()
    raw = b"".join(f.read_bytes() for f in data_dir.rglob("*") if f.is_file())
    assert len(raw) > 2 * len(canary)
    assert b"POST-PLAINTEXT-CANARY" not in raw


def test_tagging_field_sets_the_object_tags(s3):
    good = ("<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet>"
            "</Tagging>")
    p = s3.generate_presigned_post(BUCKET, "tagged.txt", Fields={"tagging": good},
                                   Conditions=[["starts-with", "$tagging", ""]])
    assert post(p).status_code == 204
    assert s3.get_object_tagging(Bucket=BUCKET, Key="tagged.txt")["TagSet"] == [
        {"Key": "team", "Value": "blue"}]
    eleven = "".join(f"<Tag><Key>k{i}</Key><Value>v</Value></Tag>" for i in range(11))
    p = s3.generate_presigned_post(BUCKET, "eleven.txt",
                                   Fields={"tagging": f"<Tagging><TagSet>{eleven}</TagSet></Tagging>"},
                                   Conditions=[["starts-with", "$tagging", ""]])
    assert error_of(post(p))[:2] == (400, "BadRequest")
    p = s3.generate_presigned_post(BUCKET, "tagged.txt", Fields={"tagging": "<Tagging>"},
                                   Conditions=[["starts-with", "$tagging", ""]])
    assert error_of(post(p))[:2] == (400, "MalformedXML")
