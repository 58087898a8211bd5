"""Glue crawlers: S3 targets crawled as the crawler's IAM role (SSE-KMS objects decrypted through
KMS as the role), CSV and JSON-lines schemas inferred, one table per folder with key=value folders
as partitions, written into an SSE-KMS encrypted catalog; a role the key policy does not name
fails the crawl naming principal, action and key; crawl logs in CloudWatch Logs under the
crawler security configuration's key. One server for the module."""

import json
import time

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import ROOT_ACCOUNT, client
from glue_helpers import EC2_TRUST, GLUE_TRUST, create_iam_roles
from s3_helpers import module_servers  # noqa: F401 (fixture)

ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "glue:*", "logs:*"], "Resource": "*"}]})

ORDERS = "id,name,amount,active\n1,ann,10.5,true\n2,bob,7,false\n"
EVENTS = '{"id": 1, "kind": "click", "score": 0.5}\n{"id": 2, "kind": "view", "extra": "x"}\n'


def role_arn(name):
    return f"arn:aws:iam::{ROOT_ACCOUNT}:role/{name}"


def err(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]


def wait_ready(g, name, deadline_s=30):
    end = time.monotonic() + deadline_s
    crawler = None
    while time.monotonic() < end:
        crawler = g.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and "LastCrawl" in crawler:
            return crawler
        time.sleep(0.05)  # polling a state machine, as SDK waiters do; not a race cover-up
    raise AssertionError(f"crawler {name} did not finish: {crawler}")


@pytest.fixture(scope="module")
def env(module_servers):  # noqa: F811
    server = module_servers.start()
    create_iam_roles(server, [("CrawlerRole", GLUE_TRUST), ("CrawlerDenied", GLUE_TRUST),
                                       ("CrawlerEc2", EC2_TRUST)], ROLE_POLICY)
    kms = client("kms", server.endpoint)

    def key_for(*roles):
        return kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "account", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Sid": "crawlers", "Effect": "Allow", "Principal": {"AWS": list(roles)},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]})
        )["KeyMetadata"]["Arn"]

    key = key_for(role_arn("CrawlerRole"))  # the data's: only CrawlerRole may use it
    catalog_key = key_for(role_arn("CrawlerRole"), role_arn("CrawlerDenied"))
    s3 = client("s3", server.endpoint)
    s3.create_bucket(Bucket="crawl-data")
    s3.put_bucket_encryption(Bucket="crawl-data", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                "KMSMasterKeyID": key}}]})
    for k, body in (("sales/orders/year=2024/month=01/part1.csv", ORDERS),
                    ("sales/orders/year=2024/month=02/part2.csv", ORDERS),
                    ("sales/orders/_SUCCESS", "x"),
                    ("sales/events/e1.json", EVENTS)):
        s3.put_object(Bucket="crawl-data", Key=k, Body=body.encode())
    g = client("glue", server.endpoint)
    g.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": catalog_key}})
    g.create_database(DatabaseInput={"Name": "crawled"})
    return server, g, kms, key, catalog_key


def test_a_crawler_builds_tables_in_the_encrypted_catalog_from_sse_kms_data(env):
    server, g, kms, key, catalog_key = env
    g.create_crawler(Name="sales", Role="CrawlerRole", DatabaseName="crawled",
                     Targets={"S3Targets": [{"Path": "s3://crawl-data/sales/"}]},
                     Description="first", Tags={"team": "data"})
    assert g.get_crawler(Name="sales")["Crawler"]["State"] == "READY"
    g.start_crawler(Name="sales")
    crawler = wait_ready(g, "sales")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler["LastCrawl"]

    tables = {t["Name"]: t for t in g.get_tables(DatabaseName="crawled")["TableList"]}
    assert sorted(tables) == ["events", "orders"]
    orders = tables["orders"]
    assert [(c["Name"], c["Type"]) for c in orders["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"), ("name", "string"), ("amount", "double"), ("active", "boolean")]
    assert [k["Name"] for k in orders["PartitionKeys"]] == ["year", "month"]
    assert orders["Parameters"]["classification"] == "csv"
    assert orders["StorageDescriptor"]["Location"] == "s3://crawl-data/sales/orders/"
    parts = g.get_partitions(DatabaseName="crawled", TableName="orders",
                             Expression="month = '02'")["Partitions"]
    assert [p["Values"] for p in parts] == [["2024", "02"]]
    events = tables["events"]
    assert [(c["Name"], c["Type"]) for c in events["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"), ("kind", "string"), ("score", "double"), ("extra", "string")]
    assert events["Parameters"]["classification"] == "json"

    metrics = g.get_crawler_metrics(CrawlerNameList=["sales", "nosuch"])["CrawlerMetricsList"]
    assert [(m["CrawlerName"], m["TablesCreated"], m["TablesUpdated"]) for m in metrics] == [
        ("sales", 2, 0)]
    # A second crawl updates the same tables.
    g.start_crawler(Name="sales")
    assert wait_ready(g, "sales")["LastCrawl"]["Status"] == "SUCCEEDED"
    m = g.get_crawler_metrics(CrawlerNameList=["sales"])["CrawlerMetricsList"][0]
    assert (m["TablesCreated"], m["TablesUpdated"]) == (0, 2)

    # The tables are sealed under the catalog's key: with the key disabled they cannot be read.
    kms.disable_key(KeyId=catalog_key)
    try:
        with pytest.raises(ClientError) as e:
            g.get_table(DatabaseName="crawled", Name="orders")
        assert err(e) == ("GlueEncryptionException", 400)
    finally:
        kms.enable_key(KeyId=catalog_key)


