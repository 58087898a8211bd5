// The JobRunState machine of api/glue (drawn in glue_service.h), driven through glue::Service
// on an in-memory database. Most cases drive a FakeRunner (process_runner.h): its children
// write, exit and answer signals when the test says so, so every transition is decided by the
// test, not by timing. The cases at the end run real children through PosixProcessRunner under
// /bin/sh instead of python3 (Options::python): `sh -u script.py --JOB_NAME ...` runs the
// script file as a shell script, fast and independent of a Python installation.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/glue/glue_errors.h"
#include "api/glue/glue_service.h"
#include "api/glue/glue_wire.h"
#include "api/glue/glue_wire_readers.h"
#include "api/s3/object_ops.h"
#include "storage/glue_repo.h"

using namespace sealstack;
using namespace sealstack::api;

namespace {

// One fake child: the test writes its output, ends it, and sees the signals it was sent.
struct FakeChild {
  glue::ProcessSpec spec;
  std::string script;  // the script file's content at spawn time

  void Write(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    output += text;
    cv.notify_all();
  }
  void Exit(int code) { End({true, code, 0}); }
  void Killed(int signal) { End({false, 0, signal}); }
  int terminates() {
    std::lock_guard<std::mutex> lock(mu);
    return terms;
  }
  // Waits until the runner has sent SIGTERM (it has then decided the run's outcome).
  bool WaitTerminate() {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return terms > 0; });
  }
  int kills() {
    std::lock_guard<std::mutex> lock(mu);
    return kill_count;
  }

  void End(glue::ExitStatus status) {
    std::lock_guard<std::mutex> lock(mu);
    if (!exit) exit = status;
    cv.notify_all();
  }

  std::mutex mu;
  std::condition_variable cv;
  std::string output;                    // GUARDED_BY(mu)
  std::optional<glue::ExitStatus> exit;  // GUARDED_BY(mu)
  bool ignore_terminate = false;         // GUARDED_BY(mu)
  int terms = 0;                         // GUARDED_BY(mu)
  int kill_count = 0;                    // GUARDED_BY(mu)
};

class FakeProcess : public glue::Process {
 public:
  explicit FakeProcess(std::shared_ptr<FakeChild> child) : child_(std::move(child)) {}
  bool Poll(std::chrono::milliseconds wait, std::string* out) override {
    std::unique_lock<std::mutex> lock(child_->mu);
    child_->cv.wait_for(lock, wait, [&] { return !child_->output.empty() || child_->exit; });
    out->append(child_->output);
    child_->output.clear();
    return child_->exit.has_value();
  }
  void Terminate() override {
    std::lock_guard<std::mutex> lock(child_->mu);
    ++child_->terms;
    if (!child_->ignore_terminate && !child_->exit) child_->exit = glue::ExitStatus{false, 0, 15};
    child_->cv.notify_all();
  }
  void Kill() override {
    std::lock_guard<std::mutex> lock(child_->mu);
    ++child_->kill_count;
    if (!child_->exit) child_->exit = glue::ExitStatus{false, 0, 9};
    child_->cv.notify_all();
  }
  glue::ExitStatus Reap(std::string* out) override {
    std::lock_guard<std::mutex> lock(child_->mu);
    out->append(child_->output);
    child_->output.clear();
    return child_->exit.value_or(glue::ExitStatus{false, 0, 9});
  }

 private:
  std::shared_ptr<FakeChild> child_;
};

class FakeRunner : public glue::ProcessRunner {
 public:
  Result<std::unique_ptr<glue::Process>> Spawn(const glue::ProcessSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_) return Status(StatusCode::kUnavailable, "No such file or directory");
    auto child = std::make_shared<FakeChild>();
    child->spec = spec;
    std::ifstream in(spec.argv.at(2), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    child->script = text.str();
    child->ignore_terminate = ignore_terminate_;
    children_.push_back(child);
    cv_.notify_all();
    return std::unique_ptr<glue::Process>(std::make_unique<FakeProcess>(child));
  }

