// CopyObject (PUT /{bucket}/{key} with x-amz-copy-source) and the copy-source pieces that
// UploadPartCopy shares: the source is read (decrypted with its own key: KMS Decrypt as the
// caller, or the copy-source SSE-C key) and streamed straight into a writer that encrypts it
// as the destination says (PROTOCOL 3.3 rule 5): nothing of it is held whole in memory.
#pragma once

#include <string>

#include "api/s3/object_common.h"

namespace sealstack::api::s3 {

struct CopySource {
  std::string bucket;
  std::string key;
};

// x-amz-copy-source: "/bucket/key" or "bucket/key", URL-encoded, optional "?versionId=".
Result<CopySource> ParseCopySource(const S3Request& r);

// x-amz-copy-source-if-match / -if-none-match / -if-modified-since / -if-unmodified-since:
// PreconditionFailed (412) when one does not hold.
Status CheckCopySourceConditions(const S3Request& r, const ObjectInfo& source);

Result<ApiResponse> CopyObject(const ObjectServices& s, const S3Caller& c, const S3Request& r,
                               const RequestIds& ids);

}  // namespace sealstack::api::s3
