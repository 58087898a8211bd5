"""Seed documents (POST /_sealstack/seed and --seed FILE) through real clients."""

import copy
import json
import os
from pathlib import Path

import pytest

from aws_helpers import ROOT_ACCOUNT, client
from control_helpers import admin, admin_error, b64, pem_private_key
from kms_helpers import OTHER_ACCOUNT, key_arn, kms, raw_ok

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "seed.schema.json"

SYM_ID = "5eed0001-0000-4000-8000-000000000001"
HMAC_ID = "5eed0002-0000-4000-8000-000000000002"
RSA_ID = "5eed0003-0000-4000-8000-000000000003"
OTHER_ID = "5eed0004-0000-4000-8000-000000000004"
OTHER_PRINCIPAL = {"access_key_id": "AKIASEEDEDOTHER00001", "secret_access_key": "seeded-secret",
                   "arn": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}


def seed_document():
    return {
        "principals": [dict(OTHER_PRINCIPAL)],
        "keys": [
            {"id": SYM_ID, "material": b64(bytes(range(32))), "aliases": ["alias/app", "alias/app2"],
             "description": "seeded symmetric key", "tags": {"team": "storage"},
             "rotation_period_days": 365},
            {"id": HMAC_ID, "spec": "HMAC_256", "material": b64(b"h" * 32),
             "aliases": ["alias/mac"]},
            {"id": OTHER_ID, "account": OTHER_ACCOUNT, "material": b64(b"o" * 32),
             "aliases": ["alias/app"], "enabled": False},
        ],
        "buckets": [
            {"name": "seeded-kms-bucket",
             "encryption": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/app",
                            "BucketKeyEnabled": True}},
            {"name": "seeded-plain-bucket", "account": OTHER_ACCOUNT,
             "policy": {"Version": "2012-10-17", "Statement": [{
                 "Sid": "RootReads", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
                 "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::seeded-plain-bucket"}]}},
        ],
        "glue": {
            "security_configurations": [
                {"Name": "seeded-kms", "EncryptionConfiguration": {
                    "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn(SYM_ID)}],
                    "CloudWatchEncryption": {"CloudWatchEncryptionMode": "DISABLED"}}},
            ],
            "catalog_encryption": [
                {"region": "us-east-1", "DataCatalogEncryptionSettings": {
                    "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS",
                                         "SseAwsKmsKeyId": key_arn(SYM_ID)}}},
            ],
        },
    }


