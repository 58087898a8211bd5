// CloudWatch Logs domain errors: a Status whose detail() is a logs::ErrorKind; logs_errors.cpp
// holds the one table (StatusCode, HTTP status, __type); logs_wire.cpp renders it.
#pragma once

#include <string>

#include "api/common/error_table.h"
#include "common/status.h"

namespace sealstack::api::logs {

enum class ErrorKind {
  kNone = 0,
  kResourceNotFound = 300,
  kResourceAlreadyExists,
  kInvalidParameter,
  kAccessDenied,
  kLimitExceeded,
  kServiceUnavailable,  // a Status without a Logs kind filed under kUnavailable
  kInternal,
};

Status LogsError(ErrorKind kind, std::string message);
const ErrorRow<ErrorKind>& LogsErrorRow(ErrorKind kind);

// The kind of a failed Status: its Logs kind, else the kind its StatusCode stands for.
ErrorKind LogsKindOf(const Status& status);

}  // namespace sealstack::api::logs
