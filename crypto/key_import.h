// Importing key material into KMS (GetParametersForImport / ImportKeyMaterial, "BYOK").
//
// GetParametersForImport hands the client the public half of an RSA wrapping key pair
// (GenerateWrappingKey, then PrivateKey::PublicKeyDer); the client wraps its key material with
// it and ImportKeyMaterial unwraps it with the private half (UnwrapImportedKeyMaterial).
//
// Wrapped forms, by WrappingAlgorithm (OAEP uses MGF1 with the same hash and an empty label):
//   RSAES_OAEP_SHA_1 / _256          wrapped := RSA-OAEP(material)
//   RSA_AES_KEY_WRAP_SHA_1 / _256    wrapped := RSA-OAEP(aes_key) || AES-KWP(aes_key, material)
// where aes_key is an ephemeral 32-byte AES-256 key chosen by the client, the RSA part is
// exactly the modulus length, and AES-KWP is the RFC 5649 key wrap with padding (default IV
// A65959A6). This is the AWS "RSA_AES_KEY_WRAP" format (the PKCS#11 CKM_RSA_AES_KEY_WRAP
// mechanism), as produced by `openssl pkeyutl -encrypt` + `openssl enc -id-aes256-wrap-pad`.
//
// The plain RSAES algorithms can wrap at most MaxPlaintextSize(spec, alg) bytes (e.g. 190 with
// RSA_2048 and OAEP-SHA256), so asymmetric private keys need RSA_AES_KEY_WRAP. Which
// (algorithm, wrapping key spec, material) combinations KMS accepts is the caller's policy.
//
// Errors: anything that fails to unwrap (wrong wrapping key or algorithm, tampering, bad
// lengths) -> InvalidArgument "the wrapped key material could not be decrypted", to be reported
// as InvalidCiphertextException; OpenSSL or RNG failure -> Internal.
//
// Thread safety: all functions are reentrant; the PrivateKey and RandomSource passed in must be
// safe for concurrent use (they are, see asymmetric.h and random.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "crypto/asymmetric.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

enum class WrappingAlgorithm {
  kRsaesOaepSha1,        // "RSAES_OAEP_SHA_1"
  kRsaesOaepSha256,      // "RSAES_OAEP_SHA_256"
  kRsaAesKeyWrapSha1,    // "RSA_AES_KEY_WRAP_SHA_1"
  kRsaAesKeyWrapSha256,  // "RSA_AES_KEY_WRAP_SHA_256"
};

enum class WrappingKeySpec {
  kRsa2048,  // "RSA_2048"
  kRsa3072,  // "RSA_3072"
  kRsa4096,  // "RSA_4096"
};

std::string_view Name(WrappingAlgorithm alg);
std::string_view Name(WrappingKeySpec spec);
// Exact (case-sensitive) AWS names; nullopt for anything else (including the deprecated
// RSAES_PKCS1_V1_5, which KMS no longer accepts).
std::optional<WrappingAlgorithm> ParseWrappingAlgorithm(std::string_view name);
std::optional<WrappingKeySpec> ParseWrappingKeySpec(std::string_view name);

AsymmetricKeySpec ToAsymmetricKeySpec(WrappingKeySpec spec);

// A fresh RSA wrapping key pair as DER PKCS#8 (see GenerateKeyPair). RSA_4096 takes ~1 s.
Result<SecretBytes> GenerateWrappingKey(WrappingKeySpec spec);

// Server side (ImportKeyMaterial): recovers the key material from `wrapped`.
// REQUIRES: wrapping_key is an RSA key (InvalidArgument otherwise). Empty material, like any
// other unwrap failure, is InvalidArgument.
Result<SecretBytes> UnwrapImportedKeyMaterial(const PrivateKey& wrapping_key, WrappingAlgorithm alg,
                                              std::string_view wrapped);

// Client side, for tests and examples: wraps `material` for import under the wrapping public
// key (DER SubjectPublicKeyInfo), drawing the ephemeral AES key from `random`. Plain RSAES:
// material must fit MaxPlaintextSize (InvalidArgument otherwise). REQUIRES: !material.empty().
Result<std::string> WrapForImport(std::string_view wrapping_public_spki, WrappingAlgorithm alg,
                                  const SecretBytes& material, RandomSource& random);

}  // namespace sealstack::crypto
