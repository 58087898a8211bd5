// The job-run state machine (drawn in glue_service.h): a run's runner thread validates the run
// (role, security configuration, KMS keys, script object), executes its script through the
// ProcessRunner, and stores each state it reaches. Child processes are only ever touched
// through process_runner.h.
#include <cstdlib>
#include <filesystem>

#include "api/common/request_id.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_kms_failure.h"
#include "api/glue/glue_python.h"
#include "api/glue/glue_run.h"
#include "api/glue/glue_script.h"
#include "crypto/aead.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

// What a run's security configuration asks of it (glue_service.h, Validate / Finish).
struct Service::RunEncryption {
  bool found = false;  // the named configuration exists
  // SSE-KMS/SSE-S3 for the objects the session writes (S3Encryption).
  std::optional<auth::Principal::ObjectEncryption> object_encryption;
  struct KeyUse {
    std::string setting, key, via;
  };
  std::vector<KeyUse> key_uses;  // every KMS key the configuration names, with its service
  std::string log_key;           // CloudWatchEncryption's key when SSE-KMS, else ""
  std::string bookmark_key;      // JobBookmarksEncryption's key when CSE-KMS, else ""
};

namespace {

// The last line of a run's output (the usual place of a Python traceback's message).
std::string LastLine(std::string_view log) {
  while (!log.empty() && (log.back() == '\n' || log.back() == '\r')) log.remove_suffix(1);
  const size_t nl = log.rfind('\n');
  return std::string(nl == std::string_view::npos ? log : log.substr(nl + 1));
}

}  // namespace

std::string Service::RenderRun(const Run& run) const {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Document job;
  job.Parse(run.job_text.c_str());
  MutexLock lock(run.mu);
  json::SetStr(d, "Id", run.id, a);
  d.AddMember("Attempt", run.attempt, a);
  if (!run.previous_run_id.empty()) json::SetStr(d, "PreviousRunId", run.previous_run_id, a);
  if (!run.trigger_name.empty()) json::SetStr(d, "TriggerName", run.trigger_name, a);
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
               !run.log_prefix.empty()    ? run.log_prefix
               : command == "pythonshell" ? "/aws-glue/python-jobs"
                                          : "/aws-glue/jobs",
               a);
  return json::Dump(d);
}

Status Service::PersistRun(const Run& run) {
  MutexLock persist_lock(run.persist_mu);
  std::string log_doc;
  {
    MutexLock lock(run.mu);
    log_doc = run.log_doc;
  }
  const std::string text = "{\"JobRun\":" + RenderRun(run) + ",\"Log\":" + log_doc + "}";
  return Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Put(conn, {run.account, run.region, "run", run.job_name, run.id},
                                  text, run.seq);
  });
}

