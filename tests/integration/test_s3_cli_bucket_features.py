"""Versioning, bucket tagging and an unconfigured CORS read through both AWS CLIs (v1 as `aws`
from the image's Python, v2 as /usr/bin/aws; issue 15): `s3api put-bucket-versioning` /
`get-bucket-versioning` (and MalformedXML for a Status AWS does not have), `list-object-versions`
(versions, delete markers, IsLatest, the CLI's own paging and explicit key/version-id markers),
`get-object --version-id`, `put-bucket-tagging` / `get-bucket-tagging` / `delete-bucket-tagging`
and `get-bucket-cors` on a bucket without CORS: a service error is exit code 255 for v1 and 254
for v2, with "An error occurred (<Code>) when calling the <Operation> operation" on stderr.

A CLI that is not installed is skipped; one that is there but is not the expected major version
fails. Expectations are AWS's (botocore's s3/2006-03-01 model, the S3 API reference)."""

import json
import os
import re
import shutil
import subprocess

import pytest

from s3_helpers import module_servers, s3_client  # noqa: F401

# name -> (executable, version prefix, exit code of a service error)
CLIS = {
    "cli-v1": (os.environ.get("SEALSTACK_AWS_CLI_V1") or "aws", "aws-cli/1.", 255),
    "cli-v2": (os.environ.get("SEALSTACK_AWS_CLI_V2") or "/usr/bin/aws", "aws-cli/2.", 254),
}
VERSION_ID = re.compile(r"^[0-9A-Za-z._]{32}$")
_versions_seen = {}


def _env():
    env = dict(os.environ)  # already stripped of AWS_* by the autouse fixture
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="", AWS_MAX_ATTEMPTS="1",
               AWS_RETRY_MODE="standard")
    env.pop("PYTHONPATH", None)
    return env


class Cli:
    def __init__(self, name, path, error_rc, endpoint):
        self.name, self.path, self.error_rc, self.endpoint = name, path, error_rc, endpoint
        self.tag = name.split("-")[1]  # v1 / v2, for bucket names

    def run(self, *args):
        return subprocess.run([self.path, "--endpoint-url", self.endpoint, "--output", "json",
                               "s3api", *args], capture_output=True, text=True, timeout=120,
                              env=_env())

    def ok(self, *args):
        p = self.run(*args)
        assert p.returncode == 0, f"{self.name} s3api {' '.join(args)}: rc {p.returncode}\n{p.stderr}"
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def fails(self, code, operation, *args):
        """The call must fail as a service error: the CLI's service-error exit code and
        "An error occurred (<code>) when calling the <operation> operation" on stderr."""
        p = self.run(*args)
        assert p.returncode == self.error_rc, \
            f"{self.name} s3api {' '.join(args)}: rc {p.returncode} (want {self.error_rc})\n{p.stderr}"
        assert f"An error occurred ({code}) when calling the {operation} operation" in p.stderr, \
            p.stderr
        assert p.stdout == "", p.stdout
        return p.stderr


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start()


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


@pytest.fixture(params=sorted(CLIS))
def cli(request, server):
    path, prefix, error_rc = CLIS[request.param]
    resolved = shutil.which(path)
    if resolved is None:
        pytest.skip(f"{request.param}: {path} is not installed")
    if resolved not in _versions_seen:
        p = subprocess.run([resolved, "--version"], capture_output=True, text=True, timeout=60,
                           env=_env())
        _versions_seen[resolved] = (p.stdout + p.stderr).strip()
    if not _versions_seen[resolved].startswith(prefix):
        pytest.fail(f"{request.param}: {resolved} --version gave {_versions_seen[resolved]!r}, "
                    f"not {prefix}", pytrace=False)
    return Cli(request.param, resolved, error_rc, server.endpoint)


def _entries(listing):
    """(key, version id, is latest, is marker) of a list-object-versions answer."""
    return ([(v["Key"], v["VersionId"], v["IsLatest"], False) for v in listing.get("Versions", [])]
            + [(m["Key"], m["VersionId"], m["IsLatest"], True)
               for m in listing.get("DeleteMarkers", [])])


@pytest.mark.cli
def test_put_and_get_bucket_versioning(cli, s3):
    bucket = f"cli-feat-ver-{cli.tag}"
    s3.create_bucket(Bucket=bucket)
    assert cli.ok("get-bucket-versioning", "--bucket", bucket) == {}  # never versioned
    cli.ok("put-bucket-versioning", "--bucket", bucket,
           "--versioning-configuration", "Status=Enabled")
    assert cli.ok("get-bucket-versioning", "--bucket", bucket) == {"Status": "Enabled"}
    # There is no way back to unversioned: any other Status is malformed.
    cli.fails("MalformedXML", "PutBucketVersioning", "put-bucket-versioning", "--bucket", bucket,
              "--versioning-configuration", "Status=Disabled")
    cli.ok("put-bucket-versioning", "--bucket", bucket,
           "--versioning-configuration", "Status=Suspended,MFADelete=Disabled")
    assert cli.ok("get-bucket-versioning", "--bucket", bucket) == {
        "Status": "Suspended", "MFADelete": "Disabled"}
    cli.fails("NoSuchBucket", "GetBucketVersioning", "get-bucket-versioning", "--bucket",
              f"cli-feat-none-{cli.tag}")


