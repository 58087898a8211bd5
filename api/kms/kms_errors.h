// KMS domain errors: a Status whose detail() is a kms::ErrorKind, and the one table that says how
// AWS reports each kind (exception name, HTTP status). Nothing here knows a wire format: the KMS
// wire layer (kms_wire.h, KmsStatusToWire) renders a description as awsJson1_1, and other
// services word a KMS failure in their own errors ("(Service: AWSKMS; Status Code: 400; Error
// Code: DisabledException ...)") from the same description.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// A Status of `kind`, filed under the generic StatusCode the kind's table row names (NotFound,
// FailedPrecondition, AccessDenied, Integrity, Unavailable, ...), with detail() == kind.
Status KmsError(ErrorKind kind, std::string message);

// How AWS reports a KMS failure.
struct KmsErrorDescription {
  std::string_view code;  // AWS's exception name: "DisabledException"
  int http_status = 400;
  std::string message;        // client-facing; a fixed text for server faults
  bool server_fault = false;  // http_status >= 500: the message says nothing of the cause
};

// The description of a Status from kms::Service (an ErrorKind) or from JsonInput
// (SerializationException, ValidationException); nullopt for any other Status, which the caller
// reports as its own generic failure.
std::optional<KmsErrorDescription> DescribeKmsError(const Status& status);

// A row of the table by AWS name ("ThrottlingException"): its kind and HTTP status. Used to
// validate injected faults; nullopt for names KMS does not have.
struct KmsErrorCode {
  ErrorKind kind;
  int status;
};
std::optional<KmsErrorCode> FindKmsErrorCode(std::string_view code);

}  // namespace sealstack::api::kms
