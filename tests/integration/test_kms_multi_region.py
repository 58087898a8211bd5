"""Multi-Region keys (CreateKey MultiRegion, ReplicateKey, UpdatePrimaryRegion) as AWS answers
them: the KMS Developer Guide's "Multi-Region keys in AWS KMS" rules, the ReplicateKey /
UpdatePrimaryRegion / ScheduleKeyDeletion API references and botocore's kms/2014-11-01 model.
Messages marked [recorded] are AWS's as LocalStack's AWS-validated snapshots hold them
(test_kms.snapshot.json); the others are SealStack's wording for the error AWS documents."""

import re

import pytest
from botocore.config import Config

from aws_helpers import REGION, ROOT_ACCOUNT, boto_session
from kms_helpers import (KEY_MATERIAL_ID_RE, expect_error, has_op, kms, require_op,
                         shape_members)

OTHER_REGION = "us-west-2"
THIRD_REGION = "eu-west-1"
MRK_ID_RE = re.compile(r"^mrk-[0-9a-f]{32}$")


def kms_in(server, region):
    return boto_session(region_name=region).client(
        "kms", endpoint_url=server.endpoint, config=Config(retries={"total_max_attempts": 1}))


def arn_in(region, key_id):
    return f"arn:aws:kms:{region}:{ROOT_ACCOUNT}:key/{key_id}"


def has_material_id(kc):
    """Older botocore (Debian's) drops KeyMetadata.CurrentKeyMaterialId while parsing."""
    return "CurrentKeyMaterialId" in shape_members(kc, "KeyMetadata")


def mrk(kc, **kwargs):
    return kc.create_key(MultiRegion=True, **kwargs)["KeyMetadata"]


def test_create_multi_region_key_is_a_primary_with_an_mrk_id(sealstack):
    kc = kms(sealstack)
    md = mrk(kc, Description="d")
    assert MRK_ID_RE.match(md["KeyId"]), md["KeyId"]
    assert md["Arn"] == arn_in(REGION, md["KeyId"])
    assert md["MultiRegion"] is True
    assert md["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY",
        "PrimaryKey": {"Arn": md["Arn"], "Region": REGION},
        "ReplicaKeys": [],
    }
    if has_material_id(kc):
        assert KEY_MATERIAL_ID_RE.match(md["CurrentKeyMaterialId"])
    # Single-Region keys say MultiRegion false and carry no configuration.
    single = kc.create_key()["KeyMetadata"]
    assert single["MultiRegion"] is False and "MultiRegionConfiguration" not in single
    assert kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]["MultiRegion"] is True


@pytest.mark.parametrize("spec,usage", [("RSA_2048", "SIGN_VERIFY"),
                                        ("ECC_NIST_P256", "SIGN_VERIFY"),
                                        ("HMAC_256", "GENERATE_VERIFY_MAC")])
def test_asymmetric_and_hmac_multi_region_keys_replicate_with_their_material(
        sealstack, spec, usage):
    kc, west = kms(sealstack), kms_in(sealstack, OTHER_REGION)
    key_id = mrk(kc, KeySpec=spec, KeyUsage=usage)["KeyId"]
    kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION)
    if usage == "SIGN_VERIFY":
        alg = "RSASSA_PSS_SHA_256" if spec.startswith("RSA") else "ECDSA_SHA_256"
        sig = kc.sign(KeyId=key_id, Message=b"m", SigningAlgorithm=alg)["Signature"]
        assert west.verify(KeyId=key_id, Message=b"m", Signature=sig,
                           SigningAlgorithm=alg)["SignatureValid"] is True
        assert west.get_public_key(KeyId=key_id)["PublicKey"] == \
            kc.get_public_key(KeyId=key_id)["PublicKey"]
    else:
        mac = kc.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
        assert west.verify_mac(KeyId=key_id, Message=b"m", Mac=mac,
                               MacAlgorithm="HMAC_SHA_256")["MacValid"] is True


