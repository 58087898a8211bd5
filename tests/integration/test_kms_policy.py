"""KMS authorization with real clients: key policies, IAM delegation, grants, explicit denies,
condition keys, cross-account use, lockout safety, malformed policies and --policy-mode.

Expectations follow AWS (PROTOCOL.md sections 8 and 5.6): the key policy is mandatory; identity
policies count only where the key policy delegates to the account (Principal
arn:aws:iam::ACCT:root or "ACCT"); grants are an independent allow path; an explicit Deny
anywhere wins; cross-account use needs the key policy and the caller's own identity policy.
Every denial is 400 AccessDeniedException with the AWS message shape
  User: <principal ARN> is not authorized to perform: kms:<Action> on resource: <key ARN>
  (because no resource-based policy allows the kms:<Action> action |
   because no identity-based policy allows the kms:<Action> action |
   with an explicit deny in a resource-based policy |
   with an explicit deny in an identity-based policy)
"""

import json
import os
import re
import subprocess
import time

import pytest
from botocore.config import Config

from aws_helpers import boto_session, HTTP_TIMEOUT, REGION, ROOT_ACCOUNT, ROOT_ARN
from kms_helpers import default_policy, expect_error, key_arn, kms

OTHER_ACCOUNT = "111122223333"


# ---------------------------------------------------------------- principals

def _principal(name, arn, policies=None, token=None):
    p = {"access_key_id": f"AKIA{name.upper():0<16}"[:20],
         "secret_access_key": f"{name}-secret", "arn": arn}
    if token:
        p["access_key_id"] = "ASIA" + p["access_key_id"][4:]
        p["session_token"] = token
    if policies is not None:
        p["policies"] = policies
    return p


def _allow(actions, resource="*"):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


ROLE_A_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/RoleA"
ROLE_B_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/RoleB"

ROLE_A = _principal("rolea", ROLE_A_ARN)  # no identity policy
ROLE_B = _principal("roleb", ROLE_B_ARN, [_allow("kms:*")])
USER_C = _principal("userc", f"arn:aws:iam::{ROOT_ACCOUNT}:user/UserC")  # no identity policy
USER_D = _principal("userd", f"arn:aws:iam::{ROOT_ACCOUNT}:user/UserD")  # grantee, no policy
USER_E = _principal("usere", f"arn:aws:iam::{ROOT_ACCOUNT}:user/UserE", [
    _allow("kms:*"),
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}]},
])
CREATOR = _principal("creator", f"arn:aws:iam::{ROOT_ACCOUNT}:user/Creator",
                     [_allow("kms:CreateKey")])
SESSION_A = _principal("sessa", f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/RoleA/sess-a",
                       token="token-for-session-a")
SESSION_B = _principal("sessb", f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/RoleB/sess-b",
                       [_allow("kms:*")], token="token-for-session-b")
# Account 111122223333: X has an identity policy for keys of account 000000000000, Y has none.
X_OTHER = _principal("xother", f"arn:aws:iam::{OTHER_ACCOUNT}:user/X", [
    _allow(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
           f"arn:aws:kms:*:{ROOT_ACCOUNT}:key/*")])
Y_OTHER = _principal("yother", f"arn:aws:iam::{OTHER_ACCOUNT}:user/Y")
OTHER_ROOT = _principal("otherroot", f"arn:aws:iam::{OTHER_ACCOUNT}:root")

ALL = [ROLE_A, ROLE_B, USER_C, USER_D, USER_E, CREATOR, SESSION_A, SESSION_B,
       X_OTHER, Y_OTHER, OTHER_ROOT]
CONFIG = {"principals": ALL}
assert len({p["access_key_id"] for p in ALL}) == len(ALL)


def as_(server, principal):
    """A KMS client acting as a config principal (with its session token if it has one)."""
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                    read_timeout=HTTP_TIMEOUT)
    session = boto_session(aws_access_key_id=principal["access_key_id"],
                                    aws_secret_access_key=principal["secret_access_key"],
                                    aws_session_token=principal.get("session_token"),
                                    region_name=REGION)
    return session.client("kms", endpoint_url=server.endpoint, config=config)


# ---------------------------------------------------------------- policies and messages

ADMIN_ACTIONS = ["kms:Create*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                 "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                 "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]


def stmt(principal, actions, effect="Allow", condition=None, sid=None):
    s = {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}
    if sid:
        s["Sid"] = sid
    if condition is not None:
        s["Condition"] = condition
    return s


def admin_stmt():
    """The account (root) may administer the key, but not use it. This statement delegates the
    administrative actions (not kms:Describe*, not the cryptographic ones) to the account's
    IAM policies."""
    return stmt(ROOT_ARN, ADMIN_ACTIONS, sid="Admins")


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Id": "test-policy",
                       "Statement": list(statements)})


