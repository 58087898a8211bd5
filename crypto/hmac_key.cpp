#include "crypto/hmac_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <climits>

namespace sealstack::crypto {

namespace {

struct SpecEntry {
  HmacKeySpec spec;
  std::string_view name;
};
constexpr std::array<SpecEntry, 4> kSpecNames{{
    {HmacKeySpec::kHmac224, "HMAC_224"},
    {HmacKeySpec::kHmac256, "HMAC_256"},
    {HmacKeySpec::kHmac384, "HMAC_384"},
    {HmacKeySpec::kHmac512, "HMAC_512"},
}};

struct AlgorithmEntry {
  MacAlgorithm alg;
  std::string_view name;
};
constexpr std::array<AlgorithmEntry, 4> kAlgorithmNames{{
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
  for (const auto& e : kSpecNames) {
    if (e.spec == spec) return e.name;
  }
  return "UNKNOWN";
}

std::string_view Name(MacAlgorithm alg) {
  for (const auto& e : kAlgorithmNames) {
    if (e.alg == alg) return e.name;
  }
  return "UNKNOWN";
}

std::optional<HmacKeySpec> ParseHmacKeySpec(std::string_view name) {
  for (const auto& e : kSpecNames) {
    if (e.name == name) return e.spec;
  }
  return std::nullopt;
}

std::optional<MacAlgorithm> ParseMacAlgorithm(std::string_view name) {
  for (const auto& e : kAlgorithmNames) {
    if (e.name == name) return e.alg;
  }
  return std::nullopt;
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
