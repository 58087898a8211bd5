// PolicyDocument: an IAM policy (KMS key policy, S3 bucket policy, identity policy) parsed and
// validated once, kept in a compiled form that Evaluate (evaluate.h) walks on every request.
//
// Grammar accepted (the IAM policy language's; docs/policy.md):
//   { "Version"?: "2012-10-17" | "2008-10-17",  "Id"?: string,
//     "Statement": Statement | [Statement, ...] }
//   Statement = { "Sid"?: string, "Effect": "Allow" | "Deny",
//                 ("Principal" | "NotPrincipal")?: "*" | {"AWS"|"Service"|"Federated"|
//                                                         "CanonicalUser": str | [str]},
//                 ("Action" | "NotAction"): str | [str],
//                 ("Resource" | "NotResource")?: str | [str],
//                 "Condition"?: { Operator: { Key: scalar | [scalar] } } }
// Resource policies (kResource) need a Principal or NotPrincipal in every statement; a missing
// Resource means "*". Identity policies (kIdentity) may not have one and need a Resource or
// NotResource. Unknown fields, duplicate fields and duplicate Sids are rejected. Without a
// Version the 2008-10-17 rules apply: no policy variables.
// Size limits (KMS 32 KiB, S3 20 KiB) belong to the services, not here.
//
// Every rejection is Status kInvalidArgument with a message saying where, e.g.
//   Statement[1] (Sid "AllowUse"): Action: "Decrypt" is not "*" or "service:action"
//   JSON syntax error at offset 17: Missing a colon after a name of object member.
// The caller maps it to MalformedPolicyDocumentException / MalformedPolicy.
//
// Thread safety: a PolicyDocument is immutable after ParsePolicy; share it (e.g. as
// shared_ptr<const PolicyDocument>) across threads freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/conditions.h"
#include "policy/principal.h"
#include "policy/variables.h"
#include "policy/wildcard.h"

namespace sealstack::policy {

enum class PolicyKind {
  kResource,  // KMS key policy, S3 bucket policy: Principal required
  kIdentity,  // attached to a principal: no Principal
};

enum class Effect { kAllow, kDeny };

// A Resource / NotResource value: a glob over the whole ARN, case-sensitive; `*` crosses `:`
// and `/`. With policy variables it is resolved per request.
struct ResourcePattern {
  Template source;
  Glob glob;  // valid when !source.has_variables()
  bool Match(const RequestContext& ctx) const;
};

struct Statement {
  std::string sid;  // "" when absent
  Effect effect = Effect::kAllow;

  bool has_principal = false;  // Principal or NotPrincipal present
  bool not_principal = false;
  PrincipalSet principals;

  bool not_action = false;
  std::vector<Glob> actions;  // lower-cased, fold-case globs

  bool not_resource = false;
  std::vector<ResourcePattern> resources;  // empty = "*" (resource policy without Resource)

  ConditionBlock condition;
};

struct PolicyDocument {
  PolicyKind kind = PolicyKind::kResource;
  std::string version;  // "2012-10-17", "2008-10-17", or "" (absent)
  std::string id;
  std::vector<Statement> statements;

  bool variables_enabled() const { return version == "2012-10-17"; }
};

Result<PolicyDocument> ParsePolicy(std::string_view json, PolicyKind kind);

}  // namespace sealstack::policy
