"""S3 objects with real encryption at rest: PutObject/GetObject/HeadObject/DeleteObject in each
SSE mode, ranges, metadata, checksums, and KMS key state governing reads."""

import base64
import hashlib
import os
import sqlite3
import subprocess

import pytest
from botocore.exceptions import ClientError

from aws_helpers import client

CUSTOMER_KEY = bytes(range(32))


def _error(call):
    with pytest.raises(ClientError) as e:
        call()
    r = e.value.response
    return r["Error"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_sse_s3_by_default_with_ranges_and_metadata(sealstack):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="objects")
    body = os.urandom(200_000)  # several 64 KiB segments
    put = s3.put_object(Bucket="objects", Key="dir/a b+c.bin", Body=body,
                        Metadata={"envelope": "v1"}, ContentType="application/x-test")
    assert put["ServerSideEncryption"] == "AES256"
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()  # SSE-S3: the plaintext MD5
    got = s3.get_object(Bucket="objects", Key="dir/a b+c.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"envelope": "v1"}
    assert got["ServerSideEncryption"] == "AES256"
    for rng, want in (("bytes=0-0", body[:1]), ("bytes=65530-65545", body[65530:65546]),
                      ("bytes=-10", body[-10:]), ("bytes=199990-", body[199990:])):
        part = s3.get_object(Bucket="objects", Key="dir/a b+c.bin", Range=rng)
        assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert part["Body"].read() == want, rng
    err, status = _error(lambda: s3.get_object(Bucket="objects", Key="dir/a b+c.bin",
                                               Range="bytes=200000-"))
    assert (err["Code"], status) == ("InvalidRange", 416)
    head = s3.head_object(Bucket="objects", Key="dir/a b+c.bin")
    assert head["ContentLength"] == len(body)
    listed = s3.list_objects_v2(Bucket="objects")
    assert [o["Key"] for o in listed["Contents"]] == ["dir/a b+c.bin"]
    s3.delete_object(Bucket="objects", Key="dir/a b+c.bin")
    err, status = _error(lambda: s3.get_object(Bucket="objects", Key="dir/a b+c.bin"))
    assert (err["Code"], status) == ("NoSuchKey", 404)
    err, status = _error(lambda: s3.delete_bucket(Bucket="nope-nope"))
    assert (err["Code"], status) == ("NoSuchBucket", 404)


def test_precompressed_objects_are_stored_as_sent(sealstack, tmp_path):
    """A body uploaded with Content-Encoding gzip/deflate/br is stored and served byte for byte
    (S3 never inflates it; the encoding is metadata for its readers). The HTTP library used to
    inflate it first, so the signed payload hash no longer matched (XAmzContentSHA256Mismatch)."""
    import gzip
    import zlib
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="precompressed")
    text = b"static asset, served with Content-Encoding\n" * 200
    for key, encoding, body in (("app.js.gz", "gzip", gzip.compress(text)),
                                ("app.js.z", "deflate", zlib.compress(text)),
                                ("app.js.br", "br", os.urandom(64))):
        put = s3.put_object(Bucket="precompressed", Key=key, Body=body,
                            ContentEncoding=encoding, ContentType="text/javascript")
        assert put["ResponseMetadata"]["HTTPStatusCode"] == 200, key
        got = s3.get_object(Bucket="precompressed", Key=key)
        assert got["ContentEncoding"] == encoding
        assert got["ContentLength"] == len(body)
        assert got["Body"].read() == body, key
    assert gzip.decompress(s3.get_object(Bucket="precompressed",
                                         Key="app.js.gz")["Body"].read()) == text
    # The AWS CLI's upload of a gzipped file, as static-site deploy scripts do it.
    gz = tmp_path / "index.html.gz"
    gz.write_bytes(gzip.compress(b"<html>site</html>" * 50))
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", HOME=str(tmp_path))
    subprocess.run(["aws", "--endpoint-url", sealstack.endpoint, "s3", "cp", str(gz),
                    "s3://precompressed/index.html", "--content-encoding", "gzip",
                    "--content-type", "text/html"], check=True, env=env, capture_output=True)
    got = s3.get_object(Bucket="precompressed", Key="index.html")
    assert (got["ContentEncoding"], got["Body"].read()) == ("gzip", gz.read_bytes())


