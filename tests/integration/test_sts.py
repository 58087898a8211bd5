"""STS GetCallerIdentity through real clients: boto3 (whichever version runs this file), raw
signed requests (exact Query-protocol XML shape), AWS CLI v1 and v2."""

import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

from aws_helpers import (REGION, ROOT_ACCOUNT, ROOT_ARN, client, parse_query_error,
                         signed_request, xml_children)

ALICE = {
    "access_key_id": "AKIAALICEEXAMPLE0001",
    "secret_access_key": "alice-secret/with+chars=",
    "arn": "arn:aws:iam::111122223333:user/alice",
}
ALICE_CONFIG = {"principals": [ALICE]}


def _gci_error(endpoint, key, secret):
    with pytest.raises(ClientError) as info:
        client("sts", endpoint, key, secret).get_caller_identity()
    return info.value.response


def _assert_query_error(response, code):
    err, meta = response["Error"], response["ResponseMetadata"]
    assert (err.get("Code"), meta["HTTPStatusCode"]) == (code, 403), response
    assert err.get("Type") == "Sender", response
    assert err.get("Message"), response
    assert meta.get("RequestId"), f"no RequestId in the error response: {response}"


# ---------------------------------------------------------------- boto3

def test_get_caller_identity_default_root(sealstack):
    resp = client("sts", sealstack.endpoint).get_caller_identity()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["Arn"] == ROOT_ARN
    assert resp["Account"] == ROOT_ACCOUNT
    assert resp["UserId"] == ROOT_ACCOUNT  # root principal: UserId is the account id
    assert resp["ResponseMetadata"]["RequestId"]


def test_get_caller_identity_config_principal(start_sealstack):
    server = start_sealstack(ALICE_CONFIG)
    resp = client("sts", server.endpoint, ALICE["access_key_id"],
                  ALICE["secret_access_key"]).get_caller_identity()
    assert resp["Arn"] == "arn:aws:iam::111122223333:user/alice"
    assert resp["Account"] == "111122223333"
    assert resp["UserId"], resp
    assert resp["ResponseMetadata"]["RequestId"]
    # Config principals are added: the default principal still works.
    assert client("sts", server.endpoint).get_caller_identity()["Arn"] == ROOT_ARN
    # Alice's secret is really checked.
    _assert_query_error(_gci_error(server.endpoint, ALICE["access_key_id"], "test"),
                        "SignatureDoesNotMatch")


def test_get_caller_identity_wrong_secret(sealstack):
    _assert_query_error(_gci_error(sealstack.endpoint, "test", "not-the-secret"),
                        "SignatureDoesNotMatch")


def test_get_caller_identity_unknown_key(sealstack):
    _assert_query_error(_gci_error(sealstack.endpoint, "AKIANOSUCHKEY0000000", "test"),
                        "InvalidClientTokenId")


# ---------------------------------------------------------------- exact XML on the wire

_GCI_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def test_get_caller_identity_xml_shape(sealstack):
    resp = signed_request(sealstack.endpoint, "POST", "/", service="sts", body=_GCI_BODY,
                          headers=_FORM)
    assert resp.status_code == 200, resp.text[:500]
    root = ET.fromstring(resp.content)
    assert _local(root.tag) == "GetCallerIdentityResponse", resp.text[:500]
    top = {_local(c.tag): c for c in root}
    assert set(top) == {"GetCallerIdentityResult", "ResponseMetadata"}, resp.text[:500]
    result = xml_children(top["GetCallerIdentityResult"])
    assert result == {"Arn": ROOT_ARN, "UserId": ROOT_ACCOUNT, "Account": ROOT_ACCOUNT}
    assert xml_children(top["ResponseMetadata"]).get("RequestId"), resp.text[:500]


