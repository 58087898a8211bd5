// Glue's schedule expressions: AWS's six-field cron ("cron(Minutes Hours Day-of-month Month
// Day-of-week Year)", the CloudWatch Events / EventBridge syntax Glue triggers and crawler
// schedules use), evaluated in UTC.
//
//   expression := "cron(" field{6, blank-separated} ")"
//   field      := "*" | "?" | item ("," item)*
//   item       := value | value "-" value | (value | "*" | value "-" value) "/" step
//   value      := number | JAN..DEC (Month) | SUN..SAT (Day-of-week, 1 = SUN ... 7 = SAT)
//
// Ranges: Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12, Day-of-week 1-7,
// Year 1970-2199. As on AWS, one of Day-of-month and Day-of-week must be "?" (not both).
// Not supported (InvalidArgument naming them): "L", "W" and "#" (last day, nearest weekday,
// nth weekday), and rate(...) expressions (Glue schedules take cron only).
//
// Thread safety: a parsed CronSchedule is immutable; its methods may be called concurrently.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace sealstack::api::glue {

class CronSchedule {
 public:
  // InvalidArgument with a message naming the field that is wrong.
  static Result<CronSchedule> Parse(std::string_view expression);

  // The first minute strictly after `t` that the schedule names (seconds zero), or nullopt
  // when there is none before the end of year 2199.
  std::optional<SystemTime> NextAfter(SystemTime t) const;

 private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1..31
  std::bitset<13> months_;    // 1..12
  std::bitset<8> weekdays_;   // 1..7, 1 = Sunday
  std::bitset<230> years_;    // year - 1970
  bool any_day_ = false;      // Day-of-month is "?" (Day-of-week decides) or "*"
  bool any_weekday_ = false;  // Day-of-week is "?" or "*"
};

}  // namespace sealstack::api::glue
