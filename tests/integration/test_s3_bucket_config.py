"""Bucket configurations, ACLs, ownership controls, public access block and CORS with real
clients (issue 15 items 4 and 5): each configuration round-trips, fails as AWS fails (code,
HTTP status and message), answers AWS's "not configured" error or default document, is
authorized with AWS's IAM action and is a CloudTrail management event. Terraform's refresh of an
aws_s3_bucket is replayed against a new and a configured bucket (no 501 anywhere); a browser's
CORS preflight is sent with requests; s3cmd and rclone (Debian packages) run against the server.

Expected answers follow the AWS S3 API reference and the answers AWS recorded for the same
requests (LocalStack's test snapshots), not whatever the server currently does."""

import base64
import hashlib
import json
import os
import shutil
import subprocess

import pytest
import requests

from aws_helpers import HTTP_TIMEOUT, assert_requests_s3_error, client, signed_request
from s3_helpers import (expect, module_servers, need_tool, rclone as run_rclone,  # noqa: F401
                        s3_client)

ROOT_ACCOUNT = "000000000000"
NOBODY = {"access_key_id": "AKIANOBODYCONFIG0000", "secret_access_key": "nobody-secret",
          "arn": f"arn:aws:iam::{ROOT_ACCOUNT}:user/Nobody"}
CORS_READER = {"access_key_id": "AKIACORSREADER000000", "secret_access_key": "cors-secret",
               "arn": f"arn:aws:iam::{ROOT_ACCOUNT}:user/CorsReader",
               "policies": [{"Version": "2012-10-17", "Statement": [
                   {"Effect": "Allow", "Action": "s3:GetBucketCORS", "Resource": "*"}]}]}


@pytest.fixture(scope="module")
def server(module_servers):
    return module_servers.start(config={"principals": [NOBODY, CORS_READER]})


@pytest.fixture(scope="module")
def s3(server):
    return s3_client(server.endpoint)


_counter = [0]


@pytest.fixture
def bucket(s3):
    _counter[0] += 1
    name = f"cfg-{_counter[0]}"
    s3.create_bucket(Bucket=name)
    return name


def _md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def _raw_put(server, bucket, sub, body, md5=True):
    headers = {"Content-Type": "application/xml"}
    if md5:
        headers["Content-MD5"] = _md5(body)
    return signed_request(server.endpoint, "PUT", f"/{bucket}", service="s3",
                          params={sub: ""}, body=body, headers=headers)


def _meta_free(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


# ------------------------------------------------------------------ a new bucket, as AWS has it


def test_a_new_bucket_answers_the_defaults_aws_gives_new_buckets(s3, bucket):
    owner = s3.list_buckets()["Owner"]["ID"]
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == owner
    assert acl["Grants"] == [{"Grantee": {"ID": owner, "Type": "CanonicalUser"},
                              "Permission": "FULL_CONTROL"}]
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True}
    assert _meta_free(s3.get_bucket_versioning(Bucket=bucket)) == {}
    assert _meta_free(s3.get_bucket_accelerate_configuration(Bucket=bucket)) == {}
    assert _meta_free(s3.get_bucket_request_payment(Bucket=bucket)) == {"Payer": "BucketOwner"}
    assert _meta_free(s3.get_bucket_logging(Bucket=bucket)) == {}
    assert _meta_free(s3.get_bucket_notification_configuration(Bucket=bucket)) == {}


NOT_CONFIGURED = [
    ("get_bucket_cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    ("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration",
     "The lifecycle configuration does not exist"),
    ("get_bucket_tagging", "NoSuchTagSet", "The TagSet does not exist"),
    ("get_bucket_website", "NoSuchWebsiteConfiguration",
     "The specified bucket does not have a website configuration"),
    ("get_bucket_replication", "ReplicationConfigurationNotFoundError",
     "The replication configuration was not found"),
    ("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError",
     "Object Lock configuration does not exist for this bucket"),
]


