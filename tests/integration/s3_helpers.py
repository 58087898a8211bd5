"""Shared helpers for the S3 real-client tests of issue 5 (test_s3_multipart.py,
test_s3_copy_delete_list.py, test_s3_policies.py, test_s3_sse_errors.py, test_s3_cli.py,
test_s3_presign.py): module-scoped servers, error assertions by code AND HTTP status, SSE-C
key material, SSE-C-unblocked buckets for both botocore generations, and clients acting as
config principals.

The expectations follow AWS (PROTOCOL.md sections 3 and 4, the botocore S3 model), not
whatever the server currently does."""

import base64
import hashlib
import json
import os
import shutil
import subprocess

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import conftest
from aws_helpers import boto_session, HTTP_TIMEOUT, REGION, signed_request

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
MIB = 1 << 20


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _crc64nvme_table():
    poly = 0x9A6C9329AC4BC9B5  # CRC-64/NVME, reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC64NVME = _crc64nvme_table()


def crc64nvme(data: bytes) -> str:
    """Base64 CRC-64/NVME of data (the S3 algorithm CRC64NVME; botocore computes it only with
    awscrt, which the test machines do not have). Check value: "123456789" -> ae8b14860a799888."""
    crc, table = 0xFFFFFFFFFFFFFFFF, _CRC64NVME
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return b64((crc ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big"))


def key_md5(raw: bytes) -> str:
    return b64(hashlib.md5(raw).digest())


def sse_c(key=KEY_A):
    """The boto3 SSE-C parameters (botocore base64-encodes the key and adds the MD5)."""
    return dict(SSECustomerAlgorithm="AES256", SSECustomerKey=key)


def sse_c_headers(key=KEY_A, prefix="x-amz-server-side-encryption-customer-"):
    return {prefix + "algorithm": "AES256", prefix + "key": b64(key),
            prefix + "key-MD5": key_md5(key)}


def copy_sse_c_headers(key=KEY_A):
    return sse_c_headers(key, "x-amz-copy-source-server-side-encryption-customer-")


def s3_client(endpoint, key="test", secret="test", token=None, **config_kwargs):
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                    read_timeout=HTTP_TIMEOUT, **config_kwargs)
    session = boto_session(aws_access_key_id=key, aws_secret_access_key=secret,
                                    aws_session_token=token, region_name=REGION)
    return session.client("s3", endpoint_url=endpoint, config=config, verify=False)


def as_principal(service, endpoint, principal, **config_kwargs):
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                    read_timeout=HTTP_TIMEOUT, **config_kwargs)
    session = boto_session(aws_access_key_id=principal["access_key_id"],
                                    aws_secret_access_key=principal["secret_access_key"],
                                    region_name=REGION)
    return session.client(service, endpoint_url=endpoint, config=config, verify=False)


def expect(call, code, status, **kwargs):
    """call(**kwargs) must fail with exactly this S3 error code and HTTP status."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    resp = info.value.response
    err, meta = resp.get("Error", {}), resp.get("ResponseMetadata", {})
    assert (err.get("Code"), meta.get("HTTPStatusCode")) == (code, status), \
        f"expected {code} ({status}), got {err.get('Code')} ({meta.get('HTTPStatusCode')}): {resp}"
    assert meta.get("RequestId"), f"no request id on {code}: {resp}"
    return err


def has_blocked_types(s3) -> bool:
    """botocore 1.26 predates BlockedEncryptionTypes (Nov 2025)."""
    return "BlockedEncryptionTypes" in s3.meta.service_model.shape_for(
        "ServerSideEncryptionRule").members


UNBLOCK_SSE_C_XML = (
    b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b'<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>'
    b'</ApplyServerSideEncryptionByDefault>'
    b'<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>'
    b'</Rule></ServerSideEncryptionConfiguration>')


def unblock_sse_c(endpoint, bucket):
    """PutBucketEncryption with BlockedEncryptionTypes NONE, sent raw (signed by botocore's
    signer, Content-MD5 as the model requires a checksum) so that it works with any botocore."""
    resp = signed_request(endpoint, "PUT", f"/{bucket}", service="s3", params={"encryption": ""},
                          body=UNBLOCK_SSE_C_XML,
                          headers={"Content-MD5": key_md5(UNBLOCK_SSE_C_XML),
                                   "Content-Type": "application/xml"})
    assert resp.status_code == 200, f"PutBucketEncryption: {resp.status_code} {resp.text[:500]}"


def sse_c_bucket(s3, endpoint, name):
    s3.create_bucket(Bucket=name)
    unblock_sse_c(endpoint, name)
    return name


def put_policy(s3, bucket, statements):
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))


class ModuleServer:
    """Starts servers for a whole module (same code path as conftest.start_sealstack)."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.servers = []

    def start(self, config=None, extra_args=None):
        server = conftest._start(self.tmp_path, f"mod{len(self.servers)}", config, extra_args)
        self.servers.append(server)
        return server

    def stop_all(self):
        errors = []
        for server in self.servers:
            try:
                conftest._stop(server)
            except pytest.fail.Exception as e:
                errors.append(str(e))
        if errors:
            pytest.fail("\n\n".join(errors), pytrace=False)


