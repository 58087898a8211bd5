// audit::PendingCall: the audit record of the call the current thread is serving, written in the
// transaction that commits the call's effect. For services whose operations change state through
// several helpers (Glue): the helpers run their transactions through PendingCall::InTransaction
// and need not know which call they serve, and the call's record is written with the first
// effect that commits.
//
//   audit::PendingCall call(recorder, event);   // request thread, around the operation
//   ... PendingCall::InTransaction(db, [&](conn) { ...the effect... });
//   if (!call.written()) { ...error/response fields...; call.Finish(); }   // queued instead
//
// A transaction the database re-runs (busy retry) writes the record again in the re-run; only a
// committed transaction marks the record written. A PendingCall with a null recorder is inert.
// Calls nest (the inner one is current until it ends). Other threads (job runners) see no
// pending call, so their transactions record nothing.
//
// Thread safety: a PendingCall belongs to the thread that made it.
#pragma once

#include <functional>

#include "audit/event.h"
#include "audit/recorder.h"
#include "common/status.h"
#include "storage/db.h"

namespace sealstack::audit {

class PendingCall {
 public:
  // REQUIRES: event.principal non-null when recorder is non-null.
  PendingCall(Recorder* recorder, Event event);
  ~PendingCall();
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  Event& event() { return event_; }
  // A committed transaction wrote the record.
  bool written() const { return written_; }
  // Queues the record (Recorder::Record) unless a transaction wrote it. At most once.
  void Finish();

  // The current thread's pending call (null when none, or when its recorder is null).
  static PendingCall* Current();
  // db.WithTransaction(fn), and in the same transaction, when fn succeeded, the current pending
  // call's record (once per call).
  static Status InTransaction(storage::Database& db,
                              const std::function<Status(storage::Connection&)>& fn);

 private:
  Recorder* recorder_;
  Event event_;
  bool written_ = false;
  bool finished_ = false;
  PendingCall* previous_;
};

}  // namespace sealstack::audit
