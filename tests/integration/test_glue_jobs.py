"""Glue through boto3 and the AWS CLI: jobs, tags, security configurations, job runs (with the
end-to-end encrypted-output run), and the Data Catalog with and without catalog encryption."""

import json
import subprocess
import time

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import REGION, ROOT_ACCOUNT, client, json_target_request

ROLE = "GlueJobRole"
ROLE_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{ROLE}"
ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]})
READER_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "glue:Get*", "Resource": "*"}]})

CONFIG = {"principals": [
    {"arn": ROLE_ARN, "policies": [ROLE_POLICY]},
    {"arn": f"arn:aws:iam::{ROOT_ACCOUNT}:role/CatalogRole", "policies": [ROLE_POLICY]},
    {"access_key_id": "READER", "secret_access_key": "reader-secret",
     "arn": f"arn:aws:iam::{ROOT_ACCOUNT}:user/reader", "policies": [READER_POLICY]},
]}


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(CONFIG)


def glue(server, **kw):
    return client("glue", server.endpoint, **kw)


def err(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]


def wait_run(g, job, run_id, deadline_s=60):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        run = g.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] in ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"):
            return run
        time.sleep(0.05)  # polling a state machine, as SDK waiters do; not a race cover-up
    raise AssertionError(f"run {run_id} did not finish: {run}")


def put_script(server, bucket, key, body):
    s3 = client("s3", server.endpoint)
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError:
        pass
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    return f"s3://{bucket}/{key}"


# ---------------------------------------------------------------- jobs

def test_job_crud_paging_and_errors(server):
    g = glue(server)
    cmd = {"Name": "pythonshell", "ScriptLocation": "s3://b/s.py", "PythonVersion": "3.9"}
    assert g.create_job(Name="j1", Role=ROLE, Command=cmd,
                        DefaultArguments={"--k": "v"}, Tags={"team": "a"})["Name"] == "j1"
    g.create_job(Name="j2", Role=ROLE_ARN, Command=cmd)
    job = g.get_job(JobName="j1")["Job"]
    assert job["Name"] == "j1" and job["Role"] == ROLE
    assert job["Command"]["ScriptLocation"] == "s3://b/s.py"
    assert job["DefaultArguments"] == {"--k": "v"}
    assert job["ExecutionProperty"]["MaxConcurrentRuns"] == 1
    assert "CreatedOn" in job and "LastModifiedOn" in job
    with pytest.raises(ClientError) as e:
        g.create_job(Name="j1", Role=ROLE, Command=cmd)
    assert err(e) == ("AlreadyExistsException", 400)
    with pytest.raises(ClientError) as e:
        g.get_job(JobName="nope")
    assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.create_job(Name="j3", Role="NoSuchRole", Command=cmd)
    assert err(e) == ("InvalidInputException", 400)

    page = g.get_jobs(MaxResults=1)
    assert [j["Name"] for j in page["Jobs"]] == ["j1"] and page["NextToken"]
    page2 = g.get_jobs(MaxResults=1, NextToken=page["NextToken"])
    assert [j["Name"] for j in page2["Jobs"]] == ["j2"]
    assert g.list_jobs()["JobNames"] == ["j1", "j2"]
    assert g.list_jobs(Tags={"team": "a"})["JobNames"] == ["j1"]
    got = g.batch_get_jobs(JobNames=["j1", "zz"])
    assert [j["Name"] for j in got["Jobs"]] == ["j1"] and got["JobsNotFound"] == ["zz"]

    assert g.update_job(JobName="j1", JobUpdate={"Role": ROLE, "Command": cmd,
                                                 "Description": "d"})["JobName"] == "j1"
    job = g.get_job(JobName="j1")["Job"]
    assert job["Description"] == "d" and "DefaultArguments" not in job
    with pytest.raises(ClientError) as e:
        g.update_job(JobName="zz", JobUpdate={"Role": ROLE, "Command": cmd})
    assert err(e) == ("EntityNotFoundException", 400)

    assert g.delete_job(JobName="j2")["JobName"] == "j2"
    assert g.delete_job(JobName="j2")["JobName"] == "j2"  # missing is not an error
    assert g.list_jobs()["JobNames"] == ["j1"]