def glue_state(server):
    g = client("glue", server.endpoint)
    return (g.get_security_configurations()["SecurityConfigurations"],
            g.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"])


def rotations(server):
    """Every key material of the seeded symmetric key (raw call: boto3 1.26 predates
    ListKeyRotations)."""
    return raw_ok(server, "ListKeyRotations",
                  {"KeyId": SYM_ID, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"})["Rotations"]


def validate_against_schema(doc):
    """Validates with jsonschema when this interpreter has it; the server's own checks run in
    every case."""
    try:
        import jsonschema
    except ImportError:
        return
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_schema_accepts_the_example():
    doc = json.loads(json.dumps(seed_document()))
    assert json.loads(SCHEMA.read_text())["$schema"].endswith("2020-12/schema")
    validate_against_schema(doc)


def test_seed_creates_keys_aliases_buckets_and_principals(start_sealstack):
    server = start_sealstack()
    doc = seed_document()
    assert admin(server, "POST", "seed", doc) == {"principals": 1, "keys": 3, "buckets": 2,
                                                  "glue": 2, "changed": 7}
    client_ = kms(server)
    meta = client_.describe_key(KeyId="alias/app")["KeyMetadata"]
    assert (meta["KeyId"], meta["Arn"], meta["Description"], meta["KeyState"]) == \
        (SYM_ID, key_arn(SYM_ID), "seeded symmetric key", "Enabled")
    assert client_.get_key_rotation_status(KeyId=SYM_ID)["KeyRotationEnabled"] is True
    assert client_.list_resource_tags(KeyId=SYM_ID)["Tags"] == \
        [{"TagKey": "team", "TagValue": "storage"}]
    assert client_.describe_key(KeyId="alias/mac")["KeyMetadata"]["KeySpec"] == "HMAC_256"
    # The seeded principal works, and sees its own account's key and alias.
    other = kms(server, OTHER_PRINCIPAL["access_key_id"], OTHER_PRINCIPAL["secret_access_key"])
    other_meta = other.describe_key(KeyId="alias/app")["KeyMetadata"]
    assert (other_meta["KeyId"], other_meta["KeyState"]) == (OTHER_ID, "Disabled")
    # Buckets, with the default encryption asked for.
    s3 = client("s3", server.endpoint)
    enc = s3.get_bucket_encryption(Bucket="seeded-kms-bucket")
    rule = enc["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == \
        {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/app"}
    assert rule["BucketKeyEnabled"] is True
    s3.put_object(Bucket="seeded-kms-bucket", Key="k", Body=b"data")
    head = s3.head_object(Bucket="seeded-kms-bucket", Key="k")
    assert head["SSEKMSKeyId"] == key_arn(SYM_ID)
    other_s3 = client("s3", server.endpoint, OTHER_PRINCIPAL["access_key_id"],
                      OTHER_PRINCIPAL["secret_access_key"])
    assert [b["Name"] for b in other_s3.list_buckets()["Buckets"]] == ["seeded-plain-bucket"]
    policy = json.loads(other_s3.get_bucket_policy(Bucket="seeded-plain-bucket")["Policy"])
    assert policy == doc["buckets"][1]["policy"]
    # The seeded bucket policy is in force: the default account may list the other's bucket.
    assert s3.list_objects_v2(Bucket="seeded-plain-bucket")["KeyCount"] == 0
    # Glue: the security configuration and the catalog's encryption, as the API reports them.
    g = client("glue", server.endpoint)
    sc = g.get_security_configuration(Name="seeded-kms")["SecurityConfiguration"]
    assert sc["EncryptionConfiguration"]["S3Encryption"] == \
        [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn(SYM_ID)}]
    settings = g.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    assert settings["EncryptionAtRest"] == {"CatalogEncryptionMode": "SSE-KMS",
                                            "SseAwsKmsKeyId": key_arn(SYM_ID)}
    assert settings["ConnectionPasswordEncryption"] == {"ReturnConnectionPasswordEncrypted": False}
    # The seeded catalog encryption is in force: a new database is sealed under the seeded key.
    g.create_database(DatabaseInput={"Name": "sealed"})
    assert g.get_database(Name="sealed")["Database"]["Name"] == "sealed"
    ct = client("cloudtrail", server.endpoint)
    used = ct.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName",
                                               "AttributeValue": key_arn(SYM_ID)}])["Events"]
    assert {e["EventName"] for e in used} >= {"GenerateDataKey", "Decrypt"}
    # Another account's catalog is untouched.
    other_glue = client("glue", server.endpoint, OTHER_PRINCIPAL["access_key_id"],
                        OTHER_PRINCIPAL["secret_access_key"])
    assert other_glue.get_security_configurations()["SecurityConfigurations"] == []


def test_seeding_twice_changes_nothing(start_sealstack):
    server = start_sealstack()
    doc = seed_document()
    admin(server, "POST", "seed", doc)
    client_ = kms(server)
    blob = client_.encrypt(KeyId="alias/app", Plaintext=b"before")["CiphertextBlob"]
    before = (client_.describe_key(KeyId=SYM_ID)["KeyMetadata"],
              client_.list_aliases()["Aliases"],
              rotations(server),
              client_.list_keys()["Keys"],
              glue_state(server))
    assert admin(server, "POST", "seed", doc)["changed"] == 0
    after = (client_.describe_key(KeyId=SYM_ID)["KeyMetadata"],
             client_.list_aliases()["Aliases"],
             rotations(server),
             client_.list_keys()["Keys"],
             glue_state(server))
    assert after == before
    names = [a["AliasName"] for a in after[1]]
    assert len(names) == len(set(names))
    assert client_.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"


