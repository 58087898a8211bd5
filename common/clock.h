// Clock: the one source of "now" for everything time-dependent (signature skew, presign
// expiry, key deletion, rotation). Tests and the admin API replace or offset it.
//
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace sealstack {

using SystemTime = std::chrono::system_clock::time_point;

// AWS counts key rotation periods, deletion windows and expirations in 24-hour days.
inline constexpr std::chrono::hours kOneDay{24};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime Now() const = 0;
};

// The wall clock plus an adjustable offset (the admin API's "advance").
class OffsetClock : public Clock {
 public:
  SystemTime Now() const override {
    return std::chrono::system_clock::now() + std::chrono::microseconds(offset_us_.load());
  }
  void Advance(std::chrono::microseconds by) { offset_us_ += by.count(); }
  void SetOffset(std::chrono::microseconds offset) { offset_us_ = offset.count(); }
  std::chrono::microseconds offset() const { return std::chrono::microseconds(offset_us_.load()); }

 private:
  std::atomic<int64_t> offset_us_{0};
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
