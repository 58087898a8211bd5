// Job runs: StartJobRun, GetJobRun(s), BatchStopJobRun, and the runner that validates and
// executes a run (the state machine is drawn in glue_service.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/common/request_id.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/kms/kms_wire.h"
#include "api/s3/object_ops.h"
#include "crypto/aead.h"

extern char** environ;

namespace sealstack::api::glue {

using json::Document;
using json::Value;

struct Service::Run {
  std::string id;
  std::string job_name;
  std::string account;
  std::string region;
  std::string request_id;                       // StartJobRun's (audit records of the run)
  std::string job_text;                         // the job as it was when the run started
  std::string secconf_name;                     // "" = none
  std::map<std::string, std::string> run_args;  // Arguments of StartJobRun
  std::map<std::string, std::string> merged;    // DefaultArguments + Arguments + NonOverridable
  int64_t timeout_min = 2880;
  int64_t seq = 0;
  SystemTime started;
  std::shared_ptr<const auth::Principal> session;  // the run's temporary credentials
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};

  // Serializes PersistRun (render + write) so that a write rendered before the terminal
  // state cannot land after the terminal one (e.g. BatchStopJobRun racing Finish).
  mutable std::mutex persist_mu;
  mutable std::mutex mu;
  std::string state = "STARTING";       // GUARDED_BY(mu)
  std::string error;                    // GUARDED_BY(mu)
  SystemTime modified;                  // GUARDED_BY(mu)
  std::optional<SystemTime> completed;  // GUARDED_BY(mu)
  std::string log;                      // GUARDED_BY(mu)
  uint64_t dropped = 0;                 // GUARDED_BY(mu)
  std::string log_doc = "null";         // the stored log, once terminal
};

namespace {

bool Terminal(const std::string& s) {
  return s == "STOPPED" || s == "SUCCEEDED" || s == "FAILED" || s == "TIMEOUT" || s == "ERROR";
}

std::string RandomToken(crypto::RandomSource& r, size_t n, std::string_view alphabet) {
  auto bytes = r.Bytes(n);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    unsigned char b = bytes.ok() ? static_cast<unsigned char>((*bytes)[i]) : 0;
    out += alphabet[b % alphabet.size()];
  }
  return out;
}

std::map<std::string, std::string> MapOf(const Value* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->IsObject()) return out;
  for (const auto& m : v->GetObject()) {
    if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
  }
  return out;
}

// "<Code>X</Code>" from an S3 XML error body.
std::string XmlElement(const std::string& body, const std::string& name) {
  size_t a = body.find("<" + name + ">");
  size_t b = body.find("</" + name + ">");
  if (a == std::string::npos || b == std::string::npos || b < a) return "";
  a += name.size() + 2;
  return body.substr(a, b - a);
}

// A KMS failure as Glue reports it in a run's ErrorMessage: who, which action, which key, and
// KMS's own answer in the SDK's exception format.
std::string KmsFailure(const Status& st, const std::string& principal, const std::string& action,
                       const std::string& key, const std::string& setting) {
  WireError w = kms::KmsStatusToWire(st);
  std::string msg =
      setting + ": " + principal + " cannot use KMS key " + key + " for " + action + ": " +
      w.message + " (Service: AWSKMS; Status Code: " + std::to_string(w.http_status) +
      "; Error Code: " + w.code + "; Request ID: " + NewUuidRequestId() + "; Proxy: null)";
  return msg;
}

}  // namespace

