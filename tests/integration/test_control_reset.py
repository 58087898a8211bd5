"""POST /_sealstack/reset, whole and for one account, through real clients."""

import pytest

from aws_helpers import client
from control_helpers import admin, admin_error
from kms_helpers import OTHER, OTHER_ACCOUNT, OTHER_CONFIG, expect_error, kms


def populate(server, key_id, secret, bucket):
    k = kms(server, key_id, secret)
    key = k.create_key()["KeyMetadata"]["KeyId"]
    k.create_alias(AliasName="alias/mine", TargetKeyId=key)
    s3 = client("s3", server.endpoint, key_id, secret)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="obj", Body=b"payload", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key)
    return k, s3, key


@pytest.mark.parametrize("how", ["body", "query"])
def test_reset_of_one_account_leaves_the_others(start_sealstack, how):
    server = start_sealstack(config=OTHER_CONFIG)
    mine_kms, mine_s3, mine_key = populate(server, "test", "test", "root-bucket")
    other_kms, other_s3, _ = populate(server, OTHER["access_key_id"],
                                      OTHER["secret_access_key"], "other-bucket")
    if how == "body":
        assert admin(server, "POST", "reset", {"account": OTHER_ACCOUNT}) == {}
    else:
        assert admin(server, "POST", f"reset?account={OTHER_ACCOUNT}", {}) == {}
    # The other account is empty...
    assert other_kms.list_keys()["Keys"] == []
    assert [a for a in other_kms.list_aliases()["Aliases"]
            if not a["AliasName"].startswith("alias/aws/")] == []
    assert other_s3.list_buckets()["Buckets"] == []
    # ...and its bucket name is free again.
    other_s3.create_bucket(Bucket="other-bucket")
    # The default account is untouched, object included.
    assert [k["KeyId"] for k in mine_kms.list_keys()["Keys"]] == [mine_key]
    assert mine_kms.describe_key(KeyId="alias/mine")["KeyMetadata"]["KeyId"] == mine_key
    assert mine_s3.get_object(Bucket="root-bucket", Key="obj")["Body"].read() == b"payload"


def test_full_reset_drops_everything(start_sealstack):
    server = start_sealstack(config=OTHER_CONFIG)
    mine_kms, mine_s3, mine_key = populate(server, "test", "test", "root-bucket")
    other_kms, other_s3, _ = populate(server, OTHER["access_key_id"],
                                      OTHER["secret_access_key"], "other-bucket")
    assert admin(server, "POST", "reset", {}) == {}
    for k, s3 in ((mine_kms, mine_s3), (other_kms, other_s3)):
        assert k.list_keys()["Keys"] == []
        assert s3.list_buckets()["Buckets"] == []
    expect_error(mine_kms.describe_key, "NotFoundException", 400, KeyId=mine_key)


@pytest.mark.parametrize("body,query", [({"account": "12"}, ""), ({"account": 123}, ""),
                                        ({"acount": OTHER_ACCOUNT}, ""), ({}, "?account=abc")])
def test_bad_reset_is_400(start_sealstack, body, query):
    server = start_sealstack()
    key = kms(server).create_key()["KeyMetadata"]["KeyId"]
    doc = admin_error(server, "POST", "reset" + query, body)
    assert doc["error"] == "InvalidRequest"
    # Nothing was reset.
    assert [k["KeyId"] for k in kms(server).list_keys()["Keys"]] == [key]
