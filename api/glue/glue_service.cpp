#include "api/glue/glue_service.h"

#include <unistd.h>

#include <cstdlib>

#include "api/common/access.h"
#include "api/glue/glue_audit.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_wire.h"
#include "audit/pending_call.h"
#include "storage/glue_repo.h"

namespace sealstack::api::glue {

namespace {

using Handler = Result<std::string> (Service::*)(const Caller&, const rapidjson::Value&);

}  // namespace

// The dispatch table (a friend, so it may name the private operations).
struct Ops {
  static const std::map<std::string, Handler, std::less<>>& Table() {
    static const std::map<std::string, Handler, std::less<>> kTable = {
        {"CreateJob", &Service::CreateJob},
        {"UpdateJob", &Service::UpdateJob},
        {"GetJob", &Service::GetJob},
        {"GetJobs", &Service::GetJobs},
        {"ListJobs", &Service::ListJobs},
        {"BatchGetJobs", &Service::BatchGetJobs},
        {"DeleteJob", &Service::DeleteJob},
        {"TagResource", &Service::TagResource},
        {"UntagResource", &Service::UntagResource},
        {"GetTags", &Service::GetTags},
        {"CreateSecurityConfiguration", &Service::CreateSecurityConfiguration},
        {"GetSecurityConfiguration", &Service::GetSecurityConfiguration},
        {"GetSecurityConfigurations", &Service::GetSecurityConfigurations},
        {"DeleteSecurityConfiguration", &Service::DeleteSecurityConfiguration},
        {"StartJobRun", &Service::StartJobRun},
        {"GetJobRun", &Service::GetJobRun},
        {"GetJobRuns", &Service::GetJobRuns},
        {"BatchStopJobRun", &Service::BatchStopJobRun},
        {"PutDataCatalogEncryptionSettings", &Service::PutDataCatalogEncryptionSettings},
        {"GetDataCatalogEncryptionSettings", &Service::GetDataCatalogEncryptionSettings},
        {"CreateDatabase", &Service::CreateDatabase},
        {"GetDatabase", &Service::GetDatabase},
        {"GetDatabases", &Service::GetDatabases},
        {"UpdateDatabase", &Service::UpdateDatabase},
        {"DeleteDatabase", &Service::DeleteDatabase},
        {"CreateTable", &Service::CreateTable},
        {"GetTable", &Service::GetTable},
        {"GetTables", &Service::GetTables},
        {"UpdateTable", &Service::UpdateTable},
        {"DeleteTable", &Service::DeleteTable},
        {"CreatePartition", &Service::CreatePartition},
        {"BatchCreatePartition", &Service::BatchCreatePartition},
        {"GetPartition", &Service::GetPartition},
        {"GetPartitions", &Service::GetPartitions},
        {"CreateConnection", &Service::CreateConnection},
        {"GetConnection", &Service::GetConnection},
        {"GetConnections", &Service::GetConnections},
        {"DeleteConnection", &Service::DeleteConnection},
    };
    return kTable;
  }
};

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
}

Service::~Service() {
  StopAllRuns();
}

void Service::SetEndpoint(std::string url) {
  MutexLock lock(endpoint_mu_);
  endpoint_url_ = std::move(url);
}

bool Service::IsKnownOperation(const std::string& operation) {
  return Ops::Table().count(operation) > 0;
}

Result<std::string> Service::Call(const Caller& caller, const std::string& operation,
                                  const rapidjson::Value& request) {
  const auto& table = Ops::Table();
  auto it = table.find(operation);
  if (it == table.end()) {
    return GlueError(ErrorKind::kInvalidInput, "Unknown operation " + operation);
  }
  audit::Event event;
  event.principal = caller.principal;
  event.event_source = std::string(kGlueEventSource);
  event.event_name = operation;
  event.region = caller.region;
  event.source_ip = caller.source_ip;
  event.user_agent = caller.user_agent;
  event.read_only = IsReadOnlyOperation(operation);
  event.request_id = caller.request_id;
  event.request_parameters = GlueRequestParameters(request);
  audit::PendingCall pending(caller.principal ? deps_.audit : nullptr, std::move(event));
  Result<std::string> result = (this->*(it->second))(caller, request);
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

Status Service::Mutate(const std::function<Status(storage::Connection&)>& fn) {
  return audit::PendingCall::InTransaction(*deps_.db, fn);
}

kms::ServiceKmsClient Service::Kms() const {
  return kms::ServiceKmsClient(*deps_.kms, deps_.audit, "glue.amazonaws.com");
}

void Service::NoteResponse(std::string json) {
  if (audit::PendingCall* call = audit::PendingCall::Current()) {
    call->event().response_elements = GlueResponseElements(json);
  }
}

Status Service::Authorize(const Caller& c, const std::string& operation,
                          const std::string& resource) {
  AccessRequest r;
  r.service = AccessService::kGlue;
  r.action = "glue:" + operation;
  r.resource = resource;
  AccessDecision d = deps_.access->Check(c, r);
  return d.denied() ? GlueError(ErrorKind::kAccessDenied, std::move(d.message)) : Status::Ok();
}

Status Service::Reset() {
  StopAllRuns();
  {
    MutexLock lock(runs_mu_);
    shutting_down_ = false;
  }
  return deps_.db->WithTransaction(
      [](storage::Connection& c) { return storage::GlueRepo::DeleteAll(c); });
}

}  // namespace sealstack::api::glue
