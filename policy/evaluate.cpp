#include "policy/evaluate.h"

#include <algorithm>
#include <string>

#include "common/name_table.h"

namespace sealstack::policy {

namespace {

// The request action lower-cased once per evaluation, on the stack when it fits.
class LoweredAction {
 public:
  explicit LoweredAction(std::string_view action) {
    char* out = buf_;
    if (action.size() > sizeof(buf_)) {
      heap_.resize(action.size());
      out = heap_.data();
    }
    for (size_t i = 0; i < action.size(); ++i) {
      char c = action[i];
      out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    view_ = std::string_view(out, action.size());
  }
  LoweredAction(const LoweredAction&) = delete;
  LoweredAction& operator=(const LoweredAction&) = delete;
  std::string_view view() const { return view_; }

 private:
  char buf_[96];
  std::string heap_;
  std::string_view view_;
};

bool ActionMatches(const Statement& s, std::string_view lower_action) {
  const bool any = std::any_of(s.actions.begin(), s.actions.end(),
                               [&](const Glob& g) { return g.MatchLowered(lower_action); });
  return any != s.not_action;
}

bool ResourceMatches(const Statement& s, const RequestContext& ctx) {
  if (s.resources.empty()) return true;  // resource policy without Resource: this resource
  const bool any = std::any_of(s.resources.begin(), s.resources.end(),
                               [&](const ResourcePattern& r) { return r.Match(ctx); });
  return any != s.not_resource;
}

PrincipalMatch PrincipalMatches(const Statement& s, const RequestContext& ctx) {
  if (!s.has_principal) return PrincipalMatch::kDirect;  // identity policy: applies to its owner
  PrincipalMatch m = s.principals.Match(ctx);
  if (!s.not_principal) return m;
  return m == PrincipalMatch::kDirect ? PrincipalMatch::kNone : PrincipalMatch::kDirect;
}

MatchedStatement Matched(const Statement& s, size_t i) {
  return {i, s.sid, s.effect};
}

bool SameAccount(const RequestContext& ctx) {
  return ctx.resource_account.empty() || ctx.resource_account == ctx.principal_account;
}

constexpr NameEntry<Decision> kDecisionNames[] = {
    {Decision::kAllow, "Allow"},
    {Decision::kAllowViaAccount, "AllowViaAccount"},
    {Decision::kExplicitDeny, "ExplicitDeny"},
    {Decision::kImplicitDeny, "ImplicitDeny"},
};

AccessDecision Final(Decision d, DecisionSource src, int index,
                     const std::optional<MatchedStatement>& st) {
  AccessDecision a;
  a.decision = d;
  a.source = src;
  a.policy_index = index;
  a.statement = st;
  return a;
}

}  // namespace

std::string_view DecisionName(Decision d) {
  return NameOf(kDecisionNames, d, "?");
}

EvaluationResult Evaluate(const PolicyDocument& doc, const RequestContext& ctx) {
  EvaluationResult allow_direct;   // first direct Allow
  EvaluationResult allow_account;  // first Allow via account delegation
  const LoweredAction action(ctx.action);
  for (size_t i = 0; i < doc.statements.size(); ++i) {
    const Statement& s = doc.statements[i];
    // Cheapest, most selective checks first.
    if (!ActionMatches(s, action.view())) continue;
    bool is_deny = s.effect == Effect::kDeny;
    // An Allow cannot improve on a direct Allow already found; only Denies still matter.
    if (!is_deny && allow_direct.statement) continue;
    PrincipalMatch pm = PrincipalMatches(s, ctx);
    if (pm == PrincipalMatch::kNone) continue;
    if (!is_deny && pm == PrincipalMatch::kViaAccount && allow_account.statement) continue;
    if (!ResourceMatches(s, ctx)) continue;
    if (!s.condition.Evaluate(ctx)) continue;
    if (is_deny) {
      // A Deny naming the caller's account covers every identity in it.
      return {Decision::kExplicitDeny, Matched(s, i)};
    }
    if (pm == PrincipalMatch::kDirect) {
      allow_direct = {Decision::kAllow, Matched(s, i)};
    } else {
      allow_account = {Decision::kAllowViaAccount, Matched(s, i)};
    }
  }
  if (allow_direct.statement) return allow_direct;
  if (allow_account.statement) return allow_account;
  return {};
}

SetResult EvaluateSet(std::span<const PolicyDocument* const> docs, const RequestContext& ctx) {
  SetResult best;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i] == nullptr) continue;
    EvaluationResult r = Evaluate(*docs[i], ctx);
    int index = static_cast<int>(i);
    switch (r.decision) {
      case Decision::kExplicitDeny:
        return {r, index};
      case Decision::kAllow:
        if (best.result.decision != Decision::kAllow) best = {r, index};
        break;
      case Decision::kAllowViaAccount:
        if (best.result.decision == Decision::kImplicitDeny) best = {r, index};
        break;
      case Decision::kImplicitDeny:
        break;
    }
  }
  return best;
}

