"""KMS key lifecycle through boto3: key states, scheduled deletion (with the server clock
advanced through the admin API, never by sleeping), rotation (automatic and on demand),
aliases, key policies, tags, grants, imported key material, and account isolation."""

import datetime
import json
import os

import pytest

from aws_helpers import ROOT_ACCOUNT
from kms_helpers import (KEY_ID_RE, KEY_MATERIAL_ID_RE, OTHER, OTHER_ACCOUNT, OTHER_CONFIG,
                         advance_clock, assert_close, assert_key_arn, create_key, default_policy,
                         expect_error, has_input, has_op, has_output, key_arn, kms, raw_error,
                         require_op, server_now, symmetric_key)

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    HAVE_CRYPTOGRAPHY = True
except ImportError:
    HAVE_CRYPTOGRAPHY = False

DAY = 86400


# ---------------------------------------------------------------- key states

def test_disabled_key_state_table(sealstack):
    kc = kms(sealstack)
    md = create_key(kc)
    key_id = md["KeyId"]
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    sign_key = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    kc.disable_key(KeyId=key_id)
    kc.disable_key(KeyId=sign_key)
    err = expect_error(kc.encrypt, "DisabledException", KeyId=key_id, Plaintext=b"x")
    assert err["Error"]["Message"] == f"{md['Arn']} is disabled."
    expect_error(kc.decrypt, "DisabledException", CiphertextBlob=blob)
    expect_error(kc.generate_data_key, "DisabledException", KeyId=key_id, KeySpec="AES_256")
    expect_error(kc.re_encrypt, "DisabledException", CiphertextBlob=blob,
                 DestinationKeyId=symmetric_key(kc))
    expect_error(kc.sign, "DisabledException", KeyId=sign_key, Message=b"m", MessageType="RAW",
                 SigningAlgorithm="ECDSA_SHA_256")
    expect_error(kc.get_public_key, "DisabledException", KeyId=sign_key)
    expect_error(kc.create_grant, "DisabledException", KeyId=key_id,
                 GranteePrincipal="arn:aws:iam::000000000000:role/app", Operations=["Decrypt"])
    expect_error(kc.enable_key_rotation, "DisabledException", KeyId=key_id)
    # Management operations keep working on a disabled key.
    got = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"]) == ("Disabled", False)
    kc.update_key_description(KeyId=key_id, Description="still editable")
    kc.tag_resource(KeyId=key_id, Tags=[{"TagKey": "k", "TagValue": "v"}])
    kc.create_alias(AliasName="alias/disabled-ok", TargetKeyId=key_id)
    assert json.loads(kc.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    kc.enable_key(KeyId=key_id)
    assert kc.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"


def test_schedule_key_deletion_default_window(sealstack):
    kc = kms(sealstack)
    md = create_key(kc)
    now = server_now(sealstack)
    resp = kc.schedule_key_deletion(KeyId=md["KeyId"])
    assert_key_arn(resp["KeyId"], md["KeyId"])
    assert resp["KeyState"] == "PendingDeletion"
    assert resp["PendingWindowInDays"] == 30
    assert_close(resp["DeletionDate"], now + datetime.timedelta(days=30), 600)
    got = kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"]) == ("PendingDeletion", False)
    assert got["DeletionDate"] == resp["DeletionDate"]


@pytest.mark.parametrize("days", [6, 31, 365])
def test_schedule_key_deletion_window_out_of_range(sealstack, days):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    expect_error(kc.schedule_key_deletion, "ValidationException", KeyId=key_id,
                 PendingWindowInDays=days)
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_pending_deletion_state_table_and_cancel(sealstack):
    kc = kms(sealstack)
    md = create_key(kc)
    key_id, arn = md["KeyId"], md["Arn"]
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"keep")["CiphertextBlob"]
    kc.create_alias(AliasName="alias/pending", TargetKeyId=key_id)
    resp = kc.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    assert (resp["KeyState"], resp["PendingWindowInDays"]) == ("PendingDeletion", 7)
    msg = f"{arn} is pending deletion."
    err = expect_error(kc.encrypt, "KMSInvalidStateException", KeyId=key_id, Plaintext=b"x")
    assert err["Error"]["Message"] == msg
    expect_error(kc.decrypt, "KMSInvalidStateException", CiphertextBlob=blob)
    expect_error(kc.generate_data_key, "KMSInvalidStateException", KeyId="alias/pending",
                 KeySpec="AES_256")
    expect_error(kc.enable_key, "KMSInvalidStateException", KeyId=key_id)
    expect_error(kc.disable_key, "KMSInvalidStateException", KeyId=key_id)
    expect_error(kc.schedule_key_deletion, "KMSInvalidStateException", KeyId=key_id)
    expect_error(kc.update_key_description, "KMSInvalidStateException", KeyId=key_id,
                 Description="x")
    expect_error(kc.tag_resource, "KMSInvalidStateException", KeyId=key_id,
                 Tags=[{"TagKey": "k", "TagValue": "v"}])
    expect_error(kc.create_alias, "KMSInvalidStateException", AliasName="alias/late",
                 TargetKeyId=key_id)
    # Read-only management works in every state.
    assert kc.describe_key(KeyId="alias/pending")["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert kc.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    assert kc.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]

    cancelled = kc.cancel_key_deletion(KeyId=key_id)
    assert cancelled["KeyId"] == arn
    got = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"]) == ("Disabled", False)
    assert "DeletionDate" not in got
    err = expect_error(kc.cancel_key_deletion, "KMSInvalidStateException", KeyId=key_id)
    assert err["Error"]["Message"] == f"{arn} is not pending deletion."
    kc.enable_key(KeyId=key_id)
    assert kc.decrypt(CiphertextBlob=blob)["Plaintext"] == b"keep"
    expect_error(kc.cancel_key_deletion, "KMSInvalidStateException", KeyId=key_id)


def test_schedule_deletion_of_disabled_key(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    kc.disable_key(KeyId=key_id)
    assert kc.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)["KeyState"] == \
        "PendingDeletion"


def test_deletion_takes_effect_when_the_clock_passes(sealstack, monkeypatch):
    kc = kms(sealstack)
    md = create_key(kc)
    key_id, arn = md["KeyId"], md["Arn"]
    keep = symmetric_key(kc)
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"doomed")["CiphertextBlob"]
    kc.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    deletion = kc.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)["DeletionDate"]

    advance_clock(sealstack, 6 * DAY, monkeypatch)
    got = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert got["KeyState"] == "PendingDeletion" and got["DeletionDate"] == deletion

    doc = advance_clock(sealstack, 2 * DAY, monkeypatch)
    assert doc["offset_seconds"] == pytest.approx(8 * DAY, abs=5)
    err = expect_error(kc.describe_key, "NotFoundException", KeyId=key_id)
    assert err["Error"]["Message"] == f"Key '{arn}' does not exist"
    expect_error(kc.encrypt, "NotFoundException", KeyId=arn, Plaintext=b"x")
    # The ciphertext names a key that no longer exists: KMS answers AccessDenied ("... the
    # resource does not exist in this Region ..."), PROTOCOL 5.6; with an explicit KeyId the
    # key lookup fails first (NotFound).
    expect_error(kc.decrypt, "AccessDeniedException", CiphertextBlob=blob)
    expect_error(kc.decrypt, "NotFoundException", CiphertextBlob=blob, KeyId=arn)
    listed = [k["KeyId"] for k in kc.list_keys()["Keys"]]
    assert key_id not in listed and keep in listed
    # Its aliases are deleted with it.
    names = [a["AliasName"] for a in kc.list_aliases()["Aliases"]]
    assert "alias/doomed" not in names
    expect_error(kc.describe_key, "NotFoundException", KeyId="alias/doomed")


