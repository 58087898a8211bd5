// The test-control plane's "why was I denied?" (docs/admin-api.md, "Decisions"):
//   GET  /_sealstack/decisions  the latest authorization decisions, explained, newest first
//   POST /_sealstack/simulate   the same explanation for a question, without making the call
#pragma once

#include <string_view>

#include "api/common/errors.h"
#include "auth/http_request.h"
#include "server/context.h"

namespace sealstack::server {

api::ApiResponse Decisions(ServerContext& context, const auth::HttpRequestHead& head,
                           const api::RequestIds& ids);
api::ApiResponse Simulate(ServerContext& context, std::string_view body,
                          const api::RequestIds& ids);

}  // namespace sealstack::server
