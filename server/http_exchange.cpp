#include "server/http_exchange.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <string_view>

#include "api/common/errors.h"
#include "api/common/request_id.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sealstack::server {

namespace {

std::atomic<int> g_in_flight{0};

// Counts a handler as in flight for its lifetime.
class InFlight {
 public:
  InFlight() { ++g_in_flight; }
  ~InFlight() { --g_in_flight; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
};

// A body the handler did not read (an early error) is drained up to this much so the connection
// can carry the next request; beyond it the connection closes after the answer.
constexpr uint64_t kMaxDrainBytes = 64ull << 20;
// Bodies up to this size go out in the same write as the head.
constexpr size_t kInlineBodyBytes = 64 * 1024;

// AWS stamps every response with its Date (RFC 7231), the wall clock's, which SDKs read to
// correct a skewed local clock. Formatted once a second per thread.
const std::string& HttpDateNow() {
  thread_local std::chrono::system_clock::time_point second{};
  thread_local std::string text;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (text.empty() || now != second) {
    second = now;
    text = FormatHttpDate(now);
  }
  return text;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

bool HasLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

void AppendHeader(std::string* out, std::string_view name, std::string_view value) {
  out->append(name);
  out->append(": ");
  out->append(value);
  out->append("\r\n");
}

// The methods the server routes; any other (CONNECT, TRACE, PRI) is answered 405 here.
bool RoutedMethod(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "POST" || m == "DELETE" ||
         m == "OPTIONS" || m == "PATCH";
}

// The answer to a request the HTTP layer refuses before any handler (no protocol is known yet):
// S3-shaped XML, since anything that is not JSON or Query is S3.
api::ApiResponse LayerError(int status, std::string_view method) {
  api::WireError e;
  e.http_status = status;
  switch (status) {
    case 405:
      e.code = "MethodNotAllowed";
      e.message = "The specified method is not allowed against this resource.";
      break;
    case 414:
      e.code = "RequestURITooLong";
      e.message = "The request URI is too long.";
      break;
    case 500:
      e = api::InternalWireError(api::Protocol::kS3);
      break;
    default:
      e.code = "BadRequest";
      e.message = "The request could not be parsed.";
      break;
  }
  api::RequestIds ids{api::NewS3RequestId(), api::NewS3HostId()};
  return api::RenderError(api::Protocol::kS3, e, ids, {}, method == "HEAD");
}

// Writes `r` as the answer to a request with `method`. With `close`, the response says
// "Connection: close" and the connection ends after it.
bool WriteResponse(HttpConnection& c, std::string_view method, api::ApiResponse& r, bool close) {
  const bool head_method = method == "HEAD";
  if (r.stream && r.stream_length == 0) r.stream = nullptr;  // an empty stream is an empty body
  const uint64_t length = r.stream ? r.stream_length : r.body.size();
  std::string out;
  out.reserve(512 +
              (r.stream || head_method || r.body.size() > kInlineBodyBytes ? 0 : r.body.size()));
  out.append("HTTP/1.1 ");
  out.append(std::to_string(r.status));
  out.push_back(' ');
  out.append(ReasonPhrase(r.status));
  out.append("\r\n");
  AppendHeader(&out, "Date", HttpDateNow());
  bool has_type = false;
  bool has_length = false;
  bool has_accept_ranges = false;
  for (const auto& [name, value] : r.headers) {
    if (HasLineBreak(name) || HasLineBreak(value)) continue;  // no header injection
    if (EqualsIgnoreCase(name, "Connection")) continue;       // the HTTP layer's to say
    if (EqualsIgnoreCase(name, "Content-Length")) {
      // A HEAD answer carries the length of the body it describes; otherwise the length is
      // the body's own, written below.
      if (!head_method) continue;
      has_length = true;
    }
    has_type = has_type || EqualsIgnoreCase(name, "Content-Type");
    has_accept_ranges = has_accept_ranges || EqualsIgnoreCase(name, "Accept-Ranges");
    AppendHeader(&out, name, value);
  }
  if (!has_type && length > 0) AppendHeader(&out, "Content-Type", "text/plain");
  if (!has_length) AppendHeader(&out, "Content-Length", std::to_string(length));
  if (head_method && !has_accept_ranges) AppendHeader(&out, "Accept-Ranges", "bytes");
  if (close) AppendHeader(&out, "Connection", "close");
  out.append("\r\n");
  // HEAD, 204 and 304 answers never carry a body (RFC 9110 6.4.1), whatever length they state.
  if (head_method || r.status == 204 || r.status == 304 || length == 0) return c.WriteAll(out);
  if (!r.stream) {
    if (r.body.size() <= kInlineBodyBytes) {
      out.append(r.body);
      return c.WriteAll(out);
    }
    return c.WriteAll(out) && c.WriteAll(r.body);
  }
  // The head goes out with the first piece of the body (one write for a small object).
  bool head_sent = false;
  uint64_t sent = 0;
  const bool ok = r.stream([&](std::string_view piece) {
    if (piece.empty()) return true;
    if (sent + piece.size() > length) return false;  // more than promised: a broken producer
    sent += piece.size();
    if (!head_sent) {
      head_sent = true;
      if (piece.size() <= kInlineBodyBytes) {
        out.append(piece);
        return c.WriteAll(out);
      }
      if (!c.WriteAll(out)) return false;
    }
    return c.WriteAll(piece);
  });
  if (!head_sent && !c.WriteAll(out)) return false;
  // A producer that failed or fell short after the head went out can only end the connection:
  // the client sees a short body, never a wrong one.
  if (!ok || sent != length) {
    c.MarkBroken();
    return false;
  }
  return true;
}

}  // namespace

int RequestsInFlight() {
  return g_in_flight.load();
}

bool ServeRequest(HttpConnection& c, const ExchangeHandler& handler) {
  const ParsedHead& request = c.request();
  if (request.error != HeadError::kNone || !RoutedMethod(request.head.method)) {
    const int status = request.error == HeadError::kUriTooLong  ? 414
                       : request.error == HeadError::kMalformed ? 400
                                                                : 405;
    api::ApiResponse r = LayerError(status, request.head.method);
    c.CloseAfterResponse();
    WriteResponse(c, request.head.method, r, /*close=*/true);
    return false;
  }
  // The client waits for this before it sends the body (curl, boto3, the AWS CLI).
  if (request.expect_continue && request.problem == HeadProblem::kNone &&
      !c.WriteAll("HTTP/1.1 100 Continue\r\n\r\n")) {
    return false;
  }

  InFlight counted;
  Exchange ex;
  ex.has_body = c.has_body();
  ex.head_problem = request.problem;
  ex.head = c.TakeHead();
  ex.read_body = [&c, &ex](const RawBodyReceiver& receive) {
    ex.body_read_started = true;
    const bool ok = c.ReadBody(receive);
    ex.body_consumed = c.body_consumed();
    if (!ok && c.timed_out()) ex.body_timed_out = true;
    return ok;
  };
  if (!ex.has_body) ex.body_consumed = true;
  try {
    handler(ex);
  } catch (...) {
    ex.response = LayerError(500, ex.head.method);
  }
  // A body the handler did not read (an early error) is still on the socket: drain a bounded
  // amount so the connection can carry the next request; beyond that, or when the body was
  // read only in part, the connection closes after this response.
  if (ex.has_body && !ex.body_consumed && !ex.body_read_started) {
    uint64_t drained = 0;
    ex.read_body([&drained](std::string_view piece) {
      drained += piece.size();
      return drained <= kMaxDrainBytes;
    });
  }
  if (!ex.body_consumed) c.CloseAfterResponse();
  const bool close = c.close_after_response();
  if (!WriteResponse(c, ex.head.method, ex.response, close)) return false;
  return !close;
}

}  // namespace sealstack::server