PrincipalResult EvaluatePrincipal(const PrincipalPolicies& policies, const RequestContext& ctx) {
  PrincipalResult out;
  const SetResult id = EvaluateSet(policies.identity, ctx);
  if (id.result.decision == Decision::kExplicitDeny) {
    out.decision = Decision::kExplicitDeny;
    out.policy_index = id.policy_index;
    out.statement = id.result.statement;
    return out;
  }
  EvaluationResult boundary{Decision::kAllow, std::nullopt};
  if (policies.boundary != nullptr) {
    boundary = Evaluate(*policies.boundary, ctx);
    if (boundary.decision == Decision::kExplicitDeny) {
      out.decision = Decision::kExplicitDeny;
      out.source = DecisionSource::kPermissionsBoundary;
      out.statement = boundary.statement;
      return out;
    }
  }
  SetResult session{{Decision::kAllow, std::nullopt}, -1};
  if (policies.has_session_policy) {
    session = EvaluateSet(policies.session, ctx);
    if (session.result.decision == Decision::kExplicitDeny) {
      out.decision = Decision::kExplicitDeny;
      out.source = DecisionSource::kSessionPolicy;
      out.statement = session.result.statement;
      return out;
    }
  }
  const bool boundary_allows = boundary.decision == Decision::kAllow;
  const bool session_allows = session.result.decision == Decision::kAllow;
  out.limits_allow = boundary_allows && session_allows;
  out.limit_source =
      boundary_allows ? DecisionSource::kSessionPolicy : DecisionSource::kPermissionsBoundary;
  if (id.result.decision != Decision::kAllow) return out;  // kIdentityPolicy: no Allow
  if (!out.limits_allow) {
    out.source = out.limit_source;
    return out;
  }
  out.decision = Decision::kAllow;
  out.policy_index = id.policy_index;
  out.statement = id.result.statement;
  return out;
}

namespace {

AccessDecision FromPrincipal(const PrincipalResult& p) {
  return Final(p.decision, p.source, p.policy_index, p.statement);
}

// Whether a resource-policy Allow (`resource_allows`, kAllow) for a caller in the resource's
// account stands on its own. It does, unless it reached a role session through the ROLE's ARN
// and the session's boundary or session policies do not allow: those limit the role ARN's grant,
// not a grant to the session's own ARN (or to a user).
bool ResourceGrantStands(const PolicyDocument& resource, const PrincipalResult& p,
                         const RequestContext& ctx) {
  if (p.limits_allow || ctx.principal_kind != PrincipalKind::kAssumedRole) return true;
  RequestContext without_role = ctx;  // does a statement name the session itself?
  without_role.role_arn.clear();
  return Evaluate(resource, without_role).decision == Decision::kAllow;
}

}  // namespace

AccessDecision DecideIdentity(const PrincipalPolicies& policies, const RequestContext& ctx) {
  const PrincipalResult p = EvaluatePrincipal(policies, ctx);
  if (p.decision == Decision::kExplicitDeny) return FromPrincipal(p);
  if (ctx.principal_is_root()) {
    return Final(Decision::kAllow, DecisionSource::kIdentityPolicy, p.policy_index, p.statement);
  }
  return FromPrincipal(p);
}

