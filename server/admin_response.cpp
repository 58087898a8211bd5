#include "server/admin_response.h"

#include <utility>

namespace sealstack::server {

api::ApiResponse AdminJson(std::string body, const api::RequestIds& ids) {
  api::ApiResponse r;
  r.status = 200;
  r.body = std::move(body);
  r.SetHeader("Content-Type", "application/json");
  api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
  return r;
}

api::ApiResponse AdminError(int http_status, std::string code, std::string message,
                            const api::RequestIds& ids) {
  return api::RenderError(api::Protocol::kAdmin,
                          {.http_status = http_status,
                           .code = std::move(code),
                           .message = std::move(message),
                           .server_fault = http_status >= 500},
                          ids);
}

api::ApiResponse AdminBadRequest(std::string message, const api::RequestIds& ids) {
  return AdminError(400, "InvalidRequest", std::move(message), ids);
}

api::ApiResponse AdminMethodNotAllowed(std::string message, const api::RequestIds& ids) {
  return AdminError(405, "MethodNotAllowed", std::move(message), ids);
}

bool ParseBodyObject(std::string_view body, rapidjson::Document* doc) {
  doc->Parse(body.data(), body.size());
  return !doc->HasParseError() && doc->IsObject();
}

}  // namespace sealstack::server
