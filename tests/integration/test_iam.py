"""IAM over the Query protocol through boto3 (whichever version runs this file): users, roles,
inline policies and access keys, with AWS's errors; access keys usable at once and refused when
Inactive by every service; IAM calls authorized by identity policy."""

import json
import re

import pytest

from aws_helpers import ROOT_ARN, client
from iam_helpers import (ACCOUNT, allow, assert_error, error_of, role_arn, trust, user_arn)

AKID_RE = re.compile(r"^AKIA[A-Z2-7]{16}$")


@pytest.fixture
def iam(sealstack):
    return client("iam", sealstack.endpoint)


def test_user_lifecycle(sealstack, iam):
    created = iam.create_user(UserName="alice", Path="/team/",
                              Tags=[{"Key": "dept", "Value": "crypto"}])["User"]
    assert created["UserName"] == "alice"
    assert created["Path"] == "/team/"
    assert created["Arn"] == user_arn("alice", "/team/")
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", created["UserId"]), created
    assert created["Tags"] == [{"Key": "dept", "Value": "crypto"}]
    got = iam.get_user(UserName="alice")["User"]
    assert got["UserId"] == created["UserId"] and got["CreateDate"] == created["CreateDate"]
    iam.create_user(UserName="bob")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice", "bob"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"]] == ["alice"]
    page = iam.list_users(MaxItems=1)
    assert page["IsTruncated"] and [u["UserName"] for u in page["Users"]] == ["alice"]
    rest = iam.list_users(Marker=page["Marker"])
    assert not rest["IsTruncated"] and [u["UserName"] for u in rest["Users"]] == ["bob"]

    # Names are unique case-insensitively.
    assert_error(error_of(iam.create_user, UserName="ALICE"), "EntityAlreadyExists", 409,
                 "User with name ALICE already exists.")
    assert_error(error_of(iam.get_user, UserName="nobody"), "NoSuchEntity", 404,
                 "The user with name nobody cannot be found.")
    assert_error(error_of(iam.create_user, UserName="bad/name"), "ValidationError", 400)
    assert_error(error_of(iam.create_user, UserName="x", Path="nopath"), "ValidationError", 400)

    iam.delete_user(UserName="bob")
    assert_error(error_of(iam.delete_user, UserName="bob"), "NoSuchEntity", 404)
    # The account root's GetUser without a name: not a user.
    assert_error(error_of(iam.get_user), "ValidationError", 400,
                 "Must specify userName when calling with non-User credentials")


