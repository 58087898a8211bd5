"""Glue partitions, second round: GetPartitions with an Expression (typed by the table's
PartitionKeys), BatchGetPartition, UpdatePartition, DeletePartition and BatchDeletePartition,
in an SSE-KMS encrypted catalog; the AWS CLI's get-partitions --expression. One server for the
module: each test works in its own table."""

import json

import pytest
from botocore.exceptions import ClientError

from aws_helpers import client
from glue_helpers import glue_cli
from s3_helpers import module_servers  # noqa: F401 (fixture)

VALUES = [("2022", "12"), ("2023", "01"), ("2023", "06"), ("2024", "01"), ("2024", "07"),
          ("999", "03")]


def err(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def env(module_servers):  # noqa: F811
    server = module_servers.start()
    g = client("glue", server.endpoint)
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key}})
    g.create_database(DatabaseInput={"Name": "parts"})
    return server, g, kms, key


def table(g, name):
    g.create_table(DatabaseName="parts", TableInput={
        "Name": name, "StorageDescriptor": {"Columns": [{"Name": "v", "Type": "string"}]},
        "PartitionKeys": [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "string"}]})
    out = g.batch_create_partition(DatabaseName="parts", TableName=name, PartitionInputList=[
        {"Values": list(v), "Parameters": {"n": str(i)}} for i, v in enumerate(VALUES)])
    assert out["Errors"] == []


def values(g, tbl, expression, **kw):
    parts = g.get_partitions(DatabaseName="parts", TableName=tbl, Expression=expression,
                             **kw)["Partitions"]
    return [tuple(p["Values"]) for p in parts]


@pytest.mark.parametrize("expression,expected", [
    ("year = 2023", [("2023", "01"), ("2023", "06")]),
    ("year > 2023 AND month = '01'", [("2024", "01")]),
    ("year >= 1000", [v for v in VALUES if v[0] != "999"]),  # numbers, not text
    ("year BETWEEN 2023 AND 2024 AND NOT month IN ('01')", [("2023", "06"), ("2024", "07")]),
    ("(year < 2023 OR year > 2024) AND month LIKE '1%'", [("2022", "12")]),
    ("month <> '01' AND year != 999", [("2022", "12"), ("2023", "06"), ("2024", "07")]),
    ("year NOT BETWEEN 1000 AND 2023", [("2024", "01"), ("2024", "07"), ("999", "03")]),
])
def test_get_partitions_filters_by_expression(env, expression, expected):
    server, g, kms, key = env
    if "filtered" not in [t["Name"] for t in g.get_tables(DatabaseName="parts")["TableList"]]:
        table(g, "filtered")
    assert sorted(values(g, "filtered", expression)) == sorted(expected)


def test_expression_pages_and_errors(env):
    server, g, kms, key = env
    table(g, "paged")
    first = g.get_partitions(DatabaseName="parts", TableName="paged", Expression="year >= 2023",
                             MaxResults=2)
    seen = [tuple(p["Values"]) for p in first["Partitions"]]
    assert len(seen) == 2 and first.get("NextToken")
    rest = values(g, "paged", "year >= 2023", NextToken=first["NextToken"])
    assert sorted(seen + rest) == sorted(v for v in VALUES if v[0] in ("2023", "2024"))
    for bad in ("year = ", "nokey = 1", "year = 1 AND (month = '01'", "month = 'x"):
        with pytest.raises(ClientError) as e:
            g.get_partitions(DatabaseName="parts", TableName="paged", Expression=bad)
        assert err(e) == ("InvalidInputException", 400), bad
    with pytest.raises(ClientError) as e:
        g.get_partitions(DatabaseName="parts", TableName="nosuch", Expression="year = 1")
    assert err(e) == ("EntityNotFoundException", 400)


