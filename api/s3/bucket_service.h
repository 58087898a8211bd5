// BucketService: S3 buckets, their default encryption and their bucket policy.
//
// Buckets are global by name (as on AWS) and owned by an account. Every access goes through
// Access(), which asks the S3Authorizer (bucket policy + identity policies); without an
// authorizer only the owning account's principals get in. A bucket's configuration (default
// encryption, blocked encryption types, bucket policy) lives in its row's JSON doc.
//
// Thread safety: safe for concurrent use; every call is one SQLite transaction.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/common/caller.h"
#include "api/s3/bucket_acl.h"
#include "api/s3/bucket_config.h"
#include "api/s3/s3_authorizer.h"
#include "api/s3/s3_xml.h"
#include "api/s3/sse.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/db.h"

namespace sealstack::api::s3 {

struct S3Caller : api::Caller {
  S3Caller() = default;
  explicit S3Caller(api::Caller base) : api::Caller(std::move(base)) {}

  std::string auth_type;          // s3:authType: REST-HEADER | REST-QUERY-STRING
  std::string signature_version;  // s3:signatureversion: AWS4-HMAC-SHA256 | AWS
};

struct Bucket {
  std::string name;
  std::string account;
  std::string region;
  SystemTime created;
  EncryptionConfiguration encryption;  // always set: AES256 unless configured
  // Whether PutBucketEncryption set `encryption` (since creation or the last
  // DeleteBucketEncryption): S3 then allows a CopyObject in place that changes nothing else.
  bool encryption_configured = false;
  std::string policy;  // the bucket policy as put, "" when none
  // Every other configuration (bucket_config.h): ownership controls, public access block,
  // bucket ACL, CORS, lifecycle, tagging, ...
  BucketConfigs configs;
  // The doc's `versioning` field: "" (never enabled), "Enabled" or "Suspended". Written by
  // PutBucketVersioning; once set it never goes back to "" (as on AWS).
  std::string versioning;
  // The doc's `mfa_delete` field: "", "Enabled" or "Disabled" (recorded, not enforced).
  std::string mfa_delete;
};

// What CreateBucket asks for besides the name and region.
struct BucketCreation {
  std::string location_constraint;
  // x-amz-object-ownership; nullopt = BucketOwnerEnforced (AWS's default since April 2023).
  std::optional<std::string> object_ownership;
  AclRequest acl;  // x-amz-acl / x-amz-grant-*
  // x-amz-bucket-object-lock-enabled: true. The bucket starts versioned (Enabled) with an
  // ObjectLockConfiguration, as on AWS.
  bool object_lock_enabled = false;
};

struct BucketOptions {
  // Buckets created from now on block SSE-C writes unless their configuration says NONE (AWS
  // default for new buckets since April 2026; --sse-c-blocked-by-default).
  bool block_sse_c_by_default = true;
};

// Bucket names: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit,
// no "..", not shaped like an IP address (AWS's general purpose bucket naming rules).
bool IsValidBucketName(std::string_view name);

class BucketService {
 public:
  BucketService(storage::Database& db, std::shared_ptr<const Clock> clock, BucketOptions options);

  void SetAuthorizer(std::shared_ptr<S3Authorizer> authorizer) {
    authorizer_ = std::move(authorizer);
  }

  // A new bucket has, as on AWS since April 2023, ownership controls BucketOwnerEnforced (or
  // the requested ownership) and a PublicAccessBlock with all four settings on. An ACL other
  // than the owner's full control answers InvalidBucketAclWithObjectOwnership when ACLs are
  // disabled, InvalidBucketAclWithBlockPublicAccessError when it is public.
  Status CreateBucket(const S3Caller& c, const std::string& name, const BucketCreation& creation);
  Status CreateBucket(const S3Caller& c, const std::string& name,
                      const std::string& location_constraint) {
    return CreateBucket(c, name, BucketCreation{location_constraint, std::nullopt, {}});
  }
  // The bucket, if `c` may do `access` to it (NoSuchBucket first, then AccessDenied).
  Result<Bucket> Access(const S3Caller& c, const std::string& name, const S3Access& access);
  // Bucket-level action on the bucket ARN ("s3:ListBucket" for HeadBucket).
  Result<Bucket> Access(const S3Caller& c, const std::string& name, std::string_view action);
  Result<Bucket> GetBucket(const S3Caller& c, const std::string& name) {
    return Access(c, name, "s3:ListBucket");
  }
  // Whether `c` may do `access` on an already loaded bucket (per-key checks of DeleteObjects).
  Status Authorize(const S3Caller& c, const Bucket& b, const S3Access& access);
  // The server clock's now (Object Lock dates are judged on it).
  SystemTime Now() const { return clock_->Now(); }
  // The bucket with no access check (admin, internal).
  Result<Bucket> Load(const std::string& name);
  Result<std::vector<Bucket>> ListBuckets(const S3Caller& c);
  // Every account's buckets by name, with no access check (the admin plane's read-only views).
  Result<std::vector<Bucket>> ListAllBuckets();
  Status DeleteBucket(const S3Caller& c, const std::string& name);

  Status PutEncryption(const S3Caller& c, const std::string& name,
                       const EncryptionConfiguration& config);
  Status DeleteEncryption(const S3Caller& c, const std::string& name);

  // Bucket policy: validated through the authorizer (MalformedPolicy); Get of a
  // bucket without one -> NoSuchBucketPolicy.
  Status PutPolicy(const S3Caller& c, const std::string& name, std::string_view policy);
  Result<std::string> GetPolicy(const S3Caller& c, const std::string& name);
  Status DeletePolicy(const S3Caller& c, const std::string& name);

  // Read-modify-write of the bucket's doc in one transaction; a non-OK `change` writes nothing
  // and is returned. NoSuchBucket when the bucket is gone.
  Status UpdateBucket(const std::string& name, const std::function<Status(Bucket*)>& change);

  // The bucket default as the write path needs it.
  static BucketDefault DefaultOf(const Bucket& b);

 private:
  EncryptionConfiguration InitialEncryption() const;
  // UpdateBucket with a change that cannot fail.
  Status UpdateDoc(const std::string& name, const std::function<void(Bucket*)>& change);

  storage::Database& db_;
  std::shared_ptr<S3Authorizer> authorizer_;
  std::shared_ptr<const Clock> clock_;
  BucketOptions options_;
};

}  // namespace sealstack::api::s3
