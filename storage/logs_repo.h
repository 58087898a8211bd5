// LogsRepo: the rows behind CloudWatch Logs (log groups, log streams, event batches). api/logs
// owns the JSON documents; this layer only stores and lists them. Batches of a group with a KMS
// key arrive already sealed.
//
// Thread safety: stateless; safe for concurrent use with distinct connections.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "storage/db.h"

namespace sealstack::storage {

struct LogsKey {
  std::string account;
  std::string region;
  std::string kind;  // "group", "stream", "batch"
  std::string parent;
  std::string name;
};

struct LogsRow {
  std::string parent;
  std::string name;
  std::string doc;
};

class LogsRepo {
 public:
  // Insert; kAlreadyExists if the key is taken.
  static Status Insert(Connection& c, const LogsKey& key, const std::string& doc);
  // Insert or replace.
  static Status Put(Connection& c, const LogsKey& key, const std::string& doc);
  // kNotFound if absent.
  static Result<std::string> Get(Connection& c, const LogsKey& key);
  // Rows of (account, region, kind, parent) with name > after, by name, at most `limit`.
  static Result<std::vector<LogsRow>> List(Connection& c, const LogsKey& scope,
                                           const std::string& after, size_t limit);
  // Deletes a log group and everything under it: its streams and their batches.
  static Status DeleteGroup(Connection& c, const std::string& account, const std::string& region,
                            const std::string& group);
  static Status DeleteAll(Connection& c);                                  // admin reset
  static Status DeleteAccount(Connection& c, const std::string& account);  // admin reset
};

}  // namespace sealstack::storage