Result<std::string> Service::StartJobRun(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "StartJobRun", GlueArn(c, "job/" + name)));
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(in, "Arguments"));
  SEALSTACK_ASSIGN_OR_RETURN(auto timeout, json::Int(in, "Timeout", 1, INT32_MAX));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secconf, json::Str(in, "SecurityConfiguration", false));
  std::string job_text;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(job_text, storage::GlueRepo::Get(conn, Key(c, "job", name)));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) {
    return NotFound("Job with name: " + name + " not found.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  SEALSTACK_ASSIGN_OR_RETURN(Document doc, json::Load(job_text));
  const Value& job = doc["Job"];
  SEALSTACK_ASSIGN_OR_RETURN(auto role,
                             ResolveRole(*deps_.principals, Account(c), job["Role"].GetString()));

  auto run = std::make_shared<Run>();
  SEALSTACK_ASSIGN_OR_RETURN(std::string raw, deps_.random->Bytes(32));
  run->id = "jr_" + crypto::Hex(raw);
  run->job_name = name;
  run->request_id = c.request_id;
  run->account = Account(c);
  run->region = c.region;
  run->job_text = json::Dump(job);
  run->secconf_name = !secconf.empty() ? secconf : [&] {
    const Value* s = json::Find(job, "SecurityConfiguration");
    return s != nullptr && s->IsString() ? std::string(s->GetString()) : std::string();
  }();
  run->run_args = MapOf(json::Find(in, "Arguments"));
  run->merged = MapOf(json::Find(job, "DefaultArguments"));
  for (const auto& [k, v] : run->run_args) run->merged[k] = v;
  for (const auto& [k, v] : MapOf(json::Find(job, "NonOverridableArguments"))) run->merged[k] = v;
  run->timeout_min = timeout.value_or(
      json::Find(job, "Timeout") != nullptr ? job["Timeout"].GetInt64() : int64_t{2880});
  run->started = run->modified = deps_.clock->Now();
  run->seq = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             run_seq_++;

  // The run's temporary credentials: the role's assumed-role session, expiring with the run.
  auth::Principal session;
  session.access_key_id =
      "ASIA" + RandomToken(*deps_.random, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  session.secret_access_key = crypto::SecretBytes(RandomToken(
      *deps_.random, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_raw, deps_.random->Bytes(96));
  session.session_token = "IQoJb3JpZ2luX2VjE" + crypto::Base64(token_raw);
  session.expires = run->started + std::chrono::minutes(run->timeout_min) + std::chrono::minutes(5);
  // STS session names hold at most 64 characters: the run id's first 64 ("jr_" + 61 hex).
  session.arn =
      "arn:aws:sts::" + role->account + ":assumed-role/" + role->name + "/" + run->id.substr(0, 64);
  session.account = role->account;
  session.type = auth::PrincipalType::kAssumedRole;
  session.name = role->name;
  session.policies = role->policies;

  const int64_t max_runs = [&] {
    const Value* ep = json::Find(job, "ExecutionProperty");
    const Value* m = ep != nullptr ? json::Find(*ep, "MaxConcurrentRuns") : nullptr;
    return m != nullptr && m->IsInt64() ? m->GetInt64() : int64_t{1};
  }();
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    if (shutting_down_) return GlueError(ErrorKind::kInternal, "The service is shutting down.");
    // Counted by state, as GetJobRun shows it: a run whose terminal state is stored no longer
    // counts, even while its runner thread is still cleaning up.
    int64_t running = 0;
    for (const auto& [id, r] : active_) {
      if (r->job_name != name || r->account != run->account || r->region != run->region) continue;
      std::lock_guard<std::mutex> run_lock(r->mu);
      if (!Terminal(r->state)) ++running;
    }
    if (running >= max_runs) {
      return GlueError(ErrorKind::kConcurrentRunsExceeded, "Concurrent runs exceeded for " + name);
    }
    // Security-configuration encryption for the session's S3 writes (Glue-managed output).
    // Filled in by Validate(); the session is registered there.
    NoteResponse("{\"JobRunId\":\"" + run->id + "\"}");
    SEALSTACK_RETURN_IF_ERROR(PersistRun(*run));
    run->session = std::make_shared<const auth::Principal>(session);
    active_[run->id] = run;
    // Join runner threads that have finished.
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->first->done) {
        it->second.join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
    threads_.emplace_back(run, std::thread([this, run] { RunMain(run); }));
  }
  Document out(rapidjson::kObjectType);
  json::SetStr(out, "JobRunId", run->id, out.GetAllocator());
  return json::Dump(out);
}

std::string Service::RenderRun(const Run& run) const {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Document job;
  job.Parse(run.job_text.c_str());
  std::lock_guard<std::mutex> lock(run.mu);
  json::SetStr(d, "Id", run.id, a);
  d.AddMember("Attempt", 0, a);
  json::SetStr(d, "JobName", run.job_name, a);
  json::SetStr(d, "JobMode", "SCRIPT", a);
  d.AddMember("StartedOn", json::Epoch(run.started), a);
  d.AddMember("LastModifiedOn", json::Epoch(run.modified), a);
  if (run.completed) d.AddMember("CompletedOn", json::Epoch(*run.completed), a);
  json::SetStr(d, "JobRunState", run.state, a);
  Value args(rapidjson::kObjectType);
  for (const auto& [k, v] : run.run_args) {
    args.AddMember(json::StrValue(k, a), json::StrValue(v, a), a);
  }
  d.AddMember("Arguments", args, a);
  if (!run.error.empty()) json::SetStr(d, "ErrorMessage", run.error, a);
  d.AddMember("PredecessorRuns", Value(rapidjson::kArrayType), a);
  const SystemTime end = run.completed.value_or(deps_.clock->Now());
  d.AddMember("ExecutionTime",
              static_cast<int64_t>(
                  std::chrono::duration_cast<std::chrono::seconds>(end - run.started).count()),
              a);
  d.AddMember("Timeout", run.timeout_min, a);
  std::string command;
  if (job.IsObject()) {
    for (const char* k : {"MaxCapacity", "WorkerType", "NumberOfWorkers", "GlueVersion",
                          "ExecutionClass", "AllocatedCapacity"}) {
      if (const Value* v = json::Find(job, k)) d.AddMember(Value(k, a), Value(*v, a), a);
    }
    if (const Value* cmd = json::Find(job, "Command")) {
      if (const Value* n = json::Find(*cmd, "Name"); n != nullptr && n->IsString()) {
        command = n->GetString();
      }
    }
  }
  if (!run.secconf_name.empty()) json::SetStr(d, "SecurityConfiguration", run.secconf_name, a);
  json::SetStr(d, "LogGroupName",
               command == "pythonshell" ? "/aws-glue/python-jobs" : "/aws-glue/jobs", a);
  return json::Dump(d);
}

Status Service::PersistRun(const Run& run) {
  std::lock_guard<std::mutex> persist_lock(run.persist_mu);
  std::string log_doc;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    log_doc = run.log_doc;
  }
  const std::string text = "{\"JobRun\":" + RenderRun(run) + ",\"Log\":" + log_doc + "}";
  return Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Put(conn, {run.account, run.region, "run", run.job_name, run.id},
                                  text, run.seq);
  });
}