@pytest.mark.parametrize("method,code,message", NOT_CONFIGURED, ids=[c[1] for c in NOT_CONFIGURED])
def test_not_configured_answers_aws_404(s3, bucket, method, code, message):
    err = expect(getattr(s3, method), code, 404, Bucket=bucket)
    assert err["Message"] == message
    assert err.get("BucketName") == bucket


def test_deleted_ownership_and_public_access_block_are_not_found(s3, bucket):
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    err = expect(s3.get_bucket_ownership_controls, "OwnershipControlsNotFoundError", 404,
                 Bucket=bucket)
    assert err["Message"] == "The bucket ownership controls were not found"
    s3.delete_public_access_block(Bucket=bucket)
    err = expect(s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", 404,
                 Bucket=bucket)
    assert err["Message"] == "The public access block configuration was not found"


def test_a_missing_bucket_is_no_such_bucket(s3):
    for method in ("get_bucket_cors", "get_bucket_acl", "get_bucket_versioning",
                   "get_public_access_block"):
        expect(getattr(s3, method), "NoSuchBucket", 404, Bucket="cfg-no-such-bucket")
    expect(s3.put_bucket_tagging, "NoSuchBucket", 404, Bucket="cfg-no-such-bucket",
           Tagging={"TagSet": []})


# ------------------------------------------------------------------ CORS


CORS = {"CORSRules": [
    {"ID": "app", "AllowedHeaders": ["x-amz-*", "content-type"], "AllowedMethods": ["GET", "PUT"],
     "AllowedOrigins": ["https://app.example.com"], "ExposeHeaders": ["ETag"],
     "MaxAgeSeconds": 3000},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}


def test_cors_round_trip_and_delete(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == CORS["CORSRules"]
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect(s3.get_bucket_cors, "NoSuchCORSConfiguration", 404, Bucket=bucket)
    # Deleting what is not there is fine, as on AWS.
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_cors_validation(s3, bucket):
    err = expect(s3.put_bucket_cors, "InvalidRequest", 400, Bucket=bucket, CORSConfiguration={
        "CORSRules": [{"AllowedMethods": ["MYMETHOD"], "AllowedOrigins": ["*"]}]})
    assert err["Message"] == ("Found unsupported HTTP method in CORS config. "
                              "Unsupported method is MYMETHOD")
    err = expect(s3.put_bucket_cors, "MalformedXML", 400, Bucket=bucket,
                 CORSConfiguration={"CORSRules": []})
    assert err["Message"] == ("The XML you provided was not well-formed or did not validate "
                              "against our published schema")
    err = expect(s3.put_bucket_cors, "InvalidRequest", 400, Bucket=bucket, CORSConfiguration={
        "CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://*.*.example"]}]})
    assert err["Message"] == 'AllowedOrigin "https://*.*.example" can not have more than one wildcard.'


def test_a_checksum_required_put_without_md5_is_refused(server, bucket):
    body = (b'<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod>'
            b'<AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>')
    resp = _raw_put(server, bucket, "cors", body, md5=False)
    fields = assert_requests_s3_error(resp, "InvalidRequest", 400)
    assert fields["Message"].startswith("Missing required header for this request: Content-MD5")
    assert _raw_put(server, bucket, "cors", body).status_code == 200


