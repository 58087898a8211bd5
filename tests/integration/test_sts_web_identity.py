"""STS AssumeRoleWithWebIdentity against IAM OpenID Connect providers, as GitHub Actions or EKS
pods federate: the provider (CreateOpenIDConnectProvider and its siblings, with AWS's validation
and errors), the issuer's keys handed in through PUT /_sealstack/oidc/jwks, an unsigned
AssumeRoleWithWebIdentity whose token is checked (issuer, signature RS256/ES256, exp/nbf on the
server clock, audience) and whose trust policy names the provider with :aud/:sub conditions, a
session whose aws:FederatedProvider a key policy can require, the SDK's web identity credential
provider (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) and the CloudTrail record."""

import json

import boto3
import botocore
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

from aws_helpers import HTTP_TIMEOUT, REGION, client
from iam_helpers import ACCOUNT, allow, assert_error, error_of, role_arn, session_arn
from oidc_helpers import SigningKey, claims, put_jwks, web_identity_trust
from s3_helpers import module_servers  # noqa: F401  (the module-scoped server factory)

HOST = "token.actions.githubusercontent.com"
ISSUER = f"https://{HOST}"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"
DENIED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def _botocore_version():
    return tuple(int(x) for x in botocore.__version__.split(".")[:2])


@pytest.fixture(scope="module")
def server(module_servers):  # noqa: F811
    return module_servers.start()


@pytest.fixture(scope="module")
def keys():
    return {"rsa": SigningKey("k1"), "ec": SigningKey("e1", "ES256"),
            "other": SigningKey("k1")}


