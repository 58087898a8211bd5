// HttpConnection: one client connection (socket, and TLS session when HTTPS) as the byte stream
// cpp-httplib parses requests from. cpp-httplib still parses, routes and writes responses; this
// layer owns the transport so that the server, not the library, decides on the things the
// library would otherwise answer by itself in non-AWS ways (issue 8, "Bad input"):
//
// - The request head is read whole (bounded) before cpp-httplib sees it, and rewritten:
//   * `Range` headers are withheld from cpp-httplib and handed to the handler as they came.
//     cpp-httplib answers an unparsable Range with its own 416 before any handler runs, and
//     applies parsable ones to the response itself; S3 parses Range (and ignores invalid ones).
//   * a header line over cpp-httplib's 8 KiB line limit, or a head over kMaxHeadBytes, is
//     dropped and reported (kHeaderSectionTooLarge) instead of cpp-httplib's bare 400;
//   * every '%' in a header value becomes "%25", undoing cpp-httplib 0.11's percent-decoding of
//     header values (SigV4 signs the values as sent; S3 decodes x-amz-copy-source itself);
//   * a Content-Length that is not a decimal number (cpp-httplib reads "abc" as 0), or several
//     that disagree, is dropped and reported (kBadContentLength).
//   A request with a head problem is still routed to the handler, which renders the error in
//   the request's protocol; the connection closes after it (its framing is not trusted).
// - A read that times out is told apart from the client closing (timed_out()), so a stalled
//   body is answered RequestTimeout, not as a short body.
//
// The socket is non-blocking; every wait is a poll() bounded by the read/write timeouts, so a
// silent client holds a worker thread for at most the read timeout per read.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <httplib.h>

#include "server/exchange.h"

namespace sealstack::server {

// A head (request line, header lines, blank line) as it arrived, rewritten for cpp-httplib.
struct HeadScan {
  std::string head;  // what cpp-httplib gets to parse
  HeadProblem problem = HeadProblem::kNone;
  std::vector<std::pair<std::string, std::string>> withheld;  // Range headers, name and value
};

// cpp-httplib's limit on one header line, CRLF included (CPPHTTPLIB_HEADER_MAX_LENGTH, fixed
// when Debian built libcpp-httplib.so).
inline constexpr size_t kMaxHeaderLineBytes = 8192;
// The whole head: a request line up to cpp-httplib's 8 KiB URI limit plus the 64 KiB header
// section the RPC services accept (pipeline.cpp), and room for the line ends.
inline constexpr size_t kMaxHeadBytes = 8192 + 65536 + 1024;

// Rewrites one head. `head` ends with its blank line, or is cut at kMaxHeadBytes (`complete`
// false: the head is too large, and only its complete lines are kept). Pure; for unit tests.
HeadScan ScanHead(std::string_view head, bool complete);

class HttpConnection final : public httplib::Stream {
 public:
  struct Timeouts {
    time_t keep_alive_s = 5;
    time_t read_s = 5;
    time_t write_s = 5;
  };
  // Takes ownership of `fd` and of `ssl` (nullptr for plain HTTP).
  HttpConnection(int fd, SSL* ssl, Timeouts timeouts);
  ~HttpConnection() override;  // TLS close_notify when the connection ended cleanly, close(fd)
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // The TLS handshake (true at once for plain HTTP).
  bool Handshake();

  // Waits up to the keep-alive timeout for the next request (returning early once
  // `listening` is closed: the server is stopping), then reads and scans its head. False when
  // the connection is done: closed, idle, or the head never completed.
  bool NextRequest(const std::atomic<int>& listening);

  HeadProblem head_problem() const { return scan_problem_; }
  const std::vector<std::pair<std::string, std::string>>& withheld_headers() const {
    return withheld_;
  }
  // A read waited the whole read timeout without data (since the head was read).
  bool timed_out() const { return timed_out_; }
  // The request's framing is lost (head problem, unread or failed body): no next request.
  void CloseAfterResponse() { close_after_ = true; }
  bool close_after_response() const { return close_after_; }
  // The connection ended in error: no TLS close_notify.
  void MarkBroken() { broken_ = true; }

  // httplib::Stream
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  ssize_t RawRead(char* ptr, size_t size);
  // poll() for `events` up to `timeout_s` (or `timeout_ms` when given): >0 ready, 0 timeout.
  int Wait(short events, int timeout_ms) const;

  int fd_;
  SSL* ssl_;
  Timeouts timeouts_;
  std::string buf_;  // bytes read from the socket that cpp-httplib has not read yet
  size_t pos_ = 0;
  HeadProblem scan_problem_ = HeadProblem::kNone;
  std::vector<std::pair<std::string, std::string>> withheld_;
  bool timed_out_ = false;
  bool close_after_ = false;
  bool broken_ = false;
  std::string remote_ip_, local_ip_;
  int remote_port_ = -1, local_port_ = -1;
};

// The connection whose request the calling thread is serving, or nullptr (set by
// ServeConnection for the duration of each connection; cpp-httplib calls handlers on it).
HttpConnection* CurrentConnection();

// Serves requests on `connection` until it ends; `process` is cpp-httplib's
// Server::process_request for one request (close_connection, &connection_closed).
bool ServeConnection(HttpConnection& connection, const std::atomic<int>& listening,
                     const std::function<bool(bool, bool&)>& process);

}  // namespace sealstack::server
