#include "api/glue/glue_cron.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "common/strings.h"

namespace sealstack::api::glue {

namespace {

struct CronField {
  const char* name;
  int min, max;
  const char* const* names;  // min..max spelled out (Month, Day-of-week), else nullptr
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kWeekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr CronField kCronFields[] = {
    {"Minutes", 0, 59, nullptr},          {"Hours", 0, 23, nullptr},
    {"Day-of-month", 1, 31, nullptr},     {"Month", 1, 12, kMonthNames},
    {"Day-of-week", 1, 7, kWeekdayNames}, {"Year", 1970, 2199, nullptr},
};

Status CronError(const CronField& f, std::string_view text, std::string_view why) {
  return Status(StatusCode::kInvalidArgument,
                "Invalid schedule expression: " + std::string(f.name) + " field '" +
                    std::string(text) + "' " + std::string(why));
}

std::optional<int> CronValue(const CronField& f, std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (f.names != nullptr) {
    for (int i = 0; i <= f.max - f.min; ++i) {
      if (EqualsIgnoreCase(s, f.names[i])) return f.min + i;
    }
  }
  int v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9' || v > 100000) return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  if (v < f.min || v > f.max) return std::nullopt;
  return v;
}

// The values `text` names, as offsets from f.min.
Result<std::vector<bool>> ParseCronField(const CronField& f, std::string_view text) {
  std::vector<bool> out(static_cast<size_t>(f.max - f.min + 1), false);
  if (text.find_first_of("LW#") != std::string_view::npos) {
    return CronError(f, text, "uses L, W or #, which SealStack does not support");
  }
  for (std::string_view item : sealstack::Split(text, ',')) {
    std::string_view range = item;
    int step = 1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      auto s = CronValue({f.name, 1, f.max - f.min + 1, nullptr}, item.substr(slash + 1));
      if (!s) return CronError(f, text, "has an invalid step");
      step = *s;
    }
    int lo = f.min, hi = f.max;
    if (range != "*") {
      const size_t dash = range.find('-');
      auto a = CronValue(f, range.substr(0, dash));
      auto b = dash == std::string_view::npos ? a : CronValue(f, range.substr(dash + 1));
      if (!a || !b || *a > *b) return CronError(f, text, "is out of range");
      lo = *a;
      // "5/15" means from 5 on, every 15.
      hi = dash == std::string_view::npos && step > 1 ? f.max : *b;
    }
    for (int v = lo; v <= hi; v += step) out[static_cast<size_t>(v - f.min)] = true;
  }
  return out;
}

template <size_t N>
void Fill(std::bitset<N>& bits, const std::vector<bool>& values, int offset) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]) bits.set(i + static_cast<size_t>(offset));
  }
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  std::string_view body = Trim(expression);
  if (!StartsWith(body, "cron(") || body.back() != ')') {
    return Status(StatusCode::kInvalidArgument,
                  "Invalid schedule expression: " + std::string(expression) +
                      " (expected cron(Minutes Hours Day-of-month Month Day-of-week Year))");
  }
  body = Trim(body.substr(5, body.size() - 6));
  std::vector<std::string_view> fields;
  for (std::string_view f : sealstack::Split(body, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 6) {
    return Status(StatusCode::kInvalidArgument,
                  "Invalid schedule expression: " + std::string(expression) +
                      " (a cron expression has 6 fields)");
  }
  if ((fields[2] == "?") == (fields[4] == "?")) {
    return Status(StatusCode::kInvalidArgument,
                  "Invalid schedule expression: " + std::string(expression) +
                      " (exactly one of Day-of-month and Day-of-week must be '?')");
  }
  CronSchedule s;
  std::array<std::vector<bool>, 6> values;
  for (size_t i = 0; i < 6; ++i) {
    const std::string_view text = fields[i] == "?" ? std::string_view("*") : fields[i];
    SEALSTACK_ASSIGN_OR_RETURN(values[i], ParseCronField(kCronFields[i], text));
  }
  Fill(s.minutes_, values[0], 0);
  Fill(s.hours_, values[1], 0);
  Fill(s.days_, values[2], 1);
  Fill(s.months_, values[3], 1);
  Fill(s.weekdays_, values[4], 1);
  Fill(s.years_, values[5], 0);
  s.any_day_ = fields[2] == "?" || fields[2] == "*";
  s.any_weekday_ = fields[4] == "?" || fields[4] == "*";
  return s;
}

std::optional<SystemTime> CronSchedule::NextAfter(SystemTime t) const {
  using namespace std::chrono;
  const auto start = floor<minutes>(t) + minutes(1);
  sys_days day = floor<days>(start);
  minutes minute_of_day = duration_cast<minutes>(start - day);
  // Day by day (at most ~84,000 days to 2199), then minute by minute within a matching day.
  for (; day < sys_days(year{2200} / January / 1); day += days(1), minute_of_day = minutes(0)) {
    const year_month_day ymd(day);
    const int y = static_cast<int>(ymd.year()) - 1970;
    if (y < 0 || !years_.test(static_cast<size_t>(y))) continue;
    if (!months_.test(static_cast<unsigned>(ymd.month()))) continue;
    const bool day_ok = any_day_ || days_.test(static_cast<unsigned>(ymd.day()));
    const bool weekday_ok = any_weekday_ || weekdays_.test(weekday(day).c_encoding() + 1);
    if (!day_ok || !weekday_ok) continue;
    for (auto m = minute_of_day; m < minutes(24 * 60); m += minutes(1)) {
      const auto h = static_cast<size_t>(m.count() / 60);
      const auto mi = static_cast<size_t>(m.count() % 60);
      if (hours_.test(h) && minutes_.test(mi)) return SystemTime(day) + m;
    }
  }
  return std::nullopt;
}

}  // namespace sealstack::api::glue
