// KmsRepo: the rows behind KMS. api/kms keeps the live state in memory and writes through
// here; at start it loads everything back. Rows carry JSON documents that api/kms owns; this
// layer only stores them. Key material arrives already wrapped.
//
// Every writer takes the Connection of a transaction the caller opened
// (Database::WithTransaction), so one KMS mutation is one atomic commit.
// Thread safety: stateless; safe for concurrent use with distinct connections.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "storage/db.h"

namespace sealstack::storage {

struct KmsKeyRow {
  std::string key_id;
  std::string account;
  std::string region;
  double created_at = 0;
  std::string doc;
};

struct KmsMaterialRow {
  std::string key_id;
  std::string material_id;
  int64_t seq = 0;
  std::string wrapped;
  std::string doc;
};

struct KmsAliasRow {
  std::string account;
  std::string region;
  std::string alias_name;
  std::string key_id;
  double created_at = 0;
  double updated_at = 0;
};

struct KmsGrantRow {
  std::string grant_id;
  std::string key_id;
  double created_at = 0;
  std::string doc;
};

class KmsRepo {
 public:
  static Status PutKey(Connection& c, const KmsKeyRow& row);          // insert or replace
  static Status DeleteKey(Connection& c, const std::string& key_id);  // with its materials,
                                                                      // aliases and grants
  static Status PutMaterial(Connection& c, const KmsMaterialRow& row);
  static Status DeleteMaterial(Connection& c, const std::string& key_id,
                               const std::string& material_id);
  static Status PutAlias(Connection& c, const KmsAliasRow& row);
  static Status DeleteAlias(Connection& c, const std::string& account, const std::string& region,
                            const std::string& alias_name);
  static Status PutGrant(Connection& c, const KmsGrantRow& row);
  static Status DeleteGrant(Connection& c, const std::string& grant_id);

  static Status DeleteAll(Connection& c);  // every KMS row (admin reset)

  struct Snapshot {
    std::vector<KmsKeyRow> keys;
    std::vector<KmsMaterialRow> materials;  // ordered by key, then seq
    std::vector<KmsAliasRow> aliases;
    std::vector<KmsGrantRow> grants;
  };
  static Result<Snapshot> LoadAll(Connection& c);
};

}  // namespace sealstack::storage