def test_cors_preflight_from_a_browser(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"<html/>")
    url = f"{server.endpoint}/{bucket}/page.html"

    missing_origin = requests.options(url, headers={"Access-Control-Request-Method": "GET"},
                                      timeout=HTTP_TIMEOUT)
    fields = assert_requests_s3_error(missing_origin, "BadRequest", 400)
    assert fields["Message"] == "Insufficient information. Origin request header needed."

    not_enabled = requests.options(url, headers={"Origin": "https://app.example.com",
                                                 "Access-Control-Request-Method": "PUT"},
                                   timeout=HTTP_TIMEOUT)
    fields = assert_requests_s3_error(not_enabled, "AccessForbidden", 403)
    assert fields["Message"] == "CORSResponse: CORS is not enabled for this bucket."
    assert fields["Method"] == "PUT" and fields["ResourceType"] == "OBJECT"

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    ok = requests.options(url, headers={"Origin": "https://app.example.com",
                                        "Access-Control-Request-Method": "PUT",
                                        "Access-Control-Request-Headers": "Content-Type, X-Amz-Date"},
                          timeout=HTTP_TIMEOUT)
    assert ok.status_code == 200, ok.text
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert ok.headers["Access-Control-Allow-Credentials"] == "true"
    assert ok.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert ok.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    assert ok.headers["Access-Control-Expose-Headers"] == "ETag"
    assert ok.headers["Access-Control-Max-Age"] == "3000"
    assert ok.headers["Vary"] == ("Origin, Access-Control-Request-Headers, "
                                  "Access-Control-Request-Method")

    wildcard = requests.options(url, headers={"Origin": "https://other.example",
                                              "Access-Control-Request-Method": "GET"},
                                timeout=HTTP_TIMEOUT)
    assert wildcard.status_code == 200
    assert wildcard.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in wildcard.headers

    refused = requests.options(url, headers={"Origin": "https://other.example",
                                             "Access-Control-Request-Method": "DELETE"},
                               timeout=HTTP_TIMEOUT)
    fields = assert_requests_s3_error(refused, "AccessForbidden", 403)
    assert fields["Message"].startswith("CORSResponse: This CORS request is not allowed.")

    # The actual request carries the same headers, so the browser hands the answer over.
    s3_origin = s3_client(server.endpoint)
    s3_origin.meta.events.register(
        "before-send.s3.GetObject",
        lambda request, **_: request.headers.__setitem__("Origin", "https://app.example.com"))
    got = s3_origin.get_object(Bucket=bucket, Key="page.html")
    headers = got["ResponseMetadata"]["HTTPHeaders"]
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert got["Body"].read() == b"<html/>"


def test_preflight_for_a_missing_bucket(server):
    resp = requests.options(f"{server.endpoint}/cfg-nowhere", headers={"Origin": "https://a.b"},
                            timeout=HTTP_TIMEOUT)
    fields = assert_requests_s3_error(resp, "AccessForbidden", 403)
    assert fields["Message"] == "CORSResponse: Bucket not found"
    assert fields["Method"] == "OPTIONS" and fields["ResourceType"] == "BUCKET"


# ------------------------------------------------------------------ lifecycle, tags, website


LIFECYCLE = {"Rules": [
    {"ID": "expire-tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled",
     "Expiration": {"Days": 7}},
    {"ID": "abort-mpu", "Filter": {"Prefix": ""}, "Status": "Enabled",
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}]}


def test_lifecycle_round_trip_and_validation(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=LIFECYCLE)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == LIFECYCLE["Rules"]
    err = expect(s3.put_bucket_lifecycle_configuration, "InvalidArgument", 400, Bucket=bucket,
                 LifecycleConfiguration={"Rules": [LIFECYCLE["Rules"][0], LIFECYCLE["Rules"][0]]})
    assert err["Message"] == "Rule ID must be unique. Found same ID for more than one rule"
    err = expect(s3.put_bucket_lifecycle_configuration, "InvalidRequest", 400, Bucket=bucket,
                 LifecycleConfiguration={"Rules": [
                     {"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled"}]})
    assert err["Message"] == "At least one action needs to be specified in a rule"
    err = expect(s3.put_bucket_lifecycle_configuration, "InvalidArgument", 400, Bucket=bucket,
                 LifecycleConfiguration={"Rules": [
                     {"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
                      "Expiration": {"Days": 0}}]})
    assert err["Message"] == "'Days' for Expiration action must be a positive integer"
    expect(s3.put_bucket_lifecycle_configuration, "MalformedXML", 400, Bucket=bucket,
           LifecycleConfiguration={"Rules": [
               {"ID": "x", "Filter": {"Prefix": ""}, "Status": "On", "Expiration": {"Days": 1}}]})
    # What was stored before the refused puts is still there.
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == LIFECYCLE["Rules"]
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", 404,
           Bucket=bucket)


