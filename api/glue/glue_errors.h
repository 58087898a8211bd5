// Glue domain errors: a Status whose detail() is a glue::ErrorKind. glue_errors.cpp holds the one
// table that files each kind under a StatusCode and names Glue's __type for it (all 400 except
// InternalServiceException); glue_wire.cpp renders it.
// Code outside the wire layer decides on kinds (KindOf), never on AWS error-code strings.
#pragma once

#include <string>

#include "api/common/error_table.h"
#include "common/status.h"

namespace sealstack::api::glue {

enum class ErrorKind {
  kNone = 0,
  kEntityNotFound = 200,
  kAlreadyExists,
  kInvalidInput,
  kConcurrentRunsExceeded,
  kAccessDenied,
  kGlueEncryption,
  kResourceNumberLimitExceeded,
  kConcurrentModification,
  kCrawlerRunning,
  kCrawlerNotRunning,
  kCrawlerStopping,
  kThrottling,  // only from a Status without a Glue kind (StatusCode::kUnavailable)
  kInternal,
};

// A Status of `kind`, filed under the generic StatusCode the kind's table row names.
Status GlueError(ErrorKind kind, std::string message);

// The kind's row of the one Glue error table (glue_errors.cpp): its StatusCode, HTTP status
// and __type; kInternal's row for a kind the table does not list (kNone).
const ErrorRow<ErrorKind>& GlueErrorRow(ErrorKind kind);

inline Status NotFound(std::string m) {
  return GlueError(ErrorKind::kEntityNotFound, std::move(m));
}
inline Status InvalidInput(std::string m) {
  return GlueError(ErrorKind::kInvalidInput, std::move(m));
}

// The kind of a failed Status: its Glue kind, else the kind its StatusCode stands for (a
// Status from storage or another layer), kInternal when none fits. REQUIRES: !status.ok().
ErrorKind KindOf(const Status& status);

}  // namespace sealstack::api::glue
