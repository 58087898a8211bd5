// The symmetric KMS ciphertext blob: what Encrypt / GenerateDataKey return and Decrypt takes.
// Format (docs/formats/kms-ciphertext.md):
//
//   blob = version:u8 (0x01) | key_id:16 (UUID bytes) | material_id:32 | iv:12 | ct | tag:16
//   aad  = "sealstack-kms-ciphertext" | blob[0..49) | canonical(encryption context)
//   canonical(ctx) = count:u32be | for each pair sorted by key (bytewise):
//                    klen:u32be | key | vlen:u32be | value
//
// The blob names its key and key material, so Decrypt needs no KeyId and rotation keeps old
// blobs readable. Everything before the IV is authenticated, so swapping the key id or
// material id fails the tag just as a wrong encryption context does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"

namespace sealstack::api::kms {

using EncryptionContext = std::map<std::string, std::string>;

inline constexpr size_t kBlobHeaderSize = 1 + 16 + 32;
inline constexpr size_t kBlobOverhead = kBlobHeaderSize + 12 + 16;

struct BlobHeader {
  std::string key_id;       // UUID text form
  std::string material_id;  // 64 lower-case hex
};

// Parses the header only; nullopt if the blob is not one of ours (wrong version, too short).
std::optional<BlobHeader> ParseBlobHeader(std::string_view blob);

Result<std::string> SealBlob(const crypto::SecretBytes& material, const BlobHeader& header,
                             const EncryptionContext& context, std::string_view plaintext,
                             crypto::RandomSource& random);

// Integrity error when the tag does not verify (wrong context, tampering, wrong material).
Result<crypto::SecretBytes> OpenBlob(const crypto::SecretBytes& material, std::string_view blob,
                                     const EncryptionContext& context);

std::string CanonicalContext(const EncryptionContext& context);

// "1234abcd-12ab-34cd-56ef-1234567890ab" <-> 16 bytes; nullopt when malformed.
std::optional<std::string> UuidToBytes(std::string_view uuid);
std::string UuidFromBytes(std::string_view bytes);

}  // namespace sealstack::api::kms
