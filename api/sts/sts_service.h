// STS, AWS Query protocol: GetCallerIdentity (how clients and tests check which principal a set
// of credentials maps to) and AssumeRole for IAM roles (sts_assume_role.cpp): the trust policy
// decides through the one access check, the session's credentials are issued and kept by
// iam::Service, which the SigV4 verifier asks for them (auth::PrincipalDirectory).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/common/access.h"
#include "api/common/caller.h"
#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/iam/iam_service.h"
#include "audit/recorder.h"
#include "auth/principals.h"
#include "common/clock.h"

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
// GetCallerIdentity only.
ApiResponse HandleQuery(const auth::Principal& principal,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        const RequestIds& ids);

struct StsDependencies {
  iam::Service* iam = nullptr;    // roles and their sessions
  AccessCheck* access = nullptr;  // the trust policy decision (null: trust is not checked)
  const Clock* clock = nullptr;   // session expiry
  // AssumeRole, GetSessionToken and GetAccessKeyInfo are recorded here (null: not recorded):
  // eventSource sts.amazonaws.com; AssumeRole with the role as resource, the trust decision in
  // additionalEventData ({"trustDecision": "Allow" | "ExplicitDeny" | "ImplicitDeny"}) and
  // responseElements without the secret and the session token. GetCallerIdentity is not
  // recorded (as on AWS).
  audit::Recorder* recorder = nullptr;
};

// Every STS operation SealStack answers: AssumeRole here, the rest through HandleQuery.
ApiResponse HandleStsQuery(const StsDependencies& deps, const Caller& caller,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           const RequestIds& ids);

}  // namespace sealstack::api::sts
