// Fixed keys and signing context shared by the fuzz targets and fuzz/seedgen.cpp, so that the
// generated seeds (valid sealed objects, KMS blobs, signed aws-chunked bodies) verify inside the
// targets and the fuzzer starts from inputs that reach the deep paths.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/secret_bytes.h"

namespace sealstack::fuzz {

inline crypto::SecretBytes FixedKey(uint8_t first) {
  crypto::SecretBytes key(32);
  for (size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<uint8_t>(first + i);
  return key;
}

// Segment cipher data key (fuzz/segment_reader) and KMS key material (fuzz/ciphertext_blob).
inline crypto::SecretBytes SegmentDataKey() {
  return FixedKey(0x00);
}
inline crypto::SecretBytes BlobMaterial() {
  return FixedKey(0x40);
}
inline const std::map<std::string, std::string>& BlobContext() {
  static const std::map<std::string, std::string> kContext = {{"purpose", "fuzz"},
                                                              {"aws:s3:arn", "arn:aws:s3:::b/k"}};
  return kContext;
}

// aws-chunked signing context (fuzz/aws_chunked): secret "test", scope of 2024-01-01 in s3.
inline constexpr std::string_view kChunkSecret = "test";
inline constexpr std::string_view kChunkAmzDate = "20240101T000000Z";
inline constexpr std::string_view kChunkDate = "20240101";
inline constexpr std::string_view kChunkRegion = "us-east-1";
inline constexpr std::string_view kChunkService = "s3";
inline constexpr std::string_view kChunkSeedSignature =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

}  // namespace sealstack::fuzz
