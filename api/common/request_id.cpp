#include "api/common/request_id.h"

#include <cstdio>
#include <random>

namespace sealstack::api {

namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

std::string NewUuidRequestId() {
  uint64_t a = Rng()(), b = Rng()();
  // Version 4, variant 10xx.
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string NewS3RequestId() {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llX", static_cast<unsigned long long>(Rng()()));
  return buf;
}

std::string NewS3HostId() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(56, 'A');
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t r = Rng()();
    for (size_t j = i; j < i + 8 && j < out.size(); ++j, r >>= 6) out[j] = kAlphabet[r & 63];
  }
  return out;
}

}  // namespace sealstack::api