def test_job_tags(server):
    g = glue(server)
    g.create_job(Name="t", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": "s3://b/k"})
    arn = f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:job/t"
    g.tag_resource(ResourceArn=arn, TagsToAdd={"a": "1", "b": "2"})
    assert g.get_tags(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    g.untag_resource(ResourceArn=arn, TagsToRemove=["a"])
    assert g.get_tags(ResourceArn=arn)["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as e:
        g.get_tags(ResourceArn=f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:job/missing")
    assert err(e) == ("EntityNotFoundException", 400)


def test_identity_policies_decide_management_calls(server):
    g = glue(server)
    g.create_job(Name="p", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": "s3://b/k"})
    reader = glue(server, key="READER", secret="reader-secret")
    assert reader.get_job(JobName="p")["Job"]["Name"] == "p"
    with pytest.raises(ClientError) as e:
        reader.delete_job(JobName="p")
    assert err(e) == ("AccessDeniedException", 400)
    assert "glue:DeleteJob" in e.value.response["Error"]["Message"]


def test_error_body_shape_and_unknown_operation(server):
    r = json_target_request(server.endpoint, "AWSGlue.GetJob", b'{"JobName":"x"}', service="glue")
    assert r.status_code == 400
    body = r.json()
    assert body["__type"] == "EntityNotFoundException" and "Message" in body
    r = json_target_request(server.endpoint, "AWSGlue.NoSuchOp", b"{}", service="glue")
    assert r.status_code == 400 and r.json()["__type"] == "UnknownOperationException"
    r = json_target_request(server.endpoint, "AWSGlue.GetJob", b"[1]", service="glue")
    assert r.status_code == 400 and r.json()["__type"] == "SerializationException"


# ---------------------------------------------------------------- security configurations

def test_security_configurations(server):
    g = glue(server)
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    ec = {"S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}],
          "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key},
          "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key}}
    out = g.create_security_configuration(Name="sc", EncryptionConfiguration=ec)
    assert out["Name"] == "sc" and "CreatedTimestamp" in out
    sc = g.get_security_configuration(Name="sc")["SecurityConfiguration"]
    assert sc["Name"] == "sc" and "CreatedTimeStamp" in sc
    assert sc["EncryptionConfiguration"]["S3Encryption"][0]["KmsKeyArn"] == key
    g.create_security_configuration(Name="sc2", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-S3"}]})
    page = g.get_security_configurations(MaxResults=1)
    assert [s["Name"] for s in page["SecurityConfigurations"]] == ["sc"]
    page = g.get_security_configurations(MaxResults=1, NextToken=page["NextToken"])
    assert [s["Name"] for s in page["SecurityConfigurations"]] == ["sc2"]
    for bad in ({"S3Encryption": [{"S3EncryptionMode": "SSE-KMS"}]},
                {"S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": "not-an-arn"}]},
                {"CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS"}},
                {"S3Encryption": [{"S3EncryptionMode": "SSE-S3", "KmsKeyArn": key}]}):
        with pytest.raises(ClientError) as e:
            g.create_security_configuration(Name="bad", EncryptionConfiguration=bad)
        assert err(e) == ("InvalidInputException", 400), bad
    with pytest.raises(ClientError) as e:
        g.create_security_configuration(Name="sc", EncryptionConfiguration={})
    assert err(e) == ("AlreadyExistsException", 400)
    g.delete_security_configuration(Name="sc2")
    with pytest.raises(ClientError) as e:
        g.delete_security_configuration(Name="sc2")
    assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.get_security_configuration(Name="sc2")
    assert err(e) == ("EntityNotFoundException", 400)


# ---------------------------------------------------------------- job runs

SCRIPT = """
import sys, boto3
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
s3 = boto3.client("s3")
body = s3.get_object(Bucket=args["--bucket"], Key="in.txt")["Body"].read()
s3.put_object(Bucket=args["--bucket"], Key="out.txt", Body=body.upper())
print("job", args["--JOB_NAME"], "run", args["--JOB_RUN_ID"], "copied", len(body))
"""


def key_policy(allow_role):
    stmts = [{"Sid": "root", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
              "Action": ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:Get*", "kms:List*",
                         "kms:Enable*", "kms:Disable*", "kms:Schedule*", "kms:Decrypt"],
              "Resource": "*"}]
    if allow_role:
        stmts.append({"Sid": "role", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
                      "Action": ["kms:GenerateDataKey*", "kms:Decrypt", "kms:Encrypt"],
                      "Resource": "*"})
    return json.dumps({"Version": "2012-10-17", "Statement": stmts})


def test_end_to_end_encrypted_output(server):
    g = glue(server)
    kms = client("kms", server.endpoint)
    s3 = client("s3", server.endpoint)
    key = kms.create_key(Policy=key_policy(True))["KeyMetadata"]["Arn"]
    loc = put_script(server, "glue-e2e", "script.py", SCRIPT)
    s3.put_object(Bucket="glue-e2e", Key="in.txt", Body=b"hello glue")
    g.create_security_configuration(Name="kms-out", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}]})
    g.create_job(Name="e2e", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc},
                 SecurityConfiguration="kms-out", DefaultArguments={"--bucket": "glue-e2e"})
    run_id = g.start_job_run(JobName="e2e")["JobRunId"]
    assert run_id.startswith("jr_") and len(run_id) == 67
    run = wait_run(g, "e2e", run_id)
    log = requests.get(f"{server.endpoint}/_sealstack/glue/runs/{run_id}/log", timeout=10).json()
    assert run["JobRunState"] == "SUCCEEDED", (run.get("ErrorMessage"), log)
    assert "copied 10" in log["log"] and log["encrypted"] is False
    assert run["SecurityConfiguration"] == "kms-out" and run["Attempt"] == 0
    assert "CompletedOn" in run and run["ExecutionTime"] >= 0
    assert s3.get_object(Bucket="glue-e2e", Key="out.txt")["Body"].read() == b"HELLO GLUE"
    head = s3.head_object(Bucket="glue-e2e", Key="out.txt")
    view = requests.get(f"{server.endpoint}/_sealstack/s3/glue-e2e/out.txt", timeout=10).json()
    # Needs api/s3 to honour Principal::session_object_encryption (integrator's change in main).
    assert head.get("ServerSideEncryption") == "aws:kms", (head, view)
    assert head.get("SSEKMSKeyId") == key

    # The same job with a key policy that leaves the role out: FAILED, naming the action.
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=key_policy(False))
    run_id = g.start_job_run(JobName="e2e")["JobRunId"]
    run = wait_run(g, "e2e", run_id)
    assert run["JobRunState"] == "FAILED"
    assert "kms:GenerateDataKey" in run["ErrorMessage"]
    assert ROLE in run["ErrorMessage"] and key in run["ErrorMessage"]
    runs = g.get_job_runs(JobName="e2e")["JobRuns"]
    assert [r["Id"] for r in runs][0] == run_id and len(runs) == 2


