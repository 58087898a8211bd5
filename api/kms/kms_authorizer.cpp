#include "api/kms/kms_authorizer.h"

#include <algorithm>

#include "api/common/policy_principal.h"
#include "api/kms/kms_errors.h"

namespace sealstack::api::kms {

namespace {

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

KmsAuthorizer::KmsAuthorizer(Service& service, std::shared_ptr<AccessCheck> access)
    : service_(service), access_(std::move(access)) {}

void KmsAuthorizer::Install(Service& service, std::shared_ptr<KmsAuthorizer> a) {
  service.SetAuthorizer([a](const AuthorizationRequest& r) { return a->Authorize(r); });
  service.SetPolicyValidator([a](std::string_view p) { return a->Validate(p); });
  service.SetLockoutChecker(
      [a](const Caller& c, const Key& k, std::string_view p) { return a->CheckLockout(c, k, p); });
}

Status KmsAuthorizer::Validate(std::string_view text) {
  auto doc = access_->Parsed(text, policy::PolicyKind::kResource);
  return doc.ok() ? Status::Ok() : doc.status();
}

std::optional<std::string> KmsAuthorizer::AllowingGrant(const AuthorizationRequest& r,
                                                        const Key& key) const {
  const auth::Principal& p = *r.caller->principal;
  const std::string role = RoleArnOfSession(p);
  const std::string op = r.action.substr(r.action.find(':') + 1);
  for (const Grant& g : service_.GrantsFor(key.handle())) {
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
    return g.id;
  }
  return std::nullopt;
}

AccessRequest KmsAuthorizer::RequestOf(const AuthorizationRequest& r) const {
  const Caller& c = *r.caller;
  AccessRequest a;
  a.service = AccessService::kKms;
  a.action = r.action;
  a.resource = r.key != nullptr ? r.key->arn : "*";
  a.resource_account = r.key != nullptr ? r.key->account : "";
  a.keys.emplace_back("kms:CallerAccount", c.principal->account);
  if (!c.via_service.empty()) a.keys.emplace_back("kms:ViaService", c.via_service);
  if (r.encryption_context != nullptr) {
    for (const auto& [k, v] : *r.encryption_context) {
      a.keys.emplace_back("kms:EncryptionContext:" + k, v);
      a.keys.emplace_back("kms:EncryptionContextKeys", k);
    }
  }
  if (r.key != nullptr) {
    const Key& key = *r.key;
    a.rule = AccessRule::kKeyPolicy;
    a.resource_policy = key.policy;
    a.keys.emplace_back("kms:KeySpec", std::string(Name(key.spec)));
    a.keys.emplace_back("kms:CustomerMasterKeySpec", std::string(Name(key.spec)));
    a.keys.emplace_back("kms:KeyUsage", std::string(Name(key.usage)));
    a.keys.emplace_back("kms:CustomerMasterKeyUsage", std::string(Name(key.usage)));
    a.keys.emplace_back("kms:KeyOrigin", std::string(Name(key.origin)));
    a.keys.emplace_back("kms:MultiRegion", "false");
    for (const auto& alias : service_.AliasesOf(key))
      a.keys.emplace_back("kms:ResourceAliases", alias);
    for (const auto& [k, v] : key.tags) a.keys.emplace_back("aws:ResourceTag/" + k, v);
    a.allowing_grant = [this, &r] { return AllowingGrant(r, *r.key); };
  }
  for (const auto& [k, values] : r.extra_condition_keys) {
    for (const auto& v : values) a.keys.emplace_back(k, v);
  }
  return a;
}

Status KmsAuthorizer::Authorize(const AuthorizationRequest& r) {
  AccessDecision d = access_->Check(*r.caller, RequestOf(r));
  return d.denied() ? KmsError(ErrorKind::kAccessDenied, d.message) : Status::Ok();
}

Status KmsAuthorizer::CheckLockout(const Caller& caller, const Key& key, std::string_view text) {
  if (access_->mode() == PolicyMode::kOff) return Status::Ok();
  Key probe = key;
  probe.policy = std::string(text);
  AuthorizationRequest r;
  r.caller = &caller;
  r.action = "kms:PutKeyPolicy";
  r.key = &probe;
  if (access_->Evaluate(caller, RequestOf(r)).allowed()) return Status::Ok();
  return KmsError(ErrorKind::kMalformedPolicy,
                  "The new key policy will not allow you to update the key policy in the "
                  "future.");
}

}  // namespace sealstack::api::kms
