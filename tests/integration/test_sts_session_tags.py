"""Session tags, source identity and the principal condition keys through the one access check:
AssumeRole Tags / TransitiveTagKeys / SourceIdentity (needing sts:TagSession and
sts:SetSourceIdentity in the trust policy), role and user tags (TagRole, TagUser, ...), and
aws:PrincipalTag/*, aws:PrincipalArn (with the role's path), aws:userid, aws:username,
aws:PrincipalAccount, aws:PrincipalType, aws:SourceIdentity, aws:TokenIssueTime,
aws:MultiFactorAuthPresent (absent) in KMS key policies and IAM identity policies."""

import json

import botocore
import pytest

from aws_helpers import boto_session, client
from iam_helpers import (ACCOUNT, allow, assert_error, error_of, role_arn, session_arn,
                         user_arn)


def _trust(principal, actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}]})


def _key_policy(statement):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"}, statement]})


def _kms(endpoint, creds):
    return boto_session(creds["AccessKeyId"], creds["SecretAccessKey"],
                        creds["SessionToken"]).client(
        "kms", endpoint_url=endpoint,
        config=botocore.config.Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def world(sealstack):
    iam = client("iam", sealstack.endpoint)
    iam.create_user(UserName="app", Tags=[{"Key": "dept", "Value": "eng"}])
    iam.put_user_policy(UserName="app", PolicyName="p", PolicyDocument=allow(
        ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]))
    k = iam.create_access_key(UserName="app")["AccessKey"]
    sts = client("sts", sealstack.endpoint, k["AccessKeyId"], k["SecretAccessKey"],
                 parameter_validation=False)
    root_kms = client("kms", sealstack.endpoint)
    return {"iam": iam, "sts": sts, "kms": root_kms, "endpoint": sealstack.endpoint}


def test_session_tag_drives_principal_tag_in_a_key_policy(world):
    iam, sts, kms = world["iam"], world["sts"], world["kms"]
    iam.create_role(RoleName="team", AssumeRolePolicyDocument=_trust(
        user_arn("app"), ["sts:AssumeRole", "sts:TagSession"]))
    key = kms.create_key(Policy=_key_policy(
        {"Sid": "blue", "Effect": "Allow", "Principal": {"AWS": role_arn("team")},
         "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}))["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"p")["CiphertextBlob"]

    def assume(team, session):
        return sts.assume_role(RoleArn=role_arn("team"), RoleSessionName=session,
                               Tags=[{"Key": "team", "Value": team}])["Credentials"]

    blue = _kms(world["endpoint"], assume("blue", "blue-1"))
    assert blue.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
    red = _kms(world["endpoint"], assume("red", "red-1"))
    assert_error(error_of(red.decrypt, CiphertextBlob=blob), "AccessDeniedException", 400,
                 f"User: {session_arn('team', 'red-1')} is not authorized to perform: "
                 f"kms:Decrypt on resource: {key} because no identity-based policy allows the "
                 f"kms:Decrypt action")

    # The role's own tag works alike, and a session tag overrides it.
    iam.tag_role(RoleName="team", Tags=[{"Key": "team", "Value": "blue"}])
    assert iam.list_role_tags(RoleName="team")["Tags"] == [{"Key": "team", "Value": "blue"}]
    untagged = sts.assume_role(RoleArn=role_arn("team"), RoleSessionName="plain")["Credentials"]
    assert _kms(world["endpoint"], untagged).decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
    overridden = _kms(world["endpoint"], assume("red", "red-2"))
    assert_error(error_of(overridden.decrypt, CiphertextBlob=blob), "AccessDeniedException", 400)
    iam.untag_role(RoleName="team", TagKeys=["team"])
    assert iam.list_role_tags(RoleName="team")["Tags"] == []
    assert_error(error_of(_kms(world["endpoint"], untagged).decrypt, CiphertextBlob=blob),
                 "AccessDeniedException", 400)


def test_tag_session_and_source_identity_need_the_trust_policy(world):
    iam, sts = world["iam"], world["sts"]
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=_trust(user_arn("app"),
                                                                       "sts:AssumeRole"))
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("plain"), RoleSessionName="s1",
                          Tags=[{"Key": "team", "Value": "blue"}]),
                 "AccessDenied", 403,
                 f"User: {user_arn('app')} is not authorized to perform: sts:TagSession on "
                 f"resource: {role_arn('plain')}")
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("plain"), RoleSessionName="s1",
                          SourceIdentity="alice"),
                 "AccessDenied", 403,
                 f"User: {user_arn('app')} is not authorized to perform: sts:SetSourceIdentity "
                 f"on resource: {role_arn('plain')}")
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("plain"), RoleSessionName="s1",
                          Tags=[{"Key": "a", "Value": "b"}], TransitiveTagKeys=["c"]),
                 "InvalidParameterValue", 400)