# ---------------------------------------------------------------- rotation

def test_key_rotation_enable_disable_status(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    new_model = has_output(kc, "GetKeyRotationStatus", "RotationPeriodInDays")
    st = kc.get_key_rotation_status(KeyId=key_id)
    assert st["KeyRotationEnabled"] is False
    if new_model:
        assert_key_arn(st["KeyId"], key_id)
        assert "NextRotationDate" not in st and "RotationPeriodInDays" not in st, st
    now = server_now(sealstack)
    kc.enable_key_rotation(KeyId=key_id)
    st = kc.get_key_rotation_status(KeyId=key_id)
    assert st["KeyRotationEnabled"] is True
    if new_model:
        assert st["RotationPeriodInDays"] == 365
        assert_close(st["NextRotationDate"], now + datetime.timedelta(days=365), 600)
    if has_input(kc, "EnableKeyRotation", "RotationPeriodInDays"):
        for days in (90, 2560):
            kc.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=days)
            st = kc.get_key_rotation_status(KeyId=key_id)
            assert st["RotationPeriodInDays"] == days
            assert_close(st["NextRotationDate"], now + datetime.timedelta(days=days), 600)
        expect_error(kc.enable_key_rotation, "ValidationException", KeyId=key_id,
                     RotationPeriodInDays=2561)
    raw_error(sealstack, "EnableKeyRotation", {"KeyId": key_id, "RotationPeriodInDays": 89},
              "ValidationException")
    kc.disable_key_rotation(KeyId=key_id)
    assert kc.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_rotation_unsupported_on_asymmetric_and_hmac(sealstack):
    kc = kms(sealstack)
    rsa_key = create_key(kc, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyId"]
    hmac_key = create_key(kc, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    for key_id in (rsa_key, hmac_key):
        expect_error(kc.enable_key_rotation, "UnsupportedOperationException", KeyId=key_id)
        expect_error(kc.get_key_rotation_status, "UnsupportedOperationException", KeyId=key_id)
        if has_op(kc, "RotateKeyOnDemand"):
            expect_error(kc.rotate_key_on_demand, "UnsupportedOperationException", KeyId=key_id)


def _decrypt_material(kc, blob):
    return kc.decrypt(CiphertextBlob=blob)["KeyMaterialId"]


def test_rotate_key_on_demand(sealstack):
    kc = kms(sealstack)
    require_op(kc, "RotateKeyOnDemand")
    md = create_key(kc)
    key_id = md["KeyId"]
    first = md["CurrentKeyMaterialId"]
    old_blob = kc.encrypt(KeyId=key_id, Plaintext=b"old material")["CiphertextBlob"]
    assert _decrypt_material(kc, old_blob) == first
    assert kc.list_key_rotations(KeyId=key_id)["Rotations"] == []

    resp = kc.rotate_key_on_demand(KeyId=key_id)
    assert resp["KeyId"] == md["Arn"]
    second = kc.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert KEY_MATERIAL_ID_RE.match(second) and second != first
    new_blob = kc.encrypt(KeyId=key_id, Plaintext=b"new material")["CiphertextBlob"]
    dec_old = kc.decrypt(CiphertextBlob=old_blob)
    assert (dec_old["Plaintext"], dec_old["KeyMaterialId"]) == (b"old material", first)
    dec_new = kc.decrypt(CiphertextBlob=new_blob)
    assert (dec_new["Plaintext"], dec_new["KeyMaterialId"]) == (b"new material", second)
    gdk = kc.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert gdk["KeyMaterialId"] == second

    rot = kc.list_key_rotations(KeyId=key_id)
    assert rot["Truncated"] is False
    assert len(rot["Rotations"]) == 1, rot
    entry = rot["Rotations"][0]
    assert entry["RotationType"] == "ON_DEMAND"
    assert entry["KeyMaterialId"] == second
    assert entry["KeyMaterialState"] == "CURRENT"
    assert entry["KeyId"] in (key_id, md["Arn"])
    assert isinstance(entry["RotationDate"], datetime.datetime)
    everything = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    states = {e["KeyMaterialId"]: e["KeyMaterialState"] for e in everything["Rotations"]}
    assert states == {first: "NON_CURRENT", second: "CURRENT"}
    # ReEncrypt reports both materials.
    if has_output(kc, "ReEncrypt", "SourceKeyMaterialId"):
        re = kc.re_encrypt(CiphertextBlob=old_blob, DestinationKeyId=key_id)
        assert (re["SourceKeyMaterialId"], re["DestinationKeyMaterialId"]) == (first, second)

    kc.disable_key(KeyId=key_id)
    expect_error(kc.rotate_key_on_demand, "DisabledException", KeyId=key_id)


def test_automatic_rotation_when_the_clock_passes(sealstack, monkeypatch):
    kc = kms(sealstack)
    require_op(kc, "ListKeyRotations")
    md = create_key(kc)
    key_id = md["KeyId"]
    first = md["CurrentKeyMaterialId"]
    kc.enable_key_rotation(KeyId=key_id)
    before = kc.get_key_rotation_status(KeyId=key_id)["NextRotationDate"]
    old_blob = kc.encrypt(KeyId=key_id, Plaintext=b"year one")["CiphertextBlob"]

    advance_clock(sealstack, 364 * DAY, monkeypatch)
    assert kc.list_key_rotations(KeyId=key_id)["Rotations"] == []
    advance_clock(sealstack, 2 * DAY, monkeypatch)
    rotations = kc.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["AUTOMATIC"], rotations
    second = kc.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert second != first and rotations[0]["KeyMaterialId"] == second
    assert_close(rotations[0]["RotationDate"], before, 2 * DAY)
    st = kc.get_key_rotation_status(KeyId=key_id)
    assert_close(st["NextRotationDate"], before + datetime.timedelta(days=365), 2 * DAY)
    assert kc.decrypt(CiphertextBlob=old_blob)["KeyMaterialId"] == first
    new_blob = kc.encrypt(KeyId=key_id, Plaintext=b"year two")["CiphertextBlob"]
    assert kc.decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == second


# ---------------------------------------------------------------- aliases

def test_alias_lifecycle(sealstack):
    kc = kms(sealstack)
    k1, k2 = symmetric_key(kc), symmetric_key(kc)
    resp = kc.create_alias(AliasName="alias/app-key", TargetKeyId=k1)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    kc.create_alias(AliasName="alias/second", TargetKeyId=key_arn(k1))
    listed = kc.list_aliases(KeyId=k1)
    assert listed["Truncated"] is False
    entries = sorted(listed["Aliases"], key=lambda a: a["AliasName"])
    assert [e["AliasName"] for e in entries] == ["alias/app-key", "alias/second"]
    for e in entries:
        assert e["AliasArn"] == f"arn:aws:kms:us-east-1:{ROOT_ACCOUNT}:{e['AliasName']}"
        assert e["TargetKeyId"] == k1  # the bare key id, not the ARN
        assert isinstance(e["CreationDate"], datetime.datetime)
        assert isinstance(e["LastUpdatedDate"], datetime.datetime)
    assert kc.list_aliases(KeyId=k2)["Aliases"] == []

    kc.update_alias(AliasName="alias/app-key", TargetKeyId=k2)
    assert kc.describe_key(KeyId="alias/app-key")["KeyMetadata"]["KeyId"] == k2
    assert [a["AliasName"] for a in kc.list_aliases(KeyId=k2)["Aliases"]] == ["alias/app-key"]
    assert [a["AliasName"] for a in kc.list_aliases(KeyId=key_arn(k1))["Aliases"]] == \
        ["alias/second"]
    blob = kc.encrypt(KeyId="alias/app-key", Plaintext=b"via alias")
    assert_key_arn(blob["KeyId"], k2)

    kc.delete_alias(AliasName="alias/app-key")
    expect_error(kc.describe_key, "NotFoundException", KeyId="alias/app-key")
    expect_error(kc.delete_alias, "NotFoundException", AliasName="alias/app-key")
    expect_error(kc.update_alias, "NotFoundException", AliasName="alias/app-key", TargetKeyId=k1)
    # The key itself is untouched.
    assert kc.describe_key(KeyId=k2)["KeyMetadata"]["KeyState"] == "Enabled"


def test_alias_already_exists(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    kc.create_alias(AliasName="alias/taken", TargetKeyId=key_id)
    err = expect_error(kc.create_alias, "AlreadyExistsException", AliasName="alias/taken",
                       TargetKeyId=symmetric_key(kc))
    assert "alias/taken" in err["Error"]["Message"]
    assert kc.describe_key(KeyId="alias/taken")["KeyMetadata"]["KeyId"] == key_id


@pytest.mark.parametrize("name,target,code", [
    ("no-prefix", "key", "ValidationException"),
    ("alias/aws/mine", "key", "NotAuthorizedException"),  # reserved for AWS-managed keys
    ("alias/bad name!", "key", "ValidationException"),     # outside [a-zA-Z0-9:/_-]
    ("alias/orphan", "0bd3a3f4-1111-4222-8333-944455556666", "NotFoundException"),
    ("alias/chain", "alias/existing", "NotFoundException"),  # the target must be a key
], ids=["no-prefix", "reserved", "bad-chars", "unknown-key", "alias-target"])
def test_create_alias_errors(sealstack, name, target, code):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    kc.create_alias(AliasName="alias/existing", TargetKeyId=key_id)
    expect_error(kc.create_alias, code, AliasName=name,
                 TargetKeyId=key_id if target == "key" else target)
    assert [a["AliasName"] for a in kc.list_aliases(KeyId=key_id)["Aliases"]] == \
        ["alias/existing"]


def test_list_aliases_paging(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    names = {f"alias/page-{i}" for i in range(5)}
    for n in names:
        kc.create_alias(AliasName=n, TargetKeyId=key_id)
    seen, marker = [], None
    while True:
        kwargs = {"KeyId": key_id, "Limit": 2}
        if marker:
            kwargs["Marker"] = marker
        page = kc.list_aliases(**kwargs)
        assert len(page["Aliases"]) <= 2
        seen += [a["AliasName"] for a in page["Aliases"]]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert sorted(seen) == sorted(names)


def test_aws_managed_key_created_on_demand(sealstack):
    kc = kms(sealstack)
    md = kc.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert KEY_ID_RE.match(md["KeyId"])
    assert md["KeyManager"] == "AWS"
    assert (md["KeyState"], md["KeySpec"], md["KeyUsage"], md["Origin"]) == \
        ("Enabled", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS")
    assert md["Arn"] == key_arn(md["KeyId"])
    # AWS's text for the S3 key (what DescribeKey of aws/s3 answers on AWS today; older keys
    # said "Default master key ...", AWS's CLI examples show "Default KMS key ...").
    assert md["Description"] == \
        "Default key that protects my S3 objects when no other key is defined"
    # Same key the second time, and the alias now targets it.
    assert kc.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == md["KeyId"]
    aliases = {a["AliasName"]: a for a in kc.list_aliases()["Aliases"]}
    assert aliases["alias/aws/s3"]["TargetKeyId"] == md["KeyId"]


# ---------------------------------------------------------------- key policies

def test_default_key_policy(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    resp = kc.get_key_policy(KeyId=key_id, PolicyName="default")
    assert json.loads(resp["Policy"]) == default_policy()
    if has_output(kc, "GetKeyPolicy", "PolicyName"):
        assert resp["PolicyName"] == "default"
    if "PolicyName" not in \
            kc.meta.service_model.operation_model("GetKeyPolicy").input_shape.required_members:
        # Newer models make PolicyName optional (default "default").
        assert json.loads(kc.get_key_policy(KeyId=key_id)["Policy"]) == default_policy()
    lp = kc.list_key_policies(KeyId=key_id)
    assert lp["PolicyNames"] == ["default"] and lp["Truncated"] is False
    expect_error(kc.get_key_policy, "NotFoundException", KeyId=key_id, PolicyName="other")


def test_put_key_policy(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    policy = default_policy()
    policy["Statement"].append({
        "Sid": "AllowApp", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
        "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:app": "x"}},
    })
    resp = kc.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert json.loads(kc.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == policy
    expect_error(kc.put_key_policy, "MalformedPolicyDocumentException", KeyId=key_id,
                 PolicyName="default", Policy="{not json")
    assert json.loads(kc.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == policy
    expect_error(kc.create_key, "MalformedPolicyDocumentException", Policy="[]")


def _other_account_only():
    policy = default_policy("111122223333")
    return json.dumps(policy)


@pytest.mark.parametrize("bad", [
    "{not json",
    json.dumps({"Version": "2012-10-17"}),
    json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Maybe", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
         "Action": "kms:*", "Resource": "*"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}),  # no Principal
    _other_account_only(),  # would lock the caller out (no BypassPolicyLockoutSafetyCheck)
], ids=["not-json", "no-statement", "bad-effect", "no-principal", "lockout"])
def test_put_key_policy_malformed(sealstack, bad):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    expect_error(kc.put_key_policy, "MalformedPolicyDocumentException", KeyId=key_id,
                 PolicyName="default", Policy=bad)
    assert json.loads(kc.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == \
        default_policy()


# ---------------------------------------------------------------- tags

def test_tags(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    assert kc.list_resource_tags(KeyId=key_id)["Tags"] == []
    kc.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "1"},
                                        {"TagKey": "b", "TagValue": "2"}])
    kc.tag_resource(KeyId=key_arn(key_id), Tags=[{"TagKey": "a", "TagValue": "overwritten"}])
    tags = kc.list_resource_tags(KeyId=key_id)
    assert sorted(tags["Tags"], key=lambda t: t["TagKey"]) == \
        [{"TagKey": "a", "TagValue": "overwritten"}, {"TagKey": "b", "TagValue": "2"}]
    assert tags["Truncated"] is False
    kc.untag_resource(KeyId=key_id, TagKeys=["a", "not-there"])
    assert kc.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    expect_error(kc.tag_resource, "TagException", KeyId=key_id,
                 Tags=[{"TagKey": "aws:reserved", "TagValue": "x"}])
    expect_error(kc.create_key, "TagException", Tags=[{"TagKey": "aws:x", "TagValue": "y"}])
    expect_error(kc.tag_resource, "NotFoundException", KeyId="alias/none",
                 Tags=[{"TagKey": "k", "TagValue": "v"}])


# ---------------------------------------------------------------- grants

GRANTEE = "arn:aws:iam::000000000000:role/app"
RETIREE = "arn:aws:iam::000000000000:role/retirer"


def test_grants(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    g1 = kc.create_grant(KeyId=key_id, GranteePrincipal=GRANTEE, RetiringPrincipal=RETIREE,
                         Operations=["Encrypt", "Decrypt"], Name="first",
                         Constraints={"EncryptionContextSubset": {"app": "x"}})
    assert len(g1["GrantId"]) == 64 and all(c in "0123456789abcdef" for c in g1["GrantId"])
    assert g1["GrantToken"]
    # Same name and parameters: same grant id (idempotent), a new token is fine.
    again = kc.create_grant(KeyId=key_id, GranteePrincipal=GRANTEE, RetiringPrincipal=RETIREE,
                            Operations=["Encrypt", "Decrypt"], Name="first",
                            Constraints={"EncryptionContextSubset": {"app": "x"}})
    assert again["GrantId"] == g1["GrantId"]
    g2 = kc.create_grant(KeyId=key_arn(key_id), GranteePrincipal=GRANTEE,
                         Operations=["GenerateDataKey"])
    assert g2["GrantId"] != g1["GrantId"]

    listed = kc.list_grants(KeyId=key_id)
    assert listed["Truncated"] is False
    grants = {g["GrantId"]: g for g in listed["Grants"]}
    assert set(grants) == {g1["GrantId"], g2["GrantId"]}
    first = grants[g1["GrantId"]]
    assert first["KeyId"] == key_arn(key_id)
    assert first["Name"] == "first"
    assert first["GranteePrincipal"] == GRANTEE
    assert first["RetiringPrincipal"] == RETIREE
    assert first["IssuingAccount"] == "arn:aws:iam::000000000000:root"
    assert sorted(first["Operations"]) == ["Decrypt", "Encrypt"]
    assert first["Constraints"] == {"EncryptionContextSubset": {"app": "x"}}
    assert isinstance(first["CreationDate"], datetime.datetime)
    assert [g["GrantId"] for g in kc.list_grants(KeyId=key_id, GrantId=g2["GrantId"])["Grants"]] \
        == [g2["GrantId"]]
    page = kc.list_grants(KeyId=key_id, Limit=1)
    assert len(page["Grants"]) == 1 and page["Truncated"] is True and page["NextMarker"]

    retirable = kc.list_retirable_grants(RetiringPrincipal=RETIREE)
    assert [g["GrantId"] for g in retirable["Grants"]] == [g1["GrantId"]]

    kc.retire_grant(GrantToken=g1["GrantToken"])
    assert [g["GrantId"] for g in kc.list_grants(KeyId=key_id)["Grants"]] == [g2["GrantId"]]
    kc.revoke_grant(KeyId=key_id, GrantId=g2["GrantId"])
    assert kc.list_grants(KeyId=key_id)["Grants"] == []
    expect_error(kc.retire_grant, "InvalidGrantTokenException", GrantToken="not-a-token")
    expect_error(kc.create_grant, "ValidationException", KeyId=key_id, GranteePrincipal=GRANTEE,
                 Operations=["FlyToTheMoon"])


def test_list_grants_unknown_grant_id(sealstack):
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    kc.create_grant(KeyId=key_id, GranteePrincipal=GRANTEE, Operations=["Decrypt"])
    expect_error(kc.list_grants, "InvalidGrantIdException", KeyId=key_id, GrantId="0" * 64)


# ---------------------------------------------------------------- imported key material

def _wrap(public_der, material):
    pub = serialization.load_der_public_key(public_der)
    return pub.encrypt(material, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                              algorithm=hashes.SHA256(), label=None))


def _import(kc, key_id, material):
    params = kc.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    return kc.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                  EncryptedKeyMaterial=_wrap(params["PublicKey"], material),
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")


@pytest.mark.skipif(not HAVE_CRYPTOGRAPHY, reason="cryptography needed to wrap key material")
def test_import_key_material(sealstack):
    kc = kms(sealstack)
    md = create_key(kc, Origin="EXTERNAL")
    key_id = md["KeyId"]
    assert md["KeyState"] == "PendingImport"

    now = server_now(sealstack)
    params = kc.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    assert_key_arn(params["KeyId"], key_id)
    assert params["ImportToken"]
    pub = serialization.load_der_public_key(params["PublicKey"])
    assert pub.key_size == 2048
    assert_close(params["ParametersValidTo"], now + datetime.timedelta(hours=24), 600)

    material = os.urandom(32)
    resp = kc.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                  EncryptedKeyMaterial=_wrap(params["PublicKey"], material),
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"], got["Origin"]) == ("Enabled", True, "EXTERNAL")
    assert got["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
    assert kc.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"

    kc.delete_imported_key_material(KeyId=key_id)
    got = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"]) == ("PendingImport", False)
    expect_error(kc.decrypt, "KMSInvalidStateException", CiphertextBlob=blob)

    # Different material cannot replace it.
    expect_error(_import, "IncorrectKeyMaterialException", kc=kc, key_id=key_id,
                 material=os.urandom(32))
    # The same material brings the key back, and old ciphertexts decrypt.
    _import(kc, key_id, material)
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    assert kc.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"


@pytest.mark.skipif(not HAVE_CRYPTOGRAPHY, reason="cryptography needed to wrap key material")
def test_import_errors(sealstack):
    kc = kms(sealstack)
    normal = symmetric_key(kc)
    expect_error(kc.get_parameters_for_import, "UnsupportedOperationException", KeyId=normal,
                 WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    other = create_key(kc, Origin="EXTERNAL")["KeyId"]
    params = kc.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    wrapped = _wrap(params["PublicKey"], os.urandom(32))
    # The token belongs to another key.
    expect_error(kc.import_key_material, "InvalidImportTokenException", KeyId=other,
                 ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped,
                 ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    # Not wrapped with the public key from these parameters.
    expect_error(kc.import_key_material, "InvalidCiphertextException", KeyId=key_id,
                 ImportToken=params["ImportToken"], EncryptedKeyMaterial=os.urandom(256),
                 ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"


# ---------------------------------------------------------------- accounts

def test_accounts_are_isolated(start_sealstack):
    server = start_sealstack(OTHER_CONFIG)
    root = kms(server)
    other = kms(server, OTHER["access_key_id"], OTHER["secret_access_key"])
    mine = symmetric_key(root)
    theirs = other.create_key()["KeyMetadata"]
    assert theirs["AWSAccountId"] == OTHER_ACCOUNT
    assert theirs["Arn"] == f"arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/{theirs['KeyId']}"
    policy = json.loads(other.get_key_policy(KeyId=theirs["KeyId"], PolicyName="default")["Policy"])
    assert policy == default_policy(OTHER_ACCOUNT)

    assert [k["KeyId"] for k in other.list_keys()["Keys"]] == [theirs["KeyId"]]
    assert [k["KeyId"] for k in root.list_keys()["Keys"]] == [mine]
    # A bare key id resolves in the caller's own account only.
    err = expect_error(other.describe_key, "NotFoundException", KeyId=mine)
    assert err["Error"]["Message"] == \
        f"Key 'arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/{mine}' does not exist"
    expect_error(root.describe_key, "NotFoundException", KeyId=theirs["KeyId"])
    # Aliases are per account too.
    root.create_alias(AliasName="alias/shared-name", TargetKeyId=mine)
    other.create_alias(AliasName="alias/shared-name", TargetKeyId=theirs["KeyId"])
    assert other.describe_key(KeyId="alias/shared-name")["KeyMetadata"]["KeyId"] == \
        theirs["KeyId"]
    # The default policy trusts only the owning account: no cross-account use by ARN.
    expect_error(other.encrypt, "AccessDeniedException", KeyId=key_arn(mine), Plaintext=b"x")
