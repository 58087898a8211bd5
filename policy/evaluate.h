// Policy evaluation: one document against one request, a set of documents, and the
// service-level decisions (identity only, KMS, S3, STS trust) that combine key/bucket/trust
// policies, the caller's policies and (for KMS) grants the way AWS does (docs/policy.md, AWS's
// "Policy evaluation logic").
//
// The caller's side (PrincipalPolicies) is the intersection AWS documents:
//
//   identity path = (inline + attached + group policies) ∩ permissions boundary ∩ session policies
//
// and a resource policy adds to it in the caller's own account:
//   - naming the caller itself (a user's ARN, a session's ARN, "*") it allows on its own: an
//     implicit deny in a boundary or a session policy does not limit it;
//   - naming the ROLE of a session it allows only where the boundary and the session policies
//     allow too (they limit what the role ARN is granted);
//   - naming the caller's account it delegates to the identity path.
// In another account the resource policy AND the identity path must both allow. An explicit
// Deny in any policy (resource, identity, boundary, session) wins over everything.
//
//   per document:  any matching Deny  -> kExplicitDeny (first such statement)
//                  else matching Allow that names the caller (or "*")      -> kAllow
//                  else matching Allow only through the caller's account   -> kAllowViaAccount
//                  else                                                    -> kImplicitDeny
//
// A statement matches when its Principal (resource policies), Action, Resource and Condition
// all match. Action: case-insensitive glob. Resource: case-sensitive glob over the whole ARN.
// NotPrincipal/NotAction/NotResource match everything their list does not. For NotPrincipal a
// listed account exempts only its root, and a listed role exempts its sessions.
//
// Speed: no allocation on the hot path unless a statement uses policy variables; a 20-statement
// key policy with conditions evaluates in about 0.4 us in a Release build (the [.bench] test).
//
// Lifetimes: MatchedStatement::sid views into the PolicyDocument; keep the document alive (e.g.
// hold its shared_ptr) while using the result.
//
// Thread safety: all functions are pure; documents and contexts are only read.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "policy/document.h"
#include "policy/request_context.h"

namespace sealstack::policy {

enum class Decision {
  kAllow,
  // Resource policies only: the only matching Allow names the caller's ACCOUNT, and the caller is
  // not that account's root. It authorizes only together with an identity-policy Allow.
  kAllowViaAccount,
  kExplicitDeny,
  kImplicitDeny,
};

std::string_view DecisionName(Decision d);  // "Allow", "AllowViaAccount", ...

struct MatchedStatement {
  size_t index = 0;      // position in the document's Statement list
  std::string_view sid;  // "" when the statement has none; views into the document
  Effect effect = Effect::kAllow;
};

struct EvaluationResult {
  Decision decision = Decision::kImplicitDeny;
  std::optional<MatchedStatement> statement;  // the deciding statement; none for implicit deny
};

// One document. The document's kind says whether Principal is matched (kResource) or the
// document applies to the caller by attachment (kIdentity).
EvaluationResult Evaluate(const PolicyDocument& doc, const RequestContext& ctx);

// Several documents of one source (e.g. all identity policies of the caller): deny in any wins,
// then kAllow, then kAllowViaAccount. policy_index is the position in `docs` of the deciding
// document (-1 for implicit deny). Null entries are skipped.
struct SetResult {
  EvaluationResult result;
  int policy_index = -1;
};
SetResult EvaluateSet(std::span<const PolicyDocument* const> docs, const RequestContext& ctx);

// Where the final decision came from. For kImplicitDeny it names the kind of policy that failed
// to allow, which picks the AWS AccessDenied wording: kResourcePolicy -> "because no
// resource-based policy allows the X action", kIdentityPolicy -> "because no identity-based
// policy allows the X action". For kExplicitDeny: "with an explicit deny in a resource-based
// policy" / "... identity-based policy".
enum class DecisionSource {
  kResourcePolicy,  // key policy / bucket policy / trust policy
  kIdentityPolicy,
  kGrant,                // KMS grant (decided by the caller, passed in)
  kAccountRoot,          // S3: the bucket-owning account's root, no policy needed
  kPermissionsBoundary,  // "... in a permissions boundary" / "no permissions boundary allows"
  kSessionPolicy,        // "... in a session policy" / "no session policy allows"
};

// Everything attached to the caller. Null entries are skipped.
struct PrincipalPolicies {
  std::span<const PolicyDocument* const> identity;  // inline + attached + groups'
  const PolicyDocument* boundary = nullptr;         // permissions boundary; null: none
  // Session policies (AssumeRole Policy and PolicyArns): together they allow what any of them
  // allows. Only consulted when has_session_policy.
  std::span<const PolicyDocument* const> session;
  bool has_session_policy = false;