@pytest.mark.cli
def test_list_object_versions(cli, s3, tmp_path):
    bucket = f"cli-feat-list-{cli.tag}"
    s3.create_bucket(Bucket=bucket)
    cli.ok("put-bucket-versioning", "--bucket", bucket,
           "--versioning-configuration", "Status=Enabled")
    ids = {}
    for key in ("a", "b"):
        for n in (1, 2):
            body = tmp_path / f"{key}{n}"
            body.write_bytes(key.encode() * n)
            out = cli.ok("put-object", "--bucket", bucket, "--key", key, "--body", str(body))
            assert VERSION_ID.match(out["VersionId"]), out
            ids.setdefault(key, []).append(out["VersionId"])
    deleted = cli.ok("delete-object", "--bucket", bucket, "--key", "a")
    assert deleted["DeleteMarker"] is True and VERSION_ID.match(deleted["VersionId"]), deleted
    marker = deleted["VersionId"]

    listing = cli.ok("list-object-versions", "--bucket", bucket)
    assert _entries(listing) == [
        ("a", ids["a"][1], False, False), ("a", ids["a"][0], False, False),
        ("b", ids["b"][1], True, False), ("b", ids["b"][0], False, False),
        ("a", marker, True, True)]
    assert [v["Size"] for v in listing["Versions"]] == [2, 1, 2, 1]

    # The CLI's own paging (one entry a request) gathers the same listing.
    paged = cli.ok("list-object-versions", "--bucket", bucket, "--page-size", "1")
    assert _entries(paged) == _entries(listing)
    # One page by hand, then the rest from its markers.
    first = cli.ok("list-object-versions", "--bucket", bucket, "--no-paginate", "--max-keys", "2")
    assert first["IsTruncated"] is True and first["MaxKeys"] == 2
    assert (first["NextKeyMarker"], first["NextVersionIdMarker"]) == ("a", ids["a"][1])
    assert _entries(first) == [("a", ids["a"][1], False, False), ("a", marker, True, True)]
    rest = cli.ok("list-object-versions", "--bucket", bucket, "--no-paginate",
                  "--key-marker", first["NextKeyMarker"],
                  "--version-id-marker", first["NextVersionIdMarker"])
    assert rest["IsTruncated"] is False
    assert _entries(rest) == [("a", ids["a"][0], False, False), ("b", ids["b"][1], True, False),
                              ("b", ids["b"][0], False, False)]

    # The version under the marker reads by id; the latest is gone.
    out = cli.ok("get-object", "--bucket", bucket, "--key", "a", "--version-id", ids["a"][0],
                 str(tmp_path / "back"))
    assert out["VersionId"] == ids["a"][0]
    assert (tmp_path / "back").read_bytes() == b"a"
    cli.fails("NoSuchKey", "GetObject", "get-object", "--bucket", bucket, "--key", "a",
              str(tmp_path / "none"))


@pytest.mark.cli
def test_put_and_get_bucket_tagging(cli, s3):
    bucket = f"cli-feat-tags-{cli.tag}"
    s3.create_bucket(Bucket=bucket)
    cli.fails("NoSuchTagSet", "GetBucketTagging", "get-bucket-tagging", "--bucket", bucket)
    # JSON: the shorthand syntax cannot spell an empty value.
    cli.ok("put-bucket-tagging", "--bucket", bucket, "--tagging", json.dumps(
        {"TagSet": [{"Key": "team", "Value": "data"}, {"Key": "env", "Value": ""}]}))
    assert cli.ok("get-bucket-tagging", "--bucket", bucket)["TagSet"] == [
        {"Key": "team", "Value": "data"}, {"Key": "env", "Value": ""}]
    cli.fails("InvalidTag", "PutBucketTagging", "put-bucket-tagging", "--bucket", bucket,
              "--tagging", "TagSet=[{Key=aws:reserved,Value=x}]")
    cli.ok("delete-bucket-tagging", "--bucket", bucket)
    cli.fails("NoSuchTagSet", "GetBucketTagging", "get-bucket-tagging", "--bucket", bucket)


@pytest.mark.cli
def test_get_bucket_cors_of_an_unconfigured_bucket(cli, s3):
    bucket = f"cli-feat-cors-{cli.tag}"
    s3.create_bucket(Bucket=bucket)
    stderr = cli.fails("NoSuchCORSConfiguration", "GetBucketCors", "get-bucket-cors",
                       "--bucket", bucket)
    assert stderr.rstrip().endswith(": The CORS configuration does not exist"), stderr
