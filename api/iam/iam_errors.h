// IAM domain errors: a Status whose detail() is an iam::ErrorKind, and the one table that says how
// AWS reports each kind (error code, HTTP status). The Query wire layer (iam_wire.cpp) renders
// them; STS (AssumeRole) reads the kinds to answer in its own words.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <string>

#include "api/common/error_table.h"
#include "common/status.h"

namespace sealstack::api::iam {

enum class ErrorKind {
  kNone = 0,
  kNoSuchEntity = 300,
  kEntityAlreadyExists,
  kMalformedPolicyDocument,
  kValidation,
  kInvalidInput,
  kLimitExceeded,
  kDeleteConflict,
  kAccessDenied,
  kUnmodifiableEntity,
};

// AWS's answer for each kind (IAM, Query protocol).
inline constexpr ErrorRow<ErrorKind> kIamErrors[] = {
    {ErrorKind::kNoSuchEntity, StatusCode::kNotFound, 404, "NoSuchEntity"},
    {ErrorKind::kEntityAlreadyExists, StatusCode::kAlreadyExists, 409, "EntityAlreadyExists"},
    {ErrorKind::kMalformedPolicyDocument, StatusCode::kInvalidArgument, 400,
     "MalformedPolicyDocument"},
    {ErrorKind::kValidation, StatusCode::kInvalidArgument, 400, "ValidationError"},
    {ErrorKind::kInvalidInput, StatusCode::kInvalidArgument, 400, "InvalidInput"},
    {ErrorKind::kLimitExceeded, StatusCode::kResourceExhausted, 409, "LimitExceeded"},
    {ErrorKind::kDeleteConflict, StatusCode::kFailedPrecondition, 409, "DeleteConflict"},
    {ErrorKind::kAccessDenied, StatusCode::kAccessDenied, 403, "AccessDenied"},
    // AWS's answer for a protected (service-linked) role; SealStack's for configured entities.
    {ErrorKind::kUnmodifiableEntity, StatusCode::kFailedPrecondition, 400, "UnmodifiableEntity"},
};

inline Status IamError(ErrorKind kind, std::string message) {
  return StatusOfKind(kIamErrors, kind, std::move(message));
}

}  // namespace sealstack::api::iam
