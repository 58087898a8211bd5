#include <catch2/catch.hpp>

#include "api/glue/glue_cron.h"
#include "test_util.h"

using namespace sealstack;
using namespace sealstack::api::glue;

namespace {

// 2026-12-07 18:47:13 UTC, a Monday.
SystemTime Base() {
  using namespace std::chrono;
  return SystemTime(sys_days(year{2026} / December / 7)) + hours(18) + minutes(47) + seconds(13);
}

std::string Next(const char* expr, SystemTime from = Base()) {
  auto s = CronSchedule::Parse(expr);
  REQUIRE_OK(s);
  auto t = s->NextAfter(from);
  if (!t) return "none";
  const auto day = std::chrono::floor<std::chrono::days>(*t);
  const std::chrono::year_month_day ymd(day);
  const auto mins = std::chrono::duration_cast<std::chrono::minutes>(*t - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(mins / 60), static_cast<long long>(mins % 60));
  return buf;
}

}  // namespace

TEST_CASE("cron: the next minute each expression names", "[glue]") {
  static const struct {
    const char* expr;
    const char* next;
  } kCases[] = {
      {"cron(* * * * ? *)", "2026-12-07 18:48"},
      {"cron(0/15 * * * ? *)", "2026-12-07 19:00"},
      {"cron(5/15 * * * ? *)", "2026-12-07 18:50"},
      {"cron(0 12 * * ? *)", "2026-12-08 12:00"},
      {"cron(0 18 ? * MON-FRI *)", "2026-12-08 18:00"},
      {"cron(0 8 1 * ? *)", "2027-01-01 08:00"},
      {"cron(0/10 * ? * MON-FRI *)", "2026-12-07 18:50"},
      {"cron(0 0 ? * SUN *)", "2026-12-13 00:00"},
      {"cron(0 0 ? * 1 *)", "2026-12-13 00:00"},
      {"cron(30 9 29 FEB ? *)", "2028-02-29 09:30"},
      {"cron(0,30 18,19 * * ? *)", "2026-12-07 19:00"},
      {"cron(0 0 1 JAN ? 2025)", "none"},
      {"cron(47 18 7 DEC ? 2026)", "none"},  // the minute itself is not "after"
      {"cron(48 18 7 DEC ? 2026)", "2026-12-07 18:48"},
  };
  for (const auto& c : kCases) {
    INFO(c.expr);
    CHECK(Next(c.expr) == c.next);
  }
}

TEST_CASE("cron: malformed expressions name what is wrong", "[glue]") {
  static const struct {
    const char* expr;
    const char* says;
  } kCases[] = {
      {"rate(5 minutes)", "expected cron("},
      {"cron(* * * * *)", "6 fields"},
      {"cron(* * * * * *)", "Day-of-week must be '?'"},
      {"cron(* * ? * ? *)", "Day-of-week must be '?'"},
      {"cron(60 * * * ? *)", "Minutes field '60'"},
      {"cron(* 24 * * ? *)", "Hours field"},
      {"cron(* * 0 * ? *)", "Day-of-month field"},
      {"cron(* * * FOO ? *)", "Month field"},
      {"cron(* * ? * 8 *)", "Day-of-week field"},
      {"cron(* * ? * 6L *)", "does not support"},
      {"cron(* * W * ? *)", "does not support"},
      {"cron(* * ? * 2#1 *)", "does not support"},
      {"cron(0/0 * * * ? *)", "invalid step"},
      {"cron(5-1 * * * ? *)", "out of range"},
      {"cron(* * * * ? 1969)", "Year field"},
  };
  for (const auto& c : kCases) {
    INFO(c.expr);
    auto s = CronSchedule::Parse(c.expr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.status().message(), Catch::Contains(c.says));
  }
}