def test_delete_conflicts(sealstack, iam):
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    assert_error(error_of(iam.delete_user, UserName="carol"), "DeleteConflict", 409,
                 "Cannot delete entity, must delete access keys first.")
    iam.delete_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"])
    iam.put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=allow("s3:*"))
    assert_error(error_of(iam.delete_user, UserName="carol"), "DeleteConflict", 409,
                 "Cannot delete entity, must delete policies first.")
    iam.delete_user_policy(UserName="carol", PolicyName="p")
    iam.delete_user(UserName="carol")

    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=allow("kms:*"))
    assert_error(error_of(iam.delete_role, RoleName="r"), "DeleteConflict", 409,
                 "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName="r", PolicyName="p")
    iam.delete_role(RoleName="r")
    assert_error(error_of(iam.get_role, RoleName="r"), "NoSuchEntity", 404,
                 "The role with name r cannot be found.")


def test_role_lifecycle(sealstack, iam):
    doc = trust(user_arn("app"))
    role = iam.create_role(RoleName="decryptor", Path="/apps/", AssumeRolePolicyDocument=doc,
                           Description="decrypts", MaxSessionDuration=7200,
                           Tags=[{"Key": "env", "Value": "test"}])["Role"]
    assert role["Arn"] == role_arn("decryptor", "/apps/")
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"]), role
    assert role["MaxSessionDuration"] == 7200 and role["Description"] == "decrypts"
    assert role["AssumeRolePolicyDocument"] == json.loads(doc)  # botocore decodes it
    got = iam.get_role(RoleName="decryptor")["Role"]
    assert got["RoleId"] == role["RoleId"] and got["Tags"] == [{"Key": "env", "Value": "test"}]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["decryptor"]
    new_doc = trust(ACCOUNT)
    iam.update_assume_role_policy(RoleName="decryptor", PolicyDocument=new_doc)
    assert iam.get_role(RoleName="decryptor")["Role"]["AssumeRolePolicyDocument"] == \
        json.loads(new_doc)

    assert_error(error_of(iam.create_role, RoleName="Decryptor", AssumeRolePolicyDocument=doc),
                 "EntityAlreadyExists", 409, "Role with name Decryptor already exists.")
    assert_error(error_of(iam.create_role, RoleName="bad", AssumeRolePolicyDocument="{not json"),
                 "MalformedPolicyDocument", 400)
    assert_error(error_of(iam.update_assume_role_policy, RoleName="decryptor",
                          PolicyDocument=allow("s3:*")),  # a trust policy needs a Principal
                 "MalformedPolicyDocument", 400)
    unchecked = client("iam", sealstack.endpoint, parameter_validation=False)
    assert_error(error_of(unchecked.create_role, RoleName="short", AssumeRolePolicyDocument=doc,
                          MaxSessionDuration=600),
                 "ValidationError", 400,
                 "1 validation error detected: Value '600' at 'maxSessionDuration' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 3600")
    assert_error(error_of(iam.update_assume_role_policy, RoleName="nope", PolicyDocument=doc),
                 "NoSuchEntity", 404)


def test_inline_policies(sealstack, iam):
    iam.create_user(UserName="dave")
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(ACCOUNT))
    for put, get, lst, delete, owner in (
            (iam.put_user_policy, iam.get_user_policy, iam.list_user_policies,
             iam.delete_user_policy, {"UserName": "dave"}),
            (iam.put_role_policy, iam.get_role_policy, iam.list_role_policies,
             iam.delete_role_policy, {"RoleName": "worker"})):
        put(PolicyName="b", PolicyDocument=allow("kms:Decrypt"), **owner)
        put(PolicyName="a", PolicyDocument=allow("kms:Encrypt"), **owner)
        put(PolicyName="a", PolicyDocument=allow(["kms:Encrypt", "kms:DescribeKey"]), **owner)
        assert lst(**owner)["PolicyNames"] == ["a", "b"]
        got = get(PolicyName="a", **owner)
        assert got["PolicyName"] == "a"
        assert got["PolicyDocument"] == json.loads(allow(["kms:Encrypt", "kms:DescribeKey"]))
        assert_error(error_of(put, PolicyName="c", PolicyDocument='{"Statement": 1}', **owner),
                     "MalformedPolicyDocument", 400)
        delete(PolicyName="b", **owner)
        word = "user" if "UserName" in owner else "role"
        assert_error(error_of(get, PolicyName="b", **owner), "NoSuchEntity", 404,
                     f"The {word} policy with name b cannot be found.")
        assert_error(error_of(delete, PolicyName="b", **owner), "NoSuchEntity", 404)
    assert_error(error_of(iam.put_user_policy, UserName="ghost", PolicyName="p",
                          PolicyDocument=allow("s3:*")),
                 "NoSuchEntity", 404, "The user with name ghost cannot be found.")
    # A user's inline policies share a 2,048-byte quota.
    big = allow(["kms:" + "X" * 60 + str(i) for i in range(40)])
    assert_error(error_of(iam.put_user_policy, UserName="dave", PolicyName="big",
                          PolicyDocument=big),
                 "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user dave")


