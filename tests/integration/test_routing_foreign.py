"""Small things users trip over: a client pointed at SealStack for a service it does not emulate
gets that service's own unknown-operation error naming SealStack's services (JSON protocols:
UnknownOperationException; Query protocols: InvalidAction), never an S3 error or a crash; and
`sealstack --help` lines its columns up, with every flag's environment variable listed once."""

import re
import subprocess

import pytest
from botocore.exceptions import ClientError

import conftest
from aws_helpers import client

SERVICES = "SealStack emulates KMS, S3, Glue, CloudTrail, STS and IAM"


@pytest.mark.parametrize("service,call,code,operation", [
    ("sqs", "list_queues", "UnknownOperationException", "AmazonSQS.ListQueues"),
    ("dynamodb", "list_tables", "UnknownOperationException", "DynamoDB_20120810.ListTables"),
    ("secretsmanager", "list_secrets", "UnknownOperationException", "secretsmanager.ListSecrets"),
    ("lambda", "list_functions", "UnknownOperationException", "GET /2015-03-31/functions"),
    ("sns", "list_topics", "InvalidAction", "ListTopics"),
    ("ses", "list_identities", "InvalidAction", "ListIdentities"),
])
def test_a_service_sealstack_does_not_emulate_answers_its_own_unknown_operation(
        sealstack, service, call, code, operation):
    c = client(service, sealstack.endpoint)
    with pytest.raises(ClientError) as e:
        getattr(c, call)()
    err = e.value.response["Error"]
    if service == "sqs" and c.meta.service_model.protocol == "query":
        code, operation = "InvalidAction", "ListQueues"  # SQS spoke the Query protocol until 2023
    assert (err["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, 400)
    assert err["Message"].startswith(f"{SERVICES}, not '{service}': {operation}"), err
    assert err["Message"].endswith(" is not an operation of this endpoint.")
    assert e.value.response["ResponseMetadata"]["RequestId"]
    # The server is fine and the emulated services answer as before.
    assert client("sts", sealstack.endpoint).get_caller_identity()["Account"]


def test_help_columns_are_aligned_and_each_variable_listed_once():
    out = subprocess.run([str(conftest.sealstack_bin()), "--help"], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert all(len(line) <= 100 for line in lines), [l for l in lines if len(l) > 100]
    options = [line for line in lines if line.startswith("  -")]
    assert len(options) > 20
    # Every option's description starts in the same column, after at least two spaces.
    columns = {re.match(r"  (\S+(?: \S+)?)\s{2,}", line).end() for line in options}
    assert len(columns) == 1, columns
    column = columns.pop()
    continuation = [line for line in lines if line.startswith(" " * column)]
    assert continuation and all(not line[column].isspace() for line in continuation)
    variables = re.findall(r"\bSEALSTACK_[A-Z0-9_]+\b", out.stdout)
    assert len(variables) == len(set(variables)), sorted(variables)
    flags = [re.match(r"  (--[a-z0-9-]+)", line).group(1) for line in options]
    assert "SEALSTACK_ROOT_KEY" in variables and "SEALSTACK_PORT" in variables
    assert len(flags) == len(set(flags))