def test_bucket_tagging_round_trip_and_aws_limits(s3, bucket):
    tags = [{"Key": "team", "Value": "storage"}, {"Key": "env", "Value": ""}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    cases = [
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
         "Cannot provide multiple Tags with the same key"),
        ([{"Key": "k" * 129, "Value": "v"}], "The TagKey you have provided is too long, max 128"),
        ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is too long, max 256"),
        ([{"Key": "aws:cloudformation:x", "Value": "v"}],
         "System tags cannot be added/updated by requester"),
    ]
    for tag_set, message in cases:
        err = expect(s3.put_bucket_tagging, "InvalidTag", 400, Bucket=bucket,
                     Tagging={"TagSet": tag_set})
        assert err["Message"] == message
    expect(s3.put_bucket_tagging, "InvalidTag", 400, Bucket=bucket,
           Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]})
    s3.put_bucket_tagging(Bucket=bucket,
                          Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(50)]})
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect(s3.get_bucket_tagging, "NoSuchTagSet", 404, Bucket=bucket)


def test_website_round_trip_and_validation(s3, bucket):
    website = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=website)
    assert _meta_free(s3.get_bucket_website(Bucket=bucket)) == website
    err = expect(s3.put_bucket_website, "InvalidArgument", 400, Bucket=bucket,
                 WebsiteConfiguration={"IndexDocument": {"Suffix": "a/index.html"}})
    assert err["Message"] == "The IndexDocument Suffix is not well formed"
    err = expect(s3.put_bucket_website, "InvalidArgument", 400, Bucket=bucket,
                 WebsiteConfiguration={"ErrorDocument": {"Key": "404.html"}})
    assert err["Message"] == ("A value for IndexDocument Suffix must be provided if "
                              "RedirectAllRequestsTo is empty")
    s3.delete_bucket_website(Bucket=bucket)
    expect(s3.get_bucket_website, "NoSuchWebsiteConfiguration", 404, Bucket=bucket)
    redirect = {"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=redirect)
    assert _meta_free(s3.get_bucket_website(Bucket=bucket)) == redirect


# ------------------------------------------------------------------ logging, notifications, ...


def test_logging_needs_an_existing_target_and_can_be_turned_off(s3, bucket):
    status = {"LoggingEnabled": {"TargetBucket": "cfg-no-such-target", "TargetPrefix": "logs/"}}
    err = expect(s3.put_bucket_logging, "InvalidTargetBucketForLogging", 400, Bucket=bucket,
                 BucketLoggingStatus=status)
    assert err["Message"] == "The target bucket for logging does not exist"
    s3.create_bucket(Bucket=f"{bucket}-logs")
    status["LoggingEnabled"]["TargetBucket"] = f"{bucket}-logs"
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus=status)
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == status["LoggingEnabled"]
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_notifications_are_stored_not_delivered(s3, bucket):
    config = {"QueueConfigurations": [
        {"Id": "new-objects", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:uploads",
         "Events": ["s3:ObjectCreated:*"]}]}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    assert _meta_free(s3.get_bucket_notification_configuration(Bucket=bucket)) == config
    err = expect(s3.put_bucket_notification_configuration, "InvalidArgument", 400, Bucket=bucket,
                 NotificationConfiguration={"QueueConfigurations": [
                     {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                      "Events": ["s3:ObjectEaten:*"]}]})
    assert err["Message"] == "The event is not supported for notifications"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert _meta_free(s3.get_bucket_notification_configuration(Bucket=bucket)) == {}


