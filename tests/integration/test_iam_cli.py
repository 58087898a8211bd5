"""IAM and STS AssumeRole through the AWS CLI v1 and v2: create-user, create-access-key,
create-role, put-role-policy, sts assume-role with the new user's key, the session's identity;
errors on stderr with a non-zero exit. CLI v1 (1.45) also assumes the role from a profile with
role_arn + source_profile, its endpoint from AWS_ENDPOINT_URL (CLI v2 2.9 predates that setting)."""

import base64
import json
import subprocess

import pytest

from aws_helpers import REGION
from iam_helpers import allow, role_arn, session_arn, trust, user_arn
from test_kms_cli import _env, aws_cli  # noqa: F401  (the CLI fixture, v1 and v2)

pytestmark = pytest.mark.cli


def _run(cli, endpoint, *args, env_extra=None, endpoint_flag=True, unsigned=False):
    env = _env()
    if unsigned:  # no credentials at all (calls the CLI sends unsigned)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(name, None)
    env.update(env_extra or {})
    argv = [cli, *args, "--region", REGION, "--output", "json"]
    if endpoint_flag:
        argv += ["--endpoint-url", endpoint]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)


def _ok(*a, **kw):
    out = _run(*a, **kw)
    assert out.returncode == 0, f"{a[2:]}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    return json.loads(out.stdout) if out.stdout.strip() else None


def test_cli_role_flow(sealstack, aws_cli, tmp_path):
    ep = sealstack.endpoint
    user = _ok(aws_cli, ep, "iam", "create-user", "--user-name", "app")["User"]
    assert user["Arn"] == user_arn("app") and user["UserId"].startswith("AIDA")
    key = _ok(aws_cli, ep, "iam", "create-access-key", "--user-name", "app")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and key["Status"] == "Active"
    _ok(aws_cli, ep, "iam", "put-user-policy", "--user-name", "app", "--policy-name", "assume",
        "--policy-document", allow("sts:AssumeRole"))
    (tmp_path / "trust.json").write_text(trust(user_arn("app")))
    role = _ok(aws_cli, ep, "iam", "create-role", "--role-name", "worker",
               "--assume-role-policy-document", f"file://{tmp_path / 'trust.json'}",
               "--max-session-duration", "7200", "--description", "cli role")["Role"]
    assert role["Arn"] == role_arn("worker") and role["MaxSessionDuration"] == 7200
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == \
        {"AWS": user_arn("app")}
    _ok(aws_cli, ep, "iam", "put-role-policy", "--role-name", "worker", "--policy-name", "kms",
        "--policy-document", allow("kms:*"))
    assert _ok(aws_cli, ep, "iam", "list-role-policies", "--role-name", "worker")[
        "PolicyNames"] == ["kms"]

    as_app = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
              "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    assert _ok(aws_cli, ep, "sts", "get-caller-identity", env_extra=as_app)["Arn"] == \
        user_arn("app")
    creds = _ok(aws_cli, ep, "sts", "assume-role", "--role-arn", role_arn("worker"),
                "--role-session-name", "cli", env_extra=as_app)["Credentials"]
    as_role = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
               "AWS_SESSION_TOKEN": creds["SessionToken"]}
    assert _ok(aws_cli, ep, "sts", "get-caller-identity", env_extra=as_role)["Arn"] == \
        session_arn("worker", "cli")
    # The role's inline policy lets the session create a key (an account-level action).
    assert _ok(aws_cli, ep, "kms", "create-key", env_extra=as_role)["KeyMetadata"]["Arn"]

    # Errors: the CLI prints AWS's code on stderr and exits non-zero.
    dup = _run(aws_cli, ep, "iam", "create-role", "--role-name", "worker",
               "--assume-role-policy-document", f"file://{tmp_path / 'trust.json'}")
    assert dup.returncode != 0 and "(EntityAlreadyExists)" in dup.stderr, dup.stderr
    denied = _run(aws_cli, ep, "sts", "assume-role", "--role-arn", role_arn("worker"),
                  "--role-session-name", "root")
    assert denied.returncode != 0 and "(AccessDenied)" in denied.stderr
    assert "Roles may not be assumed by root accounts." in denied.stderr
    _ok(aws_cli, ep, "iam", "update-access-key", "--user-name", "app", "--access-key-id",
        key["AccessKeyId"], "--status", "Inactive")
    refused = _run(aws_cli, ep, "sts", "get-caller-identity", env_extra=as_app)
    assert refused.returncode != 0 and "(InvalidClientTokenId)" in refused.stderr