def test_replicate_key_shares_id_and_material_not_policy_description_or_tags(sealstack):
    kc, west = kms(sealstack), kms_in(sealstack, OTHER_REGION)
    require_op(kc, "ReplicateKey")
    primary = mrk(kc, Description="primary", Tags=[{"TagKey": "p", "TagValue": "1"}])
    key_id = primary["KeyId"]
    # [recorded] the key does not exist in the other region before it is replicated
    resp = expect_error(west.describe_key, "NotFoundException", KeyId=key_id)
    assert resp["Error"]["Message"] == f"Key '{arn_in(OTHER_REGION, key_id)}' does not exist"

    out = kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION, Description="replica",
                           Tags=[{"TagKey": "r", "TagValue": "2"}])
    rmd = out["ReplicaKeyMetadata"]
    # [recorded] the answer shows the replica being created, without material yet
    assert rmd["KeyId"] == key_id and rmd["Arn"] == arn_in(OTHER_REGION, key_id)
    assert (rmd["KeyState"], rmd["Enabled"]) == ("Creating", False)
    assert "CurrentKeyMaterialId" not in rmd
    assert rmd["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "REPLICA",
        "PrimaryKey": {"Arn": primary["Arn"], "Region": REGION},
        "ReplicaKeys": [{"Arn": arn_in(OTHER_REGION, key_id), "Region": OTHER_REGION}],
    }
    assert '"Sid" : "Enable IAM User Permissions"' in out["ReplicaPolicy"]
    assert out["ReplicaTags"] == [{"TagKey": "r", "TagValue": "2"}]

    md = west.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["Enabled"], md["Description"]) == ("Enabled", True, "replica")
    if has_material_id(kc):
        assert md["CurrentKeyMaterialId"] == primary["CurrentKeyMaterialId"]
    pmd = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert pmd["MultiRegionConfiguration"]["ReplicaKeys"] == \
        rmd["MultiRegionConfiguration"]["ReplicaKeys"]
    assert west.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "r", "TagValue": "2"}]
    assert kc.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "p", "TagValue": "1"}]
    assert key_id in [k["KeyId"] for k in west.list_keys()["Keys"]]

    # A ciphertext made in either region decrypts in the other.
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionContext={"a": "b"})
    got = west.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext={"a": "b"})
    assert got["Plaintext"] == b"secret" and got["KeyId"] == arn_in(OTHER_REGION, key_id)
    back = west.encrypt(KeyId=key_id, Plaintext=b"back")["CiphertextBlob"]
    assert kc.decrypt(CiphertextBlob=back, KeyId=key_id)["Plaintext"] == b"back"

    # Key state is the replica's own.
    west.disable_key(KeyId=key_id)
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    resp = expect_error(west.decrypt, "DisabledException", CiphertextBlob=blob["CiphertextBlob"],
                        EncryptionContext={"a": "b"})
    assert resp["Error"]["Message"] == f"{arn_in(OTHER_REGION, key_id)} is disabled."


def test_replicate_key_errors(sealstack):
    kc, west = kms(sealstack), kms_in(sealstack, OTHER_REGION)
    require_op(kc, "ReplicateKey")
    key_id = mrk(kc)["KeyId"]
    kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION)
    # [recorded] replicating a replica, even into its own region
    resp = expect_error(west.replicate_key, "UnsupportedOperationException", KeyId=key_id,
                        ReplicaRegion=OTHER_REGION)
    assert resp["Error"]["Message"] == \
        f"{arn_in(OTHER_REGION, key_id)} is not a multi-region primary key."
    # a single-Region key is no primary either
    single = kc.create_key()["KeyMetadata"]
    resp = expect_error(kc.replicate_key, "UnsupportedOperationException",
                        KeyId=single["KeyId"], ReplicaRegion=OTHER_REGION)
    assert resp["Error"]["Message"] == f"{single['Arn']} is not a multi-region primary key."
    # one key of the set per region: the primary's region or one that has a replica
    for region in (REGION, OTHER_REGION):
        resp = expect_error(kc.replicate_key, "AlreadyExistsException", KeyId=key_id,
                            ReplicaRegion=region)
        assert resp["Error"]["Message"] == f"{arn_in(region, key_id)} already exists."
    # an mrk- id that names no key
    missing = "mrk-" + "0" * 32
    resp = expect_error(kc.replicate_key, "NotFoundException", KeyId=missing,
                        ReplicaRegion=THIRD_REGION)
    assert resp["Error"]["Message"] == f"Key '{arn_in(REGION, missing)}' does not exist"
    # the model's RegionType pattern
    resp = expect_error(kc.replicate_key, "ValidationException", KeyId=key_id,
                        ReplicaRegion="Not_A_Region")
    assert resp["Error"]["Message"] == (
        "1 validation error detected: Value 'Not_A_Region' at 'replicaRegion' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$")
    # a primary pending deletion cannot be replicated
    other = mrk(kc)["KeyId"]
    kc.schedule_key_deletion(KeyId=other, PendingWindowInDays=7)
    resp = expect_error(kc.replicate_key, "KMSInvalidStateException", KeyId=other,
                        ReplicaRegion=OTHER_REGION)
    assert resp["Error"]["Message"] == f"{arn_in(REGION, other)} is pending deletion."