def test_principal_condition_keys(world):
    """One role policy whose conditions name every principal key a session has."""
    iam, sts, kms = world["iam"], world["sts"], world["kms"]
    role = iam.create_role(RoleName="keys", Path="/apps/", AssumeRolePolicyDocument=_trust(
        user_arn("app"), ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]))["Role"]
    key = kms.create_key(Policy=_key_policy(
        {"Sid": "path", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
         "Resource": "*",
         "Condition": {
             "ArnEquals": {"aws:PrincipalArn": role_arn("keys", "/apps/")},
             "StringEquals": {"aws:PrincipalAccount": ACCOUNT,
                              "aws:PrincipalType": "AssumedRole",
                              "aws:SourceIdentity": "alice",
                              "aws:userid": f"{role['RoleId']}:s1",
                              "aws:PrincipalTag/env": "test"},
             "Null": {"aws:MultiFactorAuthPresent": "true", "aws:TokenIssueTime": "false",
                      "aws:username": "true"}}}))["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"k")["CiphertextBlob"]
    good = sts.assume_role(RoleArn=role_arn("keys", "/apps/"), RoleSessionName="s1",
                           SourceIdentity="alice",
                           Tags=[{"Key": "env", "Value": "test"}])["Credentials"]
    assert _kms(world["endpoint"], good).decrypt(CiphertextBlob=blob)["Plaintext"] == b"k"
    other = sts.assume_role(RoleArn=role_arn("keys", "/apps/"), RoleSessionName="s1",
                            SourceIdentity="bob",
                            Tags=[{"Key": "env", "Value": "test"}])["Credentials"]
    assert_error(error_of(_kms(world["endpoint"], other).decrypt, CiphertextBlob=blob),
                 "AccessDeniedException", 400)


def test_user_tags_and_keys_in_identity_policies(world):
    iam, kms = world["iam"], world["kms"]
    key = kms.create_key()["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"u")["CiphertextBlob"]
    iam.create_user(UserName="dev")
    iam.tag_user(UserName="dev", Tags=[{"Key": "dept", "Value": "eng"}])
    assert iam.list_user_tags(UserName="dev")["Tags"] == [{"Key": "dept", "Value": "eng"}]
    user_id = iam.get_user(UserName="dev")["User"]["UserId"]
    iam.put_user_policy(UserName="dev", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/dept": "eng",
                                           "aws:username": "dev", "aws:userid": user_id,
                                           "aws:PrincipalType": "User",
                                           "aws:PrincipalArn": user_arn("dev")}}}]}))
    k = iam.create_access_key(UserName="dev")["AccessKey"]
    dev = boto_session(k["AccessKeyId"], k["SecretAccessKey"]).client(
        "kms", endpoint_url=world["endpoint"])
    assert dev.decrypt(CiphertextBlob=blob)["Plaintext"] == b"u"
    iam.untag_user(UserName="dev", TagKeys=["dept"])
    assert_error(error_of(dev.decrypt, CiphertextBlob=blob), "AccessDeniedException", 400)
    # aws:RequestTag / aws:TagKeys on IAM's own tagging.
    iam.put_user_policy(UserName="dev", PolicyName="tagging", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/dept": "eng"},
                          "ForAllValues:StringEquals": {"aws:TagKeys": ["dept"]}}}]}))
    dev_iam = boto_session(k["AccessKeyId"], k["SecretAccessKey"]).client(
        "iam", endpoint_url=world["endpoint"])
    dev_iam.tag_user(UserName="dev", Tags=[{"Key": "dept", "Value": "eng"}])
    assert_error(error_of(dev_iam.tag_user, UserName="dev",
                          Tags=[{"Key": "dept", "Value": "ops"}]), "AccessDenied", 403)