@pytest.fixture(scope="module")
def world(server, keys):
    """The GitHub provider with its keys, role 'deployer' trusting repo acme/app, whose inline
    policy allows KMS, and a key whose policy lets in only sessions federated by the provider."""
    iam = client("iam", server.endpoint)
    iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["sts.amazonaws.com"],
                                        ThumbprintList=[THUMB])
    assert put_jwks(server, ISSUER, keys["rsa"], keys["ec"]) == {"url": ISSUER, "keys": 2}
    iam.create_role(RoleName="deployer",
                    AssumeRolePolicyDocument=web_identity_trust(PROVIDER_ARN, HOST,
                                                                sub="repo:acme/app:*"))
    iam.put_role_policy(RoleName="deployer", PolicyName="kms",
                        PolicyDocument=allow(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]))
    kms = client("kms", server.endpoint)
    key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*", "Condition": {"Null": {"aws:FederatedProvider": "true"}}},
        {"Sid": "Federated", "Effect": "Allow", "Principal": {"AWS": role_arn("deployer")},
         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:FederatedProvider": PROVIDER_ARN}}}]}))
    return {"iam": iam, "key": key["KeyMetadata"]["Arn"]}


def _sts(server):
    """An STS client without credentials: AssumeRoleWithWebIdentity is unsigned."""
    return boto3.session.Session().client(
        "sts", endpoint_url=server.endpoint, region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


def _assume(server, token, role="deployer", session="gha", **kwargs):
    return _sts(server).assume_role_with_web_identity(
        RoleArn=role_arn(role), RoleSessionName=session, WebIdentityToken=token, **kwargs)


def _assume_error(server, token, role="deployer", **kwargs):
    return error_of(_sts(server).assume_role_with_web_identity, RoleArn=role_arn(role),
                    RoleSessionName="gha", WebIdentityToken=token, **kwargs)


def test_oidc_provider_lifecycle(server):
    iam = client("iam", server.endpoint)
    url = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123"
    arn = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["sts.amazonaws.com", "sts.amazonaws.com"],
        ThumbprintList=[THUMB], Tags=[{"Key": "team", "Value": "blue"}],
    )["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "oidc.eks.us-east-1.amazonaws.com/id/ABC123"
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "team", "Value": "blue"}] and got["CreateDate"]
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]

    assert_error(error_of(iam.create_open_id_connect_provider, Url=url, ThumbprintList=[THUMB]),
                 "EntityAlreadyExists", 409, f"Provider with url {url} already exists.")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                       ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                   ThumbprintList=["a" * 40, "b" * 40])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                     Tags=[{"Key": "env", "Value": "ci"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["TEAM"])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ClientIDList"] == ["app"] and got["ThumbprintList"] == ["a" * 40, "b" * 40]
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == \
        [{"Key": "env", "Value": "ci"}]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert_error(error_of(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn),
                 "NoSuchEntity", 404, f"OpenIDConnect Provider not found for arn {arn}")
    assert_error(error_of(iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=arn),
                 "NoSuchEntity", 404)


def test_oidc_provider_validation(server):
    iam = client("iam", server.endpoint, parameter_validation=False)
    assert_error(error_of(iam.create_open_id_connect_provider, Url="http://insecure.example",
                          ThumbprintList=[THUMB]),
                 "ValidationError", 400, "Invalid Open ID Connect Provider URL")
    response = error_of(iam.create_open_id_connect_provider, Url="https://short.example",
                        ThumbprintList=["abc"])
    assert_error(response, "ValidationError", 400)
    assert "thumbprintList" in response["Error"]["Message"]
    assert_error(error_of(iam.create_open_id_connect_provider, Url="https://many.example",
                          ThumbprintList=[c * 40 for c in "abcdef"]),
                 "InvalidInput", 400, "Thumbprint list must contain fewer than 5 entries.")
    assert_error(error_of(iam.create_open_id_connect_provider, Url="https://ids.example",
                          ClientIDList=[f"c{i}" for i in range(101)]),
                 "LimitExceeded", 409,
                 "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
    bad = "arn:aws:iam::000000000000:role/not-a-provider"
    assert_error(error_of(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=bad),
                 "InvalidInput", 400, f"ARN {bad} is not valid.")


def test_jwks_control_endpoint_validates_the_document(server, keys):
    url = f"{server.endpoint}/_sealstack/oidc/jwks"
    bad = requests.put(url, params={"url": "https://x.example"}, data="{}", timeout=HTTP_TIMEOUT)
    assert bad.status_code == 400 and bad.json()["error"] == "InvalidRequest"
    missing = requests.put(url, data=json.dumps({"keys": []}), timeout=HTTP_TIMEOUT)
    assert missing.status_code == 400
    put_jwks(server, "https://x.example/", keys["rsa"])
    got = requests.get(url, params={"url": "x.example"}, timeout=HTTP_TIMEOUT)
    assert got.status_code == 200 and got.json()["keys"][0]["kid"] == "k1"
    assert requests.get(url, params={"url": "https://none.example"},
                        timeout=HTTP_TIMEOUT).status_code == 404


@pytest.mark.parametrize("alg", ["rsa", "ec"])
def test_assume_role_with_web_identity(server, world, keys, alg):
    token = keys[alg].sign(claims(ISSUER, amr=["pwd"]))
    out = _assume(server, token, session=f"gha-{alg}", DurationSeconds=900)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert out["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert out["Audience"] == "sts.amazonaws.com" and out["Provider"] == PROVIDER_ARN
    assert out["AssumedRoleUser"]["Arn"] == session_arn("deployer", f"gha-{alg}")
    assert out["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=REGION)
    sts = session.client("sts", endpoint_url=server.endpoint)
    assert sts.get_caller_identity()["Arn"] == session_arn("deployer", f"gha-{alg}")
    # The key policy's Federated statement requires aws:FederatedProvider: the session has it.
    kms = session.client("kms", endpoint_url=server.endpoint)
    blob = kms.encrypt(KeyId=world["key"], Plaintext=b"from a workflow")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"from a workflow"
    # The account's own principals lack it and the Admin statement excludes federated sessions.
    admin_kms = client("kms", server.endpoint)
    assert admin_kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"from a workflow"


def test_token_checks(server, world, keys):
    def fails(token, code, status, message=None, **kwargs):
        assert_error(_assume_error(server, token, **kwargs), code, status, message)

    rsa = keys["rsa"]
    fails(rsa.sign(claims(ISSUER, sub="repo:evil/app:ref:refs/heads/main")),
          "AccessDenied", 403, DENIED)
    fails(rsa.sign(claims(ISSUER, aud="sigstore")), "InvalidIdentityToken", 400,
          "Incorrect token audience")
    fails(rsa.sign(claims("https://gitlab.example.com")), "InvalidIdentityToken", 400,
          "No OpenIDConnect provider found in your account for https://gitlab.example.com")
    fails(keys["other"].sign(claims(ISSUER)), "InvalidIdentityToken", 400)
    fails(rsa.sign(claims(ISSUER, nbf=2**31)), "InvalidIdentityToken", 400)
    fails("not.a.jwt", "InvalidIdentityToken", 400)
    fails(rsa.sign(claims(ISSUER)), "AccessDenied", 403, DENIED, role="no-such-role")
    fails(rsa.sign(claims(ISSUER, lifetime=-10)), "ExpiredTokenException", 400)
    response = _assume_error(server, rsa.sign(claims(ISSUER)), DurationSeconds=7200)
    assert_error(response, "ValidationError", 400,
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


def test_expiry_follows_the_server_clock(server, world, keys):
    token = keys["rsa"].sign(claims(ISSUER, lifetime=600))
    _assume(server, token)
    requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 3600},
                  timeout=HTTP_TIMEOUT).raise_for_status()
    try:
        response = _assume_error(server, token)
        assert_error(response, "ExpiredTokenException", 400)
        assert response["Error"]["Message"].startswith("Token expired: current date/time ")
    finally:
        requests.post(f"{server.endpoint}/_sealstack/clock", json={"set": "now"},
                      timeout=HTTP_TIMEOUT).raise_for_status()


def test_provider_without_keys_is_an_idp_communication_error(server, keys):
    iam = client("iam", server.endpoint)
    iam.create_open_id_connect_provider(Url="https://nokeys.example", ClientIDList=["aud"],
                                        ThumbprintList=[THUMB])
    iam.create_role(RoleName="nokeys", AssumeRolePolicyDocument=web_identity_trust(
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/nokeys.example", "nokeys.example", aud="aud"))
    token = keys["rsa"].sign(claims("https://nokeys.example", aud="aud"))
    assert_error(_assume_error(server, token, role="nokeys"), "IDPCommunicationError", 400)


def test_only_web_identity_is_answered_unsigned(server):
    for action in ("GetCallerIdentity", "AssumeRole", "GetSessionToken"):
        resp = requests.post(server.endpoint, data={"Action": action, "Version": "2011-06-15",
                                                    "RoleArn": role_arn("deployer"),
                                                    "RoleSessionName": "x"},
                             timeout=HTTP_TIMEOUT)
        assert resp.status_code == 403, (action, resp.status_code, resp.text)
    iam = requests.post(server.endpoint, data={"Action": "ListOpenIDConnectProviders",
                                               "Version": "2010-05-08"}, timeout=HTTP_TIMEOUT)
    assert iam.status_code == 403


def test_the_trail_records_a_web_identity_user(server, world, keys):
    token = keys["rsa"].sign(claims(ISSUER))
    _assume(server, token, session="audited")
    resp = requests.get(f"{server.endpoint}/_sealstack/audit", timeout=HTTP_TIMEOUT)
    events = [json.loads(line) for line in resp.text.splitlines()]
    ours = [e for e in events if e["eventName"] == "AssumeRoleWithWebIdentity"
            and (e.get("requestParameters") or {}).get("roleSessionName") == "audited"]
    assert len(ours) == 1, ours
    event = ours[0]
    sub = "repo:acme/app:ref:refs/heads/main"
    assert event["userIdentity"] == {
        "type": "WebIdentityUser", "principalId": f"{PROVIDER_ARN}:sts.amazonaws.com:{sub}",
        "userName": sub, "identityProvider": PROVIDER_ARN}
    assert event["eventSource"] == "sts.amazonaws.com"
    assert "webIdentityToken" not in event["requestParameters"]
    assert event["responseElements"]["provider"] == PROVIDER_ARN
    assert event["responseElements"]["subjectFromWebIdentityToken"] == sub
    assert token not in resp.text and "secretAccessKey" not in json.dumps(event)
    assert event["additionalEventData"] == {"trustDecision": "Allow"}
    assert event["recipientAccountId"] == ACCOUNT


@pytest.mark.skipif(_botocore_version() < (1, 31),
                    reason="AWS_ENDPOINT_URL needs botocore >= 1.31; older SDKs send the web "
                           "identity call to sts.amazonaws.com")
def test_sdk_web_identity_credential_provider(server, world, keys, tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text(keys["rsa"].sign(claims(ISSUER)))
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AWS_ROLE_ARN", role_arn("deployer"))
    monkeypatch.setenv("AWS_ROLE_SESSION_NAME", "from-env")
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    session = boto3.session.Session()
    assert session.client("sts").get_caller_identity()["Arn"] == \
        session_arn("deployer", "from-env")
    kms = session.client("kms")
    blob = kms.encrypt(KeyId=world["key"], Plaintext=b"env")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"env"


def test_packed_policy_size_of_a_web_identity_session(server, world, keys):
    token = keys["rsa"].sign(claims(ISSUER))
    assert "PackedPolicySize" not in _assume(server, token, session="unpacked")
    policy = allow("kms:Decrypt")
    out = _assume(server, token, session="packed", Policy=policy)
    assert out["PackedPolicySize"] == -(-len("".join(policy.split())) * 100 // 4096)
    # Long ARNs of policies that do not exist still count (three of 2,000 characters: 147%).
    arns = [{"arn": f"arn:aws:iam::{ACCOUNT}:policy/" + str(i) * (2000 - 33)} for i in range(3)]
    assert all(len(a["arn"]) == 2000 for a in arns)
    assert_error(_assume_error(server, token, PolicyArns=arns), "PackedPolicyTooLarge", 400,
                 "Packed policy consumes 147% of allotted space, please use smaller policy for "
                 "this operation.")
