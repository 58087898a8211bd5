// Pieces shared by the S3 object operations (object_ops.cpp, object_copy.cpp,
// multipart_ops.cpp, bucket_objects.cpp): the stored object document, request header helpers,
// the integrity headers of a write, and the encryption decision of a write with its policy
// condition keys. Internal to api/s3.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/common/wire.h"
#include "api/s3/bucket_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_ops.h"
#include "api/s3/s3_authorizer.h"
#include "api/s3/sse.h"
#include "crypto/checksum.h"

namespace sealstack::api::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What is stored with an object (or a multipart upload) as its JSON doc.
struct ObjectDoc {
  HeaderList content_headers;  // Content-Type, Cache-Control, ... as sent
  HeaderList user_metadata;    // x-amz-meta-* (lower-cased names), values byte for byte
  ProtectedDataKey sse;
  std::string user_context_b64;             // the context header as sent (echoed on PUT)
  std::string checksum_algorithm;           // "CRC64NVME", ...; "" = none
  std::string checksum_value;               // base64 (composite: "<b64>-N")
  std::string checksum_type;                // "FULL_OBJECT" | "COMPOSITE"; "" = FULL_OBJECT
  std::vector<std::string> part_checksums;  // multipart: base64 per part, in order
  std::vector<uint64_t> part_sizes;         // multipart: plaintext bytes per part
};

std::string EncodeObjectDoc(const ObjectDoc& d);
Result<ObjectDoc> DecodeObjectDoc(const std::string& text, const std::string& wrapped_key);

// The first header named `name` (any case), or nullptr.
const std::string* FindHeader(const HeaderList& headers, std::string_view name);
inline const std::string* Header(const S3Request& r, std::string_view name) {
  return FindHeader(*r.headers, name);
}
const std::string* QueryParam(const S3Request& r, std::string_view name);

std::string Quoted(std::string_view etag);
std::string Unquoted(std::string_view etag);

// Response headers that say how an object is protected (PROTOCOL 3.2).
void AddSseHeaders(ApiResponse* r, const ProtectedDataKey& p);

// Content-Type & co. and x-amz-meta-* of a request, as they will be stored. aws-chunked is
// dropped from Content-Encoding (it is transport framing).
void CaptureContentHeaders(const HeaderList& headers, ObjectDoc* doc);

// User metadata is limited to 2 KiB: names (without x-amz-meta-) plus values, in bytes.
inline constexpr size_t kMaxUserMetadataBytes = 2048;
Status CheckUserMetadataSize(const HeaderList& headers);  // MetadataTooLarge

kms::Caller KmsCaller(const S3Caller& c);

// Integrity headers of a body write: Content-MD5 and at most one x-amz-checksum-* value, or a
// trailer announcing one. `algorithm` is what to compute while streaming (the one asked for,
// else `fallback`).
struct IntegrityRequest {
  std::optional<std::string> content_md5;  // raw 16 bytes
  std::optional<crypto::ChecksumAlgorithm> algorithm;
  std::string expected;       // base64 from the header ("" when in a trailer or absent)
  bool client_asked = false;  // a header or trailer named the algorithm
};
Result<IntegrityRequest> ParseIntegrity(const S3Request& r,
                                        std::optional<crypto::ChecksumAlgorithm> fallback);
// BadDigest when the body does not match what the request promised.
Status CheckIntegrity(const IntegrityRequest& want, const BodySummary& got);

// The condition keys S3 puts into the policy context for a write (from the request headers
// only, never from the bucket default), plus the SSE-C and KMS key id forms AWS uses.
std::vector<std::pair<std::string, std::string>> WriteConditionKeys(const SseHeaders& h,
                                                                    const S3Caller& c);

// KMS-protected objects need SigV4: SigV2 (presigned) requests get InvalidArgument.
Status CheckKmsSignature(const S3Caller& c, SseMode mode);

// The encryption of a new object: request headers, else the caller's session encryption (a
// Glue run's credentials), else the bucket default (PROTOCOL 3.3).
Result<WriteEncryption> ResolveObjectEncryption(const ObjectServices& s, const S3Caller& c,
                                                const Bucket& bucket, const SseHeaders& h,
                                                const std::string& key);

// A new object about to be written (PutObject, CreateMultipartUpload): its key length and user
// metadata checked (KeyTooLong, MetadataTooLarge), s3:PutObject allowed on it with the request's
// condition keys, and its encryption resolved.
struct NewObjectWrite {
  Bucket bucket;
  SseHeaders sse_headers;
  WriteEncryption encryption;
};
Result<NewObjectWrite> PrepareNewObjectWrite(const ObjectServices& s, const S3Caller& c,
                                             const S3Request& r);

// The SSE response headers of a write: mode, key id, bucket key, SSE-C, and the user's
// encryption context when it gave one.
void AddWriteSseHeaders(ApiResponse* resp, const ProtectedDataKey& protection,
                        const std::string& user_context_b64);

// An object about to be read: the bucket (access checked), the object, its doc, and the SSE-C
// key the request brought for it.
struct ReadableObject {
  Bucket bucket;
  ObjectInfo info;
  ObjectDoc doc;
  std::optional<CustomerKey> customer;
};
// `action` on the object ARN, then the object (NoSuchKey). `sse` holds the SSE-C trio meant
// for this object (the request's, or the copy-source trio); on a non-SSE-C object it is an
// InvalidRequest.
Result<ReadableObject> OpenForRead(const ObjectServices& s, const S3Caller& c,
                                   const std::string& bucket, const std::string& key,
                                   std::string_view action, const SseHeaders& sse);
// The object's data key: KMS Decrypt as the caller, the SSE-C key checked, or SSE-S3 unwrapped.
Result<crypto::SecretBytes> OpenObjectKey(const ObjectServices& s, const S3Caller& c,
                                          const ReadableObject& o);

// Puts `value` into the member of `out` that `alg` names.
void SetChecksum(Checksums* out, crypto::ChecksumAlgorithm alg, const std::string& value);

// Response for a failed operation.
ApiResponse S3ErrorResponse(const Status& st, const S3Request& r, const RequestIds& ids);

ApiResponse EmptyResponse(int status, const RequestIds& ids);
ApiResponse XmlResponse(int status, std::string body, const RequestIds& ids);

// S3's canonical user id: 64 hex characters, stable per account.
std::string CanonicalId(const std::string& account);

// Reads a small XML body (CompleteMultipartUpload, DeleteObjects) through the payload reader,
// refusing more than `limit` bytes (MaxMessageLengthExceeded).
Result<std::string> ReadSmallBody(const PayloadReader& payload, size_t limit);

}  // namespace sealstack::api::s3
