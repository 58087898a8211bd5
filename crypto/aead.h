// AES-256-GCM authenticated encryption: the one AEAD everything in SealStack is sealed with
// (KMS ciphertext blobs, wrapped keys, object segments).
//
// Sealed form is ciphertext || 16-byte tag; the 12-byte nonce and the AAD travel separately and
// are the caller's business (the formats in docs/formats/ say where they come from).
//
// REQUIRES (of every caller): a nonce is never used twice with the same key. GCM loses both
// confidentiality and integrity otherwise.
//
// Errors: wrong key or nonce size -> InvalidArgument; a tag that does not verify (wrong key,
// nonce or AAD, flipped bit, truncation) -> Integrity; OpenSSL failures -> Internal. Open never
// returns unauthenticated plaintext.
//
// Thread safety: an AesGcm object keeps reusable OpenSSL contexts and is NOT safe for
// concurrent use; give each thread its own, or guard it. The free functions are reentrant.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

inline constexpr size_t kAes256KeySize = 32;
inline constexpr size_t kGcmNonceSize = 12;
inline constexpr size_t kGcmTagSize = 16;

// AES-256-GCM under one key. The key schedule is computed once in Create(); each call only
// resets the nonce, so sealing many small messages (segments) under one key is cheap.
class AesGcm {
 public:
  // REQUIRES: key.size() == kAes256KeySize, else InvalidArgument.
  static Result<AesGcm> Create(const SecretBytes& key);

  // Movable, not copyable. A moved-from AesGcm must not be used.
  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;
  ~AesGcm();

  // Appends ciphertext || tag (plaintext.size() + kGcmTagSize bytes) to *out.
  // REQUIRES: nonce.size() == kGcmNonceSize.
  Status SealAppend(std::string_view nonce, std::string_view aad, std::string_view plaintext,
                    std::string* out);
  Result<std::string> Seal(std::string_view nonce, std::string_view aad,
                           std::string_view plaintext);

  // Verifies and decrypts sealed = ciphertext || tag, appending the plaintext to *out. On any
  // failure *out is left exactly as it was. sealed shorter than a tag -> Integrity.
  Status OpenAppend(std::string_view nonce, std::string_view aad, std::string_view sealed,
                    std::string* out);
  // The same, for key material: the plaintext only ever lives in zeroising storage.
  Result<SecretBytes> Open(std::string_view nonce, std::string_view aad, std::string_view sealed);

 private:
  struct Contexts;
  explicit AesGcm(std::unique_ptr<Contexts> contexts);

  // Decrypts into out[0, sealed.size() - kGcmTagSize) and verifies the tag.
  Status OpenInto(std::string_view nonce, std::string_view aad, std::string_view sealed,
                  uint8_t* out);

  std::unique_ptr<Contexts> contexts_;
};

// One-shot forms; they build a fresh AesGcm for the call.
Result<std::string> AesGcmSeal(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                               std::string_view plaintext);
Result<SecretBytes> AesGcmOpen(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                               std::string_view sealed);

}  // namespace sealstack::crypto
