"""POST /_sealstack/reset, whole and for one account, through real clients."""

import pytest
from botocore.exceptions import ClientError

from aws_helpers import ROOT_ACCOUNT, client
from control_helpers import admin, admin_error
from kms_helpers import OTHER, OTHER_ACCOUNT, expect_error, kms


# A job role in each account, so that both can hold Glue jobs and runs.
CONFIG = {"principals": [OTHER] + [
    {"arn": f"arn:aws:iam::{account}:role/JobRole", "policies": [
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}]}
    for account in (ROOT_ACCOUNT, OTHER_ACCOUNT)]}


def populate(server, key_id, secret, bucket):
    k = kms(server, key_id, secret)
    key = k.create_key()["KeyMetadata"]["KeyId"]
    k.create_alias(AliasName="alias/mine", TargetKeyId=key)
    s3 = client("s3", server.endpoint, key_id, secret)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="obj", Body=b"payload", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    g = client("glue", server.endpoint, key_id, secret)
    g.create_security_configuration(Name="sc", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-S3"}]})
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key}})
    g.create_database(DatabaseInput={"Name": "db"})
    g.create_table(DatabaseName="db", TableInput={"Name": "t"})
    g.create_connection(ConnectionInput={"Name": "conn", "ConnectionType": "JDBC",
                                         "ConnectionProperties": {"USERNAME": "u"}})
    # The script does not exist: the run fails at validation, and stays on record.
    g.create_job(Name="job", Role="JobRole",
                 Command={"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/none.py"})
    run_id = g.start_job_run(JobName="job")["JobRunId"]
    return k, s3, key, g, run_id


def glue_state(g):
    """Everything populate() made in Glue, as the API lists it."""
    try:
        runs = [r["Id"] for r in g.get_job_runs(JobName="job")["JobRuns"]]
    except ClientError as e:
        assert e.response["Error"]["Code"] == "EntityNotFoundException"
        runs = []
    return {"secconfs": [c["Name"] for c in
                         g.get_security_configurations()["SecurityConfigurations"]],
            "catalog": g.get_data_catalog_encryption_settings()[
                "DataCatalogEncryptionSettings"]["EncryptionAtRest"]["CatalogEncryptionMode"],
            "databases": [d["Name"] for d in g.get_databases()["DatabaseList"]],
            "connections": [c["Name"] for c in g.get_connections()["ConnectionList"]],
            "jobs": g.list_jobs()["JobNames"], "runs": runs}


EMPTY_GLUE = {"secconfs": [], "catalog": "DISABLED", "databases": [], "connections": [],
              "jobs": [], "runs": []}


@pytest.mark.parametrize("how", ["body", "query"])
def test_reset_of_one_account_leaves_the_others(start_sealstack, how):
    server = start_sealstack(config=CONFIG)
    mine_kms, mine_s3, mine_key, mine_glue, mine_run = populate(server, "test", "test",
                                                                "root-bucket")
    other_kms, other_s3, _, other_glue, _ = populate(server, OTHER["access_key_id"],
                                                     OTHER["secret_access_key"], "other-bucket")
    mine_before = glue_state(mine_glue)
    assert mine_before["runs"] == [mine_run] and mine_before["jobs"] == ["job"]
    if how == "body":
        assert admin(server, "POST", "reset", {"account": OTHER_ACCOUNT}) == {}
    else:
        assert admin(server, "POST", f"reset?account={OTHER_ACCOUNT}", {}) == {}
    # The other account is empty...
    assert other_kms.list_keys()["Keys"] == []
    assert [a for a in other_kms.list_aliases()["Aliases"]
            if not a["AliasName"].startswith("alias/aws/")] == []
    assert other_s3.list_buckets()["Buckets"] == []
    # ...and its bucket name is free again.
    other_s3.create_bucket(Bucket="other-bucket")
    # The default account is untouched, object included.
    assert [k["KeyId"] for k in mine_kms.list_keys()["Keys"]] == [mine_key]
    assert mine_kms.describe_key(KeyId="alias/mine")["KeyMetadata"]["KeyId"] == mine_key
    assert mine_s3.get_object(Bucket="root-bucket", Key="obj")["Body"].read() == b"payload"
    # Glue: the other account's jobs, runs, configurations, catalog and connections are gone;
    # the default account's are all there, its encrypted catalog still readable.
    assert glue_state(other_glue) == EMPTY_GLUE
    assert glue_state(mine_glue) == mine_before
    assert mine_glue.get_table(DatabaseName="db", Name="t")["Table"]["Name"] == "t"
    other_glue.create_security_configuration(Name="sc", EncryptionConfiguration={})


def test_full_reset_drops_everything(start_sealstack):
    server = start_sealstack(config=CONFIG)
    mine_kms, mine_s3, mine_key, mine_glue, _ = populate(server, "test", "test", "root-bucket")
    other_kms, other_s3, _, other_glue, _ = populate(server, OTHER["access_key_id"],
                                                     OTHER["secret_access_key"], "other-bucket")
    assert admin(server, "POST", "reset", {}) == {}
    for k, s3, g in ((mine_kms, mine_s3, mine_glue), (other_kms, other_s3, other_glue)):
        assert k.list_keys()["Keys"] == []
        assert s3.list_buckets()["Buckets"] == []
        assert glue_state(g) == EMPTY_GLUE
    expect_error(mine_kms.describe_key, "NotFoundException", 400, KeyId=mine_key)


@pytest.mark.parametrize("body,query", [({"account": "12"}, ""), ({"account": 123}, ""),
                                        ({"acount": OTHER_ACCOUNT}, ""), ({}, "?account=abc")])
def test_bad_reset_is_400(start_sealstack, body, query):
    server = start_sealstack()
    key = kms(server).create_key()["KeyMetadata"]["KeyId"]
    doc = admin_error(server, "POST", "reset" + query, body)
    assert doc["error"] == "InvalidRequest"
    # Nothing was reset.
    assert [k["KeyId"] for k in kms(server).list_keys()["Keys"]] == [key]