def test_a_role_the_key_policy_does_not_name_fails_the_crawl(env):
    server, g, kms, key, catalog_key = env
    g.create_crawler(Name="denied", Role="CrawlerDenied", DatabaseName="crawled",
                     Targets={"S3Targets": [{"Path": "s3://crawl-data/sales/events/"}]})
    g.start_crawler(Name="denied")
    last = wait_ready(g, "denied")["LastCrawl"]
    assert last["Status"] == "FAILED"
    msg = last["ErrorMessage"]
    assert f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/CrawlerDenied/" in msg, msg
    assert msg.startswith("Failed to read s3://crawl-data/sales/events/e1.json as "), msg
    assert "kms:Decrypt" in msg and key in msg, msg


def test_crawler_operations_and_errors(env):
    server, g, kms, key, catalog_key = env
    targets = {"S3Targets": [{"Path": "s3://crawl-data/sales/events/"}]}
    g.create_crawler(Name="ops", Role=role_arn("CrawlerRole"), DatabaseName="crawled",
                     Targets=targets, Schedule="cron(0 12 * * ? *)", TablePrefix="t_",
                     Tags={"team": "ops"})
    c = g.get_crawler(Name="ops")["Crawler"]
    assert c["Schedule"] == {"ScheduleExpression": "cron(0 12 * * ? *)", "State": "SCHEDULED"}
    assert c["Version"] == 1 and c["TablePrefix"] == "t_"
    g.update_crawler(Name="ops", Description="second")
    c = g.get_crawler(Name="ops")["Crawler"]
    assert c["Description"] == "second" and c["Version"] == 2
    assert "ops" in g.list_crawlers()["CrawlerNames"]
    assert g.list_crawlers(Tags={"team": "ops"})["CrawlerNames"] == ["ops"]
    assert "ops" in [x["Name"] for x in g.get_crawlers()["Crawlers"]]

    with pytest.raises(ClientError) as e:
        g.create_crawler(Name="ops", Role="CrawlerRole", Targets=targets)
    assert err(e) == ("AlreadyExistsException", 400)
    with pytest.raises(ClientError) as e:
        g.get_crawler(Name="nosuch")
    assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.start_crawler(Name="nosuch")
    assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.stop_crawler(Name="ops")
    assert err(e) == ("CrawlerNotRunningException", 400)
    with pytest.raises(ClientError) as e:
        g.create_crawler(Name="ec2", Role="CrawlerEc2", Targets=targets)
    assert err(e) == ("InvalidInputException", 400)
    assert e.value.response["Error"]["Message"] == (
        f"Service is unable to assume role {role_arn('CrawlerEc2')}. "
        "Please verify role's TrustPolicy")
    with pytest.raises(ClientError) as e:
        g.create_crawler(Name="noroles", Role="NoSuchRole", Targets=targets)
    assert err(e) == ("InvalidInputException", 400)

    g.start_crawler(Name="ops")
    crawler = wait_ready(g, "ops")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler["LastCrawl"]
    assert g.get_table(DatabaseName="crawled", Name="t_events")["Table"]["Name"] == "t_events"
    g.delete_crawler(Name="ops")
    with pytest.raises(ClientError) as e:
        g.delete_crawler(Name="ops")
    assert err(e) == ("EntityNotFoundException", 400)


