#include "api/common/access.h"

#include <algorithm>
#include <chrono>

#include "api/common/policy_principal.h"
#include "common/time_format.h"
#include "policy/explain.h"

namespace sealstack::api {

namespace {

// Parsed documents kept; the cache starts over when full (policies are few and small).
constexpr size_t kMaxCachedPolicies = 4096;

bool SameAccount(const Caller& c, const AccessRequest& r) {
  return r.resource_account.empty() || r.resource_account == c.principal->account;
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
    case AccessService::kIam:
    case AccessService::kSts:
      msg += " on resource: " + d.resource;
      break;
  }
  const bool identity = d.source == policy::DecisionSource::kIdentityPolicy;
  if (d.source == policy::DecisionSource::kPermissionsBoundary) {
    msg += d.decision == policy::Decision::kExplicitDeny
               ? " with an explicit deny in a permissions boundary"
               : " because no permissions boundary allows the " + d.action + " action";
  } else if (d.source == policy::DecisionSource::kSessionPolicy) {
    msg += d.decision == policy::Decision::kExplicitDeny
               ? " with an explicit deny in a session policy"
               : " because no session policy allows the " + d.action + " action";
  } else if (d.decision == policy::Decision::kExplicitDeny) {
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
  // The principal's own keys (absent when it has none): aws:PrincipalTag/*, aws:SourceIdentity,
  // aws:TokenIssueTime, and its IAM unique id as aws:userid (AIDA... / AROA...:SESSION).
  // aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge stay absent: no MFA here.
  for (const auto& [k, v] : p.tags) ctx.Set("aws:PrincipalTag/" + k, v);
  if (!p.source_identity.empty()) ctx.Set("aws:SourceIdentity", p.source_identity);
  if (p.issued) ctx.Set("aws:TokenIssueTime", FormatIso8601(*p.issued));
  if (!p.unique_id.empty()) ctx.Set("aws:userid", p.unique_id);
  if (!p.federated_provider.empty()) ctx.Set("aws:FederatedProvider", p.federated_provider);
  for (const auto& [k, v] : r.keys) ctx.Add(k, v);
  policy::AddPrincipalConditionKeys(&ctx);
  return ctx;
}

Result<std::shared_ptr<const policy::PolicyDocument>> AccessCheck::Parsed(std::string_view text,
                                                                          policy::PolicyKind kind) {
  {
    MutexLock lock(mu_);
    const PolicyCache& cache =
        kind == policy::PolicyKind::kResource ? resource_cache_ : identity_cache_;
    auto it = cache.find(text);
    if (it != cache.end()) return it->second;
  }
  SEALSTACK_ASSIGN_OR_RETURN(policy::PolicyDocument doc, policy::ParsePolicy(text, kind));
  auto shared = std::make_shared<const policy::PolicyDocument>(std::move(doc));
  MutexLock lock(mu_);
  PolicyCache& cache = kind == policy::PolicyKind::kResource ? resource_cache_ : identity_cache_;
  if (cache.size() >= kMaxCachedPolicies) cache.clear();
  cache.insert_or_assign(std::string(text), shared);
  return std::shared_ptr<const policy::PolicyDocument>(shared);
}

namespace {

constexpr size_t kMaxNearMisses = 3;

std::string ResourcePolicyKind(const AccessRequest& r) {
  if (r.rule == AccessRule::kTrustPolicy) return "trust policy";
  return r.rule == AccessRule::kKeyPolicy ? "key policy" : "bucket policy";
}

// The bucket a bucket policy belongs to, from an S3 resource ARN (arn:aws:s3:::bucket/key).
std::string BucketArnOf(const std::string& resource) {
  const size_t slash = resource.find('/');
  return slash == std::string::npos ? resource : resource.substr(0, slash);
}

// Fills the explanation of `out` (decided by `d`): the deciding policy, the context, and for an
// implicit deny the Allow statements that came closest.
// The context's values are moved into `out` at the end (the caller is done with it).
void Explain(const AccessRequest& r, policy::RequestContext& ctx, const policy::AccessDecision& d,
             const policy::PolicyDocument* resource_doc,
             const std::vector<const policy::PolicyDocument*>& identity,
             const std::optional<std::string>& grant_id, AccessDecision* out) {
  const std::string resource_name =
      r.rule == AccessRule::kBucketPolicy ? BucketArnOf(r.resource) : r.resource;
  switch (d.source) {
    case policy::DecisionSource::kResourcePolicy:
      if (d.statement) {
        out->policy_kind = ResourcePolicyKind(r);
        out->policy_name = resource_name;
      }
      break;
    case policy::DecisionSource::kIdentityPolicy:
      if (d.statement) {
        out->policy_kind = "identity policy";
        out->policy_name = "#" + std::to_string(d.policy_index);
      }
      break;
    case policy::DecisionSource::kGrant:
      if (d.decision == policy::Decision::kAllow) {
        out->policy_kind = "grant";
        out->policy_name = grant_id.value_or("");
      }
      break;
    case policy::DecisionSource::kAccountRoot:
      if (d.decision == policy::Decision::kAllow) out->policy_kind = "account root";
      break;
    case policy::DecisionSource::kPermissionsBoundary:
      out->policy_kind = "permissions boundary";
      break;
    case policy::DecisionSource::kSessionPolicy:
      out->policy_kind = "session policy";
      break;
  }
  auto keep_context = [&] {
    out->context.reserve(ctx.keys.size());
    for (auto& [key, values] : ctx.keys) out->context.emplace_back(key, std::move(values));
  };
  if (d.decision != policy::Decision::kImplicitDeny) return keep_context();

  struct Candidate {
    int parts;
    AccessDecision::NearMiss miss;
  };
  std::vector<Candidate> candidates;
  auto consider = [&](const policy::PolicyDocument* doc, const std::string& kind,
                      const std::string& name) {
    if (doc == nullptr) return;
    for (const auto& t : policy::Explain(*doc, ctx)) {
      if (t.effect != policy::Effect::kAllow || !t.action_matches) continue;
      if (t.applies()) {
        // It did its part; what was missing is elsewhere (listed last).
        candidates.push_back(
            {-1,
             {kind, name, t.index, t.sid,
              t.via_account ? "nothing: it allows through the account, so an identity policy "
                              "must allow too"
                            : "nothing: it allows, but another policy must allow too"}});
        continue;
      }
      candidates.push_back({t.parts_matched(), {kind, name, t.index, t.sid, t.FirstFailure()}});
    }
  };
  if (r.rule != AccessRule::kIdentityOnly) {
    consider(resource_doc, ResourcePolicyKind(r), resource_name);
  }
  for (size_t i = 0; i < identity.size(); ++i) {
    consider(identity[i], "identity policy", "#" + std::to_string(i));
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.parts > b.parts; });
  for (size_t i = 0; i < candidates.size() && i < kMaxNearMisses; ++i) {
    out->closest.push_back(std::move(candidates[i].miss));
  }
  if (r.rule == AccessRule::kKeyPolicy && r.allowing_grant) {
    // Grants were asked (an implicit deny asks them) and none allowed.
    out->closest.push_back({"grant", "", 0, "",
                            "no grant on the key gives this principal " + r.action +
                                " (grantee, operations and constraints)"});
  }
  keep_context();
}

}  // namespace

AccessDecision AccessCheck::Evaluate(const Caller& c, const AccessRequest& r, bool explain) {
  const auth::Principal& p = *c.principal;
  policy::RequestContext ctx = Context(c, r);  // handed to the explanation at the end

  // Identity policies keep their positions (policy_index); config load validated them, so a
  // null entry (unparsable) is only skipped.
  std::vector<std::shared_ptr<const policy::PolicyDocument>> keep;
  auto parse_all = [&](const std::vector<std::string>& texts) {
    std::vector<const policy::PolicyDocument*> docs;
    for (const auto& text : texts) {
      auto doc = Parsed(text, policy::PolicyKind::kIdentity);
      keep.push_back(doc.ok() ? *doc : nullptr);
      docs.push_back(keep.back().get());
    }
    return docs;
  };
  const std::vector<const policy::PolicyDocument*> identity = parse_all(p.policies);
  const std::vector<const policy::PolicyDocument*> session = parse_all(p.session_policies);
  policy::PrincipalPolicies mine(identity);
  mine.session = session;
  mine.has_session_policy = !p.session_policies.empty();
  if (p.permissions_boundary) {
    // A boundary that does not parse (it was validated when stored) allows nothing.
    static const policy::PolicyDocument kNothing{policy::PolicyKind::kIdentity, "", "", {}};
    auto doc = Parsed(*p.permissions_boundary, policy::PolicyKind::kIdentity);
    keep.push_back(doc.ok() ? *doc : nullptr);
    mine.boundary = keep.back() ? keep.back().get() : &kNothing;
  }

  policy::AccessDecision d;
  std::shared_ptr<const policy::PolicyDocument> resource_doc;
  std::optional<std::string> grant_id;  // the grant that allowed, when one did
  switch (r.rule) {
    case AccessRule::kIdentityOnly:
      d = policy::DecideIdentity(mine, ctx);
      break;
    case AccessRule::kKeyPolicy: {
      auto key_policy = Parsed(r.resource_policy, policy::PolicyKind::kResource);
      if (!key_policy.ok()) break;  // an unreadable key policy allows nobody
      resource_doc = *key_policy;
      d = policy::DecideKms(*resource_doc, mine, ctx, false);
      if (!d.allowed() && d.decision != policy::Decision::kExplicitDeny && r.allowing_grant) {
        grant_id = r.allowing_grant();
        if (grant_id) d = policy::DecideKms(*resource_doc, mine, ctx, true);
      }
      break;
    }
    case AccessRule::kTrustPolicy: {
      auto parsed = Parsed(r.resource_policy, policy::PolicyKind::kResource);
      if (parsed.ok()) resource_doc = *parsed;  // an unreadable trust policy lets nobody in
      d = policy::DecideTrust(resource_doc.get(), mine, ctx);
      break;
    }
    case AccessRule::kBucketPolicy: {
      if (!r.resource_policy.empty()) {
        auto parsed = Parsed(r.resource_policy, policy::PolicyKind::kResource);
        if (parsed.ok()) resource_doc = *parsed;  // validated when it was put
      }
      d = policy::DecideS3(resource_doc.get(), mine, ctx);
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
  out.request_id = c.request_id;
  if (explain) Explain(r, ctx, d, resource_doc.get(), identity, grant_id, &out);
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
    d = Evaluate(c, r, /*explain=*/observer_ != nullptr);
    if (!d.allowed() && mode_ == PolicyMode::kAudit) {
      d.enforced = false;
      if (log_) log_("policy-mode audit: would deny: " + d.message);
    }
  }
  if (!observer_) return d;
  // The observer keeps the whole explanation; the caller needs only the verdict and its text, so
  // the bulk (the request context, the near misses) is moved, not copied, on every call.
  auto context = std::move(d.context);
  auto closest = std::move(d.closest);
  AccessDecision answer = d;
  d.context = std::move(context);
  d.closest = std::move(closest);
  observer_(std::move(d));
  return answer;
}

AccessDecision AccessCheck::CheckAction(const Caller& caller, AccessService service,
                                        std::string action, std::string resource) {
  AccessRequest r;
  r.service = service;
  r.rule = AccessRule::kIdentityOnly;
  r.action = std::move(action);
  r.resource = std::move(resource);
  return Check(caller, r);
}

}  // namespace sealstack::api
