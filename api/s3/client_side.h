// Client-side encryption layers SealStack recognises on write, recorded in the object doc
// (docs/formats/object-metadata.md, "client_side"): objects the AWS Encryption SDK wrote (its
// message header at the start of the body names the KMS keys that wrap the data key) and
// objects in the S3 Encryption Client's format (the wrapped content key and its algorithms in
// x-amz-meta-* metadata). The server cannot read such a body; it can say which key a reader
// will need. Nothing here decrypts or holds key material. Pure, thread-safe.
//
// The ESDK message header (docs.aws.amazon.com/encryption-sdk, "Message format reference"):
//   v1: version 0x01, type 0x80, algorithm id u16, message id 16 bytes,
//   v2: version 0x02, algorithm id u16, message id 32 bytes,
//   then: AAD length u16 [pair count u16, (key len u16, key, value len u16, value)*],
//         EDK count u16, (provider id len u16, provider id, provider info len u16, provider
//         info, EDK len u16, EDK)*, ...
// For provider id "aws-kms" the provider info is the KMS key ARN. Integers are big-endian.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::api::s3 {

struct ClientSideLayer {
  // "" (none), "aws-encryption-sdk", "s3-encryption-client-v1", "-v2" or "-v3".
  std::string format;
  // ESDK: the algorithm suite's name (AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384, ...);
  // S3EC: the content cipher (x-amz-cek-alg, e.g. AES/GCM/NoPadding).
  std::string algorithm;
  // S3EC: the key wrap algorithm (x-amz-wrap-alg: kms+context, kms, AES/GCM, RSA-OAEP-SHA1);
  // ESDK: "" (each EDK names its provider).
  std::string wrap_algorithm;
  // The KMS keys that can unwrap the data key, as named (ESDK: the aws-kms EDKs' provider info;
  // S3EC with kms / kms+context: the key of the wrapped key's KMS ciphertext, when SealStack's
  // own KMS made it, else matdesc's kms_cmk_id).
  std::vector<std::string> kms_keys;
  // Other key providers' ids (ESDK raw keyrings, S3EC AES/RSA wrapping): no KMS key to check.
  std::vector<std::string> other_providers;
  // ESDK: the message's encryption context (public by design: it is plaintext in the header);
  // S3EC: x-amz-matdesc (for kms+context, the KMS encryption context).
  std::map<std::string, std::string> context;
  int message_version = 0;  // ESDK: 1 or 2

  bool empty() const { return format.empty(); }
};

// Bytes of the body's start the detector keeps (a header with up to ~40 KMS EDKs fits).
inline constexpr size_t kClientSidePrefixBytes = 16 * 1024;

// Collects the first kClientSidePrefixBytes of a streamed body (or fewer: it stops as soon as
// the first byte rules out an ESDK message). Holds a bounded copy, never the object.
class ClientSidePrefix {
 public:
  void Feed(std::string_view piece);
  const std::string& bytes() const { return prefix_; }

 private:
  std::string prefix_;
  bool done_ = false;
};

// The ESDK header at the start of `prefix`, or nullopt when it is not one (or is cut short).
std::optional<ClientSideLayer> ParseEsdkHeader(std::string_view prefix);

// Maps a KMS ciphertext blob to the ARN of the key it names ("" when unknown): S3EC's kms and
// kms+context metadata carries the wrapped key, not the key id.
using KeyOfBlob = std::function<std::string(std::string_view blob)>;

// The S3 Encryption Client layer that user metadata (lower-case x-amz-meta-* names) describes,
// or nullopt.
std::optional<ClientSideLayer> DetectS3EncryptionClient(
    const std::vector<std::pair<std::string, std::string>>& user_metadata,
    const KeyOfBlob& key_of_blob);

// Either layer: the S3EC metadata first (it says so explicitly), else the ESDK header.
ClientSideLayer DetectClientSide(
    const std::vector<std::pair<std::string, std::string>>& user_metadata,
    std::string_view body_prefix, const KeyOfBlob& key_of_blob);

}  // namespace sealstack::api::s3