def test_access_key_is_usable_at_once_and_refused_when_inactive(sealstack, iam):
    user = iam.create_user(UserName="erin")["User"]
    key = iam.create_access_key(UserName="erin")["AccessKey"]
    assert AKID_RE.match(key["AccessKeyId"]), key
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    assert key["UserName"] == "erin"
    akid, secret = key["AccessKeyId"], key["SecretAccessKey"]

    ident = client("sts", sealstack.endpoint, akid, secret).get_caller_identity()
    assert ident["Arn"] == user_arn("erin") and ident["UserId"] == user["UserId"]
    assert ident["Account"] == ACCOUNT
    listed = iam.list_access_keys(UserName="erin")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(akid, "Active")]
    assert "SecretAccessKey" not in listed[0]

    second = iam.create_access_key(UserName="erin")["AccessKey"]
    assert_error(error_of(iam.create_access_key, UserName="erin"), "LimitExceeded", 409,
                 "Cannot exceed quota for AccessKeysPerUser: 2")
    iam.delete_access_key(UserName="erin", AccessKeyId=second["AccessKeyId"])

    iam.update_access_key(UserName="erin", AccessKeyId=akid, Status="Inactive")
    assert iam.list_access_keys(UserName="erin")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert_error(error_of(client("sts", sealstack.endpoint, akid, secret).get_caller_identity),
                 "InvalidClientTokenId", 403)
    assert_error(error_of(client("kms", sealstack.endpoint, akid, secret).list_keys),
                 "UnrecognizedClientException", 400)
    assert_error(error_of(client("s3", sealstack.endpoint, akid, secret).list_buckets),
                 "InvalidAccessKeyId", 403)
    assert_error(error_of(client("iam", sealstack.endpoint, akid, secret).get_user),
                 "InvalidClientTokenId", 403)

    iam.update_access_key(UserName="erin", AccessKeyId=akid, Status="Active")
    assert client("sts", sealstack.endpoint, akid, secret).get_caller_identity()["Arn"] == \
        user_arn("erin")
    assert_error(error_of(iam.update_access_key, UserName="erin", AccessKeyId=akid,
                          Status="Paused"), "ValidationError", 400)
    assert_error(error_of(iam.update_access_key, UserName="erin",
                          AccessKeyId="AKIAAAAAAAAAAAAAAAAA", Status="Inactive"),
                 "NoSuchEntity", 404,
                 "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.")
    iam.delete_access_key(UserName="erin", AccessKeyId=akid)
    assert_error(error_of(client("sts", sealstack.endpoint, akid, secret).get_caller_identity),
                 "InvalidClientTokenId", 403)


def test_iam_calls_are_authorized_by_identity_policy(sealstack, iam):
    iam.create_user(UserName="frank")
    key = iam.create_access_key(UserName="frank")["AccessKey"]
    frank = client("iam", sealstack.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert_error(error_of(frank.create_user, UserName="x"), "AccessDenied", 403,
                 f"User: {user_arn('frank')} is not authorized to perform: iam:CreateUser on "
                 f"resource: {user_arn('x')} because no identity-based policy allows the "
                 "iam:CreateUser action")
    # The user's inline policies are its identity policies, as they are now.
    iam.put_user_policy(UserName="frank", PolicyName="self",
                        PolicyDocument=allow(["iam:GetUser", "iam:ListAccessKeys"],
                                             user_arn("frank")))
    assert frank.get_user()["User"]["UserName"] == "frank"  # no UserName: the caller
    assert len(frank.list_access_keys()["AccessKeyMetadata"]) == 1
    assert_error(error_of(frank.get_user, UserName="someone"), "AccessDenied", 403)
    iam.put_user_policy(UserName="frank", PolicyName="admin", PolicyDocument=allow("iam:*"))
    frank.create_user(UserName="x")
    iam.put_user_policy(UserName="frank", PolicyName="deny",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]}))
    assert_error(error_of(frank.delete_user, UserName="x"), "AccessDenied", 403,
                 f"User: {user_arn('frank')} is not authorized to perform: iam:DeleteUser on "
                 f"resource: {user_arn('x')} with an explicit deny in an identity-based policy")
    # The account root may do all; config principals keep working.
    assert client("sts", sealstack.endpoint).get_caller_identity()["Arn"] == ROOT_ARN


def test_secrets_are_not_stored_in_clear(start_sealstack, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    server = start_sealstack(extra_args=["--data-dir", str(data)])
    iam = client("iam", server.endpoint)
    iam.create_user(UserName="gina")
    key = iam.create_access_key(UserName="gina")["AccessKey"]
    server.stop()
    blob = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("sealstack.db"))
    assert key["AccessKeyId"].encode() in blob  # the id is there ...
    assert key["SecretAccessKey"].encode() not in blob  # ... never the secret
    # The key survives a restart, unwrapped under the same root key.
    again = start_sealstack(extra_args=["--data-dir", str(data)])
    ident = client("sts", again.endpoint, key["AccessKeyId"],
                   key["SecretAccessKey"]).get_caller_identity()
    assert ident["Arn"] == user_arn("gina")
