// PrincipalDirectory: a source of principals that the PrincipalStore does not hold itself.
//
// The store keeps the configured and seeded principals (and Glue run sessions) in memory; IAM
// (api/iam) keeps users' access keys and STS role sessions in SQLite. auth/ sits below api/, so
// it cannot ask IAM directly: IAM implements this interface and server/ hands it to the store
// (PrincipalStore::SetDirectory), which asks it for an access key the store does not know.
//
// Thread safety: implementations must be safe for concurrent use.
#pragma once

#include <memory>
#include <string_view>

namespace sealstack::auth {

struct Principal;

class PrincipalDirectory {
 public:
  virtual ~PrincipalDirectory() = default;

  // The principal an access key id authenticates, with its current identity policies, or null
  // when the directory has no such key or the key may not be used (an inactive key). Temporary
  // credentials carry their session token and expiry; the verifier checks both.
  virtual std::shared_ptr<const Principal> FindByAccessKey(
      std::string_view access_key_id) const = 0;
};

}  // namespace sealstack::auth
