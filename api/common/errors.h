// The edge where domain errors become AWS errors: auth failures and generic Status kinds are
// mapped to each protocol's code and HTTP status, and a WireError is rendered in the protocol's
// body format. Services add their own tables (e.g. KMS NotFound -> NotFoundException) on top.
#pragma once

#include <string>
#include <string_view>

#include "api/common/wire.h"
#include "auth/auth_error.h"
#include "common/status.h"

namespace sealstack::api {

// How AWS reports this authentication failure in the given protocol.
WireError AuthErrorToWire(const auth::AuthError& error, Protocol protocol);

// A generic mapping for Status kinds no service table claimed; unknown kinds become the
// protocol's internal error (500) with a generic message, never the internal detail.
WireError StatusToWire(const Status& status, Protocol protocol);

// The 500 every protocol uses for bugs and unexpected exceptions.
WireError InternalWireError(Protocol protocol);

struct RequestIds {
  std::string request_id;
  std::string host_id;  // S3 only
};

// Renders the error body and headers:
// - kJson: {"__type": code, "message": ...} ("message" left out when empty, as AWS leaves it
//   out), x-amzn-ErrorType, x-amzn-RequestId.
// - kQuery: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
// - kS3: <Error><Code/><Message/>[details]<Resource/><RequestId/><HostId/></Error>; no body when
//   `head_request` (HEAD responses carry none).
// - kAdmin: {"error": code, "message": ...}.
ApiResponse RenderError(Protocol protocol, const WireError& error, const RequestIds& ids,
                        std::string_view resource = {}, bool head_request = false);

// Adds the request id headers of the protocol to a (success or error) response.
void AddRequestIdHeaders(Protocol protocol, const RequestIds& ids, ApiResponse* response);

// An awsJson1_1 error as Glue and CloudWatch Logs write it: {"__type": code, <message_member>:
// message}, the message always present and named as the service names it ("Message" for Glue,
// "message" for Logs), with x-amzn-ErrorType and the request id headers.
ApiResponse RenderJsonError(const WireError& error, const RequestIds& ids,
                            std::string_view message_member);

// A 200 awsJson1_1 response carrying `body`, with the request id headers: every JSON service's
// success.
ApiResponse JsonResponse(std::string body, const RequestIds& ids);

}  // namespace sealstack::api