void Service::RunMain(std::shared_ptr<Run> run) {
  std::string script_path, error;
  Status st = Validate(*run, &script_path, &error);
  if (!st.ok()) {
    Finish(*run, "FAILED", error.empty() ? st.message() : error);
  } else if (run->stop) {
    Finish(*run, "STOPPED", "");
  } else {
    {
      std::lock_guard<std::mutex> lock(run->mu);
      run->state = "RUNNING";
      run->modified = deps_.clock->Now();
    }
    (void)PersistRun(*run);
    Execute(*run, script_path);
  }
  if (!script_path.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(script_path).parent_path(), ec);
  }
  (void)deps_.principals->Remove(run->session->access_key_id);
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    active_.erase(run->id);
    run->done = true;
  }
  runs_cv_.notify_all();
}

Status Service::Validate(Run& run, std::string* script_path, std::string* error) {
  Document job;
  job.Parse(run.job_text.c_str());
  // 1. The role is a configured principal.
  auto role = ResolveRole(*deps_.principals, run.account, job["Role"].GetString());
  if (!role.ok()) {
    *error = role.status().message();
    return role.status();
  }
  const std::string who = run.session->arn;
  // 2. The security configuration, and from it the session's output encryption.
  Document secconf;
  auth::Principal session = *run.session;
  if (!run.secconf_name.empty()) {
    std::string text;
    Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(
          text,
          storage::GlueRepo::Get(conn, {run.account, run.region, "secconf", "", run.secconf_name}));
      return Status::Ok();
    });
    if (!st.ok()) {
      *error = "Security configuration " + run.secconf_name + " not found.";
      return NotFound(*error);
    }
    secconf.Parse(text.c_str());
  }
  const Value* ec = secconf.IsObject() ? json::Find(secconf, "EncryptionConfiguration") : nullptr;
  struct KeyUse {
    std::string setting, key, via;
  };
  std::vector<KeyUse> uses;
  if (ec != nullptr) {
    if (const Value* s3 = json::Find(*ec, "S3Encryption"); s3 != nullptr && s3->IsArray()) {
      for (const auto& e : s3->GetArray()) {
        std::string mode = json::Str(e, "S3EncryptionMode", false).value();
        if (mode == "SSE-KMS") {
          std::string key = json::Str(e, "KmsKeyArn", false).value();
          session.session_object_encryption = auth::Principal::ObjectEncryption{"aws:kms", key};
          uses.push_back({"S3Encryption", key, "s3." + run.region + ".amazonaws.com"});
        } else if (mode == "SSE-S3") {
          session.session_object_encryption = auth::Principal::ObjectEncryption{"AES256", ""};
        }
      }
    }
    struct Section {
      const char* member;
      const char* mode_member;
      const char* kms_mode;
      std::string via;
    };
    const Section sections[] = {
        {"CloudWatchEncryption", "CloudWatchEncryptionMode", "SSE-KMS",
         "logs." + run.region + ".amazonaws.com"},
        {"JobBookmarksEncryption", "JobBookmarksEncryptionMode", "CSE-KMS",
         "glue." + run.region + ".amazonaws.com"},
        {"DataQualityEncryption", "DataQualityEncryptionMode", "SSE-KMS",
         "glue." + run.region + ".amazonaws.com"},
    };
    for (const auto& s : sections) {
      const Value* v = json::Find(*ec, s.member);
      if (v == nullptr || !v->IsObject()) continue;
      if (json::Str(*v, s.mode_member, false).value() != s.kms_mode) continue;
      uses.push_back({s.member, json::Str(*v, "KmsKeyArn", false).value(), s.via});
    }
  }
  if (!session.session_object_encryption) {
    auto it = run.merged.find("--encryption-type");
    if (it != run.merged.end() && it->second == "sse-s3") {
      session.session_object_encryption = auth::Principal::ObjectEncryption{"AES256", ""};
    }
  }
  run.session = std::make_shared<const auth::Principal>(session);
  SEALSTACK_RETURN_IF_ERROR(deps_.principals->Put(session));

  // 3. Every KMS key the configuration names is usable by the role, through its service.
  for (const auto& use : uses) {
    kms::Caller kc;
    kc.principal = run.session;
    kc.region = run.region;
    kc.via_service = use.via;
    // GenerateDataKey (as kms:GenerateDataKey*-allowing roles expect); the key is discarded.
    auto r = Kms().GenerateDataKey(kc, use.key, 32, {}, true, run.request_id);
    if (!r.ok()) {
      *error = KmsFailure(r.status(), who, "kms:GenerateDataKey", use.key, use.setting);
      return r.status();
    }
  }

  // 4. The script object exists and the role may read (and decrypt) it, through S3 itself.
  const Value* cmd = json::Find(job, "Command");
  std::string location = cmd != nullptr ? json::Str(*cmd, "ScriptLocation", false).value() : "";
  if (location.rfind("s3://", 0) != 0 || location.find('/', 5) == std::string::npos) {
    *error = "Script location " + (location.empty() ? std::string("(none)") : location) +
             " is not an S3 location (s3://bucket/key).";
    return InvalidInput(*error);
  }
  const size_t slash = location.find('/', 5);
  s3::S3Request req;
  req.method = "GET";
  req.bucket = location.substr(5, slash - 5);
  req.key = location.substr(slash + 1);
  static const std::vector<std::pair<std::string, std::string>> kNoHeaders;
  req.headers = &kNoHeaders;
  req.resource = "/" + req.bucket + "/" + req.key;
  s3::S3Caller sc;
  sc.principal = run.session;
  sc.region = run.region;
  s3::ObjectServices services{deps_.buckets, deps_.objects, deps_.data_keys, false};
  RequestIds ids{NewUuidRequestId(), ""};
  ApiResponse resp = s3::HandleObject(
      services, sc, req,
      [](const std::function<Status(std::string_view)>&) { return Status::Ok(); }, ids);
  if (resp.status != 200) {
    *error = "Failed to read the job script " + location + " as " + who + ": " +
             XmlElement(resp.body, "Code") + ": " + XmlElement(resp.body, "Message");
    return InvalidInput(*error);
  }
  char tmpl[] = "/tmp/sealstack-glue-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    *error = "Internal error: cannot create a work directory";
    return GlueError(ErrorKind::kInternal, *error);
  }
  *script_path = std::string(tmpl) + "/script.py";
  std::ofstream out(*script_path, std::ios::binary);
  size_t written = 0;
  bool too_large = false;
  auto write = [&](std::string_view piece) {
    written += piece.size();
    if (written > options_.max_script_bytes) {
      too_large = true;
      return false;
    }
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    return true;
  };
  bool ok = resp.stream ? resp.stream(write) : write(resp.body);
  out.close();
  if (too_large) {
    *error = "The job script " + location + " is larger than " +
             std::to_string(options_.max_script_bytes) + " bytes.";
    return InvalidInput(*error);
  }
  if (!ok || !out) {
    *error = "Failed to read the job script " + location;
    return GlueError(ErrorKind::kInternal, *error);
  }
  return Status::Ok();
}

