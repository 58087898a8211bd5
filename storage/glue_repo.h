// GlueRepo: the rows behind Glue (jobs, security configurations, job runs, catalog entities).
// api/glue owns the JSON documents; this layer only stores and lists them. Catalog documents
// under SSE-KMS arrive already encrypted.
//
// Thread safety: stateless; safe for concurrent use with distinct connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/db.h"

namespace sealstack::storage {

struct GlueKey {
  std::string account;
  std::string region;
  std::string kind;  // "job", "secconf", "run", "database", "table", "partition", ...
  std::string parent;
  std::string name;
};

struct GlueRow {
  std::string name;
  std::string doc;
  int64_t seq = 0;
};

struct GlueEntity {
  GlueKey key;
  std::string doc;
  int64_t seq = 0;
};

class GlueRepo {
 public:
  // Insert; kAlreadyExists if the key is taken.
  static Status Insert(Connection& c, const GlueKey& key, const std::string& doc, int64_t seq = 0);
  // Insert or replace.
  static Status Put(Connection& c, const GlueKey& key, const std::string& doc, int64_t seq = 0);
  // kNotFound if absent.
  static Result<std::string> Get(Connection& c, const GlueKey& key);
  // Returns whether a row was deleted.
  static Result<bool> Delete(Connection& c, const GlueKey& key);
  // Deletes every row of `kind` under `parent` (children of a deleted entity).
  static Status DeleteChildren(Connection& c, const GlueKey& scope);
  // Rows of (account, region, kind, parent) with name > after, by name, at most `limit`.
  static Result<std::vector<GlueRow>> List(Connection& c, const GlueKey& scope,
                                           const std::string& after, size_t limit);
  // Rows ordered by seq descending (newest first), seq < before (nullopt: from the newest).
  static Result<std::vector<GlueRow>> ListBySeq(Connection& c, const GlueKey& scope,
                                                std::optional<int64_t> before, size_t limit);
  // The one row of `kind` named `name` in any account, region and parent (run ids are unique).
  static Result<std::string> FindAny(Connection& c, const std::string& kind,
                                     const std::string& name);
  // Every row of `kind` in any account, region and parent (start-up recovery of job runs).
  static Result<std::vector<GlueEntity>> ListKind(Connection& c, const std::string& kind);
  static Status DeleteAll(Connection& c);                                  // admin reset
  static Status DeleteAccount(Connection& c, const std::string& account);  // admin reset
};

}  // namespace sealstack::storage
