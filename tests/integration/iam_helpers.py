"""Shared helpers of the IAM / STS role tests: error assertions with exact AWS codes and HTTP
statuses, and the policy documents the tests use."""

import json

import pytest
from botocore.exceptions import ClientError

from aws_helpers import ROOT_ACCOUNT

ACCOUNT = ROOT_ACCOUNT


def user_arn(name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"


def role_arn(name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


def session_arn(role, session):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"


def allow(actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]})


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


def assert_error(response, code, status, message=None):
    err, meta = response["Error"], response["ResponseMetadata"]
    assert (err.get("Code"), meta["HTTPStatusCode"]) == (code, status), response
    assert meta.get("RequestId"), response
    if message is not None:
        assert err.get("Message") == message, response
