// HMAC keys for KMS (KeySpec HMAC_224/256/384/512, GenerateMac / VerifyMac). OpenSSL underneath.
//
// KMS generates HMAC key material of a fixed size per key spec (the hash's output length):
//   HMAC_224: 28 bytes, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64.
// Mac() accepts any non-empty key, so imported material of another length works too; which
// lengths an import may use is the caller's policy.
//
// Errors: an empty key -> InvalidArgument; OpenSSL or RNG failure -> Internal.
//
// Thread safety: all functions are reentrant.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

enum class HmacKeySpec {
  kHmac224,  // "HMAC_224"
  kHmac256,  // "HMAC_256"
  kHmac384,  // "HMAC_384"
  kHmac512,  // "HMAC_512"
};

enum class MacAlgorithm {
  kHmacSha224,  // "HMAC_SHA_224"
  kHmacSha256,  // "HMAC_SHA_256"
  kHmacSha384,  // "HMAC_SHA_384"
  kHmacSha512,  // "HMAC_SHA_512"
};

std::string_view Name(HmacKeySpec spec);
std::string_view Name(MacAlgorithm alg);
// Exact (case-sensitive) AWS names; nullopt for anything else.
std::optional<HmacKeySpec> ParseHmacKeySpec(std::string_view name);
std::optional<MacAlgorithm> ParseMacAlgorithm(std::string_view name);

// The one MAC algorithm KMS allows for an HMAC key spec (HMAC_256 -> HMAC_SHA_256, ...).
MacAlgorithm MacAlgorithmFor(HmacKeySpec spec);

// Size of KMS-generated key material for `spec`: 28, 32, 48 or 64 bytes.
size_t HmacKeySize(HmacKeySpec spec);

// Size of the MAC that `alg` produces: 28, 32, 48 or 64 bytes.
size_t MacSize(MacAlgorithm alg);

// Fresh key material of HmacKeySize(spec) bytes from `random`.
Result<SecretBytes> GenerateHmacKey(HmacKeySpec spec, RandomSource& random);

// HMAC(key, message) with the algorithm's hash: MacSize(alg) raw bytes.
// REQUIRES: !key.empty() (InvalidArgument otherwise).
Result<std::string> Mac(MacAlgorithm alg, const SecretBytes& key, std::string_view message);

// True iff `mac` equals Mac(alg, key, message), compared in constant time. False on any error
// (including an empty key).
bool VerifyMac(MacAlgorithm alg, const SecretBytes& key, std::string_view message,
               std::string_view mac);

}  // namespace sealstack::crypto
