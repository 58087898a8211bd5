#include "crypto/hkdf.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "crypto/digest.h"

namespace sealstack::crypto {

namespace {

constexpr size_t kSha256Size = 32;

// Overwrites a string that held key material before it is freed.
void Cleanse(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
}

}  // namespace

// RFC 5869 on the process's HMAC-SHA256 (digest.h, its digest fetched once). OpenSSL's EVP_KDF
// fetched the KDF and then the digest by name on every call: a sixth of a small S3 GET, which
// derives its segment key here.
Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                               size_t length) {
  if (length == 0 || length > 255 * kSha256Size) {
    return Status::InvalidArgument("HKDF-SHA256 output length must be in [1, 8160]");
  }
  // Extract: PRK = HMAC(salt, IKM), a salt of HashLen zeros when none is given.
  const std::string zeros(kSha256Size, '\0');
  std::string prk = HmacSha256(salt.empty() ? std::string_view(zeros) : salt, ikm.view());
  // Expand: T(i) = HMAC(PRK, T(i-1) | info | i), the output is T(1) | T(2) | ... cut to length.
  SecretBytes out(length);
  std::string block;
  std::string input;
  size_t done = 0;
  for (unsigned i = 1; done < length; ++i) {
    input.assign(block).append(info).push_back(static_cast<char>(i));
    Cleanse(&block);
    block = HmacSha256(prk, input);
    const size_t n = std::min(block.size(), length - done);
    std::memcpy(out.data() + done, block.data(), n);
    done += n;
  }
  Cleanse(&prk);
  Cleanse(&block);
  Cleanse(&input);
  return out;
}

}  // namespace sealstack::crypto
