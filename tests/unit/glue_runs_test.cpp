// The JobRunState machine of api/glue (drawn in glue_service.h), driven through glue::Service
// on an in-memory database. Scripts run under /bin/sh instead of python3 (Options::python):
// `sh -u script.py --JOB_NAME ...` runs the script file as a shell script, which keeps these
// tests fast and independent of a Python installation.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "api/glue/glue_errors.h"
#include "api/glue/glue_service.h"
#include "api/s3/object_ops.h"
#include "storage/glue_repo.h"

using namespace sealstack;
using namespace sealstack::api;

namespace {

constexpr const char* kAccount = "000000000000";
constexpr const char* kRoleArn = "arn:aws:iam::000000000000:role/UnitGlueRole";

struct Fixture {
  explicit Fixture(glue::Options options = Defaults()) { Open(std::move(options)); }

  static glue::Options Defaults() {
    glue::Options o;
    o.execute = true;
    o.python = "/bin/sh";
    o.endpoint_url = "http://127.0.0.1:1";
    return o;
  }

  void Open(glue::Options options) {
    if (!db) {
      db = std::move(storage::Database::Open({.path = "", .in_memory = true}).value());
      random = std::make_shared<crypto::SeededRandom>(std::string_view("glue-runs"));
      clock = std::make_shared<FakeClock>(SystemTime(std::chrono::seconds(1800000000)));
      root = crypto::SecretBytes(std::string(32, 'r'));
      kms_service = std::move(kms::Service::Open(*db, root, clock, random).value());
      buckets = std::make_unique<s3::BucketService>(*db, clock, s3::BucketOptions{});
      objects = std::make_unique<s3::ObjectStore>(*db, *random, *clock);
      keys = std::make_unique<s3::DataKeyService>(*kms_service, root, random, clock);
      principals = std::make_shared<auth::PrincipalStore>();
      auth::Principal role;
      role.arn = kRoleArn;
      role.account = kAccount;
      role.type = auth::PrincipalType::kRole;
      role.name = "UnitGlueRole";
      role.policies = {
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","kms:*"],)"
          R"("Resource":"*"}]})"};
      REQUIRE(principals->Put(role).ok());
      caller.principal = principals->FindByAccessKey(auth::kDefaultAccessKeyId);
      caller.region = "us-east-1";
      s3::S3Caller sc;
      sc.principal = caller.principal;
      sc.region = "us-east-1";
      REQUIRE(buckets->CreateBucket(sc, "unit-scripts", "").ok());
    }
    glue::Dependencies deps;
    deps.db = db.get();
    deps.kms = kms_service.get();
    deps.buckets = buckets.get();
    deps.objects = objects.get();
    deps.data_keys = keys.get();
    deps.principals = principals;
    deps.clock = clock;
    deps.random = random;
    deps.root_key = root;
    service = std::make_unique<glue::Service>(std::move(deps), std::move(options));
  }

  void PutScript(const std::string& key, const std::string& body) {
    s3::S3Request req;
    req.method = "PUT";
    req.bucket = "unit-scripts";
    req.key = key;
    static const std::vector<std::pair<std::string, std::string>> kHeaders;
    req.headers = &kHeaders;
    req.resource = "/unit-scripts/" + key;
    s3::S3Caller sc;
    sc.principal = caller.principal;
    sc.region = "us-east-1";
    ApiResponse r = s3::HandleObject(
        {buckets.get(), objects.get(), keys.get(), false}, sc, req,
        [&](const std::function<Status(std::string_view)>& sink) { return sink(body); },
        {"req", ""});
    REQUIRE(r.status == 200);
  }

  Result<std::string> Call(const std::string& op, const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    return service->Call(caller, op, d);
  }

  rapidjson::Document Json(const std::string& op, const std::string& body) {
    auto r = Call(op, body);
    INFO(op << " " << body << " -> " << (r.ok() ? std::string("ok") : r.status().ToString()));
    REQUIRE(r.ok());
    rapidjson::Document d;
    d.Parse(r->c_str());
    return d;
  }

  void CreateJob(const std::string& name, const std::string& script_key,
                 const std::string& extra = "") {
    Json("CreateJob", R"({"Name":")" + name + R"(","Role":"UnitGlueRole","Command":{"Name":)" +
                          R"("pythonshell","ScriptLocation":"s3://unit-scripts/)" + script_key +
                          "\"}" + extra + "}");
  }

