"""KMS answers as AWS answers them: error codes, HTTP status and exact messages that AWS
recorded (LocalStack's AWS-validated KMS snapshots, tests/aws/services/kms/test_kms.snapshot.json)
or that the KMS API reference and botocore's kms/2014-11-01 model prescribe.

Each test names its evidence. Operations or members newer than the running botocore (Debian's
1.29) are skipped there."""

import base64
import json

import pytest
from botocore.config import Config

from aws_helpers import REGION, ROOT_ACCOUNT, boto_session, json_target_request
from kms_helpers import (KEYGEN_READ_TIMEOUT, create_key, expect_error, has_input, has_output,
                         key_arn, kms, require_op, symmetric_key)

DRY_RUN_MESSAGE = "The request would have succeeded, but the DryRun option is set."
OTHER_REGION = "us-west-2"


def message_of(resp):
    return resp["Error"]["Message"]


def raw_call(server, op, body):
    """A signed TrentService call; returns (HTTP status, parsed body)."""
    resp = json_target_request(server.endpoint, f"TrentService.{op}", json.dumps(body).encode())
    return resp.status_code, resp.json()


def kms_in(server, region):
    return boto_session(region_name=region).client(
        "kms", endpoint_url=server.endpoint, config=Config(retries={"total_max_attempts": 1}))


# ---------------------------------------------------------------- DryRun

