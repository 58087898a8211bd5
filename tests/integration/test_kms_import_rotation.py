"""Several imported key materials per key: ImportKeyMaterial ImportType NEW_KEY_MATERIAL,
RotateKeyOnDemand on keys with imported material, and ListKeyRotations's import fields, after
the AWS KMS Developer Guide ("Rotate keys with imported key material") and the
ImportKeyMaterial / RotateKeyOnDemand / ListKeyRotations API references. Messages marked
[recorded] are AWS's, as LocalStack's AWS-validated snapshots hold them."""

import datetime
import os

import pytest

from kms_helpers import (advance_clock, create_key, expect_error, has_input, kms, require_op,
                         server_now)

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    HAVE_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover
    HAVE_CRYPTOGRAPHY = False

pytestmark = pytest.mark.skipif(not HAVE_CRYPTOGRAPHY,
                                reason="cryptography needed to wrap key material")


def _wrap(public_der, material):
    pub = serialization.load_der_public_key(public_der)
    return pub.encrypt(material, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                              algorithm=hashes.SHA256(), label=None))


def _import(kc, key_id, material, **kwargs):
    params = kc.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    return kc.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                  EncryptedKeyMaterial=_wrap(params["PublicKey"], material),
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE", **kwargs)


def _require_import_type(kc):
    if not has_input(kc, "ImportKeyMaterial", "ImportType"):
        pytest.skip("this botocore's KMS model has no ImportKeyMaterial.ImportType")


def _current(kc, key_id):
    return kc.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]