def test_crawler_logs_go_to_cloudwatch_under_the_security_configuration_key(env):
    server, g, kms, key, catalog_key = env
    log_key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "account", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "crawler", "Effect": "Allow", "Principal": {"AWS": role_arn("CrawlerRole")},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt"], "Resource": "*"}]})
    )["KeyMetadata"]["Arn"]
    g.create_security_configuration(Name="crawl-logs", EncryptionConfiguration={
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": log_key}})
    g.create_crawler(Name="logged", Role="CrawlerRole", DatabaseName="crawled",
                     CrawlerSecurityConfiguration="crawl-logs",
                     Targets={"S3Targets": [{"Path": "s3://crawl-data/sales/events/"}]})
    g.create_crawler(Name="plain-logs", Role="CrawlerRole", DatabaseName="crawled",
                     Targets={"S3Targets": [{"Path": "s3://crawl-data/sales/events/"}]})
    g.start_crawler(Name="logged")
    g.start_crawler(Name="plain-logs")
    group = "/aws-glue/crawlers-role/CrawlerRole-crawl-logs"
    last = wait_ready(g, "logged")["LastCrawl"]
    assert last["Status"] == "SUCCEEDED", last
    assert (last["LogGroup"], last["LogStream"]) == (group, "logged")
    assert wait_ready(g, "plain-logs")["LastCrawl"]["LogGroup"] == "/aws-glue/crawlers"
    logs = client("logs", server.endpoint)
    groups = {gr["logGroupName"]: gr for gr in
              logs.describe_log_groups(logGroupNamePrefix="/aws-glue/crawlers")["logGroups"]}
    assert groups[group]["kmsKeyId"] == log_key
    assert "kmsKeyId" not in groups["/aws-glue/crawlers"]
    events = [e["message"] for e in logs.get_log_events(
        logGroupName=group, logStreamName="logged", startFromHead=True)["events"]]
    assert events[0].startswith("SealStack: crawler logged started as "
                                f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/CrawlerRole/"), events
    assert events[-1] == "SealStack: crawler logged SUCCEEDED", events
    plain = [e["message"] for e in logs.get_log_events(
        logGroupName="/aws-glue/crawlers", logStreamName="plain-logs")["events"]]
    assert plain[-1] == "SealStack: crawler plain-logs SUCCEEDED"
    # Sealed under the key: with the key disabled, reading them is refused.
    kms.disable_key(KeyId=log_key)
    try:
        with pytest.raises(ClientError) as e:
            logs.get_log_events(logGroupName=group, logStreamName="logged")
        assert err(e) == ("AccessDeniedException", 400)
        assert "DisabledException" in str(e.value)
    finally:
        kms.enable_key(KeyId=log_key)


def test_a_crawler_left_running_by_a_killed_server_is_ready_after_a_restart(start_sealstack,
                                                                            tmp_path):
    data_dir = tmp_path / "data"
    first = start_sealstack(None, ["--data-dir", str(data_dir)])
    kms_too = ROLE_POLICY.replace('"logs:*"', '"logs:*", "kms:*"')  # the key's policy is the default
    create_iam_roles(first, [("CrawlerRole", GLUE_TRUST)], kms_too)
    key = client("kms", first.endpoint).create_key()["KeyMetadata"]["Arn"]
    s3 = client("s3", first.endpoint)
    s3.create_bucket(Bucket="crash-crawl")
    s3.put_object(Bucket="crash-crawl", Key="t/a.csv", Body=ORDERS.encode(),
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    g = client("glue", first.endpoint)
    g.create_database(DatabaseInput={"Name": "crash"})
    g.create_crawler(Name="stuck", Role="CrawlerRole", DatabaseName="crash",
                     Targets={"S3Targets": [{"Path": "s3://crash-crawl/t/"}]})
    # The crawl's Decrypt of the object waits 10 minutes: the server is killed meanwhile.
    r = requests.post(f"{first.endpoint}/_sealstack/faults", json={
        "service": "kms", "operation": "Decrypt", "latency_ms": 600000}, timeout=10)
    assert r.status_code == 200, r.text
    g.start_crawler(Name="stuck")
    assert g.get_crawler(Name="stuck")["Crawler"]["State"] == "RUNNING"
    first.proc.kill()
    first.proc.wait(timeout=10)
    first.stopped = True  # killed on purpose; the fixture must not expect exit code 0

    second = start_sealstack(None, ["--data-dir", str(data_dir)])
    g = client("glue", second.endpoint)
    crawler = g.get_crawler(Name="stuck")["Crawler"]
    assert crawler["State"] == "READY"
    assert crawler["LastCrawl"]["Status"] == "FAILED"
    assert "RUNNING" in crawler["LastCrawl"]["ErrorMessage"]
    assert "restarted" in crawler["LastCrawl"]["ErrorMessage"]
    g.start_crawler(Name="stuck")  # READY again: it may crawl
    last = wait_ready(g, "stuck")["LastCrawl"]
    assert last["Status"] == "SUCCEEDED", last
