#include "api/s3/s3_authorizer.h"

#include <rapidjson/document.h>

#include "api/common/access.h"
#include "api/s3/bucket_service.h"
#include "api/s3/s3_errors.h"

namespace sealstack::api::s3 {

namespace {

// The owner's root may always read, replace and delete the bucket policy, even one that denies
// it: AWS's guard against locking an account out of its own bucket.
bool IsPolicyManagement(std::string_view action) {
  return action == "s3:GetBucketPolicy" || action == "s3:PutBucketPolicy" ||
         action == "s3:DeleteBucketPolicy";
}

Status Malformed(std::string message) {
  return S3Error(ErrorKind::kMalformedPolicy, std::move(message));
}

// Every Resource of a bucket policy must be the bucket or inside it.
Status CheckResources(std::string_view policy_text, const std::string& bucket) {
  rapidjson::Document d;
  d.Parse(policy_text.data(), policy_text.size());
  if (d.HasParseError() || !d.IsObject()) return Malformed("Policies must be valid JSON");
  auto st = d.FindMember("Statement");
  if (st == d.MemberEnd()) return Malformed("Missing required field Statement");
  const std::string arn = BucketArn(bucket);
  auto check = [&](const rapidjson::Value& r) -> Status {
    if (!r.IsString()) return Malformed("Policy has invalid resource");
    std::string_view v(r.GetString(), r.GetStringLength());
    if (v == arn || v == "*" ||
        (v.size() > arn.size() && v.substr(0, arn.size()) == arn && v[arn.size()] == '/')) {
      return Status::Ok();
    }
    return Malformed("Policy has invalid resource");
  };
  auto statement = [&](const rapidjson::Value& s) -> Status {
    if (!s.IsObject()) return Malformed("Statement is not an object");
    for (const char* name : {"Resource", "NotResource"}) {
      auto r = s.FindMember(name);
      if (r == s.MemberEnd()) continue;
      if (r->value.IsArray()) {
        for (const auto& item : r->value.GetArray()) SEALSTACK_RETURN_IF_ERROR(check(item));
      } else {
        SEALSTACK_RETURN_IF_ERROR(check(r->value));
      }
    }
    return Status::Ok();
  };
  if (st->value.IsArray()) {
    for (const auto& s : st->value.GetArray()) SEALSTACK_RETURN_IF_ERROR(statement(s));
    return Status::Ok();
  }
  return statement(st->value);
}

}  // namespace

std::string BucketArn(std::string_view bucket) {
  std::string arn = "arn:aws:s3:::";
  arn += bucket;
  return arn;
}

std::string ObjectArn(std::string_view bucket, std::string_view key) {
  std::string arn = BucketArn(bucket);
  arn += '/';
  arn += key;
  return arn;
}

S3Authorizer::S3Authorizer(std::shared_ptr<AccessCheck> access) : access_(std::move(access)) {}

Status S3Authorizer::ValidateBucketPolicy(std::string_view text, const std::string& bucket) {
  if (text.size() > 20 * 1024) {
    return Malformed("Policies must not exceed 20480 bytes");
  }
  auto doc = access_->Parsed(text, policy::PolicyKind::kResource);
  if (!doc.ok()) return Malformed(doc.status().message());
  return CheckResources(text, bucket);
}

Status S3Authorizer::Authorize(const S3Caller& c, const std::string& bucket_owner,
                               const std::string& bucket_policy, const S3Access& a) {
  const auth::Principal& p = *c.principal;
  if (p.account == bucket_owner && p.type == auth::PrincipalType::kRoot &&
      IsPolicyManagement(a.action)) {
    return Status::Ok();
  }
  AccessRequest r;
  r.service = AccessService::kS3;
  r.rule = AccessRule::kBucketPolicy;
  r.action = a.action;
  r.resource = a.resource_arn;
  r.resource_account = bucket_owner;
  r.resource_policy = bucket_policy;
  r.keys.emplace_back("s3:ResourceAccount", bucket_owner);
  if (!c.auth_type.empty()) r.keys.emplace_back("s3:authType", c.auth_type);
  if (!c.signature_version.empty()) r.keys.emplace_back("s3:signatureversion", c.signature_version);
  r.keys.insert(r.keys.end(), a.keys.begin(), a.keys.end());
  AccessDecision d = access_->Check(c, r);
  return d.denied() ? S3Error(ErrorKind::kAccessDenied, std::move(d.message)) : Status::Ok();
}

}  // namespace sealstack::api::s3
