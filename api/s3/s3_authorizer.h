// S3Authorizer: who may do what to a bucket and its objects (PROTOCOL 3.8, 8.1), through
// policy/: the bucket policy and the caller's identity policies, with the S3 and global
// condition keys filled in from the request. An explicit deny anywhere wins; in the owner's
// account the root needs no policy, users and roles need an Allow from either policy; another
// account needs the bucket policy AND (except for its root) an identity policy.
//
// Condition keys come from the request only, never from the bucket default: a "deny unencrypted
// uploads" policy denies a PUT without SSE headers even when the bucket would encrypt it, as on
// AWS.
//
// Mode: kEnforce denies; kAudit allows but logs what would have been denied; kOff allows all
// (--policy-mode). Thread safety: safe for concurrent use; parsed policies are cached by text.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/kms/kms_authorizer.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/result.h"
#include "policy/document.h"

namespace sealstack::api::s3 {

struct S3Caller;

// One authorization question: `action` on `resource_arn` (arn:aws:s3:::bucket[/key]).
struct S3Access {
  std::string action;  // "s3:PutObject"
  std::string resource_arn;
  // Request condition keys (names in any case): s3:x-amz-server-side-encryption, s3:prefix, ...
  std::vector<std::pair<std::string, std::string>> keys;
};

class S3Authorizer {
 public:
  using AuditLog = std::function<void(const std::string& line)>;
  S3Authorizer(kms::PolicyMode mode, AuditLog audit_log, std::shared_ptr<const Clock> clock);

  // OK, or AccessDenied (ErrorKind::kAccessDenied) with AWS's message. `bucket_policy` is ""
  // when the bucket has none.
  Status Authorize(const S3Caller& caller, const std::string& bucket_owner,
                   const std::string& bucket_policy, const S3Access& access);

  // MalformedPolicy for a bucket policy that does not parse, has no Principal, or names a
  // resource outside `bucket`.
  Status ValidateBucketPolicy(std::string_view policy, const std::string& bucket);

 private:
  Result<std::shared_ptr<const policy::PolicyDocument>> Parsed(std::string_view text,
                                                               policy::PolicyKind kind);

  const kms::PolicyMode mode_;
  AuditLog audit_log_;
  std::shared_ptr<const Clock> clock_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const policy::PolicyDocument>> cache_;
};

// The bucket and object ARNs.
std::string BucketArn(std::string_view bucket);
std::string ObjectArn(std::string_view bucket, std::string_view key);

}  // namespace sealstack::api::s3
