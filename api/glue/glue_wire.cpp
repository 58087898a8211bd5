#include "api/glue/glue_wire.h"

#include <rapidjson/document.h>

#include "api/glue/glue_errors.h"
#include "api/glue/glue_json.h"

namespace sealstack::api::glue {

WireError GlueStatusToWire(const Status& status) {
  const auto kind = static_cast<ErrorKind>(status.detail());
  if (status.detail() >= static_cast<int>(ErrorKind::kEntityNotFound) &&
      status.detail() <= static_cast<int>(ErrorKind::kInternal)) {
    const bool internal = kind == ErrorKind::kInternal;
    return {internal ? 500 : 400,
            ErrorKindName(kind),
            internal ? "An internal error occurred." : status.message(),
            {},
            internal};
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      return {400, "EntityNotFoundException", status.message(), {}, false};
    case StatusCode::kAlreadyExists:
      return {400, "AlreadyExistsException", status.message(), {}, false};
    case StatusCode::kInvalidArgument:
      return {400, "InvalidInputException", status.message(), {}, false};
    case StatusCode::kAccessDenied:
      return {400, "AccessDeniedException", status.message(), {}, false};
    case StatusCode::kUnavailable:
      return {400, "ThrottlingException", "Rate exceeded", {}, false};
    default:
      return {500, "InternalServiceException", "An internal error occurred.", {}, true};
  }
}

ApiResponse RenderGlueError(const WireError& e, const RequestIds& ids) {
  ApiResponse r;
  r.status = e.http_status;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  json::SetStr(d, "__type", e.code, a);
  json::SetStr(d, "Message", e.message, a);
  r.body = json::Dump(d);
  r.SetHeader("Content-Type", "application/x-amz-json-1.1");
  r.SetHeader("x-amzn-ErrorType", e.code);
  AddRequestIdHeaders(Protocol::kJson, ids, &r);
  return r;
}

ApiResponse HandleGlueRequest(Service& service, const Caller& caller, std::string_view operation,
                              std::string_view body, const RequestIds& ids) {
  const std::string op(operation);
  if (!Service::IsKnownOperation(op)) {
    return RenderGlueError({400,
                            "UnknownOperationException",
                            "The operation AWSGlue." + op + " is not known to this server.",
                            {},
                            false},
                           ids);
  }
  rapidjson::Document doc;
  doc.Parse(body.empty() ? "{}" : std::string(body).c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    return RenderGlueError({400,
                            "SerializationException",
                            "Start of structure or map found where not expected, or the body is "
                            "not a JSON object.",
                            {},
                            false},
                           ids);
  }
  Caller audited = caller;
  audited.request_id = ids.request_id;
  auto result = service.Call(audited, op, doc);
  if (!result.ok()) return RenderGlueError(GlueStatusToWire(result.status()), ids);
  ApiResponse r;
  r.body = std::move(*result);
  r.SetHeader("Content-Type", "application/x-amz-json-1.1");
  AddRequestIdHeaders(Protocol::kJson, ids, &r);
  return r;
}

}  // namespace sealstack::api::glue