def test_run_validation_failures(server):
    g = glue(server)
    g.create_job(Name="noscript", Role=ROLE,
                 Command={"Name": "pythonshell", "ScriptLocation": "s3://missing-bucket/x.py"})
    run = wait_run(g, "noscript", g.start_job_run(JobName="noscript")["JobRunId"])
    assert run["JobRunState"] == "FAILED" and "NoSuchBucket" in run["ErrorMessage"]
    with pytest.raises(ClientError) as e:
        g.start_job_run(JobName="missing")
    assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.get_job_run(JobName="noscript", RunId="jr_0")
    assert err(e) == ("EntityNotFoundException", 400)


def test_failing_script_concurrency_stop_and_timeout(server):
    g = glue(server)
    loc = put_script(server, "glue-runs", "fail.py", "raise SystemExit('boom: bad input')\n")
    g.create_job(Name="fail", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc})
    run = wait_run(g, "fail", g.start_job_run(JobName="fail")["JobRunId"])
    assert run["JobRunState"] == "FAILED" and "boom: bad input" in run["ErrorMessage"]

    sleeper = put_script(server, "glue-runs", "sleep.py",
                         "import time\nprint('sleeping', flush=True)\ntime.sleep(120)\n")
    g.create_job(Name="slow", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": sleeper},
                 Timeout=1)
    first = g.start_job_run(JobName="slow")["JobRunId"]
    with pytest.raises(ClientError) as e:
        g.start_job_run(JobName="slow")
    assert err(e) == ("ConcurrentRunsExceededException", 400)
    out = g.batch_stop_job_run(JobName="slow", JobRunIds=[first, "jr_unknown"])
    assert out["SuccessfulSubmissions"] == [{"JobName": "slow", "JobRunId": first}]
    assert out["Errors"][0]["JobRunId"] == "jr_unknown"
    assert out["Errors"][0]["ErrorDetail"]["ErrorCode"] == "EntityNotFoundException"
    assert wait_run(g, "slow", first)["JobRunState"] == "STOPPED"

    # Timeout follows the server clock: advancing it past 1 minute ends the run as TIMEOUT.
    second = g.start_job_run(JobName="slow")["JobRunId"]
    requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 120}, timeout=10)
    run = wait_run(g, "slow", second)
    assert run["JobRunState"] == "TIMEOUT" and run["ExecutionTime"] >= 60


