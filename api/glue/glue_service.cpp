#include "api/glue/glue_service.h"

#include <unistd.h>

#include <cstdlib>
#include <variant>

#include "api/common/access.h"
#include "api/glue/glue_audit.h"
#include "api/glue/glue_wire.h"
#include "audit/pending_call.h"
#include "storage/glue_repo.h"

namespace sealstack::api::glue {

namespace {

// std::visit over a set of lambdas.
template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

bool PythonAvailable(const std::string& python) {
  if (python.find('/') != std::string::npos) return ::access(python.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (!dir.empty() && ::access((dir + "/" + python).c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

Service::Service(Dependencies deps, Options options)
    : deps_(std::move(deps)), options_(std::move(options)), endpoint_url_(options_.endpoint_url) {
  if (!deps_.processes) deps_.processes = PosixProcessRunner();
  if (!deps_.access) {
    deps_.access = std::make_shared<AccessCheck>(PolicyMode::kEnforce, deps_.clock);
  }
  // A failure here leaves the stored runs as they were; every call that reads them still works.
  auto ended = EndInterruptedRuns();
  if (ended.ok()) interrupted_runs_ended_ = *ended;
  (void)EndInterruptedCrawls();
  scheduler_ = std::thread([this] { SchedulerMain(); });
}

Service::~Service() {
  StopScheduler();
  StopAllRuns();
  StopAllCrawls();
}

void Service::SetEndpoint(std::string url) {
  MutexLock lock(endpoint_mu_);
  endpoint_url_ = std::move(url);
}

Result<std::string> Service::Call(const Caller& caller, const std::string& operation,
                                  const Result<Input>& input, std::string request_parameters) {
  audit::Event event;
  event.principal = caller.principal;
  event.event_source = std::string(kGlueEventSource);
  event.event_name = operation;
  event.region = caller.region;
  event.source_ip = caller.source_ip;
  event.user_agent = caller.user_agent;
  event.read_only = IsReadOnlyOperation(operation);
  event.request_id = caller.request_id;
  event.request_parameters = std::move(request_parameters);
  audit::PendingCall pending(caller.principal ? deps_.audit : nullptr, std::move(event));
  Result<std::string> result = input.ok() ? Dispatch(caller, *input) : input.status();
  if (!pending.written()) {
    audit::Event& e = pending.event();
    if (!result.ok()) {
      WireError w = GlueStatusToWire(result.status());
      e.error_code = w.code;
      e.error_message = w.message;
      e.response_elements.clear();
    } else if (!e.read_only && e.response_elements.empty()) {
      e.response_elements = GlueResponseElements(*result);
    }
    pending.Finish();
  }
  return result;
}

Result<std::string> Service::Dispatch(const Caller& c, const Input& input) {
  return std::visit(
      Overloaded{
          [&](const CreateJobInput& in) { return CreateJob(c, in); },
          [&](const UpdateJobInput& in) { return UpdateJob(c, in); },
          [&](const GetJobInput& in) { return GetJob(c, in); },
          [&](const GetJobsInput& in) { return GetJobs(c, in); },
          [&](const ListJobsInput& in) { return ListJobs(c, in); },
          [&](const BatchGetJobsInput& in) { return BatchGetJobs(c, in); },
          [&](const DeleteJobInput& in) { return DeleteJob(c, in); },
          [&](const TagResourceInput& in) { return TagResource(c, in); },
          [&](const UntagResourceInput& in) { return UntagResource(c, in); },
          [&](const GetTagsInput& in) { return GetTags(c, in); },
          [&](const CreateSecurityConfigurationInput& in) {
            return CreateSecurityConfiguration(c, in);
          },
          [&](const GetSecurityConfigurationInput& in) { return GetSecurityConfiguration(c, in); },
          [&](const GetSecurityConfigurationsInput& in) {
            return GetSecurityConfigurations(c, in);
          },
          [&](const DeleteSecurityConfigurationInput& in) {
            return DeleteSecurityConfiguration(c, in);
          },
          [&](const StartJobRunInput& in) { return StartJobRun(c, in); },
          [&](const GetJobRunInput& in) { return GetJobRun(c, in); },
          [&](const GetJobRunsInput& in) { return GetJobRuns(c, in); },
          [&](const BatchStopJobRunInput& in) { return BatchStopJobRun(c, in); },
          [&](const PutDataCatalogEncryptionSettingsInput& in) {
            return PutDataCatalogEncryptionSettings(c, in);
          },
          [&](const GetDataCatalogEncryptionSettingsInput& in) {
            return GetDataCatalogEncryptionSettings(c, in);
          },
          [&](const CreateDatabaseInput& in) { return CreateDatabase(c, in); },
          [&](const GetDatabaseInput& in) { return GetDatabase(c, in); },
          [&](const GetDatabasesInput& in) { return GetDatabases(c, in); },
          [&](const UpdateDatabaseInput& in) { return UpdateDatabase(c, in); },
          [&](const DeleteDatabaseInput& in) { return DeleteDatabase(c, in); },
          [&](const CreateTableInput& in) { return CreateTable(c, in); },
          [&](const GetTableInput& in) { return GetTable(c, in); },
          [&](const GetTablesInput& in) { return GetTables(c, in); },
          [&](const UpdateTableInput& in) { return UpdateTable(c, in); },
          [&](const DeleteTableInput& in) { return DeleteTable(c, in); },
          [&](const CreatePartitionInput& in) { return CreatePartition(c, in); },
          [&](const BatchCreatePartitionInput& in) { return BatchCreatePartition(c, in); },
          [&](const GetPartitionInput& in) { return GetPartition(c, in); },
          [&](const GetPartitionsInput& in) { return GetPartitions(c, in); },
          [&](const UpdatePartitionInput& in) { return UpdatePartition(c, in); },
          [&](const DeletePartitionInput& in) { return DeletePartition(c, in); },
          [&](const BatchGetPartitionInput& in) { return BatchGetPartition(c, in); },
          [&](const BatchDeletePartitionInput& in) { return BatchDeletePartition(c, in); },
          [&](const CreateCrawlerInput& in) { return CreateCrawler(c, in); },
          [&](const UpdateCrawlerInput& in) { return UpdateCrawler(c, in); },
          [&](const GetCrawlerInput& in) { return GetCrawler(c, in); },
          [&](const DeleteCrawlerInput& in) { return DeleteCrawler(c, in); },
          [&](const StartCrawlerInput& in) { return StartCrawler(c, in); },
          [&](const StopCrawlerInput& in) { return StopCrawler(c, in); },
          [&](const GetCrawlersInput& in) { return GetCrawlers(c, in); },
          [&](const ListCrawlersInput& in) { return ListCrawlers(c, in); },
          [&](const GetCrawlerMetricsInput& in) { return GetCrawlerMetrics(c, in); },
          [&](const CreateConnectionInput& in) { return CreateConnection(c, in); },
          [&](const GetConnectionInput& in) { return GetConnection(c, in); },
          [&](const GetConnectionsInput& in) { return GetConnections(c, in); },
          [&](const DeleteConnectionInput& in) { return DeleteConnection(c, in); },
          [&](const GetJobBookmarkInput& in) { return GetJobBookmark(c, in); },
          [&](const ResetJobBookmarkInput& in) { return ResetJobBookmark(c, in); },
          [&](const CreateTriggerInput& in) { return CreateTrigger(c, in); },
          [&](const UpdateTriggerInput& in) { return UpdateTrigger(c, in); },
          [&](const GetTriggerInput& in) { return GetTrigger(c, in); },
          [&](const GetTriggersInput& in) { return GetTriggers(c, in); },
          [&](const ListTriggersInput& in) { return ListTriggers(c, in); },
          [&](const BatchGetTriggersInput& in) { return BatchGetTriggers(c, in); },
          [&](const DeleteTriggerInput& in) { return DeleteTrigger(c, in); },
          [&](const StartTriggerInput& in) { return StartTrigger(c, in); },
          [&](const StopTriggerInput& in) { return StopTrigger(c, in); },
      },
      input);
}

Status Service::Mutate(const std::function<Status(storage::Connection&)>& fn) {
  return audit::PendingCall::InTransaction(*deps_.db, fn);
}

kms::ServiceKmsClient Service::Kms() const {
  return kms::ServiceKmsClient(*deps_.kms, deps_.audit, "glue.amazonaws.com");
}

void Service::NoteResponse(const std::string& json) {
  if (audit::PendingCall* call = audit::PendingCall::Current()) {
    call->event().response_elements = GlueResponseElements(json);
  }
}

Status Service::Authorize(const Caller& c, const std::string& operation,
                          const std::string& resource) {
  AccessDecision d =
      deps_.access->CheckAction(c, AccessService::kGlue, "glue:" + operation, resource);
  return d.denied() ? GlueError(ErrorKind::kAccessDenied, std::move(d.message)) : Status::Ok();
}

Status Service::Reset() {
  StopAllRuns();
  StopAllCrawls();
  {
    MutexLock lock(runs_mu_);
    shutting_down_ = false;
  }
  return deps_.db->WithTransaction(
      [](storage::Connection& c) { return storage::GlueRepo::DeleteAll(c); });
}

}  // namespace sealstack::api::glue