@pytest.mark.parametrize("key,secret,code", [
    ("test", "wrong", "SignatureDoesNotMatch"),
    ("AKIANOSUCHKEY0000000", "test", "InvalidClientTokenId"),
])
def test_get_caller_identity_error_xml_shape(sealstack, key, secret, code):
    resp = signed_request(sealstack.endpoint, "POST", "/", service="sts", body=_GCI_BODY,
                          headers=_FORM, key=key, secret=secret)
    assert resp.status_code == 403, resp.text[:500]
    fields = parse_query_error(resp.content)
    assert fields["Type"] == "Sender", fields
    assert fields["Code"] == code, fields
    assert fields["Message"], fields
    assert fields["RequestId"], fields


# ---------------------------------------------------------------- AWS CLI v1 and v2

def _pyenv_aws():
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return os.path.join(root, "shims", "aws")


CLIS = {
    "cli-v1": (os.environ.get("SEALSTACK_AWS_CLI_V1") or _pyenv_aws(), "aws-cli/1."),
    "cli-v2": (os.environ.get("SEALSTACK_AWS_CLI_V2") or "/usr/bin/aws", "aws-cli/2."),
}
_checked_clis = {}


@pytest.fixture(params=sorted(CLIS))
def aws_cli(request):
    path, prefix = CLIS[request.param]
    if path not in _checked_clis:
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True,
                                 timeout=60, env=_cli_env("x", "x"))
            _checked_clis[path] = (out.stdout + out.stderr).strip()
        except OSError as e:
            _checked_clis[path] = f"<cannot run: {e}>"
    version = _checked_clis[path]
    if not version.startswith(prefix):
        pytest.fail(f"{request.param}: {path} --version gave {version!r}, expected {prefix}*",
                    pytrace=False)
    return path


def _cli_env(key, secret):
    env = dict(os.environ)  # already stripped of AWS_* by the autouse fixture
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_PAGER="", AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard")
    env.pop("PYTHONPATH", None)
    return env


def _run_gci(cli, endpoint, key, secret):
    return subprocess.run(
        [cli, "sts", "get-caller-identity", "--endpoint-url", endpoint, "--region", REGION,
         "--output", "json"],
        capture_output=True, text=True, timeout=60, env=_cli_env(key, secret))


@pytest.mark.cli
def test_cli_get_caller_identity(sealstack, aws_cli):
    out = _run_gci(aws_cli, sealstack.endpoint, "test", "test")
    assert out.returncode == 0, f"exit {out.returncode}\nstdout: {out.stdout}\nstderr: {out.stderr}"
    assert json.loads(out.stdout) == {"UserId": ROOT_ACCOUNT, "Account": ROOT_ACCOUNT,
                                      "Arn": ROOT_ARN}


@pytest.mark.cli
def test_cli_get_caller_identity_config_principal(start_sealstack, aws_cli):
    server = start_sealstack(ALICE_CONFIG)
    out = _run_gci(aws_cli, server.endpoint, ALICE["access_key_id"], ALICE["secret_access_key"])
    assert out.returncode == 0, f"exit {out.returncode}\nstdout: {out.stdout}\nstderr: {out.stderr}"
    doc = json.loads(out.stdout)
    assert (doc["Arn"], doc["Account"]) == (ALICE["arn"], "111122223333"), doc


@pytest.mark.parametrize("key,secret,code", [
    ("test", "wrong", "SignatureDoesNotMatch"),
    ("AKIANOSUCHKEY0000000", "test", "InvalidClientTokenId"),
])
@pytest.mark.cli
def test_cli_get_caller_identity_errors(sealstack, aws_cli, key, secret, code):
    out = _run_gci(aws_cli, sealstack.endpoint, key, secret)
    # CLI v1 exits 255 on a service error, v2 exits 254; either way it is not success.
    assert out.returncode != 0, f"stdout: {out.stdout}\nstderr: {out.stderr}"
    assert f"({code})" in out.stderr, f"exit {out.returncode}\nstderr: {out.stderr}"
    assert "GetCallerIdentity" in out.stderr, out.stderr