def test_script_inherits_no_server_descriptors(server):
    """The script gets stdin, stdout and stderr only: not the server's listening socket or its
    client connections (which would stay open, and hold the port, as long as the script)."""
    g = glue(server)
    loc = put_script(server, "glue-fds", "fds.py",
                     "import os\nprint('fds', sorted(int(f) for f in os.listdir('/proc/self/fd')))\n")
    g.create_job(Name="fds", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc})
    run_id = g.start_job_run(JobName="fds")["JobRunId"]
    assert wait_run(g, "fds", run_id)["JobRunState"] == "SUCCEEDED"
    log = requests.get(f"{server.endpoint}/_sealstack/glue/runs/{run_id}/log", timeout=10).json()
    # 0-2, and the descriptor listdir itself holds open while it reads the directory
    assert "fds [0, 1, 2, 3]" in log["log"], log["log"]


def test_encrypted_run_log_needs_decrypt(server):
    g = glue(server)
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy(True))["KeyMetadata"]["Arn"]
    loc = put_script(server, "glue-logs", "p.py", "print('secret log line')\n")
    g.create_security_configuration(Name="cw", EncryptionConfiguration={
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key}})
    g.create_job(Name="logged", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc},
                 SecurityConfiguration="cw")
    run_id = g.start_job_run(JobName="logged")["JobRunId"]
    assert wait_run(g, "logged", run_id)["JobRunState"] == "SUCCEEDED"
    url = f"{server.endpoint}/_sealstack/glue/runs/{run_id}/log"
    r = requests.get(url, timeout=10)
    assert r.status_code == 403
    from aws_helpers import signed_request
    r = signed_request(server.endpoint, "GET", f"/_sealstack/glue/runs/{run_id}/log",
                       service="logs")
    assert r.status_code == 200, r.text
    assert r.json()["encrypted"] is True and "secret log line" in r.json()["log"]


# ---------------------------------------------------------------- catalog

