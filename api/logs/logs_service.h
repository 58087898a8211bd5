// logs::Service: the part of CloudWatch Logs Glue needs: log groups (with a KMS key), retention,
// log streams, PutLogEvents, GetLogEvents, FilterLogEvents.
//
// Operations take typed input (read by logs_wire.cpp) and return the response's JSON text; errors
// are Status with a logs::ErrorKind (logs_errors.h). Calls are authorized by the caller's identity
// policies (logs:<Op> on arn:aws:logs:REGION:ACCT:log-group:NAME[:log-stream:STREAM]).
//
// Encryption at rest: every PutLogEvents call of a group with a KMS key is stored as one sealed
// batch: a fresh data key from GenerateDataKey, AES-256-GCM over the batch's events. KMS is called
// in-process as the caller (the same key policy, identity policies and grants apply) with
// kms:ViaService logs.<region>.amazonaws.com and the encryption context AWS uses,
// {"aws:logs:arn": "arn:aws:logs:REGION:ACCT:log-group:NAME"}; reads Decrypt each batch the same
// way, so a disabled key, or a caller the key does not allow, cannot read the group's events
// (AccessDeniedException, as AWS answers). AssociateKmsKey and CreateLogGroup with kmsKeyId check
// the key with GenerateDataKeyWithoutPlaintext first. Batches written before a key was associated
// stay as they were; DisassociateKmsKey leaves sealed batches sealed (as on AWS, they still need
// the key).
//
// Thread safety: all methods are safe to call concurrently (state lives in the database).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/common/caller.h"
#include "api/kms/kms_audit.h"
#include "api/kms/kms_service.h"
#include "audit/recorder.h"
#include "common/clock.h"
#include "common/result.h"
#include "crypto/random.h"
#include "storage/db.h"
#include "storage/logs_repo.h"

namespace sealstack::api {
class AccessCheck;
}  // namespace sealstack::api

namespace sealstack::api::logs {

struct Dependencies {
  storage::Database* db = nullptr;
  kms::Service* kms = nullptr;
  std::shared_ptr<const Clock> clock;
  std::shared_ptr<crypto::RandomSource> random;
  audit::Recorder* audit = nullptr;     // KMS calls Logs makes are recorded here; null = none
  std::shared_ptr<AccessCheck> access;  // null = enforce, on `clock`
};

struct LogEvent {
  int64_t timestamp = 0;  // ms since the epoch
  std::string message;
};

struct CreateLogGroupInput {
  std::string group;
  std::string kms_key_id;  // "" = none
};
struct GroupInput {  // DeleteLogGroup, DisassociateKmsKey, DeleteRetentionPolicy
  std::string group;
};
struct AssociateKmsKeyInput {
  std::string group;
  std::string kms_key_id;
};
struct PutRetentionPolicyInput {
  std::string group;
  int64_t days = 0;
};
struct DescribeLogGroupsInput {
  std::string prefix;
  std::string pattern;  // logGroupNamePattern: a substring, case-insensitive
  size_t limit = 50;
  std::string next_token;
};
struct CreateLogStreamInput {
  std::string group;
  std::string stream;
};
struct DescribeLogStreamsInput {
  std::string group;
  std::string prefix;
  bool by_last_event = false;  // orderBy LastEventTime
  bool descending = false;
  size_t limit = 50;
  std::string next_token;
};
struct PutLogEventsInput {
  std::string group;
  std::string stream;
  std::vector<LogEvent> events;
};
struct GetLogEventsInput {
  std::string group;
  std::string stream;
  std::optional<int64_t> start_time, end_time;
  std::string next_token;
  size_t limit = 10000;
  bool start_from_head = false;
};
struct FilterLogEventsInput {
  std::string group;
  std::vector<std::string> streams;
  std::string stream_prefix;
  std::optional<int64_t> start_time, end_time;
  std::string filter_pattern;
  std::string next_token;
  size_t limit = 10000;
};

class Service {
 public:
  explicit Service(Dependencies deps);

  Result<std::string> CreateLogGroup(const Caller& c, const CreateLogGroupInput& in);
  Result<std::string> DeleteLogGroup(const Caller& c, const GroupInput& in);
  Result<std::string> AssociateKmsKey(const Caller& c, const AssociateKmsKeyInput& in);
  Result<std::string> DisassociateKmsKey(const Caller& c, const GroupInput& in);
  Result<std::string> PutRetentionPolicy(const Caller& c, const PutRetentionPolicyInput& in);
  Result<std::string> DeleteRetentionPolicy(const Caller& c, const GroupInput& in);
  Result<std::string> DescribeLogGroups(const Caller& c, const DescribeLogGroupsInput& in);
  Result<std::string> CreateLogStream(const Caller& c, const CreateLogStreamInput& in);
  Result<std::string> DescribeLogStreams(const Caller& c, const DescribeLogStreamsInput& in);
  Result<std::string> PutLogEvents(const Caller& c, const PutLogEventsInput& in);
  Result<std::string> GetLogEvents(const Caller& c, const GetLogEventsInput& in);
  Result<std::string> FilterLogEvents(const Caller& c, const FilterLogEventsInput& in);

  // What a service (Glue) writes for `c` (a job run's role): creates the group (with
  // `kms_key_id` when not "") and the stream when missing, then puts `events`. Each step is
  // authorized and encrypted as the same call made by `c` would be.
  Status WriteServiceLog(const Caller& c, const std::string& group, const std::string& kms_key_id,
                         const std::string& stream, std::vector<LogEvent> events);

  Status Reset();
  Status ResetAccount(const std::string& account);

  static std::string GroupArn(const std::string& region, const std::string& account,
                              const std::string& group);

 private:
  struct Stored;
  Status Authorize(const Caller& c, const std::string& operation, const std::string& resource);
  Result<std::string> LoadGroup(const Caller& c, const std::string& group);
  // Every stream row of `group` in the caller's account and region.
  Result<std::vector<storage::LogsRow>> StreamRows(const Caller& c, const std::string& group);
  // GenerateDataKeyWithoutPlaintext as `c` via logs: is the key usable for the group?
  Result<std::string> CheckKey(const Caller& c, const std::string& group,
                               const std::string& key_id);
  // The events of one stream (decrypted as `c`), ordered as they were put.
  Result<std::vector<LogEvent>> ReadStream(const Caller& c, const std::string& group,
                                           const std::string& stream, int64_t retention_days,
                                           std::vector<int64_t>* ingestion);
  kms::ServiceKmsClient Kms() const;
  int64_t NowMs() const;

  Dependencies deps_;
};

}  // namespace sealstack::api::logs
