// The web console (docs/admin-api.md, "The console") and the read-only JSON it reads:
//
//   GET /_sealstack/console[/...]              the console's HTML/CSS/JS, embedded at build
//                                              time (server/console/*, console_assets.h)
//   GET /_sealstack/keys                       every key: state, spec, rotation, aliases
//   GET /_sealstack/keys/<key id|ARN>          one key: + policy, material versions, grants
//   GET /_sealstack/buckets                    every bucket: default encryption, policy, ...
//   GET /_sealstack/buckets/<bucket>/objects   its versions: SSE mode, key, context, client side
//   GET /_sealstack/glue                       jobs, security configurations, runs, catalog
//   GET /_sealstack/console/audit?...          the audit trail, filtered, newest first
//
// Read-only: never key material, SSE-C keys, grant tokens or secret access keys.
#pragma once

#include <optional>
#include <string_view>

#include "api/common/errors.h"
#include "auth/http_request.h"
#include "server/context.h"

namespace sealstack::server {

// nullopt when `admin_path` is none of the routes above.
std::optional<api::ApiResponse> HandleConsole(ServerContext& context,
                                              const auth::HttpRequestHead& head,
                                              std::string_view admin_path, std::string_view body,
                                              const api::RequestIds& ids);

}  // namespace sealstack::server