  std::string Start(const std::string& job) {
    return Json("StartJobRun", R"({"JobName":")" + job + "\"}")["JobRunId"].GetString();
  }

  rapidjson::Document Run(const std::string& job, const std::string& id) {
    auto d = Json("GetJobRun", R"({"JobName":")" + job + R"(","RunId":")" + id + "\"}");
    rapidjson::Document out;
    out.CopyFrom(d["JobRun"], out.GetAllocator());
    return out;
  }

  std::string State(const std::string& job, const std::string& id) {
    return Run(job, id)["JobRunState"].GetString();
  }

  // Polls the stored state (as a client would) until it leaves `from`, with a deadline.
  std::string WaitWhile(const std::string& job, const std::string& id,
                        std::initializer_list<const char*> from) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      std::string s = State(job, id);
      bool still = false;
      for (const char* f : from) still = still || s == f;
      if (!still || std::chrono::steady_clock::now() > end) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::string WaitTerminal(const std::string& job, const std::string& id) {
    return WaitWhile(job, id, {"STARTING", "RUNNING", "STOPPING"});
  }

  std::unique_ptr<storage::Database> db;
  std::shared_ptr<crypto::SeededRandom> random;
  std::shared_ptr<FakeClock> clock;
  crypto::SecretBytes root;
  std::unique_ptr<kms::Service> kms_service;
  std::unique_ptr<s3::BucketService> buckets;
  std::unique_ptr<s3::ObjectStore> objects;
  std::unique_ptr<s3::DataKeyService> keys;
  std::shared_ptr<auth::PrincipalStore> principals;
  std::unique_ptr<glue::Service> service;
  glue::Caller caller;
};

glue::ErrorKind KindOf(const Status& st) {
  return static_cast<glue::ErrorKind>(st.detail());
}

}  // namespace

TEST_CASE("STARTING -> RUNNING -> SUCCEEDED on exit 0; the log is the script's output",
          "[glue][runs]") {
  Fixture f;
  f.PutScript("ok.py", "echo \"args: $*\"\nexit 0\n");
  f.CreateJob("ok", "ok.py", R"(,"DefaultArguments":{"--k":"v"})");
  const std::string id = f.Start("ok");
  CHECK(id.rfind("jr_", 0) == 0);
  REQUIRE(f.WaitTerminal("ok", id) == "SUCCEEDED");
  auto run = f.Run("ok", id);
  CHECK(run.HasMember("CompletedOn"));
  CHECK(!run.HasMember("ErrorMessage"));
  auto log = f.service->ReadRunLog(id, nullptr);
  REQUIRE(log.ok());
  CHECK(log->text.find("--JOB_NAME ok --JOB_RUN_ID " + id) != std::string::npos);
  CHECK(log->text.find("--k v") != std::string::npos);
}

TEST_CASE("RUNNING -> FAILED on a non-zero exit, with the last output line", "[glue][runs]") {
  Fixture f;
  f.PutScript("fail.py", "echo 'boom: bad input'\nexit 3\n");
  f.CreateJob("fail", "fail.py");
  const std::string id = f.Start("fail");
  REQUIRE(f.WaitTerminal("fail", id) == "FAILED");
  CHECK(std::string(f.Run("fail", id)["ErrorMessage"].GetString()) ==
        "boom: bad input (Command failed with exit code 3)");
}

TEST_CASE("STARTING -> FAILED when validation fails (no script object)", "[glue][runs]") {
  Fixture f;
  f.CreateJob("noscript", "missing.py");
  const std::string id = f.Start("noscript");
  REQUIRE(f.WaitTerminal("noscript", id) == "FAILED");
  const std::string msg = f.Run("noscript", id)["ErrorMessage"].GetString();
  INFO(msg);
  CHECK(msg.find("NoSuchKey") != std::string::npos);
  CHECK(msg.find("assumed-role/UnitGlueRole/" + id.substr(0, 64)) != std::string::npos);
}

TEST_CASE("RUNNING -> ERROR when the interpreter cannot be started", "[glue][runs]") {
  auto options = Fixture::Defaults();
  options.python = "/nonexistent/python3";
  Fixture f(options);
  f.PutScript("any.py", "exit 0\n");
  f.CreateJob("nopython", "any.py");
  const std::string id = f.Start("nopython");
  REQUIRE(f.WaitTerminal("nopython", id) == "ERROR");
  CHECK(std::string(f.Run("nopython", id)["ErrorMessage"].GetString()).find("Failed to start") !=
        std::string::npos);
}

