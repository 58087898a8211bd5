"""Multipart uploads with real clients (PROTOCOL 4.3, 3.2, 3.4, 3.5): boto3's managed transfer
in SSE-KMS and SSE-C, multipart ETags, ListParts / ListMultipartUploads shapes and paging,
abort, the part-list errors, SSE-C repeated on every part, UploadPartCopy with a range,
GetObject ?partNumber, a KMS key disabled mid-upload, composite CRC32 checksums and the default
full-object CRC64NVME of uploads created without an algorithm.
One server for the module; every test uses its own bucket."""

import base64
import hashlib
import os
import re
import zlib

import pytest
from boto3.s3.transfer import TransferConfig

from aws_helpers import client
import xml.etree.ElementTree as ET

from aws_helpers import signed_request
from s3_helpers import (KEY_A, KEY_B, MIB, crc64nvme, expect, module_servers,  # noqa: F401
                        s3_client, sse_c, sse_c_bucket)

PART = 5 * MIB
MULTIPART_ETAG = re.compile(r'^"[0-9a-f]{32}-(\d+)"$')


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
def big():
    """9 MiB + a bit: above boto3's 8 MiB multipart threshold, so two parts."""
    return os.urandom(9 * MIB + 12345)


def _etag_of_parts(part_bodies):
    digests = b"".join(hashlib.md5(p).digest() for p in part_bodies)
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(), len(part_bodies))


def test_upload_file_sse_kms_round_trip(s3, kms, big, tmp_path):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="mp-kms")
    src = tmp_path / "big.bin"
    src.write_bytes(big)
    s3.upload_file(str(src), "mp-kms", "big.bin",
                   ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key})
    head = s3.head_object(Bucket="mp-kms", Key="big.bin")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key)
    assert head["ContentLength"] == len(big)
    m = MULTIPART_ETAG.match(head["ETag"])
    assert m and int(m.group(1)) == 2, head["ETag"]
    dst = tmp_path / "back.bin"
    s3.download_file("mp-kms", "big.bin", str(dst))
    assert dst.read_bytes() == big


def test_upload_file_sse_c_round_trip(s3, server, big, tmp_path):
    sse_c_bucket(s3, server.endpoint, "mp-ssec")
    src = tmp_path / "big.bin"
    src.write_bytes(big)
    s3.upload_file(str(src), "mp-ssec", "c.bin", ExtraArgs=sse_c())
    head = s3.head_object(Bucket="mp-ssec", Key="c.bin", **sse_c())
    assert head["SSECustomerAlgorithm"] == "AES256"
    assert "ServerSideEncryption" not in head
    assert MULTIPART_ETAG.match(head["ETag"]), head["ETag"]
    got = s3.get_object(Bucket="mp-ssec", Key="c.bin", **sse_c())
    assert got["Body"].read() == big
    expect(s3.get_object, "InvalidRequest", 400, Bucket="mp-ssec", Key="c.bin")
    expect(s3.get_object, "AccessDenied", 403, Bucket="mp-ssec", Key="c.bin", **sse_c(KEY_B))