void Service::Execute(Run& run, const std::string& script_path) {
  std::string endpoint;
  {
    std::lock_guard<std::mutex> lock(endpoint_mu_);
    endpoint = options_.endpoint_url;
  }
  if (!options_.execute) {
    {
      std::lock_guard<std::mutex> lock(run.mu);
      run.log =
          "SealStack: the run passed validation; its script was not executed (start the server "
          "with --glue-execute to run Python scripts).\n";
    }
    Finish(run, "SUCCEEDED", "");
    return;
  }
  // argv: python3 -u script --JOB_NAME name --JOB_RUN_ID id [--key value]...
  std::vector<std::string> args = {options_.python, "-u",           script_path, "--JOB_NAME",
                                   run.job_name,    "--JOB_RUN_ID", run.id};
  for (const auto& [k, v] : run.merged) {
    args.push_back(k);
    args.push_back(v);
  }
  const auth::Principal& s = *run.session;
  std::vector<std::string> env = {
      "AWS_ACCESS_KEY_ID=" + s.access_key_id,
      "AWS_SECRET_ACCESS_KEY=" + s.secret_access_key.Reveal(),
      "AWS_SESSION_TOKEN=" + s.session_token,
      "AWS_ENDPOINT_URL=" + endpoint,
      "AWS_REGION=" + run.region,
      "AWS_DEFAULT_REGION=" + run.region,
      "AWS_CONFIG_FILE=/dev/null",
      "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
      "AWS_EC2_METADATA_DISABLED=true",
      "NO_PROXY=*",
      "no_proxy=*",
      "PYTHONUNBUFFERED=1",
      "GLUE_JOB_NAME=" + run.job_name,
      "GLUE_JOB_RUN_ID=" + run.id,
  };
  for (const char* keep : {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR"}) {
    if (const char* v = std::getenv(keep)) env.push_back(std::string(keep) + "=" + v);
  }
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    Finish(run, "ERROR", "Internal error: cannot create a pipe");
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  const std::string workdir = std::filesystem::path(script_path).parent_path().string();
  posix_spawn_file_actions_addchdir_np(&actions, workdir.c_str());
  // Nothing else of the server reaches the script: sockets (the listener, client connections)
  // and files opened without O_CLOEXEC by other threads would otherwise be inherited, keep
  // connections open after the server closed them, and hold the port after a server crash.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, options_.python.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    Finish(run, "ERROR",
           "Failed to start " + options_.python + ": " + std::string(std::strerror(rc)));
    return;
  }

  const SystemTime deadline = run.started + std::chrono::minutes(run.timeout_min);
  std::string outcome;  // "" until stop or timeout decided it
  auto killed_at = std::chrono::steady_clock::now();
  bool killing = false;
  bool open = true;
  // The child's exit wakes the loop through a pidfd (no sleep between exit and SUCCEEDED); the
  // poll timeout only bounds how late a stop or a timeout (injected clock) is noticed. Without
  // pidfd_open (kernel < 5.3) the loop falls back to polling waitid every 10 ms.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  char buf[16384];
  auto append_log = [&](ssize_t got) {
    std::lock_guard<std::mutex> lock(run.mu);
    size_t room =
        options_.max_log_bytes > run.log.size() ? options_.max_log_bytes - run.log.size() : 0;
    size_t keep = std::min(room, static_cast<size_t>(got));
    run.log.append(buf, keep);
    run.dropped += static_cast<uint64_t>(got) - keep;
  };
  for (;;) {
    if (outcome.empty()) {
      if (run.stop) {
        outcome = "STOPPED";
      } else if (deps_.clock->Now() >= deadline) {
        outcome = "TIMEOUT";
      }
      if (!outcome.empty()) {
        ::kill(-pid, SIGTERM);
        killed_at = std::chrono::steady_clock::now();
        killing = true;
      }
    } else if (killing && std::chrono::steady_clock::now() - killed_at > std::chrono::seconds(2)) {
      ::kill(-pid, SIGKILL);
      killing = false;
    }
    pollfd p[2];
    nfds_t n = 0;
    if (open) p[n++] = {fds[0], POLLIN, 0};
    if (pidfd >= 0) p[n++] = {pidfd, POLLIN, 0};
    const int wait_ms = pidfd >= 0 ? 50 : (open ? 10 : 0);
    if (n > 0) {
      if (::poll(p, n, wait_ms) > 0 && open && p[0].revents != 0) {
        ssize_t got = ::read(fds[0], buf, sizeof(buf));
        if (got > 0) {
          append_log(got);
        } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
          open = false;
        }
      }
    } else {
      ::usleep(10000);
    }
    // Exited? Look without reaping: while the zombie exists, its pid (the process group's id)
    // cannot be reused, so the group can still be killed safely below.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      break;
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  if (open) {
    // Drain what is left (bounded by the pipe buffer), then close.
    pollfd p{fds[0], POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
      ssize_t got = ::read(fds[0], buf, sizeof(buf));
      if (got <= 0) break;
      append_log(got);
    }
  }
  ::close(fds[0]);
  ::kill(-pid, SIGKILL);  // anything the script left behind in its process group
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (outcome == "STOPPED") {
    Finish(run, "STOPPED", "");
  } else if (outcome == "TIMEOUT") {
    Finish(run, "TIMEOUT",
           "Job run timed out after " + std::to_string(run.timeout_min) + " minutes.");
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    Finish(run, "SUCCEEDED", "");
  } else {
    std::string last;
    {
      std::lock_guard<std::mutex> lock(run.mu);
      std::string_view log = run.log;
      while (!log.empty() && (log.back() == '\n' || log.back() == '\r')) log.remove_suffix(1);
      size_t nl = log.rfind('\n');
      last = std::string(nl == std::string_view::npos ? log : log.substr(nl + 1));
    }
    std::string why = WIFEXITED(status)
                          ? "Command failed with exit code " + std::to_string(WEXITSTATUS(status))
                          : "Command was killed by signal " + std::to_string(WTERMSIG(status));
    Finish(run, "FAILED", last.empty() ? why : last + " (" + why + ")");
  }
}

