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

// The Logs kind a Status without one stands for.
constexpr KindOfCode<ErrorKind> kLogsKindOfCode[] = {
    {StatusCode::kNotFound, ErrorKind::kResourceNotFound},
    {StatusCode::kAlreadyExists, ErrorKind::kResourceAlreadyExists},
    {StatusCode::kInvalidArgument, ErrorKind::kInvalidParameter},
    {StatusCode::kAccessDenied, ErrorKind::kAccessDenied},
    {StatusCode::kUnavailable, ErrorKind::kServiceUnavailable},
};

}  // namespace

Status LogsError(ErrorKind kind, std::string message) {
  return StatusOfKind(kLogsErrorTable, kind, std::move(message));
}

const ErrorRow<ErrorKind>& LogsErrorRow(ErrorKind kind) {
  return RowFor(kLogsErrorTable, kind, kLogsErrorTable[std::size(kLogsErrorTable) - 1]);
}

ErrorKind LogsKindOf(const Status& status) {
  return KindOfStatus(kLogsErrorTable, kLogsKindOfCode, ErrorKind::kInternal, status);
}

}  // namespace sealstack::api::logs
