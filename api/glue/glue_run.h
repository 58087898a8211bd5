// One job run as its runner thread and the run operations share it (internal to api/glue).
// The states and their transitions are drawn in glue_service.h.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/glue/glue_service.h"
#include "common/mutex.h"

namespace sealstack::api::glue {

// STOPPED, SUCCEEDED, FAILED, TIMEOUT and ERROR: the run is over.
inline bool Terminal(std::string_view state) {
  return state == "STOPPED" || state == "SUCCEEDED" || state == "FAILED" || state == "TIMEOUT" ||
         state == "ERROR";
}

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
  int64_t attempt = 0;      // 0 for the first run, n for the n-th retry
  int64_t max_retries = 0;  // the job's MaxRetries when the run started
  std::string previous_run_id, trigger_name;
  std::string security_configuration_override;  // StartJobRun's SecurityConfiguration
  int64_t seq = 0;
  SystemTime started;
  GlueRole role;  // the job's role, found at StartJobRun
  // The run's temporary credentials: set by Validate() once the role is assumed (null before,
  // and for a run that could not assume it); read on the runner thread only.
  std::shared_ptr<const auth::Principal> session;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::atomic<bool> no_followers{false};  // an admin reset ended it: no retry, no triggers

  // Serializes PersistRun (render + write) so that a write rendered before the terminal
  // state cannot land after the terminal one (e.g. BatchStopJobRun racing Finish).
  // Lock order: Service::runs_mu_, then persist_mu, then mu.
  mutable Mutex persist_mu ACQUIRED_BEFORE(mu);
  mutable Mutex mu;
  std::string state GUARDED_BY(mu) = "STARTING";
  std::string error GUARDED_BY(mu);
  SystemTime modified GUARDED_BY(mu);
  std::optional<SystemTime> completed GUARDED_BY(mu);
  std::string log GUARDED_BY(mu);
  // (offset in `log`, server time in ms) of each piece of output as it arrived: the timestamps
  // of the CloudWatch events the lines become.
  std::vector<std::pair<size_t, int64_t>> log_marks GUARDED_BY(mu);
  // The CloudWatch log group prefix of the run ("/aws-glue/jobs", or with a CloudWatchEncryption
  // key "/aws-glue/jobs/<security configuration>-role/<role>"); set by Validate().
  std::string log_prefix GUARDED_BY(mu);
  uint64_t dropped GUARDED_BY(mu) = 0;
  std::string log_doc GUARDED_BY(mu) = "null";  // the stored log, once terminal
};

}  // namespace sealstack::api::glue
