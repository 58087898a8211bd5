#include "crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <stdexcept>

namespace sealstack::crypto {

namespace {

// OpenSSL 3 looks the algorithm up in its provider registry on every EVP_DigestInit_ex with a
// legacy EVP_sha256() handle and on every one-shot HMAC() (EVP_Q_mac fetches "HMAC" and the
// digest by name); on a small KMS or S3 request that lookup costs more than the hashing. The
// digests are therefore fetched once per process (never freed: they live as long as the
// process) and each thread keeps one reusable context.
enum class Digest { kMd5, kSha1, kSha256, kCount };

const EVP_MD* Fetched(Digest d) {
  static const EVP_MD* const kFetched[] = {
      EVP_MD_fetch(nullptr, "MD5", nullptr),
      EVP_MD_fetch(nullptr, "SHA1", nullptr),
      EVP_MD_fetch(nullptr, "SHA256", nullptr),
  };
  static_assert(std::size(kFetched) == static_cast<size_t>(Digest::kCount));
  const EVP_MD* md = kFetched[static_cast<size_t>(d)];
  if (md == nullptr) throw std::runtime_error("EVP_MD_fetch failed");
  return md;
}

Digest DigestOf(HashStream::Algorithm alg) {
  switch (alg) {
    case HashStream::Algorithm::kMd5:
      return Digest::kMd5;
    case HashStream::Algorithm::kSha1:
      return Digest::kSha1;
    case HashStream::Algorithm::kSha256:
      return Digest::kSha256;
  }
  return Digest::kSha256;
}

// The calling thread's digest context, reset for `md`.
EVP_MD_CTX* ThreadContext(const EVP_MD* md) {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr || EVP_DigestInit_ex2(holder.ctx, md, nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex2 failed");
  }
  return holder.ctx;
}

// The digest of the concatenation of `parts`, into `out` (EVP_MAX_MD_SIZE bytes); its length.
template <size_t N>
unsigned int DigestInto(const EVP_MD* md, const std::string_view (&parts)[N], unsigned char* out) {
  EVP_MD_CTX* ctx = ThreadContext(md);
  for (std::string_view part : parts) {
    if (!part.empty() && EVP_DigestUpdate(ctx, part.data(), part.size()) != 1) {
      throw std::runtime_error("EVP_DigestUpdate failed");
    }
  }
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out, &len) != 1)
    throw std::runtime_error("EVP_DigestFinal_ex failed");
  return len;
}

std::string OneShot(Digest d, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  const std::string_view parts[] = {data};
  const unsigned int len = DigestInto(Fetched(d), parts, out);
  return std::string(reinterpret_cast<char*>(out), len);
}

