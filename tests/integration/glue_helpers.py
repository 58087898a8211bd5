"""Shared pieces of the Glue ETL / Logs tests: the job role, key policies, waiting for a run."""

import json
import os
import subprocess
import time

from botocore.exceptions import ClientError

from aws_helpers import REGION, ROOT_ACCOUNT, client

ROLE = "GlueEtlRole"
ROLE_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{ROLE}"
ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "kms:*", "glue:*", "logs:*"], "Resource": "*"}]})
# May do anything but use KMS keys (no identity-policy Allow for kms:*, so the keys' account
# delegation does not let it in).
DENIED_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "glue:*", "logs:*"], "Resource": "*"}]})
DENIED_ROLE = "GlueDeniedRole"
DENIED_ROLE_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{DENIED_ROLE}"
READER_KEY, READER_SECRET = "LOGREADER", "log-reader-secret"
READER_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:user/log-reader"

CONFIG = {"principals": [
    {"arn": ROLE_ARN, "policies": [ROLE_POLICY]},
    {"arn": DENIED_ROLE_ARN, "policies": [DENIED_POLICY]},
    {"access_key_id": READER_KEY, "secret_access_key": READER_SECRET, "arn": READER_ARN,
     "policies": [ROLE_POLICY]},
]}

# Trust policies of IAM-created job and crawler roles: Glue's service principal, and one that
# does not let Glue in.
GLUE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
EC2_TRUST = GLUE_TRUST.replace("glue.amazonaws.com", "ec2.amazonaws.com")


def create_iam_roles(server, roles, policy):
    """IAM CreateRole + PutRolePolicy for each (name, trust policy) of `roles`."""
    iam = client("iam", server.endpoint)
    for name, trust in roles:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=policy)


TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")


def err(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]


def wait_run(g, job, run_id, deadline_s=60):
    end = time.monotonic() + deadline_s
    run = None
    while time.monotonic() < end:
        run = g.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] in TERMINAL:
            return run
        time.sleep(0.05)  # polling a state machine, as SDK waiters do; not a race cover-up
    raise AssertionError(f"run {run_id} did not finish: {run}")


def put_object(server, bucket, key, body):
    s3 = client("s3", server.endpoint)
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError:
        pass
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body)
    return f"s3://{bucket}/{key}"


def key_policy(*allowed_roles):
    stmts = [{"Sid": "root", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
              "Action": ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:Get*", "kms:List*",
                         "kms:Enable*", "kms:Disable*", "kms:Schedule*", "kms:Decrypt",
                         "kms:Encrypt", "kms:GenerateDataKey*"],
              "Resource": "*"}]
    for arn in allowed_roles:
        stmts.append({"Sid": "use", "Effect": "Allow", "Principal": {"AWS": arn},
                      "Action": ["kms:GenerateDataKey*", "kms:Decrypt", "kms:Encrypt",
                                 "kms:DescribeKey"],
                      "Resource": "*"})
    return json.dumps({"Version": "2012-10-17", "Statement": stmts})


def glue_cli(server, cli, tmp_path):
    """A function running `cli glue ARGS...` against the server (no profile, test credentials,
    JSON output) and returning the CompletedProcess."""
    cli_env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
               "AWS_DEFAULT_REGION": REGION, "HOME": str(tmp_path),
               "PATH": "/usr/bin:/bin:" + os.environ["PATH"],
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

    def run(*args):
        return subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json",
                               "glue", *args], capture_output=True, text=True, env=cli_env,
                              timeout=60)
    return run
