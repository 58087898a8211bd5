// Multipart uploads on the wire (PROTOCOL 4.3): CreateMultipartUpload decides the encryption
// once (and, for KMS modes, makes the upload's data key with GenerateDataKey as the caller);
// every UploadPart / UploadPartCopy opens that key again as its caller (KMS Decrypt, or the
// repeated SSE-C key), so a key disabled mid-upload stops the upload as on AWS. Each part is
// its own sealed body; CompleteMultipartUpload makes the chosen parts one visible object.
#pragma once

#include "api/s3/object_common.h"

namespace sealstack::api::s3 {

// Non-last parts must hold at least this many bytes (EntityTooSmall).
inline constexpr uint64_t kMinPartSize = 5ull << 20;

Result<ApiResponse> CreateMultipartUpload(const ObjectServices& s, const S3Caller& c,
                                          const S3Request& r, const RequestIds& ids);
Result<ApiResponse> UploadPart(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                               const PayloadReader& payload, const RequestIds& ids);
Result<ApiResponse> UploadPartCopy(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                                   const RequestIds& ids);
Result<ApiResponse> CompleteMultipartUpload(const ObjectServices& s, const S3Caller& c,
                                            const S3Request& r, const PayloadReader& payload,
                                            const RequestIds& ids);
Result<ApiResponse> AbortMultipartUpload(const ObjectServices& s, const S3Caller& c,
                                         const S3Request& r, const RequestIds& ids);
Result<ApiResponse> ListParts(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                              const RequestIds& ids);
// GET /{bucket}?uploads
Result<ApiResponse> ListMultipartUploads(const ObjectServices& s, const S3Caller& c,
                                         const S3Request& r, const RequestIds& ids);

}  // namespace sealstack::api::s3
