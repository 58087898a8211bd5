// HttpConnection: one client connection (socket, and TLS session when HTTPS): reads and parses
// request heads (http_head.h), streams request bodies (Content-Length or chunked), and writes
// responses. The HTTP layer (http_exchange.cpp) turns each request into an Exchange.
//
// - A head with a problem (http_head.h) is still handed on, and the connection closes after
//   its answer (its framing is not trusted).
// - A read that times out is told apart from the client closing (timed_out()), so a stalled
//   body is answered RequestTimeout, not as a short body.
// - Reads are buffered: heads and chunk-size lines come out of one 64 KiB fill, and body pieces
//   of at least 64 KiB go straight from the socket into the caller's buffer.
//
// The socket is non-blocking; every wait is a poll() bounded by the read/write timeouts, so a
// silent client holds a worker thread for at most the read timeout per read.
#pragma once

#include <openssl/ssl.h>

#include <sys/types.h>
#include <atomic>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/exchange.h"
#include "server/http_head.h"

namespace sealstack::server {

class HttpConnection final {
 public:
  struct Timeouts {
    time_t keep_alive_s = 5;
    time_t read_s = 5;
    time_t write_s = 5;
  };
  // Takes ownership of `fd` and of `ssl` (nullptr for plain HTTP).
  HttpConnection(int fd, SSL* ssl, Timeouts timeouts);
  ~HttpConnection();  // TLS close_notify when the connection ended cleanly, close(fd)
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // The TLS handshake (true at once for plain HTTP).
  bool Handshake();

  // Waits up to the keep-alive timeout for the next request (returning early once
  // `listening` is closed: the server is stopping), then reads and parses its head. False when
  // the connection is done: closed, idle, or the head never completed.
  bool NextRequest(const std::atomic<int>& listening);
  // The head NextRequest parsed.
  const ParsedHead& request() const { return request_; }
  // Moves the parsed head out (request().head is empty afterwards).
  auth::HttpRequestHead TakeHead() { return std::move(request_.head); }
  // The request has a body to read (a Content-Length over 0, or chunked).
  bool has_body() const { return request_.chunked || request_.content_length > 0; }

  // Streams the request body to `receive` in pieces (chunked framing removed); false when the
  // client closed, stalled (timed_out()) or broke the framing, or `receive` returned false. At
  // most once per request; body_consumed() tells whether the whole body was read.
  bool ReadBody(const RawBodyReceiver& receive);
  bool body_consumed() const { return body_consumed_; }

  // Writes all of `data`; false (and the connection broken) on error or write timeout.
  bool WriteAll(std::string_view data);

  // A read waited the whole read timeout without data (since the head was read).
  bool timed_out() const { return timed_out_; }
  // The request's framing is lost (head problem, unread or failed body): no next request.
  void CloseAfterResponse() { close_after_ = true; }
  bool close_after_response() const { return close_after_; }
  // The connection ended in error: no TLS close_notify.
  void MarkBroken() { broken_ = true; }
  bool broken() const { return broken_; }

  const std::string& remote_ip() const { return remote_ip_; }

 private:
  ssize_t RawRead(char* ptr, size_t size);
  // Refills the read buffer when it is empty; false when the client closed, failed or stalled.
  bool Fill();
  size_t buffered() const { return buf_.size() - pos_; }
  // Hands the next `length` body bytes to `receive`; false as ReadBody.
  bool ReadExactly(uint64_t length, const RawBodyReceiver& receive);
  // One line (CRLF or LF removed) of at most `max` bytes, from the buffer.
  bool ReadLine(std::string* line, size_t max);
  bool ReadChunked(const RawBodyReceiver& receive);
  // poll() for `events` up to `timeout_ms`: >0 ready, 0 timeout.
  int Wait(short events, int timeout_ms) const;

  int fd_;
  SSL* ssl_;
  Timeouts timeouts_;
  std::string buf_;  // bytes read from the socket and not consumed yet, from pos_
  size_t pos_ = 0;
  ParsedHead request_;
  bool body_started_ = false;
  bool body_consumed_ = false;
  bool timed_out_ = false;
  bool close_after_ = false;
  bool broken_ = false;
  std::string remote_ip_;
};

// Serves requests on `connection` until it ends: `serve` answers the request NextRequest
// parsed and returns false when the connection cannot carry another.
void ServeConnection(HttpConnection& connection, const std::atomic<int>& listening,
                     const std::function<bool(HttpConnection&)>& serve);

}  // namespace sealstack::server
