// Hashes, HMAC and the text encodings AWS uses for them. OpenSSL EVP underneath.
//
// All functions return raw bytes as std::string (binary-safe); use Hex()/Base64() to encode.
// Thread safety: all functions are reentrant. Sha256Stream objects are not shared.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sealstack::crypto {

std::string Md5(std::string_view data);
std::string Sha1(std::string_view data);
std::string Sha256(std::string_view data);
std::string HmacSha1(std::string_view key, std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// Incremental hashing for bodies that stream through in pieces.
class HashStream {
 public:
  enum class Algorithm { kMd5, kSha1, kSha256 };
  explicit HashStream(Algorithm alg);
  ~HashStream();
  HashStream(HashStream&&) noexcept;
  HashStream& operator=(HashStream&&) noexcept;
  void Update(std::string_view data);
  std::string Finish();  // raw digest; the stream must not be used afterwards

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Hex(std::string_view bytes);  // lower-case
std::optional<std::string> FromHex(std::string_view hex);
std::string Base64(std::string_view bytes);  // standard alphabet, padded
// Strict: standard alphabet, correct padding, no whitespace, zero pad bits (canonical). nullopt
// otherwise.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace sealstack::crypto