def test_new_key_material_waits_for_on_demand_rotation(sealstack):
    kc = kms(sealstack)
    _require_import_type(kc)
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    first = _import(kc, key_id, os.urandom(32))["KeyMaterialId"]
    assert _current(kc, key_id) == first
    old_blob = kc.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]

    second = _import(kc, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                     KeyMaterialDescription="next")["KeyMaterialId"]
    assert second != first
    assert _current(kc, key_id) == first  # pending until rotated

    # [recorded] a second pending material is refused
    third = os.urandom(32)
    resp = expect_error(_import, "KMSInvalidStateException", kc=kc, key_id=key_id,
                        material=third, ImportType="NEW_KEY_MATERIAL")
    msg = resp["Error"]["Message"]
    arn = kc.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert msg.startswith("New key material (id: ") and msg.endswith(
        f") cannot be imported into KMS key {arn}, because another key material "
        f"(id: {second}) is pending rotation.")

    rows = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    states = {r["KeyMaterialId"]: (r["KeyMaterialState"], r["ImportState"]) for r in rows}
    assert states == {first: ("CURRENT", "IMPORTED"), second: ("PENDING_ROTATION", "IMPORTED")}
    pending = [r for r in rows if r["KeyMaterialId"] == second][0]
    assert pending["KeyMaterialDescription"] == "next" and "RotationDate" not in pending
    assert pending["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"

    assert kc.rotate_key_on_demand(KeyId=key_id)["KeyId"] == \
        kc.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert _current(kc, key_id) == second
    new_blob = kc.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    assert kc.decrypt(CiphertextBlob=new_blob)["Plaintext"] == b"new"
    assert kc.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"  # old material kept

    rows = kc.list_key_rotations(KeyId=key_id)["Rotations"]  # ROTATIONS_ONLY
    assert [(r["KeyMaterialId"], r["KeyMaterialState"], r["RotationType"]) for r in rows] == \
        [(second, "CURRENT", "ON_DEMAND")]

    # [recorded] nothing is pending any more
    resp = expect_error(kc.rotate_key_on_demand, "KMSInvalidStateException", KeyId=key_id)
    arn = kc.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert resp["Error"]["Message"] == \
        f"No available key material pending rotation for the key: {arn}."


def test_rotate_key_on_demand_without_pending_material(sealstack):
    kc = kms(sealstack)
    require_op(kc, "RotateKeyOnDemand")
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    _import(kc, key_id, os.urandom(32))
    resp = expect_error(kc.rotate_key_on_demand, "KMSInvalidStateException", KeyId=key_id)
    arn = kc.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert resp["Error"]["Message"] == \
        f"No available key material pending rotation for the key: {arn}."


def test_import_type_and_key_material_id_rules(sealstack):
    kc = kms(sealstack)
    _require_import_type(kc)
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    material = os.urandom(32)
    first = _import(kc, key_id, material)["KeyMaterialId"]
    # After the first import the default is EXISTING_KEY_MATERIAL: other material is refused.
    resp = expect_error(_import, "IncorrectKeyMaterialException", kc=kc, key_id=key_id,
                        material=os.urandom(32))
    arn = kc.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert resp["Error"]["Message"] == \
        f"The key material is not the material previously imported into {arn}."
    # KeyMaterialId must be the id of the material imported
    resp = expect_error(_import, "IncorrectKeyMaterialException", kc=kc, key_id=key_id,
                        material=material, KeyMaterialId="0" * 64)
    assert resp["Error"]["Message"] == (
        f"The key material ID {'0' * 64} does not match the key material being imported "
        f"into {arn}.")
    assert _import(kc, key_id, material, KeyMaterialId=first)["KeyMaterialId"] == first
    # ... and cannot be named with NEW_KEY_MATERIAL
    resp = expect_error(_import, "ValidationException", kc=kc, key_id=key_id, material=material,
                        KeyMaterialId=first, ImportType="NEW_KEY_MATERIAL")
    assert resp["Error"]["Message"] == \
        "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL."


def test_pending_and_rotated_materials_survive_a_restart(start_sealstack, tmp_path):
    data = tmp_path / "data"
    server = start_sealstack(extra_args=["--data-dir", str(data)])
    kc = kms(server)
    _require_import_type(kc)
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    _import(kc, key_id, os.urandom(32))
    blob = kc.encrypt(KeyId=key_id, Plaintext=b"first")["CiphertextBlob"]
    second = _import(kc, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                     KeyMaterialDescription="d2")["KeyMaterialId"]
    before = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    server.stop()

    server = start_sealstack(extra_args=["--data-dir", str(data)])
    kc = kms(server)
    after = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert after["Rotations"] == before["Rotations"]
    kc.rotate_key_on_demand(KeyId=key_id)
    server.stop()

    server = start_sealstack(extra_args=["--data-dir", str(data)])
    kc = kms(server)
    assert _current(kc, key_id) == second
    assert kc.decrypt(CiphertextBlob=blob)["Plaintext"] == b"first"
    first = before["Rotations"][0]["KeyMaterialId"]
    kc.delete_imported_key_material(KeyId=key_id, KeyMaterialId=first)
    before = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    server.stop()

    server = start_sealstack(extra_args=["--data-dir", str(data)])
    kc = kms(server)
    after = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert after["Rotations"] == before["Rotations"]
    assert [r["ImportState"] for r in after["Rotations"]] == ["PENDING_IMPORT", "IMPORTED"]


def test_delete_imported_key_material_by_id_and_import_it_again(sealstack):
    kc = kms(sealstack)
    _require_import_type(kc)
    if not has_input(kc, "DeleteImportedKeyMaterial", "KeyMaterialId"):
        pytest.skip("this botocore's KMS model has no DeleteImportedKeyMaterial.KeyMaterialId")
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    arn = kc.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    m1, m2 = os.urandom(32), os.urandom(32)
    first = _import(kc, key_id, m1, KeyMaterialDescription="one")["KeyMaterialId"]
    old_blob = kc.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    second = _import(kc, key_id, m2, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    kc.rotate_key_on_demand(KeyId=key_id)

    # an id the key never had
    resp = expect_error(kc.delete_imported_key_material, "NotFoundException", KeyId=key_id,
                        KeyMaterialId="0" * 64)
    assert resp["Error"]["Message"] == f"Key material {'0' * 64} is not associated with {arn}."

    # deleting non-current material keeps the key usable; its ciphertexts wait for it
    out = kc.delete_imported_key_material(KeyId=key_id, KeyMaterialId=first)
    assert (out["KeyId"], out["KeyMaterialId"]) == (arn, first)
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["CurrentKeyMaterialId"]) == ("Enabled", second)
    expect_error(kc.decrypt, "InvalidCiphertextException", CiphertextBlob=old_blob)
    rows = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [(r["KeyMaterialId"], r["ImportState"], r["KeyMaterialState"]) for r in rows] == \
        [(first, "PENDING_IMPORT", "NON_CURRENT"), (second, "IMPORTED", "CURRENT")]
    # importing it again (EXISTING_KEY_MATERIAL, the default now) puts it back in its place
    assert _import(kc, key_id, m1)["KeyMaterialId"] == first
    assert kc.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"
    rows = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [(r["KeyMaterialId"], r.get("KeyMaterialDescription")) for r in rows] == \
        [(first, "one"), (second, None)]

    # deleting the current material (no KeyMaterialId) leaves the key PendingImport, still
    # naming it; importing the older material does not make the key usable, the current does
    out = kc.delete_imported_key_material(KeyId=key_id)
    assert out["KeyMaterialId"] == second
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["CurrentKeyMaterialId"]) == ("PendingImport", second)
    _import(kc, key_id, m1)
    assert kc.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    _import(kc, key_id, m2)
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["CurrentKeyMaterialId"]) == ("Enabled", second)


