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
  StatusCode code = kind == ErrorKind::kSseCustomerKeyMismatch || kind == ErrorKind::kSseCBlocked
                        ? StatusCode::kAccessDenied
                        : StatusCode::kInvalidArgument;
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
