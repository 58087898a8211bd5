"""CloudWatch Logs through boto3 and the AWS CLI (v1 and v2): groups with a KMS key, retention,
streams, PutLogEvents / GetLogEvents / FilterLogEvents, events sealed under the group's key and
unreadable once the key is disabled or the caller may not use it; a glueetl run's logs in the
security configuration's "-role/" groups, read back with `aws logs get-log-events` and
`aws logs tail`."""

import json
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from aws_helpers import REGION, ROOT_ACCOUNT, client
from glue_helpers import (CONFIG, DENIED_ROLE, DENIED_ROLE_ARN, READER_ARN, READER_KEY,
                          READER_SECRET, ROLE, ROLE_ARN, err, key_policy, put_object, wait_run)
from test_kms_cli import _env, aws_cli  # noqa: F401  (the CLI fixture, v1 and v2)


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(CONFIG)


def now_ms():
    return int(time.time() * 1000)


def test_groups_streams_events_and_errors(server):
    logs = client("logs", server.endpoint)
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/app/one", kmsKeyId=key)
    logs.create_log_group(logGroupName="/app/two")
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName="/app/one")
    assert err(e) == ("ResourceAlreadyExistsException", 400)
    groups = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/one", "/app/two"]
    assert groups[0]["kmsKeyId"] == key and "kmsKeyId" not in groups[1]
    assert groups[0]["arn"] == f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:/app/one:*"
    page = logs.describe_log_groups(limit=1)
    assert len(page["logGroups"]) == 1 and page["nextToken"]
    logs.put_retention_policy(logGroupName="/app/one", retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix="/app/one")["logGroups"][0][
        "retentionInDays"] == 7
    with pytest.raises(ClientError) as e:
        logs.put_retention_policy(logGroupName="/app/one", retentionInDays=8)
    assert err(e) == ("InvalidParameterException", 400)

    logs.create_log_stream(logGroupName="/app/one", logStreamName="s1")
    with pytest.raises(ClientError) as e:
        logs.create_log_stream(logGroupName="/app/one", logStreamName="s1")
    assert err(e) == ("ResourceAlreadyExistsException", 400)
    with pytest.raises(ClientError) as e:
        logs.create_log_stream(logGroupName="/nope", logStreamName="s1")
    assert err(e) == ("ResourceNotFoundException", 400)
    t = now_ms()
    logs.put_log_events(logGroupName="/app/one", logStreamName="s1", logEvents=[
        {"timestamp": t, "message": "alpha one"}, {"timestamp": t + 1, "message": "beta two"}])
    logs.put_log_events(logGroupName="/app/one", logStreamName="s1", logEvents=[
        {"timestamp": t + 2, "message": "gamma three"}])
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName="/app/one", logStreamName="s1", logEvents=[
            {"timestamp": t + 5, "message": "x"}, {"timestamp": t + 4, "message": "y"}])
    assert err(e) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName="/app/one", logStreamName="nope",
                            logEvents=[{"timestamp": t, "message": "x"}])
    assert err(e) == ("ResourceNotFoundException", 400)

    got = logs.get_log_events(logGroupName="/app/one", logStreamName="s1", startFromHead=True)
    assert [e["message"] for e in got["events"]] == ["alpha one", "beta two", "gamma three"]
    first = logs.get_log_events(logGroupName="/app/one", logStreamName="s1", startFromHead=True,
                                limit=2)
    assert [e["message"] for e in first["events"]] == ["alpha one", "beta two"]
    rest = logs.get_log_events(logGroupName="/app/one", logStreamName="s1",
                               nextToken=first["nextForwardToken"])
    assert [e["message"] for e in rest["events"]] == ["gamma three"]
    last = logs.get_log_events(logGroupName="/app/one", logStreamName="s1", limit=1)
    assert [e["message"] for e in last["events"]] == ["gamma three"]
    streams = logs.describe_log_streams(logGroupName="/app/one")["logStreams"]
    assert streams[0]["logStreamName"] == "s1" and streams[0]["lastEventTimestamp"] == t + 2

    found = logs.filter_log_events(logGroupName="/app/one", filterPattern="two")["events"]
    assert [(e["logStreamName"], e["message"]) for e in found] == [("s1", "beta two")]
    assert len(logs.filter_log_events(logGroupName="/app/one", startTime=t + 1)["events"]) == 2

    logs.delete_log_group(logGroupName="/app/two")
    with pytest.raises(ClientError) as e:
        logs.delete_log_group(logGroupName="/app/two")
    assert err(e) == ("ResourceNotFoundException", 400)