AWS_ENV_TO_CLEAR = conftest._AWS_ENV_TO_CLEAR


def clean_env_for_module(monkeypatch_module):
    for name in AWS_ENV_TO_CLEAR:
        monkeypatch_module.delenv(name, raising=False)
    monkeypatch_module.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch_module.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch_module.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch_module.setenv("NO_PROXY", "*")
    monkeypatch_module.setenv("no_proxy", "*")


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory):
    """Factory fixture: module_servers.start(config=None, extra_args=None) -> SealStack."""
    mp = pytest.MonkeyPatch()
    clean_env_for_module(mp)
    ms = ModuleServer(tmp_path_factory.mktemp("s3mod"))
    try:
        yield ms
        ms.stop_all()
    finally:
        mp.undo()


def signed_raw(endpoint, method, path, *, headers=None, raw_headers=None, body=b"",
               key="test", secret="test", params=None):
    """Like aws_helpers.signed_request for S3, but `raw_headers` ({name: str}) are signed as
    their UTF-8 text and sent as those UTF-8 bytes, so a header value can carry non-ASCII bytes
    (http.client would send a str as Latin-1, and botocore signs str as UTF-8)."""
    import urllib.parse

    import requests
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = endpoint + path
    if params:
        url += "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    all_headers = dict(headers or {})
    all_headers.update(raw_headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=all_headers)
    S3SigV4Auth(Credentials(key, secret), "s3", REGION).add_auth(req)
    prepared = req.prepare()
    send = dict(prepared.headers)
    for name, value in (raw_headers or {}).items():
        send[name] = value.encode("utf-8")
    return requests.request(method, prepared.url, headers=send, data=prepared.body,
                            timeout=HTTP_TIMEOUT, allow_redirects=False)


def restore_clock(server):
    """Puts the server's clock back to real time after a test advanced it (module servers are
    shared, and later header-signed requests use the real time)."""
    import datetime

    import requests
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = requests.post(f"{server.endpoint}/_sealstack/clock", json={"set": now},
                      timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert abs(r.json()["offset_seconds"]) < 5, r.text


# ---------------------------------------------------------------- third-party tools

def need_tool(tool):
    """Fail (not skip) when a Debian tool the tests use is missing: scripts/setup installs it."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed (scripts/setup installs it)", pytrace=False)


def rclone(endpoint, *args):
    """Runs rclone with the server as remote "ss:" (configured through the environment); it must
    succeed without an ERROR or NotImplemented line. Returns its stdout."""
    env = dict(os.environ, RCLONE_CONFIG_SS_TYPE="s3", RCLONE_CONFIG_SS_PROVIDER="Other",
               RCLONE_CONFIG_SS_ACCESS_KEY_ID="test", RCLONE_CONFIG_SS_SECRET_ACCESS_KEY="test",
               RCLONE_CONFIG_SS_ENDPOINT=endpoint, RCLONE_CONFIG_SS_REGION="us-east-1",
               RCLONE_CONFIG="/dev/null")
    p = subprocess.run(["rclone", *args], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"rclone {' '.join(args)}: {p.stderr}"
    assert "ERROR" not in p.stderr and "NotImplemented" not in p.stderr, p.stderr
    return p.stdout
