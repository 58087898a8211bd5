#include "api/kms/kms_authorizer.h"

#include <chrono>

#include "api/common/policy_principal.h"
#include "api/kms/kms_errors.h"
#include "common/time_format.h"
#include "policy/evaluate.h"

namespace sealstack::api::kms {

namespace {

constexpr size_t kMaxCachedPolicies = 4096;

std::string DenyMessage(const AuthorizationRequest& r, const policy::AccessDecision& d) {
  std::string resource = r.key != nullptr ? r.key->arn : "*";
  std::string msg = "User: " + r.caller->principal->arn +
                    " is not authorized to perform: " + r.action + " on resource: " + resource;
  const bool identity = d.source == policy::DecisionSource::kIdentityPolicy;
  if (d.decision == policy::Decision::kExplicitDeny) {
    msg += identity ? " with an explicit deny in an identity-based policy"
                    : " with an explicit deny in a resource-based policy";
  } else {
    msg += identity ? " because no identity-based policy allows the " + r.action + " action"
                    : " because no resource-based policy allows the " + r.action + " action";
  }
  return msg;
}

bool Matches(const std::map<std::string, std::string>& want, const EncryptionContext* have,
             bool exact) {
  static const EncryptionContext kEmpty;
  const EncryptionContext& ctx = have ? *have : kEmpty;
  if (exact && ctx.size() != want.size()) return false;
  for (const auto& [k, v] : want) {
    auto it = ctx.find(k);
    if (it == ctx.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

KmsAuthorizer::KmsAuthorizer(Service& service, PolicyMode mode, AuditLog audit_log,
                             std::shared_ptr<const Clock> clock)
    : service_(service), mode_(mode), audit_log_(std::move(audit_log)), clock_(std::move(clock)) {}

void KmsAuthorizer::Install(Service& service, std::shared_ptr<KmsAuthorizer> a) {
  service.SetAuthorizer([a](const AuthorizationRequest& r) { return a->Authorize(r); });
  service.SetPolicyValidator([a](std::string_view p) { return a->Validate(p); });
  service.SetLockoutChecker(
      [a](const Caller& c, const Key& k, std::string_view p) { return a->CheckLockout(c, k, p); });
}

Result<std::shared_ptr<const policy::PolicyDocument>> KmsAuthorizer::Parsed(
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
  return std::shared_ptr<const policy::PolicyDocument>(shared);
}

Status KmsAuthorizer::Validate(std::string_view text) {
  auto doc = Parsed(text, policy::PolicyKind::kResource);
  return doc.ok() ? Status::Ok() : doc.status();
}

bool KmsAuthorizer::GrantAllows(const AuthorizationRequest& r, const Key& key) const {
  const auth::Principal& p = *r.caller->principal;
  const std::string role = RoleArnOfSession(p);
  const std::string op = r.action.substr(r.action.find(':') + 1);
  for (const Grant& g : service_.GrantsFor(key.id)) {
    if (g.grantee != p.arn && (role.empty() || g.grantee != role)) continue;
    if (std::find(g.operations.begin(), g.operations.end(), op) == g.operations.end()) continue;
    if (g.constraints.encryption_context_equals &&
        !Matches(*g.constraints.encryption_context_equals, r.encryption_context, true)) {
      continue;
    }
    if (g.constraints.encryption_context_subset &&
        !Matches(*g.constraints.encryption_context_subset, r.encryption_context, false)) {
      continue;
    }
    return true;
  }
  return false;
}

Status KmsAuthorizer::Authorize(const AuthorizationRequest& r) {
  return Decide(r, mode_);
}

Status KmsAuthorizer::Decide(const AuthorizationRequest& r, PolicyMode mode) {
  if (mode == PolicyMode::kOff) return Status::Ok();
  const Caller& c = *r.caller;
  const auth::Principal& p = *c.principal;

  policy::RequestContext ctx;
  FillPolicyPrincipal(p, &ctx);
  ctx.action = r.action;
  ctx.resource = r.key != nullptr ? r.key->arn : "*";
  ctx.resource_account = r.key != nullptr ? r.key->account : p.account;
  ctx.Set("kms:CallerAccount", p.account);
  if (!c.via_service.empty()) ctx.Set("kms:ViaService", c.via_service);
  if (!c.source_ip.empty()) ctx.Set("aws:SourceIp", c.source_ip);
  ctx.Set("aws:SecureTransport", c.secure_transport ? "true" : "false");
  const SystemTime now = clock_ ? clock_->Now() : std::chrono::system_clock::now();
  ctx.Set("aws:CurrentTime", FormatIso8601(now));
  ctx.Set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  if (r.encryption_context != nullptr) {
    for (const auto& [k, v] : *r.encryption_context) {
      ctx.Set("kms:EncryptionContext:" + k, v);
      ctx.Add("kms:EncryptionContextKeys", k);
    }
  }
  if (r.key != nullptr) {
    ctx.Set("kms:KeySpec", std::string(Name(r.key->spec)));
    ctx.Set("kms:CustomerMasterKeySpec", std::string(Name(r.key->spec)));
    ctx.Set("kms:KeyUsage", std::string(Name(r.key->usage)));
    ctx.Set("kms:CustomerMasterKeyUsage", std::string(Name(r.key->usage)));
    ctx.Set("kms:KeyOrigin", std::string(Name(r.key->origin)));
    ctx.Set("kms:MultiRegion", "false");
    for (const auto& alias : service_.AliasesOf(*r.key)) ctx.Add("kms:ResourceAliases", alias);
    for (const auto& [k, v] : r.key->tags) ctx.Set("aws:ResourceTag/" + k, v);
  }
  for (const auto& [k, values] : r.extra_condition_keys) {
    for (const auto& v : values) ctx.Add(k, v);
  }
  policy::AddPrincipalConditionKeys(&ctx);

  std::vector<std::shared_ptr<const policy::PolicyDocument>> identity_docs;
  for (const auto& text : p.policies) {
    auto doc = Parsed(text, policy::PolicyKind::kIdentity);
    if (doc.ok()) identity_docs.push_back(*doc);  // config load validated them
  }
  std::vector<const policy::PolicyDocument*> identity;
  for (const auto& d : identity_docs) identity.push_back(d.get());

  policy::AccessDecision decision;
  if (r.key == nullptr) {
    // Account-level actions (CreateKey, ListKeys, ...): identity policies alone; the account
    // root may do anything not explicitly denied.
    policy::SetResult set = policy::EvaluateSet(identity, ctx);
    decision.source = policy::DecisionSource::kIdentityPolicy;
    decision.statement = set.result.statement;
    if (set.result.decision == policy::Decision::kExplicitDeny) {
      decision.decision = policy::Decision::kExplicitDeny;
    } else if (p.type == auth::PrincipalType::kRoot ||
               set.result.decision == policy::Decision::kAllow) {
      decision.decision = policy::Decision::kAllow;
    }
  } else {
    auto key_policy = Parsed(r.key->policy, policy::PolicyKind::kResource);
    if (!key_policy.ok()) {
      decision.decision = policy::Decision::kImplicitDeny;
    } else {
      // Grants are looked at only when the policies alone do not allow (an explicit deny still
      // wins over a grant, and DecideKms applies that when told a grant allows).
      decision = policy::DecideKms(**key_policy, identity, ctx, false);
      if (!decision.allowed() && decision.decision != policy::Decision::kExplicitDeny &&
          GrantAllows(r, *r.key)) {
        decision = policy::DecideKms(**key_policy, identity, ctx, true);
      }
    }
  }
  if (decision.allowed()) return Status::Ok();
  std::string message = DenyMessage(r, decision);
  if (mode == PolicyMode::kAudit) {
    if (audit_log_) audit_log_("policy-mode audit: would deny: " + message);
    return Status::Ok();
  }
  return KmsError(ErrorKind::kAccessDenied, message);
}

Status KmsAuthorizer::CheckLockout(const Caller& caller, const Key& key, std::string_view text) {
  if (mode_ == PolicyMode::kOff) return Status::Ok();
  Key probe = key;
  probe.policy = std::string(text);
  AuthorizationRequest r;
  r.caller = &caller;
  r.action = "kms:PutKeyPolicy";
  r.key = &probe;
  if (Decide(r, PolicyMode::kEnforce).ok()) return Status::Ok();
  return KmsError(ErrorKind::kMalformedPolicy,
                  "The new key policy will not allow you to update the key policy in the "
                  "future.");
}

}  // namespace sealstack::api::kms
