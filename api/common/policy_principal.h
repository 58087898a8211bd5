// The caller's side of a policy RequestContext, filled the same way for every service: which
// kind of principal (policy::PrincipalKind from auth::PrincipalType), its ARN and account, and
// for an assumed-role session the role it belongs to (policies name roles, not sessions).
#pragma once

#include <string>

#include "auth/principals.h"
#include "policy/request_context.h"

namespace sealstack::api {

policy::PrincipalKind PolicyPrincipalKind(auth::PrincipalType type);

// arn:aws:sts::ACCT:assumed-role/ROLE/SESSION -> arn:aws:iam::ACCT:role/ROLE; "" for any
// other principal.
std::string RoleArnOfSession(const auth::Principal& principal);

// Sets principal_kind, principal_arn, principal_account and role_arn of *ctx.
void FillPolicyPrincipal(const auth::Principal& principal, policy::RequestContext* ctx);

}  // namespace sealstack::api
