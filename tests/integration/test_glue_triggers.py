"""Glue triggers and retries: ON_DEMAND triggers started with StartTrigger, SCHEDULED triggers
and crawler schedules fired on the server clock (advanced through /_sealstack/clock, no
sleeping), CONDITIONAL triggers watching job runs, and MaxRetries with Attempt counting.
One server for the module."""

import json
import os
import time

import pytest
import requests
from botocore.exceptions import ClientError

from aws_helpers import client
from glue_helpers import GLUE_TRUST, create_iam_roles, err, glue_cli, put_object, wait_run
from kms_helpers import server_now
from s3_helpers import module_servers, restore_clock  # noqa: F401 (fixture)

ROLE = "TriggerRole"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "glue:*", "logs:*"], "Resource": "*"}]})


@pytest.fixture(scope="module")
def env(module_servers):  # noqa: F811
    server = module_servers.start()
    create_iam_roles(server, [(ROLE, GLUE_TRUST)], POLICY)
    g = client("glue", server.endpoint)
    ok = put_object(server, "trig", "ok.py", "import sys\nprint('args', sys.argv[1:])\n")
    fail = put_object(server, "trig", "fail.py", "raise SystemExit('flaky: no luck')\n")
    for name, loc, retries in (("ok", ok, 0), ("after", ok, 0), ("both", ok, 0),
                               ("never", ok, 0), ("tick", ok, 0), ("flaky", fail, 2),
                               ("cli", ok, 0)):
        g.create_job(Name=name, Role=ROLE, MaxRetries=retries,
                     Command={"Name": "pythonshell", "ScriptLocation": loc})
    return server, g


def runs_of(g, job):
    return g.get_job_runs(JobName=job)["JobRuns"]


def wait_runs(g, job, count, deadline_s=60):
    """The job's runs once `count` of them exist and all are terminal (newest first)."""
    end = time.monotonic() + deadline_s
    runs = []
    while time.monotonic() < end:
        runs = runs_of(g, job)
        if len(runs) >= count and all(r["JobRunState"] in
                                      ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")
                                      for r in runs):
            return runs
        time.sleep(0.05)  # polling a state machine, as SDK waiters do; not a race cover-up
    raise AssertionError(f"{job}: wanted {count} finished runs, have {runs}")


def test_on_demand_trigger_starts_its_jobs_with_their_arguments(env):
    server, g = env
    g.create_trigger(Name="go", Type="ON_DEMAND", Description="by hand",
                     Actions=[{"JobName": "ok", "Arguments": {"--who": "trigger"}}])
    t = g.get_trigger(Name="go")["Trigger"]
    assert (t["Type"], t["State"], t["Description"]) == ("ON_DEMAND", "CREATED", "by hand")
    assert g.start_trigger(Name="go")["Name"] == "go"
    run = wait_runs(g, "ok", 1)[0]
    assert run["JobRunState"] == "SUCCEEDED", run
    assert run["TriggerName"] == "go" and run["Arguments"] == {"--who": "trigger"}
    assert run["Attempt"] == 0 and "PreviousRunId" not in run


