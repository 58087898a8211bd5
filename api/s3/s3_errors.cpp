#include "api/s3/s3_errors.h"

#include "api/common/error_table.h"
#include "api/kms/kms_errors.h"

namespace sealstack::api::s3 {

namespace {
constexpr char kField = '\x1f';
constexpr char kValue = '\x1e';

// The one S3 error table. Status codes other than kInvalidArgument are the ones callers branch on
// generically (NotFound, AlreadyExists, FailedPrecondition, AccessDenied, ...).
constexpr ErrorRow<ErrorKind> kTable[] = {
    {ErrorKind::kInvalidArgument, StatusCode::kInvalidArgument, 400, "InvalidArgument"},
    {ErrorKind::kInvalidRequest, StatusCode::kInvalidArgument, 400, "InvalidRequest"},
    {ErrorKind::kInvalidEncryptionAlgorithm, StatusCode::kInvalidArgument, 400,
     "InvalidEncryptionAlgorithmError"},
    {ErrorKind::kSseCustomerKeyMismatch, StatusCode::kAccessDenied, 403, "AccessDenied"},
    {ErrorKind::kSseCBlocked, StatusCode::kAccessDenied, 403, "AccessDenied"},
    {ErrorKind::kAccessDenied, StatusCode::kAccessDenied, 403, "AccessDenied"},
    {ErrorKind::kNoSuchBucket, StatusCode::kNotFound, 404, "NoSuchBucket"},
    {ErrorKind::kNoSuchKey, StatusCode::kNotFound, 404, "NoSuchKey"},
    {ErrorKind::kNoSuchUpload, StatusCode::kNotFound, 404, "NoSuchUpload"},
    {ErrorKind::kNoSuchBucketPolicy, StatusCode::kNotFound, 404, "NoSuchBucketPolicy"},
    {ErrorKind::kBucketAlreadyOwnedByYou, StatusCode::kAlreadyExists, 409,
     "BucketAlreadyOwnedByYou"},
    {ErrorKind::kBucketAlreadyExists, StatusCode::kAlreadyExists, 409, "BucketAlreadyExists"},
    {ErrorKind::kBucketNotEmpty, StatusCode::kFailedPrecondition, 409, "BucketNotEmpty"},
    {ErrorKind::kInvalidBucketName, StatusCode::kInvalidArgument, 400, "InvalidBucketName"},
    {ErrorKind::kInvalidLocationConstraint, StatusCode::kInvalidArgument, 400,
     "InvalidLocationConstraint"},
    {ErrorKind::kIllegalLocationConstraint, StatusCode::kInvalidArgument, 400,
     "IllegalLocationConstraintException"},
    {ErrorKind::kInvalidRange, StatusCode::kInvalidArgument, 416, "InvalidRange"},
    {ErrorKind::kPreconditionFailed, StatusCode::kFailedPrecondition, 412, "PreconditionFailed"},
    {ErrorKind::kNotModified, StatusCode::kFailedPrecondition, 304, "NotModified"},
    {ErrorKind::kMalformedXml, StatusCode::kInvalidArgument, 400, "MalformedXML"},
    {ErrorKind::kMalformedPolicy, StatusCode::kInvalidArgument, 400, "MalformedPolicy"},
    {ErrorKind::kInvalidPart, StatusCode::kInvalidArgument, 400, "InvalidPart"},
    {ErrorKind::kInvalidPartOrder, StatusCode::kInvalidArgument, 400, "InvalidPartOrder"},
    {ErrorKind::kEntityTooSmall, StatusCode::kInvalidArgument, 400, "EntityTooSmall"},
    {ErrorKind::kEntityTooLarge, StatusCode::kInvalidArgument, 400, "EntityTooLarge"},
    {ErrorKind::kBadDigest, StatusCode::kIntegrity, 400, "BadDigest"},
    {ErrorKind::kInvalidDigest, StatusCode::kInvalidArgument, 400, "InvalidDigest"},
    {ErrorKind::kKeyTooLong, StatusCode::kInvalidArgument, 400, "KeyTooLongError"},
    {ErrorKind::kMethodNotAllowed, StatusCode::kInvalidArgument, 405, "MethodNotAllowed"},
    {ErrorKind::kNotImplemented, StatusCode::kUnimplemented, 501, "NotImplemented"},
    {ErrorKind::kInvalidPartNumber, StatusCode::kInvalidArgument, 416, "InvalidPartNumber"},
    {ErrorKind::kMaxMessageLengthExceeded, StatusCode::kInvalidArgument, 400,
     "MaxMessageLengthExceeded"},
    {ErrorKind::kMissingContentLength, StatusCode::kInvalidArgument, 411, "MissingContentLength"},
    {ErrorKind::kSlowDown, StatusCode::kInvalidArgument, 503, "SlowDown"},
    {ErrorKind::kInternalError, StatusCode::kInvalidArgument, 500, "InternalError"},
    {ErrorKind::kInvalidUri, StatusCode::kInvalidArgument, 400, "InvalidURI"},
    {ErrorKind::kMetadataTooLarge, StatusCode::kInvalidArgument, 400, "MetadataTooLarge"},
    {ErrorKind::kUserKeyMustBeSpecified, StatusCode::kInvalidArgument, 400,
     "UserKeyMustBeSpecified"},
    {ErrorKind::kNoSuchCorsConfiguration, StatusCode::kNotFound, 404, "NoSuchCORSConfiguration"},
    {ErrorKind::kNoSuchLifecycleConfiguration, StatusCode::kNotFound, 404,
     "NoSuchLifecycleConfiguration"},
    {ErrorKind::kNoSuchTagSet, StatusCode::kNotFound, 404, "NoSuchTagSet"},
    {ErrorKind::kNoSuchWebsiteConfiguration, StatusCode::kNotFound, 404,
     "NoSuchWebsiteConfiguration"},
    {ErrorKind::kReplicationConfigurationNotFound, StatusCode::kNotFound, 404,
     "ReplicationConfigurationNotFoundError"},
    {ErrorKind::kObjectLockConfigurationNotFound, StatusCode::kNotFound, 404,
     "ObjectLockConfigurationNotFoundError"},
    {ErrorKind::kOwnershipControlsNotFound, StatusCode::kNotFound, 404,
     "OwnershipControlsNotFoundError"},
    {ErrorKind::kNoSuchPublicAccessBlockConfiguration, StatusCode::kNotFound, 404,
     "NoSuchPublicAccessBlockConfiguration"},
    {ErrorKind::kNoSuchConfiguration, StatusCode::kNotFound, 404, "NoSuchConfiguration"},
    {ErrorKind::kAccessControlListNotSupported, StatusCode::kInvalidArgument, 400,
     "AccessControlListNotSupported"},
    {ErrorKind::kInvalidBucketAclWithObjectOwnership, StatusCode::kInvalidArgument, 400,
     "InvalidBucketAclWithObjectOwnership"},
    {ErrorKind::kInvalidBucketAclWithBlockPublicAccess, StatusCode::kInvalidArgument, 400,
     "InvalidBucketAclWithBlockPublicAccessError"},
    {ErrorKind::kInvalidTag, StatusCode::kInvalidArgument, 400, "InvalidTag"},
    {ErrorKind::kInvalidBucketState, StatusCode::kFailedPrecondition, 409, "InvalidBucketState"},
    {ErrorKind::kInvalidTargetBucketForLogging, StatusCode::kInvalidArgument, 400,
     "InvalidTargetBucketForLogging"},
    {ErrorKind::kCorsForbidden, StatusCode::kAccessDenied, 403, "AccessForbidden"},
    {ErrorKind::kBadRequest, StatusCode::kInvalidArgument, 400, "BadRequest"},
    {ErrorKind::kNoSuchVersion, StatusCode::kNotFound, 404, "NoSuchVersion"},
    {ErrorKind::kNoSuchObjectLockConfiguration, StatusCode::kNotFound, 404,
     "NoSuchObjectLockConfiguration"},
    {ErrorKind::kMalformedPostRequest, StatusCode::kInvalidArgument, 400, "MalformedPOSTRequest"},
    {ErrorKind::kIncorrectNumberOfFilesInPostRequest, StatusCode::kInvalidArgument, 400,
     "IncorrectNumberOfFilesInPostRequest"},
    {ErrorKind::kMaxPostPreDataLengthExceeded, StatusCode::kInvalidArgument, 400,
     "MaxPostPreDataLengthExceededError"},
    {ErrorKind::kInvalidPolicyDocument, StatusCode::kInvalidArgument, 400, "InvalidPolicyDocument"},
};

// Marks a detail that is a response header (S3ErrorHeader); never in a header or element name.
constexpr std::string_view kHeaderMark = "header:";

}  // namespace

Status S3Error(ErrorKind kind, std::string message,
               const std::vector<std::pair<std::string, std::string>>& details) {
  for (const auto& [name, value] : details) {
    message += kField;
    message += name;
    message += kValue;
    message += value;
  }
  return StatusOfKind(kTable, kind, std::move(message));
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

std::string S3ErrorHeader(std::string_view header_name) {
  return std::string(kHeaderMark) + std::string(header_name);
}

std::optional<std::string_view> IsS3ErrorHeader(std::string_view detail_name) {
  if (detail_name.substr(0, kHeaderMark.size()) != kHeaderMark) return std::nullopt;
  return detail_name.substr(kHeaderMark.size());
}

std::optional<S3ErrorDescription> DescribeS3Error(const Status& status) {
  if (const ErrorRow<ErrorKind>* row = FindRowForDetail(kTable, status.detail())) {
    auto [message, details] = SplitS3Error(status.message());
    return S3ErrorDescription{row->http_status, row->code, std::move(message), std::move(details),
                              row->http_status >= 500};
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
