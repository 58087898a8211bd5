// S3Authorizer: who may do what to a bucket and its objects, through the one access check
// (api/common/access.h, rule kBucketPolicy): the bucket policy and the caller's identity
// policies, with the S3 condition keys filled in from the request (docs/s3.md). An explicit deny
// anywhere wins; in the owner's account the root needs no policy, users and roles need an Allow
// from either policy; another account needs the bucket policy AND (except for its root) an identity
// policy.
//
// Condition keys come from the request only, never from the bucket default: a "deny unencrypted
// uploads" policy denies a PUT without SSE headers even when the bucket would encrypt it, as on
// AWS.
//
// --policy-mode applies through the AccessCheck. Thread safety: safe for concurrent use.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sealstack::api {
class AccessCheck;
}  // namespace sealstack::api

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
  explicit S3Authorizer(std::shared_ptr<AccessCheck> access);

  // OK, or AccessDenied (ErrorKind::kAccessDenied) with AWS's message. `bucket_policy` is ""
  // when the bucket has none.
  Status Authorize(const S3Caller& caller, const std::string& bucket_owner,
                   const std::string& bucket_policy, const S3Access& access);

  // MalformedPolicy for a bucket policy that does not parse, has no Principal, or names a
  // resource outside `bucket`.
  Status ValidateBucketPolicy(std::string_view policy, const std::string& bucket);

 private:
  std::shared_ptr<AccessCheck> access_;
};

// The bucket and object ARNs.
std::string BucketArn(std::string_view bucket);
std::string ObjectArn(std::string_view bucket, std::string_view key);

}  // namespace sealstack::api::s3