def test_reseeding_a_changed_entry_updates_it(start_sealstack):
    server = start_sealstack()
    doc = seed_document()
    admin(server, "POST", "seed", doc)
    doc["keys"][0]["description"] = "changed"
    doc["keys"][0]["aliases"] = ["alias/app", "alias/extra"]
    assert admin(server, "POST", "seed", doc)["changed"] == 1
    client_ = kms(server)
    assert client_.describe_key(KeyId="alias/extra")["KeyMetadata"]["Description"] == "changed"


def test_seeded_key_decrypts_across_restarts_and_servers(start_sealstack, tmp_path):
    doc = seed_document()
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(doc))
    data_dir = tmp_path / "data"
    a = start_sealstack(extra_args=["--data-dir", str(data_dir), "--seed", str(seed_file)])
    ka = kms(a)
    blob = ka.encrypt(KeyId="alias/app", Plaintext=b"portable",
                      EncryptionContext={"purpose": "test"})["CiphertextBlob"]
    mac = ka.generate_mac(KeyId="alias/mac", Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    a.stop()
    # Same data dir (and --seed again: idempotent at start too).
    again = start_sealstack(extra_args=["--data-dir", str(data_dir), "--seed", str(seed_file)])
    assert kms(again).decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "test"})[
        "Plaintext"] == b"portable"
    again.stop()
    # A fresh in-memory server (another root key) seeded from the same file.
    b = start_sealstack(extra_args=["--seed", str(seed_file)])
    kb = kms(b)
    out = kb.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "test"})
    assert (out["Plaintext"], out["KeyId"]) == (b"portable", key_arn(SYM_ID))
    assert kb.verify_mac(KeyId=HMAC_ID, Message=b"m", MacAlgorithm="HMAC_SHA_256",
                         Mac=mac)["MacValid"] is True
    # The default credentials and principals of the seed file both work at start.
    kms(b, OTHER_PRINCIPAL["access_key_id"], OTHER_PRINCIPAL["secret_access_key"]).list_keys()