def catalog_roundtrip(g):
    g.create_database(DatabaseInput={"Name": "Sales", "Description": "d"})
    assert g.get_database(Name="sales")["Database"]["Name"] == "sales"
    with pytest.raises(ClientError) as e:
        g.create_database(DatabaseInput={"Name": "sales"})
    assert err(e) == ("AlreadyExistsException", 400)
    g.update_database(Name="sales", DatabaseInput={"Name": "sales", "Description": "e"})
    assert g.get_database(Name="sales")["Database"]["Description"] == "e"
    assert [d["Name"] for d in g.get_databases()["DatabaseList"]] == ["sales"]
    sd = {"Columns": [{"Name": "id", "Type": "int"}], "Location": "s3://b/t/"}
    g.create_table(DatabaseName="sales", TableInput={
        "Name": "orders", "StorageDescriptor": sd,
        "PartitionKeys": [{"Name": "day", "Type": "string"}]})
    t = g.get_table(DatabaseName="sales", Name="orders")["Table"]
    assert t["StorageDescriptor"]["Columns"][0]["Name"] == "id" and t["DatabaseName"] == "sales"
    g.update_table(DatabaseName="sales", TableInput={"Name": "orders", "StorageDescriptor": sd,
                                                     "Description": "v2"})
    assert g.get_table(DatabaseName="sales", Name="orders")["Table"]["Description"] == "v2"
    assert [x["Name"] for x in g.get_tables(DatabaseName="sales")["TableList"]] == ["orders"]
    with pytest.raises(ClientError) as e:
        g.create_table(DatabaseName="nodb", TableInput={"Name": "x"})
    assert err(e) == ("EntityNotFoundException", 400)
    g.create_partition(DatabaseName="sales", TableName="orders",
                       PartitionInput={"Values": ["2024-01-01"], "StorageDescriptor": sd})
    out = g.batch_create_partition(DatabaseName="sales", TableName="orders", PartitionInputList=[
        {"Values": ["2024-01-02"]}, {"Values": ["2024-01-01"]}])
    assert len(out["Errors"]) == 1
    assert out["Errors"][0]["ErrorDetail"]["ErrorCode"] == "AlreadyExistsException"
    p = g.get_partition(DatabaseName="sales", TableName="orders", PartitionValues=["2024-01-02"])
    assert p["Partition"]["Values"] == ["2024-01-02"]
    assert len(g.get_partitions(DatabaseName="sales", TableName="orders")["Partitions"]) == 2
    g.delete_table(DatabaseName="sales", Name="orders")
    with pytest.raises(ClientError) as e:
        g.get_table(DatabaseName="sales", Name="orders")
    assert err(e) == ("EntityNotFoundException", 400)
    g.delete_database(Name="sales")
    with pytest.raises(ClientError) as e:
        g.get_database(Name="sales")
    assert err(e) == ("EntityNotFoundException", 400)


def test_catalog_plain(server):
    g = glue(server)
    s = g.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    assert s["EncryptionAtRest"]["CatalogEncryptionMode"] == "DISABLED"
    catalog_roundtrip(g)


def test_catalog_encrypted_with_kms(server):
    g = glue(server)
    kms = client("kms", server.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True,
                                         "AwsKmsKeyId": key}})
    s = g.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    assert s["EncryptionAtRest"] == {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key}
    catalog_roundtrip(g)
    g.create_database(DatabaseInput={"Name": "keep"})
    g.create_connection(ConnectionInput={"Name": "jdbc", "ConnectionType": "JDBC",
                                         "ConnectionProperties": {
                                             "JDBC_CONNECTION_URL": "jdbc:x://h/db",
                                             "USERNAME": "u", "PASSWORD": "hunter2"}})
    props = g.get_connection(Name="jdbc")["Connection"]["ConnectionProperties"]
    assert "PASSWORD" not in props and props["ENCRYPTED_PASSWORD"]
    import base64
    plain = kms.decrypt(CiphertextBlob=base64.b64decode(props["ENCRYPTED_PASSWORD"]))
    assert plain["Plaintext"] == b"hunter2" and plain["KeyId"] == key
    # HidePassword=false by a caller allowed kms:Decrypt on the key (the account root, through
    # the default key policy) still gets the ciphertext: with ReturnConnectionPasswordEncrypted
    # Glue returns ENCRYPTED_PASSWORD and never decrypts it for the caller (botocore's model:
    # "passwords remain encrypted in the responses of GetConnection and GetConnections").
    shown = g.get_connection(Name="jdbc", HidePassword=False)["Connection"]
    assert "PASSWORD" not in shown["ConnectionProperties"]
    assert shown["ConnectionProperties"]["ENCRYPTED_PASSWORD"] == props["ENCRYPTED_PASSWORD"]
    listed = g.get_connections(HidePassword=False)["ConnectionList"][0]["ConnectionProperties"]
    assert "PASSWORD" not in listed and listed["ENCRYPTED_PASSWORD"]
    hidden = g.get_connection(Name="jdbc", HidePassword=True)["Connection"]["ConnectionProperties"]
    assert "ENCRYPTED_PASSWORD" not in hidden
    assert [c["Name"] for c in g.get_connections()["ConnectionList"]] == ["jdbc"]
    # A disabled key makes the encrypted catalog unreadable.
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as e:
        g.get_database(Name="keep")
    assert err(e) == ("GlueEncryptionException", 400)
    kms.enable_key(KeyId=key)
    assert g.get_database(Name="keep")["Database"]["Name"] == "keep"
    g.delete_connection(ConnectionName="jdbc")
    with pytest.raises(ClientError) as e:
        g.delete_connection(ConnectionName="jdbc")
    assert err(e) == ("EntityNotFoundException", 400)


