// The test-control plane under /_sealstack/ (no AWS auth; it listens where the tests are).
// This issue provides health; reset, clock, faults, seed and audit come with their services.
#pragma once

#include "api/common/errors.h"
#include "server/context.h"
#include "server/exchange.h"

namespace sealstack::server {

api::ApiResponse HandleAdmin(ServerContext& context, const auth::HttpRequestHead& head,
                             std::string_view admin_path, const api::RequestIds& ids);

}  // namespace sealstack::server