void Service::Finish(Run& run, const std::string& state, const std::string& error_message) {
  // The log is stored sealed under the CloudWatchEncryption key when the configuration sets one
  // (GenerateDataKey as the run's role, through the logs service), else as text.
  std::string cw_key;
  if (!run.secconf_name.empty()) {
    std::string text;
    Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(
          text,
          storage::GlueRepo::Get(conn, {run.account, run.region, "secconf", "", run.secconf_name}));
      return Status::Ok();
    });
    Document d;
    if (st.ok()) d.Parse(text.c_str());
    const Value* ec = d.IsObject() ? json::Find(d, "EncryptionConfiguration") : nullptr;
    const Value* cw = ec != nullptr ? json::Find(*ec, "CloudWatchEncryption") : nullptr;
    if (cw != nullptr && json::Str(*cw, "CloudWatchEncryptionMode", false).value() == "SSE-KMS") {
      cw_key = json::Str(*cw, "KmsKeyArn", false).value();
    }
  }
  std::string log, final_error = error_message;
  uint64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    log = run.log;
    dropped = run.dropped;
  }
  Document ld(rapidjson::kObjectType);
  auto& a = ld.GetAllocator();
  ld.AddMember("dropped", dropped, a);
  if (!cw_key.empty()) {
    kms::Caller kc;
    kc.principal = run.session;
    kc.region = run.region;
    kc.via_service = "logs." + run.region + ".amazonaws.com";
    kms::EncryptionContext ctx = {{"aws:glue:run", run.id}};
    auto dk = Kms().GenerateDataKey(kc, cw_key, 32, ctx, true, run.request_id);
    auto nonce = deps_.random->Bytes(12);
    Result<std::string> sealed = dk.ok() && nonce.ok()
                                     ? crypto::AesGcmSeal(dk->plaintext, *nonce, run.id, log)
                                     : Result<std::string>(dk.ok() ? nonce.status() : dk.status());
    ld.AddMember("encrypted", true, a);
    json::SetStr(ld, "key", cw_key, a);
    if (sealed.ok()) {
      json::SetStr(ld, "blob", crypto::Base64(dk->ciphertext), a);
      json::SetStr(ld, "nonce", crypto::Base64(*nonce), a);
      json::SetStr(ld, "sealed", crypto::Base64(*sealed), a);
      json::SetStr(ld, "key", dk->key_arn, a);
    } else {
      // The log cannot be protected as configured: it is dropped, never stored in the clear.
      json::SetStr(ld, "lost", sealed.status().message(), a);
      if (final_error.empty() && state != "SUCCEEDED") {
        final_error = "The run's log could not be encrypted: " + sealed.status().message();
      }
    }
  } else {
    ld.AddMember("encrypted", false, a);
    json::SetStr(ld, "text", log, a);
  }
  {
    std::lock_guard<std::mutex> lock(run.mu);
    run.state = state;
    run.error = final_error;
    run.completed = run.modified = deps_.clock->Now();
    run.log_doc = json::Dump(ld);
    run.log.clear();
  }
  Status st = PersistRun(run);
  (void)st;  // a failed write leaves the last persisted state; nothing better to do here
}