def test_dry_run_is_400_dry_run_operation_exception_on_every_dry_run_operation(sealstack):
    # Recorded: GenerateDataKeyPair(DryRun=True) -> 400 DryRunOperationException (the model
    # gives the exception no httpStatusCode, so 400).
    kc = kms(sealstack)
    if not has_input(kc, "Encrypt", "DryRun"):
        pytest.skip("botocore without DryRun")
    sym = symmetric_key(kc)
    sign = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    hmac = create_key(kc, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    blob = kc.encrypt(KeyId=sym, Plaintext=b"x")["CiphertextBlob"]
    sig = kc.sign(KeyId=sign, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    mac = kc.generate_mac(KeyId=hmac, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    grant = kc.create_grant(KeyId=sym, GranteePrincipal=f"arn:aws:iam::{ROOT_ACCOUNT}:root",
                            Operations=["Decrypt"])
    calls = [
        (kc.encrypt, dict(KeyId=sym, Plaintext=b"x")),
        (kc.decrypt, dict(CiphertextBlob=blob)),
        (kc.re_encrypt, dict(CiphertextBlob=blob, DestinationKeyId=sym)),
        (kc.generate_data_key, dict(KeyId=sym, KeySpec="AES_256")),
        (kc.generate_data_key_without_plaintext, dict(KeyId=sym, NumberOfBytes=16)),
        (kc.generate_data_key_pair, dict(KeyId=sym, KeyPairSpec="RSA_2048")),
        (kc.generate_data_key_pair_without_plaintext, dict(KeyId=sym, KeyPairSpec="RSA_2048")),
        (kc.sign, dict(KeyId=sign, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")),
        (kc.verify, dict(KeyId=sign, Message=b"m", Signature=sig,
                         SigningAlgorithm="ECDSA_SHA_256")),
        (kc.generate_mac, dict(KeyId=hmac, Message=b"m", MacAlgorithm="HMAC_SHA_256")),
        (kc.verify_mac, dict(KeyId=hmac, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")),
        (kc.create_grant, dict(KeyId=sym, GranteePrincipal=f"arn:aws:iam::{ROOT_ACCOUNT}:root",
                               Operations=["Encrypt"])),
        (kc.retire_grant, dict(GrantToken=grant["GrantToken"])),
        (kc.revoke_grant, dict(KeyId=sym, GrantId=grant["GrantId"])),
    ]
    for call, kwargs in calls:
        resp = expect_error(call, "DryRunOperationException", 400, DryRun=True, **kwargs)
        assert message_of(resp) == DRY_RUN_MESSAGE


# ---------------------------------------------------------------- tags

def test_tag_rules_are_tag_exceptions_worded_as_aws(sealstack):
    # Recorded: test_create_key_with_invalid_tag_key, test_tag_existing_key_with_invalid_tag_key,
    # test_create_key_with_too_many_tags_raises_error, test_tag_key_with_duplicate_tag_keys.
    kc = kms(sealstack)
    for reserved in ("aws:key1", "AWS:key1", "Aws:key1"):
        resp = expect_error(kc.create_key, "TagException",
                            Tags=[{"TagKey": reserved, "TagValue": "v"}])
        assert message_of(resp) == "Tags beginning with aws: are reserved"
    key_id = symmetric_key(kc)
    resp = expect_error(kc.tag_resource, "TagException", KeyId=key_id,
                        Tags=[{"TagKey": "AWS:key1", "TagValue": "v"}])
    assert message_of(resp) == "Tags beginning with aws: are reserved"
    resp = expect_error(kc.untag_resource, "TagException", KeyId=key_id, TagKeys=["aWs:x"])
    assert message_of(resp) == "Tags beginning with aws: are reserved"

    many = [{"TagKey": f"key{i}", "TagValue": f"value{i}"} for i in range(51)]
    resp = expect_error(kc.create_key, "TagException", Tags=many)
    assert message_of(resp) == "Too many tags"
    resp = expect_error(kc.tag_resource, "TagException", KeyId=key_id, Tags=many)
    assert message_of(resp) == "Too many tags"
    # 50 is allowed; one more on the key is too many.
    kc.tag_resource(KeyId=key_id, Tags=many[:50])
    resp = expect_error(kc.tag_resource, "TagException", KeyId=key_id,
                        Tags=[{"TagKey": "one-more", "TagValue": "v"}])
    assert message_of(resp) == "Too many tags"

    dup = [{"TagKey": "tag1", "TagValue": "value1"},
           {"TagKey": "tag1", "TagValue": "another-value1"}]
    resp = expect_error(kc.tag_resource, "TagException", KeyId=key_id, Tags=dup)
    assert message_of(resp) == "Duplicate tag keys"
    resp = expect_error(kc.create_key, "TagException", Tags=dup)
    assert message_of(resp) == "Duplicate tag keys"


def test_tag_lengths_are_validation_errors_naming_the_entry(sealstack):
    # Recorded: test_create_key_with_invalid_tag_key[too_long_key],
    # test_key_with_long_tag_value_raises_error (the whole value is echoed).
    kc = kms(sealstack)
    long_key = "a" * 129
    resp = expect_error(kc.create_key, "ValidationException",
                        Tags=[{"TagKey": long_key, "TagValue": "value1"}])
    assert message_of(resp) == (
        f"1 validation error detected: Value '{long_key}' at 'tags.1.member.tagKey' failed to "
        "satisfy constraint: Member must have length less than or equal to 128")
    long_value = "v" * 257
    resp = expect_error(kc.tag_resource, "ValidationException", KeyId=symmetric_key(kc),
                        Tags=[{"TagKey": "ok", "TagValue": "v"},
                              {"TagKey": "tag1", "TagValue": long_value}])
    assert message_of(resp) == (
        f"1 validation error detected: Value '{long_value}' at 'tags.2.member.tagValue' failed "
        "to satisfy constraint: Member must have length less than or equal to 256")


# ---------------------------------------------------------------- validation wording

def test_generate_random_requires_number_of_bytes(sealstack):
    # Recorded: test_generate_random_invalid_number_of_bytes[None].
    kc = kms(sealstack)
    resp = expect_error(kc.generate_random, "ValidationException")
    assert message_of(resp) == "NumberOfBytes is required."


def test_sensitive_blobs_are_not_echoed_in_length_errors(sealstack):
    # Recorded: test_plaintext_size_for_encrypt; the model marks PlaintextType sensitive
    # (Encrypt Plaintext; Sign, Verify, GenerateMac, VerifyMac Message).
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    resp = expect_error(kc.encrypt, "ValidationException", KeyId=key_id, Plaintext=b"x" * 4097)
    assert message_of(resp) == (
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096")
    sign = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    resp = expect_error(kc.sign, "ValidationException", KeyId=sign, Message=b"m" * 4097,
                        SigningAlgorithm="ECDSA_SHA_256")
    assert message_of(resp) == (
        "1 validation error detected: Value at 'message' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096")


@pytest.mark.parametrize("spec,algorithm,limit", [
    ("RSA_2048", "RSAES_OAEP_SHA_1", 214), ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
    ("RSA_3072", "RSAES_OAEP_SHA_1", 342), ("RSA_4096", "RSAES_OAEP_SHA_256", 446)])
def test_rsa_plaintext_limit_per_spec_and_algorithm(sealstack, spec, algorithm, limit):
    # Recorded: test_encrypt_validate_plaintext_size_per_key_type.
    kc = kms(sealstack, read_timeout=KEYGEN_READ_TIMEOUT)
    key_id = create_key(kc, KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    kc.encrypt(KeyId=key_id, Plaintext=b"p" * limit, EncryptionAlgorithm=algorithm)
    resp = expect_error(kc.encrypt, "ValidationException", KeyId=key_id,
                        Plaintext=b"p" * (limit + 1), EncryptionAlgorithm=algorithm)
    assert message_of(resp) == (f"Algorithm {algorithm} and key spec {spec} cannot encrypt data "
                                f"larger than {limit} bytes.")


def test_alias_name_must_start_with_the_prefix(sealstack):
    # Recorded: test_create_alias.
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    resp = expect_error(kc.create_alias, "ValidationException", AliasName="525617a7",
                        TargetKeyId=key_id)
    assert message_of(resp) == (
        'Alias must start with the prefix "alias/". Please see '
        "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")


def test_create_key_usage_required_when_the_spec_cannot_encrypt(sealstack):
    # Recorded: test_hmac_create_key_invalid_operations (no KeyUsage),
    # test_derive_shared_secret (an incompatible usage: no final period).
    kc = kms(sealstack)
    for spec in ("HMAC_256", "ECC_NIST_P256"):
        resp = expect_error(kc.create_key, "ValidationException", KeySpec=spec)
        assert message_of(resp) == ("You must specify a KeyUsage value for all KMS keys except "
                                    "for symmetric encryption keys.")
    resp = expect_error(kc.create_key, "ValidationException", KeySpec="RSA_2048",
                        KeyUsage="GENERATE_VERIFY_MAC")
    assert message_of(resp) == "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec RSA_2048"


# ---------------------------------------------------------------- key usage

def test_key_usage_errors_name_the_operation_and_incorrect_key(sealstack):
    # Recorded: test_error_messaging_for_invalid_keys, test_re_encrypt_incorrect_source_key.
    kc = kms(sealstack)
    sym = symmetric_key(kc)
    other = symmetric_key(kc)
    hmac = create_key(kc, KeySpec="HMAC_224", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    resp = expect_error(kc.verify, "InvalidKeyUsageException", KeyId=sym, Message=b"m",
                        Signature=b"random text", SigningAlgorithm="ECDSA_SHA_256")
    assert message_of(resp) == (f"{key_arn(sym)} key usage is ENCRYPT_DECRYPT which is not "
                                "valid for Verify.")
    resp = expect_error(kc.sign, "InvalidKeyUsageException", KeyId=hmac, Message=b"m",
                        SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert message_of(resp) == (f"{key_arn(hmac)} key usage is GENERATE_VERIFY_MAC which is not "
                                "valid for Sign.")
    blob = kc.encrypt(KeyId=sym, Plaintext=b"secret")["CiphertextBlob"]
    incorrect = ("The key ID in the request does not identify a CMK that can perform this "
                 "operation.")
    for key_id in (hmac, other):
        resp = expect_error(kc.decrypt, "IncorrectKeyException", CiphertextBlob=blob,
                            KeyId=key_id)
        assert message_of(resp) == incorrect
    resp = expect_error(kc.re_encrypt, "IncorrectKeyException", CiphertextBlob=blob,
                        SourceKeyId=hmac, DestinationKeyId=sym)
    assert message_of(resp) == incorrect


def test_mac_algorithm_must_match_the_key_spec(sealstack):
    # Recorded: test_invalid_generate_mac[HMAC_224-HMAC_SHA_256],
    # test_invalid_verify_mac[HMAC_256-HMAC_SHA_512-...].
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="HMAC_224", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    resp = expect_error(kc.generate_mac, "InvalidKeyUsageException", KeyId=key_id,
                        Message=b"m", MacAlgorithm="HMAC_SHA_256")
    assert message_of(resp) == "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
    resp = expect_error(kc.verify_mac, "InvalidKeyUsageException", KeyId=key_id, Message=b"m",
                        Mac=b"x" * 28, MacAlgorithm="HMAC_SHA_512")
    assert message_of(resp) == "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_224."


def test_asymmetric_results_carry_no_key_material_id(sealstack):
    # KMS API reference (ReEncrypt SourceKeyMaterialId / DestinationKeyMaterialId, Decrypt
    # KeyMaterialId): "present only when ... a symmetric encryption KMS key"; recorded
    # test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256].
    kc = kms(sealstack)
    if not has_output(kc, "ReEncrypt", "SourceKeyMaterialId"):
        pytest.skip("botocore without key material ids")
    rsa = create_key(kc, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    rsa2 = create_key(kc, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    sym = symmetric_key(kc)
    alg = "RSAES_OAEP_SHA_256"
    blob = kc.encrypt(KeyId=rsa, Plaintext=b"x", EncryptionAlgorithm=alg)["CiphertextBlob"]
    dec = kc.decrypt(KeyId=rsa, CiphertextBlob=blob, EncryptionAlgorithm=alg)
    assert "KeyMaterialId" not in dec
    re = kc.re_encrypt(CiphertextBlob=blob, SourceKeyId=rsa, SourceEncryptionAlgorithm=alg,
                       DestinationKeyId=rsa2, DestinationEncryptionAlgorithm=alg)
    assert "SourceKeyMaterialId" not in re and "DestinationKeyMaterialId" not in re
    re = kc.re_encrypt(CiphertextBlob=blob, SourceKeyId=rsa, SourceEncryptionAlgorithm=alg,
                       DestinationKeyId=sym)
    assert "SourceKeyMaterialId" not in re and "DestinationKeyMaterialId" in re


def test_derive_shared_secret_bad_public_key_has_no_message(sealstack):
    # Recorded: test_derive_shared_secret (response-invalid-public-key: no message).
    kc = kms(sealstack)
    require_op(kc, "DeriveSharedSecret")
    key_id = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyId"]
    resp = expect_error(kc.derive_shared_secret, "ValidationException", KeyId=key_id,
                        KeyAgreementAlgorithm="ECDH", PublicKey=b"not a public key")
    assert message_of(resp) == ""
    status, body = raw_call(sealstack, "DeriveSharedSecret", {
        "KeyId": key_id, "KeyAgreementAlgorithm": "ECDH", "PublicKey": "bm90IGEga2V5"})
    assert status == 400 and "message" not in body, body


# ---------------------------------------------------------------- rotation

def test_on_demand_rotation_limit_and_unsupported_keys(sealstack):
    # Recorded: test_key_rotations_limits (10 on-demand rotations, then LimitExceeded),
    # test_rotate_key_on_demand_raises_error_given_non_symmetric_key (no message).
    kc = kms(sealstack, read_timeout=KEYGEN_READ_TIMEOUT)
    require_op(kc, "RotateKeyOnDemand")
    key_id = symmetric_key(kc)
    for _ in range(10):
        kc.rotate_key_on_demand(KeyId=key_id)
    resp = expect_error(kc.rotate_key_on_demand, "LimitExceededException", KeyId=key_id)
    assert message_of(resp) == (
        "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
        f"rotations can be performed for this key: {key_arn(key_id)}")
    rsa = create_key(kc, KeySpec="RSA_4096", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    resp = expect_error(kc.rotate_key_on_demand, "UnsupportedOperationException", KeyId=rsa)
    assert message_of(resp) == ""
    status, body = raw_call(sealstack, "RotateKeyOnDemand", {"KeyId": rsa})
    assert (status, body) == (400, {"__type": "UnsupportedOperationException"})


# ---------------------------------------------------------------- regions and key ids

def test_an_arn_of_another_region_is_invalid_for_every_operation(sealstack):
    # Recorded: test_get_key_in_different_region ("Invalid arn <region>"); the same capture
    # through S3 is PROTOCOL.md 3.4.
    kc = kms(sealstack)
    west = kms_in(sealstack, OTHER_REGION)
    md = west.create_key()["KeyMetadata"]
    west.create_alias(AliasName="alias/west", TargetKeyId=md["KeyId"])
    alias_arn = f"arn:aws:kms:{OTHER_REGION}:{ROOT_ACCOUNT}:alias/west"
    # The key is there for its own region.
    assert west.describe_key(KeyId=md["Arn"])["KeyMetadata"]["KeyId"] == md["KeyId"]
    calls = [
        (kc.describe_key, {}),
        (kc.encrypt, dict(Plaintext=b"x")),
        (kc.generate_data_key, dict(KeySpec="AES_256")),
        (kc.enable_key, {}),
        (kc.get_key_policy, dict(PolicyName="default")),
        (kc.tag_resource, dict(Tags=[{"TagKey": "k", "TagValue": "v"}])),
        (kc.list_resource_tags, {}),
        (kc.create_grant, dict(GranteePrincipal=f"arn:aws:iam::{ROOT_ACCOUNT}:root",
                               Operations=["Decrypt"])),
    ]
    for call, kwargs in calls:
        resp = expect_error(call, "NotFoundException", KeyId=md["Arn"], **kwargs)
        assert message_of(resp) == f"Invalid arn {OTHER_REGION}", call
    resp = expect_error(kc.encrypt, "NotFoundException", KeyId=alias_arn, Plaintext=b"x")
    assert message_of(resp) == f"Invalid arn {OTHER_REGION}"
    # The bare key id is looked up in the caller's region.
    resp = expect_error(kc.describe_key, "NotFoundException", KeyId=md["KeyId"])
    assert message_of(resp) == f"Key '{key_arn(md['KeyId'])}' does not exist"
    # A ciphertext of the other region's key does not decrypt here.
    blob = west.encrypt(KeyId=md["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    expect_error(kc.decrypt, "AccessDeniedException", CiphertextBlob=blob)


def test_multi_region_key_id_form_is_a_key_that_does_not_exist(sealstack):
    # Recorded: test_get_key_does_not_exist (mrk- + 32 hex), test_get_key_invalid_uuid.
    kc = kms(sealstack)
    mrk = "mrk-d3b95762d3b95762d3b95762d3b95762"
    resp = expect_error(kc.describe_key, "NotFoundException", KeyId=mrk)
    assert message_of(resp) == f"Key 'arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/{mrk}' does not exist"
    resp = expect_error(kc.describe_key, "NotFoundException", KeyId="mrk-fake-key-id")
    assert message_of(resp) == "Invalid keyId 'mrk-fake-key-id'"


# ---------------------------------------------------------------- error wire format

def test_errors_without_a_message_send_none(sealstack):
    # Recorded: decrypt with a wrong encryption context / bad ciphertext and verify of a bad
    # signature carry no "message" member.
    kc = kms(sealstack)
    key_id = symmetric_key(kc)
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"a": "b"})["CiphertextBlob"]
    resp = expect_error(kc.decrypt, "InvalidCiphertextException", CiphertextBlob=blob)
    assert "message" not in resp and message_of(resp) == ""
    status, body = raw_call(sealstack, "Decrypt",
                            {"CiphertextBlob": base64.b64encode(blob).decode()})
    assert (status, body) == (400, {"__type": "InvalidCiphertextException"})
    sign = create_key(kc, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    sig = kc.sign(KeyId=sign, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    status, body = raw_call(sealstack, "Verify", {
        "KeyId": sign, "Message": base64.b64encode(b"other").decode(),
        "Signature": base64.b64encode(sig).decode(), "SigningAlgorithm": "ECDSA_SHA_256"})
    assert (status, body) == (400, {"__type": "KMSInvalidSignatureException"})
    # Errors with a message keep it.
    status, body = raw_call(sealstack, "DescribeKey", {"KeyId": "nope"})
    assert (status, body) == (400, {"__type": "NotFoundException",
                                    "message": "Invalid keyId 'nope'"})


def test_mac_algorithm_enum_error_lists_values_in_aws_order(sealstack):
    # Recorded: test_invalid_generate_mac[HMAC_256-INVALID], test_invalid_verify_mac[...INVALID...].
    kc = kms(sealstack)
    key_id = create_key(kc, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    want = ("1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy "
            "constraint: Member must satisfy enum value set: "
            "[HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]")
    body = {"KeyId": key_id, "Message": "bQ==", "MacAlgorithm": "INVALID"}
    status, doc = raw_call(sealstack, "GenerateMac", body)
    assert (status, doc) == (400, {"__type": "ValidationException", "message": want})
    status, doc = raw_call(sealstack, "VerifyMac", dict(body, Mac="bQ=="))
    assert (status, doc) == (400, {"__type": "ValidationException", "message": want})


def test_import_key_material_expires_by_default_and_deletion_keeps_material_id(sealstack):
    # KMS API reference, ImportKeyMaterial ExpirationModel: "The default is
    # KEY_MATERIAL_EXPIRES" (then ValidTo is required); recorded test_import_key_symmetric.
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
    except ImportError:
        pytest.skip("cryptography needed to wrap key material")
    kc = kms(sealstack)
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    params = kc.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    wrapped = serialization.load_der_public_key(params["PublicKey"]).encrypt(
        b"k" * 32, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                                label=None))
    resp = expect_error(kc.import_key_material, "ValidationException", KeyId=key_id,
                        ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped)
    assert message_of(resp) == ("A validTo date must be set if the ExpirationModel is "
                                "KEY_MATERIAL_EXPIRES")
    kc.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                           EncryptedKeyMaterial=wrapped,
                           ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["KeyState"] == "Enabled"
    # Recorded (same test): after DeleteImportedKeyMaterial the key still names that material.
    kc.delete_imported_key_material(KeyId=key_id)
    after = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert after["KeyState"] == "PendingImport"
    if "CurrentKeyMaterialId" in md:
        assert after["CurrentKeyMaterialId"] == md["CurrentKeyMaterialId"]
