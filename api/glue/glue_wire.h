// The Glue wire edge (awsJson1_1, X-Amz-Target AWSGlue.<Op>): parse the body, call
// glue::Service, and render errors as Glue does: {"__type": "...Exception", "Message": "..."}
// with HTTP 400 (500 for InternalServiceException).
#pragma once

#include <string_view>

#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/glue/glue_errors.h"
#include "api/glue/glue_service.h"

namespace sealstack::api::glue {

ApiResponse HandleGlueRequest(Service& service, const Caller& caller, std::string_view operation,
                              std::string_view body, const RequestIds& ids);

// The Glue error table: a Status from the service as Glue reports it.
WireError GlueStatusToWire(const Status& status);

// The wire name of a kind ("EntityNotFoundException"), from the same table; "" for kNone.
const char* ErrorKindName(ErrorKind kind);

// A Glue error response (capital-M "Message", as Glue's shapes spell it).
ApiResponse RenderGlueError(const WireError& error, const RequestIds& ids);

}  // namespace sealstack::api::glue
