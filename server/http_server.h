// HttpServer: the only place that knows cpp-httplib. It accepts connections on the HTTP (and
// optional HTTPS) listener, turns each request into an Exchange, hands it to the handler, and
// writes the Exchange's response, streaming bodies in both directions.
//
// Threading: cpp-httplib is blocking, one worker thread per open connection; the pool size is
// at most Config::threads, started on demand (thread_pool.h). The handler is called concurrently
// from those threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/config.h"
#include "server/exchange.h"

namespace sealstack::server {

using ExchangeHandler = std::function<void(Exchange&)>;

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

// Requests whose handler is running, across all listeners.
int RequestsInFlight();

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
