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

AccessDecision DecideKms(const PolicyDocument& key_policy,
                         std::span<const PolicyDocument* const> identity_policies,
                         const RequestContext& ctx, bool grant_allows) {
  const EvaluationResult kp = Evaluate(key_policy, ctx);
  if (kp.decision == Decision::kExplicitDeny) {
    return Final(Decision::kExplicitDeny, DecisionSource::kResourcePolicy, -1, kp.statement);
  }
  const bool root = ctx.principal_is_root();
  SetResult id;
  if (!root) {
    id = EvaluateSet(identity_policies, ctx);
    if (id.result.decision == Decision::kExplicitDeny) {
      return Final(Decision::kExplicitDeny, DecisionSource::kIdentityPolicy, id.policy_index,
                   id.result.statement);
    }
  }
  const bool identity_allows = id.result.decision == Decision::kAllow;
  if (kp.decision == Decision::kAllow) {
    if (root || SameAccount(ctx)) {
      return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, kp.statement);
    }
    if (identity_allows) {
      return Final(Decision::kAllow, DecisionSource::kIdentityPolicy, id.policy_index,
                   id.result.statement);
    }
  }
  if (grant_allows) return Final(Decision::kAllow, DecisionSource::kGrant, -1, std::nullopt);
  if (kp.decision == Decision::kAllowViaAccount) {
    if (identity_allows) {
      return Final(Decision::kAllow, DecisionSource::kIdentityPolicy, id.policy_index,
                   id.result.statement);
    }
    return Final(Decision::kImplicitDeny, DecisionSource::kIdentityPolicy, -1, std::nullopt);
  }
  if (kp.decision == Decision::kAllow) {  // cross-account, no identity Allow
    return Final(Decision::kImplicitDeny, DecisionSource::kIdentityPolicy, -1, std::nullopt);
  }
  return Final(Decision::kImplicitDeny, DecisionSource::kResourcePolicy, -1, std::nullopt);
}

AccessDecision DecideS3(const PolicyDocument* bucket_policy,
                        std::span<const PolicyDocument* const> identity_policies,
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
  SetResult id;
  if (!anonymous && !root) {
    id = EvaluateSet(identity_policies, ctx);
    if (id.result.decision == Decision::kExplicitDeny) {
      return Final(Decision::kExplicitDeny, DecisionSource::kIdentityPolicy, id.policy_index,
                   id.result.statement);
    }
  }
  const bool identity_allows = id.result.decision == Decision::kAllow;

  if (!anonymous && SameAccount(ctx)) {
    if (root) return Final(Decision::kAllow, DecisionSource::kAccountRoot, -1, std::nullopt);
    if (bp.decision == Decision::kAllow) {
      return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, bp.statement);
    }
    if (identity_allows) {
      return Final(Decision::kAllow, DecisionSource::kIdentityPolicy, id.policy_index,
                   id.result.statement);
    }
    return Final(Decision::kImplicitDeny, DecisionSource::kIdentityPolicy, -1, std::nullopt);
  }

  // Cross-account or anonymous: the bucket policy must let the caller (or its account) in.
  if (bp.decision != Decision::kAllow && bp.decision != Decision::kAllowViaAccount) {
    return Final(Decision::kImplicitDeny, DecisionSource::kResourcePolicy, -1, std::nullopt);
  }
  if (anonymous || root) {
    return Final(Decision::kAllow, DecisionSource::kResourcePolicy, -1, bp.statement);
  }
  if (identity_allows) {
    return Final(Decision::kAllow, DecisionSource::kIdentityPolicy, id.policy_index,
                 id.result.statement);
  }
  return Final(Decision::kImplicitDeny, DecisionSource::kIdentityPolicy, -1, std::nullopt);
}

}  // namespace sealstack::policy