def only_a_policy():
    return policy(admin_stmt(), stmt(ROLE_A_ARN, USE_ACTIONS, sid="OnlyRoleA"))


def denied(who, action, arn, why="resource"):
    head = f"User: {who} is not authorized to perform: kms:{action} on resource: {arn}"
    return head + {
        "resource": f" because no resource-based policy allows the kms:{action} action",
        "identity": f" because no identity-based policy allows the kms:{action} action",
        "deny-resource": " with an explicit deny in a resource-based policy",
        "deny-identity": " with an explicit deny in an identity-based policy",
    }[why]


def expect_denied(call, who, action, arn, why="resource", **kwargs):
    err = expect_error(call, "AccessDeniedException", 400, **kwargs)
    assert err["Error"]["Message"] == denied(who, action, arn, why), err["Error"]
    return err


def new_key(root, key_policy=None, **kwargs):
    if key_policy is not None:
        kwargs["Policy"] = key_policy
    md = root.create_key(**kwargs)["KeyMetadata"]
    return md["KeyId"], md["Arn"]


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(config=CONFIG)


# ---------------------------------------------------------------- 1. only role A

def test_only_role_a_can_use_the_key(server):
    root, a, b = kms(server), as_(server, ROLE_A), as_(server, ROLE_B)
    key_id, arn = new_key(root, only_a_policy())

    enc = a.encrypt(KeyId=key_id, Plaintext=b"secret of A", EncryptionContext={"k": "v"})
    assert enc["KeyId"] == arn
    blob = enc["CiphertextBlob"]
    assert a.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"] == \
        b"secret of A"
    assert len(a.generate_data_key(KeyId=arn, KeySpec="AES_256")["Plaintext"]) == 32
    assert a.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"] == arn

    # Role B has kms:* on * in its identity policy, but the key policy neither names it nor
    # delegates these actions to the account.
    expect_denied(b.encrypt, ROLE_B_ARN, "Encrypt", arn, KeyId=key_id, Plaintext=b"x")
    expect_denied(b.encrypt, ROLE_B_ARN, "Encrypt", arn, KeyId=arn, Plaintext=b"x")
    expect_denied(b.decrypt, ROLE_B_ARN, "Decrypt", arn, CiphertextBlob=blob,
                  EncryptionContext={"k": "v"})
    expect_denied(b.generate_data_key, ROLE_B_ARN, "GenerateDataKey", arn, KeyId=key_id,
                  KeySpec="AES_256")
    expect_denied(b.describe_key, ROLE_B_ARN, "DescribeKey", arn, KeyId=key_id)
    # A action the key policy does delegate to the account (kms:Get*): B's IAM kms:* counts.
    got = json.loads(b.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert [s.get("Sid") for s in got["Statement"]] == ["Admins", "OnlyRoleA"]
    # The account root itself is bound by the key policy too: it may administer, not use.
    expect_denied(root.encrypt, ROOT_ARN, "Encrypt", arn, KeyId=key_id, Plaintext=b"x")
    expect_denied(root.decrypt, ROOT_ARN, "Decrypt", arn, CiphertextBlob=blob,
                  EncryptionContext={"k": "v"})


def test_role_principal_covers_its_sessions(server):
    root = kms(server)
    key_id, arn = new_key(root, only_a_policy())
    sa, sb = as_(server, SESSION_A), as_(server, SESSION_B)
    blob = sa.encrypt(KeyId=key_id, Plaintext=b"from a session")["CiphertextBlob"]
    assert sa.decrypt(CiphertextBlob=blob)["Plaintext"] == b"from a session"
    assert as_(server, ROLE_A).decrypt(CiphertextBlob=blob)["Plaintext"] == b"from a session"
    # The denial names the session ARN (the caller), not the role.
    expect_denied(sb.encrypt, SESSION_B["arn"], "Encrypt", arn, KeyId=key_id, Plaintext=b"x")
    expect_denied(sb.decrypt, SESSION_B["arn"], "Decrypt", arn, CiphertextBlob=blob)


@pytest.mark.cli
def test_cli_v2_shows_the_denial(server, tmp_path):
    cli = os.environ.get("SEALSTACK_AWS_CLI_V2") or "/usr/bin/aws"
    if not os.access(cli, os.X_OK):
        pytest.fail(f"AWS CLI v2 not found at {cli}", pytrace=False)
    root = kms(server)
    key_id, arn = new_key(root, only_a_policy())
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID=ROLE_B["access_key_id"],
               AWS_SECRET_ACCESS_KEY=ROLE_B["secret_access_key"],
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_PAGER="", AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard")
    env.pop("PYTHONPATH", None)
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"payload")
    out = subprocess.run([cli, "kms", "encrypt", "--key-id", key_id, "--plaintext",
                          f"fileb://{plain}", "--endpoint-url", server.endpoint,
                          "--region", REGION, "--output", "json"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 254, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    assert out.stdout == ""
    # The CLI may add "(reached max retries: N)" after the operation name.
    m = re.fullmatch(r"An error occurred \(AccessDeniedException\) when calling the Encrypt "
                     r"operation(?: \(reached max retries: \d+\))?: (.*)", out.stderr.strip())
    assert m, out.stderr
    assert m.group(1) == denied(ROLE_B_ARN, "Encrypt", arn), out.stderr


# ---------------------------------------------------------------- 2. IAM delegation

@pytest.mark.parametrize("account_principal", [ROOT_ARN, ROOT_ACCOUNT])
def test_identity_policy_counts_only_after_delegation(server, account_principal):
    root, b, c = kms(server), as_(server, ROLE_B), as_(server, USER_C)
    key_id, arn = new_key(root, only_a_policy())
    expect_denied(b.encrypt, ROLE_B_ARN, "Encrypt", arn, KeyId=key_id, Plaintext=b"x")
    expect_denied(c.encrypt, USER_C["arn"], "Encrypt", arn, KeyId=key_id, Plaintext=b"x")

    # Delegate everything to the account (no lockout: the root keeps kms:*).
    root.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy(
        admin_stmt(), stmt(ROLE_A_ARN, USE_ACTIONS),
        stmt(account_principal, "kms:*", sid="EnableIAM")))
    blob = b.encrypt(KeyId=key_id, Plaintext=b"now allowed")["CiphertextBlob"]
    assert b.decrypt(CiphertextBlob=blob)["Plaintext"] == b"now allowed"
    assert b.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"] == arn
    # The account root needs no identity policy.
    assert root.decrypt(CiphertextBlob=blob)["Plaintext"] == b"now allowed"
    # A principal of the account without any identity policy is still denied, now by IAM.
    expect_denied(c.encrypt, USER_C["arn"], "Encrypt", arn, "identity", KeyId=key_id,
                  Plaintext=b"x")
    expect_denied(c.decrypt, USER_C["arn"], "Decrypt", arn, "identity", CiphertextBlob=blob)
    expect_denied(c.describe_key, USER_C["arn"], "DescribeKey", arn, "identity", KeyId=key_id)


def test_default_key_policy_delegates_to_iam(server):
    root, b, c = kms(server), as_(server, ROLE_B), as_(server, USER_C)
    key_id, arn = new_key(root)
    got = json.loads(root.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert got == default_policy()
    assert b.generate_data_key(KeyId=key_id, NumberOfBytes=16)["KeyId"] == arn
    expect_denied(c.generate_data_key, USER_C["arn"], "GenerateDataKey", arn, "identity",
                  KeyId=key_id, NumberOfBytes=16)


# ---------------------------------------------------------------- 3. grants

def test_grant_with_encryption_context_equals(server):
    root, d = kms(server), as_(server, USER_D)
    d_arn = USER_D["arn"]
    key_id, arn = new_key(root, only_a_policy())
    ctx = {"purpose": "test"}
    expect_denied(d.encrypt, d_arn, "Encrypt", arn, KeyId=key_id, Plaintext=b"x",
                  EncryptionContext=ctx)

    grant = root.create_grant(KeyId=key_id, GranteePrincipal=d_arn,
                              Operations=["Encrypt", "Decrypt"],
                              Constraints={"EncryptionContextEquals": ctx})
    blob = d.encrypt(KeyId=key_id, Plaintext=b"granted", EncryptionContext=ctx,
                     GrantTokens=[grant["GrantToken"]])["CiphertextBlob"]
    assert d.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)["Plaintext"] == b"granted"
    assert d.encrypt(KeyId=arn, Plaintext=b"y", EncryptionContext={"purpose": "test"})["KeyId"] \
        == arn
    # Anything but exactly {"purpose": "test"}: the grant does not apply.
    for other in ({"purpose": "prod"}, {"purpose": "test", "extra": "1"}, {"Purpose": "test"},
                  None):
        extra = {} if other is None else {"EncryptionContext": other}
        expect_denied(d.encrypt, d_arn, "Encrypt", arn, KeyId=key_id, Plaintext=b"x", **extra)
    expect_denied(d.decrypt, d_arn, "Decrypt", arn, CiphertextBlob=blob)
    other_blob = as_(server, ROLE_A).encrypt(KeyId=key_id, Plaintext=b"z",
                                             EncryptionContext={"purpose": "prod"})
    expect_denied(d.decrypt, d_arn, "Decrypt", arn, CiphertextBlob=other_blob["CiphertextBlob"],
                  EncryptionContext={"purpose": "prod"})
    # Operations not in the grant stay denied.
    expect_denied(d.generate_data_key, d_arn, "GenerateDataKey", arn, KeyId=key_id,
                  NumberOfBytes=16, EncryptionContext=ctx)

    root.revoke_grant(KeyId=key_id, GrantId=grant["GrantId"])
    expect_denied(d.encrypt, d_arn, "Encrypt", arn, KeyId=key_id, Plaintext=b"x",
                  EncryptionContext=ctx)
    expect_denied(d.decrypt, d_arn, "Decrypt", arn, CiphertextBlob=blob, EncryptionContext=ctx)


def test_grant_with_encryption_context_subset_and_retire(server):
    root, d = kms(server), as_(server, USER_D)
    d_arn = USER_D["arn"]
    key_id, arn = new_key(root, only_a_policy())
    grant = root.create_grant(KeyId=arn, GranteePrincipal=d_arn, RetiringPrincipal=d_arn,
                              Operations=["Encrypt", "Decrypt", "GenerateDataKey"],
                              Constraints={"EncryptionContextSubset": {"purpose": "test"}})
    for ctx in ({"purpose": "test"}, {"purpose": "test", "team": "blue", "x": "y"}):
        blob = d.encrypt(KeyId=key_id, Plaintext=b"sub", EncryptionContext=ctx)["CiphertextBlob"]
        assert d.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)["Plaintext"] == b"sub"
        assert len(d.generate_data_key(KeyId=key_id, NumberOfBytes=16,
                                       EncryptionContext=ctx)["Plaintext"]) == 16
    for ctx in ({"team": "blue"}, {"purpose": "prod", "team": "blue"}, None):
        extra = {} if ctx is None else {"EncryptionContext": ctx}
        expect_denied(d.encrypt, d_arn, "Encrypt", arn, KeyId=key_id, Plaintext=b"x", **extra)

    # The retiring principal retires the grants (permission to retire comes from the grant,
    # not from the key policy): by grant token, then by key + grant id.
    second = root.create_grant(KeyId=arn, GranteePrincipal=d_arn, RetiringPrincipal=d_arn,
                               Operations=["Encrypt"],
                               Constraints={"EncryptionContextSubset": {"purpose": "test"}})
    d.retire_grant(GrantToken=grant["GrantToken"])
    assert d.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"purpose": "test"})
    expect_denied(d.generate_data_key, d_arn, "GenerateDataKey", arn, KeyId=key_id,
                  NumberOfBytes=16, EncryptionContext={"purpose": "test"})
    d.retire_grant(KeyId=arn, GrantId=second["GrantId"])
    expect_denied(d.encrypt, d_arn, "Encrypt", arn, KeyId=key_id, Plaintext=b"x",
                  EncryptionContext={"purpose": "test"})


