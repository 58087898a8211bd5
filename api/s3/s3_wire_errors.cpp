#include "api/s3/s3_wire_errors.h"

#include "api/common/errors.h"
#include "api/common/xml_reader.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_wire.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml.h"

namespace sealstack::api::s3 {

namespace {

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
};

}  // namespace

WireError S3StatusToWire(const Status& status) {
  if (status.detail() == kDetailMalformedXml) {
    // The reader's detail (what was wrong where) is for the log; S3 says one thing.
    return {400, "MalformedXML", std::string(kMalformedXmlMessage), {}, false};
  }
  for (const auto& row : kTable) {
    if (status.detail() == static_cast<int>(row.kind)) {
      auto [message, details] = SplitS3Error(status.message());
      return {row.status, row.code, message, details, row.status >= 500};
    }
  }
  // A KMS call S3 made for the caller.
  if (status.detail() >= static_cast<int>(kms::ErrorKind::kNotFound) &&
      status.detail() <= static_cast<int>(kms::ErrorKind::kDependencyTimeout)) {
    if (status.detail() == static_cast<int>(kms::ErrorKind::kAccessDenied)) {
      return {403, "AccessDenied", status.message(), {}, false};
    }
    if (status.detail() == static_cast<int>(kms::ErrorKind::kThrottling)) {
      // S3 answers KMS throttling with its own throttling error, which SDKs retry.
      return {503, "SlowDown", "Please reduce your request rate.", {}, true};
    }
    WireError kms_error = kms::KmsStatusToWire(status);
    std::string code = "KMS.";
    code += kms_error.code;
    const bool server_fault = kms_error.http_status >= 500;
    // KMS sends some exceptions without a message (InvalidCiphertextException); S3's error
    // always says something.
    std::string message = status.message();
    if (message.empty()) {
      message = "The KMS request S3 made on your behalf failed: ";
      message += kms_error.code;
    }
    return {server_fault ? 500 : 400, code, std::move(message), {}, server_fault};
  }
  return StatusToWire(status, Protocol::kS3);
}

S3ErrorText S3ErrorCodeAndMessage(const Status& status) {
  WireError w = S3StatusToWire(status);
  return {std::move(w.code), std::move(w.message)};
}

}  // namespace sealstack::api::s3
