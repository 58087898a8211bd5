"""IAM operations Terraform uses besides the core ones: instance profiles (one role each, the
DeleteConflict rules between profiles and roles, tags, listings), UpdateUser (rename, move),
UpdateRole / UpdateRoleDescription, and GetAccessKeyLastUsed (a key's last use, recorded without
a database write on every request)."""

import pytest

from aws_helpers import REGION, boto_session, client
from iam_helpers import ACCOUNT, allow, assert_error, error_of, role_arn, trust, user_arn
from s3_helpers import module_servers  # noqa: F401  (the module-scoped server factory)


@pytest.fixture(scope="module")
def server(module_servers):  # noqa: F811
    return module_servers.start()


@pytest.fixture(scope="module")
def iam(server):
    return client("iam", server.endpoint)


def test_instance_profiles(iam):
    iam.create_role(RoleName="ec2", Path="/svc/",
                    AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    created = iam.create_instance_profile(InstanceProfileName="web", Path="/svc/",
                                          Tags=[{"Key": "env", "Value": "ci"}])["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/svc/web"
    assert created["InstanceProfileId"].startswith("AIPA") and created["Roles"] == []
    assert_error(error_of(iam.create_instance_profile, InstanceProfileName="WEB"),
                 "EntityAlreadyExists", 409, "Instance Profile WEB already exists.")

    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="ec2")
    profile = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["Arn"] for r in profile["Roles"]] == [role_arn("ec2", "/svc/")]
    assert profile["Tags"] == [{"Key": "env", "Value": "ci"}]
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    assert_error(error_of(iam.add_role_to_instance_profile, InstanceProfileName="web",
                          RoleName="other"),
                 "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    for_role = iam.list_instance_profiles_for_role(RoleName="ec2")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    assert [p["InstanceProfileName"] for p in
            iam.list_instance_profiles(PathPrefix="/svc/")["InstanceProfiles"]] == ["web"]

    conflict = "Cannot delete entity, must remove roles from instance profile first."
    assert_error(error_of(iam.delete_instance_profile, InstanceProfileName="web"),
                 "DeleteConflict", 409, conflict)
    assert_error(error_of(iam.delete_role, RoleName="ec2"), "DeleteConflict", 409, conflict)

    iam.tag_instance_profile(InstanceProfileName="web", Tags=[{"Key": "team", "Value": "a"}])
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["ENV"])
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == \
        [{"Key": "team", "Value": "a"}]

    assert_error(error_of(iam.remove_role_from_instance_profile, InstanceProfileName="web",
                          RoleName="other"), "NoSuchEntity", 404)
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="ec2")
    iam.delete_instance_profile(InstanceProfileName="web")
    iam.delete_role(RoleName="ec2")
    assert_error(error_of(iam.get_instance_profile, InstanceProfileName="web"),
                 "NoSuchEntity", 404, "Instance Profile web cannot be found.")


def test_update_user_and_role(server, iam):
    iam.create_user(UserName="old")
    iam.put_user_policy(UserName="old", PolicyName="p", PolicyDocument=allow("kms:*"))
    key = iam.create_access_key(UserName="old")["AccessKey"]
    iam.create_user(UserName="taken")
    assert_error(error_of(iam.update_user, UserName="old", NewUserName="taken"),
                 "EntityAlreadyExists", 409, "User with name taken already exists.")
    iam.update_user(UserName="old", NewUserName="new", NewPath="/team/")
    user = iam.get_user(UserName="new")["User"]
    assert user["Arn"] == user_arn("new", "/team/")
    assert_error(error_of(iam.get_user, UserName="old"), "NoSuchEntity", 404)
    # The inline policy and the access key follow the user.
    assert iam.list_user_policies(UserName="new")["PolicyNames"] == ["p"]
    session = boto_session(key["AccessKeyId"], key["SecretAccessKey"], region_name=REGION)
    assert session.client("sts", endpoint_url=server.endpoint).get_caller_identity()["Arn"] == \
        user_arn("new", "/team/")
    assert_error(error_of(iam.update_user, UserName="ghost", NewUserName="x"), "NoSuchEntity", 404)

    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.update_role(RoleName="r", Description="updated", MaxSessionDuration=7200)
    role = iam.get_role(RoleName="r")["Role"]
    assert role["Description"] == "updated" and role["MaxSessionDuration"] == 7200
    out = iam.update_role_description(RoleName="r", Description="again")["Role"]
    assert out["Description"] == "again" and out["MaxSessionDuration"] == 7200
    assert_error(error_of(iam.update_role, RoleName="r", MaxSessionDuration=100000),
                 "ValidationError", 400)
    assert_error(error_of(iam.update_role, RoleName="none", Description="x"), "NoSuchEntity", 404)


def test_access_key_last_used(server, iam):
    iam.create_user(UserName="user-lu")
    iam.put_user_policy(UserName="user-lu", PolicyName="p", PolicyDocument=allow("kms:*"))
    key = iam.create_access_key(UserName="user-lu")["AccessKey"]
    fresh = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert fresh["UserName"] == "user-lu"
    assert fresh["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert "LastUsedDate" not in fresh["AccessKeyLastUsed"]
    session = boto_session(key["AccessKeyId"], key["SecretAccessKey"], region_name="eu-west-1")
    session.client("kms", endpoint_url=server.endpoint).list_keys()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("kms", "eu-west-1") and used["LastUsedDate"]
    # A second use within the minute is answered from memory.
    session.client("sts", endpoint_url=server.endpoint).get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "sts"
    assert_error(error_of(iam.get_access_key_last_used, AccessKeyId="AKIANOSUCHKEY0000000"),
                 "NoSuchEntity", 404)
