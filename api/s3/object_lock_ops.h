// The S3 wire edge for Object Lock on objects: Get/PutObjectRetention, Get/PutObjectLegalHold,
// and the x-amz-object-lock-* / x-amz-bypass-governance-retention headers of other requests.
#pragma once

#include <string_view>

#include "api/s3/object_ops.h"

namespace sealstack::api::s3 {

// x-amz-object-lock-mode, -retain-until-date, -legal-hold, as sent.
ObjectLockHeaders ObjectLockHeadersOf(const S3Request& r);
// x-amz-bypass-governance-retention: true (any case).
bool BypassGovernanceOf(const S3Request& r);
// The x-amz-object-lock-* headers of a GET or HEAD answer.
void AddObjectLockHeaders(ApiResponse* resp, const ObjectLock& lock);

// `op` is GetObjectRetention, PutObjectRetention, GetObjectLegalHold or PutObjectLegalHold.
Result<ApiResponse> HandleObjectLock(Service& svc, const S3Caller& c, const S3Request& r,
                                     std::string_view op, const PayloadReader& payload,
                                     const RequestIds& ids);

}  // namespace sealstack::api::s3
