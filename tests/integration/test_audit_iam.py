"""IAM and STS management events in the CloudTrail-shaped trail: CreateUser, CreateRole,
PutRolePolicy, CreateAccessKey (its key id, never its secret), AssumeRole with the role's trust
decision (allowed and denied), GetSessionToken; and a KMS call from a role session attributed to
an AssumedRole identity whose sessionContext.sessionIssuer is the IAM role (id and path)."""

import json

from aws_helpers import boto_session, client
from iam_helpers import ACCOUNT, allow, role_arn, session_arn, trust, user_arn


def _events(ct, name):
    out = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                              "AttributeValue": name}])["Events"]
    return [json.loads(e["CloudTrailEvent"]) for e in out]


def test_iam_and_sts_events(sealstack):
    ep = sealstack.endpoint
    iam = client("iam", ep)
    iam.create_user(UserName="app")
    iam.put_user_policy(UserName="app", PolicyName="p", PolicyDocument=allow("sts:AssumeRole"))
    key = iam.create_access_key(UserName="app")["AccessKey"]
    role = iam.create_role(RoleName="worker", Path="/jobs/",
                           AssumeRolePolicyDocument=trust(user_arn("app")))["Role"]
    iam.put_role_policy(RoleName="worker", PolicyName="kms", PolicyDocument=allow("kms:*"))
    iam.create_role(RoleName="closed", AssumeRolePolicyDocument=trust(user_arn("nobody")))
    sts = client("sts", ep, key["AccessKeyId"], key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=role_arn("worker", "/jobs/"),
                            RoleSessionName="job-1")["Credentials"]
    try:
        sts.assume_role(RoleArn=role_arn("closed"), RoleSessionName="job-2")
    except Exception:  # noqa: BLE001  (the denial is asserted through the trail below)
        pass
    kms = boto_session(creds["AccessKeyId"], creds["SecretAccessKey"],
                       creds["SessionToken"]).client("kms", endpoint_url=ep)
    kms.create_key()

    ct = client("cloudtrail", ep)
    (created,) = _events(ct, "CreateUser")
    assert created["eventSource"] == "iam.amazonaws.com"
    assert created["awsRegion"] == "us-east-1" and created["readOnly"] is False
    assert created["requestParameters"] == {"userName": "app"}
    assert created["userIdentity"]["type"] == "Root"

    (made_role,) = [e for e in _events(ct, "CreateRole")
                    if e["requestParameters"]["roleName"] == "worker"]
    assert made_role["requestParameters"]["roleName"] == "worker"
    assert made_role["requestParameters"]["path"] == "/jobs/"
    (put,) = [e for e in _events(ct, "PutRolePolicy")]
    assert put["requestParameters"]["policyName"] == "kms"

    (access_key,) = _events(ct, "CreateAccessKey")
    assert access_key["responseElements"] == {
        "accessKey": {"accessKeyId": key["AccessKeyId"], "status": "Active"}}
    assert key["SecretAccessKey"] not in json.dumps(access_key)

    assumed = _events(ct, "AssumeRole")
    ok = [e for e in assumed if "errorCode" not in e]
    denied = [e for e in assumed if e.get("errorCode") == "AccessDenied"]
    assert len(ok) == 1 and len(denied) == 1, assumed
    (ok,), (denied,) = ok, denied
    assert ok["eventSource"] == "sts.amazonaws.com"
    assert ok["userIdentity"]["arn"] == user_arn("app")
    assert ok["additionalEventData"] == {"trustDecision": "Allow"}
    assert ok["requestParameters"] == {"roleArn": role_arn("worker", "/jobs/"),
                                       "roleSessionName": "job-1"}
    assert ok["responseElements"]["credentials"]["accessKeyId"] == creds["AccessKeyId"]
    assert ok["responseElements"]["assumedRoleUser"]["arn"] == session_arn("worker", "job-1")
    assert creds["SecretAccessKey"] not in json.dumps(ok)
    assert creds["SessionToken"] not in json.dumps(ok)
    assert {"ARN": role_arn("worker", "/jobs/"), "accountId": ACCOUNT,
            "type": "AWS::IAM::Role"}.items() <= ok["resources"][0].items()
    assert denied["additionalEventData"] == {"trustDecision": "ImplicitDeny"}
    assert denied["errorMessage"].startswith(f"User: {user_arn('app')} is not authorized")
    assert denied["responseElements"] is None

    (kms_event,) = _events(ct, "CreateKey")
    ident = kms_event["userIdentity"]
    assert ident["type"] == "AssumedRole"
    assert ident["arn"] == session_arn("worker", "job-1")
    assert ident["principalId"] == f"{role['RoleId']}:job-1"
    issuer = ident["sessionContext"]["sessionIssuer"]
    assert issuer["arn"] == role_arn("worker", "/jobs/")
    assert issuer["principalId"] == role["RoleId"] and issuer["userName"] == "worker"
