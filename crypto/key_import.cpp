#include "crypto/key_import.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <climits>
#include <memory>

#include "common/name_table.h"
#include "crypto/aead.h"
#include "crypto/openssl_handles.h"

namespace sealstack::crypto {

namespace {

using openssl::UniqueCipherCtx;

constexpr std::array<NameEntry<WrappingAlgorithm>, 4> kWrappingAlgorithmNames{{
    {WrappingAlgorithm::kRsaesOaepSha1, "RSAES_OAEP_SHA_1"},
    {WrappingAlgorithm::kRsaesOaepSha256, "RSAES_OAEP_SHA_256"},
    {WrappingAlgorithm::kRsaAesKeyWrapSha1, "RSA_AES_KEY_WRAP_SHA_1"},
    {WrappingAlgorithm::kRsaAesKeyWrapSha256, "RSA_AES_KEY_WRAP_SHA_256"},
}};

constexpr std::array<NameEntry<WrappingKeySpec>, 3> kWrappingKeySpecNames{{
    {WrappingKeySpec::kRsa2048, "RSA_2048"},
    {WrappingKeySpec::kRsa3072, "RSA_3072"},
    {WrappingKeySpec::kRsa4096, "RSA_4096"},
}};

// RFC 5649: the wrapped form of n bytes is 8 * ceil(n / 8) + 8 bytes, at least 16.
constexpr size_t kKwpBlock = 8;

Status UnwrapFailed() {
  return Status::InvalidArgument("the wrapped key material could not be decrypted");
}

bool UsesKeyWrap(WrappingAlgorithm alg) {
  return alg == WrappingAlgorithm::kRsaAesKeyWrapSha1 ||
         alg == WrappingAlgorithm::kRsaAesKeyWrapSha256;
}

EncryptionAlgorithm OaepOf(WrappingAlgorithm alg) {
  return alg == WrappingAlgorithm::kRsaesOaepSha1 || alg == WrappingAlgorithm::kRsaAesKeyWrapSha1
             ? EncryptionAlgorithm::kRsaesOaepSha1
             : EncryptionAlgorithm::kRsaesOaepSha256;
}

// AES-256 key wrap with padding (RFC 5649) of `in` under `kek`, in either direction. The
// unwrap direction authenticates (integrity check value and padding) and fails on any mismatch.
// Returns nullopt on failure; the OpenSSL error queue is cleared either way.
std::optional<SecretBytes> Kwp(bool wrap, const SecretBytes& kek, std::string_view in) {
  if (kek.size() != kAes256KeySize || in.size() > INT_MAX - 2 * kKwpBlock) return std::nullopt;
  UniqueCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return std::nullopt;
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  // Room for the padded input plus the 8-byte integrity block, and one spare block.
  SecretBytes buffer(in.size() + 2 * kKwpBlock);
  int len = 0;
  int final_len = 0;
  const bool ok = EVP_CipherInit_ex(ctx.get(), EVP_aes_256_wrap_pad(), nullptr, kek.data(), nullptr,
                                    wrap ? 1 : 0) == 1 &&
                  EVP_CipherUpdate(ctx.get(), buffer.data(), &len,
                                   reinterpret_cast<const unsigned char*>(in.data()),
                                   static_cast<int>(in.size())) == 1 &&
                  len >= 0 && EVP_CipherFinal_ex(ctx.get(), buffer.data() + len, &final_len) == 1;
  ERR_clear_error();
  if (!ok) return std::nullopt;
  return SecretBytes(buffer.data(), static_cast<size_t>(len + final_len));
}

}  // namespace

std::string_view Name(WrappingAlgorithm alg) {
  return NameOf(kWrappingAlgorithmNames, alg);
}

std::string_view Name(WrappingKeySpec spec) {
  return NameOf(kWrappingKeySpecNames, spec);
}

std::optional<WrappingAlgorithm> ParseWrappingAlgorithm(std::string_view name) {
  return ValueOf(kWrappingAlgorithmNames, name);
}

std::optional<WrappingKeySpec> ParseWrappingKeySpec(std::string_view name) {
  return ValueOf(kWrappingKeySpecNames, name);
}

AsymmetricKeySpec ToAsymmetricKeySpec(WrappingKeySpec spec) {
  switch (spec) {
    case WrappingKeySpec::kRsa2048:
      return AsymmetricKeySpec::kRsa2048;
    case WrappingKeySpec::kRsa3072:
      return AsymmetricKeySpec::kRsa3072;
    case WrappingKeySpec::kRsa4096:
      return AsymmetricKeySpec::kRsa4096;
  }
  return AsymmetricKeySpec::kRsa2048;
}

Result<SecretBytes> GenerateWrappingKey(WrappingKeySpec spec) {
  return GenerateKeyPair(ToAsymmetricKeySpec(spec));
}

Result<SecretBytes> UnwrapImportedKeyMaterial(const PrivateKey& wrapping_key, WrappingAlgorithm alg,
                                              std::string_view wrapped) {
  if (!IsRsa(wrapping_key.spec())) {
    return Status::InvalidArgument("the wrapping key must be an RSA key");
  }
  const EncryptionAlgorithm oaep = OaepOf(alg);
  if (!UsesKeyWrap(alg)) {
    Result<SecretBytes> material = wrapping_key.Decrypt(oaep, wrapped);
    if (!material.ok()) {
      if (material.status().code() == StatusCode::kIntegrity) return UnwrapFailed();
      return material.status();
    }
    if (material->empty()) return UnwrapFailed();
    return material;
  }

  const size_t rsa_size = RsaModulusSize(wrapping_key.spec());
  if (wrapped.size() < rsa_size + 2 * kKwpBlock) return UnwrapFailed();
  Result<SecretBytes> aes_key = wrapping_key.Decrypt(oaep, wrapped.substr(0, rsa_size));
  if (!aes_key.ok()) {
    if (aes_key.status().code() == StatusCode::kIntegrity) return UnwrapFailed();
    return aes_key.status();
  }
  if (aes_key->size() != kAes256KeySize) return UnwrapFailed();
  std::optional<SecretBytes> material = Kwp(/*wrap=*/false, *aes_key, wrapped.substr(rsa_size));
  if (!material || material->empty()) return UnwrapFailed();
  return std::move(*material);
}

Result<std::string> WrapForImport(std::string_view wrapping_public_spki, WrappingAlgorithm alg,
                                  const SecretBytes& material, RandomSource& random) {
  if (material.empty()) return Status::InvalidArgument("key material must not be empty");
  SEALSTACK_ASSIGN_OR_RETURN(PublicKey wrapping_key, PublicKey::FromDer(wrapping_public_spki));
  if (!IsRsa(wrapping_key.spec())) {
    return Status::InvalidArgument("the wrapping key must be an RSA key");
  }
  const EncryptionAlgorithm oaep = OaepOf(alg);
  if (!UsesKeyWrap(alg)) return wrapping_key.Encrypt(oaep, material.view());

  SEALSTACK_ASSIGN_OR_RETURN(SecretBytes aes_key, random.Secret(kAes256KeySize));
  SEALSTACK_ASSIGN_OR_RETURN(std::string wrapped, wrapping_key.Encrypt(oaep, aes_key.view()));
  std::optional<SecretBytes> kwp = Kwp(/*wrap=*/true, aes_key, material.view());
  if (!kwp) return Status::Internal("AES key wrap with padding failed");
  wrapped.append(kwp->view());
  return wrapped;
}

}  // namespace sealstack::crypto