def test_list_grants_needs_only_kms_list_grants(server):
    """ListGrants is authorized as kms:ListGrants alone (here through kms:List* for the
    account); the key policy grants no kms:DescribeKey."""
    root = kms(server)
    key_id, arn = new_key(root, only_a_policy())
    grant = root.create_grant(KeyId=key_id, GranteePrincipal=USER_D["arn"],
                              Operations=["Decrypt"])
    listed = root.list_grants(KeyId=key_id)["Grants"]
    assert [(g["GrantId"], g["KeyId"]) for g in listed] == [(grant["GrantId"], arn)]
    root.revoke_grant(KeyId=key_id, GrantId=grant["GrantId"])
    assert root.list_grants(KeyId=arn)["Grants"] == []
    # Role B's IAM kms:* reaches ListGrants through the same delegation; role A, named in
    # the key policy only for its use actions, does not.
    assert as_(server, ROLE_B).list_grants(KeyId=arn)["Grants"] == []
    expect_denied(as_(server, ROLE_A).list_grants, ROLE_A_ARN, "ListGrants", arn, "identity",
                  KeyId=arn)


# ---------------------------------------------------------------- 4. explicit deny

def test_explicit_deny_in_key_policy_wins(server):
    root, b = kms(server), as_(server, ROLE_B)
    key_id, arn = new_key(root, policy(
        stmt(ROOT_ARN, "kms:*", sid="EnableIAM"),
        stmt(ROLE_B_ARN, ["kms:Encrypt", "kms:Decrypt"], sid="AllowB"),
        stmt("*", "kms:Decrypt", effect="Deny", sid="OnlyViaService",
             condition={"Null": {"kms:ViaService": "true"}})))
    blob = b.encrypt(KeyId=key_id, Plaintext=b"in")["CiphertextBlob"]
    expect_denied(b.decrypt, ROLE_B_ARN, "Decrypt", arn, "deny-resource", CiphertextBlob=blob)
    expect_denied(b.decrypt, ROLE_B_ARN, "Decrypt", arn, "deny-resource", CiphertextBlob=blob,
                  KeyId=arn)
    # The deny applies to the account root as well; the root can still remove it.
    expect_denied(root.decrypt, ROOT_ARN, "Decrypt", arn, "deny-resource", CiphertextBlob=blob)
    # A grant does not override an explicit deny either.
    root.create_grant(KeyId=key_id, GranteePrincipal=ROLE_B_ARN, Operations=["Decrypt"])
    expect_denied(b.decrypt, ROLE_B_ARN, "Decrypt", arn, "deny-resource", CiphertextBlob=blob)
    root.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(default_policy()))
    assert b.decrypt(CiphertextBlob=blob)["Plaintext"] == b"in"


