"""Time travel never breaks a client (docs/admin-api.md, "Clients never notice the clock
moving"): after POST /_sealstack/clock moves server time by days, unmodified clients (boto3 of
both generations, the AWS CLI v1 and v2) that sign with the real time keep working and see what
the move did (a key scheduled for deletion is gone); presigned URLs expire in server time from
the moment they were signed; POST /_sealstack/reset returns the clock to real time. Nothing here
shifts a signer."""

import json
import subprocess

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, REGION, client, json_target_request
from kms_helpers import shift_signing_clock
from test_kms_cli import _env, aws_cli  # noqa: F401  (the CLI fixture, v1 and v2)

EIGHT_DAYS = 8 * 86400


def move_clock(server, body):
    r = requests.post(server.endpoint + "/_sealstack/clock", json=body, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def reset(server, body=None):
    r = requests.post(server.endpoint + "/_sealstack/reset", json=body or {},
                      timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text


def offset(server):
    return requests.get(server.endpoint + "/_sealstack/clock",
                        timeout=HTTP_TIMEOUT).json()["offset_seconds"]


def test_boto3_keeps_working_after_an_eight_day_advance_and_sees_the_key_gone(sealstack):
    kms = client("kms", sealstack.endpoint)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    move_clock(sealstack, {"advance_seconds": EIGHT_DAYS})
    # The same client, signing with the real time: no "Signature expired", the key is gone.
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId=key_id)
    with pytest.raises(kms.exceptions.ClientError) as e:
        kms.decrypt(CiphertextBlob=blob)
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    # A new client, other services, S3's 15-minute window as well as the JSON services' 5.
    assert client("sts", sealstack.endpoint).get_caller_identity()["Account"]
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="after-travel")
    s3.put_object(Bucket="after-travel", Key="k", Body=b"v")
    assert s3.get_object(Bucket="after-travel", Key="k")["Body"].read() == b"v"


def test_a_signature_outside_both_windows_is_still_refused(sealstack):
    """Accepting the real clock does not accept any time: a request signed a day in the past is
    refused before and after the move, with the skew error quoting the real clock."""
    move_clock(sealstack, {"advance_seconds": EIGHT_DAYS})
    mp = pytest.MonkeyPatch()
    try:
        shift_signing_clock(mp, -86400)
        r = json_target_request(sealstack.endpoint, "TrentService.ListKeys", b"{}")
    finally:
        mp.undo()
    assert r.status_code == 400, r.text
    doc = r.json()
    assert doc["__type"].endswith("InvalidSignatureException"), doc
    assert doc["message"].startswith("Signature expired:"), doc


def test_presigned_urls_expire_in_server_time_from_their_signing_moment(sealstack):
    s3 = client("s3", sealstack.endpoint, signature_version="s3v4")
    s3.create_bucket(Bucket="presigned")
    s3.put_object(Bucket="presigned", Key="k", Body=b"payload")
    before = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "k"},
                                       ExpiresIn=3600)
    assert requests.get(before, timeout=HTTP_TIMEOUT).content == b"payload"
    move_clock(sealstack, {"advance_seconds": 86400})
    # Signed an hour's lifetime before a one-day advance: expired by it.
    r = requests.get(before, timeout=HTTP_TIMEOUT)
    assert r.status_code == 403 and b"<Code>AccessDenied</Code>" in r.content, r.content
    assert b"Request has expired" in r.content
    # Signed after the advance, with the real time as every SDK does: its full span.
    after = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "k"},
                                      ExpiresIn=3600)
    r = requests.get(after, timeout=HTTP_TIMEOUT)
    assert r.content == b"payload", r.content
    # Back to real time, the URL signed before the advance is valid again: only server time
    # decides, from the signing moment.
    move_clock(sealstack, {"set": "now"})
    assert requests.get(before, timeout=HTTP_TIMEOUT).content == b"payload"


def test_presigned_sigv2_urls_expire_by_the_real_clock(sealstack):
    """SigV2 URLs carry an absolute Expires and no signing time: the real clock decides, so a
    server-clock advance does not age them (the unit tests check the expiry itself)."""
    s3 = client("s3", sealstack.endpoint)
    s3.create_bucket(Bucket="presigned-v2")
    s3.put_object(Bucket="presigned-v2", Key="k", Body=b"payload")
    v2 = client("s3", sealstack.endpoint, signature_version="s3")
    url = v2.generate_presigned_url("get_object", Params={"Bucket": "presigned-v2", "Key": "k"},
                                    ExpiresIn=3600)
    assert "Signature=" in url and "X-Amz-" not in url
    move_clock(sealstack, {"advance_seconds": 86400})
    assert requests.get(url, timeout=HTTP_TIMEOUT).content == b"payload"


def test_reset_returns_the_clock_to_real_time_unless_kept(sealstack):
    move_clock(sealstack, {"advance_seconds": 3600})
    reset(sealstack, {"keep_clock": True})
    assert offset(sealstack) == pytest.approx(3600, abs=1)
    reset(sealstack, {"account": "000000000000"})  # an account's reset leaves the shared clock
    assert offset(sealstack) == pytest.approx(3600, abs=1)
    reset(sealstack)
    assert offset(sealstack) == 0
    r = requests.post(sealstack.endpoint + "/_sealstack/reset", json={"keep_clock": "yes"},
                      timeout=HTTP_TIMEOUT)
    assert (r.status_code, r.json()["error"]) == (400, "InvalidRequest")
    assert r.json()["message"] == "keep_clock: expected true or false"
    move_clock(sealstack, {"advance_seconds": 60})
    assert move_clock(sealstack, {"set": "now"})["offset_seconds"] == 0


@pytest.mark.cli
def test_aws_cli_keeps_working_after_an_eight_day_advance(sealstack, aws_cli):
    def run(*args):
        return subprocess.run([aws_cli, *args, "--endpoint-url", sealstack.endpoint, "--region",
                               REGION, "--output", "json"], capture_output=True, text=True,
                              timeout=60, env=_env())

    made = run("kms", "create-key")
    assert made.returncode == 0, made.stderr
    key_id = json.loads(made.stdout)["KeyMetadata"]["KeyId"]
    assert run("kms", "schedule-key-deletion", "--key-id", key_id,
               "--pending-window-in-days", "7").returncode == 0
    move_clock(sealstack, {"advance_seconds": EIGHT_DAYS})
    gone = run("kms", "describe-key", "--key-id", key_id)
    assert gone.returncode != 0 and "NotFoundException" in gone.stderr, gone.stderr
    assert "Signature expired" not in gone.stderr
    who = run("sts", "get-caller-identity")
    assert who.returncode == 0, who.stderr
    listed = run("s3api", "list-buckets")
    assert listed.returncode == 0, listed.stderr