def test_accelerate_and_request_payment(server, s3, bucket):
    s3.put_bucket_accelerate_configuration(Bucket=bucket,
                                           AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    resp = _raw_put(server, bucket, "accelerate",
                    b"<AccelerateConfiguration><Status>On</Status></AccelerateConfiguration>")
    assert_requests_s3_error(resp, "MalformedXML", 400)
    s3.create_bucket(Bucket="cfg.dotted")
    err = expect(s3.put_bucket_accelerate_configuration, "InvalidRequest", 400,
                 Bucket="cfg.dotted", AccelerateConfiguration={"Status": "Enabled"})
    assert err["Message"] == ("S3 Transfer Acceleration is not supported for buckets with "
                              "periods (.) in their names")
    s3.put_bucket_request_payment(Bucket=bucket,
                                  RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_replication_and_object_lock_need_versioning(s3, bucket):
    err = expect(s3.put_bucket_replication, "InvalidRequest", 400, Bucket=bucket,
                 ReplicationConfiguration={
                     "Role": "arn:aws:iam::000000000000:role/replication",
                     "Rules": [{"ID": "all", "Priority": 1, "Status": "Enabled",
                                "Filter": {"Prefix": ""},
                                "DeleteMarkerReplication": {"Status": "Disabled"},
                                "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]})
    assert err["Message"] == ("Versioning must be 'Enabled' on the bucket to apply a replication "
                              "configuration")
    expect(s3.put_bucket_replication, "MalformedXML", 400, Bucket=bucket,
           ReplicationConfiguration={"Role": "arn:aws:iam::000000000000:role/r", "Rules": [
               {"Status": "Enabled", "Prefix": "", "Destination": {"Bucket": ""}}]})
    err = expect(s3.put_object_lock_configuration, "InvalidBucketState", 409, Bucket=bucket,
                 ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert err["Message"] == ("Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                              "configuration")
    expect(s3.get_bucket_replication, "ReplicationConfigurationNotFoundError", 404, Bucket=bucket)


def test_public_access_block_round_trip(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "BlockPublicPolicy": False})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False}


STORED_BY_ID = [
    ("metrics", "put_bucket_metrics_configuration", "get_bucket_metrics_configuration",
     "delete_bucket_metrics_configuration", "list_bucket_metrics_configurations",
     "MetricsConfiguration", "MetricsConfigurationList",
     {"Id": "docs", "Filter": {"Prefix": "docs/"}}),
    ("inventory", "put_bucket_inventory_configuration", "get_bucket_inventory_configuration",
     "delete_bucket_inventory_configuration", "list_bucket_inventory_configurations",
     "InventoryConfiguration", "InventoryConfigurationList",
     {"Id": "weekly", "IsEnabled": True, "IncludedObjectVersions": "Current",
      "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::inventory",
                                              "Format": "CSV"}},
      "Schedule": {"Frequency": "Weekly"}}),
    ("analytics", "put_bucket_analytics_configuration", "get_bucket_analytics_configuration",
     "delete_bucket_analytics_configuration", "list_bucket_analytics_configurations",
     "AnalyticsConfiguration", "AnalyticsConfigurationList",
     {"Id": "sca", "StorageClassAnalysis": {}}),
    ("intelligent-tiering", "put_bucket_intelligent_tiering_configuration",
     "get_bucket_intelligent_tiering_configuration",
     "delete_bucket_intelligent_tiering_configuration",
     "list_bucket_intelligent_tiering_configurations", "IntelligentTieringConfiguration",
     "IntelligentTieringConfigurationList",
     {"Id": "archive", "Status": "Enabled",
      "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]}),
]


@pytest.mark.parametrize("name,put,get,delete,list_,member,list_member,config", STORED_BY_ID,
                         ids=[c[0] for c in STORED_BY_ID])
def test_configurations_stored_by_id(s3, bucket, name, put, get, delete, list_, member,
                                     list_member, config):
    getattr(s3, put)(Bucket=bucket, Id=config["Id"], **{member: config})
    assert getattr(s3, get)(Bucket=bucket, Id=config["Id"])[member] == config
    listed = getattr(s3, list_)(Bucket=bucket)
    assert listed[list_member] == [config] and listed["IsTruncated"] is False
    err = expect(getattr(s3, get), "NoSuchConfiguration", 404, Bucket=bucket, Id="other")
    assert err["Message"] == "The specified configuration does not exist."
    getattr(s3, delete)(Bucket=bucket, Id=config["Id"])
    expect(getattr(s3, delete), "NoSuchConfiguration", 404, Bucket=bucket, Id=config["Id"])
    assert getattr(s3, list_)(Bucket=bucket).get(list_member, []) == []


def test_configurations_by_id_are_validated(s3, bucket):
    expect(s3.put_bucket_intelligent_tiering_configuration, "MalformedXML", 400, Bucket=bucket,
           Id="x", IntelligentTieringConfiguration={
               "Id": "x", "Status": "Enabled",
               "Tierings": [{"Days": 90, "AccessTier": "COLD_ACCESS"}]})
    expect(s3.put_bucket_inventory_configuration, "MalformedXML", 400, Bucket=bucket, Id="x",
           InventoryConfiguration={
               "Id": "x", "IsEnabled": True, "IncludedObjectVersions": "Some",
               "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::i",
                                                       "Format": "CSV"}},
               "Schedule": {"Frequency": "Daily"}})
    err = expect(s3.put_bucket_metrics_configuration, "InvalidArgument", 400, Bucket=bucket,
                 Id="one", MetricsConfiguration={"Id": "two"})
    assert err["Message"] == "Document ID does not match the specified configuration ID."


# ------------------------------------------------------------------ ownership and ACLs


def test_acls_on_a_bucket_owner_enforced_bucket(s3, bucket):
    err = expect(s3.put_bucket_acl, "AccessControlListNotSupported", 400, Bucket=bucket,
                 ACL="public-read")
    assert err["Message"] == "The bucket does not allow ACLs"
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    err = expect(s3.put_object, "AccessControlListNotSupported", 400, Bucket=bucket, Key="k",
                 Body=b"x", ACL="public-read")
    assert err["Message"] == "The bucket does not allow ACLs"
    expect(s3.put_object, "AccessControlListNotSupported", 400, Bucket=bucket, Key="k",
           Body=b"x", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"')
    for canned in ("bucket-owner-full-control", "private"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL=canned)
    expect(s3.create_multipart_upload, "AccessControlListNotSupported", 400, Bucket=bucket,
           Key="mpu", ACL="authenticated-read")
    expect(s3.copy_object, "AccessControlListNotSupported", 400, Bucket=bucket, Key="copy",
           CopySource={"Bucket": bucket, "Key": "k"}, ACL="public-read")
    owner = s3.list_buckets()["Owner"]["ID"]
    acl = s3.get_object_acl(Bucket=bucket, Key="k")
    assert acl["Owner"]["ID"] == owner
    assert acl["Grants"] == [{"Grantee": {"ID": owner, "Type": "CanonicalUser"},
                              "Permission": "FULL_CONTROL"}]
    expect(s3.get_object_acl, "NoSuchKey", 404, Bucket=bucket, Key="missing")
    expect(s3.put_object_acl, "AccessControlListNotSupported", 400, Bucket=bucket, Key="k",
           ACL="public-read")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")


def test_create_bucket_with_acls(s3):
    err = expect(s3.create_bucket, "InvalidBucketAclWithObjectOwnership", 400,
                 Bucket="cfg-public", ACL="public-read")
    assert err["Message"] == ("Bucket cannot have ACLs set with ObjectOwnership's "
                              "BucketOwnerEnforced setting")
    err = expect(s3.create_bucket, "InvalidBucketAclWithBlockPublicAccessError", 400,
                 Bucket="cfg-public", ACL="public-read", ObjectOwnership="ObjectWriter")
    assert err["Message"] == "Bucket cannot have public ACLs set with BlockPublicAccess enabled"
    s3.create_bucket(Bucket="cfg-private-acl", ACL="private")
    s3.create_bucket(Bucket="cfg-writer", ObjectOwnership="ObjectWriter")
    assert s3.get_bucket_ownership_controls(Bucket="cfg-writer")["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]}


def test_acls_once_enabled(s3, bucket):
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    # BlockPublicAcls still refuses a public ACL.
    expect(s3.put_bucket_acl, "AccessDenied", 403, Bucket=bucket, ACL="public-read")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
            "Permission": "READ"} in grants
    # An ACL that grants others keeps the bucket from going back to BucketOwnerEnforced.
    err = expect(s3.put_bucket_ownership_controls, "InvalidBucketAclWithObjectOwnership", 400,
                 Bucket=bucket,
                 OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert err["Message"] == ("Bucket cannot have ACLs set with ObjectOwnership's "
                              "BucketOwnerEnforced setting")
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    expect(s3.put_bucket_ownership_controls, "MalformedXML", 400, Bucket=bucket,
           OwnershipControls={"Rules": [{"ObjectOwnership": "Everyone"}]})


# ------------------------------------------------------------------ authorization and audit


def test_each_configuration_is_authorized_with_its_iam_action(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    nobody = s3_client(server.endpoint, key=NOBODY["access_key_id"],
                       secret=NOBODY["secret_access_key"])
    reader = s3_client(server.endpoint, key=CORS_READER["access_key_id"],
                       secret=CORS_READER["secret_access_key"])
    for method in ("get_bucket_cors", "get_bucket_acl", "get_bucket_versioning",
                   "get_bucket_lifecycle_configuration", "get_public_access_block"):
        expect(getattr(nobody, method), "AccessDenied", 403, Bucket=bucket)
    assert reader.get_bucket_cors(Bucket=bucket)["CORSRules"] == CORS["CORSRules"]
    expect(reader.put_bucket_cors, "AccessDenied", 403, Bucket=bucket, CORSConfiguration=CORS)
    expect(reader.get_bucket_tagging, "AccessDenied", 403, Bucket=bucket)
    # A bucket policy denying s3:GetLifecycleConfiguration stops even the account root.
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetLifecycleConfiguration",
                       "Resource": f"arn:aws:s3:::{bucket}"}]}))
    expect(s3.get_bucket_lifecycle_configuration, "AccessDenied", 403, Bucket=bucket)
    expect(s3.get_bucket_website, "NoSuchWebsiteConfiguration", 404, Bucket=bucket)


def test_configuration_calls_are_management_events(server, s3):
    s3.create_bucket(Bucket="cfg-audited")
    s3.put_bucket_tagging(Bucket="cfg-audited", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.get_bucket_acl(Bucket="cfg-audited")
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_cors(Bucket="cfg-audited")
    ct = client("cloudtrail", server.endpoint)
    out = ct.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName",
                                              "AttributeValue": "arn:aws:s3:::cfg-audited"}],
                           MaxResults=50)
    recorded = [json.loads(e["CloudTrailEvent"]) for e in out["Events"]]
    names = [e["eventName"] for e in recorded]
    assert names[:4] == ["GetBucketCors", "GetBucketAcl", "PutBucketTagging", "CreateBucket"], names
    assert recorded[0]["errorCode"] == "NoSuchCORSConfiguration" and recorded[0]["readOnly"]
    assert recorded[2]["readOnly"] is False


