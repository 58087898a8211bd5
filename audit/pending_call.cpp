#include "audit/pending_call.h"

namespace sealstack::audit {

namespace {
thread_local PendingCall* t_current = nullptr;
}  // namespace

PendingCall::PendingCall(Recorder* recorder, Event event)
    : recorder_(recorder), event_(std::move(event)), previous_(t_current) {
  if (recorder_ != nullptr) t_current = this;
}

PendingCall::~PendingCall() {
  if (t_current == this) t_current = previous_;
}

void PendingCall::Finish() {
  if (recorder_ == nullptr || written_ || finished_) return;
  finished_ = true;
  recorder_->Record(event_);
}

PendingCall* PendingCall::Current() {
  return t_current;
}

Status PendingCall::InTransaction(storage::Database& db,
                                  const std::function<Status(storage::Connection&)>& fn) {
  PendingCall* call = t_current;
  const bool record = call != nullptr && !call->written_ && !call->finished_;
  Status st = db.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(fn(conn));
    if (!record) return Status::Ok();
    return call->recorder_->RecordIn(conn, call->event_);
  });
  if (st.ok() && record) call->written_ = true;
  return st;
}

}  // namespace sealstack::audit
