// The answers of the test-control plane (/_sealstack/..., docs/admin-api.md): JSON bodies, and
// errors as {"error": CODE, "message": ...}; each carries the request id headers.
//
// Thread safety: plain functions over values.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "api/common/errors.h"

namespace sealstack::server {

// 200 with `body` as application/json.
api::ApiResponse AdminJson(std::string body, const api::RequestIds& ids);

// An error answer; a status of 500 or more is a server fault.
api::ApiResponse AdminError(int http_status, std::string code, std::string message,
                            const api::RequestIds& ids);

// 400 InvalidRequest: the request's body or query is wrong; `message` names what and why.
api::ApiResponse AdminBadRequest(std::string message, const api::RequestIds& ids);

// 405 MethodNotAllowed; `message` says which methods the endpoint accepts.
api::ApiResponse AdminMethodNotAllowed(std::string message, const api::RequestIds& ids);

// Parses a request body into *doc; false unless it is a JSON object.
bool ParseBodyObject(std::string_view body, rapidjson::Document* doc);

}  // namespace sealstack::server
