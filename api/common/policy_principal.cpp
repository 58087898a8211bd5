#include "api/common/policy_principal.h"

namespace sealstack::api {

policy::PrincipalKind PolicyPrincipalKind(auth::PrincipalType type) {
  switch (type) {
    case auth::PrincipalType::kRoot:
      return policy::PrincipalKind::kAccountRoot;
    case auth::PrincipalType::kUser:
      return policy::PrincipalKind::kUser;
    case auth::PrincipalType::kRole:
      return policy::PrincipalKind::kRole;
    case auth::PrincipalType::kAssumedRole:
      return policy::PrincipalKind::kAssumedRole;
    case auth::PrincipalType::kWebIdentityUser:
      return policy::PrincipalKind::kWebIdentityUser;
  }
  return policy::PrincipalKind::kUser;
}

std::string RoleArnOfSession(const auth::Principal& principal) {
  if (principal.type != auth::PrincipalType::kAssumedRole) return "";
  if (!principal.role_arn.empty()) return principal.role_arn;
  auto parsed = auth::ParsePrincipalArn(principal.arn);
  if (!parsed.ok() || parsed->type != auth::PrincipalType::kAssumedRole) return "";
  std::string role = "arn:aws:iam::";
  role += parsed->account;
  role += ":role/";
  role += parsed->name;
  return role;
}

void FillPolicyPrincipal(const auth::Principal& principal, policy::RequestContext* ctx) {
  ctx->principal_kind = PolicyPrincipalKind(principal.type);
  ctx->principal_arn = principal.arn;
  ctx->principal_account = principal.account;
  ctx->role_arn = RoleArnOfSession(principal);
  // Only the web-identity caller itself is a "Federated" principal; its sessions are roles.
  if (principal.type == auth::PrincipalType::kWebIdentityUser) {
    ctx->federated_provider = principal.federated_provider;
  }
}

}  // namespace sealstack::api
