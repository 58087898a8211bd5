#include "server/http_head.h"

#include <algorithm>
#include <array>
#include <optional>

#include "common/strings.h"

namespace sealstack::server {

namespace {

// The methods HTTP/1.1 defines (RFC 9110 9.3, PATCH, and HTTP/2's preface PRI): any other token
// is a request the server cannot have been meant to get.
bool KnownMethod(std::string_view m) {
  static constexpr std::array<std::string_view, 10> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PRI"};
  return std::find(kMethods.begin(), kMethods.end(), m) != kMethods.end();
}

// Whether a comma-separated header value lists `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The last coding of a Transfer-Encoding value ("gzip, chunked" -> "chunked").
std::string_view LastCoding(std::string_view value) {
  const size_t comma = value.rfind(',');
  return Trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
}

// "METHOD SP target SP HTTP/1.x", CRLF already removed.
bool ParseRequestLine(std::string_view line, ParsedHead* out) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!KnownMethod(method) || target.empty()) return false;
  if (version == "HTTP/1.0") {
    out->http10 = true;
  } else if (version != "HTTP/1.1") {
    return false;
  }
  out->head.method.assign(method);
  out->head.target.assign(target);
  return true;
}

}  // namespace

ParsedHead ParseRequestHead(std::string_view head, bool complete) {
  ParsedHead out;
  if (!complete) out.problem = HeadProblem::kHeaderSectionTooLarge;
  size_t nl = head.find('\n');
  // The request line alone is longer than the target limit (or than the whole head bound).
  if ((nl == std::string_view::npos ? head.size() : nl) > kMaxTargetBytes + 1) {
    out.error = HeadError::kUriTooLong;
    return out;
  }
  if (nl == std::string_view::npos || nl == 0 || head[nl - 1] != '\r' ||
      !ParseRequestLine(head.substr(0, nl - 1), &out)) {
    out.error = HeadError::kMalformed;
    return out;
  }
  if (out.head.target.size() > kMaxTargetBytes) {
    out.error = HeadError::kUriTooLong;
    return out;
  }

  bool saw_length = false;
  bool bad_length = false;
  bool close = false;
  bool keep_alive_token = false;
  size_t at = nl + 1;
  while (at < head.size()) {
    nl = head.find('\n', at);
    if (nl == std::string_view::npos) break;  // cut off mid-line (incomplete head): dropped
    std::string_view line = head.substr(at, nl + 1 - at);
    at = nl + 1;
    if (line == "\r\n") break;  // the blank line
    // A line that does not end in CRLF, or has no colon, is skipped (as cpp-httplib did).
    const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
    const size_t colon = line.find(':');
    if (!crlf || colon == std::string_view::npos) continue;
    if (line.size() > kMaxHeaderLineBytes) {
      if (out.problem == HeadProblem::kNone) out.problem = HeadProblem::kHeaderSectionTooLarge;
      continue;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1, line.size() - 2 - colon - 1));
    if (name.empty() || name.front() == ' ' || name.front() == '\t') {
      // Obsolete line folding (RFC 9112 5.2) or a nameless field: the head cannot be trusted.
      out.error = HeadError::kMalformed;
      return out;
    }
    if (EqualsIgnoreCase(name, "Content-Length")) {
      // RFC 9110 8.6: Content-Length = 1*DIGIT; several must agree.
      const std::optional<uint64_t> n = ParseUnsignedDecimal(value);
      if (!n || (saw_length && *n != out.content_length)) {
        bad_length = true;
      } else {
        out.content_length = *n;
        saw_length = true;
      }
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      out.chunked = EqualsIgnoreCase(LastCoding(value), "chunked");
    } else if (EqualsIgnoreCase(name, "Connection")) {
      close = close || HasToken(value, "close");
      keep_alive_token = keep_alive_token || HasToken(value, "keep-alive");
    } else if (EqualsIgnoreCase(name, "Expect")) {
      out.expect_continue = EqualsIgnoreCase(value, "100-continue");
    }
    out.head.headers.emplace_back(std::string(name), std::string(value));
  }
  if (bad_length) {
    if (out.problem == HeadProblem::kNone) out.problem = HeadProblem::kBadContentLength;
    out.content_length = 0;  // the body is never read: the connection closes after the answer
  }
  if (out.chunked) out.content_length = 0;
  out.keep_alive = !close && (!out.http10 || keep_alive_token);
  return out;
}

}  // namespace sealstack::server
