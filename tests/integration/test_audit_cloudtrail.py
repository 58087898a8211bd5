"""The audit trail through CloudTrail LookupEvents (PROTOCOL 7) and GET /_sealstack/audit, with
real clients: boto3 (both generations, via run_pytest.sh) and the AWS CLI v1 and v2.

Every KMS call is an audit record in CloudTrail's shape: who (userIdentity), what
(eventName, requestParameters without secrets), on which key (resources), and how it ended
(errorCode/errorMessage). LookupEvents answers newest first, one lookup attribute at a time,
per account, with AWS's error codes."""

import base64
import json
import os
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import boto_session, HTTP_TIMEOUT, REGION, ROOT_ACCOUNT, client, json_target_request
from kms_helpers import expect_error, key_arn, kms

OTHER_ACCOUNT = "111122223333"
ROLE_A_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:role/RoleA"
SESSION_A_ARN = f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/RoleA/sess-a"
SESSION_B_ARN = f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/RoleB/sess-b"


def _allow(actions):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


def _p(key_id, arn, policies=None, token=None):
    p = {"access_key_id": key_id, "secret_access_key": key_id + "-secret", "arn": arn}
    if token:
        p["session_token"] = token
    if policies is not None:
        p["policies"] = policies
    return p


SESSION_A = _p("ASIASESSIONA00000001", SESSION_A_ARN, [_allow("kms:*")], token="token-a")
SESSION_B = _p("ASIASESSIONB00000001", SESSION_B_ARN, [_allow("kms:*")], token="token-b")
AUDITOR = _p("AKIAAUDITOR000000001", f"arn:aws:iam::{ROOT_ACCOUNT}:user/Auditor",
             [_allow("cloudtrail:LookupEvents")])
NOBODY = _p("AKIANOBODY0000000001", f"arn:aws:iam::{ROOT_ACCOUNT}:user/Nobody",
            [_allow("kms:*")])
OTHER_ROOT = _p("AKIAOTHERROOT0000001", f"arn:aws:iam::{OTHER_ACCOUNT}:root")
CONFIG = {"principals": [SESSION_A, SESSION_B, AUDITOR, NOBODY, OTHER_ROOT]}


def _client(server, service, p=None):
    if p is None:
        return client(service, server.endpoint)
    c = client(service, server.endpoint, p["access_key_id"], p["secret_access_key"])
    if "session_token" in p:
        import boto3
        from botocore.config import Config
        session = boto_session(aws_access_key_id=p["access_key_id"],
                                        aws_secret_access_key=p["secret_access_key"],
                                        aws_session_token=p["session_token"], region_name=REGION)
        c = session.client(service, endpoint_url=server.endpoint,
                           config=Config(retries={"total_max_attempts": 1},
                                         read_timeout=HTTP_TIMEOUT))
    return c


def _ct(server, p=None):
    return _client(server, "cloudtrail", p)


def _events(ct, **kwargs):
    resp = ct.lookup_events(**kwargs)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    return resp


def _record(event):
    return json.loads(event["CloudTrailEvent"])


