#include "crypto/checksum.h"

#include <array>
#include <cstring>
#include <variant>

#include "crypto/digest.h"

namespace sealstack::crypto {

namespace {

// Slicing-by-8 tables for a reflected CRC: table[0] is the classic byte-at-a-time table,
// table[k][b] is the CRC of byte b followed by k zero bytes.
template <typename T>
struct SlicingTables {
  std::array<std::array<T, 256>, 8> t{};
};

template <typename T>
constexpr SlicingTables<T> MakeTables(T reflected_poly) {
  SlicingTables<T> s;
  for (unsigned b = 0; b < 256; ++b) {
    T crc = static_cast<T>(b);
    for (int i = 0; i < 8; ++i)
      crc = (crc & 1) ? static_cast<T>((crc >> 1) ^ reflected_poly) : static_cast<T>(crc >> 1);
    s.t[0][b] = crc;
  }
  for (unsigned b = 0; b < 256; ++b) {
    for (int k = 1; k < 8; ++k) {
      const T prev = s.t[k - 1][b];
      s.t[k][b] = static_cast<T>((prev >> 8) ^ s.t[0][prev & 0xff]);
    }
  }
  return s;
}

constexpr auto kCrc32Tables = MakeTables<uint32_t>(0xEDB88320u);   // ISO-HDLC (zlib)
constexpr auto kCrc32cTables = MakeTables<uint32_t>(0x82F63B78u);  // Castagnoli
constexpr auto kCrc64NvmeTables =
    MakeTables<uint64_t>(0x9A6C9329AC4BC9B5ull);  // reflected 0xAD93D23594C93659

// Runs the reflected CRC register over data (no init/xorout handling).
template <typename T>
T Update(const SlicingTables<T>& s, T crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  while (n >= 8) {
    uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | p[i];  // little-endian load
    if constexpr (sizeof(T) == 8) {
      word ^= crc;
      crc = s.t[7][word & 0xff] ^ s.t[6][(word >> 8) & 0xff] ^ s.t[5][(word >> 16) & 0xff] ^
            s.t[4][(word >> 24) & 0xff] ^ s.t[3][(word >> 32) & 0xff] ^
            s.t[2][(word >> 40) & 0xff] ^ s.t[1][(word >> 48) & 0xff] ^ s.t[0][word >> 56];
    } else {
      const uint32_t lo = static_cast<uint32_t>(word) ^ crc;
      const uint32_t hi = static_cast<uint32_t>(word >> 32);
      crc = s.t[7][lo & 0xff] ^ s.t[6][(lo >> 8) & 0xff] ^ s.t[5][(lo >> 16) & 0xff] ^
            s.t[4][lo >> 24] ^ s.t[3][hi & 0xff] ^ s.t[2][(hi >> 8) & 0xff] ^
            s.t[1][(hi >> 16) & 0xff] ^ s.t[0][hi >> 24];
    }
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = static_cast<T>((crc >> 8) ^ s.t[0][(crc ^ *p++) & 0xff]);
  return crc;
}

template <typename T>
std::string BigEndian(T v) {
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) {
    out[sizeof(T) - 1 - i] = static_cast<char>(v & 0xff);
    v = static_cast<T>(v >> 8);
  }
  return out;
}

struct AlgorithmInfo {
  ChecksumAlgorithm alg;
  std::string_view name;
  size_t digest_size;
};

constexpr AlgorithmInfo kAlgorithms[] = {
    {ChecksumAlgorithm::kCrc32, "CRC32", 4},         {ChecksumAlgorithm::kCrc32c, "CRC32C", 4},
    {ChecksumAlgorithm::kCrc64Nvme, "CRC64NVME", 8}, {ChecksumAlgorithm::kSha1, "SHA1", 20},
    {ChecksumAlgorithm::kSha256, "SHA256", 32},
};

bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

constexpr std::string_view kHeaderPrefix = "x-amz-checksum-";

}  // namespace

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm alg) {
  for (const auto& a : kAlgorithms) {
    if (a.alg == alg) return a.name;
  }
  return "";
}

std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromName(std::string_view name) {
  for (const auto& a : kAlgorithms) {
    if (EqualsIgnoreCaseAscii(a.name, name)) return a.alg;
  }
  return std::nullopt;
}

