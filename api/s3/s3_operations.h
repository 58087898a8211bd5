// Which S3 operation a request is, by AWS's operation name ("PutObject", "UploadPartCopy",
// "PutBucketPolicy", ...), from its method, bucket/key, sub-resources and copy-source header,
// as S3 dispatches (docs/s3.md lists what is served). One place decides it: the dispatchers route
// on it, the request log and the audit trail name the operation with it. Pure, thread-safe.
#pragma once

#include <string_view>

#include "api/s3/s3_handler.h"

namespace sealstack::api::s3 {

// "" when the request names a sub-resource or method SealStack does not model (tagging, acl,
// versioning, lifecycle, ...): those answer 501 NotImplemented / 405 MethodNotAllowed.
std::string_view S3OperationName(const S3Request& r);

// True when the request names a sub-resource SealStack does not model (-> 501, not 405).
bool NamesUnknownSubResource(const S3Request& r);

// True for operations CloudTrail records as management events (bucket configuration); object
// reads and writes are data events, which LookupEvents does not return.
bool IsS3ManagementEvent(std::string_view operation);

}  // namespace sealstack::api::s3