def test_sse_kms_reads_follow_the_key_state(sealstack):
    s3 = client("s3", sealstack.endpoint)
    kms = client("kms", sealstack.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="kms-objects")
    put = s3.put_object(Bucket="kms-objects", Key="k", Body=b"secret", ServerSideEncryption="aws:kms",
                        SSEKMSKeyId=key)
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", key)
    assert put["ETag"] != '"%s"' % hashlib.md5(b"secret").hexdigest()
    got = s3.get_object(Bucket="kms-objects", Key="k")
    assert got["Body"].read() == b"secret" and got["SSEKMSKeyId"] == key
    kms.disable_key(KeyId=key)
    err, status = _error(lambda: s3.get_object(Bucket="kms-objects", Key="k"))
    assert (err["Code"], status) == ("KMS.DisabledException", 400)
    assert err["Message"] == f"{key} is disabled."
    kms.enable_key(KeyId=key)
    assert s3.get_object(Bucket="kms-objects", Key="k")["Body"].read() == b"secret"
    # aws:kms without a key: the AWS-managed alias/aws/s3 key, created on first use.
    managed = s3.put_object(Bucket="kms-objects", Key="m", Body=b"x", ServerSideEncryption="aws:kms")
    desc = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert managed["SSEKMSKeyId"] == desc["Arn"] and desc["KeyManager"] == "AWS"
    err, status = _error(lambda: s3.put_object(Bucket="kms-objects", Key="n", Body=b"x",
                                               ServerSideEncryption="aws:kms",
                                               SSEKMSKeyId="alias/does-not-exist"))
    assert (err["Code"], status) == ("KMS.NotFoundException", 400)


def test_bucket_default_kms_and_sse_c(sealstack):
    s3 = client("s3", sealstack.endpoint)
    kms = client("kms", sealstack.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="default-kms")
    s3.put_bucket_encryption(Bucket="default-kms", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
        "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]}
        if "BlockedEncryptionTypes" in s3.meta.service_model.shape_for(
            "ServerSideEncryptionRule").members else
        {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                           "KMSMasterKeyID": key}}]})
    put = s3.put_object(Bucket="default-kms", Key="d", Body=b"by default")
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", key)
    if "BlockedEncryptionTypes" not in s3.meta.service_model.shape_for(
            "ServerSideEncryptionRule").members:
        return  # old botocore cannot unblock SSE-C on a new bucket
    sse_c = dict(SSECustomerAlgorithm="AES256", SSECustomerKey=CUSTOMER_KEY)
    put = s3.put_object(Bucket="default-kms", Key="c", Body=b"customer", **sse_c)
    assert put["SSECustomerAlgorithm"] == "AES256" and "ServerSideEncryption" not in put
    assert s3.get_object(Bucket="default-kms", Key="c", **sse_c)["Body"].read() == b"customer"
    err, status = _error(lambda: s3.get_object(Bucket="default-kms", Key="c"))
    assert (err["Code"], status) == ("InvalidRequest", 400)
    err, status = _error(lambda: s3.get_object(Bucket="default-kms", Key="c",
                                               SSECustomerAlgorithm="AES256",
                                               SSECustomerKey=b"\x01" * 32))
    assert (err["Code"], status) == ("AccessDenied", 403)


def test_sse_c_is_blocked_on_new_buckets(sealstack):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="blocked-c")
    err, status = _error(lambda: s3.put_object(Bucket="blocked-c", Key="c", Body=b"x",
                                               SSECustomerAlgorithm="AES256",
                                               SSECustomerKey=CUSTOMER_KEY))
    assert (err["Code"], status) == ("AccessDenied", 403)
    assert "blocked upload requests that specify Server Side Encryption with Customer" in err["Message"]