def test_explicit_deny_in_identity_policy_wins(server):
    root, e = kms(server), as_(server, USER_E)
    e_arn = USER_E["arn"]
    key_id, arn = new_key(root, policy(
        stmt(ROOT_ARN, "kms:*", sid="EnableIAM"),
        stmt(e_arn, ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], sid="AllowE")))
    expect_denied(e.encrypt, e_arn, "Encrypt", arn, "deny-identity", KeyId=key_id,
                  Plaintext=b"x")
    root.create_grant(KeyId=key_id, GranteePrincipal=e_arn, Operations=["Encrypt"])
    expect_denied(e.encrypt, e_arn, "Encrypt", arn, "deny-identity", KeyId=key_id,
                  Plaintext=b"x")
    # Actions the identity policy does not deny still work.
    blob = root.encrypt(KeyId=key_id, Plaintext=b"ok")["CiphertextBlob"]
    assert e.decrypt(CiphertextBlob=blob)["Plaintext"] == b"ok"
    # An identity Deny also wins for a key that only names E (no delegation to the account).
    key2, arn2 = new_key(root, policy(admin_stmt(), stmt(e_arn, "kms:Encrypt")))
    expect_denied(e.encrypt, e_arn, "Encrypt", arn2, "deny-identity", KeyId=key2,
                  Plaintext=b"x")