  PrincipalPolicies() = default;
  // Identity policies alone (no boundary, no session policy).
  PrincipalPolicies(std::span<const PolicyDocument* const> id)  // NOLINT: implicit on purpose
      : identity(id) {}
  PrincipalPolicies(const std::vector<const PolicyDocument*>& id)  // NOLINT: implicit on purpose
      : identity(id) {}
  template <size_t N>
  PrincipalPolicies(const PolicyDocument* const (&id)[N])  // NOLINT: implicit on purpose
      : identity(id) {}
};

// The caller's side of one request.
struct PrincipalResult {
  // kExplicitDeny (source says which kind of policy denied), kAllow (the identity path allows:
  // identity ∩ boundary ∩ session), or kImplicitDeny (source says whose Allow was missing, in
  // the order identity, boundary, session).
  Decision decision = Decision::kImplicitDeny;
  DecisionSource source = DecisionSource::kIdentityPolicy;
  int policy_index = -1;  // the deciding identity policy, for source kIdentityPolicy
  std::optional<MatchedStatement> statement;
  // Whether the boundary and the session policies (those present) allow; what limits a
  // resource-policy grant to a session's role.
  bool limits_allow = true;
  DecisionSource limit_source = DecisionSource::kPermissionsBoundary;  // the first that did not
};
PrincipalResult EvaluatePrincipal(const PrincipalPolicies& policies, const RequestContext& ctx);

struct AccessDecision;

// Identity policies only (IAM, Glue, CloudTrail, KMS account-level actions): the identity path
// decides; the account root may do anything not explicitly denied.
AccessDecision DecideIdentity(const PrincipalPolicies& policies, const RequestContext& ctx);

struct AccessDecision {
  Decision decision = Decision::kImplicitDeny;  // never kAllowViaAccount
  DecisionSource source = DecisionSource::kResourcePolicy;
  int policy_index = -1;                      // into identity_policies for kIdentityPolicy
  std::optional<MatchedStatement> statement;  // the deciding statement, when there is one

  bool allowed() const { return decision == Decision::kAllow; }
};

// KMS (docs/policy.md, "KMS"):
//   1. an explicit Deny in the key policy or an identity policy -> deny (grants cannot override);
//   2. the key policy allows the caller directly (named principal, "*", or the account principal
//      for the account's root) -> allow, except that a non-root caller from ANOTHER account also
//      needs an identity-policy Allow;
//   3. `grant_allows` (the caller evaluated the key's grants for this principal/operation/
//      context) -> allow;
//   4. the key policy allows the caller's account (delegation) and an identity policy allows
//      -> allow;
//   5. otherwise implicit deny (source says whose Allow was missing).
// Identity policies are ignored for the account root (it has none on AWS).
// REQUIRES: key_policy.kind == kResource; identity policies kIdentity.
// With a boundary or session policies, "identity-policy Allow" above means the identity path.
AccessDecision DecideKms(const PolicyDocument& key_policy, const PrincipalPolicies& policies,
                         const RequestContext& ctx, bool grant_allows);

// S3 (docs/policy.md, "S3"): explicit Deny in the bucket policy or an identity policy -> deny.
// Same account (ctx.resource_account empty or equal to the caller's): the root is allowed; else
// an Allow in the bucket policy that names the caller, or in an identity policy, suffices.
// Other account or anonymous: the bucket policy must allow (directly or via the caller's
// account) AND, for callers other than an account root or anonymous, an identity policy must
// allow. `bucket_policy` may be null (no policy set).
AccessDecision DecideS3(const PolicyDocument* bucket_policy, const PrincipalPolicies& policies,
                        const RequestContext& ctx);

// STS AssumeRole: the role's trust policy is mandatory, also in the role's own account. A
// statement naming the caller allows (subject to the rules above for a session's role); another
// account's caller also needs the identity path; a statement naming only the caller's account
// delegates to the identity path. An identity policy alone never suffices. `trust` may be null
// (unreadable: nobody is let in).
AccessDecision DecideTrust(const PolicyDocument* trust, const PrincipalPolicies& policies,
                           const RequestContext& ctx);

}  // namespace sealstack::policy
