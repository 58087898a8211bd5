#include "api/glue/glue_errors.h"

#include <iterator>

namespace sealstack::api::glue {

namespace {

// The one Glue error table: every ErrorKind, the StatusCode GlueError files it under, its
// __type and HTTP status. The first row under each generic code (NotFound, AlreadyExists,
// InvalidArgument, AccessDenied, Unavailable) is also the kind KindOf reads a Status of that code
// from another layer as.
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

}  // namespace

Status GlueError(ErrorKind kind, std::string message) {
  return StatusOfKind(kGlueErrorTable, kind, std::move(message));
}

const ErrorRow<ErrorKind>& GlueErrorRow(ErrorKind kind) {
  return RowFor(kGlueErrorTable, kind, kGlueErrorTable[std::size(kGlueErrorTable) - 1]);
}

ErrorKind KindOf(const Status& status) {
  return KindOfStatus(kGlueErrorTable, ErrorKind::kInternal, status);
}

}  // namespace sealstack::api::glue