# ------------------------------------------------------------------ Terraform's refresh


TERRAFORM_READS = [
    ("get_bucket_acl", None), ("get_bucket_cors", "NoSuchCORSConfiguration"),
    ("get_bucket_website", "NoSuchWebsiteConfiguration"), ("get_bucket_versioning", None),
    ("get_bucket_accelerate_configuration", None), ("get_bucket_request_payment", None),
    ("get_bucket_logging", None),
    ("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration"),
    ("get_bucket_replication", "ReplicationConfigurationNotFoundError"),
    ("get_bucket_encryption", None),
    ("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError"),
    ("get_bucket_policy", "NoSuchBucketPolicy"), ("get_bucket_tagging", "NoSuchTagSet"),
]


def _refresh(s3, bucket):
    """The reads of the AWS provider's aws_s3_bucket refresh, in its order: {method: code}."""
    answers = {}
    s3.head_bucket(Bucket=bucket)
    for method, _ in TERRAFORM_READS:
        try:
            getattr(s3, method)(Bucket=bucket)
            answers[method] = None
        except s3.exceptions.ClientError as e:
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] != 501, e.response
            answers[method] = e.response["Error"]["Code"]
    return answers


def test_terraform_refresh_of_a_new_bucket(s3, bucket):
    assert _refresh(s3, bucket) == dict(TERRAFORM_READS)


