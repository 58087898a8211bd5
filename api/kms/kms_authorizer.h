// KmsAuthorizer: AWS's KMS authorization on every call, through policy/ (PROTOCOL 8.1, 8.3, 8.4):
// the key policy is mandatory; identity policies count only where the key policy delegates to
// the account; grants are an independent allow path with their constraints; an explicit deny
// anywhere wins. Populates the KMS and global condition keys from the call.
//
// Mode: kEnforce denies; kAudit allows but logs what would have been denied; kOff allows all.
// Thread safety: safe for concurrent use; parsed policies are cached by their text.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/kms/kms_service.h"
#include "common/clock.h"
#include "policy/document.h"

namespace sealstack::api::kms {

enum class PolicyMode { kEnforce, kAudit, kOff };

class KmsAuthorizer {
 public:
  using AuditLog = std::function<void(const std::string& line)>;
  // `clock` gives aws:CurrentTime / aws:EpochTime, so date conditions follow the server clock.
  KmsAuthorizer(Service& service, PolicyMode mode, AuditLog audit_log,
                std::shared_ptr<const Clock> clock);

  Status Authorize(const AuthorizationRequest& request);
  // MalformedPolicyDocumentException text for a key policy, or OK.
  Status Validate(std::string_view policy);
  // The lockout safety check: the caller must still be allowed kms:PutKeyPolicy under `policy`.
  Status CheckLockout(const Caller& caller, const Key& key, std::string_view policy);

  // Installs this authorizer, validator and lockout check into the service.
  static void Install(Service& service, std::shared_ptr<KmsAuthorizer> authorizer);

 private:
  Result<std::shared_ptr<const policy::PolicyDocument>> Parsed(std::string_view text,
                                                               policy::PolicyKind kind);
  bool GrantAllows(const AuthorizationRequest& r, const Key& key) const;
  Status Decide(const AuthorizationRequest& r, PolicyMode mode);

  Service& service_;
  const PolicyMode mode_;
  AuditLog audit_log_;
  std::shared_ptr<const Clock> clock_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const policy::PolicyDocument>> cache_;
};

}  // namespace sealstack::api::kms