// RFC 2104: H((K ^ opad) || H((K ^ ipad) || data)), K hashed first when longer than a block.
std::string Hmac(Digest d, std::string_view key, std::string_view data) {
  const EVP_MD* md = Fetched(d);
  constexpr size_t kMaxBlock = 128;  // SHA-512's; MD5, SHA-1 and SHA-256 have 64
  const auto block = static_cast<size_t>(EVP_MD_get_block_size(md));
  if (block == 0 || block > kMaxBlock) throw std::runtime_error("unexpected digest block size");
  unsigned char hashed_key[EVP_MAX_MD_SIZE];
  if (key.size() > block) {
    const std::string_view parts[] = {key};
    const unsigned int len = DigestInto(md, parts, hashed_key);
    key = std::string_view(reinterpret_cast<char*>(hashed_key), len);
  }
  unsigned char ipad[kMaxBlock];
  unsigned char opad[kMaxBlock];
  for (size_t i = 0; i < block; ++i) {
    const auto k = i < key.size() ? static_cast<unsigned char>(key[i]) : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  unsigned char inner[EVP_MAX_MD_SIZE];
  const std::string_view inner_parts[] = {std::string_view(reinterpret_cast<char*>(ipad), block),
                                          data};
  const unsigned int inner_len = DigestInto(md, inner_parts, inner);
  unsigned char out[EVP_MAX_MD_SIZE];
  const std::string_view outer_parts[] = {
      std::string_view(reinterpret_cast<char*>(opad), block),
      std::string_view(reinterpret_cast<char*>(inner), inner_len)};
  const unsigned int len = DigestInto(md, outer_parts, out);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  OPENSSL_cleanse(hashed_key, sizeof hashed_key);
  return std::string(reinterpret_cast<char*>(out), len);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Base64 digit values by byte; -1 for a byte that is no digit ('=' included).
constexpr auto kB64Values = [] {
  std::array<int8_t, 256> values{};
  for (auto& v : values) v = -1;
  for (int i = 0; i < 64; ++i) values[static_cast<unsigned char>(kB64[i])] = static_cast<int8_t>(i);
  return values;
}();

int B64Value(char c) {
  return kB64Values[static_cast<unsigned char>(c)];
}

}  // namespace

std::string Md5(std::string_view data) {
  return OneShot(Digest::kMd5, data);
}
std::string Sha1(std::string_view data) {
  return OneShot(Digest::kSha1, data);
}
std::string Sha256(std::string_view data) {
  return OneShot(Digest::kSha256, data);
}
std::string HmacSha1(std::string_view key, std::string_view data) {
  return Hmac(Digest::kSha1, key, data);
}
std::string HmacSha256(std::string_view key, std::string_view data) {
  return Hmac(Digest::kSha256, key, data);
}

struct HashStream::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

HashStream::HashStream(Algorithm alg) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr ||
      EVP_DigestInit_ex2(impl_->ctx, Fetched(DigestOf(alg)), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex failed");
  }
}
HashStream::~HashStream() = default;
HashStream::HashStream(HashStream&&) noexcept = default;
HashStream& HashStream::operator=(HashStream&&) noexcept = default;

void HashStream::Update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}

std::string HashStream::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  // Written through a pointer into a buffer of the final size: appending character by character
  // made Base64 one of the costliest functions of a KMS Encrypt.
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  char* o = out.data();
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = kB64[(v >> 18) & 63];
    *o++ = kB64[(v >> 12) & 63];
    *o++ = kB64[(v >> 6) & 63];
    *o++ = kB64[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (rest == 2 ? uint32_t{in[i + 1]} << 8 : 0);
    *o++ = kB64[(v >> 18) & 63];
    *o++ = kB64[(v >> 12) & 63];
    *o++ = rest == 2 ? kB64[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string();
  // Padding only in the last group, only in its last two places, and nothing after it.
  size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out(text.size() / 4 * 3 - pad, '\0');
  char* o = out.data();
  const size_t full = text.size() - (pad > 0 ? 4 : 0);
  for (size_t i = 0; i < full; i += 4) {
    const int a = B64Value(text[i]), b = B64Value(text[i + 1]), c = B64Value(text[i + 2]),
              d = B64Value(text[i + 3]);
    if ((a | b | c | d) < 0) return std::nullopt;
    const uint32_t n = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    *o++ = static_cast<char>((n >> 16) & 0xff);
    *o++ = static_cast<char>((n >> 8) & 0xff);
    *o++ = static_cast<char>(n & 0xff);
  }
  if (pad > 0) {
    const size_t i = full;
    const int a = B64Value(text[i]), b = B64Value(text[i + 1]);
    const int c = pad == 1 ? B64Value(text[i + 2]) : 0;
    if ((a | b | c) < 0) return std::nullopt;
    // Canonical only: the bits that padding leaves over must be zero ("Zh==" is not "Zg==").
    if ((pad == 2 && (b & 0x0f) != 0) || (pad == 1 && (c & 0x03) != 0)) return std::nullopt;
    const uint32_t n = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6);
    *o++ = static_cast<char>((n >> 16) & 0xff);
    if (pad == 1) *o++ = static_cast<char>((n >> 8) & 0xff);
  }
  return out;
}

}  // namespace sealstack::crypto
