"""Glue job runs assume IAM roles through the STS path (issue 16, item 6): a role created with
IAM CreateRole (trusting glue.amazonaws.com) and PutRolePolicy runs a job that reads SSE-KMS input
and writes output under the security configuration's key; a role that does not trust Glue fails
the run as AWS does; a key policy naming the role decides. One server for the module."""

import json

import pytest
import requests

from aws_helpers import ROOT_ACCOUNT, client
from glue_helpers import EC2_TRUST, GLUE_TRUST, create_iam_roles, wait_run
from s3_helpers import module_servers  # noqa: F401 (fixture)

ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "logs:*", "sts:GetCallerIdentity"], "Resource": "*"}]})

SCRIPT = """
import sys
import boto3
a = sys.argv[1:]
opts = {a[i][2:]: a[i + 1] for i in range(0, len(a) - 1) if a[i].startswith("--")}
print("caller", boto3.client("sts").get_caller_identity()["Arn"])
s3 = boto3.client("s3")
body = s3.get_object(Bucket="roles-in", Key="data.csv")["Body"].read()
s3.put_object(Bucket="roles-out", Key=opts["out"], Body=body.upper())
print("copied", len(body))
"""


def role_arn(name):
    return f"arn:aws:iam::{ROOT_ACCOUNT}:role/{name}"


def key_policy(*roles):
    # The account statement delegates to identity policies, which give the roles no kms:*.
    stmts = [{"Sid": "account", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
              "Action": "kms:*", "Resource": "*"}]
    for r in roles:
        stmts.append({"Sid": f"use{len(stmts)}", "Effect": "Allow", "Principal": {"AWS": r},
                      "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt"],
                      "Resource": "*"})
    return json.dumps({"Version": "2012-10-17", "Statement": stmts})


@pytest.fixture(scope="module")
def env(module_servers):  # noqa: F811
    server = module_servers.start()
    create_iam_roles(server, [("GlueRunner", GLUE_TRUST), ("GlueOther", GLUE_TRUST),
                                       ("Ec2Only", EC2_TRUST)], ROLE_POLICY)
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy(role_arn("GlueRunner")))["KeyMetadata"]["Arn"]
    s3 = client("s3", server.endpoint)
    for b in ("roles-in", "roles-out", "roles-scripts"):
        s3.create_bucket(Bucket=b)
    s3.put_object(Bucket="roles-in", Key="data.csv", Body=b"id,name\n1,ann\n",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    s3.put_object(Bucket="roles-scripts", Key="copy.py", Body=SCRIPT.encode())
    g = client("glue", server.endpoint)
    g.create_security_configuration(Name="roles-sc", EncryptionConfiguration={
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}]})
    return server, g, key


def job(g, name, role, out):
    g.create_job(Name=name, Role=role, SecurityConfiguration="roles-sc",
                 Command={"Name": "pythonshell", "ScriptLocation": "s3://roles-scripts/copy.py"},
                 DefaultArguments={"--out": out})
    return wait_run(g, name, g.start_job_run(JobName=name)["JobRunId"])


def test_an_iam_role_trusting_glue_runs_the_job_as_its_session(env):
    server, g, key = env
    run = job(g, "iam-role-job", "GlueRunner", "upper.csv")
    log = requests.get(f"{server.endpoint}/_sealstack/glue/runs/{run['Id']}/log",
                       timeout=10).json()
    assert run["JobRunState"] == "SUCCEEDED", (run.get("ErrorMessage"), log)
    session = f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/GlueRunner/{run['Id'][:64]}"
    assert f"caller {session}" in log["log"]
    view = requests.get(f"{server.endpoint}/_sealstack/s3/roles-out/upper.csv", timeout=10).json()
    assert view["mode"] == "SSE-KMS" and view["kms_key_arn"] == key, view


def test_a_role_given_by_arn_is_found_in_iam(env):
    server, g, key = env
    run = job(g, "iam-role-arn-job", role_arn("GlueRunner"), "by-arn.csv")
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")


def test_a_role_that_does_not_trust_glue_fails_the_run(env):
    server, g, key = env
    run = job(g, "ec2-role-job", "Ec2Only", "never.csv")
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == (f"Service is unable to assume role {role_arn('Ec2Only')}. "
                                   "Please verify role's TrustPolicy")


def test_the_key_policy_naming_the_role_decides(env):
    server, g, key = env
    run = job(g, "other-role-job", "GlueOther", "other.csv")
    assert run["JobRunState"] == "FAILED"
    msg = run["ErrorMessage"]
    assert f"assumed-role/GlueOther/{run['Id'][:64]}" in msg, msg
    assert "kms:GenerateDataKey" in msg and key in msg, msg
    # Once the key policy names it too, the same job runs.
    kms = client("kms", server.endpoint)
    kms.put_key_policy(KeyId=key, PolicyName="default",
                       Policy=key_policy(role_arn("GlueRunner"), role_arn("GlueOther")))
    try:
        run = wait_run(g, "other-role-job", g.start_job_run(JobName="other-role-job")["JobRunId"])
        assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    finally:
        kms.put_key_policy(KeyId=key, PolicyName="default",
                           Policy=key_policy(role_arn("GlueRunner")))


def test_an_unknown_role_is_refused_at_create_job(env):
    server, g, key = env
    with pytest.raises(Exception) as e:
        g.create_job(Name="nobody", Role="NoSuchRole",
                     Command={"Name": "pythonshell", "ScriptLocation": "s3://roles-scripts/x.py"})
    r = e.value.response
    assert (r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidInputException", 400)
