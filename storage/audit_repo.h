// AuditRepo: the rows behind the audit trail (migration 0005_audit). audit/recorder.h is the
// only caller: it renders each event's CloudTrail JSON and copies its lookup attributes out into
// columns; this layer stores, filters and trims them.
//
// Order: "newest first" is (event_time_us DESC, seq DESC); page cursors name the last row
// returned as such a pair.
//
// Thread safety: stateless; safe for concurrent use with distinct connections.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "storage/db.h"

namespace sealstack::storage {

struct AuditResourceRow {
  std::string type;  // "AWS::KMS::Key"
  std::string name;  // the ARN
};

struct AuditEventRow {
  int64_t seq = 0;  // assigned by Insert
  std::string event_id;
  int64_t event_time_us = 0;
  std::string account;
  std::string event_source;
  std::string event_name;
  bool read_only = false;
  std::string username;
  std::string access_key_id;
  std::string error_code;  // "" when the call succeeded
  std::string json;        // as stored: sealed by audit/record_sealer.h (plain in old rows)
  std::vector<AuditResourceRow> resources;
};

// LookupEvents' filter. At most one attribute (the API allows one).
struct AuditFilter {
  enum class Attribute {
    kNone,
    kEventId,
    kEventName,
    kReadOnly,
    kUsername,
    kResourceType,
    kResourceName,
    kEventSource,
    kAccessKeyId
  };
  std::string account;  // required: the recipient account
  Attribute attribute = Attribute::kNone;
  std::string value;
  int64_t start_us = INT64_MIN;  // inclusive
  int64_t end_us = INT64_MAX;    // inclusive
  // Strictly older than this (time_us, seq) in newest-first order; nullopt from the newest.
  std::optional<std::pair<int64_t, int64_t>> before;
  int64_t limit = 50;
};

class AuditRepo {
 public:
  // Inserts one event and its resources; sets row->seq.
  static Status Insert(Connection& c, AuditEventRow* row);
  // Rows matching `f`, newest first, at most f.limit, with their resources.
  static Result<std::vector<AuditEventRow>> Query(Connection& c, const AuditFilter& f);
  // The newest event without error from `event_source` naming `resource_name` whose name is one
  // of `names`. json and resources are not filled in.
  static Result<std::optional<AuditEventRow>> LastSuccessful(Connection& c,
                                                             const std::string& resource_name,
                                                             const std::string& event_source,
                                                             const std::vector<std::string>& names);
  // Every event's stored JSON (with its event id) in recording order, after seq `after` and up to
  // seq `upto` (0: no bound), at most `limit` rows; for the admin stream. `account` "" means
  // every account. Returns the last seq read (== after when none).
  static Result<int64_t> ForEachJson(
      Connection& c, const std::string& account, int64_t after, int64_t upto, int64_t limit,
      const std::function<void(std::string_view event_id, std::string_view json)>& fn);
  // Up to `limit` events whose stored JSON is still plain (written before records were sealed):
  // seq, event_id and json set.
  static Result<std::vector<AuditEventRow>> PlainRecords(Connection& c, int64_t limit);
  // Replaces an event's stored JSON (and size) with `json` (its sealed form).
  static Status ReplaceJson(Connection& c, int64_t seq, const std::string& json);
  // Sum of the stored JSON sizes.
  static Result<int64_t> TotalSize(Connection& c);
  // Deletes events older than `time_us`; returns the bytes freed.
  static Result<int64_t> DeleteBefore(Connection& c, int64_t time_us);
  // Deletes the oldest events (by seq) until at least `bytes` are freed; returns the bytes freed.
  static Result<int64_t> DeleteOldest(Connection& c, int64_t bytes);
  // Deletes every event ("" account) or one account's.
  static Status DeleteAll(Connection& c, const std::string& account = "");
  static Result<std::optional<std::string>> GetMeta(Connection& c, const std::string& name);
  static Status PutMeta(Connection& c, const std::string& name, const std::string& value);
};

}  // namespace sealstack::storage
