#include "api/s3/s3_errors.h"

#include "api/common/error_table.h"
#include "api/kms/kms_errors.h"

namespace sealstack::api::s3 {

namespace {
constexpr char kField = '\x1f';
constexpr char kValue = '\x1e';

struct Row {
  ErrorKind kind;
  int status;
  const char* code;
};

constexpr Row kTable[] = {
    {ErrorKind::kInvalidArgument, 400, "InvalidArgument"},
    {ErrorKind::kInvalidRequest, 400, "InvalidRequest"},
    {ErrorKind::kInvalidEncryptionAlgorithm, 400, "InvalidEncryptionAlgorithmError"},
    {ErrorKind::kSseCustomerKeyMismatch, 403, "AccessDenied"},
    {ErrorKind::kSseCBlocked, 403, "AccessDenied"},
    {ErrorKind::kAccessDenied, 403, "AccessDenied"},
    {ErrorKind::kNoSuchBucket, 404, "NoSuchBucket"},
    {ErrorKind::kNoSuchKey, 404, "NoSuchKey"},
    {ErrorKind::kNoSuchUpload, 404, "NoSuchUpload"},
    {ErrorKind::kNoSuchBucketPolicy, 404, "NoSuchBucketPolicy"},
    {ErrorKind::kBucketAlreadyOwnedByYou, 409, "BucketAlreadyOwnedByYou"},
    {ErrorKind::kBucketAlreadyExists, 409, "BucketAlreadyExists"},
    {ErrorKind::kBucketNotEmpty, 409, "BucketNotEmpty"},
    {ErrorKind::kInvalidBucketName, 400, "InvalidBucketName"},
    {ErrorKind::kInvalidLocationConstraint, 400, "InvalidLocationConstraint"},
    {ErrorKind::kIllegalLocationConstraint, 400, "IllegalLocationConstraintException"},
    {ErrorKind::kInvalidRange, 416, "InvalidRange"},
    {ErrorKind::kPreconditionFailed, 412, "PreconditionFailed"},
    {ErrorKind::kNotModified, 304, "NotModified"},
    {ErrorKind::kMalformedXml, 400, "MalformedXML"},
    {ErrorKind::kMalformedPolicy, 400, "MalformedPolicy"},
    {ErrorKind::kInvalidPart, 400, "InvalidPart"},
    {ErrorKind::kInvalidPartOrder, 400, "InvalidPartOrder"},
    {ErrorKind::kEntityTooSmall, 400, "EntityTooSmall"},
    {ErrorKind::kEntityTooLarge, 400, "EntityTooLarge"},
    {ErrorKind::kBadDigest, 400, "BadDigest"},
    {ErrorKind::kInvalidDigest, 400, "InvalidDigest"},
    {ErrorKind::kKeyTooLong, 400, "KeyTooLongError"},
    {ErrorKind::kMethodNotAllowed, 405, "MethodNotAllowed"},
    {ErrorKind::kNotImplemented, 501, "NotImplemented"},
    {ErrorKind::kInvalidPartNumber, 416, "InvalidPartNumber"},
    {ErrorKind::kMaxMessageLengthExceeded, 400, "MaxMessageLengthExceeded"},
    {ErrorKind::kMissingContentLength, 411, "MissingContentLength"},
    {ErrorKind::kSlowDown, 503, "SlowDown"},
    {ErrorKind::kInternalError, 500, "InternalError"},
    {ErrorKind::kInvalidUri, 400, "InvalidURI"},
    {ErrorKind::kMetadataTooLarge, 400, "MetadataTooLarge"},
    {ErrorKind::kUserKeyMustBeSpecified, 400, "UserKeyMustBeSpecified"},
    {ErrorKind::kNoSuchCorsConfiguration, 404, "NoSuchCORSConfiguration"},
    {ErrorKind::kNoSuchLifecycleConfiguration, 404, "NoSuchLifecycleConfiguration"},
    {ErrorKind::kNoSuchTagSet, 404, "NoSuchTagSet"},
    {ErrorKind::kNoSuchWebsiteConfiguration, 404, "NoSuchWebsiteConfiguration"},
    {ErrorKind::kReplicationConfigurationNotFound, 404, "ReplicationConfigurationNotFoundError"},
    {ErrorKind::kObjectLockConfigurationNotFound, 404, "ObjectLockConfigurationNotFoundError"},
    {ErrorKind::kOwnershipControlsNotFound, 404, "OwnershipControlsNotFoundError"},
    {ErrorKind::kNoSuchPublicAccessBlockConfiguration, 404, "NoSuchPublicAccessBlockConfiguration"},
    {ErrorKind::kNoSuchConfiguration, 404, "NoSuchConfiguration"},
    {ErrorKind::kAccessControlListNotSupported, 400, "AccessControlListNotSupported"},
    {ErrorKind::kInvalidBucketAclWithObjectOwnership, 400, "InvalidBucketAclWithObjectOwnership"},
    {ErrorKind::kInvalidBucketAclWithBlockPublicAccess, 400,
     "InvalidBucketAclWithBlockPublicAccessError"},
    {ErrorKind::kInvalidTag, 400, "InvalidTag"},
    {ErrorKind::kInvalidBucketState, 409, "InvalidBucketState"},
    {ErrorKind::kInvalidTargetBucketForLogging, 400, "InvalidTargetBucketForLogging"},
    {ErrorKind::kCorsForbidden, 403, "AccessForbidden"},
    {ErrorKind::kBadRequest, 400, "BadRequest"},
};

}  // namespace

Status S3Error(ErrorKind kind, std::string message,
               const std::vector<std::pair<std::string, std::string>>& details) {
  for (const auto& [name, value] : details) {
    message += kField;
    message += name;
    message += kValue;
    message += value;
  }
  StatusCode code = StatusCode::kInvalidArgument;
  switch (kind) {
    case ErrorKind::kSseCustomerKeyMismatch:
    case ErrorKind::kSseCBlocked:
    case ErrorKind::kAccessDenied:
    case ErrorKind::kCorsForbidden:
      code = StatusCode::kAccessDenied;
      break;
    case ErrorKind::kNoSuchBucket:
    case ErrorKind::kNoSuchKey:
    case ErrorKind::kNoSuchUpload:
    case ErrorKind::kNoSuchBucketPolicy:
    case ErrorKind::kNoSuchCorsConfiguration:
    case ErrorKind::kNoSuchLifecycleConfiguration:
    case ErrorKind::kNoSuchTagSet:
    case ErrorKind::kNoSuchWebsiteConfiguration:
    case ErrorKind::kReplicationConfigurationNotFound:
    case ErrorKind::kObjectLockConfigurationNotFound:
    case ErrorKind::kOwnershipControlsNotFound:
    case ErrorKind::kNoSuchPublicAccessBlockConfiguration:
    case ErrorKind::kNoSuchConfiguration:
      code = StatusCode::kNotFound;
      break;
    case ErrorKind::kBucketAlreadyOwnedByYou:
    case ErrorKind::kBucketAlreadyExists:
      code = StatusCode::kAlreadyExists;
      break;
    case ErrorKind::kBucketNotEmpty:
    case ErrorKind::kInvalidBucketState:
    case ErrorKind::kPreconditionFailed:
    case ErrorKind::kNotModified:
      code = StatusCode::kFailedPrecondition;
      break;
    case ErrorKind::kBadDigest:
      code = StatusCode::kIntegrity;
      break;
    case ErrorKind::kNotImplemented:
      code = StatusCode::kUnimplemented;
      break;
    default:
      break;
  }
  return Status(code, static_cast<int>(kind), std::move(message));
}

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> SplitS3Error(
    const std::string& message) {
  std::vector<std::pair<std::string, std::string>> details;
  size_t pos = message.find(kField);
  std::string text = message.substr(0, pos);
  while (pos != std::string::npos) {
    size_t next = message.find(kField, pos + 1);
    std::string field =
        message.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    size_t v = field.find(kValue);
    details.emplace_back(field.substr(0, v), v == std::string::npos ? "" : field.substr(v + 1));
    pos = next;
  }
  return {text, details};
}

std::optional<S3ErrorDescription> DescribeS3Error(const Status& status) {
  if (const Row* row = FindRowForDetail(kTable, status.detail())) {
    auto [message, details] = SplitS3Error(status.message());
    return S3ErrorDescription{row->status, row->code, std::move(message), std::move(details),
                              row->status >= 500};
  }
  // A KMS call S3 made for the caller.
  if (status.detail() < static_cast<int>(kms::ErrorKind::kNotFound) ||
      status.detail() > static_cast<int>(kms::ErrorKind::kDependencyTimeout)) {
    return std::nullopt;
  }
  if (status.detail() == static_cast<int>(kms::ErrorKind::kAccessDenied)) {
    return S3ErrorDescription{
        .http_status = 403, .code = "AccessDenied", .message = status.message()};
  }
  if (status.detail() == static_cast<int>(kms::ErrorKind::kThrottling)) {
    // S3 answers KMS throttling with its own throttling error, which SDKs retry.
    return S3ErrorDescription{.http_status = 503,
                              .code = "SlowDown",
                              .message = "Please reduce your request rate.",
                              .server_fault = true};
  }
  auto kms_error = kms::DescribeKmsError(status);
  if (!kms_error) return std::nullopt;
  std::string code = "KMS.";
  code += kms_error->code;
  const bool server_fault = kms_error->server_fault;
  // KMS sends some exceptions without a message (InvalidCiphertextException); S3's error
  // always says something.
  std::string message = status.message();
  if (message.empty()) {
    message = "The KMS request S3 made on your behalf failed: ";
    message += kms_error->code;
  }
  return S3ErrorDescription{
      server_fault ? 500 : 400, std::move(code), std::move(message), {}, server_fault};
}

S3ErrorText S3ErrorCodeAndMessage(const Status& status) {
  if (auto d = DescribeS3Error(status)) return {std::move(d->code), std::move(d->message)};
  switch (status.code()) {
    case StatusCode::kAccessDenied:
      return {"AccessDenied", status.message()};
    case StatusCode::kInvalidArgument:
      return {"InvalidArgument", status.message()};
    case StatusCode::kUnavailable:
      return {"SlowDown", "Please reduce your request rate."};
    default:
      return {"InternalError", "We encountered an internal error. Please try again."};
  }
}

}  // namespace sealstack::api::s3
