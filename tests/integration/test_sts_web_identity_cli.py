"""AssumeRoleWithWebIdentity and the OIDC provider operations through the AWS CLI v1 and v2:
create-open-id-connect-provider, sts assume-role-with-web-identity with a token signed by a key
the test handed in (no credentials needed), the session's identity; AWS's error code on stderr.
CLI v1 (1.45) also assumes the role through AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN with the
endpoint from AWS_ENDPOINT_URL (CLI v2 2.9 predates that setting)."""

import subprocess

import pytest

from iam_helpers import ACCOUNT, allow, role_arn, session_arn
from oidc_helpers import SigningKey, claims, put_jwks, web_identity_trust
from test_iam_cli import _ok, _run
from test_kms_cli import _env, aws_cli  # noqa: F401  (the CLI fixture, v1 and v2)

pytestmark = pytest.mark.cli

HOST = "cli.idp.example"
ISSUER = f"https://{HOST}"


def test_cli_web_identity_flow(sealstack, aws_cli, tmp_path):
    ep = sealstack.endpoint
    key = SigningKey("cli")
    arn = _ok(aws_cli, ep, "iam", "create-open-id-connect-provider", "--url", ISSUER,
              "--client-id-list", "sts.amazonaws.com", "--thumbprint-list",
              "a" * 40)["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
    listed = _ok(aws_cli, ep, "iam", "list-open-id-connect-providers")
    assert listed["OpenIDConnectProviderList"] == [{"Arn": arn}]
    put_jwks(sealstack, ISSUER, key)
    (tmp_path / "trust.json").write_text(web_identity_trust(arn, HOST, sub="ci:*"))
    _ok(aws_cli, ep, "iam", "create-role", "--role-name", "ci", "--assume-role-policy-document",
        f"file://{tmp_path / 'trust.json'}")
    _ok(aws_cli, ep, "iam", "put-role-policy", "--role-name", "ci", "--policy-name", "kms",
        "--policy-document", allow("kms:*"))

    token = key.sign(claims(ISSUER, sub="ci:main"))
    out = _ok(aws_cli, ep, "sts", "assume-role-with-web-identity", "--role-arn", role_arn("ci"),
              "--role-session-name", "cli", "--web-identity-token", token, unsigned=True)
    assert out["SubjectFromWebIdentityToken"] == "ci:main" and out["Provider"] == arn
    creds = out["Credentials"]
    as_role = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
               "AWS_SESSION_TOKEN": creds["SessionToken"]}
    assert _ok(aws_cli, ep, "sts", "get-caller-identity", env_extra=as_role)["Arn"] == \
        session_arn("ci", "cli")

    denied = _run(aws_cli, ep, "sts", "assume-role-with-web-identity", "--role-arn",
                  role_arn("ci"), "--role-session-name", "cli", "--web-identity-token",
                  key.sign(claims(ISSUER, sub="other:main")), unsigned=True)
    assert denied.returncode != 0 and "(AccessDenied)" in denied.stderr, denied.stderr
    wrong_aud = _run(aws_cli, ep, "sts", "assume-role-with-web-identity", "--role-arn",
                     role_arn("ci"), "--role-session-name", "cli", "--web-identity-token",
                     key.sign(claims(ISSUER, sub="ci:main", aud="x")), unsigned=True)
    assert wrong_aud.returncode != 0 and "(InvalidIdentityToken)" in wrong_aud.stderr
    assert "Incorrect token audience" in wrong_aud.stderr

    version = subprocess.run([aws_cli, "--version"], capture_output=True, text=True, env=_env())
    if (version.stdout + version.stderr).startswith("aws-cli/1."):
        (tmp_path / "token").write_text(token)
        env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "token"),
               "AWS_ROLE_ARN": role_arn("ci"), "AWS_ROLE_SESSION_NAME": "env",
               "AWS_ENDPOINT_URL": ep,
               # The CLI caches web identity sessions under ~/.aws/cli/cache by role and session
               # name: its own HOME, so a session another server issued is never reused.
               "HOME": str(tmp_path)}
        assert _ok(aws_cli, ep, "sts", "get-caller-identity", env_extra=env, endpoint_flag=False,
                   unsigned=True)["Arn"] == session_arn("ci", "env")
