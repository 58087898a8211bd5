"""The AWS CLI (v1 as `aws`, v2 as `/usr/bin/aws`) against S3: `aws s3 cp` of a large file
(multipart) with --sse aws:kms --sse-kms-key-id and with --sse-c, `aws s3 sync --sse`,
`aws s3 ls --recursive`, `aws s3 rm --recursive`, `aws s3api put-bucket-policy /
get-bucket-policy`, and `aws s3 presign` fetched with requests, expired after the admin clock
moves on. One server for the module; each CLI gets its own buckets."""

import json
import os
import subprocess

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, client
from s3_helpers import (KEY_A, MIB, expect, module_servers, restore_clock, s3_client, sse_c,  # noqa: F401
                        sse_c_bucket)

CLIS = ["aws", "/usr/bin/aws"]


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start()


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "big.bin"
    path.write_bytes(os.urandom(9 * MIB + 777))  # > 8 MiB: the CLI goes multipart
    return path


def _tag(cli):
    return "v1" if cli == "aws" else "v2"


def _run(server, cli, *args, check=True):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    p = subprocess.run([cli, "--endpoint-url", server.endpoint, *args], env=env,
                       capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, f"{cli} {' '.join(args)}: rc {p.returncode}\n{p.stderr}"
    return p


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_cp_large_file_with_sse_kms(server, s3, cli, big, tmp_path):
    key = client("kms", server.endpoint).create_key()["KeyMetadata"]["Arn"]
    bucket = f"cli-kms-{_tag(cli)}"
    s3.create_bucket(Bucket=bucket)
    _run(server, cli, "s3", "cp", str(big), f"s3://{bucket}/big.bin", "--sse", "aws:kms",
         "--sse-kms-key-id", key)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key)
    assert head["ETag"].endswith('-2"'), head["ETag"]  # 8 MiB chunks: two parts
    _run(server, cli, "s3", "cp", f"s3://{bucket}/big.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_cp_large_file_with_sse_c(server, s3, cli, big, tmp_path):
    bucket = sse_c_bucket(s3, server.endpoint, f"cli-ssec-{_tag(cli)}")
    key_file = tmp_path / "key.bin"
    key_file.write_bytes(KEY_A)
    _run(server, cli, "s3", "cp", str(big), f"s3://{bucket}/c.bin", "--sse-c", "AES256",
         "--sse-c-key", f"fileb://{key_file}")
    head = s3.head_object(Bucket=bucket, Key="c.bin", **sse_c())
    assert head["SSECustomerAlgorithm"] == "AES256" and head["ContentLength"] == big.stat().st_size
    _run(server, cli, "s3", "cp", f"s3://{bucket}/c.bin", str(tmp_path / "back.bin"),
         "--sse-c", "AES256", "--sse-c-key", f"fileb://{key_file}")
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_sync_ls_rm_recursive(server, s3, cli, tmp_path):
    bucket = f"cli-sync-{_tag(cli)}"
    src = tmp_path / "tree"
    files = {"a.txt": b"a", "sub/b.txt": b"bb", "sub/deeper/c d.txt": b"ccc", "e.bin": b"\0" * 70000}
    for rel, data in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    s3.create_bucket(Bucket=bucket)
    _run(server, cli, "s3", "sync", str(src), f"s3://{bucket}/tree", "--sse", "aws:kms")
    for rel in files:
        head = s3.head_object(Bucket=bucket, Key=f"tree/{rel}")
        assert head["ServerSideEncryption"] == "aws:kms", rel
        assert head["ContentLength"] == len(files[rel])
    # A second sync uploads nothing.
    again = _run(server, cli, "s3", "sync", str(src), f"s3://{bucket}/tree", "--sse", "aws:kms")
    assert "upload:" not in again.stdout, again.stdout
    ls = _run(server, cli, "s3", "ls", "--recursive", f"s3://{bucket}/")
    listed = sorted(line.split(None, 3)[3] for line in ls.stdout.splitlines() if line.strip())
    assert listed == sorted(f"tree/{rel}" for rel in files)
    _run(server, cli, "s3", "rm", "--recursive", f"s3://{bucket}/tree/sub")
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == \
        ["tree/a.txt", "tree/e.bin"]


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_s3api_bucket_policy(server, s3, cli, tmp_path):
    bucket = f"cli-policy-{_tag(cli)}"
    s3.create_bucket(Bucket=bucket)
    missing = _run(server, cli, "s3api", "get-bucket-policy", "--bucket", bucket, check=False)
    assert missing.returncode != 0 and "NoSuchBucketPolicy" in missing.stderr, missing.stderr
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}
    (tmp_path / "p.json").write_text(json.dumps(policy))
    _run(server, cli, "s3api", "put-bucket-policy", "--bucket", bucket,
         "--policy", f"file://{tmp_path / 'p.json'}")
    got = _run(server, cli, "s3api", "get-bucket-policy", "--bucket", bucket,
               "--query", "Policy", "--output", "text")
    assert json.loads(got.stdout) == policy
    expect(s3.put_object, "AccessDenied", 403, Bucket=bucket, Key="f", Body=b"x")
    bad = _run(server, cli, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "{",
               check=False)
    assert bad.returncode != 0 and "MalformedPolicy" in bad.stderr, bad.stderr
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_presign_then_expiry(server, s3, cli):
    bucket = f"cli-presign-{_tag(cli)}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dir/file name.txt", Body=b"presigned body")
    url = _run(server, cli, "s3", "presign", f"s3://{bucket}/dir/file name.txt",
               "--expires-in", "300").stdout.strip()
    assert url.startswith(server.endpoint), url
    r = requests.get(url, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200 and r.content == b"presigned body", r.text
    clock = requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 600},
                          timeout=HTTP_TIMEOUT)
    assert clock.status_code == 200, clock.text
    r = requests.get(url, timeout=HTTP_TIMEOUT)
    if "X-Amz-Signature=" not in url:
        # The CLI v1 presigns with SigV2 here: an absolute Expires with no signing time, read on
        # the real clock, which did not move (docs/admin-api.md).
        assert "Signature=" in url and r.status_code == 200, r.text
        restore_clock(server)
        return
    assert r.status_code == 403, r.text
    assert b"<Code>AccessDenied</Code>" in r.content
    assert b"Request has expired" in r.content
    restore_clock(server)