Result<std::string> Service::GetJobRun(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  SEALSTACK_ASSIGN_OR_RETURN(std::string id, json::Str(in, "RunId", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobRun", GlueArn(c, "job/" + name)));
  std::string text;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(text, storage::GlueRepo::Get(conn, Key(c, "run", id, name)));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) {
    return NotFound("Job Run with id: " + id + " not found for job: " + name);
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(text));
  return "{\"JobRun\":" + json::Dump(d["JobRun"]) + "}";
}

Result<std::string> Service::GetJobRuns(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 200));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobRuns", GlueArn(c, "job/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token, json::FromToken(in));
  std::optional<int64_t> before;
  if (!token.empty()) {
    char* end = nullptr;
    before = std::strtoll(token.c_str(), &end, 10);
  }
  const size_t limit = static_cast<size_t>(max.value_or(100));
  std::vector<storage::GlueRow> rows;
  bool job_exists = true;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    job_exists = storage::GlueRepo::Get(conn, Key(c, "job", name)).ok();
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::GlueRepo::ListBySeq(conn, Key(c, "run", "", name), before, limit + 1));
    return Status::Ok();
  }));
  if (!job_exists && rows.empty()) return NotFound("Job with name: " + name + " not found.");
  std::string out = "{\"JobRuns\":[";
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(rows[i].doc));
    if (i > 0) out += ",";
    out += json::Dump(d["JobRun"]);
  }
  out += "]";
  if (rows.size() > limit) {
    out += ",\"NextToken\":\"" + json::Token(std::to_string(rows[limit - 1].seq)) + "\"";
  }
  return out + "}";
}