std::string ChecksumHeaderName(ChecksumAlgorithm alg) {
  std::string name(kHeaderPrefix);
  for (char c : ChecksumAlgorithmName(alg)) {
    name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return name;
}

std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromHeader(std::string_view header) {
  if (header.size() <= kHeaderPrefix.size() ||
      !EqualsIgnoreCaseAscii(header.substr(0, kHeaderPrefix.size()), kHeaderPrefix)) {
    return std::nullopt;
  }
  return ChecksumAlgorithmFromName(header.substr(kHeaderPrefix.size()));
}

size_t ChecksumDigestSize(ChecksumAlgorithm alg) {
  for (const auto& a : kAlgorithms) {
    if (a.alg == alg) return a.digest_size;
  }
  return 0;
}

uint32_t Crc32(std::string_view data, uint32_t crc) {
  return ~Update<uint32_t>(kCrc32Tables, ~crc, data);
}

uint32_t Crc32c(std::string_view data, uint32_t crc) {
  return ~Update<uint32_t>(kCrc32cTables, ~crc, data);
}

uint64_t Crc64Nvme(std::string_view data, uint64_t crc) {
  return ~Update<uint64_t>(kCrc64NvmeTables, ~crc, data);
}

struct Checksum::Impl {
  // CRC value so far (finalised form, as the free functions take and return it), or a hash.
  std::variant<uint32_t, uint64_t, HashStream> state;
};

Checksum::Checksum(ChecksumAlgorithm alg) : alg_(alg), impl_(std::make_unique<Impl>()) {
  switch (alg) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      impl_->state.emplace<uint32_t>(0);
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      impl_->state.emplace<uint64_t>(0);
      break;
    case ChecksumAlgorithm::kSha1:
      impl_->state.emplace<HashStream>(HashStream::Algorithm::kSha1);
      break;
    case ChecksumAlgorithm::kSha256:
      impl_->state.emplace<HashStream>(HashStream::Algorithm::kSha256);
      break;
  }
}

Checksum::~Checksum() = default;
Checksum::Checksum(Checksum&&) noexcept = default;
Checksum& Checksum::operator=(Checksum&&) noexcept = default;

void Checksum::Update(std::string_view data) {
  switch (alg_) {
    case ChecksumAlgorithm::kCrc32: {
      auto& c = std::get<uint32_t>(impl_->state);
      c = Crc32(data, c);
      break;
    }
    case ChecksumAlgorithm::kCrc32c: {
      auto& c = std::get<uint32_t>(impl_->state);
      c = Crc32c(data, c);
      break;
    }
    case ChecksumAlgorithm::kCrc64Nvme: {
      auto& c = std::get<uint64_t>(impl_->state);
      c = Crc64Nvme(data, c);
      break;
    }
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      std::get<HashStream>(impl_->state).Update(data);
      break;
  }
}

std::string Checksum::Digest() {
  if (auto* c32 = std::get_if<uint32_t>(&impl_->state)) return BigEndian(*c32);
  if (auto* c64 = std::get_if<uint64_t>(&impl_->state)) return BigEndian(*c64);
  return std::get<HashStream>(impl_->state).Finish();
}

std::string Checksum::DigestBase64() {
  return Base64(Digest());
}

namespace {

// GF(2) 64x64 (or 32x32) matrix times vector: the operator "append one zero bit" and its powers.
uint64_t Gf2Times(const uint64_t* mat, uint64_t vec) {
  uint64_t sum = 0;
  while (vec != 0) {
    if (vec & 1) sum ^= *mat;
    vec >>= 1;
    ++mat;
  }
  return sum;
}

void Gf2Square(uint64_t* square, const uint64_t* mat, int width) {
  for (int n = 0; n < width; ++n) square[n] = Gf2Times(mat, mat[n]);
}

// crc(A || B) from crc(A), crc(B) and len(B), for a reflected CRC with all-ones init and xorout.
uint64_t Combine(uint64_t crc1, uint64_t crc2, uint64_t len2, uint64_t poly, int width) {
  if (len2 == 0) return crc1;
  uint64_t even[64];
  uint64_t odd[64];
  odd[0] = poly;  // the operator for one zero bit
  uint64_t row = 1;
  for (int n = 1; n < width; ++n) {
    odd[n] = row;
    row <<= 1;
  }
  Gf2Square(even, odd, width);  // two zero bits
  Gf2Square(odd, even, width);  // four zero bits
  do {                          // apply len2 zero bytes to crc1
    Gf2Square(even, odd, width);
    if (len2 & 1) crc1 = Gf2Times(even, crc1);
    len2 >>= 1;
    if (len2 == 0) break;
    Gf2Square(odd, even, width);
    if (len2 & 1) crc1 = Gf2Times(odd, crc1);
    len2 >>= 1;
  } while (len2 != 0);
  return crc1 ^ crc2;
}

}  // namespace

std::optional<std::string> CombineCrcs(
    ChecksumAlgorithm alg, const std::vector<std::pair<std::string, uint64_t>>& pieces) {
  uint64_t poly = 0;
  int width = 0;
  switch (alg) {
    case ChecksumAlgorithm::kCrc32:
      poly = 0xEDB88320u, width = 32;
      break;
    case ChecksumAlgorithm::kCrc32c:
      poly = 0x82F63B78u, width = 32;
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      poly = 0x9A6C9329AC4BC9B5ull, width = 64;
      break;
    default:
      return std::nullopt;
  }
  const size_t bytes = static_cast<size_t>(width / 8);
  uint64_t crc = 0;
  bool first = true;
  for (const auto& [digest, length] : pieces) {
    if (digest.size() != bytes) return std::nullopt;
    uint64_t value = 0;
    for (unsigned char ch : digest) value = (value << 8) | ch;
    crc = first ? value : Combine(crc, value, length, poly, width);
    first = false;
  }
  if (first) crc = 0;  // the CRC of nothing
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) {
    out[bytes - 1 - i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  }
  return out;
}

}  // namespace sealstack::crypto
