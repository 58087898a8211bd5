// Glue domain errors: a Status whose detail() is a glue::ErrorKind. glue_wire.cpp holds the one
// table that turns each kind into Glue's __type (all 400 except InternalServiceException).
// Code outside the wire layer decides on kinds (KindOf), never on AWS error-code strings.
#pragma once

#include <string>

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
  kThrottling,  // only from a Status without a Glue kind (StatusCode::kUnavailable)
  kInternal,
};

inline Status GlueError(ErrorKind kind, std::string message) {
  StatusCode code = StatusCode::kInvalidArgument;
  switch (kind) {
    case ErrorKind::kEntityNotFound:
      code = StatusCode::kNotFound;
      break;
    case ErrorKind::kAlreadyExists:
      code = StatusCode::kAlreadyExists;
      break;
    case ErrorKind::kAccessDenied:
      code = StatusCode::kAccessDenied;
      break;
    case ErrorKind::kConcurrentRunsExceeded:
    case ErrorKind::kResourceNumberLimitExceeded:
      code = StatusCode::kResourceExhausted;
      break;
    case ErrorKind::kConcurrentModification:
      code = StatusCode::kFailedPrecondition;
      break;
    case ErrorKind::kGlueEncryption:
      code = StatusCode::kFailedPrecondition;
      break;
    case ErrorKind::kThrottling:
      code = StatusCode::kUnavailable;
      break;
    case ErrorKind::kInternal:
      code = StatusCode::kInternal;
      break;
    default:
      break;
  }
  return Status(code, static_cast<int>(kind), std::move(message));
}

inline Status NotFound(std::string m) {
  return GlueError(ErrorKind::kEntityNotFound, std::move(m));
}
inline Status InvalidInput(std::string m) {
  return GlueError(ErrorKind::kInvalidInput, std::move(m));
}

// The kind of a failed Status: its Glue kind, else the kind its StatusCode stands for (a
// Status from storage or another layer), kInternal when none fits. REQUIRES: !status.ok().
inline ErrorKind KindOf(const Status& status) {
  if (status.detail() >= static_cast<int>(ErrorKind::kEntityNotFound) &&
      status.detail() <= static_cast<int>(ErrorKind::kInternal)) {
    return static_cast<ErrorKind>(status.detail());
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ErrorKind::kEntityNotFound;
    case StatusCode::kAlreadyExists:
      return ErrorKind::kAlreadyExists;
    case StatusCode::kInvalidArgument:
      return ErrorKind::kInvalidInput;
    case StatusCode::kAccessDenied:
      return ErrorKind::kAccessDenied;
    case StatusCode::kUnavailable:
      return ErrorKind::kThrottling;
    default:
      return ErrorKind::kInternal;
  }
}

}  // namespace sealstack::api::glue
