"""Job bookmarks through boto3: --job-bookmark-option job-bookmark-enable skips S3 objects a
previous successful run read (state advanced by Job.commit), pause reads new ones without
advancing, GetJobBookmark / ResetJobBookmark; the state sealed under JobBookmarksEncryption
(CSE-KMS); a role that may not use that key fails the run naming principal, action and key."""

import pytest
from botocore.exceptions import ClientError

from aws_helpers import client
from glue_helpers import (CONFIG, DENIED_ROLE, ROLE, ROLE_ARN, err, key_policy, put_object,
                          wait_run)

SCRIPT = """
import sys
from awsglue.utils import getResolvedOptions
from awsglue.context import GlueContext
from awsglue.job import Job
args = getResolvedOptions(sys.argv, ["JOB_NAME", "source"])
gc = GlueContext()
job = Job(gc)
job.init(args["JOB_NAME"], args)
frame = gc.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": [args["source"]]}, format="json",
    transformation_ctx="events")
print("ids", sorted(r["id"] for r in frame))
job.commit()
"""


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(CONFIG)


def run_ids(server, g, job, **kw):
    import requests
    run_id = g.start_job_run(JobName=job, **kw)["JobRunId"]
    run = wait_run(g, job, run_id)
    log = requests.get(f"{server.endpoint}/_sealstack/glue/runs/{run_id}/log", timeout=10).json()
    assert run["JobRunState"] == "SUCCEEDED", (run.get("ErrorMessage"), log)
    line = [x for x in log["log"].splitlines() if x.startswith("ids")][0]
    return line


def make_job(server, secconf=None, role=ROLE):
    g = client("glue", server.endpoint)
    loc = put_object(server, "bm-data", "job.py", SCRIPT)
    put_object(server, "bm-data", "in/a.json", '{"id": 1}\n{"id": 2}\n')
    kw = {"SecurityConfiguration": secconf} if secconf else {}
    g.create_job(Name="bm", Role=role, Command={"Name": "glueetl", "ScriptLocation": loc},
                 DefaultArguments={"--source": "s3://bm-data/in/",
                                   "--job-bookmark-option": "job-bookmark-enable"}, **kw)
    return g


def test_bookmark_skips_objects_already_processed(server):
    g = make_job(server)
    with pytest.raises(ClientError) as e:
        g.get_job_bookmark(JobName="bm")
    assert err(e) == ("EntityNotFoundException", 400)
    assert run_ids(server, g, "bm") == "ids [1, 2]"
    entry = g.get_job_bookmark(JobName="bm")["JobBookmarkEntry"]
    assert entry["JobName"] == "bm" and entry["Version"] == 1 and "s3://bm-data/in/a.json" in \
        entry["JobBookmark"]
    put_object(server, "bm-data", "in/b.json", '{"id": 3}\n')
    assert run_ids(server, g, "bm") == "ids [3]"
    assert run_ids(server, g, "bm") == "ids []"
    put_object(server, "bm-data", "in/c.json", '{"id": 4}\n')
    pause = {"Arguments": {"--job-bookmark-option": "job-bookmark-pause"}}
    assert run_ids(server, g, "bm", **pause) == "ids [4]"
    assert run_ids(server, g, "bm", **pause) == "ids [4]"  # pause does not advance
    disable = {"Arguments": {"--job-bookmark-option": "job-bookmark-disable"}}
    assert run_ids(server, g, "bm", **disable) == "ids [1, 2, 3, 4]"
    assert g.reset_job_bookmark(JobName="bm")["JobBookmarkEntry"]["JobName"] == "bm"
    assert run_ids(server, g, "bm") == "ids [1, 2, 3, 4]"


def test_bookmark_sealed_under_job_bookmarks_encryption(server):
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy(ROLE_ARN))["KeyMetadata"]["Arn"]
    g = client("glue", server.endpoint)
    g.create_security_configuration(Name="bmk", EncryptionConfiguration={
        "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key}})
    g = make_job(server, "bmk")
    assert run_ids(server, g, "bm") == "ids [1, 2]"
    assert "s3://bm-data/in/a.json" in g.get_job_bookmark(JobName="bm")["JobBookmarkEntry"][
        "JobBookmark"]
    assert run_ids(server, g, "bm") == "ids []"
    # The key disabled: the bookmark cannot be opened, for the caller or the next run.
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as e:
        g.get_job_bookmark(JobName="bm")
    assert err(e) == ("GlueEncryptionException", 400)
    run = wait_run(g, "bm", g.start_job_run(JobName="bm")["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    assert "JobBookmarksEncryption" in run["ErrorMessage"] and key in run["ErrorMessage"]


def test_role_that_may_not_use_the_bookmark_key_fails_naming_it(server):
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy(ROLE_ARN))["KeyMetadata"]["Arn"]
    g = client("glue", server.endpoint)
    g.create_security_configuration(Name="bmk", EncryptionConfiguration={
        "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key}})
    g = make_job(server, "bmk", role=DENIED_ROLE)
    run = wait_run(g, "bm", g.start_job_run(JobName="bm")["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    msg = run["ErrorMessage"]
    assert DENIED_ROLE in msg and "kms:GenerateDataKey" in msg and key in msg, msg
    assert "JobBookmarksEncryption" in msg