def _policy_for_role_a():
    """Root may do anything; only sessions of RoleA may use the key (RoleB may not)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
        {"Sid": "role-a", "Effect": "Allow", "Principal": {"AWS": ROLE_A_ARN},
         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]})


def test_encrypt_by_role_a_and_denied_decrypt_by_role_b_are_attributed(start_sealstack):
    server = start_sealstack(CONFIG)
    root_kms = kms(server)
    key_id = root_kms.create_key(Policy=_policy_for_role_a())["KeyMetadata"]["KeyId"]
    arn = key_arn(key_id)
    a = _client(server, "kms", SESSION_A)
    b = _client(server, "kms", SESSION_B)
    secret = b"the plaintext never reaches the trail"
    enc = a.encrypt(KeyId=key_id, Plaintext=secret, EncryptionContext={"purpose": "audit-test"})
    denied = expect_error(b.decrypt, "AccessDeniedException",
                          CiphertextBlob=enc["CiphertextBlob"],
                          EncryptionContext={"purpose": "audit-test"})

    resp = _events(_ct(server), LookupAttributes=[
        {"AttributeKey": "ResourceName", "AttributeValue": arn}])
    names = [e["EventName"] for e in resp["Events"]]
    assert names == ["Decrypt", "Encrypt", "CreateKey"], names  # newest first

    dec_ev, enc_ev = resp["Events"][0], resp["Events"][1]
    assert (enc_ev["Username"], enc_ev["AccessKeyId"], enc_ev["ReadOnly"]) == \
        ("sess-a", SESSION_A["access_key_id"], "true")
    assert enc_ev["EventSource"] == "kms.amazonaws.com"
    assert enc_ev["Resources"] == [{"ResourceType": "AWS::KMS::Key", "ResourceName": arn}]

    enc_rec = _record(enc_ev)
    ident = enc_rec["userIdentity"]
    assert (ident["type"], ident["arn"], ident["accountId"], ident["accessKeyId"]) == \
        ("AssumedRole", SESSION_A_ARN, ROOT_ACCOUNT, SESSION_A["access_key_id"])
    assert ident["principalId"].endswith(":sess-a")
    assert ident["sessionContext"]["sessionIssuer"]["arn"] == ROLE_A_ARN
    assert ident["sessionContext"]["sessionIssuer"]["type"] == "Role"
    assert "invokedBy" not in ident
    assert enc_rec["requestParameters"] == {"keyId": key_id,
                                            "encryptionContext": {"purpose": "audit-test"},
                                            "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    assert enc_rec["responseElements"] is None
    assert "errorCode" not in enc_rec
    assert enc_rec["requestID"] == enc["ResponseMetadata"]["RequestId"]
    assert (enc_rec["eventSource"], enc_rec["eventName"], enc_rec["awsRegion"]) == \
        ("kms.amazonaws.com", "Encrypt", REGION)
    assert enc_rec["readOnly"] is True and enc_rec["managementEvent"] is True
    assert (enc_rec["eventType"], enc_rec["eventCategory"], enc_rec["recipientAccountId"]) == \
        ("AwsApiCall", "Management", ROOT_ACCOUNT)
    assert enc_rec["resources"] == [{"accountId": ROOT_ACCOUNT, "type": "AWS::KMS::Key",
                                     "ARN": arn}]
    assert enc_rec["sourceIPAddress"] == "127.0.0.1"
    assert "Boto3" in enc_rec["userAgent"] or "botocore" in enc_rec["userAgent"]
    assert enc_rec["eventID"] == enc_ev["EventId"]

    dec_rec = _record(dec_ev)
    assert dec_rec["userIdentity"]["arn"] == SESSION_B_ARN
    assert dec_ev["Username"] == "sess-b"
    assert dec_rec["errorCode"] == "AccessDeniedException"
    assert dec_rec["errorMessage"] == denied["Error"]["Message"]
    assert SESSION_B_ARN in dec_rec["errorMessage"]
    assert dec_rec["requestID"] == denied["ResponseMetadata"]["RequestId"]
    assert dec_rec["requestParameters"] == {"encryptionContext": {"purpose": "audit-test"},
                                            "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    assert dec_rec["resources"][0]["ARN"] == arn

    # No secret anywhere in the trail: neither the plaintext nor the ciphertext blob.
    lines = requests.get(server.endpoint + "/_sealstack/audit", timeout=HTTP_TIMEOUT)
    assert lines.status_code == 200
    assert lines.headers["Content-Type"] == "application/x-ndjson"
    blob_b64 = base64.b64encode(enc["CiphertextBlob"]).decode()
    for needle in (base64.b64encode(secret).decode(), secret.decode(), blob_b64):
        assert needle not in lines.text
        assert needle not in json.dumps(resp["Events"], default=str)


def test_filter_by_event_name_and_paging_newest_first(sealstack):
    k = kms(sealstack)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    ids = []
    for i in range(7):
        r = k.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"n": str(i)})
        ids.append(r["ResponseMetadata"]["RequestId"])
    k.describe_key(KeyId=key_id)
    ct = _ct(sealstack)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}],
                  "MaxResults": 3}
        if token:
            kwargs["NextToken"] = token
        resp = _events(ct, **kwargs)
        pages += 1
        assert len(resp["Events"]) <= 3
        seen += [_record(e)["requestID"] for e in resp["Events"]]
        assert all(e["EventName"] == "Encrypt" for e in resp["Events"])
        token = resp.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert seen == list(reversed(ids))  # newest first, each exactly once

    # The paginator walks the same pages.
    paged = [e["EventId"] for page in ct.get_paginator("lookup_events").paginate(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}],
        PaginationConfig={"PageSize": 2}) for e in page["Events"]]
    assert len(paged) == 7 and len(set(paged)) == 7

    # Every other attribute filters too.
    only = _events(ct, LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "false"}])
    assert [e["EventName"] for e in only["Events"]] == ["CreateKey"]
    assert _record(only["Events"][0])["readOnly"] is False
    first = _events(ct, MaxResults=1)["Events"][0]
    assert first["EventName"] == "DescribeKey"
    for key, value, expect in [("EventId", first["EventId"], 1),
                               ("Username", "root", 9),
                               ("AccessKeyId", "test", 9),
                               ("EventSource", "kms.amazonaws.com", 9),
                               ("ResourceType", "AWS::KMS::Key", 9),
                               ("ResourceName", key_arn(key_id), 9),
                               ("EventSource", "s3.amazonaws.com", 0)]:
        got = _events(ct, LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])
        assert len(got["Events"]) == expect, (key, value, got["Events"])

    # Time range: inclusive bounds; a window in the past holds nothing.
    t = first["EventTime"]
    assert len(_events(ct, StartTime=t, EndTime=t)["Events"]) >= 1
    assert _events(ct, EndTime=t.timestamp() - 3600)["Events"] == []


def test_lookup_errors_codes_and_status(sealstack):
    ct = _ct(sealstack)
    two = [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"},
           {"AttributeKey": "ReadOnly", "AttributeValue": "true"}]
    expect_error(ct.lookup_events, "InvalidLookupAttributesException", LookupAttributes=two)
    expect_error(ct.lookup_events, "InvalidLookupAttributesException",
                 LookupAttributes=[{"AttributeKey": "Bogus", "AttributeValue": "x"}])
    expect_error(ct.lookup_events, "InvalidTimeRangeException",
                 StartTime=2_000_000_000, EndTime=1_000_000_000)
    expect_error(ct.lookup_events, "InvalidMaxResultsException", MaxResults=51)
    expect_error(ct.lookup_events, "InvalidNextTokenException", NextToken="not-a-token")
    expect_error(ct.lookup_events, "InvalidEventCategoryException", EventCategory="bogus")
    assert _events(ct, EventCategory="insight")["Events"] == []
    # Operations other than LookupEvents are not served.
    r = json_target_request(sealstack.endpoint,
                            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail",
                            service="cloudtrail")
    assert r.status_code == 400 and r.json()["__type"] == "UnknownOperationException"


def test_lookup_is_authorized_and_per_account(start_sealstack):
    server = start_sealstack(CONFIG)
    kms(server).create_key()
    expect_error(_ct(server, NOBODY).lookup_events, "AccessDeniedException")
    denied = expect_error(_ct(server, NOBODY).lookup_events, "AccessDeniedException")
    assert "cloudtrail:LookupEvents" in denied["Error"]["Message"]
    names = [e["EventName"] for e in _events(_ct(server, AUDITOR))["Events"]]
    assert "CreateKey" in names
    # The other account's root sees only its own trail: empty, then its own CreateKey.
    assert _events(_ct(server, OTHER_ROOT))["Events"] == []
    kms(server, OTHER_ROOT["access_key_id"], OTHER_ROOT["secret_access_key"]).create_key()
    other = _events(_ct(server, OTHER_ROOT))["Events"]
    assert [e["EventName"] for e in other] == ["CreateKey"]
    assert _record(other[0])["recipientAccountId"] == OTHER_ACCOUNT
    assert len([e for e in _events(_ct(server))["Events"]
                if e["EventName"] == "CreateKey"]) == 1
    # Resetting one account drops its trail only.
    r = requests.post(server.endpoint + "/_sealstack/reset", json={"account": OTHER_ACCOUNT},
                      timeout=HTTP_TIMEOUT)
    assert r.status_code == 200
    assert _events(_ct(server, OTHER_ROOT))["Events"] == []
    assert "CreateKey" in [e["EventName"] for e in _events(_ct(server))["Events"]]


def test_management_calls_and_failures(sealstack):
    k = kms(sealstack)
    key_id = k.create_key(Description="d", Tags=[{"TagKey": "t", "TagValue": "v"}])[
        "KeyMetadata"]["KeyId"]
    k.disable_key(KeyId=key_id)
    expect_error(k.encrypt, "DisabledException", KeyId=key_id, Plaintext=b"p")
    k.create_alias(AliasName="alias/audited", TargetKeyId=key_id)
    evs = _events(_ct(sealstack))["Events"]
    assert [e["EventName"] for e in evs] == ["CreateAlias", "Encrypt", "DisableKey", "CreateKey"]
    alias, enc, disable, create = (_record(e) for e in evs)
    assert alias["requestParameters"] == {"aliasName": "alias/audited", "targetKeyId": key_id}
    assert enc["errorCode"] == "DisabledException" and enc["readOnly"] is True
    assert disable["requestParameters"] == {"keyId": key_id} and disable["readOnly"] is False
    assert create["requestParameters"]["description"] == "d"
    assert create["requestParameters"]["tags"] == [{"tagKey": "t", "tagValue": "v"}]
    assert create["resources"][0]["ARN"] == key_arn(key_id)
    assert create["userIdentity"]["type"] == "Root"
    # A call that failed before naming a key has no resources.
    expect_error(k.describe_key, "NotFoundException",
                 KeyId="00000000-0000-4000-8000-000000000000")
    nf = _record(_events(_ct(sealstack), MaxResults=1)["Events"][0])
    assert nf["errorCode"] == "NotFoundException" and "resources" not in nf


def _last_usage(server, key_id):
    r = json_target_request(server.endpoint, "TrentService.GetKeyLastUsage",
                            json.dumps({"KeyId": key_id}).encode())
    assert r.status_code == 200, r.text
    return r.json()


def test_key_last_usage_from_the_trail_survives_restart(start_sealstack, tmp_path):
    data = tmp_path / "data"
    server = start_sealstack(extra_args=["--data-dir", str(data)])
    k = kms(server)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    assert "KeyLastUsage" not in _last_usage(server, key_id)
    blob = k.encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
    k.decrypt(CiphertextBlob=blob)
    expect_error(k.encrypt, "NotFoundException", KeyId=key_id + "0", Plaintext=b"p")
    before = _last_usage(server, key_id)
    assert before["KeyLastUsage"]["Operation"] == "Decrypt"
    server.stop()

    again = start_sealstack(extra_args=["--data-dir", str(data)])
    after = _last_usage(again, key_id)
    assert after["KeyLastUsage"] == before["KeyLastUsage"]
    assert after["TrackingStartDate"] <= after["KeyLastUsage"]["Timestamp"]
    names = [e["EventName"] for e in _events(_ct(again))["Events"]]
    assert names[:4] == ["GetKeyLastUsage", "GetKeyLastUsage", "Encrypt", "Decrypt"], names


def test_retention_days_follow_the_clock_and_reset_clears(start_sealstack):
    server = start_sealstack(extra_args=["--audit-retention-days", "1"])
    k = kms(server)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    k.encrypt(KeyId=key_id, Plaintext=b"p")
    assert _last_usage(server, key_id)["KeyLastUsage"]["Operation"] == "Encrypt"

    def clock(seconds):
        r = requests.post(server.endpoint + "/_sealstack/clock", json={"advance_seconds": seconds},
                          timeout=HTTP_TIMEOUT)
        assert r.status_code == 200

    def audit_lines():
        r = requests.get(server.endpoint + "/_sealstack/audit", timeout=HTTP_TIMEOUT)
        assert r.status_code == 200
        return r.text.splitlines()

    assert len(audit_lines()) == 3  # CreateKey, Encrypt, GetKeyLastUsage
    # Two days on (signed requests would now be refused as expired: read through admin), the
    # day-old events are gone; back to the real time, they stay gone.
    clock(2 * 86400)
    assert audit_lines() == []
    clock(-2 * 86400)
    assert _events(_ct(server))["Events"] == []
    assert "KeyLastUsage" not in _last_usage(server, key_id)

    k.encrypt(KeyId=key_id, Plaintext=b"p")
    assert len(audit_lines()) >= 1
    assert requests.post(server.endpoint + "/_sealstack/reset", timeout=HTTP_TIMEOUT).json() == {}
    assert audit_lines() == []


def test_admin_audit_stream_is_json_lines_oldest_first(sealstack):
    k = kms(sealstack)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    k.generate_data_key(KeyId=key_id, NumberOfBytes=32, EncryptionContext={"a": "b"})
    r = requests.get(sealstack.endpoint + "/_sealstack/audit", timeout=HTTP_TIMEOUT)
    recs = [json.loads(line) for line in r.text.splitlines()]
    assert [x["eventName"] for x in recs] == ["CreateKey", "GenerateDataKey"]
    assert recs[1]["requestParameters"] == {"keyId": key_id, "numberOfBytes": 32,
                                            "encryptionContext": {"a": "b"}}
    other = requests.get(sealstack.endpoint + "/_sealstack/audit?account=" + OTHER_ACCOUNT,
                         timeout=HTTP_TIMEOUT)
    assert other.status_code == 200 and other.text == ""


# ---------------------------------------------------------------- AWS CLI v1 and v2

def _pyenv_aws():
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return os.path.join(root, "shims", "aws")


CLIS = {"cli-v1": (os.environ.get("SEALSTACK_AWS_CLI_V1") or _pyenv_aws(), "aws-cli/1."),
        "cli-v2": (os.environ.get("SEALSTACK_AWS_CLI_V2") or "/usr/bin/aws", "aws-cli/2.")}


def _cli_env():
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_PAGER="", AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard")
    env.pop("PYTHONPATH", None)
    return env


@pytest.mark.cli
@pytest.mark.parametrize("cli", sorted(CLIS))
def test_cli_lookup_events(sealstack, cli):
    path, prefix = CLIS[cli]
    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60,
                             env=_cli_env())
    assert (version.stdout + version.stderr).strip().startswith(prefix), version
    k = kms(sealstack)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(3):
        k.encrypt(KeyId=key_id, Plaintext=b"p")

    def run(*args):
        return subprocess.run([path, "cloudtrail", "lookup-events", *args, "--endpoint-url",
                               sealstack.endpoint, "--region", REGION, "--output", "json"],
                              capture_output=True, text=True, timeout=60, env=_cli_env())

    out = run("--lookup-attributes", "AttributeKey=EventName,AttributeValue=Encrypt")
    assert out.returncode == 0, out.stderr
    events = json.loads(out.stdout)["Events"]
    assert [e["EventName"] for e in events] == ["Encrypt"] * 3
    assert json.loads(events[0]["CloudTrailEvent"])["resources"][0]["ARN"] == key_arn(key_id)
    # The CLI pages through NextToken by itself; --max-items bounds what it prints.
    paged = run("--page-size", "1", "--max-items", "2")
    assert paged.returncode == 0, paged.stderr
    assert len(json.loads(paged.stdout)["Events"]) == 2
    bad = run("--max-results", "51")
    assert bad.returncode != 0 and "InvalidMaxResultsException" in bad.stderr
