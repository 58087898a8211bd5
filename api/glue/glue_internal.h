// Shared internals of api/glue's operation files (not part of the public surface).
#pragma once

#include <memory>
#include <string>

#include "api/glue/glue_service.h"
#include "storage/glue_repo.h"

namespace sealstack::api::glue {

inline std::string Account(const Caller& c) {
  return c.principal->account;
}

inline storage::GlueKey Key(const Caller& c, std::string kind, std::string name,
                            std::string parent = "") {
  return {Account(c), c.region, std::move(kind), std::move(parent), std::move(name)};
}

inline std::string GlueArn(const Caller& c, const std::string& suffix) {
  return "arn:aws:glue:" + c.region + ":" + Account(c) + ":" + suffix;
}

// The configured role a job names (role name in the caller's account, or role ARN).
// InvalidInputException when it is not a configured role.
Result<std::shared_ptr<const auth::Principal>> ResolveRole(const auth::PrincipalStore& store,
                                                           const std::string& account,
                                                           const std::string& role);

}  // namespace sealstack::api::glue