def test_cli_v1_assumes_the_role_from_a_profile(sealstack, aws_cli, tmp_path):
    version = subprocess.run([aws_cli, "--version"], capture_output=True, text=True,
                             env=_env()).stdout
    if not version.startswith("aws-cli/1."):
        pytest.skip("AWS CLI v2 2.9 predates AWS_ENDPOINT_URL: a profile's AssumeRole would go "
                    "to sts.amazonaws.com")
    ep = sealstack.endpoint
    _ok(aws_cli, ep, "iam", "create-user", "--user-name", "app")
    key = _ok(aws_cli, ep, "iam", "create-access-key", "--user-name", "app")["AccessKey"]
    _ok(aws_cli, ep, "iam", "create-role", "--role-name", "worker",
        "--assume-role-policy-document", trust(user_arn("app")))
    (tmp_path / "credentials").write_text(
        f"[app]\naws_access_key_id = {key['AccessKeyId']}\n"
        f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    (tmp_path / "config").write_text(
        f"[profile worker]\nrole_arn = {role_arn('worker')}\nsource_profile = app\n"
        "role_session_name = cli-profile\n")
    # HOME: the CLI caches assumed-role credentials in ~/.aws/cli/cache by role and session
    # name; a session of an earlier server would be reused (and refused) otherwise.
    env = {"AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
           "AWS_ENDPOINT_URL": ep, "HOME": str(tmp_path)}
    out = _run(aws_cli, ep, "sts", "get-caller-identity", "--profile", "worker",
               env_extra=env, endpoint_flag=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Arn"] == session_arn("worker", "cli-profile")


def test_cli_session_policy_tags_and_managed_policies(sealstack, aws_cli, tmp_path):
    """A managed policy attached to a role, a session policy that narrows it and a session tag
    that a key policy's aws:PrincipalTag condition reads, all through the CLI."""
    ep = sealstack.endpoint
    _ok(aws_cli, ep, "iam", "create-user", "--user-name", "app")
    key = _ok(aws_cli, ep, "iam", "create-access-key", "--user-name", "app")["AccessKey"]
    _ok(aws_cli, ep, "iam", "put-user-policy", "--user-name", "app", "--policy-name", "assume",
        "--policy-document", allow(["sts:AssumeRole", "sts:TagSession"]))
    trust_doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user_arn("app")},
         "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    _ok(aws_cli, ep, "iam", "create-role", "--role-name", "worker",
        "--assume-role-policy-document", trust_doc)
    policy = _ok(aws_cli, ep, "iam", "create-policy", "--policy-name", "kms-all",
                 "--policy-document", allow("kms:*"))["Policy"]
    _ok(aws_cli, ep, "iam", "attach-role-policy", "--role-name", "worker", "--policy-arn",
        policy["Arn"])
    key_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "deny-red", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
         "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]})
    key_arn = _ok(aws_cli, ep, "kms", "create-key", "--policy", key_policy)["KeyMetadata"]["Arn"]
    (tmp_path / "p.txt").write_bytes(b"secret")
    blob = _ok(aws_cli, ep, "kms", "encrypt", "--key-id", key_arn, "--plaintext",
               f"fileb://{tmp_path / 'p.txt'}")["CiphertextBlob"]
    (tmp_path / "blob").write_bytes(base64.b64decode(blob))
    as_app = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
              "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}

    def session(*extra):
        c = _ok(aws_cli, ep, "sts", "assume-role", "--role-arn", role_arn("worker"),
                "--role-session-name", "cli", *extra, env_extra=as_app)["Credentials"]
        return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                "AWS_SESSION_TOKEN": c["SessionToken"]}

    decrypt = ("kms", "decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'blob'}")
    assert _ok(aws_cli, ep, *decrypt, env_extra=session())["KeyId"] == key_arn
    narrowed = _run(aws_cli, ep, *decrypt,
                    env_extra=session("--policy", allow("kms:DescribeKey")))
    assert narrowed.returncode != 0 and "(AccessDeniedException)" in narrowed.stderr
    assert "because no session policy allows the kms:Decrypt action" in narrowed.stderr
    red = _run(aws_cli, ep, *decrypt, env_extra=session("--tags", "Key=team,Value=red"))
    assert red.returncode != 0 and "(AccessDeniedException)" in red.stderr
    assert "with an explicit deny in a resource-based policy" in red.stderr
    assert _ok(aws_cli, ep, *decrypt,
               env_extra=session("--tags", "Key=team,Value=blue"))["KeyId"] == key_arn