  // The n-th child spawned (0-based), waiting for it.
  std::shared_ptr<FakeChild> Child(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    REQUIRE(cv_.wait_for(lock, std::chrono::seconds(30), [&] { return children_.size() > n; }));
    return children_[n];
  }
  void FailSpawns() {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = true;
  }
  void IgnoreTerminate() {
    std::lock_guard<std::mutex> lock(mu_);
    ignore_terminate_ = true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<FakeChild>> children_;  // GUARDED_BY(mu_)
  bool fail_ = false;                                 // GUARDED_BY(mu_)
  bool ignore_terminate_ = false;                     // GUARDED_BY(mu_)
};

constexpr const char* kAccount = "000000000000";
constexpr const char* kRoleArn = "arn:aws:iam::000000000000:role/UnitGlueRole";

struct RunsFixture {
  explicit RunsFixture(glue::Options options = Defaults(),
                       std::shared_ptr<glue::ProcessRunner> processes = nullptr)
      : runner(std::move(processes)) {
    Open(std::move(options));
  }

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
    deps.processes = runner;
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
    auto in = JsonInput::Parse(body, glue::GlueInputStyle());
    REQUIRE(in.ok());
    return glue::CallGlue(*service, caller, op, *in);
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
  std::shared_ptr<glue::ProcessRunner> runner;  // null = the posix one
  std::unique_ptr<glue::Service> service;
  glue::Caller caller;
};

// A RunsFixture whose children are FakeChild objects.
struct FakeFixture : RunsFixture {
  explicit FakeFixture(glue::Options options = Defaults())
      : RunsFixture(std::move(options), std::make_shared<FakeRunner>()) {}
  FakeRunner& fake() { return static_cast<FakeRunner&>(*runner); }
};

}  // namespace

TEST_CASE("STARTING -> RUNNING -> SUCCEEDED on exit 0; the log is the script's output",
          "[glue][runs]") {
  RunsFixture f;
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
  RunsFixture f;
  f.PutScript("fail.py", "echo 'boom: bad input'\nexit 3\n");
  f.CreateJob("fail", "fail.py");
  const std::string id = f.Start("fail");
  REQUIRE(f.WaitTerminal("fail", id) == "FAILED");
  CHECK(std::string(f.Run("fail", id)["ErrorMessage"].GetString()) ==
        "boom: bad input (Command failed with exit code 3)");
}

TEST_CASE("STARTING -> FAILED when validation fails (no script object)", "[glue][runs]") {
  RunsFixture f;
  f.CreateJob("noscript", "missing.py");
  const std::string id = f.Start("noscript");
  REQUIRE(f.WaitTerminal("noscript", id) == "FAILED");
  const std::string msg = f.Run("noscript", id)["ErrorMessage"].GetString();
  INFO(msg);
  CHECK(msg.find("NoSuchKey") != std::string::npos);
  CHECK(msg.find("assumed-role/UnitGlueRole/" + id.substr(0, 64)) != std::string::npos);
}

TEST_CASE("RUNNING -> ERROR when the interpreter cannot be started", "[glue][runs]") {
  auto options = RunsFixture::Defaults();
  options.python = "/nonexistent/python3";
  RunsFixture f(options);
  f.PutScript("any.py", "exit 0\n");
  f.CreateJob("nopython", "any.py");
  const std::string id = f.Start("nopython");
  REQUIRE(f.WaitTerminal("nopython", id) == "ERROR");
  CHECK(std::string(f.Run("nopython", id)["ErrorMessage"].GetString()).find("Failed to start") !=
        std::string::npos);
}

TEST_CASE("without execution a valid run SUCCEEDS and its log says so", "[glue][runs]") {
  auto options = RunsFixture::Defaults();
  options.execute = false;
  RunsFixture f(options);
  f.PutScript("any.py", "exit 1\n");
  f.CreateJob("noexec", "any.py");
  const std::string id = f.Start("noexec");
  REQUIRE(f.WaitTerminal("noexec", id) == "SUCCEEDED");
  auto log = f.service->ReadRunLog(id, nullptr);
  REQUIRE(log.ok());
  CHECK(log->text.find("not executed") != std::string::npos);
}

