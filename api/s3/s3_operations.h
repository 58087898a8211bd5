// Which S3 operation a request is, by AWS's operation name ("PutObject", "UploadPartCopy",
// "PutBucketPolicy", ...), from its method, bucket/key, sub-resources and copy-source header,
// as S3 dispatches (docs/s3.md lists what is served). One place decides it: the dispatchers route
// on it, the request log and the audit trail name the operation with it. Pure, thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

#include "api/s3/s3_handler.h"

namespace sealstack::api::s3 {

// "" when the request names a sub-resource SealStack does not serve (tagging, acl, versioning,
// lifecycle, ...: 501 NotImplemented) or a method the resource does not have (405).
std::string_view S3OperationName(const S3Request& r);

// The first sub-resource of the S3 API model the request names that SealStack does not serve at
// the request's level (bucket or object), or "". Query parameters outside the model are ignored.
std::string_view UnservedSubResource(const S3Request& r);

// 501 NotImplemented naming the sub-resource.
Status UnservedSubResourceError(std::string_view sub_resource);

// True for operations CloudTrail records as management events (bucket configuration); object
// reads and writes are data events, which LookupEvents does not return.
bool IsS3ManagementEvent(std::string_view operation);

}  // namespace sealstack::api::s3
