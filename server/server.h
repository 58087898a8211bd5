// Server: the whole process behind main(): resolve the configuration, open the data directory
// and database, load the root key, bind the listeners, announce readiness, and shut down
// cleanly. Kept out of main.cpp so tests can start a server in-process.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "server/config.h"
#include "server/context.h"
#include "server/http_server.h"
#include "server/pipeline.h"

namespace sealstack::server {

class Server {
 public:
  // Opens storage, loads keys and binds the listeners (ports are known after this).
  static Result<std::unique_ptr<Server>> Create(Config config);
  ~Server();

  // "Ready. endpoint=http://HOST:PORT[ https_endpoint=https://HOST:PORT]"
  std::string ReadyLine() const;
  int http_port() const;
  int https_port() const;  // 0 without HTTPS

  void Start();  // serve in the background
  void Stop();   // stop accepting, finish in-flight requests, close the database

  ServerContext& context() { return context_; }

 private:
  Server() = default;
  // The steps of Create, in order; each fills in part of context_ (or the listeners) from
  // context_.config and what the steps before it built.
  Status OpenStorage();  // principals, data directory, root key, database, audit trail
  Status BuildKms();     // the KMS service, the access check and the fault injector
  Status BuildS3();      // buckets, object store (orphan sweep), data keys
  void BuildGlue();
  Status SeedFromFile();   // --seed
  Status BindListeners();  // the request pipeline, HTTP and (--https-port) HTTPS listeners

  ServerContext context_;
  std::unique_ptr<RequestPipeline> pipeline_;
  std::unique_ptr<HttpListener> http_;
  std::unique_ptr<HttpListener> https_;
  std::string tls_temp_dir_;  // self-signed certificate of an --in-memory server
};

}  // namespace sealstack::server