Result<std::string> Service::BatchStopJobRun(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  const Value* ids = json::Find(in, "JobRunIds");
  if (ids == nullptr) return json::Missing("JobRunIds");
  if (!ids->IsArray() || ids->Size() < 1 || ids->Size() > 25) {
    return InvalidInput(
        "1 validation error detected: Value at 'jobRunIds' failed to satisfy constraint: Member "
        "must have length between 1 and 25");
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "BatchStopJobRun", GlueArn(c, "job/" + name)));
  Document ok(rapidjson::kArrayType), errors(rapidjson::kArrayType);
  auto& a = ok.GetAllocator();
  auto& ea = errors.GetAllocator();
  for (const auto& v : ids->GetArray()) {
    if (!v.IsString()) return InvalidInput("JobRunIds must hold strings");
    const std::string id = v.GetString();
    std::shared_ptr<Run> run;
    {
      std::lock_guard<std::mutex> lock(runs_mu_);
      auto it = active_.find(id);
      if (it != active_.end() && it->second->job_name == name &&
          it->second->account == Account(c) && it->second->region == c.region) {
        run = it->second;
      }
    }
    bool stopped = false;
    if (run) {
      std::lock_guard<std::mutex> lock(run->mu);
      if (!Terminal(run->state)) {
        run->stop = true;
        if (run->state == "RUNNING") run->state = "STOPPING";
        run->modified = deps_.clock->Now();
        stopped = true;
      }
    }
    if (stopped) {
      (void)PersistRun(*run);
      Value s(rapidjson::kObjectType);
      json::SetStr(s, "JobName", name, a);
      json::SetStr(s, "JobRunId", id, a);
      ok.PushBack(s, a);
      continue;
    }
    bool exists = false;
    (void)deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
      exists = storage::GlueRepo::Get(conn, Key(c, "run", id, name)).ok();
      return Status::Ok();
    });
    Value e(rapidjson::kObjectType), detail(rapidjson::kObjectType);
    json::SetStr(e, "JobName", name, ea);
    json::SetStr(e, "JobRunId", id, ea);
    json::SetStr(detail, "ErrorCode", exists ? "InvalidInputException" : "EntityNotFoundException",
                 ea);
    json::SetStr(detail, "ErrorMessage",
                 exists ? "Job Run " + id + " cannot be stopped: it is already in a terminal state."
                        : "Job Run with id: " + id + " not found for job: " + name,
                 ea);
    e.AddMember("ErrorDetail", detail, ea);
    errors.PushBack(e, ea);
  }
  return "{\"SuccessfulSubmissions\":" + json::Dump(ok) + ",\"Errors\":" + json::Dump(errors) + "}";
}

Result<size_t> Service::EndInterruptedRuns() {
  size_t ended = 0;
  const SystemTime now = deps_.clock->Now();
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(auto rows, storage::GlueRepo::ListKind(conn, "run"));
    for (const auto& row : rows) {
      auto doc = json::Load(row.doc);
      if (!doc.ok() || !doc->IsObject()) continue;
      Value* jr = doc->HasMember("JobRun") ? &(*doc)["JobRun"] : nullptr;
      if (jr == nullptr || !jr->IsObject()) continue;
      const Value* state = json::Find(*jr, "JobRunState");
      if (state == nullptr || !state->IsString() || Terminal(state->GetString())) continue;
      auto& a = doc->GetAllocator();
      const std::string was = state->GetString();
      json::SetStr(*jr, "JobRunState", "FAILED", a);
      json::SetStr(*jr, "ErrorMessage",
                   "The job run was " + was +
                       " when the SealStack server stopped; it was ended when the server "
                       "restarted.",
                   a);
      json::Set(*jr, "CompletedOn", Value(json::Epoch(now)), a);
      json::Set(*jr, "LastModifiedOn", Value(json::Epoch(now)), a);
      if (const Value* started = json::Find(*jr, "StartedOn");
          started != nullptr && started->IsNumber()) {
        const double secs = json::Epoch(now) - started->GetDouble();
        json::Set(*jr, "ExecutionTime", Value(static_cast<int64_t>(secs > 0 ? secs : 0)), a);
      }
      SEALSTACK_RETURN_IF_ERROR(storage::GlueRepo::Put(conn, row.key, json::Dump(*doc), row.seq));
      ++ended;
    }
    return Status::Ok();
  }));
  return ended;
}

