// Job runs: the operations (StartJobRun, GetJobRun(s), BatchStopJobRun), the admin view of a
// run's log, and the ends of runs (reset, shutdown, a restart after a crash). A run's own
// progress, validation and execution, is glue_run_machine.cpp.
#include <cstdlib>

#include "api/common/request_id.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_kms_failure.h"
#include "api/glue/glue_run.h"
#include "api/glue/glue_wire.h"
#include "crypto/aead.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

std::map<std::string, std::string> MapOf(const Value* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->IsObject()) return out;
  for (const auto& m : v->GetObject()) {
    if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
  }
  return out;
}

// A request's map of strings, a later duplicate key replacing an earlier one.
std::map<std::string, std::string> MapOf(const std::optional<StringPairs>& pairs) {
  std::map<std::string, std::string> out;
  if (pairs) {
    for (const auto& [k, v] : *pairs) out[k] = v;
  }
  return out;
}

}  // namespace

Result<std::string> Service::StartJobRun(const Caller& c, const StartJobRunInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "StartJobRun", GlueArn(c, "job/" + in.job_name)));
  RunRequest r;
  r.account = Account(c);
  r.region = c.region;
  r.job_name = in.job_name;
  r.request_id = c.request_id;
  r.arguments = MapOf(in.arguments);
  r.timeout = in.timeout;
  r.security_configuration = in.security_configuration.value_or("");
  SEALSTACK_ASSIGN_OR_RETURN(std::string id, StartRun(r));
  Document out(rapidjson::kObjectType);
  json::SetStr(out, "JobRunId", id, out.GetAllocator());
  return json::Dump(out);
}

Result<std::string> Service::StartRun(const RunRequest& r) {
  const std::string& name = r.job_name;
  SEALSTACK_ASSIGN_OR_RETURN(Document doc,
                             LoadJob({r.account, r.region, "job", "", name}, *deps_.db, name));
  const Value& job = doc["Job"];
  SEALSTACK_ASSIGN_OR_RETURN(GlueRole role, FindRole(r.account, job["Role"].GetString()));

  auto run = std::make_shared<Run>();
  SEALSTACK_ASSIGN_OR_RETURN(std::string raw, deps_.random->Bytes(32));
  run->id = "jr_" + crypto::Hex(raw);
  run->job_name = name;
  run->request_id = r.request_id;
  run->account = r.account;
  run->region = r.region;
  run->job_text = json::Dump(job);
  run->role = std::move(role);
  run->security_configuration_override = r.security_configuration;
  run->secconf_name = !r.security_configuration.empty() ? r.security_configuration : [&] {
    const Value* s = json::Find(job, "SecurityConfiguration");
    return s != nullptr && s->IsString() ? std::string(s->GetString()) : std::string();
  }();
  run->run_args = r.arguments;
  run->merged = MapOf(json::Find(job, "DefaultArguments"));
  for (const auto& [k, v] : run->run_args) run->merged[k] = v;
  for (const auto& [k, v] : MapOf(json::Find(job, "NonOverridableArguments"))) run->merged[k] = v;
  run->timeout_min = r.timeout.value_or(
      json::Find(job, "Timeout") != nullptr ? job["Timeout"].GetInt64() : int64_t{2880});
  run->attempt = r.attempt;
  run->previous_run_id = r.previous_run_id;
  run->trigger_name = r.trigger_name;
  if (const Value* m = json::Find(job, "MaxRetries"); m != nullptr && m->IsInt64()) {
    run->max_retries = m->GetInt64();
  }
  run->started = deps_.clock->Now();
  {
    MutexLock lock(run->mu);  // the run is not shared yet; the analysis wants the lock anyway
    run->modified = run->started;
  }
  run->seq = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             run_seq_++;

  const int64_t max_runs = [&] {
    const Value* ep = json::Find(job, "ExecutionProperty");
    const Value* m = ep != nullptr ? json::Find(*ep, "MaxConcurrentRuns") : nullptr;
    return m != nullptr && m->IsInt64() ? m->GetInt64() : int64_t{1};
  }();
  SEALSTACK_RETURN_IF_ERROR(Launch(run, max_runs));
  return run->id;
}

void Service::AfterRun(const Run& run) {
  if (run.no_followers) return;
  std::string state;
  {
    MutexLock lock(run.mu);
    state = run.state;
  }
  if (state == "FAILED" && run.attempt < run.max_retries) {
    RunRequest retry;
    retry.account = run.account;
    retry.region = run.region;
    retry.job_name = run.job_name;
    retry.request_id = run.request_id;
    retry.arguments = run.run_args;
    retry.timeout = run.timeout_min;
    retry.security_configuration = run.security_configuration_override;
    retry.trigger_name = run.trigger_name;
    retry.previous_run_id = run.id;
    retry.attempt = run.attempt + 1;
    // A retry that cannot start (the job was deleted, the server is stopping) ends the chain;
    // the watching triggers see this run's FAILED then.
    if (StartRun(retry).ok()) return;
  }
  FireConditionalTriggers(run.account, run.region, run.job_name, state);
}

