#include "api/logs/logs_errors.h"

#include <iterator>

namespace sealstack::api::logs {

namespace {

// The one CloudWatch Logs error table (all 400 but ServiceUnavailableException).
constexpr ErrorRow<ErrorKind> kLogsErrorTable[] = {
    {ErrorKind::kResourceNotFound, StatusCode::kNotFound, 400, "ResourceNotFoundException"},
    {ErrorKind::kResourceAlreadyExists, StatusCode::kAlreadyExists, 400,
     "ResourceAlreadyExistsException"},
    {ErrorKind::kInvalidParameter, StatusCode::kInvalidArgument, 400, "InvalidParameterException"},
    {ErrorKind::kAccessDenied, StatusCode::kAccessDenied, 400, "AccessDeniedException"},
    {ErrorKind::kLimitExceeded, StatusCode::kResourceExhausted, 400, "LimitExceededException"},
    {ErrorKind::kServiceUnavailable, StatusCode::kUnavailable, 500, "ServiceUnavailableException"},
    {ErrorKind::kInternal, StatusCode::kInternal, 500, "ServiceUnavailableException"},
};

}  // namespace

Status LogsError(ErrorKind kind, std::string message) {
  return StatusOfKind(kLogsErrorTable, kind, std::move(message));
}

const ErrorRow<ErrorKind>& LogsErrorRow(ErrorKind kind) {
  return RowFor(kLogsErrorTable, kind, kLogsErrorTable[std::size(kLogsErrorTable) - 1]);
}

ErrorKind LogsKindOf(const Status& status) {
  if (FindRowForDetail(kLogsErrorTable, status.detail()) != nullptr) {
    return static_cast<ErrorKind>(status.detail());
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ErrorKind::kResourceNotFound;
    case StatusCode::kAlreadyExists:
      return ErrorKind::kResourceAlreadyExists;
    case StatusCode::kInvalidArgument:
      return ErrorKind::kInvalidParameter;
    case StatusCode::kAccessDenied:
      return ErrorKind::kAccessDenied;
    case StatusCode::kUnavailable:
      return ErrorKind::kServiceUnavailable;
    default:
      return ErrorKind::kInternal;
  }
}

}  // namespace sealstack::api::logs
