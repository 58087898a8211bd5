#include "api/common/access.h"

#include <chrono>

#include "api/common/policy_principal.h"
#include "common/time_format.h"

namespace sealstack::api {

namespace {

// Parsed documents kept; the cache starts over when full (policies are few and small).
constexpr size_t kMaxCachedPolicies = 4096;

bool SameAccount(const Caller& c, const AccessRequest& r) {
  return r.resource_account.empty() || r.resource_account == c.principal->account;
}

// kIdentityOnly: the identity policies decide; the account root needs none.
policy::AccessDecision DecideIdentity(std::span<const policy::PolicyDocument* const> identity,
                                      const policy::RequestContext& ctx) {
  policy::SetResult set = policy::EvaluateSet(identity, ctx);
  policy::AccessDecision d;
  d.source = policy::DecisionSource::kIdentityPolicy;
  d.policy_index = set.policy_index;
  d.statement = set.result.statement;
  if (set.result.decision == policy::Decision::kExplicitDeny) {
    d.decision = policy::Decision::kExplicitDeny;
  } else if (ctx.principal_is_root() || set.result.decision == policy::Decision::kAllow) {
    d.decision = policy::Decision::kAllow;
  }
  return d;
}

}  // namespace

std::string DenialMessage(const AccessDecision& d, bool same_account) {
  if (d.service == AccessService::kS3 && !same_account) return "Access Denied";
  std::string msg = "User: " + d.principal_arn + " is not authorized to perform: " + d.action;
  switch (d.service) {
    case AccessService::kCloudTrail:  // CloudTrail names no resource
      break;
    case AccessService::kS3:
      msg += " on resource: \"" + d.resource + "\"";
      break;
    case AccessService::kKms:
    case AccessService::kGlue:
      msg += " on resource: " + d.resource;
      break;
  }
  const bool identity = d.source == policy::DecisionSource::kIdentityPolicy;
  if (d.decision == policy::Decision::kExplicitDeny) {
    msg += identity ? " with an explicit deny in an identity-based policy"
                    : " with an explicit deny in a resource-based policy";
  } else if (identity || d.service == AccessService::kS3) {
    // S3 names the identity side even when the bucket policy was missing the Allow.
    msg += " because no identity-based policy allows the " + d.action + " action";
  } else {
    msg += " because no resource-based policy allows the " + d.action + " action";
  }
  return msg;
}

AccessCheck::AccessCheck(PolicyMode mode, std::shared_ptr<const Clock> clock, LogSink log)
    : mode_(mode), clock_(std::move(clock)), log_(std::move(log)) {}

policy::RequestContext AccessCheck::Context(const Caller& c, const AccessRequest& r) const {
  const auth::Principal& p = *c.principal;
  policy::RequestContext ctx;
  FillPolicyPrincipal(p, &ctx);
  ctx.action = r.action;
  ctx.resource = r.resource;
  ctx.resource_account = r.resource_account.empty() ? p.account : r.resource_account;
  const SystemTime now = clock_ ? clock_->Now() : std::chrono::system_clock::now();
  ctx.Set("aws:CurrentTime", FormatIso8601(now));
  ctx.Set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  ctx.Set("aws:SecureTransport", c.secure_transport ? "true" : "false");
  if (!c.region.empty()) ctx.Set("aws:RequestedRegion", c.region);
  if (!c.source_ip.empty()) ctx.Set("aws:SourceIp", c.source_ip);
  if (!c.user_agent.empty()) ctx.Set("aws:UserAgent", c.user_agent);
  for (const auto& [k, v] : r.keys) ctx.Add(k, v);
  policy::AddPrincipalConditionKeys(&ctx);
  return ctx;
}

Result<std::shared_ptr<const policy::PolicyDocument>> AccessCheck::Parsed(std::string_view text,
                                                                          policy::PolicyKind kind) {
  std::string cache_key(kind == policy::PolicyKind::kResource ? "R" : "I");
  cache_key.append(text);
  {
    MutexLock lock(mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) return it->second;
  }
  SEALSTACK_ASSIGN_OR_RETURN(policy::PolicyDocument doc, policy::ParsePolicy(text, kind));
  auto shared = std::make_shared<const policy::PolicyDocument>(std::move(doc));
  MutexLock lock(mu_);
  if (cache_.size() >= kMaxCachedPolicies) cache_.clear();
  cache_[cache_key] = shared;
  return std::shared_ptr<const policy::PolicyDocument>(shared);
}

AccessDecision AccessCheck::Evaluate(const Caller& c, const AccessRequest& r) {
  const auth::Principal& p = *c.principal;
  const policy::RequestContext ctx = Context(c, r);

  // Identity policies keep their positions (policy_index); config load validated them, so a
  // null entry (unparsable) is only skipped.
  std::vector<std::shared_ptr<const policy::PolicyDocument>> keep;
  std::vector<const policy::PolicyDocument*> identity;
  for (const auto& text : p.policies) {
    auto doc = Parsed(text, policy::PolicyKind::kIdentity);
    keep.push_back(doc.ok() ? *doc : nullptr);
    identity.push_back(keep.back().get());
  }

  policy::AccessDecision d;
  std::shared_ptr<const policy::PolicyDocument> resource_doc;
  switch (r.rule) {
    case AccessRule::kIdentityOnly:
      d = DecideIdentity(identity, ctx);
      break;
    case AccessRule::kKeyPolicy: {
      auto key_policy = Parsed(r.resource_policy, policy::PolicyKind::kResource);
      if (!key_policy.ok()) break;  // an unreadable key policy allows nobody
      resource_doc = *key_policy;
      d = policy::DecideKms(*resource_doc, identity, ctx, false);
      if (!d.allowed() && d.decision != policy::Decision::kExplicitDeny && r.grant_allows &&
          r.grant_allows()) {
        d = policy::DecideKms(*resource_doc, identity, ctx, true);
      }
      break;
    }
    case AccessRule::kBucketPolicy: {
      if (!r.resource_policy.empty()) {
        auto parsed = Parsed(r.resource_policy, policy::PolicyKind::kResource);
        if (parsed.ok()) resource_doc = *parsed;  // validated when it was put
      }
      d = policy::DecideS3(resource_doc.get(), identity, ctx);
      break;
    }
  }

  AccessDecision out;
  out.service = r.service;
  out.principal_arn = p.arn;
  out.action = r.action;
  out.resource = r.resource;
  out.decision = d.decision;
  out.source = d.source;
  out.policy_index = d.policy_index;
  if (d.statement) {  // copied while the documents are alive (sid views into them)
    out.statement_index = d.statement->index;
    out.statement_sid = std::string(d.statement->sid);
  }
  if (!out.allowed()) out.message = DenialMessage(out, SameAccount(c, r));
  return out;
}

AccessDecision AccessCheck::Check(const Caller& c, const AccessRequest& r) {
  AccessDecision d;
  if (mode_ == PolicyMode::kOff) {
    d.service = r.service;
    d.principal_arn = c.principal->arn;
    d.action = r.action;
    d.resource = r.resource;
    d.decision = policy::Decision::kAllow;
    d.enforced = false;
  } else {
    d = Evaluate(c, r);
    if (!d.allowed() && mode_ == PolicyMode::kAudit) {
      d.enforced = false;
      if (log_) log_("policy-mode audit: would deny: " + d.message);
    }
  }
  if (observer_) observer_(d);
  return d;
}

}  // namespace sealstack::api