AccessDecision DecideKms(const PolicyDocument& key_policy, const PrincipalPolicies& policies,
                         const RequestContext& ctx, bool grant_allows) {
  const EvaluationResult kp = Evaluate(key_policy, ctx);
  if (kp.decision == Decision::kExplicitDeny) {
    return Final(Decision::kExplicitDeny, DecisionSource::kResourcePolicy, -1, kp.statement);
  }
  const bool root = ctx.principal_is_root();
  PrincipalResult p;
  if (!root) {
    p = EvaluatePrincipal(policies, ctx);
    if (p.decision == Decision::kExplicitDeny) return FromPrincipal(p);
  }
  const bool identity_allows = p.decision == Decision::kAllow;
  if (kp.decision == Decision::kAllow) {
    if (root) return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, kp.statement);
    if (SameAccount(ctx) && ResourceGrantStands(key_policy, p, ctx)) {
      return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, kp.statement);
    }
    if (identity_allows) return FromPrincipal(p);
  }
  if (grant_allows) return Final(Decision::kAllow, DecisionSource::kGrant, -1, std::nullopt);
  // Delegation to the account: the identity path decides (its missing Allow when it does not).
  if (kp.decision == Decision::kAllowViaAccount) return FromPrincipal(p);
  if (kp.decision == Decision::kAllow) {  // cross-account, or a role grant the limits cut
    if (SameAccount(ctx)) {
      return Final(Decision::kImplicitDeny, p.limit_source, -1, std::nullopt);
    }
    return FromPrincipal(p);
  }
  return Final(Decision::kImplicitDeny, DecisionSource::kResourcePolicy, -1, std::nullopt);
}

AccessDecision DecideS3(const PolicyDocument* bucket_policy, const PrincipalPolicies& policies,
                        const RequestContext& ctx) {
  EvaluationResult bp;
  if (bucket_policy != nullptr) {
    bp = Evaluate(*bucket_policy, ctx);
    if (bp.decision == Decision::kExplicitDeny) {
      return Final(Decision::kExplicitDeny, DecisionSource::kResourcePolicy, -1, bp.statement);
    }
  }
  const bool anonymous = ctx.principal_kind == PrincipalKind::kAnonymous;
  const bool root = ctx.principal_is_root();
  PrincipalResult p;
  if (!anonymous && !root) {
    p = EvaluatePrincipal(policies, ctx);
    if (p.decision == Decision::kExplicitDeny) return FromPrincipal(p);
  }
  const bool identity_allows = p.decision == Decision::kAllow;

  if (!anonymous && SameAccount(ctx)) {
    if (root) return Final(Decision::kAllow, DecisionSource::kAccountRoot, -1, std::nullopt);
    if (bp.decision == Decision::kAllow && ResourceGrantStands(*bucket_policy, p, ctx)) {
      return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, bp.statement);
    }
    if (identity_allows) return FromPrincipal(p);
    if (p.source == DecisionSource::kIdentityPolicy && bp.decision == Decision::kAllow) {
      return Final(Decision::kImplicitDeny, p.limit_source, -1, std::nullopt);
    }
    return Final(Decision::kImplicitDeny, p.source, -1, std::nullopt);
  }

  // Cross-account or anonymous: the bucket policy must let the caller (or its account) in.
  if (bp.decision != Decision::kAllow && bp.decision != Decision::kAllowViaAccount) {
    return Final(Decision::kImplicitDeny, DecisionSource::kResourcePolicy, -1, std::nullopt);
  }
  if (anonymous || root) {
    return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, bp.statement);
  }
  return FromPrincipal(p);
}

AccessDecision DecideTrust(const PolicyDocument* trust, const PrincipalPolicies& policies,
                           const RequestContext& ctx) {
  if (trust == nullptr) {
    return Final(Decision::kImplicitDeny, DecisionSource::kResourcePolicy, -1, std::nullopt);
  }
  const EvaluationResult tr = Evaluate(*trust, ctx);
  if (tr.decision == Decision::kExplicitDeny) {
    return Final(Decision::kExplicitDeny, DecisionSource::kResourcePolicy, -1, tr.statement);
  }
  const PrincipalResult p = EvaluatePrincipal(policies, ctx);
  if (p.decision == Decision::kExplicitDeny) return FromPrincipal(p);
  if (tr.decision == Decision::kImplicitDeny) {
    return Final(Decision::kImplicitDeny, DecisionSource::kResourcePolicy, -1, std::nullopt);
  }
  if (tr.decision == Decision::kAllow && SameAccount(ctx) && ResourceGrantStands(*trust, p, ctx)) {
    return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, tr.statement);
  }
  return FromPrincipal(p);
}

}  // namespace sealstack::policy
