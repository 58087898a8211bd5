// HttpListener: a listening socket (HTTP, or HTTPS with a certificate) and its accept loop. Each
// accepted connection is served on a worker of an elastic pool (thread_pool.h) by
// HttpConnection (reading and parsing requests) and ServeRequest (http_exchange.h), which turns
// each request into an Exchange for the handler. The server speaks HTTP/1.1 itself: no HTTP
// library sits between the socket and the handler.
//
// Threading: blocking, one worker thread per open connection; at most ListenerOptions::threads,
// started on demand. The handler is called concurrently from those threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/config.h"
#include "server/exchange.h"
#include "server/http_exchange.h"

namespace sealstack::server {

struct ListenerOptions {
  std::string host;
  int port = 0;  // 0 = any free port
  bool tls = false;
  std::string tls_cert_path;  // PEM files, when tls
  std::string tls_key_path;
  int threads = 1024;
  int keep_alive_timeout_s = 20;
  int read_timeout_s = 30;
};

class HttpListener {
 public:
  // Binds (so the port is known and connections queue) but does not serve yet.
  static Result<std::unique_ptr<HttpListener>> Bind(const ListenerOptions& options,
                                                    ExchangeHandler handler);
  ~HttpListener();  // Stop()s and joins

  int port() const { return port_; }
  // Serves on a background thread until Stop().
  void Start();
  // Stops accepting new connections; returns at once.
  void StopAccepting();
  // StopAccepting(), then waits for the worker threads. A connection idle between requests
  // notices the stop within 50 ms (server/http_connection.cpp) and ends; a request running
  // finishes first.
  void Stop();

 private:
  struct Impl;
  HttpListener() = default;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace sealstack::server
