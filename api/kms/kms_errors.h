// KMS domain errors: a Status whose detail() is a kms::ErrorKind. kms_wire.cpp holds the one
// table that turns each kind into AWS's __type and HTTP status.
#pragma once

#include <string>

#include "common/status.h"

namespace sealstack::api::kms {

enum class ErrorKind {
  kNone = 0,
  kNotFound = 100,
  kDisabled,
  kInvalidState,
  kAlreadyExists,
  kInvalidCiphertext,
  kIncorrectKey,
  kInvalidKeyUsage,
  kInvalidAliasName,
  kInvalidArn,
  kInvalidMarker,
  kInvalidGrantId,
  kInvalidGrantToken,
  kInvalidImportToken,
  kExpiredImportToken,
  kIncorrectKeyMaterial,
  kInvalidSignature,  // KMSInvalidSignatureException
  kInvalidMac,        // KMSInvalidMacException
  kLimitExceeded,
  kMalformedPolicy,
  kTag,
  kUnsupportedOperation,
  kDryRun,
  kAccessDenied,
  kValidation,
  kConflict,
  kNotAuthorized,  // alias/aws/ names
  kInternal,
  // Transient failures; in SealStack only injected faults (POST /_sealstack/faults) raise them.
  kThrottling,         // ThrottlingException 400
  kKeyUnavailable,     // KeyUnavailableException 500
  kDependencyTimeout,  // DependencyTimeoutException 503
};

inline Status KmsError(ErrorKind kind, std::string message) {
  StatusCode code = StatusCode::kInvalidArgument;
  switch (kind) {
    case ErrorKind::kNotFound:
      code = StatusCode::kNotFound;
      break;
    case ErrorKind::kDisabled:
    case ErrorKind::kInvalidState:
      code = StatusCode::kFailedPrecondition;
      break;
    case ErrorKind::kAlreadyExists:
      code = StatusCode::kAlreadyExists;
      break;
    case ErrorKind::kAccessDenied:
    case ErrorKind::kNotAuthorized:
      code = StatusCode::kAccessDenied;
      break;
    case ErrorKind::kInvalidCiphertext:
    case ErrorKind::kInvalidSignature:
    case ErrorKind::kInvalidMac:
      code = StatusCode::kIntegrity;
      break;
    case ErrorKind::kInternal:
      code = StatusCode::kInternal;
      break;
    case ErrorKind::kThrottling:
    case ErrorKind::kKeyUnavailable:
    case ErrorKind::kDependencyTimeout:
      code = StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  return Status(code, static_cast<int>(kind), std::move(message));
}

}  // namespace sealstack::api::kms
