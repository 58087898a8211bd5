"""Every authorization decision explains itself (docs/admin-api.md, "Decisions"): a denied
Decrypt by a key-policy Deny, by a missing grant, and by an encryption-context condition, each
explained by GET /_sealstack/decisions with the statement that decided it (or, for an implicit
deny, the statements that came closest and what failed); POST /_sealstack/simulate answers the
same without making the call; the request log line names the deciding statement."""

import json

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import HTTP_TIMEOUT, ROOT_ACCOUNT, ROOT_ARN, boto_session

USER_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:user/Analyst"
USER = {"access_key_id": "AKIAANALYST000000001", "secret_access_key": "analyst-secret",
        "arn": USER_ARN, "policies": [{"Version": "2012-10-17", "Statement": [
            {"Sid": "BillingOnly", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "billing"}}}]}]}


def key_policy(*extra):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"}, *extra]})


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(config={"principals": [USER]})


def kms_as(server, access_key, secret):
    from botocore.config import Config
    return boto_session(access_key, secret).client(
        "kms", endpoint_url=server.endpoint, config=Config(retries={"total_max_attempts": 1}))


def decisions(server, **params):
    r = requests.get(server.endpoint + "/_sealstack/decisions", params=params,
                     timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()["decisions"]


def simulate(server, **body):
    r = requests.post(server.endpoint + "/_sealstack/simulate", json=body, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def denied_decrypt(kms, **kwargs):
    with pytest.raises(ClientError) as e:
        kms.decrypt(**kwargs)
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    return e.value.response["ResponseMetadata"]["RequestId"]


def test_a_key_policy_deny_is_explained_by_its_statement(server):
    root = kms_as(server, "test", "test")
    key = root.create_key(Policy=key_policy(
        {"Sid": "NoAnalystDecrypt", "Effect": "Deny", "Principal": {"AWS": USER_ARN},
         "Action": "kms:Decrypt", "Resource": "*"}))["KeyMetadata"]["Arn"]
    blob = root.encrypt(KeyId=key, Plaintext=b"x",
                        EncryptionContext={"purpose": "billing"})["CiphertextBlob"]
    analyst = kms_as(server, USER["access_key_id"], USER["secret_access_key"])
    request_id = denied_decrypt(analyst, CiphertextBlob=blob,
                                EncryptionContext={"purpose": "billing"})
    (d,) = decisions(server, principal=USER_ARN, result="deny", limit=1)
    assert (d["action"], d["resource"], d["result"]) == ("kms:Decrypt", key, "explicit_deny")
    assert d["request_id"] == request_id and d["enforced"] is True
    assert d["decided_by"] == {"policy_kind": "key policy", "policy_name": key,
                               "statement_index": 1, "sid": "NoAnalystDecrypt"}
    assert d["context"]["kms:encryptioncontext:purpose"] == ["billing"]
    assert d["context"]["aws:principalarn"] == [USER_ARN]
    assert "explicit deny in a resource-based policy" in d["message"]
    # The same question, simulated, gets the same answer without a call.
    sim = simulate(server, principal=USER_ARN, action="kms:Decrypt", resource=key,
                   context={"kms:EncryptionContext:purpose": "billing"})
    assert (sim["result"], sim["decided_by"]["sid"]) == ("explicit_deny", "NoAnalystDecrypt")
    # The request log line names it too.
    assert f'denied-by=key policy {key} statement 1 (Sid "NoAnalystDecrypt")' in \
        server.stderr_text()
    # Allowed calls are recorded with what allowed them.
    (ok,) = decisions(server, principal=ROOT_ARN, action="kms:Encrypt", result="allow")
    assert ok["decided_by"]["sid"] == "Enable IAM User Permissions"


def test_a_missing_grant_is_explained_by_the_statements_that_came_closest(server):
    root = kms_as(server, "test", "test")
    key = root.create_key(Policy=key_policy())["KeyMetadata"]["Arn"]
    # The analyst holds a grant, but for Encrypt only: no grant covers Decrypt.
    grant_id = root.create_grant(KeyId=key, GranteePrincipal=USER_ARN,
                                 Operations=["Encrypt"])["GrantId"]
    blob = root.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    analyst = kms_as(server, USER["access_key_id"], USER["secret_access_key"])
    assert analyst.encrypt(KeyId=key, Plaintext=b"y")["KeyId"] == key  # the grant works
    (allowed,) = decisions(server, principal=USER_ARN, action="kms:Encrypt", result="allow")
    assert allowed["decided_by"] == {"policy_kind": "grant", "policy_name": grant_id,
                                     "statement_index": None, "sid": ""}
    denied_decrypt(analyst, CiphertextBlob=blob)
    (d,) = decisions(server, principal=USER_ARN, action="kms:Decrypt", result="implicit_deny")
    assert d["decided_by"] is None
    *policies, grants = d["closest"]
    assert (grants["policy_kind"], grants["failed"]) == (
        "grant", "no grant on the key gives this principal kms:Decrypt (grantee, operations and "
        "constraints)")
    first, last = policies[0], policies[-1]
    # The analyst's identity policy wants a billing context this call did not carry...
    assert (first["policy_kind"], first["sid"], first["failed"]) == (
        "identity policy", "BillingOnly",
        "condition StringEquals kms:encryptioncontext:purpose (request: (absent))")
    # ...while the key policy did its part: it delegates to the account's identity policies.
    assert (last["policy_kind"], last["statement_index"], last["sid"]) == \
        ("key policy", 0, "Enable IAM User Permissions")
    assert last["failed"] == \
        "nothing: it allows through the account, so an identity policy must allow too"


def test_an_encryption_context_condition_is_explained_by_its_failing_condition(server):
    root = kms_as(server, "test", "test")
    key = root.create_key(Policy=key_policy())["KeyMetadata"]["Arn"]
    blob = root.encrypt(KeyId=key, Plaintext=b"x",
                        EncryptionContext={"purpose": "marketing"})["CiphertextBlob"]
    analyst = kms_as(server, USER["access_key_id"], USER["secret_access_key"])
    denied_decrypt(analyst, CiphertextBlob=blob, EncryptionContext={"purpose": "marketing"})
    (d,) = decisions(server, principal=USER_ARN, result="implicit_deny")
    first = d["closest"][0]
    assert (first["policy_kind"], first["policy_name"], first["statement_index"], first["sid"]) == \
        ("identity policy", "#0", 0, "BillingOnly")
    assert first["failed"] == \
        'condition StringEquals kms:encryptioncontext:purpose (request: ["marketing"])'
    # With the context the statement wants, the simulator allows it through that statement.
    sim = simulate(server, principal=USER_ARN, action="kms:Decrypt", resource=key,
                   context={"kms:EncryptionContext:purpose": "billing"})
    assert sim["result"] == "allow"
    assert (sim["decided_by"]["policy_kind"], sim["decided_by"]["sid"]) == \
        ("identity policy", "BillingOnly")
    assert decisions(server, principal=USER_ARN, result="allow") == []  # simulate records nothing


def test_decisions_filters_and_errors(server):
    root = kms_as(server, "test", "test")
    root.list_keys()
    assert [d["action"] for d in decisions(server, action="KMS:LISTKEYS")] == ["kms:ListKeys"]
    assert decisions(server, since="2999-01-01T00:00:00Z") == []
    for params, message in [({"result": "maybe"}, "result: allow, deny, explicit_deny or "
                              "implicit_deny"), ({"limit": "0"}, "limit: 1 to 1000"),
                            ({"colour": "red"}, "colour: unknown parameter")]:
        r = requests.get(server.endpoint + "/_sealstack/decisions", params=params,
                         timeout=HTTP_TIMEOUT)
        assert (r.status_code, r.json()["error"], r.json()["message"]) == \
            (400, "InvalidRequest", message)
    r = requests.post(server.endpoint + "/_sealstack/simulate", timeout=HTTP_TIMEOUT,
                      json={"principal": "arn:aws:iam::000000000000:user/Nobody",
                            "action": "kms:Decrypt"})
    assert r.status_code == 400 and r.json()["message"].startswith("principal: no principal")
    # A whole reset forgets them.
    requests.post(server.endpoint + "/_sealstack/reset", timeout=HTTP_TIMEOUT)
    assert decisions(server) == []
