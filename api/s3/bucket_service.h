// BucketService: S3 buckets and their encryption configuration (PROTOCOL 4.1, 3.7).
//
// Buckets are global by name (as on AWS) and owned by an account; only the owner's principals
// may use them until bucket policies arrive (S3 issue). A bucket's configuration (default
// encryption, blocked encryption types) lives in its row's JSON doc.
//
// Thread safety: safe for concurrent use; every call is one SQLite transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/s3/s3_xml.h"
#include "api/s3/sse.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/db.h"

namespace sealstack::api::s3 {

struct S3Caller {
  std::shared_ptr<const auth::Principal> principal;
  std::string region;  // the request's region (credential scope)
  bool secure_transport = false;
  std::string source_ip;
};

struct Bucket {
  std::string name;
  std::string account;
  std::string region;
  SystemTime created;
  EncryptionConfiguration encryption;  // always set: AES256 unless configured
};

struct BucketOptions {
  // Buckets created from now on block SSE-C writes unless their configuration says NONE (AWS
  // default for new buckets since April 2026; --sse-c-blocked-by-default).
  bool block_sse_c_by_default = true;
};

// Bucket names: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit,
// no "..", not shaped like an IP address (PROTOCOL 4.1).
bool IsValidBucketName(std::string_view name);

class BucketService {
 public:
  BucketService(storage::Database& db, std::shared_ptr<const Clock> clock, BucketOptions options);

  Status CreateBucket(const S3Caller& c, const std::string& name,
                      const std::string& location_constraint);
  Result<Bucket> GetBucket(const S3Caller& c, const std::string& name);  // HeadBucket & co.
  Result<std::vector<Bucket>> ListBuckets(const S3Caller& c);
  Status DeleteBucket(const S3Caller& c, const std::string& name);

  Status PutEncryption(const S3Caller& c, const std::string& name,
                       const EncryptionConfiguration& config);
  Status DeleteEncryption(const S3Caller& c, const std::string& name);

  // The bucket default as the write path needs it.
  static BucketDefault DefaultOf(const Bucket& b);

 private:
  EncryptionConfiguration InitialEncryption() const;

  storage::Database& db_;
  std::shared_ptr<const Clock> clock_;
  BucketOptions options_;
};

}  // namespace sealstack::api::s3
