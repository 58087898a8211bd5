"""Managed policies, groups, permissions boundaries and STS session policies, and how they
intersect in the one access check (AWS's "Policy evaluation logic"): effective permission =
identity (inline + attached + groups) ∩ boundary ∩ session policies, plus what a resource policy
grants; an explicit deny anywhere wins."""

import json

import botocore
import pytest

from aws_helpers import boto_session, client
from iam_helpers import (ACCOUNT, allow, assert_error, error_of, role_arn, session_arn, trust,
                         user_arn)


def policy_arn(name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:policy{path}{name}"


def deny(actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": actions, "Resource": resource}]})


def _user(iam, name):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _as(endpoint, service, creds):
    if len(creds) == 3:
        session = boto_session(*creds)
    else:
        session = boto_session(creds[0], creds[1])
    return session.client(service, endpoint_url=endpoint,
                          config=botocore.config.Config(retries={"total_max_attempts": 1}))


def _kms_denied(call, principal, action, key, reason, **kwargs):
    assert_error(error_of(call, **kwargs), "AccessDeniedException", 400,
                 f"User: {principal} is not authorized to perform: {action} on resource: {key} "
                 f"{reason}")


@pytest.fixture
def world(sealstack):
    iam = client("iam", sealstack.endpoint)
    kms = client("kms", sealstack.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]  # default key policy: delegates to IAM
    blob = kms.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    return {"iam": iam, "endpoint": sealstack.endpoint, "key": key, "blob": blob}


def test_managed_policy_versions(world):
    iam = world["iam"]
    created = iam.create_policy(PolicyName="kms-use", Path="/team/",
                                PolicyDocument=allow("kms:Decrypt"), Description="d")["Policy"]
    arn = policy_arn("kms-use", "/team/")
    assert created["Arn"] == arn and created["DefaultVersionId"] == "v1"
    assert created["PolicyId"].startswith("ANPA") and created["AttachmentCount"] == 0
    assert created["IsAttachable"] is True
    assert_error(error_of(iam.create_policy, PolicyName="kms-use", PolicyDocument=allow("s3:*")),
                 "EntityAlreadyExists", 409,
                 "A policy called kms-use already exists. Duplicate names are not allowed.")
    assert_error(error_of(iam.create_policy, PolicyName="bad", PolicyDocument="{}"),
                 "MalformedPolicyDocument", 400)

    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("kms:*"),
                                   SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True
    for i in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow(f"kms:Get{i}"))
    assert_error(error_of(iam.create_policy_version, PolicyArn=arn,
                          PolicyDocument=allow("kms:X")),
                 "LimitExceeded", 409,
                 "A managed policy can have up to 5 versions. Before you create a new version, "
                 "you must delete an existing version.")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [False, False, False, True, False]
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert json.loads(got["Document"]) if isinstance(got["Document"], str) else got["Document"]
    assert_error(error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v2"),
                 "DeleteConflict", 409, "Cannot delete the default version of a policy.")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    assert_error(error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v9"),
                 "NoSuchEntity", 404)
    assert_error(error_of(iam.delete_policy, PolicyArn=arn), "DeleteConflict", 409)
    for v in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    names = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert names == ["kms-use"]
    iam.delete_policy(PolicyArn=arn)
    assert_error(error_of(iam.get_policy, PolicyArn=arn), "NoSuchEntity", 404,
                 f"Policy {arn} does not exist or is not attachable.")


def test_attached_and_group_policies_authorize(world):
    iam, key, blob = world["iam"], world["key"], world["blob"]
    alice = _user(iam, "alice")
    kms = _as(world["endpoint"], "kms", alice)
    _kms_denied(kms.decrypt, user_arn("alice"), "kms:Decrypt", key,
                "because no identity-based policy allows the kms:Decrypt action",
                CiphertextBlob=blob)

    arn = iam.create_policy(PolicyName="decrypt", PolicyDocument=allow("kms:Decrypt"))[
        "Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    attached = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    assert attached == [{"PolicyName": "decrypt", "PolicyArn": arn}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert_error(error_of(iam.delete_policy, PolicyArn=arn), "DeleteConflict", 409,
                 "Cannot delete a policy attached to entities.")
    assert_error(error_of(iam.delete_user, UserName="alice"), "DeleteConflict", 409)
    iam.detach_user_policy(UserName="alice", PolicyArn=arn)
    assert_error(error_of(iam.detach_user_policy, UserName="alice", PolicyArn=arn),
                 "NoSuchEntity", 404)
    _kms_denied(kms.decrypt, user_arn("alice"), "kms:Decrypt", key,
                "because no identity-based policy allows the kms:Decrypt action",
                CiphertextBlob=blob)

    # Through a group: its attached policy, then its inline deny.
    group = iam.create_group(GroupName="readers")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/readers"
    assert group["GroupId"].startswith("AGPA")
    assert_error(error_of(iam.create_group, GroupName="Readers"), "EntityAlreadyExists", 409)
    iam.attach_group_policy(GroupName="readers", PolicyArn=arn)
    iam.add_user_to_group(GroupName="readers", UserName="alice")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    got = iam.get_group(GroupName="readers")
    assert [u["UserName"] for u in got["Users"]] == ["alice"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == \
        ["readers"]
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["readers"]
    assert entities["PolicyUsers"] == [] and entities["PolicyRoles"] == []

    iam.put_group_policy(GroupName="readers", PolicyName="no", PolicyDocument=deny("kms:*"))
    assert iam.list_group_policies(GroupName="readers")["PolicyNames"] == ["no"]
    _kms_denied(kms.decrypt, user_arn("alice"), "kms:Decrypt", key,
                "with an explicit deny in an identity-based policy", CiphertextBlob=blob)
    assert_error(error_of(iam.delete_group, GroupName="readers"), "DeleteConflict", 409,
                 "Cannot delete entity, must remove users from group first.")
    iam.remove_user_from_group(GroupName="readers", UserName="alice")
    _kms_denied(kms.decrypt, user_arn("alice"), "kms:Decrypt", key,
                "because no identity-based policy allows the kms:Decrypt action",
                CiphertextBlob=blob)
    iam.delete_group_policy(GroupName="readers", PolicyName="no")
    iam.detach_group_policy(GroupName="readers", PolicyArn=arn)
    iam.delete_group(GroupName="readers")
    assert_error(error_of(iam.get_group, GroupName="readers"), "NoSuchEntity", 404,
                 "The group with name readers cannot be found.")


def test_permissions_boundary_limits_identity_policies(world):
    iam, key, blob = world["iam"], world["key"], world["blob"]
    boundary = iam.create_policy(PolicyName="only-describe",
                                 PolicyDocument=allow(["kms:DescribeKey", "kms:Encrypt"]))[
        "Policy"]["Arn"]
    assert_error(error_of(iam.create_user, UserName="bob",
                          PermissionsBoundary=policy_arn("nope")),
                 "NoSuchEntity", 404,
                 f"Scope ARN: {policy_arn('nope')} does not exist or is not attachable.")
    iam.create_user(UserName="bob", PermissionsBoundary=boundary)
    assert iam.get_user(UserName="bob")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary}
    iam.put_user_policy(UserName="bob", PolicyName="all", PolicyDocument=allow("kms:*"))
    k = iam.create_access_key(UserName="bob")["AccessKey"]
    kms = _as(world["endpoint"], "kms", (k["AccessKeyId"], k["SecretAccessKey"]))
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key
    _kms_denied(kms.decrypt, user_arn("bob"), "kms:Decrypt", key,
                "because no permissions boundary allows the kms:Decrypt action",
                CiphertextBlob=blob)
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_user_permissions_boundary(UserName="bob")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bob")["User"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=boundary)
    _kms_denied(kms.decrypt, user_arn("bob"), "kms:Decrypt", key,
                "because no permissions boundary allows the kms:Decrypt action",
                CiphertextBlob=blob)


def test_session_policies_and_role_boundaries(world):
    iam, key, blob, endpoint = world["iam"], world["key"], world["blob"], world["endpoint"]
    app = _user(iam, "app")
    iam.put_user_policy(UserName="app", PolicyName="assume", PolicyDocument=allow("sts:AssumeRole"))
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(user_arn("app")))
    iam.attach_role_policy(RoleName="worker", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    sts = _as(endpoint, "sts", app)

    def session(**kwargs):
        c = sts.assume_role(RoleArn=role_arn("worker"), RoleSessionName="s1", **kwargs)[
            "Credentials"]
        return _as(endpoint, "kms", (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))

    assert session().decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    narrowed = session(Policy=allow("kms:DescribeKey"))
    assert narrowed.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key
    _kms_denied(narrowed.decrypt, session_arn("worker", "s1"), "kms:Decrypt", key,
                "because no session policy allows the kms:Decrypt action", CiphertextBlob=blob)
    # A managed session policy (PolicyArns) and an explicit deny in a session policy.
    managed = iam.create_policy(PolicyName="decrypt-only", PolicyDocument=allow("kms:Decrypt"))[
        "Policy"]["Arn"]
    by_arn = session(PolicyArns=[{"arn": managed}])
    assert by_arn.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    _kms_denied(by_arn.describe_key, session_arn("worker", "s1"), "kms:DescribeKey", key,
                "because no session policy allows the kms:DescribeKey action", KeyId=key)
    denying = session(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}))
    _kms_denied(denying.decrypt, session_arn("worker", "s1"), "kms:Decrypt", key,
                "with an explicit deny in a session policy", CiphertextBlob=blob)
    # A session policy never grants more than the role has.
    iam.detach_role_policy(RoleName="worker",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    wide = session(Policy=allow("kms:*"))
    _kms_denied(wide.decrypt, session_arn("worker", "s1"), "kms:Decrypt", key,
                "because no identity-based policy allows the kms:Decrypt action",
                CiphertextBlob=blob)
    # Malformed and oversized session policies.
    assert_error(error_of(sts.assume_role, RoleArn=role_arn("worker"), RoleSessionName="s1",
                          Policy="{"), "MalformedPolicyDocument", 400)

    # The role's permissions boundary limits its sessions.
    iam.put_role_policy(RoleName="worker", PolicyName="all", PolicyDocument=allow("kms:*"))
    boundary = iam.create_policy(PolicyName="describe-only",
                                 PolicyDocument=allow("kms:DescribeKey"))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="worker", PermissionsBoundary=boundary)
    assert iam.get_role(RoleName="worker")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == boundary
    bounded = session()
    _kms_denied(bounded.decrypt, session_arn("worker", "s1"), "kms:Decrypt", key,
                "because no permissions boundary allows the kms:Decrypt action",
                CiphertextBlob=blob)
    iam.delete_role_permissions_boundary(RoleName="worker")
    assert bounded.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_resource_policy_and_session_limits(world, sealstack):
    """A key policy naming the ROLE is limited by a session policy; one naming the SESSION is
    not (AWS: an implicit deny in a session policy does not limit what a resource-based policy
    grants to the session's own ARN)."""
    iam, endpoint = world["iam"], world["endpoint"]
    app = _user(iam, "app2")
    iam.put_user_policy(UserName="app2", PolicyName="assume",
                        PolicyDocument=allow("sts:AssumeRole"))
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(user_arn("app2")))
    kms_root = client("kms", endpoint)

    def key_naming(principal):
        return kms_root.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "named", "Effect": "Allow", "Principal": {"AWS": principal},
             "Action": "kms:Decrypt", "Resource": "*"}]}))["KeyMetadata"]["Arn"]

    by_role = key_naming(role_arn("r"))
    by_session = key_naming(session_arn("r", "narrow"))
    blobs = {k: kms_root.encrypt(KeyId=k, Plaintext=b"p")["CiphertextBlob"]
             for k in (by_role, by_session)}
    sts = _as(endpoint, "sts", app)
    c = sts.assume_role(RoleArn=role_arn("r"), RoleSessionName="narrow",
                        Policy=allow("kms:DescribeKey"))["Credentials"]
    kms = _as(endpoint, "kms", (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
    assert kms.decrypt(CiphertextBlob=blobs[by_session])["Plaintext"] == b"p"
    _kms_denied(kms.decrypt, session_arn("r", "narrow"), "kms:Decrypt", by_role,
                "because no session policy allows the kms:Decrypt action",
                CiphertextBlob=blobs[by_role])
