// The test-control plane under /_sealstack/ (no AWS auth; it listens where the tests are).
// Endpoints (docs/admin-api.md): GET health; GET/POST clock. Reset, faults, seed and audit come
// with their issue.
#pragma once

#include "api/common/errors.h"
#include "server/context.h"
#include "server/exchange.h"

namespace sealstack::server {

// `body` is the (bounded) request body, for POSTs.
api::ApiResponse HandleAdmin(ServerContext& context, const auth::HttpRequestHead& head,
                             std::string_view admin_path, std::string_view body,
                             const api::RequestIds& ids);

}  // namespace sealstack::server
