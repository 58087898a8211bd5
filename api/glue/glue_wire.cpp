#include "api/glue/glue_wire.h"

#include "api/common/error_table.h"
#include "api/glue/glue_audit.h"
#include "api/glue/glue_errors.h"
#include "api/glue/glue_wire_readers.h"

namespace sealstack::api::glue {

const char* ErrorKindName(ErrorKind kind) {
  return kind == ErrorKind::kNone ? "" : GlueErrorRow(kind).code;
}

WireError GlueStatusToWire(const Status& status) {
  const ErrorRow<ErrorKind>& row = GlueErrorRow(KindOf(status));
  std::string message = status.message();
  if (row.http_status >= 500) message = "An internal error occurred.";
  if (row.kind == ErrorKind::kThrottling) message = "Rate exceeded";
  return {row.http_status, row.code, std::move(message), {}, row.http_status >= 500};
}

ApiResponse RenderGlueError(const WireError& e, const RequestIds& ids) {
  return RenderJsonError(e, ids, "Message");
}

bool IsKnownGlueOperation(std::string_view operation) {
  return FindInputReader(operation) != nullptr;
}

Result<std::string> CallGlue(Service& service, const Caller& caller, std::string_view operation,
                             const JsonInput& body) {
  const std::string op(operation);
  JsonInput request = body.WithOwnErrors();
  Result<Input> input = FindInputReader(op)(request);
  return service.Call(caller, op, input, GlueRequestParameters(request.raw()));
}

ApiResponse HandleGlueRequest(Service& service, const Caller& caller, std::string_view operation,
                              std::string_view body, const RequestIds& ids) {
  if (!IsKnownGlueOperation(operation)) {
    return RenderGlueError({.http_status = 400,
                            .code = "UnknownOperationException",
                            .message = "The operation AWSGlue." + std::string(operation) +
                                       " is not known to this server."},
                           ids);
  }
  auto request = JsonInput::Parse(body, GlueInputStyle());
  if (!request.ok()) {
    return RenderGlueError(
        {.http_status = 400,
         .code = "SerializationException",
         .message = "Start of structure or map found where not expected, or the body is "
                    "not a JSON object."},
        ids);
  }
  Caller audited = caller;
  audited.request_id = ids.request_id;
  auto result = CallGlue(service, audited, operation, *request);
  if (!result.ok()) return RenderGlueError(GlueStatusToWire(result.status()), ids);
  return JsonResponse(std::move(*result), ids);
}

}  // namespace sealstack::api::glue
