#include "policy/explain.h"

#include <algorithm>

#include "common/strings.h"

namespace sealstack::policy {

namespace {

// The request's values of a condition key, as an explanation shows them.
std::string RequestValues(const RequestContext& ctx, const std::string& key) {
  auto it = ctx.keys.find(key);
  if (it == ctx.keys.end() || it->second.empty()) return "(absent)";
  std::string out = "[";
  for (size_t i = 0; i < it->second.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + it->second[i] + "\"";
  }
  return out + "]";
}

}  // namespace

std::string StatementTrace::FirstFailure() const {
  if (!action_matches) return "action";
  if (!principal_matches) return "principal";
  if (!resource_matches) return "resource";
  if (!conditions_hold) return "condition " + failed_condition;
  return "";
}

std::vector<StatementTrace> Explain(const PolicyDocument& doc, const RequestContext& ctx) {
  std::vector<StatementTrace> out;
  const std::string action = ToLower(ctx.action);
  for (size_t i = 0; i < doc.statements.size(); ++i) {
    const Statement& s = doc.statements[i];
    StatementTrace t;
    t.index = i;
    t.sid = s.sid;
    t.effect = s.effect;
    const bool any_action = std::any_of(s.actions.begin(), s.actions.end(),
                                        [&](const Glob& g) { return g.MatchLowered(action); });
    t.action_matches = any_action != s.not_action;
    if (!s.has_principal) {
      t.principal_matches = true;
    } else {
      const PrincipalMatch m = s.principals.Match(ctx);
      t.principal_matches =
          s.not_principal ? m != PrincipalMatch::kDirect : m != PrincipalMatch::kNone;
      t.via_account = !s.not_principal && m == PrincipalMatch::kViaAccount;
    }
    if (s.resources.empty()) {
      t.resource_matches = true;
    } else {
      const bool any = std::any_of(s.resources.begin(), s.resources.end(),
                                   [&](const ResourcePattern& r) { return r.Match(ctx); });
      t.resource_matches = any != s.not_resource;
    }
    t.conditions_hold = true;
    for (const Condition& c : s.condition.conditions) {
      if (c.Evaluate(ctx)) continue;
      t.conditions_hold = false;
      t.failed_condition =
          c.op_name() + " " + c.key() + " (request: " + RequestValues(ctx, c.key()) + ")";
      break;
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace sealstack::policy