def test_catalog_settings_validation(server):
    g = glue(server)
    for bad in ({"EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE",
                                      "SseAwsKmsKeyId": "k"}},
                {"ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True}}):
        with pytest.raises(ClientError) as e:
            g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings=bad)
        assert err(e) == ("InvalidInputException", 400)


# ---------------------------------------------------------------- AWS CLI

@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli(server, cli):
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": REGION, "PATH": "/usr/bin:/bin:" + __import__("os").environ["PATH"],
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

    def run(*args):
        return subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json",
                               "glue", *args], capture_output=True, text=True, env=env, timeout=60)

    r = run("create-job", "--name", "cli", "--role", ROLE, "--command",
            "Name=pythonshell,ScriptLocation=s3://b/k.py")
    assert r.returncode == 0, r.stderr
    assert json.loads(run("get-job", "--job-name", "cli").stdout)["Job"]["Name"] == "cli"
    r = run("get-job", "--job-name", "nope")
    assert r.returncode != 0 and "EntityNotFoundException" in r.stderr
    r = run("create-security-configuration", "--name", "s", "--encryption-configuration",
            json.dumps({"S3Encryption": [{"S3EncryptionMode": "SSE-S3"}]}))
    assert r.returncode == 0, r.stderr
    r = run("get-security-configurations")
    assert json.loads(r.stdout)["SecurityConfigurations"][0]["Name"] == "s"
    r = run("create-database", "--database-input", "Name=clidb")
    assert r.returncode == 0, r.stderr
    assert json.loads(run("get-databases").stdout)["DatabaseList"][0]["Name"] == "clidb"
    r = run("start-job-run", "--job-name", "cli")
    assert r.returncode == 0 and json.loads(r.stdout)["JobRunId"].startswith("jr_")


