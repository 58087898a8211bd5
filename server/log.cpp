#include "server/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

#include "common/name_table.h"
#include "common/time_format.h"

namespace sealstack::server {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

// The level as a line shows it, padded to one width (kOff lines are never written).
constexpr NameEntry<LogLevel> kLevelColumns[] = {
    {LogLevel::kDebug, "DEBUG "},
    {LogLevel::kInfo, "INFO  "},
    {LogLevel::kWarn, "WARN  "},
    {LogLevel::kError, "ERROR "},
};

}  // namespace

void SetLogLevel(LogLevel level) {
  g_level = static_cast<int>(level);
}

bool LogEnabled(LogLevel level) {
  return level != LogLevel::kOff && static_cast<int>(level) >= g_level.load();
}

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  std::string line = FormatIso8601(std::chrono::system_clock::now(), /*with_millis=*/true);
  line += ' ';
  line += NameOf(kLevelColumns, level, "");
  line += message;
  line += '\n';
  // One write per line; a short write to stderr is not worth retrying in a logger.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace sealstack::server
