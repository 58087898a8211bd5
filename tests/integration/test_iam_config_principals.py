"""Config-file and seed principals as IAM entities (issue 16, docs/iam.md "Configured
principals"): GetUser/GetRole/ListUsers/ListRoles answer them beside the stored users and roles
(paged together in name order), their config policies are inline policies named config-N, a
configured user's key is listed, their names are taken (EntityAlreadyExists 409), changes to them
are refused (UnmodifiableEntity 400), a configured role is assumable through STS as its trust
policy says, and the account root is no user. Both interpreters; the AWS CLI v1 and v2 too."""

import datetime
import json
import re
import subprocess

import pytest

from aws_helpers import REGION, boto_session, client
from control_helpers import admin
from iam_helpers import ACCOUNT, assert_error, error_of, role_arn, session_arn, user_arn
from test_kms_cli import _env, aws_cli  # noqa: F401  (the CLI fixture, v1 and v2)

OTHER_ACCOUNT = "111111111111"
ALICE_KEY, ALICE_SECRET = "AKIACONFIGALICE00001", "alice-config-secret"
BOB_KEY, BOB_SECRET = "AKIACONFIGBOB0000001", "bob-config-secret"
ALICE_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:AssumeRole"],
     "Resource": "*"}]}
DEPLOYER_POLICIES = [
    {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]},
    {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]},
]
CONFIG = {"principals": [
    {"access_key_id": ALICE_KEY, "secret_access_key": ALICE_SECRET,
     "arn": user_arn("alice"), "policies": [ALICE_POLICY]},
    {"arn": role_arn("deployer", "/team/"), "policies": DEPLOYER_POLICIES},
    {"arn": role_arn("glue-etl")},
    {"access_key_id": BOB_KEY, "secret_access_key": BOB_SECRET,
     "arn": f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob",
     "policies": [{"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}]},
]}
CREATE_DATE = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
UNIQUE_ID = re.compile(r"^(AIDA|AROA)[A-Z2-7]{17}$")
UNMODIFIABLE = ("Cannot perform the operation on the protected {kind} '{name}' - this {kind} is "
                "defined by SealStack's configuration (--config principals or a seed document) "
                "and is only modifiable there")


def default_trust(account=ACCOUNT):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root",
                                          "Service": "glue.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(config=CONFIG)


@pytest.fixture
def iam(server):
    return client("iam", server.endpoint)


def test_get_user_and_role_answer_configured_principals(server, iam):
    user = iam.get_user(UserName="alice")["User"]
    assert user["UserName"] == "alice" and user["Path"] == "/" and user["Arn"] == user_arn("alice")
    assert UNIQUE_ID.match(user["UserId"]) and user["UserId"].startswith("AIDA"), user
    assert user["CreateDate"] == CREATE_DATE
    # Names are case-insensitive, as IAM's are; the answer carries the configured name.
    assert iam.get_user(UserName="ALICE")["User"]["UserId"] == user["UserId"]

    role = iam.get_role(RoleName="deployer")["Role"]
    assert role["Path"] == "/team/" and role["Arn"] == role_arn("deployer", "/team/")
    assert UNIQUE_ID.match(role["RoleId"]) and role["RoleId"].startswith("AROA"), role
    assert role["AssumeRolePolicyDocument"] == default_trust()
    assert role["MaxSessionDuration"] == 3600 and role["CreateDate"] == CREATE_DATE

    # The same id GetCallerIdentity answers for the user's key.
    sts = client("sts", server.endpoint, key=ALICE_KEY, secret=ALICE_SECRET)
    assert sts.get_caller_identity()["UserId"] == user["UserId"]
    # GetUser without UserName, signed with the configured key: that user.
    as_alice = client("iam", server.endpoint, key=ALICE_KEY, secret=ALICE_SECRET)
    assert as_alice.get_user()["User"] == user

    # Other accounts' configured principals are not this account's entities.
    assert_error(error_of(iam.get_user, UserName="bob"), "NoSuchEntity", 404,
                 "The user with name bob cannot be found.")
    assert_error(error_of(iam.get_role, RoleName="nobody"), "NoSuchEntity", 404,
                 "The role with name nobody cannot be found.")


def test_unique_ids_are_stable_across_restarts(start_sealstack):
    ids = []
    for _ in range(2):
        server = start_sealstack(config=CONFIG)
        iam = client("iam", server.endpoint)
        ids.append((iam.get_user(UserName="alice")["User"]["UserId"],
                    iam.get_role(RoleName="deployer")["Role"]["RoleId"]))
        server.stop()
    assert ids[0] == ids[1]


def test_lists_merge_configured_and_stored_entities_in_name_order(server, iam):
    for name in ("zed", "aaron", "Bea"):
        iam.create_user(UserName=name)
    iam.create_user(UserName="ops-user", Path="/team/")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(default_trust()))

    names = [u["UserName"] for u in iam.list_users()["Users"]]
    assert names == ["aaron", "alice", "Bea", "ops-user", "zed"]  # no root, no bob

    paged, marker = [], None
    while True:
        page = iam.list_users(MaxItems=1, **({"Marker": marker} if marker else {}))
        assert len(page["Users"]) == 1
        paged += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert paged == names
    # A paginator walks the same pages.
    pages = iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2})
    assert [u["UserName"] for p in pages for u in p["Users"]] == names

    roles = iam.list_roles()["Roles"]
    assert [r["RoleName"] for r in roles] == ["app", "deployer", "glue-etl"]
    deployer = next(r for r in roles if r["RoleName"] == "deployer")
    assert deployer["AssumeRolePolicyDocument"] == default_trust()
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/team/")["Roles"]] == ["deployer"]
    first = iam.list_roles(MaxItems=2)
    assert first["IsTruncated"] and [r["RoleName"] for r in first["Roles"]] == ["app", "deployer"]
    rest = iam.list_roles(MaxItems=2, Marker=first["Marker"])
    assert not rest["IsTruncated"] and [r["RoleName"] for r in rest["Roles"]] == ["glue-etl"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"]] == ["ops-user"]

    # The other account sees its own configured user only.
    as_bob = client("iam", server.endpoint, key=BOB_KEY, secret=BOB_SECRET)
    assert [u["UserName"] for u in as_bob.list_users()["Users"]] == ["bob"]
    assert as_bob.list_roles()["Roles"] == []


def test_config_policies_are_inline_policies(server, iam):
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["config-0"]
    got = iam.get_user_policy(UserName="alice", PolicyName="config-0")
    assert got["UserName"] == "alice" and got["PolicyDocument"] == ALICE_POLICY

    assert iam.list_role_policies(RoleName="deployer")["PolicyNames"] == ["config-0", "config-1"]
    page = iam.list_role_policies(RoleName="deployer", MaxItems=1)
    assert page["PolicyNames"] == ["config-0"] and page["IsTruncated"]
    assert iam.list_role_policies(RoleName="deployer", Marker=page["Marker"])[
        "PolicyNames"] == ["config-1"]
    for i, doc in enumerate(DEPLOYER_POLICIES):
        got = iam.get_role_policy(RoleName="deployer", PolicyName=f"config-{i}")
        assert got["RoleName"] == "deployer" and got["PolicyDocument"] == doc
    assert iam.list_role_policies(RoleName="glue-etl")["PolicyNames"] == []
    assert_error(error_of(iam.get_role_policy, RoleName="deployer", PolicyName="config-2"),
                 "NoSuchEntity", 404, "The role policy with name config-2 cannot be found.")

    # Nothing attached, no tags, no groups, no instance profiles.
    assert iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"] == []
    assert iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []
    assert iam.list_role_tags(RoleName="deployer")["Tags"] == []
    assert iam.list_groups_for_user(UserName="alice")["Groups"] == []
    assert iam.list_instance_profiles_for_role(RoleName="deployer")["InstanceProfiles"] == []


def test_configured_user_lists_its_access_key(server, iam):
    keys = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [(k["UserName"], k["AccessKeyId"], k["Status"]) for k in keys] == \
        [("alice", ALICE_KEY, "Active")]
    assert keys[0]["CreateDate"] == CREATE_DATE
    as_alice = client("iam", server.endpoint, key=ALICE_KEY, secret=ALICE_SECRET)
    assert as_alice.list_access_keys()["AccessKeyMetadata"] == keys
    # Not emulated (docs/iam.md): the last use of a configured key.
    assert_error(error_of(iam.get_access_key_last_used, AccessKeyId=ALICE_KEY), "NoSuchEntity",
                 404, f"The Access Key with id {ALICE_KEY} cannot be found.")


def test_configured_names_are_taken(iam):
    for name in ("alice", "Alice"):
        assert_error(error_of(iam.create_user, UserName=name), "EntityAlreadyExists", 409,
                     f"User with name {name} already exists.")
    assert_error(error_of(iam.create_role, RoleName="deployer",
                          AssumeRolePolicyDocument=json.dumps(default_trust())),
                 "EntityAlreadyExists", 409, "Role with name deployer already exists.")
    iam.create_user(UserName="carol")
    assert_error(error_of(iam.update_user, UserName="carol", NewUserName="alice"),
                 "EntityAlreadyExists", 409, "User with name alice already exists.")


def test_changes_to_configured_entities_are_refused(iam):
    user_msg = UNMODIFIABLE.format(kind="user", name="alice")
    role_msg = UNMODIFIABLE.format(kind="role", name="deployer")
    policy = json.dumps(ALICE_POLICY)
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    refused = [
        (iam.delete_user, {"UserName": "alice"}, user_msg),
        (iam.update_user, {"UserName": "alice", "NewPath": "/x/"}, user_msg),
        (iam.put_user_policy, {"UserName": "alice", "PolicyName": "p", "PolicyDocument": policy},
         user_msg),
        (iam.delete_user_policy, {"UserName": "alice", "PolicyName": "config-0"}, user_msg),
        (iam.attach_user_policy, {"UserName": "alice", "PolicyArn": admin_arn}, user_msg),
        (iam.create_access_key, {"UserName": "alice"}, user_msg),
        (iam.update_access_key, {"UserName": "alice", "AccessKeyId": ALICE_KEY,
                                 "Status": "Inactive"}, user_msg),
        (iam.delete_access_key, {"UserName": "alice", "AccessKeyId": ALICE_KEY}, user_msg),
        (iam.tag_user, {"UserName": "alice", "Tags": [{"Key": "k", "Value": "v"}]}, user_msg),
        (iam.delete_role, {"RoleName": "deployer"}, role_msg),
        (iam.update_role, {"RoleName": "deployer", "MaxSessionDuration": 7200}, role_msg),
        (iam.update_role_description, {"RoleName": "deployer", "Description": "d"}, role_msg),
        (iam.update_assume_role_policy, {"RoleName": "deployer",
                                         "PolicyDocument": json.dumps(default_trust())}, role_msg),
        (iam.put_role_policy, {"RoleName": "deployer", "PolicyName": "p",
                               "PolicyDocument": policy}, role_msg),
        (iam.attach_role_policy, {"RoleName": "deployer", "PolicyArn": admin_arn}, role_msg),
        (iam.put_role_permissions_boundary, {"RoleName": "deployer",
                                             "PermissionsBoundary": admin_arn}, role_msg),
        (iam.tag_role, {"RoleName": "deployer", "Tags": [{"Key": "k", "Value": "v"}]}, role_msg),
        (iam.untag_role, {"RoleName": "deployer", "TagKeys": ["k"]}, role_msg),
    ]
    for call, kwargs, message in refused:
        assert_error(error_of(call, **kwargs), "UnmodifiableEntity", 400, message)
    iam.create_group(GroupName="devs")
    assert_error(error_of(iam.add_user_to_group, GroupName="devs", UserName="alice"),
                 "UnmodifiableEntity", 400, user_msg)
    iam.create_instance_profile(InstanceProfileName="ip")
    assert_error(error_of(iam.add_role_to_instance_profile, InstanceProfileName="ip",
                          RoleName="deployer"), "UnmodifiableEntity", 400, role_msg)
    # Nothing changed.
    assert iam.list_role_policies(RoleName="deployer")["PolicyNames"] == ["config-0", "config-1"]
    assert iam.get_role(RoleName="deployer")["Role"]["MaxSessionDuration"] == 3600


def test_configured_role_is_assumable_as_its_trust_policy_says(server, iam):
    arn = role_arn("deployer", "/team/")
    role_id = iam.get_role(RoleName="deployer")["Role"]["RoleId"]
    sts = client("sts", server.endpoint, key=ALICE_KEY, secret=ALICE_SECRET)
    out = sts.assume_role(RoleArn=arn, RoleSessionName="ship")
    assert out["AssumedRoleUser"] == {"Arn": session_arn("deployer", "ship"),
                                      "AssumedRoleId": f"{role_id}:ship"}
    creds = out["Credentials"]
    as_session = boto_session(creds["AccessKeyId"], creds["SecretAccessKey"],
                              creds["SessionToken"])
    ident = as_session.client("sts", endpoint_url=server.endpoint).get_caller_identity()
    assert ident["Arn"] == session_arn("deployer", "ship") and ident["UserId"] == f"{role_id}:ship"
    kms = as_session.client("kms", endpoint_url=server.endpoint)
    kms.list_keys()  # config-0 allows it
    assert_error(error_of(kms.create_key), "AccessDeniedException", 400)  # nothing allows it
    # A key policy naming the configured role (with its path) decides for the role's sessions.
    key_id = client("kms", server.endpoint).create_key(Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": arn},
             "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}))["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"shipped")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"shipped"

    # The trust policy delegates to the caller's identity policies: a configured user without
    # sts:AssumeRole may not, the account root never may.
    root_sts = client("sts", server.endpoint)
    assert_error(error_of(root_sts.assume_role, RoleArn=arn, RoleSessionName="ss"),
                 "AccessDenied", 403, "Roles may not be assumed by root accounts.")
    iam.create_user(UserName="dave")
    dave_key = iam.create_access_key(UserName="dave")["AccessKey"]
    dave_sts = client("sts", server.endpoint, key=dave_key["AccessKeyId"],
                      secret=dave_key["SecretAccessKey"])
    assert_error(error_of(dave_sts.assume_role, RoleArn=arn, RoleSessionName="ss"),
                 "AccessDenied", 403)


def test_seeded_principals_appear_at_once(server, iam):
    assert_error(error_of(iam.get_role, RoleName="seeded"), "NoSuchEntity", 404)
    admin(server, "POST", "seed", {"principals": [
        {"arn": role_arn("seeded"), "policies": [ALICE_POLICY]}]})
    role = iam.get_role(RoleName="seeded")["Role"]
    assert role["Arn"] == role_arn("seeded") and role["RoleId"].startswith("AROA")
    assert "seeded" in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert iam.list_role_policies(RoleName="seeded")["PolicyNames"] == ["config-0"]


@pytest.mark.cli
def test_cli_reads_configured_entities(server, aws_cli):  # noqa: F811
    def run(*args):
        out = subprocess.run([aws_cli, *args, "--region", REGION, "--output", "json",
                              "--endpoint-url", server.endpoint],
                             capture_output=True, text=True, timeout=60, env=_env())
        return out

    out = run("iam", "get-role", "--role-name", "deployer")
    assert out.returncode == 0, out.stderr
    role = json.loads(out.stdout)["Role"]
    assert role["Arn"] == role_arn("deployer", "/team/") and role["MaxSessionDuration"] == 3600
    assert role["AssumeRolePolicyDocument"] == default_trust()
    out = run("iam", "list-users")
    assert out.returncode == 0, out.stderr
    assert [u["UserName"] for u in json.loads(out.stdout)["Users"]] == ["alice"]
    out = run("iam", "get-user-policy", "--user-name", "alice", "--policy-name", "config-0")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["PolicyDocument"] == ALICE_POLICY
    out = run("iam", "delete-role", "--role-name", "deployer")
    assert out.returncode != 0 and "UnmodifiableEntity" in out.stderr, out.stderr