def test_events_are_sealed_under_the_group_key_and_need_it(server):
    logs = client("logs", server.endpoint)
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="sealed")
    logs.create_log_stream(logGroupName="sealed", logStreamName="s")
    logs.put_log_events(logGroupName="sealed", logStreamName="s",
                        logEvents=[{"timestamp": now_ms(), "message": "before the key"}])
    logs.associate_kms_key(logGroupName="sealed", kmsKeyId=key)
    logs.put_log_events(logGroupName="sealed", logStreamName="s",
                        logEvents=[{"timestamp": now_ms(), "message": "secret line"}])
    msgs = [e["message"] for e in logs.get_log_events(logGroupName="sealed",
                                                      logStreamName="s")["events"]]
    assert msgs == ["before the key", "secret line"]

    # The KMS calls Logs made: GenerateDataKey and Decrypt via logs with aws:logs:arn.
    trail = client("cloudtrail", server.endpoint).lookup_events(LookupAttributes=[
        {"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}])["Events"]
    kms_events = [json.loads(e["CloudTrailEvent"]) for e in trail]
    decrypts = [e for e in kms_events if e["eventName"] == "Decrypt"]
    assert decrypts and decrypts[0]["requestParameters"]["encryptionContext"] == {
        "aws:logs:arn": f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:sealed"}

    # A caller the key does not let in (no kms:* identity policy) cannot read sealed events.
    denied = client("logs", server.endpoint, key=READER_KEY, secret=READER_SECRET)
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": READER_ARN}, "Action": "kms:Decrypt",
             "Resource": "*"}]}))
    with pytest.raises(ClientError) as e:
        denied.get_log_events(logGroupName="sealed", logStreamName="s")
    assert err(e) == ("AccessDeniedException", 400)
    assert "kms:Decrypt" in str(e.value) and READER_ARN in str(e.value) and key in str(e.value)

    # A disabled key: nobody reads; writes are refused as well.
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as e:
        logs.get_log_events(logGroupName="sealed", logStreamName="s")
    assert err(e) == ("AccessDeniedException", 400)
    assert "DisabledException" in str(e.value)
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="sealed")
    assert err(e) == ("AccessDeniedException", 400)
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName="sealed", logStreamName="s",
                            logEvents=[{"timestamp": now_ms(), "message": "x"}])
    assert err(e) == ("AccessDeniedException", 400)
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName="other", kmsKeyId=key)
    assert err(e) == ("AccessDeniedException", 400)
    assert "is not allowed to be used with Arn" in str(e.value)
    kms.enable_key(KeyId=key)
    assert len(logs.get_log_events(logGroupName="sealed", logStreamName="s")["events"]) == 2
    logs.disassociate_kms_key(logGroupName="sealed")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="sealed")["logGroups"][0]


def test_associate_with_a_key_the_caller_may_not_use(server):
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=key_policy())["KeyMetadata"]["Arn"]
    logs = client("logs", server.endpoint, key=READER_KEY, secret=READER_SECRET)
    logs.create_log_group(logGroupName="g")
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": READER_ARN}, "Action": "kms:*",
             "Resource": "*", "Condition": {"StringEquals": {
                 "kms:ViaService": f"logs.{REGION}.amazonaws.com"}}}]}))
    with pytest.raises(ClientError) as e:
        logs.associate_kms_key(logGroupName="g", kmsKeyId=key)
    assert err(e) == ("AccessDeniedException", 400)
    assert e.value.response["Error"]["Message"] == (
        "The specified KMS key does not exist or is not allowed to be used with Arn "
        f"'arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:g'")
    with pytest.raises(ClientError) as e:
        logs.associate_kms_key(logGroupName="g", kmsKeyId="not-an-arn")
    assert err(e) == ("InvalidParameterException", 400)


# ---------------------------------------------------------------- Glue runs write CloudWatch logs

