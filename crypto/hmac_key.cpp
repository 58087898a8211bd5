#include "crypto/hmac_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <climits>

#include "common/name_table.h"

namespace sealstack::crypto {

namespace {

constexpr std::array<NameEntry<HmacKeySpec>, 4> kHmacKeySpecNames{{
    {HmacKeySpec::kHmac224, "HMAC_224"},
    {HmacKeySpec::kHmac256, "HMAC_256"},
    {HmacKeySpec::kHmac384, "HMAC_384"},
    {HmacKeySpec::kHmac512, "HMAC_512"},
}};

constexpr std::array<NameEntry<MacAlgorithm>, 4> kMacAlgorithmNames{{
    {MacAlgorithm::kHmacSha224, "HMAC_SHA_224"},
    {MacAlgorithm::kHmacSha256, "HMAC_SHA_256"},
    {MacAlgorithm::kHmacSha384, "HMAC_SHA_384"},
    {MacAlgorithm::kHmacSha512, "HMAC_SHA_512"},
}};

const EVP_MD* Md(MacAlgorithm alg) {
  switch (alg) {
    case MacAlgorithm::kHmacSha224:
      return EVP_sha224();
    case MacAlgorithm::kHmacSha256:
      return EVP_sha256();
    case MacAlgorithm::kHmacSha384:
      return EVP_sha384();
    case MacAlgorithm::kHmacSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

}  // namespace

std::string_view Name(HmacKeySpec spec) {
  return NameOf(kHmacKeySpecNames, spec);
}

std::string_view Name(MacAlgorithm alg) {
  return NameOf(kMacAlgorithmNames, alg);
}

std::optional<HmacKeySpec> ParseHmacKeySpec(std::string_view name) {
  return ValueOf(kHmacKeySpecNames, name);
}

std::optional<MacAlgorithm> ParseMacAlgorithm(std::string_view name) {
  return ValueOf(kMacAlgorithmNames, name);
}

MacAlgorithm MacAlgorithmFor(HmacKeySpec spec) {
  switch (spec) {
    case HmacKeySpec::kHmac224:
      return MacAlgorithm::kHmacSha224;
    case HmacKeySpec::kHmac256:
      return MacAlgorithm::kHmacSha256;
    case HmacKeySpec::kHmac384:
      return MacAlgorithm::kHmacSha384;
    case HmacKeySpec::kHmac512:
      return MacAlgorithm::kHmacSha512;
  }
  return MacAlgorithm::kHmacSha256;
}

size_t HmacKeySize(HmacKeySpec spec) {
  return MacSize(MacAlgorithmFor(spec));
}

size_t MacSize(MacAlgorithm alg) {
  return static_cast<size_t>(EVP_MD_get_size(Md(alg)));
}

Result<SecretBytes> GenerateHmacKey(HmacKeySpec spec, RandomSource& random) {
  return random.Secret(HmacKeySize(spec));
}

Result<std::string> Mac(MacAlgorithm alg, const SecretBytes& key, std::string_view message) {
  if (key.empty()) return Status::InvalidArgument("HMAC key must not be empty");
  if (key.size() > INT_MAX) return Status::InvalidArgument("HMAC key too large");
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(Md(alg), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out,
           &len) == nullptr) {
    ERR_clear_error();
    return Status::Internal("HMAC failed");
  }
  std::string mac(reinterpret_cast<const char*>(out), len);
  OPENSSL_cleanse(out, sizeof(out));
  return mac;
}

bool VerifyMac(MacAlgorithm alg, const SecretBytes& key, std::string_view message,
               std::string_view mac) {
  Result<std::string> expected = Mac(alg, key, message);
  return expected.ok() && ConstantTimeEquals(*expected, mac);
}

}  // namespace sealstack::crypto
