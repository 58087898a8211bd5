// ParseRequestHead: an HTTP/1.1 request head (request line, header lines, blank line) into the
// method, target and headers the server hands on, plus the framing facts the connection needs
// (body length or chunked, keep-alive, Expect: 100-continue). Pure, bounded, no allocation
// beyond the result; the unit tests and the fuzz target drive it directly.
//
// What it refuses, and how (issue 8, "Bad input": AWS-shaped answers, never the library's):
// - a request line that is not "METHOD SP target SP HTTP/1.x", an unknown method, or a header
//   line without a colon or starting with whitespace (obsolete folding): kMalformed, answered
//   400 BadRequest by the HTTP layer itself (no protocol is known yet);
// - a request target over kMaxTargetBytes: kUriTooLong, 414 RequestURITooLong;
// - a header line over kMaxHeaderLineBytes or a head over kMaxHeadBytes: the line is dropped and
//   HeadProblem::kHeaderSectionTooLarge reported; a Content-Length that is not one decimal
//   number (or several that disagree): HeadProblem::kBadContentLength. Those requests still reach
//   the handler, which answers in the request's protocol; the connection closes after them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/http_request.h"
#include "server/exchange.h"

namespace sealstack::server {

// One header line, CRLF included (the limit cpp-httplib had; clients never come near it).
inline constexpr size_t kMaxHeaderLineBytes = 8192;
// The request target; longer ones are answered 414.
inline constexpr size_t kMaxTargetBytes = 8192;
// The whole head: a request line up to the target limit plus the 64 KiB header section the RPC
// services accept (pipeline.cpp), and room for the line ends.
inline constexpr size_t kMaxHeadBytes = 8192 + 65536 + 1024;

enum class HeadError {
  kNone,
  kMalformed,   // 400 BadRequest
  kUriTooLong,  // 414 RequestURITooLong
};

struct ParsedHead {
  HeadError error = HeadError::kNone;
  HeadProblem problem = HeadProblem::kNone;
  auth::HttpRequestHead head;  // method, target and headers (names and values as sent, trimmed)
  bool http10 = false;
  bool keep_alive = true;        // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive
  bool chunked = false;          // Transfer-Encoding: chunked (wins over Content-Length)
  uint64_t content_length = 0;   // when !chunked (0 when absent or refused)
  bool expect_continue = false;  // Expect: 100-continue
};

// `head` ends with its blank line, or is cut at kMaxHeadBytes (`complete` false: the head is too
// large, and only its complete lines are kept).
ParsedHead ParseRequestHead(std::string_view head, bool complete);

}  // namespace sealstack::server
