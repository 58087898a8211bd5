// Server-side encryption for S3 writes and reads: which mode a request asks for, validated with
// AWS's exact errors and messages, resolved against the bucket default (docs/s3.md,
// "Encryption").
//
//   write: SSE-C headers  -> SSE-C (the bucket default is ignored)
//          SSE header     -> that mode (aws:kms without a key id -> AWS-managed alias/aws/s3)
//          nothing        -> the bucket default, else SSE-S3 (every object is encrypted)
//
// Pure: headers in, a decision or an error out. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/secret_bytes.h"

namespace sealstack::api::s3 {

enum class SseMode { kSseS3, kSseKms, kDsseKms, kSseC };

std::string_view SseHeaderValue(SseMode mode);  // "AES256", "aws:kms", "aws:kms:dsse", ""
// The mode an x-amz-server-side-encryption value names; never kSseC (whose value is "").
std::optional<SseMode> ParseSseHeaderValue(std::string_view value);

// The encryption headers of a request, as sent (absent = nullopt).
struct SseHeaders {
  std::optional<std::string> sse;                 // x-amz-server-side-encryption
  std::optional<std::string> kms_key_id;          // ...-aws-kms-key-id
  std::optional<std::string> context;             // ...-context (base64 JSON)
  std::optional<std::string> bucket_key;          // ...-bucket-key-enabled
  std::optional<std::string> customer_algorithm;  // ...-customer-algorithm
  std::optional<std::string> customer_key;        // ...-customer-key (base64)
  std::optional<std::string> customer_key_md5;    // ...-customer-key-MD5 (base64)
};

// Reads the SSE headers (case-insensitive names) from a header list. `copy_source` reads the
// x-amz-copy-source-server-side-encryption-customer-* trio instead of the customer trio.
SseHeaders ExtractSseHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             bool copy_source = false);

struct CustomerKey {
  crypto::SecretBytes key;  // 32 bytes (kWrite); any non-empty length (kRead)
  std::string key_md5;      // base64, as echoed in responses
};

// What a customer key is for. AWS validates the trio differently for the two:
//   kWrite (PutObject, CreateMultipartUpload, CopyObject's destination): the key-MD5 header is
//     required, and a key that is not 32 bytes is 400 InvalidArgument.
//   kPart (UploadPart, UploadPartCopy): the key-MD5 header may be left out; a key that is not
//     32 bytes is 400 InvalidArgument.
//   kRead (GetObject, HeadObject, a copy source): the key-MD5 header may be left out, and a key
//     of the wrong length is just a wrong key (403 AccessDenied once compared with the
//     object's), except an empty one (400).
enum class CustomerKeyUse { kWrite, kPart, kRead };

// The SSE-C trio, validated (checked in AWS's order: algorithm, key present, MD5, length).
// nullopt when none of the three headers is present.
Result<std::optional<CustomerKey>> ParseCustomerKey(const SseHeaders& h, CustomerKeyUse use);

struct BucketDefault {
  std::string algorithm = "AES256";  // AES256 | aws:kms | aws:kms:dsse
  std::string kms_key_id;            // may be empty (-> alias/aws/s3)
  bool bucket_key_enabled = false;
  bool block_sse_c = false;
};

struct WriteEncryption {
  SseMode mode = SseMode::kSseS3;
  std::string kms_key_id;  // as requested or configured; "" -> alias/aws/s3 (KMS modes)
  std::map<std::string, std::string> user_context;  // from the context header
  bool bucket_key = false;
  std::optional<CustomerKey> customer_key;  // SSE-C
  bool from_request_headers = false;        // false when the bucket default decided
};

struct WritePolicy {
  bool secure_transport = false;
  bool require_tls_for_sse_c = false;  // --sse-c-require-tls
  std::string principal_arn;           // for the SSE-C-blocked message
  std::string object_arn;              // "arn:aws:s3:::bucket/key"
};

// Decides the encryption of a new object (PutObject, CreateMultipartUpload, CopyObject dest).
Result<WriteEncryption> ResolveWriteEncryption(const SseHeaders& h,
                                               const BucketDefault& bucket_default,
                                               const WritePolicy& policy);

// GET/HEAD may carry only the SSE-C trio; SSE/KMS headers are refused as AWS does.
Status CheckReadHeaders(const SseHeaders& h);

// Parses x-amz-server-side-encryption-context: base64 of a JSON object of strings.
Result<std::map<std::string, std::string>> ParseEncryptionContextHeader(std::string_view b64);

}  // namespace sealstack::api::s3
