#include "api/logs/logs_errors.h"

#include <iterator>

namespace sealstack::api::logs {

namespace {

// The one CloudWatch Logs error table (all 400 but ServiceUnavailableException). The first row
// under each generic code (NotFound, AlreadyExists, InvalidArgument, AccessDenied, Unavailable)
// is also the kind LogsKindOf reads a Status of that code from another layer as.
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
  return KindOfStatus(kLogsErrorTable, ErrorKind::kInternal, status);
}

}  // namespace sealstack::api::logs
