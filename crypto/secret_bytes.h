// SecretBytes: key material, plaintext data keys, customer keys, secret access keys.
//
// Zeroises its buffer on destruction and on move-from, and never prints its contents: the
// stream operator writes "<redacted N bytes>". Use it for anything that must never reach a log
// or a database row unwrapped.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sealstack::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n, 0) {}
  explicit SecretBytes(std::string_view s) : bytes_(s.begin(), s.end()) {}
  SecretBytes(const uint8_t* p, size_t n) : bytes_(p, p + n) {}
  ~SecretBytes() { Wipe(); }

  SecretBytes(const SecretBytes& o) = default;
  SecretBytes& operator=(const SecretBytes& o) {
    if (this != &o) {
      Wipe();
      bytes_ = o.bytes_;
    }
    return *this;
  }
  SecretBytes(SecretBytes&& o) noexcept : bytes_(std::move(o.bytes_)) { o.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      Wipe();
      bytes_ = std::move(o.bytes_);
      o.bytes_.clear();
    }
    return *this;
  }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

  // Explicit, greppable escape hatch for APIs that need a std::string (e.g. a KMS response
  // field that the client asked for). Never pass the result to a logger.
  std::string Reveal() const { return std::string(view()); }

 private:
  void Wipe();
  std::vector<uint8_t> bytes_;
};

inline std::ostream& operator<<(std::ostream& os, const SecretBytes& s) {
  return os << "<redacted " << s.size() << " bytes>";
}

// Constant-time equality, for MACs, signatures and key fingerprints.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sealstack::crypto
