#include "api/s3/s3_authorizer.h"

#include <rapidjson/document.h>

#include <chrono>

#include "api/common/policy_principal.h"
#include "api/s3/bucket_service.h"
#include "api/s3/s3_errors.h"
#include "common/time_format.h"
#include "policy/evaluate.h"

namespace sealstack::api::s3 {

namespace {

constexpr size_t kMaxCachedPolicies = 4096;

// The owner's root may always read, replace and delete the bucket policy, even one that denies
// it: AWS's guard against locking an account out of its own bucket.
bool IsPolicyManagement(std::string_view action) {
  return action == "s3:GetBucketPolicy" || action == "s3:PutBucketPolicy" ||
         action == "s3:DeleteBucketPolicy";
}

std::string DenyMessage(const S3Caller& c, const S3Access& a, const policy::AccessDecision& d,
                        bool same_account) {
  if (!same_account) return "Access Denied";
  std::string msg = "User: ";
  msg += c.principal->arn;
  msg += " is not authorized to perform: ";
  msg += a.action;
  msg += " on resource: \"";
  msg += a.resource_arn;
  msg += "\"";
  const bool identity = d.source == policy::DecisionSource::kIdentityPolicy;
  if (d.decision == policy::Decision::kExplicitDeny) {
    msg += identity ? " with an explicit deny in an identity-based policy"
                    : " with an explicit deny in a resource-based policy";
  } else {
    msg += " because no identity-based policy allows the ";
    msg += a.action;
    msg += " action";
  }
  return msg;
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

S3Authorizer::S3Authorizer(kms::PolicyMode mode, AuditLog audit_log,
                           std::shared_ptr<const Clock> clock)
    : mode_(mode), audit_log_(std::move(audit_log)), clock_(std::move(clock)) {}

Result<std::shared_ptr<const policy::PolicyDocument>> S3Authorizer::Parsed(
    std::string_view text, policy::PolicyKind kind) {
  std::string cache_key(kind == policy::PolicyKind::kResource ? "R" : "I");
  cache_key.append(text);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) return it->second;
  }
  SEALSTACK_ASSIGN_OR_RETURN(policy::PolicyDocument doc, policy::ParsePolicy(text, kind));
  auto shared = std::make_shared<const policy::PolicyDocument>(std::move(doc));
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCachedPolicies) cache_.clear();
  cache_[cache_key] = shared;
  return shared;
}

Status S3Authorizer::ValidateBucketPolicy(std::string_view text, const std::string& bucket) {
  if (text.size() > 20 * 1024) {
    return Malformed("Policies must not exceed 20480 bytes");
  }
  auto doc = Parsed(text, policy::PolicyKind::kResource);
  if (!doc.ok()) return Malformed(doc.status().message());
  return CheckResources(text, bucket);
}

Status S3Authorizer::Authorize(const S3Caller& c, const std::string& bucket_owner,
                               const std::string& bucket_policy, const S3Access& a) {
  if (mode_ == kms::PolicyMode::kOff) return Status::Ok();
  const auth::Principal& p = *c.principal;
  const bool same_account = p.account == bucket_owner;
  if (same_account && p.type == auth::PrincipalType::kRoot && IsPolicyManagement(a.action)) {
    return Status::Ok();
  }
  policy::RequestContext ctx;
  FillPolicyPrincipal(p, &ctx);
  ctx.action = a.action;
  ctx.resource = a.resource_arn;
  ctx.resource_account = bucket_owner;
  if (!c.source_ip.empty()) ctx.Set("aws:SourceIp", c.source_ip);
  ctx.Set("aws:SecureTransport", c.secure_transport ? "true" : "false");
  const SystemTime now = clock_ ? clock_->Now() : std::chrono::system_clock::now();
  ctx.Set("aws:CurrentTime", FormatIso8601(now));
  ctx.Set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  ctx.Set("s3:ResourceAccount", bucket_owner);
  if (!c.auth_type.empty()) ctx.Set("s3:authType", c.auth_type);
  if (!c.signature_version.empty()) ctx.Set("s3:signatureversion", c.signature_version);
  for (const auto& [k, v] : a.keys) ctx.Add(k, v);
  policy::AddPrincipalConditionKeys(&ctx);

  std::shared_ptr<const policy::PolicyDocument> bucket_doc;
  if (!bucket_policy.empty()) {
    auto parsed = Parsed(bucket_policy, policy::PolicyKind::kResource);
    if (parsed.ok()) bucket_doc = *parsed;  // validated when it was put
  }
  std::vector<std::shared_ptr<const policy::PolicyDocument>> identity_docs;
  for (const auto& text : p.policies) {
    auto doc = Parsed(text, policy::PolicyKind::kIdentity);
    if (doc.ok()) identity_docs.push_back(*doc);  // config load validated them
  }
  std::vector<const policy::PolicyDocument*> identity;
  for (const auto& d : identity_docs) identity.push_back(d.get());
  policy::AccessDecision decision = policy::DecideS3(bucket_doc.get(), identity, ctx);
  if (decision.allowed()) return Status::Ok();
  std::string message = DenyMessage(c, a, decision, same_account);
  if (mode_ == kms::PolicyMode::kAudit) {
    if (audit_log_) audit_log_("policy-mode=audit would deny: " + message);
    return Status::Ok();
  }
  return S3Error(ErrorKind::kAccessDenied, std::move(message));
}

}  // namespace sealstack::api::s3
