// Clock: the one source of "now" for everything time-dependent (signature skew, presign
// expiry, key deletion, rotation). Tests and the admin API replace or offset it.
//
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/mutex.h"

namespace sealstack {

using SystemTime = std::chrono::system_clock::time_point;

// AWS counts key rotation periods, deletion windows and expirations in 24-hour days.
inline constexpr std::chrono::hours kOneDay{24};

class Clock {
 public:
  virtual ~Clock() = default;
  // Server time: what deletions, rotations, expiries and aws:CurrentTime go by.
  virtual SystemTime Now() const = 0;
  // The clock clients have (the wall clock), which moving server time leaves alone. A request
  // signed "now" carries this time. Equal to Now() for a clock that is not offset.
  virtual SystemTime RealNow() const { return Now(); }
  // Server time at the moment the wall clock read `real` (a presigned URL's signing time): `real`
  // plus the offset in force then. The identity for a clock that is not offset.
  virtual SystemTime ServerTimeAt(SystemTime real) const { return real; }
};

// The wall clock plus an adjustable offset (the admin API's "advance" and "set"). It remembers
// the offsets it has had, by the wall-clock time each began to count for signed times, so a time
// a client signed (in whole seconds, like X-Amz-Date) maps to the server time of that moment
// (ServerTimeAt).
//
// A move changes Now() at once, but counts for signed times only from the next whole second of
// the wall clock (the moment Advance and SetOffset return): a time signed in whole seconds
// before the move is earlier than that, one signed after the caller waited until then is not.
// This is a commit wait, as databases do for clock uncertainty: the caller that must tell
// "signed before" from "signed after" (the admin API) waits until the returned time before it
// answers.
class OffsetClock : public Clock {
 public:
  SystemTime Now() const override { return RealNow() + offset(); }
  SystemTime RealNow() const override { return std::chrono::system_clock::now(); }
  SystemTime ServerTimeAt(SystemTime real) const override EXCLUDES(history_mu_);

  // Both return the wall-clock time from which signed times map with the new offset.
  SystemTime Advance(std::chrono::microseconds by) EXCLUDES(history_mu_);
  SystemTime SetOffset(std::chrono::microseconds offset) EXCLUDES(history_mu_);
  std::chrono::microseconds offset() const { return std::chrono::microseconds(offset_us_.load()); }

 private:
  // Sets the offset and appends the change to the history (a bounded number of the latest;
  // earlier wall-clock times map with the offset the oldest kept change replaced). Returns when
  // it counts for signed times.
  SystemTime Record(int64_t offset_us) REQUIRES(history_mu_);

  std::atomic<int64_t> offset_us_{0};
  struct Change {
    SystemTime real;  // signed times from this wall-clock time on map with `offset_us`
    int64_t offset_us;
  };
  mutable Mutex history_mu_;
  std::vector<Change> history_ GUARDED_BY(history_mu_);  // in order of `real`
  int64_t offset_before_history_us_ GUARDED_BY(history_mu_) = 0;
};

// A clock that only moves when told to; for unit tests.
class FakeClock : public Clock {
 public:
  explicit FakeClock(SystemTime t) : us_(ToMicros(t)) {}
  SystemTime Now() const override { return SystemTime(std::chrono::microseconds(us_.load())); }
  void Set(SystemTime t) { us_ = ToMicros(t); }
  void Advance(std::chrono::microseconds by) { us_ += by.count(); }

 private:
  static int64_t ToMicros(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> us_;
};

}  // namespace sealstack