void Service::RunMain(std::shared_ptr<Run> run) {
  std::string script_path;
  Status st = Validate(*run, &script_path);
  if (!st.ok()) {
    Finish(*run, "FAILED", st.message());
  } else if (run->stop) {
    Finish(*run, "STOPPED", "");
  } else {
    {
      MutexLock lock(run->mu);
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
  if (run->session) EndGlueSession(*deps_.principals, *run->session);
  AfterRun(*run);
  {
    MutexLock lock(runs_mu_);
    active_.erase(run->id);
    run->done = true;
  }
  runs_cv_.SignalAll();
}

Service::RunEncryption Service::ReadRunEncryption(const Run& run) {
  return ReadSecurityConfiguration(run.account, run.region, run.secconf_name);
}

std::string Service::CloudWatchLogKey(const std::string& account, const std::string& region,
                                      const std::string& name) {
  return ReadSecurityConfiguration(account, region, name).log_key;
}

Service::RunEncryption Service::ReadSecurityConfiguration(const std::string& account,
                                                          const std::string& region,
                                                          const std::string& name) {
  RunEncryption out;
  if (name.empty()) return out;
  auto text = RawGet(*deps_.db, {account, region, "secconf", "", name});
  if (!text.ok() || !*text) return out;
  out.found = true;
  Document secconf;
  secconf.Parse((*text)->c_str());
  const Value* ec = secconf.IsObject() ? json::Find(secconf, "EncryptionConfiguration") : nullptr;
  if (ec == nullptr) return out;
  if (const Value* s3 = json::Find(*ec, "S3Encryption"); s3 != nullptr && s3->IsArray()) {
    for (const auto& e : s3->GetArray()) {
      std::string mode = json::Text(e, "S3EncryptionMode");
      if (mode == "SSE-KMS") {
        std::string key = json::Text(e, "KmsKeyArn");
        out.object_encryption = auth::Principal::ObjectEncryption{"aws:kms", key};
        out.key_uses.push_back({"S3Encryption", key, "s3." + region + ".amazonaws.com"});
      } else if (mode == "SSE-S3") {
        out.object_encryption = auth::Principal::ObjectEncryption{"AES256", ""};
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
       "logs." + region + ".amazonaws.com"},
      {"JobBookmarksEncryption", "JobBookmarksEncryptionMode", "CSE-KMS",
       "glue." + region + ".amazonaws.com"},
      {"DataQualityEncryption", "DataQualityEncryptionMode", "SSE-KMS",
       "glue." + region + ".amazonaws.com"},
  };
  for (const auto& s : sections) {
    const Value* v = json::Find(*ec, s.member);
    if (v == nullptr || !v->IsObject()) continue;
    if (json::Text(*v, s.mode_member) != s.kms_mode) continue;
    std::string key = json::Text(*v, "KmsKeyArn");
    if (std::string_view(s.member) == "CloudWatchEncryption") out.log_key = key;
    if (std::string_view(s.member) == "JobBookmarksEncryption") out.bookmark_key = key;
    out.key_uses.push_back({s.member, std::move(key), s.via});
  }
  return out;
}

Status Service::Validate(Run& run, std::string* script_path) {
  Document job;
  job.Parse(run.job_text.c_str());
  // 1. Glue may assume the role (its trust policy), 2. the security configuration, and from it
  // the session's output encryption, 3. the role's session.
  if (!GlueMayAssume(run.role,
                     "arn:aws:glue:" + run.region + ":" + run.account + ":job/" + run.job_name,
                     deps_.clock->Now())) {
    return InvalidInput(TrustRefusal(run.role));
  }
  const RunEncryption enc = ReadRunEncryption(run);
  if (!run.secconf_name.empty() && !enc.found) {
    return NotFound("Security configuration " + run.secconf_name + " not found.");
  }
  GlueSessionRequest request;
  request.session_name = run.id;
  // Valid until the run ends (EndGlueSession); expiring on its own a little after its timeout.
  request.expires = run.started + std::chrono::minutes(run.timeout_min) + std::chrono::minutes(5);
  request.object_encryption = enc.object_encryption;
  if (!request.object_encryption) {
    auto it = run.merged.find("--encryption-type");
    if (it != run.merged.end() && it->second == "sse-s3") {
      request.object_encryption = auth::Principal::ObjectEncryption{"AES256", ""};
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      run.session, AssumeGlueRole(deps_.iam, *deps_.principals, *deps_.random, run.role, request));
  const std::string who = run.session->arn;

  {
    const Value* cmd_name = json::Find(job, "Command");
    std::string prefix = cmd_name != nullptr && json::Text(*cmd_name, "Name") == "pythonshell"
                             ? "/aws-glue/python-jobs"
                             : "/aws-glue/jobs";
    // With CloudWatchEncryption, Glue writes to groups named after the configuration and role.
    if (!enc.log_key.empty()) prefix += "/" + run.secconf_name + "-role/" + run.role.name;
    MutexLock lock(run.mu);
    run.log_prefix = prefix;
  }
  // 3. Every KMS key the configuration names is usable by the role, through its service.
  for (const auto& use : enc.key_uses) {
    kms::Caller kc;
    kc.principal = run.session;
    kc.region = run.region;
    kc.via_service = use.via;
    // GenerateDataKey (as kms:GenerateDataKey*-allowing roles expect); the key is discarded.
    auto r = Kms().GenerateDataKey(kc, use.key, 32, {}, true, run.request_id);
    if (!r.ok()) {
      return Status(
          r.status().code(), r.status().detail(),
          KmsFailureMessage(r.status(), who, "kms:GenerateDataKey", use.key, use.setting));
    }
  }

  // 4. The script object exists and the role may read (and decrypt) it, through S3 itself.
  const Value* cmd = json::Find(job, "Command");
  std::string location = cmd != nullptr ? json::Text(*cmd, "ScriptLocation") : "";
  char tmpl[] = "/tmp/sealstack-glue-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    return GlueError(ErrorKind::kInternal, "Internal error: cannot create a work directory");
  }
  *script_path = std::string(tmpl) + "/script.py";
  SEALSTACK_RETURN_IF_ERROR(FetchScript({deps_.buckets, deps_.objects, deps_.data_keys},
                                        run.session, run.region, location,
                                        options_.max_script_bytes, *script_path));
  // 5. glueetl scripts import awsglue: SealStack's compatibility package goes next to the script
  // (the script's folder is the first entry of its sys.path).
  if (cmd != nullptr && json::Text(*cmd, "Name") == "glueetl") {
    Status st = WritePythonPackage(tmpl);
    if (!st.ok()) {
      return GlueError(ErrorKind::kInternal,
                       "Internal error: cannot prepare awsglue: " + st.message());
    }
  }
  // 6. Job bookmarks: the job's state, opened as the role, for the script to skip what it read.
  if (BookmarkOption(run) != "job-bookmark-disable") {
    SEALSTACK_RETURN_IF_ERROR(PrepareBookmark(run, std::string(tmpl) + "/.bookmark-in.json"));
  }
  return Status::Ok();
}

ProcessSpec Service::RunProcessSpec(const Run& run, const std::string& script_path) const {
  std::string endpoint;
  {
    MutexLock lock(endpoint_mu_);
    endpoint = endpoint_url_;
  }
  ProcessSpec spec;
  spec.program = options_.python;
  // argv: python3 -u script --JOB_NAME name --JOB_RUN_ID id [--key value]...
  spec.argv = {options_.python, "-u",           script_path, "--JOB_NAME",
               run.job_name,    "--JOB_RUN_ID", run.id};
  for (const auto& [k, v] : run.merged) {
    spec.argv.push_back(k);
    spec.argv.push_back(v);
  }
  const auth::Principal& s = *run.session;
  spec.env = {
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
  const std::string dir = std::filesystem::path(script_path).parent_path().string();
  spec.env.push_back("SEALSTACK_GLUE_BOOKMARK_OPTION=" + BookmarkOption(run));
  spec.env.push_back("SEALSTACK_GLUE_BOOKMARK_IN=" + dir + "/.bookmark-in.json");
  spec.env.push_back("SEALSTACK_GLUE_BOOKMARK_OUT=" + dir + "/.bookmark-out.json");
  for (const char* keep : {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR"}) {
    if (const char* v = std::getenv(keep)) spec.env.push_back(std::string(keep) + "=" + v);
  }
  spec.workdir = std::filesystem::path(script_path).parent_path().string();
  return spec;
}

void Service::AppendLog(Run& run, std::string_view output) {
  if (output.empty()) return;
  MutexLock lock(run.mu);
  const size_t room =
      options_.max_log_bytes > run.log.size() ? options_.max_log_bytes - run.log.size() : 0;
  const size_t keep = std::min(room, output.size());
  if (keep > 0) {
    run.log_marks.emplace_back(
        run.log.size(),
        std::chrono::duration_cast<std::chrono::milliseconds>(deps_.clock->Now().time_since_epoch())
            .count());
  }
  run.log.append(output.data(), keep);
  run.dropped += output.size() - keep;
}

void Service::Execute(Run& run, const std::string& script_path) {
  if (!options_.execute) {
    {
      MutexLock lock(run.mu);
      run.log =
          "SealStack: the run passed validation; its script was not executed (start the server "
          "with --glue-execute to run Python scripts).\n";
    }
    Finish(run, "SUCCEEDED", "");
    return;
  }
  auto child = deps_.processes->Spawn(RunProcessSpec(run, script_path));
  if (!child.ok()) {
    Finish(run, "ERROR",
           child.status().code() == StatusCode::kUnavailable
               ? "Failed to start " + options_.python + ": " + child.status().message()
               : child.status().message());
    return;
  }
  const std::string outcome = Supervise(run, **child);
  std::string rest;
  const ExitStatus exit = (*child)->Reap(&rest);
  AppendLog(run, rest);

  if (outcome == "STOPPED") {
    Finish(run, "STOPPED", "");
  } else if (outcome == "TIMEOUT") {
    Finish(run, "TIMEOUT",
           "Job run timed out after " + std::to_string(run.timeout_min) + " minutes.");
  } else if (exit.exited && exit.code == 0) {
    // Job.commit's bookmark state becomes the job's only when the run succeeds (as on AWS).
    const std::string bookmark_error =
        BookmarkOption(run) == "job-bookmark-enable"
            ? StoreBookmark(
                  run,
                  std::filesystem::path(script_path).parent_path().string() + "/.bookmark-out.json",
                  ReadRunEncryption(run).bookmark_key)
            : std::string();
    Finish(run, bookmark_error.empty() ? "SUCCEEDED" : "FAILED", bookmark_error);
  } else {
    std::string last;
    {
      MutexLock lock(run.mu);
      last = LastLine(run.log);
    }
    std::string why = exit.exited ? "Command failed with exit code " + std::to_string(exit.code)
                                  : "Command was killed by signal " + std::to_string(exit.signal);
    Finish(run, "FAILED", last.empty() ? why : last + " (" + why + ")");
  }
}

std::string Service::Supervise(Run& run, Process& child) {
  const SystemTime deadline = run.started + std::chrono::minutes(run.timeout_min);
  std::string outcome;  // "" until a stop or the timeout decides it
  auto terminated_at = std::chrono::steady_clock::now();
  bool killing = false;
  std::string output;
  for (;;) {
    if (outcome.empty()) {
      if (run.stop) {
        outcome = "STOPPED";
      } else if (deps_.clock->Now() >= deadline) {
        outcome = "TIMEOUT";
      }
      if (!outcome.empty()) {
        child.Terminate();
        terminated_at = std::chrono::steady_clock::now();
        killing = true;
      }
    } else if (killing &&
               std::chrono::steady_clock::now() - terminated_at > std::chrono::seconds(2)) {
      child.Kill();  // it did not end within 2 s of SIGTERM
      killing = false;
    }
    // The wait only bounds how late a stop or a timeout (injected clock) is noticed.
    output.clear();
    const bool exited = child.Poll(std::chrono::milliseconds(50), &output);
    AppendLog(run, output);
    if (exited) return outcome;
  }
}

std::string Service::SealLog(Run& run, const std::string& key, const std::string& log,
                             const std::string& state, std::string* final_error) {
  Document ld(rapidjson::kObjectType);
  auto& a = ld.GetAllocator();
  {
    MutexLock lock(run.mu);
    ld.AddMember("dropped", run.dropped, a);
  }
  if (key.empty()) {
    ld.AddMember("encrypted", false, a);
    json::SetStr(ld, "text", log, a);
    return json::Dump(ld);
  }
  kms::Caller kc;
  kc.principal = run.session;
  kc.region = run.region;
  kc.via_service = "logs." + run.region + ".amazonaws.com";
  kms::EncryptionContext ctx = {{"aws:glue:run", run.id}};
  auto dk = Kms().GenerateDataKey(kc, key, 32, ctx, true, run.request_id);
  auto nonce = deps_.random->Bytes(12);
  Result<std::string> sealed = dk.ok() && nonce.ok()
                                   ? crypto::AesGcmSeal(dk->plaintext, *nonce, run.id, log)
                                   : Result<std::string>(dk.ok() ? nonce.status() : dk.status());
  ld.AddMember("encrypted", true, a);
  json::SetStr(ld, "key", key, a);
  if (sealed.ok()) {
    json::SetStr(ld, "blob", crypto::Base64(dk->ciphertext), a);
    json::SetStr(ld, "nonce", crypto::Base64(*nonce), a);
    json::SetStr(ld, "sealed", crypto::Base64(*sealed), a);
    json::SetStr(ld, "key", dk->key_arn, a);
  } else {
    // The log cannot be protected as configured: it is dropped, never stored in the clear.
    json::SetStr(ld, "lost", sealed.status().message(), a);
    if (final_error->empty() && state != "SUCCEEDED") {
      *final_error = "The run's log could not be encrypted: " + sealed.status().message();
    }
  }
  return json::Dump(ld);
}

void Service::Finish(Run& run, const std::string& state, const std::string& error_message) {
  // The log is stored sealed under the CloudWatchEncryption key when the configuration sets one
  // (GenerateDataKey as the run's role, through the logs service), else as text.
  // A run that never got its session ran nothing: its log is empty and stays unsealed.
  if (run.session) {
    // The role's policies as they are now (they may have changed while the script ran).
    if (auto now = CurrentSession(*deps_.principals, *run.session)) run.session = std::move(now);
  }
  const std::string log_key = run.session ? ReadRunEncryption(run).log_key : std::string();
  std::string log, final_error = error_message;
  {
    MutexLock lock(run.mu);
    log = run.log;
  }
  std::string log_doc = SealLog(run, log_key, log, state, &final_error);
  const std::string cloudwatch = WriteRunLogs(run, log_key, log, state, final_error);
  if (!cloudwatch.empty()) {
    // The admin view says why CloudWatch Logs has no copy (the run's state does not change).
    Document ld;
    ld.Parse(log_doc.c_str());
    if (ld.IsObject()) {
      json::SetStr(ld, "cloudwatch_error", cloudwatch, ld.GetAllocator());
      log_doc = json::Dump(ld);
    }
  }
  {
    MutexLock lock(run.mu);
    run.state = state;
    run.error = final_error;
    run.completed = run.modified = deps_.clock->Now();
    run.log_doc = std::move(log_doc);
    run.log.clear();
  }
  Status st = PersistRun(run);
  (void)st;  // a failed write leaves the last persisted state; nothing better to do here
}

std::string Service::WriteRunLogs(Run& run, const std::string& log_key, const std::string& log,
                                  const std::string& state, const std::string& error) {
  if (deps_.logs == nullptr) return "";
  std::vector<std::pair<size_t, int64_t>> marks;
  std::string prefix;
  {
    MutexLock lock(run.mu);
    marks = run.log_marks;
    prefix = run.log_prefix;
  }
  if (prefix.empty()) return "";  // the run failed before Validate named its groups
  const auto ms = [](SystemTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  const int64_t now = ms(deps_.clock->Now());
  std::vector<logs::LogEvent> output;
  size_t mark = 0;
  int64_t last = marks.empty() ? now : marks.front().second;
  for (size_t start = 0; start < log.size();) {
    size_t nl = log.find('\n', start);
    const size_t end = nl == std::string::npos ? log.size() : nl;
    while (mark < marks.size() && marks[mark].first <= start) last = marks[mark++].second;
    std::string line = log.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) output.push_back({last, std::move(line)});
    start = end + 1;
  }
  std::vector<logs::LogEvent> errors = {
      {ms(run.started),
       "SealStack: job run " + run.id + " of " + run.job_name + " started as " + run.session->arn},
      {std::max(now, ms(run.started)),
       "SealStack: job run " + run.id + " " + state + (error.empty() ? "" : ": " + error)}};
  api::Caller c;
  c.principal = run.session;
  c.region = run.region;
  c.request_id = run.request_id;
  Status out = deps_.logs->WriteServiceLog(c, prefix + "/output", log_key, run.id, output);
  Status err = deps_.logs->WriteServiceLog(c, prefix + "/error", log_key, run.id, errors);
  if (!out.ok()) return out.message();
  if (!err.ok()) return err.message();
  return "";
}

}  // namespace sealstack::api::glue
