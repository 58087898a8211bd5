"""KMS through the AWS CLI v1 and v2 (blob arguments via fileb://, base64 in JSON output,
service errors on stderr with a non-zero exit)."""

import base64
import json
import os
import subprocess

import pytest

from aws_helpers import REGION
from kms_helpers import KEY_ID_RE, key_arn


def _pyenv_aws():
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return os.path.join(root, "shims", "aws")


CLIS = {
    "cli-v1": (os.environ.get("SEALSTACK_AWS_CLI_V1") or _pyenv_aws(), "aws-cli/1."),
    "cli-v2": (os.environ.get("SEALSTACK_AWS_CLI_V2") or "/usr/bin/aws", "aws-cli/2."),
}
_checked = {}


def _env():
    env = dict(os.environ)  # already stripped of AWS_* by the autouse fixture
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_PAGER="", AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard")
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(params=sorted(CLIS))
def aws_cli(request):
    path, prefix = CLIS[request.param]
    if path not in _checked:
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60,
                                 env=_env())
            _checked[path] = (out.stdout + out.stderr).strip()
        except OSError as e:
            _checked[path] = f"<cannot run: {e}>"
    if not _checked[path].startswith(prefix):
        pytest.fail(f"{request.param}: {path} --version gave {_checked[path]!r}", pytrace=False)
    return path


class Cli:
    def __init__(self, path, endpoint):
        self.path, self.endpoint = path, endpoint

    def run(self, *args):
        return subprocess.run([self.path, "kms", *args, "--endpoint-url", self.endpoint,
                               "--region", REGION], capture_output=True, text=True, timeout=60,
                              env=_env())

    def ok(self, *args, output="json"):
        out = self.run(*args, "--output", output)
        assert out.returncode == 0, \
            f"aws kms {args}: exit {out.returncode}\nstdout: {out.stdout}\nstderr: {out.stderr}"
        return json.loads(out.stdout) if output == "json" and out.stdout.strip() else out.stdout


@pytest.mark.cli
def test_cli_kms_round_trip(sealstack, aws_cli, tmp_path):
    cli = Cli(aws_cli, sealstack.endpoint)
    md = cli.ok("create-key", "--description", "cli key")["KeyMetadata"]
    key_id = md["KeyId"]
    assert KEY_ID_RE.match(key_id) and md["Arn"] == key_arn(key_id)
    assert (md["KeyState"], md["Description"], md["KeySpec"]) == \
        ("Enabled", "cli key", "SYMMETRIC_DEFAULT")

    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"\x00binary\xffpayload\n")
    enc = cli.ok("encrypt", "--key-id", key_id, "--plaintext", f"fileb://{plain}",
                 "--encryption-context", "purpose=cli")
    assert enc["KeyId"] == key_arn(key_id)
    assert enc["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = base64.b64decode(enc["CiphertextBlob"])
    ct = tmp_path / "ct.bin"
    ct.write_bytes(blob)

    text = cli.ok("decrypt", "--ciphertext-blob", f"fileb://{ct}", "--encryption-context",
                  "purpose=cli", "--query", "Plaintext", output="text")
    assert base64.b64decode(text.strip()) == plain.read_bytes()
    dec = cli.ok("decrypt", "--ciphertext-blob", f"fileb://{ct}", "--encryption-context",
                 "purpose=cli", "--key-id", key_id)
    assert dec["KeyId"] == key_arn(key_id)
    assert base64.b64decode(dec["Plaintext"]) == plain.read_bytes()

    gdk = cli.ok("generate-data-key", "--key-id", key_id, "--key-spec", "AES_256")
    assert len(base64.b64decode(gdk["Plaintext"])) == 32
    (tmp_path / "dk.bin").write_bytes(base64.b64decode(gdk["CiphertextBlob"]))
    again = cli.ok("decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'dk.bin'}")
    assert again["Plaintext"] == gdk["Plaintext"]

    keys = cli.ok("list-keys")["Keys"]
    assert keys == [{"KeyId": key_id, "KeyArn": key_arn(key_id)}]
    assert cli.ok("describe-key", "--key-id", md["Arn"])["KeyMetadata"] == md

    sched = cli.ok("schedule-key-deletion", "--key-id", key_id, "--pending-window-in-days", "7")
    assert sched["KeyId"] == key_arn(key_id)
    assert (sched["KeyState"], sched["PendingWindowInDays"]) == ("PendingDeletion", 7)
    assert sched["DeletionDate"]
    assert cli.ok("describe-key", "--key-id", key_id)["KeyMetadata"]["KeyState"] == \
        "PendingDeletion"


@pytest.mark.cli
def test_cli_kms_errors(sealstack, aws_cli, tmp_path):
    cli = Cli(aws_cli, sealstack.endpoint)
    cli.ok("create-key")
    garbage = tmp_path / "garbage.bin"
    # Not a ciphertext: random bytes, but never starting with a KMS blob's version byte (0x01),
    # which 1 in 256 random strings would, turning it into "a blob of an unknown key"
    # (AccessDeniedException) rather than garbage.
    garbage.write_bytes(b"\xff" + os.urandom(199))
    out = cli.run("decrypt", "--ciphertext-blob", f"fileb://{garbage}")
    # CLI v1 exits 255 on a service error, v2 exits 254.
    assert out.returncode != 0, f"stdout: {out.stdout}\nstderr: {out.stderr}"
    assert "(InvalidCiphertextException)" in out.stderr, out.stderr
    assert "Decrypt" in out.stderr, out.stderr
    out = cli.run("describe-key", "--key-id", "0bd3a3f4-1111-4222-8333-944455556666")
    assert out.returncode != 0 and "(NotFoundException)" in out.stderr, out.stderr
