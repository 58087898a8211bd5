// What the read-only views (posture report, a key's dependents, the console) know about the
// state: KMS keys and how a key reference resolves, buckets, and a paged scan of every object
// version with its doc. They read through the typed services (kms::Service, BucketService,
// ObjectStore, glue::Service), never SQLite, and never render key material, SSE-C keys or
// secrets (DESIGN "Read-only views across services").
//
// Thread safety: a KeyDirectory is built per request from snapshots and is then immutable.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/common/json_fields.h"
#include "api/kms/kms_service.h"
#include "api/s3/bucket_service.h"
#include "api/s3/object_doc.h"
#include "api/s3/object_store.h"
#include "common/result.h"

namespace sealstack::server {

struct ServerContext;

// Every key, alias and grant at one moment, with key references resolved as KMS does.
class KeyDirectory {
 public:
  explicit KeyDirectory(const api::kms::Service& kms);

  const std::vector<std::shared_ptr<const api::kms::Key>>& keys() const { return keys_; }
  const std::vector<api::kms::Grant>& grants() const { return grants_; }
  // The key an ARN names, or null (deleted, or never existed).
  const api::kms::Key* ByArn(const std::string& arn) const;
  // The ARN a reference names in (account, region): a key ARN, key id, alias name or alias ARN.
  // "" when it names nothing known (an alias ARN/name that does not exist).
  std::string Resolve(const std::string& account, const std::string& region,
                      const std::string& ref) const;
  // Alias names ("alias/x") of a key.
  std::vector<std::string> AliasesOf(const api::kms::Key& key) const;
  // The grants of a key.
  std::vector<const api::kms::Grant*> GrantsOf(const api::kms::Key& key) const;

 private:
  std::vector<std::shared_ptr<const api::kms::Key>> keys_;
  std::vector<api::kms::Alias> aliases_;
  std::vector<api::kms::Grant> grants_;
  std::map<std::string, const api::kms::Key*> by_arn_;
  std::map<std::string, const api::kms::Key*> by_handle_;
};

// The members every view writes for a grant: grant_id, name, grantee, retiring, operations.
// Never the grant token.
void WriteGrantSummary(api::JsonFieldWriter& w, const api::kms::Grant& grant);

// "usable" when a key can decrypt (Enabled and sound); otherwise its KeyState name
// ("Disabled", "PendingDeletion", "PendingImport", ...), or "NotFound" for a null key.
std::string KeyUsability(const api::kms::Key* key);

// What the views need of one version's doc (parsed leanly: the scan reads every version).
struct VersionFacts {
  api::s3::SseMode mode = api::s3::SseMode::kSseS3;
  std::string kms_key_arn;  // KMS modes
  bool bucket_key = false;
  std::string client_side_format;  // "" = no client-side layer
  std::vector<std::string> client_side_keys;
};

// One version the scan visits (never a delete marker). Its info's doc has been parsed in place
// (no longer JSON): use `facts`.
struct ScannedVersion {
  const api::s3::Bucket* bucket;
  const api::s3::ObjectInfo* info;
  const VersionFacts* facts;
};

// Calls `visit` for every object version (delete markers skipped) of `buckets`, a page of
// `page_size` versions at a time (by bucket name, key, newest first): memory holds one page.
// `visit` returning false stops the scan.
Status ScanVersions(api::s3::ObjectStore& store, const std::vector<api::s3::Bucket>& buckets,
                    const std::function<bool(const ScannedVersion&)>& visit,
                    size_t page_size = 2000);

// "SSE-S3", "SSE-KMS", "DSSE-KMS", "SSE-C".
std::string_view SseModeName(api::s3::SseMode mode);
// The bucket default's mode name from its SSEAlgorithm.
std::string DefaultModeName(const api::s3::EncryptionConfiguration& e);

}  // namespace sealstack::server
