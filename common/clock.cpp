#include "common/clock.h"

#include <algorithm>

namespace sealstack {

namespace {
// Offset changes remembered: far more than any test makes, and a bounded amount of memory for a
// long-lived server whose clock a harness moves on every test.
constexpr size_t kMaxClockChanges = 4096;
}  // namespace

SystemTime OffsetClock::ServerTimeAt(SystemTime real) const {
  MutexLock lock(history_mu_);
  // The last change made at or before `real`; before the first, the offset it replaced.
  auto after = std::upper_bound(history_.begin(), history_.end(), real,
                                [](SystemTime t, const Change& c) { return t < c.real; });
  const int64_t offset_us =
      after == history_.begin() ? offset_before_history_us_ : std::prev(after)->offset_us;
  return real + std::chrono::microseconds(offset_us);
}

SystemTime OffsetClock::Advance(std::chrono::microseconds by) {
  MutexLock lock(history_mu_);
  return Record(offset_us_.load() + by.count());
}

SystemTime OffsetClock::SetOffset(std::chrono::microseconds offset) {
  MutexLock lock(history_mu_);
  return Record(offset.count());
}

SystemTime OffsetClock::Record(int64_t offset_us) {
  // The next whole second of the wall clock (strictly after now), never before the last change
  // (the wall clock may step back).
  const auto now_s = std::chrono::floor<std::chrono::seconds>(RealNow());
  SystemTime from = now_s + std::chrono::seconds(1);
  if (!history_.empty() && from < history_.back().real) from = history_.back().real;
  if (!history_.empty() && history_.back().real == from) {
    history_.back().offset_us = offset_us;  // two moves within one second: the last one counts
  } else {
    if (history_.size() == kMaxClockChanges) {
      offset_before_history_us_ = history_.front().offset_us;
      history_.erase(history_.begin());
    }
    history_.push_back({from, offset_us});
  }
  offset_us_ = offset_us;
  return from;
}

}  // namespace sealstack
