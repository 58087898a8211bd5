// BodyPump: turns the HTTP layer's one-shot push of a request body (Exchange::read_body, which
// calls a receiver for each piece until the end) into reads the consumer pulls (Read), for a
// consumer that must stop between pieces to decide what to do with the rest: a browser upload
// (POST Object) reads its form fields, authenticates, and only then streams the file part into
// the object store.
//
// A helper thread runs read_body; each piece waits in a one-piece hand-over until the consumer
// has taken it, so memory stays bounded by one piece whatever the body's size. The helper only
// touches the socket; everything else (SQLite, KMS, audit) stays on the request's thread.
//
// Thread safety: Read, Drain and Stop belong to the consumer's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/result.h"
#include "server/exchange.h"

namespace sealstack::server {

class BodyPump {
 public:
  // `has_body` false: the body is empty and no thread starts.
  BodyPump(std::function<bool(const RawBodyReceiver&)> read_body, bool has_body);
  ~BodyPump();  // Stop()
  BodyPump(const BodyPump&) = delete;
  BodyPump& operator=(const BodyPump&) = delete;

  // Copies up to `max` bytes of the body into `dst`; 0 at its end. Unavailable when the body
  // could not be read (failed() then says so).
  Result<size_t> Read(char* dst, size_t max);

  // Reads and drops the rest of the body, up to `limit` bytes, so that a response sent before the
  // body's end reaches a client still sending it. True when the end was reached.
  bool Drain(uint64_t limit);

  // Stops reading (the HTTP layer then closes the connection if the body was not read to its
  // end) and joins the helper thread. Idempotent.
  void Stop();

  // read_body failed before the consumer stopped: the client stalled or went away.
  bool failed() const;

 private:
  void Start();
  void Run();

  std::function<bool(const RawBodyReceiver&)> read_body_;
  bool has_body_;
  std::thread thread_;
  mutable Mutex mu_;
  CondVar cv_;
  std::string piece_ GUARDED_BY(mu_);  // the piece handed over; consumed from `offset_`
  size_t offset_ GUARDED_BY(mu_) = 0;
  bool full_ GUARDED_BY(mu_) = false;     // piece_ holds bytes not yet read
  bool done_ GUARDED_BY(mu_) = false;     // read_body returned
  bool read_ok_ GUARDED_BY(mu_) = false;  // ... and reached the end of the body
  bool stopped_ GUARDED_BY(mu_) = false;  // the consumer stopped reading
  bool failed_ GUARDED_BY(mu_) = false;   // read_body failed while the consumer still read
};

}  // namespace sealstack::server
