#include "api/common/request_id.h"

#include <cstdio>
#include <random>

#include "common/identifiers.h"

namespace sealstack::api {

namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

std::string NewUuidRequestId() {
  const uint64_t hi = Rng()();
  return FormatUuid(hi, Rng()(), 4);
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
