// RequestPipeline: one path for every request (after Ceph RGW's rgw_process):
//   classify -> authenticate -> dispatch to the service -> respond -> one log line.
// Authentication runs before the operation is looked up, so an unknown or unimplemented
// operation with a bad signature gets the signature error, as on AWS. No exception escapes:
// anything thrown becomes the protocol's 500 with a request id.
//
// Thread-safe: Handle() is called concurrently from the HTTP worker threads.
#pragma once

#include "server/context.h"
#include "server/exchange.h"

namespace sealstack::server {

class RequestPipeline {
 public:
  explicit RequestPipeline(ServerContext& context) : context_(context) {}
  void Handle(Exchange& exchange);

 private:
  ServerContext& context_;
};

}  // namespace sealstack::server
