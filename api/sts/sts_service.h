// STS, AWS Query protocol. Only GetCallerIdentity: it is how clients and tests check which
// principal a set of credentials maps to, and it proves the whole request path.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/common/errors.h"
#include "api/common/wire.h"
#include "auth/principals.h"

namespace sealstack::api::sts {

struct CallerIdentity {
  std::string arn;
  std::string user_id;
  std::string account;
};

// What AWS answers for the principal: root -> UserId = account id; users -> a stable
// "AIDA..." id; assumed roles -> "AROA...:session".
CallerIdentity GetCallerIdentity(const auth::Principal& principal);

// Dispatches a Query request whose form parameters (Action, Version, ...) are already decoded.
ApiResponse HandleQuery(const auth::Principal& principal,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        const RequestIds& ids);

}  // namespace sealstack::api::sts
