// Wrapping key material under the root key (docs/formats/wrapped-key.md).
//
// Everything secret that SealStack stores (KMS backing keys, S3-managed keys, ...) is stored
// wrapped: AES-256-GCM under the root key with a fresh random nonce, in a versioned blob
//
//   wrapped := version(0x01) nonce[12] ciphertext tag[16]
//
// The AAD binds the version, a purpose label chosen by the caller ("kms-key", "sse-s3-key", ...)
// and an optional context (e.g. the id of the key the material belongs to), so a blob wrapped
// for one purpose or owner cannot be unwrapped as another. crypto/ does not define the labels;
// their owners do.
//
// Errors: root key not 32 bytes, empty or over-long purpose -> InvalidArgument; a blob that is
// truncated, corrupted, or wrapped for another purpose/context/root key -> Integrity; an unknown
// version byte -> Integrity; OpenSSL or RNG failure -> Internal.
//
// Thread safety: a KeyWrapper may be shared by all threads (it serialises use of its cipher).
// The RandomSource it is given must outlive it and be thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

inline constexpr uint8_t kWrappedKeyVersion = 1;
// version + nonce + tag: a wrapped blob is this much longer than the material inside it.
inline constexpr size_t kWrappedKeyOverhead = 1 + kGcmNonceSize + kGcmTagSize;
inline constexpr size_t kMaxWrapPurposeSize = 255;

class KeyWrapper {
 public:
  // REQUIRES: root_key.size() == 32 (InvalidArgument otherwise).
  static Result<std::unique_ptr<KeyWrapper>> Create(const SecretBytes& root_key,
                                                    RandomSource& random);

  // Wraps `material` for `purpose` (1..255 bytes) and optional `context`.
  // Result size: material.size() + kWrappedKeyOverhead.
  Result<std::string> Wrap(std::string_view purpose, const SecretBytes& material,
                           std::string_view context = {});

  // Inverse of Wrap; purpose and context must be the ones used to wrap.
  Result<SecretBytes> Unwrap(std::string_view purpose, std::string_view wrapped,
                             std::string_view context = {});

 private:
  KeyWrapper(AesGcm gcm, RandomSource& random);

  Mutex mutex_;
  AesGcm gcm_ GUARDED_BY(mutex_);
  RandomSource& random_;
};

// One-shot forms for callers that wrap rarely.
Result<std::string> WrapKey(const SecretBytes& root_key, std::string_view purpose,
                            const SecretBytes& material, RandomSource& random,
                            std::string_view context = {});
Result<SecretBytes> UnwrapKey(const SecretBytes& root_key, std::string_view purpose,
                              std::string_view wrapped, std::string_view context = {});

}  // namespace sealstack::crypto