TEST_CASE("without execution a valid run SUCCEEDS and its log says so", "[glue][runs]") {
  auto options = Fixture::Defaults();
  options.execute = false;
  Fixture f(options);
  f.PutScript("any.py", "exit 1\n");
  f.CreateJob("noexec", "any.py");
  const std::string id = f.Start("noexec");
  REQUIRE(f.WaitTerminal("noexec", id) == "SUCCEEDED");
  auto log = f.service->ReadRunLog(id, nullptr);
  REQUIRE(log.ok());
  CHECK(log->text.find("not executed") != std::string::npos);
}

TEST_CASE("RUNNING -> STOPPING -> STOPPED by BatchStopJobRun; terminal runs cannot be stopped",
          "[glue][runs]") {
  Fixture f;
  f.PutScript("sleep.py", "echo started\nexec sleep 60\n");
  f.CreateJob("slow", "sleep.py");
  const std::string id = f.Start("slow");
  REQUIRE(f.WaitWhile("slow", id, {"STARTING"}) == "RUNNING");
  auto out = f.Json("BatchStopJobRun", R"({"JobName":"slow","JobRunIds":[")" + id + "\"]}");
  REQUIRE(out["SuccessfulSubmissions"].Size() == 1);
  CHECK(out["Errors"].Size() == 0);
  const std::string next = f.WaitWhile("slow", id, {"RUNNING"});
  CHECK((next == "STOPPING" || next == "STOPPED"));
  REQUIRE(f.WaitTerminal("slow", id) == "STOPPED");
  out = f.Json("BatchStopJobRun", R"({"JobName":"slow","JobRunIds":[")" + id + "\"]}");
  REQUIRE(out["Errors"].Size() == 1);
  CHECK(std::string(out["Errors"][0]["ErrorDetail"]["ErrorCode"].GetString()) ==
        "InvalidInputException");
}

TEST_CASE("RUNNING -> TIMEOUT when the injected clock passes Timeout", "[glue][runs]") {
  Fixture f;
  f.PutScript("sleep.py", "exec sleep 60\n");
  f.CreateJob("slow", "sleep.py", R"(,"Timeout":1)");
  const std::string id = f.Start("slow");
  REQUIRE(f.WaitWhile("slow", id, {"STARTING"}) == "RUNNING");
  f.clock->Advance(std::chrono::minutes(2));
  REQUIRE(f.WaitTerminal("slow", id) == "TIMEOUT");
  auto run = f.Run("slow", id);
  CHECK(run["ExecutionTime"].GetInt64() >= 60);
  CHECK(std::string(run["ErrorMessage"].GetString()).find("timed out") != std::string::npos);
}

TEST_CASE("MaxConcurrentRuns counts runs that are not terminal", "[glue][runs]") {
  Fixture f;
  f.PutScript("quick.py", "exit 0\n");
  f.PutScript("sleep.py", "exec sleep 60\n");
  f.CreateJob("one", "quick.py");
  // A run that GetJobRun reports terminal no longer counts: the next start is accepted at once,
  // however long the runner thread takes to clean up.
  for (int i = 0; i < 5; ++i) {
    const std::string id = f.Start("one");
    REQUIRE(f.WaitTerminal("one", id) == "SUCCEEDED");
  }
  f.CreateJob("two", "sleep.py", R"(,"ExecutionProperty":{"MaxConcurrentRuns":2})");
  const std::string a = f.Start("two");
  const std::string b = f.Start("two");
  auto third = f.Call("StartJobRun", R"({"JobName":"two"})");
  REQUIRE(!third.ok());
  CHECK(KindOf(third.status()) == glue::ErrorKind::kConcurrentRunsExceeded);
  f.Json("BatchStopJobRun", R"({"JobName":"two","JobRunIds":[")" + a + "\"]}");
  REQUIRE(f.WaitTerminal("two", a) == "STOPPED");
  const std::string c = f.Start("two");
  f.Json("BatchStopJobRun", R"({"JobName":"two","JobRunIds":[")" + b + R"(",")" + c + "\"]}");
  CHECK(f.WaitTerminal("two", b) == "STOPPED");
  CHECK(f.WaitTerminal("two", c) == "STOPPED");
}

