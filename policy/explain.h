// Why each statement of a policy did or did not apply to a request: the answer to "why was I
// denied?" (GET /_sealstack/decisions, POST /_sealstack/simulate). Evaluate (evaluate.h) stops at
// the first part of a statement that fails; Explain checks every part of every statement, so it
// is for explaining decisions, never for making them.
//
// Thread safety: pure; documents and contexts are only read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "policy/document.h"
#include "policy/request_context.h"

namespace sealstack::policy {

struct StatementTrace {
  size_t index = 0;
  std::string sid;
  Effect effect = Effect::kAllow;
  bool principal_matches = false;  // always true in identity policies (no Principal)
  // The principal matches only through the caller's account (Principal names the account): such
  // an Allow authorizes only together with an identity-policy Allow (evaluate.h).
  bool via_account = false;
  bool action_matches = false;
  bool resource_matches = false;
  bool conditions_hold = false;
  // The first condition that does not hold: "StringEquals kms:encryptioncontext:purpose" and the
  // request's values of its key ("(absent)" when the request has none). "" when all hold.
  std::string failed_condition;

  bool applies() const {
    return principal_matches && action_matches && resource_matches && conditions_hold;
  }
  // How close the statement came: the parts that matched, in the order AWS's evaluation reads
  // them (action, principal, resource, condition).
  int parts_matched() const {
    return int{action_matches} + int{principal_matches} + int{resource_matches} +
           int{conditions_hold};
  }
  // What failed first, in that order: "action", "principal", "resource", the failed condition;
  // "" when the statement applies.
  std::string FirstFailure() const;
};

std::vector<StatementTrace> Explain(const PolicyDocument& doc, const RequestContext& ctx);

}  // namespace sealstack::policy
