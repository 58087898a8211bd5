#include "api/s3/s3_errors.h"

namespace sealstack::api::s3 {

namespace {
constexpr char kField = '\x1f';
constexpr char kValue = '\x1e';
}  // namespace

Status S3Error(ErrorKind kind, std::string message,
               std::vector<std::pair<std::string, std::string>> details) {
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
      code = StatusCode::kAccessDenied;
      break;
    case ErrorKind::kNoSuchBucket:
    case ErrorKind::kNoSuchKey:
    case ErrorKind::kNoSuchUpload:
    case ErrorKind::kNoSuchBucketPolicy:
      code = StatusCode::kNotFound;
      break;
    case ErrorKind::kBucketAlreadyOwnedByYou:
    case ErrorKind::kBucketAlreadyExists:
      code = StatusCode::kAlreadyExists;
      break;
    case ErrorKind::kBucketNotEmpty:
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

}  // namespace sealstack::api::s3