def test_trigger_operations_and_errors(env):
    server, g = env
    g.create_trigger(Name="sched", Type="SCHEDULED", Schedule="cron(0 12 * * ? *)",
                     Actions=[{"JobName": "never"}], Tags={"team": "a"})
    g.create_trigger(Name="cond", Type="CONDITIONAL", StartOnCreation=True,
                     Predicate={"Conditions": [{"LogicalOperator": "EQUALS", "JobName": "ok",
                                                "State": "TIMEOUT"}]},
                     Actions=[{"JobName": "never"}])
    assert g.get_trigger(Name="sched")["Trigger"]["State"] == "CREATED"
    assert g.get_trigger(Name="cond")["Trigger"]["State"] == "ACTIVATED"
    cases = [
        (dict(Name="sched", Type="ON_DEMAND", Actions=[{"JobName": "ok"}]),
         "AlreadyExistsException"),
        (dict(Name="x", Type="SCHEDULED", Actions=[{"JobName": "ok"}]), "InvalidInputException"),
        (dict(Name="x", Type="SCHEDULED", Schedule="cron(* * * * * *)",
              Actions=[{"JobName": "ok"}]), "InvalidInputException"),
        (dict(Name="x", Type="SCHEDULED", Schedule="rate(5 minutes)",
              Actions=[{"JobName": "ok"}]), "InvalidInputException"),
        (dict(Name="x", Type="CONDITIONAL", Actions=[{"JobName": "ok"}]),
         "InvalidInputException"),
        (dict(Name="x", Type="ON_DEMAND", StartOnCreation=True, Actions=[{"JobName": "ok"}]),
         "InvalidInputException"),
        (dict(Name="x", Type="ON_DEMAND", Actions=[{"JobName": "nojob"}]),
         "EntityNotFoundException"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ClientError) as e:
            g.create_trigger(**kwargs)
        assert err(e) == (code, 400), kwargs
    for op in (g.get_trigger, g.start_trigger, g.stop_trigger):
        with pytest.raises(ClientError) as e:
            op(Name="missing")
        assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.update_trigger(Name="missing", TriggerUpdate={"Description": "d"})
    assert err(e) == ("EntityNotFoundException", 400)
    with pytest.raises(ClientError) as e:
        g.stop_trigger(Name="go")
    assert err(e) == ("InvalidInputException", 400)

    updated = g.update_trigger(Name="sched", TriggerUpdate={
        "Description": "noon", "Schedule": "cron(0 13 * * ? *)"})["Trigger"]
    assert (updated["Description"], updated["Schedule"]) == ("noon", "cron(0 13 * * ? *)")
    with pytest.raises(ClientError) as e:
        g.update_trigger(Name="sched", TriggerUpdate={"Schedule": "cron(61 * * * ? *)"})
    assert err(e) == ("InvalidInputException", 400)
    g.start_trigger(Name="sched")
    assert g.get_trigger(Name="sched")["Trigger"]["State"] == "ACTIVATED"
    g.stop_trigger(Name="sched")
    assert g.get_trigger(Name="sched")["Trigger"]["State"] == "DEACTIVATED"

    names = g.list_triggers()["TriggerNames"]
    assert {"go", "sched", "cond"} <= set(names) and names == sorted(names)
    assert g.list_triggers(Tags={"team": "a"})["TriggerNames"] == ["sched"]
    assert {t["Name"] for t in g.get_triggers(DependentJobName="never")["Triggers"]} >= \
        {"sched", "cond"}
    page = g.get_triggers(MaxResults=1)
    assert len(page["Triggers"]) == 1 and "NextToken" in page
    got = g.batch_get_triggers(TriggerNames=["sched", "missing"])
    assert [t["Name"] for t in got["Triggers"]] == ["sched"]
    assert got["TriggersNotFound"] == ["missing"]

    assert g.delete_trigger(Name="sched")["Name"] == "sched"
    assert g.delete_trigger(Name="sched")["Name"] == "sched"  # as on AWS: no error
    with pytest.raises(ClientError) as e:
        g.get_trigger(Name="sched")
    assert err(e) == ("EntityNotFoundException", 400)
    g.delete_trigger(Name="cond")
    assert runs_of(g, "never") == []


def test_a_scheduled_trigger_and_a_crawler_schedule_fire_on_the_server_clock(env):
    server, g = env
    # The next minute M:00 is 60-120 s away in real time; the server clock gets there at once.
    minute = (server_now(server).minute + 2) % 60
    schedule = f"cron({minute} * * * ? *)"
    g.create_trigger(Name="hourly", Type="SCHEDULED", Schedule=schedule, StartOnCreation=True,
                     Actions=[{"JobName": "tick", "Arguments": {"--when": "scheduled"}}])
    put_object(server, "crawl-sched", "data/t/a.csv", "id,name\n1,a\n")
    g.create_database(DatabaseInput={"Name": "sched"})
    g.create_crawler(Name="nightly", Role=ROLE, DatabaseName="sched", Schedule=schedule,
                     Targets={"S3Targets": [{"Path": "s3://crawl-sched/data/"}]})
    assert g.get_crawler(Name="nightly")["Crawler"]["Schedule"] == {
        "ScheduleExpression": schedule, "State": "SCHEDULED"}
    with pytest.raises(ClientError) as e:
        g.create_crawler(Name="bad", Role=ROLE, DatabaseName="sched", Schedule="cron(* *)",
                         Targets={"S3Targets": [{"Path": "s3://crawl-sched/data/"}]})
    assert err(e) == ("InvalidInputException", 400)
    assert runs_of(g, "tick") == []
    assert "LastCrawl" not in g.get_crawler(Name="nightly")["Crawler"]
    try:
        r = requests.post(f"{server.endpoint}/_sealstack/clock", json={"advance_seconds": 180},
                          timeout=10)
        assert r.status_code == 200, r.text
        run = wait_runs(g, "tick", 1)[0]
        assert run["JobRunState"] == "SUCCEEDED", run
        assert run["TriggerName"] == "hourly" and run["Arguments"] == {"--when": "scheduled"}
        end = time.monotonic() + 30
        crawler = g.get_crawler(Name="nightly")["Crawler"]
        while time.monotonic() < end and not (crawler["State"] == "READY" and
                                              "LastCrawl" in crawler):
            time.sleep(0.05)  # polling a state machine, as SDK waiters do
            crawler = g.get_crawler(Name="nightly")["Crawler"]
        assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler
        assert g.get_table(DatabaseName="sched", Name="t")["Table"]["Name"] == "t"
        # Fired once: the next time is an hour later.
        assert len(runs_of(g, "tick")) == 1
    finally:
        g.stop_trigger(Name="hourly")
        restore_clock(server)


def test_retries_count_attempts_and_conditional_triggers_fire_on_the_last(env):
    server, g = env
    assert wait_run(g, "ok", g.start_job_run(JobName="ok")["JobRunId"])["JobRunState"] == \
        "SUCCEEDED"
    g.create_trigger(Name="on-fail", Type="CONDITIONAL", StartOnCreation=True,
                     Predicate={"Logical": "ANY", "Conditions": [
                         {"LogicalOperator": "EQUALS", "JobName": "flaky", "State": "FAILED"},
                         {"LogicalOperator": "EQUALS", "JobName": "ok", "State": "TIMEOUT"}]},
                     Actions=[{"JobName": "after", "Arguments": {"--from": "on-fail"}}])
    g.create_trigger(Name="and", Type="CONDITIONAL", StartOnCreation=True,
                     Predicate={"Logical": "AND", "Conditions": [
                         {"LogicalOperator": "EQUALS", "JobName": "flaky", "State": "FAILED"},
                         {"LogicalOperator": "EQUALS", "JobName": "ok", "State": "SUCCEEDED"}]},
                     Actions=[{"JobName": "both"}])
    g.create_trigger(Name="idle", Type="CONDITIONAL",  # CREATED: never fires
                     Predicate={"Conditions": [{"JobName": "flaky", "State": "FAILED"}]},
                     Actions=[{"JobName": "never"}])
    first = g.start_job_run(JobName="flaky")["JobRunId"]
    runs = wait_runs(g, "flaky", 3)
    assert len(runs) == 3
    runs.reverse()  # oldest first
    assert [r["Attempt"] for r in runs] == [0, 1, 2]
    assert runs[0]["Id"] == first and "PreviousRunId" not in runs[0]
    assert [r["PreviousRunId"] for r in runs[1:]] == [runs[0]["Id"], runs[1]["Id"]]
    assert all(r["JobRunState"] == "FAILED" and "flaky: no luck" in r["ErrorMessage"]
               for r in runs)
    after = wait_runs(g, "after", 1)
    assert len(after) == 1 and after[0]["TriggerName"] == "on-fail"
    assert after[0]["Arguments"] == {"--from": "on-fail"}
    both = wait_runs(g, "both", 1)
    assert len(both) == 1 and both[0]["TriggerName"] == "and"
    assert runs_of(g, "never") == []
    # Only the last attempt fired them.
    assert len(runs_of(g, "after")) == 1 and len(runs_of(g, "flaky")) == 3


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["aws", "/usr/bin/aws"])
def test_cli_triggers(env, cli, tmp_path):
    server, g = env
    run = glue_cli(server, cli, tmp_path)

    name = "cli-" + os.path.basename(cli)
    before = len(runs_of(g, "cli"))
    r = run("create-trigger", "--name", name, "--type", "ON_DEMAND",
            "--actions", json.dumps([{"JobName": "cli"}]))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"Name": name}
    r = run("start-trigger", "--name", name)
    assert r.returncode == 0, r.stderr
    runs = wait_runs(g, "cli", before + 1)
    assert runs[0]["TriggerName"] == name and runs[0]["JobRunState"] == "SUCCEEDED"
    r = run("get-trigger", "--name", name)
    assert r.returncode == 0 and json.loads(r.stdout)["Trigger"]["Type"] == "ON_DEMAND"
    r = run("get-trigger", "--name", "nope")
    assert r.returncode == 254 and "EntityNotFoundException" in r.stderr, r.stderr
    r = run("delete-trigger", "--name", name)
    assert r.returncode == 0, r.stderr