CLI_OPS_COVERED = ("get-jobs", "batch-get-jobs", "update-job", "get-job-runs",
                   "batch-stop-job-run", "get-security-configurations",
                   "delete-security-configuration", "create-database", "get-database",
                   "create-table", "get-table", "get-partitions", "create-connection",
                   "get-connection")


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_operations_shapes_and_errors(server, cli):
    """More operations through both AWS CLI generations: success shapes, and for each at least
    one error with its code and HTTP status (read from the CLI's --debug log of the answer)."""
    import os
    import re
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": REGION, "PATH": "/usr/bin:/bin:" + os.environ["PATH"],
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
           "AWS_MAX_ATTEMPTS": "1"}

    def cli_run(*args, debug=False, key="test", secret="test"):
        return subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json"]
                              + (["--debug"] if debug else []) + ["glue", *args],
                              capture_output=True, text=True, timeout=60,
                              env={**env, "AWS_ACCESS_KEY_ID": key,
                                   "AWS_SECRET_ACCESS_KEY": secret})

    def ok(*args):
        r = cli_run(*args)
        assert r.returncode == 0, (args, r.stderr[-2000:])
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def fails(*args, **creds):
        r = cli_run(*args, debug=True, **creds)
        assert r.returncode != 0, args
        status = re.findall(r'"POST / HTTP/1\.1" (\d{3})', r.stderr)
        code = re.findall(r"An error occurred \((\w+)\) when calling", r.stderr)
        assert status and code, (args, r.stderr[-2000:])
        return code[-1], int(status[-1])

    cmd = "Name=pythonshell,ScriptLocation=s3://b/k.py"
    ok("create-job", "--name", "c1", "--role", ROLE, "--command", cmd)
    ok("create-job", "--name", "c2", "--role", ROLE, "--command", cmd)
    # get-jobs
    jobs = ok("get-jobs")["Jobs"]
    assert [j["Name"] for j in jobs] == ["c1", "c2"] and jobs[0]["Role"] == ROLE
    assert fails("get-jobs", "--next-token", "garbage") == ("InvalidInputException", 400)
    # batch-get-jobs
    got = ok("batch-get-jobs", "--job-names", "c1", "missing")
    assert [j["Name"] for j in got["Jobs"]] == ["c1"] and got["JobsNotFound"] == ["missing"]
    # READER may call glue:Get* only
    assert fails("batch-get-jobs", "--job-names", "c1", key="READER",
                 secret="reader-secret") == ("AccessDeniedException", 400)
    # update-job
    update = json.dumps({"Role": ROLE, "Command": {"Name": "pythonshell",
                                                   "ScriptLocation": "s3://b/k2.py"},
                         "Description": "updated"})
    assert ok("update-job", "--job-name", "c1", "--job-update", update) == {"JobName": "c1"}
    job = ok("get-job", "--job-name", "c1")["Job"]
    assert job["Description"] == "updated"
    assert job["Command"]["ScriptLocation"] == "s3://b/k2.py"
    assert fails("update-job", "--job-name", "nope", "--job-update", update) == (
        "EntityNotFoundException", 400)
    # get-job-runs (a run that fails validation: its script object does not exist)
    run_id = ok("start-job-run", "--job-name", "c2")["JobRunId"]
    runs = ok("get-job-runs", "--job-name", "c2")["JobRuns"]
    assert [r["Id"] for r in runs] == [run_id] and runs[0]["JobName"] == "c2"
    assert runs[0]["JobRunState"] in ("STARTING", "RUNNING", "FAILED")
    assert fails("get-job-runs", "--job-name", "nope") == ("EntityNotFoundException", 400)
    # batch-stop-job-run: per-run errors in a 200 answer; a request error for >25 ids
    out = ok("batch-stop-job-run", "--job-name", "c2", "--job-run-ids", "jr_unknown")
    assert out["SuccessfulSubmissions"] == []
    assert out["Errors"][0]["JobRunId"] == "jr_unknown"
    assert out["Errors"][0]["ErrorDetail"]["ErrorCode"] == "EntityNotFoundException"
    assert fails("batch-stop-job-run", "--job-name", "c2", "--job-run-ids",
                 *[f"jr_{i}" for i in range(26)]) == ("InvalidInputException", 400)
    # get-security-configurations / delete-security-configuration
    ok("create-security-configuration", "--name", "s1", "--encryption-configuration",
       json.dumps({"S3Encryption": [{"S3EncryptionMode": "SSE-S3"}]}))
    confs = ok("get-security-configurations")["SecurityConfigurations"]
    assert [s["Name"] for s in confs] == ["s1"]
    assert confs[0]["EncryptionConfiguration"]["S3Encryption"][0]["S3EncryptionMode"] == "SSE-S3"
    assert "CreatedTimeStamp" in confs[0]
    assert fails("get-security-configurations", "--next-token", "garbage") == (
        "InvalidInputException", 400)
    ok("delete-security-configuration", "--name", "s1")
    assert ok("get-security-configurations")["SecurityConfigurations"] == []
    assert fails("delete-security-configuration", "--name", "s1") == (
        "EntityNotFoundException", 400)
    # create-database / get-database
    ok("create-database", "--database-input", json.dumps({"Name": "clidb",
                                                          "Description": "d"}))
    db = ok("get-database", "--name", "clidb")["Database"]
    assert db["Name"] == "clidb" and db["Description"] == "d" and "CreateTime" in db
    assert fails("create-database", "--database-input", "Name=clidb") == (
        "AlreadyExistsException", 400)
    assert fails("get-database", "--name", "nodb") == ("EntityNotFoundException", 400)
    # create-table / get-table / get-partitions
    table = {"Name": "t", "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}],
                                                "Location": "s3://b/t/"},
             "PartitionKeys": [{"Name": "day", "Type": "string"}]}
    ok("create-table", "--database-name", "clidb", "--table-input", json.dumps(table))
    t = ok("get-table", "--database-name", "clidb", "--name", "t")["Table"]
    assert t["Name"] == "t" and t["DatabaseName"] == "clidb"
    assert t["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "int"}]
    assert t["PartitionKeys"] == [{"Name": "day", "Type": "string"}]
    assert fails("create-table", "--database-name", "clidb", "--table-input",
                 json.dumps(table)) == ("AlreadyExistsException", 400)
    assert fails("create-table", "--database-name", "nodb", "--table-input",
                 json.dumps(table)) == ("EntityNotFoundException", 400)
    assert fails("get-table", "--database-name", "clidb", "--name", "nope") == (
        "EntityNotFoundException", 400)
    ok("create-partition", "--database-name", "clidb", "--table-name", "t",
       "--partition-input", json.dumps({"Values": ["2024-01-01"]}))
    parts = ok("get-partitions", "--database-name", "clidb", "--table-name", "t")["Partitions"]
    assert [p["Values"] for p in parts] == [["2024-01-01"]]
    assert parts[0]["DatabaseName"] == "clidb" and parts[0]["TableName"] == "t"
    assert fails("get-partitions", "--database-name", "clidb", "--table-name", "nope") == (
        "EntityNotFoundException", 400)
    # create-connection / get-connection
    conn = {"Name": "jdbc", "ConnectionType": "JDBC", "ConnectionProperties": {
        "JDBC_CONNECTION_URL": "jdbc:postgresql://h:5432/db", "USERNAME": "u",
        "PASSWORD": "hunter2"}}
    ok("create-connection", "--connection-input", json.dumps(conn))
    c = ok("get-connection", "--name", "jdbc")["Connection"]
    assert c["Name"] == "jdbc" and c["ConnectionType"] == "JDBC"
    assert c["ConnectionProperties"]["USERNAME"] == "u"
    assert c["ConnectionProperties"]["PASSWORD"] == "hunter2"  # no password encryption set
    hidden = ok("get-connection", "--name", "jdbc", "--hide-password")["Connection"]
    assert "PASSWORD" not in hidden["ConnectionProperties"]
    assert fails("create-connection", "--connection-input", json.dumps(conn)) == (
        "AlreadyExistsException", 400)
    assert fails("get-connection", "--name", "nope") == ("EntityNotFoundException", 400)
    # the run started above ends (FAILED: no script object) before the server stops
    assert wait_run(glue(server), "c2", run_id)["JobRunState"] == "FAILED"


def test_runs_left_running_by_a_killed_server_end_failed(start_sealstack, tmp_path):
    """A server killed (SIGKILL) while a run is RUNNING: after a restart on the same --data-dir
    the run is FAILED with CompletedOn, and MaxConcurrentRuns=1 lets a new run start."""
    data_dir = tmp_path / "data"
    first = start_sealstack(CONFIG, ["--data-dir", str(data_dir)])
    g = glue(first)
    # Runs until its parent (the server) is gone, so the killed server leaves nothing behind.
    script = ("import os, time\nparent = os.getppid()\nprint('started', flush=True)\n"
              "while os.getppid() == parent:\n    time.sleep(0.05)\n")
    loc = put_script(first, "glue-crash", "wait.py", script)
    g.create_job(Name="crash", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": loc},
                 ExecutionProperty={"MaxConcurrentRuns": 1})
    run_id = g.start_job_run(JobName="crash")["JobRunId"]
    end = time.monotonic() + 60
    while g.get_job_run(JobName="crash", RunId=run_id)["JobRun"]["JobRunState"] != "RUNNING":
        assert time.monotonic() < end, "the run never reached RUNNING"
        time.sleep(0.05)  # polling a state machine
    with pytest.raises(ClientError) as e:
        g.start_job_run(JobName="crash")
    assert err(e) == ("ConcurrentRunsExceededException", 400)
    first.proc.kill()
    first.proc.wait(timeout=10)
    first.stopped = True  # killed on purpose; the fixture must not expect exit code 0

    second = start_sealstack(CONFIG, ["--data-dir", str(data_dir)])
    g = glue(second)
    run = g.get_job_run(JobName="crash", RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "FAILED"
    assert "RUNNING" in run["ErrorMessage"] and "restarted" in run["ErrorMessage"]
    assert run["CompletedOn"] >= run["StartedOn"]
    assert g.get_job_runs(JobName="crash")["JobRuns"][0]["JobRunState"] == "FAILED"
    # The stored state decides MaxConcurrentRuns: the dead run does not hold the one slot.
    again = g.start_job_run(JobName="crash")["JobRunId"]
    out = g.batch_stop_job_run(JobName="crash", JobRunIds=[again])
    assert out["SuccessfulSubmissions"] == [{"JobName": "crash", "JobRunId": again}]
    assert wait_run(g, "crash", again)["JobRunState"] == "STOPPED"