Status Service::ResetAccount(const std::string& account) {
  // Its runs stop first, and are waited for: a runner ending later would write its run back.
  std::vector<std::shared_ptr<Run>> stopping;
  {
    std::unique_lock<std::mutex> lock(runs_mu_);
    for (auto& [id, run] : active_) {
      if (run->account != account) continue;
      run->stop = true;
      stopping.push_back(run);
    }
    runs_cv_.wait(lock, [&] {
      for (const auto& run : stopping) {
        if (!run->done) return false;
      }
      return true;
    });
  }
  return deps_.db->WithTransaction(
      [&](storage::Connection& c) { return storage::GlueRepo::DeleteAccount(c, account); });
}

void Service::StopAllRuns() {
  std::vector<std::pair<std::shared_ptr<Run>, std::thread>> threads;
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    shutting_down_ = true;
    for (auto& [id, run] : active_) run->stop = true;
    threads.swap(threads_);
  }
  for (auto& [run, t] : threads) t.join();
}

Result<Service::RunLog> Service::ReadRunLog(const std::string& run_id,
                                            const std::shared_ptr<const auth::Principal>& reader) {
  std::string text;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(text, storage::GlueRepo::FindAny(conn, "run", run_id));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) return NotFound("no job run " + run_id);
  SEALSTACK_RETURN_IF_ERROR(st);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(text));
  RunLog out;
  const Value& jr = d["JobRun"];
  out.job_name = jr["JobName"].GetString();
  out.state = jr["JobRunState"].GetString();
  const Value* log = json::Find(d, "Log");
  if (log == nullptr || !log->IsObject()) {
    out.text = "";  // still running: the log is stored when the run ends
    return out;
  }
  out.dropped_bytes = (*log)["dropped"].GetUint64();
  out.encrypted = (*log)["encrypted"].GetBool();
  if (!out.encrypted) {
    out.text = (*log)["text"].GetString();
    return out;
  }
  out.kms_key_arn = json::Str(*log, "key", false).value();
  if (json::Find(*log, "lost") != nullptr) {
    return GlueError(ErrorKind::kGlueEncryption,
                     "The run's log was not stored: " + std::string((*log)["lost"].GetString()));
  }
  if (!reader) {
    return GlueError(ErrorKind::kAccessDenied,
                     "This log is encrypted under " + out.kms_key_arn +
                         ": sign the request (SigV4) as a principal allowed kms:Decrypt on it");
  }
  kms::Caller kc;
  kc.principal = reader;
  kc.region = jr.HasMember("Id") ? json::Str(*log, "region", false).value() : "";
  auto parsed_key = out.kms_key_arn;
  // The key ARN names the region: arn:aws:kms:REGION:...
  {
    size_t a = parsed_key.find(':', 8);
    size_t b = a == std::string::npos ? a : parsed_key.find(':', a + 1);
    if (b != std::string::npos) kc.region = parsed_key.substr(a + 1, b - a - 1);
  }
  kc.via_service = "logs." + kc.region + ".amazonaws.com";
  auto blob = crypto::FromBase64(json::Str(*log, "blob", false).value());
  auto nonce = crypto::FromBase64(json::Str(*log, "nonce", false).value());
  auto sealed = crypto::FromBase64(json::Str(*log, "sealed", false).value());
  if (!blob || !nonce || !sealed) return GlueError(ErrorKind::kInternal, "corrupt stored log");
  // Read through the logs service: invokedBy logs.amazonaws.com.
  auto dk =
      kms::ServiceKmsClient(*deps_.kms, deps_.audit)
          .Decrypt(kc, out.kms_key_arn, *blob, {{"aws:glue:run", run_id}}, NewUuidRequestId());
  if (!dk.ok()) {
    WireError w = kms::KmsStatusToWire(dk.status());
    return GlueError(
        w.code == "AccessDeniedException" ? ErrorKind::kAccessDenied : ErrorKind::kGlueEncryption,
        w.message);
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                             crypto::AesGcmOpen(dk->plaintext, *nonce, run_id, *sealed));
  out.text = plain.Reveal();
  return out;
}

}  // namespace sealstack::api::glue
