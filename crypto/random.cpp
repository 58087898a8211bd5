#include "crypto/random.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace sealstack::crypto {

Result<std::string> RandomSource::Bytes(size_t n) {
  std::string out(n, '\0');
  SEALSTACK_RETURN_IF_ERROR(Fill(reinterpret_cast<uint8_t*>(out.data()), n));
  return out;
}

Result<SecretBytes> RandomSource::Secret(size_t n) {
  SecretBytes out(n);
  SEALSTACK_RETURN_IF_ERROR(Fill(out.data(), n));
  return out;
}

Status SystemRandom::Fill(uint8_t* out, size_t n) {
  while (n > 0) {
    int chunk = static_cast<int>(std::min<size_t>(n, INT_MAX));
    if (RAND_bytes(out, chunk) != 1) return Status::Internal("RAND_bytes failed");
    out += chunk;
    n -= static_cast<size_t>(chunk);
  }
  return Status::Ok();
}

SystemRandom& SystemRandom::Default() {
  static SystemRandom instance;
  return instance;
}

namespace {

constexpr char kSeededLabel[] = "sealstack-seeded-random-v1";

std::string SeedFromInteger(uint64_t seed) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(seed & 0xff);
    seed >>= 8;
  }
  return s;
}

}  // namespace

SeededRandom::SeededRandom(std::string_view seed) : seed_(seed) {}
SeededRandom::SeededRandom(uint64_t seed) : seed_(SeedFromInteger(seed)) {}

Status SeededRandom::Fill(uint8_t* out, size_t n) {
  MutexLock lock(mutex_);
  while (n > 0) {
    if (block_used_ == sizeof(block_)) {
      uint8_t message[sizeof(kSeededLabel) - 1 + 8];
      std::memcpy(message, kSeededLabel, sizeof(kSeededLabel) - 1);
      for (int i = 0; i < 8; ++i) {
        message[sizeof(kSeededLabel) - 1 + i] = static_cast<uint8_t>(counter_ >> (56 - 8 * i));
      }
      static const uint8_t kEmptyKey = 0;  // HMAC() wants a non-null key even when it is empty
      const uint8_t* key = seed_.empty() ? &kEmptyKey : seed_.data();
      unsigned int len = 0;
      if (HMAC(EVP_sha256(), key, static_cast<int>(seed_.size()), message, sizeof(message), block_,
               &len) == nullptr ||
          len != sizeof(block_)) {
        return Status::Internal("HMAC-SHA256 failed in SeededRandom");
      }
      ++counter_;
      block_used_ = 0;
    }
    size_t take = std::min(n, sizeof(block_) - block_used_);
    std::memcpy(out, block_ + block_used_, take);
    block_used_ += take;
    out += take;
    n -= take;
  }
  return Status::Ok();
}

}  // namespace sealstack::crypto