Status Service::Launch(std::shared_ptr<Run> run, int64_t max_runs) {
  MutexLock lock(runs_mu_);
  if (shutting_down_) return GlueError(ErrorKind::kInternal, "The service is shutting down.");
  // Counted by state, as GetJobRun shows it: a run whose terminal state is stored no longer
  // counts, even while its runner thread is still cleaning up.
  int64_t running = 0;
  for (const auto& [id, r] : active_) {
    if (r->job_name != run->job_name || r->account != run->account || r->region != run->region)
      continue;
    MutexLock run_lock(r->mu);
    if (!Terminal(r->state)) ++running;
  }
  if (running >= max_runs) {
    return GlueError(ErrorKind::kConcurrentRunsExceeded,
                     "Concurrent runs exceeded for " + run->job_name);
  }
  NoteResponse("{\"JobRunId\":\"" + run->id + "\"}");
  SEALSTACK_RETURN_IF_ERROR(PersistRun(*run));
  active_[run->id] = run;
  JoinEnded(threads_);
  threads_.emplace_back(run, std::thread([this, run] { RunMain(run); }));
  return Status::Ok();
}

Result<std::string> Service::GetJobRun(const Caller& c, const GetJobRunInput& in) {
  const std::string& name = in.job_name;
  const std::string& id = in.run_id;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobRun", GlueArn(c, "job/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<std::string> text,
                             RawGet(*deps_.db, Key(c, "run", id, name)));
  if (!text) return NotFound("Job Run with id: " + id + " not found for job: " + name);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  return "{\"JobRun\":" + json::Dump(d["JobRun"]) + "}";
}

Result<std::string> Service::GetJobRuns(const Caller& c, const GetJobRunsInput& in) {
  const std::string& name = in.job_name;
  const std::optional<int64_t>& max = in.page.max_results;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobRuns", GlueArn(c, "job/" + name)));
  const std::string& token = in.page.after;
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
  return PageJson("JobRuns", "JobRun", rows, limit,
                  [](const storage::GlueRow& r) { return std::to_string(r.seq); });
}

Result<std::string> Service::BatchStopJobRun(const Caller& c, const BatchStopJobRunInput& in) {
  const std::string& name = in.job_name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "BatchStopJobRun", GlueArn(c, "job/" + name)));
  Document ok(rapidjson::kArrayType), errors(rapidjson::kArrayType);
  auto& a = ok.GetAllocator();
  auto& ea = errors.GetAllocator();
  for (const std::string& id : in.job_run_ids) {
    std::shared_ptr<Run> run;
    {
      MutexLock lock(runs_mu_);
      auto it = active_.find(id);
      if (it != active_.end() && it->second->job_name == name &&
          it->second->account == Account(c) && it->second->region == c.region) {
        run = it->second;
      }
    }
    bool stopped = false;
    if (run) {
      MutexLock lock(run->mu);
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
    json::SetStr(detail, "ErrorCode",
                 ErrorKindName(exists ? ErrorKind::kInvalidInput : ErrorKind::kEntityNotFound), ea);
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
  StopAllCrawls();  // a crawl ends at its next object; any account's (crawls are short)
  // Its runs stop first, and are waited for: a runner ending later would write its run back.
  std::vector<std::shared_ptr<Run>> stopping;
  {
    MutexLock lock(runs_mu_);
    for (auto& [id, run] : active_) {
      if (run->account != account) continue;
      run->no_followers = true;
      run->stop = true;
      stopping.push_back(run);
    }
    auto all_done = [&] {
      for (const auto& run : stopping) {
        if (!run->done) return false;
      }
      return true;
    };
    while (!all_done()) runs_cv_.Wait(lock);
  }
  return deps_.db->WithTransaction(
      [&](storage::Connection& c) { return storage::GlueRepo::DeleteAccount(c, account); });
}

void Service::StopAllRuns() {
  std::vector<std::pair<std::shared_ptr<Run>, std::thread>> threads;
  {
    MutexLock lock(runs_mu_);
    shutting_down_ = true;
    for (auto& [id, run] : active_) {
      run->no_followers = true;
      run->stop = true;
    }
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
  out.kms_key_arn = json::Text(*log, "key");
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
  kc.region = jr.HasMember("Id") ? json::Text(*log, "region") : "";
  auto parsed_key = out.kms_key_arn;
  // The key ARN names the region: arn:aws:kms:REGION:...
  {
    size_t a = parsed_key.find(':', 8);
    size_t b = a == std::string::npos ? a : parsed_key.find(':', a + 1);
    if (b != std::string::npos) kc.region = parsed_key.substr(a + 1, b - a - 1);
  }
  kc.via_service = "logs." + kc.region + ".amazonaws.com";
  auto blob = crypto::FromBase64(json::Text(*log, "blob"));
  auto nonce = crypto::FromBase64(json::Text(*log, "nonce"));
  auto sealed = crypto::FromBase64(json::Text(*log, "sealed"));
  if (!blob || !nonce || !sealed) return GlueError(ErrorKind::kInternal, "corrupt stored log");
  // Read through the logs service: invokedBy logs.amazonaws.com.
  auto dk =
      kms::ServiceKmsClient(*deps_.kms, deps_.audit)
          .Decrypt(kc, out.kms_key_arn, *blob, {{"aws:glue:run", run_id}}, NewUuidRequestId());
  if (!dk.ok()) {
    KmsFailure w = DescribeKmsFailure(dk.status());
    return GlueError(w.access_denied ? ErrorKind::kAccessDenied : ErrorKind::kGlueEncryption,
                     w.message);
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                             crypto::AesGcmOpen(dk->plaintext, *nonce, run_id, *sealed));
  out.text = plain.Reveal();
  return out;
}

}  // namespace sealstack::api::glue