TEST_CASE(
    "fake runner: RUNNING -> SUCCEEDED on exit 0; the child gets the run's argv, env, "
    "script",
    "[glue][runs]") {
  FakeFixture f;
  f.PutScript("ok.py", "print('hi')\n");
  f.CreateJob("ok", "ok.py", R"(,"DefaultArguments":{"--k":"v"})");
  const std::string id = f.Start("ok");
  auto child = f.fake().Child(0);
  CHECK(f.WaitWhile("ok", id, {"STARTING"}) == "RUNNING");
  CHECK(child->script == "print('hi')\n");
  const std::vector<std::string> argv = {
      "/bin/sh", "-u", child->spec.argv[2], "--JOB_NAME", "ok", "--JOB_RUN_ID", id, "--k", "v"};
  CHECK(child->spec.argv == argv);
  CHECK(child->spec.program == "/bin/sh");
  CHECK(child->spec.workdir + "/script.py" == child->spec.argv[2]);
  auto has_env = [&](const std::string& prefix) {
    return std::any_of(child->spec.env.begin(), child->spec.env.end(),
                       [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  };
  CHECK(has_env("AWS_ACCESS_KEY_ID=ASIA"));
  CHECK(has_env("AWS_ENDPOINT_URL=http://127.0.0.1:1"));
  CHECK(has_env("GLUE_JOB_RUN_ID=" + id));
  child->Write("hello\n");
  child->Exit(0);
  REQUIRE(f.WaitTerminal("ok", id) == "SUCCEEDED");
  CHECK(!f.Run("ok", id).HasMember("ErrorMessage"));
  auto log = f.service->ReadRunLog(id, nullptr);
  REQUIRE(log.ok());
  CHECK(log->text == "hello\n");
  // The work directory is gone once the run is over.
  CHECK(::access(child->spec.workdir.c_str(), F_OK) != 0);
}

TEST_CASE("fake runner: RUNNING -> FAILED on an exit code or a signal, with the last line",
          "[glue][runs]") {
  FakeFixture f;
  f.PutScript("any.py", "");
  f.CreateJob("fail", "any.py", R"(,"ExecutionProperty":{"MaxConcurrentRuns":2})");
  const std::string a = f.Start("fail");
  f.fake().Child(0)->Write("Traceback\nValueError: bad input\n\n");
  f.fake().Child(0)->Exit(3);
  REQUIRE(f.WaitTerminal("fail", a) == "FAILED");
  CHECK(std::string(f.Run("fail", a)["ErrorMessage"].GetString()) ==
        "ValueError: bad input (Command failed with exit code 3)");
  const std::string b = f.Start("fail");
  f.fake().Child(1)->Killed(9);
  REQUIRE(f.WaitTerminal("fail", b) == "FAILED");
  CHECK(std::string(f.Run("fail", b)["ErrorMessage"].GetString()) ==
        "Command was killed by signal 9");
}

TEST_CASE("fake runner: RUNNING -> ERROR when the child cannot be spawned", "[glue][runs]") {
  FakeFixture f;
  f.fake().FailSpawns();
  f.PutScript("any.py", "");
  f.CreateJob("nostart", "any.py");
  const std::string id = f.Start("nostart");
  REQUIRE(f.WaitTerminal("nostart", id) == "ERROR");
  CHECK(std::string(f.Run("nostart", id)["ErrorMessage"].GetString()) ==
        "Failed to start /bin/sh: No such file or directory");
}

TEST_CASE("fake runner: RUNNING -> STOPPING -> STOPPED; terminal runs cannot be stopped",
          "[glue][runs]") {
  FakeFixture f;
  f.fake().IgnoreTerminate();  // the child outlives SIGTERM: the run stays STOPPING
  f.PutScript("any.py", "");
  f.CreateJob("slow", "any.py");
  const std::string id = f.Start("slow");
  auto child = f.fake().Child(0);
  REQUIRE(f.WaitWhile("slow", id, {"STARTING"}) == "RUNNING");
  auto out = f.Json("BatchStopJobRun", R"({"JobName":"slow","JobRunIds":[")" + id + "\"]}");
  REQUIRE(out["SuccessfulSubmissions"].Size() == 1);
  CHECK(out["Errors"].Size() == 0);
  CHECK(f.State("slow", id) == "STOPPING");
  REQUIRE(child->WaitTerminate());
  child->Killed(15);
  REQUIRE(f.WaitTerminal("slow", id) == "STOPPED");
  CHECK(child->terminates() >= 1);
  CHECK(!f.Run("slow", id).HasMember("ErrorMessage"));
  out = f.Json("BatchStopJobRun", R"({"JobName":"slow","JobRunIds":[")" + id + R"(","jr_none"]})");
  REQUIRE(out["Errors"].Size() == 2);
  CHECK(std::string(out["Errors"][0]["ErrorDetail"]["ErrorCode"].GetString()) ==
        "InvalidInputException");
  CHECK(std::string(out["Errors"][1]["ErrorDetail"]["ErrorCode"].GetString()) ==
        "EntityNotFoundException");
}

TEST_CASE("fake runner: a child that ignores SIGTERM is killed 2 s later", "[glue][runs]") {
  FakeFixture f;
  f.fake().IgnoreTerminate();
  f.PutScript("any.py", "");
  f.CreateJob("stubborn", "any.py");
  const std::string id = f.Start("stubborn");
  auto child = f.fake().Child(0);
  REQUIRE(f.WaitWhile("stubborn", id, {"STARTING"}) == "RUNNING");
  f.Json("BatchStopJobRun", R"({"JobName":"stubborn","JobRunIds":[")" + id + "\"]}");
  REQUIRE(f.WaitTerminal("stubborn", id) == "STOPPED");
  CHECK(child->terminates() == 1);
  CHECK(child->kills() == 1);
}