def _import_expiring(kc, key_id, material, **kwargs):
    params = kc.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    return kc.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                  EncryptedKeyMaterial=_wrap(params["PublicKey"], material),
                                  **kwargs)


def test_valid_to_rules_of_each_expiration_model(sealstack):
    kc = kms(sealstack)
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    now = server_now(sealstack)
    material = os.urandom(32)
    # KEY_MATERIAL_EXPIRES (the default) needs ValidTo, in the future, at most 365 days out
    resp = expect_error(_import_expiring, "ValidationException", kc=kc, key_id=key_id,
                        material=material)
    assert resp["Error"]["Message"] == \
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
    resp = expect_error(_import_expiring, "ValidationException", kc=kc, key_id=key_id,
                        material=material, ExpirationModel="KEY_MATERIAL_EXPIRES",
                        ValidTo=now - datetime.timedelta(hours=1))
    assert resp["Error"]["Message"] == "ValidTo must be a time in the future."
    resp = expect_error(_import_expiring, "ValidationException", kc=kc, key_id=key_id,
                        material=material, ExpirationModel="KEY_MATERIAL_EXPIRES",
                        ValidTo=now + datetime.timedelta(days=366))
    assert resp["Error"]["Message"] == \
        "ValidTo must be no more than 365 days from the time of the request."
    # KEY_MATERIAL_DOES_NOT_EXPIRE must not have one
    resp = expect_error(_import_expiring, "ValidationException", kc=kc, key_id=key_id,
                        material=material, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                        ValidTo=now + datetime.timedelta(days=1))
    assert resp["Error"]["Message"] == \
        "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."
    valid_to = now + datetime.timedelta(days=365)
    _import_expiring(kc, key_id, material, ExpirationModel="KEY_MATERIAL_EXPIRES",
                     ValidTo=valid_to)
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert abs((md["ValidTo"] - valid_to).total_seconds()) < 1


def test_pending_material_expires_on_its_own_valid_to(sealstack, monkeypatch):
    kc = kms(sealstack)
    _require_import_type(kc)
    key_id = create_key(kc, Origin="EXTERNAL")["KeyId"]
    current = _import(kc, key_id, os.urandom(32))["KeyMaterialId"]
    now = server_now(sealstack)
    pending = _import_expiring(kc, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                               ExpirationModel="KEY_MATERIAL_EXPIRES",
                               ValidTo=now + datetime.timedelta(days=2))["KeyMaterialId"]
    rows = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    row = [r for r in rows if r["KeyMaterialId"] == pending][0]
    assert row["ExpirationModel"] == "KEY_MATERIAL_EXPIRES" and "ValidTo" in row
    advance_clock(sealstack, 3 * 86400, monkeypatch)
    rows = kc.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    states = {r["KeyMaterialId"]: (r["ImportState"], r["KeyMaterialState"]) for r in rows}
    assert states == {current: ("IMPORTED", "CURRENT"),
                      pending: ("PENDING_IMPORT", "PENDING_ROTATION")}
    md = kc.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["CurrentKeyMaterialId"]) == ("Enabled", current)
    # an expired pending material cannot be rotated to
    expect_error(kc.rotate_key_on_demand, "KMSInvalidStateException", KeyId=key_id)
