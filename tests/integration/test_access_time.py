"""One access check for KMS, S3, Glue and CloudTrail (issue 13): the global condition keys are
the same on all four services. A config principal whose identity policy allows kms, s3, glue and
cloudtrail calls only while aws:CurrentTime is before a date is allowed on all four until the
server clock (POST /_sealstack/clock) passes that date, and then denied by each with its own AWS
error code, HTTP status and message. An aws:SecureTransport condition likewise: allowed on the
HTTPS listener, denied on plain HTTP, on all four."""

import datetime

import pytest
import urllib3
from botocore.config import Config
from botocore.exceptions import ClientError

from aws_helpers import boto_session, HTTP_TIMEOUT, REGION, ROOT_ACCOUNT, client
from kms_helpers import advance_clock

DAY = 24 * 3600
USER_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:user/Timed"
BUCKET = "access-time"
ACTIONS = ["kms:*", "s3:*", "glue:*", "cloudtrail:*"]


def _principal(name, condition):
    return {"access_key_id": f"AKIA{name.upper():0<16}"[:20],
            "secret_access_key": f"{name}-secret", "arn": USER_ARN,
            "policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ACTIONS, "Resource": "*",
                 "Condition": condition}]}]}


def _as(principal, service, endpoint):
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                    read_timeout=HTTP_TIMEOUT)
    session = boto_session(aws_access_key_id=principal["access_key_id"],
                                    aws_secret_access_key=principal["secret_access_key"],
                                    region_name=REGION)
    return session.client(service, endpoint_url=endpoint, config=config,
                          verify=not endpoint.startswith("https:"))


def _calls(principal, endpoint, key_id):
    """One call per service as `principal`: (service, action, resource, call)."""
    kms = _as(principal, "kms", endpoint)
    s3 = _as(principal, "s3", endpoint)
    glue = _as(principal, "glue", endpoint)
    ct = _as(principal, "cloudtrail", endpoint)
    key_arn = f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/{key_id}"
    return [
        ("kms", "kms:ListKeys", "*", kms.list_keys),
        ("kms", "kms:DescribeKey", key_arn, lambda: kms.describe_key(KeyId=key_id)),
        ("s3", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}",
         lambda: s3.list_objects_v2(Bucket=BUCKET)),
        ("glue", "glue:GetDatabases", f"arn:aws:glue:{REGION}:{ROOT_ACCOUNT}:database/*",
         glue.get_databases),
        ("cloudtrail", "cloudtrail:LookupEvents", None, lambda: ct.lookup_events(MaxResults=1)),
    ]


def _expected_denial(service, action, resource):
    """Each service's AWS AccessDenied answer: (code, HTTP status, message)."""
    tail = f" because no identity-based policy allows the {action} action"
    if service == "s3":
        return ("AccessDenied", 403,
                f'User: {USER_ARN} is not authorized to perform: {action} on resource: '
                f'"{resource}"{tail}')
    if service == "cloudtrail":
        return ("AccessDeniedException", 400,
                f"User: {USER_ARN} is not authorized to perform: {action}{tail}")
    return ("AccessDeniedException", 400,
            f"User: {USER_ARN} is not authorized to perform: {action} on resource: "
            f"{resource}{tail}")


def _denial(call):
    with pytest.raises(ClientError) as info:
        call()
    resp = info.value.response
    return (resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"],
            resp["Error"]["Message"])


def _setup_as_root(endpoint):
    """The account root (test/test) owns a key (default key policy: the account, through IAM)
    and a bucket the principal's calls touch."""
    key_id = client("kms", endpoint).create_key()["KeyMetadata"]["KeyId"]
    client("s3", endpoint).create_bucket(Bucket=BUCKET)
    return key_id


def test_current_time_bound_policy_is_the_same_on_all_four_services(start_sealstack,
                                                                      monkeypatch):
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
    principal = _principal("timed", {"DateLessThan": {
        "aws:CurrentTime": until.strftime("%Y-%m-%dT%H:%M:%SZ")}})
    server = start_sealstack(config={"principals": [principal]})
    key_id = _setup_as_root(server.endpoint)

    calls = _calls(principal, server.endpoint, key_id)
    for service, action, _, call in calls:
        call()  # allowed while the clock is before `until`

    advance_clock(server, 2 * DAY, monkeypatch)
    for service, action, resource, call in calls:
        assert _denial(call) == _expected_denial(service, action, resource), action

    # The account root needs no identity policy: still allowed after the date.
    client("kms", server.endpoint).describe_key(KeyId=key_id)
    client("cloudtrail", server.endpoint).lookup_events(MaxResults=1)


def test_secure_transport_condition_is_the_same_on_all_four_services(start_sealstack):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    principal = _principal("tlsonly", {"Bool": {"aws:SecureTransport": "true"}})
    server = start_sealstack(config={"principals": [principal]},
                             extra_args=["--https-port", "0"])
    key_id = _setup_as_root(server.endpoint)

    for service, action, _, call in _calls(principal, server.https_endpoint, key_id):
        call()  # allowed over TLS
    for service, action, resource, call in _calls(principal, server.endpoint, key_id):
        assert _denial(call) == _expected_denial(service, action, resource), action
