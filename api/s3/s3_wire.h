// Pieces of the S3 wire edge shared by its operation files (s3_handler.cpp, object_ops.cpp,
// object_copy.cpp, multipart_ops.cpp, bucket_objects.cpp): reading request headers into the
// service's inputs, and writing responses (request ids, SSE headers, XML). Internal to api/s3.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/common/wire.h"
#include "api/s3/bucket_acl.h"  // CanonicalId
#include "api/s3/object_common.h"
#include "api/s3/object_ops.h"
#include "api/s3/s3_xml.h"

namespace sealstack::api::s3 {

// The first header named `name` (any case), or nullptr.
const std::string* FindHeader(const HeaderList& headers, std::string_view name);
inline const std::string* Header(const S3Request& r, std::string_view name) {
  return FindHeader(*r.headers, name);
}
const std::string* QueryParam(const S3Request& r, std::string_view name);
std::optional<std::string> OptionalHeader(const S3Request& r, std::string_view name);

// Content-Type & co. and x-amz-meta-* of a request, as they will be stored. aws-chunked is
// dropped from Content-Encoding (it is transport framing).
void CaptureContentHeaders(const HeaderList& headers, HeaderList* content_headers,
                           HeaderList* user_metadata);

// Content-MD5, x-amz-checksum-* and x-amz-trailer, as sent.
IntegrityHeaders IntegrityHeadersOf(const S3Request& r);

// If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, each name after `prefix`
// ("" for a read, "x-amz-copy-source-" for a copy source).
Conditions ConditionsOf(const S3Request& r, std::string_view prefix);

struct CopySource {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // "?versionId=" as sent
};
// x-amz-copy-source: "/bucket/key" or "bucket/key", URL-encoded, optional "?versionId=" (its
// form is checked: InvalidArgument naming x-amz-copy-source).
Result<CopySource> ParseCopySource(const S3Request& r);

// Response headers that say how an object is protected: x-amz-server-side-encryption, the KMS
// key ARN, bucket key; for SSE-C the algorithm and key MD5.
void AddSseHeaders(ApiResponse* r, const ProtectedDataKey& p);
// The same for a write, with the user's encryption context when it gave one.
void AddWriteSseHeaders(ApiResponse* resp, const WrittenProtection& protection);
// x-amz-checksum-<algorithm> and x-amz-checksum-type.
void AddChecksumHeaders(ApiResponse* resp, const ReportedChecksum& checksum);

// Puts `value` into the member of `out` that `alg` names.
void SetChecksum(Checksums* out, crypto::ChecksumAlgorithm alg, const std::string& value);
// The checksums `c` holds of the algorithms S3 computes (CRC32, CRC32C, CRC64NVME, SHA1,
// SHA256), by algorithm, in that order; empty members left out.
std::vector<std::pair<crypto::ChecksumAlgorithm, std::string>> ChecksumsByAlgorithm(
    const Checksums& c);

// A checksum-required operation's body (DeleteObjects, PutBucketCors, ...) must come with
// Content-MD5 or an x-amz-checksum-* header (or a trailer), and match it: else 400
// InvalidRequest, InvalidDigest or BadDigest.
Status CheckBodyIntegrity(const S3Request& r);

// x-amz-acl and x-amz-grant-* (CreateBucket, PutObject, CopyObject, CreateMultipartUpload,
// PutBucketAcl, PutObjectAcl). Both kinds at once: 400 InvalidRequest.
Result<AclRequest> AclRequestOf(const S3Request& r);

// Response for a failed operation.
ApiResponse S3ErrorResponse(const Status& st, const S3Request& r, const RequestIds& ids);

ApiResponse EmptyResponse(int status, const RequestIds& ids);
ApiResponse XmlResponse(int status, std::string body, const RequestIds& ids);

// Reads a small XML body (CompleteMultipartUpload) through the payload reader, refusing more
// than `limit` bytes (MaxMessageLengthExceeded).
Result<std::string> ReadSmallBody(const PayloadReader& payload, size_t limit);

}  // namespace sealstack::api::s3