def test_terraform_refresh_of_a_configured_bucket(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    s3.put_bucket_website(Bucket=bucket,
                          WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=LIFECYCLE)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Name", "Value": "x"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
            "Resource": f"arn:aws:s3:::{bucket}"}]}))
    s3.put_bucket_accelerate_configuration(Bucket=bucket,
                                           AccelerateConfiguration={"Status": "Suspended"})
    answers = _refresh(s3, bucket)
    expected = dict(TERRAFORM_READS)
    for configured in ("get_bucket_cors", "get_bucket_website", "get_bucket_policy",
                       "get_bucket_lifecycle_configuration", "get_bucket_tagging"):
        expected[configured] = None
    assert answers == expected
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"


# ------------------------------------------------------------------ CLIs and third-party tools


def _aws(server, cli, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    return subprocess.run([cli, "--endpoint-url", server.endpoint, *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_aws_cli_reads_and_writes_configurations(server, s3, cli):
    bucket = f"cfg-cli-{'v1' if cli == 'aws' else 'v2'}"
    s3.create_bucket(Bucket=bucket)
    p = _aws(server, cli, "s3api", "get-bucket-acl", "--bucket", bucket)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Grants"][0]["Permission"] == "FULL_CONTROL"
    p = _aws(server, cli, "s3api", "get-bucket-cors", "--bucket", bucket)
    assert p.returncode != 0 and "NoSuchCORSConfiguration" in p.stderr, p.stderr
    p = _aws(server, cli, "s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging",
             "TagSet=[{Key=team,Value=data}]")
    assert p.returncode == 0, p.stderr
    p = _aws(server, cli, "s3api", "get-bucket-tagging", "--bucket", bucket)
    assert json.loads(p.stdout)["TagSet"] == [{"Key": "team", "Value": "data"}]
    p = _aws(server, cli, "s3api", "get-public-access-block", "--bucket", bucket)
    assert json.loads(p.stdout)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    p = _aws(server, cli, "s3api", "put-object", "--bucket", bucket, "--key", "k", "--acl",
             "public-read")
    assert p.returncode != 0 and "AccessControlListNotSupported" in p.stderr, p.stderr


def test_s3cmd_info(server, s3, tmp_path):
    need_tool("s3cmd")
    s3.create_bucket(Bucket="cfg-s3cmd")
    host = server.endpoint.split("://", 1)[1]
    cfg = tmp_path / "s3cfg"
    cfg.write_text(f"[default]\naccess_key = test\nsecret_key = test\nhost_base = {host}\n"
                   f"host_bucket = {host}\nuse_https = False\nsignature_v2 = False\n"
                   "bucket_location = us-east-1\n")
    p = subprocess.run(["s3cmd", "-c", str(cfg), "info", "s3://cfg-s3cmd"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ERROR" not in p.stdout + p.stderr, p.stdout + p.stderr
    # s3cmd 2.3 (Debian 12) reads the location, request payment, lifecycle, policy, CORS and ACL.
    lines = {k.strip(): v.strip() for k, _, v in
             (line.partition(":") for line in p.stdout.splitlines()[1:]) if v}
    assert lines["Payer"] == "BucketOwner", p.stdout
    assert lines["Expiration Rule"] == "none" and lines["CORS"] == "none", p.stdout
    assert lines["ACL"].endswith("FULL_CONTROL"), p.stdout


def test_rclone_lists_copies_and_purges(server, s3, tmp_path):
    need_tool("rclone")
    s3.create_bucket(Bucket="cfg-rclone")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_bytes(b"alpha")
    (src / "sub").mkdir()
    (src / "sub" / "b.bin").write_bytes(os.urandom(3000))
    def rclone(*args):
        return run_rclone(server.endpoint, *args)

    rclone("copy", str(src), "ss:cfg-rclone/data")
    listing = rclone("ls", "ss:cfg-rclone")
    assert "data/a.txt" in listing and "data/sub/b.bin" in listing, listing
    rclone("copy", "ss:cfg-rclone/data", str(tmp_path / "back"))
    assert (tmp_path / "back" / "sub" / "b.bin").read_bytes() == (src / "sub" / "b.bin").read_bytes()
    rclone("purge", "ss:cfg-rclone")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "cfg-rclone" not in names