def test_seeded_rsa_key_has_the_given_public_key(start_sealstack):
    pem = pem_private_key("rsa2048")
    doc = {"keys": [{"id": RSA_ID, "spec": "RSA_2048", "usage": "SIGN_VERIFY", "material": pem}]}
    a, b = start_sealstack(), start_sealstack()
    admin(a, "POST", "seed", doc)
    admin(b, "POST", "seed", doc)
    pub_a = kms(a).get_public_key(KeyId=RSA_ID)["PublicKey"]
    assert pub_a == kms(b).get_public_key(KeyId=RSA_ID)["PublicKey"]
    sig = kms(a).sign(KeyId=RSA_ID, Message=b"hello", SigningAlgorithm="RSASSA_PSS_SHA_256")[
        "Signature"]
    assert kms(b).verify(KeyId=RSA_ID, Message=b"hello", Signature=sig,
                         SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"] is True


def _bad(doc_edit):
    doc = seed_document()
    doc_edit(doc)
    return doc


BAD_DOCUMENTS = [
    (lambda d: d["keys"][2].update(material="not base64!"), "keys[2].material: not valid base64"),
    (lambda d: d["keys"][0].update(material=b64(b"short")), "keys[0].material:"),
    (lambda d: d["keys"][1].update(id="not-a-uuid"), "keys[1].id:"),
    (lambda d: d["keys"][0].update(spec="AES_999"), "keys[0].spec:"),
    (lambda d: d["keys"][0].update(colour="red"), "keys[0].colour: unknown field"),
    (lambda d: d["keys"][0].update(aliases=["alias/aws/s3"]), "keys[0].aliases[0]:"),
    (lambda d: d["keys"][1].update(aliases=["app"]), "keys[1].aliases[0]:"),
    (lambda d: d["keys"][1].update(id=SYM_ID), "keys[1].id:"),
    (lambda d: d["keys"][1].update(aliases=["alias/app"]), "keys[1].aliases[0]:"),
    (lambda d: d["keys"][0].update(policy={"Version": "2012-10-17"}), "keys[0].policy:"),
    (lambda d: d["keys"][0].update(rotation_period_days=10), "keys[0].rotation_period_days:"),
    (lambda d: d["keys"].append({"id": RSA_ID, "spec": "RSA_2048", "usage": "SIGN_VERIFY",
                                 "material": b64(b"x" * 32)}), "keys[3].material:"),
    (lambda d: d["keys"].append({"id": RSA_ID, "spec": "RSA_2048", "material": "x"}),
     "keys[3].usage:"),
    (lambda d: d["buckets"][0].update(name="Bad_Name"), "buckets[0].name:"),
    (lambda d: d["buckets"][1].update(
        encryption={"SSEAlgorithm": "AES256", "KMSMasterKeyID": "alias/app"}),
     "buckets[1].encryption.KMSMasterKeyID:"),
    (lambda d: d["buckets"][0].update(policy={"Version": "2012-10-17", "Statement": []}),
     "buckets[0].policy:"),
    (lambda d: d["principals"][0].pop("arn"), "principals[0].arn:"),
    (lambda d: d["glue"]["security_configurations"].append({"Name": "x"}),
     "glue.security_configurations[1].EncryptionConfiguration: required"),
    (lambda d: d["glue"]["security_configurations"][0].update(
        EncryptionConfiguration={"S3Encryption": [{"S3EncryptionMode": "SSE-KMS"}]}),
     "glue.security_configurations[0].EncryptionConfiguration:"),
    (lambda d: d["glue"]["security_configurations"].append(
        dict(d["glue"]["security_configurations"][0])),
     "glue.security_configurations[1].Name: the security configuration seeded-kms appears twice"),
    (lambda d: d["glue"]["catalog_encryption"][0]["DataCatalogEncryptionSettings"][
        "EncryptionAtRest"].update(CatalogEncryptionMode="ROT13"),
     "glue.catalog_encryption[0].DataCatalogEncryptionSettings:"),
    (lambda d: d["glue"]["catalog_encryption"][0].update(account="12"),
     "glue.catalog_encryption[0].account: expected 12 digits"),
    (lambda d: d["glue"].update(databases=[]), "glue.databases: unknown field"),
    (lambda d: d.update(users=[]), "users: unknown section"),
]


@pytest.mark.parametrize("edit,prefix", BAD_DOCUMENTS,
                         ids=[p for _, p in BAD_DOCUMENTS])
def test_bad_document_is_400_naming_the_entry_and_changes_nothing(start_sealstack, edit,
                                                                  prefix):
    server = start_sealstack()
    doc = admin_error(server, "POST", "seed", _bad(edit))
    assert doc["error"] == "InvalidSeed"
    assert doc["message"].startswith(prefix), doc
    # Nothing of the document was applied (the good keys before the bad entry included).
    assert kms(server).list_keys()["Keys"] == []
    assert client("s3", server.endpoint).list_buckets()["Buckets"] == []
    assert client("glue", server.endpoint).get_security_configurations()[
        "SecurityConfigurations"] == []


def test_conflict_with_existing_state_is_400(start_sealstack):
    server = start_sealstack()
    doc = seed_document()
    admin(server, "POST", "seed", doc)
    clash = copy.deepcopy(doc)
    clash["keys"][0]["material"] = b64(b"z" * 32)  # same id, other material
    msg = admin_error(server, "POST", "seed", clash)["message"]
    assert msg.startswith("keys[0].material:"), msg
    s3 = client("s3", server.endpoint)
    s3.create_bucket(Bucket="taken-by-root")
    other = {"buckets": [{"name": "taken-by-root", "account": OTHER_ACCOUNT}]}
    msg = admin_error(server, "POST", "seed", other)["message"]
    assert msg.startswith("buckets[0].name:"), msg


def test_bad_seed_file_stops_the_server_at_start(tmp_path):
    import subprocess
    from conftest import sealstack_bin
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"keys": [{"id": SYM_ID, "material": "%%%"}]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALSTACK_")}
    proc = subprocess.run([str(sealstack_bin()), "--port", "0", "--in-memory", "--seed",
                           str(bad)], capture_output=True, timeout=30, env=env)
    assert proc.returncode != 0
    assert b"keys[0].material: not valid base64" in proc.stderr, proc.stderr
    assert b"Ready" not in proc.stdout