# ---------------------------------------------------------------- 5. condition keys

def _conditional_key(root, condition, actions=("kms:Encrypt", "kms:Decrypt")):
    """A key that only role A may use, and only under `condition`."""
    return new_key(root, policy(admin_stmt(),
                                stmt(ROLE_A_ARN, list(actions), condition=condition)))


def test_condition_encryption_context_value(server):
    root, a = kms(server), as_(server, ROLE_A)
    key_id, arn = _conditional_key(root, {"StringEquals": {"kms:EncryptionContext:purpose":
                                                           "test"}})
    blob = a.encrypt(KeyId=key_id, Plaintext=b"p",
                     EncryptionContext={"purpose": "test", "other": "x"})["CiphertextBlob"]
    assert a.decrypt(CiphertextBlob=blob,
                     EncryptionContext={"purpose": "test", "other": "x"})["Plaintext"] == b"p"
    # The context key in the condition key name is case-insensitive (the value is not).
    assert a.encrypt(KeyId=key_id, Plaintext=b"p",
                     EncryptionContext={"Purpose": "test"})["KeyId"] == arn
    for ctx in ({"purpose": "prod"}, {"purpose": "TEST"}, {"other": "test"}, None):
        extra = {} if ctx is None else {"EncryptionContext": ctx}
        expect_denied(a.encrypt, ROLE_A_ARN, "Encrypt", arn, KeyId=key_id, Plaintext=b"p",
                      **extra)


def test_condition_caller_account(server):
    root, a = kms(server), as_(server, ROLE_A)
    mine, _ = _conditional_key(root, {"StringEquals": {"kms:CallerAccount": ROOT_ACCOUNT}})
    theirs, theirs_arn = _conditional_key(root, {"StringEquals": {"kms:CallerAccount":
                                                                  OTHER_ACCOUNT}})
    assert a.encrypt(KeyId=mine, Plaintext=b"p")["CiphertextBlob"]
    expect_denied(a.encrypt, ROLE_A_ARN, "Encrypt", theirs_arn, KeyId=theirs, Plaintext=b"p")


