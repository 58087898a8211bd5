#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace sealstack::crypto {

Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                               size_t length) {
  if (length == 0 || length > 255 * 32) {
    return Status::InvalidArgument("HKDF-SHA256 output length must be in [1, 8160]");
  }
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Status::Internal("EVP_KDF HKDF unavailable");

  // OSSL_PARAM wants non-const pointers; OpenSSL only reads these buffers.
  static uint8_t empty_buffer = 0;
  auto ptr = [](std::string_view s) {
    return s.empty() ? static_cast<void*>(&empty_buffer) : const_cast<char*>(s.data());
  };
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ptr(ikm.view()), ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, ptr(salt), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, ptr(info), info.size());
  params[n] = OSSL_PARAM_construct_end();

  SecretBytes out(length);
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return Status::Internal("HKDF-SHA256 derivation failed");
  return out;
}

}  // namespace sealstack::crypto
