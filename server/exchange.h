// Exchange: one HTTP request and its response, as the rest of the server sees it, with no
// trace of the HTTP library. http_server.* builds it; pipeline.* fills in the response.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "api/common/wire.h"
#include "auth/http_request.h"

namespace sealstack::server {

// Receives raw body bytes (after HTTP/1.1 chunked decoding); return false to stop reading.
using RawBodyReceiver = std::function<bool(std::string_view)>;

struct Exchange {
  auth::HttpRequestHead head;
  bool has_body = false;  // Content-Length > 0 or Transfer-Encoding: chunked
  // Streams the raw body to the receiver, a bounded piece at a time; false when the client
  // failed or the receiver stopped. Call at most once.
  std::function<bool(const RawBodyReceiver&)> read_body;
  bool body_read_started = false;  // read_body was called
  bool body_consumed = false;      // read_body reached the end of the body

  api::ApiResponse response;
};

}  // namespace sealstack::server