def test_condition_encryption_context_keys(server):
    root, a = kms(server), as_(server, ROLE_A)
    all_of, all_arn = _conditional_key(root, {"ForAllValues:StringEquals": {
        "kms:EncryptionContextKeys": ["purpose", "team"]}})
    any_of, any_arn = _conditional_key(root, {"ForAnyValue:StringEquals": {
        "kms:EncryptionContextKeys": ["purpose"]}})

    for ctx in ({"purpose": "a"}, {"purpose": "a", "team": "b"}, None):
        extra = {} if ctx is None else {"EncryptionContext": ctx}
        # ForAllValues is also true for an absent/empty context key set.
        assert a.encrypt(KeyId=all_of, Plaintext=b"p", **extra)["KeyId"] == all_arn
    for ctx in ({"purpose": "a", "other": "b"}, {"Purpose": "a"}):
        expect_denied(a.encrypt, ROLE_A_ARN, "Encrypt", all_arn, KeyId=all_of, Plaintext=b"p",
                      EncryptionContext=ctx)

    for ctx in ({"purpose": "a"}, {"purpose": "a", "other": "b"}):
        assert a.encrypt(KeyId=any_of, Plaintext=b"p", EncryptionContext=ctx)["KeyId"] == any_arn
    for ctx in ({"other": "b"}, {"Purpose": "a"}, None):
        extra = {} if ctx is None else {"EncryptionContext": ctx}
        expect_denied(a.encrypt, ROLE_A_ARN, "Encrypt", any_arn, KeyId=any_of, Plaintext=b"p",
                      **extra)


