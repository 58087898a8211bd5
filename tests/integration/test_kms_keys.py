"""KMS key management through boto3: CreateKey for every key spec/usage, DescribeKey by all
four identifier forms, ListKeys paging, descriptions, Enable/DisableKey, identifiers that do
not resolve. Expectations are AWS's (botocore kms model + PROTOCOL.md 5.2-5.6)."""

import pytest

from aws_helpers import ROOT_ACCOUNT
from kms_helpers import (KEY_ID_RE, KEY_MATERIAL_ID_RE, KEYGEN_READ_TIMEOUT, assert_close,
                         create_key, expect_error, key_arn, kms, raw_error, server_now,
                         shape_members)

RSA_SIGN = ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"]
RSA_ENC = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
ALGO_FIELDS = ("EncryptionAlgorithms", "SigningAlgorithms", "MacAlgorithms",
               "KeyAgreementAlgorithms")

# (KeySpec, KeyUsage) -> the algorithm lists KeyMetadata reports (PROTOCOL 5.4).
# RSA_4096 is covered once, separately (slow key generation).
SPEC_USAGE = {
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"): {"EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]},
    ("RSA_2048", "ENCRYPT_DECRYPT"): {"EncryptionAlgorithms": RSA_ENC},
    ("RSA_2048", "SIGN_VERIFY"): {"SigningAlgorithms": RSA_SIGN},
    ("RSA_3072", "ENCRYPT_DECRYPT"): {"EncryptionAlgorithms": RSA_ENC},
    ("RSA_3072", "SIGN_VERIFY"): {"SigningAlgorithms": RSA_SIGN},
    ("ECC_NIST_P256", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_256"]},
    ("ECC_NIST_P384", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_384"]},
    ("ECC_NIST_P521", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_512"]},
    ("ECC_NIST_P256", "KEY_AGREEMENT"): {"KeyAgreementAlgorithms": ["ECDH"]},
    ("ECC_NIST_P384", "KEY_AGREEMENT"): {"KeyAgreementAlgorithms": ["ECDH"]},
    ("ECC_NIST_P521", "KEY_AGREEMENT"): {"KeyAgreementAlgorithms": ["ECDH"]},
    ("ECC_SECG_P256K1", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_256"]},
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"):
        {"SigningAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]},
    ("HMAC_224", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_224"]},
    ("HMAC_256", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_256"]},
    ("HMAC_384", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_384"]},
    ("HMAC_512", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_512"]},
}


def _assert_spec_metadata(kc, md, spec, usage, algos):
    assert md["KeySpec"] == spec, md
    assert md["CustomerMasterKeySpec"] == spec, md
    assert md["KeyUsage"] == usage, md
    assert md["KeyState"] == "Enabled" and md["Enabled"] is True, md
    assert md["Origin"] == "AWS_KMS" and md["KeyManager"] == "CUSTOMER", md
    members = shape_members(kc, "KeyMetadata")
    for field in ALGO_FIELDS:
        if field not in members:
            continue  # old botocore drops members it does not know
        want = algos.get(field, [])
        # Order is not documented; AWS omits the lists that do not apply.
        assert sorted(md.get(field, [])) == sorted(want), f"{field} of {spec}/{usage}: {md}"


@pytest.mark.parametrize("spec,usage", sorted(SPEC_USAGE), ids=lambda v: str(v))
def test_create_key_spec_usage(sealstack, spec, usage):
    kc = kms(sealstack)
    md = create_key(kc, KeySpec=spec, KeyUsage=usage)
    _assert_spec_metadata(kc, md, spec, usage, SPEC_USAGE[(spec, usage)])
    # DescribeKey reports the same.
    again = kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]
    _assert_spec_metadata(kc, again, spec, usage, SPEC_USAGE[(spec, usage)])


def test_create_key_rsa_4096_and_default_usage(sealstack):
    """RSA_4096 (the only 4096-bit key of the suite); KeyUsage omitted = ENCRYPT_DECRYPT."""
    kc = kms(sealstack, read_timeout=KEYGEN_READ_TIMEOUT)
    md = create_key(kc, KeySpec="RSA_4096")
    _assert_spec_metadata(kc, md, "RSA_4096", "ENCRYPT_DECRYPT",
                          {"EncryptionAlgorithms": RSA_ENC})
    pub = kc.get_public_key(KeyId=md["KeyId"])
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    assert load_der_public_key(pub["PublicKey"]).key_size == 4096


def test_create_key_deprecated_customer_master_key_spec(sealstack):
    kc = kms(sealstack)
    md = create_key(kc, CustomerMasterKeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    assert (md["KeySpec"], md["CustomerMasterKeySpec"]) == ("ECC_NIST_P256", "ECC_NIST_P256")


@pytest.mark.parametrize("spec,usage", [
    ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"),
    ("SYMMETRIC_DEFAULT", "GENERATE_VERIFY_MAC"),
    ("RSA_2048", "GENERATE_VERIFY_MAC"),
    ("RSA_2048", "KEY_AGREEMENT"),
    ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
    ("ECC_SECG_P256K1", "KEY_AGREEMENT"),
    ("ECC_NIST_EDWARDS25519", "ENCRYPT_DECRYPT"),
    ("HMAC_256", "ENCRYPT_DECRYPT"),
    ("HMAC_256", "SIGN_VERIFY"),
    ("ECC_NIST_P384", None),   # default usage ENCRYPT_DECRYPT does not fit an ECC key
    ("HMAC_512", None),        # nor an HMAC key
], ids=lambda v: str(v))
def test_create_key_incompatible_spec_usage(sealstack, spec, usage):
    kc = kms(sealstack)
    kwargs = {"KeySpec": spec}
    if usage:
        kwargs["KeyUsage"] = usage
    expect_error(kc.create_key, "ValidationException", **kwargs)
    assert kc.list_keys()["Keys"] == []  # nothing was created


def test_create_key_unknown_spec(sealstack):
    expect_error(kms(sealstack).create_key, "ValidationException", KeySpec="RSA_1024")


def test_create_key_both_spec_and_customer_master_key_spec(sealstack):
    # AWS: "You can't specify both CustomerMasterKeySpec and KeySpec" (ValidationException).
    expect_error(kms(sealstack).create_key, "ValidationException",
                 KeySpec="SYMMETRIC_DEFAULT", CustomerMasterKeySpec="SYMMETRIC_DEFAULT")


def test_fresh_key_metadata(sealstack):
    kc = kms(sealstack)
    before = server_now(sealstack)
    resp = kc.create_key()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    md = resp["KeyMetadata"]
    key_id = md["KeyId"]
    assert KEY_ID_RE.match(key_id), md
    assert_close(md["CreationDate"], before, 120)
    expected = {
        "AWSAccountId": ROOT_ACCOUNT, "KeyId": key_id, "Arn": key_arn(key_id),
        "CreationDate": md["CreationDate"], "Enabled": True, "Description": "",
        "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
    }
    if "CurrentKeyMaterialId" in shape_members(kc, "KeyMetadata"):
        # Present for symmetric keys with AWS_KMS origin (model doc).
        assert KEY_MATERIAL_ID_RE.match(md.get("CurrentKeyMaterialId", "")), md
        expected["CurrentKeyMaterialId"] = md["CurrentKeyMaterialId"]
    assert md == expected
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"] == expected


def test_description_tags_policy_round_trip(sealstack):
    kc = kms(sealstack)
    policy = ('{"Version":"2012-10-17","Id":"custom","Statement":[{"Sid":"all","Effect":"Allow",'
              '"Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*",'
              '"Resource":"*"}]}')
    tags = [{"TagKey": "team", "TagValue": "crypto"}, {"TagKey": "env", "TagValue": ""}]
    md = create_key(kc, Description="payments key", Tags=tags, Policy=policy)
    assert md["Description"] == "payments key"
    got_tags = kc.list_resource_tags(KeyId=md["KeyId"])
    assert sorted(got_tags["Tags"], key=lambda t: t["TagKey"]) == \
        sorted(tags, key=lambda t: t["TagKey"])
    assert got_tags["Truncated"] is False
    import json
    assert json.loads(kc.get_key_policy(KeyId=md["KeyId"], PolicyName="default")["Policy"]) == \
        json.loads(policy)
    kc.update_key_description(KeyId=md["KeyId"], Description="renamed")
    assert kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]["Description"] == "renamed"
    kc.update_key_description(KeyId=md["Arn"], Description="")
    assert kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]["Description"] == ""


def test_description_too_long(sealstack):
    kc = kms(sealstack)
    # 8192 is the model's maximum; one more is a server-side ValidationException.
    assert create_key(kc, Description="d" * 8192)["Description"] == "d" * 8192
    expect_error(kc.create_key, "ValidationException", Description="d" * 8193)


def test_describe_key_by_every_identifier(sealstack):
    kc = kms(sealstack)
    md = create_key(kc, Description="by alias")
    kc.create_alias(AliasName="alias/describe-me", TargetKeyId=md["KeyId"])
    alias_arn = f"arn:aws:kms:us-east-1:{ROOT_ACCOUNT}:alias/describe-me"
    for ident in (md["KeyId"], md["Arn"], "alias/describe-me", alias_arn):
        got = kc.describe_key(KeyId=ident)["KeyMetadata"]
        assert got == md, f"DescribeKey({ident!r})"


def test_describe_key_unknown_and_malformed(sealstack):
    kc = kms(sealstack)
    create_key(kc)
    missing = "0bd3a3f4-1111-4222-8333-944455556666"
    err = expect_error(kc.describe_key, "NotFoundException", KeyId=missing)
    assert err["Error"]["Message"] == f"Key '{key_arn(missing)}' does not exist"
    err = expect_error(kc.describe_key, "NotFoundException", KeyId=key_arn(missing))
    assert err["Error"]["Message"] == f"Key '{key_arn(missing)}' does not exist"
    err = expect_error(kc.describe_key, "NotFoundException", KeyId="not-a-key-id")
    assert "not-a-key-id" in err["Error"]["Message"], err
    err = expect_error(kc.describe_key, "NotFoundException", KeyId="alias/no-such-alias")
    assert "alias/no-such-alias" in err["Error"]["Message"], err
    # Management operations do not resolve aliases, and a missing key is NotFound there too.
    expect_error(kc.enable_key, "NotFoundException", KeyId=missing)
    expect_error(kc.update_key_description, "NotFoundException", KeyId=missing,
                 Description="x")


def test_management_ops_reject_alias(sealstack):
    kc = kms(sealstack)
    md = create_key(kc)
    kc.create_alias(AliasName="alias/mgmt", TargetKeyId=md["KeyId"])
    # Enable/DisableKey, UpdateKeyDescription take a key id or key ARN only (PROTOCOL 5.2).
    expect_error(kc.disable_key, "NotFoundException", KeyId="alias/mgmt")
    expect_error(kc.update_key_description, "NotFoundException", KeyId="alias/mgmt",
                 Description="x")
    assert kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]["Enabled"] is True


def test_list_keys_paging(sealstack):
    kc = kms(sealstack)
    assert kc.list_keys()["Keys"] == []
    created = [create_key(kc) for _ in range(5)]
    everything = kc.list_keys()
    assert everything["Truncated"] is False
    assert "NextMarker" not in everything
    assert sorted(everything["Keys"], key=lambda k: k["KeyId"]) == \
        sorted(({"KeyId": m["KeyId"], "KeyArn": m["Arn"]} for m in created),
               key=lambda k: k["KeyId"])

    seen, marker, pages = [], None, 0
    while True:
        kwargs = {"Limit": 2}
        if marker:
            kwargs["Marker"] = marker
        page = kc.list_keys(**kwargs)
        pages += 1
        assert len(page["Keys"]) <= 2
        seen += page["Keys"]
        if not page["Truncated"]:
            assert "NextMarker" not in page, page
            break
        assert page["NextMarker"], page
        marker = page["NextMarker"]
    assert pages == 3
    assert sorted(seen, key=lambda k: k["KeyId"]) == \
        sorted(everything["Keys"], key=lambda k: k["KeyId"])

    one = kc.list_keys(Limit=1)
    assert len(one["Keys"]) == 1 and one["Truncated"] is True
    assert len(kc.list_keys(Limit=1000)["Keys"]) == 5
    expect_error(kc.list_keys, "ValidationException", Limit=1001)
    raw_error(sealstack, "ListKeys", {"Limit": 0}, "ValidationException")


def test_list_keys_bad_marker(sealstack):
    kc = kms(sealstack)
    create_key(kc)
    expect_error(kc.list_keys, "InvalidMarkerException", Marker="definitely-not-a-marker")


def test_enable_disable_key(sealstack):
    kc = kms(sealstack)
    md = create_key(kc)
    resp = kc.disable_key(KeyId=md["KeyId"])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"]) == ("Disabled", False)
    kc.disable_key(KeyId=md["Arn"])  # idempotent
    kc.enable_key(KeyId=md["Arn"])
    got = kc.describe_key(KeyId=md["KeyId"])["KeyMetadata"]
    assert (got["KeyState"], got["Enabled"]) == ("Enabled", True)
    kc.enable_key(KeyId=md["KeyId"])  # idempotent


def test_create_key_origin_external(sealstack):
    kc = kms(sealstack)
    md = create_key(kc, Origin="EXTERNAL")
    assert md["Origin"] == "EXTERNAL"
    assert md["KeyState"] == "PendingImport"
    assert md["Enabled"] is False
    assert md["KeySpec"] == "SYMMETRIC_DEFAULT" and md["KeyUsage"] == "ENCRYPT_DECRYPT"
    err = expect_error(kc.encrypt, "KMSInvalidStateException", KeyId=md["KeyId"],
                       Plaintext=b"x")
    assert md["Arn"] in err["Error"]["Message"], err
    # A pending-import key cannot be enabled.
    expect_error(kc.enable_key, "KMSInvalidStateException", KeyId=md["KeyId"])


def test_key_metadata_response_shape_new_model(sealstack):
    """Newer models: KeyAgreementAlgorithms and CurrentKeyMaterialId are real members."""
    kc = kms(sealstack)
    if "KeyAgreementAlgorithms" not in shape_members(kc, "KeyMetadata"):
        pytest.skip("this botocore's KeyMetadata has no KeyAgreementAlgorithms")
    md = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
    assert md["KeyAgreementAlgorithms"] == ["ECDH"]
    assert "CurrentKeyMaterialId" not in md, "only symmetric keys have key material ids"
    assert "SigningAlgorithms" not in md and "EncryptionAlgorithms" not in md
