// The Glue wire edge (awsJson1_1, X-Amz-Target AWSGlue.<Op>): parse the body, read it into the
// operation's typed input (glue_wire_readers.h), call glue::Service, and render errors as Glue
// does: {"__type": "...Exception", "Message": "..."} with HTTP 400 (500 for
// InternalServiceException).
#pragma once

#include <string_view>

#include "api/common/errors.h"
#include "api/common/json_input.h"
#include "api/common/wire.h"
#include "api/glue/glue_errors.h"
#include "api/glue/glue_service.h"

namespace sealstack::api::glue {

ApiResponse HandleGlueRequest(Service& service, const Caller& caller, std::string_view operation,
                              std::string_view body, const RequestIds& ids);

// True when `operation` ("CreateJob") is a Glue operation this server answers.
bool IsKnownGlueOperation(std::string_view operation);

// The request body read (glue_wire_readers.h) and the operation called: the response body, or the
// Status HandleGlueRequest renders. REQUIRES: IsKnownGlueOperation(operation); `body` is a JSON
// object (or empty). Unit tests call the service through it.
Result<std::string> CallGlue(Service& service, const Caller& caller, std::string_view operation,
                             const JsonInput& body);

// The Glue error table: a Status from the service as Glue reports it.
WireError GlueStatusToWire(const Status& status);

// The wire name of a kind ("EntityNotFoundException"), from the same table; "" for kNone.
const char* ErrorKindName(ErrorKind kind);

// A Glue error response (capital-M "Message", as Glue's shapes spell it).
ApiResponse RenderGlueError(const WireError& error, const RequestIds& ids);

}  // namespace sealstack::api::glue
