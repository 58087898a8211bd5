// RandomSource: the one way crypto/ and its callers get random bytes (keys, nonces, object ids).
//
// Injected rather than called globally, so unit tests can pin every "random" byte and golden tests
// can pin whole ciphertexts. Production code uses SystemRandom; SeededRandom is for tests only.
//
// Thread safety: SystemRandom and SeededRandom are safe to call from several threads at once.
// (SeededRandom serialises callers, so its output order then depends on scheduling.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

class RandomSource {
 public:
  virtual ~RandomSource() = default;

  // Fills out[0, n) with random bytes. Returns Internal if the generator failed; out's contents
  // are then unspecified and must not be used.
  virtual Status Fill(uint8_t* out, size_t n) = 0;

  // n random bytes as a (binary) string: nonces, salts, object ids.
  Result<std::string> Bytes(size_t n);

  // n random bytes held in zeroising storage: keys.
  Result<SecretBytes> Secret(size_t n);
};

// The operating system's CSPRNG through OpenSSL's RAND_bytes. Use this outside tests.
class SystemRandom final : public RandomSource {
 public:
  Status Fill(uint8_t* out, size_t n) override;

  // A process-wide instance, for callers that have nothing to inject.
  static SystemRandom& Default();
};

// TEST ONLY. A deterministic byte stream from a seed: block i of the stream is
//   HMAC-SHA256(seed, "sealstack-seeded-random-v1" || u64be(i))
// and Fill() hands out the stream in order, so the bytes produced depend only on the seed and the
// total number of bytes drawn so far, not on how the draws were split into calls. Predictable by
// anyone who knows the seed: never use it for real keys.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::string_view seed);
  explicit SeededRandom(uint64_t seed);  // the seed as 8 big-endian bytes

  Status Fill(uint8_t* out, size_t n) override;

 private:
  Mutex mutex_;
  const SecretBytes seed_;
  uint64_t counter_ GUARDED_BY(mutex_) = 0;    // index of the next block to generate
  uint8_t block_[32] GUARDED_BY(mutex_) = {};  // the current block
  size_t block_used_ GUARDED_BY(mutex_) = 32;  // bytes of block_ already handed out
};

}  // namespace sealstack::crypto
