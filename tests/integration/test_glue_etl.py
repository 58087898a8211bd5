"""glueetl jobs through SealStack's awsglue compatibility layer (plain Python, not Spark): CSV in
an SSE-KMS bucket, transformed by DynamicFrame, written back under the security configuration's
key (checked in the admin view), through the encrypted Data Catalog as the run's role."""

import json

import pytest
import requests

from aws_helpers import client
from glue_helpers import (CONFIG, DENIED_ROLE, ROLE, ROLE_ARN, key_policy, put_object,
                          wait_run)

CSV = "id,name,amount,region\n1,ann,10,eu\n2,bob,25,us\n3,cy,40,eu\n4,dee,5,us\n"

ETL = """
import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source", "target"])
sc = SparkContext()
glueContext = GlueContext(sc)
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

src = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": [args["source"]]},
    format="csv", format_options={"withHeader": True}, transformation_ctx="src")
print("read", src.count())
big = src.filter(lambda r: r["amount"] >= 10)
big = big.map(lambda r: dict(r, amount_cents=r["amount"] * 100))
big = big.rename_field("name", "customer").drop_fields(["amount"])
big = SelectFields.apply(frame=big, paths=["id", "customer", "amount_cents", "region"])
for r in big:
    print("row", r["id"], r["customer"])
glueContext.write_dynamic_frame.from_options(
    frame=big, connection_type="s3",
    connection_options={"path": args["target"], "partitionKeys": ["region"]}, format="json")
glueContext.write_dynamic_frame.from_options(
    frame=big, connection_type="s3", connection_options={"path": args["target"] + "csv/"},
    format="csv")
job.commit()
print("wrote", big.count())
"""


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(CONFIG)


def setup_keys(server):
    kms = client("kms", server.endpoint)
    s3 = client("s3", server.endpoint)
    in_key = kms.create_key(Policy=key_policy(ROLE_ARN))["KeyMetadata"]["Arn"]
    out_key = kms.create_key(Policy=key_policy(ROLE_ARN))["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="etl-in")
    s3.put_bucket_encryption(Bucket="etl-in", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                "KMSMasterKeyID": in_key}}]})
    s3.put_object(Bucket="etl-in", Key="orders/part1.csv", Body=CSV.encode())
    s3.create_bucket(Bucket="etl-out")
    return kms, s3, in_key, out_key


def admin_view(server, bucket, key):
    r = requests.get(f"{server.endpoint}/_sealstack/s3/{bucket}/{key}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_glueetl_csv_to_partitioned_json_under_the_security_configuration_key(server):
    kms, s3, in_key, out_key = setup_keys(server)
    g = client("glue", server.endpoint)
    g.create_security_configuration(Name="etl-sc", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": out_key}]})
    loc = put_object(server, "etl-scripts", "etl.py", ETL)
    g.create_job(Name="etl", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": loc},
                 GlueVersion="4.0", SecurityConfiguration="etl-sc",
                 DefaultArguments={"--source": "s3://etl-in/orders/",
                                   "--target": "s3://etl-out/big/"})
    run_id = g.start_job_run(JobName="etl")["JobRunId"]
    run = wait_run(g, "etl", run_id)
    log = requests.get(f"{server.endpoint}/_sealstack/glue/runs/{run_id}/log", timeout=10).json()
    assert run["JobRunState"] == "SUCCEEDED", (run.get("ErrorMessage"), log)
    assert "read 4" in log["log"] and "wrote 3" in log["log"] and "row 2 bob" in log["log"]

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="etl-out")["Contents"])
    json_keys = [k for k in keys if not k.startswith("big/csv/")]
    assert [k.split("/")[1] for k in json_keys] == ["region=eu", "region=us"], keys
    rows = []
    for k in json_keys:
        body = s3.get_object(Bucket="etl-out", Key=k)["Body"].read().decode()
        rows += [json.loads(line) for line in body.splitlines()]
        view = admin_view(server, "etl-out", k)
        assert view["mode"] == "SSE-KMS" and view["kms_key_arn"] == out_key, view
    assert sorted((r["id"], r["customer"], r["amount_cents"]) for r in rows) == [
        (1, "ann", 1000), (2, "bob", 2500), (3, "cy", 4000)]
    assert all("region" not in r and "amount" not in r for r in rows)
    csv_key = [k for k in keys if k.startswith("big/csv/")][0]
    body = s3.get_object(Bucket="etl-out", Key=csv_key)["Body"].read().decode()
    assert body.splitlines()[0] == "id,customer,amount_cents,region"
    assert admin_view(server, "etl-out", csv_key)["kms_key_arn"] == out_key
    # the input stayed under its bucket's key
    assert admin_view(server, "etl-in", "orders/part1.csv")["kms_key_arn"] == in_key