def test_condition_source_ip(server):
    root, a = kms(server), as_(server, ROLE_A)
    local, _ = _conditional_key(root, {"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})
    ten, ten_arn = _conditional_key(root, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    not_ten, _ = _conditional_key(root, {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert a.encrypt(KeyId=local, Plaintext=b"p")["CiphertextBlob"]
    assert a.encrypt(KeyId=not_ten, Plaintext=b"p")["CiphertextBlob"]
    expect_denied(a.encrypt, ROLE_A_ARN, "Encrypt", ten_arn, KeyId=ten, Plaintext=b"p")


def test_condition_encryption_algorithm(server):
    root, a = kms(server), as_(server, ROLE_A)
    sym, sym_arn = _conditional_key(root, {"StringEquals": {"kms:EncryptionAlgorithm":
                                                            "SYMMETRIC_DEFAULT"}})
    rsa, rsa_arn = _conditional_key(root, {"StringEquals": {"kms:EncryptionAlgorithm":
                                                            "RSAES_OAEP_SHA_256"}})
    expect_denied(a.encrypt, ROLE_A_ARN, "Encrypt", rsa_arn, KeyId=rsa, Plaintext=b"p",
                  EncryptionAlgorithm="SYMMETRIC_DEFAULT")
    blob = a.encrypt(KeyId=sym, Plaintext=b"p",
                     EncryptionAlgorithm="SYMMETRIC_DEFAULT")["CiphertextBlob"]
    assert a.decrypt(CiphertextBlob=blob, EncryptionAlgorithm="SYMMETRIC_DEFAULT")[
        "Plaintext"] == b"p"


# ---------------------------------------------------------------- 6. cross-account

def test_cross_account_needs_key_policy_and_identity_policy(server):
    root = kms(server)
    x, y, other_root = as_(server, X_OTHER), as_(server, Y_OTHER), as_(server, OTHER_ROOT)
    x_arn, y_arn = X_OTHER["arn"], Y_OTHER["arn"]
    shared, shared_arn = new_key(root, policy(
        stmt(ROOT_ARN, "kms:*", sid="EnableIAM"),
        stmt(OTHER_ACCOUNT, ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], sid="Other"),
        stmt(y_arn, ["kms:Encrypt", "kms:Decrypt"], sid="YByName")))
    private, private_arn = new_key(root)  # default policy: own account only

    # Both allow: X (identity policy) through the key policy's account statement.
    enc = x.encrypt(KeyId=shared_arn, Plaintext=b"cross", EncryptionContext={"c": "1"})
    assert enc["KeyId"] == shared_arn
    assert x.decrypt(CiphertextBlob=enc["CiphertextBlob"],
                     EncryptionContext={"c": "1"})["Plaintext"] == b"cross"
    assert root.decrypt(CiphertextBlob=enc["CiphertextBlob"],
                        EncryptionContext={"c": "1"})["Plaintext"] == b"cross"
    assert x.describe_key(KeyId=shared_arn)["KeyMetadata"]["AWSAccountId"] == ROOT_ACCOUNT
    # The other account's root needs no identity policy.
    assert other_root.encrypt(KeyId=shared_arn, Plaintext=b"r")["KeyId"] == shared_arn

    # Only the key policy allows (even naming Y's ARN): Y has no identity policy.
    expect_denied(y.encrypt, y_arn, "Encrypt", shared_arn, "identity", KeyId=shared_arn,
                  Plaintext=b"x")
    expect_denied(y.decrypt, y_arn, "Decrypt", shared_arn, "identity",
                  CiphertextBlob=enc["CiphertextBlob"], EncryptionContext={"c": "1"})
    # Only the identity policy allows: the key policy trusts account 000000000000 only.
    expect_denied(x.encrypt, x_arn, "Encrypt", private_arn, KeyId=private_arn, Plaintext=b"x")
    expect_denied(other_root.encrypt, OTHER_ROOT["arn"], "Encrypt", private_arn,
                  KeyId=private_arn, Plaintext=b"x")
    # An action neither the key policy nor X's identity policy covers (which of the two
    # reasons AWS names then is not pinned down here).
    err = expect_error(x.generate_data_key, "AccessDeniedException", 400, KeyId=shared_arn,
                       NumberOfBytes=16)
    assert err["Error"]["Message"].startswith(
        f"User: {x_arn} is not authorized to perform: kms:GenerateDataKey on resource: "
        f"{shared_arn} because no "), err["Error"]

    # A bare key id (or alias name) resolves in the caller's own account.
    err = expect_error(x.encrypt, "NotFoundException", KeyId=shared, Plaintext=b"x")
    assert err["Error"]["Message"] == \
        f"Key '{key_arn(shared, OTHER_ACCOUNT)}' does not exist", err["Error"]
    expect_error(x.describe_key, "NotFoundException", KeyId=shared)


# ---------------------------------------------------------------- 7. lockout safety

LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."


def test_put_key_policy_lockout_safety(server):
    root, a = kms(server), as_(server, ROLE_A)
    key_id, arn = new_key(root)
    locking = policy(stmt(ROLE_A_ARN, "kms:*"))
    err = expect_error(root.put_key_policy, "MalformedPolicyDocumentException", 400,
                       KeyId=key_id, PolicyName="default", Policy=locking)
    assert err["Error"]["Message"] == LOCKOUT_MESSAGE, err["Error"]
    # The policy is unchanged.
    assert json.loads(root.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == \
        default_policy()
    # Admin actions without kms:PutKeyPolicy lock out too.
    expect_error(root.put_key_policy, "MalformedPolicyDocumentException", 400, KeyId=key_id,
                 PolicyName="default",
                 Policy=policy(stmt(ROOT_ARN, ["kms:Describe*", "kms:Get*", "kms:List*"])))

    root.put_key_policy(KeyId=key_id, PolicyName="default", Policy=locking,
                        BypassPolicyLockoutSafetyCheck=True)
    # Now the root is locked out, role A owns the key.
    expect_denied(root.get_key_policy, ROOT_ARN, "GetKeyPolicy", arn, KeyId=key_id,
                  PolicyName="default")
    expect_denied(root.put_key_policy, ROOT_ARN, "PutKeyPolicy", arn, KeyId=key_id,
                  PolicyName="default", Policy=json.dumps(default_policy()))
    assert json.loads(a.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == \
        json.loads(locking)


def test_create_key_lockout_safety(server):
    root = kms(server)
    locking = policy(stmt(ROLE_A_ARN, "kms:*"))
    before = len(root.list_keys()["Keys"])
    err = expect_error(root.create_key, "MalformedPolicyDocumentException", 400, Policy=locking)
    assert err["Error"]["Message"] == LOCKOUT_MESSAGE, err["Error"]
    assert len(root.list_keys()["Keys"]) == before
    md = root.create_key(Policy=locking, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    expect_denied(root.describe_key, ROOT_ARN, "DescribeKey", md["Arn"], KeyId=md["KeyId"])
    assert as_(server, ROLE_A).describe_key(KeyId=md["KeyId"])["KeyMetadata"]["KeyState"] == \
        "Enabled"


# ---------------------------------------------------------------- 8. malformed policies

MALFORMED = {
    "invalid-json": '{"Version": "2012-10-17", "Statement": [',
    "unknown-effect": policy({"Effect": "Maybe", "Principal": {"AWS": ROOT_ARN},
                              "Action": "kms:*", "Resource": "*"}),
    "missing-principal": policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_key_policy(server, name):
    root = kms(server)
    key_id, _ = new_key(root)
    for bypass in (False, True):
        expect_error(root.put_key_policy, "MalformedPolicyDocumentException", 400, KeyId=key_id,
                     PolicyName="default", Policy=MALFORMED[name],
                     BypassPolicyLockoutSafetyCheck=bypass)
        expect_error(root.create_key, "MalformedPolicyDocumentException", 400,
                     Policy=MALFORMED[name], BypassPolicyLockoutSafetyCheck=bypass)
    assert json.loads(root.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == \
        default_policy()
    assert len(root.list_keys()["Keys"]) == 1


# ---------------------------------------------------------------- 9. --policy-mode

def _wait_for_stderr(server, needle, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        text = server.stderr_text()
        if needle in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def test_policy_mode_audit_allows_and_logs(start_sealstack):
    server = start_sealstack(config=CONFIG, extra_args=["--policy-mode", "audit"])
    root, b = kms(server), as_(server, ROLE_B)
    key_id, arn = new_key(root, only_a_policy())
    blob = b.encrypt(KeyId=key_id, Plaintext=b"audited")["CiphertextBlob"]
    assert b.decrypt(CiphertextBlob=blob)["Plaintext"] == b"audited"
    line = "policy-mode audit: would deny: " + denied(ROLE_B_ARN, "Encrypt", arn)
    text = _wait_for_stderr(server, line)
    assert line in text, text[-3000:]
    assert "would deny: " + denied(ROLE_B_ARN, "Decrypt", arn) in _wait_for_stderr(
        server, denied(ROLE_B_ARN, "Decrypt", arn))
    # Allowed calls are not reported.
    as_(server, ROLE_A).encrypt(KeyId=key_id, Plaintext=b"a")
    assert ROLE_A_ARN not in "\n".join(l for l in server.stderr_text().splitlines()
                                       if "would deny" in l)


def test_policy_mode_off_allows_silently(start_sealstack):
    server = start_sealstack(config=CONFIG, extra_args=["--policy-mode", "off"])
    root, b, c = kms(server), as_(server, ROLE_B), as_(server, USER_C)
    key_id, arn = new_key(root, only_a_policy())
    blob = b.encrypt(KeyId=key_id, Plaintext=b"open")["CiphertextBlob"]
    assert c.decrypt(CiphertextBlob=blob)["Plaintext"] == b"open"
    assert c.create_key()["KeyMetadata"]["KeyState"] == "Enabled"
    server.stop()
    assert "would deny" not in server.stderr_text()


# ---------------------------------------------------------------- 10. account-level actions

def test_create_key_needs_an_identity_policy(server):
    c, creator = as_(server, USER_C), as_(server, CREATOR)
    err = expect_error(c.create_key, "AccessDeniedException", 400)
    assert err["Error"]["Message"] == denied(USER_C["arn"], "CreateKey", "*", "identity"), \
        err["Error"]
    md = creator.create_key(Description="by creator")["KeyMetadata"]
    assert md["AWSAccountId"] == ROOT_ACCOUNT and md["Description"] == "by creator"
    # The new key has the default policy: the creator still needs IAM permission to use it.
    expect_denied(creator.encrypt, CREATOR["arn"], "Encrypt", md["Arn"], "identity",
                  KeyId=md["KeyId"], Plaintext=b"x")
    assert kms(server).encrypt(KeyId=md["KeyId"], Plaintext=b"x")["KeyId"] == md["Arn"]


# ---------------------------------------------------------------- ReEncrypt's own actions

def test_reencrypt_needs_reencrypt_from_and_to_not_decrypt(server):
    """ReEncrypt is authorized as kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
    destination, never as kms:Decrypt; kms:ReEncryptOnSameKey tells the two cases apart."""
    root = kms(server)
    a = as_(server, ROLE_A)
    reencrypt_only = policy(admin_stmt(), stmt(ROLE_A_ARN, ["kms:Encrypt", "kms:ReEncrypt*"]),
                            stmt(ROLE_A_ARN, ["kms:ReEncrypt*"], effect="Deny", sid="NotSameKey",
                                 condition={"Bool": {"kms:ReEncryptOnSameKey": "true"}}))
    _, src = new_key(root, reencrypt_only)
    _, dst = new_key(root, reencrypt_only)
    blob = a.encrypt(KeyId=src, Plaintext=b"rotate me")["CiphertextBlob"]
    expect_denied(a.decrypt, ROLE_A_ARN, "Decrypt", src, CiphertextBlob=blob)
    moved = a.re_encrypt(CiphertextBlob=blob, DestinationKeyId=dst)
    assert (moved["SourceKeyId"], moved["KeyId"]) == (src, dst)
    expect_denied(a.re_encrypt, ROLE_A_ARN, "ReEncryptTo", src, "deny-resource",
                  CiphertextBlob=blob, DestinationKeyId=src)
