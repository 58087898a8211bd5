#include "server/body_pump.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace sealstack::server {

BodyPump::BodyPump(std::function<bool(const RawBodyReceiver&)> read_body, bool has_body)
    : read_body_(std::move(read_body)), has_body_(has_body) {}

BodyPump::~BodyPump() {
  Stop();
}

void BodyPump::Start() {
  if (thread_.joinable() || !has_body_) return;
  thread_ = std::thread([this] { Run(); });
}

void BodyPump::Run() {
  const bool ok = read_body_([this](std::string_view piece) {
    MutexLock lock(mu_);
    while (full_ && !stopped_) cv_.Wait(lock);
    if (stopped_) return false;
    piece_.assign(piece.data(), piece.size());
    offset_ = 0;
    full_ = !piece_.empty();
    cv_.SignalAll();
    return true;
  });
  MutexLock lock(mu_);
  done_ = true;
  read_ok_ = ok;
  failed_ = !ok && !stopped_;
  cv_.SignalAll();
}

Result<size_t> BodyPump::Read(char* dst, size_t max) {
  if (!has_body_ || max == 0) return size_t{0};
  Start();
  MutexLock lock(mu_);
  while (!full_ && !done_ && !stopped_) cv_.Wait(lock);
  if (full_) {
    const size_t n = std::min(max, piece_.size() - offset_);
    std::memcpy(dst, piece_.data() + offset_, n);
    offset_ += n;
    if (offset_ == piece_.size()) {
      full_ = false;
      cv_.SignalAll();
    }
    return n;
  }
  if (done_ && read_ok_) return size_t{0};
  return Status::Unavailable("the request body could not be read");
}

bool BodyPump::Drain(uint64_t limit) {
  char scratch[16 * 1024];
  uint64_t drained = 0;
  while (drained < limit) {
    Result<size_t> n = Read(scratch, sizeof(scratch));
    if (!n.ok()) return false;
    if (*n == 0) return true;
    drained += *n;
  }
  return false;
}

void BodyPump::Stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

bool BodyPump::failed() const {
  MutexLock lock(mu_);
  return failed_;
}

}  // namespace sealstack::server
