// Exchange: one HTTP request and its response, as the rest of the server sees it, with no
// trace of HTTP framing. http_exchange.cpp builds it; pipeline.* fills in the response.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "api/common/wire.h"
#include "auth/http_request.h"

namespace sealstack::server {

// What the HTTP layer found wrong with a request head before any handler ran (the header
// lines concerned are not in `head`). The request is answered with its protocol's error and the
// connection closed.
enum class HeadProblem {
  kNone,
  kHeaderSectionTooLarge,  // a header line over 8 KiB, or a head over the server's bound
  kBadContentLength,       // Content-Length not a decimal number, or several that disagree
};

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
  // read_body failed because the client sent nothing for the read timeout (a stalled body),
  // not because it closed early.
  bool body_timed_out = false;
  HeadProblem head_problem = HeadProblem::kNone;

  api::ApiResponse response;
};

}  // namespace sealstack::server
