#include "api/kms/kms_errors.h"

#include "api/common/error_table.h"
#include "api/common/json_input.h"

namespace sealstack::api::kms {

namespace {

// The one KMS error table. Status codes other than kInvalidArgument are the ones callers branch
// on generically (NotFound, FailedPrecondition, AccessDenied, Integrity, Unavailable).
constexpr ErrorRow<ErrorKind> kKmsErrorRows[] = {
    {ErrorKind::kNotFound, StatusCode::kNotFound, 400, "NotFoundException"},
    {ErrorKind::kDisabled, StatusCode::kFailedPrecondition, 400, "DisabledException"},
    {ErrorKind::kInvalidState, StatusCode::kFailedPrecondition, 400, "KMSInvalidStateException"},
    {ErrorKind::kAlreadyExists, StatusCode::kAlreadyExists, 400, "AlreadyExistsException"},
    {ErrorKind::kInvalidCiphertext, StatusCode::kIntegrity, 400, "InvalidCiphertextException"},
    {ErrorKind::kIncorrectKey, StatusCode::kInvalidArgument, 400, "IncorrectKeyException"},
    {ErrorKind::kInvalidKeyUsage, StatusCode::kInvalidArgument, 400, "InvalidKeyUsageException"},
    {ErrorKind::kInvalidAliasName, StatusCode::kInvalidArgument, 400, "InvalidAliasNameException"},
    {ErrorKind::kInvalidArn, StatusCode::kInvalidArgument, 400, "InvalidArnException"},
    {ErrorKind::kInvalidMarker, StatusCode::kInvalidArgument, 400, "InvalidMarkerException"},
    {ErrorKind::kInvalidGrantId, StatusCode::kInvalidArgument, 400, "InvalidGrantIdException"},
    {ErrorKind::kInvalidGrantToken, StatusCode::kInvalidArgument, 400,
     "InvalidGrantTokenException"},
    {ErrorKind::kInvalidImportToken, StatusCode::kInvalidArgument, 400,
     "InvalidImportTokenException"},
    {ErrorKind::kExpiredImportToken, StatusCode::kInvalidArgument, 400,
     "ExpiredImportTokenException"},
    {ErrorKind::kIncorrectKeyMaterial, StatusCode::kInvalidArgument, 400,
     "IncorrectKeyMaterialException"},
    {ErrorKind::kInvalidSignature, StatusCode::kIntegrity, 400, "KMSInvalidSignatureException"},
    {ErrorKind::kInvalidMac, StatusCode::kIntegrity, 400, "KMSInvalidMacException"},
    {ErrorKind::kLimitExceeded, StatusCode::kInvalidArgument, 400, "LimitExceededException"},
    {ErrorKind::kMalformedPolicy, StatusCode::kInvalidArgument, 400,
     "MalformedPolicyDocumentException"},
    {ErrorKind::kTag, StatusCode::kInvalidArgument, 400, "TagException"},
    {ErrorKind::kUnsupportedOperation, StatusCode::kInvalidArgument, 400,
     "UnsupportedOperationException"},
    {ErrorKind::kDryRun, StatusCode::kInvalidArgument, 400, "DryRunOperationException"},
    {ErrorKind::kAccessDenied, StatusCode::kAccessDenied, 400, "AccessDeniedException"},
    {ErrorKind::kValidation, StatusCode::kInvalidArgument, 400, "ValidationException"},
    {ErrorKind::kConflict, StatusCode::kInvalidArgument, 409, "ConflictException"},
    {ErrorKind::kNotAuthorized, StatusCode::kAccessDenied, 400, "NotAuthorizedException"},
    {ErrorKind::kInternal, StatusCode::kInternal, 500, "KMSInternalException"},
    {ErrorKind::kThrottling, StatusCode::kUnavailable, 400, "ThrottlingException"},
    {ErrorKind::kKeyUnavailable, StatusCode::kUnavailable, 500, "KeyUnavailableException"},
    {ErrorKind::kDependencyTimeout, StatusCode::kUnavailable, 503, "DependencyTimeoutException"},
};

}  // namespace

Status KmsError(ErrorKind kind, std::string message) {
  return StatusOfKind(kKmsErrorRows, kind, std::move(message));
}

std::optional<KmsErrorDescription> DescribeKmsError(const Status& status) {
  if (status.detail() == kDetailSerialization) {
    return KmsErrorDescription{"SerializationException", 400, status.message(), false};
  }
  if (status.detail() == kDetailValidation) {
    return KmsErrorDescription{"ValidationException", 400, status.message(), false};
  }
  const ErrorRow<ErrorKind>* row = FindRowForDetail(kKmsErrorRows, status.detail());
  if (row == nullptr) return std::nullopt;
  // Server faults say nothing about their cause to the client.
  if (row->http_status >= 500) {
    return KmsErrorDescription{row->code, row->http_status,
                               "KMS encountered an internal error. Try again.", true};
  }
  return KmsErrorDescription{row->code, row->http_status, status.message(), false};
}

std::optional<KmsErrorCode> FindKmsErrorCode(std::string_view code) {
  for (const auto& row : kKmsErrorRows) {
    if (code == row.code) return KmsErrorCode{row.kind, row.http_status};
  }
  return std::nullopt;
}

}  // namespace sealstack::api::kms
