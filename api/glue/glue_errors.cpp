#include "api/glue/glue_errors.h"

#include <iterator>

namespace sealstack::api::glue {

namespace {

// The one Glue error table: every ErrorKind, the StatusCode GlueError files it under, its
// __type and HTTP status.
constexpr ErrorRow<ErrorKind> kGlueErrorTable[] = {
    {ErrorKind::kEntityNotFound, StatusCode::kNotFound, 400, "EntityNotFoundException"},
    {ErrorKind::kAlreadyExists, StatusCode::kAlreadyExists, 400, "AlreadyExistsException"},
    {ErrorKind::kInvalidInput, StatusCode::kInvalidArgument, 400, "InvalidInputException"},
    {ErrorKind::kConcurrentRunsExceeded, StatusCode::kResourceExhausted, 400,
     "ConcurrentRunsExceededException"},
    {ErrorKind::kAccessDenied, StatusCode::kAccessDenied, 400, "AccessDeniedException"},
    {ErrorKind::kGlueEncryption, StatusCode::kFailedPrecondition, 400, "GlueEncryptionException"},
    {ErrorKind::kResourceNumberLimitExceeded, StatusCode::kResourceExhausted, 400,
     "ResourceNumberLimitExceededException"},
    {ErrorKind::kConcurrentModification, StatusCode::kFailedPrecondition, 400,
     "ConcurrentModificationException"},
    {ErrorKind::kCrawlerRunning, StatusCode::kFailedPrecondition, 400, "CrawlerRunningException"},
    {ErrorKind::kCrawlerNotRunning, StatusCode::kFailedPrecondition, 400,
     "CrawlerNotRunningException"},
    {ErrorKind::kCrawlerStopping, StatusCode::kFailedPrecondition, 400, "CrawlerStoppingException"},
    {ErrorKind::kThrottling, StatusCode::kUnavailable, 400, "ThrottlingException"},
    {ErrorKind::kInternal, StatusCode::kInternal, 500, "InternalServiceException"},
};

// The Glue kind a Status without one stands for.
constexpr KindOfCode<ErrorKind> kGlueKindOfCode[] = {
    {StatusCode::kNotFound, ErrorKind::kEntityNotFound},
    {StatusCode::kAlreadyExists, ErrorKind::kAlreadyExists},
    {StatusCode::kInvalidArgument, ErrorKind::kInvalidInput},
    {StatusCode::kAccessDenied, ErrorKind::kAccessDenied},
    {StatusCode::kUnavailable, ErrorKind::kThrottling},
};

}  // namespace

Status GlueError(ErrorKind kind, std::string message) {
  return StatusOfKind(kGlueErrorTable, kind, std::move(message));
}

const ErrorRow<ErrorKind>& GlueErrorRow(ErrorKind kind) {
  return RowFor(kGlueErrorTable, kind, kGlueErrorTable[std::size(kGlueErrorTable) - 1]);
}

ErrorKind KindOf(const Status& status) {
  return KindOfStatus(kGlueErrorTable, kGlueKindOfCode, ErrorKind::kInternal, status);
}

}  // namespace sealstack::api::glue
