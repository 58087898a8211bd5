"""Roles assumed as on AWS: an IAM user assumes a role whose trust policy names it (explicit STS
AssumeRole, and an SDK profile with role_arn + source_profile whose endpoint comes from
AWS_ENDPOINT_URL); the session is authorized by the role's inline policies and by a KMS key
policy that names the role; a second role is denied; trust conditions (sts:ExternalId),
DurationSeconds against MaxSessionDuration, and session expiry on the server clock."""

import datetime
import json

import botocore
import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, boto_session, client
from iam_helpers import (ACCOUNT, allow, assert_error, error_of, role_arn, session_arn, trust,
                         user_arn)

KMS_USE = ["kms:Encrypt", "kms:Decrypt"]


def _botocore_version():
    return tuple(int(x) for x in botocore.__version__.split(".")[:2])


def _make_user(iam, name, policy=None):
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _key_policy(*roles):
    """The default key policy (the account may delegate to IAM) plus one statement that names
    the roles for encryption."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "Roles", "Effect": "Allow", "Principal": {"AWS": [role_arn(r) for r in roles]},
         "Action": KMS_USE, "Resource": "*"}]})


@pytest.fixture
def world(sealstack):
    """A user 'app' that may assume roles; role 'decryptor' (named by the key policy) and role
    'outsider' (not named), both trusting 'app'; a KMS key."""
    iam = client("iam", sealstack.endpoint)
    app = _make_user(iam, "app", allow("sts:AssumeRole"))
    for name in ("decryptor", "outsider"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(user_arn("app")))
        # Their identity policy: DescribeKey (which reaches them through the account statement).
        iam.put_role_policy(RoleName=name, PolicyName="describe",
                            PolicyDocument=allow(["kms:DescribeKey"]))
    kms = client("kms", sealstack.endpoint)
    key = kms.create_key(Policy=_key_policy("decryptor"))["KeyMetadata"]["Arn"]
    return {"iam": iam, "app": app, "key": key, "endpoint": sealstack.endpoint,
            "server": sealstack}


def _assume(world, role, session="sess", creds=None, **kwargs):
    akid, secret = creds or world["app"]
    # Server-side validation is what is tested: the SDK's own checks are off.
    sts = client("sts", world["endpoint"], akid, secret, parameter_validation=False)
    return sts.assume_role(RoleArn=role_arn(role), RoleSessionName=session, **kwargs)


def _session_client(world, service, assumed):
    c = assumed["Credentials"]
    return boto_session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).client(
        service, endpoint_url=world["endpoint"],
        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def test_assume_role_and_use_the_key_the_key_policy_names(world):
    assumed = _assume(world, "decryptor", "job-1")
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert creds["SecretAccessKey"] and creds["SessionToken"]
    lifetime = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert 3500 < lifetime.total_seconds() <= 3600, creds["Expiration"]
    role_id = world["iam"].get_role(RoleName="decryptor")["Role"]["RoleId"]
    assert assumed["AssumedRoleUser"] == {"Arn": session_arn("decryptor", "job-1"),
                                          "AssumedRoleId": f"{role_id}:job-1"}

    ident = _session_client(world, "sts", assumed).get_caller_identity()
    assert ident["Arn"] == session_arn("decryptor", "job-1")
    assert ident["UserId"] == f"{role_id}:job-1"

    kms = _session_client(world, "kms", assumed)
    blob = kms.encrypt(KeyId=world["key"], Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    assert kms.describe_key(KeyId=world["key"])["KeyMetadata"]["Arn"] == world["key"]

    # The second role: its inline policy gives it DescribeKey through the account statement,
    # but the key policy does not name it and nothing gives it Encrypt/Decrypt.
    outsider = _session_client(world, "kms", _assume(world, "outsider", "job-2"))
    assert outsider.describe_key(KeyId=world["key"])["KeyMetadata"]["Arn"] == world["key"]
    for call, kwargs, action in ((outsider.encrypt, {"KeyId": world["key"], "Plaintext": b"x"},
                                  "kms:Encrypt"),
                                 (outsider.decrypt, {"CiphertextBlob": blob}, "kms:Decrypt")):
        assert_error(error_of(call, **kwargs), "AccessDeniedException", 400,
                     f"User: {session_arn('outsider', 'job-2')} is not authorized to perform: "
                     f"{action} on resource: {world['key']} because no identity-based policy "
                     f"allows the {action} action")
    # Sessions see the role's policies as they are now: an added inline policy takes effect.
    world["iam"].put_role_policy(RoleName="outsider", PolicyName="use",
                                 PolicyDocument=allow(KMS_USE, world["key"]))
    assert outsider.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_trust_policy_decides_who_may_assume(world):
    iam = world["iam"]
    other = _make_user(iam, "other", allow("sts:AssumeRole"))
    assert_error(error_of(_assume, world, "decryptor", creds=other), "AccessDenied", 403,
                 f"User: {user_arn('other')} is not authorized to perform: sts:AssumeRole on "
                 f"resource: {role_arn('decryptor')}")
    # A role that does not exist is denied alike (AWS does not tell them apart).
    assert_error(error_of(_assume, world, "no-such-role"), "AccessDenied", 403,
                 f"User: {user_arn('app')} is not authorized to perform: sts:AssumeRole on "
                 f"resource: {role_arn('no-such-role')}")
    # The account root may not assume roles.
    sts = client("sts", world["endpoint"])
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("decryptor"), RoleSessionName="sess"),
                 "AccessDenied", 403, "Roles may not be assumed by root accounts.")

    # A trust policy that names the account delegates to the caller's identity policies.
    iam.create_role(RoleName="by-account", AssumeRolePolicyDocument=trust(ACCOUNT))
    nopolicy = _make_user(iam, "nopolicy")
    assert_error(error_of(_assume, world, "by-account", creds=nopolicy), "AccessDenied", 403)
    assert _assume(world, "by-account")["AssumedRoleUser"]["Arn"] == \
        session_arn("by-account", "sess")

    # sts:ExternalId
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=trust(
        user_arn("app"), {"StringEquals": {"sts:ExternalId": "ext-123"}}))
    assert_error(error_of(_assume, world, "partner"), "AccessDenied", 403)
    assert_error(error_of(_assume, world, "partner", ExternalId="wrong"), "AccessDenied", 403)
    assert _assume(world, "partner", ExternalId="ext-123")["AssumedRoleUser"]["Arn"] == \
        session_arn("partner", "sess")


def test_duration_within_the_roles_maximum(world):
    assert_error(error_of(_assume, world, "decryptor", DurationSeconds=7200),
                 "ValidationError", 400,
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                 "role.")
    assert_error(error_of(_assume, world, "decryptor", DurationSeconds=600),
                 "ValidationError", 400,
                 "1 validation error detected: Value '600' at 'durationSeconds' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 900")
    world["iam"].create_role(RoleName="long", MaxSessionDuration=43200,
                             AssumeRolePolicyDocument=trust(user_arn("app")))
    creds = _assume(world, "long", DurationSeconds=43200)["Credentials"]
    lifetime = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert 43100 < lifetime.total_seconds() <= 43200
    assert_error(error_of(_assume, world, "decryptor", SerialNumber="arn:aws:iam::1:mfa/x",
                          TokenCode="123456"),
                 "NotImplemented", 501)


def test_expired_session_is_refused_after_a_clock_advance(world):
    assumed = _assume(world, "decryptor", DurationSeconds=900)
    kms = _session_client(world, "kms", assumed)
    sts = _session_client(world, "sts", assumed)
    blob = kms.encrypt(KeyId=world["key"], Plaintext=b"x")["CiphertextBlob"]
    r = requests.post(world["endpoint"] + "/_sealstack/clock", json={"advance_seconds": 901},
                      timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert_error(error_of(kms.decrypt, CiphertextBlob=blob), "ExpiredTokenException", 400,
                 "The security token included in the request is expired")
    assert_error(error_of(sts.get_caller_identity), "ExpiredToken", 403)
    # A fresh session works on the moved clock.
    fresh = _session_client(world, "kms", _assume(world, "decryptor"))
    assert fresh.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_a_wrong_session_token_is_refused(world):
    assumed = _assume(world, "decryptor")
    c = assumed["Credentials"]
    sts = boto_session(c["AccessKeyId"], c["SecretAccessKey"], "IQoJb3JpZ2luX2VjEnotit").client(
        "sts", endpoint_url=world["endpoint"])
    assert_error(error_of(sts.get_caller_identity), "InvalidClientTokenId", 403)


@pytest.mark.skipif(_botocore_version() < (1, 31),
                    reason="AWS_ENDPOINT_URL (service-specific endpoints) needs botocore >= 1.31; "
                           "older SDKs send the profile's AssumeRole to sts.amazonaws.com")
def test_assume_role_from_an_sdk_profile(world, tmp_path, monkeypatch):
    akid, secret = world["app"]
    (tmp_path / "credentials").write_text(
        f"[app]\naws_access_key_id = {akid}\naws_secret_access_key = {secret}\n")
    (tmp_path / "config").write_text(
        "[profile app]\nregion = us-east-1\n\n"
        f"[profile decryptor]\nrole_arn = {role_arn('decryptor')}\nsource_profile = app\n"
        "role_session_name = from-profile\nregion = us-east-1\n\n"
        f"[profile outsider]\nrole_arn = {role_arn('outsider')}\nsource_profile = app\n"
        "region = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", world["endpoint"])
    import boto3
    session = boto3.session.Session(profile_name="decryptor")
    assert session.client("sts").get_caller_identity()["Arn"] == \
        session_arn("decryptor", "from-profile")
    kms = session.client("kms")
    blob = kms.encrypt(KeyId=world["key"], Plaintext=b"via profile")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"via profile"
    outsider = boto3.session.Session(profile_name="outsider").client("kms")
    response = error_of(outsider.decrypt, CiphertextBlob=blob)
    assert_error(response, "AccessDeniedException", 400)
    assert response["Error"]["Message"].startswith(
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/outsider/")
