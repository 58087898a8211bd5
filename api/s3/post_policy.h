// The policy of a browser upload (POST Object): a base64 JSON document
//
//   { "expiration": "2026-12-01T12:00:00.000Z",
//     "conditions": [ {"bucket": "b"}, ["starts-with", "$key", "user/"],
//                     ["eq", "$acl", "private"], ["content-length-range", 0, 1048576] ] }
//
// and its checks against a form, as S3 makes them (AWS S3 API reference,
// "sigv4-HTTPPOSTConstructPolicy"; the codes as ceph's s3-tests test_post_object_* record them):
// - a document that does not decode, is not JSON, lacks "expiration" or "conditions", or holds a
//   condition S3 cannot read -> 400 InvalidPolicyDocument "Invalid Policy: ...";
// - expired -> 403 AccessDenied "Invalid according to Policy: Policy expired.";
// - an eq / starts-with condition the form does not meet -> 403 AccessDenied "Invalid according
//   to Policy: Policy Condition failed: [\"eq\", \"$key\", \"a\"]";
// - a form field no condition names (other than policy, x-amz-signature, file, x-ignore-*, and
//   SigV2's signature and AWSAccessKeyId) ->
//   403 AccessDenied "Invalid according to Policy: Extra input fields: name, ...";
// - a file outside content-length-range -> 400 EntityTooSmall / EntityTooLarge.
// Condition operators and field names are case-insensitive; the top-level names are not.
//
// Pure functions. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace sealstack::api::s3 {

struct PostCondition {
  enum class Op { kEq, kStartsWith, kContentLengthRange };
  Op op = Op::kEq;
  std::string field;  // lower-case, without the '$' ("" for content-length-range)
  std::string value;
  uint64_t min = 0;  // content-length-range
  uint64_t max = 0;
  std::string text;  // the condition as S3 quotes it in an error
};

struct PostPolicy {
  SystemTime expiration{};
  std::vector<PostCondition> conditions;
};

// The fields of a form, names as sent, in order.
using FormFields = std::vector<std::pair<std::string, std::string>>;

// Decodes and parses the `policy` field.
Result<PostPolicy> ParsePostPolicy(std::string_view policy_base64);

// AccessDenied "Policy expired." when `now` is past the expiration. The expiration is a time
// on the signer's clock; `signed_at` (x-amz-date as sent) and `signed_at_server` (that moment in
// server time) carry it over to server time, so the policy lives as long on the server's clock
// as its signer meant. Without them the expiration is compared with `now` as it is.
Status CheckPostPolicyExpiration(const PostPolicy& policy, SystemTime now,
                                 std::optional<SystemTime> signed_at,
                                 std::optional<SystemTime> signed_at_server);

// The eq / starts-with conditions in order, then the extra-field rule. `bucket` is the bucket
// posted to (the value of $bucket); `key` the object key after ${filename} (the value of $key).
Status CheckPostPolicyFields(const PostPolicy& policy, const FormFields& fields,
                             std::string_view bucket, std::string_view key);

// The file's size against every content-length-range: EntityTooSmall / EntityTooLarge (with
// ProposedSize and MinSizeAllowed / MaxSizeAllowed). `final` is false while the file is still
// arriving (only "too large" can be known then).
Status CheckPostContentLength(const PostPolicy& policy, uint64_t size, bool final);

}  // namespace sealstack::api::s3