def test_glueetl_reads_and_writes_through_the_encrypted_catalog(server):
    kms, s3, in_key, out_key = setup_keys(server)
    g = client("glue", server.endpoint)
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": in_key}})
    g.create_database(DatabaseInput={"Name": "sales"})
    csv_serde = {"SerializationLibrary":
                 "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                 "Parameters": {"field.delim": ","}}
    g.create_table(DatabaseName="sales", TableInput={
        "Name": "orders", "Parameters": {"classification": "csv",
                                         "skip.header.line.count": "1"},
        "StorageDescriptor": {"Location": "s3://etl-in/orders/", "SerdeInfo": csv_serde,
                              "Columns": [{"Name": "id", "Type": "int"},
                                          {"Name": "name", "Type": "string"},
                                          {"Name": "amount", "Type": "double"},
                                          {"Name": "region", "Type": "string"}]}})
    g.create_table(DatabaseName="sales", TableInput={
        "Name": "totals", "Parameters": {"classification": "json"},
        "PartitionKeys": [{"Name": "region", "Type": "string"}],
        "StorageDescriptor": {"Location": "s3://etl-out/totals/",
                              "Columns": [{"Name": "region", "Type": "string"},
                                          {"Name": "total", "Type": "double"}]}})
    script = """
import sys
from awsglue.utils import getResolvedOptions
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
args = getResolvedOptions(sys.argv, ["JOB_NAME"])
gc = GlueContext()
job = Job(gc)
job.init(args["JOB_NAME"], args)
orders = gc.create_dynamic_frame.from_catalog(database="sales", table_name="orders")
totals = {}
for r in orders:
    assert isinstance(r["amount"], float) and isinstance(r["id"], int), r
    totals[r["region"]] = totals.get(r["region"], 0.0) + r["amount"]
out = DynamicFrame([{"region": k, "total": v} for k, v in totals.items()], gc)
gc.write_dynamic_frame.from_catalog(frame=out, database="sales", table_name="totals")
job.commit()
"""
    loc = put_object(server, "etl-scripts", "catalog.py", script)
    g.create_job(Name="cat", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": loc})
    run = wait_run(g, "cat", g.start_job_run(JobName="cat")["JobRunId"])
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    got = {}
    for o in s3.list_objects_v2(Bucket="etl-out", Prefix="totals/")["Contents"]:
        region = o["Key"].split("/")[1].split("=")[1]
        got[region] = json.loads(s3.get_object(Bucket="etl-out", Key=o["Key"])["Body"].read())
    assert got == {"eu": {"total": 50.0}, "us": {"total": 30.0}}

    # A role that may not use the catalog key fails at the catalog read.
    g.create_job(Name="cat-denied", Role=DENIED_ROLE,
                 Command={"Name": "glueetl", "ScriptLocation": loc})
    run = wait_run(g, "cat-denied", g.start_job_run(JobName="cat-denied")["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    assert "GlueEncryptionException" in run["ErrorMessage"], run["ErrorMessage"]


def test_glueetl_script_without_spark_features_fails_clearly(server):
    g = client("glue", server.endpoint)
    loc = put_object(server, "etl-scripts", "spark.py",
                     "from awsglue.context import GlueContext\nGlueContext().spark_session\n")
    g.create_job(Name="spark", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": loc})
    run = wait_run(g, "spark", g.start_job_run(JobName="spark")["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    assert "without Spark" in run["ErrorMessage"], run["ErrorMessage"]
    # pythonshell jobs do not get awsglue
    g.create_job(Name="shell", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc})
    run = wait_run(g, "shell", g.start_job_run(JobName="shell")["JobRunId"])
    assert run["JobRunState"] == "FAILED" and "awsglue" in run["ErrorMessage"]


def test_readme_seed_example(start_sealstack, tmp_path):
    """README's glueetl example on docker/seed.json (plus a keyless job role): the output is
    SSE-KMS under the seeded key, and the run's log is in the seeded configuration's group."""
    import pathlib
    import re
    seed = pathlib.Path(__file__).resolve().parents[2] / "docker" / "seed.json"
    seed_doc = json.loads(seed.read_text())
    key_arn = seed_doc["keys"][0]["policy"] and (
        "arn:aws:kms:us-east-1:000000000000:key/" + seed_doc["keys"][0]["id"])
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    script = re.search(r"cat > etl.py <<'PY'\n(.*?)\nPY\n", readme, re.S).group(1)
    job_role = {"arn": "arn:aws:iam::000000000000:role/example-app-job", "policies": [
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "kms:*", "logs:*"], "Resource": "*"}]})]}
    server = start_sealstack({"principals": [job_role]}, extra_args=["--seed", str(seed)])
    s3 = client("s3", server.endpoint, region_name="us-east-1")
    s3.put_object(Bucket="example-app-data", Key="etl.py", Body=script.encode())
    s3.put_object(Bucket="example-app-data", Key="in/a.csv", Body=b"id,amount\n1,5\n2,50\n")
    g = client("glue", server.endpoint, region_name="us-east-1")
    g.create_job(Name="etl", Role="example-app-job", SecurityConfiguration="example-app-kms",
                 Command={"Name": "glueetl", "ScriptLocation": "s3://example-app-data/etl.py"})
    run_id = g.start_job_run(JobName="etl")["JobRunId"]
    run = wait_run(g, "etl", run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    out = s3.list_objects_v2(Bucket="example-app-data", Prefix="out/")["Contents"]
    assert len(out) == 1
    assert json.loads(s3.get_object(Bucket="example-app-data", Key=out[0]["Key"])["Body"]
                      .read()) == {"id": 2, "amount": 50}
    view = admin_view(server, "example-app-data", out[0]["Key"])
    assert view["mode"] == "SSE-KMS" and view["kms_key_arn"] == key_arn, view
    logs = client("logs", server.endpoint, region_name="us-east-1")
    groups = [x["logGroupName"] for x in logs.describe_log_groups(
        logGroupNamePrefix="/aws-glue/jobs/example-app-kms-role/")["logGroups"]]
    assert groups == ["/aws-glue/jobs/example-app-kms-role/example-app-job/error",
                      "/aws-glue/jobs/example-app-kms-role/example-app-job/output"]