def _chain(world, first, second):
    """Roles `first` (assumed by app, tagging) and `second` (assumed by first's sessions), and an
    STS client of a session of `first` whose tag project=x is transitive."""
    iam, sts = world["iam"], world["sts"]
    iam.create_role(RoleName=first, AssumeRolePolicyDocument=_trust(
        user_arn("app"), ["sts:AssumeRole", "sts:TagSession"]))
    iam.put_role_policy(RoleName=first, PolicyName="p",
                        PolicyDocument=allow(["sts:AssumeRole", "sts:TagSession"]))
    iam.create_role(RoleName=second, AssumeRolePolicyDocument=_trust(
        role_arn(first), ["sts:AssumeRole", "sts:TagSession"]))
    creds = sts.assume_role(RoleArn=role_arn(first), RoleSessionName="one",
                            Tags=[{"Key": "project", "Value": "x"}],
                            TransitiveTagKeys=["project"])["Credentials"]
    return boto_session(creds["AccessKeyId"], creds["SecretAccessKey"],
                        creds["SessionToken"]).client("sts", endpoint_url=world["endpoint"])


def test_transitive_tags_pass_through_role_chaining(world):
    kms = world["kms"]
    chained_sts = _chain(world, "first", "second")
    key = kms.create_key(Policy=_key_policy(
        {"Sid": "t", "Effect": "Allow", "Principal": {"AWS": role_arn("second")},
         "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/project": "x"}}}))["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"t")["CiphertextBlob"]
    second = chained_sts.assume_role(RoleArn=role_arn("second"),
                                     RoleSessionName="two")["Credentials"]
    assert _kms(world["endpoint"], second).decrypt(CiphertextBlob=blob)["Plaintext"] == b"t"


def test_get_session_token_and_get_access_key_info(world, sealstack):
    iam, kms = world["iam"], world["kms"]
    key = kms.create_key()["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"g")["CiphertextBlob"]
    iam.create_user(UserName="tok")
    iam.put_user_policy(UserName="tok", PolicyName="p", PolicyDocument=allow("kms:Decrypt"))
    k = iam.create_access_key(UserName="tok")["AccessKey"]
    sts = client("sts", sealstack.endpoint, k["AccessKeyId"], k["SecretAccessKey"],
                 parameter_validation=False)
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    session = boto_session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    ident = session.client("sts", endpoint_url=sealstack.endpoint).get_caller_identity()
    assert ident["Arn"] == user_arn("tok")
    assert ident["UserId"] == iam.get_user(UserName="tok")["User"]["UserId"]
    tok_kms = _kms(sealstack.endpoint, creds)
    assert tok_kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"g"
    iam.delete_user_policy(UserName="tok", PolicyName="p")  # the user's policies, as they are now
    assert_error(error_of(tok_kms.decrypt, CiphertextBlob=blob), "AccessDeniedException", 400)
    # Not with session credentials; DurationSeconds bounds.
    assert_error(error_of(session.client("sts", endpoint_url=sealstack.endpoint).get_session_token),
                 "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
    assert_error(error_of(sts.get_session_token, DurationSeconds=129601), "ValidationError", 400,
                 "1 validation error detected: Value '129601' at 'durationSeconds' failed to "
                 "satisfy constraint: Member must have value less than or equal to 129600")
    # The account root may get one too.
    root = client("sts", sealstack.endpoint).get_session_token()["Credentials"]
    assert boto_session(root["AccessKeyId"], root["SecretAccessKey"], root["SessionToken"]).client(
        "sts", endpoint_url=sealstack.endpoint).get_caller_identity()["Arn"] == \
        f"arn:aws:iam::{ACCOUNT}:root"

    info = client("sts", sealstack.endpoint).get_access_key_info(AccessKeyId=k["AccessKeyId"])
    assert info["Account"] == ACCOUNT
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == ACCOUNT


# The packed size of session policies and tags (docs/iam.md, "Packed session policies and
# tags"): the Policy without white space, each PolicyArn and each session tag's key and value
# count against 4,096 bytes; PackedPolicySize is that share in percent, rounded up.
PACKED_LIMIT = 4096


def _packed_percent(n):
    return -(-n * 100 // PACKED_LIMIT)


def _tags(count, key_len=128, value_len=256):
    return [{"Key": f"k{i:03d}".ljust(key_len, "x"), "Value": "v" * value_len}
            for i in range(count)]


def test_packed_policy_size_is_reported_and_limited(world):
    iam, sts = world["iam"], world["sts"]
    iam.create_role(RoleName="packed", AssumeRolePolicyDocument=_trust(
        user_arn("app"), ["sts:AssumeRole", "sts:TagSession"]))
    plain = sts.assume_role(RoleArn=role_arn("packed"), RoleSessionName="plain")
    assert "PackedPolicySize" not in plain

    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}, indent=2)
    arn = f"arn:aws:iam::{ACCOUNT}:policy/not-there"
    out = sts.assume_role(RoleArn=role_arn("packed"), RoleSessionName="pol", Policy=policy,
                          PolicyArns=[{"arn": arn}], Tags=[{"Key": "team", "Value": "blue"}])
    counted = len("".join(policy.split())) + len(arn) + len("team") + len("blue")
    assert out["PackedPolicySize"] == _packed_percent(counted)

    # Exactly the limit is 100% and allowed; one byte more is refused.
    exact = _tags(10) + [{"Key": "last".ljust(128, "x"), "Value": "v" * 128}]
    assert sum(len(t["Key"]) + len(t["Value"]) for t in exact) == PACKED_LIMIT
    out = sts.assume_role(RoleArn=role_arn("packed"), RoleSessionName="exact", Tags=exact)
    assert out["PackedPolicySize"] == 100
    over = _tags(10) + [{"Key": "last".ljust(128, "x"), "Value": "v" * 129}]
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("packed"), RoleSessionName="over",
                          Tags=over),
                 "PackedPolicyTooLarge", 400,
                 "Packed policy consumes 101% of allotted space, please use smaller policy for "
                 "this operation.")
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("packed"), RoleSessionName="over",
                          Tags=_tags(11)),
                 "PackedPolicyTooLarge", 400,
                 "Packed policy consumes 104% of allotted space, please use smaller policy for "
                 "this operation.")


def test_inherited_transitive_tags_cannot_be_overridden(world):
    chained = _chain(world, "outer", "inner")
    for key in ("project", "PROJECT"):
        assert_error(error_of(chained.assume_role, RoleArn=role_arn("inner"),
                              RoleSessionName="two", Tags=[{"Key": key, "Value": "y"}]),
                     "InvalidParameterValue", 400)
    # Another key is fine, and the inherited tag counts in the packed size.
    out = chained.assume_role(RoleArn=role_arn("inner"), RoleSessionName="two",
                              Tags=[{"Key": "env", "Value": "dev"}])
    assert out["PackedPolicySize"] == _packed_percent(len("envdevprojectx"))
