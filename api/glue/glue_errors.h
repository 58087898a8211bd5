// Glue domain errors: a Status whose detail() is a glue::ErrorKind. glue_wire.cpp holds the one
// table that turns each kind into Glue's __type (all 400 except InternalServiceException).
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

// The wire name of a kind ("EntityNotFoundException"); "" for kNone.
const char* ErrorKindName(ErrorKind kind);

}  // namespace sealstack::api::glue
