// The checksums S3 uses: CRC32 (ISO-HDLC, zlib's), CRC32C (Castagnoli), CRC64NVME, SHA-1,
// SHA-256 (plus MD5 for Content-MD5). Incremental, for bodies that stream through.
//
// Wire form: base64 of the big-endian digest (4, 4, 8, 20, 32 bytes).
// Thread safety: a Checksum object is not shared; the free functions are reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::crypto {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" (the x-amz-sdk-checksum-algorithm names).
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm alg);
std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromName(std::string_view name);  // any case
// "x-amz-checksum-crc32" etc. <-> algorithm.
std::string ChecksumHeaderName(ChecksumAlgorithm alg);
std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromHeader(std::string_view header);  // any case
size_t ChecksumDigestSize(ChecksumAlgorithm alg);

uint32_t Crc32(std::string_view data, uint32_t crc = 0);
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);
uint64_t Crc64Nvme(std::string_view data, uint64_t crc = 0);
// TEST ONLY: the CRC of data (from a zero CRC) through the folding path (as above, which
// folds long inputs when the CPU has PCLMULQDQ) or through the byte tables alone.
uint32_t Crc32ForTesting(std::string_view data, bool fold);
uint32_t Crc32cForTesting(std::string_view data, bool fold);
uint64_t Crc64NvmeForTesting(std::string_view data, bool fold);

class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm alg);
  ~Checksum();
  Checksum(Checksum&&) noexcept;
  Checksum& operator=(Checksum&&) noexcept;

  void Update(std::string_view data);
  std::string Digest();        // raw big-endian digest; call once
  std::string DigestBase64();  // base64 of Digest(); call once (instead of Digest)
  ChecksumAlgorithm algorithm() const { return alg_; }

 private:
  struct Impl;
  ChecksumAlgorithm alg_;
  std::unique_ptr<Impl> impl_;
};

// The CRC of a concatenation from the CRCs of its pieces (zlib's crc32_combine, generalised to
// the three reflected CRCs here): full-object checksums of multipart uploads are computed from
// the parts' own. `pieces` holds each piece's raw big-endian digest and its length in bytes.
// nullopt for SHA algorithms (not combinable) or a digest of the wrong size.
std::optional<std::string> CombineCrcs(ChecksumAlgorithm alg,
                                       const std::vector<std::pair<std::string, uint64_t>>& pieces);

}  // namespace sealstack::crypto
