#include "server/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

#include "common/time_format.h"

namespace sealstack::server {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
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
  switch (level) {
    case LogLevel::kDebug:
      line += "DEBUG ";
      break;
    case LogLevel::kInfo:
      line += "INFO  ";
      break;
    case LogLevel::kWarn:
      line += "WARN  ";
      break;
    case LogLevel::kError:
      line += "ERROR ";
      break;
    case LogLevel::kOff:
      break;
  }
  line += message;
  line += '\n';
  // One write per line; a short write to stderr is not worth retrying in a logger.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace sealstack::server
