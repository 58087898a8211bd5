// KmsAuthorizer: AWS's KMS authorization on every call, through the one access check
// (api/common/access.h, rule kKeyPolicy): the key policy is mandatory; identity policies count
// only where the key policy delegates to the account; grants are an independent allow path with
// their constraints; an explicit deny anywhere wins. Account-level actions (CreateKey, ListKeys,
// ...) have no key and are decided by identity policies alone. This file adds the kms:* keys
// and evaluates the grants.
//
// Thread safety: safe for concurrent use (the AccessCheck is).
#pragma once

#include <memory>
#include <string_view>

#include "api/common/access.h"
#include "api/kms/kms_service.h"

namespace sealstack::api::kms {

class KmsAuthorizer {
 public:
  KmsAuthorizer(Service& service, std::shared_ptr<AccessCheck> access);

  Status Authorize(const AuthorizationRequest& request);
  // MalformedPolicyDocumentException text for a key policy, or OK.
  Status Validate(std::string_view policy);
  // The lockout safety check: the caller must still be allowed kms:PutKeyPolicy under `policy`.
  Status CheckLockout(const Caller& caller, const Key& key, std::string_view policy);

  // Installs this authorizer, validator and lockout check into the service.
  static void Install(Service& service, std::shared_ptr<KmsAuthorizer> authorizer);

 private:
  AccessRequest RequestOf(const AuthorizationRequest& r) const;
  // The id of a grant on `key` that allows the call, if any.
  std::optional<std::string> AllowingGrant(const AuthorizationRequest& r, const Key& key) const;

  Service& service_;
  std::shared_ptr<AccessCheck> access_;
};

}  // namespace sealstack::api::kms
