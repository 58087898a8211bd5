// Who calls KMS and how a call is authorized: the Caller (direct, or S3/Glue on a caller's
// behalf), the extra condition keys an operation contributes, and the AuthorizationRequest the
// policy layer (kms_authorizer.h) decides.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/common/caller.h"
#include "api/kms/kms_model.h"
#include "common/status.h"

namespace sealstack::api::kms {

// Who is calling, and how. S3 and Glue set via_service ("s3.us-east-1.amazonaws.com").
struct Caller : api::Caller {
  Caller() = default;
  explicit Caller(api::Caller base) : api::Caller(std::move(base)) {}

  std::string via_service;  // "" for direct calls
  std::vector<std::string> grant_tokens;
  // When set, the ARNs of the keys the call resolved are appended (the audit record's
  // resources). The pointee must outlive the call.
  std::vector<std::string>* audit_key_arns = nullptr;
};

// Extra condition keys an operation contributes (kms:SigningAlgorithm, aws:TagKeys, ...).
using ConditionKeys = std::map<std::string, std::vector<std::string>>;

// Decides whether a caller may perform `action` ("kms:Encrypt") on `key`; filled in by the
// policy layer. The default allows only the key's own account.
struct AuthorizationRequest {
  const Caller* caller = nullptr;
  std::string action;
  const Key* key = nullptr;  // null for account-level actions (CreateKey, ListKeys, ...)
  const EncryptionContext* encryption_context = nullptr;
  std::map<std::string, std::vector<std::string>> extra_condition_keys;
};
using Authorizer = std::function<Status(const AuthorizationRequest&)>;

}  // namespace sealstack::api::kms