TEST_CASE("the destructor stops running children and ends their runs", "[glue][runs]") {
  Fixture f;
  f.PutScript("sleep.py", "exec sleep 60\n");
  f.CreateJob("slow", "sleep.py");
  const std::string id = f.Start("slow");
  REQUIRE(f.WaitWhile("slow", id, {"STARTING"}) == "RUNNING");
  const auto t0 = std::chrono::steady_clock::now();
  f.service.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
  f.Open(Fixture::Defaults());
  CHECK(f.service->interrupted_runs_ended() == 0);
  CHECK(f.State("slow", id) == "STOPPED");
}

TEST_CASE("runs a stopped server left STARTING/RUNNING/STOPPING end FAILED at start-up",
          "[glue][runs]") {
  Fixture f;
  f.PutScript("quick.py", "exit 0\n");
  f.CreateJob("j", "quick.py");
  const std::string done = f.Start("j");
  REQUIRE(f.WaitTerminal("j", done) == "SUCCEEDED");
  // Forge what a killed server leaves: runs stored in every live state.
  const char* kLive[] = {"STARTING", "RUNNING", "STOPPING"};
  std::vector<std::string> ids;
  REQUIRE(f.db->WithTransaction([&](storage::Connection& c) -> Status {
                for (const char* state : kLive) {
                  const std::string id = std::string("jr_crashed_") + state;
                  ids.push_back(id);
                  std::string doc = R"({"JobRun":{"Id":")" + id +
                                    R"(","JobName":"j","StartedOn":1800000000.0,)" +
                                    R"("LastModifiedOn":1800000000.0,"JobRunState":")" + state +
                                    R"(","ExecutionTime":0},"Log":null})";
                  SEALSTACK_RETURN_IF_ERROR(
                      storage::GlueRepo::Put(c, {kAccount, "us-east-1", "run", "j", id}, doc, 1));
                }
                return Status::Ok();
              })
              .ok());
  f.clock->Advance(std::chrono::seconds(90));
  f.service.reset();
  f.Open(Fixture::Defaults());
  CHECK(f.service->interrupted_runs_ended() == 3);
  for (size_t i = 0; i < ids.size(); ++i) {
    auto run = f.Run("j", ids[i]);
    CHECK(std::string(run["JobRunState"].GetString()) == "FAILED");
    const std::string msg = run["ErrorMessage"].GetString();
    CHECK(msg.find(kLive[i]) != std::string::npos);
    CHECK(msg.find("server restarted") != std::string::npos);
    CHECK(run["CompletedOn"].GetDouble() == Approx(1800000090.0));
    CHECK(run["ExecutionTime"].GetInt64() == 90);
  }
  CHECK(f.State("j", done) == "SUCCEEDED");
  // MaxConcurrentRuns (1) is not held by the ended runs.
  const std::string next = f.Start("j");
  CHECK(f.WaitTerminal("j", next) == "SUCCEEDED");
  // A second start-up finds nothing left to end.
  f.service.reset();
  f.Open(Fixture::Defaults());
  CHECK(f.service->interrupted_runs_ended() == 0);
}

TEST_CASE("a script inherits stdin, stdout and stderr only", "[glue][runs]") {
  Fixture f;
  // A descriptor without O_CLOEXEC, as a socket accepted by another thread could be.
  // (At 57: the shell itself uses 3 for the glob's directory and 10 for the script.)
  const int opened = ::open("/dev/null", O_RDONLY);
  REQUIRE(opened >= 0);
  const int leaky = ::dup2(opened, 57);
  ::close(opened);
  REQUIRE(leaky == 57);
  f.PutScript("fds.py", "for fd in /proc/$$/fd/*; do echo \"fd ${fd##*/}\"; done\n");
  f.CreateJob("fds", "fds.py");
  const std::string id = f.Start("fds");
  REQUIRE(f.WaitTerminal("fds", id) == "SUCCEEDED");
  ::close(leaky);
  auto log = f.service->ReadRunLog(id, nullptr);
  REQUIRE(log.ok());
  std::vector<std::string> fds;
  for (size_t at = 0; (at = log->text.find("fd ", at)) != std::string::npos; at += 3) {
    fds.push_back(log->text.substr(at + 3, log->text.find('\n', at) - at - 3));
  }
  INFO(log->text);
  CHECK(std::find(fds.begin(), fds.end(), std::to_string(leaky)) == fds.end());
  CHECK(std::find(fds.begin(), fds.end(), "0") != fds.end());
  CHECK(std::find(fds.begin(), fds.end(), "1") != fds.end());
  CHECK(std::find(fds.begin(), fds.end(), "2") != fds.end());
}