TEST_CASE("fake runner: RUNNING -> TIMEOUT when the injected clock passes Timeout",
          "[glue][runs]") {
  FakeFixture f;
  f.PutScript("any.py", "");
  f.CreateJob("slow", "any.py", R"(,"Timeout":1)");
  const std::string id = f.Start("slow");
  auto child = f.fake().Child(0);
  REQUIRE(f.WaitWhile("slow", id, {"STARTING"}) == "RUNNING");
  f.clock->Advance(std::chrono::minutes(2));
  REQUIRE(f.WaitTerminal("slow", id) == "TIMEOUT");
  CHECK(child->terminates() == 1);
  auto run = f.Run("slow", id);
  CHECK(run["ExecutionTime"].GetInt64() >= 60);
  CHECK(std::string(run["ErrorMessage"].GetString()) == "Job run timed out after 1 minutes.");
}

TEST_CASE("fake runner: the log keeps max_log_bytes and counts the rest", "[glue][runs]") {
  auto options = RunsFixture::Defaults();
  options.max_log_bytes = 8;
  FakeFixture f(options);
  f.PutScript("any.py", "");
  f.CreateJob("chatty", "any.py");
  const std::string id = f.Start("chatty");
  auto child = f.fake().Child(0);
  child->Write("0123456789");
  child->Write("abc");
  child->Exit(0);
  REQUIRE(f.WaitTerminal("chatty", id) == "SUCCEEDED");
  auto log = f.service->ReadRunLog(id, nullptr);
  REQUIRE(log.ok());
  CHECK(log->text == "01234567");
  CHECK(log->dropped_bytes == 5);
}

TEST_CASE("fake runner: MaxConcurrentRuns counts runs that are not terminal", "[glue][runs]") {
  FakeFixture f;
  f.PutScript("any.py", "");
  f.CreateJob("one", "any.py");
  // A run that GetJobRun reports terminal no longer counts: the next start is accepted at once,
  // however long the runner thread takes to clean up.
  for (size_t i = 0; i < 5; ++i) {
    const std::string id = f.Start("one");
    f.fake().Child(i)->Exit(0);
    REQUIRE(f.WaitTerminal("one", id) == "SUCCEEDED");
  }
  f.CreateJob("two", "any.py", R"(,"ExecutionProperty":{"MaxConcurrentRuns":2})");
  const std::string a = f.Start("two");
  const std::string b = f.Start("two");
  auto third = f.Call("StartJobRun", R"({"JobName":"two"})");
  REQUIRE(!third.ok());
  CHECK(glue::KindOf(third.status()) == glue::ErrorKind::kConcurrentRunsExceeded);
  CHECK(third.status().message() == "Concurrent runs exceeded for two");
  f.Json("BatchStopJobRun", R"({"JobName":"two","JobRunIds":[")" + a + "\"]}");
  REQUIRE(f.WaitTerminal("two", a) == "STOPPED");
  const std::string c = f.Start("two");
  f.Json("BatchStopJobRun", R"({"JobName":"two","JobRunIds":[")" + b + R"(",")" + c + "\"]}");
  CHECK(f.WaitTerminal("two", b) == "STOPPED");
  CHECK(f.WaitTerminal("two", c) == "STOPPED");
}

TEST_CASE("fake runner: the destructor stops running children and ends their runs",
          "[glue][runs]") {
  FakeFixture f;
  f.PutScript("any.py", "");
  f.CreateJob("slow", "any.py");
  const std::string id = f.Start("slow");
  auto child = f.fake().Child(0);
  REQUIRE(f.WaitWhile("slow", id, {"STARTING"}) == "RUNNING");
  f.service.reset();
  CHECK(child->terminates() == 1);
  f.Open(RunsFixture::Defaults());
  CHECK(f.service->interrupted_runs_ended() == 0);
  CHECK(f.State("slow", id) == "STOPPED");
}

TEST_CASE("runs a stopped server left STARTING/RUNNING/STOPPING end FAILED at start-up",
          "[glue][runs]") {
  RunsFixture f;
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
  f.Open(RunsFixture::Defaults());
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
  f.Open(RunsFixture::Defaults());
  CHECK(f.service->interrupted_runs_ended() == 0);
}

TEST_CASE("a script inherits stdin, stdout and stderr only", "[glue][runs]") {
  RunsFixture f;
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