def test_checksums_are_verified_and_returned(sealstack):
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="checksums")
    body = b"checksummed body"
    put = s3.put_object(Bucket="checksums", Key="c", Body=body, ChecksumAlgorithm="SHA256")
    want = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert put["ChecksumSHA256"] == want
    got = s3.get_object(Bucket="checksums", Key="c", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == want and got["Body"].read() == body
    err, status = _error(lambda: s3.put_object(
        Bucket="checksums", Key="bad", Body=body,
        ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode()))
    assert (err["Code"], status) == ("BadDigest", 400)
    assert err["Message"] == "The Content-MD5 you specified did not match what we received."
    # As AWS answers: the digest sent echoed in hex, the one calculated in base64.
    assert err["ExpectedDigest"] == hashlib.md5(b"other").hexdigest()
    assert err["CalculatedDigest"] == base64.b64encode(hashlib.md5(body).digest()).decode()


def test_no_plaintext_or_key_at_rest(start_sealstack, tmp_path):
    data_dir = tmp_path / "data"
    server = start_sealstack(extra_args=["--data-dir", str(data_dir),
                                         "--sse-c-blocked-by-default", "false"])
    s3 = client("s3", server.endpoint)
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="at-rest")
    canary = b"PLAINTEXT-CANARY-" * 5000
    customer_key = b"SSE-C-CUSTOMER-KEY-CANARY-32byte"
    ssec = dict(SSECustomerAlgorithm="AES256", SSECustomerKey=customer_key.decode())
    s3.put_object(Bucket="at-rest", Key="s3", Body=canary)
    s3.put_object(Bucket="at-rest", Key="kms", Body=canary, ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    s3.put_object(Bucket="at-rest", Key="dsse", Body=canary,
                  ServerSideEncryption="aws:kms:dsse", SSEKMSKeyId=key)
    s3.put_object(Bucket="at-rest", Key="ssec", Body=canary, **ssec)
    upload = s3.create_multipart_upload(Bucket="at-rest", Key="mpu", **ssec)["UploadId"]
    part = s3.upload_part(Bucket="at-rest", Key="mpu", UploadId=upload, PartNumber=1,
                          Body=canary, **ssec)
    s3.complete_multipart_upload(Bucket="at-rest", Key="mpu", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.get_object(Bucket="at-rest", Key="kms")["Body"].read() == canary
    assert s3.get_object(Bucket="at-rest", Key="mpu", **ssec)["Body"].read() == canary
    # What the audit trail's request parameters hold: an encryption context (KMS), a table's
    # description and column comment written to an encrypted catalog (Glue). Each is kept only
    # sealed, in its store and in the trail.
    blob = kms.encrypt(KeyId=key, Plaintext=b"x",
                       EncryptionContext={"tenant": "CONTEXT-CANARY"})["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob,
                       EncryptionContext={"tenant": "CONTEXT-CANARY"})["Plaintext"] == b"x"
    glue = client("glue", server.endpoint)
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key}})
    glue.create_database(DatabaseInput={"Name": "sealed"})
    glue.create_table(DatabaseName="sealed", TableInput={
        "Name": "t", "Description": "TABLE-DESCRIPTION-CANARY",
        "StorageDescriptor": {"Columns": [{"Name": "c", "Type": "string",
                                           "Comment": "COLUMN-COMMENT-CANARY"}]}})
    table = glue.get_table(DatabaseName="sealed", Name="t")["Table"]
    assert table["Description"] == "TABLE-DESCRIPTION-CANARY"
    trail = client("cloudtrail", server.endpoint).lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateTable"}])
    assert "TABLE-DESCRIPTION-CANARY" in trail["Events"][0]["CloudTrailEvent"]
    server.stop()  # everything flushed and checkpointed: the files are all there is
    # Every file under the data directory: the database, its WAL and the body files.
    raw = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert len(raw) > 5 * len(canary)  # all five bodies are in there, sealed
    canaries = [b"PLAINTEXT-CANARY", b"CONTEXT-CANARY", b"TABLE-DESCRIPTION-CANARY",
                b"COLUMN-COMMENT-CANARY"]
    for c in canaries:
        assert c not in raw, c
    assert customer_key not in raw
    assert base64.b64encode(customer_key) not in raw
    db = sqlite3.connect(f"file:{data_dir / 'sealstack.db'}?mode=ro", uri=True)
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in db.execute(f"SELECT * FROM {table}"):
            for cell in row:
                if isinstance(cell, (bytes, str)):
                    data = cell.encode() if isinstance(cell, str) else cell
                    for c in canaries:
                        assert c not in data, (table, c)
                    assert customer_key not in data and base64.b64encode(customer_key) \
                        not in data, table


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_cp_round_trip_with_sse(sealstack, cli, tmp_path):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1")
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(300_000))
    def run(*args):
        return subprocess.run([cli, "--endpoint-url", sealstack.endpoint, *args], env=env,
                              capture_output=True, text=True, timeout=120)
    assert run("s3", "mb", "s3://cli-objects").returncode == 0
    up = run("s3", "cp", str(src), "s3://cli-objects/f.bin", "--sse", "aws:kms")
    assert up.returncode == 0, up.stderr
    down = run("s3", "cp", "s3://cli-objects/f.bin", str(tmp_path / "dst.bin"))
    assert down.returncode == 0, down.stderr
    assert (tmp_path / "dst.bin").read_bytes() == src.read_bytes()


def test_admin_view_shows_how_an_object_is_protected(sealstack):
    import requests
    s3 = client("s3", sealstack.endpoint)
    kms = client("kms", sealstack.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    # botocore before 2025 drops CurrentKeyMaterialId from KeyMetadata.
    material = kms.describe_key(KeyId=key)["KeyMetadata"].get("CurrentKeyMaterialId")
    s3.create_bucket(Bucket="viewed")
    s3.put_object(Bucket="viewed", Key="dir/k 1", Body=os.urandom(150_000),
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    s3.put_object(Bucket="viewed", Key="plain", Body=b"x")
    view = requests.get(f"{sealstack.endpoint}/_sealstack/s3/viewed/dir/k%201", timeout=10).json()
    assert view["mode"] == "SSE-KMS" and view["kms_key_arn"] == key
    assert len(view["key_material_id"]) == 64
    if material is not None:
        assert view["key_material_id"] == material
    assert view["encryption_context"] == {"aws:s3:arn": "arn:aws:s3:::viewed/dir/k 1"}
    assert view["bucket_key"] is False
    assert (view["size"], view["segment_count"]) == (150_000, 3)
    assert not any("wrapped" in k or k in ("data_key", "plaintext") for k in view)
    plain = requests.get(f"{sealstack.endpoint}/_sealstack/s3/viewed/plain", timeout=10).json()
    assert plain["mode"] == "SSE-S3" and "kms_key_arn" not in plain
    missing = requests.get(f"{sealstack.endpoint}/_sealstack/s3/viewed/nope", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "NoSuchKey"
    # reset drops S3 state too
    assert requests.post(f"{sealstack.endpoint}/_sealstack/reset", timeout=10).json() == {}
    assert s3.list_buckets()["Buckets"] == []