def test_rotation_is_shared_and_managed_on_the_primary(sealstack):
    kc, west = kms(sealstack), kms_in(sealstack, OTHER_REGION)
    require_op(kc, "ReplicateKey")
    key_id = mrk(kc)["KeyId"]
    out = kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION)
    assert "ReplicaTags" not in out  # [recorded] no member when the replica has no tags
    kc.enable_key_rotation(KeyId=key_id)
    assert west.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    resp = expect_error(west.disable_key_rotation, "UnsupportedOperationException", KeyId=key_id)
    assert resp["Error"]["Message"] == (
        f"{arn_in(OTHER_REGION, key_id)} is a multi-region replica key; manage its rotation on "
        f"the primary key in {REGION}.")
    if has_op(kc, "RotateKeyOnDemand") and has_material_id(kc):
        kc.rotate_key_on_demand(KeyId=key_id)
        assert west.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == \
            kc.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"after rotation")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"after rotation"


def test_update_primary_region_swaps_primary_and_replica(sealstack):
    kc, west = kms(sealstack), kms_in(sealstack, OTHER_REGION)
    require_op(kc, "UpdatePrimaryRegion")
    key_id = mrk(kc)["KeyId"]
    kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION)
    kc.replicate_key(KeyId=key_id, ReplicaRegion=THIRD_REGION)
    # a region without a replica
    resp = expect_error(kc.update_primary_region, "NotFoundException", KeyId=key_id,
                        PrimaryRegion="ap-south-1")
    assert resp["Error"]["Message"] == f"Key '{arn_in('ap-south-1', key_id)}' does not exist"
    kc.update_primary_region(KeyId=key_id, PrimaryRegion=OTHER_REGION)
    for client, kind in ((kc, "REPLICA"), (west, "PRIMARY"),
                         (kms_in(sealstack, THIRD_REGION), "REPLICA")):
        conf = client.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
        assert conf["MultiRegionKeyType"] == kind
        assert conf["PrimaryKey"] == {"Arn": arn_in(OTHER_REGION, key_id), "Region": OTHER_REGION}
        assert sorted(r["Region"] for r in conf["ReplicaKeys"]) == sorted([REGION, THIRD_REGION])
    # the old primary is now a replica
    resp = expect_error(kc.update_primary_region, "UnsupportedOperationException", KeyId=key_id,
                        PrimaryRegion=THIRD_REGION)
    assert resp["Error"]["Message"] == f"{arn_in(REGION, key_id)} is not a multi-region primary key."
    # the new primary replicates
    west.replicate_key(KeyId=key_id, ReplicaRegion="ap-south-1")


def test_primary_with_replicas_waits_for_their_deletion(sealstack, monkeypatch):
    from kms_helpers import advance_clock
    kc, west = kms(sealstack), kms_in(sealstack, OTHER_REGION)
    require_op(kc, "ReplicateKey")
    key_id = mrk(kc)["KeyId"]
    kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION)
    out = kc.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert out["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in out
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["PendingDeletionWindowInDays"]) == ("PendingReplicaDeletion", 7)
    assert "DeletionDate" not in md
    resp = expect_error(kc.encrypt, "KMSInvalidStateException", KeyId=key_id, Plaintext=b"x")
    assert resp["Error"]["Message"] == f"{arn_in(REGION, key_id)} is pending replica deletion."
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    advance_clock(sealstack, 8 * 86400, monkeypatch)
    expect_error(west.describe_key, "NotFoundException", KeyId=key_id)
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and "DeletionDate" in md
    assert md["MultiRegionConfiguration"]["ReplicaKeys"] == []
    # CancelKeyDeletion brings it back, disabled
    kc.cancel_key_deletion(KeyId=key_id)
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"


def test_multi_region_keys_survive_a_restart(start_sealstack, tmp_path):
    data = tmp_path / "data"
    server = start_sealstack(extra_args=["--data-dir", str(data)])
    kc, west = kms(server), kms_in(server, OTHER_REGION)
    key_id = mrk(kc, Description="p")["KeyId"]
    kc.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION, Description="r")
    west.create_alias(AliasName="alias/west", TargetKeyId=key_id)
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
    before = (kc.describe_key(KeyId=key_id)["KeyMetadata"],
              west.describe_key(KeyId=key_id)["KeyMetadata"])
    server.stop()

    again = start_sealstack(extra_args=["--data-dir", str(data)])
    kc, west = kms(again), kms_in(again, OTHER_REGION)
    after = (kc.describe_key(KeyId=key_id)["KeyMetadata"],
             west.describe_key(KeyId=key_id)["KeyMetadata"])
    assert after == before
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    assert west.describe_key(KeyId="alias/west")["KeyMetadata"]["Arn"] == \
        arn_in(OTHER_REGION, key_id)
    aliases = west.list_aliases(KeyId=key_id)["Aliases"]
    assert [(a["AliasName"], a["TargetKeyId"]) for a in aliases] == [("alias/west", key_id)]