def test_batch_get_update_delete(env):
    server, g, kms, key = env
    table(g, "edits")
    got = g.batch_get_partition(DatabaseName="parts", TableName="edits", PartitionsToGet=[
        {"Values": ["2023", "01"]}, {"Values": ["1900", "01"]}, {"Values": ["2024", "07"]}])
    assert sorted(tuple(p["Values"]) for p in got["Partitions"]) == [("2023", "01"),
                                                                     ("2024", "07")]
    assert got["UnprocessedKeys"] == []

    g.update_partition(DatabaseName="parts", TableName="edits", PartitionValueList=["2023", "01"],
                       PartitionInput={"Values": ["2023", "01"], "Parameters": {"n": "changed"}})
    p = g.get_partition(DatabaseName="parts", TableName="edits",
                        PartitionValues=["2023", "01"])["Partition"]
    assert p["Parameters"] == {"n": "changed"} and p["TableName"] == "edits"
    # New values move the partition.
    g.update_partition(DatabaseName="parts", TableName="edits", PartitionValueList=["2023", "01"],
                       PartitionInput={"Values": ["2023", "02"]})
    assert values(g, "edits", "year = 2023") == [("2023", "02"), ("2023", "06")]
    with pytest.raises(ClientError) as e:
        g.update_partition(DatabaseName="parts", TableName="edits",
                           PartitionValueList=["2023", "02"],
                           PartitionInput={"Values": ["2023", "06"]})
    assert err(e) == ("AlreadyExistsException", 400)
    with pytest.raises(ClientError) as e:
        g.update_partition(DatabaseName="parts", TableName="edits",
                           PartitionValueList=["1900", "01"], PartitionInput={"Values": ["1"]})
    assert err(e) == ("EntityNotFoundException", 400)

    g.delete_partition(DatabaseName="parts", TableName="edits", PartitionValues=["2023", "02"])
    with pytest.raises(ClientError) as e:
        g.delete_partition(DatabaseName="parts", TableName="edits", PartitionValues=["2023", "02"])
    assert err(e) == ("EntityNotFoundException", 400)
    out = g.batch_delete_partition(DatabaseName="parts", TableName="edits", PartitionsToDelete=[
        {"Values": ["2022", "12"]}, {"Values": ["1900", "01"]}])
    assert [(e["PartitionValues"], e["ErrorDetail"]["ErrorCode"]) for e in out["Errors"]] == [
        (["1900", "01"], "EntityNotFoundException")]
    assert values(g, "edits", "year < 2023") == [("999", "03")]
    with pytest.raises(ClientError) as e:
        g.batch_delete_partition(DatabaseName="parts", TableName="edits",
                                 PartitionsToDelete=[{"Values": [str(i)]} for i in range(26)])
    assert err(e) == ("InvalidInputException", 400)


def test_the_encrypted_catalog_applies_to_every_partition_read(env):
    server, g, kms, key = env
    table(g, "sealed")
    kms.disable_key(KeyId=key)
    try:
        for call in (lambda: g.get_partitions(DatabaseName="parts", TableName="sealed",
                                              Expression="year = 2023"),
                     lambda: g.batch_get_partition(DatabaseName="parts", TableName="sealed",
                                                   PartitionsToGet=[{"Values": ["2023", "01"]}])):
            with pytest.raises(ClientError) as e:
                call()
            assert err(e) == ("GlueEncryptionException", 400)
    finally:
        kms.enable_key(KeyId=key)
    assert len(values(g, "sealed", "year = 2023")) == 2


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_get_partitions_expression(env, cli, tmp_path):
    server, g, kms, key = env
    if "clitable" not in [t["Name"] for t in g.get_tables(DatabaseName="parts")["TableList"]]:
        table(g, "clitable")
    run = glue_cli(server, cli, tmp_path)

    r = run("get-partitions", "--database-name", "parts", "--table-name", "clitable",
            "--expression", "year = 2024 AND month LIKE '_7'")
    assert r.returncode == 0, r.stderr
    assert [p["Values"] for p in json.loads(r.stdout)["Partitions"]] == [["2024", "07"]]
    r = run("get-partitions", "--database-name", "parts", "--table-name", "clitable",
            "--expression", "nokey = 1")
    assert r.returncode == 254 and "InvalidInputException" in r.stderr, r.stderr
