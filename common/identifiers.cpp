#include "common/identifiers.h"

#include <cstdio>

namespace sealstack {

namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

}  // namespace

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsRegionName(std::string_view s) {
  // Split at '-': the first part is two lowercase letters, the last one or more digits, and at
  // least one lowercase word lies between them.
  size_t parts = 0;
  size_t start = 0;
  for (;;) {
    const size_t dash = s.find('-', start);
    const std::string_view part =
        s.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    const bool last = dash == std::string_view::npos;
    if (part.empty()) return false;
    for (char c : part) {
      if (last ? !IsDigit(c) : !IsLower(c)) return false;
    }
    if (parts == 0 && (last || part.size() != 2)) return false;
    ++parts;
    if (last) return parts >= 3;
    start = dash + 1;
  }
}

bool IsOperationName(std::string_view s) {
  if (s.size() < 2 || !IsUpper(s[0])) return false;
  for (char c : s.substr(1)) {
    if (!IsDigit(c) && !IsLower(c) && !IsUpper(c)) return false;
  }
  return true;
}

bool IsAlnumPlus(std::string_view s, std::string_view extra) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c) && !IsLower(c) && !IsUpper(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string FormatUuid(uint64_t hi, uint64_t lo, unsigned version) {
  hi = (hi & 0xffffffffffff0fffULL) | (static_cast<uint64_t>(version & 0xf) << 12);
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace sealstack