def test_multipart_etag_list_parts_and_part_number_get(s3):
    s3.create_bucket(Bucket="mp-etag")
    parts = [os.urandom(PART), os.urandom(PART), os.urandom(1000)]
    up = s3.create_multipart_upload(Bucket="mp-etag", Key="obj", ContentType="text/x-mp",
                                    Metadata={"m": "v"})
    assert (up["Bucket"], up["Key"]) == ("mp-etag", "obj") and up["UploadId"]
    assert up["ServerSideEncryption"] == "AES256"
    uid = up["UploadId"]
    etags = []
    for i, body in enumerate(parts, 1):
        r = s3.upload_part(Bucket="mp-etag", Key="obj", UploadId=uid, PartNumber=i, Body=body)
        assert r["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()  # SSE-S3 part: its MD5
        assert r["ServerSideEncryption"] == "AES256"
        etags.append(r["ETag"])

    # ListParts: shape and paging through max-parts / part-number-marker.
    first = s3.list_parts(Bucket="mp-etag", Key="obj", UploadId=uid, MaxParts=2)
    assert (first["Bucket"], first["Key"], first["UploadId"]) == ("mp-etag", "obj", uid)
    assert first["IsTruncated"] is True and first["MaxParts"] == 2
    assert first["NextPartNumberMarker"] == 2
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in first["Parts"]] == \
        [(1, etags[0], PART), (2, etags[1], PART)]
    assert all("LastModified" in p for p in first["Parts"])
    assert first["Initiator"]["ID"] and first["Owner"]["ID"]
    assert first["StorageClass"] == "STANDARD"
    rest = s3.list_parts(Bucket="mp-etag", Key="obj", UploadId=uid, PartNumberMarker=2)
    assert rest["IsTruncated"] is False and rest["PartNumberMarker"] == 2
    assert [(p["PartNumber"], p["Size"]) for p in rest["Parts"]] == [(3, 1000)]
    paged = [p["PartNumber"] for page in s3.get_paginator("list_parts").paginate(
        Bucket="mp-etag", Key="obj", UploadId=uid, PaginationConfig={"PageSize": 1})
        for p in page.get("Parts", [])]
    assert paged == [1, 2, 3]

    # Not visible before Complete.
    expect(s3.get_object, "NoSuchKey", 404, Bucket="mp-etag", Key="obj")
    done = s3.complete_multipart_upload(
        Bucket="mp-etag", Key="obj", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": i, "ETag": e} for i, e in enumerate(etags, 1)]})
    assert done["ETag"] == _etag_of_parts(parts)
    assert (done["Bucket"], done["Key"]) == ("mp-etag", "obj")
    assert done["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket="mp-etag", Key="obj")
    assert got["ETag"] == done["ETag"] and got["ContentType"] == "text/x-mp"
    assert got["Metadata"] == {"m": "v"}
    assert got["Body"].read() == b"".join(parts)

    # GetObject ?partNumber=2: that part, 206, with x-amz-mp-parts-count.
    p2 = s3.get_object(Bucket="mp-etag", Key="obj", PartNumber=2)
    assert p2["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert p2["PartsCount"] == 3
    assert p2["ContentLength"] == PART
    assert p2["ContentRange"] == f"bytes {PART}-{2 * PART - 1}/{2 * PART + 1000}"
    assert p2["Body"].read() == parts[1]
    h3 = s3.head_object(Bucket="mp-etag", Key="obj", PartNumber=3)
    assert (h3["ContentLength"], h3["PartsCount"]) == (1000, 3)
    # The upload is gone once completed.
    expect(s3.list_parts, "NoSuchUpload", 404, Bucket="mp-etag", Key="obj", UploadId=uid)


def test_list_multipart_uploads_shape_and_paging(s3):
    s3.create_bucket(Bucket="mp-list")
    ids = {}
    for key in ("a/1", "a/2", "b/1"):
        ids[key] = s3.create_multipart_upload(Bucket="mp-list", Key=key)["UploadId"]
    listed = s3.list_multipart_uploads(Bucket="mp-list")
    assert listed["Bucket"] == "mp-list" and listed["IsTruncated"] is False
    assert [(u["Key"], u["UploadId"]) for u in listed["Uploads"]] == \
        [(k, ids[k]) for k in ("a/1", "a/2", "b/1")]
    for u in listed["Uploads"]:
        assert u["Initiator"]["ID"] and u["Owner"]["ID"] and u["StorageClass"] == "STANDARD"
        assert u["Initiated"].year >= 2024
    page = s3.list_multipart_uploads(Bucket="mp-list", MaxUploads=2)
    assert page["IsTruncated"] is True and page["MaxUploads"] == 2
    assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("a/2", ids["a/2"])
    after = s3.list_multipart_uploads(Bucket="mp-list", KeyMarker="a/2",
                                      UploadIdMarker=ids["a/2"])
    assert [u["Key"] for u in after["Uploads"]] == ["b/1"]
    paged = [u["Key"] for pg in s3.get_paginator("list_multipart_uploads").paginate(
        Bucket="mp-list", PaginationConfig={"PageSize": 1}) for u in pg.get("Uploads", [])]
    assert paged == ["a/1", "a/2", "b/1"]
    grouped = s3.list_multipart_uploads(Bucket="mp-list", Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/", "b/"]
    assert grouped.get("Uploads", []) == []
    pre = s3.list_multipart_uploads(Bucket="mp-list", Prefix="a/")
    assert [u["Key"] for u in pre["Uploads"]] == ["a/1", "a/2"]
    for key, uid in ids.items():
        s3.abort_multipart_upload(Bucket="mp-list", Key=key, UploadId=uid)
    assert s3.list_multipart_uploads(Bucket="mp-list").get("Uploads", []) == []


def test_abort_then_no_such_upload(s3):
    s3.create_bucket(Bucket="mp-abort")
    uid = s3.create_multipart_upload(Bucket="mp-abort", Key="k")["UploadId"]
    etag = s3.upload_part(Bucket="mp-abort", Key="k", UploadId=uid, PartNumber=1,
                          Body=b"part")["ETag"]
    r = s3.abort_multipart_upload(Bucket="mp-abort", Key="k", UploadId=uid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect(s3.upload_part, "NoSuchUpload", 404, Bucket="mp-abort", Key="k", UploadId=uid,
           PartNumber=2, Body=b"x")
    expect(s3.complete_multipart_upload, "NoSuchUpload", 404, Bucket="mp-abort", Key="k",
           UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    expect(s3.list_parts, "NoSuchUpload", 404, Bucket="mp-abort", Key="k", UploadId=uid)
    expect(s3.abort_multipart_upload, "NoSuchUpload", 404, Bucket="mp-abort", Key="k",
           UploadId=uid)
    expect(s3.list_parts, "NoSuchUpload", 404, Bucket="mp-abort", Key="k",
           UploadId="not-an-upload-id")
    expect(s3.get_object, "NoSuchKey", 404, Bucket="mp-abort", Key="k")
    assert s3.list_objects_v2(Bucket="mp-abort")["KeyCount"] == 0


def test_part_list_errors(s3):
    s3.create_bucket(Bucket="mp-errors")
    # EntityTooSmall: a non-last part under 5 MiB.
    uid = s3.create_multipart_upload(Bucket="mp-errors", Key="small")["UploadId"]
    e1 = s3.upload_part(Bucket="mp-errors", Key="small", UploadId=uid, PartNumber=1,
                        Body=b"a" * 1024)["ETag"]
    e2 = s3.upload_part(Bucket="mp-errors", Key="small", UploadId=uid, PartNumber=2,
                        Body=b"b" * 1024)["ETag"]
    expect(s3.complete_multipart_upload, "EntityTooSmall", 400, Bucket="mp-errors", Key="small",
           UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1},
                                                    {"PartNumber": 2, "ETag": e2}]})
    # InvalidPart: an ETag that is not the part's; a part never uploaded.
    expect(s3.complete_multipart_upload, "InvalidPart", 400, Bucket="mp-errors", Key="small",
           UploadId=uid, MultipartUpload={"Parts": [
               {"PartNumber": 1, "ETag": '"%s"' % hashlib.md5(b"other").hexdigest()}]})
    expect(s3.complete_multipart_upload, "InvalidPart", 400, Bucket="mp-errors", Key="small",
           UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 7, "ETag": e1}]})
    # InvalidPartOrder: descending part numbers.
    expect(s3.complete_multipart_upload, "InvalidPartOrder", 400, Bucket="mp-errors",
           Key="small", UploadId=uid, MultipartUpload={"Parts": [
               {"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    # The upload survives failed completes; a single (last) small part completes.
    done = s3.complete_multipart_upload(Bucket="mp-errors", Key="small", UploadId=uid,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
    assert done["ETag"] == _etag_of_parts([b"a" * 1024])
    assert s3.get_object(Bucket="mp-errors", Key="small")["Body"].read() == b"a" * 1024
    # Part numbers are 1..10000.
    uid2 = s3.create_multipart_upload(Bucket="mp-errors", Key="n")["UploadId"]
    expect(s3.upload_part, "InvalidArgument", 400, Bucket="mp-errors", Key="n", UploadId=uid2,
           PartNumber=10001, Body=b"x")


def test_sse_c_must_be_repeated_on_every_part(s3, server):
    sse_c_bucket(s3, server.endpoint, "mp-ssec-parts")
    up = s3.create_multipart_upload(Bucket="mp-ssec-parts", Key="k", **sse_c())
    assert up["SSECustomerAlgorithm"] == "AES256"
    assert up["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(KEY_A).digest()).decode()
    uid = up["UploadId"]
    err = expect(s3.upload_part, "InvalidRequest", 400, Bucket="mp-ssec-parts", Key="k",
                 UploadId=uid, PartNumber=1, Body=b"x")
    assert "must include the appropriate encryption parameters" in err["Message"]
    err = expect(s3.upload_part, "InvalidRequest", 400, Bucket="mp-ssec-parts", Key="k",
                 UploadId=uid, PartNumber=1, Body=b"x", **sse_c(KEY_B))
    assert err["Message"] == \
        "The provided encryption parameters did not match the ones used originally."
    part = s3.upload_part(Bucket="mp-ssec-parts", Key="k", UploadId=uid, PartNumber=1,
                          Body=b"customer part", **sse_c())
    assert part["SSECustomerAlgorithm"] == "AES256"
    done = s3.complete_multipart_upload(
        Bucket="mp-ssec-parts", Key="k", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert MULTIPART_ETAG.match(done["ETag"])
    assert s3.get_object(Bucket="mp-ssec-parts", Key="k", **sse_c())["Body"].read() == \
        b"customer part"
    # SSE-C trio on a part of a non-SSE-C upload: "missing/extra" row of PROTOCOL 3.4.
    uid2 = s3.create_multipart_upload(Bucket="mp-ssec-parts", Key="plain")["UploadId"]
    expect(s3.upload_part, "InvalidRequest", 400, Bucket="mp-ssec-parts", Key="plain",
           UploadId=uid2, PartNumber=1, Body=b"x", **sse_c())


def test_upload_part_copy_with_range(s3, kms):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="mp-copy")
    src = os.urandom(PART + 4096)
    s3.put_object(Bucket="mp-copy", Key="src", Body=src, ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    up = s3.create_multipart_upload(Bucket="mp-copy", Key="dst")
    uid = up["UploadId"]
    c1 = s3.upload_part_copy(Bucket="mp-copy", Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": "mp-copy", "Key": "src"},
                             CopySourceRange=f"bytes=0-{PART - 1}")
    assert c1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(src[:PART]).hexdigest()
    assert "LastModified" in c1["CopyPartResult"]
    c2 = s3.upload_part_copy(Bucket="mp-copy", Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": "mp-copy", "Key": "src"},
                             CopySourceRange=f"bytes={PART + 96}-{PART + 4095}")
    parts = s3.list_parts(Bucket="mp-copy", Key="dst", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, PART), (2, 4000)]
    # A range outside the source: AWS answers InvalidArgument (versitygw issue #610 quotes it).
    err = expect(s3.upload_part_copy, "InvalidArgument", 400, Bucket="mp-copy", Key="dst", UploadId=uid,
           PartNumber=3, CopySource={"Bucket": "mp-copy", "Key": "src"},
           CopySourceRange=f"bytes={len(src)}-{len(src) + 10}")
    assert err["Message"] == f"Range specified is not valid for source object of size: {len(src)}"
    done = s3.complete_multipart_upload(Bucket="mp-copy", Key="dst", UploadId=uid,
                                        MultipartUpload={"Parts": [
                                            {"PartNumber": 1, "ETag": c1["CopyPartResult"]["ETag"]},
                                            {"PartNumber": 2, "ETag": c2["CopyPartResult"]["ETag"]}]})
    assert done["ServerSideEncryption"] == "AES256"  # the upload's mode, not the source's
    got = s3.get_object(Bucket="mp-copy", Key="dst")
    assert got["Body"].read() == src[:PART] + src[PART + 96:PART + 4096]


def test_key_disabled_between_create_and_upload_part(s3, kms):
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="mp-disabled")
    up = s3.create_multipart_upload(Bucket="mp-disabled", Key="k", ServerSideEncryption="aws:kms",
                                    SSEKMSKeyId=key)
    assert (up["ServerSideEncryption"], up["SSEKMSKeyId"]) == ("aws:kms", key)
    uid = up["UploadId"]
    p1 = s3.upload_part(Bucket="mp-disabled", Key="k", UploadId=uid, PartNumber=1, Body=b"one")
    assert p1["SSEKMSKeyId"] == key
    kms.disable_key(KeyId=key)
    err = expect(s3.upload_part, "KMS.DisabledException", 400, Bucket="mp-disabled", Key="k",
                 UploadId=uid, PartNumber=2, Body=b"two")
    assert err["Message"] == f"{key} is disabled."
    kms.enable_key(KeyId=key)
    s3.upload_part(Bucket="mp-disabled", Key="k", UploadId=uid, PartNumber=1, Body=b"again")
    parts = s3.list_parts(Bucket="mp-disabled", Key="k", UploadId=uid)["Parts"]
    done = s3.complete_multipart_upload(Bucket="mp-disabled", Key="k", UploadId=uid,
                                        MultipartUpload={"Parts": [
                                            {"PartNumber": p["PartNumber"], "ETag": p["ETag"]}
                                            for p in parts]})
    assert done["SSEKMSKeyId"] == key
    assert s3.get_object(Bucket="mp-disabled", Key="k")["Body"].read() == b"again"


def test_composite_crc32_checksum(s3):
    s3.create_bucket(Bucket="mp-crc")
    up = s3.create_multipart_upload(Bucket="mp-crc", Key="k", ChecksumAlgorithm="CRC32")
    assert up["ChecksumAlgorithm"] == "CRC32"
    uid = up["UploadId"]
    bodies = [os.urandom(PART), b"tail of the object"]
    crcs, parts = [], []
    for i, body in enumerate(bodies, 1):
        raw = zlib.crc32(body).to_bytes(4, "big")
        crcs.append(raw)
        r = s3.upload_part(Bucket="mp-crc", Key="k", UploadId=uid, PartNumber=i, Body=body,
                           ChecksumAlgorithm="CRC32")
        assert r["ChecksumCRC32"] == base64.b64encode(raw).decode()
        parts.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    listed = s3.list_parts(Bucket="mp-crc", Key="k", UploadId=uid)
    assert [p["ChecksumCRC32"] for p in listed["Parts"]] == [p["ChecksumCRC32"] for p in parts]
    assert listed["ChecksumAlgorithm"] == "CRC32"
    done = s3.complete_multipart_upload(Bucket="mp-crc", Key="k", UploadId=uid,
                                        MultipartUpload={"Parts": parts})
    want = base64.b64encode(zlib.crc32(b"".join(crcs)).to_bytes(4, "big")).decode() + "-2"
    assert done["ChecksumCRC32"] == want
    if "ChecksumType" in done:  # botocore >= 1.36
        assert done["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket="mp-crc", Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == want
    # A part checksum in Complete that is not the part's: InvalidPart.
    uid2 = s3.create_multipart_upload(Bucket="mp-crc", Key="k2", ChecksumAlgorithm="CRC32")["UploadId"]
    r = s3.upload_part(Bucket="mp-crc", Key="k2", UploadId=uid2, PartNumber=1, Body=b"abc",
                       ChecksumAlgorithm="CRC32")
    bad = base64.b64encode(zlib.crc32(b"xyz").to_bytes(4, "big")).decode()
    expect(s3.complete_multipart_upload, "InvalidPart", 400, Bucket="mp-crc", Key="k2",
           UploadId=uid2, MultipartUpload={"Parts": [
               {"PartNumber": 1, "ETag": r["ETag"], "ChecksumCRC32": bad}]})


def test_upload_without_algorithm_answers_default_full_object_crc64nvme(s3):
    """An upload created without x-amz-checksum-algorithm: S3 computes a full-object CRC64NVME
    (S3 User Guide, "Checking object integrity": objects uploaded without a checksum get the
    default CRC64NVME), answers it per part and in CompleteMultipartUpload with ChecksumType
    FULL_OBJECT, and does not keep it with the object or list it with the parts (as observed on
    AWS by versitygw, issue 1547). Raw requests, so that no SDK default checksum is sent."""
    ep = s3.meta.endpoint_url
    s3.create_bucket(Bucket="mp-default")
    r = signed_request(ep, "POST", "/mp-default/k", service="s3", params={"uploads": ""})
    assert r.status_code == 200, r.text
    assert "x-amz-checksum-algorithm" not in r.headers
    uid = ET.fromstring(r.content).findtext("{*}UploadId")
    bodies = [os.urandom(PART), b"the tail"]
    etags = []
    for i, body in enumerate(bodies, 1):
        r = signed_request(ep, "PUT", "/mp-default/k", service="s3", body=body,
                           params={"partNumber": str(i), "uploadId": uid})
        assert r.status_code == 200, r.text
        assert r.headers["x-amz-checksum-crc64nvme"] == crc64nvme(body)
        etags.append(r.headers["ETag"])
    listed = s3.list_parts(Bucket="mp-default", Key="k", UploadId=uid)
    assert "ChecksumAlgorithm" not in listed
    assert not any(k.startswith("Checksum") for p in listed["Parts"] for k in p)
    complete = "<CompleteMultipartUpload>%s</CompleteMultipartUpload>" % "".join(
        "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>" % (i, e)
        for i, e in enumerate(etags, 1))
    r = signed_request(ep, "POST", "/mp-default/k", service="s3", body=complete.encode(),
                       params={"uploadId": uid})
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)
    assert root.findtext("{*}ChecksumCRC64NVME") == crc64nvme(b"".join(bodies))
    assert root.findtext("{*}ChecksumType") == "FULL_OBJECT"
    head = s3.head_object(Bucket="mp-default", Key="k", ChecksumMode="ENABLED")
    assert not any(h.startswith("x-amz-checksum-")
                   for h in head["ResponseMetadata"]["HTTPHeaders"])
    assert s3.get_object(Bucket="mp-default", Key="k")["Body"].read() == b"".join(bodies)


def test_upload_without_algorithm_verifies_and_echoes_a_part_crc32(s3):
    """A part sent with its own CRC32 into an upload without an algorithm (what boto3 >= 1.36
    does by default): the CRC32 is verified and echoed, and the upload still completes with the
    default full-object CRC64NVME."""
    s3.create_bucket(Bucket="mp-default-crc32")
    up = s3.create_multipart_upload(Bucket="mp-default-crc32", Key="k32")
    body = b"one small part"
    r = s3.upload_part(Bucket="mp-default-crc32", Key="k32", UploadId=up["UploadId"], PartNumber=1,
                       Body=body, ChecksumAlgorithm="CRC32")
    headers = r["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-checksum-crc32"] == \
        base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert "x-amz-checksum-crc64nvme" not in headers
    bad = base64.b64encode(zlib.crc32(b"other").to_bytes(4, "big")).decode()
    err = expect(s3.upload_part, "BadDigest", 400, Bucket="mp-default-crc32", Key="k32",
                 UploadId=up["UploadId"], PartNumber=2, Body=body, ChecksumCRC32=bad)
    assert "CRC32" in err["Message"]
    r = signed_request(s3.meta.endpoint_url, "POST", "/mp-default-crc32/k32", service="s3",
                       params={"uploadId": up["UploadId"]},
                       body=("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
                             "<ETag>%s</ETag></Part></CompleteMultipartUpload>" % r["ETag"]).encode())
    assert r.status_code == 200, r.text
    assert ET.fromstring(r.content).findtext("{*}ChecksumCRC64NVME") == crc64nvme(body)


def test_part_number_beyond_the_object_is_416_invalid_part_number(s3):
    s3.create_bucket(Bucket="mp-partno")
    s3.put_object(Bucket="mp-partno", Key="k", Body=b"single part")
    assert s3.head_object(Bucket="mp-partno", Key="k", PartNumber=1)["ContentLength"] == 11
    err = expect(s3.get_object, "InvalidPartNumber", 416, Bucket="mp-partno", Key="k",
                 PartNumber=2)
    assert err["Message"] == "The requested partnumber is not satisfiable"
    r = signed_request(s3.meta.endpoint_url, "GET", "/mp-partno/k", service="s3",
                       params={"partNumber": "3"})
    assert r.status_code == 416
    root = ET.fromstring(r.content)
    assert (root.findtext("PartNumberRequested"), root.findtext("ActualPartCount")) == ("3", "1")


def test_complete_body_over_the_limit_is_max_message_length_exceeded(s3):
    s3.create_bucket(Bucket="mp-big-list")
    uid = s3.create_multipart_upload(Bucket="mp-big-list", Key="big-list")["UploadId"]
    body = b"<CompleteMultipartUpload>" + b" " * (4 << 20) + b"</CompleteMultipartUpload>"
    r = signed_request(s3.meta.endpoint_url, "POST", "/mp-big-list/big-list", service="s3",
                       params={"uploadId": uid}, body=body)
    assert r.status_code == 400, r.text
    root = ET.fromstring(r.content)
    assert (root.findtext("Code"), root.findtext("MaxMessageLengthBytes")) == \
        ("MaxMessageLengthExceeded", str(4 << 20))
    # The upload is still there: a refused Complete changes nothing.
    assert s3.list_parts(Bucket="mp-big-list", Key="big-list", UploadId=uid)["UploadId"] == uid