RUN_SCRIPT = """
import sys
from awsglue.utils import getResolvedOptions
args = getResolvedOptions(sys.argv, ["JOB_NAME"])
print("hello from", args["JOB_NAME"])
print("second line")
"""


def _cli(cli, endpoint, *args):
    argv = [cli, *args, "--region", REGION, "--endpoint-url", endpoint]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=_env())


def test_glue_run_logs_in_cloudwatch_under_the_security_configuration_key(server, aws_cli):
    kms = client("kms", server.endpoint)
    g = client("glue", server.endpoint)
    key = kms.create_key(Policy=key_policy(ROLE_ARN))["KeyMetadata"]["Arn"]
    g.create_security_configuration(Name="cw", EncryptionConfiguration={
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key}})
    loc = put_object(server, "cw-scripts", "run.py", RUN_SCRIPT)
    g.create_job(Name="logged", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": loc},
                 SecurityConfiguration="cw")
    g.create_job(Name="plain", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": loc})
    run_id = g.start_job_run(JobName="logged")["JobRunId"]
    run = wait_run(g, "logged", run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    prefix = f"/aws-glue/jobs/cw-role/{ROLE}"
    assert run["LogGroupName"] == prefix
    plain_id = g.start_job_run(JobName="plain")["JobRunId"]
    assert wait_run(g, "plain", plain_id)["JobRunState"] == "SUCCEEDED"

    out = _cli(aws_cli, server.endpoint, "logs", "get-log-events", "--log-group-name",
               prefix + "/output", "--log-stream-name", run_id, "--start-from-head",
               "--output", "json")
    assert out.returncode == 0, out.stderr
    assert [e["message"] for e in json.loads(out.stdout)["events"]] == [
        "hello from logged", "second line"]
    groups = client("logs", server.endpoint).describe_log_groups(
        logGroupNamePrefix="/aws-glue/jobs/")["logGroups"]
    by_name = {x["logGroupName"]: x for x in groups}
    assert by_name[prefix + "/output"]["kmsKeyId"] == key
    assert by_name[prefix + "/error"]["kmsKeyId"] == key
    assert "kmsKeyId" not in by_name["/aws-glue/jobs/output"]
    err_out = _cli(aws_cli, server.endpoint, "logs", "get-log-events", "--log-group-name",
                   prefix + "/error", "--log-stream-name", run_id, "--output", "json")
    assert "SUCCEEDED" in err_out.stdout and ROLE in err_out.stdout
    plain = _cli(aws_cli, server.endpoint, "logs", "get-log-events", "--log-group-name",
                 "/aws-glue/jobs/output", "--log-stream-name", plain_id, "--output", "json")
    assert "hello from plain" in plain.stdout, plain.stderr
    if "aws-cli/2" in subprocess.run([aws_cli, "--version"], capture_output=True,
                                     text=True, env=_env()).stdout:
        tail = _cli(aws_cli, server.endpoint, "logs", "tail", prefix + "/output")
        assert tail.returncode == 0, tail.stderr
        assert "hello from logged" in tail.stdout and run_id in tail.stdout

    kms.disable_key(KeyId=key)
    out = _cli(aws_cli, server.endpoint, "logs", "get-log-events", "--log-group-name",
               prefix + "/output", "--log-stream-name", run_id)
    assert out.returncode != 0
    assert "AccessDeniedException" in out.stderr, out.stderr


def test_glue_run_of_a_role_that_may_not_use_the_log_key_fails_naming_it(server):
    kms = client("kms", server.endpoint)
    g = client("glue", server.endpoint)
    key = kms.create_key(Policy=key_policy(ROLE_ARN))["KeyMetadata"]["Arn"]
    g.create_security_configuration(Name="cw", EncryptionConfiguration={
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key}})
    loc = put_object(server, "cw-scripts", "run.py", RUN_SCRIPT)
    g.create_job(Name="denied", Role=DENIED_ROLE,
                 Command={"Name": "glueetl", "ScriptLocation": loc}, SecurityConfiguration="cw")
    run = wait_run(g, "denied", g.start_job_run(JobName="denied")["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    msg = run["ErrorMessage"]
    assert DENIED_ROLE in msg and "kms:GenerateDataKey" in msg and key in msg, msg
